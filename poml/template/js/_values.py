"""JavaScript values in Python: functions, truthiness, ``typeof``, ``String(v)``, ``ToNumber``.

``undefined``, number printing and JS whitespace come from :mod:`renderers._js`, the one
home of JavaScript semantics that the renderers share; this module adds what only
the evaluator needs (function values, conversions with their sandbox limits).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Callable, Optional

from ..._limits import MAX_STRING_CHARS
from renderers._js import JS_WHITESPACE as _JS_WS
from renderers._js import UNDEFINED, js_number_to_string

from ._budget import current
from ._errors import ExpressionLimitError, ExpressionSandboxError
from ._regex import JSRegExp


# Nesting of a value being stringified (JSON.stringify, String([...])) or compared.
MAX_VALUE_DEPTH = 256

_SAFE_INT = 2 ** 53
_INF = math.inf
_NAN = math.nan


# --------------------------------------------------------------------------- values

_MISSING = object()


class _Builtin:
    """A built-in function or namespace (``String``, ``Math``, ``JSON.parse``)."""

    __slots__ = ("name", "fn", "props")

    def __init__(self, name: str, fn: Optional[Callable[[list], Any]] = None,
                 props: Optional[dict] = None):
        self.name = name
        self.fn = fn
        self.props = props or {}

    def __repr__(self) -> str:
        return f"<builtin {self.name}>"


class _Bound:
    """A built-in method read off a value (``'a'.toUpperCase``)."""

    __slots__ = ("name", "fn", "this")

    def __init__(self, name: str, fn: Callable[[Any, list], Any], this: Any):
        self.name = name
        self.fn = fn
        self.this = this


class _Frame(dict):
    """Scope of an arrow function call: its parameters over the enclosing scope."""

    __slots__ = ("parent",)

    def __missing__(self, key: str) -> Any:
        return self.parent[key]


class _Arrow:
    """An arrow function ``x => expr`` closed over the scope it was created in."""

    __slots__ = ("params", "body", "scope", "source")

    def __init__(self, params: tuple, body: Callable, scope: Any, source: str):
        self.params = params
        self.body = body
        self.scope = scope
        self.source = source

    def call(self, args: list) -> Any:
        frame = _Frame()
        frame.parent = self.scope
        n = len(args)
        for i, p in enumerate(self.params):
            frame[p] = args[i] if i < n else UNDEFINED
        return self.body(frame)


_FUNCTION_TYPES = (_Builtin, _Bound, _Arrow)


# --------------------------------------------------------------------------- conversions

def js_typeof(v: Any) -> str:
    """JavaScript ``typeof v``."""
    t = type(v)
    if t is str:
        return "string"
    if t is int or t is float:
        return "number"
    if t is bool:
        return "boolean"
    if v is UNDEFINED:
        return "undefined"
    if isinstance(v, _FUNCTION_TYPES) and (t is not _Builtin or v.fn is not None):
        return "function"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"


def _is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float or (isinstance(v, (int, float)) and not isinstance(v, bool))


def js_truthy(v: Any) -> bool:
    """JavaScript truthiness: ``"" 0 NaN null undefined false`` are falsy."""
    t = type(v)
    if t is bool:
        return v
    if t is str:
        return v != ""
    if t is int:
        return v != 0
    if t is float:
        return v == v and v != 0.0
    if v is None or v is UNDEFINED:
        return False
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, (int, float)):
        return v == v and v != 0
    if isinstance(v, str):
        return len(v) > 0
    return True




def _fn_source(v: Any) -> str:
    if type(v) is _Arrow:
        return v.source
    return f"function {v.name}() {{ [native code] }}"


def js_to_string(v: Any) -> str:
    """JavaScript ``String(v)``."""
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
    if t is list or t is tuple:
        if len(v) > 16 or any(type(x) is list or type(x) is tuple for x in v):
            check_printed_size(v)
        return _join(v, ",", set(), 0)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return js_number_to_string(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, (list, tuple)):
        return _join(v, ",", set(), 0)
    if isinstance(v, (_Arrow, _Bound)) or (t is _Builtin and v.fn is not None):
        return _fn_source(v)
    if t is _Builtin:
        return f"[object {v.name}]"
    if t is JSRegExp:
        return f"/{v.source}/{v.flags}"
    return "[object Object]"


def _join(arr: Any, sep: str, seen: set, depth: int) -> str:
    """``Array.prototype.join`` with JS's cycle rule (a cycle joins as '')."""
    if id(arr) in seen:
        return ""
    if depth > MAX_VALUE_DEPTH:
        raise ExpressionSandboxError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
    seen.add(id(arr))
    parts = []
    total = 0
    for x in arr:
        if x is None or x is UNDEFINED:
            s = ""
        elif type(x) is list or type(x) is tuple:
            s = _join(x, ",", seen, depth + 1)
        else:
            s = js_to_string(x)
        total += len(s) + len(sep)
        if total > MAX_STRING_CHARS + len(sep):
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        parts.append(s)
    seen.discard(id(arr))
    return sep.join(parts)


