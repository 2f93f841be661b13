"""Markdown writer (``presentation="markup" markup-lang="markdown"``).

Each IR element becomes a *box*: its text plus the whitespace it wants before
and after (``"\\n\\n"`` for blocks, ``"\\n"`` for lines, ``""`` inline). When
boxes are joined the margins of neighbours overlap instead of adding up, the
way CSS margins collapse, so ``<p>a</p><p>b</p>`` gives ``a\\n\\nb``.

>>> from renderers.ir import Element as E
>>> MarkdownWriter(None).write(E("p", {}, ["hello ", E("b", {}, ["world"])])).output
'hello **world**'
"""

from __future__ import annotations

from typing import Any, Optional

from ._base import EMPTY, Media, Reporter, Written, element_repr, shift_mappings, shift_media
from ._limits import TruncateOptions, drop_low_priority, truncate_text
from ._options import int_attr, int_text, priority_attr

_LAYOUT_SPACE = {"block": "\n\n", "newline": "\n", "inline": ""}
_NO_ATTRS: dict = {}
_BULLETS = {"star": "* ", "dash": "- ", "plus": "+ "}


class Box:
    """Text with collapsible margins; mappings/media are relative to ``text``."""

    __slots__ = ("text", "before", "after", "mappings", "media", "priority")

    def __init__(self, text: str, before: str = "", after: str = "", mappings: Optional[list] = None,
                 media: Optional[list] = None, priority: Optional[float] = None):
        self.text = text
        self.before = before
        self.after = after
        self.mappings = mappings if mappings is not None else []
        self.media = media if media is not None else []
        self.priority = priority


def collapse_space(first: str, second: str) -> str:
    """Join two margins, overlapping the longest suffix of ``first`` that prefixes ``second``."""
    if not first or not second:
        return first + second
    if first == second:
        return first
    result = first + second
    for i in range(1, min(len(first), len(second)) + 1):
        if first[-i:] == second[:i]:
            result = first + second[i:]
    return result


def _indent_text(text: str, indent: int, first_indent: int) -> str:
    if not indent and not first_indent:
        return text
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if not line:
            out.append(line)
        elif i == 0:
            out.append(" " * first_indent + line)
        else:
            out.append(" " * indent + line)
    return "\n".join(out)


def _newlines_only(text: str) -> bool:
    return bool(text) and not text.strip("\n")


def _media_only(box: Box) -> bool:
    return bool(box.media) and len(box.media) == len(box.text)


