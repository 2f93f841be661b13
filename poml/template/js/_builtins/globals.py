"""The global names an expression can read: ``JSON``, ``Math``, ``String``, ``Number``, ``Object``..."""

from __future__ import annotations

import math
import sys
from typing import Any

from .json import _json_parse, _json_stringify
from .number import _is_integer, _math1, _math_minmax, _parse_float, _parse_int, _round
from .regexp import _regexp_ctor
from .string import _from_char_code, _from_code_point
from .uri import decode_uri, decode_uri_component, encode_uri, encode_uri_component
from .object import _object_assign, _array_ctor, _array_from, _object_entries, _object_from_entries, _object_keys, _object_values
from .._calls import _arg
from .._operators import _pow
from .._values import _Builtin, _INF, _NAN, _SAFE_INT, _is_num, _to_number, js_to_string, js_truthy


_GLOBALS: dict[str, Any] = {
    "NaN": _NAN,
    "Infinity": _INF,
    "JSON": _Builtin("JSON", None, {
        "stringify": _Builtin("stringify", _json_stringify),
        "parse": _Builtin("parse", _json_parse),
    }),
    "Math": _Builtin("Math", None, {
        "min": _Builtin("min", lambda a: _math_minmax(a, min, _INF)),
        "max": _Builtin("max", lambda a: _math_minmax(a, max, -_INF)),
        "floor": _Builtin("floor", _math1(lambda x: x if x in (_INF, -_INF) else math.floor(x))),
        "ceil": _Builtin("ceil", _math1(lambda x: x if x in (_INF, -_INF) else math.ceil(x))),
        "round": _Builtin("round", _math1(_round)),
        "trunc": _Builtin("trunc", _math1(lambda x: x if x in (_INF, -_INF) else math.trunc(x))),
        "abs": _Builtin("abs", _math1(abs)),
        "sign": _Builtin("sign", _math1(lambda x: (x > 0) - (x < 0) if x != 0 else x)),
        "sqrt": _Builtin("sqrt", _math1(lambda x: math.sqrt(x) if x >= 0 else _NAN)),
        "pow": _Builtin("pow", lambda a: _pow(_arg(a, 0), _arg(a, 1))),
        "log": _Builtin("log", _math1(lambda x: math.log(x) if x > 0 else (-_INF if x == 0 else _NAN))),
        "PI": math.pi,
        "E": math.e,
    }),
    "String": _Builtin("String", lambda a: js_to_string(a[0]) if a else "", {
        "fromCharCode": _Builtin("fromCharCode", _from_char_code),
        "fromCodePoint": _Builtin("fromCodePoint", _from_code_point),
    }),
    "Number": _Builtin("Number", lambda a: _to_number(a[0]) if a else 0, {
        "isInteger": _Builtin("isInteger", _is_integer),
        "isFinite": _Builtin("isFinite", lambda a: _is_num(_arg(a, 0)) and math.isfinite(_arg(a, 0))),
        "isNaN": _Builtin("isNaN", lambda a: _is_num(_arg(a, 0)) and _arg(a, 0) != _arg(a, 0)),
        "parseFloat": _Builtin("parseFloat", _parse_float),
        "parseInt": _Builtin("parseInt", _parse_int),
        "MAX_SAFE_INTEGER": _SAFE_INT - 1,
        "MIN_SAFE_INTEGER": 1 - _SAFE_INT,
        "EPSILON": sys.float_info.epsilon,
        "MAX_VALUE": sys.float_info.max,
        "MIN_VALUE": 5e-324,
        "POSITIVE_INFINITY": _INF,
        "NEGATIVE_INFINITY": -_INF,
        "NaN": _NAN,
    }),
    "Boolean": _Builtin("Boolean", lambda a: js_truthy(_arg(a, 0))),
    "parseInt": _Builtin("parseInt", _parse_int),
    "parseFloat": _Builtin("parseFloat", _parse_float),
    "isNaN": _Builtin("isNaN", lambda a: _to_number(_arg(a, 0)) != _to_number(_arg(a, 0))),
    "isFinite": _Builtin("isFinite", lambda a: math.isfinite(_to_number(_arg(a, 0)))),
    "encodeURIComponent": _Builtin("encodeURIComponent", encode_uri_component),
    "encodeURI": _Builtin("encodeURI", encode_uri),
    "decodeURIComponent": _Builtin("decodeURIComponent", decode_uri_component),
    "decodeURI": _Builtin("decodeURI", decode_uri),
    "Object": _Builtin("Object", None, {
        "keys": _Builtin("keys", lambda a: _object_keys(_arg(a, 0))),
        "values": _Builtin("values", lambda a: _object_values(_arg(a, 0))),
        "entries": _Builtin("entries", lambda a: _object_entries(_arg(a, 0))),
        "fromEntries": _Builtin("fromEntries", _object_from_entries),
        "assign": _Builtin("assign", _object_assign),
    }),
    "RegExp": _Builtin("RegExp", _regexp_ctor),
    "Array": _Builtin("Array", _array_ctor, {
        "isArray": _Builtin("isArray", lambda a: isinstance(_arg(a, 0), (list, tuple))),
        "from": _Builtin("from", _array_from),
        "of": _Builtin("of", lambda a: list(a)),
    }),
}
