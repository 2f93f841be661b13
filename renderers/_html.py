"""HTML writer (``syntax="html"``): IR tags become HTML elements, pretty printed.

>>> from renderers.ir import Element as E
>>> HtmlWriter(None).write(E("p", {}, ["Hello ", E("b", {}, ["world"])])).output
'<p>\\n  Hello \\n  <b>world</b>\\n</p>'
"""

from __future__ import annotations

from typing import Any, Optional

from ._base import Reporter, Written, element_repr
from ._options import int_text
from ._xmltree import Node


class HtmlWriter:
    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        o = options or {}
        self.reporter = reporter or Reporter()
        pretty = o.get("htmlPrettyPrint")
        self.pretty = True if pretty is None else bool(pretty)
        indent = o.get("htmlIndent")
        self.indent = "  " if indent is None else str(indent)
        self.in_head = False

    def write(self, element: Any) -> Written:
        root = Node(None)
        self._add(root, element)
        html = root.render(self.indent, self.pretty)
        return Written(html, [(element, 0, len(html) - 1)], [])

    def _fill(self, node: Node, element: Any) -> None:
        prev_text = False
        for child in element.children:
            if isinstance(child, str):
                if prev_text:
                    # Two adjacent text nodes: the reference's IR has a separator
                    # comment there (React's "<!-- -->"), which its HTML writer
                    # prints as an empty <div/>. Keep that output.
                    node.element("div")
                node.text(child)
                prev_text = True
            else:
                self._add(node, child)
                prev_text = False

    def _add(self, node: Node, element: Any) -> None:
        tag = element.tag
        if tag == "h":
            self._fill(node.element("h" + (element.attrs.get("level") or "1")), element)
        elif tag == "code":
            self._fill(node.element("pre").element("code"), element)
        elif tag == "nl":
            for _ in range(max(0, int_text(element.attrs.get("count") or "1") or 0)):
                node.element("br")
        elif tag in ("thead", "tbody", "trow", "tcell"):
            self._table_part(node, element)
        elif tag == "env":
            a = element.attrs
            if a.get("presentation") == "markup" and a.get("markup-lang") == "html":
                self._fill(node, element)
            else:
                from ._dispatch import dispatch

                inner = dispatch(element, self.reporter)
                if inner.media:
                    self.reporter.fail("Multimedia cannot be nested in HTML.", element)
                node.text(inner.output)
        else:
            self._fill(node.element(tag.lower() or "div"), element)

    def _table_part(self, node: Node, element: Any) -> None:
        saved = self.in_head
        tag = element.tag
        if tag == "thead":
            self.in_head = True
        if tag == "tcell":
            self._fill(node.element("th" if self.in_head else "td"), element)
        elif tag == "trow":
            self._fill(node.element("tr"), element)
        else:
            self._fill(node.element(tag), element)
        self.in_head = saved


__all__ = ["HtmlWriter", "element_repr"]
