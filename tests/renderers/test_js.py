"""The one home of JavaScript semantics (renderers._js), pinned against JavaScript.

Expected values in the tables were taken from ``node -e``; the differential
tests ask a running ``node`` the same question for hypothesis-generated input
(skipped where node is absent). The last tests check that every layer (the
evaluator, the data loaders, the components, the writers) answers through this
module, so they cannot disagree again.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderers import _js, _jsjson
from renderers._js import (JS_WHITESPACE, UNDEFINED, JSRangeError, JSSyntaxError, JSTypeError, js_join, js_number,
                           js_number_to_string, js_parse_float, js_parse_int, js_string, js_trim)
from renderers._jsjson import parse_json, stringify

# ----------------------------------------------------------------- pinned examples (from node -e)


@pytest.mark.parametrize("value, expected", [
    ({"b": 1, "1": 2}, '{"1":2,"b":1}'),
    ({"b": 1, "10": 2, "9": 3, "01": 4, "-1": 5, "4294967295": 6, "4294967294": 7},
     '{"9":3,"10":2,"4294967294":7,"b":1,"01":4,"-1":5,"4294967295":6}'),
    ([1.0, -0.0, 1e21, 1e-7, 0.1 + 0.2, float("nan"), float("inf")], '[1,0,1e+21,1e-7,0.30000000000000004,null,null]'),
    (12345678901234567890, "12345678901234567000"),
    ({"a": UNDEFINED, "b": [UNDEFINED, None]}, '{"b":[null,null]}'),
    ("\ud800é\n\"", '"\\ud800é\\n\\""'),
    ({"b": 0, 1: "int key", None: "none key"}, '{"1":"int key","b":0,"null":"none key"}'),
    (["\udc00", {"k": "\ud800x"}], '["\\udc00",{"k":"\\ud800x"}]'),  # lone surrogates inside containers
    ({"v": "1.0e5 x", "n": [10, 2.5]}, '{"v":"1.0e5 x","n":[10,2.5]}'),  # number-like text in strings
    ({"a": 1, "0": [1e16, 1.5e-9]}, '{"0":[10000000000000000,1.5e-9],"a":1}'),
])
def test_stringify_pinned(value, expected):
    assert stringify(value) == expected


def test_stringify_indent_and_undefined():
    assert stringify({"a": [1, {}], "b": []}, 2) == '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}'
    assert stringify([1], "--") == "[\n--1\n]"
    assert stringify(UNDEFINED) is None  # JSON.stringify(undefined) is undefined


def test_stringify_refuses_cycles_and_depth():
    a: list = []
    a.append(a)
    with pytest.raises(JSTypeError, match="circular"):
        stringify(a)
    with pytest.raises(JSRangeError, match="deeper than 3"):
        stringify([[[[[1]]]]], 1, max_depth=3)
    with pytest.raises(JSRangeError, match="longer than 5"):
        stringify(["abcdef"], max_chars=5)


def test_stringify_opaque_hook():
    class Fn:
        pass

    assert stringify({"f": Fn(), "g": [Fn()]}, opaque=lambda v: UNDEFINED) == '{"g":[null]}'
    assert stringify([Fn()], opaque=lambda v: {}) == "[{}]"


@pytest.mark.parametrize("text, radix, expected", [
    ("0x10", 0, 16), ("0x10", 10, 0), ("0x10", 16, 16), ("  -12px", 0, -12), ("z", 36, 35), ("12", 1, math.nan),
    ("\ufeff\xa07", 0, 7), ("\x857", 0, math.nan), ("", 0, math.nan), ("-0", 0, 0), ("1" + "0" * 400, 0, math.inf),
    ("101", 2, 5), ("٣", 0, math.nan), ("9007199254740993", 0, 9007199254740992),
])
def test_parse_int_pinned(text, radix, expected):
    got = js_parse_int(text, radix)
    assert js_number_to_string(got) == js_number_to_string(expected)


@pytest.mark.parametrize("text, expected", [
    ("2.5e1x", "25"), (" .5", "0.5"), ("-Infinityx", "-Infinity"), ("1e400", "Infinity"), ("e1", "NaN"),
    ("1.", "1"), ("0x10", "0"), ("١", "NaN"),
])
def test_parse_float_pinned(text, expected):
    assert js_number_to_string(js_parse_float(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("", "0"), (" \n", "0"), ("0b101", "5"), ("0o17", "15"), ("0x1F", "31"), ("-0x10", "NaN"), ("1_000", "NaN"),
    ("+1.5e3", "1500"), (".", "NaN"), ("Infinity", "Infinity"), ("12px", "NaN"), ("\ufeff3\u3000", "3"),
])
def test_number_pinned(text, expected):
    assert js_number_to_string(js_number(text)) == expected


@pytest.mark.parametrize("value, expected", [
    ([1, None, [2.5, True, [UNDEFINED]]], "1,,2.5,true,"), ({}, "[object Object]"), (UNDEFINED, "undefined"),
    (None, "null"), (1e21, "1e+21"), (-1e-7, "-1e-7"), (2 ** 60, "1152921504606847000"), (0.000001, "0.000001"),
])
def test_string_pinned(value, expected):
    assert js_string(value) == expected


def test_join_cycle_is_empty_and_limits_apply():
    a: list = [1]
    a.append(a)
    assert js_string(a) == "1,"
    with pytest.raises(JSRangeError):
        js_join(["x" * 10, "y"], ",", max_chars=5)


def test_parse_json_js_numbers_order_and_errors():
    assert list(parse_json('{"b": 1, "2": 0, "1": 0}')) == ["1", "2", "b"]
    assert parse_json("[1.0, 12345678901234567890, -0]") == [1, 12345678901234567890.0, 0]
    assert type(parse_json("1.0")) is int
    for bad, message in [("NaN", "Unexpected token 'N'"), ("", "Unexpected end of JSON input"),
                         ("[1,", "in JSON at position 3"), ("\u3000 1", "in JSON at position 0")]:
        with pytest.raises(JSSyntaxError, match=message):
            parse_json(bad)
    with pytest.raises(JSRangeError):
        parse_json("[" * 100_000)


_JSON_KEYS = st.one_of(st.sampled_from(["0", "1", "10", "01", "-1", "4294967295", "a", "1a", "\u0031"]), st.text(max_size=4))
_JSON_DATA = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=6)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_KEYS, inner, max_size=4), max_leaves=20)


def _full_reading(text: str):
    return json.loads(text, object_pairs_hook=_jsjson._object_from_pairs, parse_int=_js.decimal_value,
                      parse_float=_js.decimal_value, parse_constant=_jsjson._no_constant)


def _typed(v):  # order and types visible: 1 and 1.0 differ, so do {"1":..,"a":..} and {"a":..,"1":..}
    if isinstance(v, dict):
        return ("d", [(k, _typed(x)) for k, x in v.items()])
    if isinstance(v, list):
        return ("l", [_typed(x) for x in v])
    return (type(v).__name__, v)


@given(_JSON_DATA, st.booleans(), st.booleans())
def test_parse_json_fast_path_reads_as_the_full_rules_do(data, ascii_only, spaced):
    # Plain json.loads serves text without index-like keys, long integers or constants; the rest
    # takes the full reading. Both must give the same values, in the same order, of the same types.
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(", ", ": ") if spaced else (",", ":"))
    assert _typed(parse_json(text)) == _typed(_full_reading(text))


def test_parse_json_sends_what_json_reads_differently_the_full_way():
    for text in ['{"a": 1, "\\u0031": 0}', '[12345678901234567]', '{"b": 0, "2" : 1}', '[-Infinity]']:
        assert not _jsjson._json_reads_it_alone(text)
    for text in ['{"a": 1, "b": "2024-01-05"}', '[1.0, 1e3, -0]', '{"k": "1\\"x"}']:
        assert _jsjson._json_reads_it_alone(text)
        assert _typed(parse_json(text)) == _typed(_full_reading(text))
    with pytest.raises(JSSyntaxError, match="Unexpected token 'N'"):
        parse_json("[NaN]")  # Python's json would read it
    assert list(parse_json('{"a": 0, "\\u0030": 1}')) == ["0", "a"]
    assert type(parse_json("[2.0]")[0]) is int


def test_whitespace_is_one_set():
    assert js_trim("\ufeff\xa0 x \u3000\u2029") == "x"
    assert js_trim("\x85x\x1c") == "\x85x\x1c"  # Python's str.strip() would remove these; JavaScript keeps them


# ----------------------------------------------------------------- the same answer everywhere


def test_every_layer_answers_through_the_one_module():
    from poml.components import _values
    from poml.data import sources, tables
    from poml.template.js import evaluate, js_json_stringify
    from renderers import _serialize

    data = {"b": 1, "1": 2}
    expected = '{"1":2,"b":1}'
    assert evaluate("JSON.stringify(x)", {"x": data}) == expected
    assert js_json_stringify(data) == expected
    assert _values.js_json(data) == expected
    assert stringify(data) == expected
    assert tables.format_dsv([{"c": data}], ["c"]).splitlines()[1] == '"{""1"":2,""b"":1}"'
    # parseInt("0x10") is 16; the writers read counts as parseInt(text, 10), which stops at the "x"
    assert evaluate('parseInt("0x10")', {}) == 16
    assert sources.parse_text("0x10", "integer") == 16
    assert type(sources.parse_text("0x10", "integer")) is int
    assert tables.parse_slice("0x2:", 10) == (2, 10) and tables.parse_slice("0x2", 10) == (2, 3)
    assert _serialize.SerializeWriter(None).parse_text(None, "0x10", "integer") == 0
    # one undefined
    assert sources.UNDEFINED is tables.UNDEFINED is UNDEFINED
    assert evaluate("undefined", {}) is UNDEFINED
    # one parseFloat and JSON.parse for attributes
    assert _values.parse_float(" 2.50x") == 2.5 and math.isnan(_values.parse_float("\x852"))
    assert list(_values.parse_json('{"b":0,"0":1}')) == ["0", "b"]
    assert sources.guess_string_type('{"b":0,"0":1}') == ({"0": 1, "b": 0}, "object")


@pytest.mark.parametrize("ch", sorted(JS_WHITESPACE))
def test_the_evaluator_skips_exactly_js_whitespace(ch):
    from poml.template.js import evaluate, safe_regex

    assert evaluate(f"1{ch}+{ch}1", {}) == 2
    assert evaluate("x.trim()", {"x": ch + "a" + ch}) == "a"
    assert safe_regex(r"^\s$").search(ch) and not safe_regex(r"^\S$").search(ch)


@pytest.mark.parametrize("ch", ["\x85", "\x1c", "\x1f", "\u180e"])
def test_the_evaluator_does_not_skip_python_only_whitespace(ch):
    from poml.template.js import ExpressionSyntaxError, evaluate, safe_regex

    with pytest.raises(ExpressionSyntaxError):
        evaluate(f"1{ch}+1", {})
    assert evaluate("x.trim()", {"x": ch}) == ch
    assert not safe_regex(r"\s").search(ch) and safe_regex(r"^\S$").search(ch)


# ----------------------------------------------------------------- properties

_KEYS = st.one_of(st.text(max_size=4), st.integers(0, 2 ** 33).map(str), st.sampled_from(["01", "-1", "1.5"]))
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 64, 2 ** 64),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6))
_VALUES = st.recursive(_SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                        st.dictionaries(_KEYS, kids, max_size=4)), max_leaves=20)


@given(_VALUES)
def test_stringify_fast_path_matches_the_exact_walker(value):
    walker = _jsjson._Writer("", _jsjson._str_opaque, math.inf, math.inf)
    assert walker.write(value, "")
    assert stringify(value) == "".join(walker.out)


@given(_VALUES)
def test_parse_json_reads_back_what_stringify_writes(value):
    text = stringify(value)
    assert stringify(parse_json(text)) == text


def _typed(v):
    """``v`` with every number tagged by its type: 1 and 1.0 compare equal, but read back differently."""
    if isinstance(v, dict):
        return {k: _typed(x) for k, x in v.items()}, list(v)
    if isinstance(v, list):
        return [_typed(x) for x in v]
    return type(v).__name__, v


_COPY_VALUES = st.recursive(st.one_of(_SCALARS, st.just(UNDEFINED), st.tuples(st.integers())),
                            lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(_KEYS, kids, max_size=4)),
                            max_leaves=20)


@given(_COPY_VALUES)
def test_json_copy_is_what_json_reads_from_stringify(value):
    got = _jsjson.json_copy(value, 10 ** 6, 256)
    if got is None:  # only what the one walk does not copy: the caller then prints and parses
        return
    text = stringify(value)
    assert _typed(got[0]) == _typed(json.loads(text))  # same values, types and key order
    assert got[0] is not value
    from poml.template.js._values import _printed

    assert got[1] == _printed(value, 10 ** 6)[0]  # charged exactly as the print's size check charges


def test_json_copy_leaves_to_the_full_path_what_it_cannot_copy_exactly():
    shared = {"a": 1}
    cyclic: list = []
    cyclic.append(cyclic)
    for value in ([shared, shared], cyclic, {"1": 0}, {1: 0}, [2 ** 53], [(1, 2)], [object()], "text",
                  [[[["deep"]]]]):
        assert _jsjson.json_copy(value, 10 ** 6, 2) is None, value
    assert _jsjson.json_copy(["x" * 50], 40, 256) is None  # past the length limit: the full path raises
    copy, structure = _jsjson.json_copy({"a": [1.0, -0.0, float("nan"), UNDEFINED], "b": UNDEFINED}, 100, 256)
    assert _typed(copy) == _typed({"a": [1, 0, None, None]}) and structure == 2 + 6 * 2 + 2 + 2 * 4


@given(st.text(alphabet=" \t\xa0\ufeff\x85+-0123456789xXabcdefz.eE", max_size=10))
def test_parse_int_agrees_with_number_on_plain_integers(text):
    n = js_parse_int(text)
    if re.fullmatch(r"[+-]?[0-9]+", js_trim(text)):
        assert n == js_number(text)


# ----------------------------------------------------------------- differential against node

NODE = shutil.which("node")
_NODE_SCRIPT = r"""
const rl = require('readline').createInterface({input: process.stdin});
const revive = (k, v) => (v && typeof v === 'object' && '__n' in v) ? Number(v.__n) :
                         (v && typeof v === 'object' && '__u' in v) ? undefined : v;
