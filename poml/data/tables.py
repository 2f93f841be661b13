"""Table data: records and columns from csv, tsv, xlsx, json, jsonl or inline values.

A table is a list of *records* (dicts from field name to value) and optional
*columns* (``[{"field": ..., "header": ...}]``). A field missing from a record
is JavaScript's ``undefined`` (the key is absent); ``None`` is ``null``.

Parsing follows the reference: csv/tsv like d3-dsv (the first row is the
header, missing cells become ``""``, values typed per column by
:func:`~poml.data.sources.guess_string_type`), excel like SheetJS's
``sheet_to_json(header=1)`` on the first sheet, json as the parsed value,
jsonl one JSON value per line.

:func:`select` applies ``selectedColumns``, ``selectedRecords``, ``maxRecords``
and ``maxColumns`` with the reference's semantics, quirks included: column
selections only apply when columns are known (from a csv/tsv/xlsx header, a
``columns`` prop, or array-of-array records), and zero values mean "no limit".

>>> t = parse_table(b"a,b\\n1,x\\n2,y\\n3,z\\n", "csv")
>>> t.records[0], t.columns
({'a': 1, 'b': 'x'}, [{'field': 'a', 'header': 'a'}, {'field': 'b', 'header': 'b'}])
>>> select(t.records, t.columns, max_records=2).records
[{'a': 1, 'b': 'x'}, {'a': '...', 'b': '...'}, {'a': 3, 'b': 'z'}]
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from ._archives import check_archive
from .._errors import PomlError, PomlLimitError
from .._limits import MAX_TABLE_RECORDS
from ._optional import require
from renderers._js import UNDEFINED, JSValueError, js_number, js_parse_int, js_string, normalize
from renderers._jsjson import parse_json as _parse_json_text, stringify

from .sources import guess_string_type, parse_text

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = [
    "Table", "parse_table", "determine_parser", "load_table", "select", "parse_slice",
    "dsv_parse_rows", "to_record_columns", "infer_columns", "format_dsv",
]

Column = dict  # {"field": str, "header": str, "description"?: str}

PARSERS = ("auto", "csv", "tsv", "excel", "json", "jsonl")


@dataclass
class Table:
    """Records and (optional) column definitions."""

    records: list
    columns: Optional[list] = None


# --------------------------------------------------------------------------- slices


def parse_slice(text: str, total: int) -> tuple[int, int]:
    """``(start, end)`` of a Python-style slice string like the reference's ``parsePythonStyleSlice``.

    ``":"`` → all, ``"2:"``, ``":3"``, ``"2:4"``, ``"3"`` → ``(3, 4)``. The result
    is meant for :func:`js_slice` (negative values count from the end).
    """
    text = str(text)
    if text == ":":
        return 0, total
    if text.endswith(":"):
        start = js_parse_int(text[:-1])
        return _int_or_nan(start), total
    if text.startswith(":"):
        return 0, _int_or_nan(js_parse_int(text[1:]))
    if ":" in text:
        parts = text.split(":")
        return _int_or_nan(js_number(parts[0])), _int_or_nan(js_number(parts[1]))
    index = js_parse_int(text)
    if math.isnan(index):
        raise PomlError(f'Invalid slice "{text}": expected a number like "2" or a range like "2:4".')
    return int(index), int(index) + 1


def _int_or_nan(x: float) -> Any:
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return x
    return int(x)


def js_slice(items: Sequence, start: Any, end: Any) -> list:
    """JavaScript ``Array.prototype.slice``: NaN counts as 0, negatives from the end."""

    def norm(v: Any, default: int) -> int:
        n = len(items)
        if v is None:
            return default
        if isinstance(v, float):
            if math.isnan(v):
                v = 0
            elif math.isinf(v):
                return n if v > 0 else 0
            v = int(v)
        if v < 0:
            return max(n + v, 0)
        return min(v, n)

    s = norm(start, 0)
    e = norm(end, len(items))
    return list(items[s:e]) if e > s else []


# --------------------------------------------------------------------------- csv / tsv


def dsv_parse_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    """Rows of a delimiter-separated text, parsed like d3-dsv's ``parseRows``.

    Quotes (``"``) may wrap fields and are doubled inside them; ``\\r\\n``,
    ``\\r`` and ``\\n`` all end a row; a trailing line break adds no row; an
    empty line is a row with one empty field.
    """
    full = len(text)
    N = full
    eof = N <= 0
    if N and text[N - 1] == "\n":
        N -= 1
    if N and text[N - 1] == "\r":
        N -= 1
    I = 0
    eol = False
    EOF, EOL = object(), object()

    def char(k: int) -> str:
        return text[k] if 0 <= k < full else ""

    def token() -> Any:
        nonlocal I, eof, eol
        if eof:
            return EOF
        if eol:
            eol = False
            return EOL
        j = I
        if char(j) == '"':
            while True:
                more = I < N
                I += 1
                if more and char(I) != '"':
                    continue
                I += 1
                if char(I) == '"':
                    continue
                break
            i = I
            if i >= N:
                eof = True
            else:
                c = char(I)
                I += 1
                if c == "\n":
                    eol = True
                elif c == "\r":
                    eol = True
                    if char(I) == "\n":
                        I += 1
            return text[j + 1:i - 1].replace('""', '"')
        while I < N:
            i = I
            c = text[I]
            I += 1
            if c == "\n":
                eol = True
            elif c == "\r":
                eol = True
                if char(I) == "\n":
                    I += 1
            elif c != delimiter:
                continue
            return text[j:i]
        eof = True
        return text[j:N]

    rows: list[list[str]] = []
    t = token()
    while t is not EOF:
        row: list[str] = []
        while t is not EOL and t is not EOF:
            row.append(t)
            t = token()
        rows.append(row)
        if len(rows) > MAX_TABLE_RECORDS + 1:
            raise PomlLimitError(f"The table has more than {MAX_TABLE_RECORDS} records.")
        t = token()
    return rows


def _typed_dsv(rows: list[list[str]]) -> Table:
    if not rows:
        return Table([], [])
    header = rows[0]
    body = rows[1:]
    if len(body) > MAX_TABLE_RECORDS:
        raise PomlLimitError(f"The table has {len(body)} records, more than the limit of {MAX_TABLE_RECORDS}.")
    raw = []
    for r in body:
        rec: dict[str, str] = {}
        for idx, name in enumerate(header):
            rec[name] = r[idx] if idx < len(r) else ""
        raw.append(rec)
    fields = list(dict.fromkeys(header))
    col_types: dict[str, str] = {}
    for name in fields:
        kind = "string"
        if raw:
            types = [guess_string_type(rec[name])[1] for rec in raw]
            if all(t == "boolean" for t in types):
                kind = "boolean"
            elif all(t in ("integer", "boolean") for t in types):
                kind = "integer"
            elif all(t in ("float", "integer", "boolean") for t in types):
                kind = "float"
            elif all(t in ("array", "object") for t in types):
                kind = "object"
        col_types[name] = kind
    records = [{k: parse_text(v, col_types[k]) for k, v in rec.items()} for rec in raw]
    columns = [{"field": c, "header": c} for c in header]
    return Table(records, columns)


def parse_csv(data: Union[bytes, str], delimiter: str = ",") -> Table:
    text = data.decode("utf-8", errors="replace") if isinstance(data, (bytes, bytearray)) else data
    if text.startswith("\ufeff"):
        text = text[1:]
    return _typed_dsv(dsv_parse_rows(text, delimiter))


def format_dsv(records: Sequence[dict], fields: Sequence[str], delimiter: str = ",") -> str:
    """Write records as d3-dsv's ``format`` would (quotes only where needed)."""

    def cell(v: Any) -> str:
        if v is None or v is UNDEFINED:
            s = ""
        elif isinstance(v, bool):
            s = "true" if v else "false"
        elif isinstance(v, (dict, list)):
            s = stringify(v) or ""
        else:
            s = js_string(v)
        if any(ch in s for ch in (delimiter, '"', "\n", "\r")):
            s = '"' + s.replace('"', '""') + '"'
        return s

    lines = [delimiter.join(cell(f) for f in fields)]
    for r in records:
        lines.append(delimiter.join(cell(r.get(f)) for f in fields))
    return "\n".join(lines)


# --------------------------------------------------------------------------- excel


_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _excel_value(v: Any) -> Any:
    if isinstance(v, _dt.datetime):
        delta = v - _EXCEL_EPOCH
        return normalize(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6)
    if isinstance(v, _dt.date):
        return (v - _EXCEL_EPOCH.date()).days
    if isinstance(v, _dt.time):
        return normalize((v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400)
    if isinstance(v, _dt.timedelta):
        return normalize(v.total_seconds() / 86400)
    if isinstance(v, float):
        return normalize(v)
    return v


def parse_excel(data: bytes) -> Table:
    """The first sheet of an .xlsx workbook: first row = headers (needs openpyxl)."""
    openpyxl = require("openpyxl", "reading Excel tables")
    check_archive(data, "Excel workbook")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise PomlError(f"Cannot read the Excel workbook: {exc}") from None
    try:
        if not wb.sheetnames:
            raise PomlError("No sheet found in Excel file")
        ws = wb[wb.sheetnames[0]]
        # The <dimension> a file declares may claim every cell of the sheet: forget it, so rows
        # come as stored (a gap is an empty row, not 16,384 empty cells).
        ws.reset_dimensions()
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True):
            if not row:
                continue  # no cell stored: a gap between rows, not a row of the sheet
            vals = [_excel_value(v) for v in row]
            while vals and vals[-1] is None:
                vals.pop()
            # A blank row with cells stays, as an empty record: the reference reads rows with
            # SheetJS's ``header: 1``, which keeps them (a sheet's formatted trailing rows, say).
            rows.append(vals)
            if len(rows) > MAX_TABLE_RECORDS + 1:
                raise PomlLimitError(f"The table has more than {MAX_TABLE_RECORDS} records.")
        while rows and not rows[0]:
            rows.pop(0)  # the header is the first row that holds something
    finally:
        wb.close()
    if not rows:
        return Table([], None)
    headers = rows[0]
    columns = [{"field": _header_key(h), "header": h} for h in headers]
    records = []
    for r in rows[1:]:
        rec: dict[str, Any] = {}
        for idx, h in enumerate(headers):
            key = _header_key(h)
            if idx < len(r) and r[idx] is not None:
                rec[key] = r[idx]
            elif key not in rec:
                rec[key] = UNDEFINED
        records.append({k: v for k, v in rec.items() if v is not UNDEFINED})
    return Table(records, columns)


def _header_key(h: Any) -> str:
    return "undefined" if h is None else js_string(h)


# --------------------------------------------------------------------------- json


def parse_json(data: Union[bytes, str]) -> Table:
    text = data.decode("utf-8", errors="replace") if isinstance(data, (bytes, bytearray)) else data
    try:
        value = _parse_json_text(text)
    except JSValueError as exc:
        raise PomlError(f"Cannot parse the table as JSON: {exc}") from None
    return Table(value, None)


def parse_jsonl(data: Union[bytes, str]) -> Table:
    text = data.decode("utf-8", errors="replace") if isinstance(data, (bytes, bytearray)) else data
    out = []
    for lineno, line in enumerate(text.strip().split("\n"), 1):
        try:
            out.append(_parse_json_text(line))
        except JSValueError as exc:
            raise PomlError(f"Cannot parse line {lineno} of the JSON Lines table: {exc}") from None
        if len(out) > MAX_TABLE_RECORDS:
            raise PomlLimitError(f"The table has more than {MAX_TABLE_RECORDS} records.")
    return Table(out, None)


# --------------------------------------------------------------------------- dispatch


def determine_parser(src: str) -> str:
    """The parser a file name implies (reference ``determineParser``)."""
    s = src.lower()
    if s.endswith(".csv"):
        return "csv"
    if s.endswith(".tsv"):
        return "tsv"
    if s.endswith(".xls") or s.endswith(".xlsx"):
        return "excel"
    if s.endswith(".jsonl"):
        return "jsonl"
    if s.endswith(".json"):
        return "json"
    raise PomlError(
        f"Cannot determine parser for {src}. Set parser to one of csv, tsv, excel, json, jsonl."
    )


def parse_table(data: Union[bytes, str], parser: str) -> Table:
    """Parse table data with a named parser (``csv``, ``tsv``, ``excel``, ``json``, ``jsonl``)."""
    if parser == "csv":
        return parse_csv(data, ",")
    if parser == "tsv":
        return parse_csv(data, "\t")
    if parser == "excel":
        if isinstance(data, str):
            data = data.encode("utf-8")
        return parse_excel(data)
    if parser == "json":
        return parse_json(data)
    if parser == "jsonl":
        return parse_jsonl(data)
    raise PomlError(f"Unsupported parser: {parser}")


def load_table(src: str, base_dir: Any, access: "FileAccess", parser: Optional[str] = None) -> Table:
    """Read ``src`` through the access policy and parse it (parser from the extension by default)."""
    if parser in (None, "", "auto"):
        parser = determine_parser(src)
    data = access.read_bytes(src, base_dir)
    return parse_table(data, parser)


def to_record_columns(
    records: Any = None,
    columns: Optional[list] = None,
    src: Optional[str] = None,
    parser: Optional[str] = None,
    *,
    base_dir: Any = None,
    access: "Optional[FileAccess]" = None,
) -> Table:
    """Records and columns from a ``<table>``'s props (reference ``toRecordColumns``).

    ``records`` may be a list (of dicts, or of lists: columns become
    ``Column 0``, ``Column 1``...) or a string parsed with ``parser``; otherwise
    ``src`` is read through ``access``.
    """
    if records is not None and records is not UNDEFINED and not isinstance(records, str):
        if not isinstance(records, list):
            raise PomlError("Records must be an array for table")
        if records and isinstance(records[0], list):
            width = max(len(r) if isinstance(r, list) else 0 for r in records)
            cols = [{"field": str(i), "header": f"Column {i}"} for i in range(width)]
            out = []
            for r in records:
                r = r if isinstance(r, list) else []
                out.append({str(i): r[i] for i in range(min(width, len(r)))})
            return Table(out, cols)
        return Table(records, columns)
    if parser in (None, "", "auto"):
        if not src:
            raise PomlError(
                "Cannot determine parser without source file provided. "
                'Set parser="csv" (or tsv, json, jsonl) for inline table text.'
            )
        parser = determine_parser(src)
    if src:
        if access is None:
            from .._files import FileAccess

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        data: Union[bytes, str] = access.read_bytes(src, base_dir)
    elif records:
        data = records
    else:
        raise PomlError("Either records data or src must be provided")
    result = parse_table(data, parser)
    if result.columns is None and columns:
        result.columns = columns
    return result


def infer_columns(records: Sequence[Any]) -> list:
    """Columns from the keys of the records, first-seen order (reference ``TableMarkup``)."""
    keys: dict[str, None] = {}
    for r in records:
        if isinstance(r, dict):
            for k in r:
                keys.setdefault(k, None)
    return [{"field": k, "header": k} for k in keys]


# --------------------------------------------------------------------------- selection


def _truthy(v: Any) -> bool:
    if v is None or v is UNDEFINED:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    return bool(v)


def select(
    records: list,
    columns: Optional[list],
    selected_columns: Any = None,
    selected_records: Any = None,
    max_records: Any = None,
    max_columns: Any = None,
) -> Table:
    """Apply the ``<table>`` selection props (reference ``columnRecordsSelector``).

    ``selected_columns``: a list of fields (``"index"`` adds the record number),
    ``"+index"`` (index column first, then all), or a slice string ``"1:3"``.
    ``selected_records``: a list of indices or a slice string. ``max_records``:
    keep the first ``ceil(n/2)`` and last ``floor(n/2)`` records with a row of
    ``"..."`` between. ``max_columns``: the same for columns.
    """
    if not (_truthy(selected_columns) or _truthy(selected_records) or _truthy(max_records) or _truthy(max_columns)):
        return Table(records, columns)
    if _truthy(selected_columns) and columns:
        if isinstance(selected_columns, list):
            new_columns = []
            for name in selected_columns:
                found = next((c for c in columns if c.get("field") == name), None)
                if found is not None:
                    new_columns.append(found)
                elif name == "index":
                    new_columns.append({"field": "index", "header": "Index"})
                else:
                    raise PomlError(f"Column {name} is selected but not found")
        elif isinstance(selected_columns, str):
            if selected_columns == "+index":
                new_columns = [{"field": "index", "header": "Index"}, *columns]
            else:
                start, end = parse_slice(selected_columns, len(columns))
                new_columns = js_slice(columns, start, end)
        else:
            raise PomlError("Invalid selectedColumns format")
        columns = new_columns
        out = []
        for loop_index, rec in enumerate(records):
            rec = rec if isinstance(rec, dict) else {}
            new: dict[str, Any] = {}
            for c in new_columns:
                f = c["field"]
                if f == "index" and "index" not in rec:
                    new["index"] = loop_index
                elif f in rec:
                    new[f] = rec[f]
                else:
                    new.pop(f, None)  # undefined
            out.append(new)
        records = out
    if _truthy(selected_records):
        if isinstance(selected_records, list):
            picked = []
            for i in selected_records:
                idx = int(i) if isinstance(i, (int, float)) and not isinstance(i, bool) else None
                picked.append(records[idx] if idx is not None and 0 <= idx < len(records) else UNDEFINED)
            records = picked
        elif isinstance(selected_records, str):
            start, end = parse_slice(selected_records, len(records))
            records = js_slice(records, start, end)
        else:
            raise PomlError("Invalid selectedRecords format")
    if _truthy(max_records) and len(records) > _num(max_records):
        mr = _num(max_records)
        top = math.ceil(mr / 2)
        bottom = math.floor(mr / 2)
        if columns:
            fields = [c["field"] for c in columns]
        else:
            first = records[0] if records and isinstance(records[0], dict) else {}
            fields = list(first.keys())
        ellipsis = {f: "..." for f in fields}
        records = [*records[:top], ellipsis, *(records[-bottom:] if bottom > 0 else list(records))]
    if _truthy(max_columns) and columns and len(columns) > _num(max_columns):
        mc = _num(max_columns)
        left = math.ceil(mc / 2)
        right = math.floor(mc / 2)
        new_columns = [*columns[:left], {"field": "...", "header": "..."}, *(columns[-right:] if right > 0 else list(columns))]
        out = []
        for rec in records:
            rec = rec if isinstance(rec, dict) else {}
            new = {}
            for c in new_columns:
                f = c["field"]
                if f == "...":
                    new[f] = "..."
                elif f in rec:
                    new[f] = rec[f]
            out.append(new)
        records = out
        columns = new_columns
    return Table(records, columns)


def _num(v: Any) -> float:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return js_number(str(v))


