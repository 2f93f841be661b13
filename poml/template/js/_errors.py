"""The evaluator's errors; offsets are into the expression text. The template layer turns them into located ``PomlError``s."""

from __future__ import annotations




class ExpressionError(Exception):
    """An expression failed to parse or evaluate.

    ``start``/``end`` are offsets into the expression text (``-1`` when unknown).
    """

    def __init__(self, message: str, start: int = -1, end: int = -1):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end

    def __str__(self) -> str:
        return self.message


class ExpressionSyntaxError(ExpressionError):
    """The expression text is not valid (in the supported JavaScript subset)."""


class ExpressionSandboxError(ExpressionError):
    """A forbidden name or property, or a size/work limit was exceeded."""


class ExpressionLimitError(ExpressionSandboxError):
    """The render's budget (work, regex time) ran out; the message names the limit to raise."""
