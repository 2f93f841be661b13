"""IR -> text or chat messages, and the SDK's output formats.

>>> from renderers.ir import Element as E
>>> ir = E("env", {"presentation": "markup", "markup-lang": "markdown"},
...        [E("p", {}, ["Hello ", E("b", {}, ["world"])]), E("p", {"speaker": "ai"}, ["Hi!"])])
>>> write(ir, chat=False)
'Hello **world**\\n\\nHi!'
>>> write(ir, chat=True)
[{'speaker': 'system', 'content': 'Hello **world**'}, {'speaker': 'ai', 'content': 'Hi!'}]
>>> format_result(RenderResult(write(ir, chat=True)), "openai_chat", chat=True)["messages"][1]
{'role': 'assistant', 'content': 'Hi!'}

Problems in the IR raise :class:`RenderIssue` (or what the ``error`` factory
returns) carrying the offending element's source span. This package imports
nothing from :mod:`poml`: the IR it reads is :mod:`renderers.ir`.
"""

import typing as _t

from ._base import RenderIssue, RichContent, WriteMemo
from ._base import Reporter as _Reporter, written_to_content as _written_to_content
from ._dispatch import dispatch as _dispatch
from ._formats import FORMATS, RenderResult, camel_to_snake, format_result, pretty_text
from ._speakers import VALID_SPEAKERS
from ._speakers import to_messages as _to_messages
from ._untrusted import write_untrusted

Message = dict  # {"speaker": "system" | "human" | "ai" | "tool", "content": RichContent}
_ErrorFactory = _t.Callable[[RenderIssue], BaseException]

__all__ = [
    "write", "write_collect", "write_untrusted", "WriteMemo", "RenderResult", "format_result", "pretty_text", "RenderIssue", "FORMATS",
    "VALID_SPEAKERS", "RichContent", "Message", "camel_to_snake", "count_tokens",
    "PomlFrame", "PomlMessage", "ContentMultiMedia", "ContentMultiMediaToolRequest",
    "ContentMultiMediaToolResponse",
]


def write(ir: _t.Any, *, chat: bool, error: _t.Optional[_ErrorFactory] = None,
          memo: _t.Optional[WriteMemo] = None) -> _t.Union[RichContent, list]:
    """Render an IR tree (:class:`renderers.ir.Element`).

    ``chat=True``: a list of ``{"speaker", "content"}`` messages.
    ``chat=False``: rich content, a ``str`` or a list of ``str`` and media /
    tool parts. The first problem raises ``error(issue)`` (default: the
    :class:`RenderIssue` itself, carrying the element's ``start``/``end`` offsets;
    the engine turns them into a located ``PomlRenderError``). ``memo`` (a
    :class:`WriteMemo`) remembers what was written, so a re-render of a partly
    unchanged tree writes only what changed.
    """
    if memo is not None:
        # The builder hands back the very same (immutable) root for an unchanged prompt:
        # then the written result is known; callers get their own copy of it.
        hit = memo.written.get((id(ir), chat))
        if hit is not None and hit[0] is ir:
            return _copy_result(hit[1])
    try:
        result = _write(ir, chat, _Reporter(memo=memo))
    except RenderIssue as issue:
        _fill_span(ir, issue)
        raise (error(issue) if error else issue) from None
    except RecursionError:
        # The writers recurse along the tree (a few frames per level); the parser's
        # nesting limit keeps legal prompts well inside the interpreter's own limit.
        issue = RenderIssue("The prompt is nested too deeply to render.", ir.start, ir.end, ir)
        raise (error(issue) if error else issue) from None
    if memo is not None:
        if len(memo.written) >= memo.max_written:
            memo.written.clear()
        memo.written[(id(ir), chat)] = (ir, _copy_result(result))
    return result


def _copy_result(result: _t.Any) -> _t.Any:
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


def _fill_span(root: _t.Any, issue: RenderIssue) -> None:
    """Give an issue from a span-less IR element the span of its nearest located ancestor."""
    if issue.start is not None or issue.element is None:
        return
    stack = [(root, None)]  # iterative: error paths must not recurse either
    parents: dict[int, _t.Any] = {}
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


def _write(ir: _t.Any, chat: bool, reporter: _Reporter) -> _t.Any:
    written = _dispatch(ir, reporter)
    if chat:
        return _to_messages(ir, written, reporter)
    return _written_to_content(written)


def write_collect(ir: _t.Any, *, chat: bool) -> tuple[_t.Union[RichContent, list], list[RenderIssue]]:
    """Like :func:`write` but keeps going past problems (for editors): returns (result, issues)."""
    reporter = _Reporter(collect=True)
    written = _dispatch(ir, reporter)
    result = _to_messages(ir, written, reporter) if chat else _written_to_content(written)
    return result, reporter.issues


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Tokens of ``text`` with the encoding the ``tokenLimit`` option uses."""
    from ._tokens import count_tokens as _count

    return _count(text, model)


_MODEL_NAMES = {"PomlFrame", "PomlMessage", "ContentMultiMedia", "ContentMultiMediaToolRequest",
                "ContentMultiMediaToolResponse"}


def __getattr__(name: str) -> _t.Any:
    # The pydantic models load on first use so that importing renderers stays cheap.
    if name in _MODEL_NAMES:
        from . import _models

        return getattr(_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
