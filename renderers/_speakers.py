"""Split a written prompt into chat messages by speaker.

Rules (the reference's ``assignSpeakers``): content starts as ``system``; the
first explicit ``speaker="human"`` makes ``human`` the default from then on;
an element's speaker applies to everything it produced (children inherit it,
and, as in the reference, a later sibling inherits the previous sibling's
explicit speaker); adjacent output of the same speaker forms one message; a
prompt that is a single ``system`` message without any explicit ``system``
becomes a ``human`` message. Unlike the reference, no text is lost: text an element writes
beside a child with another speaker goes to that element's speaker (:func:`_with_lost_text`).
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


def first_mappings(w: Written) -> dict[int, tuple]:
    """``id(element) -> (element, first, last)``: the first output range each element produced."""
    first: dict[int, tuple] = {}
    for m in w.mappings:
        e = m[0]
        if e is not None and id(e) not in first:
            first[id(e)] = m
    return first


def assign_speakers(root: Any, w: Written, reporter: Reporter) -> tuple[list, list]:
    """Speaker ranges ``(first, last, speaker)`` over the output of ``root``, and the spans
    they were painted from: each element's ``(first, last, speaker)``, outer before inner."""
    first_mapping = first_mappings(w)

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
    return ranges, spans


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
    return [{"speaker": speaker, "content": rich_content(b)} for speaker, b in message_segments(root, w, reporter)]


def message_segments(root: Any, w: Written, reporter: Reporter) -> list[tuple[str, list]]:
    """``(speaker, segments)`` of each message :func:`to_messages` makes, in order."""
    if w.mappings and not _has_speaker(root):
        return [("human", segments(w))]
    ranges, spans = assign_speakers(root, w, reporter)
    pieces = segments(w)
    # Ranges are sorted and disjoint: a segment belongs to the range starting
    # at or before it, if it also ends inside it (separators between messages
    # belong to none and are dropped).
    buckets = _bucketed(ranges, pieces)
    if buckets[-1]:  # text that fits no range: given to its element's speaker, then bucketed again
        ranges = _with_lost_text(ranges, buckets[-1], spans)
        buckets = _bucketed(ranges, pieces)
    return [(r[2], b) for r, b in zip(ranges, buckets)]


def _bucketed(ranges: list[tuple[int, int, str]], pieces: list) -> list[list]:
    """The pieces of each range, and last the text pieces (not only whitespace) of none."""
    starts = [r[0] for r in ranges]
    buckets: list[list] = [[] for _ in range(len(ranges) + 1)]
    for seg in pieces:
        i = bisect_right(starts, seg.start) - 1
        if i >= 0 and seg.end <= ranges[i][1]:
            buckets[i].append(seg)
        elif type(seg.content) is str and seg.content.strip():
            buckets[-1].append(seg)
    return buckets


def _with_lost_text(ranges: list[tuple[int, int, str]], lost: list, spans: list) -> list[tuple[int, int, str]]:
    """Give text that fits no speaker range to the element that wrote it.

    The ranges (the reference's rule) end at element boundaries, so text an element writes
    beside a child with another speaker falls between them (``<p speaker="human">h<b
    speaker="ai">x</b>tail</p>``: the reference drops "tail"). Each such piece takes the
    speaker of the innermost span around it, cut out of the ranges it overlaps; whitespace
    between messages stays dropped, and where nothing is lost the ranges are the reference's.
    """
    ranges = list(ranges)
    for seg in lost:
        a, b = seg.start, seg.end
        owner = "system"
        for s, e, speaker in spans:  # painted outer to inner: the last one around it is innermost
            if s <= a and e >= b:
                owner = speaker
        kept = []
        for r in ranges:
            if r[1] < a or r[0] > b:
                kept.append(r)
            elif r[0] < a:
                kept.append((r[0], a - 1, r[2]))
            elif r[1] > b:
                kept.append((b + 1, r[1], r[2]))
        kept.append((a, b, owner))
        kept.sort()
        ranges = []
        for r in kept:  # a run of one speaker is one message
            if ranges and ranges[-1][2] == r[2] and ranges[-1][1] + 1 == r[0]:
                ranges[-1] = (ranges[-1][0], r[1], r[2])
            else:
                ranges.append(r)
    return ranges
