"""JavaScript value semantics: the one home of every rule the engine shares with JavaScript.

The reference renderer is JavaScript, so some of its observable behaviour is
JavaScript's: ``String(v)``, how numbers print, key order (integer-like keys first,
ascending), ``Number()``/``parseInt``/``parseFloat`` of text, ``undefined``, and what
counts as whitespace; ``JSON.stringify`` and ``JSON.parse`` build on these in
:mod:`renderers._jsjson`. The template evaluator (``poml.template.js``), the data loaders
(``poml.data``), the components and the writers all call these two modules; they import
nothing from them (``renderers`` sits below ``poml``).

Values are plain Python data: ``None`` is ``null``, :data:`UNDEFINED` is
``undefined``, numbers are ``int`` where integral and safe (JavaScript has one
number type; ``1.0`` and ``1`` print alike) else ``float``, with ``nan`` for NaN.
Objects a caller owns (the evaluator's functions and regular expressions) pass
through an ``opaque`` hook the caller gives.

>>> js_ordered({"b": 1, "10": 2, "2": 3})
{'2': 3, '10': 2, 'b': 1}
>>> js_parse_int(" 12px"), js_parse_int("0x10"), js_parse_int("0x10", 10), js_parse_float("2.5e1x")
(12, 16, 0, 25)
>>> js_string([1, None, [2.5, True]]), js_number("  0b101 ")
('1,,2.5,true', 5)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

Number = Union[int, float]

# --------------------------------------------------------------------------- errors


class JSValueError(ValueError):
    """A JavaScript conversion refused a value; the message is JavaScript's or names the limit."""


class JSTypeError(JSValueError):
    """What JavaScript throws as a ``TypeError`` (a circular structure given to ``JSON.stringify``)."""


class JSRangeError(JSValueError):
    """A value too deep or a text too long for the limits the caller set."""


class JSSyntaxError(JSValueError):
    """Text that ``JSON.parse`` refuses (its message is JavaScript's)."""


# --------------------------------------------------------------------------- undefined


class _Undefined:
    """JavaScript ``undefined`` (``None`` plays ``null``); one instance, falsy, pickles as itself."""

    __slots__ = ()
    _instance: Optional["_Undefined"] = None

    def __new__(cls) -> "_Undefined":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Any = _Undefined()

# --------------------------------------------------------------------------- whitespace

# WhiteSpace + LineTerminator of the language: what trim(), Number(), parseInt(),
# parseFloat() skip, what separates tokens, and what a regex \s matches.
JS_WHITESPACE = (" \t\n\r\x0b\x0c\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                 "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
# The same set as the body of a regex character class (for re and regex patterns).
JS_WHITESPACE_CLASS = "".join("\\u%04x" % ord(c) for c in JS_WHITESPACE)
_WS_RUN = "[" + JS_WHITESPACE_CLASS + "]*"

# JSON's own whitespace (JSON.parse accepts only these around tokens).
JSON_WHITESPACE = " \t\n\r"


def js_trim(text: str) -> str:
    """``String.prototype.trim``."""
    return text.strip(JS_WHITESPACE)


# --------------------------------------------------------------------------- numbers

SAFE_INTEGER = 2 ** 53


def normalize(x: Number) -> Number:
    """The Python form of a JavaScript number: integral and safe -> ``int`` (prints ``2``, not ``2.0``).

    Integers beyond 2**53 become the float JavaScript would hold; ``-0.0`` stays a float.
    """
    if type(x) is int:
        if -SAFE_INTEGER <= x <= SAFE_INTEGER:
            return x
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    if x == x and -SAFE_INTEGER <= x <= SAFE_INTEGER and x.is_integer() and (x != 0 or math.copysign(1, x) > 0):
        return int(x)
    return x


def js_number_to_string(x: Number) -> str:
    """JavaScript ``Number.prototype.toString()`` (shortest round-trip digits)."""
    if type(x) is int or (isinstance(x, int) and not isinstance(x, bool)):
        if -SAFE_INTEGER <= x <= SAFE_INTEGER:
            return str(int(x))
        try:
            x = float(x)  # what JavaScript holds for a big integer
        except OverflowError:
            return "Infinity" if x > 0 else "-Infinity"
    x = float(x)
    if x != x:
        return "NaN"
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))  # Python's repr is the shortest round-trip form, like JS
    mant, _, exp = r.partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    n = len(ip) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def format_number(x: Number) -> str:
    """``String(x)`` for a number; booleans print as ``true``/``false``."""
    if isinstance(x, bool):
        return "true" if x else "false"
    return js_number_to_string(x)


