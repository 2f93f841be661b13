"""Behaviours that once went unnoticed when broken: each test names one and pins it exactly."""

from __future__ import annotations

import math
import sys
import threading
from pathlib import Path

import pytest

import poml
from poml import Environment, PomlError, PomlLimitError, PomlPathError, PomlSandboxError, PomlSyntaxError
from poml._files import FileAccess
from poml.template.js import evaluate


def _raised(markup: str, limits: dict | None = None, **options) -> PomlError:
    with pytest.raises(PomlError) as info:
        Environment(limits=limits).render(markup, **options)
    return info.value


# ---------------------------------------------------------------- CDATA


def test_cdata_is_text_markup_and_entities_stay_literal():
    out = poml.poml("<poml><p><![CDATA[a <b>x</b> &amp; c]]></p></poml>")
    assert out == [{"speaker": "human", "content": "a <b>x</b> &amp; c"}]


def test_cdata_keeps_code_operators_in_a_code_block():
    out = poml.poml("<poml><code><![CDATA[if (a < b && c > d) {}]]></code></poml>")
    assert out[0]["content"] == "`if (a < b && c > d) {}`"


def test_cdata_next_to_text_and_an_empty_one():
    assert poml.poml("<poml><p>x<![CDATA[<y>]]>z</p></poml>")[0]["content"] == "x<y>z"
    assert poml.poml("<poml><p>before <![CDATA[]]>after</p></poml>")[0]["content"] == "before after"


def test_unclosed_cdata_is_a_located_syntax_error():
    err = _raised("<poml><p><![CDATA[ unterminated </p></poml>")
    assert isinstance(err, PomlSyntaxError)
    assert err.diagnostic.message == "CDATA section is not closed with ']]>'."
    assert (err.diagnostic.line, err.diagnostic.column) == (1, 10)


# ---------------------------------------------------------------- faulty markup, rendered twice

FAULTY = "<poml><cp caption='c'><p>{{ nope.x }}</p></cp><p>fine</p></poml>"


def test_second_strict_render_of_faulty_markup_raises_the_same_located_error():
    env = Environment()
    errors = []
    for _ in range(2):
        with pytest.raises(PomlError) as info:
            env.render(FAULTY)
        errors.append(info.value.diagnostic)
    assert errors[0].message == errors[1].message == "nope is not defined"
    assert (errors[1].line, errors[1].column) == (1, 29) == (errors[0].line, errors[0].column)


def test_a_cached_subtree_that_reported_errors_reports_them_again():
    env = Environment(strict=False)
    first = env.render_text(FAULTY)
    second = env.render_text(FAULTY)
    assert [d.message for d in first.diagnostics] == ["nope is not defined"]
    assert [(d.message, d.start, d.end) for d in second.diagnostics] == [
        (d.message, d.start, d.end) for d in first.diagnostics]
    # The fault-free sibling is still rendered (and may come from the cache).
    assert "fine" in str(second.messages)


def test_a_fixed_context_renders_after_a_faulty_one():
    env = Environment()
    markup = "<poml><cp caption='c'><p>{{ a.x }}</p></cp></poml>"
    with pytest.raises(PomlError, match="a is not defined"):
        env.render(markup)
    assert env.render(markup, context={"a": {"x": 5}})[0]["content"] == "# c\n\n5"
    with pytest.raises(PomlError, match="a is not defined"):
        env.render(markup)


# ---------------------------------------------------------------- arrays: `in`, lastIndexOf


@pytest.mark.parametrize("expr, expected", [
    ("2 in [1, 2, 3]", True),      # index 2 < length 3
    ("3 in [1, 2, 3]", False),     # index == length: no such element
    ("0 in []", False),
    ("'0' in [7]", True),          # keys are strings in JS
    ("-1 in [7]", False),
    ("'length' in [7]", True),
])
def test_in_on_arrays_checks_indexes_below_length(expr, expected):
    assert evaluate(expr) is expected


