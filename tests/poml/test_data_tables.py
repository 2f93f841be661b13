"""Table loaders and selection: csv/tsv/xlsx/json/jsonl, the reference's selection semantics, property tests."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from poml._errors import PomlError
from poml._files import FileAccess
from poml.data.sources import guess_string_type, parse_text
from poml.data.tables import (
    Table, determine_parser, dsv_parse_rows, format_dsv, infer_columns, js_slice, load_table,
    parse_slice, parse_table, select, to_record_columns,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "poml-examples"
TEST_ASSETS = SHARED / "packages" / "poml" / "tests" / "assets"
EXAMPLE_ASSETS = SHARED / "examples" / "assets"
ORACLE_FILES = SHARED / "oracle" / "files"

needs_assets = pytest.mark.skipif(not TEST_ASSETS.is_dir(), reason="shared poml-examples assets are absent")


# ---------------------------------------------------------------- parsing


def test_dsv_rows_like_d3():
    assert dsv_parse_rows("") == []
    assert dsv_parse_rows("a,b\n1,2\n") == [["a", "b"], ["1", "2"]]
    assert dsv_parse_rows("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]]
    assert dsv_parse_rows('a,b\n"x,""y""",2') == [["a", "b"], ['x,"y"', "2"]]
    assert dsv_parse_rows('a\n"multi\nline"') == [["a"], ["multi\nline"]]
    assert dsv_parse_rows("a,b,") == [["a", "b", ""]]
    assert dsv_parse_rows("a\n\nb") == [["a"], [""], ["b"]]
    assert dsv_parse_rows("a\tb\n1\t2", "\t") == [["a", "b"], ["1", "2"]]


def test_csv_typing_per_column():
    t = parse_table(b"n,f,b,s,mixed,empty\n1,1.5,true,x,1,\n2,2,FALSE,y,a,\n", "csv")
    assert t.columns == [{"field": c, "header": c} for c in ("n", "f", "b", "s", "mixed", "empty")]
    assert t.records == [
        {"n": 1, "f": 1.5, "b": True, "s": "x", "mixed": "1", "empty": ""},
        {"n": 2, "f": 2, "b": False, "s": "y", "mixed": "a", "empty": ""},
    ]


def test_csv_missing_cells_and_bom():
    t = parse_table("\ufeffa,b\n1\n".encode(), "csv")
    assert t.columns[0]["field"] == "a"
    assert t.records == [{"a": 1, "b": ""}]


def test_json_and_jsonl():
    assert parse_table(b'[{"a": 1}, {"a": 2}]', "json") == Table([{"a": 1}, {"a": 2}], None)
    assert parse_table(b'{"a": 1}\n{"a": 2}\n', "jsonl").records == [{"a": 1}, {"a": 2}]
    with pytest.raises(PomlError, match=r"^Cannot parse the table as JSON: Expecting value in JSON at position 3 \(line 1 column 4\)"):
        parse_table(b"[1,", "json")
    with pytest.raises(PomlError, match="^Cannot parse line 2 of the JSON Lines table: "):
        parse_table(b'{"a":1}\nnope', "jsonl")


def test_determine_parser():
    assert [determine_parser(n) for n in ("a.CSV", "b.tsv", "c.xlsx", "d.xls", "e.jsonl", "f.json")] == [
        "csv", "tsv", "excel", "excel", "jsonl", "json"]
    with pytest.raises(PomlError, match="Cannot determine parser"):
        determine_parser("x.txt")


def test_to_record_columns_rows_of_lists():
    t = to_record_columns([[1, "a"], [2]], [{"field": "id", "header": "ID"}])
    assert t.columns == [{"field": "0", "header": "Column 0"}, {"field": "1", "header": "Column 1"}]
    assert t.records == [{"0": 1, "1": "a"}, {"0": 2}]


def test_to_record_columns_inline_text_needs_parser():
    with pytest.raises(PomlError, match="Cannot determine parser"):
        to_record_columns("a,b\n1,2")
    assert to_record_columns("a,b\n1,2", parser="csv").records == [{"a": 1, "b": 2}]


def test_to_record_columns_columns_prop_for_json():
    cols = [{"field": "a", "header": "A"}]
    assert to_record_columns('[{"a": 1}]', cols, parser="json").columns == cols


def test_infer_columns_order():
    assert [c["field"] for c in infer_columns([{"b": 1}, {"a": 2, "b": 3}])] == ["b", "a"]


@needs_assets
def test_csv_asset():
    access = FileAccess([TEST_ASSETS])
    t = load_table("wikitqSampleData.csv", TEST_ASSETS, access)
    assert [c["field"] for c in t.columns] == ["Rank", "Nation", "Gold", "Silver", "Bronze", "Total"]
    assert t.records[0] == {"Rank": 1, "Nation": "Puerto Rico", "Gold": 17, "Silver": 27, "Bronze": 13, "Total": 57}


