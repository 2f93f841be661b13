"""The output formats of ``poml.poml(..., format=...)``.

Everything starts from a :class:`RenderResult` (messages or rich content, plus
schema/tools/runtime) and produces what the official SDK returns after its
Node CLI ran:

* ``raw``: the CLI's compact JSON text (``JSON.stringify``), or with
  ``pretty=True`` its ``--prettyPrint`` text;
* ``message_dict``: the messages (chat) or the rich content (non-chat);
* ``dict``: ``{"messages", "schema"?, "tools"?, "runtime"?}``;
* ``openai_chat``, ``langchain``: the SDK's conversions;
* ``pydantic``: a ``PomlFrame``.

>>> r = RenderResult([{"speaker": "human", "content": "hi"}])
>>> format_result(r, "raw", chat=True)
'{"messages":[{"speaker":"human","content":"hi"}]}'
>>> format_result(r, "openai_chat", chat=True)
{'messages': [{'role': 'user', 'content': 'hi'}]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from ._jsjson import stringify
from ._multimedia import TOOL_REQUEST, TOOL_RESPONSE

FORMATS = ("raw", "message_dict", "dict", "openai_chat", "langchain", "pydantic")
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


@dataclass
class RenderResult:
    """A rendered prompt before formatting.

    ``messages`` is a list of ``{"speaker", "content"}`` dicts in chat mode and
    the rich content (``str`` or list of parts) otherwise.
    """

    messages: Any
    schema: Optional[dict] = None
    tools: Optional[list] = None
    runtime: Optional[dict] = None

    def as_dict(self) -> dict:
        """The CLI's result object; keys that are ``None`` are left out."""
        out: dict = {"messages": self.messages}
        if self.schema is not None:
            out["schema"] = self.schema
        if self.tools is not None:
            out["tools"] = self.tools
        if self.runtime is not None:
            out["runtime"] = self.runtime
        return out


def _pretty_content(content: Any) -> str:
    if isinstance(content, str):
        return content
    out = []
    for part in content:
        if isinstance(part, str):
            out.append(part)
        else:
            text = stringify(part)
            out.append(text[:100] + "..." if len(text) > 100 else text)
    return "\n\n".join(out)


def pretty_text(result: RenderResult, chat: bool) -> str:
    """The CLI's ``--prettyPrint true`` output."""
    if chat:
        return "\n\n".join(f"===== {m['speaker']} =====\n\n{_pretty_content(m['content'])}"
                           for m in result.messages)
    return _pretty_content(result.messages)


def _kind(part: Any) -> str:
    """Which SDK content model a part validates as: text, media, request or response."""
    if isinstance(part, str):
        return "text"
    if isinstance(part, dict):
        t = part.get("type")
        if "base64" in part and isinstance(t, str):
            return "media"
        if t == TOOL_REQUEST:
            return "request"
        if t == TOOL_RESPONSE:
            return "response"
    raise ValueError(f"Unexpected content part type: {type(part)}")


def _content_text(content: Any) -> str:
    """Rich content flattened to text (media as ``[mime: alt]``)."""
    if isinstance(content, str):
        return content
    out = []
    for part in content:
        if isinstance(part, str):
            out.append(part)
        elif _kind(part) == "media":
            alt = part.get("alt")
            out.append(f"[{part['type']}: {alt}]" if alt else f"[{part['type']}]")
        else:
            raise ValueError(f"Unexpected content part type: {type(part)}")
    return "\n\n".join(out)


def _sdk_messages(result: RenderResult, chat: bool) -> list:
    return list(result.messages) if chat else [{"speaker": "human", "content": result.messages}]


