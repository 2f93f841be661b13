"""Small hostile files, made on the fly (shared by the tests and tests/benchmarks/bench_limits.py)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path


def _rezip(source: bytes, member: str, edit) -> bytes:
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files[member] = edit(files[member].decode()).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def xlsx_claiming_every_cell(folder: Path) -> Path:
    """A two-cell workbook whose <dimension> claims 16,384 x 1,048,576 cells."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "name"
    wb.active["A2"] = "x"
    return _claiming_every_cell(wb, folder / "bomb.xlsx")


def _claiming_every_cell(wb, path: Path) -> Path:
    buf = io.BytesIO()
    wb.save(buf)
    data = _rezip(buf.getvalue(), "xl/worksheets/sheet1.xml",
                  lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml))
    path.write_bytes(data)
    return path


def xlsx_with_a_cell_in_the_last_row(folder: Path) -> Path:
    """Two rows of data, then one cell in row 1,048,576 and column XFD, under a <dimension> of every cell."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "name"
    wb.active["A2"] = "x"
    wb.active.cell(row=1_048_576, column=16_384).value = "far"
    return _claiming_every_cell(wb, folder / "far.xlsx")


def docx_of_a_million_paragraphs(folder: Path) -> Path:
    """About 100 kB on disk; a million paragraphs once inflated."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("x")
    buf = io.BytesIO()
    doc.save(buf)

    def explode(xml: str) -> str:
        i = xml.index("<w:body>") + len("<w:body>")
        return xml[:i] + "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 1_000_000 + xml[i:]

    path = folder / "bomb.docx"
    path.write_bytes(_rezip(buf.getvalue(), "word/document.xml", explode))
    return path


def tiny_png(folder: Path, side: int = 10) -> Path:
    from PIL import Image

    path = folder / "tiny.png"
    Image.new("RGB", (side, side)).save(path, optimize=True)
    return path
