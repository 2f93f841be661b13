"""Message shapes for :meth:`Guard.protect`: find user turns, extend the system prompt.

Two styles are understood and given back unchanged in kind: this project's ``message_dict``
(``{"speaker": "system"|"human"|"ai"|"tool", "content": str | list}``) and OpenAI chat
(``{"role": "system"|"user"|"assistant"|"tool", "content": str | list[{"type": "text", ...}]}``).
Pure Python: no model is needed to test the shapes.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence, Union

from ._errors import InvalidArgumentError

Conversation = Sequence[dict]
_USER = {"speaker": "human", "role": "user"}
_STYLE_KEY = {"speaker": "speaker", "role": "role"}


def _style_of(conv: Sequence[Any], where: str, default: str) -> str:
    styles = set()
    for i, m in enumerate(conv):
        if not isinstance(m, dict):
            raise InvalidArgumentError(f"{where}message {i} is a {type(m).__name__}, not a dict")
        keys = [k for k in ("speaker", "role") if k in m]
        if len(keys) != 1:
            raise InvalidArgumentError(
                f"{where}message {i} needs exactly one of 'speaker' (message_dict) or 'role' "
                f"(OpenAI) keys; it has {sorted(m)}")
        styles.add(keys[0])
    if len(styles) > 1:
        raise InvalidArgumentError(f"{where}mixes 'speaker' and 'role' messages; use one style")
    return styles.pop() if styles else default


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list joined by blank lines."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n\n".join(parts)
    raise InvalidArgumentError(f"message content must be a str or a list, got {type(content).__name__}")


def _extended(content: Any, addition: str, style: str) -> Any:
    if isinstance(content, (list, tuple)):
        part = addition if style == "speaker" else {"type": "text", "text": addition}
        return [*content, part]
    base = content or ""
    return f"{base}\n\n{addition}" if base else addition


def _is_batch(value: Sequence[Any]) -> bool:
    kinds = {isinstance(v, dict) for v in value}
    if len(kinds) > 1:
        raise InvalidArgumentError(
            "protect() got a list mixing message dicts with prompts; pass one conversation "
            "(a list of dicts) or a batch (a list of str / conversations)")
    return kinds == {False}


def protect_conversations(value: Union[str, Sequence[Any]], system_prompt: str, *, style: str,
                          extract: Callable[[list[str]], list[str]], template: str) -> Any:
    """:meth:`Guard.protect` on any accepted input; ``extract`` runs once over all user turns."""
    if style not in _STYLE_KEY:
        raise InvalidArgumentError("style must be 'speaker' or 'role'")
    if not isinstance(system_prompt, str):
        raise InvalidArgumentError("system_prompt must be a str")
    if isinstance(value, str):
        return _protect_many([value], system_prompt, style, extract, template)[0]
    if not isinstance(value, (list, tuple)):
        raise InvalidArgumentError(
            f"protect() takes a prompt (str), a conversation or a batch, got {type(value).__name__}")
    if value and _is_batch(value):
        return _protect_many(list(value), system_prompt, style, extract, template)
    return _protect_many([value], system_prompt, style, extract, template)[0]


def _protect_many(items: list, system_prompt: str, style: str, extract, template: str) -> list:
    convs, styles = [], []
    for n, item in enumerate(items):
        if isinstance(item, str):
            convs.append([{_STYLE_KEY[style]: _USER[style], "content": item}])
            styles.append(style)
        elif isinstance(item, (list, tuple)):
            where = f"conversation {n}: " if len(items) > 1 else ""
            styles.append(_style_of(item, where, style))
            convs.append(list(item))
        else:
            raise InvalidArgumentError(f"batch item {n} is a {type(item).__name__}; "
                                       "use a str or a list of message dicts")
    users = [[i for i, m in enumerate(c) if m[s] == _USER[s]] for c, s in zip(convs, styles)]
    texts = [content_text(c[i]["content"]) for c, idx in zip(convs, users) for i in idx]
    intents = iter(extract(texts) if texts else [])
    out = []
    for conv, s, idx in zip(convs, styles, users):
        found = [next(intents) for _ in idx]
        out.append(_with_system(conv, s, system_addition(system_prompt, found, template)))
    return out


def system_addition(system_prompt: str, intents: Sequence[str] | None, template: str) -> str:
    """What is appended to the system message: ``system_prompt``, then the template sentence
    with the non-empty ``intents`` joined by ``"; "`` (no sentence when no user turn was scanned)."""
    sentence = ""
    if intents:
        sentence = template.replace("{intention}", "; ".join(x for x in intents if x))
    return "\n\n".join(x for x in (system_prompt, sentence) if x)


def _with_system(conv: list, style: str, addition: str) -> list:
    """A copy of ``conv`` whose first system message ends with ``addition`` (added if missing)."""
    msgs = [dict(m) for m in conv]
    if not addition:
        return msgs
    for m in msgs:
        if m[style] == "system":
            m["content"] = _extended(m.get("content"), addition, style)
            return msgs
    return [{style: "system", "content": addition}, *msgs]
