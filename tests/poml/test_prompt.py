"""The Prompt builder: elements, attributes, text, XML output and rendering."""

from __future__ import annotations

import base64
import inspect
import warnings

import pytest

import poml
from poml._prompt import TAGS, Prompt

EXPECTED_XML = """<Task caption="My Task">This is a task description.<Paragraph>
    <Header>Subheading</Header>This is a paragraph in the document.</Paragraph>
</Task>"""


def _sample() -> Prompt:
    with Prompt() as p:
        with p.task(caption="My Task"):
            p.text("This is a task description.")
            with p.paragraph():
                with p.header():
                    p.text("Subheading")
                p.text("This is a paragraph in the document.")
    return p


# ----------------------------------------------------------------------------- XML

def test_dump_xml_matches_the_reference():
    assert _sample().dump_xml() == EXPECTED_XML


def test_dump_xml_does_not_change_the_compact_form():
    p = _sample()
    compact = p.to_xml()
    p.dump_xml()
    assert p.to_xml() == compact
    assert compact == ('<Task caption="My Task">This is a task description.<Paragraph><Header>Subheading</Header>'
                       "This is a paragraph in the document.</Paragraph></Task>")


def test_several_roots_and_empty_elements():
    with Prompt() as p:
        with p.role():
            p.text("R")
        p.newline(newLineCount=2)
    assert p.dump_xml() == '<Role>R</Role>\n<Newline newLineCount="2" />'
    assert p.to_xml() == '<Role>R</Role><Newline newLineCount="2" />'
    assert Prompt().dump_xml() == ""


def test_every_table_row_makes_its_element():
    p = Prompt()
    with p:
        for method, element, _summary, _spec in TAGS:
            handle = getattr(p, method)()
            assert handle.element.tag == element
    assert [e.tag for e in p.root_elements] == [row[1] for row in TAGS]


def test_reference_method_names_exist():
    names = ("role task output_format stepwise_instructions hint introducer example_set example example_input "
             "example_output question system_message human_message ai_message message_content conversation table "
             "tree folder captioned_paragraph webpage text paragraph inline newline header sub_content bold italic "
             "strikethrough underline code list list_item object image audio tool_request tool_response document")
    for name in names.split():
        assert callable(getattr(Prompt, name)), name


def test_methods_have_signatures_and_docs():
    sig = inspect.signature(Prompt.task)
    assert list(sig.parameters)[:3] == ["self", "caption", "captionSerialized"]
    assert sig.parameters["caption"].default is None
    assert "kwargs" in sig.parameters
    assert "Args:" in Prompt.task.__doc__ and "caption" in Prompt.task.__doc__
    assert Prompt.image.__name__ == "image"


# ----------------------------------------------------------------------------- attributes

def test_attribute_conversion():
    with Prompt() as p:
        p.tag("X", none=None, yes=True, no=False, n=3, f=1.5, s="str", data={"a": [1, 2]}, lst=[1], raw=b"\x00\x01")
    attrib = p.root_elements[0].attrib
    assert "none" not in attrib
    assert attrib["yes"] == "true" and attrib["no"] == "false"
    assert attrib["n"] == "3" and attrib["f"] == "1.5" and attrib["s"] == "str"
    assert attrib["raw"] == "AAE="
    # JSON, with POML's escapes for the quotes
    assert attrib["data"] == "{#quot;a#quot;: [1, 2]}"
    assert attrib["lst"] == "[1]"


def test_buffer_becomes_base64():
    with Prompt() as p:
        with p.document(buffer=b"hello", parser="txt"):
            pass
    attrib = p.root_elements[0].attrib
    assert "buffer" not in attrib
    assert attrib == {"base64": base64.b64encode(b"hello").decode(), "parser": "txt"}
    assert "base64=" in p.dump_xml()


def test_positional_and_extra_attributes_keep_signature_order():
    with Prompt() as p:
        p.image("a.png", "alt text", maxWidth=10, custom="c")
    assert list(p.root_elements[0].attrib.items()) == [("src", "a.png"), ("alt", "alt text"), ("maxWidth", "10"),
                                                       ("custom", "c")]
    with pytest.raises(TypeError, match="multiple values"):
        p.image("a.png", src="b.png")
    with pytest.raises(TypeError, match="positional"):
        p.header("x")


# ----------------------------------------------------------------------------- text

def test_text_outside_a_tag_is_an_error():
    p = Prompt()
    with pytest.raises(ValueError, match="no tag is open"):
        p.text("x")
    with p:
        with pytest.raises(ValueError):
            p.text("x")


