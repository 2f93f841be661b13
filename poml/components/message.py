"""Chat message components: SystemMessage, HumanMessage, AiMessage,
MessageContent and Conversation."""

from __future__ import annotations

from . import essentials as E
from ._nodes import ComponentUse, ReadError
from ._syntax import without
from ._values import js_str
from ._registry import Param, component


def _message(name, alias, speaker, doc):
    def fn(props, children, ctx):
        p = {"speaker": speaker}
        p.update(props)
        return [ComponentUse(E.Text, p, children)]

    fn.__doc__ = doc
    return component(name, aliases=[alias], bases=["Text"])(fn)


SystemMessage = _message("SystemMessage", "system-msg", "system", "A system message.")
HumanMessage = _message("HumanMessage", "human-msg", "human", "A message from the user.")
AiMessage = _message("AiMessage", "ai-msg", "ai", "A message from the assistant.")


def _content_node(item, others):
    if isinstance(item, str):
        return ComponentUse(E.Text, dict(others), [item])
    if not isinstance(item, dict):
        raise ReadError(f"Unsupported media type: {js_str(item)}", others)
    t = js_str(item.get("type", ""))
    if t.startswith("image/"):
        p = {"base64": item.get("base64"), "alt": item.get("alt"), "type": item.get("type")}
        p.update(others)
        return ComponentUse(E.image, p)
    if t == "application/vnd.poml.toolrequest":
        p = {"id": item.get("id"), "name": item.get("name"), "parameters": item.get("content")}
        p.update(others)
        return ComponentUse(E.tool_request, p)
    if t == "application/vnd.poml.toolresponse":
        p = {"id": item.get("id"), "name": item.get("name")}
        p.update(others)
        inner = {"content": item.get("content")}
        inner.update(others)
        return ComponentUse(E.tool_response, p, [ComponentUse(MessageContent, inner)])
    raise ReadError(f"Unsupported media type: {t}", others)


@component("MessageContent", aliases=["msg-content"], params=[
    Param("content", "object", fallback_type="string", description="Rich content: a string or a list of strings and media parts."),
])
def message_content(props, children, ctx):
    """Shows rich content (text, images, tool parts) as markup."""
    content = props.get("content")
    others = without(props, "content")
    if isinstance(content, str):
        return [_content_node(content, others)]
    if isinstance(content, list):
        return [ComponentUse(E.Text, {}, [_content_node(item, others) for item in content])]
    return []


MessageContent = message_content


@component("Conversation", aliases=["conversation"], params=[
    Param("messages", "object", description="Messages: a list of {speaker, content}."),
    Param("selectedMessages", "string", description="A Python-style slice of the messages to show, e.g. `-6:`."),
])
def conversation(props, children, ctx):
    """A list of chat messages, each with its speaker."""
    messages = props.get("messages")
    sel = props.get("selectedMessages")
    others = without(props, "messages", "selectedMessages")
    if not isinstance(messages, list):
        raise ReadError("messages must be a list of {speaker, content}.", props)
    if sel:
        from .._errors import PomlError
        from ..data.tables import js_slice, parse_slice  # the reference's Python-style slices

        try:
            start, end = parse_slice(js_str(sel), len(messages))
        except PomlError as exc:
            raise ReadError(exc.diagnostic.message if exc.diagnostic else str(exc), props) from None
        messages = js_slice(messages, start, end)
    kids = []
    for m in messages:
        if not isinstance(m, dict):
            raise ReadError("Each message must be an object with speaker and content.", props)
        p = {"speaker": m.get("speaker")}
        p.update(others)
        inner = {"content": m.get("content")}
        inner.update(others)
        kids.append(ComponentUse(E.Text, p, [ComponentUse(MessageContent, inner)]))
    return [ComponentUse(E.Text, {}, kids)]
