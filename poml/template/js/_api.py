"""The public surface: compile an expression once, evaluate it against plain data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

from ..._limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH
from ._budget import RenderBudget, _state
from ._compiler import _ShortCircuit, _compile, _locate
from ._errors import ExpressionError, ExpressionSandboxError, ExpressionSyntaxError
from ._lexer import _LazyTokens, _scan
from ._parser import _Parser
from ._values import UNDEFINED


# --------------------------------------------------------------------------- public API

class Expression:
    """A compiled expression. Evaluate it against a scope of plain data.

    >>> e = compile_expression("loop.index + 1")
    >>> e.evaluate({"loop": {"index": 0}})
    1
    >>> sorted(e.names)
    ['loop']
    """

    __slots__ = ("source", "names", "_fn")

    def __init__(self, source: str, fn: Callable[[Any], Any], names: frozenset[str]):
        self.source = source
        self._fn = fn
        self.names = names

    def evaluate(self, scope: Mapping[str, Any], budget: Optional[RenderBudget] = None) -> Any:
        """The value of the expression with the variables of ``scope``.

        ``budget`` is the render's :class:`RenderBudget` (a fresh one when not given,
        for a lone evaluation). Raises :class:`ExpressionError` (or a subclass);
        never another exception.
        """
        st = _state
        prev = st.budget
        st.budget = budget if budget is not None else RenderBudget()
        try:
            return self._fn(scope)
        except ExpressionError as err:
            _locate(err, 0, len(self.source))
            raise
        except RecursionError:
            raise ExpressionSandboxError(
                "expression recursed too deeply", 0, len(self.source)) from None
        except MemoryError:
            raise ExpressionSandboxError("expression ran out of memory", 0, len(self.source)) from None
        except _ShortCircuit:  # pragma: no cover - always caught by its chain
            return UNDEFINED
        except Exception as err:  # a bug or a misbehaving scope: keep the contract
            raise ExpressionError(
                f"internal error: {type(err).__name__}: {err}", 0, len(self.source)) from err
        finally:
            st.budget = prev

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(text: str) -> Expression:
    """Parse ``text`` into an :class:`Expression` (an Environment keeps them: ``CompileCache``).

    >>> compile_expression("a ? 'yes' : 'no'").evaluate({"a": []})
    'yes'

    Raises :class:`ExpressionSyntaxError` for invalid text and
    :class:`ExpressionSandboxError` for forbidden names or oversized input.
    """
    if not isinstance(text, str):
        raise ExpressionSyntaxError("expression must be a string", 0, 0)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionSandboxError(
            f"expression longer than {MAX_EXPRESSION_CHARS} characters", 0, len(text))
    try:
        toks = _LazyTokens(_scan(text, 0, False, 0, [0]))
        names: set[str] = set()
        parser = _Parser(text, toks, [], names)
        tree = parser.parse()
        fn = _compile(tree, text)
    except RecursionError:
        raise ExpressionSandboxError(
            f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", 0, len(text)) from None
    return Expression(text, fn, frozenset(names))
