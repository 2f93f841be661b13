"""Output formats: raw (compact and pretty), dict, message_dict, openai_chat, langchain, pydantic."""

from __future__ import annotations

import json

import pytest

from renderers import RenderResult, format_result
from renderers._js import format_number, js_ordered
from renderers._jsjson import parse_json, stringify

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR42mP4z8DAAMIM/4EAAB/uBfvxq7p3AAAAAElFTkSuQmCC"
TOOL_CYCLE = [
    {"speaker": "human", "content": "w?"},
    {"speaker": "ai", "content": [{"type": "application/vnd.poml.toolrequest", "content": {"q": 1}, "id": "c1",
                                   "name": "w"}]},
    {"speaker": "tool", "content": [{"type": "application/vnd.poml.toolresponse", "content": "rain", "id": "c1",
                                     "name": "w"}]},
    {"speaker": "ai", "content": "Rainy."},
]


def test_raw_compact_matches_cli():
    raw = format_result(RenderResult(TOOL_CYCLE), "raw", chat=True)
    assert raw == ('{"messages":[{"speaker":"human","content":"w?"},{"speaker":"ai","content":[{"type":'
                   '"application/vnd.poml.toolrequest","content":{"q":1},"id":"c1","name":"w"}]},{"speaker":"tool",'
                   '"content":[{"type":"application/vnd.poml.toolresponse","content":"rain","id":"c1","name":"w"}]},'
                   '{"speaker":"ai","content":"Rainy."}]}')


def test_raw_pretty_matches_cli():
    text = format_result(RenderResult(TOOL_CYCLE), "raw", chat=True, pretty=True)
    assert text == ('===== human =====\n\nw?\n\n===== ai =====\n\n{"type":"application/vnd.poml.toolrequest",'
                    '"content":{"q":1},"id":"c1","name":"w"}\n\n===== tool =====\n\n{"type":"application/vnd.poml.'
                    'toolresponse","content":"rain","id":"c1","name":"w"}\n\n===== ai =====\n\nRainy.')


def test_raw_pretty_truncates_media():
    content = ["Look:", {"type": "image/png", "base64": PNG, "alt": "tiny"}]
    text = format_result(RenderResult(content), "raw", chat=False, pretty=True)
    first, media = text.split("\n\n")
    assert first == "Look:" and media.endswith("...") and len(media) == 103


def test_raw_empty_and_optional_keys():
    assert format_result(RenderResult([{"speaker": "human", "content": []}]), "raw", chat=True) == \
        '{"messages":[{"speaker":"human","content":[]}]}'
    r = RenderResult("x", schema={"type": "object"}, tools=None, runtime={"temperature": 0.5})
    assert format_result(r, "raw", chat=False) == '{"messages":"x","schema":{"type":"object"},"runtime":{"temperature":0.5}}'
    assert format_result(r, "dict", chat=False) == {"messages": "x", "schema": {"type": "object"},
                                                    "runtime": {"temperature": 0.5}}


def test_openai_chat_tools_schema_runtime():
    tools = [{"type": "function", "name": "w", "description": "weather", "parameters": {"type": "object"}}]
    r = RenderResult(TOOL_CYCLE, schema={"type": "object"}, tools=tools, runtime={"maxTokens": 5, "topP": 1})
    out = format_result(r, "openai_chat", chat=True)
    assert out["messages"] == [
        {"role": "user", "content": "w?"},
        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                              "function": {"name": "w", "arguments": '{"q": 1}'}}]},
        {"role": "tool", "content": "rain", "tool_call_id": "c1"},
        {"role": "assistant", "content": "Rainy."},
    ]
    assert out["tools"] == [{"type": "function", "function": {"name": "w", "description": "weather",
                                                              "parameters": {"type": "object"}}}]
    assert out["response_format"] == {"type": "json_schema", "json_schema": {"name": "schema",
                                                                             "schema": {"type": "object"},
                                                                             "strict": True}}
    assert out["max_tokens"] == 5 and out["top_p"] == 1


def test_openai_chat_images_and_non_chat():
    content = ["Look:", {"type": "image/png", "base64": PNG, "alt": "tiny"}]
    out = format_result(RenderResult(content), "openai_chat", chat=False)
    assert out == {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "Look:"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}]}


def test_openai_rejects_tool_request_from_human():
    msgs = [{"speaker": "human", "content": TOOL_CYCLE[1]["content"]}]
    with pytest.raises(ValueError, match="non-assistant"):
        format_result(RenderResult(msgs), "openai_chat", chat=True)


def test_langchain():
    out = format_result(RenderResult(TOOL_CYCLE, runtime={"a": 1}), "langchain", chat=True)
    assert out == {"messages": [
        {"type": "human", "data": {"content": "w?"}},
        {"type": "ai", "data": {"tool_calls": [{"id": "c1", "name": "w", "args": {"q": 1}}]}},
        {"type": "tool", "data": {"content": "rain", "tool_call_id": "c1", "name": "w"}},
        {"type": "ai", "data": {"content": "Rainy."}},
    ], "runtime": {"a": 1}}


def test_pydantic():
    frame = format_result(RenderResult(TOOL_CYCLE, schema={"type": "object"}), "pydantic", chat=True)
    dumped = frame.model_dump()
    assert dumped["output_schema"] == {"type": "object"} and dumped["tools"] is None
    assert dumped["messages"][1]["content"][0]["id"] == "c1"
    frame = format_result(RenderResult("hello"), "pydantic", chat=False)
    assert frame.model_dump()["messages"] == [{"speaker": "human", "content": "hello"}]
    from renderers import PomlFrame
    assert isinstance(frame, PomlFrame)


def test_unknown_format():
    with pytest.raises(ValueError, match="Unknown output format: yaml"):
        format_result(RenderResult("x"), "yaml", chat=False)


@pytest.mark.parametrize("x,text", [(1.0, "1"), (0.1, "0.1"), (1e21, "1e+21"), (1e-7, "1e-7"),
                                    (123456789012345680000.0, "123456789012345680000"), (-0.0, "0"),
                                    (1e-6, "0.000001"), (2.5e-8, "2.5e-8")])
def test_js_numbers(x, text):
    assert format_number(x) == text


def test_js_key_order_and_json_parse():
    assert list(js_ordered({"b": 1, "2": 2, "1": 3, "01": 4})) == ["1", "2", "b", "01"]
    assert parse_json('{"a": 1.0, "b": [2.5]}') == {"a": 1, "b": [2.5]}
    assert isinstance(parse_json("1.0"), int)
    assert stringify({"s": "é\n\u2028\x01"}) == json.dumps({"s": "é\n\u2028\x01"}, ensure_ascii=False,
                                                            separators=(",", ":"))
    assert stringify(float("nan")) == "null"


def test_lone_surrogates_are_escaped_like_json_stringify():
    assert stringify("a\ud800b") == '"a\\ud800b"'


def test_results_of_an_unchanged_prompt_are_independent_copies():
    import poml

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    markup = f"<poml><p>Hi</p><img base64='{png}' alt='x' syntax='multimedia'/></poml>"
    first = poml.poml(markup)
    first[0]["content"].append("mutated")
    first[0]["speaker"] = "ai"
    second = poml.poml(markup)
    assert second[0]["speaker"] == "human" and "mutated" not in second[0]["content"]
