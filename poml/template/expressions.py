"""The template expression evaluator; it lives in :mod:`poml.template.js` (this name stays importable)."""

from .js import (  # noqa: F401
    UNDEFINED,
    Expression,
    ExpressionError,
    ExpressionLimitError,
    ExpressionSandboxError,
    ExpressionSyntaxError,
    RenderBudget,
    compile_expression,
    evaluate,
    js_json_stringify,
    js_number_to_string,
    js_to_string,
    js_truthy,
    js_typeof,
    safe_regex,
)
from .js._values import _Builtin  # noqa: F401  (the zod builder's namespaces)

__all__ = [
    "UNDEFINED", "ExpressionError", "ExpressionSyntaxError", "ExpressionSandboxError", "ExpressionLimitError",
    "Expression", "RenderBudget", "compile_expression", "evaluate", "js_to_string", "js_truthy",
    "js_json_stringify", "js_number_to_string", "js_typeof", "safe_regex",
]
