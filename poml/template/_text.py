"""``{{ expr }}`` interpolation in text and attribute values.

A text is split once into literal pieces (with POML escapes such as ``#lt;``
resolved) and compiled expressions; the split is cached by text, so a warm
render only evaluates.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Union

from renderers._js import JS_WHITESPACE_CLASS

from .expressions import js_to_string

_JS_S = "[" + JS_WHITESPACE_CLASS + "]"  # the reference's /\s/ is JavaScript's whitespace


# Like the reference: lazy up to the first "}}" not followed by another "}",
# on one line (JavaScript's "." does not match newlines).
_CURLY = re.compile(f"{{{{{_JS_S}*(.+?){_JS_S}*}}}}(?!}})")

_ESCAPES = (
    ("#lt;", "<"), ("#gt;", ">"), ("#amp;", "&"), ("#quot;", '"'),
    ("#apos;", "'"), ("#hash;", "#"), ("#lbrace;", "{"), ("#rbrace;", "}"),
)


def unescape(text: str) -> str:
    """Resolve POML's escapes (``#lt;`` ``#gt;`` ``#amp;`` ``#quot;`` ``#apos;`` ``#hash;`` ``#lbrace;`` ``#rbrace;``)."""
    if "#" not in text:
        return text
    for escaped, char in _ESCAPES:
        text = text.replace(escaped, char)
    return text


class Piece:
    """One ``{{ }}`` occurrence: the expression and where it sits inside the text."""

    __slots__ = ("expr_text", "expr_start", "expr_end")

    def __init__(self, expr_text: str, expr_start: int, expr_end: int):
        self.expr_text = expr_text
        self.expr_start = expr_start  # offset of the expression itself (after "{{" and spaces)
        self.expr_end = expr_end


class CompiledText:
    """A text split into literals (str) and :class:`Piece` s."""

    __slots__ = ("parts", "lone", "has_expr")

    def __init__(self, parts: list[Union[str, Piece]], lone: bool):
        self.parts = parts
        self.lone = lone  # the stripped text is exactly one {{ }}
        self.has_expr = any(isinstance(p, Piece) for p in parts)


def compile_text(text: str) -> CompiledText:
    parts: list[Union[str, Piece]] = []
    last = 0
    lone = False
    for m in _CURLY.finditer(text):
        if m.start() > last:
            parts.append(unescape(text[last:m.start()]))
        parts.append(Piece(m.group(1), m.start(1), m.end(1)))
        if m.group(0) == text.strip():
            lone = True
        last = m.end()
    if last < len(text):
        parts.append(unescape(text[last:]))
    return CompiledText(parts, lone)


# An evaluation callback: (expression text, start, end) -> value. The expander
# supplies it so that errors are reported with absolute source positions.
Evaluate = Callable[[str, int, int], Any]


def evaluate_text(compiled: CompiledText, evaluate: Evaluate, base: int, trim: bool) -> list[Any]:
    """Evaluate a compiled text the way the reference's ``handleText`` does.

    Returns a list: ``[value]`` for a lone expression in trim mode (the raw
    value, which may be an object), one joined string when every piece is a
    string or number, or the mixed list otherwise.
    """
    if not compiled.has_expr:
        return [compiled.parts[0]] if compiled.parts else []
    results: list[Any] = []
    for part in compiled.parts:
        if isinstance(part, str):
            results.append(part)
            continue
        value = evaluate(part.expr_text, base + part.expr_start, base + part.expr_end)
        if trim and compiled.lone:
            return [value]
        results.append(value)
    texts = []
    for r in results:
        if isinstance(r, str):
            texts.append(r)
        elif isinstance(r, (int, float)) and not isinstance(r, bool):
            texts.append(js_to_string(r))
        else:  # an object, array, boolean...: the values stay apart
            return results
    return ["".join(texts)]


__all__ = ["unescape", "compile_text", "evaluate_text", "CompiledText", "Piece"]
