"""Decode the ``base64=`` attribute of documents, webpages, images and audio."""
from __future__ import annotations

import base64 as _b64
import binascii

from .._errors import PomlError


def decode_base64(text: str, what: str) -> bytes:
    """Bytes of ``text``, tolerating whitespace, a ``data:...;base64,`` prefix and missing padding.

    >>> decode_base64("aGk", "image")
    b'hi'
    """
    if any(ws in text for ws in (" ", "\n", "\r", "\t")):
        text = "".join(text.split())  # much faster than a regex on megabytes of base64
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return _b64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise PomlError(f"Invalid base64 {what} data: {exc}") from None
