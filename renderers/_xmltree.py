"""A tiny element tree with xmlbuilder2's pretty printer (used for XML and HTML output).

Rules reproduced: an element whose children are all text prints on one line
(``<a>text</a>``); one with no text prints self-closed (``<a/>``); mixed
content puts every child on its own indented line; text escapes ``& < >``.

>>> root = Node(None); a = root.element("a"); a.text("x < y"); root.element("b")  # doctest: +ELLIPSIS
<...>
>>> root.render("  ")
'<a>x &lt; y</a>\\n<b/>'
"""

from __future__ import annotations

from typing import Optional, Union


def escape_text(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


class Node:
    """An element (``name``) or the fragment root (``name is None``)."""

    __slots__ = ("name", "children")

    def __init__(self, name: Optional[str]):
        self.name = name
        self.children: list[Union["Node", str]] = []

    def element(self, name: str) -> "Node":
        node = Node(name)
        self.children.append(node)
        return node

    def text(self, data: str) -> None:
        self.children.append(data)

    def render(self, indent: str = "  ", pretty: bool = True) -> str:
        out: list[str] = []
        if pretty:
            for c in self.children:
                _pretty(c, 0, indent, out)
            text = "".join(out)
            return text[:-1] if text.endswith("\n") else text
        for c in self.children:
            _flat(c, out)
        return "".join(out)


def _flat(node: Union[Node, str], out: list) -> None:
    if isinstance(node, str):
        out.append(escape_text(node))
        return
    if not node.children or all(isinstance(c, str) and c == "" for c in node.children):
        out.append(f"<{node.name}/>")
        return
    out.append(f"<{node.name}>")
    for c in node.children:
        _flat(c, out)
    out.append(f"</{node.name}>")


def _pretty(node: Union[Node, str], level: int, indent: str, out: list) -> None:
    pad = indent * level
    if isinstance(node, str):
        if node:
            out.append(pad + escape_text(node) + "\n")
        return
    kids = node.children
    text_only = all(isinstance(c, str) for c in kids)
    if text_only:
        body = "".join(kids)
        if body == "":
            out.append(f"{pad}<{node.name}/>\n")
        else:
            out.append(f"{pad}<{node.name}>{escape_text(body)}</{node.name}>\n")
        return
    out.append(f"{pad}<{node.name}>\n")
    for c in kids:
        _pretty(c, level + 1, indent, out)
    out.append(f"{pad}</{node.name}>\n")
