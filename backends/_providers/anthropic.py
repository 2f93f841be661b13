"""Anthropic Messages: system on top, user/assistant alternating, content blocks, named SSE events."""

from __future__ import annotations

import json
from typing import Any, Optional

from .._errors import ConfigError, StreamError
from .._models import Response, ToolCall, Usage
from .._streaming import loads
from ._base import SCHEMA_TOOL, Provider, ReplySSEState, StreamState, snake_runtime, tool_spec
from ._convert import parts, request_args, text_of

DEFAULT_MAX_TOKENS = 1024
_ROLE = {"human": "user", "ai": "assistant", "tool": "user"}
# runtime names the renderer may give -> Anthropic's names
_RENAME = {"stop": "stop_sequences", "max_completion_tokens": "max_tokens"}
_DROP = ("frequency_penalty", "presence_penalty", "seed", "n")


class AnthropicProvider(Provider):
    name = "anthropic"
    default_base_url = "https://api.anthropic.com"
    env_key = "ANTHROPIC_API_KEY"
    needs_key = True
    version = "2023-06-01"

    def path(self, stream: bool) -> str:
        return "/v1/messages"

    def headers(self, api_key: Optional[str]) -> dict:
        return {"x-api-key": api_key or "none", "anthropic-version": self.version}

    def body(self, messages, *, model, tools, schema, runtime, stream, options) -> dict:
        system, turns = convert_messages(messages)
        body: dict = {"model": model, "messages": turns, "max_tokens": DEFAULT_MAX_TOKENS}
        if system:
            body["system"] = system
        specs = [tool_spec(t) for t in tools or []]
        body_tools = [{"name": s["name"], "description": s["description"], "input_schema": s["parameters"]}
                      for s in specs]
        if schema is not None:
            body_tools.append({"name": SCHEMA_TOOL, "description": "Respond with JSON that fits this schema.",
                               "input_schema": _object_schema(schema)})
            body["tool_choice"] = {"type": "tool", "name": SCHEMA_TOOL}
        if body_tools:
            body["tools"] = body_tools
        for key, value in snake_runtime(runtime).items():
            if key not in _DROP:
                body[_RENAME.get(key, key)] = [value] if key == "stop" and isinstance(value, str) else value
        body.update(options)
        if stream:
            body["stream"] = True
        return body

    def parse(self, data: Any) -> Response:
        text, calls = [], []
        for block in data.get("content") or []:
            if block.get("type") == "text":
                text.append(block.get("text", ""))
            elif block.get("type") == "tool_use":
                calls.append(ToolCall(block.get("id", ""), block["name"], block.get("input")))
        return _finish(Response(text="".join(text), tool_calls=calls, finish_reason=data.get("stop_reason"),
                                usage=_usage(data.get("usage")), model=data.get("model"), raw=data))

    def stream_state(self, server: str) -> StreamState:
        return _AnthropicStream(server)


def _object_schema(schema: dict) -> dict:
    """Tool input must be an object; other schemas travel wrapped in ``{"value": ...}``."""
    if schema.get("type") == "object":
        return schema
    return {"type": "object", "properties": {"value": schema}, "required": ["value"]}


def _finish(resp: Response) -> Response:
    """The forced schema tool's input becomes the reply's JSON text."""
    for call in resp.tool_calls:
        if call.name == SCHEMA_TOOL:
            value = call.arguments
            if isinstance(value, dict) and set(value) == {"value"}:
                value = value["value"]
            resp.text = value if isinstance(value, str) else json.dumps(value)
            resp.tool_calls = [c for c in resp.tool_calls if c.name != SCHEMA_TOOL]
            break
    return resp


def _usage(u: Optional[dict]) -> Usage:
    u = u or {}
    return Usage(u.get("input_tokens"), u.get("output_tokens"))


def convert_messages(messages: list) -> tuple:
    """``message_dict`` -> ``(system_text, [user/assistant turns])``, consecutive roles merged."""
    system: list = []
    turns: list = []
    for msg in messages:
        speaker, content = msg["speaker"], msg["content"]
        if speaker == "system":
            system.append(text_of(content))
            continue
        role = _ROLE.get(speaker)
        if role is None:
            raise ConfigError(f"unknown speaker {speaker!r} in the messages (expected system, human, ai or tool)")
        blocks = [b for b in (_block(kind, part, speaker) for kind, part in parts(content)) if b is not None]
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return "\n\n".join(s for s in system if s), turns


def _block(kind: str, part: Any, speaker: str) -> Optional[dict]:
    if kind == "text":
        return {"type": "text", "text": part} if part else None
    if kind == "media":
        return {"type": "image", "source": {"type": "base64", "media_type": part["type"], "data": part["base64"]}}
    if kind == "request":
        return {"type": "tool_use", "id": part["id"], "name": part["name"], "input": request_args(part)}
    content = part.get("content")
    return {"type": "tool_result", "tool_use_id": part["id"],
            "content": text_of(content) if content is not None else ""}


class _AnthropicStream(ReplySSEState):
    def on_event(self, ev) -> list:
        if not ev.data:
            return []
        data = loads(ev.data, self.server)
        kind = ev.event or data.get("type")
        self.last = data
        if kind == "error":
            raise StreamError(f"{self.server} sent an error event: {data.get('error', data)}", server=self.server)
        if kind == "message_start":
            msg = data.get("message") or {}
            self.model = msg.get("model")
            self.usage = _usage(msg.get("usage"))
        elif kind == "content_block_start":
            block = data.get("content_block") or {}
            if block.get("type") == "tool_use":
                self.calls.add(data.get("index", 0), block.get("id"), block.get("name"))
            elif block.get("type") == "text" and block.get("text"):
                return self._text(block["text"])
        elif kind == "content_block_delta":
            delta = data.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                return self._text(delta["text"])
            if delta.get("type") == "input_json_delta":
                self.calls.add(data.get("index", 0), arguments=delta.get("partial_json", ""))
        elif kind == "message_delta":
            self.finish = (data.get("delta") or {}).get("stop_reason", self.finish)
            out = (data.get("usage") or {}).get("output_tokens")
            if out is not None:
                self.usage.output_tokens = out
        elif kind == "message_stop":
            self.done = True
        return []

    def response(self) -> Response:
        return _finish(super().response())
