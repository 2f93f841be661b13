"""The client against httpx.MockTransport: retries, errors, tools, schema, keys."""

import asyncio
import json

import httpx
import pytest

import backends
from backends._retry import RetryPolicy

from _backends_helpers import FAST, Recorder, openai_reply


def test_public_surface_is_the_documented_map():
    assert backends.__all__ == sorted(backends.__all__)
    for name in backends.__all__:
        assert getattr(backends, name) is not None
    assert issubclass(backends.RateLimitError, backends.StatusError)
    assert issubclass(backends.TimeoutError, backends.RequestError)
    assert issubclass(backends.SchemaError, backends.ResponseError)
    assert issubclass(backends.ConfigError, backends.BackendError)


def test_import_poml_and_cli_do_not_import_httpx():
    import subprocess
    import sys

    code = "import sys, poml, poml.cli, backends; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_renders_markup_with_context_and_sends_runtime(client_for):
    rec = Recorder(openai_reply("hello"))
    r = client_for(rec).send('<poml><runtime temperature="0.2" max-tokens="7"/><p>Hi {{name}}</p></poml>',
                             context={"name": "Ada"})
    assert rec.bodies[0]["messages"] == [{"role": "user", "content": "Hi Ada"}]
    assert rec.bodies[0]["temperature"] == 0.2 and rec.bodies[0]["max_tokens"] == 7
    assert r.text == "hello" and r.finish_reason == "stop" and r.usage.input_tokens == 5
    assert r.messages[-1] == {"speaker": "ai", "content": "hello"}


def test_retries_429_then_succeeds_honouring_retry_after_ms(client_for):
    rec = Recorder(httpx.Response(429, headers={"retry-after-ms": "1"}, json={"error": {"message": "slow down"}}),
                   openai_reply("done"))
    assert client_for(rec).send([{"role": "user", "content": "x"}]).text == "done"
    assert len(rec.bodies) == 2 and rec.bodies[0] == rec.bodies[1]


@pytest.mark.parametrize("status,cls", [(500, backends.ServerError), (503, backends.ServerError),
                                        (408, backends.ServerError), (409, backends.ServerError),
                                        (429, backends.RateLimitError)])
def test_retryable_statuses_stop_after_max_retries(client_for, status, cls):
    rec = Recorder(httpx.Response(status, json={"error": {"message": "boom"}}))
    with pytest.raises(cls) as info:
        client_for(rec).send([{"role": "user", "content": "x"}])
    assert len(rec.bodies) == 3  # 1 + max_retries
    msg = str(info.value)
    assert f"HTTP {status}" in msg and "after 3 attempts" in msg and "127.0.0.1:9" in msg and "boom" in msg
    assert info.value.status == status


@pytest.mark.parametrize("status,cls", [(400, backends.BadRequestError), (401, backends.AuthenticationError),
                                        (404, backends.BadRequestError), (422, backends.BadRequestError)])
def test_client_errors_are_not_retried(client_for, status, cls):
    rec = Recorder(httpx.Response(status, text="nope"))
    with pytest.raises(cls):
        client_for(rec).send([{"role": "user", "content": "x"}])
    assert len(rec.bodies) == 1


def test_x_should_retry_header_overrides(client_for):
    rec = Recorder(httpx.Response(400, headers={"x-should-retry": "true"}), openai_reply("ok"))
    assert client_for(rec).send([{"role": "user", "content": "x"}]).text == "ok"
    rec = Recorder(httpx.Response(503, headers={"x-should-retry": "false"}))
    with pytest.raises(backends.ServerError):
        client_for(rec).send([{"role": "user", "content": "x"}])
    assert len(rec.bodies) == 1


def test_connection_errors_and_timeouts_are_retried_then_explained(client_for):
    rec = Recorder(httpx.ConnectError("refused"), openai_reply("up"))
    assert client_for(rec).send([{"role": "user", "content": "x"}]).text == "up"
    rec = Recorder(httpx.ReadTimeout("slow"))
    with pytest.raises(backends.TimeoutError, match="did not answer in time after 3 attempts"):
        client_for(rec).send([{"role": "user", "content": "x"}])
    rec = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(backends.ConnectError, match="is it running"):
        client_for(rec).send([{"role": "user", "content": "x"}])


