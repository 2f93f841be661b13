"""What Node's default locale (en-US, ICU) decides, where it can be reproduced exactly:
``Number.prototype.toLocaleString`` and ``String.prototype.localeCompare``.

Anything past that (another locale, an option or a script these tables do not cover) is an
ExpressionError saying so, never an answer that differs from Node's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._calls import _arg
from .._errors import ExpressionError
from .decimals import shortest, to_places
from .._values import _INF, UNDEFINED, _to_number, js_to_string, js_truthy

_LOCALES = ("en", "en-US")

# ---------------------------------------------------------------- numbers

# en-US symbols, and the fraction digits each currency has by default.
_CURRENCIES = {"USD": ("$", 2), "EUR": ("€", 2), "GBP": ("£", 2), "JPY": ("¥", 0), "INR": ("₹", 2),
               "CNY": ("CN¥", 2), "CAD": ("CA$", 2), "AUD": ("A$", 2)}
_OPTIONS = frozenset({"style", "currency", "minimumFractionDigits", "maximumFractionDigits", "useGrouping"})


def _check_locale(a: list, what: str) -> None:
    locales = _arg(a, 0)
    if isinstance(locales, list) and len(locales) == 1:
        locales = locales[0]
    if locales is not UNDEFINED and locales not in _LOCALES:
        raise ExpressionError(f"{what} supports the en-US locale only, not {js_to_string(locales)}")


def _digits(options: Mapping, key: str) -> Any:
    if options.get(key, UNDEFINED) is UNDEFINED:
        return None
    n = _to_number(options[key])
    if n != n or not 0 <= n <= 20:  # ECMA-402 DefaultNumberOption; Node 20 allows 0 to 20
        raise ExpressionError(f"{key} value is out of range.")
    return math.floor(n)


def _fraction_digits(options: Mapping, default_min: int, default_max: int) -> tuple[int, int]:
    """ECMA-402's fraction digits: a lone maximum below the default minimum lowers the minimum;
    both given out of order is a RangeError."""
    low, high = _digits(options, "minimumFractionDigits"), _digits(options, "maximumFractionDigits")
    if low is None and high is None:
        return default_min, default_max
    if low is None:
        return min(default_min, high), high
    if high is None:
        return low, max(default_max, low)
    if low > high:
        raise ExpressionError("maximumFractionDigits value is out of range.")
    return low, high


def _grouping(value: Any) -> bool:
    """``useGrouping``: a false value turns it off; true, "always", "auto" (and, as ECMA-402 reads
    them, the strings "true" and "false") keep en-US's thousands separators."""
    if value is UNDEFINED or value is True or value in ("always", "auto", "true", "false"):
        return True
    if not js_truthy(value):
        return False
    raise ExpressionError(f"useGrouping {js_to_string(value)} is not supported")


def to_locale_string(x: Any, a: list) -> str:
    """``x.toLocaleString()`` as en-US writes it: grouped thousands, at most three decimals
    (rounded half away from zero on the shortest decimal that reads back as ``x``)."""
    _check_locale(a, "toLocaleString")
    options = _arg(a, 1)
    if options is UNDEFINED:
        options = {}
    if not isinstance(options, Mapping):
        raise ExpressionError("toLocaleString options must be an object")
    unknown = sorted(k for k in options if k not in _OPTIONS)
    if unknown:
        raise ExpressionError(f"toLocaleString option {unknown[0]} is not supported")
    style = js_to_string(options.get("style", "decimal"))
    prefix = suffix = ""
    if style == "currency":
        if options.get("currency", UNDEFINED) is UNDEFINED:
            raise ExpressionError("Currency code is required with currency style.")
        code = js_to_string(options["currency"]).upper()
        if code not in _CURRENCIES:
            raise ExpressionError(f"toLocaleString supports the currencies {', '.join(_CURRENCIES)}, not {code}")
        prefix, places = _CURRENCIES[code]
        low, high = _fraction_digits(options, places, places)
    elif style == "percent":
        suffix = "%"
        low, high = _fraction_digits(options, 0, 0)
    elif style == "decimal":
        low, high = _fraction_digits(options, 0, 3)
    else:
        raise ExpressionError(f"toLocaleString style {style} is not supported")
    grouped = _grouping(options.get("useGrouping", UNDEFINED))
    if x != x:
        return prefix + "NaN" + suffix
    negative = x < 0 or (x == 0 and str(float(x))[0] == "-")
    if x in (_INF, -_INF):
        body = "∞"
    else:
        value = shortest(abs(x))
        if style == "percent":
            value = value.scaleb(2)
        whole, _, fraction = format(to_places(value, high), "f").partition(".")
        fraction = fraction.rstrip("0").ljust(low, "0")
        body = (f"{int(whole):,}" if grouped else whole) + ("." + fraction if fraction else "")
    return ("-" if negative else "") + prefix + body + suffix


# ---------------------------------------------------------------- string order

# The order ICU's root collation gives these characters, one primary weight each; a capital letter
# shares its small letter's weight and sorts after it on a tie (the tertiary level).
_COLLATION_ORDER = ("\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
                    "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ")


def _primary_weights(order: str) -> dict[str, int]:
    weights: dict[str, int] = {}
    for c in order:
        weights[c] = weights[c.lower()] if c.isupper() else len({*weights.values()})
    return weights


_PRIMARY = _primary_weights(_COLLATION_ORDER)


def _collation_key(s: str) -> tuple:
    try:
        return [_PRIMARY[c] for c in s], [c.isupper() for c in s]
    except KeyError:
        raise ExpressionError(
            "localeCompare is supported for printable ASCII text only (elsewhere its order comes from "
            "ICU's locale data); compare with a < b ? -1 : a > b ? 1 : 0") from None


def locale_compare(s: str, a: list) -> int:
    """``a.localeCompare(b)`` as Node orders printable ASCII: punctuation, then digits, then
    letters regardless of case, a small letter before its capital on a tie."""
    if len(a) > 1:
        _check_locale(a[1:], "localeCompare")
        if _arg(a, 2) is not UNDEFINED:
            raise ExpressionError("localeCompare with options is not supported")
    mine, theirs = _collation_key(s), _collation_key(js_to_string(_arg(a, 0)))
    return (mine > theirs) - (mine < theirs)
