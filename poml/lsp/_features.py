"""Completion, hover, navigation, outline, tokens, lenses and preview over one :class:`Analysis`."""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from lsprotocol import types
from pygls.uris import from_fs_path

from ._engine import Analysis
from ._positions import LineIndex
from ._syntax import IDENT, TEMPLATE_ATTRS, identifier_spans, walk

_TAG_OPEN = re.compile(r"<(/?)([\w.:\-]*)$")
_IN_TAG = re.compile(r"<([\w.:\-]+)\s[^<>]*$", re.S)
_ATTR_VALUE = re.compile(r"([\w.:\-]+)\s*=\s*[\"']([^\"']*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)


# ------------------------------------------------------------------ completion
def complete(analysis: Analysis, offset: int) -> list[types.CompletionItem]:
    before = analysis.text[max(0, offset - 2000):offset]
    open_expr = before.rfind("{{")
    if open_expr != -1 and before.find("}}", open_expr) == -1:
        return _variables(analysis, offset)
    m = _TAG_OPEN.search(before)
    if m:
        return _closing(analysis, offset) if m.group(1) else _tags(analysis)
    m = _IN_TAG.search(before)
    if m:
        comp = analysis.components.lookup(m.group(1))
        value = _ATTR_VALUE.search(before[m.start():])
        if value:
            if comp is None:
                return []
            p = comp.param_map.get(value.group(1).lower())
            choices = p.choices if p else ()
            if p and p.type == "boolean":
                choices = ("true", "false")
            return [types.CompletionItem(label=c, kind=types.CompletionItemKind.EnumMember) for c in choices]
        if comp is None:
            return []
        present = {k.lower() for k in re.findall(r"([\w.:\-]+)\s*=", before[m.start():])}
        items = [types.CompletionItem(
            label=p.name, kind=types.CompletionItemKind.Property, detail=p.type,
            documentation=p.description or None, insert_text=f'{p.name}="$1"',
            insert_text_format=types.InsertTextFormat.Snippet)
            for p in comp.all_params() if p.name.lower() not in present]
        items += [types.CompletionItem(label=a, kind=types.CompletionItemKind.Keyword, insert_text=f'{a}="$1"',
                                       insert_text_format=types.InsertTextFormat.Snippet)
                  for a in sorted(TEMPLATE_ATTRS) if a not in present]
        return items
    return []


def _tags(analysis: Analysis) -> list[types.CompletionItem]:
    items = []
    for comp in analysis.components.components():
        for alias in comp.aliases:
            items.append(types.CompletionItem(
                label=alias, kind=types.CompletionItemKind.Class, detail=comp.name,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=comp.doc) if comp.doc else None,
                insert_text=f"{alias}>$0</{alias}>", insert_text_format=types.InsertTextFormat.Snippet))
    return items


def _closing(analysis: Analysis, offset: int) -> list[types.CompletionItem]:
    """The innermost element still open at ``offset`` (an unclosed one runs to the end of the text)."""
    open_ = [e for e in analysis.outline.elements if e.start < offset - 2 and e.end >= offset - 2]
    if not open_:
        return []
    target = max(open_, key=lambda e: e.start)
    return [types.CompletionItem(label=f"/{target.name}", kind=types.CompletionItemKind.Class,
                                 insert_text=f"{target.name}>", filter_text=target.name)]


def _variables(analysis: Analysis, offset: int) -> list[types.CompletionItem]:
    items = {k: types.CompletionItem(label=k, kind=types.CompletionItemKind.Variable, detail="context")
             for k in analysis.context}
    for let in analysis.outline.lets:
        items.setdefault(let.name, types.CompletionItem(label=let.name, kind=types.CompletionItemKind.Variable,
                                                        detail="<let>"))
    for v in analysis.outline.loop_vars:
        items.setdefault(v, types.CompletionItem(label=v, kind=types.CompletionItemKind.Variable, detail="for"))
    for v in ("loop",):
        items.setdefault(v, types.CompletionItem(label=v, kind=types.CompletionItemKind.Variable, detail="for"))
    return list(items.values())


