"""Which parts of the rendered messages are untrusted: what a guard scans.

A ``guard`` attribute on any component marks its output: ``guard="true"`` untrusted (scanned,
even inside a system message, e.g. a retrieved document), ``guard="false"`` trusted (never
scanned, e.g. the author's own instructions inside a human message). The innermost marked
element decides; unmarked output follows its message: human messages are untrusted, system,
ai and tool messages trusted (the default when nothing is marked at all).

>>> from renderers.ir import Element as E
>>> ir = E("env", {"presentation": "markup", "markup-lang": "markdown"}, [
...     E("p", {"speaker": "human"}, ["Answer briefly. ", E("span", {"guard": "false"}, ["(house rule)"])])])
>>> messages, untrusted = write_untrusted(ir)
>>> messages[0]["content"], untrusted
('Answer briefly. (house rule)', ['Answer briefly.'])
"""

from __future__ import annotations

from typing import Any, Optional

from ._base import Reporter, Written
from ._dispatch import dispatch
from ._speakers import first_mappings, message_segments, to_messages

GUARD_VALUES = {"true": True, "false": False}


def write_untrusted(root: Any, reporter: Optional[Reporter] = None) -> tuple[list[dict], Optional[list[str]]]:
    """(messages, untrusted text of each message), or ``None`` for the texts when no element
    carries a ``guard`` attribute (then a guard scans the human messages whole)."""
    reporter = reporter or Reporter()
    written = dispatch(root, reporter)
    messages = to_messages(root, written, reporter)     # exactly what write(chat=True) returns
    marks = _marks(root, written, reporter)
    if marks is None:
        return messages, None
    per_message = message_segments(root, written, reporter)
    return messages, [_untrusted_text(speaker, segs, marks) for speaker, segs in per_message]


def _marks(root: Any, w: Written, reporter: Reporter) -> Optional[list[tuple[int, int, bool]]]:
    """``(first, last, untrusted)`` output ranges of the marked elements, outer ones first."""
    first = first_mappings(w)
    marks: list[tuple[int, int, bool]] = []
    stack = [root]
    while stack:
        element = stack.pop()
        value = element.attrs.get("guard")
        if value is not None:
            if value not in GUARD_VALUES:
                reporter.fail(f'guard="{value}" is not valid: write guard="true" (untrusted, scanned) '
                              f'or guard="false" (trusted, not scanned).', element)
            else:
                m = first.get(id(element))
                if m is not None:
                    marks.append((m[1], m[2], GUARD_VALUES[value]))
        stack.extend(c for c in reversed(element.children) if c.__class__ is not str)
    return marks or None


def _untrusted_text(speaker: str, segs: list, marks: list[tuple[int, int, bool]]) -> str:
    """The text segments of one message that the innermost covering mark (or the speaker) calls untrusted."""
    runs, current = [], []
    for seg in segs:
        if not isinstance(seg.content, str):
            continue            # media and tool parts: nothing a text guard can scan
        state = speaker == "human"
        best = None
        for a, b, flag in marks:
            # the smallest covering range is the innermost mark (ties: the later, deeper one)
            if a <= seg.start and seg.end <= b and (best is None or b - a <= best):
                state, best = flag, b - a
        if state:
            current.append(seg.content)
        elif current:
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    # the untrusted runs of a message, each trimmed, as paragraphs (trusted text cut out between them)
    return "\n\n".join(r.strip() for r in runs if r.strip())
