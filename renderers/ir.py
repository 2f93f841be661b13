"""The intermediate representation (IR) between components and writers.

The IR mirrors the reference implementation's IR XML one to one, so writers can
follow its documented behaviour exactly: an element has a ``tag`` (``env``,
``p``, ``span``, ``b``, ``i``, ``s``, ``u``, ``h``, ``code``, ``list``, ``item``,
``nl``, ``table``, ``thead``, ``tbody``, ``trow``, ``tcell``, ``obj``, ``any``,
``img``, ``audio``, ``text``, ``toolrequest``, ``toolresponse`` ...), string
attributes with kebab-case keys (``markup-lang``, ``list-style``, ``speaker``;
booleans ``"true"``/``"false"``, numbers as text, objects as JSON), children
(elements or plain strings) and the source span it came from.

Elements are built once by components and never mutated afterwards.

>>> Element("p", {}, ["Hello"], 0, 12).to_xml()
'<p original-start-index="0" original-end-index="11">Hello</p>'
"""

from __future__ import annotations

from typing import Optional, Union

# Not xml.sax.saxutils: importing it pulls in urllib, http and email (tens of milliseconds).


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Quote an attribute value as saxutils does: single quotes when the value holds double ones."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in text:
        if "'" in text:
            return '"' + text.replace('"', "&quot;") + '"'
        return "'" + text + "'"
    return '"' + text + '"'

Child = Union["Element", str]


class Element:
    """One IR node. ``attrs`` values are strings; ``children`` is a list of nodes or text."""

    __slots__ = ("tag", "attrs", "children", "start", "end")

    def __init__(
        self,
        tag: str,
        attrs: Optional[dict[str, str]] = None,
        children: Optional[list[Child]] = None,
        start: Optional[int] = None,
        end: Optional[int] = None,
    ):
        self.tag = tag
        self.attrs = attrs if attrs is not None else {}
        self.children = children if children is not None else []
        self.start = start
        self.end = end

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        return self.attrs.get(key, default)

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {self.attrs!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Element)
            and self.tag == other.tag
            and self.attrs == other.attrs
            and self.children == other.children
        )

    __hash__ = None  # type: ignore[assignment]

    def text_content(self) -> str:
        """All text below this element, concatenated."""
        return "".join(c if isinstance(c, str) else c.text_content() for c in self.children)

    def to_xml(self, positions: bool = True) -> str:
        """Serialise like the reference's IR XML (for debugging and the ``ir`` test cases)."""
        parts = [f"<{self.tag}"]
        for k, v in self.attrs.items():
            parts.append(f" {k}={quoteattr(v)}")
        if positions and self.start is not None:
            # The reference prints an inclusive end index; our spans are half-open.
            parts.append(f' original-start-index="{self.start}" original-end-index="{self.end - 1}"')
        if not self.children:
            parts.append("/>")
            return "".join(parts)
        parts.append(">")
        for c in self.children:
            parts.append(escape(c) if isinstance(c, str) else c.to_xml(positions))
        parts.append(f"</{self.tag}>")
        return "".join(parts)
