"""Which server and model a call goes to, and its key (kept out of reprs, logs and errors)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from ._errors import ConfigError
from ._providers import PROVIDERS, Provider


@dataclass
class Target:
    provider: Provider
    model: str
    base_url: str
    api_key: Optional[str] = field(default=None, repr=False)

    @property
    def server(self) -> str:
        return f"{self.provider.name} server {self.base_url}"

    def redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key and len(self.api_key) >= 4 else text


def resolve(model: Optional[str], provider: Optional[str], base_url: Optional[str],
            api_key: Optional[str]) -> Target:
    """``"openai:gpt-4o"``, ``"anthropic:claude-..."``, ``"ollama:llama3"``, ``"llamacpp:x"``, or a bare
    model name with ``base_url=`` (an OpenAI-compatible server unless ``provider=`` says otherwise)."""
    if not model:
        raise ConfigError("model= is required, e.g. 'openai:gpt-4o', 'anthropic:claude-sonnet-4-5', "
                          "'ollama:llama3', or a model name with base_url=")
    name = provider
    prefix, sep, rest = model.partition(":")
    if sep and prefix in PROVIDERS and provider in (None, prefix):
        name, model = prefix, rest
    name = name or "openai"
    if name not in PROVIDERS:
        raise ConfigError(f"unknown provider {name!r}; choose one of {sorted(PROVIDERS)}")
    prov = PROVIDERS[name]()
    url = (base_url or os.environ.get(f"{name.upper()}_BASE_URL") or prov.default_base_url).rstrip("/")
    key = api_key if api_key is not None else (os.environ.get(prov.env_key) if prov.env_key else None)
    if prov.needs_key and not key and base_url is None:
        raise ConfigError(f"no API key for {name}: pass api_key= or set {prov.env_key}")
    return Target(prov, model, url, key)
