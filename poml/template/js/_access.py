"""Reading properties and calling methods, behind the sandbox's deny-lists.

No Python attribute lookup happens here: each value type has an explicit table of
what can be read or called on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._builtins.array import _ARR_METHODS
from ._builtins.number import _BOOL_METHODS, _NUM_METHODS
from ._builtins.regexp import MATCH_PROPS, REGEXP_METHODS, match_property, regexp_property
from ._builtins.string import _STR_METHODS
from ._builtins.array import SET_METHODS
from ._regex import JSRegExp, MatchArray
from ._calls import _call, _charged
from ._errors import ExpressionError, ExpressionSandboxError
from ._values import UNDEFINED, JSSet, _array_index, _Bound, _Builtin, _is_num, js_to_string


# --------------------------------------------------------------------------- property access

_FORBIDDEN_NAMES = frozenset({
    "constructor", "prototype", "__proto__", "globalThis", "window", "process", "require",
    "import", "eval", "Function", "this", "new", "global", "arguments", "module", "exports",
    "Reflect", "Proxy", "Symbol", "setTimeout", "setInterval", "fetch", "XMLHttpRequest",
    "WebAssembly", "Deno", "Bun",
})
_FORBIDDEN_PROPS = frozenset({"constructor", "prototype", "__proto__", "caller", "callee"})


def _dunder(name: str) -> bool:
    """A Python special name (``__class__``, ``__globals__``). Reads never reach Python attributes
    (every value type has its own table), so this refusal is a second wall; names that merely start
    with ``_`` are everyday data (``hit._source``, ``doc._id``, ``__typename``, ``(_, i) => i``)."""
    return len(name) > 4 and name[:2] == "__" and name[-2:] == "__"


def _check_prop(name: str, start: int = -1, end: int = -1) -> None:
    if name in _FORBIDDEN_PROPS or (name[:2] == "__" and _dunder(name)):
        raise ExpressionSandboxError(f"access to property '{name}' is not allowed", start, end)


_WHY = {"new": ": expressions build no objects but a Set (new Set(items)); new Date, new Map and the rest "
               "are not supported"}


def _check_name(name: str, start: int = -1, end: int = -1) -> None:
    if name in _FORBIDDEN_NAMES or (name[:2] == "__" and _dunder(name)):
        raise ExpressionSandboxError(f"access to '{name}' is not allowed{_WHY.get(name, '')}", start, end)




def _read_error(obj: Any, key: Any) -> ExpressionError:
    what = "null" if obj is None else "undefined"
    return ExpressionError(f"Cannot read properties of {what} (reading '{js_to_string(key)}')")


def _has_own(o: Mapping, args: list) -> bool:
    key = args[0] if args else UNDEFINED
    key = key if type(key) is str else js_to_string(key)
    return key in o or any(type(k) is not str and js_to_string(k) == key for k in o)


# What every plain object inherits from Object.prototype (an own member of that name wins).
_OBJ_METHODS = {
    "toString": lambda o, a: "[object Object]",
    "hasOwnProperty": _has_own,
    "valueOf": lambda o, a: o,
}


def _object_member(o: Mapping, name: str) -> Any:
    m = _OBJ_METHODS.get(name)
    return _Bound(name, m, o) if m else UNDEFINED


def _get_named(o: Any, name: str) -> Any:
    """``o.name`` for a string key (already sandbox-checked)."""
    if type(o) is dict:
        v = o.get(name, UNDEFINED)
        return v if v is not UNDEFINED or name in o else _object_member(o, name)
    if o is None or o is UNDEFINED:
        raise _read_error(o, name)
    if isinstance(o, str):
        if name == "length":
            return len(o)
        i = _array_index(name)
        if i is not None:
            return o[i] if i < len(o) else UNDEFINED
        m = _STR_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    if isinstance(o, (list, tuple)):
        if name == "length":
            return len(o)
        if type(o) is MatchArray and name in MATCH_PROPS:
            return match_property(o, name)
        i = _array_index(name)
        if i is not None:
            return o[i] if i < len(o) else UNDEFINED
        m = _ARR_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    if isinstance(o, Mapping):
        try:
            return o[name]
        except KeyError:
            return _object_member(o, name)
    if type(o) is _Builtin:
        return o.props.get(name, UNDEFINED)
    if type(o) is JSSet:
        if name == "size":
            return len(o)
        m = SET_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    if type(o) is JSRegExp:
        m = REGEXP_METHODS.get(name)
        if m is not None:
            return _Bound(name, m, o)
        v = regexp_property(o, name)
        return UNDEFINED if v is None else v
    if _is_num(o) or isinstance(o, bool):
        m = _NUM_METHODS.get(name) if not isinstance(o, bool) else _BOOL_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    return UNDEFINED  # opaque values and functions: no properties


def _get_index(o: Any, key: Any) -> Any:
    """``o[key]``."""
    tk = type(key)
    if tk is int and (type(o) is list or type(o) is tuple or type(o) is str):
        return o[key] if 0 <= key < len(o) else UNDEFINED
    if tk is float and key.is_integer() and (type(o) is list or type(o) is tuple or type(o) is str):
        i = int(key)
        return o[i] if 0 <= i < len(o) else UNDEFINED
    if o is None or o is UNDEFINED:
        raise _read_error(o, key)
    k = key if tk is str else js_to_string(key)
    _check_prop(k)
    if isinstance(o, Mapping) and k not in o and tk is int and key in o:
        return o[key]  # Python dicts keyed by ints
    return _get_named(o, k)


def _call_method(o: Any, name: str, args: list, text: str) -> Any:
    t = type(o)
    if t is str:
        m = _STR_METHODS.get(name)
        if m is not None:
            return _charged(m(o, args))
    elif t is list or t is tuple:
        m = _ARR_METHODS.get(name)
        if m is not None:
            return _charged(m(o, args))
    return _call(_get_named(o, name), args, text)
