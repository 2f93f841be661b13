"""Ollama's native ``/api/chat``: images as base64 lists, ``format`` for JSON, NDJSON streaming."""

from __future__ import annotations

from typing import Any, Optional

from .._errors import ConfigError, StreamError
from .._models import Response, ToolCall, Usage
from .._streaming import loads
from ._base import Provider, StreamState, snake_runtime, tool_spec
from ._convert import parts, request_args, text_of

_ROLE = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}
# runtime names -> Ollama's options
_OPTION = {"max_tokens": "num_predict", "max_completion_tokens": "num_predict"}
_TOP_LEVEL = ("keep_alive", "think")


class OllamaProvider(Provider):
    name = "ollama"
    default_base_url = "http://127.0.0.1:11434"

    def path(self, stream: bool) -> str:
        return "/api/chat"

    def headers(self, api_key: Optional[str]) -> dict:
        return {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def body(self, messages, *, model, tools, schema, runtime, stream, options) -> dict:
        body: dict = {"model": model, "messages": convert_messages(messages), "stream": stream}
        if tools:
            body["tools"] = [{"type": "function", "function": tool_spec(t)} for t in tools]
        if schema is not None:
            body["format"] = schema
        opts: dict = {}
        for key, value in snake_runtime(runtime).items():
            if key in _TOP_LEVEL:
                body[key] = value
            else:
                opts[_OPTION.get(key, key)] = value
        if opts:
            body["options"] = opts
        body.update(options)
        return body

    def parse(self, data: Any) -> Response:
        msg = data.get("message") or {}
        calls = [ToolCall(c.get("id") or f"call_{i}", c["function"]["name"], c["function"].get("arguments"))
                 for i, c in enumerate(msg.get("tool_calls") or [])]
        return Response(text=msg.get("content") or "", tool_calls=calls, finish_reason=data.get("done_reason"),
                        usage=Usage(data.get("prompt_eval_count"), data.get("eval_count")),
                        model=data.get("model"), raw=data)

    def stream_state(self, server: str) -> StreamState:
        return _OllamaStream(self, server)


def convert_messages(messages: list) -> list:
    out: list = []
    for msg in messages:
        speaker, content = msg["speaker"], msg["content"]
        role = _ROLE.get(speaker)
        if role is None:
            raise ConfigError(f"unknown speaker {speaker!r} in the messages (expected system, human, ai or tool)")
        text, images, calls = [], [], []
        for kind, part in parts(content):
            if kind == "text":
                text.append(part)
            elif kind == "media":
                images.append(part["base64"])
            elif kind == "request":
                calls.append({"function": {"name": part["name"], "arguments": request_args(part)}})
            else:  # a tool response is its own "tool" message
                out.append({"role": "tool", "content": text_of(part.get("content") or ""), "tool_name": part["name"]})
        if text or images or calls:
            m: dict = {"role": role, "content": "\n\n".join(text)}
            if images:
                m["images"] = images
            if calls:
                m["tool_calls"] = calls
            out.append(m)
    return out


class _OllamaStream(StreamState):
    def __init__(self, provider: OllamaProvider, server: str):
        super().__init__(server)
        self.provider = provider
        self.text: list = []
        self.calls: list = []
        self.final: Any = None

    def push(self, line: str) -> list:
        if self.done or not line.strip():
            return []
        chunk = loads(line, self.server)
        if "error" in chunk:
            raise StreamError(f"{self.server} sent an error in the stream: {chunk['error']}", server=self.server)
        msg = chunk.get("message") or {}
        self.calls.extend(msg.get("tool_calls") or [])  # Ollama sends each call whole
        if chunk.get("done"):
            self.final, self.done = chunk, True
        if msg.get("content"):
            self.text.append(msg["content"])
            return [msg["content"]]
        return []

    def end(self) -> list:
        if not self.done:
            raise self.truncated()
        return []

    def response(self) -> Response:
        final = dict(self.final or {})
        final["message"] = {"content": "".join(self.text), "tool_calls": self.calls}
        resp = self.provider.parse(final)
        resp.raw = self.final
        return resp
