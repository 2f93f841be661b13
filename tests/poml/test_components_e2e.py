"""Facts from the reference's component tests (instructions, messages, essentials), as markup end to end."""

from __future__ import annotations

import json

import pytest

import poml

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="


def text(markup: str, **kw):
    return poml.poml(markup, chat=False, **kw)


def chat(markup: str, **kw):
    return poml.poml(markup, chat=True, **kw)


@pytest.mark.parametrize("markup,expected", [
    ("<role>You are a data scientist.</role>", "# Role\n\nYou are a data scientist."),
    ('<role syntax="json">You are a data scientist.</role>', '{\n  "role": "You are a data scientist."\n}'),
    ('<poml syntax="json"><role>You are a data scientist.</role><task>Analyze the data.</task>'
     '<output-format>JSON</output-format></poml>',
     '{\n  "role": "You are a data scientist.",\n  "task": "Analyze the data.",\n  "outputFormat": "JSON"\n}'),
    ('<poml syntax="markdown"><role captionStyle="bold">You are a data scientist.</role>'
     '<task captionStyle="plain" captionTextTransform="upper">Analyze the data.</task>'
     '<output-format captionStyle="header" captionEnding="colon">JSON</output-format></poml>',
     "**Role:** You are a data scientist.\n\nTASK: Analyze the data.\n\n# Output Format:\n\nJSON"),
    ('<role captionEnding="colon">You are a data scientist.</role>', "# Role:\n\nYou are a data scientist."),
    ('<role captionEnding="colon-newline" captionStyle="bold">You are a data scientist.</role>',
     "**Role:**\nYou are a data scientist."),
    ("<task>Planning a schedule for a travel.<list><item>Decide on the destination.</item>"
     "<item>Find useful information.</item></list></task>",
     "# Task\n\nPlanning a schedule for a travel.\n\n- Decide on the destination.\n- Find useful information."),
    ('<cp caption="Task" syntax="yaml"><list><item>Decide on the destination.</item>'
     "<item>Find useful information.</item></list></cp>",
     "Task:\n  - Decide on the destination.\n  - Find useful information."),
    ("<hint>Use the following code to analyze the data.</hint>",
     "**Hint:** Use the following code to analyze the data."),
    ('<examples introducer="Here are some examples."><example>'
     "<input captionStyle=\"bold\">What's the capital of France?</input>"
     '<output captionStyle="bold">Paris</output></example></examples>',
     "# Examples\n\nHere are some examples.\n\n**Input:** What's the capital of France?\n\n**Output:** Paris"),
    ("<p><b>b</b> <i>i</i> <u>u</u> <s>s</s> <code>c</code></p>", "**b** *i* __u__ ~~s~~ `c`"),
    ('<list listStyle="latin"><item>a</item><item>b</item></list>', "a. a\nb. b"),
    ('<poml><p>Hello, world!</p><code inline="false">c += 1</code></poml>', "Hello, world!\n\n```\nc += 1\n```"),
    ("<poml><section><section><h>Header</h></section></section></poml>", "### Header"),
])
def test_rendered_text(markup, expected):
    assert text(markup) == expected


def test_examples_as_json():
    markup = ('<poml syntax="json"><examples><example><input>q1</input><output>a1</output></example>'
              "<example><input>q2</input><output>a2</output></example></examples></poml>")
    assert json.loads(text(markup)) == {"examples": [{"input": "q1", "output": "a1"}, {"input": "q2", "output": "a2"}]}


def test_examples_chat_turns():
    markup = ('<examples introducer="Here are some examples."><example>'
              '<input captionStyle="bold">Q?</input><output captionStyle="bold">A</output></example></examples>')
    assert chat(markup) == [
        {"speaker": "system", "content": "# Examples\n\nHere are some examples."},
        {"speaker": "human", "content": "**Input:** Q?"},
        {"speaker": "ai", "content": "**Output:** A"},
    ]


def test_example_plain_caption_chat():
    assert chat('<poml><example captionStyle="plain"><input>abc</input><output>def</output></example></poml>') == [
        {"speaker": "system", "content": "Example:"},
        {"speaker": "human", "content": "abc"},
        {"speaker": "ai", "content": "def"},
    ]


def test_messages():
    markup = "<poml><system-msg>start</system-msg><ai-msg>hello</ai-msg><human-msg speaker='human'>yes</human-msg></poml>"
    assert chat(markup) == [
        {"speaker": "system", "content": "start"},
        {"speaker": "ai", "content": "hello"},
        {"speaker": "human", "content": "yes"},
    ]


def test_conversation_and_selection():
    msgs = [{"speaker": "system", "content": "Be brief"}, {"speaker": "human", "content": "Capital of France?"},
            {"speaker": "ai", "content": "Paris"}]
    assert chat('<poml><conversation messages="{{msgs}}"/></poml>', context={"msgs": msgs[1:]}) == msgs[1:]
    assert chat('<poml><conversation messages="{{msgs}}" selectedMessages="-1:"/></poml>',
                context={"msgs": msgs}) == [{"speaker": "ai", "content": "Paris"}]


def test_conversation_with_image():
    msgs = [{"speaker": "human", "content": [{"type": "image/png", "base64": PNG}]}]
    out = chat('<poml><conversation messages="{{msgs}}"/></poml>', context={"msgs": msgs})
    assert len(out) == 1 and out[0]["speaker"] == "human"
    part = out[0]["content"][0]
    assert part["type"] == "image/png" and part["base64"]


def test_tool_request_part():
    out = text('<poml><tool-request id="test-123" name="search" parameters=\'{"query": "hello world", "limit": 10}\'/></poml>')
    assert out == [{"type": "application/vnd.poml.toolrequest", "id": "test-123", "name": "search",
                    "content": {"query": "hello world", "limit": 10}}]


def test_tool_response_part():
    out = text('<poml><tool-response id="test-123" name="search"><p>Results</p></tool-response></poml>')
    assert len(out) == 1 and out[0]["type"] == "application/vnd.poml.toolresponse"
    assert (out[0]["id"], out[0]["name"]) == ("test-123", "search")


def test_image_alt_and_multimedia():
    assert text(f'<poml><p><img base64="{PNG}" alt="example"/></p></poml>') == "example"
    out = text(f'<poml><img base64="{PNG}" alt="example" syntax="multimedia"/></poml>')
    assert isinstance(out, list) and out[0]["type"] == "image/png" and out[0]["alt"] == "example"
