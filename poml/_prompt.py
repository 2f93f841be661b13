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
methods, their signatures and their documentation are generated from the
component registry (:data:`TAGS`, one row per component): every parameter of
the component, its own (positional, in the official SDK's order) and those it
inherits from its bases (keyword-only).

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
from typing import Any, Dict, List, Optional, Tuple, Union

__all__ = ["Prompt", "TAGS", "PYTHON_TYPES", "python_type", "method_name"]

# ----------------------------------------------------------------------------- the table

#: The Python annotation of an attribute, by the registry's parameter type. One rule for every
#: method, so the builder and docs/components.md never disagree about a type.
PYTHON_TYPES: Dict[str, Any] = {"string": str, "number": float, "boolean": bool, "object": Any, "any": Any,
                                "RegExp": str, "object|string": Any, "RegExp|string": str}
# ``buffer=`` takes the raw bytes (written as ``base64=``) or text.
_BUFFER_TYPE = Union[bytes, str]


def python_type(param: Any) -> Any:
    """The annotation of one registry :class:`~poml.components.Param` in the builder."""
    if param.name == "buffer":
        return _BUFFER_TYPE
    if param.type.endswith("[]"):
        return list
    return PYTHON_TYPES.get(param.type, Any)


def method_name(component_name: str) -> str:
    """``OutputFormat`` -> ``output_format``: the official SDK's method names."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", component_name).lower()


def _describe(param: Any, inherited_from: Optional[str]) -> str:
    words = [param.description.rstrip(".") + "." if param.description else ""]
    if param.choices:
        words.append("One of " + ", ".join(f'"{c}"' for c in param.choices) + ".")
    if param.default is not None and "default" not in param.description.lower():
        words.append(f"Default {param.default}.")
    if inherited_from:
        words.append(f"(From {inherited_from}.)")
    return " ".join(w for w in words if w)


def _params(comp: Any) -> List[Tuple[Any, Optional[str]]]:
    """(Param, the base it comes from or None) for every parameter: own first, then inherited."""
    own = {p.name for p in comp.params}
    out: List[Tuple[Any, Optional[str]]] = [(p, None) for p in comp.params]
    registry = comp.registry
    for p in comp.all_params():
        if p.name not in own:
            out.append((p, _declaring_base(comp, p.name, registry)))
    return out


def _declaring_base(comp: Any, name: str, registry: Any) -> Optional[str]:
    queue, seen = list(comp.bases), set()
    while queue:
        base = registry.by_name(queue.pop(0)) if registry is not None else None
        if base is None or base.name in seen:
            continue
        seen.add(base.name)
        if any(p.name == name for p in base.params):
            return base.name
        queue.extend(base.bases)
    return None


def _docstring(summary: str, element: str, params: List[Tuple[Any, Optional[str]]]) -> str:
    lines = [summary, "", f"Adds a ``<{element}>`` element; use it in a ``with`` block to fill it.", "", "Args:"]
    for param, base in params:  # the registry's type, as docs/components.md shows it
        lines.append(f"    {param.name} ({param.type}, optional): {_describe(param, base)}")
    lines.append("    **kwargs: further attributes, written as given." if params else "    **kwargs: attributes, written as given.")
    return "\n".join(lines)


def _builder_components() -> List[Any]:
    """The public components of the built-in registry, but ``Text`` (it is :meth:`Prompt.text`)."""
    from .components import ComponentRegistry

    return [c for c in ComponentRegistry.builtin().components() if c.name != "Text"]


def _table() -> List[Tuple[str, str, str, List[Tuple[Any, Optional[str]]]]]:
    from .components._registry import summary

    return [(method_name(c.name), c.name, summary(c), _params(c)) for c in _builder_components()]


#: One row per component, generated from the component registry:
#: (method name, element name, summary, [(Param, the base it is inherited from or None)...]).
TAGS: List[Tuple[str, str, str, List[Tuple[Any, Optional[str]]]]] = _table()


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


def _make_tag_method(method_name: str, element: str, summary: str,
                     params: List[Tuple[Any, Optional[str]]]) -> Any:
    # Own parameters keep the official SDK's positional order; inherited ones are keyword-only.
    names = [p.name for p, _ in params]
    positional = [p.name for p, base in params if base is None]
    kinds = {p.name: (inspect.Parameter.POSITIONAL_OR_KEYWORD if base is None else inspect.Parameter.KEYWORD_ONLY)
             for p, base in params}
    types = {p.name: Optional[python_type(p)] for p, _ in params}
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(name, kinds[name], default=None, annotation=types[name]) for name in names]
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD, annotation=Any)],
        return_annotation=_TagHandle,
    )

    def method(self: Prompt, *args: Any, **kwargs: Any) -> _TagHandle:
        if len(args) > len(positional):
            raise TypeError(f"{method_name}() takes at most {len(positional)} positional arguments ({len(args)} given)")
        attrs: Dict[str, Any] = dict(zip(positional, args))
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
    method.__annotations__ = dict(types)
    method.__annotations__.update({"kwargs": Any, "return": _TagHandle})
    return method


for _row in TAGS:
    setattr(Prompt, _row[0], _make_tag_method(*_row))
del _row


def _text_doc() -> str:
    """``Prompt.text``'s doc: its two uses, then the ``<Text>`` attributes from the registry."""
    from .components import ComponentRegistry

    text = ComponentRegistry.builtin().get("Text")
    rows = "\n".join(f"        {p.name} ({p.type}): {_describe(p, None)}" for p in text.all_params())
    return (Prompt.text.__doc__ or "") + "\n    The attributes of ``<Text>``:\n\n" + rows + "\n"


Prompt.text.__doc__ = _text_doc()
