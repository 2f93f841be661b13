"""Free-text writer (``syntax="text"``): text is copied verbatim.

>>> from renderers.ir import Element as E
>>> FreeWriter(None).write(E("env", {"presentation": "free"}, ["hello\\n", E("text", {}, ["world"])])).output
'hello\\nworld'
"""

from __future__ import annotations

from typing import Any, Optional

from ._base import Reporter, Written, shift_mappings, shift_media, EMPTY
from ._limits import TruncateOptions, truncate_text
from ._options import int_attr


class FreeWriter:
    def __init__(self, options: Optional[dict], reporter: Optional[Reporter] = None):
        self.reporter = reporter or Reporter()
        self.truncate = TruncateOptions.from_options(options)

    def write(self, element: Any) -> Written:
        if element.tag == "env":
            if element.attrs.get("presentation") == "free":
                return self._free(element)
            from ._dispatch import dispatch

            return dispatch(element, self.reporter)
        if element.tag == "text":
            return self._free(element)
        self.reporter.fail("Free writer is unable to process non-env element.", element)
        return EMPTY

    def _free(self, element: Any) -> Written:
        parts: list[str] = []
        length = 0
        mappings: list = []
        media: list = []
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
                length += len(child)
            else:
                w = self.write(child)
                mappings.extend(shift_mappings(w.mappings, length))
                media.extend(shift_media(w.media, length))
                parts.append(w.output)
                length += len(w.output)
        text = truncate_text("".join(parts), int_attr(element, "char-limit"), int_attr(element, "token-limit"),
                             self.truncate)
        mappings.append((element, 0, len(text) - 1))
        return Written(text, mappings, media)
