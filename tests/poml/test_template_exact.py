"""Exact values of evaluator corners the other tests reach only loosely: loose equality with
booleans, the printed-size estimate that guards against exponential printing, and what it charges."""

from __future__ import annotations

import pytest

from poml.template.js import evaluate
from poml.template.js._budget import RenderBudget, using
from hypothesis import given
from hypothesis import strategies as st

from poml.template.js._values import _printed, _printed_shared, check_printed_size, printed_size


@pytest.mark.parametrize("expr, expected", [
    ("true == 1", True), ("false == 0", True), ("false == ''", True), ("false == '0'", True),
    ("false == []", True), ("true == '1'", True), ("true == [1]", True), ("0 == false", True),
    ("true == 2", False), ("false == -1", False), ("false == 1", False), ("true == 0", False),
    ("null == false", False), ("undefined == false", False), ("false == '-1'", False),
])
def test_loose_equality_turns_a_boolean_into_one_or_zero(expr, expected):
    assert evaluate(expr, {}) is expected


@pytest.mark.parametrize("value, size", [
    ([], 2),                    # []
    ([1, 2, 3], 8),             # brackets and two per item; numbers count nothing
    (["abc"], 4 + 3),           # the string's characters
    ([[1, 2], "abc"], 12 + 3),  # nested: 2 + 2 * 2 for the outer list, 6 for the inner
    ({}, 2),
    ({"a": "xy"}, 8 + 2),       # a mapping adds four per key (quotes, colon) on top of the list cost
    ({"a": 1, "b": [1]}, 14 + 4),
])
def test_printed_size_estimate(value, size):
    assert printed_size(value) == size


def test_printed_size_counts_a_shared_part_once_per_place():
    d = [1, 2]
    for _ in range(30):
        d = [d, d]  # 2**30 leaves
    assert printed_size(d, cap=1000) == 1001  # capped just past the cap, computed in 31 steps


_TREES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3), inner, max_size=5), max_leaves=30)


@given(_TREES, st.sampled_from([10 ** 7, 40, 5]))
def test_the_one_pass_over_a_tree_counts_as_the_memoised_walk(value, cap):
    # Context data is a tree: one pass adds it up; values with shared parts take the memoised walk.
    value = [value]
    fast, exact = _printed(value, cap), _printed_shared(value, cap)
    if sum(exact) <= cap:
        assert fast == exact
    else:  # both refuse it (the one pass stops once past the cap)
        assert sum(fast) > cap


def test_a_part_met_twice_is_counted_per_place_and_a_cycle_ends():
    d = {"k": "abcd"}
    assert printed_size([d, d]) == 2 + 4 + 2 * (2 + 6 + 4)
    cyclic: dict = {}
    cyclic["self"] = cyclic
    assert printed_size(cyclic) == 8


def test_check_printed_size_charges_a_quarter_of_the_structure():
    with using(RenderBudget(work=10_000)) as budget:
        check_printed_size([0] * 100)  # structure 2 + 2 * 100
        assert budget.left == 10_000 - 202 // 4
        check_printed_size({"k": "text"})  # structure 2 + 2 + 4, text not charged here
        assert budget.left == 10_000 - 50 - 2
        check_printed_size("a scalar is not walked")
        assert budget.left == 10_000 - 52


def test_each_template_literal_counts_two_levels_of_nesting():
    from poml.template.js import ExpressionSandboxError

    def nested(k: int) -> str:
        return "`${" * k + "1" + "}`" * k

    assert evaluate(nested(49), {}) == "1"  # 98 levels
    with pytest.raises(ExpressionSandboxError, match="expression nested deeper than 100 levels"):
        evaluate(nested(50), {})


def test_control_escape_in_a_regular_expression():
    assert evaluate(r"/\cJ/.test('\n')", {}) is True  # \cJ is the line feed (J is the 10th letter)
    assert evaluate(r"/a\cIb/.test('a\tb')", {}) is True


@pytest.mark.parametrize("expr", ["[1, 2, 3][-0.5 * 2]", "'abc'[-0.5 * 2]", "[1, 2, 3][1.5 * 2]", "[1][0.5]"])
def test_a_float_index_outside_the_array_reads_undefined(expr):
    from poml.template.js import UNDEFINED

    assert evaluate(expr, {}) is UNDEFINED


def test_float_indexes_that_are_integers_read_the_item():
    assert evaluate("[1, 2, 3][0.5 * 2]", {}) == 2
    assert evaluate("'abc'[4 / 2]", {}) == "c"


def test_css_like_stylesheet_exact():
    from poml.template._css import parse_css_like

    assert parse_css_like("p { color: red; ; size: 3 }") == {"p": {"color": "red", "size": 3}}
    assert parse_css_like(".a, b { x: \"y\" }") == {".a": {"x": "y"}, "b": {"x": "y"}}
    assert parse_css_like("p {}") == {"p": {}}
    assert parse_css_like("not css") is None