@pytest.mark.parametrize("expr, expected", [  # each expected value checked with node 20
    ("[1, 2, 1].lastIndexOf(1)", 2),
    ("[1, 2, 1].lastIndexOf(1, 1)", 0),
    ("[1, 2, 1].lastIndexOf(1, -2)", 0),
    ("[1, 2, 1].lastIndexOf(1, -1)", 2),
    ("[1, 2, 1].lastIndexOf(1, -3)", 0),
    ("[1, 2, 1].lastIndexOf(1, -4)", -1),
    ("[1, 2, 1].lastIndexOf(1, 5)", 2),
    ("[1, 2, 1].lastIndexOf(1, 1.5)", 0),
    ("[1, 2, 1].lastIndexOf(1, undefined)", 0),  # an explicit undefined is position 0
    ("[1, 2, 3].lastIndexOf(1, 0)", 0),
    ("[1, 2, 3].lastIndexOf(3, 1)", -1),
    ("'abcabc'.lastIndexOf('a', 2)", 0),
    ("'abcabc'.lastIndexOf('c', 4)", 2),
    ("'abcabc'.lastIndexOf('c', -5)", -1),
    ("'abcabc'.lastIndexOf('c')", 5),
    ("'abc'.lastIndexOf('', 1)", 1),
    ("'abc'.lastIndexOf('b', NaN)", 1),
])
def test_last_index_of_with_a_position(expr, expected):
    assert evaluate(expr) == expected


# ---------------------------------------------------------------- speakers


@pytest.mark.parametrize("tag, default", [("system-msg", "system"), ("human-msg", "human"), ("ai-msg", "ai")])
def test_msg_components_have_their_speaker(tag, default):
    other = "ai-msg" if default != "ai" else "human-msg"
    out = poml.poml(f"<poml><{tag}>x</{tag}><{other}>end</{other}></poml>")
    assert out[0] == {"speaker": default, "content": "x"}


@pytest.mark.parametrize("tag, explicit", [("system-msg", "ai"), ("human-msg", "system"), ("ai-msg", "human")])
def test_an_explicit_speaker_on_a_msg_component_wins(tag, explicit):
    out = poml.poml(f"<poml><{tag} speaker='{explicit}'>x</{tag}><{tag}>y</{tag}></poml>")
    assert out == [{"speaker": explicit, "content": "x"}, {"speaker": tag.split("-")[0], "content": "y"}]


# ---------------------------------------------------------------- stylesheets


def test_class_selector_does_not_match_a_longer_class_containing_it():
    out = poml.poml("<poml><p className='warning'>w</p><p className='warn x'>v</p></poml>",
                    stylesheet={".warn": {"speaker": "ai"}})
    assert out == [{"speaker": "system", "content": "w"}, {"speaker": "ai", "content": "v"}]


def test_class_selector_does_not_match_a_shorter_class_it_contains():
    out = poml.poml("<poml><p className='warn'>w</p><p className='warnings'>v</p></poml>",
                    stylesheet={".warning": {"speaker": "ai"}})
    assert out == [{"speaker": "human", "content": "w\n\nv"}]


# ---------------------------------------------------------------- openai_chat


def test_openai_chat_tool_message_with_plain_text_content():
    markup = ("<poml><tool-request id='c1' name='f' parameters='{{ {a: 1} }}' />"
              "<tool-response id='c1' name='f'>plain result</tool-response></poml>")
    out = poml.poml(markup, format="openai_chat")
    assert out["messages"][-1] == {"role": "tool", "content": "plain result", "tool_call_id": "c1"}
    call = out["messages"][0]["tool_calls"][0]
    assert (call["id"], call["function"]["name"], call["function"]["arguments"]) == ("c1", "f", '{"a": 1}')


# ---------------------------------------------------------------- file roots


def test_a_sibling_folder_sharing_the_roots_prefix_is_outside(tmp_path: Path):
    root = tmp_path / "root"
    evil = tmp_path / "root-evil"
    root.mkdir()
    evil.mkdir()
    (root / "ok.txt").write_text("fine")
    (evil / "secret.txt").write_text("secret")
    access = FileAccess([root])
    assert access.resolve("ok.txt", root) == (root / "ok.txt").resolve()
    for spelled in ("../root-evil/secret.txt", str(evil / "secret.txt")):
        with pytest.raises(PomlPathError) as info:
            access.resolve(spelled, root)
        assert spelled in str(info.value)  # named as written, the real path kept private
    assert not access.inside((tmp_path / "root-evil").resolve())
    assert access.inside(root.resolve()) and access.inside((root / "a" / "b").resolve())


