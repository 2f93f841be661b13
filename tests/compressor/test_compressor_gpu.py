"""CUDA checks: torch engine in fp32/fp16/bf16 and onnxruntime's CUDA provider (skip without CUDA)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

KW = dict(rate=0.4, force_tokens=["\n", "?"], return_labels=True)


@pytest.mark.parametrize("compat", [None, "llmlingua"])
def test_cuda_fp32_matches_cpu_fp32(compat, model_dirs, texts, get_compressor):
    from compressor import Compressor

    gpu = Compressor(model_dirs["xlmr"], device="cuda", dtype="float32", compat=compat)
    cpu = get_compressor("xlmr", compat=compat)
    prompts = list(texts.values())
    a = [r.labels for r in gpu.compress(prompts, **KW)]
    b = [r.labels for r in cpu.compress(prompts, **KW)]
    agree = np.mean(np.concatenate([np.array(x) == np.array(y) for x, y in zip(a, b)]))
    assert agree > 0.995


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_cuda_half_precision_runs(dtype, model_dirs, texts):
    from compressor import Compressor

    comp = Compressor(model_dirs["bert"], device="cuda", dtype=dtype)
    assert comp.dtype == dtype and comp.device.startswith("cuda")
    res = comp.compress(list(texts.values()), rate=0.5)
    assert all(r.compressed_tokens <= r.origin_tokens for r in res)


def test_onnxruntime_cuda_provider(model_dirs, texts, get_compressor):
    ort = pytest.importorskip("onnxruntime")
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("onnxruntime-gpu not installed")
    from compressor import Compressor

    comp = Compressor(model_dirs["bert"], device="cuda", engine="onnx")
    assert comp.device == "cuda"
    a = [r.labels for r in comp.compress(list(texts.values()), **KW)]
    b = [r.labels for r in get_compressor("bert").compress(list(texts.values()), **KW)]
    agree = np.mean(np.concatenate([np.array(x) == np.array(y) for x, y in zip(a, b)]))
    assert agree > 0.995
