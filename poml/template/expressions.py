"""A sandboxed evaluator for the JavaScript-like expressions of POML templates.

The reference implementation evaluates ``{{ expr }}``, ``for="x in EXPR"``,
``if="EXPR"`` and ``<let value="EXPR"/>`` as real JavaScript. Here the same
syntax is parsed by a small tokenizer + precedence parser (never Python's
``eval``/``compile``/``ast``) and compiled to closures that can read the data
in the scope and nothing else::

    >>> compile_expression("user.name.toUpperCase() + '!'").evaluate({"user": {"name": "ada"}})
    'ADA!'
    >>> js_to_string(compile_expression("[1, 2].map(x => x / 2)").evaluate({}))
    '0.5,1'
    >>> compile_expression("items.length > 0 ? items[0] : 'none'").names
    frozenset({'items'})

Values are plain data: ``dict`` is a JS object, ``list``/``tuple`` an array,
``None`` is ``null`` and :data:`UNDEFINED` is ``undefined``. Anything else in the
scope is opaque: its properties read as ``undefined`` and it cannot be called.

Security model: names and properties that lead out of data in JavaScript
(``constructor``, ``__proto__``, anything starting with ``_``, ``globalThis``,
``eval``...) are refused with :class:`ExpressionSandboxError`; property access
never uses Python ``getattr``; only an allow-list of pure built-in methods can
be called; sizes (text, nesting, strings, arrays) and the total work of one
evaluation are bounded so that hostile input fails fast.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
import threading
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Optional

from .._limits import (
    MAX_ARRAY_ITEMS,
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSION_DEPTH,
    MAX_STRING_CHARS,
)

__all__ = [
    "UNDEFINED", "ExpressionError", "ExpressionSyntaxError", "ExpressionSandboxError",
    "Expression", "compile_expression", "js_to_string", "js_truthy", "js_json_stringify",
    "js_number_to_string", "js_typeof",
]

# Total work one evaluation may do: characters of strings built, array items
# produced or scanned, plus CALL_COST per callback call. Bounds CPU and memory of
# e.g. ``[s.repeat(1e7), s.repeat(1e7), ...]`` or nested ``map``s.
MAX_EXPRESSION_WORK = 20_000_000
CALL_COST = 100
# Per item for built-ins that visit items in a Python loop (join, indexOf, includes...).
ITEM_COST = 10
# Nesting of a value being stringified (JSON.stringify, String([...])) or compared.
MAX_VALUE_DEPTH = 256

_SAFE_INT = 2 ** 53
_INF = math.inf
_NAN = math.nan


# --------------------------------------------------------------------------- values

class _Undefined:
    """JavaScript ``undefined`` (``None`` plays ``null``)."""

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
_MISSING = object()


class ExpressionError(Exception):
    """An expression failed to parse or evaluate.

    ``start``/``end`` are offsets into the expression text (``-1`` when unknown).
    """

    def __init__(self, message: str, start: int = -1, end: int = -1):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end

    def __str__(self) -> str:
        return self.message


class ExpressionSyntaxError(ExpressionError):
    """The expression text is not valid (in the supported JavaScript subset)."""


class ExpressionSandboxError(ExpressionError):
    """A forbidden name or property, or a size/work limit was exceeded."""


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


# --------------------------------------------------------------------------- work budget

class _State(threading.local):
    def __init__(self) -> None:
        self.work = MAX_EXPRESSION_WORK


_state = _State()


def _charge(n: int) -> None:
    """Spend ``n`` units of the current evaluation's work budget."""
    w = _state.work - n
    if w < 0:
        raise ExpressionSandboxError(
            f"expression exceeded its work budget ({MAX_EXPRESSION_WORK} units)")
    _state.work = w


def _check_str(s: str) -> str:
    if len(s) > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    _charge(len(s))
    return s


def _check_list(a: list) -> list:
    if len(a) > MAX_ARRAY_ITEMS:
        raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
    _charge(len(a))
    return a


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
    if x == _INF:
        return "Infinity"
    if x == -_INF:
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


_JS_WS = " \t\n\r\x0b\x0c\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


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


# --------------------------------------------------------------------------- operators

def _add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        r = a + b
        return r if -_SAFE_INT <= r <= _SAFE_INT else _norm(r)
    if ta is str and tb is str:
        if len(a) + len(b) > 4096:
            return _check_str(a + b)
        return a + b
    a = _to_primitive(a)
    b = _to_primitive(b)
    if isinstance(a, str) or isinstance(b, str):
        return _check_str(js_to_string(a) + js_to_string(b))
    return _arith_norm(_to_number(a) + _to_number(b))


def _arith_norm(r: float | int) -> float | int:
    if type(r) is int:
        return r if -_SAFE_INT <= r <= _SAFE_INT else _norm(r)
    return r


def _sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _arith_norm(a - b)
    return _arith_norm(_to_number(a) - _to_number(b))


