"""What every provider implements; the client does the HTTP, retries and tool loop."""

from __future__ import annotations

from typing import Any, Optional

from .._errors import StreamError
from .._models import Response, Usage
from .._streaming import SSEDecoder, SSEEvent, ToolCallAssembler

SCHEMA_TOOL = "json_output"  # the forced tool that carries structured output where a provider has no JSON mode


class StreamState:
    """Turns a provider's stream, one line at a time, into text deltas; ``response()`` is the reply.

    ``push(line)`` returns the text deltas that line completes; ``end()`` flushes and raises
    :class:`StreamError` when the stream stopped before the provider's end marker (lost output).
    """

    done = False

    def __init__(self, server: str):
        self.server = server

    def push(self, line: str) -> list:
        raise NotImplementedError

    def end(self) -> list:
        raise NotImplementedError

    def response(self) -> Response:
        raise NotImplementedError

    def truncated(self) -> StreamError:
        return StreamError(f"the stream from {self.server} ended before its end marker; the reply is incomplete, "
                           "send again", server=self.server)


class SSEStreamState(StreamState):
    """A stream of server-sent events; subclasses handle one event (returning text deltas)."""

    def __init__(self, server: str):
        super().__init__(server)
        self._decoder = SSEDecoder()

    def push(self, line: str) -> list:
        if self.done:
            return []
        ev = self._decoder.feed(line)
        return self.on_event(ev) if ev is not None else []

    def end(self) -> list:
        out = self.push("")
        if not self.done:
            raise self.truncated()
        return out

    def on_event(self, ev: SSEEvent) -> list:
        raise NotImplementedError


class ReplySSEState(SSEStreamState):
    """An SSE stream whose reply is gathered here: text deltas, tool-call fragments, finish reason,
    usage, model and the last event (what the OpenAI and Anthropic streams share)."""

    def __init__(self, server: str):
        super().__init__(server)
        self.text: list = []
        self.calls = ToolCallAssembler()
        self.finish: Optional[str] = None
        self.usage = Usage()
        self.model: Optional[str] = None
        self.last: Any = None

    def _text(self, text: str) -> list:
        self.text.append(text)
        return [text]

    def response(self) -> Response:
        return Response(text="".join(self.text), tool_calls=self.calls.calls(), finish_reason=self.finish,
                        usage=self.usage, model=self.model, raw=self.last)


class Provider:
    name = ""
    default_base_url = ""
    env_key: Optional[str] = None  # environment variable holding the API key
    needs_key = False

    def path(self, stream: bool) -> str:
        raise NotImplementedError

    def headers(self, api_key: Optional[str]) -> dict:
        raise NotImplementedError

    def body(self, messages: list, *, model: str, tools: Optional[list], schema: Optional[dict],
             runtime: Optional[dict], stream: bool, options: dict) -> dict:
        raise NotImplementedError

    def parse(self, data: Any) -> Response:
        raise NotImplementedError

    def stream_state(self, server: str) -> StreamState:
        raise NotImplementedError


def tool_spec(tool: dict) -> dict:
    """A rendered ``<tool-definition>`` or a user's dict as ``{name, description, parameters}``."""
    if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
        tool = tool["function"]
    return {"name": tool["name"], "description": tool.get("description") or "",
            "parameters": tool.get("parameters") or {"type": "object", "properties": {}}}


def snake_runtime(runtime: Optional[dict]) -> dict:
    if not runtime:  # the common case; skips the import and the copy on every request
        return {}
    from renderers._formats import camel_to_snake

    return {camel_to_snake(k): v for k, v in (runtime or {}).items()}
