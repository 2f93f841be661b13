"""Writer behaviour, table-driven (facts from the reference's writer tests and oracle outputs)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irxml import ir
from renderers import RenderIssue, write, write_collect
from renderers._csv import CsvWriter, TsvWriter
from renderers._markdown import MarkdownWriter
from renderers._serialize import JsonWriter, XmlWriter, YamlWriter
from renderers._html import HtmlWriter
from renderers._js import UNDEFINED, js_ordered, js_string
from renderers._xmltree import Node

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
MD = 'presentation="markup" markup-lang="markdown"'


def md_env(body: str, options: str = "") -> str:
    opts = f" writer-options='{options}'" if options else ""
    return f"<env {MD}{opts}>{body}</env>"


MARKDOWN_CASES = [
    ("simple",
     '<p><p>hello <b>world</b><nl count="4"/>hahaha</p><h level="3">heading</h><p>new paragraph '
     '<code inline="false"> this code </code></p><code lang="ts">console.log("hello world")</code></p>',
     'hello **world**\n\n\n\nhahaha\n\n### heading\n\nnew paragraph \n\n```\n this code \n```\n\n'
     '`console.log("hello world")`'),
    ("with-env",
     '<p>hello world<code inline="false"><env presentation="serialize"><any name="hello">world</any></env>'
     '</code></p>',
     'hello world\n\n```\n{\n  "hello": "world"\n}\n```'),
    ("inline-marks", "<p><b>b</b> <i>i</i> <u>u</u> <s>s</s> <code>c</code></p>", "**b** *i* __u__ ~~s~~ `c`"),
    ("paragraphs", "<p><p>a</p><p>b</p></p>", "a\n\nb"),
    ("blank-line-false", '<p><p blank-line="false">a</p><p blank-line="false">b</p></p>', "a\nb"),
    ("list-dash", "<list><item>a</item><item>b</item></list>", "- a\n- b"),
    ("list-latin", '<list list-style="latin"><item>a</item><item>b</item></list>', "a. a\nb. b"),
    ("list-decimal", '<list list-style="decimal"><item>a</item><item>b</item></list>', "1. a\n2. b"),
    ("list-star-plus", '<p><list list-style="star"><item>a</item></list><list list-style="plus"><item>b</item>'
                       "</list></p>", "* a\n\n+ b"),
    ("nested-list", '<list list-style="decimal"><item>a<list><item>b</item><item>c</item></list></item>'
                    "<item>d</item></list>", "1. a\n\n   - b\n   - c\n\n2. d"),
    ("item-with-blocks", "<list><item><p>x</p><p>y</p></item></list>", "- x\n\n  y"),
    ("header-base-level", md_env('<h level="2">T</h>', '{"markdownBaseHeaderLevel": 2}'), "### T"),
    ("multiline-header", "<h>a<nl/>b</h>", "# a\n# b"),
    ("code-block-lang", '<code inline="false" lang="py">x = 1</code>', "```py\nx = 1\n```"),
    ("table",
     "<table><thead><trow><tcell>name</tcell><tcell>age</tcell></trow></thead><tbody><trow><tcell>Alice</tcell>"
     "<tcell>30</tcell></trow><trow><tcell>B|b</tcell><tcell>5</tcell></trow></tbody></table>",
     "| name  | age |\n| ----- | --- |\n| Alice | 30  |\n| B\\|b  | 5   |"),
    ("table-collapse",
     md_env("<table><thead><trow><tcell>name</tcell><tcell>a</tcell></trow></thead><tbody><trow><tcell>Alice"
            "</tcell><tcell>1</tcell></trow></tbody></table>", '{"markdownTableCollapse": true}'),
     "| name | a |\n| --- | - |\n| Alice | 1 |"),
    ("span-spaces", "<p>a <span>b</span> c</p>", "a b c"),
    ("space-next-to-block-dropped", "<p> <p>a</p> <p>b</p> </p>", "a\n\nb"),
    ("free-text", '<env presentation="free">hello\nworld</env>', "hello\nworld"),
    ("free-text-node", '<env presentation="free">hello\nworld<text>\n\n</text>hahaha</env>', "hello\nworld\n\nhahaha"),
    ("free-with-env", '<env presentation="free">hello\nworld<env presentation="serialize"><any name="hello">world'
                      "</any></env></env>", 'hello\nworld{\n  "hello": "world"\n}'),
    ("empty-p", "<p></p>", []),
]


@pytest.mark.parametrize("name,xml,expected", MARKDOWN_CASES, ids=[c[0] for c in MARKDOWN_CASES])
def test_markdown(name, xml, expected):
    assert write(ir(xml), chat=False) == expected


LIMIT_CASES = [
    ("char-limit", '<p char-limit="5">helloworld</p>', "", "hello (...truncated)"),
    ("free-char-limit", '<p><env presentation="free" char-limit="4">abcdefg</env></p>', "", "abcd (...truncated)"),
    ("char-limit-start", '<p char-limit="5">helloworld</p>', '{"truncateDirection": "start"}', " (...truncated)world"),
    ("char-limit-middle-marker", '<p char-limit="5">helloworld</p>',
     '{"truncateDirection": "middle", "truncateMarker": "[cut]"}', "hel[cut]ld"),
    ("priority-removal", '<p char-limit="5"><span priority="1">hello</span><span priority="2">world</span></p>', "",
     "world"),
    ("priority-truncate-after-removal", '<p char-limit="3"><span priority="1">ab</span><span priority="1">cd</span>'
                                        "</p>", "", "abc (...truncated)"),
    ("token-limit", '<p token-limit="1">hello world</p>', "", "hello (...truncated)"),
    ("free-token-limit", '<p><env presentation="free" token-limit="1">hello world</env></p>', "",
     "hello (...truncated)"),
    ("priority-removal-token", '<p token-limit="1"><span priority="1">hello</span><span priority="2">world</span>'
                               "</p>", "", "world"),
    ("priority-token-truncate", '<p token-limit="1"><span priority="1">hi</span><span priority="1">there</span></p>',
     "", "h (...truncated)"),
    ("char-limit-nan-ignored", '<p char-limit="abc">hello</p>', "", "hello"),
    ("token-limit-start", '<p token-limit="1">hello world</p>', '{"truncateDirection": "start"}',
     " (...truncated) world"),
]


@pytest.mark.parametrize("name,xml,options,expected", LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_limits(name, xml, options, expected):
    if "token" in name:
        pytest.importorskip("tiktoken", reason="token limits need the 'tokens' extra (tiktoken)")
    tree = ir(md_env(xml, options)) if options else ir(xml)
    assert write(tree, chat=False) == expected


def test_priority_attribute_on_box():
    box = MarkdownWriter(None).make_box("abc", "inline", ir('<p priority="2">abc</p>'))
    assert box.priority == 2


SERIALIZE_IR = ('<any><any name="hello">world</any><any name="foo"><any type="integer">123</any>'
                '<any type="boolean">false</any></any></any>')


@pytest.mark.parametrize("writer,xml,expected", [
    (JsonWriter, SERIALIZE_IR, '{\n  "hello": "world",\n  "foo": [\n    123,\n    false\n  ]\n}'),
    (JsonWriter, '<obj data="{&quot;hello&quot;:&quot;world&quot;,&quot;foo&quot;:[123,false]}"/>',
     '{\n  "hello": "world",\n  "foo": [\n    123,\n    false\n  ]\n}'),
    (YamlWriter, SERIALIZE_IR, "hello: world\nfoo:\n  - 123\n  - false"),
    (XmlWriter, SERIALIZE_IR, "<hello>world</hello>\n<foo>\n  <item>123</item>\n  <item>false</item>\n</foo>"),
    (YamlWriter, """<obj data='{"x": {"y": [1, 2]}}'/>""", "x:\n  'y':\n    - 1\n    - 2"),
    (YamlWriter, """<obj data='[1, "two", {"three": 3}]'/>""", "- 1\n- two\n- three: 3"),
    (YamlWriter, """<obj data='{"name":"Bob","ok":false,"score":9.5}'/>""", "name: Bob\nok: false\nscore: 9.5"),
    (XmlWriter, """<obj data='{"eta": [1, 2], "gamma": null, "stone": 1}'/>""",
     "<eta>\n  <item>1</item>\n  <item>2</item>\n</eta>\n<gamma/>\n<stone>1</stone>"),
    (XmlWriter, """<obj data='[{"zeta": 3, "alpha": "s"}, {"k": "v"}]'/>""",
     "<item>\n  <zeta>3</zeta>\n  <alpha>s</alpha>\n</item>\n<k>v</k>"),
    (XmlWriter, """<obj data='{"1 a": "x &amp; y", "xml": true}'/>""", "<_1-a>x &amp; y</_1-a>\n<_xml>true</_xml>"),
    (JsonWriter, '<any type="array">x</any>', '[\n  "x"\n]'),
    (JsonWriter, '<any><any>a</any> <any>b</any></any>', '"a b"'),
    (JsonWriter, '<any type="float">2.50</any>', "2.5"),
])
def test_serialize(writer, xml, expected):
    assert writer(None).write(ir(xml)).output == expected


def test_serialize_env_of_other_syntax_is_a_string():
    tree = ir('<env presentation="serialize" serializer="json"><any name="a"><env presentation="serialize" '
              'serializer="yaml"><any name="k">v</any></env></any></env>')
    assert write(tree, chat=False) == '{\n  "a": "k: v"\n}'


def test_xml_nested_multimedia_is_an_error():
    tree = ir(f'<env presentation="serialize" serializer="xml"><any><env presentation="multimedia">'
              f'<img base64="{PNG}" alt="example"/></env></any></env>')
    with pytest.raises(Exception, match="Invalid presentation"):
        write(tree, chat=False, error=lambda issue: ValueError(issue.message))


HTML_CASES = [
    ('<p>Hello <b>world</b> and <i>you</i>.</p>',
     "<p>\n  Hello \n  <b>world</b>\n   and \n  <i>you</i>\n  .\n</p>"),
    ("<p><p>Items:</p><list><item>one</item><item>two</item></list></p>",
     "<p>\n  <p>Items:</p>\n  <list>\n    <item>one</item>\n    <item>two</item>\n  </list>\n</p>"),
    ('<p>delta<nl/>river</p>', "<p>\n  delta\n  <br/>\n  river\n</p>"),
    ('<p><h level="2">alpha</h><code inline="false">x</code></p>',
     "<p>\n  <h2>alpha</h2>\n  <pre>\n    <code>x</code>\n  </pre>\n</p>"),
    ("<table><thead><trow><tcell>a</tcell></trow></thead><tbody><trow><tcell>1</tcell></trow></tbody></table>",
     "<table>\n  <thead>\n    <tr>\n      <th>a</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n"
     "      <td>1</td>\n    </tr>\n  </tbody>\n</table>"),
    ('<p>a<env presentation="serialize" serializer="xml"><any name="k">x</any></env></p>',
     "<p>a&lt;k&gt;x&lt;/k&gt;</p>"),  # text-only content stays on one line
    ("<p><span></span></p>", "<p>\n  <span/>\n</p>"),
]


@pytest.mark.parametrize("xml,expected", HTML_CASES)
def test_html(xml, expected):
    assert HtmlWriter(None).write(ir(xml)).output == expected


def test_html_env_root():
    tree = ir('<env presentation="markup" markup-lang="html"><p>start</p><env presentation="markup" '
              'markup-lang="markdown"><p>Inner <b>para</b></p></env></env>')
    assert write(tree, chat=False) == "<p>start</p>\nInner **para**"


TABLE = ("<table><thead><trow><tcell>a</tcell><tcell>b</tcell></trow></thead><tbody><trow><tcell>1</tcell>"
         '<tcell>x,"y"</tcell></trow></tbody></table>')


@pytest.mark.parametrize("writer,options,expected", [
    (CsvWriter, None, 'a,b\n1,"x,""y"""'),
    (CsvWriter, {"csvHeader": False}, '1,"x,""y"""'),
    (CsvWriter, {"csvSeparator": ";"}, 'a;b\n1;x,"y"'),
    (TsvWriter, None, 'a\tb\n1\tx,"y"'),
])
def test_csv(writer, options, expected):
    assert writer(options).write(ir(TABLE)).output == expected


