"""The build engine: contexts, nodes, attribute casting, whitespace, IR elements.

Rendering follows the reference's React model with explicit plumbing:

* a *node* is ``str``, a :class:`~poml._tree.Call` (from expansion), an
  :class:`El` (a component use made by another component), a :class:`Host`
  (an IR element whose children are not rendered yet), a :class:`Scoped`
  (children rendered under a changed context: the React providers), an
  :class:`~poml.ir.Element` (final) or a list (a fragment);
* a component function ``fn(props, children, ctx)`` returns a list of nodes;
  the engine expands them in the same context;
* :class:`Ctx` is immutable and small: presentation, markup language or
  serializer, writer options, header level, stylesheet, the chat-example flag
  and the per-build state (diagnostic sink).

Props carry their source span under the keys ``@s``/``@e`` (the reference's
``originalStartIndex``/``originalEndIndex``) and pass it on through ``others``
exactly as the reference's components spread their props.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import re
from typing import Any, Optional

from renderers import _js
from renderers._speakers import VALID_SPEAKERS

from .._errors import DiagnosticSink, PomlComponentError, PomlError, error_class, error_message
from .._files import _stamp as _restamp_one, recording as _recording, stamps_hold as _stamps_hold
from .._tree import Call
from ..template import expressions as _x
from ..template.js import ExpressionSyntaxError
from ..ir import Element
from .. import styles as _styles
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


class State:
    """Per-build mutable state: where diagnostics go."""

    __slots__ = ("sink", "source", "file_loader", "keys", "cache", "ctx_keys", "sheet_keys", "loader_key",
                 "sheets", "registry")

    def __init__(self, sink: DiagnosticSink, source=None, file_loader=None, cache=None, registry=None):
        self.sink = sink
        self.registry = registry    # the ComponentRegistry of the render (its media loader)
        self.source = source
        self.file_loader = file_loader
        self.keys: dict = {}        # id(Call) -> structural key (None: not cacheable)
        self.cache = cache          # shared {(call key, ctx key): output tuple} or None
        self.ctx_keys: dict = {}    # id(Ctx) -> ctx key
        self.sheet_keys: dict = {}  # id(stylesheet) -> its canonical text
        self.loader_key: Any = None  # base folder, roots and network setting of the file loader
        self.sheets: dict = {}      # id(stylesheet) -> (stylesheet, its CompiledSheet), once per build

    def compiled_sheet(self, sheet: Any) -> Any:
        hit = self.sheets.get(id(sheet))
        if hit is None or hit[0] is not sheet:
            hit = self.sheets[id(sheet)] = (sheet, _styles.CompiledSheet(sheet))
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


class Ctx:
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

    def env(self, pres, lang, wopts) -> "Ctx":
        return Ctx(pres, lang, wopts, self.level, self.sheet, self.chat_ex, self.state)

    def with_level(self, level: int) -> "Ctx":
        return Ctx(self.pres, self.lang, self.wopts, level, self.sheet, self.chat_ex, self.state)

    def with_chat(self, chat: bool) -> "Ctx":
        return Ctx(self.pres, self.lang, self.wopts, self.level, self.sheet, chat, self.state)

    def with_sheet(self, sheet: dict) -> "Ctx":
        return Ctx(self.pres, self.lang, self.wopts, self.level, sheet, self.chat_ex, self.state)


class El:
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


# ---------------------------------------------------------------- JS-like values

# The template layer owns JavaScript value semantics; components only add RegExp values.

js_num = _js.format_number  # number to text as JavaScript's String(n)


def _regexps_as_objects(v: Any) -> Any:
    if isinstance(v, JsRegExp):
        return {}
    if isinstance(v, dict):
        return {k: _regexps_as_objects(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_regexps_as_objects(x) for x in v]
    return v


def js_json(v: Any) -> str:
    """``JSON.stringify(v)``: compact, non-ASCII kept (a RegExp is ``{}`` as in JavaScript).

    RegExp values only come from RegExp-typed attributes, so they sit at the top
    level or in a list of such values, never deep inside context data.
    """
    if isinstance(v, JsRegExp) or (isinstance(v, (list, tuple)) and any(isinstance(x, JsRegExp) for x in v)):
        v = _regexps_as_objects(v)
    return _x.js_json_stringify(v)


def js_str(v: Any) -> str:
    """``String(v)`` for values that reach text."""
    if isinstance(v, JsRegExp):
        return v.source_text
    return _x.js_to_string(v)


js_truthy = _x.js_truthy


def parse_float(v: Any) -> Any:
    """JavaScript ``parseFloat``: the longest numeric prefix of ``String(v)``, else NaN."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return _js.js_parse_float(js_str(v))


