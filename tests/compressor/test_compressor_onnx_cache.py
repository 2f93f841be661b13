"""The ONNX export is cached per checkpoint: a second Compressor(engine="onnx") reuses it."""
from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

import compressor._onnx_cache as onnx_cache  # noqa: E402
from compressor import Compressor, CompressorError  # noqa: E402
from compressor._loading import Loaded  # noqa: E402


@pytest.fixture()
def counted(monkeypatch, tmp_path):
    """Fresh cache folder; counts exports and weight loads."""
    monkeypatch.setenv("POML_CACHE_DIR", str(tmp_path / "cache"))
    calls = {"export": 0, "weights": 0}
    real_export, real_weights = onnx_cache.export_model, onnx_cache.load_weights_into

    def export(*a, **kw):
        calls["export"] += 1
        return real_export(*a, **kw)

    def weights(*a, **kw):
        calls["weights"] += 1
        return real_weights(*a, **kw)

    monkeypatch.setattr(onnx_cache, "export_model", export)
    monkeypatch.setattr(onnx_cache, "load_weights_into", weights)
    return calls


def _copy_model(model_dirs, tmp_path, kind="bert"):
    dst = tmp_path / f"copy-{kind}"
    shutil.copytree(model_dirs[kind], dst)
    return str(dst)


def test_second_compressor_reuses_the_export_without_loading_weights(counted, model_dirs, tmp_path, texts):
    path = _copy_model(model_dirs, tmp_path)
    first = Compressor(path, engine="onnx", device="cpu", dtype="int8")
    second = Compressor(path, engine="onnx", device="cpu", dtype="int8")
    assert counted == {"export": 1, "weights": 1}
    assert first.engine.dtype == second.engine.dtype == "int8"
    text = texts["meeting_dialogue"]
    assert first.compress(text, rate=0.5).compressed_prompt == second.compress(text, rate=0.5).compressed_prompt
    entries = [p for p in (tmp_path / "cache" / "onnx").iterdir()]
    assert len(entries) == 1 and (entries[0] / "model.int8.onnx").is_file()
    assert not (entries[0] / "model.onnx").exists()  # the fp32 graph was only the quantizer's input


def test_changed_checkpoint_files_are_exported_again(counted, model_dirs, tmp_path):
    path = _copy_model(model_dirs, tmp_path)
    Compressor(path, engine="onnx", device="cpu")
    cfg = os.path.join(path, "config.json")
    st = os.stat(cfg)
    os.utime(cfg, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    Compressor(path, engine="onnx", device="cpu")
    assert counted["export"] == 2


def test_compat_and_int8_get_their_own_entries(counted, model_dirs, tmp_path):
    path = _copy_model(model_dirs, tmp_path, "xlmr")
    for compat in (None, "llmlingua"):
        for dtype in ("float32", "int8"):
            Compressor(path, engine="onnx", device="cpu", compat=compat, dtype=dtype)
    assert counted["export"] == 4
    assert len(list((tmp_path / "cache" / "onnx").iterdir())) == 4


def test_compat_export_from_cache_equals_torch_labels(model_dirs, tmp_path, texts, monkeypatch):
    # compat tokens are added before the weights load; the resized embeddings must not change
    monkeypatch.setenv("POML_CACHE_DIR", str(tmp_path / "cache"))
    path = _copy_model(model_dirs, tmp_path, "xlmr")
    torch_c = Compressor(path, device="cpu", compat="llmlingua")
    Compressor(path, engine="onnx", device="cpu", compat="llmlingua")
    onnx_c = Compressor(path, engine="onnx", device="cpu", compat="llmlingua")  # from the cache
    text = texts["meetingbank_excerpt"] + "\n" + texts["meeting_dialogue"]
    kw = dict(rate=0.4, force_tokens=["\n", "?", "."], return_labels=True)
    assert torch_c.compress(text, **kw).labels == onnx_c.compress(text, **kw).labels


def test_failed_export_leaves_no_entry(monkeypatch, model_dirs, tmp_path):
    monkeypatch.setenv("POML_CACHE_DIR", str(tmp_path / "cache"))

    def broken(*a, **kw):
        (a[1] / "model.onnx").write_bytes(b"half a model")
        raise CompressorError("ONNX export failed: disk full")

    monkeypatch.setattr(onnx_cache, "export_model", broken)
    with pytest.raises(CompressorError, match="disk full"):
        Compressor(_copy_model(model_dirs, tmp_path), engine="onnx", device="cpu")
    assert list((tmp_path / "cache" / "onnx").iterdir()) == []


def test_hub_checkpoints_are_keyed_by_commit():
    def loaded(commit):
        return Loaded(tokenizer=None, model=None, config=SimpleNamespace(_commit_hash=commit),
                      source="microsoft/llmlingua-2-xlm-roberta-large-meetingbank")

    a = onnx_cache.cache_key(loaded("a" * 40), compat=None, quantize=False)
    b = onnx_cache.cache_key(loaded("b" * 40), compat=None, quantize=False)
    assert a and b and a != b
    assert onnx_cache.cache_key(loaded(None), compat=None, quantize=False) is None


def test_an_entry_written_meanwhile_is_kept(counted, model_dirs, tmp_path, monkeypatch):
    # another process finishes the same export while this one is still exporting
    path = _copy_model(model_dirs, tmp_path)
    real = onnx_cache.export_model

    def slow_export(model, out, **kw):
        result = real(model, out, **kw)
        other = onnx_cache.user_cache_dir("onnx") / out.name.split("-")[0].lstrip(".")
        shutil.copytree(out, other)
        (other / "from-the-other-process").write_text("")
        return result

    monkeypatch.setattr(onnx_cache, "export_model", slow_export)
    comp = Compressor(path, engine="onnx", device="cpu")
    entry = (tmp_path / "cache" / "onnx")
    folders = [p for p in entry.iterdir()]
    assert len(folders) == 1 and (folders[0] / "from-the-other-process").exists()
    assert comp.compress("a short prompt to compress", rate=0.5).compressed_prompt
