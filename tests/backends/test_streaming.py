"""Streams over MockTransport: SSE (OpenAI), named events (Anthropic), NDJSON (Ollama)."""

import asyncio
import json

import httpx
import pytest

import backends
from backends._streaming import SSEDecoder

from _backends_helpers import FAST, Recorder


def sse(*chunks, done=True):
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + ("data: [DONE]\n\n" if done else "")
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def named(*events):
    body = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def delta(**d):
    return {"choices": [{"index": 0, "delta": d, "finish_reason": None}]}


def test_openai_stream_text_and_fragmented_tool_call(client_for):
    rec = Recorder(sse(delta(content="Hel"), delta(content="lo"),
                       delta(tool_calls=[{"index": 0, "id": "c1", "function": {"name": "get", "arguments": '{"ci'}}]),
                       delta(tool_calls=[{"index": 0, "function": {"arguments": 'ty": "Oslo"}'}}]),
                       {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
                       {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}))
    s = client_for(rec).stream([{"role": "user", "content": "x"}])
    assert list(s) == ["Hel", "lo"]
    r = s.response
    assert r.text == "Hello" and r.finish_reason == "tool_calls" and r.usage.output_tokens == 4
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [("c1", "get", {"city": "Oslo"})]
    assert rec.bodies[0]["stream"] is True and rec.bodies[0]["stream_options"] == {"include_usage": True}


def test_stream_with_tools_streams_every_turn(client_for):
    rec = Recorder(sse(delta(tool_calls=[{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{}"}}]),
                       {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
                   sse(delta(content="42"), {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    s = client_for(rec).stream([{"role": "user", "content": "x"}], tools={"f": lambda: 42})
    assert "".join(s) == "42" and len(rec.bodies) == 2
    assert rec.bodies[1]["messages"][-1] == {"role": "tool", "content": "42", "tool_call_id": "c1"}


def test_truncated_stream_is_an_error_and_never_retried(client_for):
    rec = Recorder(sse(delta(content="par"), done=False), sse(delta(content="never")))
    s = client_for(rec).stream([{"role": "user", "content": "x"}])
    seen = []
    with pytest.raises(backends.StreamError, match="incomplete"):
        for d in s:
            seen.append(d)
    assert seen == ["par"] and len(rec.bodies) == 1


def test_stream_status_error_before_start_is_retried(client_for):
    rec = Recorder(httpx.Response(503), sse(delta(content="ok"),
                                            {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    assert "".join(client_for(rec).stream([{"role": "user", "content": "x"}])) == "ok"
    assert len(rec.bodies) == 2


def test_broken_connection_mid_stream_is_a_stream_error(client_for):
    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
            raise httpx.RemoteProtocolError("peer closed")

    rec = Recorder(lambda req: httpx.Response(200, stream=Broken()), sse(delta(content="b")))
    with pytest.raises(backends.StreamError, match="broke after it started"):
        list(client_for(rec).stream([{"role": "user", "content": "x"}]))
    assert len(rec.bodies) == 1


def test_anthropic_named_events_with_tool_json_fragments(client_for):
    rec = Recorder(named(
        ("message_start", {"type": "message_start", "message": {"model": "claude-x", "usage": {"input_tokens": 9}}}),
        ("ping", {"type": "ping"}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("content_block_start", {"type": "content_block_start", "index": 1,
                                 "content_block": {"type": "tool_use", "id": "tu1", "name": "get", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"q":'}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ' 1}'}}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 7}}),
        ("message_stop", {"type": "message_stop"})))
    s = client_for(rec, model="anthropic:claude-x", api_key="k", base_url="http://127.0.0.1:9").stream("<p>x</p>")
    assert list(s) == ["Let me"]
    r = s.response
    assert r.model == "claude-x" and r.finish_reason == "tool_use" and (r.usage.input_tokens, r.usage.output_tokens) == (9, 7)
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [("tu1", "get", {"q": 1})]
    assert str(rec.requests[0].url) == "http://127.0.0.1:9/v1/messages"


def test_anthropic_error_event(client_for):
    rec = Recorder(named(("message_start", {"type": "message_start", "message": {}}),
                         ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})))
    with pytest.raises(backends.StreamError, match="Overloaded"):
        list(client_for(rec, model="anthropic:c", api_key="k").stream("<p>x</p>"))


def ndjson(*lines):
    return httpx.Response(200, content="".join(json.dumps(x) + "\n" for x in lines).encode())


def test_ollama_ndjson_stream_with_whole_tool_calls(client_for):
    rec = Recorder(ndjson({"model": "llama3", "message": {"role": "assistant", "content": "Hi"}, "done": False},
                          {"model": "llama3", "message": {"role": "assistant", "content": "",
                           "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}, "done": False},
                          {"model": "llama3", "message": {"role": "assistant", "content": ""}, "done": True,
                           "done_reason": "stop", "prompt_eval_count": 4, "eval_count": 2}))
    s = client_for(rec, model="ollama:llama3", base_url="http://127.0.0.1:9").stream("<p>x</p>")
    assert list(s) == ["Hi"]
    r = s.response
    assert r.finish_reason == "stop" and r.usage.output_tokens == 2 and r.tool_calls[0].arguments == {"a": 1}
    assert rec.bodies[0]["stream"] is True and str(rec.requests[0].url).endswith("/api/chat")
    with pytest.raises(backends.StreamError, match="incomplete"):
        list(client_for(Recorder(ndjson({"message": {"content": "a"}, "done": False})), model="ollama:l").stream("<p>x</p>"))


def test_async_stream():
    rec = Recorder(sse(delta(content="a"), delta(content="b"),
                       {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))

    async def main():
        async with backends.AsyncClient("m", base_url="http://127.0.0.1:9/v1", retry=FAST,
                                        transport=httpx.MockTransport(rec)) as c:
            s = c.stream([{"role": "user", "content": "x"}])
            return [d async for d in s], s.response

    deltas, resp = asyncio.run(main())
    assert deltas == ["a", "b"] and resp.text == "ab"


def test_sse_decoder_follows_the_spec():
    d = SSEDecoder()
    lines = [": comment", "event: x", "data: a", "data:b", "", "data: c", ""]
    events = [e for e in (d.feed(line) for line in lines) if e]
    assert [(e.event, e.data) for e in events] == [("x", "a\nb"), (None, "c")]