class JsRegExp:
    """A regular expression written ``/pattern/flags`` or as a bare pattern (a RegExp attribute).

    It runs on the template layer's safe engine: JavaScript syntax, and matching under the
    render's regex-time budget, so a pattern from markup can never backtrack for long.
    """

    __slots__ = ("pattern", "flags", "regex", "source_text")

    def __init__(self, pattern: str, flags: str = ""):
        from ..template.js import safe_regex

        self.pattern = pattern
        self.flags = flags
        self.regex = safe_regex(pattern, flags)
        self.source_text = f"/{pattern}/{flags}"

    def search(self, text: str):
        return self.regex.search(text)

    def __repr__(self) -> str:
        return f"JsRegExp({self.source_text!r})"


parse_json = _js.parse_json  # JSON.parse; its errors are ValueErrors


# ---------------------------------------------------------------- props

def preprocess(comp: Component, props: dict, state: State) -> dict:
    """Match attributes against the documented params case-insensitively and cast them."""
    pm = comp.param_map
    if not pm:
        return props
    out: dict = {}
    for key, value in props.items():
        p = pm.get(key.lower()) if key and key[0] != "@" else None
        if p is None or value is None:
            out[key] = value
            continue
        t = p.type
        if t == "string":
            if type(value) is not str:
                value = js_str(value)
        elif t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                value = parse_float(value)
        elif t == "boolean":
            if type(value) is not bool:
                s = js_str(value).lower()
                is_true = s in ("1", "true")
                if not is_true and s not in ("0", "false"):
                    state.read_error(f'"{key}" should be a boolean', props)
                value = is_true
        elif t == "object" or t == "object|string":
            if type(value) is str:
                try:
                    value = parse_json(value)
                except ValueError:
                    if p.fallback_type != "string":
                        state.read_error(f'Fail to parse "{key}" with JSON parser', props)
        elif t == "RegExp" or t == "RegExp|string":
            if type(value) is str:
                value = _to_regexp(value)
        if p.choices and value not in p.choices:
            state.read_error(
                f'"{key}" should be one of {", ".join(p.choices)}, not {js_str(value)}', props)
        out[p.name] = value
    return out


_RE_FLAGS = re.compile(r"^[gimsuy]*$")


def _to_regexp(value: str) -> Any:
    try:
        if value.startswith("/"):
            last = value.rfind("/")
            if last > 0:
                pattern, flags = value[1:last], value[last + 1:]
                if flags and _RE_FLAGS.match(flags):
                    return JsRegExp(pattern, flags)
                if last == len(value) - 1:
                    return JsRegExp(pattern)
            return value
        return JsRegExp(value)
    except ExpressionSyntaxError as e:
        raise ReadError(f"Invalid regular expression: {value}: {e}")


# ---------------------------------------------------------------- whitespace

_WS_RUN = re.compile(r"[\t\n\r ]+")


def trim_text(text: str, first: bool, last: bool) -> str:
    """Collapse whitespace like CSS ``white-space: normal`` (runs -> one space, ends trimmed)."""
    text = _WS_RUN.sub(" ", text)
    if first:
        text = text.lstrip(" ")
    if last:
        text = text.rstrip(" ")
    return text


def _flatten(children: Any, out: list) -> None:
    for c in children:
        if c is None or c is True or c is False:
            continue
        if type(c) is list or type(c) is tuple:
            _flatten(c, out)
        else:
            out.append(c)


def trim_children(children: Any, white_space: Any, props: Optional[dict], state: State) -> list:
    """The reference's trimChildrenWhiteSpace: flatten fragments, merge strings, trim text."""
    if not children:
        return []
    if type(children) is str:
        flat: Any = [children]
    else:
        flat = children
        for c in children:
            tc = type(c)
            if tc is list or tc is tuple or c is None or c is True or c is False:
                flat = []
                _flatten(children, flat)
                break
    if white_space == "pre":
        return [c for c in flat if c != ""]
    merged: list = []
    prev_str = False
    has_str = False
    for c in flat:
        if type(c) is str:
            if prev_str:
                merged[-1] += c
            else:
                merged.append(c)
                prev_str = has_str = True
        else:
            merged.append(c)
            prev_str = False
    if not has_str:
        return merged
    n = len(merged) - 1
    out = []
    for i, c in enumerate(merged):
        if type(c) is str:
            if white_space is None or white_space == "filter":
                c = _WS_RUN.sub(" ", c)
                if i == 0:
                    c = c.lstrip(" ")
                if i == n:
                    c = c.rstrip(" ")
            elif white_space == "trim":
                if i == 0:
                    c = c.lstrip()
                if i == n:
                    c = c.rstrip()
            else:
                state.read_error(f'"{js_str(white_space)}" is not a valid whiteSpace option.', props)
            if c == "":
                continue
        out.append(c)
    return out