def to_openai_messages(messages: list) -> list:
    out: list = []
    data_urls: dict = {}  # one URL per distinct image: a picture repeated 1,000 times is one string
    for msg in messages:
        speaker, content = msg["speaker"], msg["content"]
        role = _ROLES.get(speaker)
        if role is None:
            raise ValueError(f"Unknown speaker: {speaker}")
        if speaker == "tool":
            if isinstance(content, list):
                for part in content:
                    if _kind(part) == "response":
                        out.append({"role": "tool", "content": _content_text(part["content"]),
                                    "tool_call_id": part["id"]})
            elif isinstance(content, str):
                out.append({"role": "tool", "content": content})
            continue
        if isinstance(content, str):
            out.append({"role": role, "content": content})
            continue
        parts: list = []
        calls: list = []
        for part in content:
            kind = _kind(part)
            if kind == "text":
                parts.append({"type": "text", "text": part})
            elif kind == "media":
                key = (part["type"], part["base64"])
                url = data_urls.get(key)
                if url is None:
                    url = data_urls[key] = f"data:{part['type']};base64,{part['base64']}"
                parts.append({"type": "image_url", "image_url": {"url": url}})
            elif kind == "request":
                if role != "assistant":
                    raise ValueError(f"Tool request found in non-assistant message with speaker: {speaker}")
                args = part.get("content")
                calls.append({"id": part["id"], "type": "function", "function": {
                    "name": part["name"], "arguments": args if isinstance(args, str) else json.dumps(args)}})
            else:
                raise ValueError(f"Tool response found in {speaker} message; should be in tool message")
        message: dict = {"role": role}
        if parts:
            message["content"] = parts[0]["text"] if len(parts) == 1 and parts[0]["type"] == "text" else parts
        if calls:
            message["tool_calls"] = calls
        if "content" in message or "tool_calls" in message:
            out.append(message)
    return out


def to_langchain_messages(messages: list) -> list:
    out: list = []
    for msg in messages:
        speaker, content = msg["speaker"], msg["content"]
        if isinstance(content, str):
            out.append({"type": speaker, "data": {"content": content}})
            continue
        parts: list = []
        calls: list = []
        for part in content:
            kind = _kind(part)
            if kind == "text":
                parts.append({"type": "text", "text": part})
            elif kind == "media":
                parts.append({"type": "image", "source_type": "base64", "data": part["base64"],
                              "mime_type": part["type"]})
            elif kind == "request":
                calls.append({"id": part["id"], "name": part["name"], "args": part.get("content")})
            else:
                out.append({"type": "tool", "data": {"content": _content_text(part["content"]),
                                                     "tool_call_id": part["id"], "name": part["name"]}})
        data: dict = {}
        if parts:
            data["content"] = parts[0]["text"] if len(parts) == 1 and parts[0]["type"] == "text" else parts
        if calls:
            data["tool_calls"] = calls
        if data:
            out.append({"type": speaker, "data": data})
    return out


def camel_to_snake(name: str) -> str:
    """``maxTokens`` -> ``max_tokens`` (the SDK's two-step rule)."""
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def format_result(result: RenderResult, format: str, *, chat: bool, pretty: bool = False) -> Any:
    """Turn a :class:`RenderResult` into the SDK's ``format`` (see module doc)."""
    if format == "raw":
        return pretty_text(result, chat) if pretty else stringify(result.as_dict())
    if format == "message_dict":
        return result.messages
    if format == "dict":
        return result.as_dict()
    if format == "pydantic":
        from ._models import PomlFrame, PomlMessage

        return PomlFrame(messages=[PomlMessage(**m) for m in _sdk_messages(result, chat)],
                         output_schema=result.schema, tools=result.tools, runtime=result.runtime)
    if format == "openai_chat":
        out: dict = {"messages": to_openai_messages(_sdk_messages(result, chat))}
        if result.tools:
            out["tools"] = [{"type": "function", "function": {
                "name": t.get("name", ""), "description": t.get("description", ""),
                "parameters": t.get("parameters", {})}} for t in result.tools]
        if result.schema:
            out["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "schema", "schema": result.schema, "strict": True}}
        if result.runtime:
            out.update({camel_to_snake(k): v for k, v in result.runtime.items()})
        return out
    if format == "langchain":
        d = result.as_dict()
        d["messages"] = to_langchain_messages(_sdk_messages(result, chat))
        return d
    raise ValueError(f"Unknown output format: {format}")
