"""``poml.poml(..., guard=...)``: protect the rendered messages before they are formatted.

The guard is duck-typed (anything with ``.protect(messages)`` taking and returning
``message_dict`` lists, e.g. :class:`compressor.Guard`), so nothing from ``compressor`` is
imported here. What is scanned: by default the rendered ``human`` messages (``<human-msg>``
content, and the human turns of a ``<conversation>``), the untrusted part of a prompt. A
``guard="true"`` / ``guard="false"`` attribute on any component marks its output untrusted
(scanned, even inside a system message) or trusted (never scanned, even inside a human
message); see :mod:`renderers._untrusted`. Then the guard sees only the untrusted text, and the
messages sent keep every turn exactly as rendered: only the system prompt changes. Guarding
happens before the output format is chosen, so every format carries the same messages.
"""

from __future__ import annotations

from typing import Any, Optional

from ._errors import PomlError


def check_guard(guard: Any, *, chat: bool, path: Optional[str]) -> None:
    """Refuse a guard that cannot work, before anything is rendered."""
    if not callable(getattr(guard, "protect", None)):
        raise TypeError(f"guard= needs an object with a .protect(messages) method "
                        f"(e.g. compressor.Guard), got {type(guard).__name__}")
    if not chat:
        raise PomlError(
            f"{path or '<string>'}:1:1: error: guard= protects chat messages, but chat=False renders "
            "one text with no system message to carry the extracted intent.\n"
            "hint: render with chat=True (the default) and pass guard=, or render with chat=False "
            "and call guard.extract(text) on the result yourself")


def guard_messages(messages: list, guard: Any, *, untrusted: Optional[list[str]] = None) -> list:
    """``messages`` with the guard's system prompt; ``untrusted`` (per message, the marked text)
    limits what the guard scans, ``None`` lets it scan the human messages whole."""
    if not messages:
        return messages
    if untrusted is None:
        return _checked(guard, guard.protect(list(messages)))
    view = _scan_view(messages, untrusted)
    if not any(m["speaker"] == "human" for m in view):
        return messages            # everything is trusted: nothing to scan, nothing to add
    protected = _checked(guard, guard.protect(view))
    system = next((m for m in protected if m["speaker"] == "system"), None)
    if system is None:
        return messages
    out = list(messages)
    at = next((i for i, m in enumerate(out) if m["speaker"] == "system"), None)
    if at is None:
        out.insert(0, system)
    else:
        out[at] = system
    return out


def _scan_view(messages: list, untrusted: list[str]) -> list:
    """What the guard sees: the first system message as it is (the guard extends it), and one
    human message per message that holds untrusted text, carrying only that text."""
    view, seen_system = [], False
    for message, text in zip(messages, untrusted):
        if message["speaker"] == "system" and not seen_system:
            view.append(message)
            seen_system = True
        if text:
            view.append({"speaker": "human", "content": text})
    return view


def _checked(guard: Any, protected: Any) -> list:
    if not isinstance(protected, list) or not all(isinstance(m, dict) and "speaker" in m for m in protected):
        raise TypeError(f"{type(guard).__name__}.protect() must return a list of "
                        "{'speaker', 'content'} dicts for message_dict input")
    return protected
