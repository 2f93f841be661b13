"""Untrusted markup and context: every escape attempt or resource bomb is refused fast.

Each case must raise a PomlError (never another exception, never a hang) in
under 100 ms, and must not touch anything outside the render.
"""

from __future__ import annotations

import time

import pytest

import poml

BUDGET_S = 0.100


@pytest.fixture(scope="module", autouse=True)
def _warm_up():
    # The first render in a process imports the builder and writers; time refusals, not imports.
    poml.poml("<p>warm</p>")


def _refused(markup: str, context=None, *, budget: float = BUDGET_S) -> poml.PomlError:
    start = time.perf_counter()
    with pytest.raises(poml.PomlError) as info:
        poml.poml(markup, context=context)
    elapsed = time.perf_counter() - start
    assert elapsed < budget, f"took {elapsed * 1000:.1f} ms"
    return info.value


@pytest.mark.parametrize(
    "expression",
    [
        "constructor",
        "x.__class__",
        "[].__class__.__mro__",
        "x.__init__",
        "x['__class__']",
        "x.constructor.constructor('return process')()",
        "globalThis",
        "this.constructor",
        "''.__class__.__subclasses__()",
        "Function('return 1')()",
        "eval('1')",
        "require('fs')",
        "import('fs')",
        "process.env",
        "x.__proto__",
    ],
)
def test_expressions_cannot_reach_python_or_javascript_internals(expression):
    err = _refused(f"<poml><p>{{{{ {expression} }}}}</p></poml>", {"x": {"a": 1, "_secret": 2}})
    assert isinstance(err, poml.PomlTemplateError)


def test_data_keys_starting_with_underscore_are_read_like_any_key():
    # Search hits, database rows and GraphQL replies carry such keys; only Python's own
    # special names (__class__, __init__...) are refused.
    hits = [{"_id": "a1", "_source": {"title": "T"}, "__typename": "Hit"}]
    out = poml.poml("<poml><p>{{ hits.map((h, _) => h._id + ':' + h._source.title + ':' + h['__typename']) }}"
                    "</p></poml>", context={"hits": hits}, chat=False)
    assert out == '["a1:T:Hit"]'
    err = _refused("<poml><p>{{ hits[0].__dict__ }}</p></poml>", {"hits": hits})
    assert isinstance(err, poml.PomlTemplateError)


def test_attribute_expressions_are_sandboxed_too():
    err = _refused('<poml><p if="x.__class__">a</p></poml>', {"x": {}})
    assert isinstance(err, poml.PomlTemplateError)


def test_context_objects_are_data_only():
    class Secret:
        password = "hunter2"

    # An object that is not plain data is opaque: its attributes read as undefined (empty text).
    out = poml.poml("<poml><p>[{{ s.password }}]</p></poml>", context={"s": Secret()}, chat=False)
    assert out == "[]"


def test_huge_loops_are_refused():
    _refused('<poml><p for="i in xs">{{i}}</p></poml>', {"xs": list(range(2_000_000))})


@pytest.mark.parametrize(
    "expression",
    ["'a'.repeat(1e9)", "'ab'.repeat(2**40)", "Array(1e9)", "'x'.padStart(1e10)"],
)
def test_size_bombs_inside_expressions_are_refused(expression):
    _refused(f"<poml><p>{{{{ {expression} }}}}</p></poml>")


def test_deep_nesting_is_refused():
    depth = 100_000
    markup = "<p>" * depth + "x" + "</p>" * depth
    err = _refused(markup)
    assert isinstance(err, poml.PomlLimitError)
    assert err.line == 1


def test_a_50_megabyte_string_is_refused():
    markup = "<p>" + "a" * (50 * 1024 * 1024) + "</p>"
    err = _refused(markup)
    assert isinstance(err, poml.PomlLimitError)


@pytest.mark.parametrize(
    "markup",
    [
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><p>&lol2;</p>',
        '<?xml version="1.0"?><!DOCTYPE p SYSTEM "file:///etc/passwd"><p>&xxe;</p>',
        '<poml><!ENTITY x "y"><p>x</p></poml>',
    ],
)
def test_entity_declarations_are_refused(markup):
    err = _refused(markup)
    assert "not allowed" in str(err)


def test_include_cycles_end_with_an_error(tmp_path):
    (tmp_path / "a.poml").write_text('<poml><include src="b.poml"/></poml>')
    (tmp_path / "b.poml").write_text('<poml><include src="a.poml"/></poml>')
    start = time.perf_counter()
    with pytest.raises(poml.PomlLimitError) as info:
        poml.poml(tmp_path / "a.poml")
    assert info.value.diagnostic.message == "<include> is nested more than 32 levels deep (a cycle?)."
    assert (info.value.diagnostic.line, info.value.diagnostic.column) == (1, 21)  # the src value
    assert time.perf_counter() - start < 1.0