def test_backoff_is_jittered_exponential_and_capped():
    import random

    p = RetryPolicy(rng=random.Random(1))
    for n in range(8):
        d = p.delay(n)
        base = min(0.5 * 2 ** n, 8.0)
        assert 0.75 * base <= d <= base
    assert p.delay(0, {"retry-after": "3"}) == 3.0
    assert p.delay(0, {"retry-after-ms": "250"}) == 0.25
    assert p.delay(0, {"retry-after": "600"}) <= 0.5  # absurd hints fall back to backoff


def test_api_key_never_in_errors_or_repr(client_for, monkeypatch):
    secret = "sk-test-SECRET-1234567890"
    rec = Recorder(httpx.Response(401, json={"error": {"message": f"bad key {secret}"}}))
    c = client_for(rec, model="openai:gpt-4o", base_url=None, api_key=secret)
    with pytest.raises(backends.AuthenticationError) as info:
        c.send([{"role": "user", "content": "x"}])
    assert secret not in str(info.value) and secret not in repr(c) and "check the API key" in str(info.value)
    assert rec.requests[0].headers["authorization"] == f"Bearer {secret}"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(backends.ConfigError, match="OPENAI_API_KEY"):
        backends.Client("openai:gpt-4o")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "ak-env")
    assert backends.Client("anthropic:claude-x")._headers["x-api-key"] == "ak-env"


def test_config_errors_say_what_to_do():
    with pytest.raises(backends.ConfigError, match="model= is required"):
        backends.Client(None)
    with pytest.raises(backends.ConfigError, match="unknown provider"):
        backends.Client("m", provider="nope", base_url="http://127.0.0.1:9")
    with pytest.raises(backends.ConfigError, match="not found"):
        backends.send("missing.poml", model="m", base_url="http://127.0.0.1:9")
    with pytest.raises(backends.ConfigError, match="role"):
        backends.send([{"role": "wizard", "content": "x"}], model="m", base_url="http://127.0.0.1:9")