_DIGITS = "0123456789"
_RADIX_PREFIX = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}
_RADIX_DIGITS = {16: "0123456789abcdefABCDEF", 8: "01234567", 2: "01"}


def _is_decimal_literal(s: str) -> bool:
    """StrDecimalLiteral (sign, digits, fraction, exponent, or Infinity), checked with C-speed lstrip."""
    t = s[1:] if s[:1] in "+-" else s
    if t == "Infinity":
        return True
    rest = t.lstrip(_DIGITS)
    n = len(t) - len(rest)
    if rest[:1] == ".":
        frac = rest[1:].lstrip(_DIGITS)
        n += len(rest) - 1 - len(frac)
        rest = frac
    if n == 0:
        return False
    if rest[:1] in ("e", "E"):
        e = rest[1:]
        if e[:1] in ("+", "-"):
            e = e[1:]
        rest = e.lstrip(_DIGITS)
        if len(rest) == len(e):
            return False
    return rest == ""


def decimal_value(s: str) -> Number:
    """The number a valid decimal literal (``"12"``, ``"-1.5e3"``, ``"Infinity"``) denotes."""
    if len(s) <= 15 and s.lstrip("+-").isdigit():
        return int(s)
    if s.lstrip("+-") == "Infinity":
        return -math.inf if s[0] == "-" else math.inf
    return normalize(float(s))


def js_number(text: str) -> Number:
    """``Number(text)`` for a string: trimmed, ``""`` is 0, ``0x``/``0o``/``0b`` prefixes, else NaN."""
    s = text.strip(JS_WHITESPACE)
    if not s:
        return 0
    if len(s) > 2 and s[0] == "0" and s[1] in _RADIX_PREFIX:
        radix = _RADIX_PREFIX[s[1]]
        if s[2:].lstrip(_RADIX_DIGITS[radix]) == "":
            return normalize(int(s[2:], radix))
        return math.nan
    if not _is_decimal_literal(s):
        return math.nan
    return decimal_value(s)


_INT_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_DIGIT_RUNS: dict[int, re.Pattern] = {}


def _digit_run(radix: int) -> re.Pattern:
    pat = _DIGIT_RUNS.get(radix)
    if pat is None:
        digits = _INT_DIGITS[:radix]
        pat = _DIGIT_RUNS[radix] = re.compile("[" + digits + digits.upper() + "]*")
    return pat


def js_parse_int(text: str, radix: int = 0) -> Number:
    """``parseInt(text, radix)``: leading whitespace and sign, the longest digit run; NaN when none.

    ``radix`` 0 (as JavaScript's ``undefined``) reads ``0x`` as hexadecimal, else decimal;
    a radix outside 2..36 gives NaN.
    """
    if len(text) <= 15 and text.isdigit() and text.isascii() and radix in (0, 10):
        return int(text)  # the common case, without a regex
    s = text.lstrip(JS_WHITESPACE)
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if radix == 0:
        radix = 10
        if s[:2] in ("0x", "0X"):
            radix, s = 16, s[2:]
    elif radix == 16 and s[:2] in ("0x", "0X"):
        s = s[2:]
    if not 2 <= radix <= 36:
        return math.nan
    n = _digit_run(radix).match(s).end()  # a regex: linear even on huge strings
    if n == 0:
        return math.nan
    if n * math.log2(radix) > 1100:  # beyond float range (and Python's int-text limit)
        return math.inf * sign
    return normalize(sign * int(s[:n], radix))