def test_markup_in_root_cannot_read_the_prefix_sibling(tmp_path: Path):
    root = tmp_path / "root"
    (tmp_path / "root-evil").mkdir()
    root.mkdir()
    (tmp_path / "root-evil" / "secret.txt").write_text("secret")
    prompt = root / "p.poml"
    prompt.write_text('<poml><document src="../root-evil/secret.txt" /></poml>')
    with pytest.raises(PomlPathError) as info:
        poml.poml(file=prompt)
    assert "../root-evil/secret.txt" in str(info.value)
    assert info.value.diagnostic.line == 1


# ---------------------------------------------------------------- template limits: their messages


def test_work_budget_message_names_the_budget_and_how_to_raise_it():
    err = _raised("<poml><p>{{ 'ab'.repeat(5000) }}</p></poml>", limits={"work": 1000})
    assert isinstance(err, PomlLimitError)
    assert err.diagnostic.message == "The render ran out of work budget (1,000 units); raise it with limits={'work': ...}."
    assert (err.diagnostic.line, err.diagnostic.column) == (1, 13)


def test_loop_limit_message_gives_the_count_and_the_limit():
    err = _raised('<poml><p for="i in xs">{{ i }}</p></poml>', context={"xs": list(range(100_001))})
    assert isinstance(err, PomlSandboxError)
    assert err.diagnostic.message == "for= would repeat 100001 times; the limit is 100000."
    assert err.diagnostic.column == 15  # the attribute's value


def test_expression_length_and_depth_messages():
    long = "1+" * 50_000 + "1"
    err = _raised("<poml><p>{{ " + long + " }}</p></poml>")
    assert isinstance(err, PomlSandboxError)
    assert "expression longer than 100000 characters" in err.diagnostic.message
    deep = "(" * 101 + "1" + ")" * 101
    err = _raised("<poml><p>{{ " + deep + " }}</p></poml>")
    assert isinstance(err, PomlSandboxError)
    assert "expression nested deeper than 100 levels" in err.diagnostic.message


def test_include_cycle_message(tmp_path: Path):
    (tmp_path / "a.poml").write_text('<poml><include src="a.poml" /></poml>')
    with pytest.raises(PomlLimitError) as info:
        poml.poml(file=tmp_path / "a.poml")
    assert info.value.diagnostic.message == "<include> is nested more than 32 levels deep (a cycle?)."


def test_regex_time_message():
    err = _raised("<poml><p>{{ /^(a|aa)+$/.test('a'.repeat(32) + '!') }}</p></poml>", limits={"regex_seconds": 0.01})
    assert isinstance(err, PomlLimitError)
    assert err.diagnostic.message == (
        "Regular expressions ran past the render's matching time (0.01 s); simplify the pattern "
        "(nested quantifiers backtrack) or raise limits={'regex_seconds': ...}.")
    assert (err.diagnostic.line, err.diagnostic.column) == (1, 13)


# ---------------------------------------------------------------- threads


def test_eight_threads_render_concurrently_with_one_cache():
    from concurrent.futures import ThreadPoolExecutor

    env = Environment(cache_size=4)  # a small cache: threads evict each other's entries
    start = threading.Barrier(8)

    def work(n: int) -> int:
        start.wait()
        for j in range(40):
            markup = (f"<poml><p>Hi {{{{ n }}}} {j % 9}</p><cp caption='c{j % 3}'>"
                      "<list><item for='x in xs'>{{ x }}</item></list></cp></poml>")
            got = env.render(markup, context={"n": n, "xs": list(range(j % 4))})
            assert got[0]["content"].startswith(f"Hi {n} {j % 9}\n\n# c{j % 3}"), got
            default = poml.poml(markup, context={"n": n, "xs": [n]})  # the shared default Environment
            assert default[0]["content"].endswith(f"- {n}"), default
        return n

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so an unguarded cache shows its races
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:  # a worker's exception is raised here
            assert list(pool.map(work, range(8))) == list(range(8))
    finally:
        sys.setswitchinterval(interval)


# ---------------------------------------------------------------- parser corners


