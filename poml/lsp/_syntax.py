"""What the features need to know about one parsed document: elements, `{{ }}` spans, `<let>` names.

Built once per document version from the engine's parse tree (spans are offsets into the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..syntax import XmlAttribute, XmlElement, XmlText

_EXPR = re.compile(r"{{(.*?)}}", re.S)
IDENT = re.compile(r"(?<![\w.$])[A-Za-z_$][\w$]*")
_FOR = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s+in\s+(.*)$", re.S)
# Attributes every element accepts (handled by template expansion, not the component).
TEMPLATE_ATTRS = frozenset({"for", "if"})
# Tags handled by template expansion rather than components.
DIRECTIVE_TAGS = frozenset({
    "let", "include", "meta", "runtime", "context", "stylesheet", "poml", "output-schema", "outputschema",
    "tool-definition", "tooldefinition", "tool", "schema",
})


@dataclass(slots=True)
class Expression:
    """One `{{ expr }}` (or a for/if/let value attribute): the inner text and its span."""

    text: str
    start: int  # offset of the inner text
    end: int
    outer_start: int  # offset of `{{` (== start for attribute expressions)
    outer_end: int
    kind: str = "template"  # template | for | if | let


@dataclass(slots=True)
class LetBinding:
    name: str
    name_start: int
    name_end: int
    element: XmlElement
    value: Optional[XmlAttribute]


@dataclass
class Outline:
    elements: list[XmlElement] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    lets: list[LetBinding] = field(default_factory=list)
    loop_vars: list[str] = field(default_factory=list)

    def element_at(self, offset: int) -> Optional[XmlElement]:
        """Innermost element whose span contains ``offset``."""
        best = None
        for el in self.elements:
            if el.start <= offset < el.end and (best is None or el.start >= best.start):
                best = el
        return best

    def expression_at(self, offset: int) -> Optional[Expression]:
        for e in self.expressions:
            if e.start <= offset <= e.end:
                return e
        return None

    def let_named(self, name: str) -> Optional[LetBinding]:
        for let in self.lets:
            if let.name == name:
                return let
        return None


def walk(root: Optional[XmlElement]) -> Iterator[XmlElement]:
    stack = [root] if root is not None else []
    while stack:
        el = stack.pop()
        yield el
        stack.extend(c for c in reversed(el.children) if isinstance(c, XmlElement))


def _texts(root: Optional[XmlElement]) -> Iterator[XmlText]:
    for el in walk(root):
        for c in el.children:
            if isinstance(c, XmlText):
                yield c


def outline(root: Optional[XmlElement], text: str) -> Outline:
    out = Outline()
    for el in walk(root):
        if not el.synthetic:
            out.elements.append(el)
        low = el.name.lower()
        for a in el.attributes:
            if a.value is None:
                continue
            key = a.key.lower()
            if key == "for":
                m = _FOR.match(a.value)
                if m:
                    out.loop_vars.append(m.group(1))
                    s = a.value_start + m.start(2)
                    out.expressions.append(Expression(m.group(2), s, a.value_end, a.value_start, a.value_end, "for"))
            elif key == "if":
                out.expressions.append(Expression(a.value, a.value_start, a.value_end, a.value_start, a.value_end, "if"))
            elif low == "let" and key == "value" and "{{" not in a.value:
                out.expressions.append(Expression(a.value, a.value_start, a.value_end, a.value_start, a.value_end, "let"))
            else:
                for m in _EXPR.finditer(a.value):
                    out.expressions.append(Expression(m.group(1), a.value_start + m.start(1), a.value_start + m.end(1),
                                                      a.value_start + m.start(), a.value_start + m.end()))
        if low == "let":
            name = el.attribute("name")
            if name is not None and name.value:
                out.lets.append(LetBinding(name.value, name.value_start, name.value_end, el, el.attribute("value")))
    for t in _texts(root):
        for m in _EXPR.finditer(t.text):
            out.expressions.append(Expression(m.group(1), t.start + m.start(1), t.start + m.end(1),
                                              t.start + m.start(), t.start + m.end()))
    out.expressions.sort(key=lambda e: e.start)
    return out


def identifier_spans(outline_: Outline, name: str) -> list[tuple[int, int]]:
    """Every use of variable ``name`` inside expressions (not member accesses like ``a.name``)."""
    spans = []
    for e in outline_.expressions:
        for m in IDENT.finditer(e.text):
            if m.group() == name and not _in_string(e.text, m.start()):
                spans.append((e.start + m.start(), e.start + m.end()))
    return spans


def _in_string(text: str, pos: int) -> bool:
    quote = None
    for ch in text[:pos]:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
    return quote is not None
