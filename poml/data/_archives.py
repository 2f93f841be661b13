"""Zip-based office files (docx, xlsx) are checked before a parser inflates them.

A 100 kB document can claim a million paragraphs: the parsers would inflate and build all
of it. The central directory says how large each member is once inflated, so the check
costs nothing and refuses a bomb before any of it is decompressed.
"""

from __future__ import annotations

import io
import zipfile

from .._errors import PomlError, PomlLimitError

MAX_INFLATED_BYTES = 32 * 1024 * 1024   # all members of one document, inflated
MAX_INFLATE_RATIO = 100                 # inflated / stored, for archives over 1 MB inflated
_SMALL = 1024 * 1024


def check_archive(data: bytes, what: str) -> None:
    """Raise :class:`PomlLimitError` when the zip in ``data`` would inflate past the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise PomlError(f"Cannot read the {what}: it is not a valid zip-based file ({exc}).") from None
    inflated = sum(m.file_size for m in members)
    stored = sum(m.compress_size for m in members) or 1
    if inflated > MAX_INFLATED_BYTES:
        raise PomlLimitError(f"The {what} inflates to {inflated} bytes, more than the limit of "
                             f"{MAX_INFLATED_BYTES}; split it or convert the part you need to text.")
    if inflated > _SMALL and inflated / stored > MAX_INFLATE_RATIO:
        raise PomlLimitError(f"The {what} inflates {inflated // stored}-fold ({inflated} bytes): refused as a "
                             "decompression bomb; re-save it, or convert the part you need to text.")
