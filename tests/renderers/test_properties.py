"""Property tests over random IR trees and random messages."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poml.ir import Element
from renderers import FORMATS, RenderResult, format_result, write

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


class Marker(Exception):
    pass


def _attrs(draw_extra):
    return st.fixed_dictionaries({}, optional={
        "speaker": st.sampled_from(["system", "human", "ai", "tool", "bot"]),
        "char-limit": st.sampled_from(["3", "10", "abc", "-2"]),
        "priority": st.sampled_from(["0", "1", "2.5", "x"]),
        "blank-line": st.sampled_from(["true", "false"]),
        **draw_extra,
    })


def _leaf():
    return st.one_of(
        TEXT,
        st.builds(lambda a: Element("nl", a), _attrs({"count": st.sampled_from(["1", "2", "x"])})),
        st.builds(lambda a: Element("env", {"presentation": "multimedia"}, [Element("img", a)]),
                  st.fixed_dictionaries({"base64": st.just(PNG)}, optional={
                      "alt": WORDS, "position": st.sampled_from(["here", "top", "bottom", "left"])})),
        st.builds(lambda data: Element("env", {"presentation": "serialize", "serializer": data[0]},
                                       [Element("obj", {"data": json.dumps(data[1])})]),
                  st.tuples(st.sampled_from(["json", "yaml", "xml"]),
                            st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                                         lambda c: st.lists(c, max_size=3) | st.dictionaries(WORDS, c, max_size=3),
                                         max_leaves=6))),
    )


def _node(children):
    simple = st.sampled_from(["p", "span", "b", "i", "s", "u", "h", "code"])
    return st.one_of(
        st.builds(lambda tag, a, kids: Element(tag, a, kids), simple,
                  _attrs({"level": st.sampled_from(["1", "2"]), "inline": st.sampled_from(["true", "false"])}),
                  st.lists(children, max_size=4)),
        st.builds(lambda a, items: Element("list", a, [Element("item", {}, it) for it in items]),
                  _attrs({"list-style": st.sampled_from(["dash", "star", "plus", "decimal", "latin", "roman"])}),
                  st.lists(st.lists(children, max_size=3), max_size=3)),
        st.builds(lambda lang, kids: Element("env", {"presentation": "markup", "markup-lang": lang}, kids),
                  st.sampled_from(["markdown", "html", "csv"]), st.lists(children, max_size=3)),
        st.builds(lambda kids: Element("env", {"presentation": "free"}, kids), st.lists(TEXT, max_size=3)),
    )


TREES = st.recursive(_leaf(), _node, max_leaves=12).map(
    lambda t: t if isinstance(t, Element) else Element("p", {}, [t]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES, st.booleans())
def test_random_trees_only_raise_render_errors(tree, chat):
    try:
        result = write(tree, chat=chat, error=lambda issue: Marker(issue.message))
    except Marker:
        return
    if chat:
        assert isinstance(result, list)
        for m in result:
            assert m["speaker"] in ("system", "human", "ai", "tool")
    else:
        assert isinstance(result, (str, list))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=4), min_size=1, max_size=5))
def test_markdown_paragraphs_keep_every_word(paragraphs):
    tree = Element("env", {"presentation": "markup", "markup-lang": "markdown"},
                   [Element("p", {}, [" ".join(words)]) for words in paragraphs])
    out = write(tree, chat=False)
    for words in paragraphs:
        for w in words:
            assert w in out
    assert out == "\n\n".join(" ".join(ws) for ws in paragraphs)


PARTS = st.one_of(
    TEXT,
    st.builds(lambda alt: {"type": "image/png", "base64": PNG, **({"alt": alt} if alt else {})},
              st.one_of(st.none(), WORDS)),
)
CONTENT = st.one_of(TEXT, st.lists(PARTS, max_size=4))
MESSAGES = st.lists(st.fixed_dictionaries({
    "speaker": st.sampled_from(["system", "human", "ai"]), "content": CONTENT}), max_size=5)


@settings(max_examples=200, deadline=None)
@given(MESSAGES, st.one_of(st.none(), st.just({"type": "object"})),
       st.one_of(st.none(), st.dictionaries(st.sampled_from(["maxTokens", "temperature"]),
                                            st.integers(0, 5), max_size=2)))
def test_formats_are_consistent(messages, schema, runtime):
    r = RenderResult(messages, schema=schema, runtime=runtime)
    raw = format_result(r, "raw", chat=True)
    assert json.loads(raw)["messages"] == format_result(r, "message_dict", chat=True)
    assert json.loads(raw) == format_result(r, "dict", chat=True)
    for fmt in FORMATS:
        format_result(r, fmt, chat=True)
    pretty = format_result(r, "raw", chat=True, pretty=True)
    assert pretty.count("===== ") == len(messages)
    openai = format_result(r, "openai_chat", chat=True)
    assert all(m["role"] in ("system", "user", "assistant") for m in openai["messages"])
    frame = format_result(r, "pydantic", chat=True)
    assert len(frame.messages) == len(messages)


@settings(max_examples=100, deadline=None)
@given(CONTENT)
def test_non_chat_formats(content):
    r = RenderResult(content)
    assert json.loads(format_result(r, "raw", chat=False))["messages"] == content
    lc = format_result(r, "langchain", chat=False)["messages"]
    assert all(m["type"] == "human" for m in lc)
    assert len(lc) == (0 if content == [] else 1)


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2**60, 2**60))
def test_number_formatting_agrees_with_the_template_layer(x):
    from poml.template.expressions import js_number_to_string
    from renderers._js import format_number

    assert format_number(x) == js_number_to_string(x)
