"""Python callables as tools: their definitions, and answering the model's calls."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any, Callable, Mapping

from ._errors import ToolError
from renderers._multimedia import TOOL_REQUEST, TOOL_RESPONSE

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}


def definition(name: str, fn: Callable) -> dict:
    """A tool definition from ``fn``'s signature and docstring (for tools not in the prompt)."""
    props: dict = {}
    required: list = []
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: fall back to untyped parameters
        hints = {}
    for pname, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        t = _JSON_TYPES.get(typing.get_origin(hints.get(pname)) or hints.get(pname))
        props[pname] = {"type": t} if t else {}
        if param.default is param.empty:
            required.append(pname)
    return {"name": name, "description": inspect.getdoc(fn) or "",
            "parameters": {"type": "object", "properties": props, "required": required}}


def merge_definitions(rendered: list, tools: Mapping[str, Callable]) -> list:
    """The prompt's ``<tool-definition>``s, plus one per callable the prompt does not define."""
    if not tools:
        return list(rendered)
    names = {(t.get("function") or t).get("name") for t in rendered}
    return list(rendered) + [definition(n, fn) for n, fn in tools.items() if n not in names]


def request_message(resp) -> dict:
    """The assistant's reply with its tool calls, as a ``message_dict`` message."""
    content: list = [resp.text] if resp.text else []
    content += [{"type": TOOL_REQUEST, "id": c.id, "name": c.name, "content": c.arguments} for c in resp.tool_calls]
    return {"speaker": "ai", "content": content}


def answer(calls: list, tools: Mapping[str, Callable], allow_async: bool = False) -> dict:
    """Runs each call and returns the ``tool`` message with every result."""
    out: list = []
    for call in calls:
        fn = tools.get(call.name)
        if fn is None:
            raise ToolError(f"the model called tool {call.name!r} but tools= has only {sorted(tools)}; "
                            "pass a callable for it")
        args = call.arguments
        if not isinstance(args, dict):
            raise ToolError(f"the model's arguments for {call.name!r} are not a JSON object: {args!r}")
        try:
            result = fn(**args)
        except Exception as exc:  # the model sees the failure and may recover
            result = f"error: {type(exc).__name__}: {exc}"
        part = {"type": TOOL_RESPONSE, "id": call.id, "name": call.name}
        if inspect.isawaitable(result):  # only the async client can run these
            if not allow_async:
                result.close()
                raise ToolError(f"tool {call.name!r} is a coroutine function; use asend/astream or a plain function")
            part["_awaitable"] = result
        else:
            part["content"] = _text(result)
        out.append(part)
    return {"speaker": "tool", "content": out}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


async def aanswer(calls: list, tools: Mapping[str, Callable]) -> dict:
    """``answer`` for the async client: coroutine tools are awaited."""
    msg = answer(calls, tools, allow_async=True)
    for part in msg["content"]:
        pending = part.pop("_awaitable", None)
        if pending is not None:
            try:
                part["content"] = _text(await pending)
            except Exception as exc:
                part["content"] = f"error: {type(exc).__name__}: {exc}"
    return msg