def _mul(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if type(a) is int and type(b) is int:
        return _arith_norm(a * b)
    try:
        return a * b
    except OverflowError:
        return float(a) * float(b)


def _div(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if b == 0:
        if a != a or a == 0:
            return _NAN
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -_INF if neg else _INF
    try:
        r = a / b
    except OverflowError:
        r = float(a) / float(b)
    return _norm(r)


def _mod(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if type(a) is int and type(b) is int:
        if b == 0:
            return _NAN
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    try:
        return _norm(math.fmod(a, b))
    except (ValueError, OverflowError):
        return _NAN


def _pow(a: Any, b: Any) -> Any:
    a, b = _to_number(a), _to_number(b)
    if b != b:
        return _NAN
    if b == 0:
        return 1
    if a != a or (abs(a) == 1 and b in (_INF, -_INF)):
        return _NAN
    try:
        r = math.pow(a, b)
    except OverflowError:
        odd = float(b).is_integer() and int(b) % 2 == 1
        r = -_INF if (a < 0 and odd) else _INF
    except ValueError:
        if a == 0:
            odd = float(b).is_integer() and int(b) % 2 == 1
            r = -_INF if (odd and math.copysign(1.0, a) < 0) else _INF
        else:
            r = _NAN
    return _norm(r)


def _neg(a: Any) -> Any:
    a = _to_number(a)
    if type(a) is int:
        return -a if a != 0 else -0.0
    return -a


def _compare(a: Any, b: Any) -> Optional[tuple]:
    """Operands of a relational comparison, after JS conversions (None when NaN)."""
    a, b = _to_primitive(a), _to_primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    a, b = _to_number(a), _to_number(b)
    if a != a or b != b:
        return None
    return a, b


def _lt(a: Any, b: Any) -> bool:
    if type(a) is int and type(b) is int:
        return a < b
    p = _compare(a, b)
    return p is not None and p[0] < p[1]


def _le(a: Any, b: Any) -> bool:
    if type(a) is int and type(b) is int:
        return a <= b
    p = _compare(a, b)
    return p is not None and p[0] <= p[1]


def _gt(a: Any, b: Any) -> bool:
    return _lt(b, a)


def _ge(a: Any, b: Any) -> bool:
    return _le(b, a)


def _kind(v: Any) -> str:
    """Type tag used by equality: like typeof, but null is 'null'."""
    if v is None:
        return "null"
    return js_typeof(v)


def _strict_eq(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if ka == "number" or ka == "string" or ka == "boolean":
        return a == b
    if ka == "null" or ka == "undefined":
        return True
    return a is b


def _loose_eq(a: Any, b: Any, depth: int = 0) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka == kb:
        return _strict_eq(a, b)
    nullish = ("null", "undefined")
    if ka in nullish or kb in nullish:
        return ka in nullish and kb in nullish
    if depth > 4:
        return False
    if ka == "number" and kb == "string":
        return a == _to_number(b)
    if ka == "string" and kb == "number":
        return _to_number(a) == b
    if ka == "boolean":
        return _loose_eq(1 if a else 0, b, depth + 1)
    if kb == "boolean":
        return _loose_eq(a, 1 if b else 0, depth + 1)
    if ka in ("number", "string") and kb in ("object", "function"):
        return _loose_eq(a, _to_primitive(b), depth + 1)
    if kb in ("number", "string") and ka in ("object", "function"):
        return _loose_eq(_to_primitive(a), b, depth + 1)
    return False


def _same_value_zero(a: Any, b: Any) -> bool:
    if _is_num(a) and _is_num(b) and a != a and b != b:
        return True
    return _strict_eq(a, b)


def _in(key: Any, obj: Any) -> bool:
    if isinstance(obj, Mapping):
        k = key if type(key) is str else js_to_string(key)
        return k in obj
    if isinstance(obj, (list, tuple)):
        k = js_to_string(key)
        if k == "length":
            return True
        i = _array_index(k)
        return i is not None and i < len(obj)
    if isinstance(obj, _FUNCTION_TYPES):
        return False
    raise ExpressionError(
        f"Cannot use 'in' operator to search for '{js_to_string(key)}' in {js_to_string(obj)}")


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "-": _sub, "*": _mul, "/": _div, "%": _mod, "**": _pow,
    "<": _lt, "<=": _le, ">": _gt, ">=": _ge,
    "===": _strict_eq, "!==": lambda a, b: not _strict_eq(a, b),
    "==": _loose_eq, "!=": lambda a, b: not _loose_eq(a, b),
    "in": _in, "+": _add,
}


# --------------------------------------------------------------------------- property access

_FORBIDDEN_NAMES = frozenset({
    "constructor", "prototype", "__proto__", "globalThis", "window", "process", "require",
    "import", "eval", "Function", "this", "new", "global", "arguments", "module", "exports",
    "Reflect", "Proxy", "Symbol", "setTimeout", "setInterval", "fetch", "XMLHttpRequest",
    "WebAssembly", "Deno", "Bun",
})
_FORBIDDEN_PROPS = frozenset({"constructor", "prototype", "__proto__", "caller", "callee"})


def _check_prop(name: str, start: int = -1, end: int = -1) -> None:
    if name[:1] == "_" or name in _FORBIDDEN_PROPS:
        raise ExpressionSandboxError(f"access to property '{name}' is not allowed", start, end)


def _check_name(name: str, start: int = -1, end: int = -1) -> None:
    if name[:1] == "_" or name in _FORBIDDEN_NAMES:
        raise ExpressionSandboxError(f"access to '{name}' is not allowed", start, end)


def _array_index(k: str) -> Optional[int]:
    """The index named by a canonical numeric property key ('0', '12'), else None."""
    if k.isdigit() and k.isascii() and (k == "0" or k[0] != "0"):
        return int(k)
    return None


def _read_error(obj: Any, key: Any) -> ExpressionError:
    what = "null" if obj is None else "undefined"
    return ExpressionError(f"Cannot read properties of {what} (reading '{js_to_string(key)}')")


def _get_named(o: Any, name: str) -> Any:
    """``o.name`` for a string key (already sandbox-checked)."""
    if type(o) is dict:
        return o.get(name, UNDEFINED)
    if o is None or o is UNDEFINED:
        raise _read_error(o, name)
    if isinstance(o, str):
        if name == "length":
            return len(o)
        i = _array_index(name)
        if i is not None:
            return o[i] if i < len(o) else UNDEFINED
        m = _STR_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    if isinstance(o, (list, tuple)):
        if name == "length":
            return len(o)
        i = _array_index(name)
        if i is not None:
            return o[i] if i < len(o) else UNDEFINED
        m = _ARR_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    if isinstance(o, Mapping):
        try:
            return o[name]
        except KeyError:
            return UNDEFINED
    if type(o) is _Builtin:
        return o.props.get(name, UNDEFINED)
    if _is_num(o) or isinstance(o, bool):
        m = _NUM_METHODS.get(name) if not isinstance(o, bool) else _BOOL_METHODS.get(name)
        return _Bound(name, m, o) if m else UNDEFINED
    return UNDEFINED  # opaque values and functions: no properties


def _get_index(o: Any, key: Any) -> Any:
    """``o[key]``."""
    tk = type(key)
    if tk is int and (type(o) is list or type(o) is tuple or type(o) is str):
        return o[key] if 0 <= key < len(o) else UNDEFINED
    if tk is float and key.is_integer() and (type(o) is list or type(o) is tuple or type(o) is str):
        i = int(key)
        return o[i] if 0 <= i < len(o) else UNDEFINED
    if o is None or o is UNDEFINED:
        raise _read_error(o, key)
    k = key if tk is str else js_to_string(key)
    _check_prop(k)
    if isinstance(o, Mapping) and k not in o and tk is int and key in o:
        return o[key]  # Python dicts keyed by ints
    return _get_named(o, k)


# --------------------------------------------------------------------------- calls

def _is_function(f: Any) -> bool:
    return type(f) is _Arrow or type(f) is _Bound or (type(f) is _Builtin and f.fn is not None)


def _charged(r: Any) -> Any:
    """Charge the size of a string/array a built-in produced (bounds total memory)."""
    t = type(r)
    if (t is str or t is list) and len(r) > 64:
        _charge(len(r))
    return r


def _call(f: Any, args: list, text: str = "") -> Any:
    t = type(f)
    if t is _Arrow:
        return f.call(args)
    if t is _Bound:
        return _charged(f.fn(f.this, args))
    if t is _Builtin and f.fn is not None:
        return _charged(f.fn(args))
    if callable(f) and not isinstance(f, (str, list, tuple, dict, int, float, type(None))):
        raise ExpressionSandboxError(
            f"{text or 'value'} is a host function; only built-in methods can be called in expressions")
    raise ExpressionError(f"{text or js_to_string(f)} is not a function")


def _call_method(o: Any, name: str, args: list, text: str) -> Any:
    t = type(o)
    if t is str:
        m = _STR_METHODS.get(name)
        if m is not None:
            return _charged(m(o, args))
    elif t is list or t is tuple:
        m = _ARR_METHODS.get(name)
        if m is not None:
            return _charged(m(o, args))
    return _call(_get_named(o, name), args, text)


def _arg(args: list, i: int) -> Any:
    return args[i] if i < len(args) else UNDEFINED


def _callback(args: list, i: int = 0, calls: int = 0) -> Any:
    """The function argument ``i``; charges ``calls`` callback calls up front."""
    f = _arg(args, i)
    if not _is_function(f):
        if callable(f) and not isinstance(f, (str, list, tuple, dict, int, float, type(None))):
            raise ExpressionSandboxError(
                "a host function cannot be called in expressions; only built-in methods can")
        raise ExpressionError(f"{js_to_string(f) if not isinstance(f, (dict, list)) else 'object'} is not a function")
    _charge(calls * CALL_COST)
    return f


def _rel_index(v: Any, n: int, default: int) -> int:
    if v is UNDEFINED:
        return default
    x = _to_integer(v)
    if x < 0:
        return int(max(n + x, 0))
    return int(min(x, n))


def _clamp(v: Any, n: int) -> int:
    x = _to_integer(v)
    return int(min(max(x, 0), n))


# ---- string methods: fn(this, args)

def _s_split(s: str, a: list) -> list:
    sep, lim = _arg(a, 0), _arg(a, 1)
    limit = 2 ** 32 - 1 if lim is UNDEFINED else int(_to_integer(lim)) % (2 ** 32)
    if sep is UNDEFINED:
        out = [s]
    else:
        sep = js_to_string(sep)
        pieces = len(s) if sep == "" else s.count(sep) + 1
        if min(pieces, limit) > MAX_ARRAY_ITEMS:  # refuse before building the list
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        out = list(s) if sep == "" else s.split(sep)
    return _check_list(out[:limit])


def _s_pad(s: str, a: list, start: bool) -> str:
    target = _to_integer(_arg(a, 0))
    fill = " " if _arg(a, 1) is UNDEFINED else js_to_string(_arg(a, 1))
    if target <= len(s) or fill == "":
        return s
    if target > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    need = int(target) - len(s)
    pad = (fill * (need // len(fill) + 1))[:need]
    return _check_str(pad + s if start else s + pad)


def _s_repeat(s: str, a: list) -> str:
    n = _to_integer(_arg(a, 0))
    if n < 0 or n == _INF:
        raise ExpressionError(f"Invalid count value: {js_number_to_string(n)}")
    if len(s) * n > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    return _check_str(s * int(n))


def _expand(rep: Any, match: str, pos: int, s: str) -> str:
    if not _is_function(rep) and callable(rep) and not isinstance(rep, (str, list, tuple, dict)):
        raise ExpressionSandboxError(
            "a host function cannot be called in expressions; only built-in methods can")
    if _is_function(rep):
        _charge(CALL_COST)
        return js_to_string(_call(rep, [match, pos, s]))
    rep = js_to_string(rep)
    if "$" not in rep:
        return rep
    return re.sub(r"\$([$&`'])", lambda m: {"$": "$", "&": match, "`": s[:pos],
                                             "'": s[pos + len(match):]}[m.group(1)], rep)


def _s_replace(s: str, a: list, everything: bool) -> str:
    pat, rep = js_to_string(_arg(a, 0)), _arg(a, 1)
    if isinstance(rep, str) and "$`" not in rep and "$'" not in rep:
        # the replacement does not depend on the position: let str.replace do the work
        piece = _expand(rep, pat, 0, s)
        count = (s.count(pat) if pat else len(s) + 1) if everything else (1 if pat in s else 0)
        if len(s) + count * (len(piece) - len(pat)) > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        return _check_str(s.replace(pat, piece, -1 if everything else 1))
    out: list[str] = []
    i = 0
    total = 0
    while True:
        j = s.find(pat, i) if not (pat == "" and i > len(s)) else -1
        if j < 0:
            break
        piece = _expand(rep, pat, j, s)
        out.append(s[i:j])
        out.append(piece)
        total += j - i + len(piece)
        if total > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        if not everything:
            i = j + len(pat)
            break
        if pat == "":
            out.append(s[j:j + 1])
            i = j + 1
        else:
            i = j + len(pat)
        if pat == "" and i > len(s):
            break
    if i <= len(s):
        out.append(s[i:])
    return _check_str("".join(out))


def _s_substring(s: str, a: list) -> str:
    n = len(s)
    x = _clamp(_arg(a, 0), n)
    y = n if _arg(a, 1) is UNDEFINED else _clamp(_arg(a, 1), n)
    return s[min(x, y):max(x, y)]


def _s_substr(s: str, a: list) -> str:
    n = len(s)
    x = _rel_index(_arg(a, 0), n, 0)
    ln = n - x if _arg(a, 1) is UNDEFINED else min(max(_to_integer(_arg(a, 1)), 0), n - x)
    return s[x:x + int(ln)]


def _s_at(s: Any, a: list) -> Any:
    i = _to_integer(_arg(a, 0))
    if i < 0:
        i += len(s)
    return s[int(i)] if 0 <= i < len(s) else UNDEFINED


def _s_index_of(s: str, a: list) -> int:
    return s.find(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s)))


def _s_last_index_of(s: str, a: list) -> int:
    sub = js_to_string(_arg(a, 0))
    p = _to_number(_arg(a, 1))
    end = len(s) if p != p else _clamp(p, len(s))
    return s.rfind(sub, 0, end + len(sub))


def _s_char_at(s: str, a: list) -> str:
    i = _to_integer(_arg(a, 0))
    return s[int(i)] if 0 <= i < len(s) else ""


def _s_char_code_at(s: str, a: list) -> Any:
    i = _to_integer(_arg(a, 0))
    return ord(s[int(i)]) if 0 <= i < len(s) else _NAN


_STR_METHODS: dict[str, Callable[[str, list], Any]] = {
    "toUpperCase": lambda s, a: s.upper(),
    "toLowerCase": lambda s, a: s.lower(),
    "toLocaleUpperCase": lambda s, a: s.upper(),
    "toLocaleLowerCase": lambda s, a: s.lower(),
    "trim": lambda s, a: s.strip(_JS_WS),
    "trimStart": lambda s, a: s.lstrip(_JS_WS),
    "trimEnd": lambda s, a: s.rstrip(_JS_WS),
    "split": _s_split,
    "slice": lambda s, a: s[_rel_index(_arg(a, 0), len(s), 0):_rel_index(_arg(a, 1), len(s), len(s))],
    "substring": _s_substring,
    "substr": _s_substr,
    "includes": lambda s, a: s.find(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s))) >= 0,
    "indexOf": _s_index_of,
    "lastIndexOf": _s_last_index_of,
    "startsWith": lambda s, a: s.startswith(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s))),
    "endsWith": lambda s, a: s.endswith(
        js_to_string(_arg(a, 0)), 0, len(s) if _arg(a, 1) is UNDEFINED else _clamp(_arg(a, 1), len(s))),
    "replace": lambda s, a: _s_replace(s, a, False),
    "replaceAll": lambda s, a: _s_replace(s, a, True),
    "padStart": lambda s, a: _s_pad(s, a, True),
    "padEnd": lambda s, a: _s_pad(s, a, False),
    "repeat": _s_repeat,
    "charAt": _s_char_at,
    "charCodeAt": _s_char_code_at,
    "concat": lambda s, a: _check_str(s + "".join(js_to_string(x) for x in a)),
    "at": _s_at,
    "toString": lambda s, a: s,
    "valueOf": lambda s, a: s,
}


