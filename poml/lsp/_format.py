"""Formatting that cannot change what a prompt renders: only the whitespace *inside* start tags.

Text between tags is left alone (in ``whiteSpace="pre"`` and free-text prompts every space
renders). Inside a start tag the parser ignores spacing, so attributes are separated by one
space (line breaks in a multi-line tag are kept), ``=`` loses its padding, and the tag ends
in ``>`` or `` />``.
"""

from __future__ import annotations

import re
from typing import Optional

from ..syntax import XmlElement

_GAP = re.compile(r"[ \t\r\n]*")


def _gap(original: str) -> str:
    """One space, unless the author broke the line here (then keep their line and indent)."""
    return original[original.rfind("\n"):] if "\n" in original else " "


def _start_tag(text: str, el: XmlElement) -> Optional[tuple[int, int, str]]:
    """(start, end, replacement) for the start tag of ``el``, or None when it is better left alone."""
    if el.synthetic or not text.startswith("<", el.start) or el.name_start != el.start + 1:
        return None
    out = ["<", el.name]
    pos = el.name_end
    for a in el.attributes:
        if a.value is None or a.value_start < 1 or text[a.value_start - 1] not in "\"'":
            return None  # unquoted {{ }} values and bare names: keep as written
        gap = text[pos:a.start]
        if gap.strip():
            return None
        quote = text[a.value_start - 1]
        if text[a.value_end:a.value_end + 1] != quote:
            return None
        between = text[a.start + len(a.key):a.value_start - 1]
        if between.strip() != "=":
            return None
        out += [_gap(gap), a.key, "=", quote, a.value, quote]
        pos = a.value_end + 1
    rest = _GAP.match(text, pos)
    close = rest.end()
    if text.startswith("/>", close):
        tail, end = "/>", close + 2
    elif text.startswith(">", close):
        tail, end = ">", close + 1
    else:
        return None
    gap = rest.group()
    out.append(gap[gap.rfind("\n"):] if "\n" in gap else (" " if tail == "/>" else ""))
    out.append(tail)
    new = "".join(out)
    return (el.start, end, new) if new != text[el.start:end] else None


def format_edits(text: str, elements: list[XmlElement]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, new text) edits, in document order."""
    edits = [e for e in (_start_tag(text, el) for el in elements) if e is not None]
    return sorted(edits)


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text