def test_unclosed_cdata_is_one_issue_and_keeps_the_rest_as_text():
    from poml.syntax import XmlText, parse_markup

    doc = parse_markup("<p><![CDATA[ab <q>")
    issues = [(i.message, i.start, i.end) for i in doc.issues]
    assert issues == [("CDATA section is not closed with ']]>'.", 3, 18), ("Element <p> is not closed.", 0, 2)]
    assert [(c.text, c.start, c.end) for c in doc.root.children if isinstance(c, XmlText)] == [("ab <q>", 12, 18)]


def test_processing_instructions_are_skipped_even_after_a_question_mark_arrow_in_text():
    out = poml.poml("<poml><p>a ?> b</p><?pi x?><p>c</p></poml>")
    assert out[0]["content"] == "a ?> b\n\nc"
    assert poml.poml('<?xml version="1.0"?><poml><p>x</p></poml>')[0]["content"] == "x"


def test_a_dtd_is_refused_at_its_position():
    err = _raised("<poml><!DOCTYPE x></poml>")
    assert err.diagnostic.message == "DTDs and entity declarations are not allowed in POML."
    assert (err.diagnostic.column, err.diagnostic.end_column) == (7, 9)


def test_tag_name_length_limit_is_exact():
    err = _raised("<" + "a" * 257 + ">x</poml>")
    assert isinstance(err, PomlLimitError)
    assert err.diagnostic.message == "A tag name of 257 characters; the limit is 256."
    from poml.syntax import parse_markup

    for n in (255, 256):  # the tag starts at 0 and its name at 1: the length is end - start
        assert parse_markup("<" + "b" * n + "/>").issues == []


def test_element_count_limit_is_exact():
    from poml.syntax import parse_markup

    assert parse_markup("<a/>" * 20_000).issues == []
    issues = parse_markup("<a/>" * 20_001).issues
    assert [(i.kind, i.message, i.start) for i in issues] == [
        (poml.PomlLimitError, "The markup has more than 20,000 elements.", 4 * 20_000)]


@pytest.mark.parametrize("attr, version, fails", [
    ("minVersion", "0.0.9", False), ("minVersion", "0.0.8", False), ("minVersion", "0.0.10", True),
    ("minVersion", "0.1", True), ("minVersion", "0.0.9-nightly.20250101", False),
    ("maxVersion", "0.0.9", False), ("maxVersion", "0.0.8", True), ("maxVersion", "1.0.0", False),
    ("maxVersion", "0.0.9-nightly.1", True),  # a nightly comes before its release
])
def test_version_bounds(attr, version, fails):
    markup = f'<poml><meta {attr}="{version}" /><p>x</p></poml>'
    if fails:
        err = _raised(markup)
        word = "higher" if attr == "minVersion" else "lower"
        assert err.diagnostic.message == f"POML version {version} or {word} is required"
        assert err.diagnostic.column == 15 + len(attr)  # the attribute's value
    else:
        assert poml.poml(markup)[0]["content"] == "x"


@pytest.mark.parametrize("markup, messages", [
    ('<poml><meta minVersion="0.0.1"/></poml>', []),  # only <meta>: no messages at all, as the reference
    ("<poml>\n  <meta/>\n  <!-- versions only -->\n  <meta/>\n</poml>", []),
    ("<poml><meta/><p>x</p></poml>", [{"speaker": "human", "content": "x"}]),
    ("<poml>text<meta/></poml>", [{"speaker": "human", "content": "text"}]),
    ("<poml>  </poml>", [{"speaker": "human", "content": []}]),  # nothing at all is one empty message
])
def test_a_document_of_only_meta_elements_renders_no_messages(markup, messages):
    assert poml.poml(markup) == messages


# ---------------------------------------------------------------- file caches


def test_byte_cache_keeps_only_the_newest_version_of_a_file():
    from poml._files import ByteCache

    cache = ByteCache(10)
    cache.put(("/f", 1, 3), b"old")
    cache.put(("/g", 1, 2), b"gg")
    cache.put(("/f", 2, 3), b"new")
    assert list(cache.items) == [("/g", 1, 2), ("/f", 2, 3)] and cache.total == 5
    assert cache.get(("/f", 1, 3)) is None and cache.get(("/f", 2, 3)) == b"new"
    cache.put(("/h", 1, 8), b"h" * 8)  # over the budget: the least recently used go first
    assert list(cache.items) == [("/h", 1, 8)] and cache.total == 8
    cache.put(("/big", 1, 11), b"x" * 11)  # larger than the whole cache: not kept
    assert ("/big", 1, 11) not in cache.items