# ---- array methods

def _a_join(arr: Any, a: list) -> str:
    _charge(len(arr) * ITEM_COST)
    sep = "," if _arg(a, 0) is UNDEFINED else js_to_string(_arg(a, 0))
    return _check_str(_join(arr, sep, set(), 0))


def _a_slice(arr: Any, a: list) -> list:
    n = len(arr)
    return _check_list(list(arr[_rel_index(_arg(a, 0), n, 0):_rel_index(_arg(a, 1), n, n)]))


def _a_index_of(arr: Any, a: list) -> int:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    for i in range(_rel_index(_arg(a, 1), len(arr), 0), len(arr)):
        if _strict_eq(arr[i], v):
            return i
    return -1


def _a_last_index_of(arr: Any, a: list) -> int:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    for i in range(len(arr) - 1, -1, -1):
        if _strict_eq(arr[i], v):
            return i
    return -1


def _a_includes(arr: Any, a: list) -> bool:
    v = _arg(a, 0)
    _charge(len(arr) * ITEM_COST)
    return any(_same_value_zero(x, v) for x in arr[_rel_index(_arg(a, 1), len(arr), 0):])


def _a_concat(arr: Any, a: list) -> list:
    out = list(arr)
    for x in a:
        if isinstance(x, (list, tuple)):
            out.extend(x)
        else:
            out.append(x)
        if len(out) > MAX_ARRAY_ITEMS:
            break
    return _check_list(out)


def _a_map(arr: Any, a: list) -> list:
    f = _callback(a, 0, len(arr))
    return [_call(f, [x, i, arr]) for i, x in enumerate(arr)]


def _a_filter(arr: Any, a: list) -> list:
    f = _callback(a, 0, len(arr))
    return [x for i, x in enumerate(arr) if js_truthy(_call(f, [x, i, arr]))]


def _a_flat_map(arr: Any, a: list) -> list:
    return _a_concat([], _a_map(arr, a))  # concat flattens one level, with the same size check


def _a_some(arr: Any, a: list) -> bool:
    f = _callback(a, 0, len(arr))
    return any(js_truthy(_call(f, [x, i, arr])) for i, x in enumerate(arr))


def _a_every(arr: Any, a: list) -> bool:
    f = _callback(a, 0, len(arr))
    return all(js_truthy(_call(f, [x, i, arr])) for i, x in enumerate(arr))


def _a_find(arr: Any, a: list, want_index: bool) -> Any:
    f = _callback(a, 0, len(arr))
    for i, x in enumerate(arr):
        if js_truthy(_call(f, [x, i, arr])):
            return i if want_index else x
    return -1 if want_index else UNDEFINED


def _a_reduce(arr: Any, a: list) -> Any:
    f = _callback(a, 0, len(arr))
    items = list(enumerate(arr))
    if len(a) >= 2:
        acc = a[1]
    elif items:
        acc = items.pop(0)[1]
    else:
        raise ExpressionError("Reduce of empty array with no initial value")
    for i, x in items:
        acc = _call(f, [acc, x, i, arr])
    return acc


def _a_flat(arr: Any, a: list) -> list:
    depth = 1 if _arg(a, 0) is UNDEFINED else _to_integer(_arg(a, 0))
    out: list = []

    def walk(xs: Any, d: float | int, level: int) -> None:
        if level > MAX_VALUE_DEPTH:
            raise ExpressionSandboxError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
        for x in xs:
            if d >= 1 and isinstance(x, (list, tuple)):
                walk(x, d - 1, level + 1)
            else:
                out.append(x)
                if len(out) > MAX_ARRAY_ITEMS:
                    raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")

    _charge(len(arr) * ITEM_COST)
    walk(arr, depth, 0)
    _charge(len(out) * ITEM_COST)
    return _check_list(out)


