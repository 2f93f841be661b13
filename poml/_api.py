"""The drop-in API: ``poml.poml(markup, context, stylesheet, chat, output_file, format, ...)``.

Behaves like the official Python SDK (``poml`` 0.0.8) but renders in-process:

>>> import poml
>>> poml.poml("<p>Hello {{name}}!</p>", context={"name": "World"})
[{'speaker': 'human', 'content': 'Hello World!'}]

What is a file and what is markup (the official SDK reads any string that names an
existing path; that turns untrusted markup such as ``"/etc/passwd"`` into a file read):

* ``file=`` and :func:`render_file` always name a file; ``markup=`` is always markup text;
* a positional :class:`pathlib.Path`, or a one-line string ending in ``.poml``, is a file
  (the drop-in convention);
* any other string is markup text.

Deviation from the reference, on purpose: markup given as a *string* resolves
relative paths (``<include src>``, ``<document src>`` ...) against the current
directory; the reference writes the string to a temporary file first, so its
relative paths point into the temp directory.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, List, Literal, Optional, Union

from ._environment import Environment, default_environment
from ._errors import (
    Diagnostic, DiagnosticSink, PomlError, PomlLimitError, PomlRenderError,
    PomlWarning, error_class, translated,
)
from ._limits import MAX_SOURCE_CHARS
from ._source import Source
from ._json_args import load_json_arg, os_problem

OutputFormat = Literal["raw", "message_dict", "dict", "openai_chat", "langchain", "pydantic"]
PathLike = Union[str, "os.PathLike[str]"]



def clear_caches() -> None:
    """Forget what the default Environment cached (benchmarks use it to time cold renders)."""
    default_environment().clear()


def _is_file_argument(markup: Any) -> bool:
    """The drop-in convention: a Path, or a one-line string ending in ``.poml``."""
    if isinstance(markup, os.PathLike):
        return True
    return isinstance(markup, str) and markup.endswith(".poml") and "\n" not in markup and "<" not in markup


@dataclass(slots=True, eq=False)
class Rendered:
    """What one render produced, before choosing an output format."""

    messages: Any
    schema: Any
    tools: Any
    runtime: Any
    diagnostics: list[Diagnostic]
    untrusted: Optional[list[str]] = None  # per message, the text a guard scans (None: human messages whole)


def render_text(
    text: str,
    *,
    path: Optional[str] = None,
    context: Optional[dict] = None,
    stylesheet: Optional[dict] = None,
    chat: bool = True,
    strict: bool = True,
    roots: Optional[Iterable[PathLike]] = None,
    allow_network: bool = False,
    lenient: Optional[bool] = None,
) -> Rendered:
    """Render markup text to messages (chat) or rich content, in the default Environment.

    ``path`` is where the text came from (relative ``src=`` paths resolve
    against its folder; otherwise against the current directory). In strict
    mode the first problem raises a :class:`PomlError`; otherwise problems are
    returned in ``diagnostics`` and rendering goes as far as it can.
    """
    return render_text_with(default_environment(), text, path=path, context=context, stylesheet=stylesheet,
                            chat=chat, strict=strict, roots=roots, allow_network=allow_network, lenient=lenient)


def render_text_with(
    env: Environment,
    text: str,
    *,
    path: Optional[str] = None,
    context: Optional[dict] = None,
    stylesheet: Optional[dict] = None,
    chat: bool = True,
    strict: bool = True,
    roots: Optional[Iterable[PathLike]] = None,
    allow_network: Optional[bool] = None,
    lenient: Optional[bool] = None,
    untrusted: bool = False,
) -> Rendered:
    """The engine: parse, expand, build and write ``text`` with ``env``'s policy and caches.

    ``strict=False`` renders past problems; it repairs what the reference refuses (lenient
    mode) unless ``lenient=False``, which only collects the errors (what an editor shows).

    This is the one boundary where failures become :class:`PomlError` s (:func:`~poml._errors.translated`):
    anything else escaping a stage is reported with the markup's location instead of a traceback.
    ``untrusted=True`` also finds the parts marked ``guard="true"/"false"`` (``Rendered.untrusted``).
    """
    try:
        return _render(env, text, path, context, stylesheet, chat, strict, roots, allow_network,
                       (not strict) if lenient is None else lenient, untrusted)
    except PomlError:
        raise
    except Exception as exc:  # a plain try: the boundary costs nothing on the way through
        raise translated(exc, path) from None


def _only_meta(root: Any) -> bool:
    from .syntax import XmlElement

    if root is None or not isinstance(root, XmlElement):
        return False
    found = False
    for c in root.children:  # stops at the first child that is not a <meta> (the usual case)
        if isinstance(c, XmlElement):
            if c.name.lower() != "meta":
                return False
            found = True
        elif c.text.strip():
            return False
    return found


def _render(env: Environment, text: str, path: Optional[str], context: Optional[dict],
            stylesheet: Optional[dict], chat: bool, strict: bool, roots: Any, allow_network: Any,
            lenient: bool, untrusted: bool = False) -> Rendered:
    import renderers

    from .components import build
    from .components.data import FileLoader
    from .template._expand import Expander, deep_merge

    if not isinstance(text, str):
        raise PomlError(f"error: the markup must be text, not {type(text).__name__}.")
    if len(text) > MAX_SOURCE_CHARS:
        raise PomlLimitError(
            f"{path or '<string>'}:1:1: error: the markup is {len(text)} characters; the limit is {MAX_SOURCE_CHARS}.\n"
            "hint: split the prompt, or load large data with <document>/<table> instead of inlining it"
        )
    if context is not None and not isinstance(context, dict):
        raise PomlError(f"error: the context must be a dict, not {type(context).__name__}.")
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    source = Source(text, path)
    sink = DiagnosticSink(source)
    doc = env.parse(text)
    for issue in doc.issues:
        if lenient and issue.repaired:
            sink.warning(issue.start, issue.end, issue.repaired, hint=issue.hint)
        else:
            sink.error(issue.start, issue.end, issue.message, hint=issue.hint, kind=issue.kind)
    if strict and sink.items and (doc.root is None or any(i.kind is PomlLimitError for i in doc.issues)):
        sink.raise_first()

    base_dir = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    files = env.file_access(path, roots, allow_network)
    expander = Expander(source, sink, trim=doc.trim, files=files, base_dir=base_dir, lenient=lenient,
                        limits=env.render_limits, compiled=env.compile_cache, parse=env.parse,
                        components=env.components)
    result = expander.expand_document(doc.root, dict(context or {}))
    sheet = stylesheet or {}
    if result.stylesheet:
        sheet = deep_merge(sheet, result.stylesheet)
    if strict and sink.has_error:
        sink.raise_first()
    cache = env.build_cache if doc.built else None
    doc.built = True
    ir = build(result.nodes, sink=sink, stylesheet=sheet or None, source=source,
               file_loader=FileLoader(files, base_dir), cache=cache, registry=env.components,
               budget=expander.budget)
    if strict and sink.has_error:
        sink.raise_first()
    if chat and _only_meta(doc.root):
        # The reference renders a document that holds nothing but <meta> to no messages at all
        # (seen on published prompts that only declare versions), not to one empty message.
        return Rendered([], result.schema, result.tools, result.runtime, sink.items)
    spans = None
    try:
        if chat and untrusted:
            messages, spans = renderers.write_untrusted(ir)
        else:
            messages = renderers.write(ir, chat=chat, memo=env.write_memo)
    except renderers.RenderIssue as issue:
        d = Diagnostic.at(source, issue.start or 0, issue.end or 0, issue.message, kind=error_class(issue))
        if strict:
            raise d.to_exception() from None
        sink.add(d)
        messages = [] if chat else ""
    return Rendered(messages, result.schema, result.tools, result.runtime, sink.items, spans)


def _parse_extra_args(extra_args: Optional[List[str]]) -> dict[str, str]:
    """The reference CLI flags that change the result (``--prettyPrint true``, ``--strict false``)."""
    opts: dict[str, str] = {}
    args = list(extra_args or [])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            key = arg[2:]
            if "=" in key:
                key, value = key.split("=", 1)
            elif i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
                i += 1
            else:
                value = "true"
            opts[key.replace("-", "").lower()] = value
        i += 1
    return opts


def poml(
    markup: Union[str, Path, None] = None,
    context: Union[dict, str, Path, None] = None,
    stylesheet: Union[dict, str, Path, None] = None,
    chat: bool = True,
    output_file: Union[str, Path, None] = None,
    format: OutputFormat = "message_dict",
    encoding: Optional[str] = None,
    extra_args: Optional[List[str]] = None,
    *,
    file: Optional[PathLike] = None,
    roots: Optional[Iterable[PathLike]] = None,
    allow_network: Optional[bool] = None,
    strict: Optional[bool] = None,
    env: Optional[Environment] = None,
    guard: Any = None,
) -> Any:
    """Render POML markup (or the file ``file=``) and return it in ``format``.

    Arguments and results are those of the official SDK's ``poml.poml``:

    >>> poml("<poml><task>Summarise.</task></poml>", chat=False)
    '# Task\\n\\nSummarise.'

    ``markup`` is markup text; a :class:`~pathlib.Path` or a one-line string ending in
    ``.poml`` names a file (``file=`` always does). ``context`` and ``stylesheet`` are
    dicts or paths of JSON files. ``format`` is one of ``raw``, ``message_dict``
    (default), ``dict``, ``openai_chat``, ``langchain``, ``pydantic``. ``extra_args``
    understands the reference CLI's ``--prettyPrint true`` and ``--strict false``.

    Beyond the reference: ``roots`` lists the folders markup may read files from
    (besides the markup file's folder, or the current directory for strings),
    ``allow_network`` lets ``<img src="https://...">`` and ``<webpage url>`` fetch
    (off by default), ``strict=False`` renders past problems (lenient), ``env``
    renders with an :class:`Environment` of your own (its policy and caches), and
    ``guard`` (e.g. ``compressor.Guard(...)``) protects the rendered human turns:
    their intent is added to the system prompt (docs/guard.md).

    Every failure is a :class:`PomlError` subclass naming file, line and column
    (a missing file is also a ``FileNotFoundError``); ``ValueError`` for an unknown format.
    """
    return render_with(env or default_environment(), markup, context=context, stylesheet=stylesheet, chat=chat,
                       output_file=output_file, format=format, encoding=encoding, extra_args=extra_args,
                       file=file, roots=roots, allow_network=allow_network, strict=strict, guard=guard)


def render_file(path: PathLike, context: Union[dict, str, Path, None] = None,
                stylesheet: Union[dict, str, Path, None] = None, **options: Any) -> Any:
    """Render the markup file at ``path`` (any file name); options as :func:`poml`."""
    return poml(None, context, stylesheet, file=path, **options)


def render_with(env: Environment, markup: Any, *, context: Any = None, stylesheet: Any = None, chat: bool = True,
                output_file: Any = None, format: str = "message_dict", encoding: Optional[str] = None,
                extra_args: Optional[List[str]] = None, file: Optional[PathLike] = None,
                roots: Optional[Iterable[PathLike]] = None, allow_network: Optional[bool] = None,
                strict: Optional[bool] = None, guard: Any = None) -> Any:
    """:func:`poml` with an explicit Environment."""
    from . import _trace

    path: Optional[str] = None
    if file is not None:
        if markup is not None:
            raise PomlError("error: give the markup or file=, not both.")
        path = os.fspath(file)
    elif markup is None:
        raise PomlError("error: nothing to render: pass markup text, or file=PATH.")
    elif _is_file_argument(markup):
        path = os.fspath(markup)
    elif not isinstance(markup, str):
        raise PomlError(f"error: the markup must be text or a path, not {type(markup).__name__}.")
    if path is not None:
        text = _read_markup(env, path, encoding)
        path = os.path.abspath(path)
    else:
        text = markup
        if "\n" not in text and "<" not in text and len(text) < 4096 and os.path.isfile(text):
            warnings.warn(
                f"the markup {text!r} names a file but is rendered as text: pass file={text!r} or a Path "
                "to read the file", stacklevel=3)
    ctx = load_json_arg(context, "context", encoding)
    sheet = load_json_arg(stylesheet, "stylesheet", encoding)
    opts = _parse_extra_args(extra_args)
    if strict is None:
        strict = env.strict if "strict" not in opts else opts["strict"].lower() != "false"
    pretty = opts.get("prettyprint", "false").lower() == "true"

    trace = _trace.record_call(markup if markup is not None else file, text, path, context, ctx, stylesheet, sheet)
    if guard is not None:
        from ._guarding import check_guard

        check_guard(guard, chat=chat, path=path)
    rendered = render_text_with(env, text, path=path, context=ctx, stylesheet=sheet, chat=chat, strict=strict,
                                roots=roots, allow_network=allow_network, untrusted=guard is not None)
    if guard is not None:
        from ._guarding import guard_messages

        rendered.messages = guard_messages(rendered.messages, guard, untrusted=rendered.untrusted)
    for item in rendered.diagnostics:  # lenient mode's repairs and skips, each a located warning
        warnings.warn(item.format(), PomlWarning, stacklevel=3)
    return _finish(rendered, chat=chat, format=format, pretty=pretty, output_file=output_file,
                   encoding=encoding, trace=trace)


def _read_markup(env: Environment, path: str, encoding: Optional[str]) -> str:
    try:
        return env.read_markup_file(os.path.abspath(path), encoding)
    except OSError as exc:  # the class from the one table: FileNotFoundError -> PomlFileNotFoundError ...
        raise error_class(exc)(f"{path}: error: {os_problem(exc, 'markup')}.") from None


def _finish(rendered: Rendered, *, chat: bool, format: str, pretty: bool, output_file: Any,
            encoding: Optional[str], trace: Any) -> Any:
    import renderers

    result = renderers.RenderResult(rendered.messages, rendered.schema, rendered.tools, rendered.runtime)
    raw = None
    if format == "raw" or output_file is not None or trace is not None:
        raw = renderers.format_result(result, "raw", chat=chat, pretty=pretty)
    if output_file is not None:
        with open(output_file, "w", encoding=encoding or "utf-8") as f:
            f.write(raw)
    if trace is not None:
        trace.finish(raw, pretty_text=renderers.format_result(result, "raw", chat=chat, pretty=True), format=format)
    if format == "raw":
        return raw
    if pretty and format != "raw":
        # The reference parses the CLI output as JSON; pretty text is not JSON.
        raise PomlError("--prettyPrint true gives text, not JSON: use format=\"raw\" with it.")
    if format not in renderers.FORMATS:
        raise ValueError(f"Unknown output format: {format} (one of {', '.join(renderers.FORMATS)})")
    try:
        return renderers.format_result(result, format, chat=chat)
    except ValueError as exc:  # the messages do not fit the format (the reference's checks)
        raise PomlRenderError(f"error: cannot give this prompt as {format}: {exc}.\n"
                              "hint: tool requests belong in ai messages and tool responses in tool messages; "
                              "render with chat=True for message formats") from None
