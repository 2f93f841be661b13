"""OpenAI Chat Completions and the servers that speak it (vLLM, llama.cpp, Ollama /v1, LM Studio)."""

from __future__ import annotations

from typing import Any, Optional

from .._models import Response, ToolCall, Usage
from .._errors import StreamError
from .._streaming import loads, parse_arguments
from ._base import Provider, ReplySSEState, StreamState, snake_runtime, tool_spec


class OpenAIProvider(Provider):
    name = "openai"
    default_base_url = "https://api.openai.com/v1"
    env_key = "OPENAI_API_KEY"
    needs_key = True
    # "json_schema" (OpenAI, vLLM) or "json_object" (llama-cpp-python's server: schema inside json_object)
    schema_mode = "json_schema"

    def path(self, stream: bool) -> str:
        return "/chat/completions"

    def headers(self, api_key: Optional[str]) -> dict:
        # OpenAI-compatible local servers ignore the key but some insist on the header
        return {"Authorization": f"Bearer {api_key or 'none'}"}

    def body(self, messages, *, model, tools, schema, runtime, stream, options) -> dict:
        from renderers._formats import to_openai_messages

        body: dict = {"model": model, "messages": to_openai_messages(messages)}
        if tools:
            body["tools"] = [{"type": "function", "function": tool_spec(t)} for t in tools]
        if schema is not None:
            if self.schema_mode == "json_object":
                body["response_format"] = {"type": "json_object", "schema": schema}
            else:
                body["response_format"] = {"type": "json_schema",
                                           "json_schema": {"name": "schema", "schema": schema, "strict": True}}
        body.update(snake_runtime(runtime))
        body.update(options)
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    def parse(self, data: Any) -> Response:
        choice = (data.get("choices") or [{}])[0]
        msg = choice.get("message") or {}
        calls = [ToolCall(c.get("id", ""), c["function"]["name"], parse_arguments(c["function"].get("arguments")))
                 for c in msg.get("tool_calls") or []]
        return Response(text=msg.get("content") or "", tool_calls=calls, finish_reason=choice.get("finish_reason"),
                        usage=_usage(data.get("usage")), model=data.get("model"), raw=data)

    def stream_state(self, server: str) -> StreamState:
        return _OpenAIStream(server)


class LlamaCppProvider(OpenAIProvider):
    """llama.cpp's server (and llama-cpp-python's): OpenAI wire, but structured output is
    ``json_object`` + ``schema``, and ``tool_choice`` is only ever a string."""

    name = "llamacpp"
    default_base_url = "http://127.0.0.1:8000/v1"
    env_key = None
    needs_key = False
    schema_mode = "json_object"

    def body(self, messages, *, model, tools, schema, runtime, stream, options) -> dict:
        choice = options.get("tool_choice")
        if isinstance(choice, dict) and tools:
            # llama.cpp reads an object tool_choice as "auto"; "required" over just the named tool
            # forces the same call
            name = (choice.get("function") or {}).get("name") or choice.get("name")
            tools = [t for t in tools if tool_spec(t)["name"] == name] or tools
            options = {**options, "tool_choice": "required"}
        return super().body(messages, model=model, tools=tools, schema=schema, runtime=runtime, stream=stream,
                            options=options)


def _usage(u: Optional[dict]) -> Usage:
    u = u or {}
    return Usage(u.get("prompt_tokens"), u.get("completion_tokens"))


class _OpenAIStream(ReplySSEState):
    def on_event(self, ev) -> list:
        if ev.data == "[DONE]":
            self.done = True
            return []
        if not ev.data:
            return []
        chunk = loads(ev.data, self.server)
        if "error" in chunk:
            raise StreamError(f"{self.server} sent an error in the stream: {chunk['error']}", server=self.server)
        self.last = chunk
        self.model = chunk.get("model", self.model)
        if chunk.get("usage"):
            self.usage = _usage(chunk["usage"])
        out = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            for tc in delta.get("tool_calls") or []:
                fn = tc.get("function") or {}
                self.calls.add(tc.get("index", 0), tc.get("id"), fn.get("name"), fn.get("arguments"))
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
            if delta.get("content"):
                out += self._text(delta["content"])
        return out

    def end(self) -> list:
        # some servers omit [DONE]; a finish_reason still proves the reply is whole
        out = self.push("")
        if not self.done and self.finish is None:
            raise self.truncated()
        return out

