"""Lenient mode (strict=False): what the reference refuses is repaired, and each repair is a located warning."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import poml
from poml.template._css import parse_css_like


def _lenient(markup: str):
    rendered = poml.render_text(markup, strict=False, chat=False)
    return rendered.messages, [d for d in rendered.diagnostics if d.severity == "warning"], rendered.diagnostics


def test_unknown_tag_renders_as_a_captioned_section_with_a_located_warning():
    out, warnings, all_ = _lenient("<poml>\n  <persona>A pirate</persona>\n</poml>")
    assert out == "# persona\n\nA pirate"
    assert [(w.line, w.column, w.end_column) for w in warnings] == [(2, 4, 11)]
    assert "Unknown tag <persona>" in warnings[0].message
    assert all(d.severity == "warning" for d in all_)


def test_unknown_tag_keeps_its_attributes_and_children():
    out, warnings, _ = _lenient('<poml><rules><list><item>one</item></list></rules></poml>')
    assert out == "# rules\n\n- one"
    assert len(warnings) == 1


def test_strict_mode_still_refuses_unknown_tags():
    with pytest.raises(poml.PomlComponentError, match="Component persona not found"):
        poml.poml("<poml><persona>x</persona></poml>")


def test_bare_ampersand_is_text_with_a_warning():
    out, warnings, _ = _lenient("<p>Tom & Jerry</p>")
    assert out == "Tom & Jerry"
    assert [(w.line, w.column) for w in warnings] == [(1, 8)]
    assert "bare '&'" in warnings[0].message


def test_css_like_stylesheet_is_read_as_rules():
    markup = ("<poml><stylesheet>\n/* house style */\ntask, role { captionStyle: bold; captionEnding: colon }\n"
              "</stylesheet><role>r</role><task>t</task></poml>")
    out, warnings, _ = _lenient(markup)
    assert out == "**Role:** r\n\n**Task:** t"
    assert len(warnings) == 1 and warnings[0].line == 1 and "CSS-like" in warnings[0].message
    with pytest.raises(poml.PomlError, match="Invalid JSON in <stylesheet>"):
        poml.poml(markup)


def test_text_that_is_not_css_is_still_an_error_in_lenient_mode():
    _, _, diags = _lenient("<poml><stylesheet>not css at all</stylesheet><p>x</p></poml>")
    assert [d.severity for d in diags] == ["error"]


_ident = st.from_regex(r"[a-z][a-zA-Z]{0,8}", fullmatch=True)
_val = st.one_of(_ident, st.integers(0, 100), st.booleans())


@given(st.dictionaries(_ident, st.dictionaries(_ident, _val, min_size=1, max_size=4), min_size=1, max_size=4))
def test_css_round_trip(sheet):
    def show(v):
        return str(v).lower() if isinstance(v, bool) else str(v)

    css = "\n".join(f"{sel} {{ " + "; ".join(f"{k}: {show(v)}" for k, v in props.items()) + " }"
                    for sel, props in sheet.items())
    assert parse_css_like(css) == sheet
