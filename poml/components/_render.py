"""The build engine: a component use rendered to IR elements and strings, node by node.

Rendering follows the reference's React model with explicit plumbing: a component's
result is expanded in the same context; IR elements get kebab-case text attributes and
trimmed, rendered children.
"""

from __future__ import annotations

import re
from typing import Any

from renderers._speakers import VALID_SPEAKERS

from .._files import record_stamps, recording, stamps_hold
from .._tree import Call
from ..ir import Element
from .. import styles
from ._registry import Component
from ._nodes import BudgetSpent, BuildContext, END, ComponentUse, Host, ReadError, START, Scoped, BuildState
from ..template.js._budget import ATTRIBUTE_COST, BUILD_COST, ITEM_COST
from ._props import preprocess
from ._reuse import CACHE_MAX, _cache_key
from ._values import js_json, js_num, js_str, js_truthy
from ._whitespace import trim_children


_KEBAB_CACHE: dict[str, str] = {}
_UPPER = re.compile(r"[A-Z]")


def kebab(key: str) -> str:
    k = _KEBAB_CACHE.get(key)
    if k is None:
        k = _UPPER.sub(lambda m: "-" + m.group(0).lower(), key)
        if len(_KEBAB_CACHE) < 4096:
            _KEBAB_CACHE[key] = k
    return k


def ir_value(v: Any) -> str:
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return js_num(v)
    return js_json(v)


def make_element(tag: str, props: dict, children: Any, ctx: BuildContext) -> Element:
    """The reference's irElement: attributes to kebab-case text, children trimmed and rendered."""
    state = ctx.state
    budget = state.budget
    chars = 0
    if budget is not None:
        budget.left -= BUILD_COST + ATTRIBUTE_COST * len(props)  # inline: this runs for every element
        if budget.left < 0:
            raise BudgetSpent(props)
    attrs: dict[str, str] = {}
    for k, v in props.items():
        if v is None or k[:1] == "@":
            continue
        if k == "speaker" and js_truthy(v) and v not in VALID_SPEAKERS:
            state.read_error(f'"{js_str(v)}" is not a valid speaker.', props)
            continue
        name = _KEBAB_CACHE.get(k)
        if type(v) is not str:
            v = ir_value(v)
        if len(v) > 256:
            chars += len(v) >> 2  # a long value (an image's base64) costs a quarter of its text, like a print
        attrs[name if name is not None else kebab(k)] = v
    kids = trim_children(children, props.get("whiteSpace"), props, state)
    out: list = []
    for c in kids:
        if type(c) is str:  # most children are text: no call for them
            if c:
                out.append(c)
                chars += len(c)
        else:
            expand_into(out, c, ctx)
    if budget is not None and chars:
        # Text is charged where it enters the IR, once: a 1 MB value printed in a loop of
        # 10,000 copies would otherwise be written out as 10 GB.
        budget.left -= chars
        if budget.left < 0:
            raise BudgetSpent(props)
    # Adjacent strings stay separate: they are separate text nodes in the
    # reference's output (React writes ``<!-- -->`` between them), which the
    # serialize and html writers can tell apart.
    start = props.get(START)
    end = props.get(END)
    return Element(tag, attrs, out, start, end)


# Called with (component, exception) when a component fails with something other
# than a ReadError (a bug, or a loader failure): tests use it to catch those.
ON_UNEXPECTED = None


def render(comp: Component, props: dict, children: Any, ctx: BuildContext, out: list) -> None:
    """Render one component use into ``out`` (IR elements and strings)."""
    state = ctx.state
    if comp.unwanted_props:
        for key in comp.unwanted_props:
            if props.get(key) is not None:
                state.error(f'"{key}" is not supported (but provided) in {comp.name}.',
                            props.get(START), props.get(END), severity="warning")
    try:
        for key in comp.required_props:
            if props.get(key) is None:
                avail = ",".join(k for k in props if k[:1] != "@")
                raise ReadError(
                    f'"{key}" is required but not provided for {comp.name}, available props are {avail}.', props)
        if comp.apply_stylesheet:
            sheet = ctx.sheet
            if sheet:
                compiled = state.compiled_sheet(sheet)
                checked = compiled.checked
                props = styles.compute_styles(props, comp.lower_aliases, sheet, compiled)
                state.charge(ITEM_COST * (compiled.checked - checked), props)
            elif "className" in props:
                props = {k: v for k, v in props.items() if k != "className"}
        if comp.public:
            props = preprocess(comp, props, state)
        result = comp.render(props, children, ctx)
    except ReadError as e:
        state.error(e.message, e.start if e.start is not None else props.get(START),
                    e.end if e.end is not None else props.get(END), e.kind)
        return
    except RecursionError:
        raise
    except BudgetSpent as spent:
        if spent.props.get(START) is None:  # a host element without a span: this use's span
            spent.props = props
        raise
    except Exception as e:  # a failure inside a component renders nothing, like the reference
        if ON_UNEXPECTED is not None:
            ON_UNEXPECTED(comp, e)
        state.error(f"Error in component render of {comp.name}: Error: {e}", props.get(START), props.get(END))
        return
    if result:
        try:
            for n in result:
                expand_into(out, n, ctx)
        except BudgetSpent as spent:
            if spent.props.get(START) is None:  # a host element this use returned: its span
                spent.props = props
            raise