def test_csv_rejects_other_elements():
    tree = ir('<env presentation="markup" markup-lang="csv"><p>x</p></env>')
    with pytest.raises(Exception, match="Not implemented element type in csv"):
        write(tree, chat=False, error=lambda i: ValueError(i.message))


# -- multimedia -------------------------------------------------------------

def img(alt: str, position: str = "") -> str:
    pos = f' position="{position}"' if position else ""
    return f'<img base64="{PNG}" alt="{alt}"{pos}/>'


def mm(body: str) -> str:
    return f'<env presentation="multimedia">{body}</env>'


def part(alt: str) -> dict:
    return {"type": "image", "base64": PNG, "alt": alt}


MEDIA_CASES = [
    ("image", mm(img("example")), [part("example")]),
    ("image-in-text", md_env("hello\nworld" + mm(img("example1") + img("example2"))),
     ["hello\nworld", part("example1"), part("example2")]),
    ("image-between-blocks", md_env("hello\nworld" + mm(img("example1")) + "<p>hahaha</p>" + mm(img("example2"))),
     ["hello\nworld", part("example1"), "hahaha", part("example2")]),
    ("image-position", md_env("hello" + mm(img("example1", "top")) + "world<p>foo" + mm(img("example2", "bottom"))
                              + "</p>"),
     [part("example1"), "helloworld\n\nfoo", part("example2")]),
    ("tool-request", mm("""<toolrequest id="test-123" name="search" content='{"query":"hello","limit":10}'/>"""),
     [{"type": "application/vnd.poml.toolrequest", "content": {"query": "hello", "limit": 10}, "id": "test-123",
       "name": "search"}]),
    ("tool-response", mm(f'<toolresponse id="t" name="search">{md_env("<p>Found 3 results</p>")}</toolresponse>'),
     [{"type": "application/vnd.poml.toolresponse", "content": "Found 3 results", "id": "t", "name": "search"}]),
    ("tool-request-in-text",
     md_env("Calling tool:" + mm("""<toolrequest id="c" name="calc" content='{"expression":"2+2"}'/>""") + "Done."),
     ["Calling tool:", {"type": "application/vnd.poml.toolrequest", "content": {"expression": "2+2"}, "id": "c",
                        "name": "calc"}, "Done."]),
    ("tool-response-in-text",
     md_env("Response:" + mm(f'<toolresponse id="c" name="calc">{md_env("<p>The result is <b>4</b></p>")}'
                             "</toolresponse>") + "Complete."),
     ["Response:", {"type": "application/vnd.poml.toolresponse", "content": "The result is **4**", "id": "c",
                    "name": "calc"}, "Complete."]),
    ("tool-response-serialized",
     mm('<toolresponse id="d" name="getData"><env presentation="serialize" serializer="json"><any name="status">'
        'success</any><any name="count">42</any></env></toolresponse>'),
     [{"type": "application/vnd.poml.toolresponse", "content": '{\n  "status": "success",\n  "count": "42"\n}',
       "id": "d", "name": "getData"}]),
    ("alt-only", mm('<img alt="just alt"/>'), "just alt"),
]


