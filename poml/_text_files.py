"""Decoding text files the user names (markup, context, stylesheet): encodings and BOMs.

A file is read as ``encoding`` when one is given; otherwise a byte-order mark decides
(UTF-8, UTF-16 LE/BE), and without one it must be UTF-8. A file that does not decode is a
:class:`~poml.PomlFileError` naming the file, the byte offset, and what to pass instead
(microsoft/poml#176: GBK files failed with a bare ``UnicodeDecodeError``).
"""

from __future__ import annotations

import codecs
from typing import Optional

from ._errors import PomlFileError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes) -> Optional[str]:
    """The encoding a byte-order mark announces, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def decode_text_file(data: bytes, path: str, encoding: Optional[str], what: str) -> str:
    """Text of a file of ``what`` (``"markup"``, ``"context"`` ...), or a clear PomlFileError."""
    chosen = encoding or detect_encoding(data) or "utf-8"
    try:
        codec = codecs.lookup(chosen)
    except LookupError:
        raise PomlFileError(f"{path}: unknown encoding {encoding!r}.\n"
                            "hint: use a Python codec name such as utf-8, gbk, shift_jis, latin-1") from None
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        raise PomlFileError(
            f"{path}: the {what} file is not valid {chosen} (byte {exc.start}: {exc.reason}).\n"
            f"hint: pass its encoding (encoding=\"gbk\" in Python, --encoding gbk on the command line), "
            "or save it as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


def decode_markup_file(data: bytes, path: str, encoding: Optional[str]) -> str:
    return decode_text_file(data, path, encoding, "markup")
