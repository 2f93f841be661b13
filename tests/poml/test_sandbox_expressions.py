"""The expression sandbox: escape attempts and resource bombs are refused, quickly."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, strategies as st

from poml._limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, MAX_STRING_CHARS
from poml.template.expressions import (
    UNDEFINED,
    ExpressionError,
    ExpressionSandboxError,
    compile_expression,
    js_to_string,
)


class Secret:
    """A host object in the scope: its attributes must never be reachable."""

    password = "hunter2"

    def __init__(self) -> None:
        self.token = "t0k3n"
        self._token = "t0k3n"

    def method(self) -> str:  # pragma: no cover - must never run
        raise AssertionError("host method was called")


def host_function(*args):  # pragma: no cover - must never run
    raise AssertionError("host function was called")


def make_scope() -> dict:
    return {
        "x": {"y": 1, "name": "n"},
        "items": [1, 2, 3],
        "s": "text",
        "secret": Secret(),
        "f": host_function,
        "o": {"f": host_function, "m": Secret().method},
        "key": "__class__",
        "ckey": "constructor",
        "cls": Secret,
        "big": "x" * (MAX_STRING_CHARS // 2 + 1),
    }


def best_of_3(fn) -> float:
    """Best CPU time of up to 3 runs of ``fn`` (CPU, not wall time: other processes on the machine do not count)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
        if best < 0.05:
            break
    return best


def refused(src: str, scope: dict | None = None, *, within: float = 0.1) -> ExpressionSandboxError:
    """Compile and evaluate ``src``; it must raise ExpressionSandboxError within ``within`` seconds."""
    scope = make_scope() if scope is None else scope
    best = float("inf")
    for _ in range(3):  # best of 3 of the CPU time this process spends: other processes do not count
        t0 = time.process_time()
        with pytest.raises(ExpressionSandboxError) as info:
            compile_expression(src).evaluate(scope)
        best = min(best, time.process_time() - t0)
        if best < within:
            break
    assert best < within, f"{src[:60]!r} took {best * 1000:.1f} ms to refuse"
    return info.value


# Each of these tries to leave the data: refused, and the message names the culprit.
ESCAPES = [
    ("constructor", "constructor"),
    ("x.constructor", "constructor"),
    ("x['constructor']", "constructor"),
    ("x['constr' + 'uctor']", "constructor"),
    ("x[`constr${'uctor'}`]", "constructor"),
    ("x[ckey]", "constructor"),
    ("x.constructor.constructor('return process')()", "constructor"),
    ("''.constructor.constructor('return this')()", "constructor"),
    ("[].map.constructor", "constructor"),
    ("(x => x).constructor", "constructor"),
    ("x.__class__", "__class__"),
    ("[].__class__.__mro__", "__class__"),
    ("''.__class__.__base__.__subclasses__()", "__class__"),
    ("(1).__class__", "__class__"),
    ("x[key]", "__class__"),
    ("x['__proto__']", "__proto__"),
    ("x.__proto__", "__proto__"),
    ("({}).__proto__", "__proto__"),
    ("({['__proto__']: 1})", "__proto__"),
    ("({__proto__: null})", "__proto__"),
    ("x.prototype", "prototype"),
    ("Object.prototype", "prototype"),
    ("secret.__dict__", "__dict__"),
    ("secret.__init__.__globals__", "__init__"),
    ("cls.__subclasses__()", "__subclasses__"),
    ("__builtins__", "__builtins__"),
    ("__import__('os')", "__import__"),
    ("globalThis", "globalThis"),
    ("globalThis.process", "globalThis"),
    ("window.location", "window"),
    ("process.env", "process"),
    ("process.exit()", "process"),
    ("require('fs')", "require"),
    ("import('fs')", "import"),
    ("eval('1+1')", "eval"),
    ("Function('return 1')()", "Function"),
    ("new Function('return 1')", "new"),
    ("new Date()", "new"),
    ("this", "this"),
    ("this.constructor", "this"),
    ("arguments", "arguments"),
    ("Reflect.ownKeys(x)", "Reflect"),
    ("items.map(constructor => 1)", "constructor"),
    ("items.map(__init__ => 1)", "__init__"),
    ("Math.max.caller", "caller"),
    ("'a'.toUpperCase.__self__", "__self__"),
    ("JSON.__class__", "__class__"),
    ("Object.fromEntries([['__proto__', 1]])", "__proto__"),
    ("({...{__proto__: 1}})", "__proto__"),
]


@pytest.mark.parametrize("src,name", ESCAPES)
def test_escape_attempts_are_refused(src: str, name: str) -> None:
    err = refused(src)
    assert name in err.message
    assert 0 <= err.start <= err.end <= len(src)


