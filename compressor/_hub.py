"""Decide, before transformers tries, whether a ``model`` argument can be loaded at all.

transformers turns a missing folder into "Repo id must use alphanumeric chars" and an
unreachable hub into half a minute of retries; this module answers both in milliseconds with a
message that says what to do.
"""
from __future__ import annotations

import os
import re
import socket
from urllib.parse import urlparse

from ._errors import ModelLoadError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_TRY = "pass --model ./folder (make one with `poml compress --demo-model ./folder`)"


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _cached(repo: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - transformers depends on huggingface_hub
        return False
    return isinstance(try_to_load_from_cache(repo, "config.json"), str)


def hub_reachable(timeout: float = 2.0) -> bool:
    """One TCP connect to the hub endpoint (``$HF_ENDPOINT`` or huggingface.co), no retries."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def check_source(model: str) -> None:
    """Raise :class:`ModelLoadError` at once when ``model`` is neither a folder nor loadable from the hub."""
    if os.path.isdir(model):
        return
    if os.path.exists(model):
        raise ModelLoadError(f"{model}: not a folder (give the checkpoint's folder, holding config.json)")
    if model.startswith((".", "/", "~", "\\")) or not _HUB_ID.match(model):  # a path, not org/name
        raise ModelLoadError(f"no such folder: {model}")
    if _cached(model):
        return
    if _offline():
        raise ModelLoadError(f"{model} is not in the local hub cache and HF_HUB_OFFLINE is set: {_TRY}")
    if not hub_reachable():
        raise ModelLoadError(f"hub not reachable for {model}: {_TRY}, or set HF_HUB_OFFLINE=1 to use cached models")
