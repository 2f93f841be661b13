"""A small ``z`` (zod) for ``<output-schema parser="eval">`` and tool definitions.

The reference evaluates such schemas with the real zod and converts them with
zod-to-json-schema. Here ``z`` builds JSON Schema directly, inside the
expression sandbox: each schema is a sandbox namespace whose methods return new
schemas, and whose JSON Schema is kept under a key expressions cannot read
(names starting with ``_`` are refused).

>>> from poml.template.expressions import compile_expression
>>> s = compile_expression("z.object({ok: z.boolean()})").evaluate({"z": zod_scope()})
>>> to_json_schema(s)
{'type': 'object', 'properties': {'ok': {'type': 'boolean'}}, 'required': ['ok'], 'additionalProperties': False}
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .expressions import ExpressionError, _Builtin

_KEY = "_zod"  # unreadable from expressions: names starting with "_" are refused


def _schema(json_schema: dict, kind: str, optional: bool = False) -> _Builtin:
    state = {"schema": json_schema, "kind": kind, "optional": optional}
    props: dict[str, Any] = {_KEY: state}

    def method(name: str, fn: Callable[[list], _Builtin]) -> None:
        props[name] = _Builtin(name, fn)

    def with_(update: dict, **flags: Any) -> _Builtin:
        return _schema({**json_schema, **update}, kind, flags.get("optional", optional))

    method("describe", lambda a: with_({"description": _str(a, "describe")}))
    method("optional", lambda a: _schema(json_schema, kind, True))
    method("nullable", lambda a: _schema(_nullable(json_schema), kind, optional))
    method("default", lambda a: _schema({**json_schema, "default": a[0] if a else None}, kind, True))
    if kind == "number":
        method("int", lambda a: with_({"type": "integer"}))
        method("min", lambda a: with_({"minimum": _num(a, "min")}))
        method("max", lambda a: with_({"maximum": _num(a, "max")}))
        method("positive", lambda a: with_({"exclusiveMinimum": 0}))
        method("nonnegative", lambda a: with_({"minimum": 0}))
    elif kind == "string":
        method("min", lambda a: with_({"minLength": _num(a, "min")}))
        method("max", lambda a: with_({"maxLength": _num(a, "max")}))
        method("length", lambda a: with_({"minLength": _num(a, "length"), "maxLength": _num(a, "length")}))
        method("email", lambda a: with_({"format": "email"}))
        method("url", lambda a: with_({"format": "uri"}))
        method("regex", lambda a: with_({"pattern": _str(a, "regex")}))
    elif kind == "array":
        method("min", lambda a: with_({"minItems": _num(a, "min")}))
        method("max", lambda a: with_({"maxItems": _num(a, "max")}))
        method("nonempty", lambda a: with_({"minItems": 1}))
    return _Builtin(f"Zod{kind.title()}", None, props)


def _nullable(schema: dict) -> dict:
    t = schema.get("type")
    if isinstance(t, str):
        return {**schema, "type": [t, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _str(args: list, what: str) -> str:
    if not args or not isinstance(args[0], str):
        raise ExpressionError(f"z.{what}() expects a string")
    return args[0]


def _num(args: list, what: str) -> Any:
    if not args or isinstance(args[0], bool) or not isinstance(args[0], (int, float)):
        raise ExpressionError(f".{what}() expects a number")
    return args[0]


def _state(value: Any) -> Optional[dict]:
    if type(value) is _Builtin:
        state = value.props.get(_KEY)
        if isinstance(state, dict):
            return state
    return None


def is_zod(value: Any) -> bool:
    return _state(value) is not None


def to_json_schema(value: Any) -> dict:
    state = _state(value)
    if state is None:
        raise ExpressionError("expected a z schema")
    return state["schema"]


def _inner(value: Any, what: str) -> dict:
    if not is_zod(value):
        raise ExpressionError(f"z.{what}() expects z schemas")
    return to_json_schema(value)


def _object(args: list) -> _Builtin:
    shape = args[0] if args else {}
    if not isinstance(shape, dict):
        raise ExpressionError("z.object() expects an object of schemas")
    properties = {}
    required = []
    for key, value in shape.items():
        properties[key] = _inner(value, "object")
        if not _state(value)["optional"]:
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return _schema(schema, "object")


def _literal(args: list) -> _Builtin:
    v = args[0] if args else None
    if isinstance(v, bool):
        t = "boolean"
    elif isinstance(v, (int, float)):
        t = "number"
    elif isinstance(v, str):
        t = "string"
    else:
        return _schema({"const": v}, "literal")
    return _schema({"type": t, "const": v}, "literal")


def _enum(args: list) -> _Builtin:
    values = args[0] if args else []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ExpressionError("z.enum() expects an array of strings")
    return _schema({"type": "string", "enum": list(values)}, "enum")


def _union(args: list) -> _Builtin:
    options = args[0] if args else []
    if not isinstance(options, list):
        raise ExpressionError("z.union() expects an array of schemas")
    return _schema({"anyOf": [_inner(o, "union") for o in options]}, "union")


_SCOPE: Optional[_Builtin] = None


def zod_scope() -> _Builtin:
    """The ``z`` namespace given to schema expressions."""
    global _SCOPE
    if _SCOPE is None:
        def simple(kind: str, schema: dict) -> _Builtin:
            return _Builtin(kind, lambda a: _schema(dict(schema), kind))

        _SCOPE = _Builtin("z", None, {
            "string": simple("string", {"type": "string"}),
            "number": simple("number", {"type": "number"}),
            "boolean": simple("boolean", {"type": "boolean"}),
            "null": simple("null", {"type": "null"}),
            "any": simple("any", {}),
            "unknown": simple("any", {}),
            "array": _Builtin("array", lambda a: _schema({"type": "array", "items": _inner(a[0] if a else None, "array")}, "array")),
            "object": _Builtin("object", _object),
            "enum": _Builtin("enum", _enum),
            "literal": _Builtin("literal", _literal),
            "union": _Builtin("union", _union),
        })
    return _SCOPE