# ------------------------------------------------------------------ hover
def hover(analysis: Analysis, index: LineIndex, offset: int) -> Optional[types.Hover]:
    el = analysis.outline.element_at(offset)
    if el is None:
        return None
    comp = analysis.components.lookup(el.name)
    if comp is None:
        return None
    if el.name_start <= offset <= el.name_end:
        rows = [f"| `{p.name}` | {p.type} | {', '.join(p.choices) or ''} | {p.description} |" for p in comp.all_params()]
        body = f"**{comp.name}**" + (f" (aliases: {', '.join(comp.aliases)})" if len(comp.aliases) > 1 else "")
        body += f"\n\n{comp.doc}\n\n| attribute | type | values | description |\n|---|---|---|---|\n" + "\n".join(rows)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=body),
                           range=index.range(el.name_start, el.name_end))
    for a in el.attributes:
        if a.start <= offset < a.start + len(a.key):
            p = comp.param_map.get(a.key.lower())
            if p is None:
                return None
            body = f"**{p.name}**: `{p.type}`" + (f" — one of {', '.join(p.choices)}" if p.choices else "")
            if p.default is not None:
                body += f" (default `{p.default}`)"
            body += f"\n\n{p.description}"
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=body),
                               range=index.range(a.start, a.start + len(a.key)))
    return None


# ------------------------------------------------------------------ navigation
def _word_at(text: str, offset: int) -> Optional[tuple[str, int, int]]:
    for m in IDENT.finditer(text, max(0, offset - 100), min(len(text), offset + 100)):
        if m.start() <= offset <= m.end():
            return m.group(), m.start(), m.end()
    return None


def _let_at(analysis: Analysis, offset: int):
    for let in analysis.outline.lets:
        if let.name_start <= offset <= let.name_end:
            return let
    if analysis.outline.expression_at(offset) is None:
        return None
    word = _word_at(analysis.text, offset)
    return analysis.outline.let_named(word[0]) if word else None


def definition(analysis: Analysis, index: LineIndex, uri: str, offset: int) -> Optional[types.Location]:
    el = analysis.outline.element_at(offset)
    if el is not None:
        src = el.attribute("src")
        if src is not None and src.value and src.value_start <= offset <= src.value_end and analysis.path:
            target = os.path.join(os.path.dirname(os.path.abspath(analysis.path)), src.value)
            if os.path.exists(target):
                zero = types.Position(line=0, character=0)
                return types.Location(uri=from_fs_path(target) or target, range=types.Range(start=zero, end=zero))
            return None
    let = _let_at(analysis, offset)
    if let is not None:
        return types.Location(uri=uri, range=index.range(let.name_start, let.name_end))
    return None


def references(analysis: Analysis, index: LineIndex, uri: str, offset: int, include_decl: bool = True) -> list[types.Location]:
    let = _let_at(analysis, offset)
    if let is None:
        return []
    spans = identifier_spans(analysis.outline, let.name)
    if include_decl:
        spans = [(b.name_start, b.name_end) for b in analysis.outline.lets if b.name == let.name] + spans
    return [types.Location(uri=uri, range=index.range(s, e)) for s, e in spans]


def rename(analysis: Analysis, index: LineIndex, uri: str, offset: int, new_name: str) -> Optional[types.WorkspaceEdit]:
    if not IDENT.fullmatch(new_name):
        raise ValueError(f'"{new_name}" is not a valid variable name (letters, digits, _ and $; not starting with a digit)')
    locs = references(analysis, index, uri, offset)
    if not locs:
        return None
    return types.WorkspaceEdit(changes={uri: [types.TextEdit(range=loc.range, new_text=new_name) for loc in locs]})


# ------------------------------------------------------------------ outline
def symbols(analysis: Analysis, index: LineIndex) -> list[types.DocumentSymbol]:
    def build(el) -> types.DocumentSymbol:
        comp = analysis.components.lookup(el.name)
        kids = [build(c) for c in el.children if hasattr(c, "attributes")]
        name_attr = el.attribute("name")
        return types.DocumentSymbol(
            name=el.name, detail=(name_attr.value if name_attr is not None and name_attr.value else (comp.name if comp else "")),
            kind=types.SymbolKind.Variable if el.name.lower() == "let" else types.SymbolKind.Class,
            range=index.range(el.start, el.end), selection_range=index.range(el.name_start, el.name_end),
            children=kids or None)

    root = analysis.parsed.root
    if root is None:
        return []
    if root.synthetic:
        return [build(c) for c in root.children if hasattr(c, "attributes")]
    return [build(root)]


