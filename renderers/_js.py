"""JavaScript value semantics the reference relies on.

The reference renderer is JavaScript, so a few of its observable behaviours are
JavaScript's: how ``JSON.stringify`` prints numbers and escapes strings, the
order of object keys (integer-like keys first), and how ``parseInt`` /
``parseFloat`` read attribute text. This module reproduces exactly those bits.

>>> stringify({"b": 1.0, "a": [0.1, 1e21]})
'{"b":1,"a":[0.1,1e+21]}'
>>> js_parse_int(" 12px"), js_parse_float("2.5e1x")
(12, 25.0)
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional, Union

# The C-accelerated string escaper of the json module (ensure_ascii=False flavour)
# escapes exactly what JSON.stringify escapes: quotes, backslash, C0 controls.
_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]

_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_str(s: str) -> str:
    text = _encode_str(s)
    if _SURROGATE.search(text):
        # JSON.stringify writes lone surrogates as \uXXXX escapes.
        text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return text


_INDEX_KEY = re.compile(r"0|[1-9][0-9]{0,9}")


def _is_index_key(key: str) -> bool:
    # JS orders "array index" keys (canonical integers below 2**32 - 1) first.
    if not key or not ("0" <= key[0] <= "9"):  # the common case, without a regex
        return False
    return _INDEX_KEY.fullmatch(key) is not None and int(key) < 4294967295


def js_ordered(d: dict) -> dict:
    """Reorder a dict the way a JavaScript object enumerates its keys."""
    idx = [k for k in d if isinstance(k, str) and _is_index_key(k)]
    if not idx:
        return d
    out = {k: d[k] for k in sorted(idx, key=int)}
    for k, v in d.items():
        if k not in out:
            out[k] = v
    return out


def _pairs_hook(pairs: list) -> dict:
    return js_ordered(dict(pairs))


def _js_float(text: str) -> Union[int, float]:
    # JavaScript has one number type: 1.0 and 1 are the same value and print as "1".
    x = float(text)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def parse_json(text: str) -> Any:
    """``JSON.parse``: objects come back with JavaScript key order; ``1.0`` is ``1``."""
    return json.loads(text, object_pairs_hook=_pairs_hook, parse_float=_js_float)


def js_number_to_string(x: float | int) -> str:
    """JavaScript ``Number.prototype.toString()`` (shortest round-trip digits)."""
    if type(x) is int or (isinstance(x, int) and not isinstance(x, bool)):
        if -10 ** 21 < x < 10 ** 21:
            return str(int(x))
        try:
            x = float(x)
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


def format_number(x: Union[int, float]) -> str:
    """``Number.prototype.toString()`` (``String(x)``); booleans print as ``true``/``false``."""
    if isinstance(x, bool):
        return "true" if x else "false"
    return js_number_to_string(x)


def _num_json(x: Union[int, float]) -> str:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "null"
    return format_number(x)


def stringify(value: Any, indent: Union[int, str, None] = None) -> str:
    """``JSON.stringify(value, null, indent)``; compact when ``indent`` is falsy.

    Returns ``"null"`` for a top-level ``None``; dict entries whose value is
    the :data:`UNDEFINED` marker are dropped like JavaScript's ``undefined``.
    """
    if isinstance(indent, int) and not isinstance(indent, bool):
        gap = " " * max(0, min(10, indent))
    elif isinstance(indent, str):
        gap = indent[:10]
    else:
        gap = ""
    out: list[str] = []
    _write(value, gap, "", out)
    return "".join(out)


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


def _write(v: Any, gap: str, cur: str, out: list) -> None:
    if v is None or v is UNDEFINED:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(_json_str(v))
    elif isinstance(v, (int, float)):
        out.append(_num_json(v))
    elif isinstance(v, dict):
        items = [(k, x) for k, x in js_ordered(v).items() if x is not UNDEFINED]
        if not items:
            out.append("{}")
            return
        if gap:
            inner = cur + gap
            out.append("{\n" + inner)
            first = True
            for k, x in items:
                if not first:
                    out.append(",\n" + inner)
                first = False
                out.append(_json_str(str(k)) + ": ")
                _write(x, gap, inner, out)
            out.append("\n" + cur + "}")
        else:
            out.append("{")
            first = True
            for k, x in items:
                if not first:
                    out.append(",")
                first = False
                out.append(_json_str(str(k)) + ":")
                _write(x, gap, cur, out)
            out.append("}")
    elif isinstance(v, (list, tuple)):
        if not v:
            out.append("[]")
            return
        if gap:
            inner = cur + gap
            out.append("[\n" + inner)
            for i, x in enumerate(v):
                if i:
                    out.append(",\n" + inner)
                _write(x, gap, inner, out)
            out.append("\n" + cur + "]")
        else:
            out.append("[")
            for i, x in enumerate(v):
                if i:
                    out.append(",")
                _write(x, gap, cur, out)
            out.append("]")
    else:
        # Anything else (pydantic models were dumped before reaching here).
        out.append(_encode_str(str(v)))


# StrWhiteSpaceChar: what trim(), Number() and parseInt() skip.
JS_WHITESPACE = (" \t\n\r\x0b\x0c\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                 "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_WS_RUN = "[" + re.escape(JS_WHITESPACE) + "]*"
_INT_RE = re.compile(_WS_RUN + r"([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)")
_FLOAT_RE = re.compile(
    _WS_RUN + r"([+-]?(?:Infinity|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))"
)


def js_parse_int(text: Optional[str]) -> Optional[int]:
    """``parseInt(text, 10)``-like; ``None`` where JavaScript gives ``NaN``."""
    if text is None:
        return None
    if text.isdigit() and text.isascii():
        return int(text)
    m = _INT_RE.match(text)
    if not m:
        return None
    body = m.group(2)
    if body[:2] in ("0x", "0X"):
        # parseInt(x, 10) stops at the "x": the value is 0.
        n = 0
    else:
        n = int(body)
    return -n if m.group(1) == "-" else n


def js_parse_float(text: Optional[str]) -> float:
    """``parseFloat(text)``; ``nan`` where JavaScript gives ``NaN``."""
    if text is None:
        return math.nan
    m = _FLOAT_RE.match(text)
    if not m:
        return math.nan
    return float(m.group(1).replace("Infinity", "inf"))


def js_string(v: Any) -> str:
    """``String(v)`` for plain JSON values."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return ",".join("" if x is None else js_string(x) for x in v)
    if isinstance(v, dict):
        return "[object Object]"
    return str(v)
