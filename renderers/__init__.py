"""IR -> text or chat messages, and the SDK's output formats.

>>> from poml.ir import Element as E
>>> ir = E("env", {"presentation": "markup", "markup-lang": "markdown"},
...        [E("p", {}, ["Hello ", E("b", {}, ["world"])]), E("p", {"speaker": "ai"}, ["Hi!"])])
>>> write(ir, chat=False)
'Hello **world**\\n\\nHi!'
>>> write(ir, chat=True)
[{'speaker': 'system', 'content': 'Hello **world**'}, {'speaker': 'ai', 'content': 'Hi!'}]
>>> format_result(RenderResult(write(ir, chat=True)), "openai_chat", chat=True)["messages"][1]
{'role': 'assistant', 'content': 'Hi!'}

Problems in the IR raise :class:`poml._errors.PomlRenderError` (or what the
``error`` factory returns) carrying the offending element's source span.
This package never imports :mod:`poml` at import time (``poml`` imports us).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from ._base import RenderIssue, Reporter, RichContent, written_to_content
from ._dispatch import dispatch
from ._formats import FORMATS, RenderResult, camel_to_snake, format_result, pretty_text
from ._speakers import VALID_SPEAKERS, to_messages

Message = dict  # {"speaker": "system" | "human" | "ai" | "tool", "content": RichContent}
ErrorFactory = Callable[[RenderIssue], BaseException]

__all__ = [
    "write", "write_collect", "RenderResult", "format_result", "pretty_text", "RenderIssue", "FORMATS",
    "VALID_SPEAKERS", "RichContent", "Message", "camel_to_snake", "count_tokens",
    "PomlFrame", "PomlMessage", "ContentMultiMedia", "ContentMultiMediaToolRequest",
    "ContentMultiMediaToolResponse",
]


_error_class: Any = None


def _default_error(issue: RenderIssue) -> BaseException:
    """A :class:`poml._errors.PomlRenderError` that is also a :class:`RenderIssue`.

    Callers may catch either; ``poml`` is imported only here, on the error path.
    """
    global _error_class
    from poml._errors import Diagnostic, PomlRenderError

    if _error_class is None:
        class RenderError(PomlRenderError, RenderIssue):
            def __init__(self, issue: RenderIssue, diagnostic: Any):
                PomlRenderError.__init__(self, issue.message, diagnostic=diagnostic)
                self.message, self.start, self.end, self.element = (
                    issue.message, issue.start, issue.end, issue.element)

        _error_class = RenderError
    start = issue.start if issue.start is not None else 0
    end = issue.end if issue.end is not None else start
    diag = Diagnostic(issue.message, start=start, end=end, kind="PomlRenderError")
    return _error_class(issue, diag)


def write(ir: Any, *, chat: bool, error: Optional[ErrorFactory] = None) -> Union[RichContent, list]:
    """Render an IR tree (:class:`poml.ir.Element`).

    ``chat=True``: a list of ``{"speaker", "content"}`` messages.
    ``chat=False``: rich content, a ``str`` or a list of ``str`` and media /
    tool parts. The first problem raises ``error(issue)`` (default:
    :class:`poml._errors.PomlRenderError`, whose diagnostic has the element's
    ``start``/``end`` offsets; turn them into line/column with your source).
    """
    # The builder hands back the very same (immutable) root for an unchanged prompt:
    # then the written result is known; callers get their own copy of it.
    hit = _WRITTEN.get((id(ir), chat))
    if hit is not None and hit[0] is ir:
        return _copy_result(hit[1])
    try:
        try:
            result = _write(ir, chat, Reporter())
            if len(_WRITTEN) >= _WRITTEN_MAX:
                _WRITTEN.clear()
            _WRITTEN[(id(ir), chat)] = (ir, _copy_result(result))
            return result
        except RecursionError:
            # The writers recurse along the tree (a few frames per level). Deep but
            # legal prompts get a larger allowance once; absurd depths are refused.
            return _with_recursion_limit(_DEEP_LIMIT, _write, ir, chat, Reporter())
    except RenderIssue as issue:
        _fill_span(ir, issue)
        raise (error or _default_error)(issue) from None
    except RecursionError:
        issue = RenderIssue("The prompt is nested too deeply to render.", ir.start, ir.end, ir)
        raise (error or _default_error)(issue) from None


_DEEP_LIMIT = 12000
_WRITTEN: dict = {}  # (id(root), chat) -> (root, result); the root is kept so its id stays unique
_WRITTEN_MAX = 512


def clear_memo() -> None:
    """Forget written results (benchmarks use it to time cold writes)."""
    _WRITTEN.clear()


def _copy_result(result: Any) -> Any:
    """A copy deep enough that changing a returned message never changes a remembered one."""
    import copy

    if isinstance(result, str):
        return result
    if isinstance(result, list):
        return [_copy_result(x) for x in result]
    if isinstance(result, dict):
        return {k: (v if isinstance(v, str) else _copy_result(v) if isinstance(v, (list, dict)) else copy.copy(v))
                for k, v in result.items()}
    return result


def _fill_span(root: Any, issue: RenderIssue) -> None:
    """Give an issue from a span-less IR element the span of its nearest located ancestor."""
    if issue.start is not None or issue.element is None:
        return
    stack = [(root, None)]  # iterative: error paths must not recurse either
    parents: dict[int, Any] = {}
    while stack:
        node, parent = stack.pop()
        parents[id(node)] = parent
        if node is issue.element:
            break
        for c in getattr(node, "children", ()):
            if not isinstance(c, str):
                stack.append((c, node))
    else:
        return
    node = parents.get(id(issue.element))
    while node is not None:
        if node.start is not None:
            issue.start, issue.end = node.start, node.end
            return
        node = parents.get(id(node))


def _write(ir: Any, chat: bool, reporter: Reporter) -> Any:
    written = dispatch(ir, reporter)
    if chat:
        return to_messages(ir, written, reporter)
    return written_to_content(written)


def _with_recursion_limit(limit: int, fn: Callable, *args: Any) -> Any:
    import sys

    old = sys.getrecursionlimit()
    if old >= limit:
        return fn(*args)
    sys.setrecursionlimit(limit)
    try:
        return fn(*args)
    finally:
        sys.setrecursionlimit(old)


def write_collect(ir: Any, *, chat: bool) -> tuple[Union[RichContent, list], list[RenderIssue]]:
    """Like :func:`write` but keeps going past problems (for editors): returns (result, issues)."""
    reporter = Reporter(collect=True)
    written = dispatch(ir, reporter)
    result = to_messages(ir, written, reporter) if chat else written_to_content(written)
    return result, reporter.issues


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Tokens of ``text`` with the encoding the ``tokenLimit`` option uses."""
    from ._tokens import count_tokens as _count

    return _count(text, model)


_MODEL_NAMES = {"PomlFrame", "PomlMessage", "ContentMultiMedia", "ContentMultiMediaToolRequest",
                "ContentMultiMediaToolResponse"}


def __getattr__(name: str) -> Any:
    # The pydantic models load on first use so that importing renderers stays cheap.
    if name in _MODEL_NAMES:
        from . import _models

        return getattr(_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
