"""Calling functions: built-ins, bound methods and arrow functions, each call charged."""

from __future__ import annotations

from typing import Any

from ._budget import CALL_COST, _charge, current
from ._errors import ExpressionError, ExpressionSandboxError
from ._values import UNDEFINED, _Arrow, _Bound, _Builtin, _to_integer, js_to_string


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
        _charge(CALL_COST)  # direct calls too: f(f) chains cannot run for free
        return f.call(args)
    if t is _Bound:
        return _charged(f.fn(f.this, args))
    if t is _Builtin and f.fn is not None:
        return _charged(f.fn(args))
    if callable(f) and not isinstance(f, (str, list, tuple, dict, int, float, type(None))):
        raise ExpressionSandboxError(
            f"{text or 'value'} is a host function; only built-in methods can be called in expressions")
    raise ExpressionError(f"{text or js_to_string(f)} is not a function")


def _arg(args: list, i: int) -> Any:
    return args[i] if i < len(args) else UNDEFINED


def _callback(args: list, i: int = 0, calls: int = 0) -> Any:
    """The function argument ``i``; refuses up front when ``calls`` calls would not fit the budget.

    Each call is charged as it happens (by :func:`_call`); this only fails fast.
    """
    f = _arg(args, i)
    if not _is_function(f):
        if callable(f) and not isinstance(f, (str, list, tuple, dict, int, float, type(None))):
            raise ExpressionSandboxError(
                "a host function cannot be called in expressions; only built-in methods can")
        raise ExpressionError(f"{js_to_string(f) if not isinstance(f, (dict, list)) else 'object'} is not a function")
    if calls and calls * CALL_COST > current().left:
        current().charge(calls * CALL_COST)  # raises, naming the limit
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
