"""JavaScript-like values in attributes: text and JSON of values, parseFloat, RegExp attributes.

The template layer owns JavaScript value semantics; components only add RegExp values.
"""

from __future__ import annotations

from typing import Any

from renderers import _js, _jsjson

from ..template.expressions import js_json_stringify, js_to_string, js_truthy

__all__ = ["js_num", "js_json", "js_str", "js_truthy", "parse_float", "JsRegExp", "parse_json"]


js_num = _js.format_number  # number to text as JavaScript's String(n)


def _regexps_as_objects(v: Any) -> Any:
    if isinstance(v, JsRegExp):
        return {}
    if isinstance(v, dict):
        return {k: _regexps_as_objects(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_regexps_as_objects(x) for x in v]
    return v


def js_json(v: Any) -> str:
    """``JSON.stringify(v)``: compact, non-ASCII kept (a RegExp is ``{}`` as in JavaScript).

    RegExp values only come from RegExp-typed attributes, so they sit at the top
    level or in a list of such values, never deep inside context data.
    """
    if isinstance(v, JsRegExp) or (isinstance(v, (list, tuple)) and any(isinstance(x, JsRegExp) for x in v)):
        v = _regexps_as_objects(v)
    return js_json_stringify(v)


def js_str(v: Any) -> str:
    """``String(v)`` for values that reach text."""
    if isinstance(v, JsRegExp):
        return v.source_text
    return js_to_string(v)


def parse_float(v: Any) -> Any:
    """JavaScript ``parseFloat``: the longest numeric prefix of ``String(v)``, else NaN."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return _js.js_parse_float(js_str(v))


class JsRegExp:
    """A regular expression written ``/pattern/flags`` or as a bare pattern (a RegExp attribute).

    It runs on the template layer's safe engine: JavaScript syntax, and matching under the
    render's regex-time budget, so a pattern from markup can never backtrack for long.
    """

    __slots__ = ("pattern", "flags", "regex", "source_text")

    def __init__(self, pattern: str, flags: str = ""):
        from ..template.js import safe_regex

        self.pattern = pattern
        self.flags = flags
        self.regex = safe_regex(pattern, flags)
        self.source_text = f"/{pattern}/{flags}"

    def search(self, text: str):
        return self.regex.search(text)

    def __repr__(self) -> str:
        return f"JsRegExp({self.source_text!r})"


parse_json = _jsjson.parse_json  # JSON.parse; its errors are ValueErrors
