"""The expander's static fast path (an element with no template below it becomes its call
without a scope or any evaluation) must give exactly what the general path gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poml
from poml.template import _expand

_ESCAPED = st.sampled_from(["#lt;", "#gt;", "#amp;", "#quot;", "#apos;", "#hash;", "#lbrace;", "#rbrace;", "#amp;lt;"])
_WORDS = st.lists(st.one_of(st.sampled_from(["a", "word", " ", "  ", "\n", "\t", "#", "x y", "*", "_"]), _ESCAPED),
                  max_size=6).map("".join)
_CAPTIONED = ["section", "cp", "hint", "example", "task", "role", "question"]
_PLAIN = ["p", "b", "i", "span", "code", "list", "h", "text", "br"]


def _attrs(draw, tag):
    out = []
    if tag == "cp" or (tag in _CAPTIONED and draw(st.booleans())):  # cp needs its caption
        out.append(f'caption="{draw(_WORDS)}"')
    if draw(st.booleans()):
        out.append(f'whiteSpace="{draw(st.sampled_from(["pre", "trim", "filter"]))}"')
    if draw(st.booleans()):
        out.append(f'data-note="{draw(_WORDS)}"')
    return "".join(" " + a for a in out)


@st.composite
def _static_markup(draw, depth=0):
    tag = draw(st.sampled_from(_CAPTIONED + _PLAIN))
    children = []
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        child = draw(_WORDS) if draw(st.booleans()) else draw(_static_markup(depth + 1))
        children.append(f"<item>{child}</item>" if tag == "list" else child)
    if not children and draw(st.booleans()):
        return f"<{tag}{_attrs(draw, tag)}/>"
    return f"<{tag}{_attrs(draw, tag)}>{''.join(children)}</{tag}>"


def _render(markup: str):
    try:
        return poml.Environment().render(f"<poml>{markup}</poml>", chat=False)
    except poml.PomlError as exc:
        return type(exc).__name__, str(exc)


@given(st.lists(_static_markup(), min_size=1, max_size=3).map("".join))
@settings(max_examples=150, deadline=None)
def test_static_elements_render_as_the_general_path_renders_them(markup):
    fast = _render(markup)
    with pytest.MonkeyPatch.context() as mp:  # every element through the general path
        mp.setattr(_expand, "_is_static", lambda element: setattr(element, "static", False) or False)
        general = _render(markup)
    assert fast == general


def test_the_fast_path_is_taken_for_static_markup(monkeypatch):
    calls = []
    original = _expand.Expander._static_call
    monkeypatch.setattr(_expand.Expander, "_static_call",
                        lambda self, element, *a: calls.append(element.name) or original(self, element, *a))
    rendered = _render('<p caption="c">#lt;b#gt; #amp; <b>bold</b></p>')
    assert "<b> &" in rendered and "**bold**" in rendered
    assert calls == ["poml", "p", "b"]