@needs_assets
def test_xlsx_matches_csv():
    pytest.importorskip("openpyxl")
    access = FileAccess([TEST_ASSETS])
    x = load_table("wikitqSampleData.xlsx", TEST_ASSETS, access)
    c = load_table("wikitqSampleData.csv", TEST_ASSETS, access)
    assert x.columns == c.columns
    assert x.records == c.records


@needs_assets
def test_json_asset():
    access = FileAccess([TEST_ASSETS])
    t = load_table("peopleList.json", TEST_ASSETS, access)
    assert isinstance(t.records, list) and t.columns is None


@pytest.mark.skipif(not EXAMPLE_ASSETS.is_dir(), reason="examples absent")
def test_example_xlsx_and_csv():
    pytest.importorskip("openpyxl")
    access = FileAccess([EXAMPLE_ASSETS])
    t = load_table("204_travel_budget_table.xlsx", EXAMPLE_ASSETS, access)
    assert t.columns and t.records
    o = load_table("201_orders.csv", EXAMPLE_ASSETS, access)
    assert o.columns and o.records


def test_table_file_outside_root_refused(tmp_path):
    (tmp_path / "t.csv").write_text("a\n1\n")
    from poml._errors import PomlPathError

    with pytest.raises(PomlPathError):
        load_table("../t.csv", tmp_path / "sub", FileAccess([tmp_path / "sub"]))


# ---------------------------------------------------------------- selection (reference examples)

PEOPLE = [{"name": "Alice", "age": 30, "city": "Paris"}, {"name": "Bob", "age": 25, "city": "Rome"},
          {"name": "Cara", "age": 41, "city": "Oslo"}]
COLS = [{"field": k, "header": k} for k in ("name", "age", "city")]


def test_no_selection_is_identity():
    assert select(PEOPLE, None) == Table(PEOPLE, None)
    assert select(PEOPLE, COLS, 0, "", 0, 0) == Table(PEOPLE, COLS)


def test_selected_columns_need_columns():
    # Like the reference: without known columns, column selections do nothing.
    assert select(PEOPLE, None, selected_columns=["city"]).records == PEOPLE
    assert select(PEOPLE, None, max_columns=1).records == PEOPLE


def test_selected_columns_list_slice_index():
    t = select(PEOPLE, COLS, selected_columns=["city", "name"])
    assert [c["field"] for c in t.columns] == ["city", "name"]
    assert t.records[0] == {"city": "Paris", "name": "Alice"}
    t = select(PEOPLE, COLS, selected_columns="1:")
    assert [c["field"] for c in t.columns] == ["age", "city"]
    t = select(PEOPLE, COLS, selected_columns="+index")
    assert t.columns[0] == {"field": "index", "header": "Index"}
    assert [r["index"] for r in t.records] == [0, 1, 2]
    t = select(PEOPLE, COLS, selected_columns=["index", "name"])
    assert t.records[2] == {"index": 2, "name": "Cara"}
    with pytest.raises(PomlError, match="not found"):
        select(PEOPLE, COLS, selected_columns=["nope"])


def test_selected_records():
    assert select(PEOPLE, COLS, selected_records="0:1").records == PEOPLE[:1]
    assert select(PEOPLE, COLS, selected_records="1:").records == PEOPLE[1:]
    assert select(PEOPLE, COLS, selected_records="-1:").records == PEOPLE[-1:]
    assert select(PEOPLE, COLS, selected_records=[2, 0]).records == [PEOPLE[2], PEOPLE[0]]
    assert select(PEOPLE, COLS, selected_records="1").records == [PEOPLE[1]]


def test_max_records_and_columns():
    t = select(PEOPLE, COLS, max_records=2)
    assert t.records == [PEOPLE[0], {"name": "...", "age": "...", "city": "..."}, PEOPLE[2]]
    t = select(PEOPLE, COLS, max_columns=2)
    assert [c["field"] for c in t.columns] == ["name", "...", "city"]
    assert t.records[0] == {"name": "Alice", "...": "...", "city": "Paris"}


def test_max_records_one_keeps_reference_quirk():
    # slice(-0) is the whole array in JavaScript, so maxRecords=1 appends every record.
    t = select(PEOPLE, COLS, max_records=1)
    assert t.records == [PEOPLE[0], {"name": "...", "age": "...", "city": "..."}, *PEOPLE]


def test_parse_slice():
    assert parse_slice(":", 5) == (0, 5)
    assert parse_slice("2:", 5) == (2, 5)
    assert parse_slice(":3", 5) == (0, 3)
    assert parse_slice("1:3", 5) == (1, 3)
    assert parse_slice("4", 5) == (4, 5)
    with pytest.raises(PomlError, match=re.escape('Invalid slice "x": expected a number like "2" or a range like "2:4".')):
        parse_slice("x", 5)
    start, end = parse_slice("a:b", 5)
    assert math.isnan(start) and math.isnan(end)
    assert js_slice([1, 2, 3], math.nan, math.nan) == []


# ---------------------------------------------------------------- property tests

