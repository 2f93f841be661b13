"""``JSON.parse`` and ``JSON.stringify`` in expressions: :mod:`renderers._js`'s rules under the sandbox's limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from renderers import _js, _jsjson

from ...._limits import MAX_STRING_CHARS
from .._budget import ITEM_COST, _charge, _check_str, current
from .._calls import _arg, _is_function
from .._errors import ExpressionError, ExpressionSandboxError
from .._values import check_printed_size, MAX_VALUE_DEPTH, UNDEFINED, _is_num, _to_integer, js_to_string


def _json_parse(a: list) -> Any:
    text = js_to_string(_arg(a, 0))
    _charge(len(text))
    try:
        return _jsjson.parse_json(text)
    except _js.JSSyntaxError as err:
        raise ExpressionError(str(err)) from None
    except _js.JSRangeError as err:
        raise ExpressionSandboxError(str(err)) from None


def _json_stringify(a: list) -> Any:
    v = _arg(a, 0)
    if isinstance(v, (list, tuple, Mapping)):
        _charge(len(v) * ITEM_COST)
    space = _arg(a, 2)
    indent: Any = None
    if _is_num(space):
        indent = int(min(max(_to_integer(space), 0), 10)) or None
    elif isinstance(space, str):
        indent = space[:10] or None
    out = _stringify(v, indent)
    return UNDEFINED if out is None else _check_str(out)


def _opaque_json(v: Any) -> Any:
    # A function has no JSON form (left out like undefined); other objects have no enumerable data.
    return UNDEFINED if _is_function(v) else {}


def _stringify(value: Any, indent: Any) -> Optional[str]:
    check_printed_size(value)
    try:
        return _jsjson.stringify(value, indent, opaque=_opaque_json, max_depth=MAX_VALUE_DEPTH,
                             max_chars=MAX_STRING_CHARS)
    except _js.JSTypeError as err:
        raise ExpressionError(str(err)) from None
    except _js.JSRangeError as err:
        raise ExpressionSandboxError(str(err)) from None


def js_json_reparsed(value: Any) -> Any:
    """``JSON.parse(JSON.stringify(value))`` of a tree of plain data (an output schema from the
    context) in one walk, charged like the print; None where only the full path can tell."""
    got = _jsjson.json_copy(value, MAX_STRING_CHARS, MAX_VALUE_DEPTH)
    if got is None:
        return None
    copy, structure = got
    current().charge(structure // 4)  # what check_printed_size charges the same value
    return copy


def js_json_stringify(value: Any, indent: Optional[int | str] = None) -> str:
    """JavaScript ``JSON.stringify(value, null, indent)``.

    >>> js_json_stringify({"a": [1, 2.0, None, float("nan")], "b": "é", "1": 0})
    '{"1":0,"a":[1,2,null,null],"b":"é"}'

    A top-level ``undefined`` (which has no JSON form) gives ``"undefined"``.
    """
    out = _stringify(value, indent)
    return "undefined" if out is None else out
