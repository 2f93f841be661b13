"""``Prompt``: build POML from Python code instead of writing markup by hand.

>>> from poml import Prompt
>>> with Prompt() as p:
...     with p.task(caption="My Task"):
...         p.text("Summarise the report.")
>>> p.render()
[{'speaker': 'human', 'content': '# My Task\\n\\nSummarise the report.'}]

Every component has a method (``p.role()``, ``p.task()``, ``p.paragraph()``,
``p.image(src=...)`` ...) that adds an element named after the component
(``Role``, ``Task``, ``Paragraph``, ``Image``) at the current position. Use it
in a ``with`` block to put content inside it, or call it alone for an empty
element. ``p.text("...")`` adds text to the innermost open element. The
methods are generated from :data:`TAGS`, one row per component.

Attribute values are converted the way the official SDK does: ``None`` is
left out, booleans become ``"true"``/``"false"``, bytes become base64 (a
``buffer=`` argument is written as ``base64=``), numbers and strings become
text, anything else is written as JSON. Unlike the official SDK, the special
characters ``< > & "`` in text and attributes are written with POML's own
escapes (``#lt;`` ...), since POML does not decode XML entities such as
``&lt;``: the rendered prompt shows the characters as typed.
"""

from __future__ import annotations

import base64 as _b64
import copy
import inspect
import json
import os
import re
import warnings
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["Prompt", "TAGS"]

# ----------------------------------------------------------------------------- the table

# Descriptions of the attributes, shared by all components that take them.
_PARAM_DOCS: Dict[str, str] = {
    "caption": "Title shown before the content.",
    "captionSerialized": "Key used for the caption in serializer syntaxes (json, yaml, xml).",
    "captionStyle": 'How the caption is shown in markup syntaxes: "header", "bold", "plain" or "hidden".',
    "captionTextTransform": 'Case change for the caption: "upper", "level", "capitalize" or "none".',
    "captionEnding": 'What follows the caption: "colon", "newline", "colon-newline" or "none".',
    "captionColon": "Whether a colon follows the caption.",
    "chat": "Whether examples are shown as chat messages (human/ai) rather than text.",
    "introducer": "Text placed before the examples.",
    "speaker": 'The speaker of this content: "human", "ai", "system" or "tool".',
    "questionCaption": 'Caption of the question (default "Question").',
    "answerCaption": 'Caption of the answer prompt (default "Answer").',
    "content": "The message content.",
    "messages": "The conversation, a list of {speaker, content} messages.",
    "selectedMessages": 'Which messages to show, as an index or a slice such as "-6:".',
    "syntax": 'Output syntax: "markdown", "html", "json", "yaml", "xml", "text", "csv", "tsv" ...',
    "records": "The table rows, as a list of dicts or lists.",
    "columns": "The column descriptions, a list of {field, header}.",
    "src": "File (or URL, when network access is allowed) to read the data from.",
    "parser": "How to read the source, by default inferred from the file extension.",
    "selectedColumns": "Columns to keep: a list of names or a slice string.",
    "selectedRecords": 'Rows to keep: a list of indices or a slice string such as "0:10".',
    "maxRecords": "At most this many rows; the rest are elided.",
    "maxColumns": "At most this many columns; the rest are elided.",
    "items": "The tree, a list of {name, value?, children?}.",
    "showContent": "Whether to show the content of the items (file contents for folders).",
    "data": "The data to show.",
    "filter": "Regular expression the file names must match.",
    "maxDepth": "How many folder levels to show.",
    "url": "Address of the web page (needs network access).",
    "buffer": "Raw bytes of the data; written as the base64 attribute.",
    "base64": "The data, base64-encoded.",
    "extractText": "Keep only the text of the page (true) or convert its HTML to POML (false).",
    "selector": "CSS selector of the part of the page to keep.",
    "className": "Stylesheet class name(s) of the element.",
    "name": "Name of the element (for serializer syntaxes, or of the tool).",
    "type": "Type of the content (a MIME type for media).",
    "writerOptions": "Experimental: options of the writer, as JSON.",
    "whiteSpace": 'How white space is handled: "pre", "filter" or "trim".',
    "charLimit": "Truncate the content past this many characters.",
    "tokenLimit": "Truncate the content past this many tokens.",
    "priority": "Lower priorities are dropped first when the prompt is too long.",
    "blankLine": "Whether to put one more blank line before and after the paragraph.",
    "newLineCount": "How many line breaks to add.",
    "inline": "Whether the code is inline (true) or a block (false).",
    "lang": "Language of the code block.",
    "listStyle": 'Marker of the items: "star", "dash", "plus", "decimal" or "latin".',
    "alt": "Text shown instead of the media where media cannot be shown.",
    "position": 'Where the media goes: "top", "bottom" or "here".',
    "maxWidth": "Largest width of the image, in pixels.",
    "maxHeight": "Largest height of the image, in pixels.",
    "resize": "Scale factor applied to the image.",
    "id": "Identifier of the tool call.",
    "parameters": "Arguments of the tool call.",
    "multimedia": "Whether to keep images of the document (false: their alt text).",
    "selectedPages": 'PDF pages to keep (0-based), e.g. "2" or "2:4".',
}

