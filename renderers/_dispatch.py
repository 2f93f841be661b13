"""Pick the writer for an environment (``env presentation=... markup-lang=... serializer=...``)."""

from __future__ import annotations

import json
from typing import Any

from ._base import EMPTY, Reporter, Written


def _writer_options(element: Any, reporter: Reporter) -> Any:
    raw = element.attrs.get("writer-options")
    if not raw:
        return None
    try:
        options = json.loads(raw)
    except ValueError:
        reporter.fail(f"Invalid JSON for writer-options: {raw}", element)
        return None
    return options if isinstance(options, dict) else None


def dispatch(element: Any, reporter: Reporter) -> Written:
    """Write ``element`` with the writer its environment asks for.

    A root that is not an ``env`` is written as Markdown with default options.
    """
    from ._markdown import MarkdownWriter

    if element.tag != "env":
        return MarkdownWriter(None, reporter).write(element)
    options = _writer_options(element, reporter)
    a = element.attrs
    presentation = a.get("presentation")
    if presentation == "markup":
        lang = a.get("markup-lang") or "markdown"
        if lang == "markdown":
            return MarkdownWriter(options, reporter).write(element)
        if lang == "html":
            from ._html import HtmlWriter

            return HtmlWriter(options, reporter).write(element)
        if lang in ("csv", "tsv"):
            from ._csv import CsvWriter, TsvWriter

            return (CsvWriter if lang == "csv" else TsvWriter)(options, reporter).write(element)
        reporter.fail(f"Invalid markup language: {lang}", element)
        return EMPTY
    if presentation == "serialize":
        from ._serialize import JsonWriter, XmlWriter, YamlWriter

        serializer = a.get("serializer") or "json"
        cls = {"json": JsonWriter, "yaml": YamlWriter, "xml": XmlWriter}.get(serializer)
        if cls is None:
            reporter.fail(f"Invalid serializer: {serializer}", element)
            return EMPTY
        return cls(options, reporter).write(element)
    if presentation == "free":
        from ._free import FreeWriter

        return FreeWriter(options, reporter).write(element)
    if presentation == "multimedia":
        from ._multimedia import MultiMediaWriter

        return MultiMediaWriter(options, reporter).write(element)
    reporter.fail(f"Invalid presentation: {presentation}", element)
    return EMPTY
