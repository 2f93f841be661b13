"""Source text with its path and a fast offset -> (line, column) index.

Every later stage keeps spans (start, end offsets into ``Source.text``) so that
errors and the language server can point at the exact place in the markup.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` into a :class:`Source`."""

    start: int
    end: int


@dataclass(slots=True)
class Source:
    """Markup text and where it came from.

    >>> src = Source("<p>\\n  hi</p>", path="a.poml")
    >>> src.line_col(6)
    (2, 3)
    """

    text: str
    path: Optional[str] = None
    _line_starts: Optional[list[int]] = field(default=None, repr=False)

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        starts = self._starts()
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline."""
        starts = self._starts()
        if not 1 <= line <= len(starts):
            return ""
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[begin:end].rstrip("\r")

    @property
    def display_name(self) -> str:
        return self.path or "<string>"