def test_refusal_offsets_point_at_the_name() -> None:
    src = "1 + x.__class__"
    err = refused(src)
    assert src[err.start:err.end] == "__class__"
    err = refused("a + globalThis")
    assert (err.start, err.end) == (4, 14)


@pytest.mark.parametrize("src", [
    "f()",
    "f(1, 2)",
    "o.f()",
    "o['f']()",
    "o.m()",
    "items.map(f)",
    "items.filter(o.f)",
    "'abc'.replace('a', f)",
    "(0, f)" if False else "[f][0]()",
    "o.f?.()",
])
def test_host_functions_are_not_callable(src: str) -> None:
    err = refused(src)
    assert "host function" in err.message


@pytest.mark.parametrize("src,expected", [
    ("secret.password", UNDEFINED),
    ("secret.token", UNDEFINED),
    ("secret.method", UNDEFINED),
    ("secret['token']", UNDEFINED),
    ("secret._token", UNDEFINED),
    ("secret['_token']", UNDEFINED),
    ("secret.length", UNDEFINED),
    ("cls.password", UNDEFINED),
    ("f.name", UNDEFINED),
    ("typeof secret", "object"),
    ("String(secret)", "[object Object]"),
    ("JSON.stringify(secret)", "{}"),
    ("JSON.stringify({s: secret})", '{"s":{}}'),
    ("'token' in x", False),
    ("Math.max.fn", UNDEFINED),
    ("Math.max.props", UNDEFINED),
    ("(y => y).scope", UNDEFINED),
    ("'a'.toUpperCase.this", UNDEFINED),
])
def test_host_objects_are_opaque(src: str, expected) -> None:
    assert compile_expression(src).evaluate(make_scope()) == expected


def test_secret_attribute_values_never_leak() -> None:
    for src in ["secret", "[secret]", "{a: secret}", "secret + ''", "`${secret}`", "String(cls)"]:
        value = compile_expression(src).evaluate(make_scope())
        text = js_to_string(value)
        assert "hunter2" not in text and "t0k3n" not in text


@pytest.mark.parametrize("src", [
    "'a'.repeat(1e9)",
    "'a'.repeat(2 ** 40)",
    "'ab'.repeat(1e8)",
    "Array(1e9)",
    "Array(2 ** 31)",
    "'a'.padStart(1e9)",
    "'a'.padEnd(1e9, 'xy')",
    "big + big",
    "big.concat(big)",
    "`${big}${big}`",
    "[big, big].join('')",
    "[big, big] + ''",
    "String([big, big, big])",
    "JSON.stringify([big, big])",
    "big.split('')",
    "'abc'.replaceAll('', big)",
    "big.replaceAll('x', 'yy')",
    "Array.from({length: 1e9})",
    "'x'.repeat(1e6).split('').concat('x'.repeat(1e6).split(''))",
    "Array(1e6).map(x => Array(1e6).map(y => 1))",
    "Array(5e5).map(x => x)",
    "[big.slice(1), big.slice(2), big.slice(3), big.slice(4), big.slice(5)]",
    "[big.toUpperCase(), big.toUpperCase(), big.toUpperCase(), big.toUpperCase()]",
    "[1,2,3].concat(Array(1e6), Array(1e6))",
    "[...Array(1e6), ...Array(1e6)]",
    "items.flatMap(x => Array(1e6))",
    "JSON.parse('['.repeat(1e5) + ']'.repeat(1e5))",
    "JSON.parse('{\"a\":'.repeat(1e5))",
])
def test_size_bombs_are_refused_fast(src: str) -> None:
    refused(src, within=0.1)


def test_work_budget_bounds_nested_callbacks() -> None:
    # each map is small, but together they would do 10^12 calls
    refused("Array(1e6).map(x => items.map(y => 1))", within=0.2)
    refused("Array(1e4).map(x => Array(1e4).map(y => Array(1e4).map(z => 1)))", within=0.5)


