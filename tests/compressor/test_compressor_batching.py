"""Pooling many prompts into shared batches must not change any result."""
from __future__ import annotations

import numpy as np
import pytest

KW = dict(rate=0.4, force_tokens=["\n", "?"], return_labels=True)


def _fifty(texts):
    vals = list(texts.values())
    return [vals[i % len(vals)] for i in range(50)]


@pytest.mark.parametrize("compat", [None, "llmlingua"])
@pytest.mark.parametrize("engine", ["torch", "onnx"])
def test_fifty_prompts_in_one_call_equal_one_by_one(compat, engine, texts, get_compressor):
    if engine == "onnx":
        pytest.importorskip("onnxruntime")
    comp = get_compressor("xlmr", compat=compat, engine=engine)
    prompts = _fifty(texts)
    pooled = comp.compress(prompts, **KW)
    for p, r in zip(prompts[:31], pooled[:31]):  # the first 31 cover every distinct text
        alone = comp.compress(p, **KW)
        assert (r.compressed_prompt, r.labels, r.compressed_tokens) == (
            alone.compressed_prompt, alone.labels, alone.compressed_tokens)


@pytest.mark.parametrize("compat", [None, "llmlingua"])
def test_small_batch_budget_equals_large(compat, texts, model_dirs):
    from compressor import Compressor

    prompts = _fifty(texts)[:20]
    a = Compressor(model_dirs["bert"], device="cpu", compat=compat, max_batch_tokens=600)
    b = Compressor(model_dirs["bert"], device="cpu", compat=compat, max_batch_tokens=100_000)
    ra, rb = a.compress(prompts, **KW), b.compress(prompts, **KW)
    assert [r.labels for r in ra] == [r.labels for r in rb]


@pytest.mark.parametrize("compat", [None, "llmlingua"])
@pytest.mark.parametrize("kind", ["xlmr", "bert"])
def test_onnx_fp32_labels_equal_torch_fp32(kind, compat, texts, get_compressor):
    pytest.importorskip("onnxruntime")
    t = get_compressor(kind, compat=compat)
    o = get_compressor(kind, compat=compat, engine="onnx")
    prompts = list(texts.values())
    assert [r.labels for r in t.compress(prompts, **KW)] == [r.labels for r in o.compress(prompts, **KW)]


def test_compress_iter_streams_same_results(texts, get_compressor):
    comp = get_compressor("bert")
    prompts = _fifty(texts)[:12]
    streamed = list(comp.compress_iter(iter(prompts), group_size=5, rate=0.4))
    assert [r.compressed_prompt for r in streamed] == [r.compressed_prompt for r in comp.compress(prompts, rate=0.4)]


def test_packing_respects_token_budget():
    from compressor._batching import pack

    rng = np.random.default_rng(0)
    seqs = [rng.integers(5, 100, size=int(n)) for n in rng.integers(3, 300, size=100)]
    seen = []
    for b in pack(seqs, max_tokens=1024, max_batch=16, pad_id=0):
        assert b.ids.shape[0] * b.ids.shape[1] <= 1024 or b.ids.shape[0] == 1
        assert b.ids.shape[0] <= 16
        for r, k in enumerate(b.index):
            np.testing.assert_array_equal(b.ids[r, : len(seqs[k])], seqs[k])
            assert b.mask[r].sum() == len(seqs[k])
        seen.extend(b.index.tolist())
    assert sorted(seen) == list(range(100))
