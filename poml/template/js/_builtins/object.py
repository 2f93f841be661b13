"""``Object.*`` and ``Array``/``Array.from``: building objects and arrays from others."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from renderers._js import js_ordered

from ...._limits import MAX_ARRAY_ITEMS
from .._access import _check_prop
from .._budget import ITEM_COST, _charge, _check_list
from .._calls import _arg, _call, _callback
from .._errors import ExpressionError, ExpressionSandboxError
from .._values import UNDEFINED, JSSet, _is_num, _to_integer, iterated, js_to_string


def _enumerated(o: Mapping) -> dict:
    """``o``'s members as JavaScript enumerates them: keys as strings, index-like keys first
    in ascending order, then the others as inserted (a dict from the scope keeps Python's order)."""
    if type(o) is not dict or not all(type(k) is str for k in o):
        o = {(k if type(k) is str else js_to_string(k)): v for k, v in o.items()}
    return js_ordered(o)


def _object_keys(o: Any) -> list:
    if o is None or o is UNDEFINED:
        raise ExpressionError("Cannot convert undefined or null to object")
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list(list(_enumerated(o)))
    if isinstance(o, (list, tuple, str)):
        return _check_list([str(i) for i in range(len(o))])
    return []


def _object_values(o: Any) -> list:
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list(list(_enumerated(o).values()))
    if isinstance(o, (list, tuple, str)):
        return _check_list(list(o))
    _object_keys(o)
    return []


def _object_entries(o: Any) -> list:
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list([[k, v] for k, v in _enumerated(o).items()])
    if isinstance(o, (list, tuple, str)):
        return _check_list([[str(i), v] for i, v in enumerate(o)])
    _object_keys(o)
    return []


def _object_from_entries(a: list) -> dict:
    src = _arg(a, 0)
    if not isinstance(src, (list, tuple)):
        raise ExpressionError(f"{js_to_string(src)} is not iterable")
    _charge(len(src))
    out = {}
    for e in src:
        if not isinstance(e, (list, tuple)):
            raise ExpressionError(f"Iterator value {js_to_string(e)} is not an entry object")
        k = _to_property_key(_arg(list(e[:2]), 0))
        out[k] = _arg(list(e[:2]), 1)
    return js_ordered(out)


def _object_assign(a: list) -> Any:
    """``Object.assign(target, ...sources)`` as a copy: the scope's data is read-only here,
    so the result is a new object (the usual ``Object.assign({}, a, b)`` is unaffected)."""
    target = _arg(a, 0)
    if target is None or target is UNDEFINED:
        raise ExpressionError("Cannot convert undefined or null to object")
    out: dict = dict(target) if isinstance(target, Mapping) else {}
    for src in a[1:]:
        spread_into(out, src)
    return js_ordered(out)


def spread_into(out: dict, src: Any) -> None:
    """``{...out, ...src}``: copy ``src``'s own members (an array's or string's by index) into ``out``."""
    if isinstance(src, Mapping):
        _charge(len(src))
        # Copied keys are data (even a "__class__" key stays in a spread copy and in its JSON);
        # only reading a dunder by name is refused, so nothing here needs the property check.
        for k, v in src.items():
            out[k if type(k) is str else js_to_string(k)] = v
    elif isinstance(src, (list, tuple, str)):
        _charge(len(src))
        for i, v in enumerate(src):
            out[str(i)] = v
    if len(out) > MAX_ARRAY_ITEMS:
        raise ExpressionSandboxError(f"object larger than {MAX_ARRAY_ITEMS} members")


def _to_property_key(k: Any) -> str:
    k = k if type(k) is str else js_to_string(k)
    _check_prop(k)
    return k


def _array_ctor(a: list) -> list:
    if len(a) == 1 and _is_num(a[0]):
        n = a[0]
        if n != n or n < 0 or not float(n).is_integer() or n >= 2 ** 32:
            raise ExpressionError("Invalid array length")
        if n > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        return _check_list([UNDEFINED] * int(n))
    return _check_list(list(a))


def _array_from(a: list) -> list:
    src = _arg(a, 0)
    if isinstance(src, (list, tuple, str)) or type(src) is JSSet:
        items = list(iterated(src))
    elif isinstance(src, Mapping):
        n = _to_integer(src.get("length", 0))
        if n > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        items = [src.get(str(i), UNDEFINED) for i in range(max(0, int(n)))]
    else:
        items = []
    _check_list(items)
    if len(a) > 1:
        f = _callback(a, 1, len(items))
        items = [_call(f, [x, i]) for i, x in enumerate(items)]
    return items