def _sort_key_default(x: Any) -> tuple:
    # JS default sort: undefined last, everything else by its string form
    return (x is UNDEFINED, "" if x is UNDEFINED else js_to_string(x))


def _a_sort(arr: Any, a: list) -> list:
    items = list(arr)
    _charge(len(items) * max(1, len(items).bit_length()))
    cmp = _arg(a, 0)
    if cmp is UNDEFINED:
        return sorted(items, key=_sort_key_default)
    f = _callback(a, 0, len(items) * max(1, len(items).bit_length()))
    undef = [x for x in items if x is UNDEFINED]
    rest = [x for x in items if x is not UNDEFINED]

    def compare(x: Any, y: Any) -> int:
        r = _to_number(_call(f, [x, y]))
        return 0 if r != r or r == 0 else (1 if r > 0 else -1)

    return sorted(rest, key=functools.cmp_to_key(compare)) + undef


_ARR_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "join": _a_join,
    "slice": _a_slice,
    "includes": _a_includes,
    "indexOf": _a_index_of,
    "lastIndexOf": _a_last_index_of,
    "concat": _a_concat,
    "at": _s_at,
    "map": _a_map,
    "filter": _a_filter,
    "flatMap": _a_flat_map,
    "some": _a_some,
    "every": _a_every,
    "find": lambda arr, a: _a_find(arr, a, False),
    "findIndex": lambda arr, a: _a_find(arr, a, True),
    "reduce": _a_reduce,
    "flat": _a_flat,
    "reverse": lambda arr, a: _check_list(list(reversed(arr))),  # a copy: the scope is read-only
    "toReversed": lambda arr, a: _check_list(list(reversed(arr))),
    "sort": _a_sort,
    "toSorted": _a_sort,
    "toString": lambda arr, a: _a_join(arr, []),
    # Iterators in JavaScript; arrays here, which spread and loop the same way.
    "keys": lambda arr, a: _check_list(list(range(len(arr)))),
    "values": lambda arr, a: _check_list(list(arr)),
    "entries": lambda arr, a: _check_list([[i, v] for i, v in enumerate(arr)]),
}


# ---- number methods

def _n_to_fixed(x: Any, a: list) -> str:
    d = _to_integer(_arg(a, 0))
    if not 0 <= d <= 100:
        raise ExpressionError("toFixed() digits argument must be between 0 and 100")
    if x != x or abs(x) >= 1e21 or x in (_INF, -_INF):
        return js_number_to_string(x)
    q = Decimal(x).quantize(Decimal(1).scaleb(-int(d)), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    return s[1:] if s.startswith("-") and q == 0 else s


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
    "toString": _n_to_string,
    "valueOf": lambda x, a: x,
}
_BOOL_METHODS: dict[str, Callable[[Any, list], Any]] = {
    "toString": lambda x, a: "true" if x else "false",
    "valueOf": lambda x, a: x,
}


# ---- globals

def _json_parse(a: list) -> Any:
    text = js_to_string(_arg(a, 0))
    _charge(len(text))

    def bad_constant(name: str) -> Any:
        raise ExpressionError(f"Unexpected token '{name[0]}', \"{text[:30]}\" is not valid JSON")

    try:
        return json.loads(text, parse_int=_parse_decimal, parse_float=_parse_decimal,
                          parse_constant=bad_constant)
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


@functools.lru_cache(maxsize=64)
def _digit_run(radix: int) -> re.Pattern:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:radix]
    return re.compile("[" + re.escape(digits + digits.upper()) + "]*")


def _parse_int(a: list) -> Any:
    s = js_to_string(_arg(a, 0)).lstrip(_JS_WS)
    radix = _to_integer(_arg(a, 1)) if _arg(a, 1) is not UNDEFINED else 0
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if radix == 0:
        radix = 10
        if s[:2].lower() == "0x":
            radix, s = 16, s[2:]
    elif radix == 16 and s[:2].lower() == "0x":
        s = s[2:]
    if not 2 <= radix <= 36:
        return _NAN
    n = _digit_run(int(radix)).match(s).end()  # a regex: linear even on huge strings
    if n == 0:
        return _NAN
    if n > 400:  # beyond float range anyway
        return _INF * sign
    return _norm(sign * int(s[:n], int(radix)))


_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")


def _parse_float(a: list) -> Any:
    m = _FLOAT_PREFIX.match(js_to_string(_arg(a, 0)).lstrip(_JS_WS))
    if not m:
        return _NAN
    return _str_to_number(m.group(0))


def _object_keys(o: Any) -> list:
    if o is None or o is UNDEFINED:
        raise ExpressionError("Cannot convert undefined or null to object")
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list([k if type(k) is str else js_to_string(k) for k in o])
    if isinstance(o, (list, tuple, str)):
        return _check_list([str(i) for i in range(len(o))])
    return []


def _object_values(o: Any) -> list:
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list(list(o.values()))
    if isinstance(o, (list, tuple, str)):
        return _check_list(list(o))
    _object_keys(o)
    return []


def _object_entries(o: Any) -> list:
    if isinstance(o, (Mapping, list, tuple, str)):
        _charge(len(o) * ITEM_COST)
    if isinstance(o, Mapping):
        return _check_list([[k if type(k) is str else js_to_string(k), v] for k, v in o.items()])
    if isinstance(o, (list, tuple, str)):
        return _check_list([[str(i), v] for i, v in enumerate(o)])
    _object_keys(o)
    return []


def _object_from_entries(a: list) -> dict:
    src = _arg(a, 0)
    if not isinstance(src, (list, tuple)):
        raise ExpressionError(f"{js_to_string(src)} is not iterable")
    _charge(len(src))
    out = {}
    for e in src:
        if not isinstance(e, (list, tuple)):
            raise ExpressionError(f"Iterator value {js_to_string(e)} is not an entry object")
        k = _to_property_key(_arg(list(e[:2]), 0))
        out[k] = _arg(list(e[:2]), 1)
    return out


def _to_property_key(k: Any) -> str:
    k = k if type(k) is str else js_to_string(k)
    _check_prop(k)
    return k


def _array_ctor(a: list) -> list:
    if len(a) == 1 and _is_num(a[0]):
        n = a[0]
        if n != n or n < 0 or not float(n).is_integer() or n >= 2 ** 32:
            raise ExpressionError("Invalid array length")
        if n > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        return _check_list([UNDEFINED] * int(n))
    return _check_list(list(a))


def _array_from(a: list) -> list:
    src = _arg(a, 0)
    if isinstance(src, (list, tuple, str)):
        items = list(src)
    elif isinstance(src, Mapping):
        n = _to_integer(src.get("length", 0))
        if n > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        items = [src.get(str(i), UNDEFINED) for i in range(max(0, int(n)))]
    else:
        items = []
    _check_list(items)
    if len(a) > 1:
        f = _callback(a, 1, len(items))
        items = [_call(f, [x, i]) for i, x in enumerate(items)]
    return items


def _is_integer(a: list) -> bool:
    x = _arg(a, 0)
    return _is_num(x) and x == x and x not in (_INF, -_INF) and float(x).is_integer()


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
    "String": _Builtin("String", lambda a: js_to_string(a[0]) if a else ""),
    "Number": _Builtin("Number", lambda a: _to_number(a[0]) if a else 0, {
        "isInteger": _Builtin("isInteger", _is_integer),
        "isFinite": _Builtin("isFinite", lambda a: _is_num(_arg(a, 0)) and math.isfinite(_arg(a, 0))),
        "isNaN": _Builtin("isNaN", lambda a: _is_num(_arg(a, 0)) and _arg(a, 0) != _arg(a, 0)),
        "parseFloat": _Builtin("parseFloat", _parse_float),
        "parseInt": _Builtin("parseInt", _parse_int),
        "MAX_SAFE_INTEGER": _SAFE_INT - 1,
        "MIN_SAFE_INTEGER": 1 - _SAFE_INT,
    }),
    "Boolean": _Builtin("Boolean", lambda a: js_truthy(_arg(a, 0))),
    "parseInt": _Builtin("parseInt", _parse_int),
    "parseFloat": _Builtin("parseFloat", _parse_float),
    "isNaN": _Builtin("isNaN", lambda a: _to_number(_arg(a, 0)) != _to_number(_arg(a, 0))),
    "isFinite": _Builtin("isFinite", lambda a: math.isfinite(_to_number(_arg(a, 0)))),
    "Object": _Builtin("Object", None, {
        "keys": _Builtin("keys", lambda a: _object_keys(_arg(a, 0))),
        "values": _Builtin("values", lambda a: _object_values(_arg(a, 0))),
        "entries": _Builtin("entries", lambda a: _object_entries(_arg(a, 0))),
        "fromEntries": _Builtin("fromEntries", _object_from_entries),
    }),
    "Array": _Builtin("Array", _array_ctor, {
        "isArray": _Builtin("isArray", lambda a: isinstance(_arg(a, 0), (list, tuple))),
        "from": _Builtin("from", _array_from),
    }),
}


