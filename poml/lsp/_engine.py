"""The one place the language server calls the engine.

:class:`WorkspaceEngine` parses, renders and collects diagnostics for the
documents of one workspace and forgets a document's results when it changes.
It holds one :class:`poml.Environment` per workspace (parse, file, build and
write caches, and the workspace's read policy), so an edit re-renders only what
changed, and a file saved on disk is invalidated there.

Analysing a version is cheap (parse and outline: what completion, hover and the
other syntactic features need); rendering it for diagnostics is the expensive
part and happens only when diagnostics or a preview are asked for, once per
version. The parse of a superseded version is dropped from the Environment, so
typing does not fill its cache with every keystroke's text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional

from .._environment import Environment
from .._errors import Diagnostic, PomlComponentError, PomlError
from .._names import hyphen_to_camel
from ..syntax import ParsedDocument
from ..template.expressions import ExpressionError, compile_expression
from ._syntax import DIRECTIVE_TAGS, TEMPLATE_ATTRS, Outline, outline

PAIRED = ("context", "stylesheet")


@dataclass(slots=True)
class PairedFile:
    """``name.context.json`` / ``name.stylesheet.json`` next to ``name.poml``."""

    kind: str
    path: str
    data: Optional[dict] = None
    error: Optional[str] = None
    line: int = 1
    column: int = 1


@dataclass
class Analysis:
    """Everything computed for one version of a document (diagnostics on demand)."""

    text: str
    path: Optional[str]
    parsed: ParsedDocument
    outline: Outline
    paired: dict[str, PairedFile]
    diagnostics: Optional[list[Diagnostic]] = None  # None until WorkspaceEngine.diagnose renders
    rendered: Optional[tuple[Any, list[Diagnostic]]] = field(default=None, repr=False)  # with the paired context
    components: Any = None  # the Environment's ComponentRegistry: completion, hover, checks

    @property
    def context(self) -> dict:
        ctx = self.paired.get("context")
        return dict(ctx.data) if ctx and ctx.data else {}

    @property
    def stylesheet(self) -> Optional[dict]:
        sheet = self.paired.get("stylesheet")
        return sheet.data if sheet and sheet.data else None


def paired_path(path: str, kind: str) -> str:
    stem = path[:-5] if path.lower().endswith(".poml") else path
    return f"{stem}.{kind}.json"


def _read_paired(path: str, kind: str) -> Optional[PairedFile]:
    file = paired_path(path, kind)
    if not os.path.exists(file):
        return None
    try:
        with open(file, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as exc:
        return PairedFile(kind, file, error=f"the {kind} file is not valid JSON: {exc.msg}",
                          line=exc.lineno, column=exc.colno)
    except (OSError, UnicodeDecodeError) as exc:
        return PairedFile(kind, file, error=f"the {kind} file cannot be read: {exc}")
    if not isinstance(data, dict):
        return PairedFile(kind, file, error=f"the {kind} file must hold a JSON object, not {type(data).__name__}")
    return PairedFile(kind, file, data=data)


class WorkspaceEngine:
    """Per-workspace engine state: one analysis per open document, replaced when its text changes."""

    def __init__(self, roots: Optional[list[str]] = None, env: Optional[Environment] = None):
        self.roots = roots or []
        # The Environment's policy, caches and component registry serve every feature.
        self.env = env if env is not None else Environment(roots=self.roots)
        self._cache: dict[str, Analysis] = {}

    def warm(self) -> None:
        """Import and set up what a render needs now, not while the first keystroke waits."""
        probe = "poml-warm:"
        self.diagnose(self.analyze(probe, '<poml><let name="n" value="1"/><p for="i in [n]">{{ i }}</p></poml>', None))
        self._cache.pop(probe, None)

    def invalidate(self, uri: str, path: Optional[str] = None) -> None:
        self._cache.pop(uri, None)
        if path:
            self.env.invalidate(path)

    def analyze(self, uri: str, text: str, path: Optional[str]) -> Analysis:
        """Parse, outline and paired files of this text (no render: see :meth:`diagnose`)."""
        text = text.replace("\r\n", "\n")  # the engine's offsets are into this text; lines are unchanged
        hit = self._cache.get(uri)
        if hit is not None and hit.text == text:
            return hit
        parsed = self.env.parse(text)  # the same parse cache the render uses: one parse per edit
        paired = {k: p for k in PAIRED if path and (p := _read_paired(path, k)) is not None}
        analysis = Analysis(text, path, parsed, outline(parsed.root, text), paired, components=self.env.components)
        self._cache[uri] = analysis
        if hit is not None and not any(a.text == hit.text for a in self._cache.values()):
            self.env.forget_text(hit.text)  # superseded: no render will ask for it again
        return analysis

    def diagnose(self, analysis: Analysis) -> list[Diagnostic]:
        """The diagnostics of this version: one render with the paired files, remembered."""
        if analysis.diagnostics is None:
            analysis.diagnostics = self._diagnose(analysis)
        return analysis.diagnostics

    def render(self, analysis: Analysis, context: Optional[dict] = None, chat: bool = True) -> tuple[Any, list[Diagnostic]]:
        """Messages (chat) or content, and the diagnostics of that render (never raises for bad markup).

        The render with the paired context is remembered: diagnostics and the preview share it.
        """
        paired = context is None and chat
        if paired and analysis.rendered is not None:
            return analysis.rendered
        try:
            r = self.env.render_text(analysis.text, path=analysis.path,
                                     context=analysis.context if context is None else context,
                                     stylesheet=analysis.stylesheet, chat=chat, strict=False, lenient=False)
            result = (r.messages, r.diagnostics)
        except PomlError as exc:
            result = (([] if chat else ""), [exc.diagnostic or Diagnostic(str(exc), path=analysis.path)])
        if paired:
            analysis.rendered = result
        return result

    def _diagnose(self, analysis: Analysis) -> list[Diagnostic]:
        _, found = self.render(analysis)
        found = list(found) + self._attribute_checks(analysis)
        seen, out = set(), []
        for d in found:
            key = (d.path, d.start, d.end, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def _attribute_checks(self, analysis: Analysis) -> list[Diagnostic]:
        """Attributes no component parameter takes (the engine ignores them silently)."""
        from .._source import Source

        source = Source(analysis.text, analysis.path)
        out = []
        for el in analysis.outline.elements:
            if el.name.lower() in DIRECTIVE_TAGS:
                continue
            comp = analysis.components.lookup(el.name)
            if comp is None:
                continue
            params = comp.param_map
            for a in el.attributes:
                key = a.key.lower()
                if key in params or key in TEMPLATE_ATTRS or hyphen_to_camel(key).lower() in params or ":" in key:
                    continue
                close = [p.name for p in comp.all_params() if _near(p.name.lower(), key)]
                hint = f"did you mean: {', '.join(close)}?" if close else f"see the attributes of <{comp.name}> in hover"
                out.append(Diagnostic.at(source, a.start, a.start + len(a.key),
                                         f'Unknown attribute "{a.key}" for <{el.name}>.', hint=hint,
                                         severity="warning", kind=PomlComponentError))
        return out

    def evaluate(self, analysis: Analysis, expression: str, offset: int) -> dict:
        """Value of ``expression`` with the paired context and the `<let>` values defined before ``offset``."""
        scope = analysis.context
        for let in analysis.outline.lets:
            if let.element.start >= offset or let.value is None or not let.value.value:
                continue
            try:
                scope[let.name] = compile_expression(let.value.value.strip().removeprefix("{{").removesuffix("}}")
                                                     ).evaluate(scope)
            except ExpressionError:
                continue
        try:
            value = compile_expression(expression).evaluate(scope)
        except ExpressionError as exc:
            return {"expression": expression, "value": None, "error": getattr(exc, "message", str(exc))}
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            value = repr(value)
        return {"expression": expression, "value": value, "error": None}


def _near(a: str, b: str) -> bool:
    from ..components._registry import levenshtein

    return levenshtein(a, b) <= 2


__all__ = ["WorkspaceEngine", "Analysis", "PairedFile", "paired_path"]
