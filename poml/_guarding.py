"""``poml.poml(..., guard=...)``: protect the rendered messages before they are formatted.

The guard is duck-typed (anything with ``.protect(messages)`` taking and returning
``message_dict`` lists, e.g. :class:`compressor.Guard`), so nothing from ``compressor`` is
imported here. What is scanned: the rendered ``human`` messages (``<human-msg>`` content, and
the human turns of a ``<conversation>``): the untrusted part of a prompt. System and assistant
text the prompt's author wrote is never sent through the guard. Guarding happens before the
output format is chosen, so every format (``message_dict``, ``openai_chat``, ``raw`` ...) carries
the same protected messages.
"""

from __future__ import annotations

from typing import Any


def guard_messages(messages: Any, guard: Any, *, chat: bool) -> Any:
    """``guard.protect(messages)`` for rendered chat messages, checked for shape."""
    if guard is None:
        return messages
    if not callable(getattr(guard, "protect", None)):
        raise TypeError(f"guard= needs an object with a .protect(messages) method "
                        f"(e.g. compressor.Guard), got {type(guard).__name__}")
    if not chat:
        raise ValueError("guard= protects chat messages: render with chat=True "
                         "(a non-chat prompt has no system message to carry the intent)")
    if not messages:
        return messages
    protected = guard.protect(list(messages))
    if not isinstance(protected, list) or not all(isinstance(m, dict) and "speaker" in m for m in protected):
        raise TypeError(f"{type(guard).__name__}.protect() must return a list of "
                        "{'speaker', 'content'} dicts for message_dict input")
    return protected
