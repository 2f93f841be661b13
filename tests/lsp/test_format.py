"""The formatter only respaces start tags: whatever the spacing, the render is unchanged and a second pass is a no-op."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from poml._api import render_text
from poml.lsp._format import apply, format_edits
from poml.lsp._syntax import outline
from poml.syntax import parse_markup

SPACE = st.sampled_from(["", " ", "  ", "\n", "\n    ", "\t"])
TEXT = st.text(alphabet=st.sampled_from(list("ab 😀é\n{}")), max_size=12).filter(lambda t: "{{" not in t and "}}" not in t)


def fmt(text: str) -> str:
    return apply(text, format_edits(text, outline(parse_markup(text).root, text).elements))


@settings(max_examples=60, deadline=None)
@given(SPACE, st.sampled_from([" ", "  ", "\n  "]), SPACE, SPACE, TEXT, st.booleans(), st.sampled_from(['"', "'"]))
def test_respacing_keeps_render_and_is_idempotent(s1, s2, s3, s4, body, pre, quote):
    ws = f'{s2}whiteSpace={quote}pre{quote}' if pre else ""
    text = f'<poml>\n<p{s2}speaker{s1}={s1}{quote}ai{quote}{ws}{s3}>{body}</p>\n<p{s2}syntax={quote}text{quote}{s4}/>\n</poml>'
    once = fmt(text)
    assert render_text(once, strict=False).messages == render_text(text, strict=False).messages
    assert fmt(once) == once
    assert body in once  # text between tags is never touched
