"""The expression sandbox against Node: generated expressions over generated data must agree.

One `node` process serves the whole module: it reads one JSON line per example (the expression
and its scope) and answers with what JavaScript makes of it (typeof, JSON.stringify, String, or
the error's name). Our side evaluates the same expression with poml.template.js and describes
the value with the sandbox's own typeof/JSON.stringify/String. Skipped where node is absent.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from poml.template.js import ExpressionError, evaluate
from strategies import NAME_KEYS, json_values

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")

# Evaluates each request in a fresh function whose parameters are the scope's names, so the
# expression sees exactly the data our sandbox sees and nothing of the script's own state.
_SERVER = r"""
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const { expr, scope } = JSON.parse(line);
  let out;
  try {
    const names = Object.keys(scope);
    const v = new Function(...names, '"use strict"; return (' + expr + ');')(...names.map((n) => scope[n]));
    const j = JSON.stringify(v);
    out = { ok: true, type: typeof v, json: j === undefined ? null : j, str: String(v) };
  } catch (e) {
    out = { ok: false, error: e && e.name };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
"""


@pytest.fixture(scope="module")
def node():
    proc = subprocess.Popen([NODE, "-e", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            encoding="utf-8")

    def ask(expr: str, scope: dict) -> dict:
        proc.stdin.write(json.dumps({"expr": expr, "scope": scope}) + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    yield ask
    proc.stdin.close()
    proc.wait(timeout=10)


def ours(expr: str, scope: dict) -> dict:
    try:
        v = evaluate(expr, scope)
    except ExpressionError:
        return {"ok": False}
    describe = {"v": v}
    j = evaluate("JSON.stringify(v)", describe)
    return {"ok": True, "type": evaluate("typeof v", describe),
            "json": None if evaluate("typeof JSON.stringify(v)", describe) == "undefined" else j,
            "str": evaluate("String(v)", describe)}


def agree(expr: str, scope: dict, node, generated: bool = False) -> None:
    theirs = node(expr, scope)
    mine = ours(expr, scope)
    if generated:  # what share of examples reach each kind of value (--hypothesis-show-statistics)
        event("node threw" if not theirs["ok"] else f"typeof {theirs['type']}")
    if not theirs["ok"]:
        # JavaScript threw (a TypeError reading a property of null...): the sandbox must refuse too.
        assert not mine["ok"], (expr, scope, theirs, mine)
        return
    theirs.pop("error", None)
    assert mine == theirs, (expr, scope)


# ---------------------------------------------------------------- generated expressions

NUMBERS = st.one_of(
    st.integers(-1000, 1000),
    st.sampled_from(["0.1", "0.2", "1.5", "-0", "1e21", "1e-7", "123456789.125", "2e308", "0.000001", "5e-324",
                     "9007199254740993", "0x1F", "1_000"]),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: math.isfinite(f)).map(repr),
).map(str)
STRINGS = st.sampled_from(["''", "'a'", "'abc'", "' 42 '", "'0x10'", "'1e3'", "'12px'", "'-0'", "'\\n'", "'é☃'",
                           "'null'", "'[1,2]'", "'a,b'", "' '"])
LITERALS = st.one_of(NUMBERS, STRINGS, st.sampled_from(["true", "false", "null", "undefined", "[]", "[1, 'a', null]",
                                                        "({})", "({a: 1, b: [2]})", "({b: 1, '1': 2, a: 3})", "NaN",
                                                        "Infinity", "-Infinity"]))
NAMES = st.sampled_from(["v0", "v1", "v2"])
UNARY = ["-", "+", "!", "typeof "]
BINARY = ["+", "-", "*", "/", "%", "==", "!=", "===", "!==", "<", ">", "<=", ">=", "&&", "||", "??", "in"]
CALLS = ["String", "Number", "JSON.stringify", "parseInt", "parseFloat", "isNaN", "Boolean", "Array.isArray",
         "Math.floor", "Math.abs", "Math.round", "Math.max", "Math.min", "Number.isInteger", "Object.keys", "isFinite",
         "Math.sign"]
METHODS = ["slice(1)", "slice(-2, 5)", "indexOf('a')", "lastIndexOf(1, 1)", "includes(1)", "concat([1])", "join('-')",
           "toString()", "toUpperCase()", "trim()", "at(-1)", "split(',')", "toFixed(2)", "padStart(4, '0')",
           "repeat(2)", "charAt(1)", "startsWith('a')", "map(x => x)", "filter(x => x)", "reverse()", "flat()",
           "findLast(x => x)", "findLastIndex(x => x)", "with(-1, 0)", "reduceRight((a, x) => a + x, '')",
           "toPrecision(3)", "toExponential(2)", "codePointAt(0)", "normalize('NFD')"]
MEMBERS = [".length", "[0]", "[1]", "['a']", ".a", ".b", "['1']"]


def expressions():
    def extend(inner):
        return st.one_of(
            st.builds(lambda op, a: f"({op}{a})", st.sampled_from(UNARY), inner),
            st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(BINARY), inner),
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(CALLS), inner),
            st.builds(lambda a, m: f"({a}).{m}", inner, st.sampled_from(METHODS)),
            st.builds(lambda a, m: f"({a}){m}", inner, st.sampled_from(MEMBERS)),
            st.builds(lambda c, a, b: f"({c} ? {a} : {b})", inner, inner, inner),
            st.builds(lambda items: "[" + ", ".join(items) + "]", st.lists(inner, max_size=3)),
        )

    return st.recursive(st.one_of(LITERALS, NAMES), extend, max_leaves=6)


DATA = json_values(NAME_KEYS)  # index-like keys have their own (xfailed) test below
SCOPES = st.fixed_dictionaries({"v0": DATA, "v1": DATA, "v2": DATA})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), SCOPES)
def test_generated_expressions_agree_with_node(node, expr, scope):
    agree(expr, json.loads(json.dumps(scope)), node, generated=True)


# ---------------------------------------------------------------- number formatting

@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53),
                 st.floats(min_value=-1e-5, max_value=1e-5), st.floats(min_value=1e15, max_value=1e22)))
def test_number_formatting_agrees_with_node(node, x):
    agree("[v0, v0 / 3, v0 * 1e10, -v0, v0.toString(), String(v0 + 0.1)]", {"v0": x}, node, generated=True)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53),
                 st.floats(min_value=-1e-5, max_value=1e-5)),
       st.integers(0, 100), st.integers(1, 100))
def test_digit_counted_number_formats_agree_with_node(node, x, fixed, precision):
    agree(f"[v0.toFixed({fixed}), v0.toExponential({fixed}), v0.toExponential(), v0.toPrecision({precision}),"
          " v0.toPrecision()]", {"v0": x}, node, generated=True)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="%0123456789ABCDEFabcdef/;#+x ")))
def test_uri_escapes_agree_with_node(node, text):
    agree("[encodeURIComponent(v0), encodeURI(v0)]", {"v0": text}, node, generated=True)
    agree("[decodeURIComponent(v0), decodeURI(v0)]", {"v0": text}, node, generated=True)


_ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\n\r"),
                      max_size=6)


@settings(max_examples=300, deadline=None)
@given(_ASCII_TEXT, _ASCII_TEXT, st.sampled_from(["aA", "a-_ 1", "Bb0 "]))
def test_locale_compare_of_ascii_text_agrees_with_node(node, a, b, near):
    # Half the pairs share a prefix, so the case and punctuation tie-breaks are reached too.
    agree("[v0.localeCompare(v1), v0.localeCompare(v0 + v2), (v0 + v2).localeCompare(v0.toUpperCase() + v2)]",
          {"v0": a, "v1": b, "v2": near}, node, generated=True)


_FORMAT_OPTIONS = st.fixed_dictionaries({}, optional={
    "style": st.sampled_from(["decimal", "percent", "currency"]),
    "currency": st.sampled_from(["USD", "eur", "JPY", "GBP", "INR", "CNY", "CAD", "AUD"]),
    "minimumFractionDigits": st.one_of(st.integers(0, 20), st.sampled_from([2.7, 21, -1])),
    "maximumFractionDigits": st.integers(0, 20),
    "useGrouping": st.sampled_from([True, False, 0, "", "always", "auto", "false"]),
})


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53),
                 st.floats(-1e4, 1e4).map(lambda x: round(x, 4))),
       _FORMAT_OPTIONS, st.sampled_from([None, "en-US", "en"]))
def test_to_locale_string_agrees_with_node(node, x, options, locale):
    scope = {"v0": x, "v1": options}
    agree("v0.toLocaleString()" if locale is None else f"v0.toLocaleString('{locale}', v1)", scope, node,
          generated=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCOPES)
def test_sets_agree_with_node(node, scope):
    # new Set(v0) over generated data: arrays (of mixed, repeated values), strings, null, and what is not
    # iterable (numbers, objects), which both sides refuse.
    agree("[[...new Set(v0)], new Set(v0).size, new Set(v0).has(v1), Array.from(new Set(v0)).length,"
          " String(new Set(v0)), JSON.stringify(new Set(v0)), typeof new Set(v0)]",
          json.loads(json.dumps(scope)), node, generated=True)
    agree("[...new Set([v0, v1, v2, v0, v1])].length", json.loads(json.dumps(scope)), node)


@pytest.mark.xfail(strict=True, reason="a Python int past 2**53 in the scope stays exact; JavaScript rounds it to the "
                   "nearest double: left to the one-JavaScript-layer work (issue 16, section 2)")
def test_scope_integers_past_two_to_the_53_round_like_javascript(node):
    agree("[v0, v0 / 3, String(v0)]", {"v0": 2**53 + 1}, node)


@pytest.mark.parametrize("expr", [
    "JSON.stringify({b: 1, '1': 2, a: 3, '0': 4})",  # integer-like keys first, ascending
    "JSON.stringify([undefined, () => 1, NaN, -0, 1e21])",
    "JSON.stringify({a: undefined, b: null})",
    "JSON.stringify('\\u2028\\ud800\"')",
    "String([1, [2, [3, null]], undefined])",
    "[1, 2, 3].lastIndexOf(3, -2)",
    "3 in [1, 2, 3]",
    "'b' in {b: undefined}",
    "parseInt('0x10')", "parseInt('08')", "parseFloat('1e3x')", "Number(' 12 ')", "Number('')", "Number('0b101')",
    "typeof null", "typeof [] ", "typeof undefined",
    "0.1 + 0.2", "1 / 3", "100 / 3", "2 ** 53 + 1", "1e21 + 1", "-1e-7", "(123.456).toFixed(1)",
    "[10, 9, 1].sort()", "['b', 'a', 'C'].sort()",
    "Math.log(0)", "Math.log(-1)", "Math.sqrt(-1)", "1 / Math.sign(-0)", "(-10) ** 309", "Math.pow(-10, 309)",
    "'a,b'.split(/,/, 2 ** 32 + 1)", "'a,b,c'.split(/,/, 2)", "'a[b'.split(/[[]/)", "'a]b'.split(/[\\]]/)",
    # what every object inherits (found by the generated expressions under another seed)
    "({}).toString()", "({a: 1}).hasOwnProperty('a')", "({a: 1}).hasOwnProperty('toString')",
    "({toString: 2}).toString", "({1: 0}).hasOwnProperty(1)", "typeof ({}).toString", "JSON.stringify(({b: [1]}).valueOf())",
    "String.fromCharCode(72, 105, 65601.7, -1, NaN)", "String.fromCodePoint(72, 0x1F600)", "String.fromCodePoint(-1)",
    "String.fromCodePoint(1.5)", "'e\u0301'.normalize('NFC') === '\u00e9'", "'x'.normalize('nfc')",
    "[1, 2].with(2, 0)", "[1, 2].with(-3, 0)", "[[1, 2], [3]].reduceRight((a, x) => a.concat(x), [])",
    "[Number.EPSILON, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.NEGATIVE_INFINITY]", "Array.of(7, 'a')",
])
def test_known_corners_agree_with_node(node, expr):
    agree(expr, {}, node)


def test_json_stringify_lists_index_like_keys_of_scope_objects_first(node):
    agree("JSON.stringify(v0)", {"v0": {"b": 1, "10": 2, "a": 3, "2": 4}}, node)


@pytest.mark.parametrize("expr", ["Object.keys(v0)", "String(Object.entries(v0))", "String(Object.values(v0))",
                                  "Object.keys({...v0, 1: 0})", "JSON.stringify(Object.fromEntries(Object.entries(v0)))"])
def test_index_like_keys_of_scope_objects_come_first(node, expr):
    agree(expr, {"v0": {"b": 1, "10": 2, "a": 3, "2": 4}}, node)


# ---------------------------------------------------------------- destructured parameters

_KEYS = ["a", "b", "length", "'x y'", "0"]
_DEFAULTS = ["1", "'d'", "null", "[]", "({a: 2})", "undefined"]


def _pattern_trees():
    """Binding patterns as trees: ("name",), ("default", tree, literal), ("array", items, rest),
    ("object", entries, rest); an array item None is a hole, an object entry (key, None) shorthand."""
    leaf = st.just(("name",))

    def extend(inner):
        return st.one_of(
            st.builds(lambda t, d: ("default", t, d), inner.filter(lambda t: t[0] != "default"),
                      st.sampled_from(_DEFAULTS)),
            st.builds(lambda items, rest: ("array", items, rest),
                      st.lists(st.one_of(inner, st.none()), max_size=3), st.booleans()),
            st.builds(lambda entries, rest: ("object", entries, rest),
                      st.lists(st.tuples(st.sampled_from(_KEYS), st.one_of(inner, st.none())), max_size=3),
                      st.booleans()),
        )

    return st.recursive(leaf, extend, max_leaves=5)


def _pattern_text(tree, names: list) -> str:
    kind = tree[0]
    if kind == "name":
        names.append(f"n{len(names)}")
        return names[-1]
    if kind == "default":
        return f"{_pattern_text(tree[1], names)} = {tree[2]}"
    rest = [f"...{_pattern_text(('name',), names)}"] if tree[2] else []
    if kind == "array":
        return "[" + ", ".join(["" if t is None else _pattern_text(t, names) for t in tree[1]] + rest) + "]"
    entries = []
    for key, t in tree[1]:
        if t is None:  # shorthand: the key is the name (a, b) or, for other keys, a renamed one
            if key in ("a", "b") and key not in names:
                names.append(key)
                entries.append(key)
                continue
            t = ("name",)
        entries.append(f"{key}: {_pattern_text(t, names)}")
    return "{" + ", ".join(entries + rest) + "}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_pattern_trees(), min_size=1, max_size=2), st.booleans(), SCOPES)
def test_destructured_parameters_agree_with_node(node, trees, rest, scope):
    names: list = []
    params = [_pattern_text(t, names) for t in trees] + ([f"...{_pattern_text(('name',), names)}"] if rest else [])
    expr = f"(({', '.join(params)}) => [{', '.join(names)}])(v0, v1, v2)"
    agree(expr, json.loads(json.dumps(scope)), node, generated=True)


@pytest.mark.parametrize("expr", [
    "Object.entries({a: 1, b: [2]}).map(([k, v]) => k + '=' + v).join('&')",
    "[{name: 'a', price: 3}].map(({name, price = 0, tax = 1}) => name + (price + tax))",
    "(([, second]) => second)([1, 2])",
    "(({a: {b: [c]}}) => c)({a: {b: [7]}})",
    "((...all) => all.length)(1, 2, 3)",
    "((a, b = a + 1) => b)(1)",
    "(([a, ...r]) => r)('héllo')",
    "(({a, ...r}) => Object.keys(r))({a: 1, b: 2, 1: 3})",
    "(({length}) => length)('abc')",
    "(([a]) => a)(null)", "(({a}) => a)(undefined)", "(([a]) => a)({})", "(([a]) => a)(5)",
    "[3, 1].map((x, i) => { return x * i; })", "String(({a}) => { return a })",
    "[...new Set([1, 1, 2, '1', true, 1.0, NaN, NaN, -0, 0, null, undefined, null])]",
    "[new Set('hello').size, new Set(null).size, new Set([NaN]).has(NaN), new Set([[1], [1]]).size]",
    "Array.from(new Set([3, 3, 4]), x => x * 2)", "[...new Set([1, 2]).entries()]", "new Set([1]) === new Set([1])",
    "(([a, b]) => a + b)(new Set([1, 2]))", "Object.keys(new Set([1]))", "({...new Set([1])})", "new Set(5)",
    "((a, a) => a)(1)", "(([a], {a}) => a)([1], {})",
])
def test_destructuring_corners_agree_with_node(node, expr):
    agree(expr, {}, node)
