"""The expanded tree: what template expansion hands to the component builder.

A :class:`Call` is the equivalent of a React element in the reference: a
component, its props (attribute names already camelCased, values either the
attribute text or the raw value of a lone ``{{ expr }}``), and its children
(further calls or text). Expansion (``poml.template``) produces calls; the
builder (``poml.components``) renders them to IR (``poml.ir``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from ._source import Source
    from .components._registry import Component

Node = Union["Call", str]


class Call:
    """One component use with its props and children, and its span in the source."""

    __slots__ = ("component", "props", "children", "start", "end", "source", "tag")

    def __init__(
        self,
        component: "Component",
        props: dict[str, Any],
        children: list[Node],
        start: int = 0,
        end: int = 0,
        source: "Optional[Source]" = None,
        tag: Optional[str] = None,
    ):
        self.component = component
        self.props = props
        self.children = children
        self.start = start
        self.end = end
        self.source = source
        self.tag = tag  # the tag name as written, for messages

    def __repr__(self) -> str:
        return f"Call({self.component.name!r}, {self.props!r}, {self.children!r})"
