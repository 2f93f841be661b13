"""The drop-in API: ``poml.poml(markup, context, stylesheet, chat, output_file, format, ...)``.

Behaves like the official Python SDK (``poml`` 0.0.8) but renders in-process:

>>> import poml
>>> poml.poml("<p>Hello {{name}}!</p>", context={"name": "World"})
[{'speaker': 'human', 'content': 'Hello World!'}]

Deviation from the reference, on purpose: markup given as a *string* resolves
relative paths (``<include src>``, ``<document src>`` ...) against the current
directory; the reference writes the string to a temporary file first, so its
relative paths point into the temp directory.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterable, List, Literal, Optional, Union

from ._errors import Diagnostic, DiagnosticSink, PomlError, PomlLimitError, PomlWarning
from ._limits import MAX_SOURCE_CHARS
from ._source import Source
from .syntax import ParsedDocument, parse_markup

OutputFormat = Literal["raw", "message_dict", "dict", "openai_chat", "langchain", "pydantic"]

_PATH_LIKE = re.compile(r"^[\w\-./]+$")
_PARSE_CACHE: "OrderedDict[str, ParsedDocument]" = OrderedDict()
_PARSE_CACHE_SIZE = 256
_FILE_CACHE: dict[str, tuple[int, int, str]] = {}
_ACCESS_CACHE: dict[tuple, Any] = {}


def _parse_cached(text: str) -> ParsedDocument:
    """Parse once per distinct text: rendering the same markup with a new context skips parsing."""
    doc = _PARSE_CACHE.get(text)
    if doc is None:
        doc = parse_markup(text)
        _PARSE_CACHE[text] = doc
        if len(_PARSE_CACHE) > _PARSE_CACHE_SIZE:
            _PARSE_CACHE.popitem(last=False)
    else:
        _PARSE_CACHE.move_to_end(text)
    return doc


def clear_caches() -> None:
    """Forget parsed markup, compiled templates and file reads (benchmarks use it to time cold renders)."""
    from .template._text import compile_text
    from .template.expressions import compile_expression

    _PARSE_CACHE.clear()
    _FILE_CACHE.clear()
    compile_text.cache_clear()
    from renderers import clear_memo as clear_written
    from renderers._markdown import clear_memo

    clear_memo()
    clear_written()
    from .components import clear_cache as clear_build_cache

    clear_build_cache()
    if hasattr(compile_expression, "cache_clear"):
        compile_expression.cache_clear()
    try:
        from . import _files
    except ImportError:
        return
    clear = getattr(_files, "clear_cache", None)
    if clear is not None:
        clear()


def _read_file_cached(path: str, encoding: Optional[str]) -> str:
    # The markup file itself, not a file it names: no roots to check, so one stat per render
    # instead of FileAccess's resolve (realpath) + stat; the same str object also keeps its hash.
    st = os.stat(path)
    hit = _FILE_CACHE.get(path)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
        return hit[2]
    if st.st_size > MAX_SOURCE_CHARS * 4:
        raise PomlLimitError(f"{path}: the markup file is {st.st_size} bytes; the limit is {MAX_SOURCE_CHARS} characters.")
    with open(path, encoding=encoding or "utf-8") as f:
        text = f.read()
    _FILE_CACHE[path] = (st.st_mtime_ns, st.st_size, text)
    return text


def _load_json_arg(value: Any, what: str, encoding: Optional[str]) -> Optional[dict]:
    """``context``/``stylesheet``: a dict, or the path of a JSON file (like the reference)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    path = str(value)
    if not os.path.exists(path):
        raise FileNotFoundError(f"File not found: {value}")
    with open(path, encoding=encoding or "utf-8") as f:
        try:
            data = json.load(f)
        except ValueError as exc:
            raise PomlError(f"{path}:{exc.lineno}:{exc.colno}: error: the {what} file is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PomlError(f"{path}: error: the {what} file must hold a JSON object")
    return data


class Rendered:
    """What one render produced, before choosing an output format."""

    __slots__ = ("messages", "schema", "tools", "runtime", "diagnostics")

    def __init__(self, messages: Any, schema: Any, tools: Any, runtime: Any, diagnostics: list[Diagnostic]):
        self.messages = messages
        self.schema = schema
        self.tools = tools
        self.runtime = runtime
        self.diagnostics = diagnostics


def render_text(
    text: str,
    *,
    path: Optional[str] = None,
    context: Optional[dict] = None,
    stylesheet: Optional[dict] = None,
    chat: bool = True,
    strict: bool = True,
    roots: Optional[Iterable[Union[str, Path]]] = None,
    allow_network: bool = False,
) -> Rendered:
    """Render markup text to messages (chat) or rich content; the engine behind :func:`poml`.

    ``path`` is where the text came from (relative ``src=`` paths resolve
    against its folder; otherwise against the current directory). In strict
    mode the first problem raises a :class:`PomlError`; otherwise problems are
    returned in ``diagnostics`` and rendering goes as far as it can.
    """
    import renderers
    from .components import build
    from .components.data import FileLoader
    from .template._expand import Expander, deep_merge

    if len(text) > MAX_SOURCE_CHARS:
        raise PomlLimitError(
            f"{path or '<string>'}:1:1: error: the markup is {len(text)} characters; the limit is {MAX_SOURCE_CHARS}.\n"
            "hint: split the prompt, or load large data with <document>/<table> instead of inlining it"
        )
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    source = Source(text, path)
    sink = DiagnosticSink(source)
    doc = _parse_cached(text)
    for issue in doc.issues:
        sink.error(issue.start, issue.end, issue.message, hint=issue.hint, kind=issue.kind)
    if strict and sink.items and (doc.root is None or any(i.kind == "PomlLimitError" for i in doc.issues)):
        sink.raise_first()

    base_dir = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    files = _file_access(path, roots, allow_network)
    expander = Expander(source, sink, trim=doc.trim, files=files, base_dir=base_dir)
    result = expander.expand_document(doc.root, dict(context or {}))
    sheet = stylesheet or {}
    if result.stylesheet:
        sheet = deep_merge(sheet, result.stylesheet)
    if strict and sink.errors:
        sink.raise_first()
    ir = build(result.nodes, sink=sink, stylesheet=sheet or None, source=source,
               file_loader=FileLoader(files, base_dir))
    if strict and sink.errors:
        sink.raise_first()
    try:
        messages = renderers.write(ir, chat=chat)
    except renderers.RenderIssue as issue:
        d = Diagnostic.at(source, issue.start or 0, issue.end or 0, issue.message, kind="PomlRenderError")
        if strict:
            raise d.to_exception() from None
        sink.add(d)
        messages = [] if chat else ""
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # A safety net: a writer met a value it does not expect. Report it with a place, not a traceback.
        d = Diagnostic.at(source, ir.start or 0, ir.end or 0,
                          f"could not write the prompt ({type(exc).__name__}: {exc})", kind="PomlRenderError",
                          hint="check the attribute values (writerOptions, limits); if they look right, please report this")
        if strict:
            raise d.to_exception() from exc
        sink.add(d)
        messages = [] if chat else ""
    return Rendered(messages, result.schema, result.tools, result.runtime, sink.items)


def _file_access(path: Optional[str], roots: Optional[Iterable[Union[str, Path]]], allow_network: bool) -> Any:
    """The markup's folder (the current directory for strings), widened by ``roots``."""
    from ._files import default_access

    key = (path, os.getcwd() if path is None else None, tuple(str(r) for r in roots) if roots else (), allow_network)
    access = _ACCESS_CACHE.get(key)
    if access is None:  # resolving roots costs a few realpath calls: once per distinct setting
        if len(_ACCESS_CACHE) > 256:
            _ACCESS_CACHE.clear()
        access = _ACCESS_CACHE[key] = default_access(path, list(roots) if roots else None, allow_network)
    return access


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
    markup: Union[str, Path],
    context: Union[dict, str, Path, None] = None,
    stylesheet: Union[dict, str, Path, None] = None,
    chat: bool = True,
    output_file: Union[str, Path, None] = None,
    format: OutputFormat = "message_dict",
    encoding: Optional[str] = None,
    extra_args: Optional[List[str]] = None,
    *,
    roots: Optional[Iterable[Union[str, Path]]] = None,
    allow_network: bool = False,
) -> Any:
    """Render POML markup (a string, or the path of a ``.poml`` file) and return it in ``format``.

    Arguments and results are those of the official SDK's ``poml.poml``:

    >>> poml("<poml><task>Summarise.</task></poml>", chat=False)
    '# Task\\n\\nSummarise.'

    ``context`` and ``stylesheet`` are dicts or paths of JSON files. ``format``
    is one of ``raw``, ``message_dict`` (default), ``dict``, ``openai_chat``,
    ``langchain``, ``pydantic``. ``extra_args`` understands the reference CLI's
    ``--prettyPrint true`` and ``--strict false``.

    Beyond the reference: ``roots`` lists the folders markup may read files from
    (default: the markup file's folder, or the current directory for strings),
    and ``allow_network`` lets ``<img src="https://...">`` and ``<webpage url>``
    fetch (off by default).

    Raises :class:`PomlError` (a subclass naming file, line and column) for bad
    markup, ``FileNotFoundError`` for a missing markup/context/stylesheet file,
    ``ValueError`` for an unknown format.
    """
    from . import _trace

    path: Optional[str] = None
    if isinstance(markup, Path):
        if not markup.exists():
            raise FileNotFoundError(f"File not found: {markup}")
        path = str(markup)
    elif os.path.exists(markup):
        path = markup
    elif _PATH_LIKE.match(markup):
        warnings.warn(
            f"The markup '{markup}' looks like a file path, but it does not exist. Assuming it is a POML string.",
            stacklevel=2,
        )
    if path is not None:
        path = os.path.abspath(path)
        text = _read_file_cached(path, encoding)
    else:
        text = str(markup)
    ctx = _load_json_arg(context, "context", encoding)
    sheet = _load_json_arg(stylesheet, "stylesheet", encoding)
    opts = _parse_extra_args(extra_args)
    strict = opts.get("strict", "true").lower() != "false"
    pretty = opts.get("prettyprint", "false").lower() == "true"

    trace = _trace.record_call(markup, text, path, context, ctx, stylesheet, sheet)
    try:
        rendered = render_text(text, path=path, context=ctx, stylesheet=sheet, chat=chat, strict=strict,
                               roots=roots, allow_network=allow_network)
    except RecursionError:  # a safety net: the parser's depth limit should stop this first
        raise PomlLimitError(f"{path or '<string>'}:1:1: error: the markup is nested too deeply to render.") from None
    for item in rendered.diagnostics:  # what non-strict mode skipped, and located warnings
        warnings.warn(item.format(), PomlWarning, stacklevel=2)
    return _finish(rendered, chat=chat, format=format, pretty=pretty, output_file=output_file,
                   encoding=encoding, trace=trace)


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
    return renderers.format_result(result, format, chat=chat)