_keys = st.lists(st.text("abcdefghij", min_size=1, max_size=5), min_size=1, max_size=6, unique=True)


@st.composite
def tables(draw):
    keys = draw(_keys)
    n = draw(st.integers(0, 30))
    value = st.one_of(st.integers(-1000, 1000), st.text("xyz ", max_size=6), st.booleans(), st.none())
    records = [{k: draw(value) for k in keys} for _ in range(n)]
    return records, [{"field": k, "header": k} for k in keys]


@given(tables(), st.integers(1, 40))
def test_prop_max_records(data, n):
    records, cols = data
    t = select(records, cols, max_records=n)
    if len(records) <= n:
        assert t.records == records
        return
    top, bottom = math.ceil(n / 2), n // 2
    assert t.records[:top] == records[:top]
    assert t.records[top] == {c["field"]: "..." for c in cols}
    if bottom:
        assert len(t.records) == n + 1
        assert t.records[top + 1:] == records[-bottom:]


@given(tables(), st.integers(-35, 35), st.integers(-35, 35))
def test_prop_selected_records_is_python_slice(data, a, b):
    records, cols = data
    assert select(records, cols, selected_records=f"{a}:{b}").records == records[a:b]
    assert select(records, cols, selected_records=f"{a}:").records == (records[a:] if a else records)


@given(tables(), st.data())
def test_prop_selected_columns_list(data, d):
    records, cols = data
    fields = [c["field"] for c in cols]
    chosen = d.draw(st.lists(st.sampled_from(fields), min_size=1, unique=True))
    t = select(records, cols, selected_columns=chosen)
    assert [c["field"] for c in t.columns] == chosen
    for new, old in zip(t.records, records):
        assert list(new) == chosen
        assert all(new[k] == old[k] for k in chosen)


@given(tables(), st.integers(1, 10))
def test_prop_max_columns(data, n):
    records, cols = data
    t = select(records, cols, max_columns=n)
    if len(cols) <= n:
        assert t.columns == cols
        return
    left, right = math.ceil(n / 2), n // 2
    assert t.columns[:left] == cols[:left]
    assert t.columns[left] == {"field": "...", "header": "..."}
    if right:
        assert len(t.columns) == n + 1
    for r in t.records:
        assert r["..."] == "..."


_cell_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\ufeff"), max_size=12)


@given(_keys, st.lists(st.lists(_cell_text, min_size=6, max_size=6), max_size=15), st.sampled_from([",", "\t"]))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_prop_dsv_roundtrip_rows(keys, rows, delim):
    """Any text survives writing and parsing; values come back typed as the reference types them."""
    recs = [{k: ("s" + row[i]) for i, k in enumerate(keys)} for row in rows]
    text = format_dsv(recs, keys, delim)
    parsed = dsv_parse_rows(text, delim)
    assert parsed[0] == keys
    assert parsed[1:] == [[r[k] for k in keys] for r in recs]


@given(tables())
def test_prop_csv_roundtrip_typed(data):
    records, cols = data
    keys = [c["field"] for c in cols]
    # d3 drops a final empty line, so a one-column table cannot end with an empty cell.
    assume(records and not (len(keys) == 1 and records[-1][keys[0]] in (None, "")))
    text = format_dsv(records, keys)
    t = parse_table(text, "csv")
    assert [c["field"] for c in t.columns] == keys
    assert len(t.records) == len(records)
    for k in keys:
        raw = ["" if r[k] is None else ("true" if r[k] is True else "false" if r[k] is False else str(r[k]))
               for r in records]
        types = {guess_string_type(v)[1] for v in raw}
        for orig, back, text_v in zip(records, t.records, raw):
            if types <= {"integer"} or types == {"boolean"}:
                assert back[k] == orig[k]
            elif types <= {"integer", "boolean"} or types <= {"float", "integer", "boolean"}:
                continue  # numeric column with booleans: parsed as numbers, like the reference
            else:
                assert back[k] == text_v


@given(st.integers(-10**12, 10**12))
def test_prop_integers_guess(n):
    assert guess_string_type(str(n)) == (n, "integer")
    assert parse_text(str(n), "integer") == n


def test_xlsx_blank_rows_with_cells_stay_as_empty_records(tmp_path):
    # The reference reads sheets with SheetJS's header: 1, which keeps blank rows of the sheet;
    # rows no cell is stored for (gaps) are not rows.
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "n"])
    ws.append(["a", 1])
    ws.cell(row=3, column=1).font = Font(bold=True)  # a blank, formatted row between data
    ws.append(["b", 2])
    for row in (5, 6):  # formatted trailing rows, as table templates leave them
        ws.cell(row=row, column=2).font = Font(bold=True)
    ws.cell(row=40, column=1).font = Font(bold=True)  # after a gap of rows with no cells
    wb.save(tmp_path / "t.xlsx")
    t = load_table("t.xlsx", tmp_path, FileAccess([tmp_path]))
    assert t.records == [{"name": "a", "n": 1}, {}, {"name": "b", "n": 2}, {}, {}, {}]
