"""JavaScript values in Python: functions, truthiness, ``typeof``, ``String(v)``, ``ToNumber``.

The rules themselves (``undefined``, ``String(v)``, number text and parsing, JSON,
whitespace) live in :mod:`renderers._js`, the one home the writers, data loaders and
components share; this module adds what only the evaluator has (function values)
and applies the sandbox's limits, turning the rule module's errors into its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..._limits import MAX_STRING_CHARS
from renderers import _js
from renderers._js import UNDEFINED, js_number_to_string
from renderers._js import js_number as _str_to_number, normalize as _norm  # noqa: F401 (the evaluator's modules import _norm here)

from ._budget import current
from ._errors import ExpressionError, ExpressionLimitError, ExpressionSandboxError
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


@dataclass(slots=True, eq=False)
class _Arrow:
    """An arrow function ``x => expr`` closed over the scope it was created in."""

    params: tuple
    body: Callable
    scope: Any
    source: str

    def call(self, args: list) -> Any:
        frame = _Frame()
        frame.parent = self.scope
        n = len(args)
        for i, p in enumerate(self.params):
            if type(p) is str:
                frame[p] = args[i] if i < n else UNDEFINED
            else:  # a destructuring pattern, a default or a rest parameter (see _patterns)
                p(frame, args, i)
        return self.body(frame)


_FUNCTION_TYPES = (_Builtin, _Bound, _Arrow)


class JSSet:
    """A ``Set`` made by ``new Set(iterable)``: its values once each, in the order first seen, told
    apart as SameValueZero does (NaN is NaN, -0 is 0, true is not 1, objects by identity).
    Expressions change no data, so it has no ``add`` or ``delete``."""

    __slots__ = ("_items",)

    def __init__(self, values: Any = ()) -> None:
        items: dict = {}
        for v in values:
            if type(v) is float and v == 0:
                v = 0  # a Set keeps -0 as +0
            items.setdefault(_set_key(v), v)
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, v: Any) -> bool:
        return _set_key(v) in self._items

    def values(self) -> list:
        return list(self._items.values())


def _set_key(v: Any) -> tuple:
    t = type(v)
    if t is str or t is bool:
        return (t, v)
    if t is int or t is float:
        return ("number", v) if v == v else ("NaN",)  # 1 and 1.0, 0 and -0 hash alike
    if v is None or v is UNDEFINED:
        return (v,)
    return ("object", id(v))


def iterated(v: Any) -> Any:
    """What ``[...v]``, ``for of`` and an array pattern read: an array or string as it is, a Set's
    values; anything else is the TypeError JavaScript raises."""
    if isinstance(v, (list, tuple, str)):
        return v
    if type(v) is JSSet:
        return v.values()
    raise ExpressionError(f"{'object' if isinstance(v, Mapping) else js_to_string(v)} is not iterable")


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


def _opaque_text(v: Any) -> str:
    """``String(v)`` of what only the evaluator has: functions, namespaces, regular expressions."""
    t = type(v)
    if isinstance(v, (_Arrow, _Bound)) or (t is _Builtin and v.fn is not None):
        return _fn_source(v)
    if t is _Builtin:
        return f"[object {v.name}]"
    if t is JSRegExp:
        return f"/{v.source}/{v.flags}"
    if t is JSSet:
        return "[object Set]"
    return "[object Object]"


def js_to_string(v: Any) -> str:
    """JavaScript ``String(v)``."""
    t = type(v)
    if t is str:
        return v
    if t is int or t is float:
        return js_number_to_string(v)
    if t is list or t is tuple:
        if len(v) > 16 or any(type(x) is list or type(x) is tuple for x in v):
            check_printed_size(v)
        return _join(v, ",")
    return _js.js_string(v, _opaque_text)


def _join(arr: Any, sep: str) -> str:
    """``Array.prototype.join`` under the sandbox's string and depth limits."""
    try:
        return _js.js_join(arr, sep, _opaque_text, MAX_STRING_CHARS, MAX_VALUE_DEPTH)
    except _js.JSRangeError as err:
        raise ExpressionSandboxError(str(err)) from None


