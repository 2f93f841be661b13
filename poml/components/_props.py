"""Attribute casting: props matched against the documented params case-insensitively, then cast and checked."""

from __future__ import annotations

import re
from typing import Any

from ..template.js import ExpressionSyntaxError
from ._registry import Component
from ._nodes import ReadError, BuildState
from ._values import JsRegExp, js_str, parse_float, parse_json


def preprocess(comp: Component, props: dict, state: BuildState) -> dict:
    """Match attributes against the documented params case-insensitively and cast them."""
    pm = comp.param_map
    if not pm:
        return props
    out: dict = {}
    for key, value in props.items():
        p = pm.get(key.lower()) if key and key[0] != "@" else None
        if p is None or value is None:
            out[key] = value
            continue
        t = p.type
        if t == "string":
            if type(value) is not str:
                value = js_str(value)
        elif t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                value = parse_float(value)
        elif t == "boolean":
            if type(value) is not bool:
                s = js_str(value).lower()
                is_true = s in ("1", "true")
                if not is_true and s not in ("0", "false"):
                    state.read_error(f'"{key}" should be a boolean', props)
                value = is_true
        elif t == "object" or t == "object|string":
            if type(value) is str:
                try:
                    value = parse_json(value)
                except ValueError:
                    if p.fallback_type != "string":
                        state.read_error(f'Fail to parse "{key}" with JSON parser', props)
        elif t == "RegExp" or t == "RegExp|string":
            if type(value) is str:
                value = _to_regexp(value)
        if p.choices and value not in p.choices:
            state.read_error(
                f'"{key}" should be one of {", ".join(p.choices)}, not {js_str(value)}', props)
        out[p.name] = value
    return out


_RE_FLAGS = re.compile(r"^[gimsuy]*$")


def _to_regexp(value: str) -> Any:
    try:
        if value.startswith("/"):
            last = value.rfind("/")
            if last > 0:
                pattern, flags = value[1:last], value[last + 1:]
                if flags and _RE_FLAGS.match(flags):
                    return JsRegExp(pattern, flags)
                if last == len(value) - 1:
                    return JsRegExp(pattern)
            return value
        return JsRegExp(value)
    except ExpressionSyntaxError as e:
        raise ReadError(f"Invalid regular expression: {value}: {e}")