def test_a_cached_folder_listing_follows_new_files(tmp_path: Path):
    import os

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a")
    prompt = tmp_path / "p.poml"
    prompt.write_text('<poml><cp caption="files"><folder src="d"/></cp></poml>')
    env = Environment()
    first = env.render(file=prompt)[0]["content"]
    assert "a.txt" in first and "b.txt" not in first
    (tmp_path / "d" / "b.txt").write_text("b")
    stat = os.stat(tmp_path / "d")
    os.utime(tmp_path / "d", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert "b.txt" in env.render(file=prompt)[0]["content"]


def test_a_cached_document_follows_an_edit_of_the_same_size(tmp_path: Path):
    import os

    doc = tmp_path / "doc.txt"
    doc.write_text("alpha")
    prompt = tmp_path / "p.poml"
    prompt.write_text('<poml><cp caption="d"><document src="doc.txt"/></cp></poml>')
    env = Environment()
    assert env.render(file=prompt)[0]["content"].endswith("alpha")
    stat = os.stat(doc)
    doc.write_text("omega")
    os.utime(doc, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert env.render(file=prompt)[0]["content"].endswith("omega")


def test_nested_folder_tree_draws_its_branches(tmp_path: Path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.txt").write_text("x")
    (tmp_path / "d" / "sub" / "y.txt").write_text("y")
    (tmp_path / "d" / "z.txt").write_text("z")
    prompt = tmp_path / "p.poml"
    prompt.write_text('<poml><folder src="d" syntax="text"/></poml>')
    assert poml.poml(file=prompt)[0]["content"] == "```\nd\n├── sub\n│   ├── x.txt\n│   └── y.txt\n└── z.txt\n```"


# ---------------------------------------------------------------- cached sub-trees keyed by their data


@pytest.mark.parametrize("first, second", [
    ({"a": 1}, {"b": 1}),          # same values, other keys
    ([1, 2], [2, 1]),              # same items, other order
    ({"a": [1]}, {"a": (1,)}),     # a tuple is an array too: same output
])
def test_cached_subtrees_see_changed_data(first, second):
    env = Environment()
    markup = '<poml><cp caption="c"><object data="{{ d }}" syntax="json"/></cp></poml>'
    import json

    for value in (first, second, first):
        got = env.render(markup, context={"d": value})[0]["content"]
        assert json.loads(got.split("```json\n", 1)[1].rsplit("\n```", 1)[0]) == json.loads(json.dumps(value))


# ---------------------------------------------------------------- truncation


def test_truncation_by_characters_and_tokens_in_each_direction():
    from renderers._limits import TruncateOptions, truncate_text

    text = "one two three four five six"  # six tokens in o200k: 'one', ' two', ... ' six'
    cut = {d: TruncateOptions("[x]", d) for d in ("end", "start", "middle")}
    assert truncate_text(text, 7, None, cut["end"]) == "one two[x]"
    assert truncate_text(text, 7, None, cut["start"]) == "[x]ive six"
    assert truncate_text(text, 7, None, cut["middle"]) == "one [x]six"  # ceil(7/2) head, the rest tail
    assert truncate_text(text, 8, None, cut["middle"]) == "one [x] six"
    assert truncate_text(text, None, 2, cut["end"]) == "one two[x]"
    assert truncate_text(text, None, 2, cut["start"]) == "[x] five six"
    assert truncate_text(text, None, 6, cut["end"]) == text and truncate_text(text, 27, None, cut["end"]) == text
    assert truncate_text(text, 26, None, cut["end"]) == text[:26] + "[x]"
    assert TruncateOptions.from_options(None).marker == " (...truncated)"
    custom = TruncateOptions.from_options({"truncateMarker": "<cut>", "truncateDirection": "start"})
    assert (custom.marker, custom.direction, custom.model) == ("<cut>", "start", "gpt-4o")


def _tree(node):
    """(name, start, end, attributes, children) of a parsed element; text as (text, start, end)."""
    from poml.syntax import XmlText

    if isinstance(node, XmlText):
        return (node.text, node.start, node.end)
    attrs = [(a.key, a.value, a.start, a.end, a.value_start, a.value_end) for a in node.attributes]
    return (node.name, node.start, node.end, attrs, [_tree(c) for c in node.children])


def test_jsx_style_attribute_value_is_an_object_template():
    from poml.syntax import parse_markup

    doc = parse_markup("<p a={{ x }}/>")
    # The value gains one '{' (an object literal inside {{ }}): its span starts one earlier to match.
    assert doc.issues == [] and _tree(doc.root) == ("p", 0, 14, [("a", "{{{ x }}}", 3, 12, 4, 12)], [])


@pytest.mark.parametrize("text, issue, tree", [
    ('<r><p a="1" ?>x</p></r>', ("Unexpected character '?' in tag <p>.", 12, 13),
     ("r", 0, 23, [], [("p", 3, 19, [("a", "1", 6, 11, 9, 10)], [("x", 14, 15)])])),
    ("<r><p ?/>x</r>", ("Unexpected character '?' in tag <p>.", 6, 7),
     ("r", 0, 14, [], [("p", 3, 9, [], []), ("x", 9, 10)])),  # still self-closing: x is r's
])
def test_a_bad_character_in_a_tag_skips_to_its_end(text, issue, tree):
    from poml.syntax import parse_markup

    doc = parse_markup(text)
    assert [(i.message, i.start, i.end) for i in doc.issues] == [issue]
    assert _tree(doc.root) == tree


def test_an_unclosed_processing_instruction_ends_the_text():
    from poml.syntax import parse_markup

    doc = parse_markup("<r><p>a</p><?pi</r>")
    assert _tree(doc.root) == ("r", 0, 19, [], [("p", 3, 11, [], [("a", 6, 7)])])
    assert [i.message for i in doc.issues] == ["Element <r> is not closed."]


@pytest.mark.parametrize("text, issues, tree", [
    # The tag ends at its '>' and is taken as self-closing, so its closing tag closes the parent.
    ("<r><p ab=c>x</p></r>",
     [('The value of attribute "ab" must be quoted.', 9, 10), ("Closing tag </r> has no matching opening tag.", 16, 20)],
     ("r", 0, 16, [], [("p", 3, 11, [], []), ("x", 11, 12)])),
    ("<r><p a=b",  # no '>' at all: the element runs to the end of the text
     [('The value of attribute "a" must be quoted.', 8, 9), ("Element <r> is not closed.", 0, 2)],
     ("r", 0, 9, [], [("p", 3, 9, [], [])])),
])
def test_an_unquoted_attribute_value_is_reported_at_the_value(text, issues, tree):
    from poml.syntax import parse_markup

    doc = parse_markup(text)
    assert [(i.message, i.start, i.end) for i in doc.issues] == issues
    assert _tree(doc.root) == tree


# ---------------------------------------------------------------- openai_chat message shapes

_IMG = {"type": "image/png", "base64": "AAA", "alt": "a"}
_REQ = {"type": "application/vnd.poml.toolrequest", "id": "c1", "name": "f", "content": {"q": 1}}
_RESP = {"type": "application/vnd.poml.toolresponse", "id": "c1", "name": "f", "content": "done"}
_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"q": 1}'}}
_IMAGE_URL = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}}