def _tool_call(i, name, args):
    return {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def test_tool_loop_runs_callables_and_returns_the_exchange(client_for):
    rec = Recorder(openai_reply("", [_tool_call(1, "add", {"a": 2, "b": 3})], "tool_calls"), openai_reply("5"))

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    r = client_for(rec).send([{"role": "user", "content": "2+3?"}], tools={"add": add})
    assert r.text == "5"
    tool_def = rec.bodies[0]["tools"][0]["function"]
    assert tool_def["name"] == "add" and tool_def["parameters"]["properties"] == {"a": {"type": "integer"},
                                                                                 "b": {"type": "integer"}}
    second = rec.bodies[1]["messages"]
    assert second[1]["tool_calls"][0]["id"] == "call_1"
    assert second[2] == {"role": "tool", "content": "5", "tool_call_id": "call_1"}
    assert [m["speaker"] for m in r.messages] == ["human", "ai", "tool", "ai"]


def test_tool_loop_turn_limit_and_unknown_tool(client_for):
    rec = Recorder(openai_reply("", [_tool_call(1, "f", {})], "tool_calls"))
    with pytest.raises(backends.ToolError, match="after 2 turns"):
        client_for(rec).send([{"role": "user", "content": "x"}], tools={"f": lambda: 1}, max_turns=2)
    with pytest.raises(backends.ToolError, match="'f'"):
        client_for(rec).send([{"role": "user", "content": "x"}], tools={"g": lambda: 1})


def test_tool_exception_is_reported_to_the_model(client_for):
    rec = Recorder(openai_reply("", [_tool_call(1, "f", {})], "tool_calls"), openai_reply("sorry"))

    def f():
        raise RuntimeError("disk full")

    client_for(rec).send([{"role": "user", "content": "x"}], tools={"f": f})
    assert rec.bodies[1]["messages"][2]["content"] == "error: RuntimeError: disk full"


SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def test_schema_reply_is_parsed_and_validated(client_for):
    rec = Recorder(openai_reply('```json\n{"n": 4}\n```'))
    assert client_for(rec).send([{"role": "user", "content": "x"}], schema=SCHEMA).parsed == {"n": 4}
    assert rec.bodies[0]["response_format"]["json_schema"]["schema"] == SCHEMA
    with pytest.raises(backends.SchemaError, match="n: 'four' is not of type 'integer'"):
        client_for(Recorder(openai_reply('{"n": "four"}'))).send([{"role": "user", "content": "x"}], schema=SCHEMA)
    with pytest.raises(backends.SchemaError, match="not JSON"):
        client_for(Recorder(openai_reply("four"))).send([{"role": "user", "content": "x"}], schema=SCHEMA)


def test_pydantic_model_as_schema(client_for):
    pydantic = pytest.importorskip("pydantic")

    class Answer(pydantic.BaseModel):
        n: int

    r = client_for(Recorder(openai_reply('{"n": 1}'))).send([{"role": "user", "content": "x"}], schema=Answer)
    assert r.parsed == Answer(n=1)


def test_llamacpp_schema_goes_in_json_object(client_for):
    rec = Recorder(openai_reply('{"n": 1}'))
    client_for(rec, model="llamacpp:smol").send([{"role": "user", "content": "x"}], schema=SCHEMA)
    assert rec.bodies[0]["response_format"] == {"type": "json_object", "schema": SCHEMA}


def test_llamacpp_forced_tool_becomes_required_over_that_tool(client_for):
    rec = Recorder(openai_reply())
    prompt = ('<poml><tool-definition name="a" description="A.">{"type": "object"}</tool-definition>'
              '<tool-definition name="b" description="B.">{"type": "object"}</tool-definition><p>go</p></poml>')
    c = client_for(rec, model="llamacpp:smol")
    c.send(prompt, tool_choice={"type": "function", "function": {"name": "b"}})
    assert rec.bodies[0]["tool_choice"] == "required"
    assert [t["function"]["name"] for t in rec.bodies[0]["tools"]] == ["b"]
    c.send(prompt, tool_choice="auto")  # strings pass through, with every tool
    assert rec.bodies[1]["tool_choice"] == "auto" and len(rec.bodies[1]["tools"]) == 2


def test_compress_and_guard_are_duck_typed(client_for):
    class Halver:
        def compress(self, texts, rate):
            return [t[: len(t) // 2] for t in texts]

    class Guard:
        def protect(self, messages):
            return [{"speaker": "system", "content": "intent: add"}] + list(messages)

    rec = Recorder(openai_reply())
    client_for(rec).send([{"role": "system", "content": "rules"}, {"role": "user", "content": "abcdefgh"}],
                         compress=Halver(), guard=Guard())
    assert rec.bodies[0]["messages"] == [{"role": "system", "content": "intent: add"},
                                         {"role": "system", "content": "rules"}, {"role": "user", "content": "abcd"}]
    with pytest.raises(backends.ConfigError, match="compress="):
        client_for(rec).send("<p>x</p>", compress=object())


def test_async_sends_run_concurrently_under_the_limit():
    inflight = {"now": 0, "max": 0}

    async def handler(request):
        inflight["now"] += 1
        inflight["max"] = max(inflight["max"], inflight["now"])
        await asyncio.sleep(0.01)
        inflight["now"] -= 1
        return openai_reply(json.loads(request.content)["messages"][0]["content"])

    async def main():
        async with backends.AsyncClient("m", base_url="http://127.0.0.1:9/v1", max_concurrency=4, retry=FAST,
                                        transport=httpx.MockTransport(handler)) as c:
            return await asyncio.gather(*(c.send([{"role": "user", "content": str(i)}]) for i in range(20)))

    out = asyncio.run(main())
    assert [r.text for r in out] == [str(i) for i in range(20)]
    assert 1 < inflight["max"] <= 4


def test_async_tools_may_be_coroutines():
    rec = Recorder(openai_reply("", [_tool_call(1, "f", {"x": 2})], "tool_calls"), openai_reply("done"))

    async def f(x: int):
        await asyncio.sleep(0)
        return x * 10

    async def main():
        return await backends.asend([{"role": "user", "content": "x"}], model="m", base_url="http://127.0.0.1:9/v1",
                                    transport=httpx.MockTransport(rec), tools={"f": f})

    assert asyncio.run(main()).text == "done"
    assert rec.bodies[1]["messages"][2]["content"] == "20"
