"""Hostile expressions: each ends in a PomlError (never another exception) in under a second and 200 MB.

One budget per render: loops times expressions, direct arrow calls, exponential
DAG serialisation and backtracking regexes all spend from the same allowance.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poml
from hostile._bounded import Bounded
from poml import PomlError, PomlLimitError

DOUBLED = '<let name="d" value="[1]"/>' + '<let name="d" value="[d, d]"/>' * 26


def _seconds(budget: float) -> float:
    """``budget`` on an idle machine; scaled by the run queue on a shared, overloaded one (CI, laptops)."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1) if hasattr(os, "getloadavg") else 0.0
    return budget * max(1.0, load)


def _cyclic() -> dict:
    a: list = []
    a.append(a)
    d: dict = {"x": 1}
    d["self"] = d
    return {"a": a, "d": d, "ad": [d]}


HOSTILE = {
    "dag-stringify": (f"<poml>{DOUBLED}<p>{{{{ JSON.stringify(d) }}}}</p></poml>", None),
    "dag-string": (f"<poml>{DOUBLED}<p>{{{{ String(d) }}}}</p></poml>", None),
    "dag-interpolation": (f"<poml>{DOUBLED}<p>{{{{ d }}}}</p></poml>", None),
    "dag-join": (f"<poml>{DOUBLED}<p>{{{{ d.join() }}}}</p></poml>", None),
    "deep-json-parse": ("<p>{{ JSON.parse('['.repeat(100000) + ']'.repeat(100000)) }}</p>", None),
    "deep-json-parse-300": ("<p>{{ [JSON.parse('['.repeat(300) + ']'.repeat(300))] }}</p>", None),
    "cyclic-context-list": ("<p>{{ ad }}</p>", "cyclic"),
    "cyclic-context-stringify": ("<p>{{ JSON.stringify(d) }}</p>", "cyclic"),
    "loops-times-expressions": (
        '<poml><p for="i in Array.from({length: 100000})">'
        "{{ 'x'.repeat(1000) }}</p></poml>", None),
    "nested-loops": (
        '<poml><let name="xs" value="Array.from({length: 3000})"/>'
        '<list for="a in xs"><item for="b in xs">{{ a }}</item></list></poml>', None),
    "arrow-self-application": ("<p>{{ (f => f(f))(f => f(f)) }}</p>", None),
    "arrow-fanout": ("<p>{{ (g => g(g(g(g(g(g(g(1))))))))(x => [x,x,x,x,x,x,x,x,x,x].map(y => y)) }}</p>", None),
    "many-map-calls": ("<p>{{ Array.from({length: 1000000}).map(x => 1).length }}</p>", None),
    "regex-backtracking": ("<p>{{ /(a|a)+$/.test('a'.repeat(40) + '!') }}</p>", None),
    "regex-backtracking-loop": (
        '<poml><p for="i in [1,2,3,4,5,6,7,8,9,10]">{{ /(a|aa)+$/.test("a".repeat(35) + "!") }}</p></poml>', None),
    "regex-split-huge": ("<p>{{ 'a'.repeat(5000000).split(/(?:)/).length }}</p>", None),
    "regex-replace-blowup": ("<p>{{ 'x'.repeat(100000).replace(/x/g, 'y'.repeat(1000)) }}</p>", None),
    "template-literal-blowup": ("<p>{{ `${'a'.repeat(1e7)}${'a'.repeat(1e7)}` }}</p>", None),
    "uri-escape-blowup": ("<p>{{ encodeURIComponent('\u00e9'.repeat(5000000)).length }}</p>", None),
    "uri-unescape-huge": ("<p>{{ decodeURIComponent('%C3%A9'.repeat(2500000)).length }}</p>", None),
    "set-of-ten-million": ("<p>{{ [...new Set('a'.repeat(1e7))].length }}</p>", None),
    "destructuring-fanout": ("<p>{{ Array.from({length: 1000000}, () => [1]).map(([a, b = 1]) => a + b).length }}</p>", None),
    "string-doubling": (
        "<poml><let name='s' value='\"x\"'/>" + "<let name='s' value='s + s'/>" * 30 + "<p>{{ s.length }}</p></poml>",
        None),
}


def _context(kind):
    return _cyclic() if kind == "cyclic" else {}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_ends_in_a_poml_error_quickly(name):
    markup, ctx = HOSTILE[name]
    poml.poml("<p>{{ 1 }}</p>")  # warm imports so the timing is the input's
    # Under a second of CPU and 200 MB (hostile/_bounded.py): CPU time, so a loaded machine does not fail it.
    _, error = Bounded()(poml.poml, markup, context=_context(ctx))
    if error is not None:
        assert "internal error" not in str(error)
        assert str(error).startswith("<string>:")  # located
    # Everything but the 300-deep parse (valid, finite JavaScript) is refused.
    assert error is not None or name in ("deep-json-parse-300",), name


def test_budget_runs_out_with_a_limit_error_naming_the_limit():
    with pytest.raises(PomlLimitError) as err:
        poml.poml(HOSTILE["loops-times-expressions"][0])
    assert "work budget" in str(err.value) and "limits=" in str(err.value)


def test_regex_limit_error_names_its_limit():
    with pytest.raises(PomlLimitError, match="regex_seconds"):
        poml.poml(HOSTILE["regex-backtracking"][0])


def test_many_small_expressions_fit_one_budget():
    markup = '<poml><p for="i in Array.from({length: 2000})">{{ loop.index * 2 }}</p></poml>'
    out = poml.poml(markup)
    assert "3998" in str(out)


_pieces = st.sampled_from([
    "'x'.repeat(1e6)", "[d, d]", "JSON.stringify(d)", "d.map(x => d)", "/(a|a)+$/.test(s)", "s + s",
    "[...d, ...d]", "Object.entries(d)", "String(d)", "d.flat(9)", "s.split(/(?:)/)", "s.replace(/a/g, s)",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(_pieces, min_size=1, max_size=4))
def test_random_hostile_compositions_stay_poml_errors(pieces):
    lets = '<let name="d" value="[1, 2]"/><let name="s" value="\'a\'.repeat(30) + \'!\'"/>'
    lets += "".join(f'<let name="d" value="[{p}]"/>' for p in pieces)
    t = time.perf_counter()
    try:
        poml.poml(f"<poml>{lets}<p>{{{{ d }}}}{{{{ JSON.stringify(d) }}}}</p></poml>")
    except PomlError as err:
        assert "internal error" not in str(err)
    assert time.perf_counter() - t < _seconds(2.0)


def test_budgets_do_not_accumulate_across_renders_or_helper_calls():
    from poml.template.js import js_json_stringify

    markup = "<p>{{ 'x'.repeat(4000000).length }}</p>"  # a fifth of one render's allowance
    for _ in range(12):
        assert "4000000" in str(poml.poml(markup))
    big = [["y" * 1000] * 1000] * 5  # prints ~5 MB: a large share of a default budget
    for _ in range(12):
        assert len(js_json_stringify(big)) > 5_000_000