@pytest.mark.parametrize("message, expected", [
    ({"speaker": "human", "content": ["only text"]}, [{"role": "user", "content": "only text"}]),  # one text part
    ({"speaker": "human", "content": [_IMG]}, [{"role": "user", "content": [_IMAGE_URL]}]),       # one image: a list
    ({"speaker": "human", "content": ["a", _IMG]},
     [{"role": "user", "content": [{"type": "text", "text": "a"}, _IMAGE_URL]}]),
    ({"speaker": "ai", "content": [_REQ]}, [{"role": "assistant", "tool_calls": [_CALL]}]),
    ({"speaker": "ai", "content": ["thinking", _REQ]},
     [{"role": "assistant", "content": "thinking", "tool_calls": [_CALL]}]),
    ({"speaker": "ai", "content": []}, []),  # neither content nor calls: dropped
    ({"speaker": "tool", "content": [_RESP]}, [{"role": "tool", "content": "done", "tool_call_id": "c1"}]),
    ({"speaker": "tool", "content": "plain"}, [{"role": "tool", "content": "plain"}]),
    ({"speaker": "system", "content": "s"}, [{"role": "system", "content": "s"}]),
])
def test_openai_message_shapes(message, expected):
    from renderers._formats import to_openai_messages

    assert to_openai_messages([message]) == expected


