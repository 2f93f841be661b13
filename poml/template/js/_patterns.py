"""Arrow-function parameters that destructure: ``([k, v]) =>``, ``({name, price = 0}) =>``, ``(...rest) =>``.

Parsed into pattern tuples (``PatternParsing``, a part of the expression parser), then compiled
to binders that store the names a pattern declares in the call's frame, as JavaScript's
destructuring does: a missing member is ``undefined``, a default replaces only ``undefined``,
and a value that cannot be destructured (``null`` for an object pattern, a number for an array
pattern) is an ExpressionError. Patterns are ``("name", n)``, ``("default", pattern, node)``,
``("array", items, rest)`` (a hole is None) and ``("object", ((key, pattern), ...), rest)``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from renderers._js import js_ordered

from ..._limits import MAX_EXPRESSION_DEPTH
from ._access import _check_prop, _get_named
from ._budget import _charge
from ._builtins.object import spread_into
from ._errors import ExpressionError, ExpressionSandboxError, ExpressionSyntaxError
from ._values import UNDEFINED, iterated, js_to_string

Binder = Callable[[dict, Any], None]


class PatternParsing:
    """The expression parser's methods for parameters that are binding patterns."""

    def arrow_with_patterns(self, start: int) -> tuple:
        """``([k, v], {a, b: c = 1}, ...rest) => body``: each parameter a binding pattern."""
        self.expect("(")
        names: list[str] = []
        defaults: list[tuple] = []
        self.bound.append(set())  # a default may read the parameters before it
        try:
            params, rest = self.pattern_list(")", names, defaults)
        finally:
            self.bound.pop()
        if rest is not None:
            params.append(("rest", rest))
        self.expect("=>")
        return self.arrow_body(start, names, tuple(params), defaults)

    def pattern_list(self, close: str, names: list, defaults: list) -> tuple[list, Optional[tuple]]:
        """Bindings up to ``close`` (consumed), the last maybe ``...rest``; an array pattern
        (``close`` "]") may leave holes, which are None."""
        elems: list = []
        rest = None
        while self.peek()[0] != close:
            if close == "]" and self.peek()[0] == ",":  # a hole: [, second]
                self.i += 1
                elems.append(None)
                continue
            if self.peek()[0] == "...":
                self.i += 1
                rest = self.binding(names, defaults)
                break
            elems.append(self.binding_with_default(names, defaults))
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != close:
                self.fail(self.peek())
        self.expect(close)
        return elems, rest

    def binding_with_default(self, names: list, defaults: list) -> tuple:
        pattern = self.binding(names, defaults)
        if self.peek()[0] != "=":
            return pattern
        self.i += 1
        default = self.expr()
        defaults.append(default)
        return ("default", pattern, default)

    def binding(self, names: list, defaults: list) -> tuple:
        """One binding pattern: a name, ``[a, , b = 1, ...rest]`` or ``{a, b: c, ...rest}``."""
        t = self.next()
        typ, v, s, e = t
        if typ == "name":
            names.append(self.bound_name(v, s, e))
            self.bound[-1].add(v)
            return ("name", v)
        if typ not in ("[", "{"):
            self.fail(t)
        self.nest += 1
        if self.nest > MAX_EXPRESSION_DEPTH:
            raise ExpressionSandboxError(
                f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", s, e)
        try:
            if typ == "{":
                return self.object_pattern(names, defaults)
            elems, rest = self.pattern_list("]", names, defaults)
            return ("array", tuple(elems), rest)
        finally:
            self.nest -= 1

    def object_pattern(self, names: list, defaults: list) -> tuple:
        entries: list = []
        rest = None
        while self.peek()[0] != "}":
            t = self.next()
            typ, v, s, e = t
            if typ == "...":
                rest = self.binding(names, defaults)
                if rest[0] != "name":
                    self.fail(t)
                break
            if typ == "[":
                raise ExpressionSyntaxError("computed keys in a parameter pattern are not supported", s, e)
            if typ not in ("name", "str", "num"):
                self.fail(t)
            key = v if typ != "num" else js_to_string(v)
            _check_prop(key, s, e)
            if self.peek()[0] == ":":
                self.i += 1
                pattern = self.binding_with_default(names, defaults)
            else:  # shorthand {a} or {a = 1}
                if typ != "name":
                    self.fail(self.peek())
                self.i -= 1
                pattern = self.binding_with_default(names, defaults)
            entries.append((key, pattern))
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != "}":
                self.fail(self.peek())
        self.expect("}")
        return ("object", tuple(entries), rest)


def compile_parameters(params: tuple, compile_node: Callable[[tuple], Callable]) -> tuple:
    """An arrow's parameters as ``_Arrow.call`` takes them: a plain name stays a string (the
    common case, bound without a call); any other becomes ``fn(frame, args, position)``."""
    out: list = []
    for p in params:
        if type(p) is str:
            out.append(p)
        elif p[0] == "name":
            out.append(p[1])
        elif p[0] == "rest":
            out.append(_rest_parameter(_binder(p[1], compile_node)))
        else:
            out.append(_parameter(_binder(p, compile_node)))
    return tuple(out)


def _parameter(bind: Binder) -> Callable:
    def parameter(frame: dict, args: list, i: int) -> None:
        bind(frame, args[i] if i < len(args) else UNDEFINED)
    return parameter


def _rest_parameter(bind: Binder) -> Callable:
    def rest(frame: dict, args: list, i: int) -> None:
        bind(frame, list(args[i:]))
    return rest


def _binder(pattern: tuple, compile_node: Callable[[tuple], Callable]) -> Binder:
    kind = pattern[0]
    if kind == "name":
        name = pattern[1]

        def bind_name(frame: dict, value: Any) -> None:
            frame[name] = value
        return bind_name
    if kind == "default":
        inner, default = _binder(pattern[1], compile_node), compile_node(pattern[2])

        def bind_default(frame: dict, value: Any) -> None:
            inner(frame, default(frame) if value is UNDEFINED else value)
        return bind_default
    if kind == "array":
        return _array_binder([None if e is None else _binder(e, compile_node) for e in pattern[1]],
                             None if pattern[2] is None else _binder(pattern[2], compile_node))
    if kind == "object":
        return _object_binder([(key, _binder(p, compile_node)) for key, p in pattern[1]],
                              None if pattern[2] is None else pattern[2][1])
    raise AssertionError(kind)


def _array_binder(elements: list, rest: Any) -> Binder:
    count = len(elements)

    def bind_array(frame: dict, value: Any) -> None:
        items = iterated(value)
        n = len(items)
        for i, bind in enumerate(elements):
            if bind is not None:
                bind(frame, items[i] if i < n else UNDEFINED)
        if rest is not None:
            _charge(max(0, n - count))
            rest(frame, list(items[count:]))
    return bind_array


def _object_binder(entries: list, rest_name: Any) -> Binder:
    keys = [key for key, _ in entries]

    def bind_object(frame: dict, value: Any) -> None:
        if value is None or value is UNDEFINED:
            what = js_to_string(value)
            raise ExpressionError(f"Cannot destructure '{what}' as it is {what}.")
        for key, bind in entries:
            bind(frame, _get_named(value, key))
        if rest_name is not None:
            out: dict = {}
            spread_into(out, value)  # charged by size, like {...value}
            for key in keys:
                out.pop(key, None)
            frame[rest_name] = js_ordered(out)
    return bind_object
