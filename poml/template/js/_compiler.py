"""The AST compiled to closures ``fn(scope) -> value``: each node is resolved once."""

from __future__ import annotations

from typing import Any, Callable

from ..._limits import MAX_ARRAY_ITEMS
from ._access import _call_method, _check_prop, _get_index, _get_named, _read_error
from ._budget import ITEM_COST, _charge, _check_list, _check_str
from ._builtins.globals import _GLOBALS
from ._builtins.object import _to_property_key, spread_into
from ._calls import _call
from ._errors import ExpressionError, ExpressionSandboxError
from renderers._js import js_ordered

from ._regex import JSRegExp
from ._patterns import compile_parameters
from ._operators import _BINARY, _add, _neg, _strict_eq, _sub
from ._values import UNDEFINED, JSSet, _Arrow, _MISSING, _SAFE_INT, _to_number, iterated, js_to_string, js_truthy, js_typeof


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
    if kind == "new":  # new Set(iterable): the one constructor
        args = _compile_args(node[5], text)

        def new_set(scope: Any) -> JSSet:
            a = args(scope)
            source = a[0] if a else UNDEFINED
            try:
                values = () if source is None or source is UNDEFINED else iterated(source)
            except ExpressionError as err:
                _locate(err, s, e)
                raise
            _charge(len(values) * ITEM_COST)  # before the work: each value is looked at once
            return JSSet(values)
        return new_set
    if kind == "object":
        return _compile_object(node, text)
    if kind == "arrow":
        params = compile_parameters(node[4], lambda n: _compile(n, text))
        body = _compile(node[5], text)
        src = text[s:e]
        return lambda scope: _Arrow(params, body, scope, src)
    if kind == "regex":
        source, flags = node[4], node[5]
        try:
            JSRegExp(source, flags)  # check the pattern once, at compile time
        except ExpressionError as err:
            _locate(err, s, e)
            raise
        return lambda scope: JSRegExp(source, flags)  # a fresh object (its own lastIndex) each time
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
        if type(o) is dict:  # the common case inline; a missing key may name an inherited method
            v = o.get(name, UNDEFINED)
            if v is not UNDEFINED:
                return v
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
                out.extend(iterated(v))
                if len(out) > MAX_ARRAY_ITEMS:
                    break
            else:
                out.append(v)
        return _check_list(out)
    return with_spread


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
        # JavaScript enumerates integer-like keys first, ascending: fix the order once, here.
        last = {key: val for _, key, val in entries}
        pairs = list(js_ordered(last).items())
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
                spread_into(out, val(scope))
            if len(out) > MAX_ARRAY_ITEMS:
                raise ExpressionSandboxError(f"object larger than {MAX_ARRAY_ITEMS} members")
        return js_ordered(out)
    return obj
