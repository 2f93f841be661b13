"""Array.prototype methods: ``fn(this, args)``; callbacks are charged per call."""

from __future__ import annotations

import functools
from typing import Any, Callable

from ...._limits import MAX_ARRAY_ITEMS
from .._budget import ITEM_COST, _charge, _check_list, _check_str
from .string import _s_at
from .._calls import _arg, _call, _callback, _rel_index
from .._errors import ExpressionError, ExpressionSandboxError
from .._operators import _same_value_zero, _strict_eq
from .._values import check_printed_size, MAX_VALUE_DEPTH, UNDEFINED, _join, _to_integer, _to_number, js_to_string, js_truthy


# ---- array methods

def _a_join(arr: Any, a: list) -> str:
    _charge(len(arr) * ITEM_COST)
    sep = "," if _arg(a, 0) is UNDEFINED else js_to_string(_arg(a, 0))
    check_printed_size(arr)
    return _check_str(_join(arr, sep))


def _a_slice(arr: Any, a: list) -> list:
    n = len(arr)
    return _check_list(list(arr[_rel_index(_arg(a, 0), n, 0):_rel_index(_arg(a, 1), n, n)]))


def _a_index_of(arr: Any, a: list) -> int:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    for i in range(_rel_index(_arg(a, 1), len(arr), 0), len(arr)):
        if _strict_eq(arr[i], v):
            return i
    return -1


def _a_last_index_of(arr: Any, a: list) -> int:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    # A position counts back from the end when negative and caps at the last index (ECMA-262).
    start = len(arr) - 1 if len(a) < 2 else _to_integer(a[1])
    start = int(min(start, len(arr) - 1) if start >= 0 else max(len(arr) + start, -1))
    for i in range(start, -1, -1):
        if _strict_eq(arr[i], v):
            return i
    return -1


def _a_includes(arr: Any, a: list) -> bool:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    return any(_same_value_zero(x, v) for x in arr[_rel_index(_arg(a, 1), len(arr), 0):])


def _a_concat(arr: Any, a: list) -> list:
    out = list(arr)
    for x in a:
        if isinstance(x, (list, tuple)):
            out.extend(x)
        else:
            out.append(x)
        if len(out) > MAX_ARRAY_ITEMS:
            break
    return _check_list(out)


def _a_map(arr: Any, a: list) -> list:
    f = _callback(a, 0, len(arr))
    return [_call(f, [x, i, arr]) for i, x in enumerate(arr)]


def _a_filter(arr: Any, a: list) -> list:
    f = _callback(a, 0, len(arr))
    return [x for i, x in enumerate(arr) if js_truthy(_call(f, [x, i, arr]))]


def _a_flat_map(arr: Any, a: list) -> list:
    return _a_concat([], _a_map(arr, a))  # concat flattens one level, with the same size check


def _a_some(arr: Any, a: list) -> bool:
    f = _callback(a, 0, len(arr))
    return any(js_truthy(_call(f, [x, i, arr])) for i, x in enumerate(arr))


def _a_every(arr: Any, a: list) -> bool:
    f = _callback(a, 0, len(arr))
    return all(js_truthy(_call(f, [x, i, arr])) for i, x in enumerate(arr))


def _a_find(arr: Any, a: list, want_index: bool, from_end: bool = False) -> Any:
    f = _callback(a, 0, len(arr))
    for i in (range(len(arr) - 1, -1, -1) if from_end else range(len(arr))):
        if js_truthy(_call(f, [arr[i], i, arr])):
            return i if want_index else arr[i]
    return -1 if want_index else UNDEFINED


def _a_with(arr: Any, a: list) -> list:
    """``arr.with(i, v)``: a copy with one item replaced (a negative ``i`` counts from the end)."""
    i = _to_integer(_arg(a, 0))
    at = i if i >= 0 else len(arr) + i
    if not 0 <= at < len(arr):
        raise ExpressionError(f"Invalid index : {js_to_string(i)}")
    out = list(arr)
    out[int(at)] = _arg(a, 1)
    return _check_list(out)