_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


def js_parse_float(text: str) -> Number:
    """``parseFloat(text)``: leading whitespace, the longest decimal prefix; NaN when none."""
    m = _FLOAT_PREFIX.match(text.lstrip(JS_WHITESPACE))
    if not m:
        return math.nan
    return decimal_value(m.group(0))


# --------------------------------------------------------------------------- objects


def _is_index_key(key: str) -> bool:
    # JS orders "array index" keys (canonical integers below 2**32 - 1) first.
    if not key or not ("0" <= key[0] <= "9"):  # the common case
        return False
    return key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 4294967295


def js_ordered(d: dict) -> dict:
    """Reorder a dict the way a JavaScript object enumerates its keys (index keys first, ascending)."""
    idx = [k for k in d if isinstance(k, str) and "0" <= k[:1] <= "9" and _is_index_key(k)]  # the test inlined: most keys fail it at once
    if not idx:
        return d
    out = {k: d[k] for k in sorted(idx, key=int)}
    for k, v in d.items():
        if k not in out:
            out[k] = v
    return out


# --------------------------------------------------------------------------- String(v)

Opaque = Callable[[Any], Any]


def js_string(v: Any, opaque: Optional[Callable[[Any], str]] = None, max_chars: Optional[int] = None) -> str:
    """``String(v)``: numbers as JavaScript prints them, arrays joined by commas, objects as ``[object Object]``.

    ``opaque(v)`` gives the text of values that are not plain data (the
    evaluator's functions); without it they print as ``str(v)``. ``max_chars``
    caps the text of an array (:class:`JSRangeError` past it).
    """
    t = type(v)
    if t is str:
        return v
    if t is int or t is float:
        return js_number_to_string(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, (int, float)):
        return format_number(v)
    if isinstance(v, (list, tuple)):
        return js_join(v, ",", opaque, max_chars)
    if isinstance(v, Mapping):
        return "[object Object]"
    return opaque(v) if opaque is not None else str(v)


def js_join(arr: Any, sep: str = ",", opaque: Optional[Callable[[Any], str]] = None,
            max_chars: Optional[int] = None, max_depth: int = 256) -> str:
    """``Array.prototype.join``: ``null``/``undefined`` as ``""``, nested arrays joined, a cycle as ``""``."""
    limit = max_chars if max_chars is not None else math.inf
    return _join(arr, sep, opaque, limit, max_depth, set(), 0)


def _join(arr: Any, sep: str, opaque: Any, limit: float, max_depth: int, seen: set, depth: int) -> str:
    if id(arr) in seen:
        return ""
    if depth > max_depth:
        raise JSRangeError(f"value nested deeper than {max_depth} levels")
    seen.add(id(arr))
    parts = []
    total = 0
    for x in arr:
        if x is None or x is UNDEFINED:
            s = ""
        elif isinstance(x, (list, tuple)):
            s = _join(x, ",", opaque, limit, max_depth, seen, depth + 1)
        else:
            s = js_string(x, opaque)
        total += len(s) + len(sep)
        if total > limit + len(sep):
            raise JSRangeError(f"string longer than {int(limit)} characters")
        parts.append(s)
    seen.discard(id(arr))
    return sep.join(parts)


# --------------------------------------------------------------------------- UTF-16 code units

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def join_surrogate_pairs(text: str) -> str:
    """A high and a low surrogate side by side (UTF-16 written unit by unit: ``'\\ud83d\\ude00'``,
    ``String.fromCharCode(0xD83D, 0xDE00)``) as the one character they encode, as a Python str holds it."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + (ord(m.group()[1]) - 0xDC00)), text)
