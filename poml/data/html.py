"""A small HTML tree, CSS selection, and the reference's HTML → document-node mapping.

Both ``<webpage>`` (local HTML) and ``<document>`` (docx, via an HTML-like
tree built from the Word XML) turn markup into :class:`DocNode` values that
the components layer renders: headers, paragraphs, line breaks, lists and
items, bold, italic, images and tables, in the way the reference's
``htmlToPoml`` does (``<style>``/``<script>`` dropped; ``<strong>``/``<em>``
and unknown tags kept as their content).

Parsing uses lxml (with cssselect for selectors) when installed, else the
standard library's ``html.parser`` with a small selector engine (tag, ``.class``,
``#id``, ``[attr]``, ``[attr=value]``, ``*``, descendant and ``>`` combinators,
comma lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Callable, Iterator, Optional, Union

from .._errors import PomlError

__all__ = [
    "HNode", "DocNode", "parse_html", "select_nodes", "html_to_nodes", "contents_to_nodes",
    "text_of", "body_of", "extract_text",
]


@dataclass(eq=False)
class HNode:
    """An HTML element: lower-case tag, attributes, children (elements or text)."""

    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    parent: Optional["HNode"] = field(default=None, repr=False)

    def append(self, child: Union["HNode", str]) -> None:
        if isinstance(child, HNode):
            child.parent = self
        elif self.children and isinstance(self.children[-1], str):
            self.children[-1] += child
            return
        self.children.append(child)

    def iter(self) -> Iterator["HNode"]:
        """This element and every element below it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, HNode)]))

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


@dataclass(eq=False)
class DocNode:
    """One piece of a converted document, for the components layer to render.

    ``kind`` is one of ``header``, ``paragraph``, ``newline``, ``list``
    (``attrs["list_style"]``: ``"decimal"`` or absent), ``item``, ``bold``,
    ``italic``, ``image`` (``attrs``: ``base64`` or ``src``, ``alt``,
    ``multimedia``), ``table`` (``attrs``: ``records``, ``columns``) and
    ``fragment``; children are DocNodes or text.
    """

    kind: str
    children: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        a = f", {self.attrs!r}" if self.attrs else ""
        return f"DocNode({self.kind!r}, {self.children!r}{a})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocNode) and self.kind == other.kind
            and self.children == other.children and self.attrs == other.attrs
        )

    __hash__ = None  # type: ignore[assignment]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


# --------------------------------------------------------------------------- parsing

