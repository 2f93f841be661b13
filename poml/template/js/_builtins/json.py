"""``JSON.parse`` and ``JSON.stringify`` with JavaScript's output (key order, numbers, escapes)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Optional

from renderers._js import js_ordered

from ...._limits import MAX_STRING_CHARS
from .._budget import ITEM_COST, _charge, _check_str
from .._calls import _arg, _is_function
from .._errors import ExpressionError, ExpressionSandboxError
from .._values import check_printed_size, MAX_VALUE_DEPTH, UNDEFINED, _is_num, _parse_decimal, _to_integer, js_number_to_string, js_to_string


# ---- globals

def _js_object(pairs: list) -> dict:
    return js_ordered(dict(pairs))


def _json_parse(a: list) -> Any:
    text = js_to_string(_arg(a, 0))
    _charge(len(text))

    def bad_constant(name: str) -> Any:
        raise ExpressionError(f"Unexpected token '{name[0]}', \"{text[:30]}\" is not valid JSON")

    try:
        return json.loads(text, parse_int=_parse_decimal, parse_float=_parse_decimal,
                          parse_constant=bad_constant, object_pairs_hook=_js_object)
    except json.JSONDecodeError as e:
        if not text.strip():
            raise ExpressionError("Unexpected end of JSON input") from None
        raise ExpressionError(f"{e.msg} in JSON at position {e.pos}") from None
    except RecursionError:
        raise ExpressionSandboxError("JSON nested too deeply") from None


def _json_stringify(a: list) -> Any:
    v = _arg(a, 0)
    if isinstance(v, (list, tuple, Mapping)):
        _charge(len(v) * ITEM_COST)
        check_printed_size(v)
    space = _arg(a, 2)
    indent: Any = None
    if _is_num(space):
        indent = int(min(max(_to_integer(space), 0), 10)) or None
    elif isinstance(space, str):
        indent = space[:10] or None
    out = _stringify_top(_arg(a, 0), indent)
    if out is UNDEFINED:
        return UNDEFINED
    return _check_str(out)


# --------------------------------------------------------------------------- JSON.stringify

_encode_basestring = json.encoder.encode_basestring  # type: ignore[attr-defined]  # JS escapes, non-ASCII kept
# A surrogate without its partner has no UTF-8 form: JSON.stringify writes it as \uXXXX (ES2019).
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_SURROGATE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")


def _well_formed(text: str) -> str:
    if text.isascii() or not _SURROGATE.search(text):  # the usual case, at the cost of one scan
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _encode_str(s: str) -> str:
    return _well_formed(_encode_basestring(s))


_C_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_C_LOADS = json.loads


def _stringify_top(value: Any, indent: Any) -> Any:
    gap = " " * indent if isinstance(indent, int) else (indent or "")
    out: list[str] = []
    if not _stringify(value, gap, "", out, set(), 0, [0]):
        return UNDEFINED
    return "".join(out)


def _stringify(v: Any, gap: str, cur: str, out: list, seen: set, depth: int, size: list) -> bool:
    """Append JSON for ``v``; False when ``v`` has no JSON form (undefined, functions).

    ``size`` counts the characters of strings written so far, to refuse early.
    """
    t = type(v)
    if t is str:
        size[0] += len(v) + 2
        if size[0] > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        out.append(_encode_str(v))
    elif t is bool:
        out.append("true" if v else "false")
    elif t is int or t is float:
        out.append(js_number_to_string(v) if math.isfinite(v) else "null")
    elif v is None:
        out.append("null")
    elif v is UNDEFINED or _is_function(v):
        return False
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, (int, float)):
        out.append(js_number_to_string(v) if math.isfinite(v) else "null")
    elif isinstance(v, str):
        out.append(_encode_str(str.__str__(v)))
    elif isinstance(v, (list, tuple, Mapping)):
        if id(v) in seen:
            raise ExpressionError("Converting circular structure to JSON")
        if depth > MAX_VALUE_DEPTH:
            raise ExpressionSandboxError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
        seen.add(id(v))
        inner = cur + gap
        sep = ",\n" + inner if gap else ","
        if isinstance(v, Mapping):
            items = [(k, x) for k, x in v.items()]
            if not items:
                out.append("{}")
            else:
                out.append("{\n" + inner if gap else "{")
                first = True
                for k, x in items:
                    mark = len(out)
                    if not first:
                        out.append(sep)
                    out.append(_encode_str(k if type(k) is str else js_to_string(k)))
                    out.append(": " if gap else ":")
                    if _stringify(x, gap, inner, out, seen, depth + 1, size):
                        first = False
                    else:
                        del out[mark:]
                if first:  # every member was dropped
                    out[-1] = "{}"
                else:
                    out.append("\n" + cur + "}" if gap else "}")
        else:
            if not v:
                out.append("[]")
            else:
                out.append("[\n" + inner if gap else "[")
                for i, x in enumerate(v):
                    if i:
                        out.append(sep)
                    if not _stringify(x, gap, inner, out, seen, depth + 1, size):
                        out.append("null")
                out.append("\n" + cur + "]" if gap else "]")
        seen.discard(id(v))
    else:
        out.append("{}")  # opaque values have no enumerable data
    return True


def js_json_stringify(value: Any, indent: Optional[int | str] = None) -> str:
    """JavaScript ``JSON.stringify(value, null, indent)``.

    >>> js_json_stringify({"a": [1, 2.0, None, float("nan")], "b": "é"})
    '{"a":[1,2,null,null],"b":"é"}'

    A top-level ``undefined`` (which has no JSON form) gives ``"undefined"``.
    """
    check_printed_size(value)
    if indent is None and type(value) in (dict, list):
        fast = _stringify_fast(value)
        if fast is not None:
            return fast
    out = _stringify_top(value, indent)
    return "undefined" if out is UNDEFINED else out


class _HasFloat(Exception):
    pass


def _reject_constant(_text: str) -> Any:
    raise _HasFloat


def _float_seen(text: str) -> Any:
    # Python's repr and JavaScript print a float alike when Python writes it in plain
    # decimal with a fraction (shortest round-trip digits in both); "1.0" and "1e-05" differ.
    if "e" in text or "E" in text or text.endswith(".0"):
        raise _HasFloat
    return 0


def _stringify_fast(value: Any) -> Optional[str]:
    """JSON.stringify by the C encoder when it gives the same text, else None.

    It does when the data is plain JSON whose floats Python prints as JavaScript
    does: the C parser's float hook looks at every float in the output. Anything else (undefined, functions, cycles,
    other objects) makes the encoder fail and the exact walker takes over.
    """
    try:
        text = _C_DUMPS(value)
    except (TypeError, ValueError, RecursionError):
        return None
    if len(text) > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    text = _well_formed(text)
    try:
        _C_LOADS(text, parse_float=_float_seen, parse_constant=_reject_constant)
    except _HasFloat:
        return None
    except (ValueError, RecursionError):
        return None
    return text
