"""Stylesheet cascade: selectors, priorities, declaration order, deep merge."""

from __future__ import annotations

import pytest

from poml.styles import compute_styles, deep_merge, matching_rules, merge_stylesheets

TASK = frozenset({"task"})
CP = frozenset({"captionedparagraph", "cp"})


@pytest.mark.parametrize("sheet,props,aliases,expected", [
    # '*' applies to everything
    ({"*": {"a": 1}}, {}, TASK, {"a": 1}),
    # name selector is case-insensitive; aliases match too
    ({"TASK": {"a": 1}}, {}, TASK, {"a": 1}),
    ({"cp": {"a": 1}}, {}, CP, {"a": 1}),
    ({"CaptionedParagraph": {"a": 1}}, {}, CP, {"a": 1}),
    ({"role": {"a": 1}}, {}, TASK, {}),
    # class selector
    ({".x": {"a": 1}}, {"className": "y x"}, TASK, {"a": 1}),
    ({".x": {"a": 1}}, {"className": "y"}, TASK, {}),
    # compound: every part must match the same element
    ({"task .x": {"a": 1}}, {"className": "x"}, TASK, {"a": 1}),
    ({"role .x": {"a": 1}}, {"className": "x"}, TASK, {}),
    # priority: class (2) beats name (1) beats * (0) regardless of order
    ({".x": {"a": "class"}, "task": {"a": "name"}, "*": {"a": "star"}}, {"className": "x"}, TASK, {"a": "class"}),
    ({"task .x": {"a": "both"}, ".x": {"a": "class"}}, {"className": "x"}, TASK, {"a": "both"}),
    # ties: later declaration wins
    ({"task": {"a": 1}, "TASK": {"a": 2}}, {}, TASK, {"a": 2}),
    # own props always win
    ({"task": {"a": 1}}, {"a": 5}, TASK, {"a": 5}),
    # objects merge deeply
    ({"*": {"w": {"x": 1}}, "task": {"w": {"y": 2}}}, {"w": {"z": 3}}, TASK, {"w": {"x": 1, "y": 2, "z": 3}}),
])
def test_cascade(sheet, props, aliases, expected):
    out = compute_styles(props, aliases, sheet)
    assert out == expected


def test_classname_removed_and_input_untouched():
    props = {"className": "x", "a": 1}
    assert compute_styles(props, TASK, {}) == {"a": 1}
    assert compute_styles(props, TASK, {".x": {"b": 2}}) == {"a": 1, "b": 2}
    assert props == {"className": "x", "a": 1}


def test_matching_rules_order():
    sheet = {".x": {"n": 3}, "*": {"n": 1}, "task": {"n": 2}}
    assert [r["n"] for r in matching_rules(sheet, TASK, "x")] == [1, 2, 3]


def test_deep_merge_copies():
    a = {"w": {"x": 1}}
    b = {"w": {"y": 2}, "z": 3}
    m = deep_merge(a, b)
    assert m == {"w": {"x": 1, "y": 2}, "z": 3}
    assert a == {"w": {"x": 1}}
    assert m["w"] is not a["w"]


def test_merge_stylesheets_inner_wins():
    outer = {"task": {"captionStyle": "bold", "x": 1}}
    inner = {"task": {"captionStyle": "plain"}, "p": {"y": 2}}
    assert merge_stylesheets(outer, inner) == {"task": {"captionStyle": "plain", "x": 1}, "p": {"y": 2}}
    assert merge_stylesheets(None, inner) == inner
    assert merge_stylesheets(outer, None) == outer


def test_non_object_rule_body_ignored():
    assert compute_styles({"a": 1}, TASK, {"task": "oops"}) == {"a": 1}


# The reference's own cascade example (base.test.tsx computeStyles), ported as facts.
REF_SHEET = {
    "*": {"padding": 20},
    ".layout": {"padding": 30, "margin": 5},
    ".layout2": {"padding": 40},
    ".layout .layout2": {"margin": 10, "color": "blue"},
    "table": {"color": "red", "margin": 20},
    "table .layout": {"color": "green"},
}
TABLE = frozenset({"table"})


@pytest.mark.parametrize("props,expected", [
    ({"className": "layout", "padding": 10}, {"padding": 10, "margin": 5, "color": "green"}),
    ({"className": "layout layout2", "padding": 10}, {"padding": 10, "margin": 10, "color": "blue"}),
    ({"padding": 10}, {"padding": 10, "margin": 20, "color": "red"}),
    ({}, {"padding": 20, "margin": 20, "color": "red"}),
])
def test_reference_cascade(props, expected):
    assert compute_styles(props, TABLE, REF_SHEET) == expected


@pytest.mark.parametrize("aliases,own,expected", [
    (TABLE, {"padding": 10}, {"color": "blue", "padding": 10, "header": {"color": "green"}}),
    (frozenset({"header"}), {"padding": 10}, {"color": "red", "padding": 10}),
    (TABLE, {"color": "white"}, {"color": "white", "header": {"color": "green"}}),
])
def test_reference_nested_values(aliases, own, expected):
    sheet = {"*": {"color": "red"}, "table": {"color": "blue", "header": {"color": "green"}}}
    assert compute_styles(own, aliases, sheet) == expected
