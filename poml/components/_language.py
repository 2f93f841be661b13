"""The language's own tags: handled by the template layer, listed beside the components.

They render nothing themselves (the expander consumes them before components are looked up),
but ``poml components``, docs/components.md, completion and typo suggestions must know them.
"""
from __future__ import annotations

from ._registry import Component, Param


def _consumed(props: dict, children: list, ctx: object) -> list:  # pragma: no cover - never called
    return []


def _tag(name: str, aliases: tuple[str, ...], doc: str, *params: Param) -> Component:
    return Component(name, _consumed, aliases=aliases, params=params, doc=doc)


#: The tags, in the order listings and suggestions show them.
TAGS: tuple[Component, ...] = (
    _tag("include", (), "Insert another POML file here, rendered with the current context.",
         Param("src", required=True, description="Path of the .poml file (inside the allowed roots).")),
    _tag("let", (), "Define a context variable from a value, inline JSON/text, or a file.",
         Param("name", description="Variable to set; without it, a JSON object's keys are merged into the context."),
         Param("value", description="An expression whose value is assigned (needs name)."),
         Param("src", description="A file to read (JSON, or text)."),
         Param("type", choices=("string", "integer", "float", "boolean", "array", "object"),
               description="How to read src or the content.")),
    _tag("output-schema", ("outputschema",), "Declare the JSON schema the model's answer must follow.",
         Param("parser", choices=("json", "eval"), description="Read the content as JSON, or as an expression.")),
    _tag("tool-definition", ("tool-def", "tooldef", "tool"), "Declare a tool (function) the model may call.",
         Param("name", required=True, description="The tool's name."),
         Param("description", description="What the tool does."),
         Param("parser", choices=("json", "eval"), description="Read the parameters schema as JSON or an expression.")),
    _tag("runtime", (), "Options for the model call (temperature, maxTokens...): every attribute is passed on."),
    _tag("stylesheet", (), "A JSON stylesheet inside the document (a direct child of <poml>)."),
    _tag("context", (), "A JSON object of context variables inside the document (a direct child of <poml>)."),
    _tag("meta", (), "Document metadata: version bounds or components to enable/disable.",
         Param("type", description="responseSchema, toolDefinition... (legacy form)."),
         Param("minVersion", description="Oldest POML version the document supports."),
         Param("maxVersion", description="Newest POML version the document supports."),
         Param("components", description="+name/-name list of components to enable or disable.")),
)
