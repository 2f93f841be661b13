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
    >>> src.line_text(2)
    '  hi</p>'
    """

    text: str
    path: Optional[str] = None
    # Offsets whose line is known, ascending, and their 0-based lines: a lookup counts the
    # newlines from the nearest one below. No table of every line: a text of 16 million
    # newlines would need hundreds of MB for one diagnostic.
    _known_offsets: list[int] = field(default_factory=lambda: [0], repr=False)
    _known_lines: list[int] = field(default_factory=lambda: [0], repr=False)

    def _line_of(self, offset: int) -> int:
        """0-based line of ``offset`` (already clamped)."""
        i = bisect.bisect_right(self._known_offsets, offset) - 1
        known = self._known_offsets[i]
        line = self._known_lines[i] + self.text.count("\n", known, offset)
        if offset != known and len(self._known_offsets) < 4096:
            self._known_offsets.insert(i + 1, offset)
            self._known_lines.insert(i + 1, line)
        return line

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = self._line_of(offset)
        return line + 1, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline."""
        if line < 1:
            return ""
        text = self.text
        i = bisect.bisect_right(self._known_lines, line - 1) - 1
        begin, at = self._known_offsets[i], self._known_lines[i]
        if at < line - 1:  # walk forward from the nearest known line
            begin = text.rfind("\n", 0, begin) + 1
            while at < line - 1:
                nl = text.find("\n", begin)
                if nl == -1:
                    return ""
                begin, at = nl + 1, at + 1
        else:
            begin = text.rfind("\n", 0, begin) + 1
        end = text.find("\n", begin)
        return text[begin:len(text) if end == -1 else end].rstrip("\r")

    @property
    def display_name(self) -> str:
        return self.path or "<string>"
