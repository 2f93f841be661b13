"""Engine diagnostics -> LSP diagnostics (errors in included files point at the `<include>`)."""

from __future__ import annotations

import os
from typing import Optional

from lsprotocol import types
from pygls.uris import from_fs_path

from .._errors import Diagnostic
from ._engine import Analysis, paired_path
from ._positions import LineIndex

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}


def _same(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a and b) and os.path.realpath(a) == os.path.realpath(b)  # type: ignore[arg-type]


def _include_span(analysis: Analysis, target: str) -> tuple[int, int]:
    base = os.path.dirname(os.path.abspath(analysis.path)) if analysis.path else os.getcwd()
    fallback = None
    for el in analysis.outline.elements:
        if el.name.lower() != "include":
            continue
        src = el.attribute("src")
        if src is None:
            continue
        span = (src.value_start, src.value_end)
        fallback = fallback or span
        if src.value and _same(os.path.join(base, src.value), target):
            return span
    return fallback or (0, 0)


def _read_index(path: str) -> Optional[LineIndex]:
    try:
        with open(path, encoding="utf-8") as f:
            return LineIndex(f.read().replace("\r\n", "\n"))
    except (OSError, UnicodeDecodeError):
        return None


def to_lsp(analysis: Analysis, diagnostics: list[Diagnostic], index: LineIndex,
           related: bool = True) -> list[types.Diagnostic]:
    """``diagnostics`` (from :meth:`WorkspaceEngine.diagnose`) and the paired files' problems, in LSP terms."""
    out = []
    for d in diagnostics:
        out.append(_one(analysis, index, d, related))
    for paired in analysis.paired.values():
        if paired.error:
            info = None
            if related:
                pos = types.Position(line=max(0, paired.line - 1), character=max(0, paired.column - 1))
                info = [types.DiagnosticRelatedInformation(
                    location=types.Location(uri=from_fs_path(paired.path) or paired.path, range=types.Range(start=pos, end=pos)),
                    message=paired.error)]
            out.append(types.Diagnostic(
                range=index.range(0, 0), severity=types.DiagnosticSeverity.Error, source="poml",
                message=f"{os.path.basename(paired.path)}:{paired.line}:{paired.column}: {paired.error}",
                code=f"invalid-{paired.kind}", related_information=info))
    return out


def _message(d: Diagnostic, missing_context: Optional[str] = None) -> str:
    hint = d.hint
    if missing_context and d.message.endswith(" is not defined"):
        hint = f"no {os.path.basename(missing_context)} next to this prompt: create it with the variables the prompt uses"
    return f"{d.message}\nhint: {hint}" if hint else d.message


def _one(analysis: Analysis, index: LineIndex, d: Diagnostic, related: bool) -> types.Diagnostic:
    severity = _SEVERITY.get(d.severity, types.DiagnosticSeverity.Error)
    if d.path is None or analysis.path is None or _same(d.path, analysis.path):
        missing = None if "context" in analysis.paired or not analysis.path else paired_path(analysis.path, "context")
        return types.Diagnostic(range=index.range(d.start, d.end), severity=severity, source="poml",
                                message=_message(d, missing), code=d.code)
    # A problem inside an included file: show it on the <include> and point there.
    start, end = _include_span(analysis, d.path)
    info = None
    other = _read_index(d.path)
    if related and other is not None:
        info = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=from_fs_path(d.path) or d.path, range=other.range(d.start, d.end)),
            message=_message(d))]
    where = f"{os.path.basename(d.path)}:{d.line}:{d.column}"
    return types.Diagnostic(range=index.range(start, end), severity=severity, source="poml",
                            message=f"in included file {where}: {_message(d)}", code=d.code,
                            related_information=info)
