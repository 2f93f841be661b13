"""The JavaScript prompt authors write: regex literals and methods, ?., ??, spread, Object.*, String methods.

Expected values are what Node.js prints for the same expression.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poml.template.js import (
    UNDEFINED,
    ExpressionError,
    ExpressionLimitError,
    ExpressionSyntaxError,
    RenderBudget,
    compile_expression,
    evaluate,
    js_json_stringify,
    js_to_string,
    safe_regex,
)

S = {"s": "Hello World", "lines": "a\nb\nc", "o": {"a": 1, "b": {"c": 2}}, "xs": [3, 1, 2], "n": None}


@pytest.mark.parametrize("src, expected", [
    # regex literals and the string methods taking them
    ("lines.replace(/^/gm, '> ')", "> a\n> b\n> c"),
    ("s.replace(/o/g, '0')", "Hell0 W0rld"),
    ("s.replace(/o/, '0')", "Hell0 World"),
    ("s.replace(/(\\w+) (\\w+)/, '$2 $1')", "World Hello"),
    ("s.replace(/(?<first>\\w+) (\\w+)/, '[$<first>|$&|$$]')", "[Hello|Hello World|$]"),
    ("s.replace(/l+/g, m => m.length)", "He2o Wor1d"),
    ("s.replace(/(o)(r)?/g, (m, a, b, i) => `${i}${b ?? '-'}`)", "Hell4- W7rld"),
    ("'a.b.c'.replaceAll(/\\./g, '/')", "a/b/c"),
    ("s.match(/o/g)", ["o", "o"]),
    ("s.match(/x/g)", None),
    ("s.match(/W(or)/)[1]", "or"),
    ("s.match(/W(or)/).index", 6),
    ("s.match(/(?<w>W\\w+)/).groups.w", "World"),
    ("[...'a1b22'.matchAll(/\\d+/g)].map(m => m[0] + '@' + m.index)", ["1@1", "22@3"]),
    ("'a1b22c'.split(/\\d+/)", ["a", "b", "c"]),
    ("'a1b2'.split(/(\\d)/)", ["a", "1", "b", "2", ""]),
    ("'abc'.split(/(?:)/)", ["a", "b", "c"]),
    ("''.split(/,/)", [""]),
    ("'a,b,c'.split(/,/, 2)", ["a", "b"]),
    ("s.search(/W/)", 6),
    ("s.search(/z/)", -1),
    ("/^h/i.test(s)", True),
    ("/^world$/im.test('x\\nWorld')", True),
    ("/a.c/.test('a\\nc')", False),
    ("/a.c/s.test('a\\nc')", True),
    ("/x$/.test('x\\n')", False),
    ("/\\d/.test('\u0663')", False),  # \d is ASCII in JavaScript
    ("/[^]/.test('\\n')", True),
    ("/(a)\\1/.test('aa')", True),
    ("/(?<q>['\"]).*\\k<q>/.test('\"x\"')", True),
    ("/a/gi.flags + /a/gi.source + /a/g.global", "giatrue"),
    ("String(/a\\/b/g)", "/a\\/b/g"),
    ("JSON.stringify(/a/)", "{}"),
    ("typeof /a/", "object"),
    ("RegExp('^' + 'ab').test('abc')", True),
    ("'a+b'.replace(RegExp('\\\\+', 'g'), ' plus ')", "a plus b"),
    ("6 / 2 / 3", 1),
    ("xs.length / 3", 1),
    ("(1) / 1", 1),
    # template literals, ?., ??, spread
    ("`${s.length} chars, ${xs.map(x => x * 2)}`", "11 chars, 6,2,4"),
    ("o?.b?.c", 2),
    ("n?.b.c.d", UNDEFINED),
    ("o.zz?.[0]", UNDEFINED),
    ("o.f?.()", UNDEFINED),
    ("n ?? 'default'", "default"),
    ("0 ?? 1", 0),
    ("[...xs, ...'ab']", [3, 1, 2, "a", "b"]),
    ("({...o, a: 9}).a", 9),
    ("Math.max(...xs)", 3),
    # Object / Array / conversions
    ("Object.keys(o)", ["a", "b"]),
    ("Object.values({x: 1, y: 2})", [1, 2]),
    ("Object.entries({x: 1})", [["x", 1]]),
    ("Object.assign({}, {a: 1}, {b: 2}, {a: 3})", {"a": 3, "b": 2}),
    ("Object.fromEntries([['k', 1]])", {"k": 1}),
    ("JSON.stringify({b: 1, 2: 'x', 1: 'y'})", '{"1":"y","2":"x","b":1}'),
    ("Array.isArray(xs) && !Array.isArray(o)", True),
    ("Array.from('ab', c => c + c)", ["aa", "bb"]),
    ("Number(' 12 ') + Number('0x10') + Number('')", 28),
    ("String(null) + String([1, [2, 3]]) + Boolean('')", "null1,2,3false"),
    ("parseInt('  42px') + parseFloat('.5e1x')", 47),
    # string methods
    ("'  x '.trim() + '|' + '  x '.trimStart() + '|' + '  x '.trimEnd()", "x|x |  x"),
    ("s.toUpperCase() + s.toLowerCase()", "HELLO WORLDhello world"),
    ("s.startsWith('He') && s.endsWith('ld') && s.includes('o W')", True),
    ("'5'.padStart(3, '0') + '5'.padEnd(3, '-') + 'ab'.repeat(2)", "0055--abab"),
    ("s.at(-1) + xs.at(0)", "d3"),
    # numbers to a count of digits, rounded half up on the exact binary value
    ("[(1234.5678).toPrecision(6), (0.00001234).toPrecision(2), (1234.5678).toPrecision(2)]",
     ["1234.57", "0.000012", "1.2e+3"]),
    ("[(1.45).toPrecision(2), (2.5).toExponential(0), (123456).toExponential(), (0).toExponential(2)]",
     ["1.4", "3e+0", "1.23456e+5", "0.00e+0"]),
    ("(123.456).toFixed(30)", "123.456000000000003069544618483633"),
    # newer array methods, string code points, Number constants
    ("[xs.findLast(x => x < 3), xs.findLastIndex(x => x > 5), xs.with(-1, 9), xs.reduceRight((a, x) => a + x, '')]",
     [2, -1, [3, 1, 9], "213"]),
    ("[String.fromCharCode(0xD83D, 0xDE00) === String.fromCodePoint(0x1F600), 'e\u0301'.normalize().length]",
     [True, 1]),
    ("Number.EPSILON > 0 && Number.MAX_VALUE > 1e308 && Number.isNaN(Number.NaN)", True),
    # localeCompare: Node's order of printable ASCII (punctuation, digits, letters; a before A)
    ("['b', 'B', 'a', 'A', 'a b', 'ab', '_x', '10', '9'].sort((x, y) => x.localeCompare(y))",
     ["_x", "10", "9", "a", "A", "a b", "ab", "b", "B"]),
    # toLocaleString: en-US numbers
    ("[(1234.5678).toLocaleString(), (0.256).toLocaleString('en-US', {style: 'percent'}), (-0).toLocaleString()]",
     ["1,234.568", "26%", "-0"]),
    ("(1234.5).toLocaleString('en-US', {style: 'currency', currency: 'usd'}) + ' ' + "
     "(1234.5).toLocaleString('en', {style: 'currency', currency: 'JPY'})", "$1,234.50 ¥1,235"),
    ("(1234.5).toLocaleString(undefined, {minimumFractionDigits: 2, useGrouping: false})", "1234.50"),
    # new Set: unique values in first-seen order (SameValueZero), read-only
    ("JSON.stringify([...new Set(xs.concat(xs, [1, '1', NaN, NaN, -0]))])", '[3,1,2,"1",null,0]'),  # -0 is kept as 0
    ("[new Set('hello').size, new Set(xs).has(2), new Set(xs).has('2'), String(new Set())]",
     [4, True, False, "[object Set]"]),
    # URI escapes
    ("encodeURIComponent('a b&c=é') + ' ' + encodeURI('https://x.org/a b?q=é#top')",
     "a%20b%26c%3D%C3%A9 https://x.org/a%20b?q=%C3%A9#top"),
    ("[decodeURIComponent('%E2%98%83%2F'), decodeURI('%E2%98%83%2F')]", ["☃/", "☃%2F"]),
    # destructured, defaulted and rest parameters
    ("Object.entries(o).map(([k, v]) => k + ':' + typeof v).join()", "a:number,b:object"),
    ("[{a: 1}, {a: 2, c: 5}].map(({a, c = 0}) => a + c)", [1, 7]),
    ("(({b: {c}}) => c)(o)", 2),
    ("(([, second, ...more]) => [second, more])(xs)", [1, [2]]),
    ("((first, ...others) => others.length)(1, 2, 3)", 2),
    ("((x, y = x * 2) => y)(4)", 8),
    ("[xs.map(x => { return x * 2; }), String(x => { return x })]", [[6, 2, 4], "x => { return x }"]),
    ("(({a, ...r}) => Object.keys(r))(o)", ["b"]),
])
def test_javascript_semantics(src, expected):
    assert evaluate(src, S) == expected


def test_exec_honours_last_index_with_g():
    r = evaluate("/o/g")
    first = compile_expression("r.exec(s)").evaluate({"r": r, "s": S["s"]})
    second = compile_expression("r.exec(s)").evaluate({"r": r, "s": S["s"]})
    third = compile_expression("r.exec(s)").evaluate({"r": r, "s": S["s"]})
    assert (first.index, second.index, third, r.lastIndex) == (4, 7, None, 0)


def test_each_evaluation_gets_a_fresh_regex_object():
    e = compile_expression("[/o/g.exec(s).index, /o/g.exec(s).index]")
    assert e.evaluate(S) == [4, 4] and e.evaluate(S) == [4, 4]


@pytest.mark.parametrize("src, message", [
    ("(([a]) => a)(n)", "null is not iterable"),
    ("(({a}) => a)(n)", "Cannot destructure 'null' as it is null."),
    ("((a, a) => a)(1)", "Duplicate parameter name"),
    ("(([a] = 1, ...r = []) => a)()", "Unexpected token '='"),
    ("(({[s]: x}) => x)(o)", "computed keys"),
    ("decodeURIComponent('100%')", "URI malformed"),
    ("decodeURIComponent('%C0%AF')", "URI malformed"),
    ("'é'.localeCompare('e')", "printable ASCII text only"),
    ("'a'.localeCompare('b', 'de')", "en-US locale only"),
    ("(1.5).toFixed(-1)", "toFixed() digits argument must be between 0 and 100"),
    ("(1.5).toLocaleString('de-DE')", "en-US locale only"),
    ("(1.5).toLocaleString('en-US', {notation: 'compact'})", "option notation is not supported"),
    ("(1.5).toLocaleString('en-US', {style: 'currency', currency: 'CHF'})", "not CHF"),
    ("(1.5).toLocaleString('en-US', {minimumFractionDigits: 3, maximumFractionDigits: 1})", "out of range"),
    ("(1.5).toLocaleStringX()", "(1.5).toLocaleStringX is not a function"),  # the parentheses are its text
    ("new Date()", "expressions build no objects but a Set"),
    ("new Set(5)", "5 is not iterable"),
])
def test_mistakes_are_expression_errors_that_say_what_went_wrong(src, message):
    with pytest.raises(ExpressionError) as info:
        evaluate(src, S)
    assert message in str(info.value)


@pytest.mark.parametrize("src", ["/(/", "/a/gg", "/a/q", "'x'.replaceAll(/x/, 'y')", "'x'.matchAll(/x/)"])
def test_bad_regexes_are_expression_errors(src):
    with pytest.raises(ExpressionError) as err:
        evaluate(src)
    assert not err.value.message.startswith("internal error")


def test_invalid_regex_literal_is_located():
    with pytest.raises(ExpressionSyntaxError) as err:
        compile_expression("1 + /(/")
    assert (err.value.start, err.value.end) == (4, 7)


def test_catastrophic_regex_is_stopped_by_the_budget():
    budget = RenderBudget(regex_seconds=0.1)
    import time
    t = time.perf_counter()
    with pytest.raises(ExpressionLimitError, match="regex_seconds"):
        compile_expression("/(a|a)+$/.test(s)").evaluate({"s": "a" * 40 + "!"}, budget)
    assert time.perf_counter() - t < 0.5
    with pytest.raises(ExpressionLimitError):  # the allowance is per render: spent is spent
        compile_expression("/b/.test('b')").evaluate({}, budget)


def test_safe_regex_helper_for_markup_patterns():
    r = safe_regex(r"\.(md|txt)$", timeout=0.5)
    assert r.search("notes.md") and not r.search("notes.md.bak")
    with pytest.raises(ExpressionSyntaxError):
        safe_regex("(")


def test_calls_of_arrow_functions_are_charged():
    budget = RenderBudget(work=10_000)
    with pytest.raises(ExpressionLimitError, match="work"):
        compile_expression("(f => [f(1), f(2), f(3)])(x => x)").evaluate({}, RenderBudget(work=250))
    compile_expression("(f => f(1))(x => x)").evaluate({}, budget)
    from poml.template.js._budget import CALL_COST

    assert budget.left == 10_000 - 2 * CALL_COST  # the outer arrow and the one it calls


def test_one_budget_across_evaluations():
    budget = RenderBudget(work=50_000)
    e = compile_expression("'x'.repeat(1000)")
    runs = 0
    with pytest.raises(ExpressionLimitError):
        for _ in range(1000):
            e.evaluate({}, budget)
            runs += 1
    assert 5 <= runs < 50  # the same allowance, spent across evaluations (each would fit alone)


_atoms = st.one_of(st.integers(-1000, 1000), st.text(max_size=6), st.booleans(), st.none())
_values = st.recursive(_atoms, lambda k: st.one_of(st.lists(k, max_size=4),
                                                    st.dictionaries(st.text(max_size=3), k, max_size=4)),
                       max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab.-\n ", max_size=30), st.sampled_from(["a", "a+", "\\.", "^", "$", "b|a", "(a)(b)?"]),
       st.sampled_from(["", "g", "gm", "gi"]))
def test_regex_replace_agrees_with_a_direct_translation(text, pattern, flags):
    """For patterns whose JS and Python meanings coincide, replace/split/match agree with Python's re."""
    ctx = {"t": text}
    expr = f"t.replace(/{pattern}/{flags}, '<$&>')"
    count = 0 if "g" in flags else 1
    pyflags = re.M if "m" in flags else 0
    pypat = pattern.replace("$", r"\Z") if "m" not in flags else pattern
    expected = re.sub(pypat, lambda m: f"<{m.group(0)}>", text, count=count, flags=pyflags)
    assert evaluate(expr, ctx) == expected


@settings(max_examples=150, deadline=None)
@given(_values)
def test_spread_copies_and_stringify_round_trips(value):
    ctx = {"v": value}
    if isinstance(value, list):
        assert evaluate("[...v]", ctx) == value
    if isinstance(value, dict):
        assert evaluate("({...v})", ctx) == {k: v for k, v in value.items()}
    out = evaluate("JSON.stringify(v)", ctx)
    assert out == js_json_stringify(value)
    assert isinstance(js_to_string(value), str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.text(max_size=3))
def test_string_methods_match_python_on_plain_text(s, t):
    ctx = {"s": s, "t": t}
    assert evaluate("s.includes(t)", ctx) == (t in s)
    assert evaluate("s.startsWith(t) && s.endsWith(t)", ctx) == (s.startswith(t) and s.endswith(t))
    assert evaluate("s.split(t).join(t)", ctx) == s
    assert evaluate("s.toUpperCase()", ctx) == s.upper()