_CAPTIONED = "caption:str captionSerialized:str captionStyle:str captionTextTransform:str captionEnding:str"
_CAPTION_COLON = "caption:str captionSerialized:str captionStyle:str captionTextTransform:str captionColon:bool"
_WRITER = "syntax:str className:str speaker:str writerOptions:Any whiteSpace:str charLimit:float tokenLimit:float priority:float"

#: One row per component: (method name, element name, summary, "attribute:type ...").
TAGS: List[Tuple[str, str, str, str]] = [
    # intentions
    ("role", "Role", "The persona the model should take on.", _CAPTIONED),
    ("task", "Task", "What the model should do.", _CAPTIONED),
    ("output_format", "OutputFormat", "The shape the model's answer should take.", _CAPTIONED),
    ("stepwise_instructions", "StepwiseInstructions", "Steps the model should follow.", _CAPTIONED),
    ("hint", "Hint", "A tip that helps the model.", _CAPTION_COLON),
    ("introducer", "Introducer", "A lead-in paragraph before a longer part.", _CAPTIONED),
    ("example_set", "ExampleSet", "A group of examples.",
     "caption:str captionSerialized:str chat:bool introducer:str captionStyle:str captionTextTransform:str captionEnding:str"),
    ("example", "Example", "One example, usually of an input and its output.",
     "caption:str captionSerialized:str captionStyle:str chat:bool captionTextTransform:str captionColon:bool"),
    ("example_input", "ExampleInput", "The input part of an example.",
     "caption:str captionSerialized:str speaker:str captionStyle:str captionTextTransform:str captionColon:bool"),
    ("example_output", "ExampleOutput", "The output part of an example.",
     "caption:str captionSerialized:str speaker:str captionStyle:str captionTextTransform:str captionColon:bool"),
    ("question", "Question", "A question, followed by a prompt for its answer.",
     "questionCaption:str answerCaption:str captionSerialized:str captionStyle:str captionTextTransform:str captionEnding:str"),
    # messages
    ("system_message", "SystemMessage", "Content spoken by the system.", ""),
    ("human_message", "HumanMessage", "Content spoken by the user.", ""),
    ("ai_message", "AiMessage", "Content spoken by the assistant.", ""),
    ("message_content", "MessageContent", "The content of one message.", "content:Any"),
    ("conversation", "Conversation", "A whole conversation of messages.", "messages:Any selectedMessages:str"),
    # data
    ("table", "Table", "A table of records, inline or read from a file.",
     "syntax:str records:Any columns:Any src:str parser:str selectedColumns:Any selectedRecords:Any maxRecords:int maxColumns:int"),
    ("tree", "Tree", "A tree of named items.", "syntax:str items:list showContent:bool"),
    ("folder", "Folder", "The files of a folder, as a tree.",
     "syntax:str src:str data:list filter:str maxDepth:int showContent:bool"),
    ("captioned_paragraph", "CaptionedParagraph", "A paragraph under a caption of your choice.", _CAPTIONED),
    ("webpage", "Webpage", "The content of a web page or HTML file.",
     "url:str src:str buffer:bytes base64:str extractText:bool selector:str"),
    ("document", "Document", "The text of a document (PDF, DOCX, TXT).",
     "src:str buffer:bytes base64:str parser:str multimedia:bool selectedPages:str"),
    # layout
    ("paragraph", "Paragraph", "A paragraph, set off by blank lines.", "blankLine:bool"),
    ("inline", "Inline", "An inline container (a span).", _WRITER),
    ("newline", "Newline", "Explicit line breaks.", "newLineCount:float"),
    ("header", "Header", "A heading; its level follows the nesting.", ""),
    ("sub_content", "SubContent", "A section nested one level deeper (deeper headings).", ""),
    ("bold", "Bold", "Bold text.", ""),
    ("italic", "Italic", "Italic text.", ""),
    ("strikethrough", "Strikethrough", "Struck-through text.", ""),
    ("underline", "Underline", "Underlined text.", ""),
    ("code", "Code", "Code, inline or as a block.", "inline:bool lang:str"),
    ("list", "List", "A list; put list_item elements in it.", "listStyle:str"),
    ("list_item", "ListItem", "One item of a list.", ""),
    ("object", "Object", "Data shown in a serializer syntax (JSON, YAML, XML).", "syntax:str data:Any"),
    # media and tools
    ("image", "Image", "An image.",
     "src:str alt:str base64:str type:str position:str maxWidth:int maxHeight:int resize:float syntax:str"),
    ("audio", "Audio", "An audio clip.", "src:str base64:str alt:str type:str position:str syntax:str"),
    ("tool_request", "ToolRequest", "A tool call made by the assistant.", "id:str name:str parameters:Any speaker:str"),
    ("tool_response", "ToolResponse", "The result of a tool call.", "syntax:str id:str name:str speaker:str"),
]

