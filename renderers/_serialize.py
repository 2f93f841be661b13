"""Serializing writers: ``syntax="json" | "yaml" | "xml"``.

The IR below a serialize environment is data: ``<any name=.. type=..>`` values,
``<obj data="JSON">`` objects and nested environments (whose rendered text
becomes a string value). We first turn it into plain Python data with the
reference's rules, then print that data.

>>> from renderers.ir import Element as E
>>> ir = E("any", {}, [E("any", {"name": "hello"}, ["world"]), E("any", {"name": "count", "type": "integer"}, ["3"])])
>>> JsonWriter(None).write(ir).output
'{\\n  "hello": "world",\\n  "count": 3\\n}'
>>> YamlWriter(None).write(ir).output
'hello: world\\ncount: 3'
>>> XmlWriter(None).write(ir).output
'<hello>world</hello>\\n<count>3</count>'
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional

from ._base import Reporter, Written, element_repr
from ._js import UNDEFINED, js_ordered, js_parse_float, js_parse_int, js_string
from ._jsjson import parse_json, stringify
from ._xmltree import escape_text
from ._yaml import dump as yaml_dump


class SerializeWriter:
    language = ""

    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        self.reporter = reporter or Reporter()
        self.options = options or {}

    def fail(self, message: str, element: Any) -> None:
        self.reporter.fail(message, element)

    # -- IR -> data ------------------------------------------------------------
    def parse_text(self, element: Any, text: str, type_: str) -> Any:
        if type_ == "string":
            return text
        if type_ == "integer":
            return js_parse_int(text, 10)
        if type_ == "float":
            return js_parse_float(text)
        if type_ == "boolean":
            if text == "true":
                return True
            if text == "false":
                return False
            self.fail(f"Invalid boolean value: {text}", element)
            return None
        if type_ == "null":
            return None
        if type_ == "array":
            return [text]
        self.fail(f"Invalid type: {type_}", element)
        return None

    def parse_any(self, element: Any, single_as_object: Optional[bool] = None) -> Any:
        if element.tag not in ("any", "env"):
            return UNDEFINED
        kids = element.children
        if len(kids) == 1 and isinstance(kids[0], str):
            return self.parse_text(element, kids[0], element.attrs.get("type") or "string")
        if not kids:
            return None
        named: list[tuple[Optional[str], Any]] = []
        for child in kids:
            if isinstance(child, str):
                named.append((None, child))
            elif child.tag == "any":
                named.append((child.attrs.get("name"), self.parse_any(child)))
            else:
                named.append((None, self.parse_general(child)))
        is_array = element.attrs.get("type") == "array"
        if single_as_object is None:
            single_as_object = is_array
        if single_as_object is False and len(named) == 1 and named[0][0] is None:
            return named[0][1]  # an environment holding one value is that value
        meaningful = [(n, v) for n, v in named if not (isinstance(v, str) and v.strip() == "")]
        if all(n is not None for n, _ in meaningful) and not is_array:
            obj: dict = {}
            for n, v in meaningful:
                obj[n] = v
            return js_ordered(obj)
        if all(isinstance(v, str) for _, v in meaningful) and not is_array:
            return " ".join(v for _, v in meaningful)
        return [v for _, v in meaningful]

    def parse_object(self, element: Any) -> Any:
        data = element.attrs.get("data")
        if data is None:
            self.fail(f"No data attribute in obj: {element_repr(element)}", element)
            return None
        try:
            return parse_json(data)
        except ValueError:
            self.fail(f"Invalid JSON in obj data: {data[:100]}", element)
            return None

    def parse_env(self, element: Any) -> Any:
        presentation = element.attrs.get("presentation")
        if presentation == "serialize":
            serializer = element.attrs.get("serializer")
            if serializer is not None and serializer != self.language:
                return self._nested_text(element, "Multimedia with cannot be nested in serialize.")
            return self.parse_any(element, False)
        if presentation == "markup":
            return self._nested_text(element, "Multimedia cannot be nested in serialize.")
        self.fail(f"Invalid presentation: {element_repr(element)}", element)
        return None

    def _nested_text(self, element: Any, media_message: str) -> str:
        from ._dispatch import dispatch

        inner = dispatch(element, self.reporter)
        if inner.media:
            self.fail(media_message, element)
        return inner.output

    def parse_general(self, element: Any) -> Any:
        tag = element.tag
        if tag == "any":
            return self.parse_any(element)
        if tag == "obj":
            return self.parse_object(element)
        if tag == "env":
            return self.parse_env(element)
        self.fail(f"Invalid element with tag name: {tag}", element)
        return None

    # -- data -> text ------------------------------------------------------------
    def write(self, element: Any) -> Written:
        text, mapped_length = self.render(self.parse_general(element))
        return Written(text, [(element, 0, mapped_length - 1)], [])

    def render(self, data: Any) -> tuple[str, int]:
        raise NotImplementedError


class JsonWriter(SerializeWriter):
    language = "json"

    def render(self, data: Any) -> tuple[str, int]:
        space = self.options.get("jsonSpace", 2)
        text = stringify(data, 2 if space is None else space) or "null"  # undefined has no JSON form
        return text, len(text)


class YamlWriter(SerializeWriter):
    language = "yaml"

    def render(self, data: Any) -> tuple[str, int]:
        indent = self.options.get("yamlIndent") or 2
        text = yaml_dump(data, int(indent))
        trim = self.options.get("yamlTrimEnd")
        # The reference maps the untrimmed length; kept for identical message splits.
        return (text.rstrip() if trim is None or trim else text), len(text)


_NOT_NAME_CHAR = re.compile(r"[^a-zA-Z0-9\-_.]")
_NAME_START = re.compile(r"[a-zA-Z_]")
_XML_PREFIX = re.compile(r"xml", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # keys repeat across records: slugify each once
def xml_tag(name: str) -> str:
    """A data key as an XML element name: other characters become ``-``; ``_`` before a bad start or ``xml``."""
    tag = _NOT_NAME_CHAR.sub("-", name)
    if not _NAME_START.match(tag):
        tag = "_" + tag
    if _XML_PREFIX.match(tag):
        tag = "_" + tag
    return tag


class XmlWriter(SerializeWriter):
    language = "xml"

    # The data is written straight to text with xmlbuilder2's layout (renderers._xmltree): a
    # scalar is one line (``<k>text</k>``, ``<k/>`` when empty), a container an indented block of
    # its members (``<k/>`` when it has none); flat output is the same without indents and newlines.
    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        super().__init__(options, reporter)
        pretty = self.options.get("xmlPrettyPrint")
        self._pretty = True if pretty is None else bool(pretty)
        indent = self.options.get("xmlIndent")
        self._indent = ("  " if indent is None else str(indent)) if self._pretty else ""
        self._nl = "\n" if self._pretty else ""
        self._item_name = self.options.get("xmlListItemName") or "item"
        self._tag = str if self.options.get("xmlSlugify") is False else xml_tag

    def render(self, data: Any) -> tuple[str, int]:
        pretty = self._pretty
        out: list[str] = []
        if isinstance(data, (dict, list, tuple)):
            self._members(data, "", out)
        elif data is not None and data is not UNDEFINED:
            text = escape_text(js_string(data))
            out.append(text + "\n" if pretty and text else text)
        text = "".join(out)
        if pretty and text.endswith("\n"):
            text = text[:-1]
        return text, len(text)

    def _element(self, tag: str, value: Any, pad: str, out: list) -> None:
        nl = self._nl
        if isinstance(value, (dict, list, tuple)):
            at = len(out)
            out.append("")
            self._members(value, pad + self._indent, out)
            if len(out) == at + 1:
                out[at] = f"{pad}<{tag}/>{nl}"
            else:
                out[at] = f"{pad}<{tag}>{nl}"
                out.append(f"{pad}</{tag}>{nl}")
            return
        text = "" if value is None or value is UNDEFINED else escape_text(js_string(value))
        out.append(f"{pad}<{tag}>{text}</{tag}>{nl}" if text else f"{pad}<{tag}/>{nl}")

    def _members(self, value: Any, pad: str, out: list) -> None:
        # A text member (most of them) is written here; anything else goes through _element.
        nl = self._nl
        if isinstance(value, dict):
            tag_of = self._tag
            for k, v in js_ordered(value).items():
                tag = tag_of(k if type(k) is str else str(k))
                if type(v) is str:
                    out.append(f"{pad}<{tag}>{escape_text(v)}</{tag}>{nl}" if v else f"{pad}<{tag}/>{nl}")
                else:
                    self._element(tag, v, pad, out)
            return
        name = self._item_name
        for item in value:
            if type(item) is str:
                out.append(f"{pad}<{name}>{escape_text(item)}</{name}>{nl}" if item else f"{pad}<{name}/>{nl}")
            elif isinstance(item, (dict, list, tuple)):
                # Objects with one key (and arrays of one) are inlined; the rest get an item wrapper.
                if len(item) > 1:
                    self._element(name, item, pad, out)
                else:
                    self._members(item, pad, out)
            elif item is not None:
                self._element(name, item, pad, out)
