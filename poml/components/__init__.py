"""Components: the registry and the builder that turns expanded ``Call`` trees into IR.

>>> from poml._errors import DiagnosticSink
>>> from poml._tree import Call
>>> sink = DiagnosticSink()
>>> build([Call(lookup("p"), {}, ["Hello"], 0, 12)], sink=sink).to_xml()
'<env presentation="markup" markup-lang="markdown" original-start-index="0" original-end-index="11"><p original-start-index="0" original-end-index="11">Hello</p></env>'
"""

from __future__ import annotations

from typing import Any, Optional, Union

from .._errors import DiagnosticSink, PomlLimitError
from .._source import Source
from .._tree import Call
from ..ir import Element
from ._nodes import END, START, BudgetSpent, BuildContext, ComponentUse, BuildState
from ._render import expand_into
from ._registry import Component, ComponentRegistry, Param, component
from . import essentials as _essentials

__all__ = [
    "Param", "Component", "ComponentRegistry", "component", "lookup", "get", "suggest", "not_found_message",
    "all_components", "build", "render_nodes",
]


# The built-in registry's answers, for callers with no Environment at hand (tests, tools).
def lookup(tag: str, disabled: frozenset[str] = frozenset()) -> Optional[Component]:
    """:meth:`ComponentRegistry.lookup` on the built-in registry."""
    return ComponentRegistry.builtin().lookup(tag, disabled)


def get(name: str) -> Component:
    """:meth:`ComponentRegistry.get` on the built-in registry."""
    return ComponentRegistry.builtin().get(name)


def suggest(tag: str, disabled: frozenset[str] = frozenset()) -> list[str]:
    """:meth:`ComponentRegistry.suggest` on the built-in registry."""
    return ComponentRegistry.builtin().suggest(tag, disabled)


def not_found_message(tag: str, disabled: frozenset[str] = frozenset()) -> str:
    """:meth:`ComponentRegistry.not_found_message` on the built-in registry."""
    return ComponentRegistry.builtin().not_found_message(tag, disabled)


def all_components(include_internal: bool = False) -> list[Component]:
    """:meth:`ComponentRegistry.components` of the built-in registry."""
    return ComponentRegistry.builtin().components(include_internal)


def _loader_key(loader: Any) -> Any:
    """What decides where relative paths point and what may be read: part of every reuse key."""
    if loader is None:
        return None
    access = getattr(loader, "access", None)
    policy = getattr(access, "policy_key", None)  # the roots unresolved: no realpath per build
    return (str(getattr(loader, "base_dir", "")), policy)


def build(
    nodes: list[Union[Call, str]],
    *,
    sink: DiagnosticSink,
    stylesheet: Optional[dict] = None,
    source: Optional[Source] = None,
    file_loader: Any = None,
    cache: Optional[dict] = None,
    registry: Optional[ComponentRegistry] = None,
    budget: Any = None,
) -> Element:
    """Render the top-level nodes to the root IR element.

    One root ``Call`` renders as itself (``<poml>`` gives ``env > p``); several
    nodes, or text, render as if wrapped in ``<poml>``. Component failures go
    to ``sink`` and that component renders nothing. ``stylesheet`` is the
    merged stylesheet (see :func:`poml.styles.merge_stylesheets`).
    ``file_loader`` is the hook for ``src=`` media/table files (``None``: such
    files are reported as not found). ``cache`` (a dict the caller owns: the
    Environment's) lets identical sub-trees (same component, props, children,
    span and context, rendered without diagnostics) share the IR built by an
    earlier call; IR elements are immutable. ``registry`` (the Environment's) gives the
    media loader; the built-in one by default. ``budget`` (the render's
    :class:`~poml.template.js.RenderBudget`) is charged for every IR element built; when it runs
    out the build stops with a located limit error. Each expansion's nodes are built once: a Call
    keeps the reuse key made from its props (``Call.key``), so its data must not change after.
    """
    state = BuildState(sink, source if source is not None else sink.source, file_loader, cache,
                  registry if registry is not None else ComponentRegistry.builtin(), budget)
    state.loader_key = _loader_key(file_loader)
    ctx = BuildContext(None, None, None, 1, stylesheet if stylesheet else {}, True, state)
    out: list = []
    try:
        if len(nodes) == 1 and type(nodes[0]) is not str:
            expand_into(out, nodes[0], ctx)
        elif nodes:
            starts = [n.start for n in nodes if isinstance(n, Call)]
            ends = [n.end for n in nodes if isinstance(n, Call)]
            props = {START: min(starts) if starts else None, END: max(ends) if ends else None}
            expand_into(out, ComponentUse(_essentials.Text, props, list(nodes)), ctx)
    except RecursionError:
        # The parser's nesting limit keeps markup inside the interpreter's own recursion
        # limit (which is never raised); data nested past it ends here, not in a crash.
        state.error("The markup is nested too deeply to render; flatten the nesting of components "
                    "or of the data they render.", 0, 0, kind=PomlLimitError)
        out = []
    except BudgetSpent as spent:
        if not budget.reported:  # the expansion may have reported running out already
            budget.reported = True
            state.error(f"The render ran out of work budget ({budget.work:,} units) while building its "
                        "elements; raise it with limits={'work': ...}.",
                        spent.props.get(START), spent.props.get(END), kind=PomlLimitError)
        out = []
    if len(out) == 1 and type(out[0]) is Element:
        return out[0]
    return Element("env", {"presentation": "markup", "markup-lang": "markdown"}, out)


def render_nodes(nodes: list, ctx: BuildContext) -> list:
    """Render nodes in a given context (for tools that build sub-trees)."""
    out: list = []
    for n in nodes:
        expand_into(out, n, ctx)
    return out
