"""Shortcuts through the reference's component chains build what the chains build.

A value element written inside the serializer already open around it (``<item>`` in
``<poml syntax="xml">``) becomes one ``any`` IR element; ``serialized_any_in_place`` makes it
without the AnyOrFree, Serialize.Any and Serialize.Environment calls. For any props and
context, its result (when it takes the case) must expand to the same IR, with the same
diagnostics, as the chain.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import poml
from poml._errors import DiagnosticSink
from poml._source import Source
from poml.components import presentation
from poml.components._nodes import END, START, BuildContext, BuildState
from poml.components._render import expand
from poml.components.essentials import _any_or_free_chain
from poml.ir import Element

_SERIALIZERS = ["json", "yaml", "xml"]
_keys = st.sampled_from(["name", "type", "syntax", "caption", "listStyle", "blankLine", "writerOptions",
                         "presentation", "asAny", "serializer", "className", "children", "whiteSpace",
                         "markupLang"])
_values = st.one_of(st.none(), st.sampled_from(["", "xml", "json", "yaml", "markdown", "html", "x", "pre", "trim"]),
                    st.integers(0, 3), st.booleans())
_children = st.lists(st.one_of(st.text(alphabet="ab \n", max_size=4), st.none(), st.booleans()), max_size=3)


def _ir(nodes) -> list:
    """IR elements as comparable tuples."""
    return [(n.tag, n.attrs, _ir(n.children)) if isinstance(n, Element) else n for n in nodes]


def _context(lang: str, sheet: dict) -> BuildContext:
    state = BuildState(DiagnosticSink(Source("", None)), registry=None)
    return BuildContext("serialize", lang, None, 1, sheet, True, state)


def _same_ir(shortcut, chain, make_context) -> None:
    got_ctx, want_ctx = make_context(), make_context()
    assert _ir(expand(shortcut, got_ctx)) == _ir(expand(chain, want_ctx))
    assert [d.message for d in got_ctx.state.sink.items] == [d.message for d in want_ctx.state.sink.items]


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=6), _children, st.sampled_from(_SERIALIZERS),
       st.sampled_from([None, "array", "object"]), st.sampled_from([{}, {"p": {"caption": "c"}}]))
def test_in_place_any_builds_what_the_chain_builds(props, children, lang, type_default, sheet):
    props = {**props, START: 0, END: 5}  # where the element is, as every render passes it
    in_place = presentation.serialized_any_in_place(props, children, _context(lang, sheet), type_default)
    if in_place is None:
        return
    chain = _any_or_free_chain(props, children, _context(lang, sheet), "serialize", True, type_default)
    _same_ir(in_place, chain, lambda: _context(lang, sheet))


def test_the_shortcut_takes_the_common_case_and_leaves_the_rest():
    ctx = _context("xml", {})
    assert presentation.serialized_any_in_place({"caption": "c"}, ["x"], ctx) is not None
    assert presentation.serialized_any_in_place({"syntax": "xml"}, ["x"], ctx) is not None
    assert presentation.serialized_any_in_place({"syntax": "json"}, ["x"], ctx) is None  # another serializer
    assert presentation.serialized_any_in_place({"writerOptions": "{}"}, ["x"], ctx) is None
    assert presentation.serialized_any_in_place({}, ["x"], _context("xml", {"p": {"a": "b"}})) is None


def test_documents_render_the_same_with_and_without_the_shortcut(monkeypatch):
    body = ('<role>r</role><cp caption="Items" captionSerialized="items">'
            '<list listStyle="decimal"><item>one <b>bold</b> <i>it</i></item><item name="n">two</item></list></cp>'
            '<p syntax="json">j</p><p syntax="html">h <code>c</code></p><p type="string" name="v">t</p>')
    documents = [f'<poml syntax="{syntax}">{body}</poml>' for syntax in ("xml", "markdown", "html", "json")]
    shortcut = [poml.Environment().render(markup, chat=False) for markup in documents]
    monkeypatch.setattr(presentation, "serialized_any_in_place", lambda *args: None)
    assert [poml.Environment().render(markup, chat=False) for markup in documents] == shortcut