class MarkdownWriter:
    """Writes markup IR as Markdown; also the base of the CSV/TSV writers."""

    language = "markdown"

    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        o = options or {}
        self.reporter = reporter or Reporter()
        level = o.get("markdownBaseHeaderLevel", 1)
        if level is None:
            level = 1
        if isinstance(level, bool) or not isinstance(level, (int, float)):
            self.reporter.fail(f"markdownBaseHeaderLevel should be a number, not {level!r}", None)
            level = 1
        self.base_header_level = int(level)
        self.table_collapse = bool(o.get("markdownTableCollapse") or False)
        sep = o.get("csvSeparator")
        self.csv_separator = self.default_separator if sep is None else str(sep)
        header = o.get("csvHeader")
        self.csv_header = True if header is None else bool(header)
        self.truncate = TruncateOptions.from_options(o)
        t = self.truncate
        key = (type(self), self.base_header_level, self.table_collapse, self.csv_separator, self.csv_header,
               t.marker, t.direction, t.model)
        shared = self.reporter.memo
        try:
            memo = shared.boxes_for(key) if shared is not None else {}
        except TypeError:  # odd option values (lists from JSON): write without remembering
            memo = {}
        self._memo = memo
        self._memo_max = shared.max_boxes if shared is not None else 20_000

    default_separator = ","

    # -- entry point -------------------------------------------------------
    def write(self, element: Any) -> Written:
        box = self.box(element)
        return Written(box.text, box.mappings, box.media)

    # -- helpers -------------------------------------------------------------
    def fail(self, message: str, element: Any) -> Box:
        self.reporter.fail(message, element)
        return Box("")

    def make_box(self, inner: Any, layout: str, element: Any) -> Box:
        """Give ``inner`` (text or box) the margins of ``layout`` and apply the element's limits."""
        space = _LAYOUT_SPACE[layout]
        attrs = element.attrs if element is not None else _NO_ATTRS
        if attrs and ("char-limit" in attrs or "token-limit" in attrs or "priority" in attrs):
            char_limit = int_attr(element, "char-limit")
            token_limit = int_attr(element, "token-limit")
            priority = priority_attr(element)
            limited = char_limit is not None or token_limit is not None
        else:
            priority = None
            limited = False
        if isinstance(inner, str):
            text = truncate_text(inner, char_limit, token_limit, self.truncate) if limited else inner
            return Box(text, space, space, [(element, 0, len(text) - 1)], [], priority)
        text = truncate_text(inner.text, char_limit, token_limit, self.truncate) if limited else inner.text
        mappings = inner.mappings + [(element, 0, len(text) - 1)]
        return Box(text, collapse_space(space, inner.before), collapse_space(inner.after, space),
                   mappings, inner.media, priority)

    @staticmethod
    def wrap(box: Box, before: str, after: str, element: Any = None) -> Box:
        text = before + box.text + after
        mappings = shift_mappings(box.mappings, len(before))
        if element is not None:
            mappings = mappings + [(element, 0, len(text) - 1)]
        return Box(text, box.before, box.after, mappings, shift_media(box.media, len(before)))

    @staticmethod
    def wrap_every_line(box: Box, before: str, after: str) -> Box:
        lines = box.text.split("\n")
        mappings, media = box.mappings, box.media
        done = 0
        out = []
        for line in lines:
            res = before + line + after
            mappings = shift_mappings(mappings, len(before), done)
            media = shift_media(media, len(before), done)
            done += len(res) + 1
            out.append(res)
        return Box("\n".join(out), box.before, box.after, mappings, media)

    def paragraph(self, box: Box, element: Any, indent: int = 0, first_indent: int = 0,
                  blank_line: Optional[bool] = None) -> Box:
        box.text = _indent_text(box.text, indent, max(0, first_indent + indent))
        flag = element.attrs.get("blank-line") if element is not None else None
        if flag == "true":
            blank_line = True
        elif flag == "false":
            blank_line = False
        return self.make_box(box, "block" if blank_line or blank_line is None else "newline", element)

    def children(self, nodes: list, element: Any = None) -> Box:
        box = self.box
        boxes = [Box(c) if c.__class__ is str else box(c) for c in nodes]
        return self.concat(boxes, element)

    def concat(self, boxes: list, element: Any = None) -> Box:
        """Join sibling boxes, collapsing margins and honouring the parent's limits."""
        char_limit = token_limit = None
        if element is not None:
            attrs = element.attrs
            if "char-limit" in attrs or "token-limit" in attrs:
                char_limit = int_attr(element, "char-limit")
                token_limit = int_attr(element, "token-limit")

        # Whitespace-only text next to a block (or between two media) would add
        # stray spaces or blank lines: drop it, repeatedly.
        if len(boxes) == 1 and char_limit is None and token_limit is None:
            b = boxes[0]
            if not b.media:
                # One child: nothing to collapse (a lone blank box has no neighbours). The boxes
                # handed to concat are its own (children() and list_box make them), so the child's
                # box becomes the result; only its priority, which ranks it among its siblings, goes.
                b.priority = None
                return b
        kept = boxes
        blank = has_media = False
        for b in kept:
            if b.media:
                has_media = True
            if not b.text.strip(" \t"):
                blank = True
        if blank:
            kept = self._drop_blank_boxes(kept)

        if char_limit is not None or token_limit is not None:
            kept = drop_low_priority(kept, char_limit, token_limit, self.truncate.model)

        if not kept:
            text = ""
            before = after = ""
            mappings: list = []
            media: list = []
        elif has_media:
            text, before, after, mappings, media = self._join_with_media(kept)
        else:
            # Common case: plain text boxes, margins collapse between neighbours.
            mappings = []
            parts = []
            length = 0
            last = len(kept) - 1
            for i, b in enumerate(kept):
                if b.mappings:
                    if length:
                        mappings.extend([(e, s + length, t + length) for (e, s, t) in b.mappings])
                    else:
                        mappings.extend(b.mappings)
                parts.append(b.text)
                length += len(b.text)
                if i < last:
                    after, before = b.after, kept[i + 1].before
                    gap = after + before if not after or not before else collapse_space(after, before)
                    if gap:
                        parts.append(gap)
                        length += len(gap)
            text = "".join(parts)
            before, after = kept[0].before, kept[last].after
            media = []
        if char_limit is not None or token_limit is not None:
            text = truncate_text(text, char_limit, token_limit, self.truncate)
        return Box(text, before, after, mappings, media)

    @staticmethod
    def _drop_blank_boxes(kept: list) -> list:
        while True:
            n = len(kept)
            nxt = []
            for i, b in enumerate(kept):
                if not b.text.strip(" \t"):  # blanks only, or empty
                    prev = kept[i - 1] if i > 0 else None
                    after = kept[i + 1] if i < n - 1 else None
                    if (prev is not None and ("\n" in prev.after or _newlines_only(prev.text)
                                              or _media_only(prev))) or (
                        after is not None and ("\n" in after.before or _newlines_only(after.text)
                                               or _media_only(after))):
                        continue
                nxt.append(b)
            if len(nxt) == n:
                return kept
            kept = nxt

    @staticmethod
    def _join_with_media(kept: list) -> tuple:
        # Boxes holding only floating (top/bottom) media take no part in spacing.
        def floating(b: Box) -> bool:
            return _media_only(b) and all(m.position != "here" for m in b.media)

        text_boxes = [(i, b) for i, b in enumerate(kept) if not floating(b)]
        float_boxes = [(i, b) for i, b in enumerate(kept) if floating(b)]
        mappings: list = []
        media: list = []
        parts: list[str] = []
        length = 0
        before = after = ""
        i = j = 0
        nt, nf = len(text_boxes), len(float_boxes)
        while i < nt or j < nf:
            if i == nt or (j < nf and float_boxes[j][0] < text_boxes[i][0]):
                fb = float_boxes[j][1]
                mappings.extend(shift_mappings(fb.mappings, length))
                media.extend(shift_media(fb.media, length))
                parts.append(fb.text)
                length += len(fb.text)
                j += 1
                continue
            b = text_boxes[i][1]
            if i == 0:
                before = b.before
            mappings.extend(shift_mappings(b.mappings, length))
            media.extend(shift_media(b.media, length))
            parts.append(b.text)
            length += len(b.text)
            if i == nt - 1:
                after = b.after
            else:
                nb = text_boxes[i + 1][1]
                if any(m.position == "here" and m.index + 1 == len(b.text) for m in b.media) or any(
                    m.position == "here" and m.index == 0 for m in nb.media
                ):
                    gap = ""  # inline media swallow the space around them
                else:
                    gap = collapse_space(b.after, nb.before)
                parts.append(gap)
                length += len(gap)
            i += 1
        return "".join(parts), before, after, mappings, media

    # -- lists and tables ----------------------------------------------------
    def list_box(self, style: str, element: Any) -> Box:
        items = []
        count = 0
        for child in element.children:
            if isinstance(child, str):
                items.append(self.make_box(child, "inline", None))
                continue
            if child.tag != "item":
                items.append(self.box(child))
                continue
            count += 1
            if style in _BULLETS:
                bullet = _BULLETS[style]
            elif style == "decimal":
                bullet = f"{count}. "
            elif style == "latin":
                bullet = chr(0x61 + count - 1) + ". "
            else:
                self.reporter.fail(f"Invalid list style: {style}", child)
                items.append(self.make_box("", "block", child))
                continue
            body = self.wrap(self.children(child.children), bullet, "", child)
            items.append(self.paragraph(body, child, len(bullet), -len(bullet), "\n\n" in body.text))
        return self.paragraph(self.concat(items, element), element)

    def table_rows(self, section: Any) -> list:
        rows = []
        for row in section.children:
            if isinstance(row, str) or row.tag != "trow":
                self.reporter.fail(f"Invalid table head, expect trow: {element_repr(row)}", row)
                rows.append([])
                continue
            cells = []
            for cell in row.children:
                if isinstance(cell, str) or cell.tag != "tcell":
                    self.reporter.fail(f"Invalid table cell, expect tcell: {element_repr(cell)}", row)
                    cells.append("")
                    continue
                cells.append(self.children(cell.children).text.replace("|", "\\|"))
            rows.append(cells)
        return rows

    def table_box(self, head: Any, body: Any, element: Any) -> Box:
        head_rows = self.table_rows(head)
        body_rows = self.table_rows(body)
        all_rows = head_rows + body_rows
        ncols = max((len(r) for r in all_rows), default=0)
        widths = [max((len(r[i]) if i < len(r) and r[i] else 0) for r in all_rows) for i in range(ncols)]

        def row_text(row: list, header: bool) -> str:
            if header and len(row) != ncols:
                row = row + [""] * (ncols - len(row))
            if self.table_collapse:
                return "| " + " ".join(c + " |" for c in row)
            return "| " + " ".join(c.ljust(widths[i]) + " |" for i, c in enumerate(row))

        sep = "| " + " | ".join("-" * (3 if self.table_collapse and w >= 3 else w) for w in widths) + " |"
        lines = [row_text(r, True) for r in head_rows] + [sep] + [row_text(r, False) for r in body_rows]
        return self.make_box("\n".join(lines), "block", element)

    # -- elements --------------------------------------------------------------
    def box(self, element: Any) -> Box:
        """Write one IR element, reusing the box of the very same element from an earlier write.

        IR elements are immutable, and the builder hands back the same element
        objects for unchanged sub-trees, so a re-render only writes what changed.
        The box depends on the element and this writer's options only.
        """
        memo = self._memo
        hit = memo.get(id(element))
        if hit is not None and hit[0] is element:
            return Box(*hit[1])  # a new box: the caller may change it
        issues = len(self.reporter.issues)
        b = self.write_box(element)
        if len(self.reporter.issues) == issues:  # never remember a failed write
            if len(memo) >= self._memo_max:
                memo.clear()
            memo[id(element)] = (element, (b.text, b.before, b.after, b.mappings, b.media, b.priority))
        return b

    def write_box(self, element: Any) -> Box:
        """Write one IR element (the reference's ``writeElementTreeImpl``)."""
        tag = element.tag
        if tag == "p":
            return self.paragraph(self.children(element.children, element), element)
        if tag == "span":
            return self.make_box(self.children(element.children, element), "inline", element)
        if tag == "nl":
            count = int_text(element.attrs.get("count") or "1")
            text = "\n" * max(0, count or 0)
            return Box(text, "", "", [(element, 0, len(text) - 1)], [])
        if tag == "h":
            level = int_attr(element, "level") if element.attrs.get("level") else 1
            level = (level or 0) + self.base_header_level - 1
            inner = self.children(element.children, element)
            return self.paragraph(self.wrap_every_line(inner, "#" * max(0, level) + " ", ""), element)
        if tag in _WRAPPERS:
            mark = _WRAPPERS[tag]
            return self.wrap(self.children(element.children, element), mark, mark, element)
        if tag == "code":
            inner = self.children(element.children, element)
            if element.attrs.get("inline") == "false":
                lang = element.attrs.get("lang") or ""
                return self.paragraph(self.wrap(inner, "```" + lang + "\n", "\n```"), element)
            return self.wrap(inner, "`", "`", element)
        if tag == "table":
            kids = element.children
            first = kids[0] if kids else None
            if len(kids) != 2 or isinstance(first, str) or first.tag not in ("thead", "tbody") \
                    or isinstance(kids[1], str):
                return self.fail(f"Invalid table, expect two children thead and tbody: {element_repr(element)}",
                                 element)
            return self.paragraph(self.table_box(kids[0], kids[1], element), element)
        if tag in ("thead", "tbody", "trow", "tcell"):
            return self.fail("thead, tbody, trow, tcell do not appear alone without a table context", element)
        if tag == "list":
            return self.list_box(element.attrs.get("list-style") or "dash", element)
        if tag == "item":
            return self.fail("item does not appear alone without a list context", element)
        if tag == "env":
            return self.env_box(element)
        return self.fail(f"Not implemented element type {element_repr(element)}", element)

    def env_box(self, element: Any) -> Box:
        attrs = element.attrs
        if attrs.get("presentation") == "markup" and attrs.get("markup-lang") == self.language:
            # Same language: continue in this writer (its options stay in force).
            return self.make_box(self.children(element.children, element), "inline", element)
        from ._dispatch import dispatch

        inner = dispatch(element, self.reporter)
        return self.make_box(Box(inner.output, "", "", inner.mappings, inner.media), "inline", element)


_WRAPPERS = {"b": "**", "i": "*", "s": "~~", "u": "__"}

__all__ = ["MarkdownWriter", "Box", "collapse_space", "EMPTY", "Media"]
