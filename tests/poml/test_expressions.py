"""Semantics of the template expression evaluator (results checked against JavaScript)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poml.template.expressions import (
    UNDEFINED,
    Expression,
    ExpressionError,
    ExpressionSandboxError,
    ExpressionSyntaxError,
    compile_expression,
    js_json_stringify,
    js_number_to_string,
    js_to_string,
    js_truthy,
)

SCOPE = {
    "name": "Ada",
    "user": {"name": "Ada", "age": 36, "tags": ["a", "b"], "nothing": None},
    "loop": {"index": 2, "length": 3, "first": False, "last": True},
    "items": [1, 2, 3],
    "words": ["pear", "apple", "fig"],
    "people": [{"n": "x", "age": 3}, {"n": "y", "age": 40}],
    "empty": [],
    "obj": {},
    "zero": 0,
    "s": "Hello, World",
    "n": None,
    "u": UNDEFINED,
    "f": 1.5,
}


def ev(src: str, scope: dict | None = None):
    return compile_expression(src).evaluate(SCOPE if scope is None else scope)


def evs(src: str, scope: dict | None = None) -> str:
    """JS String(result)."""
    return js_to_string(ev(src, scope))


# ---------------------------------------------------------------- String(result) table

STRING_RESULTS = [
    # arithmetic and number printing
    ("1 + 1", "2"),
    ("0.1 + 0.2", "0.30000000000000004"),
    ("1e21", "1e+21"),
    ("1e20", "100000000000000000000"),
    ("1.5e-7", "1.5e-7"),
    ("0.000001", "0.000001"),
    ("-0", "0"),
    ("1 / 0", "Infinity"),
    ("-1 / 0", "-Infinity"),
    ("0 / 0", "NaN"),
    ("1 / -0", "-Infinity"),
    ("6 / 2", "3"),
    ("5 / 2", "2.5"),
    ("7 % 3", "1"),
    ("-7 % 3", "-1"),
    ("7 % -3", "1"),
    ("5.5 % 2", "1.5"),
    ("1 % 0", "NaN"),
    ("2 ** 10", "1024"),
    ("2 ** -1", "0.5"),
    ("2 ** 3 ** 2", "512"),
    ("(-8) ** (1/3)", "NaN"),
    ("2 ** 1024", "Infinity"),
    ("1e308 * 10", "Infinity"),
    ("2 ** 53 + 2", "9007199254740994"),
    ("0xff + 1", "256"),
    ("0b101", "5"),
    ("0o17", "15"),
    (".5 + 1.", "1.5"),
    ("3 - 1 - 1", "1"),
    ("2 + 3 * 4", "14"),
    ("(2 + 3) * 4", "20"),
    ("-2 * -2", "4"),
    ("+'3' + 1", "4"),
    ("- '3'", "-3"),
    ("'6' / '2'", "3"),
    ("'a' * 2", "NaN"),
    ("true + 1", "2"),
    ("null + 1", "1"),
    ("undefined + 1", "NaN"),
    ("100 * 1.1", "110.00000000000001"),
    ("123456789 * 1000000000000", "123456789000000000000"),
    ("1 / 3", "0.3333333333333333"),
    ("f * 2", "3"),
    # string concatenation
    ("'a' + 1", "a1"),
    ("1 + 'a'", "1a"),
    ("1 + 2 + 'a'", "3a"),
    ("'a' + 1 + 2", "a12"),
    ("'a' + (1 + 2)", "a3"),
    ("'x' + null", "xnull"),
    ("'x' + undefined", "xundefined"),
    ("'x' + true", "xtrue"),
    ("[1, [2, 3]] + ''", "1,2,3"),
    ("[] + []", ""),
    ("[1] + [2]", "12"),
    ("({}) + ''", "[object Object]"),
    ("[null, undefined, 1] + ''", ",,1"),
    ("'v' + 1.0", "v1"),
    ("'n=' + 0.5", "n=0.5"),
    ("'Hello ' + user.name + '!'", "Hello Ada!"),
    ("loop.index + 1", "3"),
    # template literals
    ("`a${1 + 1}b`", "a2b"),
    ("`${name} is ${user.age}`", "Ada is 36"),
    ("`x${`y${1}`}z`", "xy1z"),
    ("`line\\n${items}`", "line\n1,2,3"),
    ("`{}`", "{}"),
    ("`${ {a: 1}.a }`", "1"),
    # string escapes
    (r"'a\tb'", "a\tb"),
    (r"'\x41\u0042\u{43}'", "ABC"),
    (r"'it\'s'", "it's"),
    (r'"say \"hi\""', 'say "hi"'),
    (r"'\ud83d\ude00'.length", "1"),
    # values
    ("null", "null"),
    ("undefined", "undefined"),
    ("true", "true"),
    ("items", "1,2,3"),
    ("user", "[object Object]"),
    ("[1, 'a', [true, null]]", "1,a,true,"),
    # typeof
    ("typeof 1", "number"),
    ("typeof 'a'", "string"),
    ("typeof null", "object"),
    ("typeof undefined", "undefined"),
    ("typeof nosuchname", "undefined"),
    ("typeof []", "object"),
    ("typeof {}", "object"),
    ("typeof (x => x)", "function"),
    ("typeof Math.max", "function"),
    ("typeof true", "boolean"),
    ("void 0", "undefined"),
    # logic
    ("0 || 'x'", "x"),
    ("'' || null", "null"),
    ("1 && 2", "2"),
    ("0 && 2", "0"),
    ("null ?? 'd'", "d"),
    ("0 ?? 'd'", "0"),
    ("u ?? n ?? 'last'", "last"),
    ("!0", "true"),
    ("!![]", "true"),
    ("!!''", "false"),
    ("zero ? 'y' : 'n'", "n"),
    ("empty ? 'y' : 'n'", "y"),
    ("1 ? 2 ? 'a' : 'b' : 'c'", "a"),
    ("0 ? 'a' : 0 ? 'b' : 'c'", "c"),
    # comparisons
    ("1 < 2", "true"),
    ("'b' < 'a'", "false"),
    ("'a' < 'b'", "true"),
    ("'10' < '9'", "true"),
    ("'10' < 9", "false"),
    ("null < 1", "true"),
    ("undefined < 1", "false"),
    ("NaN <= NaN", "false"),
    ("1 < 2 < 3", "true"),
    ("3 > 2 > 1", "false"),
    ("2 >= 2", "true"),
    ("[2] > 1", "true"),
    # equality
    ("1 == '1'", "true"),
    ("1 === '1'", "false"),
    ("null == undefined", "true"),
    ("null === undefined", "false"),
    ("null == 0", "false"),
    ("undefined == 0", "false"),
    ("0 == ''", "true"),
    ("0 == '0'", "true"),
    ("'' == '0'", "false"),
    ("true == 1", "true"),
    ("true === 1", "false"),
    ("'1' == true", "true"),
    ("NaN == NaN", "false"),
    ("NaN != NaN", "true"),
    ("[1] == 1", "true"),
    ("[1,2] == '1,2'", "true"),
    ("[] == []", "false"),
    ("items === items", "true"),
    ("{} === {}", "false"),
    ("1 !== 1.0", "false"),
    ("'a' !== 'a'", "false"),
    # in
    ("'name' in user", "true"),
    ("'zzz' in user", "false"),
    ("0 in items", "true"),
    ("5 in items", "false"),
    # member access
    ("user.name", "Ada"),
    ("user['age']", "36"),
    ("user.missing", "undefined"),
    ("user.nothing", "null"),
    ("user.tags[1]", "b"),
    ("items[0]", "1"),
    ("items[-1]", "undefined"),
    ("items[10]", "undefined"),
    ("items['1']", "2"),
    ("items[1.0]", "2"),
    ("items.length", "3"),
    ("s.length", "12"),
    ("s[0]", "H"),
    ("'abc'[5]", "undefined"),
    ("people[1].n", "y"),
    ("{a: {b: [10, 20]}}.a.b[1]", "20"),
    ("obj.length", "undefined"),
    # optional chaining
    ("n?.x", "undefined"),
    ("u?.x.y.z", "undefined"),
    ("user?.name", "Ada"),
    ("user.missing?.deep", "undefined"),
    ("n?.[0]", "undefined"),
    ("items?.[0]", "1"),
    ("n?.toUpperCase()", "undefined"),
    ("user.name?.toUpperCase()", "ADA"),
    ("user.nope?.()", "undefined"),
    # literals
    ("[1, , 2].length", "3"),
    ("[1, 2, ].length", "2"),
    ("({a: 1, 'b c': 2, 3: 'x'})['b c']", "2"),
    ("({['k' + 1]: 'v'}).k1", "v"),
    ("({name}).name", "Ada"),
    ("[...items, ...'ab'].join('')", "123ab"),
    ("({...user, age: 1}).age", "1"),
    ("Math.max(...items)", "3"),
    # string methods
    ("s.toUpperCase()", "HELLO, WORLD"),
    ("s.toLowerCase()", "hello, world"),
    ("'  x  '.trim() + '|'", "x|"),
    ("'  x  '.trimStart() + '|'", "x  |"),
    ("'  x  '.trimEnd() + '|'", "  x|"),
    ("'a,b,c'.split(',')", "a,b,c"),
    ("'a,b,c'.split(',').length", "3"),
    ("'a,b,c'.split(',', 2).length", "2"),
    ("'abc'.split('').length", "3"),
    ("'abc'.split().length", "1"),
    ("s.slice(0, 5)", "Hello"),
    ("s.slice(-5)", "World"),
    ("s.slice(-5, -1)", "Worl"),
    ("s.substring(7)", "World"),
    ("s.substring(5, 0)", "Hello"),
    ("s.substr(7, 3)", "Wor"),
    ("s.includes('World')", "true"),
    ("s.includes('world')", "false"),
    ("s.indexOf('o')", "4"),
    ("s.indexOf('o', 5)", "8"),
    ("s.lastIndexOf('o')", "8"),
    ("s.indexOf('zz')", "-1"),
    ("s.startsWith('Hell')", "true"),
    ("s.endsWith('ld')", "true"),
    ("s.endsWith('Hello', 5)", "true"),
    ("'aXbX'.replace('X', '-')", "a-bX"),
    ("'aXbX'.replaceAll('X', '-')", "a-b-"),
    ("'abc'.replace('b', '[$&]')", "a[b]c"),
    ("'abc'.replace('b', m => m.toUpperCase())", "aBc"),
    ("'ab'.replaceAll('', '-')", "-a-b-"),
    ("'5'.padStart(3, '0')", "005"),
    ("'5'.padEnd(3)", "5  "),
    ("'abc'.padStart(6, '12')", "121abc"),
    ("'ab'.repeat(3)", "ababab"),
    ("'ab'.repeat(0)", ""),
    ("'abc'.charAt(1)", "b"),
    ("'abc'.charAt(9)", ""),
    ("'abc'.charCodeAt(0)", "97"),
    ("'a'.concat('b', 1, null)", "ab1null"),
    ("'abc'.at(-1)", "c"),
    ("'abc'.at(5)", "undefined"),
    # array methods
    ("items.join('-')", "1-2-3"),
    ("items.join()", "1,2,3"),
    ("[null, undefined, 'a'].join('-')", "--a"),
    ("items.slice(1)", "2,3"),
    ("items.slice(-1)", "3"),
    ("items.includes(2)", "true"),
    ("[NaN].includes(NaN)", "true"),
    ("[NaN].indexOf(NaN)", "-1"),
    ("items.indexOf(3)", "2"),
    ("items.indexOf('3')", "-1"),
    ("items.concat([4, 5], 6)", "1,2,3,4,5,6"),
    ("items.at(-1)", "3"),
    ("items.map(x => x * 2)", "2,4,6"),
    ("items.map((x, i) => x + i)", "1,3,5"),
    ("items.map(String).join('|')", "1|2|3"),
    ("['1', '2', '3'].map(parseInt)", "1,NaN,NaN"),
    ("items.filter(x => x > 1)", "2,3"),
    ("items.some(x => x > 2)", "true"),
    ("items.every(x => x > 2)", "false"),
    ("items.find(x => x > 1)", "2"),
    ("items.find(x => x > 5)", "undefined"),
    ("items.findIndex(x => x > 1)", "1"),
    ("items.reduce((a, b) => a + b, 0)", "6"),
    ("items.reduce((a, b) => a + b)", "6"),
    ("people.map(p => p.n).join()", "x,y"),
    ("people.filter(p => p.age > 18).map(p => p.n)", "y"),
    ("[[1, 2], [3]].flat()", "1,2,3"),
    ("[1, [2, [3, [4]]]].flat(Infinity).length", "4"),
    ("items.flatMap(x => [x, x])", "1,1,2,2,3,3"),
    ("[3, 1, 10, 2].sort()", "1,10,2,3"),
    ("[3, 1, 10, 2].sort((a, b) => a - b)", "1,2,3,10"),
    ("words.toSorted()", "apple,fig,pear"),
    ("items.reverse()", "3,2,1"),
    ("items.map(x => items.map(y => x * y).join(' ')).join(';')", "1 2 3;2 4 6;3 6 9"),
    ("items.map(x => ({v: x})).map(o => o.v)", "1,2,3"),
    ("((a, b) => a + b)(1, 2)", "3"),
    ("(() => 'k')()", "k"),
    ("items.map(x => x + loop.index)", "3,4,5"),
    # number methods
    ("(1.005).toFixed(2)", "1.00"),
    ("(2.5).toFixed(0)", "3"),
    ("(1.45).toFixed(1)", "1.4"),
    ("(3).toFixed(2)", "3.00"),
    ("(-1.5).toFixed(0)", "-2"),
    ("(255).toString(16)", "ff"),
    ("(255).toString(2)", "11111111"),
    ("(1.5).toString()", "1.5"),
    ("true.toString()", "true"),
    # globals
    ("JSON.stringify({a: [1, 2.5, null], b: undefined, c: 'é'})", '{"a":[1,2.5,null],"c":"é"}'),
    ("JSON.stringify([undefined, x => x, NaN])", "[null,null,null]"),
    ("JSON.stringify('a\"b')", '"a\\"b"'),
    ("JSON.stringify(undefined)", "undefined"),
    ("JSON.stringify({a: 1, b: [1, 2]}, null, 2)", '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}'),
    ("JSON.stringify({}, null, 2)", "{}"),
    ("JSON.stringify([], null, '--')", "[]"),
    ("JSON.parse('{\"a\": [1, 2.0]}').a[1]", "2"),
    ("JSON.parse('\"x\"')", "x"),
    ("Math.min(3, 1, 2)", "1"),
    ("Math.max()", "-Infinity"),
    ("Math.max(1, 'x')", "NaN"),
    ("Math.floor(1.7)", "1"),
    ("Math.floor(-1.5)", "-2"),
    ("Math.ceil(1.2)", "2"),
    ("Math.round(2.5)", "3"),
    ("Math.round(-2.5)", "-2"),
    ("Math.round(1.4)", "1"),
    ("Math.abs(-3)", "3"),
    ("Math.trunc(-1.7)", "-1"),
    ("Math.sign(-3)", "-1"),
    ("Math.sqrt(16)", "4"),
    ("Math.pow(2, 8)", "256"),
    ("Math.floor(Infinity)", "Infinity"),
    ("String(null)", "null"),
    ("String([1, [2]])", "1,2"),
    ("String()", ""),
    ("Number('42')", "42"),
    ("Number('  4.5  ')", "4.5"),
    ("Number('')", "0"),
    ("Number('0x10')", "16"),
    ("Number('12px')", "NaN"),
    ("Number('1e3')", "1000"),
    ("Number('Infinity')", "Infinity"),
    ("Number('inf')", "NaN"),
    ("Number(null)", "0"),
    ("Number(undefined)", "NaN"),
    ("Number([])", "0"),
    ("Number([7])", "7"),
    ("Number(true)", "1"),
    ("Boolean('')", "false"),
    ("parseInt('42px')", "42"),
    ("parseInt('  -12.9')", "-12"),
    ("parseInt('ff', 16)", "255"),
    ("parseInt('0x1A')", "26"),
    ("parseInt('abc')", "NaN"),
    ("parseFloat('3.14abc')", "3.14"),
    ("parseFloat('.5')", "0.5"),
    ("parseFloat('x')", "NaN"),
    ("isNaN('x')", "true"),
    ("isFinite('12')", "true"),
    ("Number.isInteger(5.0)", "true"),
    ("Number.isInteger(5.5)", "false"),
    ("Object.keys(user).join()", "name,age,tags,nothing"),
    ("Object.values({a: 1, b: 2})", "1,2"),
    ("Object.entries({a: 1, b: 2})", "a,1,b,2"),
    ("Object.keys(items)", "0,1,2"),
    ("Object.fromEntries([['a', 1]]).a", "1"),
    ("Array.isArray(items)", "true"),
    ("Array.isArray(user)", "false"),
    ("Array.from('abc')", "a,b,c"),
    ("Array(3).length", "3"),
    ("Array(1, 2)", "1,2"),
    ("Math.PI > 3.14", "true"),
    ("Infinity", "Infinity"),
    ("NaN", "NaN"),
]


@pytest.mark.parametrize("src,expected", STRING_RESULTS)
def test_string_of_result(src: str, expected: str) -> None:
    assert evs(src) == expected


# ---------------------------------------------------------------- raw Python values

@pytest.mark.parametrize("src,expected", [
    ("1 + 1", 2),
    ("6 / 2", 3),
    ("1.0", 1),
    ("user", SCOPE["user"]),
    ("items", [1, 2, 3]),
    ("n", None),
    ("u", UNDEFINED),
    ("user.missing", UNDEFINED),
    ("true", True),
    ("[1, 'a', null]", [1, "a", None]),
    ("{a: 1, 'b': [2]}", {"a": 1, "b": [2]}),
    ("'a' < 'b'", True),
    ("loop.last && loop.index", 2),
])
def test_python_values(src: str, expected) -> None:
    got = ev(src)
    assert got == expected and type(got) is type(expected)


def test_integral_results_stay_ints() -> None:
    assert type(ev("2 * 3")) is int
    assert type(ev("9 / 3")) is int
    assert type(ev("2 ** 3")) is int
    assert type(ev("Math.floor(2.7)")) is int
    # Float operands give a float even when the sum is integral; it still prints as JS's "1".
    assert ev("0.5 + 0.5") == 1 and js_to_string(ev("0.5 + 0.5")) == "1"
    assert type(ev("1 + 2")) is int and type(ev("7 % 4")) is int and type(ev("-(3)")) is int


def test_scope_values_are_not_copied() -> None:
    data = {"big": [1, 2]}
    assert compile_expression("big").evaluate(data) is data["big"]


def test_tuple_and_mapping_types_are_data() -> None:
    from collections import OrderedDict
    scope = {"t": (1, 2), "m": OrderedDict(a=1)}
    assert evs("t.length + m.a", scope) == "3"
    assert evs("t.map(x => x + 1)", scope) == "2,3"
    assert evs("Object.keys(m)", scope) == "a"


def test_context_shadows_globals() -> None:
    assert ev("Math", {"Math": 5}) == 5
    assert ev("String", {"String": "s"}) == "s"


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("src,names", [
    ("name", {"name"}),
    ("user.name + other", {"user", "other"}),
    ("items.map(x => x + y)", {"items", "y"}),
    ("items.map((a, b) => a + b)", {"items"}),
    ("Math.max(a, JSON.stringify(b))", {"a", "b"}),
    ("{k: v, w}", {"v", "w"}),
    ("`${a}${b.c}`", {"a", "b"}),
    ("'literal' + 1", set()),
    ("typeof t", {"t"}),
])
def test_free_names(src: str, names: set) -> None:
    assert compile_expression(src).names == frozenset(names)


# ---------------------------------------------------------------- errors and offsets

@pytest.mark.parametrize("src,message,start,end", [
    ("user.name.first.x", "Cannot read properties of undefined (reading 'x')", 0, 17),
    ("n.x", "Cannot read properties of null (reading 'x')", 0, 3),
    ("u[0]", "Cannot read properties of undefined (reading '0')", 0, 4),
    ("1 + nope", "nope is not defined", 4, 8),
    ("nope.x", "nope is not defined", 0, 4),
    ("user.name.missingMethod()", "user.name.missingMethod is not a function", 0, 25),
    ("items.frobnicate(1)", "items.frobnicate is not a function", 0, 19),
    ("user.age()", "user.age is not a function", 0, 10),
    ("u.toUpperCase()", "Cannot read properties of undefined (reading 'toUpperCase')", 0, 15),
    ("'a'.repeat(-1)", "Invalid count value: -1", 0, 14),
    ("[].reduce((a, b) => a)", "Reduce of empty array with no initial value", 0, 22),
    ("JSON.parse('')", "Unexpected end of JSON input", 0, 14),
    ("items.map(5)", "5 is not a function", 0, 12),
    ("'x' in 'xyz'", "Cannot use 'in' operator to search for 'x' in xyz", 0, 12),
])
def test_runtime_errors(src: str, message: str, start: int, end: int) -> None:
    with pytest.raises(ExpressionError) as info:
        ev(src)
    err = info.value
    assert type(err) is ExpressionError
    assert err.message == message == str(err)
    assert (err.start, err.end) == (start, end)


def test_circular_json() -> None:
    a: list = []
    a.append(a)
    with pytest.raises(ExpressionError, match="circular"):
        ev("JSON.stringify(a)", {"a": a})
    assert ev("String(a)", {"a": a}) == ""


@pytest.mark.parametrize("src,message,start", [
    ("", "Unexpected end of input", 0),
    ("1 +", "Unexpected end of input", 3),
    ("a b", "Unexpected identifier 'b'", 2),
    ("(1", "Unexpected end of input", 2),
    ("1)", "Unexpected token ')'", 1),
    ("'abc", "Invalid or unexpected token", 0),
    ("a = 1", "Unexpected token '=': assignment is not allowed in expressions", 2),
    ("a += 1", "Unexpected token '+=': assignment is not allowed in expressions", 2),
    ("a++", "Unexpected token '++': assignment is not allowed in expressions", 1),
    ("3in x", "Invalid or unexpected token", 0),
    ("#", "Unexpected token '#'", 0),
    ("x => { y }", "an arrow function's block body can only be { return expression }; or write x => expression", 5),
    ("x => { return 1; 2 }", "Unexpected number", 17),
    ("-2 ** 2", "Unary operator used immediately before exponentiation expression. "
                "Parenthesis must be used to disambiguate operator precedence", 3),
    ("a | b", "operator '|' is not supported", 2),
    ("`abc", "Unterminated template literal", 0),
    ("{a: 1", "Unexpected end of input", 5),
    ("[1, 2", "Unexpected end of input", 5),
    ("a.1", "Unexpected number", 1),
    ("var x", "Unexpected token 'var'", 0),
    ("1 2", "Unexpected number", 2),
    ("'a' 'b'", "Unexpected string", 4),
    ("¤", "Invalid or unexpected token", 0),
])
def test_syntax_errors(src: str, message: str, start: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_expression(src)
    assert info.value.message == message
    assert info.value.start == start
    assert info.value.end >= info.value.start


def test_compile_is_cached_by_the_environment() -> None:
    from poml.template._compiled import CompileCache

    cache = CompileCache(size=2)
    assert cache.expression("a + b") is cache.expression("a + b")
    assert cache.text("x {{ a }}") is cache.text("x {{ a }}")
    cache.expression("c"), cache.expression("d")  # full: emptied, never past its size
    assert len(cache) <= 2 + 1
    with pytest.raises(ExpressionSyntaxError):  # a failure is not kept: it is reported every time
        cache.expression("a +")
    with pytest.raises(ExpressionSyntaxError):
        cache.expression("a +")
    e = cache.expression("a + b")
    assert isinstance(e, Expression) and e.source == "a + b"
    assert e.evaluate({"a": 1, "b": 2}) == 3
    assert e.evaluate({"a": "x", "b": 2}) == "x2"


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize("value,expected", [
    (1.0, "1"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"), (-0.0, "0"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
    (123e-20, "1.23e-18"), (1e-7, "1e-7"), (1.5e-6, "0.0000015"), (2 ** 70, "1.1805916207174113e+21"),
    (10 ** 21, "1e+21"), (10 ** 20, "100000000000000000000"), (-42, "-42"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (123456.789, "123456.789"),
])
def test_js_number_to_string(value, expected: str) -> None:
    assert js_number_to_string(value) == expected


@pytest.mark.parametrize("value,expected", [
    ([1, [2, 3]], "1,2,3"), (None, "null"), (UNDEFINED, "undefined"), (True, "true"),
    (False, "false"), ({"a": 1}, "[object Object]"), ([None, UNDEFINED, 0], ",,0"), ("s", "s"),
    ((1, 2), "1,2"), (object(), "[object Object]"), ([], ""),
])
def test_js_to_string(value, expected: str) -> None:
    assert js_to_string(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("", False), (0, False), (0.0, False), (-0.0, False), (math.nan, False), (None, False),
    (UNDEFINED, False), (False, False), ([], True), ({}, True), ("0", True), (" ", True),
    (1, True), (-1.5, True), (True, True), (object(), True),
])
def test_js_truthy(value, expected: bool) -> None:
    assert js_truthy(value) is expected


def test_undefined_sentinel() -> None:
    assert repr(UNDEFINED) == "undefined"
    assert not UNDEFINED
    assert type(UNDEFINED)() is UNDEFINED


@pytest.mark.parametrize("value,indent,expected", [
    ({"a": [1, 2.0, None, math.nan], "b": "é"}, None, '{"a":[1,2,null,null],"b":"é"}'),
    ({"u": UNDEFINED, "k": 1}, None, '{"k":1}'),
    ([UNDEFINED], None, "[null]"),
    ({"x": {"y": []}}, 2, '{\n  "x": {\n    "y": []\n  }\n}'),
    ([1, "a"], "\t", '[\n\t1,\n\t"a"\n]'),
    ("\u2028\x01", None, '"\u2028\\u0001"'),
    (1e21, None, "1e+21"),
    ({1: "int key"}, None, '{"1":"int key"}'),
    (UNDEFINED, None, "undefined"),
    (-0.0, None, "0"),
])
def test_js_json_stringify(value, indent, expected: str) -> None:
    assert js_json_stringify(value, indent) == expected


# ---------------------------------------------------------------- property-based

json_scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20),
    st.integers(min_value=-(2 ** 53), max_value=2 ** 53),
    st.floats(allow_nan=False, allow_infinity=False),
)
json_data = st.recursive(
    json_scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=5), st.dictionaries(st.text(max_size=8), kids, max_size=5)),
    max_leaves=30,
)


@given(json_data)
@settings(max_examples=300, deadline=None)
def test_json_stringify_round_trips(value) -> None:
    # JS numbers are doubles: 3.079240465075541e16 prints as 30792404650755410, read back as a double
    def loads(text: str):
        return json.loads(text, parse_int=lambda t: int(t) if abs(int(t)) <= 2 ** 53 else float(t))

    assert loads(js_json_stringify(value)) == value
    assert loads(js_json_stringify(value, 2)) == value
    # and JSON.parse inside the sandbox reads it back
    assert compile_expression("JSON.parse(t)").evaluate({"t": js_json_stringify(value)}) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=500, deadline=None)
def test_number_to_string_round_trips(x: float) -> None:
    s = js_number_to_string(x)
    assert float(s) == x
    assert compile_expression("Number(t)").evaluate({"t": s}) == x


@given(json_data)
@settings(max_examples=200, deadline=None)
def test_to_string_never_fails(value) -> None:
    assert isinstance(js_to_string(value), str)


# A grammar of random (mostly valid) expressions over a fixed scope.
_atoms = st.sampled_from([
    "1", "0", "(-1)", "2.5", "1e21", "NaN", "Infinity", "'a'", "''", "'10'", "null", "undefined",
    "true", "false", "[]", "[1, 'b', null]", "{}", "{a: 1}", "items", "user", "user.name",
    "user.tags", "n", "u", "s", "empty", "obj", "zero", "loop.index", "nosuch", "x => x",
    "`t${1}`", "people",
])
_binops = st.sampled_from(["+", "-", "*", "/", "%", "**", "<", "<=", ">", ">=", "==", "!=",
                           "===", "!==", "&&", "||", "??", "in"])
_methods = st.sampled_from([
    ".length", ".toUpperCase()", ".trim()", ".split(',')", ".slice(1)", ".join('-')",
    ".map(x => x + 1)", ".filter(x => x)", ".includes(1)", ".indexOf('a')", "[0]", "['name']",
    "?.name", ".at(-1)", ".concat(1)", ".repeat(2)", ".padStart(5)", ".toFixed(2)", ".sort()",
    ".reduce((a, b) => a + b)", ".find(x => x)", ".keys", "[1.5]",
])


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        _atoms,
        lambda e: st.one_of(
            st.tuples(e, _binops, e).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["!", "-", "+", "typeof "]), e).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(e, _methods).map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(e, e, e).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
            st.tuples(st.sampled_from(["String", "Number", "JSON.stringify", "Math.max", "Object.keys",
                                       "Array.isArray", "parseInt", "JSON.parse"]), e)
            .map(lambda t: f"{t[0]}({t[1]})"),
            st.lists(e, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.tuples(e, e).map(lambda t: f"`${{{t[0]}}}-${{{t[1]}}}`"),
        ),
        max_leaves=12,
    )


@given(_expressions())
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_expressions_only_raise_expression_errors(src: str) -> None:
    try:
        value = compile_expression(src).evaluate(SCOPE)
    except ExpressionError as err:
        assert not err.message.startswith("internal error"), err.message
        assert 0 <= err.start <= err.end <= len(src)
        return
    js_to_string(value) if not isinstance(value, dict) else js_json_stringify(value)


@given(st.text(max_size=60))
@settings(max_examples=1000, deadline=None)
def test_random_text_only_raises_expression_errors(src: str) -> None:
    try:
        expr = compile_expression(src)
    except ExpressionError as err:
        assert isinstance(err, (ExpressionSyntaxError, ExpressionSandboxError))
        assert 0 <= err.start <= err.end <= len(src)
        return
    try:
        expr.evaluate(SCOPE)
    except ExpressionError as err:
        assert not err.message.startswith("internal error"), err.message


_js_chars = st.text(alphabet=st.sampled_from(list("abnux01_.,:?!+-*/%<>=&|()[]{}'\"` $\\")), max_size=40)


@given(_js_chars)
@settings(max_examples=1000, deadline=None)
def test_random_punctuation_only_raises_expression_errors(src: str) -> None:
    try:
        compile_expression(src).evaluate({"a": [1], "b": {"n": None}, "x": "s"})
    except ExpressionError as err:
        assert not err.message.startswith("internal error"), err.message


def test_docstring_examples() -> None:
    import doctest

    import importlib
    import pkgutil

    import poml.template.js as pkg

    attempted = 0
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        result = doctest.testmod(importlib.import_module(info.name))
        assert result.failed == 0, info.name
        attempted += result.attempted
    attempted += doctest.testmod(pkg).attempted
    assert attempted >= 10


def test_cached_simple_expressions_are_fast() -> None:
    """Micro-benchmark guard: a cached ``user.name`` costs about a microsecond (generous bound)."""
    import timeit

    for src in ("name", "user.name", "loop.index + 1"):
        expr = compile_expression(src)
        best = min(timeit.repeat(lambda: expr.evaluate(SCOPE), number=2000, repeat=5)) / 2000
        assert best < 20e-6, (src, best)


@pytest.mark.parametrize("source, expected", [
    ("[...Array(3).keys()]", [0, 1, 2]),
    ("['a', 'b'].entries()", [[0, "a"], [1, "b"]]),
    ("[...xs.values()].length", 2),
])
def test_array_iterator_methods_give_arrays(source, expected):
    assert compile_expression(source).evaluate({"xs": [5, 6]}) == expected


