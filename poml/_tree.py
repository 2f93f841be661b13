"""The expanded tree: what template expansion hands to the component builder.

A :class:`Call` is the equivalent of a React element in the reference: a
component, its props (attribute names already camelCased, values either the
attribute text or the raw value of a lone ``{{ expr }}``), and its children
(further calls or text). Expansion (``poml.template``) produces calls; the
builder (``poml.components``) renders them to IR (``poml.ir``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from ._source import Source
    from .components._registry import Component

Node = Union["Call", str]

UNKNOWN_KEY: Any = object()  # Call.key before the builder first asks for it


@dataclass(slots=True, eq=False)  # eq=False: compared and hashed by identity, as the caches need
class Call:
    """One component use with its props and children, and its span in the source."""

    component: "Component"
    props: dict[str, Any]
    children: list[Node]
    start: int = 0
    end: int = 0
    source: "Optional[Source]" = None
    tag: Optional[str] = None  # the tag name as written, for messages
    # The build cache's structural key (components._reuse.call_key), made once per Call: a Call
    # is never changed after expansion, and the static subtrees' Calls are the same objects in
    # every render, so a warm render makes keys for the new (dynamic) Calls only.
    key: Any = UNKNOWN_KEY

    def __repr__(self) -> str:
        return f"Call({self.component.name!r}, {self.props!r}, {self.children!r})"