# ---------------------------------------------------------------- IR elements

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


def make_element(tag: str, props: dict, children: Any, ctx: Ctx) -> Element:
    """The reference's irElement: attributes to kebab-case text, children trimmed and rendered."""
    state = ctx.state
    attrs: dict[str, str] = {}
    for k, v in props.items():
        if v is None or k[:1] == "@":
            continue
        if k == "speaker" and js_truthy(v) and v not in VALID_SPEAKERS:
            state.read_error(f'"{js_str(v)}" is not a valid speaker.', props)
            continue
        attrs[kebab(k)] = ir_value(v)
    kids = trim_children(children, props.get("whiteSpace"), props, state)
    out: list = []
    for c in kids:
        expand_into(out, c, ctx)
    # Adjacent strings stay separate: they are separate text nodes in the
    # reference's output (React writes ``<!-- -->`` between them), which the
    # serialize and html writers can tell apart.
    start = props.get(START)
    end = props.get(END)
    return Element(tag, attrs, out, start, end)


# ---------------------------------------------------------------- rendering

# Called with (component, exception) when a component fails with something other
# than a ReadError (a bug, or a loader failure): tests use it to catch those.
ON_UNEXPECTED = None


def render(comp: Component, props: dict, children: Any, ctx: Ctx, out: list) -> None:
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
                props = _styles.compute_styles(props, comp.lower_aliases, sheet, state.compiled_sheet(sheet))
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
    except Exception as e:  # a failure inside a component renders nothing, like the reference
        if ON_UNEXPECTED is not None:
            ON_UNEXPECTED(comp, e)
        state.error(f"Error in component render of {comp.name}: Error: {e}", props.get(START), props.get(END))
        return
    if result:
        for n in result:
            expand_into(out, n, ctx)


def _restamp(stamps: tuple) -> None:
    for stamp in stamps:
        _restamp_one(stamp)


_SEEN_ONCE = ((), ())  # the build-cache entry of a subtree met once: its output is not kept


def _render_recorded(node: Call, ctx: Ctx, state: State, cache: dict, key: Any, out: list) -> None:
    """Render a subtree met before and keep its output with the stamps of what it read."""
    n0 = len(state.sink.items)
    mark = len(out)
    props = dict(node.props)
    props[START] = node.start
    props[END] = node.end
    with _recording() as reads:
        render(node.component, props, node.children, ctx, out)
    if len(state.sink.items) == n0:  # faulty output is rebuilt, so its errors are reported again
        if len(cache) >= CACHE_MAX:
            cache.clear()
        cache[key] = (tuple(out[mark:]), tuple(reads))


def expand_into(out: list, node: Any, ctx: Ctx) -> None:
    t = type(node)
    if t is str:
        if node:
            out.append(node)
    elif t is El:
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
                elif hit is not _SEEN_ONCE and (not hit[1] or _stamps_hold(hit[1])):
                    if hit[1]:
                        _restamp(hit[1])  # an enclosing render records what this output read
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


# ---------------------------------------------------------------- reuse of identical subtrees

CACHE_MAX = 10_000
_MAX_CACHED_TEXT = 4096  # longer text (a pasted document...) is not worth keeping
_PLAIN = (str, int, float, bool, type(None))


class _PlainDataPickler(pickle.Pickler):
    """Pickles plain data only: the C pickler handles str, numbers, lists, tuples and dicts
    itself and asks this hook about anything else, which is refused."""

    def reducer_override(self, obj: Any) -> Any:
        raise TypeError(type(obj).__name__)


def _freeze(v: Any) -> Any:
    """A hashable image of plain data, or ``TypeError`` when ``v`` is not worth caching.

    Containers become a digest of their pickle: the C pickler walks them at C speed,
    writes a shared or cyclic sub-value once (so ``[d, d]`` doubled 26 times stays small),
    and stops at the recursion limit without raising it; equal digests mean equal data.
    """
    t = type(v)
    if t in _PLAIN:
        return (t, v) if t is not str else v
    if t is not list and t is not tuple and t is not dict:
        raise TypeError(t.__name__)
    buffer = io.BytesIO()
    try:
        _PlainDataPickler(buffer, protocol=5).dump(v)
    except (pickle.PicklingError, RecursionError, ValueError) as exc:
        raise TypeError(str(exc)) from None
    return ("P", hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest())


