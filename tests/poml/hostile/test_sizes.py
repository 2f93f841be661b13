"""Markup that is large in one dimension is refused early, with the limit named."""

from __future__ import annotations

import pytest

import poml
from poml._limits import MAX_NAME_CHARS, MAX_PARSED_ELEMENTS


def test_a_huge_tag_name_is_refused_at_parse(bounded):
    name = "a" * 1_000_000
    _, error = bounded(poml.poml, f"<poml><{name}>x</{name}></poml>")
    assert isinstance(error, poml.PomlLimitError)
    assert f"the limit is {MAX_NAME_CHARS}" in str(error) and len(str(error)) < 2000


def test_too_many_elements_are_refused_at_parse(bounded):
    markup = "<poml>" + "<t>x</t>" * (MAX_PARSED_ELEMENTS + 1) + "</poml>"
    _, error = bounded(poml.poml, markup)
    assert isinstance(error, poml.PomlLimitError) and f"more than {MAX_PARSED_ELEMENTS:,} elements" in str(error)


def test_many_unknown_tags_keep_at_most_a_hundred_diagnostics():
    markup = "<poml>" + "".join(f"<t{i}>x</t{i}>" for i in range(5000)) + "</poml>"
    rendered = poml.render_text(markup, strict=False, lenient=False)
    assert len(rendered.diagnostics) == 100
    assert "Do you mean" in rendered.diagnostics[0].message


@pytest.mark.parametrize("limit", [{"work": 10_000}, {"regex_seconds": 0.01}, {"network_seconds": 1}])
def test_limits_are_set_per_environment(limit):
    env = poml.Environment(limits=limit)
    assert env.limits == limit


def test_unknown_limits_are_refused():
    with pytest.raises(ValueError, match="unknown limits"):
        poml.Environment(limits={"wrok": 1})


def test_a_small_work_budget_ends_the_render():
    env = poml.Environment(limits={"work": 10_000})
    with pytest.raises(poml.PomlLimitError, match="ran out of work budget"):
        env.render("<poml><p for='i in items'>{{ i }}</p></poml>", context={"items": list(range(1000))})
