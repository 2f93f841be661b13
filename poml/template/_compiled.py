"""Compiled templates and expressions by their source text; an Environment owns one.

Compiling is pure (text in, closures out, no policy), so a compiled text is shared by
every render of an Environment. The maps are plain dicts emptied when full: a hit costs
one lookup, and reads and writes from several threads are safe under the GIL.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._text import CompiledText, compile_text
from .js import Expression, compile_expression
from .js._budget import COMPILE_COST, RenderBudget


class CompileCache:
    """``text(s)`` and ``expression(s)``: compiled once per source text, at most ``size`` of each kept."""

    __slots__ = ("size", "_texts", "_expressions")

    def __init__(self, size: int = 8192):
        self.size = size
        self._texts: dict[str, CompiledText] = {}
        self._expressions: dict[str, Expression] = {}

    def text(self, source: str) -> CompiledText:
        """A text with ``{{ }}`` pieces, split and unescaped."""
        return self._compiled(self._texts, source, compile_text)

    def expression(self, source: str, budget: Optional[RenderBudget] = None) -> Expression:
        """An expression, parsed (a syntax error raises and is not kept, so it is reported every time).

        A miss is charged to ``budget`` first: compiling costs ~100 evaluations of the result.
        """
        hit = self._expressions.get(source)
        if hit is not None:
            return hit
        if budget is not None:
            budget.charge(COMPILE_COST + len(source))
        return self._compiled(self._expressions, source, compile_expression)

    def _compiled(self, kept: dict, source: str, compile_: Callable[[str], Any]) -> Any:
        hit = kept.get(source)
        if hit is None:
            hit = compile_(source)
            if len(kept) >= self.size:
                kept.clear()
            kept[source] = hit
        return hit

    def __len__(self) -> int:
        return len(self._texts) + len(self._expressions)

    def clear(self) -> None:
        self._texts.clear()
        self._expressions.clear()


__all__ = ["CompileCache"]