def _to_primitive(v: Any) -> Any:
    """ToPrimitive with the default hint: objects become their string form."""
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None or v is UNDEFINED:
        return v
    if isinstance(v, (str, int, float)):  # subclasses, bool included
        return v
    return js_to_string(v)




_DIGITS = "0123456789"
_RADIX_DIGITS = {"x": "0123456789abcdefABCDEF", "o": "01234567", "b": "01"}


def _is_numeric_literal(s: str) -> bool:
    """StringNumericLiteral check with str.lstrip (C speed, no regex backtracking)."""
    if len(s) > 2 and s[0] == "0" and s[1] in "xXoObB":
        return s[2:].lstrip(_RADIX_DIGITS[s[1].lower()]) == ""
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


def _str_to_number(s: str) -> float | int:
    s = s.strip(_JS_WS)
    if not s:
        return 0
    if not _is_numeric_literal(s):
        return _NAN
    if s[0] == "0" and len(s) > 2 and s[1] in "xXoObB":
        return _norm(int(s[2:], {"x": 16, "o": 8, "b": 2}[s[1].lower()]))
    if s.lstrip("+-") == "Infinity":
        return -_INF if s[0] == "-" else _INF
    return _parse_decimal(s)


def _parse_decimal(s: str) -> float | int:
    if len(s) <= 15 and s.lstrip("+-").isdigit():
        return int(s)
    return _norm(float(s))


def _to_number(v: Any) -> float | int:
    """JavaScript ToNumber."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is bool:
        return 1 if v else 0
    if t is str:
        return _str_to_number(v)
    if v is None:
        return 0
    if v is UNDEFINED:
        return _NAN
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, (str, list, tuple)):
        return _str_to_number(js_to_string(v))
    return _NAN


def _norm(x: float | int) -> float | int:
    """Keep integral results as Python ints (prints '2', not '2.0'); big ones as floats."""
    if type(x) is int:
        if -_SAFE_INT <= x <= _SAFE_INT:
            return x
        try:
            return float(x)
        except OverflowError:
            return _INF if x > 0 else -_INF
    if x == x and -_SAFE_INT <= x <= _SAFE_INT and x.is_integer() and (x != 0 or math.copysign(1, x) > 0):
        return int(x)
    return x


def _to_integer(v: Any) -> float | int:
    """ToIntegerOrInfinity."""
    n = _to_number(v)
    if type(n) is int:
        return n
    if n != n:
        return 0
    if n in (_INF, -_INF):
        return n
    return int(n)


def _array_index(k: str) -> Optional[int]:
    """The index named by a canonical numeric property key ('0', '12'), else None."""
    if k.isdigit() and k.isascii() and (k == "0" or k[0] != "0"):
        return int(k)
    return None


_SCALARS = frozenset({str, int, float, bool, type(None), type(UNDEFINED)})


def printed_size(v: Any, cap: int = MAX_STRING_CHARS) -> int:
    """A lower estimate of how many characters ``v`` prints as (JSON or ``String``), capped just past ``cap``.

    A shared sub-value prints once per place it appears (``[d, d]`` doubled 26 times
    is 27 arrays but 2**26 leaves), so each distinct object is walked once,
    memoised by identity, without recursion; a cycle adds nothing here (the
    printer reports it). Scalars count a flat few characters each: the point is
    to catch multiplication, and the printers still check the real length.
    """
    if not isinstance(v, (list, tuple, Mapping)):
        return 0
    memo: dict[int, int] = {}
    keep = []  # the objects whose ids are memo keys stay alive
    stack: list = [(v, None)]
    scalars = _SCALARS
    while stack:
        x, kids = stack.pop()
        i = id(x)
        if kids is None:
            if i in memo:
                continue
            memo[i] = 0  # in progress
            keep.append(x)
            vals = x.values() if isinstance(x, Mapping) else x
            kids = [c for c in vals if type(c) not in scalars]
            kids = [c for c in kids if isinstance(c, (list, tuple, Mapping))]
            stack.append((x, kids))
            stack.extend((c, None) for c in kids if id(c) not in memo)
            continue
        total = 2 + 2 * len(x)
        if isinstance(x, Mapping):
            total += 4 * len(x)
        for c in kids:
            total += memo.get(id(c), 0)
        memo[i] = total if total <= cap else cap + 1
    return memo[id(v)]


def check_printed_size(v: Any) -> None:
    """Refuse, before printing, a value whose text would exceed the string limit or the budget."""
    if isinstance(v, (list, tuple, Mapping)):
        size = printed_size(v)
        if size > MAX_STRING_CHARS:
            raise ExpressionLimitError(
                f"the value's text would be longer than the string limit ({MAX_STRING_CHARS:,} characters; "
                "a structure that repeats shared parts?)")
        current().charge(size // 4)
