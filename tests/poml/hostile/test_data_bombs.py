"""Files that claim far more than they hold end quickly, in bounded memory, or are refused."""

from __future__ import annotations

import pytest

import poml

from ._bombs import docx_of_a_million_paragraphs, tiny_png, xlsx_claiming_every_cell, xlsx_with_a_cell_in_the_last_row


def test_xlsx_whose_dimension_claims_every_cell(tmp_path, bounded):
    pytest.importorskip("openpyxl", reason="reading xlsx needs openpyxl")
    path = xlsx_claiming_every_cell(tmp_path)
    result, error = bounded(poml.poml, f'<table src="{path}" />', roots=[tmp_path], chat=False)
    assert error is None and "name" in result and "x" in result


def test_xlsx_with_a_cell_a_million_rows_down_is_not_padded_out(tmp_path, bounded):
    pytest.importorskip("openpyxl", reason="reading xlsx needs openpyxl")
    path = xlsx_with_a_cell_in_the_last_row(tmp_path)
    assert path.stat().st_size < 10_000
    result, error = bounded(poml.poml, f'<table src="{path}" syntax="json" />', roots=[tmp_path], chat=False)
    assert error is None
    # the far row is a row (its cell is in no named column); the million rows between are no rows
    assert __import__("json").loads(result)["records"] == [{"name": "x"}, {}]


def test_docx_that_inflates_to_a_million_paragraphs_is_refused(tmp_path, bounded):
    pytest.importorskip("docx", reason="reading docx needs python-docx")
    path = docx_of_a_million_paragraphs(tmp_path)
    assert path.stat().st_size < 200_000
    _, error = bounded(poml.poml, f'<document src="{path}" />', roots=[tmp_path])
    assert isinstance(error, poml.PomlLimitError) and "inflates" in str(error)


def test_png_resized_past_the_pixel_limit_is_refused(tmp_path, bounded):
    pytest.importorskip("PIL", reason="images need pillow")
    path = tiny_png(tmp_path)
    assert path.stat().st_size < 100
    _, error = bounded(poml.poml, f'<img src="{path}" resize="2500" />', roots=[tmp_path])
    assert isinstance(error, poml.PomlLimitError) and "25000x25000" in str(error)


def test_png_resized_within_the_limit_still_works(tmp_path, bounded):
    pytest.importorskip("PIL", reason="images need pillow")
    path = tiny_png(tmp_path)
    result, error = bounded(poml.poml, f'<img src="{path}" resize="20" />', roots=[tmp_path])
    assert error is None and result[0]["content"][0]["type"] == "image/png"
