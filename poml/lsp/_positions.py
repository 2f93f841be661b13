"""Character offsets <-> LSP positions, whose columns count UTF-16 code units.

Python strings index code points; an emoji is one code point but two UTF-16
units, so a column past it differs by one. Every position the server sends or
receives goes through :class:`LineIndex`.
"""

from __future__ import annotations

import bisect

from lsprotocol import types


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class LineIndex:
    """Line starts of one text, to convert offsets and positions both ways."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        pos = text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.starts = starts

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return types.Position(line=line, character=_utf16_len(self.text[self.starts[line]:offset]))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def offset(self, position: types.Position) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        begin = self.starts[position.line]
        stop = self.starts[position.line + 1] - 1 if position.line + 1 < len(self.starts) else len(self.text)
        units, i = 0, begin
        while i < stop and units < position.character:
            units += 2 if ord(self.text[i]) > 0xFFFF else 1
            i += 1
        return i
