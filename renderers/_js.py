"""JavaScript value semantics: the one home of every rule the engine shares with JavaScript.

The reference renderer is JavaScript, so some of its observable behaviour is
JavaScript's: ``String(v)``, how numbers print, ``JSON.stringify`` (key order:
integer-like keys first, ascending; number text; escapes), ``JSON.parse``,
``Number()``/``parseInt``/``parseFloat`` of text, ``undefined``, and what counts
as whitespace. The template evaluator (``poml.template.js``), the data loaders
(``poml.data``), the components and the writers all call this module; it imports
nothing from them (``renderers`` sits below ``poml``).

Values are plain Python data: ``None`` is ``null``, :data:`UNDEFINED` is
``undefined``, numbers are ``int`` where integral and safe (JavaScript has one
number type; ``1.0`` and ``1`` print alike) else ``float``, with ``nan`` for NaN.
Objects a caller owns (the evaluator's functions and regular expressions) pass
through an ``opaque`` hook the caller gives.

>>> stringify({"b": 1.0, "1": [0.1, 1e21]})
'{"1":[0.1,1e+21],"b":1}'
>>> js_parse_int(" 12px"), js_parse_int("0x10"), js_parse_int("0x10", 10), js_parse_float("2.5e1x")
(12, 16, 0, 25)
>>> js_string([1, None, [2.5, True]]), js_number("  0b101 ")
('1,,2.5,true', 5)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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


def _object_from_pairs(pairs: list) -> dict:
    return js_ordered(dict(pairs))


class _Constant(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise _Constant(name)  # Python's json reads NaN/Infinity; JSON.parse does not


# What Python's json reads differently from JSON.parse: index-like keys (JavaScript orders them
# first; a key starting with a digit or an escape is read the full way), integers past 15 digits
# (floats in JavaScript; found as a run of 16 zeros once digits are mapped to 0: a regex over every
# digit costs more than the parse) and the constants. Text without them is read by json alone,
# its floats normalised (1.0 is 1).
_DIGIT_KEY = re.compile(r'"[0-9\\][^"]*"\s*:')
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _json_reads_it_alone(text: str) -> bool:
    return ("NaN" not in text and "Infinity" not in text and _DIGIT_KEY.search(text) is None
            and b"0000000000000000" not in text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO))


def _float_value(s: str) -> Number:
    return normalize(float(s))


def parse_json(text: str) -> Any:
    """``JSON.parse``: JavaScript key order and numbers (``1.0`` is ``1``; big integers are floats).

    Text that is not JSON (``NaN``/``Infinity`` included) raises :class:`JSSyntaxError`
    with JavaScript's message; absurd nesting raises :class:`JSRangeError`.
    """
    if type(text) is str and _json_reads_it_alone(text):
        try:
            return json.loads(text, parse_float=_float_value)
        except (ValueError, RecursionError):
            pass  # the full reading below gives JavaScript's error
    try:
        return json.loads(text, object_pairs_hook=_object_from_pairs, parse_int=decimal_value,
                          parse_float=decimal_value, parse_constant=_no_constant)
    except _Constant as c:
        raise JSSyntaxError(f"Unexpected token '{str(c)[0]}', \"{text[:30]}\" is not valid JSON") from None
    except json.JSONDecodeError as e:
        if not text.strip(JSON_WHITESPACE):
            raise JSSyntaxError("Unexpected end of JSON input") from None
        raise JSSyntaxError(f"{e.msg} in JSON at position {e.pos} (line {e.lineno} column {e.colno})") from None
    except RecursionError:
        raise JSRangeError("JSON nested too deeply") from None


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


# --------------------------------------------------------------------------- JSON.stringify

# The C-accelerated string escaper of the json module (ensure_ascii=False flavour)
# escapes exactly what JSON.stringify escapes: quotes, backslash, C0 controls.
_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json_str(s: str) -> str:
    text = _encode_str(s)
    if _SURROGATE.search(text):
        # JSON.stringify writes lone surrogates as \uXXXX escapes.
        text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return text


def _str_opaque(v: Any) -> Any:
    return str(v)


_C_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Where Python's compact JSON may differ from JavaScript's: an integer-like key (JS lists
# those first), a float Python prints as "1.0" or with an exponent, a 16-digit run (an
# integer past 2**53), a lone surrogate. A find anywhere (inside a string too) only means
# the exact walker writes the text instead. Digits mapped to 0 turn the number checks into
# substring searches, which run at C speed where a regex over every digit does not.
_INDEX_KEY = re.compile(r'[{,]"(?:0|[1-9][0-9]*)":')
_INTEGRAL_FLOAT = re.compile(r"[0-9]\.0(?![0-9])")


def _c_text_differs(text: str) -> bool:
    try:
        zeroed = text.encode("utf-8").translate(_DIGITS_TO_ZERO)
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if (b'{"0' in zeroed or b',"0' in zeroed) and _INDEX_KEY.search(text):
        return True
    if ".0" in text and _INTEGRAL_FLOAT.search(text):
        return True
    return b"0e" in zeroed or b"0E" in zeroed or b"0000000000000000" in zeroed


def stringify(value: Any, indent: Union[int, str, None] = None, *, opaque: Opaque = _str_opaque,
              max_depth: Optional[int] = None, max_chars: Optional[int] = None) -> Optional[str]:
    """``JSON.stringify(value, null, indent)``; ``None`` where JavaScript gives ``undefined``.

    ``undefined`` members are left out of objects and written ``null`` in arrays;
    NaN and infinities are ``null``; a cycle raises :class:`JSTypeError`.
    ``opaque(v)`` replaces a value that is not plain data before it is written:
    by default its ``str()``; :data:`UNDEFINED` drops it as JavaScript drops a function.
    ``max_chars`` raises :class:`JSRangeError` past it; so does ``max_depth``, which bounds
    the Python walk (the C encoder used for plain compact data has its own recursion guard).
    """
    if isinstance(indent, int) and not isinstance(indent, bool):
        gap = " " * max(0, min(10, indent))
    elif isinstance(indent, str):
        gap = indent[:10]
    else:
        gap = ""
    if not gap and type(value) in (dict, list):
        try:
            text = _C_DUMPS(value)
        except (TypeError, ValueError, RecursionError):
            text = None
        if text is not None:
            if max_chars is not None and len(text) > max_chars:
                raise JSRangeError(f"string longer than {max_chars} characters")
            if not _c_text_differs(text):
                return text
    w = _Writer(gap, opaque, max_depth if max_depth is not None else math.inf,
                max_chars if max_chars is not None else math.inf)
    if not w.write(value, ""):
        return None
    return "".join(w.out)


@dataclass(slots=True, eq=False)
class _Writer:
    """One ``JSON.stringify`` walk: the output pieces, the open containers (cycles), the limits."""

    gap: str
    opaque: Opaque
    max_depth: float
    max_chars: float
    out: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    chars: int = 0

    def write(self, v: Any, cur: str, depth: int = 0) -> bool:
        """Append JSON for ``v``; False when ``v`` has no JSON form (``undefined``)."""
        out = self.out
        t = type(v)
        if t is str:
            self.chars += len(v) + 2
            if self.chars > self.max_chars:
                raise JSRangeError(f"string longer than {self.max_chars} characters")
            out.append(_json_str(v))
        elif t is bool:
            out.append("true" if v else "false")
        elif t is int or t is float:
            out.append(js_number_to_string(v) if math.isfinite(v) else "null")
        elif v is None:
            out.append("null")
        elif v is UNDEFINED:
            return False
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (int, float)):
            out.append(js_number_to_string(v) if math.isfinite(v) else "null")
        elif isinstance(v, str):
            return self.write(str.__str__(v), cur, depth)
        elif isinstance(v, (list, tuple, Mapping)):
            if id(v) in self.seen:
                raise JSTypeError("Converting circular structure to JSON")
            if depth > self.max_depth:
                raise JSRangeError(f"value nested deeper than {self.max_depth} levels")
            self.seen.add(id(v))
            if isinstance(v, Mapping):
                self._object(v, cur, depth)
            else:
                self._array(v, cur, depth)
            self.seen.discard(id(v))
        else:
            return self.write(self.opaque(v), cur, depth)
        return True

    def _object(self, v: Mapping, cur: str, depth: int) -> None:
        out, gap, write = self.out, self.gap, self.write
        inner = cur + gap
        sep = ",\n" + inner if gap else ","
        colon = ": " if gap else ":"
        items = v.items()
        if any(type(k) is not str or _is_index_key(k) for k in v):
            keyed = {(k if type(k) is str else js_string(k)): x for k, x in items}
            items = js_ordered(keyed).items()
        start = len(out)
        out.append("{\n" + inner if gap else "{")
        first = True
        depth += 1
        for k, x in items:
            if x is UNDEFINED:
                continue  # an undefined member is left out
            mark = len(out)
            if not first:
                out.append(sep)
            out.append(_json_str(k))
            out.append(colon)
            if write(x, inner, depth):
                first = False
            else:
                del out[mark:]  # so is one whose value has no JSON form
        if first:
            del out[start:]
            out.append("{}")
        else:
            out.append("\n" + cur + "}" if gap else "}")

    def _array(self, v: Any, cur: str, depth: int) -> None:
        out, gap, write = self.out, self.gap, self.write
        if not v:
            out.append("[]")
            return
        inner = cur + gap
        sep = ",\n" + inner if gap else ","
        out.append("[\n" + inner if gap else "[")
        depth += 1
        first = True
        for x in v:
            if first:
                first = False
            else:
                out.append(sep)
            if x is None or x is UNDEFINED or not write(x, inner, depth):
                out.append("null")
        out.append("\n" + cur + "]" if gap else "]")


# --------------------------------------------------------------------------- JSON.parse(JSON.stringify(v))

_SAFE_INT = 2 ** 53  # past it a JavaScript number prints differently from the Python int
_FLOAT_AS_INT = 1e21  # below it an integral number prints without an exponent (and reads back as an int)


def json_copy(value: Any, max_chars: int, max_depth: int) -> Optional[tuple[Any, int]]:
    """``json.loads(stringify(value))`` in one walk, for a tree of plain data: ``(copy, structure)``.

    ``structure`` is the brackets, commas, colons and quotes the text would have (the measure
    the sandbox charges a print by). Only a tree of ``dict`` (string keys that are not
    array indexes), ``list``, ``str``, ``bool``, ``None``, :data:`UNDEFINED` and numbers
    JavaScript prints as Python reads them back is copied here; anything else (a shared
    or cyclic part, a tuple, an integer past 2**53, an object, a value past the limits)
    gives None, and the caller takes the full path, which gives the exact text or error.
    """
    t = type(value)
    if t is not dict and t is not list:
        return None
    root: Any = {} if t is dict else []
    stack = [(value, root, 0)]
    seen: set[int] = set()
    structure = text = 0
    while stack:
        src, dst, depth = stack.pop()
        if id(src) in seen or depth > max_depth:
            return None
        seen.add(id(src))
        depth += 1
        if type(src) is dict:
            structure += 2 + 6 * len(src)
            for k, v in src.items():
                if type(k) is not str or (k and "0" <= k[0] <= "9" and _is_index_key(k)):
                    return None  # JavaScript reorders or renames this key
                if type(v) is str:  # most members: counted and kept inline
                    text += len(v)
                elif v is not None and type(v) is not bool:
                    v = _copied(v, stack, depth)
                    if v is _NOT_COPIED:
                        return None
                    if v is UNDEFINED:
                        continue  # an undefined member is left out
                dst[k] = v
        else:
            structure += 2 + 2 * len(src)
            append = dst.append
            for v in src:
                if type(v) is str:
                    text += len(v)
                elif v is not None and type(v) is not bool:
                    v = _copied(v, stack, depth)
                    if v is _NOT_COPIED:
                        return None
                    if v is UNDEFINED:
                        v = None  # in an array it is null
                append(v)
        if structure + text > max_chars:
            return None
    return root, structure


_NOT_COPIED = object()


def _copied(v: Any, stack: list, depth: int) -> Any:
    """What a value other than text, true/false and null reads back as: a new empty container
    (queued on ``stack`` to be filled), a number, :data:`UNDEFINED`, or :data:`_NOT_COPIED`."""
    tv = type(v)
    if tv is dict or tv is list:
        c: Any = {} if tv is dict else []
        stack.append((v, c, depth))
        return c
    if tv is int:
        return v if -_SAFE_INT < v < _SAFE_INT else _NOT_COPIED
    if tv is float:
        if v != v or v in (math.inf, -math.inf):
            return None
        if v.is_integer() and -_FLOAT_AS_INT < v < _FLOAT_AS_INT:
            # 1.0 prints "1" (and -0 "0"), which reads back as an int; past 2**53 the shortest
            # digits printed are not int(v)'s
            return int(v) if -_SAFE_INT < v < _SAFE_INT else _NOT_COPIED
        return v
    return UNDEFINED if v is UNDEFINED else _NOT_COPIED