@pytest.mark.parametrize("message, error", [
    ({"speaker": "human", "content": [_REQ]}, "Tool request found in non-assistant message with speaker: human"),
    ({"speaker": "ai", "content": [_RESP]}, "Tool response found in ai message; should be in tool message"),
])
def test_openai_refuses_tool_parts_in_the_wrong_message(message, error):
    from renderers._formats import to_openai_messages

    with pytest.raises(ValueError, match=f"^{error}$"):
        to_openai_messages([message])


# ---------------------------------------------------------------- paths that look like URLs


@pytest.mark.parametrize("spelled, refused", [
    ("s3://bucket/key", True), ("data:text/plain,hi", True), ("ftp:x", True), ("mailto:a@b", True),
    ("JavaScript:alert(1)", True),
    ("notes:v2.txt", False), ("x:y", False), ("a:-b", False), ("a:.b", False),  # a colon in a file name
    ("C:/x", False),  # a drive letter
])
def test_schemes_are_refused_and_colons_in_names_are_paths(tmp_path: Path, spelled, refused):
    access = FileAccess([tmp_path])
    if refused:
        scheme = spelled.split(":", 1)[0]
        with pytest.raises(PomlPathError) as info:
            access.resolve(spelled, tmp_path)
        assert str(info.value) == f'Refusing "{spelled}": the "{scheme}:" scheme is not a file path.'
    else:
        assert access.resolve(spelled, tmp_path) == tmp_path.resolve() / spelled


# ---------------------------------------------------------------- stylesheet merging