def test_text_goes_after_the_last_child():
    with Prompt() as p:
        with p.paragraph():
            p.text("a")
            p.text("b")
            with p.bold():
                p.text("c")
            p.text("d")
            p.text("e")
    assert p.to_xml() == "<Paragraph>ab<Bold>c</Bold>de</Paragraph>"


def test_text_content_by_keyword():
    with Prompt() as p:
        with p.paragraph():
            p.text(content="kw")
    assert p.to_xml() == "<Paragraph>kw</Paragraph>"


def test_text_without_content_makes_a_text_element():
    with Prompt() as p:
        with p.text(syntax="json"):
            p.text("x")
    assert p.to_xml() == '<Text syntax="json">x</Text>'
    with pytest.raises(ValueError):
        p.text()
    with p, p.paragraph(), pytest.raises(TypeError):
        p.text("x", syntax="json")


def test_special_characters_use_poml_escapes():
    with Prompt() as p:
        with p.code(lang="py"):
            p.text('if a < b and c > d & "e": #lt; stays')
    assert p.to_xml() == '<Code lang="py">if a #lt; b and c #gt; d #amp; "e": #hash;lt; stays</Code>'


# ----------------------------------------------------------------------------- nesting and reuse

def test_reusable_across_with_blocks():
    prompt = Prompt()
    with prompt:
        with prompt.role():
            prompt.text("You are helpful.")
        with prompt.task(caption="First"):
            prompt.text("Describe A.")
    assert prompt.dump_xml().count("<Task") == 1
    with prompt:
        with prompt.task(caption="Second"):
            prompt.text("Describe B.")
    assert prompt.dump_xml().count("<Task") == 2


def test_open_tags_block_render_and_warn_on_exit():
    p = Prompt()
    with pytest.warns(UserWarning, match="still open"):
        with p:
            p.task().__enter__()
            with pytest.raises(ValueError, match="still open"):
                p.render()
    assert p.current_parent_stack == []


def test_exception_inside_blocks_leaves_a_clean_stack():
    p = Prompt()
    with pytest.raises(KeyError):
        with p:
            with p.task():
                raise KeyError("boom")
    assert p.current_parent_stack == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert p.to_xml() == "<Task />"


def test_mismatched_exit_is_reported():
    p = Prompt()
    with p:
        outer = p.task()
        outer.__enter__()
        inner = p.paragraph()
        inner.__enter__()
        with pytest.raises(RuntimeError, match="Mismatched"):
            outer.__exit__(None, None, None)
        inner.__exit__(None, None, None)
        outer.__exit__(None, None, None)


# ----------------------------------------------------------------------------- rendering (engine)

def test_render_matches_the_reference():
    assert _sample().render() == [
        {
            "speaker": "human",
            "content": "# My Task\n\nThis is a task description.\n\n## Subheading\n\nThis is a paragraph in the document.",
        }
    ]


def test_render_after_reuse():
    prompt = Prompt()
    with prompt:
        with prompt.task(caption="First"):
            prompt.text("Describe A.")
    with prompt:
        with prompt.task(caption="Second"):
            prompt.text("Describe B.")
    assert prompt.render() == [{"speaker": "human", "content": "# First\n\nDescribe A.\n\n# Second\n\nDescribe B."}]


def test_render_with_context_chat_and_format():
    with Prompt() as p:
        with p.system_message():
            p.text("Be brief.")
        with p.human_message():
            p.text("Hi {{name}}")
    assert p.render(context={"name": "Ada"}) == [
        {"speaker": "system", "content": "Be brief."},
        {"speaker": "human", "content": "Hi Ada"},
    ]
    assert p.render(context={"name": "Ada"}, format="openai_chat")["messages"][1] == {"role": "user",
                                                                                        "content": "Hi Ada"}


def test_render_escaped_text_and_json_attributes():
    with Prompt() as p:
        with p.code(inline=False, lang="py"):
            p.text("x = 1 < 2 & 3 > 0")
        p.object(data={"a": "<b>"}, syntax="json")
    assert p.render(chat=False) == '```py\nx = 1 < 2 & 3 > 0\n```\n\n```json\n{\n  "a": "<b>"\n}\n```'


def test_render_is_the_api_on_the_compact_xml():
    # The expected text is written out (the reference's header levels and spacing), not
    # computed by the renderer under test.
    p = _sample()
    expected = "# My Task\n\nThis is a task description.\n\n## Subheading\n\nThis is a paragraph in the document."
    assert p.render(chat=False) == expected
    assert poml.poml(p.to_xml(), chat=False) == expected


def test_prompt_is_exported():
    assert poml.Prompt is Prompt