rl.on('line', line => {
  const [op, arg, extra] = JSON.parse(line, revive);
  let out;
  switch (op) {
    case 'stringify': out = JSON.stringify(arg, null, extra); break;
    case 'string': out = String(arg); break;
    case 'parseInt': out = String(parseInt(arg, extra === null ? undefined : extra)); break;
    case 'parseFloat': out = String(parseFloat(arg)); break;
    case 'Number': out = String(Number(arg)); break;
    case 'numstr': out = String(Number(arg)); break;
    case 'trim': out = arg.trim(); break;
    case 'ws': out = []; for (let c = 0; c < 0x10000; c++) { if (String.fromCharCode(c).trim() === '') out.push(c); } break;
  }
  process.stdout.write(JSON.stringify(out === undefined ? {__u: 1} : out) + '\n');
});
"""


class _Node:
    """One node process answering JSON-line questions, so each example costs a pipe round trip."""

    def __init__(self, exe: str):
        self.proc = subprocess.Popen([exe, "-e", _NODE_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")

    def ask(self, op: str, arg, extra=None):
        self.proc.stdin.write(json.dumps([op, _encode(arg), extra]) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return UNDEFINED if isinstance(answer, dict) and "__u" in answer else answer

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return {"__n": repr(v).replace("inf", "Infinity").replace("nan", "NaN")}
    if v is UNDEFINED:
        return {"__u": 1}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    return v


@pytest.fixture(scope="module")
def node():
    if NODE is None:
        pytest.skip("node is not installed: the differential tests need it")
    n = _Node(NODE)
    yield n
    n.close()


_NODE_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_NUM_TEXT = st.one_of(
    st.text(alphabet=" \t\n\xa0\ufeff\u3000\x85+-0123456789xXoObBabcdefz.eEIinfty_", max_size=12),
    st.sampled_from(["Infinity", "-Infinity", "+Infinity", "0x", "0b2", "1e", ".e1", "00", "-0", "1e999"]),
    st.floats(allow_nan=False).map(repr))


@_NODE_SETTINGS
@given(value=st.one_of(_VALUES, st.lists(st.just(UNDEFINED), max_size=2)),
       indent=st.sampled_from([None, 2, "\t", 0]))
def test_stringify_agrees_with_node(node, value, indent):
    assert stringify(value, indent) == node.ask("stringify", value, indent)


@_NODE_SETTINGS
@given(value=_VALUES)
def test_string_agrees_with_node(node, value):
    assert js_string(value) == node.ask("string", value)


@_NODE_SETTINGS
@given(text=_NUM_TEXT, radix=st.sampled_from([None, 0, 2, 8, 10, 16, 36, 1, 37]))
def test_number_parsing_agrees_with_node(node, text, radix):
    n = js_parse_int(text, radix or 0)
    # The spec lets engines approximate big results in radixes other than 2, 4, 8, 10, 16, 32.
    if not (abs(n) > 2 ** 53 and radix not in (None, 0, 2, 8, 10, 16)):
        assert js_number_to_string(n) == node.ask("parseInt", text, radix)
    assert js_number_to_string(js_parse_float(text)) == node.ask("parseFloat", text)
    assert js_number_to_string(js_number(text)) == node.ask("Number", text)


@_NODE_SETTINGS
@given(x=st.one_of(st.floats(), st.integers(-2 ** 70, 2 ** 70)))
def test_number_text_agrees_with_node(node, x):
    text = repr(x).replace("inf", "Infinity").replace("nan", "NaN") if isinstance(x, float) else str(x)
    assert js_number_to_string(x) == node.ask("numstr", text)


def test_whitespace_set_is_node_s(node):
    assert sorted(map(ord, JS_WHITESPACE)) == node.ask("ws", None)


def test_template_braces_trim_js_whitespace_only():
    import poml
    from poml import PomlError

    assert poml.poml("<p>{{\ufeffx\u3000}}</p>", context={"x": 1}) == [{"speaker": "human", "content": "1"}]
    with pytest.raises(PomlError):
        poml.poml("<p>{{\x85x}}</p>", context={"x": 1})  # U+0085 is no JavaScript whitespace
