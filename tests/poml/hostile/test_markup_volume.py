"""Markup that is large in number rather than in one dimension: a million attributes, entities,
syntax problems, ``{{ }}``, lines, built elements, table rows, stylesheet rules or JSON members.

Each ends in a located PomlError (or renders) within the bounds of ``bounded`` (1 s of CPU,
200 MB), and the cheap forms of the same things still render. The helpers that made these cases
linear (``unterminated_braces``, ``Source.line_col``, ``collapse_runs``) are checked against
their plain definitions with hypothesis.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, strategies as st

import poml
from poml._errors import MAX_DIAGNOSTICS, DiagnosticSink
from poml._limits import MAX_JSON_BODY_CHARS, MAX_PARSED_NODES, MAX_TAG_ATTRIBUTES
from poml._source import Source
from poml.components._whitespace import collapse_runs
from poml.template._expand import unterminated_braces

# --------------------------------------------------------------------------- parse


def test_a_million_attributes_on_one_tag_are_refused(bounded):
    markup = "<poml><p " + 'a="1" ' * 1_000_000 + "/></poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlLimitError)
    assert f"Tag <p> has more than {MAX_TAG_ATTRIBUTES:,} attributes" in str(error)


def test_many_attributes_over_many_tags_count_toward_the_markup_limit(bounded):
    markup = "<poml>" + ("<p " + 'a="1" ' * 1000 + "/>") * 250 + "</poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlLimitError)
    assert f"more than {MAX_PARSED_NODES:,} tags, attributes, texts and entity references" in str(error)


def test_a_text_of_entity_references_is_refused(bounded):
    _, error = bounded(poml.poml, "<poml><p>" + "&amp;" * (MAX_PARSED_NODES + 10) + "</p></poml>")
    assert isinstance(error, poml.PomlLimitError)


@pytest.mark.parametrize("junk, column", [("< ", 10), ("</p>", 18)], ids=["bare <", "unmatched </p>"])
def test_a_flood_of_syntax_problems_stops_after_the_first_hundred(bounded, junk, column):
    markup = "<poml><p>" + junk * 1_000_000 + "</p></poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlSyntaxError)  # the first problem, located
    assert error.line == 1 and error.column == column
    rendered = poml.render_text(markup[:200_000], strict=False)
    assert len(rendered.diagnostics) == MAX_DIAGNOSTICS
    assert "the rest of the markup was not read" in rendered.diagnostics[-1].message


def test_under_the_limit_the_same_markup_renders():
    assert poml.poml("<poml><p " + 'a="1" ' * MAX_TAG_ATTRIBUTES + ">x &amp; y</p></poml>", chat=False) == "x y"  # the entity is dropped


# --------------------------------------------------------------------------- expressions


def test_a_text_of_a_million_expressions_is_refused_before_it_is_compiled(bounded):
    _, error = bounded(poml.poml, "<poml><p>" + "{{1}}" * 1_000_000 + "</p></poml>")
    assert isinstance(error, poml.PomlLimitError) and "work budget" in str(error)


def test_a_text_of_distinct_expressions_is_refused(bounded):
    text = "".join("{{%d}}" % i for i in range(300_000))
    _, error = bounded(poml.poml, f"<poml><p>{text}</p></poml>")
    assert isinstance(error, poml.PomlLimitError)


def test_many_expressions_within_the_budget_render():
    assert poml.poml("<poml><p>" + "{{1}}" * 1000 + "</p></poml>", chat=False) == "1" * 1000


def test_a_long_line_of_open_braces_is_refused_quickly(bounded):
    # Every {{ is charged before the text is split, so 300,000 of them never reach the splitter
    # (whose regex is quadratic on a line of unclosed {{: see the note on issue 9).
    _, error = bounded(poml.poml, "<poml><p>{{x}}" + "{{ " * 300_000 + "</p></poml>", context={"x": 1})
    assert isinstance(error, poml.PomlLimitError)


def test_attributes_spread_over_tags_cannot_skip_the_token_count(bounded):
    # A tag of 62 attributes and a text: 64 tokens a cycle, the count jumping by 62 at each tag.
    # A check every 1,024th token by modulo never fired on this (256,000 tokens went through).
    tag = "<b " + " ".join(f'a{i}="1"' for i in range(62)) + "/>"
    markup = "<poml>" + (tag + "x") * 4000 + "</poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlLimitError) and "200,000 tags, attributes" in str(error)


@given(st.text(alphabet="{}\nab", max_size=40))
def test_unterminated_braces_are_what_the_lookahead_regex_finds(text):
    assert unterminated_braces(text) == [m.span() for m in re.finditer(r"{{(?![^\n]*}})", text)]


# --------------------------------------------------------------------------- locations


def test_a_problem_after_millions_of_lines_is_located_in_bounded_memory(bounded):
    markup = "<poml><p>" + "\n" * 5_000_000 + "<b>x</p></poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlSyntaxError)


@given(st.text(alphabet="ab\n\r", max_size=40), st.lists(st.integers(-2, 45), max_size=8))
def test_line_and_column_are_counted_from_the_text(text, offsets):
    source = Source(text)
    lines = text.split("\n")
    for offset in offsets:
        at = max(0, min(offset, len(text)))
        line = text.count("\n", 0, at) + 1
        assert source.line_col(offset) == (line, at - (text.rfind("\n", 0, at) + 1) + 1)
        assert source.line_text(line) == lines[line - 1].rstrip("\r")
    assert source.line_text(len(lines) + 1) == "" and source.line_text(0) == ""


def test_a_sink_of_a_million_warnings_keeps_a_hundred_and_the_first_error():
    sink = DiagnosticSink(Source("x\n" * 10))
    for i in range(1_000_000):
        sink.warning(0, 1, "w")
    sink.error(2, 3, "the error")
    assert len(sink.items) == MAX_DIAGNOSTICS + 1 and sink.dropped == 1_000_000 - MAX_DIAGNOSTICS
    assert sink.has_error and sink.errors[0].message == "the error" and sink.errors[0].line == 2
    assert sink.reported == 1_000_001


# --------------------------------------------------------------------------- building


def test_twenty_thousand_written_elements_are_refused_while_building(bounded):
    _, error = bounded(poml.poml, "<poml>" + '<cp caption="c"><p>t</p></cp>' * 9_000 + "</poml>")
    assert isinstance(error, poml.PomlLimitError) and "while building its elements" in str(error)
    assert error.line == 1 and error.column > 1  # at the element that ran out


def test_a_raised_budget_builds_them():
    env = poml.Environment(limits={"work": 200_000_000})
    out = env.render("<poml>" + "<p>t</p>" * 12_000 + "</poml>", chat=False)
    assert out.count("t") == 12_000


def test_a_table_of_a_hundred_thousand_rows_is_refused_before_its_rows_are_made(bounded):
    markup = '<poml><table records="{{ Array.from({length: 100000}, (_, i) => ({a: i})) }}"/></poml>'
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlLimitError) and error.column == 7


def test_table_columns_keep_the_order_in_which_keys_first_appear():
    out = poml.poml('<poml><table records="{{ [{b: 1}, {a: 2, b: 3}, {c: 4}] }}"/></poml>', chat=False)
    assert out.splitlines()[0].replace(" ", "") == "|b|a|c|"


def test_stylesheet_rules_are_charged(bounded):
    rules = {f"p.c{i}": {"syntax": "json"} for i in range(100_000)}
    _, error = bounded(poml.poml, "<poml><stylesheet>" + json.dumps(rules) + "</stylesheet><p>x</p></poml>")
    assert isinstance(error, poml.PomlLimitError) and "work budget" in str(error)
    assert poml.poml('<poml><stylesheet>{"p": {"syntax": "json"}}</stylesheet><p>x</p></poml>',
                     chat=False).splitlines() == ["```json", '"x"', "```"]


# --------------------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize("tag", ["let name=\"x\"", "context", "stylesheet", "output-schema"])
def test_json_bodies_past_the_limit_are_refused_before_parsing(bounded, tag):
    body = '{"a": [' + "1," * (MAX_JSON_BODY_CHARS // 2) + "1]}"
    close = tag.split()[0]
    _, error = bounded(poml.poml, f"<poml><{tag}>{body}</{close}><p>x</p></poml>")
    assert isinstance(error, poml.PomlLimitError)
    assert f"JSON written in markup is limited to {MAX_JSON_BODY_CHARS:,}" in str(error)


def test_a_long_text_in_a_let_is_not_json_and_is_kept():
    text = "word " * (MAX_JSON_BODY_CHARS // 4)
    assert len(poml.poml(f'<poml><let name="t">{text}</let><p>{{{{ t.length }}}}</p></poml>', chat=False)) > 6


# --------------------------------------------------------------------------- whitespace


@given(st.text(alphabet=" \t\n\rab\x0b", max_size=80))
def test_collapsing_whitespace_is_one_space_per_run(text):
    assert collapse_runs(text) == re.sub(r"[\t\n\r ]+", " ", text)


def test_a_pasted_document_of_millions_of_lines_collapses_quickly(bounded):
    result, error = bounded(poml.poml, "<poml><p>" + "a\n" * 4_000_000 + "</p></poml>", chat=False)
    assert error is None and result == ("a " * 4_000_000).strip()


# --------------------------------------------------------------------------- amplified output

MB = "a" * 1_000_000


@pytest.mark.parametrize("markup, context", [
    ('<poml><p for="i in items">{{ x }}</p></poml>', {"x": MB}),
    ('<poml><let name="y" value="{{ x }}"/><p for="i in items">{{ y }}{{ y }}</p></poml>', {"x": MB}),
    ('<poml><object for="i in items" data="{{ d }}"/></poml>', {"d": {"k": MB}}),
], ids=["text", "joined text", "serialized object"])
def test_a_value_repeated_by_a_loop_is_charged_per_copy(bounded, markup, context):
    _, error = bounded(poml.poml, markup, context={**context, "items": list(range(1000))}, chat=False)
    assert isinstance(error, poml.PomlLimitError) and "work budget" in str(error)


def test_reused_subtrees_are_charged_like_built_ones(bounded):
    # The same static section in every loop copy comes from the build cache from the third
    # copy on, and from the Environment's caches on a second render: both are charged in full.
    env = poml.Environment()
    markup = '<poml><cp for="i in items" caption="c">' + "static text " * 10_000 + "</cp></poml>"
    for _ in range(2):
        _, error = bounded(env.render, markup, context={"items": list(range(10_000))}, chat=False)
        assert isinstance(error, poml.PomlLimitError)
    assert env.render(markup, context={"items": [1, 2, 3, 4]}, chat=False).count("static text") == 40_000


def test_a_large_value_printed_once_renders():
    assert len(poml.poml("<poml><p>{{ x }}</p></poml>", context={"x": MB * 5}, chat=False)) == 5_000_000


@pytest.fixture
def megabyte_png(tmp_path):
    import os

    from PIL import Image

    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(tmp_path / "big.png")
    return tmp_path / "big.png"


def test_an_image_repeated_by_a_loop_is_charged_per_copy(bounded, megabyte_png):
    markup = f'<poml><img for="i in items" src="{megabyte_png}"/></poml>'
    _, error = bounded(poml.poml, markup, context={"items": list(range(1000))}, roots=[megabyte_png.parent],
                       format="openai_chat")
    assert isinstance(error, poml.PomlLimitError)


def test_a_repeated_image_is_one_data_url_in_openai_messages(megabyte_png):
    markup = f'<poml><img for="i in items" src="{megabyte_png}"/></poml>'
    out = poml.poml(markup, context={"items": [1, 2, 3]}, roots=[megabyte_png.parent], format="openai_chat")
    urls = [p["image_url"]["url"] for m in out["messages"] for p in m["content"] if isinstance(p, dict)]
    assert len(urls) == 3 and urls[0].startswith("data:image/png;base64,") and urls[0] is urls[1] is urls[2]
