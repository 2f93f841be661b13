"""``message_dict`` parts, classified once for the non-OpenAI converters."""

from __future__ import annotations

import json
from typing import Any, Iterator, Tuple

from renderers._formats import _content_text, _kind  # the renderer's own part classification


def parts(content: Any) -> Iterator[Tuple[str, Any]]:
    """``(kind, part)`` for each part: kind is text, media, request or response."""
    if isinstance(content, str):
        yield "text", content
        return
    for part in content:
        yield _kind(part), part


def text_of(content: Any) -> str:
    return _content_text(content)


def request_args(part: dict) -> dict:
    """A tool request's arguments as an object (a JSON string is parsed; other text kept under "input")."""
    args = part.get("content")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            args = {"input": args}
    return args if args is not None else {}
