"""Typed values from text and files, the way the reference's ``readSource``/``parseText`` do.

``<let src="file" type="...">`` reads a file and turns its text into a value:
with no ``type`` the value is guessed (``null``/``true``/numbers/JSON, else the
text itself); ``string`` keeps the text; ``integer``/``float`` parse a number
like JavaScript's ``parseInt``/``parseFloat``; ``boolean`` accepts
``true``/``false``/``1``/``0``; ``array``/``object`` parse JSON.

>>> guess_string_type("42")
(42, 'integer')
>>> guess_string_type("1.5")
(1.5, 'float')
>>> guess_string_type('{"a": 1}')
({'a': 1}, 'object')
>>> guess_string_type("hello")
('hello', 'string')
>>> parse_text("12px", "integer")
12
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import TYPE_CHECKING, Any, Optional, Union

from .._errors import PomlError
from ..template.expressions import UNDEFINED  # one "undefined" for templates and data

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = [
    "UNDEFINED", "guess_string_type", "parse_text", "read_source", "js_number", "js_parse_int",
    "js_parse_float", "normalize_number", "TYPES",
]

TYPES = ("string", "integer", "float", "boolean", "array", "object", "buffer", "null", "undefined")



# JavaScript whitespace that Number()/parseFloat() trim.
_JS_WS = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

_DEC_RE = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$")
_FLOAT_PREFIX_RE = re.compile(r"^[+-]?(?:Infinity|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")


def normalize_number(x: float) -> Union[int, float]:
    """A float that JavaScript would print without a fraction becomes an ``int``."""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer() and abs(x) < 1e21:
        return int(x)
    return x


def js_number(text: str) -> float:
    """JavaScript ``Number(text)`` for strings (NaN when not numeric)."""
    s = text.strip(_JS_WS)
    if s == "":
        return 0.0
    if _DEC_RE.match(s):
        try:
            return float(s)
        except (ValueError, OverflowError):  # pragma: no cover
            return math.nan
    m = re.match(r"^0([xXoObB])([0-9a-fA-F]+)$", s)
    if m:
        base = {"x": 16, "o": 8, "b": 2}[m.group(1).lower()]
        try:
            return float(int(m.group(2), base))
        except ValueError:
            return math.nan
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def js_parse_float(text: str) -> float:
    """JavaScript ``parseFloat``: the longest numeric prefix, else NaN."""
    s = text.lstrip(_JS_WS)
    m = _FLOAT_PREFIX_RE.match(s)
    if not m:
        return math.nan
    t = m.group(0)
    if t.lstrip("+-") == "Infinity":
        return -math.inf if t.startswith("-") else math.inf
    try:
        return float(t)
    except (ValueError, OverflowError):  # pragma: no cover
        return math.nan


def js_parse_int(text: str) -> float:
    """JavaScript ``parseInt(text)`` (radix 10, or 16 with a ``0x`` prefix); NaN when none."""
    s = text.lstrip(_JS_WS)
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s[:2].lower() == "0x":
        m = re.match(r"^[0-9a-fA-F]+", s[2:])
        return float(sign * int(m.group(0), 16)) if m else math.nan
    m = re.match(r"^\d+", s)
    return float(sign * int(m.group(0))) if m else math.nan


def _js_parse_json(text: str) -> Any:
    """``JSON.parse``: strict JSON (no NaN/Infinity), surrounding JS whitespace allowed."""

    def bad_constant(name: str) -> Any:
        raise ValueError(f"Unexpected token {name}")

    return json.loads(text, parse_constant=bad_constant)


def guess_string_type(value: str) -> tuple[Any, str]:
    """The value a string most likely holds and its type name (reference ``guessStringType``)."""
    low = value.lower()
    if low == "null" or value == "":
        return None, "null"
    if low == "undefined":
        return UNDEFINED, "undefined"
    if low == "true":
        return True, "boolean"
    if low == "false":
        return False, "boolean"
    n = js_number(value)
    if not math.isnan(n):
        f = js_parse_float(value)
        i = js_parse_int(value)
        if f == i:  # NaN never equals NaN
            return normalize_number(i), "integer"
        return normalize_number(f), "float"
    if (
        re.match(r"^\d*(\.|,)\d*$", value)
        or re.match(r"^(\d{0,3}(,)?)+\.\d*$", value)
        or re.match(r"^(\d{0,3}(\.)?)+,\d*$", value)
    ):
        return normalize_number(js_number(value)), "float"
    try:
        parsed = _js_parse_json(value)
    except (ValueError, RecursionError):
        return value, "string"
    if isinstance(parsed, list):
        return parsed, "array"
    return parsed, "object"


def parse_text(obj: Union[str, bytes], type: Optional[str] = None) -> Any:  # noqa: A002 - reference name
    """Turn text into a value of ``type`` (reference ``parseText``); bytes are decoded first."""
    if isinstance(obj, (bytes, bytearray)):
        if type == "buffer":
            return bytes(obj)
        return parse_text(bytes(obj).decode("utf-8", errors="replace"), type)
    if not isinstance(obj, str):
        raise PomlError(f"Invalid object type (expect buffer or string): {obj.__class__.__name__}")
    if type == "buffer":
        return obj.encode("utf-8")
    if type == "string":
        return obj
    if not type:
        return guess_string_type(obj)[0]
    if type == "integer":
        return normalize_number(js_parse_int(obj))
    if type == "float":
        return normalize_number(js_parse_float(obj))
    if type == "boolean":
        if obj.lower() == "true" or obj == "1":
            return True
        if obj.lower() == "false" or obj == "0":
            return False
        raise PomlError(f"Invalid boolean value: {obj}")
    if type in ("array", "object"):
        try:
            return _js_parse_json(obj)
        except (ValueError, RecursionError) as exc:
            raise PomlError(f"Invalid JSON for type {type}: {exc}") from None
    if type == "null":
        return None
    if type == "undefined":
        return UNDEFINED
    raise PomlError(f"Invalid type: {type}")


def read_source(
    source: str,
    directory: Optional[Union[str, "os.PathLike[str]"]] = None,
    type: Optional[str] = None,  # noqa: A002 - reference name
    *,
    access: "Optional[FileAccess]" = None,
    files: "Optional[FileAccess]" = None,
) -> Any:
    """Read ``source`` (relative to ``directory``) and convert it like ``<let src>`` does.

    Every read goes through ``access`` (a :class:`~poml._files.FileAccess`;
    ``files`` is another name for it); with none given, only ``directory`` (or
    the current directory) is allowed.
    """
    if access is None:
        access = files
    if access is None:
        from .._files import FileAccess

        access = FileAccess([directory if directory is not None else os.getcwd()])
    if type == "buffer":
        return access.read_bytes(source, directory)
    text = access.read_text(source, directory)
    return parse_text(text, type)