# --------------------------------------------------------------------------- JSON.stringify

_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]  # JS escapes, non-ASCII kept
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
    try:
        _C_LOADS(text, parse_float=_float_seen, parse_constant=_reject_constant)
    except _HasFloat:
        return None
    except (ValueError, RecursionError):
        return None
    return text


# --------------------------------------------------------------------------- tokenizer

_TOKEN_RE = re.compile(r"""
 (?P<ws>\s+)
|(?P<num>0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
|(?P<name>(?:[^\W\d]|\$)[\w$\u200c\u200d]*)
|(?P<str>"(?:[^"\\\n\r]|\\[\s\S])*"|'(?:[^'\\\n\r]|\\[\s\S])*')
|(?P<punct>\?\.(?!\d)|\.\.\.|===|!==|>>>=?|<<=|>>=|\*\*=?|[-+*/%&|^=!<>]=|&&=?|\|\|=?|\?\?=?|=>|\+\+|--|<<|>>|[-+*/%<>!?:.,()\[\]{}=&|^~;@#])
""", re.X)
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_IDENT_CHAR = re.compile(r"[\w$]")
_ESCAPE_RE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": "", "\r": "", "\u2028": "", "\u2029": ""}

# A token: (type, value, start, end). type is 'num' 'str' 'name' 'tmpl' 'eof' or the punctuator.
Token = tuple


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _unescape(body: str, start: int) -> str:
    """Decode the JS escapes of a string literal body (``start``: its offset, for errors)."""
    if "\\" not in body:
        return body

    def repl(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "u" and len(e) > 1:
            cp = int(e[2:-1] if e[1] == "{" else e[1:], 16)
            if cp > 0x10FFFF:
                raise ExpressionSyntaxError("Undefined Unicode code-point", start + m.start(), start + m.end())
            return chr(cp)
        if e[0] == "x" and len(e) == 3:
            return chr(int(e[1:], 16))
        if e in ("u", "x"):
            raise ExpressionSyntaxError("Invalid Unicode escape sequence", start + m.start(), start + m.end())
        return _SIMPLE_ESCAPES.get(e, e)

    s = _ESCAPE_RE.sub(repl, body)
    # '\ud83d\ude00' (a UTF-16 pair written as two escapes) is one character in Python
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + (ord(m.group()[1]) - 0xDC00)), s)


def _tokenize(text: str, pos: int = 0, in_template: bool = False, nest: int = 0) -> tuple[list, int]:
    """All tokens of ``text`` from ``pos`` and the end offset (used inside template literals)."""
    end: list[int] = [len(text)]
    toks = list(_scan(text, pos, in_template, nest, end))
    return toks, end[0]


class _LazyTokens:
    """Tokens scanned on demand, so hostile input is refused before it is all tokenized."""

    __slots__ = ("_gen", "_toks")

    def __init__(self, gen: Any):
        self._gen = gen
        self._toks: list = []

    def __getitem__(self, i: int) -> Token:
        toks = self._toks
        while len(toks) <= i:
            if toks and toks[-1][0] == "eof":
                return toks[-1]
            toks.append(next(self._gen))
        return toks[i]