def test_deep_merge_only_merges_objects():
    from poml.styles import deep_merge

    assert deep_merge({"a": 1}, 5) == {"a": 1}
    assert deep_merge(5, {"a": 1}) == 5
    assert deep_merge("x", {"a": 1}) == "x"
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}, "d": [1]}) == {"a": {"b": 1, "c": 3}, "d": [1]}
    assert deep_merge({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}  # an object replaces a scalar
    assert deep_merge({"a": {}}, {"a": {"b": 2}}) == {"a": {"b": 2}}


def test_an_empty_or_odd_selector_never_matches():
    sheet = {"": {"speaker": "ai"}, "!": {"speaker": "ai"}, " ": {"speaker": "ai"}}
    assert poml.poml("<poml><p>x</p></poml>", stylesheet=sheet) == [{"speaker": "human", "content": "x"}]
    assert poml.poml("<poml><p>x</p><p>y</p></poml>", stylesheet={"*": {"speaker": "ai"}}) == [
        {"speaker": "ai", "content": "x\n\ny"}]


def test_caption_text_transforms():
    out = poml.poml('<poml><task caption="my task" captionTextTransform="capitalize">y</task>'
                    '<task caption="My Task" captionTextTransform="upper">z</task>'
                    '<task caption="My tASK" captionTextTransform="none">w</task></poml>')
    assert out[0]["content"] == "# My task\n\ny\n\n# MY TASK\n\nz\n\n# My tASK\n\nw"


def test_component_listing_line():
    from poml.components import lookup
    from poml.components._registry import one_line

    common = "syntax, className, speaker, name, type, writerOptions, whiteSpace, charLimit, tokenLimit, priority"
    assert one_line(lookup("p")) == f"Paragraph (p): A block of text separated from its neighbours by a blank line. [blankLine, {common}]"
    assert one_line(lookup("task")) == ("Task: What the model should do. [caption, captionSerialized, captionStyle, "
                                        f"captionTextTransform, captionEnding, blankLine, {common}]")


# ---------------------------------------------------------------- speaker ranges


def test_an_explicit_system_speaker_on_markup_stays_system():
    # The lone-system-message rule turns an implicit system message into a human one, not this.
    assert poml.poml('<poml><p speaker="system">only</p></poml>') == [{"speaker": "system", "content": "only"}]
    assert poml.poml("<poml><system-msg>only</system-msg></poml>") == [{"speaker": "system", "content": "only"}]
    assert poml.poml("<poml><p>only</p></poml>") == [{"speaker": "human", "content": "only"}]


def test_alternating_speakers_make_one_message_each():
    out = poml.poml("<poml><system-msg>a</system-msg><human-msg>b</human-msg><ai-msg>c</ai-msg>"
                    "<human-msg>d</human-msg><p>e</p></poml>")
    # After a human message the default speaker is human: the unmarked <p> joins "d".
    assert out == [{"speaker": "system", "content": "a"}, {"speaker": "human", "content": "b"},
                   {"speaker": "ai", "content": "c"}, {"speaker": "human", "content": "d\n\ne"}]


def test_text_around_an_inline_element_with_another_speaker_is_kept():
    # The official SDK drops "tail" here, and "a " and " c" in the second (docs/poml.md, Differences).
    out = poml.poml('<poml><p speaker="human">h<b speaker="ai">x</b>tail</p></poml>')
    assert out == [{"speaker": "human", "content": "h"}, {"speaker": "ai", "content": "**x**"},
                   {"speaker": "human", "content": "tail"}]
    out = poml.poml('<poml><p speaker="human">a <b speaker="ai">x</b> b <i speaker="ai">y</i> c</p></poml>')
    assert out == [{"speaker": "human", "content": "a "}, {"speaker": "ai", "content": "**x** b *y*"},
                   {"speaker": "human", "content": " c"}]


@pytest.mark.parametrize("expr, expected", [
    ("(-10) ** 309", -math.inf), ("(-10) ** 310", math.inf), ("10 ** 309", math.inf),  # checked with node 20
])
def test_powers_past_the_largest_double_keep_their_sign(expr, expected):
    assert evaluate(expr) == expected


@pytest.mark.parametrize("syntax, expected", [
    ("markdown", "# Examples\n\nIntro here\n\na\n\nb"),
    ("json", '```json\n{\n  "examples": {\n    "input": "a",\n    "output": "b"\n  }\n}\n```'),  # no introducer
    ("yaml", "```yaml\nexamples:\n  input: a\n  output: b\n```"),
])
def test_the_examples_introducer_shows_in_markup_only(syntax, expected):
    markup = (f'<poml><examples introducer="Intro here" syntax="{syntax}"><example><input>a</input>'
              "<output>b</output></example></examples></poml>")
    assert poml.poml(markup, chat=False) == expected


def test_component_description():
    from poml.components import lookup
    from poml.components._registry import describe

    text = describe(lookup("cp")).split("\n")
    assert text[:5] == ["CaptionedParagraph", "", "aliases: cp", "",
                        "A paragraph with a caption (header, bold, plain or hidden) before its body."]
    assert ("  captionStyle (string, one of header|bold|plain|hidden, default header): "
            "How the caption shows: header, bold, plain or hidden.") in text
    assert "  caption (string): The caption (title) text." in text


def test_tool_response_with_media_flattens_to_text():
    from renderers._formats import to_openai_messages

    resp = dict(_RESP, content=["x", {"type": "image/png", "base64": "AAA", "alt": "cat"},
                                {"type": "image/jpeg", "base64": "BBB"}])
    assert to_openai_messages([{"speaker": "tool", "content": [resp]}]) == [
        {"role": "tool", "content": "x\n\n[image/png: cat]\n\n[image/jpeg]", "tool_call_id": "c1"}]
    nested = dict(_RESP, content=[_REQ])  # only text and media flatten
    with pytest.raises(ValueError, match="^Unexpected content part type: <class 'dict'>$"):
        to_openai_messages([{"speaker": "tool", "content": [nested]}])


def test_format_names_built_at_run_time_are_recognised():
    # A name from the command line or a config file is equal to, not the same object as, the literal.
    raw, chat = "".join(["r", "aw"]), "".join(["openai_", "chat"])
    assert poml.poml("<poml><p>x</p></poml>", format=raw) == '{"messages":[{"speaker":"human","content":"x"}]}'
    assert poml.poml("<poml><p>x</p></poml>", format=chat) == {"messages": [{"role": "user", "content": "x"}]}


def test_an_explicit_human_speaker_makes_human_the_default_after_it():
    out = poml.poml('<poml><p>s</p><p speaker="human">h</p><p>after</p></poml>')
    assert out == [{"speaker": "system", "content": "s"}, {"speaker": "human", "content": "h\n\nafter"}]
