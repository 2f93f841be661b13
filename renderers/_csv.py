"""CSV and TSV writers: only tables (inside markup environments) are allowed.

>>> from renderers.ir import Element as E
>>> t = E("table", {}, [E("thead", {}, [E("trow", {}, [E("tcell", {}, ["a"]), E("tcell", {}, ["b"])])]),
...                     E("tbody", {}, [E("trow", {}, [E("tcell", {}, ["1"]), E("tcell", {}, ["x,y"])])])])
>>> CsvWriter(None).write(t).output
'a,b\\n1,"x,y"'
"""

from __future__ import annotations

from typing import Any

from ._base import element_repr
from ._markdown import Box, MarkdownWriter


class CsvWriter(MarkdownWriter):
    language = "csv"

    def table_box(self, head: Any, body: Any, element: Any) -> Box:
        head_rows = self.table_rows(head)
        body_rows = self.table_rows(body)
        sep = self.csv_separator

        def cell(c: str) -> str:
            # Quote only cells containing the separator (as the reference does).
            if sep in c:
                return '"' + c.replace('"', '""') + '"'
            return c

        rows = (head_rows if self.csv_header else []) + body_rows
        return self.make_box("\n".join(sep.join(cell(c) for c in r) for r in rows), "block", element)

    def write_box(self, element: Any) -> Box:
        if element.tag in ("table", "thead", "tbody", "trow", "tcell", "env"):
            return super().write_box(element)
        return self.fail(f"Not implemented element type in csv {element_repr(element)}", element)


class TsvWriter(CsvWriter):
    language = "tsv"
    default_separator = "\t"
