"""A sandboxed evaluator for the JavaScript-like expressions of POML templates.

The reference implementation evaluates ``{{ expr }}``, ``for="x in EXPR"``,
``if="EXPR"`` and ``<let value="EXPR"/>`` as real JavaScript. Here the same
syntax is tokenized (``_lexer``), parsed by a precedence parser (``_parser``)
and compiled to closures (``_compiler``) — never Python's ``eval``/``ast`` —
that can read the data in the scope and nothing else::

    >>> compile_expression("user.name.toUpperCase() + '!'").evaluate({"user": {"name": "ada"}})
    'ADA!'
    >>> js_to_string(compile_expression("[1, 2].map(x => x / 2)").evaluate({}))
    '0.5,1'
    >>> compile_expression("items.length > 0 ? items[0] : 'none'").names
    frozenset({'items'})
    >>> evaluate("s.replace(/(\\\\w+) (\\\\w+)/, '$2 $1')", {"s": "hello world"})
    'world hello'

Values are plain data: ``dict`` is a JS object, ``list``/``tuple`` an array,
``None`` is ``null`` and :data:`UNDEFINED` is ``undefined``. Anything else in the
scope is opaque: its properties read as ``undefined`` and it cannot be called.

Layout, one job per module: ``_values`` (JS values and conversions, on top of
``renderers._js``), ``_operators``, ``_access`` (property reads, the sandbox's
deny-lists), ``_calls``, ``_builtins/`` (string, array, number, object, json,
regexp methods and the global names), ``_regex`` (JS regex syntax on the
``regex`` engine with a timeout), ``_budget`` (the per-render work budget).

Security model: names and properties that lead out of data in JavaScript
(``constructor``, ``__proto__``, anything starting with ``_``, ``globalThis``,
``eval``...) are refused with :class:`ExpressionSandboxError`; property access
never uses Python attribute lookup; only an allow-list of pure built-in methods
can be called; sizes and the total work of a render are bounded
(:class:`RenderBudget`) so that hostile input fails fast.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._api import Expression, compile_expression
from ._budget import RenderBudget, using
from ._builtins.json import js_json_reparsed, js_json_stringify
from ._errors import ExpressionError, ExpressionLimitError, ExpressionSandboxError, ExpressionSyntaxError
from ._regex import SafeRegex, safe_regex
from ._values import UNDEFINED, js_number_to_string, js_to_string, js_truthy, js_typeof

__all__ = [
    "UNDEFINED", "ExpressionError", "ExpressionSyntaxError", "ExpressionSandboxError", "ExpressionLimitError",
    "Expression", "RenderBudget", "SafeRegex", "compile_expression", "evaluate", "js_to_string", "js_truthy",
    "js_json_reparsed", "js_json_stringify", "js_number_to_string", "js_typeof", "safe_regex", "using",
]


def evaluate(text: str, scope: Optional[Mapping[str, Any]] = None, budget: Optional[RenderBudget] = None) -> Any:
    """Compile (cached) and evaluate ``text`` against ``scope`` in one step."""
    return compile_expression(text).evaluate(scope if scope is not None else {}, budget)
