"""Number methods, ``Math``, ``parseInt``/``parseFloat``."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Callable

from renderers._js import js_parse_float, js_parse_int

from .._calls import _arg
from .decimals import EXACT, shortest, to_places
from .locale import to_locale_string
from .._errors import ExpressionError
from .._values import UNDEFINED, _INF, _NAN, _SAFE_INT, _is_num, _norm, _to_integer, _to_number, js_number_to_string, js_to_string


# ---- number methods

def _n_to_fixed(x: Any, a: list) -> str:
    d = _to_integer(_arg(a, 0))
    if not 0 <= d <= 100:
        raise ExpressionError("toFixed() digits argument must be between 0 and 100")
    if x != x or abs(x) >= 1e21 or x in (_INF, -_INF):
        return js_number_to_string(x)
    q = to_places(Decimal(x), int(d))
    s = format(q, "f")
    return s[1:] if x == 0 and s[:1] == "-" else s  # -0 prints "0"; -0.25 rounds to "-0" (its sign is kept)


def _rounded_digits(x: float, count: int) -> tuple[str, int]:
    """The ``count`` significant digits of ``x`` > 0 and its decimal exponent, rounded half up
    on the exact binary value (what ``toPrecision``/``toExponential`` specify)."""
    d = Decimal(x)
    e = d.adjusted()
    n = int(d.scaleb(count - 1 - e, context=EXACT).to_integral_value(context=EXACT))
    if n >= 10 ** count:  # 9.96 to 2 digits: 10.0 -> 1.0e1
        n //= 10
        e += 1
    return str(n), e


def _exponential(sign: str, digits: str, e: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _n_to_precision(x: Any, a: list) -> str:
    p = _arg(a, 0)
    if p is UNDEFINED:
        return js_number_to_string(x)
    p = _to_integer(p)
    if x != x or x in (_INF, -_INF):
        return js_number_to_string(x)
    if not 1 <= p <= 100:
        raise ExpressionError("toPrecision() argument must be between 1 and 100")
    p = int(p)
    sign = "-" if x < 0 else ""
    if x == 0:
        digits, e = "0" * p, 0
    else:
        digits, e = _rounded_digits(abs(x), p)
    if e < -6 or e >= p:
        return _exponential(sign, digits, e)
    if e >= 0:
        return sign + digits[:e + 1] + ("." + digits[e + 1:] if e + 1 < p else "")
    return sign + "0." + "0" * (-e - 1) + digits


def _n_to_exponential(x: Any, a: list) -> str:
    f = _arg(a, 0)
    digits_wanted = None if f is UNDEFINED else _to_integer(f)
    if x != x or x in (_INF, -_INF):
        return js_number_to_string(x)
    if digits_wanted is not None and not 0 <= digits_wanted <= 100:
        raise ExpressionError("toExponential() argument must be between 0 and 100")
    sign = "-" if x < 0 else ""
    if x == 0:
        return _exponential(sign, "0" * (1 + int(digits_wanted or 0)), 0)
    if digits_wanted is None:  # as many digits as the shortest round trip needs
        t = shortest(abs(x)).normalize().as_tuple()
        digits = "".join(map(str, t.digits))
        return _exponential(sign, digits, len(digits) - 1 + t.exponent)
    digits, e = _rounded_digits(abs(x), int(digits_wanted) + 1)
    return _exponential(sign, digits, e)


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
    "toPrecision": _n_to_precision,
    "toExponential": _n_to_exponential,
    "toLocaleString": to_locale_string,
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