@pytest.mark.parametrize("name,xml,expected", MEDIA_CASES, ids=[c[0] for c in MEDIA_CASES])
def test_multimedia(name, xml, expected):
    assert write(ir(xml), chat=False) == expected


def test_tool_response_mixed_content_in_chat():
    tree = ir(mm('<toolresponse id="t" name="analyze" speaker="tool">'
                 + md_env("<p>Analysis results:</p>" + mm(img("chart", "bottom")) + "<p>Summary: positive trend</p>")
                 + "</toolresponse>"))
    msgs = write(tree, chat=True)
    assert len(msgs) == 1 and msgs[0]["speaker"] == "tool"
    (resp,) = msgs[0]["content"]
    assert resp["content"] == ["Analysis results:\n\nSummary: positive trend", part("chart")]


def test_tool_response_multiple_images():
    body = md_env("\n  <p>Image gallery:</p>\n  " + mm(img("img1")) + "\n  <p>First image</p>\n  " + mm(img("img2"))
                  + "\n  <p>Second image</p>\n")
    (resp,) = write(ir(mm(f'<toolresponse id="i" name="g">{body}</toolresponse>')), chat=False)
    assert len(resp["content"]) == 5
    assert resp["content"][1]["alt"] == "img1" and resp["content"][3]["alt"] == "img2"


