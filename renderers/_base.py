"""Shared pieces of every writer: results, media placeholders, problems.

A writer turns an IR element into a :class:`Written` value: the output text,
the *mappings* (which output range each IR element produced; they decide where
speaker messages start and end) and the media parts. Media sit in the text as a
one-character placeholder (:data:`PLACEHOLDER`), exactly like the reference, so
text layout rules (spacing around blocks, indentation) treat them uniformly;
:func:`segments` later cuts the text at every mapping/media boundary and
:func:`rich_content` joins the pieces back into a string or a list of parts.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

# The reference marks a media part's place in the text with this character.
PLACEHOLDER = "\u00c0"

Part = Union[str, dict]
RichContent = Union[str, list]


class RenderIssue(Exception):
    """A problem found while writing; ``start``/``end`` are the IR element's source span."""

    def __init__(self, message: str, start: Optional[int] = None, end: Optional[int] = None,
                 element: Any = None):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.element = element


class WriteMemo:
    """What writing remembers between calls: whole results per root, boxes per element.

    IR elements are immutable, so an element seen again writes to the same text. Keys
    are ids; each value keeps its element so the id cannot be reused while remembered.
    Owned by the caller (the engine's Environment), bounded, never shared implicitly.
    """

    __slots__ = ("written", "boxes", "max_written", "max_boxes")

    def __init__(self, max_written: int = 512, max_boxes: int = 20_000):
        self.written: dict = {}   # (id(root), chat) -> (root, result)
        self.boxes: dict = {}     # writer configuration -> {id(element): (element, box)}
        self.max_written = max_written
        self.max_boxes = max_boxes

    def boxes_for(self, key: Any) -> dict:
        memo = self.boxes.get(key)
        if memo is None:
            memo = self.boxes[key] = {}
        return memo

    def clear(self) -> None:
        self.written.clear()
        self.boxes.clear()


class Reporter:
    """Where writers send problems.

    By default the first problem is raised as :class:`RenderIssue`. With
    ``collect=True`` problems are kept in :attr:`issues` and writing goes on
    with empty output for the faulty element, as the reference does (for
    editors that want every diagnostic).
    """

    __slots__ = ("collect", "issues", "memo")

    def __init__(self, collect: bool = False, memo: "Optional[WriteMemo]" = None):
        self.collect = collect
        self.issues: list[RenderIssue] = []
        self.memo = memo  # where writers remember boxes of unchanged elements (None: nowhere)

    def fail(self, message: str, element: Any) -> None:
        start = getattr(element, "start", None)
        end = getattr(element, "end", None)
        issue = RenderIssue(message, start, end, element)
        if not self.collect:
            raise issue
        self.issues.append(issue)


class Media:
    """A media/tool part waiting at ``index`` of the output text."""

    __slots__ = ("part", "position", "index")

    def __init__(self, part: dict, position: str, index: int):
        self.part = part
        self.position = position
        self.index = index

    def moved(self, by: int) -> "Media":
        return Media(self.part, self.position, self.index + by)


# A mapping is (element or None for a bare text node, output start, output end inclusive).
Mapping = tuple


class Written:
    """Output of a writer: text, mappings, media."""

    __slots__ = ("output", "mappings", "media")

    def __init__(self, output: str, mappings: list, media: list):
        self.output = output
        self.mappings = mappings
        self.media = media


EMPTY = Written("", [], [])


def shift_mappings(mappings: list, by: int, from_: int = 0) -> list:
    """Move mappings that start at or after ``from_`` by ``by`` characters."""
    if not by or not mappings:
        return mappings
    return [(e, s + by, t + by) if s >= from_ else (e, s, t) for (e, s, t) in mappings]


def shift_media(media: list, by: int, from_: int = 0) -> list:
    if not by or not media:
        return media
    return [m.moved(by) if m.index >= from_ else m for m in media]


def element_repr(element: Any) -> str:
    to_xml = getattr(element, "to_xml", None)
    if to_xml is None:
        return str(element)
    text = to_xml(False)
    return text if len(text) <= 200 else text[:200] + "..."


# ---------------------------------------------------------------------------
# From (text, mappings, media) to ordered content pieces.

class Segment:
    __slots__ = ("start", "end", "content")

    def __init__(self, start: int, end: int, content: Any):
        self.start = start  # first output index
        self.end = end      # last output index (inclusive)
        self.content = content


def segments(w: Written) -> list[Segment]:
    """Cut the output at every mapping boundary and around every media part.

    Media become their own segments (``top``/``bottom`` ones move to the ends) and their
    placeholder characters disappear. Text is never dropped: a placeholder character that
    is not a media part is the letter "À" written by the prompt (the reference loses it
    when a mapping cuts it out on its own, ``<span>À</span>``).
    """
    output = w.output
    n = len(output)
    points = {0, n}
    for _, s, t in w.mappings:
        points.add(s)
        points.add(t + 1)
    media_at: dict[int, Media] = {}
    for m in w.media:
        points.add(m.index)
        points.add(m.index + 1)
        media_at.setdefault(m.index, m)
    pts = sorted(points)
    top: list[Segment] = []
    middle: list[Segment] = []
    bottom: list[Segment] = []
    for a, b in zip(pts, pts[1:]):
        if a >= b:
            continue
        m = media_at.get(a)
        if m is not None:
            seg = Segment(a, b - 1, m.part)
            if m.position == "top":
                top.append(seg)
            elif m.position == "bottom":
                bottom.append(seg)
            else:
                middle.append(seg)
            continue
        piece = output[a:b] if a >= 0 else output[max(0, n + a):b]
        if piece:
            middle.append(Segment(a, b - 1, piece))
    if top or bottom:
        return top + middle + bottom
    return middle


def rich_content(pieces: list) -> RichContent:
    """Join segment contents: adjacent strings merge; one string stays a string."""
    parts: list = []
    for seg in pieces:
        c = seg.content
        if isinstance(c, str):
            if parts and isinstance(parts[-1], str):
                parts[-1] += c
            elif c:
                parts.append(c)
        else:
            parts.append(c)
    if len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    return parts


def written_to_content(w: Written) -> RichContent:
    """RichContent of a writer result (no speakers)."""
    if not w.media:  # without media the pieces would join back into the text
        return w.output if w.output else []
    return rich_content(segments(w))


WriterFactory = Callable[..., Any]