def _to_primitive(v: Any) -> Any:
    """ToPrimitive with the default hint: objects become their string form."""
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None or v is UNDEFINED:
        return v
    if isinstance(v, (str, int, float)):  # subclasses, bool included
        return v
    return js_to_string(v)




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


_NOT_STR_SCALARS = frozenset({int, float, bool, type(None), type(UNDEFINED)})


def _printed(v: Any, cap: int) -> tuple[int, int]:
    """(structure, string characters) that ``v`` prints as, each capped just past ``cap``.

    A shared sub-value prints once per place it appears (``[d, d]`` doubled 26 times
    is 27 arrays but 2**26 leaves): that case is :func:`_printed_shared`. Data from
    a context is nearly always a tree, whose size one pass adds up; the pass hands
    over to the memoised walk at the first container it meets twice.
    """
    if not isinstance(v, (list, tuple, Mapping)):
        return 0, 0
    seen: set[int] = set()
    stack: list = [v]
    structure = text = 0
    while stack:
        x = stack.pop()
        i = id(x)
        if i in seen:  # shared or cyclic: only the memoised walk counts it right
            return _printed_shared(v, cap)
        seen.add(i)
        tx = type(x)
        if tx is dict or (tx is not list and tx is not tuple and isinstance(x, Mapping)):
            structure += 2 + 6 * len(x)
            values: Any = x.values()
        else:
            structure += 2 + 2 * len(x)
            values = x
        for c in values:
            tc = type(c)
            if tc is str:
                text += len(c)
            elif tc is dict or tc is list or tc is tuple or (
                    tc not in _NOT_STR_SCALARS and isinstance(c, (list, tuple, Mapping))):
                stack.append(c)
        if structure + text > cap:  # refused anyway: no need to walk the rest
            break
    return min(structure, cap + 1), min(text, cap + 1)


def _printed_shared(v: Any, cap: int) -> tuple[int, int]:
    """:func:`_printed` for values with shared parts: each distinct object is walked once,
    memoised by identity, without recursion; a cycle adds nothing here (the printer
    reports it). Other scalars count a flat few characters each: the point is to catch
    multiplication, and the printers still check the real length.
    """
    memo: dict[int, tuple[int, int]] = {}
    keep = []  # the objects whose ids are memo keys stay alive
    stack: list = [(v, None, 0)]
    others_of = _NOT_STR_SCALARS
    while stack:
        x, kids, text = stack.pop()
        i = id(x)
        if kids is None:
            if i in memo:
                continue
            memo[i] = (0, 0)  # in progress
            keep.append(x)
            vals = x.values() if isinstance(x, Mapping) else x
            rest = [c for c in vals if type(c) not in others_of]  # strings and containers
            kids = [c for c in rest if type(c) is not str and isinstance(c, (list, tuple, Mapping))]
            text = sum(map(len, [c for c in rest if type(c) is str])) if len(kids) < len(rest) else 0
            stack.append((x, kids, text))
            stack.extend((c, None, 0) for c in kids if id(c) not in memo)
            continue
        total = 2 + 2 * len(x)
        if isinstance(x, Mapping):
            total += 4 * len(x)
        for c in kids:
            t, n = memo.get(id(c), (0, 0))
            total += t
            text += n
        memo[i] = (min(total, cap + 1), min(text, cap + 1))
    return memo[id(v)]


def printed_size(v: Any, cap: int = MAX_STRING_CHARS) -> int:
    """A lower estimate of how many characters ``v`` prints as (JSON or ``String``), capped just past ``cap``."""
    structure, text = _printed(v, cap)
    return min(structure + text, cap + 1)


def check_printed_size(v: Any) -> None:
    """Refuse, before printing, a value whose text would exceed the string limit or the budget."""
    if isinstance(v, (list, tuple, Mapping)):
        structure, text = _printed(v, MAX_STRING_CHARS)
        if structure + text > MAX_STRING_CHARS:
            raise ExpressionLimitError(
                f"the value's text would be longer than the string limit ({MAX_STRING_CHARS:,} characters; "
                "a structure that repeats shared parts?)")
        current().charge(structure // 4)