def _a_reduce(arr: Any, a: list, from_end: bool = False) -> Any:
    f = _callback(a, 0, len(arr))
    items = list(enumerate(arr))
    if from_end:
        items.reverse()
    if len(a) >= 2:
        acc = a[1]
    elif items:
        acc = items.pop(0)[1]
    else:
        raise ExpressionError("Reduce of empty array with no initial value")
    for i, x in items:
        acc = _call(f, [acc, x, i, arr])
    return acc


def _a_flat(arr: Any, a: list) -> list:
    depth = 1 if _arg(a, 0) is UNDEFINED else _to_integer(_arg(a, 0))
    out: list = []

    def walk(xs: Any, d: float | int, level: int) -> None:
        if level > MAX_VALUE_DEPTH:
            raise ExpressionSandboxError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
        for x in xs:
            if d >= 1 and isinstance(x, (list, tuple)):
                walk(x, d - 1, level + 1)
            else:
                out.append(x)
                if len(out) > MAX_ARRAY_ITEMS:
                    raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")

    _charge(len(arr) * ITEM_COST)
    walk(arr, depth, 0)
    _charge(len(out) * ITEM_COST)
    return _check_list(out)


def _sort_key_default(x: Any) -> tuple:
    # JS default sort: undefined last, everything else by its string form
    return (x is UNDEFINED, "" if x is UNDEFINED else js_to_string(x))


def _a_sort(arr: Any, a: list) -> list:
    items = list(arr)
    _charge(len(items) * max(1, len(items).bit_length()))
    cmp = _arg(a, 0)
    if cmp is UNDEFINED:
        return sorted(items, key=_sort_key_default)
    f = _callback(a, 0, len(items) * max(1, len(items).bit_length()))
    undef = [x for x in items if x is UNDEFINED]
    rest = [x for x in items if x is not UNDEFINED]

    def compare(x: Any, y: Any) -> int:
        r = _to_number(_call(f, [x, y]))
        return 0 if r != r or r == 0 else (1 if r > 0 else -1)

    return sorted(rest, key=functools.cmp_to_key(compare)) + undef


_ARR_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "join": _a_join,
    "slice": _a_slice,
    "includes": _a_includes,
    "indexOf": _a_index_of,
    "lastIndexOf": _a_last_index_of,
    "concat": _a_concat,
    "at": _s_at,
    "map": _a_map,
    "filter": _a_filter,
    "flatMap": _a_flat_map,
    "some": _a_some,
    "every": _a_every,
    "find": lambda arr, a: _a_find(arr, a, False),
    "findIndex": lambda arr, a: _a_find(arr, a, True),
    "findLast": lambda arr, a: _a_find(arr, a, False, from_end=True),
    "findLastIndex": lambda arr, a: _a_find(arr, a, True, from_end=True),
    "with": _a_with,
    "reduce": _a_reduce,
    "reduceRight": lambda arr, a: _a_reduce(arr, a, from_end=True),
    "flat": _a_flat,
    "reverse": lambda arr, a: _check_list(list(reversed(arr))),  # a copy: the scope is read-only
    "toReversed": lambda arr, a: _check_list(list(reversed(arr))),
    "sort": _a_sort,
    "toSorted": _a_sort,
    "toString": lambda arr, a: _a_join(arr, []),
    # Iterators in JavaScript; arrays here, which spread and loop the same way.
    "keys": lambda arr, a: _check_list(list(range(len(arr)))),
    "values": lambda arr, a: _check_list(list(arr)),
    "entries": lambda arr, a: _check_list([[i, v] for i, v in enumerate(arr)]),
}


# A Set's methods (``new Set(xs)``): the ones that read it. Iterators are arrays here, as above.
SET_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "has": lambda s, a: _arg(a, 0) in s,
    "values": lambda s, a: s.values(),
    "keys": lambda s, a: s.values(),
    "entries": lambda s, a: [[v, v] for v in s.values()],
}
