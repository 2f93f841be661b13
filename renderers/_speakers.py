"""Split a written prompt into chat messages by speaker.

Rules (the reference's ``assignSpeakers``): content starts as ``system``; the
first explicit ``speaker="human"`` makes ``human`` the default from then on;
an element's speaker applies to everything it produced (children inherit it,
and, as in the reference, a later sibling inherits the previous sibling's
explicit speaker); adjacent output of the same speaker forms one message; a
prompt that is a single ``system`` message without any explicit ``system``
becomes a ``human`` message.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ._base import Reporter, Written, rich_content, segments, written_to_content

VALID_SPEAKERS = ("system", "human", "ai", "tool")
# A component's speaker attribute accepts these (the reference's order); tool messages add "tool".
SPEAKER_CHOICES = ("human", "ai", "system")


def _speaker_of(element: Any, reporter: Reporter) -> Any:
    s = element.attrs.get("speaker")
    if s and s not in VALID_SPEAKERS:
        reporter.fail(f'"{s}" is not a valid speaker.', element)
        return None
    return s or None


def assign_speakers(root: Any, w: Written, reporter: Reporter) -> list[tuple[int, int, str]]:
    """Speaker ranges ``(first, last, speaker)`` over the output of ``root``."""
    first_mapping: dict[int, tuple] = {}
    for m in w.mappings:
        e = m[0]
        if e is not None and id(e) not in first_mapping:
            first_mapping[id(e)] = m

    spans: list[tuple[int, int, str]] = []
    default = "system"
    system_given = False

    def visit(element: Any, inherited: Any) -> None:
        nonlocal default, system_given
        given = _speaker_of(element, reporter) if "speaker" in element.attrs else None
        if given == "system":
            system_given = True
        elif given == "human" and default == "system":
            default = "human"
        m = first_mapping.get(id(element))
        if m is not None:
            spans.append((m[1], m[2], given or inherited or default))
        if given:
            inherited = given
        for child in element.children:
            if child.__class__ is str:
                continue
            if "speaker" in child.attrs:
                s = _speaker_of(child, reporter)
                if s:
                    inherited = s
            visit(child, inherited)

    visit(root, None)

    points = sorted({p for s, e, _ in spans for p in (s, e)})
    where = {p: i for i, p in enumerate(points)}
    colour = ["system"] * len(points)
    for s, e, speaker in spans:
        a, b = where[s], where[e]
        if a <= b:
            colour[a:b + 1] = [speaker] * (b + 1 - a)
    ranges: list[tuple[int, int, str]] = []
    start = None
    last = len(points) - 1
    for i, p in enumerate(points):
        c = colour[i]
        if i == 0 or c != colour[i - 1]:
            start = p
        if i == last or c != colour[i + 1]:
            ranges.append((start, p, c))
    if len(ranges) == 1 and ranges[0][2] == "system" and not system_given:
        ranges[0] = (ranges[0][0], ranges[0][1], "human")
    return ranges


def _has_speaker(element: Any) -> bool:
    if "speaker" in element.attrs:
        return True
    for c in element.children:
        if not isinstance(c, str) and _has_speaker(c):
            return True
    return False


def to_messages(root: Any, w: Written, reporter: Reporter) -> list[dict]:
    """``[{"speaker": ..., "content": ...}]`` for the written output of ``root``."""
    if w.mappings and not _has_speaker(root):
        # Nobody speaks explicitly: one system message covering everything, which
        # the "lone system message" rule turns into a human message.
        return [{"speaker": "human", "content": written_to_content(w)}]
    ranges = assign_speakers(root, w, reporter)
    # Ranges are sorted and disjoint: a segment belongs to the range starting
    # at or before it, if it also ends inside it (separators between messages
    # belong to none and are dropped).
    starts = [r[0] for r in ranges]
    buckets: list[list] = [[] for _ in ranges]
    for seg in segments(w):
        i = bisect_right(starts, seg.start) - 1
        if i >= 0 and seg.end <= ranges[i][1]:
            buckets[i].append(seg)
    return [{"speaker": r[2], "content": rich_content(b)} for r, b in zip(ranges, buckets)]
