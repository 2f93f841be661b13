"""JavaScript operators: arithmetic, comparison, equality and ``in``, with JS conversions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Callable, Optional

from ._budget import _check_str
from ._errors import ExpressionError
from ._values import _FUNCTION_TYPES, _array_index, _INF, _NAN, _SAFE_INT, _is_num, _norm, _to_number, _to_primitive, js_to_string, js_typeof


# --------------------------------------------------------------------------- operators

def _add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        r = a + b
        return r if -_SAFE_INT <= r <= _SAFE_INT else _norm(r)
    if ta is str and tb is str:
        if len(a) + len(b) > 4096:
            return _check_str(a + b)
        return a + b
    a = _to_primitive(a)
    b = _to_primitive(b)
    if isinstance(a, str) or isinstance(b, str):
        return _check_str(js_to_string(a) + js_to_string(b))
    return _arith_norm(_to_number(a) + _to_number(b))


def _arith_norm(r: float | int) -> float | int:
    if type(r) is int:
        return r if -_SAFE_INT <= r <= _SAFE_INT else _norm(r)
    return r


def _sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _arith_norm(a - b)
    return _arith_norm(_to_number(a) - _to_number(b))


def _mul(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if type(a) is int and type(b) is int:
        return _arith_norm(a * b)
    try:
        return a * b
    except OverflowError:
        return float(a) * float(b)


def _div(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if b == 0:
        if a != a or a == 0:
            return _NAN
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -_INF if neg else _INF
    try:
        r = a / b
    except OverflowError:
        r = float(a) / float(b)
    return _norm(r)


def _mod(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if type(a) is int and type(b) is int:
        if b == 0:
            return _NAN
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    try:
        return _norm(math.fmod(a, b))
    except (ValueError, OverflowError):
        return _NAN


def _pow(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if b != b:
        return _NAN
    if b == 0:
        return 1
    if a != a or (abs(a) == 1 and b in (_INF, -_INF)):
        return _NAN
    try:
        r = math.pow(a, b)
    except OverflowError:
        odd = float(b).is_integer() and int(b) % 2 == 1
        r = -_INF if (a < 0 and odd) else _INF
    except ValueError:
        if a == 0:
            odd = float(b).is_integer() and int(b) % 2 == 1
            r = -_INF if (odd and math.copysign(1.0, a) < 0) else _INF
        else:
            r = _NAN
    return _norm(r)


def _neg(a: Any) -> Any:
    a = _to_number(a)
    if type(a) is int:
        return -a if a != 0 else -0.0
    return -a


def _compare(a: Any, b: Any) -> Optional[tuple]:
    """Operands of a relational comparison, after JS conversions (None when NaN)."""
    a, b = _to_primitive(a), _to_primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    a, b = _to_number(a), _to_number(b)
    if a != a or b != b:
        return None
    return a, b


def _lt(a: Any, b: Any) -> bool:
    if type(a) is int and type(b) is int:
        return a < b
    p = _compare(a, b)
    return p is not None and p[0] < p[1]


def _le(a: Any, b: Any) -> bool:
    if type(a) is int and type(b) is int:
        return a <= b
    p = _compare(a, b)
    return p is not None and p[0] <= p[1]


def _gt(a: Any, b: Any) -> bool:
    return _lt(b, a)


def _ge(a: Any, b: Any) -> bool:
    return _le(b, a)


def _kind(v: Any) -> str:
    """Type tag used by equality: like typeof, but null is 'null'."""
    if v is None:
        return "null"
    return js_typeof(v)


def _strict_eq(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if ka == "number" or ka == "string" or ka == "boolean":
        return a == b
    if ka == "null" or ka == "undefined":
        return True
    return a is b


def _loose_eq(a: Any, b: Any, depth: int = 0) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka == kb:
        return _strict_eq(a, b)
    nullish = ("null", "undefined")
    if ka in nullish or kb in nullish:
        return ka in nullish and kb in nullish
    if depth > 4:
        return False
    if ka == "number" and kb == "string":
        return a == _to_number(b)
    if ka == "string" and kb == "number":
        return _to_number(a) == b
    if ka == "boolean":
        return _loose_eq(1 if a else 0, b, depth + 1)
    if kb == "boolean":
        return _loose_eq(a, 1 if b else 0, depth + 1)
    if ka in ("number", "string") and kb in ("object", "function"):
        return _loose_eq(a, _to_primitive(b), depth + 1)
    if kb in ("number", "string") and ka in ("object", "function"):
        return _loose_eq(_to_primitive(a), b, depth + 1)
    return False


def _same_value_zero(a: Any, b: Any) -> bool:
    if _is_num(a) and _is_num(b) and a != a and b != b:
        return True
    return _strict_eq(a, b)


def _in(key: Any, obj: Any) -> bool:
    if isinstance(obj, Mapping):
        k = key if type(key) is str else js_to_string(key)
        return k in obj
    if isinstance(obj, (list, tuple)):
        k = js_to_string(key)
        if k == "length":
            return True
        i = _array_index(k)
        return i is not None and i < len(obj)
    if isinstance(obj, _FUNCTION_TYPES):
        return False
    raise ExpressionError(
        f"Cannot use 'in' operator to search for '{js_to_string(key)}' in {js_to_string(obj)}")


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "-": _sub, "*": _mul, "/": _div, "%": _mod, "**": _pow,
    "<": _lt, "<=": _le, ">": _gt, ">=": _ge,
    "===": _strict_eq, "!==": lambda a, b: not _strict_eq(a, b),
    "==": _loose_eq, "!=": lambda a, b: not _loose_eq(a, b),
    "in": _in, "+": _add,
}
