"""Wire-level stream parsing: server-sent events and NDJSON lines, and the
assembly of tool-call argument fragments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from ._errors import StreamError

__all__ = ["SSEEvent", "SSEDecoder", "ToolCallAssembler", "loads", "parse_arguments"]


@dataclass
class SSEEvent:
    event: Optional[str]
    data: str


class SSEDecoder:
    """Feeds lines (without newlines) and yields complete events (WHATWG rules:
    ``data:`` lines join with ``\\n``, a blank line ends the event, ``:`` is a comment)."""

    def __init__(self) -> None:
        self._event: Optional[str] = None
        self._data: list = []

    def feed(self, line: str) -> Optional[SSEEvent]:
        if not line:
            if not self._data and self._event is None:
                return None
            ev = SSEEvent(self._event, "\n".join(self._data))
            self._event, self._data = None, []
            return ev
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None



def loads(text: str, server: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StreamError(f"{server} sent a stream chunk that is not JSON ({exc}): {text[:200]!r}",
                          server=server) from None


class ToolCallAssembler:
    """Collects tool calls whose name and argument text arrive in pieces keyed by index."""

    def __init__(self) -> None:
        self._calls: dict = {}

    def add(self, index: int, id: Optional[str] = None, name: Optional[str] = None,
            arguments: Optional[str] = None) -> None:
        call = self._calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if id:
            call["id"] = id
        if name:
            call["name"] += name
        if arguments:
            call["arguments"] += arguments

    def calls(self) -> list:
        from ._models import ToolCall

        return [ToolCall(c["id"], c["name"], parse_arguments(c["arguments"]))
                for _, c in sorted(self._calls.items())]


def parse_arguments(text):
    """Tool arguments as JSON when they parse, else the raw text (the caller decides)."""
    if not isinstance(text, str):
        return text
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