def test_mixed_multimedia_content():
    tree = ir(mm("\n" + img("image1") + """<toolrequest id="r" name="p" content='{"action":"analyze"}'/>"""
                 + f'<toolresponse id="r" name="p">{md_env("<p>done</p>")}</toolresponse>' + img("image2") + "\n"))
    result = write(tree, chat=False)
    assert [p["type"] for p in result] == ["image", "application/vnd.poml.toolrequest",
                                           "application/vnd.poml.toolresponse", "image"]


@pytest.mark.parametrize("xml,message", [
    (mm('<toolresponse id="t" name="s"></toolresponse>'), "Tool response must have children content"),
    (mm("""<toolrequest name="s" content='{"q":"t"}'/>"""), "Tool request must have id and name attributes"),
    (mm(f'<toolresponse id="t">{md_env("<p>C</p>")}</toolresponse>'), "Tool response must have id and name"),
    (mm("""<toolrequest id="t" name="s" content='{invalid json}'/>"""), "Invalid JSON content in tool request"),
    (mm("<img/>"), "No base64 or alt attribute"),
    (mm(f'<img base64="{PNG}" position="left"/>'), "Invalid position"),
    ('<list list-style="roman"><item>a</item></list>', "Invalid list style"),
    ("<item>a</item>", "item does not appear alone"),
    ("<tcell>a</tcell>", "do not appear alone"),
    ("<table><tbody/></table>", "Invalid table"),
    ("<foo/>", "Not implemented element type"),
    ('<env presentation="markup" markup-lang="rst"/>', "Invalid markup language"),
    ('<env presentation="serialize" serializer="toml"/>', "Invalid serializer"),
    ('<env presentation="weird"/>', "Invalid presentation"),
    ("""<env presentation="markup" markup-lang="markdown" writer-options="{bad"/>""", "Invalid JSON for writer-options"),
    ('<any type="boolean">yes</any>', "Not implemented element type"),
    ('<env presentation="serialize"><any type="boolean">yes</any></env>', "Invalid boolean value"),
    ('<env presentation="serialize"><any type="date">x</any></env>', "Invalid type"),
    ('<env presentation="serialize"><obj/></env>', "No data attribute"),
    ('<env presentation="free"><p>x</p></env>', "Free writer is unable"),
    (mm("<p>x</p>"), "Multimedia writer is unable"),
])
def test_errors(xml, message):
    with pytest.raises(RenderIssue, match=message):
        def factory(issue):
            return issue
        write(ir(xml), chat=False, error=factory)


