"""Multimedia writer: images, audio and tool calls become content parts.

>>> from renderers.ir import Element as E
>>> w = MultiMediaWriter(None).write(E("img", {"base64": "AAA", "alt": "cat", "type": "image/png"}))
>>> w.media[0].part
{'type': 'image/png', 'base64': 'AAA', 'alt': 'cat'}
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ._base import (EMPTY, PLACEHOLDER, Media, Reporter, Written, rich_content, segments,
                    shift_mappings, shift_media)
from ._jsjson import parse_json

TOOL_REQUEST = "application/vnd.poml.toolrequest"
TOOL_RESPONSE = "application/vnd.poml.toolresponse"
_POSITIONS = ("here", "top", "bottom")


class MultiMediaWriter:
    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        self.reporter = reporter or Reporter()

    def fail(self, message: str, element: Any) -> Written:
        self.reporter.fail(message, element)
        return EMPTY

    def write(self, element: Any) -> Written:
        tag = element.tag
        if tag == "env":
            if element.attrs.get("presentation") == "multimedia":
                return self.write_children(element.children)
            from ._dispatch import dispatch

            return dispatch(element, self.reporter)
        if tag in ("img", "audio"):
            return self._media(element)
        if tag == "toolrequest":
            return self._tool_request(element)
        if tag == "toolresponse":
            return self._tool_response(element)
        return self.fail("Multimedia writer is unable to process this element.", element)

    def write_children(self, nodes: list) -> Written:
        # Text between media (usually layout whitespace) is ignored, like the reference.
        parts: list[str] = []
        length = 0
        mappings: list = []
        media: list = []
        for child in nodes:
            if isinstance(child, str):
                continue
            w = self.write(child)
            mappings.extend(shift_mappings(w.mappings, length))
            media.extend(shift_media(w.media, length))
            parts.append(w.output)
            length += len(w.output)
        return Written("".join(parts), mappings, media)

    def _placeholder(self, element: Any, part: dict, position: str = "here") -> Written:
        return Written(PLACEHOLDER, [(element, 0, 0)], [Media(part, position, 0)])

    def _media(self, element: Any) -> Written:
        a = element.attrs
        base64 = a.get("base64")
        alt = a.get("alt")
        if base64:
            position = a.get("position") or "here"
            if position not in _POSITIONS:
                return self.fail(f"Invalid position: {position}", element)
            part = {"type": a.get("type") or "image", "base64": base64}
            if alt is not None:
                part["alt"] = alt
            return self._placeholder(element, part, position)
        if alt:
            return Written(alt, [(element, 0, len(alt) - 1)], [])
        return self.fail("No base64 or alt attribute in multimedia.", element)

    def _tool_request(self, element: Any) -> Written:
        a = element.attrs
        id_, name, content = a.get("id"), a.get("name"), a.get("content")
        if not id_ or not name:
            return self.fail("Tool request must have id and name attributes.", element)
        try:
            params = parse_json(content) if content else {}
        except (ValueError, json.JSONDecodeError):
            return self.fail(f"Invalid JSON content in tool request: {content}", element)
        return self._placeholder(element, {"type": TOOL_REQUEST, "content": params, "id": id_, "name": name})

    def _tool_response(self, element: Any) -> Written:
        a = element.attrs
        id_, name = a.get("id"), a.get("name")
        if not id_ or not name:
            return self.fail("Tool response must have id and name attributes.", element)
        inner = self.write_children(element.children)
        content = rich_content(segments(inner))
        if content == "" or content == []:
            return self.fail("Tool response must have children content.", element)
        return self._placeholder(element, {"type": TOOL_RESPONSE, "content": content, "id": id_, "name": name})