def test_text_length_limit() -> None:
    src = "1+" * (MAX_EXPRESSION_CHARS // 2) + "1"

    def attempt() -> None:
        with pytest.raises(ExpressionSandboxError, match="longer than"):
            compile_expression(src)

    assert best_of_3(attempt) < 0.1


@pytest.mark.parametrize("src", [
    "(" * 100_000,
    "(" * 40_000 + "1" + ")" * 40_000,
    "[" * 50_000,
    "{a:" * 30_000,
    "!" * 50_000 + "1",
    "- " * 20_000 + "1",
    "typeof " * 10_000 + "1",
    "2" + "**2" * 20_000,
    "a?b:" * 20_000 + "c",
    "x=>" * 20_000 + "1",
    "a" + ".b" * 40_000,
    "a" + "[0]" * 30_000,
    "f" + "()" * 40_000,
    "`${" * 20_000,
    "x" + "?.y" * 30_000,
], ids=lambda src: f"{src[:12]}..{len(src)}")
def test_deep_nesting_is_refused_fast_without_recursion_error(src: str) -> None:
    def attempt() -> None:
        with pytest.raises(ExpressionSandboxError, match="nested deeper"):
            compile_expression(src)

    assert best_of_3(attempt) < 0.1


def test_nesting_up_to_the_limit_works() -> None:
    depth = MAX_EXPRESSION_DEPTH - 10
    assert compile_expression("(" * depth + "1" + ")" * depth).evaluate({}) == 1
    assert compile_expression("[" * depth + "]" * depth).evaluate({}) is not None
    assert compile_expression("!" * depth + "1").evaluate({}) is (depth % 2 == 0)
    # long flat chains are not nesting
    assert compile_expression("+".join(["1"] * 5000)).evaluate({}) == 5000
    assert compile_expression(" && ".join(["1"] * 5000)).evaluate({}) == 1


def test_runaway_recursion_through_scope_functions() -> None:
    scope: dict = {}
    scope["f"] = compile_expression("x => f(x)").evaluate(scope)
    t0 = time.process_time()
    with pytest.raises(ExpressionSandboxError, match="recursed"):
        compile_expression("f(1)").evaluate(scope)
    assert time.process_time() - t0 < 0.5
    with pytest.raises(ExpressionSandboxError):
        compile_expression("(g => g(g))(g => g(g))").evaluate({})


def test_hostile_scope_data_is_handled() -> None:
    deep: list = []
    cur = deep
    for _ in range(5000):
        nxt: list = []
        cur.append(nxt)
        cur = nxt
    for src in ["String(d)", "d + ''", "JSON.stringify(d)", "d == 'x'", "d.join()", "d.flat(Infinity)"]:
        def attempt() -> None:
            with pytest.raises(ExpressionError):
                compile_expression(src).evaluate({"d": deep})

        assert best_of_3(attempt) < 0.1, src
    cyclic: dict = {}
    cyclic["self"] = cyclic
    assert compile_expression("c.self.self.self === c").evaluate({"c": cyclic}) is True
    with pytest.raises(ExpressionError, match="circular"):
        compile_expression("JSON.stringify(c)").evaluate({"c": cyclic})


@pytest.mark.parametrize("src", [
    "Number(s)", "parseInt(s)", "parseFloat(s)", "s.trim()", "s.split('1').length",
    "JSON.parse(s)", "s.indexOf('x')", "s.includes('11x')",
])
def test_linear_time_on_huge_strings(src: str) -> None:
    # no regex backtracking on attacker-sized strings
    s = "1" * 2_000_000 + "x"

    def attempt() -> None:
        try:
            compile_expression(src).evaluate({"s": s})
        except ExpressionError:
            pass

    assert best_of_3(attempt) < 0.5


def test_no_python_eval_in_module() -> None:
    import pathlib
    import re

    import poml.template.js as pkg

    text = "\n".join(p.read_text(encoding="utf-8") for p in pathlib.Path(pkg.__file__).parent.rglob("*.py"))
    for banned in (r"(?<![\w.])eval\(", r"(?<![\w.])exec\(", r"(?<![\w.])compile\(",
                   r"import ast", r"(?<![\w.])getattr\(", r"__import__\("):
        assert not re.search(banned, text), banned


def test_scope_is_not_mutated() -> None:
    scope = make_scope()
    before = list(scope["items"])
    compile_expression("items.reverse()").evaluate(scope)
    compile_expression("items.sort((a, b) => b - a)").evaluate(scope)
    assert scope["items"] == before


@pytest.mark.parametrize("src", [
    "'x'.repeat(1.6e7).split('x')",
    "[Array(1e6).join(), Array(1e6).join(), Array(1e6).join(), Array(1e6).join()]",
    "[JSON.stringify(Array(1e6)), JSON.stringify(Array(1e6)), JSON.stringify(Array(1e6))]",
    "Array(1e6).map(x => 1)",
    "Array(1e6).sort()",
])
def test_item_loops_are_bounded(src: str) -> None:
    refused(src, within=0.5)


_IDENT_TAIL = st.text(alphabet="abcxyz_019", max_size=6)


@given(underscores=st.integers(1, 3), tail=_IDENT_TAIL)
def test_names_starting_with_underscore_are_data_but_python_special_names_are_refused(
        underscores: int, tail: str) -> None:
    name = "_" * underscores + tail
    scope = {"d": {name: 7}}
    special = len(name) > 4 and name.startswith("__") and name.endswith("__")
    for src in (f"d.{name}", f"d['{name}']", f"[1].map(({name}) => {name} + 6)[0]"):
        if special:
            assert name in refused(src, scope).message
        else:
            assert compile_expression(src).evaluate(scope) == 7