def call_key(node: Call, keys: dict) -> Any:
    """A hashable key for a Call subtree (None when it must not be reused)."""
    nid = id(node)
    if nid in keys:
        return keys[nid]
    key: Any = None
    comp = node.component
    cacheable = comp.cacheable
    if cacheable:
        props = node.props
        if props:
            vals = props.values()
            pk = (tuple(props.items()), tuple(map(type, vals)))
            try:
                hash(pk)
            except TypeError:
                try:
                    pk = tuple((name, _freeze(v)) for name, v in props.items())
                except TypeError:
                    pk = None
            if pk is not None:
                for v in vals:
                    if type(v) is str and len(v) > _MAX_CACHED_TEXT:
                        pk = None
                        break
        else:
            pk = ()
        if pk is not None:
            kids: Any = []
            append = kids.append
            for c in node.children:
                if type(c) is str:
                    if len(c) > _MAX_CACHED_TEXT:
                        kids = None
                        break
                    append(c)
                elif type(c) is Call:
                    ck = call_key(c, keys)
                    if ck is None:
                        kids = None
                        break
                    append(ck)
                else:
                    kids = None
                    break
            if kids is not None:
                key = (id(comp), node.start, node.end, pk, tuple(kids))
    keys[nid] = key
    return key


def _cache_key(node: Call, ctx: Ctx, state: State) -> Any:
    if ctx.wopts is not None:
        return None
    ck = call_key(node, state.keys)
    if ck is None:
        return None
    cid = id(ctx)
    xk = state.ctx_keys.get(cid)
    if xk is None:
        sheet = ctx.sheet
        sk = state.sheet_keys.get(id(sheet))
        if sk is None:
            sk = state.sheet_keys[id(sheet)] = _sheet_key(sheet)
            state.keys[("sheet", id(sheet))] = sheet  # keep it alive so its id stays unique
        xk = (ctx.pres, ctx.lang, ctx.level, ctx.chat_ex, sk, state.loader_key)
        state.ctx_keys[cid] = xk
        state.keys[("ctx", cid)] = ctx  # keep the ctx alive so its id stays unique
    return (ck, xk)


def _sheet_key(sheet: dict) -> Any:
    if not sheet:
        return ""
    try:
        return json.dumps(sheet, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return ("id", id(sheet))


def call(comp: Component, props: dict, children: Any, ctx: Ctx) -> list:
    """Use an internal component from another component's render function.

    Without a stylesheet an internal component (no documented params, nothing
    required) does no prop processing, so its function is called directly;
    otherwise it goes through :func:`render` like any component use.
    """
    if not ctx.sheet and not comp.public and not comp.required_props and "className" not in props:
        return comp.render(props, children, ctx)
    return [El(comp, props, children)]


def expand(nodes: Any, ctx: Ctx) -> list:
    out: list = []
    expand_into(out, nodes, ctx)
    return out


# ---------------------------------------------------------------- helpers for components

def file_access(ctx: Ctx) -> Any:
    """The render's :class:`~poml._files.FileAccess` (it carries the Environment's memo), or None."""
    loader = ctx.state.file_loader
    return loader.access if loader is not None else None


def without(props: dict, *keys: str) -> dict:
    """A copy of ``props`` without ``keys`` (the ``...others`` of a destructuring)."""
    d = props.copy()
    for k in keys:
        if k in d:
            del d[k]
    return d


MARKUP_SYNTAXES = ("markdown", "html", "csv", "tsv")
SERIALIZE_SYNTAXES = ("json", "yaml", "xml")
FREE_SYNTAXES = ("text",)
MULTIMEDIA_SYNTAXES = ("multimedia",)


def syntax_presentation(props: dict, ctx: Ctx, default: Optional[str] = None,
                        invalid: tuple = ("multimedia",)) -> str:
    """The reference's computeSyntaxContext: presentation from ``syntax`` or the context."""
    syntax = props.get("syntax")
    pres = None
    if not js_truthy(syntax):
        syntax = None
    elif syntax in MARKUP_SYNTAXES:
        if "markup" in invalid:
            raise ReadError(f"Markup syntax ({syntax}) is not supported here.", props)
        pres = "markup"
    elif syntax in SERIALIZE_SYNTAXES:
        if "serialize" in invalid:
            raise ReadError(f"Serialize syntax ({syntax}) is not supported here.", props)
        pres = "serialize"
    elif syntax in FREE_SYNTAXES:
        if "free" in invalid:
            raise ReadError(f"Free syntax ({syntax}) is not supported here.", props)
        pres = "free"
    elif syntax in MULTIMEDIA_SYNTAXES:
        if "multimedia" in invalid:
            raise ReadError(f"Multimedia syntax ({syntax}) is not supported here.", props)
        pres = "multimedia"
    else:
        raise ReadError(f"Unsupported syntax: {js_str(syntax)}", props)
    if pres is None:
        pres = ctx.pres
        if pres is None or pres == "free":
            d = default or "markdown"
            return syntax_presentation({"syntax": d, START: props.get(START), END: props.get(END)},
                                       ctx, default, invalid)
    return pres