def test_default_error_is_the_render_issue_with_its_span():
    tree = ir('<p original-start-index="0" original-end-index="30"><item original-start-index="3" '
              'original-end-index="13">a</item></p>')
    with pytest.raises(RenderIssue) as info:
        write(tree, chat=False)
    assert (info.value.start, info.value.end) == (3, 14)


def test_collect_mode_keeps_going():
    result, issues = write_collect(ir("<p><item>a</item><p>b</p><foo/></p>"), chat=False)
    assert result == "b"
    assert [i.message.split(" ")[0] for i in issues] == ["item", "Not"]


def test_renderers_import_nothing_from_poml():
    import subprocess
    import sys

    code = ("import sys, renderers; from renderers.ir import Element; "
            "renderers.write(Element('p', {}, ['x']), chat=True); "
            "print(sorted(m for m in sys.modules if m == 'poml' or m.startswith('poml.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_absurd_depth_is_a_render_error():
    from poml.ir import Element

    tree = Element("p", {}, ["x"])
    for _ in range(20000):
        tree = Element("span", {}, [tree])
    with pytest.raises(RenderIssue, match="nested too deeply"):
        write(tree, chat=True)


def test_depth_of_the_deepest_legal_markup_renders():
    from poml._limits import MAX_NESTING_DEPTH
    from poml.ir import Element

    tree = Element("p", {}, ["x"])
    for _ in range(MAX_NESTING_DEPTH * 2):
        tree = Element("p", {}, [Element("env", {"presentation": "markup", "markup-lang": "markdown"}, [tree])])
    assert write(tree, chat=True) == [{"speaker": "human", "content": "x"}]


def test_html_adjacent_text_nodes_get_separator_div():
    from poml.ir import Element as E

    tree = E("p", {}, [E("b", {}, ["Alpha Amber", ":"]), " ", "beta ", E("b", {}, ["Oslo"]), " epsilon"])
    assert HtmlWriter(None).write(tree).output == (
        "<p>\n  <b>\n    Alpha Amber\n    <div/>\n    :\n  </b>\n   \n  <div/>\n  beta \n  <b>Oslo</b>\n"
        "   epsilon\n</p>")


def test_issue_without_span_takes_ancestor_span():
    from poml.ir import Element as E

    tree = E("p", {}, [E("span", {}, [E("item", {}, ["a"])])], 5, 20)
    with pytest.raises(RenderIssue) as info:
        write(tree, chat=False, error=lambda i: i)
    assert (info.value.start, info.value.end) == (5, 20)


# ------------------------------------------------------------------ XML of data, against a tree oracle

_XML_DATA = st.recursive(
    st.one_of(st.none(), st.just(UNDEFINED), st.booleans(), st.integers(-5, 5), st.text("a<&> ", max_size=4)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b c", "1", "xml"]), inner,
                                                                max_size=3),
    max_leaves=12)


def _oracle_tree(writer: XmlWriter, node: Node, value) -> None:
    """xmlbuilder2's model of the reference's data-to-XML rules: build the tree, print it with _xmltree."""
    if value is None or value is UNDEFINED:
        return
    if isinstance(value, dict):
        for k, v in js_ordered(value).items():
            _oracle_tree(writer, node.element(writer._tag(str(k))), v)
    elif isinstance(value, list):
        for item in value:
            if (isinstance(item, (dict, list)) and len(item) > 1) or not (item is None or isinstance(item, (dict, list))):
                _oracle_tree(writer, node.element("item"), item)
            else:
                _oracle_tree(writer, node, item)
    else:
        node.text(js_string(value))


@given(_XML_DATA, st.booleans(), st.sampled_from([None, "", "\t"]), st.sampled_from([None, False]))
def test_xml_of_data_is_laid_out_as_the_element_tree_prints_it(data, pretty, indent, slugify):
    writer = XmlWriter({"xmlPrettyPrint": pretty, "xmlIndent": indent, "xmlSlugify": slugify})
    root = Node(None)
    _oracle_tree(writer, root, data)
    text, length = writer.render(data)
    assert text == root.render("  " if indent is None else indent, pretty)
    assert length == len(text)
    if slugify is False and isinstance(data, dict) and "b c" in data:
        assert "<b c" in text  # keys are written as they are