_SEEN_ONCE = ((), (), 0)  # the build-cache entry of a subtree met once: its output is not kept


def _render_recorded(node: Call, ctx: BuildContext, state: BuildState, cache: dict, key: Any, out: list) -> None:
    """Render a subtree met before and keep its output with the stamps of what it read."""
    n0 = state.sink.reported
    mark = len(out)
    props = dict(node.props)
    props[START] = node.start
    props[END] = node.end
    budget = state.budget
    left = budget.left if budget is not None else 0
    with recording() as reads:
        render(node.component, props, node.children, ctx, out)
    if state.sink.reported == n0:  # faulty output is rebuilt, so its errors are reported again
        if len(cache) >= CACHE_MAX:
            cache.clear()
        # What building it cost is charged again at every reuse: a render's budget does not
        # depend on what the cache holds (a loop of reused copies is still written out in full).
        cache[key] = (tuple(out[mark:]), tuple(reads), left - budget.left if budget is not None else 0)


def expand_into(out: list, node: Any, ctx: BuildContext) -> None:
    t = type(node)
    if t is str:
        if node:
            out.append(node)
    elif t is ComponentUse:
        render(node.comp, node.props, node.children, ctx, out)
    elif t is Host:
        out.append(make_element(node.tag, node.props, node.children, ctx))
    elif t is Call:
        state = ctx.state
        cache = state.cache
        if cache is not None:
            key = _cache_key(node, ctx, state)
            if key is not None:
                hit = cache.get(key)
                if hit is None:
                    # First sighting: remember the key only. Recording what a subtree reads costs
                    # about a third of a build, and a text rendered once never meets it again.
                    if len(cache) >= CACHE_MAX:
                        cache.clear()
                    cache[key] = _SEEN_ONCE
                elif hit is not _SEEN_ONCE and (not hit[1] or stamps_hold(hit[1])):
                    if hit[2]:
                        state.charge(hit[2], {START: node.start, END: node.end})
                    if hit[1]:
                        record_stamps(hit[1])  # an enclosing render records what this output read
                    out.extend(hit[0])
                    return
                else:
                    _render_recorded(node, ctx, state, cache, key, out)
                    return
        props = dict(node.props)
        props[START] = node.start
        props[END] = node.end
        render(node.component, props, node.children, ctx, out)
    elif t is Element:
        out.append(node)
    elif t is list or t is tuple:
        for n in node:
            expand_into(out, n, ctx)
    elif t is Scoped:
        ctx2 = node.fn(ctx)
        for n in node.children:
            expand_into(out, n, ctx2)
    elif node is None or node is True or node is False:
        return
    elif t is int or t is float:
        out.append(js_num(node))
    else:
        raise ReadError(f"Objects are not valid as a child (found: {js_str(node)}).")


def call(comp: Component, props: dict, children: Any, ctx: BuildContext) -> list:
    """Use an internal component from another component's render function.

    Without a stylesheet an internal component (no documented params, nothing
    required) does no prop processing, so its function is called directly;
    otherwise it goes through :func:`render` like any component use.
    """
    if not ctx.sheet and not comp.public and not comp.required_props and "className" not in props:
        return comp.render(props, children, ctx)
    return [ComponentUse(comp, props, children)]


def expand(nodes: Any, ctx: BuildContext) -> list:
    out: list = []
    expand_into(out, nodes, ctx)
    return out
