"""Table from inline ``records`` (a list of objects or of rows, or CSV/TSV/JSON/JSONL text) or ``src``.

Rendered as a markup table (markdown, html, csv, tsv) or serialized data (json,
yaml, xml). Reading and selecting records is the data layer's job (``poml.data.tables``).
"""

from __future__ import annotations

from typing import Any, Optional

from . import presentation as P
from ._nodes import ComponentUse, ReadError
from ._syntax import syntax_presentation, without
from ._values import js_num, js_str
from ._registry import Param, component


def to_record_columns(props: dict, ctx) -> tuple[list, Optional[list]]:
    """Records and columns from the props: inline data, inline text with ``parser``, or ``src``.

    Parsing, typing and file reading are the data layer's (``poml.data.tables``);
    files go through the build's file loader (allowed roots, stamped reads).
    """
    from .._errors import PomlError
    from ..data import tables as _tables
    from .data import file_loader_for

    fl = file_loader_for(ctx)
    try:
        t = _tables.to_record_columns(props.get("records"), props.get("columns"), props.get("src"),
                                      props.get("parser"), base_dir=fl.base_dir, access=fl.access)
    except PomlError as exc:
        raise ReadError.of(exc, props) from None
    return t.records, t.columns


def select(records: list, columns: Optional[list], props: dict) -> tuple[list, Optional[list]]:
    """``selectedColumns``, ``selectedRecords``, ``maxRecords``, ``maxColumns`` (``poml.data.tables.select``)."""
    from .._errors import PomlError
    from ..data import tables as _tables

    try:
        t = _tables.select(records, columns, props.get("selectedColumns"), props.get("selectedRecords"),
                           props.get("maxRecords"), props.get("maxColumns"))
    except PomlError as exc:
        raise ReadError.of(exc, props) from None
    return t.records, t.columns


def _cell(v: Any) -> list:
    if v is None or isinstance(v, bool):
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, (int, float)):
        return [js_num(v)]
    if isinstance(v, list):
        out = []
        for x in v:
            out.extend(_cell(x))
        return out
    raise ReadError(f"Objects are not valid as a table cell (found: {js_str(v)})")


@component("Table", bases=["Inline"], params=[
    Param("syntax", "string", ("markdown", "html", "json", "text", "csv", "tsv", "xml"),
          description="Output syntax of the table."),
    Param("records", "object", fallback_type="string",
          description="Rows: a list of objects or lists, or CSV/TSV/JSON text with `parser`."),
    Param("columns", "object", description="Columns: a list of {field, header}."),
    Param("src", "string", description="A data file (csv, tsv, xlsx, json, jsonl)."),
    Param("parser", "string", ("auto", "csv", "tsv", "excel", "json", "jsonl"), description="How to read the data."),
    Param("selectedColumns", "object", fallback_type="string",
          description="Columns to show: a list of fields, a slice like `1:3`, or `+index`."),
    Param("selectedRecords", "object", fallback_type="string",
          description="Rows to show: a list of indices or a slice like `:10`."),
    Param("maxRecords", "number", description="Show at most this many rows (with an ellipsis row)."),
    Param("maxColumns", "number", description="Show at most this many columns (with an ellipsis column)."),
])
def table(props, children, ctx):
    """A table of records."""
    pres = syntax_presentation(props, ctx)
    others = without(props, "records", "columns", "src", "parser", "syntax")
    records, columns = to_record_columns(props, ctx)
    records, columns = select(records, columns, props)
    syntax = props.get("syntax")
    if pres == "markup":
        if columns is None:
            if not records or not isinstance(records[0], dict):
                raise ReadError("Cannot convert undefined or null to object (no records and no columns)", props)
            keys: dict = {}  # the columns in order of first appearance
            for rec in records:
                if isinstance(rec, dict):
                    for k in rec:
                        keys.setdefault(k, None)
            columns = [{"field": k, "header": k} for k in keys]
        ctx.state.afford((len(records) + 1) * (len(columns) + 1), props)  # a row and its cells each
        head = ComponentUse(P.MarkupTableHead, {}, [ComponentUse(P.MarkupTableRow, {}, [
            ComponentUse(P.MarkupTableCell, {}, _cell(c.get("header"))) for c in columns])])
        rows = []
        for rec in records:
            get = rec.get if isinstance(rec, dict) else (lambda k: None)
            rows.append(ComponentUse(P.MarkupTableRow, {}, [ComponentUse(P.MarkupTableCell, {}, _cell(get(c.get("field"))))
                                                 for c in columns]))
        p = {"markupLang": syntax}
        p.update(others)
        return [ComponentUse(P.MarkupTableContainer, p, [head, ComponentUse(P.MarkupTableBody, {}, rows)])]
    if pres == "serialize":
        data = records if columns is None else {"columns": columns, "records": records}
        p = {"data": data, "serializer": syntax}
        p.update(others)
        return [ComponentUse(P.serialize_object, p)]
    return []
