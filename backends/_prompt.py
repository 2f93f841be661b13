"""From what the user passed (a .poml path, markup, or messages) to a :class:`Prepared` prompt."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ._errors import ConfigError

_SPEAKER = {"user": "human", "assistant": "ai", "system": "system", "developer": "system", "tool": "tool"}


@dataclass
class Prepared:
    messages: list
    schema: Optional[dict] = None
    tools: list = field(default_factory=list)
    runtime: dict = field(default_factory=dict)


def prepare(prompt: Any, context: Any = None, *, compress: Any = None, compress_rate: float = 0.5,
            guard: Any = None) -> Prepared:
    """Render ``prompt`` and run the optional compressor and guard on it."""
    if isinstance(prompt, (list, tuple)):
        p = Prepared([_speaker_message(m, i) for i, m in enumerate(prompt)])
    elif isinstance(prompt, (str, Path)):
        p = _render(prompt, context)
    else:
        raise ConfigError(f"prompt must be a .poml path, POML markup or a list of messages, not {type(prompt).__name__}")
    if compress is not None:
        p.messages = _compressed(p.messages, compress, compress_rate)
    if guard is not None:
        if not hasattr(guard, "protect"):
            raise ConfigError("guard= needs an object with .protect(messages), e.g. compressor.Guard(...)")
        p.messages = list(guard.protect(p.messages))
    return p


def _render(prompt: Any, context: Any) -> Prepared:
    import poml

    text = str(prompt)
    is_path = isinstance(prompt, Path) or (not text.lstrip().startswith("<") and "\n" not in text
                                          and (text.endswith(".poml") or Path(text).is_file()))
    if is_path and not Path(text).is_file():
        raise ConfigError(f"prompt file {text!r} not found (pass a .poml path, markup, or messages)")
    out = poml.poml(Path(text) if is_path else text, context=context, format="dict")
    if not isinstance(out.get("messages"), list):  # non-chat render: rich content as one human turn
        out["messages"] = [{"speaker": "human", "content": out["messages"]}]
    return Prepared(out["messages"], out.get("schema"), list(out.get("tools") or []), dict(out.get("runtime") or {}))


def _speaker_message(m: Any, i: int) -> dict:
    if not isinstance(m, dict) or "content" not in m:
        raise ConfigError(f"message {i} must be a dict with 'speaker' (or 'role') and 'content', got {m!r:.80}")
    if "speaker" in m:
        return m
    role = m.get("role")
    if role not in _SPEAKER:
        raise ConfigError(f"message {i} has role {role!r}; expected one of {sorted(_SPEAKER)}")
    return {"speaker": _SPEAKER[role], "content": m["content"]}


def _compressed(messages: list, compressor: Any, rate: float) -> list:
    """Human turns' text compressed (system rules, tool traffic and media stay as they are)."""
    if not hasattr(compressor, "compress"):
        raise ConfigError("compress= needs an object with .compress(texts, rate=), e.g. compressor.Compressor(...)")
    idx = [i for i, m in enumerate(messages) if m["speaker"] == "human" and isinstance(m["content"], str)]
    if not idx:
        return messages
    results = compressor.compress([messages[i]["content"] for i in idx], rate=rate)
    out = list(messages)
    for i, r in zip(idx, results):
        out[i] = {**messages[i], "content": getattr(r, "compressed_prompt", r)}
    return out