def _scan(text: str, pos: int, in_template: bool, nest: int, end_box: list) -> Any:
    """Yield the tokens of ``text`` from ``pos``; in a template ``${`` stops at its closing ``}``."""
    if nest > MAX_EXPRESSION_DEPTH:
        raise ExpressionSandboxError(f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", pos, pos)
    braces = 0
    depth = nest
    n = len(text)
    match = _TOKEN_RE.match
    while pos < n:
        c = text[pos]
        if c == "`":
            tok, pos = _template(text, pos, nest)
            yield tok
            continue
        m = match(text, pos)
        if m is None:
            raise ExpressionSyntaxError("Invalid or unexpected token", pos, pos + 1)
        kind = m.lastgroup
        end = m.end()
        if kind == "ws":
            pos = end
            continue
        v = m.group()
        if kind == "num":
            if end < n and _IDENT_CHAR.match(text, end):
                raise ExpressionSyntaxError("Invalid or unexpected token", pos, end + 1)
            yield ("num", _number_literal(v), pos, end)
        elif kind == "name":
            yield ("name", v, pos, end)
        elif kind == "str":
            yield ("str", _unescape(v[1:-1], pos + 1), pos, end)
        else:
            if v in _OPENERS:
                depth += 1
                if depth > MAX_EXPRESSION_DEPTH:  # refuse before tokenizing the rest
                    raise ExpressionSandboxError(
                        f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", pos, end)
            elif v in _CLOSERS:
                depth -= 1
            if in_template:
                if v == "{":
                    braces += 1
                elif v == "}":
                    if braces == 0:
                        end_box[0] = end
                        yield ("eof", None, pos, pos)
                        return
                    braces -= 1
            yield (v, v, pos, end)
        pos = end
    if in_template:
        raise ExpressionSyntaxError("Unterminated template literal", pos, pos)
    end_box[0] = n
    yield ("eof", None, n, n)


def _template(text: str, pos: int, nest: int) -> tuple[Token, int]:
    """A template literal starting at the backtick at ``pos``: ('tmpl', (strings, token lists))."""
    start = pos
    pos += 1
    strings: list[str] = []
    subs: list[list] = []
    buf_start = pos
    n = len(text)
    while True:
        if pos >= n:
            raise ExpressionSyntaxError("Unterminated template literal", start, n)
        c = text[pos]
        if c == "\\":
            pos += 2
        elif c == "`":
            strings.append(_unescape(text[buf_start:pos], buf_start))
            return ("tmpl", (strings, subs), start, pos + 1), pos + 1
        elif c == "$" and text.startswith("${", pos):
            strings.append(_unescape(text[buf_start:pos], buf_start))
            toks, pos = _tokenize(text, pos + 2, True, nest + 1)
            subs.append(toks)
            buf_start = pos
        else:
            pos += 1


def _number_literal(v: str) -> float | int:
    if v[0] == "0" and len(v) > 2 and v[1] in "xXbBoO":
        return _norm(int(v[2:], {"x": 16, "b": 2, "o": 8}[v[1].lower()]))
    return _parse_decimal(v)


# --------------------------------------------------------------------------- parser
# AST nodes are tuples: (kind, start, end, depth, *fields). depth bounds evaluation recursion.

_PREC = {
    "??": 1, "||": 2, "&&": 3, "|": 4, "^": 5, "&": 6,
    "==": 7, "!=": 7, "===": 7, "!==": 7,
    "<": 8, ">": 8, "<=": 8, ">=": 8, "in": 8, "instanceof": 8,
    "<<": 9, ">>": 9, ">>>": 9,
    "+": 10, "-": 10, "*": 11, "/": 11, "%": 11, "**": 12,
}
_UNSUPPORTED_OPS = {"|", "^", "&", "<<", ">>", ">>>", "instanceof"}
_FLAT = {"+", "&&", "||", "??"}
_PREFIX = {"!", "-", "+", "typeof", "void", "~", "delete", "await"}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "**=", "&&=", "||=", "??=", "++", "--",
           "&=", "|=", "^=", "<<=", ">>=", ">>>="}
_KEYWORD_LITERALS = {"true": True, "false": False, "null": None, "undefined": UNDEFINED}
_RESERVED = {"var", "let", "const", "function", "class", "return", "if", "else", "for", "while",
             "do", "switch", "case", "break", "continue", "throw", "try", "catch", "finally",
             "yield", "async", "with", "debugger", "super", "enum", "export", "default",
             "extends", "instanceof", "in", "of"}


class _Parser:
    def __init__(self, text: str, toks: list, bound: list, names: set, nest: int = 0):
        self.text = text
        self.toks = toks
        self.i = 0
        self.nest = nest  # parser recursion: each nested expression counts one level
        self.bound = bound  # arrow parameters in scope, innermost last
        self.names = names  # free variables seen
        self.has_arrow = False

    # -- helpers
    def peek(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, typ: str) -> Token:
        t = self.toks[self.i]
        if t[0] != typ:
            self.fail(t)
        self.i += 1
        return t

    def fail(self, t: Token) -> None:
        typ, v, s, e = t
        if typ == "eof":
            raise ExpressionSyntaxError("Unexpected end of input", s, e)
        if typ == "num":
            raise ExpressionSyntaxError("Unexpected number", s, e)
        if typ in ("str", "tmpl"):
            raise ExpressionSyntaxError("Unexpected string", s, e)
        if typ == "name":
            if v in _RESERVED or v in _KEYWORD_LITERALS:
                raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)
            raise ExpressionSyntaxError(f"Unexpected identifier '{v}'", s, e)
        if typ in _ASSIGN:
            raise ExpressionSyntaxError(
                f"Unexpected token '{v}': assignment is not allowed in expressions", s, e)
        raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)

    @staticmethod
    def node(kind: str, start: int, end: int, children: list, *fields: Any) -> tuple:
        depth = 1 + max((c[3] for c in children), default=0)
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionSandboxError(
                f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", start, end)
        return (kind, start, end, depth, *fields)

    # -- grammar
    def parse(self) -> tuple:
        n = self.expr()
        if self.peek()[0] != "eof":
            self.fail(self.peek())
        return n

    def expr(self) -> tuple:
        """AssignmentExpression: an arrow function or a conditional."""
        self.nest += 1
        if self.nest > MAX_EXPRESSION_DEPTH:
            t = self.peek()
            raise ExpressionSandboxError(
                f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
        try:
            params = self.arrow_params()
            if params is not None:
                return self.arrow(params)
            test = self.binary()
            t = self.peek()
            if t[0] == "?":
                self.i += 1
                yes = self.expr()
                self.expect(":")
                no = self.expr()
                return self.node("cond", test[1], no[2], [test, yes, no], test, yes, no)
            if t[0] in _ASSIGN:
                self.fail(t)
            return test
        finally:
            self.nest -= 1

    def arrow_params(self) -> Optional[list]:
        toks, i = self.toks, self.i
        if toks[i][0] == "name" and toks[i + 1][0] == "=>":
            return [toks[i]]
        if toks[i][0] != "(":
            return None
        j = i + 1
        params = []
        if toks[j][0] != ")":
            while True:
                if toks[j][0] != "name":
                    return None
                params.append(toks[j])
                j += 1
                if toks[j][0] == ",":
                    j += 1
                    continue
                break
        if toks[j][0] == ")" and toks[j + 1][0] == "=>":
            return params
        return None

    def arrow(self, params: list) -> tuple:
        start = self.peek()[2]
        while self.peek()[0] != "=>":
            self.i += 1
        self.i += 1
        names = []
        for _, v, s, e in params:
            _check_name(v, s, e)
            if v in _RESERVED or v in _KEYWORD_LITERALS:
                raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)
            names.append(v)
        if self.peek()[0] == "{":
            t = self.peek()
            raise ExpressionSyntaxError(
                "arrow functions with a block body are not supported; use x => expression", t[2], t[3])
        self.bound.append(set(names))
        try:
            body = self.expr()
        finally:
            self.bound.pop()
        self.has_arrow = True
        return self.node("arrow", start, body[2], [body], tuple(names), body)

    def binary(self) -> tuple:
        """Binary operators by precedence, with an explicit stack (no recursion per operator)."""
        operands = [self.unary()]
        ops: list[tuple] = []  # (op, prec, start, end)
        while True:
            t = self.peek()
            typ = t[0]
            if typ == "name" and t[1] in ("in", "instanceof"):
                typ = t[1]
            prec = _PREC.get(typ)
            if prec is None:
                break
            if typ in _UNSUPPORTED_OPS:
                raise ExpressionSyntaxError(f"operator '{typ}' is not supported", t[2], t[3])
            if typ == "**" and operands[-1][0] == "unary" and not operands[-1][-1]:
                raise ExpressionSyntaxError(
                    "Unary operator used immediately before exponentiation expression. "
                    "Parenthesis must be used to disambiguate operator precedence", t[2], t[3])
            self.i += 1
            while ops and (ops[-1][1] > prec or (ops[-1][1] == prec and typ != "**")):
                self.reduce(operands, ops)
            ops.append((typ, prec, t[2], t[3]))
            if len(ops) > MAX_EXPRESSION_DEPTH:  # only right-associative ** can pile up
                raise ExpressionSandboxError(
                    f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
            operands.append(self.unary())
        while ops:
            self.reduce(operands, ops)
        return operands[0]

    def reduce(self, operands: list, ops: list) -> None:
        op = ops.pop()[0]
        b = operands.pop()
        a = operands.pop()
        if op in _FLAT:
            if a[0] == "nary" and a[4] == op:
                items = a[5]
                items.append(b)
                depth = max(a[3], b[3] + 1)
                if depth > MAX_EXPRESSION_DEPTH:
                    raise ExpressionSandboxError(
                        f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", a[1], b[2])
                operands.append(("nary", a[1], b[2], depth, op, items))
            else:
                operands.append(self.node("nary", a[1], b[2], [a, b], op, [a, b]))
        else:
            operands.append(self.node("binary", a[1], b[2], [a, b], op, a, b))

    def unary(self) -> tuple:
        prefix = []
        while True:
            t = self.peek()
            typ = t[0]
            if typ == "name" and t[1] in _PREFIX:
                typ = t[1]
            elif typ == "name" and t[1] in ("new", "import", "this"):
                raise ExpressionSandboxError(f"access to '{t[1]}' is not allowed", t[2], t[3])
            if typ not in _PREFIX or typ in ("~", "delete", "await"):
                if typ in ("~", "delete", "await"):
                    raise ExpressionSyntaxError(f"operator '{typ}' is not supported", t[2], t[3])
                if typ in ("++", "--"):
                    self.fail(t)
                break
            prefix.append(t)
            if len(prefix) > MAX_EXPRESSION_DEPTH:
                raise ExpressionSandboxError(
                    f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
            self.i += 1
        node = self.postfix()
        for t in reversed(prefix):
            node = self.node("unary", t[2], node[2], [node], t[1], node, False)
        return node

    def postfix(self) -> tuple:
        node = self.primary()
        optional = False
        while True:
            t = self.peek()
            typ = t[0]
            if typ == ".":
                self.i += 1
                p = self.next()
                if p[0] != "name":
                    self.fail(p)
                _check_prop(p[1], p[2], p[3])
                node = self.node("member", node[1], p[3], [node], node, p[1], False)
            elif typ == "?.":
                self.i += 1
                optional = True
                p = self.peek()
                if p[0] == "name":
                    self.i += 1
                    _check_prop(p[1], p[2], p[3])
                    node = self.node("member", node[1], p[3], [node], node, p[1], True)
                elif p[0] == "[":
                    node = self.index(node, True)
                elif p[0] == "(":
                    node = self.call(node, True)
                else:
                    self.fail(p)
            elif typ == "[":
                node = self.index(node, False)
            elif typ == "(":
                node = self.call(node, False)
            elif typ == "tmpl":
                raise ExpressionSyntaxError("tagged templates are not supported", t[2], t[3])
            else:
                break
        if optional:
            node = self.node("optchain", node[1], node[2], [node], node)
        return node

    def index(self, obj: tuple, optional: bool) -> tuple:
        self.expect("[")
        key = self.expr()
        end = self.expect("]")[3]
        if key[0] == "lit" and isinstance(key[4], str):
            _check_prop(key[4], key[1], key[2])
        return self.node("index", obj[1], end, [obj, key], obj, key, optional)

    def call(self, callee: tuple, optional: bool) -> tuple:
        self.expect("(")
        args = self.items(")")
        end = self.expect(")")[3]
        return self.node("call", callee[1], end, [callee] + [a for _, a in args], callee, args, optional)

    def items(self, close: str, holes: bool = False) -> list:
        """Comma-separated expressions (with ``...spread``) up to ``close``."""
        out: list = []
        while self.peek()[0] != close:
            t = self.peek()
            if holes and t[0] == ",":
                self.i += 1
                out.append((False, ("lit", t[2], t[3], 1, UNDEFINED)))
                continue
            spread = t[0] == "..."
            if spread:
                self.i += 1
            out.append((spread, self.expr()))
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != close:
                self.fail(self.peek())
        if len(out) > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        return out

    def primary(self) -> tuple:
        t = self.next()
        typ, v, s, e = t
        if typ == "num" or typ == "str":
            return ("lit", s, e, 1, v)
        if typ == "name":
            if v in _KEYWORD_LITERALS:
                return ("lit", s, e, 1, _KEYWORD_LITERALS[v])
            _check_name(v, s, e)
            if v in _RESERVED or v in _PREFIX:
                self.fail(t)
            if not any(v in b for b in self.bound) and v not in _GLOBALS:
                self.names.add(v)
            return ("name", s, e, 1, v)
        if typ == "(":
            inner = self.expr()
            self.expect(")")
            if inner[0] == "unary":  # parenthesised: allowed before **
                inner = inner[:-1] + (True,)
            return inner
        if typ == "[":
            elems = self.items("]", holes=True)
            end = self.expect("]")[3]
            return self.node("array", s, end, [x for _, x in elems], elems)
        if typ == "{":
            return self.object(s)
        if typ == "tmpl":
            strings, subs = v
            parts = []
            for toks in subs:
                p = _Parser(self.text, toks, self.bound, self.names, self.nest + 1)
                parts.append(p.parse())
                self.has_arrow = self.has_arrow or p.has_arrow
            return self.node("template", s, e, parts, strings, parts)
        self.fail(t)
        raise AssertionError  # unreachable

    def object(self, start: int) -> tuple:
        entries: list = []  # (kind, key, value): kind 'static' (key str), 'computed' (key node), 'spread'
        children: list = []
        while self.peek()[0] != "}":
            t = self.next()
            typ, v, s, e = t
            if typ == "...":
                val = self.expr()
                entries.append(("spread", None, val))
                children.append(val)
            elif typ == "[":
                key = self.expr()
                self.expect("]")
                self.expect(":")
                val = self.expr()
                entries.append(("computed", key, val))
                children += [key, val]
            elif typ in ("name", "str", "num"):
                key = v if typ != "num" else js_to_string(v)
                _check_prop(key, s, e)
                if typ == "name" and self.peek()[0] in (",", "}"):
                    self.i -= 1  # shorthand {a}: a variable reference
                    val = self.primary()
                else:
                    if self.peek()[0] == "(":
                        p = self.peek()
                        raise ExpressionSyntaxError("object methods are not supported", p[2], p[3])
                    self.expect(":")
                    val = self.expr()
                entries.append(("static", key, val))
                children.append(val)
            else:
                self.fail(t)
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != "}":
                self.fail(self.peek())
        end = self.expect("}")[3]
        return self.node("object", start, end, children, entries)


# --------------------------------------------------------------------------- compiler

class _ShortCircuit(Exception):
    """Raised by ``a?.b`` when ``a`` is nullish; caught at the end of the chain."""


def _locate(e: ExpressionError, s: int, t: int) -> None:
    if e.start < 0:
        e.start, e.end = s, t


def _compile(node: tuple, text: str) -> Callable[[Any], Any]:
    kind, s, e = node[0], node[1], node[2]
    if kind == "lit":
        v = node[4]
        return lambda scope: v
    if kind == "name":
        return _compile_name(node[4], s, e)
    if kind == "member":
        return _compile_member(node, text)
    if kind == "index":
        return _compile_index(node, text)
    if kind == "call":
        return _compile_call(node, text)
    if kind == "optchain":
        inner = _compile(node[4], text)

        def optchain(scope: Any) -> Any:
            try:
                return inner(scope)
            except _ShortCircuit:
                return UNDEFINED
        return optchain
    if kind == "unary":
        return _compile_unary(node, text)
    if kind == "binary":
        return _compile_binary(node, text)
    if kind == "nary":
        return _compile_nary(node, text)
    if kind == "cond":
        test, yes, no = (_compile(n, text) for n in node[4:7])
        return lambda scope: yes(scope) if js_truthy(test(scope)) else no(scope)
    if kind == "array":
        return _compile_array(node, text)
    if kind == "object":
        return _compile_object(node, text)
    if kind == "arrow":
        params, body = node[4], _compile(node[5], text)
        src = text[s:e]
        return lambda scope: _Arrow(params, body, scope, src)
    if kind == "template":
        strings = node[4]
        parts = [_compile(p, text) for p in node[5]]

        def template(scope: Any) -> str:
            out = [strings[0]]
            for i, p in enumerate(parts):
                out.append(js_to_string(p(scope)))
                out.append(strings[i + 1])
            return _check_str("".join(out))
        return template
    raise AssertionError(kind)


def _compile_name(name: str, s: int, e: int) -> Callable:
    glob = _GLOBALS.get(name, _MISSING)

    def lookup(scope: Any) -> Any:
        try:
            return scope[name]
        except KeyError:
            if glob is not _MISSING:
                return glob
            raise ExpressionError(f"{name} is not defined", s, e) from None
    return lookup


def _compile_member(node: tuple, text: str) -> Callable:
    _, s, e, _, obj_node, name, optional = node
    obj = _compile(obj_node, text)
    if optional:
        def member_opt(scope: Any) -> Any:
            o = obj(scope)
            if o is None or o is UNDEFINED:
                raise _ShortCircuit
            try:
                return _get_named(o, name)
            except ExpressionError as err:
                _locate(err, s, e)
                raise
        return member_opt

    def member(scope: Any) -> Any:
        o = obj(scope)
        if type(o) is dict:
            return o.get(name, UNDEFINED)
        try:
            return _get_named(o, name)
        except ExpressionError as err:
            _locate(err, s, e)
            raise
    return member


def _compile_index(node: tuple, text: str) -> Callable:
    _, s, e, _, obj_node, key_node, optional = node
    obj, key = _compile(obj_node, text), _compile(key_node, text)

    def index(scope: Any) -> Any:
        o = obj(scope)
        if optional and (o is None or o is UNDEFINED):
            raise _ShortCircuit
        k = key(scope)
        try:
            return _get_index(o, k)
        except ExpressionError as err:
            _locate(err, s, e)
            raise
    return index


def _compile_args(args: list, text: str) -> Callable[[Any], list]:
    fns = [(spread, _compile(a, text)) for spread, a in args]
    if not any(sp for sp, _ in fns):
        plain = [f for _, f in fns]
        if not plain:
            return lambda scope: []
        if len(plain) == 1:
            f0 = plain[0]
            return lambda scope: [f0(scope)]
        return lambda scope: [f(scope) for f in plain]

    def with_spread(scope: Any) -> list:
        out: list = []
        for sp, f in fns:
            v = f(scope)
            if sp:
                out.extend(_iterate(v))
                if len(out) > MAX_ARRAY_ITEMS:
                    break
            else:
                out.append(v)
        return _check_list(out)
    return with_spread


def _iterate(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, str):
        return list(v)
    raise ExpressionError(f"{js_to_string(v) if not isinstance(v, Mapping) else 'object'} is not iterable")


def _compile_call(node: tuple, text: str) -> Callable:
    _, s, e, _, callee_node, args_nodes, optional = node
    args = _compile_args(args_nodes, text)
    ctext = text[callee_node[1]:callee_node[2]]
    if callee_node[0] == "member" or callee_node[0] == "index":
        # method call: look the method up on the value (allow-listed tables only)
        ck, obj_node = callee_node[0], callee_node[4]
        obj = _compile(obj_node, text)
        name = callee_node[5] if ck == "member" else None
        key = _compile(callee_node[5], text) if ck == "index" else None
        member_optional = callee_node[6]

        def method_call(scope: Any) -> Any:
            o = obj(scope)
            if member_optional and (o is None or o is UNDEFINED):
                raise _ShortCircuit
            try:
                if key is None:
                    m = name
                else:
                    k = key(scope)
                    m = k if type(k) is str else js_to_string(k)
                    _check_prop(m)
                if o is None or o is UNDEFINED:
                    raise _read_error(o, m)
                if optional:
                    f = _get_named(o, m)
                    if f is None or f is UNDEFINED:
                        raise _ShortCircuit
                return _call_method(o, m, args(scope), ctext)
            except ExpressionError as err:
                _locate(err, s, e)
                raise
        return method_call

    callee = _compile(callee_node, text)

    def call(scope: Any) -> Any:
        f = callee(scope)
        if optional and (f is None or f is UNDEFINED):
            raise _ShortCircuit
        try:
            return _call(f, args(scope), ctext)
        except ExpressionError as err:
            _locate(err, s, e)
            raise
    return call


def _compile_unary(node: tuple, text: str) -> Callable:
    op, operand_node = node[4], node[5]
    if op == "typeof" and operand_node[0] == "name":
        name = operand_node[4]
        glob = _GLOBALS.get(name, UNDEFINED)

        def typeof_name(scope: Any) -> str:  # typeof on an undeclared name is not an error
            try:
                return js_typeof(scope[name])
            except KeyError:
                return js_typeof(glob)
        return typeof_name
    f = _compile(operand_node, text)
    if op == "!":
        return lambda scope: not js_truthy(f(scope))
    if op == "-":
        return lambda scope: _neg(f(scope))
    if op == "+":
        return lambda scope: _to_number(f(scope))
    if op == "typeof":
        return lambda scope: js_typeof(f(scope))
    if op == "void":
        def void(scope: Any) -> Any:
            f(scope)
            return UNDEFINED
        return void
    raise AssertionError(op)


def _compile_binary(node: tuple, text: str) -> Callable:
    _, s, e, _, op, a_node, b_node = node
    a, b = _compile(a_node, text), _compile(b_node, text)
    fn = _BINARY[op]
    if op == "===":
        def strict(scope: Any) -> bool:
            x, y = a(scope), b(scope)
            if type(x) is type(y) and (type(x) is str or type(x) is int):
                return x == y
            return _strict_eq(x, y)
        return strict
    if op == "-":
        def sub(scope: Any) -> Any:
            x, y = a(scope), b(scope)
            if type(x) is int and type(y) is int:
                r = x - y
                if -_SAFE_INT <= r <= _SAFE_INT:
                    return r
            return _sub(x, y)
        return sub

    def binary(scope: Any) -> Any:
        x = a(scope)
        y = b(scope)
        try:
            return fn(x, y)
        except ExpressionError as err:
            _locate(err, s, e)
            raise
    return binary


def _compile_nary(node: tuple, text: str) -> Callable:
    _, s, e, _, op, items = node
    fns = [_compile(n, text) for n in items]
    first, rest = fns[0], fns[1:]
    if op == "+":
        if len(fns) == 2:
            b = fns[1]

            def add2(scope: Any) -> Any:
                x, y = first(scope), b(scope)
                if type(x) is int and type(y) is int:
                    r = x + y
                    if -_SAFE_INT <= r <= _SAFE_INT:
                        return r
                try:
                    return _add(x, y)
                except ExpressionError as err:
                    _locate(err, s, e)
                    raise
            return add2

        def add(scope: Any) -> Any:
            acc = first(scope)
            try:
                for f in rest:
                    acc = _add(acc, f(scope))
            except ExpressionError as err:
                _locate(err, s, e)
                raise
            return acc
        return add
    if op == "&&":
        def and_(scope: Any) -> Any:
            v = first(scope)
            for f in rest:
                if not js_truthy(v):
                    return v
                v = f(scope)
            return v
        return and_
    if op == "||":
        def or_(scope: Any) -> Any:
            v = first(scope)
            for f in rest:
                if js_truthy(v):
                    return v
                v = f(scope)
            return v
        return or_

    def nullish(scope: Any) -> Any:
        v = first(scope)
        for f in rest:
            if v is not None and v is not UNDEFINED:
                return v
            v = f(scope)
        return v
    return nullish


def _compile_array(node: tuple, text: str) -> Callable:
    args = _compile_args(node[4], text)
    if any(sp for sp, _ in node[4]):
        return args
    n = len(node[4])
    if n > 1000:
        def big(scope: Any) -> list:
            _charge(n)
            return args(scope)
        return big
    return args


def _compile_object(node: tuple, text: str) -> Callable:
    entries = []
    for kind, key, val in node[4]:
        entries.append((kind, key if kind != "computed" else _compile(key, text), _compile(val, text)))
    if all(k == "static" for k, _, _ in entries):
        pairs = [(key, val) for _, key, val in entries]
        _n = len(pairs)

        def static_object(scope: Any) -> dict:
            if _n > 1000:
                _charge(_n)
            return {k: f(scope) for k, f in pairs}
        return static_object

    def obj(scope: Any) -> dict:
        out: dict = {}
        for kind, key, val in entries:
            if kind == "static":
                out[key] = val(scope)
            elif kind == "computed":
                out[_to_property_key(key(scope))] = val(scope)
            else:
                v = val(scope)
                if isinstance(v, Mapping):
                    _charge(len(v))
                    for k, x in v.items():
                        out[_to_property_key(k)] = x
                elif isinstance(v, (list, tuple, str)):
                    _charge(len(v))
                    for i, x in enumerate(v):
                        out[str(i)] = x
            if len(out) > MAX_ARRAY_ITEMS:
                raise ExpressionSandboxError(f"object larger than {MAX_ARRAY_ITEMS} members")
        return out
    return obj


# --------------------------------------------------------------------------- public API

class Expression:
    """A compiled expression. Evaluate it against a scope of plain data.

    >>> e = compile_expression("loop.index + 1")
    >>> e.evaluate({"loop": {"index": 0}})
    1
    >>> sorted(e.names)
    ['loop']
    """

    __slots__ = ("source", "names", "_fn")

    def __init__(self, source: str, fn: Callable[[Any], Any], names: frozenset[str]):
        self.source = source
        self._fn = fn
        self.names = names

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """The value of the expression with the variables of ``scope``.

        Raises :class:`ExpressionError` (or a subclass); never another exception.
        """
        _state.work = MAX_EXPRESSION_WORK
        try:
            return self._fn(scope)
        except ExpressionError as err:
            _locate(err, 0, len(self.source))
            raise
        except RecursionError:
            raise ExpressionSandboxError(
                "expression recursed too deeply", 0, len(self.source)) from None
        except MemoryError:
            raise ExpressionSandboxError("expression ran out of memory", 0, len(self.source)) from None
        except _ShortCircuit:  # pragma: no cover - always caught by its chain
            return UNDEFINED
        except Exception as err:  # a bug or a misbehaving scope: keep the contract
            raise ExpressionError(
                f"internal error: {type(err).__name__}: {err}", 0, len(self.source)) from err

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def _ensure_stack() -> None:
    """Leave room for parsing/compiling MAX_EXPRESSION_DEPTH levels (about 6 frames each).

    Only ever raises the interpreter's recursion limit, and only when the current
    stack plus that room would not fit; a RecursionError is still caught as a backstop.
    """
    f: Any = sys._getframe()
    used = 0
    while f is not None:
        used += 1
        f = f.f_back
    need = used + MAX_EXPRESSION_DEPTH * 8 + 200
    if sys.getrecursionlimit() < need:
        sys.setrecursionlimit(need)


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """Parse ``text`` once (cached) into an :class:`Expression`.

    >>> compile_expression("a ? 'yes' : 'no'").evaluate({"a": []})
    'yes'

    Raises :class:`ExpressionSyntaxError` for invalid text and
    :class:`ExpressionSandboxError` for forbidden names or oversized input.
    """
    if not isinstance(text, str):
        raise ExpressionSyntaxError("expression must be a string", 0, 0)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionSandboxError(
            f"expression longer than {MAX_EXPRESSION_CHARS} characters", 0, len(text))
    try:
        _ensure_stack()
        toks = _LazyTokens(_scan(text, 0, False, 0, [0]))
        names: set[str] = set()
        parser = _Parser(text, toks, [], names)
        tree = parser.parse()
        fn = _compile(tree, text)
    except RecursionError:
        raise ExpressionSandboxError(
            f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", 0, len(text)) from None
    return Expression(text, fn, frozenset(names))