_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}
_RAW = {"script", "style"}
# Elements an open <p> is closed by (HTML's implied end tags, simplified).
_CLOSES_P = {
    "address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "menu", "nav", "ol", "p", "pre", "section",
    "table", "ul",
}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = HNode("#document")
        self.stack = [self.root]

    def _open(self, tag: str) -> bool:
        return any(n.tag == tag for n in self.stack[1:])

    def _close(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_starttag(self, tag: str, attrs: list) -> None:
        tag = tag.lower()
        if tag in _CLOSES_P and self.stack[-1].tag == "p":
            self.stack.pop()
        if tag == "li" and self._open("li"):
            # A new item closes the previous one in the same list.
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag in ("ul", "ol"):
                    break
                if self.stack[i].tag == "li":
                    del self.stack[i:]
                    break
        if tag in ("td", "th", "tr"):
            for i in range(len(self.stack) - 1, 0, -1):
                t = self.stack[i].tag
                if t == "table":
                    break
                if t in ("td", "th") or (tag == "tr" and t == "tr"):
                    del self.stack[i:]
                    break
        node = HNode(tag, {k.lower(): (v if v is not None else "") for k, v in attrs})
        self.stack[-1].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        tag = tag.lower()
        node = HNode(tag, {k.lower(): (v if v is not None else "") for k, v in attrs})
        self.stack[-1].append(node)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _VOID:
            return
        self._close(tag)

    def handle_data(self, data: str) -> None:
        self.stack[-1].append(data)


def _from_lxml(el: Any) -> HNode:
    """Convert an lxml element (and its tail-less subtree) to :class:`HNode`."""
    tag = el.tag if isinstance(el.tag, str) else "#comment"
    node = HNode(tag.lower(), {str(k).lower(): str(v) for k, v in el.attrib.items()} if tag != "#comment" else {})
    if tag != "#comment" and el.text:
        node.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            node.append(_from_lxml(child))
        if child.tail:
            node.append(child.tail)
    return node


def parse_html(text: str) -> HNode:
    """Parse an HTML text into a document node whose children include ``<html>``."""
    try:
        import lxml.html  # noqa: F401
        from lxml import etree
    except ImportError:
        builder = _TreeBuilder()
        builder.feed(text)
        builder.close()
        return _normalize(builder.root)
    if not text.strip():
        return _normalize(HNode("#document"))
    try:
        parser = etree.HTMLParser(no_network=True, remove_comments=True, recover=True, huge_tree=False, encoding="utf-8")
        root = etree.fromstring(text.encode("utf-8"), parser)
    except Exception:
        root = None
    if root is None:
        builder = _TreeBuilder()
        builder.feed(text)
        builder.close()
        return _normalize(builder.root)
    doc = HNode("#document")
    doc.append(_from_lxml(root))
    return _normalize(doc)


def _normalize(doc: HNode) -> HNode:
    """Make sure there is ``html > body`` like an HTML5 parser produces."""
    html = next((c for c in doc.children if isinstance(c, HNode) and c.tag == "html"), None)
    if html is None:
        html = HNode("html")
        for c in list(doc.children):
            html.append(c)
        doc.children = []
        doc.append(html)
    body = next((c for c in html.children if isinstance(c, HNode) and c.tag == "body"), None)
    if body is None:
        body = HNode("body")
        keep = []
        for c in list(html.children):
            if isinstance(c, HNode) and c.tag in ("head", "title", "meta", "link", "base"):
                keep.append(c)
            else:
                body.append(c)
        html.children = []
        for c in keep:
            html.append(c)
        html.append(body)
    return doc


def body_of(doc: HNode) -> HNode:
    for n in doc.iter():
        if n.tag == "body":
            return n
    return doc


# --------------------------------------------------------------------------- selectors

_SIMPLE_RE = re.compile(
    r"""\s*(?P<tag>[A-Za-z][A-Za-z0-9-]*|\*)?(?P<rest>(?:\#[\w-]+|\.[\w-]+|\[[^\]]+\]|:first-child|:last-child)*)"""
)
_PART_RE = re.compile(r"""\#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)\s*(?:([~|^$*]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]|:(first-child|last-child)""")


def _compile_simple(text: str) -> Callable[[HNode], bool]:
    m = _SIMPLE_RE.fullmatch(text)
    if not m or not text.strip():
        raise PomlError(f'Unsupported CSS selector part "{text}" (install lxml and cssselect for full CSS).')
    tag = (m.group("tag") or "*").lower()
    checks: list[Callable[[HNode], bool]] = []
    if tag != "*":
        checks.append(lambda n, t=tag: n.tag == t)
    for pm in _PART_RE.finditer(m.group("rest") or ""):
        if pm.group(1):
            checks.append(lambda n, v=pm.group(1): n.attrs.get("id") == v)
        elif pm.group(2):
            checks.append(lambda n, v=pm.group(2): v in n.classes())
        elif pm.group(3):
            name = pm.group(3).lower()
            op = pm.group(4)
            val = next((g for g in (pm.group(5), pm.group(6), pm.group(7)) if g is not None), None)

            def attr_check(n: HNode, name: str = name, op: Optional[str] = op, val: Optional[str] = val) -> bool:
                if name not in n.attrs:
                    return False
                a = n.attrs[name]
                if op is None:
                    return True
                if op == "=":
                    return a == val
                if op == "~=":
                    return val in a.split()
                if op == "^=":
                    return bool(val) and a.startswith(val)
                if op == "$=":
                    return bool(val) and a.endswith(val)
                if op == "*=":
                    return bool(val) and val in a
                if op == "|=":
                    return a == val or a.startswith(f"{val}-")
                return False

            checks.append(attr_check)
        elif pm.group(8):
            first = pm.group(8) == "first-child"

            def pos_check(n: HNode, first: bool = first) -> bool:
                if n.parent is None:
                    return False
                sibs = [c for c in n.parent.children if isinstance(c, HNode)]
                return sibs[0] is n if first else sibs[-1] is n

            checks.append(pos_check)
    return lambda n: all(c(n) for c in checks)


def _compile_complex(text: str) -> Callable[[HNode], bool]:
    tokens = re.findall(r">|[^\s>]+", text)
    if not tokens or tokens[0] == ">" or tokens[-1] == ">":
        raise PomlError(f'Invalid CSS selector "{text}".')
    steps: list[tuple[str, Callable[[HNode], bool]]] = []
    comb = " "
    for tok in tokens:
        if tok == ">":
            comb = ">"
            continue
        steps.append((comb, _compile_simple(tok)))
        comb = " "

    def match(node: HNode, idx: int) -> bool:
        _, test = steps[idx]
        if not test(node):
            return False
        if idx == 0:
            return True
        comb_here = steps[idx][0]
        parent = node.parent
        if comb_here == ">":
            return parent is not None and parent.tag != "#document" and match(parent, idx - 1)
        while parent is not None and parent.tag != "#document":
            if match(parent, idx - 1):
                return True
            parent = parent.parent
        return False

    return lambda n: match(n, len(steps) - 1)


def select_nodes(doc: HNode, selector: str) -> list[HNode]:
    """Elements matching a CSS selector, in document order."""
    selector = selector.strip()
    if not selector:
        raise PomlError("An empty CSS selector was given.")
    try:
        from cssselect import GenericTranslator, SelectorError  # type: ignore
        from lxml import etree
    except ImportError:
        tests = [_compile_complex(part) for part in _split_commas(selector)]
        return [n for n in doc.iter() if n.tag != "#document" and any(t(n) for t in tests)]
    try:
        xpath = GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise PomlError(f'Invalid CSS selector "{selector}": {exc}') from None
    # Evaluate on an lxml mirror of our tree, then map back by position.
    mirror, nodes = _to_lxml(doc, etree)
    try:
        found = mirror.xpath(xpath)
    except etree.XPathError as exc:  # pragma: no cover
        raise PomlError(f'Invalid CSS selector "{selector}": {exc}') from None
    out = []
    for el in found:
        idx = el.get(_INDEX_ATTR) if hasattr(el, "get") else None
        if idx is not None:
            out.append(nodes[int(idx)])
    return out


def _split_commas(selector: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in selector:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


_INDEX_ATTR = "x-poml-node-index"


def _to_lxml(doc: HNode, etree: Any) -> tuple[Any, list]:
    """An lxml copy of the tree; each element carries its index into the returned node list."""
    nodes: list[HNode] = []

    def build(node: HNode) -> Any:
        tag = node.tag if re.fullmatch(r"[A-Za-z_][\w.-]*", node.tag) else "x-unknown"
        el = etree.Element(tag)
        for k, v in node.attrs.items():
            if k != _INDEX_ATTR and re.fullmatch(r"[A-Za-z_][\w.-]*", k):
                el.set(k, v)
        el.set(_INDEX_ATTR, str(len(nodes)))
        nodes.append(node)
        for c in node.children:
            if isinstance(c, HNode):
                el.append(build(c))
        return el

    html = next((c for c in doc.children if isinstance(c, HNode) and c.tag == "html"), None)
    root = build(html if html is not None else doc)
    wrapper = etree.Element("x-document")
    wrapper.append(root)
    return wrapper, nodes


# --------------------------------------------------------------------------- text


def text_of(node: Union[HNode, str]) -> str:
    """All text below a node, concatenated (cheerio ``.text()``)."""
    if isinstance(node, str):
        return node
    out: list[str] = []
    stack: list[Union[HNode, str]] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, str):
            out.append(n)
        elif n.tag != "#comment":
            stack.extend(reversed(n.children))
    return "".join(out)


def _remove_tags(doc: HNode, tags: set) -> None:
    for n in list(doc.iter()):
        n.children = [c for c in n.children if not (isinstance(c, HNode) and c.tag in tags)]


def extract_text(html: str, selector: Optional[str] = None) -> str:
    """Plain text of a page (scripts and styles removed), like the reference's ``extractText``."""
    doc = parse_html(html)
    _remove_tags(doc, {"script", "style"})
    if selector:
        found = select_nodes(doc, selector)
        if not found:
            return f"No elements found matching selector: {selector}"
        return "\n\n".join(text_of(n) for n in found)
    return text_of(body_of(doc)).strip()


# --------------------------------------------------------------------------- html → nodes


def contents_to_nodes(element: HNode, multimedia: Optional[bool] = None) -> list:
    """The children of ``element`` converted (reference ``htmlContentsToPoml``)."""
    out: list = []
    for child in element.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag == "#comment":
            continue
        else:
            out.append(html_to_nodes(child, multimedia))
    return out


def _table_node(element: HNode) -> DocNode:
    rows = []
    for tr in (n for n in element.iter() if n.tag == "tr"):
        rows.append([text_of(td) for td in tr.iter() if td.tag in ("td", "th")])
    header = rows.pop(0) if rows else []
    if not header:
        return DocNode("fragment")
    # The reference pads short headers with holes, which its table shows as empty cells.
    width = max([len(r) for r in rows] + [len(header)])
    header = header + [""] * (width - len(header))
    records = []
    for r in rows:
        rec: dict = {}
        for i, col in enumerate(header):
            rec[col] = r[i] if i < len(r) else ""
        records.append(rec)
    columns = [{"field": c, "header": c} for c in header]
    return DocNode("table", [], {"records": records, "columns": columns})


def html_to_nodes(element: HNode, multimedia: Optional[bool] = None) -> DocNode:
    """One element converted (reference ``htmlToPoml``)."""
    tag = element.tag
    if tag in ("style", "script"):
        return DocNode("fragment")
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return DocNode("header", contents_to_nodes(element, multimedia))
    if tag in ("p", "div"):
        return DocNode("paragraph", contents_to_nodes(element, multimedia))
    if tag == "br":
        return DocNode("newline")
    if tag == "ol":
        return DocNode("list", contents_to_nodes(element, multimedia), {"list_style": "decimal"})
    if tag == "ul":
        return DocNode("list", contents_to_nodes(element, multimedia))
    if tag == "li":
        return DocNode("item", contents_to_nodes(element, multimedia))
    if tag == "b":
        return DocNode("bold", contents_to_nodes(element, multimedia))
    if tag == "i":
        return DocNode("italic", contents_to_nodes(element, multimedia))
    if tag == "img":
        src = element.attrs.get("src") or ""
        alt = element.attrs.get("alt")
        mm = multimedia is None or bool(multimedia)
        attrs: dict = {"multimedia": mm}
        if alt is not None:
            attrs["alt"] = alt
        if src.startswith("data:") and ";base64" in src:
            attrs["base64"] = src.split(",", 2)[1] if "," in src else ""
            m = re.match(r"^data:([^;,]+)", src)
            if m:
                attrs["type"] = m.group(1)
        else:
            attrs["src"] = src
        return DocNode("image", [], attrs)
    if tag == "table":
        return _table_node(element)
    return DocNode("fragment", contents_to_nodes(element, multimedia))