# The ``Text`` component shares its method with adding text: see :meth:`Prompt.text`.
_TEXT_PARAMS = "syntax:str className:str speaker:str name:str type:str writerOptions:Any whiteSpace:str charLimit:float tokenLimit:float priority:float"

_TYPES: Dict[str, Any] = {"str": str, "bool": bool, "int": int, "float": float, "bytes": bytes, "list": list, "Any": Any}


def _parse_params(spec: str) -> List[Tuple[str, Any]]:
    out = []
    for item in spec.split():
        name, type_name = item.split(":")
        out.append((name, _TYPES[type_name]))
    return out


def _docstring(summary: str, element: str, params: List[Tuple[str, Any]]) -> str:
    lines = [summary, "", f"Adds a ``<{element}>`` element; use it in a ``with`` block to fill it.", ""]
    if params:
        lines.append("Args:")
        for name, typ in params:
            type_name = getattr(typ, "__name__", "Any")
            lines.append(f"    {name} ({type_name}, optional): {_PARAM_DOCS.get(name, '')}")
        lines.append("    **kwargs: further attributes, written as given.")
    else:
        lines.append("Args:")
        lines.append("    **kwargs: attributes, written as given.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- elements

class _TagHandle:
    """The element a tag method just added; a context manager that makes it the open element."""

    __slots__ = ("prompt", "element", "_entered")

    def __init__(self, prompt: "Prompt", element: ET.Element):
        self.prompt = prompt
        self.element = element
        self._entered = False

    def __enter__(self) -> "Prompt":
        self.prompt._stack.append(self.element)
        self._entered = True
        return self.prompt

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        stack = self.prompt._stack
        if not self._entered:
            raise RuntimeError(f"<{self.element.tag}> was exited without being entered.")
        if not stack:
            self._entered = False
            if exc_type is None:
                raise RuntimeError(f"<{self.element.tag}> closed after its Prompt block ended.")
            return
        if stack[-1] is not self.element:
            if exc_type is None:
                raise RuntimeError(f"Mismatched nesting: closing <{self.element.tag}> while <{stack[-1].tag}> is open.")
            return
        stack.pop()
        self._entered = False

    @property
    def tag_name(self) -> str:
        return self.element.tag

    def __repr__(self) -> str:
        return f"<tag {self.element.tag}>"


def _attr_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _b64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # type: ignore[return-value]
    return json.dumps(value)


# POML does not decode XML entities (``&lt;``); it has its own escapes (``#lt;``). Special
# characters are written with those, so that ElementTree has nothing left to escape and the
# engine gives back exactly the text that was added. A ``#`` is escaped only where it would
# otherwise start one of these escapes.
_POML_ESCAPES = {"&": "#amp;", "<": "#lt;", ">": "#gt;", '"': "#quot;", "#": "#hash;"}
_TEXT_SPECIAL = re.compile(r"[&<>]|#(?=(?:quot|apos|amp|lt|gt|hash|lbrace|rbrace);)")
_ATTR_SPECIAL = re.compile(r'[&<>"]|#(?=(?:quot|apos|amp|lt|gt|hash|lbrace|rbrace);)')


def _escape(pattern: "re.Pattern[str]", text: str) -> str:
    return pattern.sub(lambda m: _POML_ESCAPES[m.group(0)], text)


def _prepare_attrs(attrs: Dict[str, Any]) -> Dict[str, str]:
    """Attribute values as text: None dropped, bools lower-case, bytes base64 (``buffer`` -> ``base64``), others JSON."""
    out: Dict[str, str] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        key = str(key)
        if key == "buffer" and isinstance(value, (bytes, bytearray, memoryview)):
            key = "base64"
        out[key] = _escape(_ATTR_SPECIAL, _attr_text(value))
    return out


class Prompt:
    """Builds POML markup with context managers; render it with :meth:`render`.

    A ``Prompt`` can be entered several times: each ``with`` block appends to
    what the previous ones built. :meth:`dump_xml` and :meth:`render` work
    inside or after the blocks.
    """

    def __init__(self) -> None:
        self.root_elements: List[ET.Element] = []
        self._stack: List[ET.Element] = []

    # -- building

    @property
    def current_parent_stack(self) -> List[ET.Element]:
        """The open elements, outermost first."""
        return self._stack

    @current_parent_stack.setter
    def current_parent_stack(self, value: List[ET.Element]) -> None:
        self._stack = value

    def tag(self, tag_name: str, **attrs: Any) -> _TagHandle:
        """Add an element named ``tag_name`` with ``attrs`` at the current position."""
        element = ET.Element(tag_name, _prepare_attrs(attrs))
        (self._stack[-1] if self._stack else self.root_elements).append(element)  # type: ignore[attr-defined]
        return _TagHandle(self, element)

    def text(self, content: Any = None, **attrs: Any) -> Any:
        """Add text to the innermost open element, or with no text, add a ``<Text>`` element.

        ``p.text("Hello")`` appends ``Hello`` after what the open element
        already holds (``<``, ``>``, ``&`` are written as POML's ``#lt;``,
        ``#gt;``, ``#amp;`` so they render as typed; ``{{ }}`` stays a template
        expression); it raises ``ValueError`` when no element is
        open. ``p.text(syntax="json")`` (no text, only attributes) adds a
        ``<Text>`` element, to be used in a ``with`` block.
        """
        if content is None:
            if not attrs:
                raise ValueError("Prompt.text() needs the text to add (or attributes, for a <Text> element).")
            return self.tag("Text", **attrs)
        if attrs:
            raise TypeError("Prompt.text(content) takes no attributes; use p.text(**attrs) as a with-block for <Text>.")
        if not self._stack:
            raise ValueError("Cannot add text: no tag is open. Put p.text() inside a `with p.<tag>():` block.")
        element = self._stack[-1]
        content = _escape(_TEXT_SPECIAL, str(content))
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + content
        else:
            element.text = (element.text or "") + content
        return None

    # -- output

    def _xml(self, pretty: bool) -> str:
        if self._stack:
            warnings.warn(f"Prompt: writing XML while tags are still open: {[e.tag for e in self._stack]}",
                          stacklevel=3)
        parts = []
        for root in self.root_elements:
            if pretty:
                root = copy.deepcopy(root)
                ET.indent(root, space="  ", level=0)
            parts.append(ET.tostring(root, encoding="unicode"))
        return ("\n" if pretty else "").join(parts)

    def dump_xml(self) -> str:
        """The markup, indented by two spaces per level (for reading; :meth:`render` uses the compact form)."""
        return self._xml(pretty=True)

    def to_xml(self) -> str:
        """The compact markup that :meth:`render` renders."""
        return self._xml(pretty=False)

    def render(self, chat: bool = True, context: Optional[dict] = None, stylesheet: Optional[dict] = None,
               **options: Any) -> Any:
        """Render the markup with :func:`poml.poml` (``options`` such as ``format=`` are passed on).

        Raises ``ValueError`` while tags are still open.
        """
        if self._stack:
            raise ValueError(f"Cannot render: tags are still open: {[e.tag for e in self._stack]}")
        from ._api import poml

        return poml(self._xml(pretty=False), context=context, stylesheet=stylesheet, chat=chat, **options)

    # -- reuse across with-blocks

    def __enter__(self) -> "Prompt":
        self._stack = []
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._stack and exc_type is None:
            warnings.warn(f"Prompt block ended with tags still open: {[e.tag for e in self._stack]}", stacklevel=2)
        self._stack.clear()

    def __repr__(self) -> str:
        return f"Prompt({len(self.root_elements)} elements)"


def _make_tag_method(method_name: str, element: str, summary: str, spec: str) -> Any:
    params = _parse_params(spec)
    names = [name for name, _ in params]
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=Optional[typ])
           for name, typ in params]
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD, annotation=Any)],
        return_annotation=_TagHandle,
    )

    def method(self: Prompt, *args: Any, **kwargs: Any) -> _TagHandle:
        if len(args) > len(names):
            raise TypeError(f"{method_name}() takes at most {len(names)} positional arguments ({len(args)} given)")
        attrs: Dict[str, Any] = dict(zip(names, args))
        for name in names:
            if name in kwargs:
                if name in attrs:
                    raise TypeError(f"{method_name}() got multiple values for argument '{name}'")
                attrs[name] = kwargs.pop(name)
        ordered = {name: attrs[name] for name in names if name in attrs}
        ordered.update(kwargs)
        return self.tag(element, **ordered)

    method.__name__ = method_name
    method.__qualname__ = f"Prompt.{method_name}"
    method.__doc__ = _docstring(summary, element, params)
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__annotations__ = {name: Optional[typ] for name, typ in params}
    method.__annotations__.update({"kwargs": Any, "return": _TagHandle})
    return method


for _row in TAGS:
    setattr(Prompt, _row[0], _make_tag_method(*_row))
del _row

# The Text component's attributes, documented on Prompt.text.
Prompt.text.__doc__ = (Prompt.text.__doc__ or "") + "\n" + "\n".join(
    f"        {name}: {_PARAM_DOCS.get(name, '')}" for name, _ in _parse_params(_TEXT_PARAMS)
)
