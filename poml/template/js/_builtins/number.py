"""Number methods, ``Math``, ``parseInt``/``parseFloat``."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from renderers._js import js_parse_float, js_parse_int

from .._calls import _arg
from .._errors import ExpressionError
from .._values import UNDEFINED, _INF, _NAN, _SAFE_INT, _is_num, _norm, _to_integer, _to_number, js_number_to_string, js_to_string


# ---- number methods

def _n_to_fixed(x: Any, a: list) -> str:
    d = _to_integer(_arg(a, 0))
    if not 0 <= d <= 100:
        raise ExpressionError("toFixed() digits argument must be between 0 and 100")
    if x != x or abs(x) >= 1e21 or x in (_INF, -_INF):
        return js_number_to_string(x)
    q = Decimal(x).quantize(Decimal(1).scaleb(-int(d)), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    return s[1:] if s.startswith("-") and q == 0 else s


def _n_to_string(x: Any, a: list) -> str:
    radix = _arg(a, 0)
    r = 10 if radix is UNDEFINED else _to_integer(radix)
    if not 2 <= r <= 36:
        raise ExpressionError("toString() radix must be between 2 and 36")
    if r == 10 or not float(x).is_integer() or abs(x) > _SAFE_INT:
        return js_number_to_string(x)
    n, digits, out = abs(int(x)), "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while True:
        n, m = divmod(n, int(r))
        out = digits[m] + out
        if n == 0:
            break
    return ("-" if x < 0 else "") + out


_NUM_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "toFixed": _n_to_fixed,
    "toString": _n_to_string,
    "valueOf": lambda x, a: x,
}
_BOOL_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "toString": lambda x, a: "true" if x else "false",
    "valueOf": lambda x, a: x,
}


def _math_minmax(a: list, pick: Callable, empty: float) -> Any:
    nums = [_to_number(x) for x in a]
    if any(n != n for n in nums):
        return _NAN
    return pick(nums) if nums else empty


def _math1(fn: Callable[[float], Any]) -> Callable[[list], Any]:
    def call(a: list) -> Any:
        x = _to_number(_arg(a, 0))
        if x != x:
            return _NAN
        try:
            return _norm(fn(x))
        except (OverflowError, ValueError):
            return _NAN if x not in (_INF, -_INF) else x
    return call


def _round(x: float) -> Any:
    if x in (_INF, -_INF):
        return x
    return math.floor(x + 0.5) if abs(x) < _SAFE_INT else x


def _parse_int(a: list) -> Any:
    radix = _to_integer(_arg(a, 1)) if _arg(a, 1) is not UNDEFINED else 0
    if radix in (_INF, -_INF):
        return _NAN
    return js_parse_int(js_to_string(_arg(a, 0)), int(radix))


def _parse_float(a: list) -> Any:
    return js_parse_float(js_to_string(_arg(a, 0)))


def _is_integer(a: list) -> bool:
    x = _arg(a, 0)
    return _is_num(x) and x == x and x not in (_INF, -_INF) and float(x).is_integer()
