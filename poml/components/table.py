"""Table from inline ``records`` (a list of objects or of rows, or CSV/TSV/JSON/JSONL text).

Rendered as a markup table (markdown, html, csv, tsv) or serialized data (json,
yaml, xml). Files given with ``src`` go through :data:`TABLE_LOADER`, a hook
the data-loading layer sets: ``loader(src, parser, props, ctx) -> (records, columns)``.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any, Callable, Optional

from . import presentation as P
from ._core import El, ReadError, js_num, js_str, parse_json, syntax_presentation, without
from ._registry import Param, component
from .captions import js_slice, parse_python_slice

TABLE_LOADER: Optional[Callable] = None


def guess_string_type(value: str) -> tuple[Any, str]:
    """Type a text cell like the reference: null, boolean, integer, float, JSON, else string."""
    low = value.lower()
    if low == "null" or value == "":
        return None, "null"
    if low == "undefined":
        return None, "undefined"
    if low == "true":
        return True, "boolean"
    if low == "false":
        return False, "boolean"
    try:
        f = float(value.strip()) if value.strip() else 0.0
        if value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
            raise ValueError
        if f == int(f) and "." not in value and "e" not in low:
            return int(f), "integer"
        if f == int(f) and math.isfinite(f):
            return int(f), "integer"
        return f, "float"
    except (ValueError, OverflowError):
        pass
    try:
        parsed = parse_json(value)
        return parsed, "array" if isinstance(parsed, list) else "object"
    except ValueError:
        return value, "string"


def _parse_typed(value: str, typ: str) -> Any:
    if typ == "string":
        return value
    if typ == "integer":
        v, t = guess_string_type(value)
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (1 if v is True else 0)
    if typ == "float":
        v, _ = guess_string_type(value)
        return v if not isinstance(v, bool) else (1 if v else 0)
    if typ == "boolean":
        return value.lower() == "true" or value == "1"
    if typ == "object":
        return parse_json(value)
    return guess_string_type(value)[0]


def _dsv(text: str, delimiter: str) -> tuple[list, list]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise ReadError("No records found and no headers provided")
    header = rows[0]
    body = [r for r in rows[1:]]
    columns = [{"field": h, "header": h} for h in header]
    types = {}
    for i, h in enumerate(header):
        typ = "string"
        if body:
            ts = [guess_string_type(r[i] if i < len(r) else "")[1] for r in body]
            if all(t == "boolean" for t in ts):
                typ = "boolean"
            elif all(t in ("integer", "boolean") for t in ts):
                typ = "integer"
            elif all(t in ("float", "integer", "boolean") for t in ts):
                typ = "float"
            elif all(t in ("array", "object") for t in ts):
                typ = "object"
        types[h] = typ
    records = []
    for r in body:
        rec = {}
        for i, h in enumerate(header):
            rec[h] = _parse_typed(r[i] if i < len(r) else "", types[h])
        records.append(rec)
    return records, columns


def parse_table_text(text: str, parser: str) -> tuple[list, Optional[list]]:
    if parser == "csv":
        return _dsv(text, ",")
    if parser == "tsv":
        return _dsv(text, "\t")
    if parser == "json":
        return parse_json(text), None
    if parser == "jsonl":
        return [parse_json(line) for line in text.strip().split("\n")], None
    raise ReadError(f"Unsupported parser: {parser}")


def _determine_parser(src: str) -> str:
    s = src.lower()
    for ext, p in ((".csv", "csv"), (".tsv", "tsv"), (".xls", "excel"), (".xlsx", "excel"),
                   (".jsonl", "jsonl"), (".json", "json")):
        if s.endswith(ext):
            return p
    raise ReadError("Cannot determine parser for " + src)


def to_record_columns(props: dict, ctx) -> tuple[list, Optional[list]]:
    records = props.get("records")
    columns = props.get("columns")
    src = props.get("src")
    parser = props.get("parser")
    if records is not None and not isinstance(records, str):
        if not isinstance(records, list):
            raise ReadError("Records must be an array for table", props)
        if records and isinstance(records[0], list):
            width = max(len(r) if isinstance(r, list) else 0 for r in records)
            cols = [{"field": str(i), "header": f"Column {i}"} for i in range(width)]
            recs = [{str(i): (r[i] if i < len(r) else None) for i in range(width)} for r in records]
            return recs, cols
        return records, columns
    if parser in (None, "auto"):
        if not src:
            raise ReadError("Cannot determine parser without source file provided.", props)
        parser = _determine_parser(src)
    if src:
        loader = TABLE_LOADER  # installed by poml.components.data
        if loader is None:
            raise ReadError(f"Table file not found: {src}", props, kind="PomlFileError")
        recs, cols = loader(src, parser, props, ctx)
    elif records:
        recs, cols = parse_table_text(records, parser)
    else:
        raise ReadError("Either records data or src must be provided", props)
    if cols is None and columns:
        cols = columns
    return recs, cols


def select(records: list, columns: Optional[list], props: dict) -> tuple[list, Optional[list]]:
    sc = props.get("selectedColumns")
    sr = props.get("selectedRecords")
    mr = props.get("maxRecords")
    mc = props.get("maxColumns")
    if not sc and not sr and not mr and not mc:
        return records, columns
    if sc and columns:
        if isinstance(sc, list):
            new_cols = []
            for name in sc:
                found = next((c for c in columns if c.get("field") == name), None)
                if found is not None:
                    new_cols.append(found)
                elif name == "index":
                    new_cols.append({"field": "index", "header": "Index"})
                else:
                    raise ReadError(f"Column {js_str(name)}is selected but not found", props)
        elif isinstance(sc, str):
            if sc == "+index":
                new_cols = [{"field": "index", "header": "Index"}] + list(columns)
            else:
                a, b = parse_python_slice(sc, len(columns))
                new_cols = js_slice(columns, a, b)
        else:
            raise ReadError("Invalid selectedColumns format", props)
        columns = new_cols
        out = []
        for i, rec in enumerate(records):
            row = {}
            for c in new_cols:
                f = c.get("field")
                if f == "index" and rec.get("index") is None:
                    row["index"] = i
                else:
                    row[f] = rec.get(f)
            out.append(row)
        records = out
    if sr:
        if isinstance(sr, list):
            records = [records[i] if isinstance(i, int) and -len(records) <= i < len(records) and i >= 0 else None
                       for i in sr]
        elif isinstance(sr, str):
            a, b = parse_python_slice(sr, len(records))
            records = js_slice(records, a, b)
        else:
            raise ReadError("Invalid selectedRecords format", props)
    if mr and isinstance(mr, (int, float)) and not math.isnan(mr) and len(records) > mr:
        top = math.ceil(mr / 2)
        bottom = math.floor(mr / 2)
        if not columns and not (records and isinstance(records[0], dict)):
            raise ReadError("Cannot convert undefined or null to object (no records and no columns)", props)
        keys = [c.get("field") for c in columns] if columns else list(records[0].keys())
        ell = {k: "..." for k in keys}
        records = records[:top] + [ell] + (records[-bottom:] if bottom > 0 else list(records))
    if mc and columns and isinstance(mc, (int, float)) and not math.isnan(mc) and len(columns) > mc:
        left = math.ceil(mc / 2)
        right = math.floor(mc / 2)
        new_cols = columns[:left] + [{"field": "...", "header": "..."}] + (columns[-right:] if right > 0 else list(columns))
        records = [{c["field"]: ("..." if c["field"] == "..." else r.get(c["field"])) for c in new_cols}
                   for r in records]
        columns = new_cols
    return records, columns


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
            keys: list = []
            for rec in records:
                if isinstance(rec, dict):
                    for k in rec:
                        if k not in keys:
                            keys.append(k)
            columns = [{"field": k, "header": k} for k in keys]
        head = El(P.MarkupTableHead, {}, [El(P.MarkupTableRow, {}, [
            El(P.MarkupTableCell, {}, _cell(c.get("header"))) for c in columns])])
        rows = []
        for rec in records:
            get = rec.get if isinstance(rec, dict) else (lambda k: None)
            rows.append(El(P.MarkupTableRow, {}, [El(P.MarkupTableCell, {}, _cell(get(c.get("field"))))
                                                 for c in columns]))
        p = {"markupLang": syntax}
        p.update(others)
        return [El(P.MarkupTableContainer, p, [head, El(P.MarkupTableBody, {}, rows)])]
    if pres == "serialize":
        data = records if columns is None else {"columns": columns, "records": records}
        p = {"data": data, "serializer": syntax}
        p.update(others)
        return [El(P.serialize_object, p)]
    return []
