"""``<audio>``: a file or base64 data, passed through with its MIME type.

The type is ``type`` (``"audio/"`` prefixed when missing) or, for files, taken
from the extension: ``.mp3`` → ``audio/mpeg``, ``.wav``, ``.ogg``, ``.flac``,
``.aac``. The data is not checked or converted, as in the reference.
"""

from __future__ import annotations

import base64 as _b64
import os
from typing import TYPE_CHECKING, Any, Optional

from .._errors import PomlError
from ._base64 import decode_base64

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = ["canonical_audio_type", "load_audio"]

_BY_EXT = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".flac": "audio/flac", ".aac": "audio/aac"}


def canonical_audio_type(type: Optional[str], src: Optional[str] = None) -> str:  # noqa: A002
    """The MIME type of an audio source (reference ``canonicalizeType``)."""
    if type:
        return type if type.startswith("audio/") else f"audio/{type}"
    if src:
        ext = os.path.splitext(src)[1].lower()
        if ext in _BY_EXT:
            return _BY_EXT[ext]
    raise PomlError("Cannot determine audio format. Set type, e.g. type=\"audio/mpeg\".")


def load_audio(src: Optional[str] = None, base64: Optional[str] = None, type: Optional[str] = None,  # noqa: A002
               *, base_dir: Any = None, access: "Optional[FileAccess]" = None) -> tuple[str, str]:
    """``(base64, mime)`` of an ``<audio>`` source."""
    if src and base64:
        raise PomlError("Cannot specify both `src` and `base64`.")
    if src:
        if access is None:
            from .._files import FileAccess

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        data = access.read_source_bytes(src, base_dir)
        return _b64.b64encode(data).decode("ascii"), canonical_audio_type(type, src)
    if base64:
        mime = canonical_audio_type(type, None)
        return _b64.b64encode(decode_base64(base64, "audio")).decode("ascii"), mime
    raise PomlError("src or base64 is required")
