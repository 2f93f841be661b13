"""Components: registry lookups, attribute casting, IR built from hand-made Call trees."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from poml._errors import DiagnosticSink, PomlComponentError, PomlLimitError
from poml._tree import Call
from poml.components import all_components, build, lookup, not_found_message, suggest
from poml.ir import Element


def C(tag, props=None, *children, s=0, e=0):
    comp = lookup(tag)
    assert comp is not None, tag
    return Call(comp, dict(props or {}), list(children), s, e, None, tag)


def ir(*nodes, stylesheet=None):
    sink = DiagnosticSink()
    root = build(list(nodes), sink=sink, stylesheet=stylesheet)
    return root.to_xml(positions=False), [d.message for d in sink.items]


def ok(*nodes, stylesheet=None):
    xml, errs = ir(*nodes, stylesheet=stylesheet)
    assert errs == []
    return xml


ENV = '<env presentation="markup" markup-lang="markdown">'


# ---------------------------------------------------------------- registry

@pytest.mark.parametrize("tag,name", [
    ("output-format", "OutputFormat"), ("OutputFormat", "OutputFormat"), ("outputformat", "OutputFormat"),
    ("p", "Paragraph"), ("P", "Paragraph"), ("poml", "Text"), ("div", "Text"), ("cp", "CaptionedParagraph"),
    ("stepwise-instructions", "StepwiseInstructions"), ("system-msg", "SystemMessage"),
    ("human-msg", "HumanMessage"), ("ai-msg", "AiMessage"), ("msg-content", "MessageContent"),
    ("tool-request", "ToolRequest"), ("toolresponse", "ToolResponse"), ("strike", "Strikethrough"),
    ("dataObj", "Object"), ("obj", "Object"), ("qa", "Question"), ("examples", "ExampleSet"),
    ("input", "ExampleInput"), ("output", "ExampleOutput"), ("img", "Image"), ("br", "Newline"),
    ("section", "SubContent"), ("h", "Header"), ("item", "ListItem"), ("Markup.Paragraph", "Markup.Paragraph"),
])
def test_lookup(tag, name):
    assert lookup(tag).name == name


def test_lookup_unknown_and_disabled():
    assert lookup("tsak") is None
    assert lookup("table", frozenset({"table"})) is None
    assert lookup("p", frozenset({"table"})).name == "Paragraph"


def test_suggest():
    assert suggest("tsak")[0] == "task"
    assert "task" in not_found_message("tsak")
    assert not_found_message("tsak").startswith("Component tsak not found. Do you mean: ")


def test_all_components_public():
    names = {c.name for c in all_components()}
    for n in ("Text", "Paragraph", "Role", "Task", "Table", "Conversation", "Image", "ToolRequest"):
        assert n in names
    assert "Markup.Paragraph" not in names
    role = lookup("role")
    pm = role.param_map
    assert pm["caption"].default == "Role"
    assert pm["blankline"].type == "boolean"          # inherited from Paragraph
    assert pm["speaker"].choices == ("human", "ai", "system")  # inherited from Text


# ---------------------------------------------------------------- basics

def test_reference_ir_cases():
    sink = DiagnosticSink()
    root = build([C("Markup.Paragraph", {}, "Hello, world!", s=0, e=50)], sink=sink)
    assert root.to_xml() == (
        '<env presentation="markup" markup-lang="markdown" original-start-index="0" original-end-index="49">'
        '<p original-start-index="0" original-end-index="49">Hello, world!</p></env>')
    tree = C("markup.paragraph", {}, C("markup.header", {}, "hello\n\n", s=18, e=56), "\n\n\n",
             C("markup.bold", {}, "world", s=59, e=91), "\n  ", s=0, e=113)
    root = build([tree], sink=sink)
    assert root.to_xml() == (
        '<env presentation="markup" markup-lang="markdown" original-start-index="0" original-end-index="112">'
        '<p original-start-index="0" original-end-index="112"><h level="1" original-start-index="18" '
        'original-end-index="55">hello</h> <b original-start-index="59" original-end-index="90">world</b></p></env>')
    assert sink.items == []


@pytest.mark.parametrize("tag,irtag", [("b", "b"), ("i", "i"), ("u", "u"), ("s", "s"), ("span", "span"),
                                       ("code", "code")])
def test_inline_tags(tag, irtag):
    assert ok(C("p", {}, C(tag, {}, " x "))) == f"{ENV}<p><{irtag}>x</{irtag}></p></env>"


def test_poml_root_paragraph():
    assert ok(C("poml", {}, "\n  hello\n  world  \n")) == f'{ENV}<p blank-line="false">hello world</p></env>'


def test_whitespace_modes():
    assert ok(C("p", {"whiteSpace": "pre"}, "  a \n b ")) == f'{ENV}<p white-space="pre">  a \n b </p></env>'
    assert ok(C("p", {"whiteSpace": "trim"}, "  a \n b ")) == f'{ENV}<p white-space="trim">a \n b</p></env>'
    assert ok(C("p", {}, "  a \n\t b ")) == f"{ENV}<p>a b</p></env>"
    xml, errs = ir(C("p", {"whiteSpace": "bad"}, "x"))
    assert any('"whiteSpace" should be one of pre, filter, trim, not bad' in e for e in errs)


@given(st.text(alphabet=" \t\n\r\u00a0\x0bab", max_size=30))
def test_collapsing_whitespace_skips_the_regex_only_where_it_would_change_nothing(text):
    import re

    from poml.components._whitespace import collapse_runs

    # CSS white-space: normal collapses ASCII space, tab, LF and CR, never U+00A0 or U+000B.
    assert collapse_runs(text) == re.sub(r"[\t\n\r ]+", " ", text)


def test_header_levels_and_sections():
    xml = ok(C("poml", {}, C("h", {}, "A"), C("section", {}, C("h", {}, "B"), C("section", {}, C("h", {}, "C")))))
    assert '<h level="1">A</h>' in xml and '<h level="2">B</h>' in xml and '<h level="3">C</h>' in xml


@pytest.mark.parametrize("style", ["star", "dash", "plus", "decimal", "latin"])
def test_list_styles(style):
    xml = ok(C("list", {"listStyle": style}, C("item", {}, "a"), C("item", {}, "b")))
    assert xml == f'{ENV}<list list-style="{style}"><item>a</item><item>b</item></list></env>'


def test_list_default_and_invalid():
    assert '<list list-style="dash">' in ok(C("list", {}, C("item", {}, "a")))
    xml, errs = ir(C("list", {"listStyle": "roman"}, C("item", {}, "a")))
    assert any("should be one of star, dash, plus, decimal, latin, not roman" in e for e in errs)


def test_newline_count_attr():
    xml = ok(C("p", {}, "a", C("br", {"newLineCount": "2"}), "b"))
    assert '<nl new-line-count="2"/>' in xml


def test_code_block():
    xml = ok(C("code", {"inline": "false", "lang": "py"}, "x=1"))
    assert xml == f'{ENV}<code inline="false" lang="py">x=1</code></env>'


# ---------------------------------------------------------------- casting and errors

def test_boolean_cast_and_error():
    assert 'blank-line="true"' in ok(C("p", {"blankLine": "1"}, "x"))
    assert 'blank-line="false"' in ok(C("p", {"BLANKLINE": "False"}, "x"))
    xml, errs = ir(C("p", {"blankLine": "maybe"}, "x"))
    assert errs == ['"blankLine" should be a boolean']


def test_number_cast():
    assert 'char-limit="10"' in ok(C("p", {"charLimit": "10"}, "x"))
    assert 'char-limit="1.5"' in ok(C("p", {"charLimit": "1.5"}, "x"))
    assert 'char-limit="NaN"' in ok(C("p", {"charLimit": "abc"}, "x"))


def test_object_cast_error():
    xml, errs = ir(C("obj", {"data": "{not json"}))
    assert 'Fail to parse "data" with JSON parser' in errs


def test_choice_error_message():
    xml, errs = ir(C("role", {"captionStyle": "fancy"}, "x"))
    assert '"captionStyle" should be one of header, bold, plain, hidden, not fancy' in errs


def test_invalid_speaker():
    xml, errs = ir(C("p", {"speaker": "tool"}, "x"))
    assert any("should be one of human, ai, system, not tool" in e for e in errs)


def test_invalid_syntax_renders_nothing():
    xml, errs = ir(C("poml", {}, C("p", {"syntax": "klingon"}, "x"), C("p", {}, "y")))
    assert any("klingon" in e for e in errs)
    assert "<p>y</p>" in xml and "x" not in xml.replace("syntax", "")


def test_unknown_attributes_pass_through():
    assert 'data-foo="bar"' in ok(C("p", {"dataFoo": "bar"}, "x"))


def test_diagnostic_span_and_kind():
    sink = DiagnosticSink()
    build([C("p", {"blankLine": "zz"}, "x", s=3, e=20)], sink=sink)
    d = sink.items[0]
    assert (d.start, d.end, d.kind) == (3, 20, PomlComponentError)


def test_required_caption():
    xml, errs = ir(C("cp", {}, "x"))
    assert any('"caption" is required' in e for e in errs)


# ---------------------------------------------------------------- syntax / presentation

def test_serialize_env_inside_markup():
    xml = ok(C("poml", {}, C("p", {"syntax": "json"}, "x")))
    assert '<code inline="false" lang="json"><env presentation="serialize" serializer="json">' in xml
    assert '<any serializer="json">x</any>' in xml


def test_root_serialize():
    xml = ok(C("poml", {"syntax": "yaml"}, C("role", {}, "A"), C("task", {}, "B")))
    assert xml.startswith('<env presentation="serialize" serializer="yaml">')
    assert '<any name="role">A</any>' in xml and '<any name="task">B</any>' in xml


def test_text_syntax_free():
    xml = ok(C("poml", {"syntax": "text"}, "  keep \n  this  "))
    assert xml == '<env presentation="free" white-space="pre"><text white-space="pre">  keep \n  this  </text></env>'


def test_object_json():
    xml = ok(C("obj", {"data": '{"a": [1, 2]}'}))
    assert '<obj data=\'{"a":[1,2]}\'/>' in xml
    assert xml.startswith('<env presentation="serialize" serializer="json">')
    xml = ok(C("poml", {}, C("obj", {"data": '{"a": 1}'})))
    assert '<p blank-line="false">{"a":1}</p>' in xml  # markup context: the JSON text
    xml = ok(C("poml", {}, C("obj", {"data": '{"a": 1}', "syntax": "json"})))
    assert '<code inline="false" lang="json"><env presentation="serialize" serializer="json">' in xml


def test_writer_options_new_env():
    xml = ok(C("poml", {}, C("p", {"writerOptions": '{"markdownBaseHeaderLevel": 2}'}, C("h", {}, "T"))))
    assert '<env presentation="markup" markup-lang="markdown" writer-options=\'{"markdownBaseHeaderLevel":2}\'>' in xml


# ---------------------------------------------------------------- captions and intentions

def test_role_header():
    xml = ok(C("role", {}, "be nice"))
    assert '<h level="1" caption-serialized="role">Role</h><p>be nice</p>' in xml


@pytest.mark.parametrize("style,expect", [
    ("bold", '<b caption-serialized="task">Task:</b> do it'),
    ("plain", '<span>Task:</span> do it'),
    ("hidden", '>do it</p>'),
])
def test_caption_styles(style, expect):
    assert expect in ok(C("task", {"captionStyle": style}, "do it"))


def test_caption_transform_and_ending():
    xml = ok(C("task", {"captionStyle": "bold", "captionTextTransform": "upper", "captionEnding": "none"}, "x"))
    assert ">TASK</b>" in xml
    xml = ok(C("task", {"captionStyle": "bold", "captionEnding": "colon-newline"}, "x"))
    assert ">Task:</b><nl/>x" in xml
    xml, errs = ir(C("task", {"captionTextTransform": "level"}, "x"))
    assert "Unsupported caption text transform: level" in errs


def test_hint_and_introducer_defaults():
    assert "<b>Hint:</b> h" in ok(C("hint", {}, "h"))
    xml = ok(C("introducer", {}, "intro"))
    assert "Introducer" not in xml.replace('caption="Introducer"', "") and ">intro</p>" in xml


def test_output_format_caption():
    assert ">Output Format</h>" in ok(C("output-format", {}, "json"))


def test_example_chat_speakers():
    xml = ok(C("poml", {}, C("example", {}, C("input", {}, "a"), C("output", {}, "b"))))
    assert 'speaker="human"' in xml and 'speaker="ai"' in xml
    assert "Input" not in xml.replace('caption="Input"', "")


def test_example_non_chat():
    xml = ok(C("poml", {}, C("example", {"chat": "false"}, C("input", {}, "a"), C("output", {}, "b"))))
    assert "speaker" not in xml
    assert "<b caption-serialized=\"input\">Input:</b> a" in xml
    assert "<b caption-serialized=\"output\">Output:</b> b" in xml


def test_examples_set_introducer():
    xml = ok(C("examples", {"introducer": "Look:"}, C("example", {}, C("input", {}, "a"))))
    assert ">Examples</h>" in xml and ">Look:</p>" in xml


def test_question():
    xml = ok(C("qa", {}, "why?"))
    assert '<b caption-serialized="question">Question:</b> why?' in xml
    assert "<b>Answer:</b>" in xml


# ---------------------------------------------------------------- messages, media, tools, tables

def test_messages():
    assert 'speaker="system"' in ok(C("system-msg", {}, "s"))
    assert 'speaker="human"' in ok(C("human-msg", {}, "h"))
    assert 'speaker="ai"' in ok(C("ai-msg", {}, "a"))


def test_conversation_selected():
    msgs = '[{"speaker":"human","content":"one"},{"speaker":"ai","content":"two"},{"speaker":"human","content":"three"}]'
    xml = ok(C("conversation", {"messages": msgs, "selectedMessages": "-2:"}))
    assert ">one<" not in xml and ">two<" in xml and ">three<" in xml
    assert xml.count('speaker="ai"') == 1


PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="


def test_image_base64_multimedia_and_alt():
    xml = ok(C("img", {"base64": PNG}))
    assert '<env presentation="multimedia">' in xml and 'base64="iVBOR' in xml and 'type="image/png"' in xml
    xml = ok(C("p", {}, C("img", {"base64": PNG, "alt": "a cat"})))
    assert "<span>a cat</span>" in xml
    xml, errs = ir(C("img", {}))
    assert "Either `src` or `base64` must be specified." in errs


def test_image_base64_converted_to_type():
    pytest.importorskip("PIL")
    xml = ok(C("img", {"base64": PNG, "type": "jpeg"}))
    assert 'type="image/jpeg"' in xml and 'base64="/9j/' in xml
    xml, errs = ir(C("img", {"base64": "bm90IGFuIGltYWdl"}))
    assert errs and "image" in errs[0].lower()


def test_tool_request_and_response():
    xml = ok(C("tool-request", {"id": "1", "name": "search", "parameters": '{"q": "x"}'}))
    assert '<toolrequest id="1" name="search" content=\'{"q": "x"}\'' in xml  # kept as given (type any)
    assert 'speaker="ai"' in xml
    xml = ok(C("tool-response", {"id": "1", "name": "search"}, C("p", {}, "result")))
    assert '<toolresponse id="1" name="search"' in xml and 'speaker="tool"' in xml and "result" in xml


def test_table_records_markdown_and_json():
    recs = '[{"a": 1, "b": "x"}, {"a": 2.5, "b": true}]'
    xml = ok(C("table", {"records": recs}))
    assert "<thead><trow><tcell>a</tcell><tcell>b</tcell></trow></thead>" in xml
    assert "<trow><tcell>1</tcell><tcell>x</tcell></trow>" in xml
    assert "<trow><tcell>2.5</tcell><tcell/></trow>" in xml
    xml = ok(C("table", {"records": recs, "syntax": "json"}))
    assert "<obj data=" in xml


def test_table_rows_and_slices():
    xml = ok(C("table", {"records": "[[1,2,3],[4,5,6],[7,8,9]]", "selectedRecords": "1:",
                         "selectedColumns": ":2"}))
    assert "<tcell>Column 0</tcell><tcell>Column 1</tcell></trow>" in xml
    assert "<tcell>4</tcell><tcell>5</tcell>" in xml and "<tcell>1</tcell>" not in xml


def test_table_csv_text():
    xml = ok(C("table", {"records": "a,b\n1,x\n2,y", "parser": "csv"}))
    assert "<tcell>a</tcell>" in xml and "<tcell>2</tcell><tcell>y</tcell>" in xml


# ---------------------------------------------------------------- stylesheet through build

def test_stylesheet_applies_and_own_attrs_win():
    sheet = {"task": {"captionStyle": "bold"}, ".big": {"captionTextTransform": "upper"}}
    xml = ok(C("task", {"className": "big"}, "x"), stylesheet=sheet)
    assert ">TASK:</b>" in xml
    xml = ok(C("task", {"captionStyle": "plain"}, "x"), stylesheet=sheet)
    assert "<span>Task:</span>" in xml
    assert "class-name" not in xml


def test_multiple_roots_wrapped():
    root = build([C("p", {}, "a"), "\n", C("p", {}, "b")], sink=DiagnosticSink())
    assert isinstance(root, Element) and root.tag == "env"


def _nested_spans(depth):
    node = "x"
    for _ in range(depth):
        node = C("span", {}, node)
    return C("p", {}, node)


def test_nesting_up_to_the_parser_limit_builds():
    from poml._limits import MAX_NESTING_DEPTH

    sink = DiagnosticSink()
    root = build([_nested_spans(MAX_NESTING_DEPTH)], sink=sink)
    assert sink.items == []
    depth = 0
    while isinstance(root, Element) and root.children:
        root = root.children[0]
        depth += 1
    assert root == "x" and depth > MAX_NESTING_DEPTH


def test_absurd_nesting_is_a_limit_error_and_the_recursion_limit_is_untouched():
    import sys

    before = sys.getrecursionlimit()
    sink = DiagnosticSink()
    build([_nested_spans(5000)], sink=sink)
    assert [d.kind for d in sink.items] == [PomlLimitError]
    assert "nested too deeply" in sink.items[0].message
    assert sys.getrecursionlimit() == before


def test_inherited_params_order():
    assert [p.name for p in lookup("table").all_params()] == [
        "syntax", "records", "columns", "src", "parser", "selectedColumns", "selectedRecords", "maxRecords",
        "maxColumns", "className", "speaker", "writerOptions", "whiteSpace", "charLimit", "tokenLimit", "priority"]
    names = [p.name for p in lookup("question").all_params()]
    assert names[:6] == ["questionCaption", "answerCaption", "captionSerialized", "captionStyle",
                         "captionTextTransform", "captionEnding"]
    assert names[6] == "blankLine" and "syntax" in names  # Paragraph, then Text


def test_reuse_between_builds_is_identical():
    tree = lambda: C("poml", {}, C("role", {}, "r"), C("task", {"captionStyle": "bold"}, "t", C("b", {}, "x")))
    cache: dict = {}
    first = build([tree()], sink=DiagnosticSink(), cache=cache)
    # a subtree met once is only remembered; its output is kept when it is met again
    assert cache and not any(entry[0] for entry in cache.values())
    again = build([tree()], sink=DiagnosticSink(), cache=cache)
    kept = {key: entry for key, entry in cache.items() if entry[0]}
    assert kept
    third = build([tree()], sink=DiagnosticSink(), cache=cache)
    assert all(cache[key] is entry for key, entry in kept.items())  # served, not rebuilt
    fresh = build([tree()], sink=DiagnosticSink())
    assert first.to_xml() == again.to_xml() == third.to_xml() == fresh.to_xml()
    # diagnostics are reported on every build (subtrees with problems are never reused)
    for _ in range(2):
        sink = DiagnosticSink()
        build([C("p", {"blankLine": "maybe"}, "x")], sink=sink, cache=cache)
        assert [d.message for d in sink.items] == ['"blankLine" should be a boolean']


def test_reuse_depends_on_context():
    # the same <h> inside and outside a section gets different levels
    h = lambda: C("h", {}, "T", s=1, e=2)
    xml = ok(C("poml", {}, h(), C("section", {}, h())))
    assert '<h level="1">T</h>' in xml and '<h level="2">T</h>' in xml
    xml = ok(C("poml", {"syntax": "json"}, h()))
    assert "<h" not in xml


# ---------------------------------------------------------------- presentation IR (reference presentation tests)

ME, MP = "Markup.Environment", "Markup.Paragraph"


@pytest.mark.parametrize("tree,expected", [
    (lambda: C(ME, {}, "hahaha"), '<env presentation="markup" markup-lang="markdown">hahaha</env>'),
    (lambda: C(MP, {}, "hahaha"), '<env presentation="markup" markup-lang="markdown"><p>hahaha</p></env>'),
    (lambda: C(MP, {"markupLang": "html"}, "hahaha"), '<env presentation="markup" markup-lang="html"><p>hahaha</p></env>'),
    (lambda: C(MP, {"markupLang": "html"}, "hahaha", C(MP, {"markupLang": "html"}, "dadada")),
     '<env presentation="markup" markup-lang="html"><p>hahaha<p>dadada</p></p></env>'),
    (lambda: C(ME, {}, C(MP, {"markupLang": "html"}, "hahaha", C(MP, {"markupLang": "html"}, "dadada"))),
     '<env presentation="markup" markup-lang="markdown"><env presentation="markup" markup-lang="html">'
     '<p>hahaha<p>dadada</p></p></env></env>'),
    (lambda: C(ME, {}, C("Serialize.Environment", {}, C("Serialize.Any", {"name": "hello"}, "world"))),
     '<env presentation="markup" markup-lang="markdown"><code inline="false" lang="json"><env presentation="serialize" '
     'serializer="json"><any name="hello">world</any></env></code></env>'),
    (lambda: C(ME, {}, C("Serialize.Environment", {"inline": True}, C("Serialize.Any", {"name": "hello"}, "world"))),
     '<env presentation="markup" markup-lang="markdown"><code inline="true" lang="json"><env presentation="serialize" '
     'serializer="json"><any name="hello">world</any></env></code></env>'),
    (lambda: C("Serialize.Environment", {}, C("Serialize.Any", {"name": "hello"}, C(MP, {}, "world"))),
     '<env presentation="serialize" serializer="json"><any name="hello"><env presentation="markup" '
     'markup-lang="markdown"><p>world</p></env></any></env>'),
    (lambda: C("Free.Environment", {}, "hello\nworld"), '<env presentation="free" white-space="pre">hello\nworld</env>'),
    (lambda: C("Free.Text", {}, "hello\nworld"),
     '<env presentation="free" white-space="pre"><text white-space="pre">hello\nworld</text></env>'),
    (lambda: C(ME, {}, C("Free.Environment", {"inline": True}, "hello")),
     '<env presentation="markup" markup-lang="markdown"><code inline="true"><env presentation="free" '
     'white-space="pre">hello</env></code></env>'),
])
def test_reference_presentation_ir(tree, expected):
    assert ok(tree()) == expected