def folding(analysis: Analysis, index: LineIndex) -> list[types.FoldingRange]:
    out = []
    for el in analysis.outline.elements:
        a, b = index.position(el.start).line, index.position(max(el.start, el.end - 1)).line
        if b > a:
            out.append(types.FoldingRange(start_line=a, end_line=b, kind=types.FoldingRangeKind.Region))
    for m in re.finditer(r"<!--.*?-->", analysis.text, re.S):
        a, b = index.position(m.start()).line, index.position(m.end()).line
        if b > a:
            out.append(types.FoldingRange(start_line=a, end_line=b, kind=types.FoldingRangeKind.Comment))
    return out


# ------------------------------------------------------------------ semantic tokens
TOKEN_TYPES = ["operator", "variable", "string", "number", "property", "keyword"]
_EXPR_TOKEN = re.compile(r"""(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)|(?P<number>\d+(?:\.\d+)?)"""
                         r"""|(?P<keyword>\b(?:true|false|null|undefined|in|of)\b)|(?P<property>(?<=\.)[A-Za-z_$][\w$]*)"""
                         r"""|(?P<variable>[A-Za-z_$][\w$]*)""")


def semantic_tokens(analysis: Analysis, index: LineIndex) -> list[int]:
    raw: list[tuple[int, int, int]] = []  # (start, end, type)
    for e in analysis.outline.expressions:
        if e.outer_start != e.start:
            raw.append((e.outer_start, e.start, 0))
        for m in _EXPR_TOKEN.finditer(e.text):
            raw.append((e.start + m.start(), e.start + m.end(), TOKEN_TYPES.index(m.lastgroup)))
        if e.outer_end != e.end:
            raw.append((e.end, e.outer_end, 0))
    data: list[int] = []
    prev_line = prev_col = 0
    for s, e, t in sorted(raw):
        start, end = index.position(s), index.position(e)
        if end.line != start.line:  # tokens may not span lines: keep the first line's part
            end = types.Position(line=start.line, character=start.character + 1)
        d_line = start.line - prev_line
        d_col = start.character - prev_col if d_line == 0 else start.character
        data += [d_line, d_col, end.character - start.character, t, 0]
        prev_line, prev_col = start.line, start.character
    return data


# ------------------------------------------------------------------ code lens
EVALUATE = "poml.evaluateExpression"


def code_lenses(analysis: Analysis, index: LineIndex, uri: str) -> list[types.CodeLens]:
    out = []
    for e in analysis.outline.expressions:
        label = {"for": "▶ Evaluate loop items", "if": "▶ Evaluate condition", "let": "▶ Evaluate <let>"}.get(e.kind, "▶ Evaluate")
        out.append(types.CodeLens(range=index.range(e.outer_start, e.outer_end), command=types.Command(
            title=label, command=EVALUATE, arguments=[uri, e.text.strip(), e.start])))
    return out


# ------------------------------------------------------------------ preview
def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text_of(c) for c in content)
    if isinstance(content, dict):
        if content.get("type") in (None, "text") and "text" in content:
            return str(content["text"])
        return f"[{content.get('type', 'media')}]"
    return str(content)


def preview(engine, analysis: Analysis, context: Optional[dict], chat: bool) -> dict:
    from renderers import count_tokens

    result, diags = engine.render(analysis, context, chat)
    errors = [d for d in diags if d.severity == "error"]
    if not chat:
        result = [{"speaker": "human", "content": result}]
    messages, sections = [], []
    for i, m in enumerate(result or []):
        text = _text_of(m.get("content", ""))
        messages.append({"speaker": m.get("speaker", "human"), "content": text, "tokens": count_tokens(text)})
        heads = list(_HEADING.finditer(text))
        for j, h in enumerate(heads):
            body = text[h.start(): heads[j + 1].start() if j + 1 < len(heads) else len(text)]
            title = h.group(2).strip()
            sections.append({"name": title, "message": i, "title": title, "level": len(h.group(1)),
                             "tokens": count_tokens(body)})
    return {"messages": messages, "totalTokens": sum(m["tokens"] for m in messages), "sections": sections,
            "error": "\n".join(d.format() for d in errors) or None}


__all__ = ["complete", "hover", "definition", "references", "rename", "symbols", "folding", "semantic_tokens",
           "code_lenses", "preview", "TOKEN_TYPES", "EVALUATE", "walk"]
