"""What a build is made of: the context handed down the tree and the nodes components return.

A component function ``fn(props, children, ctx)`` returns a list of nodes: ``str``, a
:class:`~poml._tree.Call` (from expansion), a :class:`ComponentUse` (a component used by
another component), a :class:`Host` (an IR element whose children are not rendered yet), a
:class:`Scoped` (children rendered under a changed context: the React providers), an
:class:`~poml.ir.Element` (final) or a list (a fragment). :class:`BuildContext` is immutable
and small; :class:`BuildState` is the per-build mutable part (diagnostics, caches, the registry).

Props carry their source span under the keys ``@s``/``@e`` (the reference's
``originalStartIndex``/``originalEndIndex``) and pass it on through ``others``
exactly as the reference's components spread their props.
"""

from __future__ import annotations

from typing import Any, Optional

from .._errors import DiagnosticSink, PomlComponentError, PomlError, error_class, error_message
from .. import styles
from ..template.js._budget import BUILD_COST, STYLE_RULE_COST
from ._registry import Component


START = "@s"
END = "@e"


class ReadError(Exception):
    """A problem attributed to a component use (span taken from its props)."""

    def __init__(self, message: str, props: Optional[dict] = None, kind: type[PomlError] = PomlComponentError):
        super().__init__(message)
        self.message = message
        self.start = props.get(START) if props else None
        self.end = props.get(END) if props else None
        self.kind = kind

    @classmethod
    def of(cls, exc: BaseException, props: Optional[dict] = None,
           default: type[PomlError] = PomlComponentError) -> "ReadError":
        """A failure of a loader (a PomlError, an OSError...) as this component use's error, its class kept."""
        return cls(error_message(exc), props, kind=error_class(exc, default))


class BudgetSpent(Exception):
    """The render's work budget ran out while building ``props``'s component: the build stops."""

    def __init__(self, props: dict):
        super().__init__("budget spent")
        self.props = props


class BuildState:
    """Per-build mutable state: where diagnostics go, and the render's work budget."""

    __slots__ = ("sink", "source", "file_loader", "alive", "cache", "ctx_keys", "sheet_keys", "loader_key",
                 "sheets", "registry", "budget")

    def __init__(self, sink: DiagnosticSink, source=None, file_loader=None, cache=None, registry=None,
                 budget=None):
        self.budget = budget  # the RenderBudget the expansion spent from (None: unbounded, for tools)
        self.sink = sink
        self.registry = registry    # the ComponentRegistry of the render (its media loader)
        self.source = source
        self.file_loader = file_loader
        self.alive: dict = {}       # objects whose id() is part of a reuse key, kept alive for the build
        self.cache = cache          # shared {(call key, ctx key): output tuple} or None
        self.ctx_keys: dict = {}    # id(BuildContext) -> ctx key
        self.sheet_keys: dict = {}  # id(stylesheet) -> its canonical text
        self.loader_key: Any = None  # base folder, roots and network setting of the file loader
        self.sheets: dict = {}      # id(stylesheet) -> (stylesheet, its CompiledSheet), once per build

    def charge(self, units: int, props: dict) -> None:
        """Spend ``units`` of the render's budget; when it runs out the build stops at ``props``'s span.
        (``make_element`` does the same inline: it runs for every element.)"""
        budget = self.budget
        if budget is not None:
            budget.left -= units
            if budget.left < 0:
                raise BudgetSpent(props)

    def afford(self, elements: int, props: dict) -> None:
        """Stop now if building ``elements`` IR elements would pass the render's budget
        (before a component makes them all: a table of a million rows)."""
        if self.budget is not None and elements * BUILD_COST > self.budget.left:
            raise BudgetSpent(props)

    def compiled_sheet(self, sheet: Any) -> Any:
        hit = self.sheets.get(id(sheet))
        if hit is None or hit[0] is not sheet:
            self.charge(STYLE_RULE_COST * len(sheet), {})  # the use that compiles it gives the span
            hit = self.sheets[id(sheet)] = (sheet, styles.CompiledSheet(sheet))
        return hit[1]

    def error(self, message: str, start: Optional[int], end: Optional[int], kind: type[PomlError] = PomlComponentError,
              severity: str = "error") -> None:
        s = start if start is not None else 0
        e = end if end is not None else s
        if severity == "warning":
            self.sink.warning(s, e, message, source=self.source)
        else:
            self.sink.error(s, e, message, kind=kind, source=self.source)

    def read_error(self, message: str, props: Optional[dict], kind: type[PomlError] = PomlComponentError) -> None:
        self.error(message, props.get(START) if props else None, props.get(END) if props else None, kind)


class BuildContext:
    """The immutable build context handed down the tree."""

    __slots__ = ("pres", "lang", "wopts", "level", "sheet", "chat_ex", "state")

    def __init__(self, pres, lang, wopts, level, sheet, chat_ex, state):
        self.pres = pres          # None | "markup" | "serialize" | "free" | "multimedia"
        self.lang = lang          # markup language or serializer of the enclosing environment
        self.wopts = wopts        # writer options object of the enclosing environment
        self.level = level        # header level (1 at the top)
        self.sheet = sheet        # stylesheet dict ({} when none)
        self.chat_ex = chat_ex    # examples render as chat turns
        self.state = state

    def env(self, pres, lang, wopts) -> "BuildContext":
        return BuildContext(pres, lang, wopts, self.level, self.sheet, self.chat_ex, self.state)

    def with_level(self, level: int) -> "BuildContext":
        return BuildContext(self.pres, self.lang, self.wopts, level, self.sheet, self.chat_ex, self.state)

    def with_chat(self, chat: bool) -> "BuildContext":
        return BuildContext(self.pres, self.lang, self.wopts, self.level, self.sheet, chat, self.state)

    def with_sheet(self, sheet: dict) -> "BuildContext":
        return BuildContext(self.pres, self.lang, self.wopts, self.level, sheet, self.chat_ex, self.state)


class ComponentUse:
    """A component use created by another component (like a React element)."""

    __slots__ = ("comp", "props", "children")

    def __init__(self, comp: Component, props: dict, children: Any = ()):
        self.comp = comp
        self.props = props
        self.children = children


class Host:
    """An IR element to be created when expanded (children rendered in that context)."""

    __slots__ = ("tag", "props", "children")

    def __init__(self, tag: str, props: dict, children: Any = ()):
        self.tag = tag
        self.props = props
        self.children = children


class Scoped:
    """Children rendered under a context changed by ``fn(ctx) -> ctx`` (a React provider)."""

    __slots__ = ("fn", "children")

    def __init__(self, fn, children: Any):
        self.fn = fn
        self.children = children
