"""ONNX export (and optional int8 dynamic quantization) of a token classifier.

Usage::

    from compressor import export_onnx
    path = export_onnx("path/to/checkpoint", "out_dir", quantize=True)   # out_dir/model.int8.onnx
    Compressor("path/to/checkpoint", engine="onnx", onnx_path=path)
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from ._deps import require
from ._errors import CompressorError


class _LogitsOnly:
    """Wrap a HF model so the exported graph has one output named ``logits``."""

    def __new__(cls, model):
        torch = require("torch")

        class Wrapper(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return self.m(input_ids=input_ids, attention_mask=attention_mask).logits

        return Wrapper(model)


@contextlib.contextmanager
def _eager_attention(model):
    """Trace the classic attention (matmul, mask add, softmax) instead of SDPA.

    SDPA exports with a ``Where(IsNaN(...))`` guard around every softmax, which costs about
    a fifth of an int8 forward pass in onnxruntime; the eager graph computes the same values.
    """
    before = getattr(model.config, "_attn_implementation", None)
    switch = hasattr(model, "set_attn_implementation") and before not in (None, "eager")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(before)


def _save_compact(raw: Path, dst: Path) -> None:
    """Move an exported graph to ``dst``. Models over protobuf's 2 GB limit (XLM-R large) are
    exported with one file per tensor; those are gathered into a single ``<dst>.data``."""
    loose = [p for p in raw.parent.iterdir() if p != raw]
    if not loose:
        os.replace(raw, dst)
        return
    onnx = require("onnx")
    model = onnx.load(str(raw))
    onnx.save_model(model, str(dst), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=dst.name + ".data", size_threshold=1024)


def export_model(model, out_dir: str | os.PathLike, *, quantize: bool = False,
                 opset: int = 17) -> Path:
    """Export a loaded torch token classifier to ``out_dir/model.onnx`` (fp32).

    With ``quantize=True`` also writes ``model.int8.onnx`` (dynamic int8 for CPU) and returns it.
    """
    torch = require("torch")
    require("onnx")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "model.onnx"
    model = model.float().eval().cpu()
    wrapper = _LogitsOnly(model).eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch", 1: "seq"}}
    try:
        with tempfile.TemporaryDirectory(dir=out, prefix=".export-") as tmp:
            raw = Path(tmp) / "model.onnx"
            with torch.inference_mode(), _eager_attention(model), warnings.catch_warnings():
                # The tracer flags transformers' shape branches ("might cause the trace to be
                # incorrect", "will produce incorrect results"); they do not depend on the batch or
                # sequence length, and the tests compare onnxruntime's logits with torch's.
                warnings.simplefilter("ignore", torch.jit.TracerWarning)
                warnings.filterwarnings("ignore", message=".*incorrect results.*")
                # dynamo=False is chosen on purpose (see above); its deprecation notices are not the user's to act on
                warnings.filterwarnings("ignore", message="You are using the legacy TorchScript-based ONNX export",
                                        category=DeprecationWarning)
                warnings.filterwarnings("ignore", message="The feature will be removed", category=DeprecationWarning)
                torch.onnx.export(wrapper, (ids, mask), str(raw), input_names=["input_ids", "attention_mask"],
                                  output_names=["logits"], dynamic_axes=axes, opset_version=opset,
                                  do_constant_folding=True, dynamo=False)
            _save_compact(raw, path)
    except Exception as exc:
        raise CompressorError(f"ONNX export failed: {exc}") from exc
    if quantize:
        return quantize_int8(path, out / "model.int8.onnx")
    return path


def quantize_int8(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Dynamic int8 quantization (weights int8, activations quantized on the fly) for CPU."""
    require("onnxruntime")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gemm"])
    return Path(dst)


def export_onnx(model: str | os.PathLike, out_dir: str | os.PathLike, *, quantize: bool = False,
                compat: str | None = None, copy_tokenizer: bool = True) -> Path:
    """Export a checkpoint folder/hub name to ONNX; returns the ``.onnx`` path.

    ``compat="llmlingua"`` exports the model with the reference's extra ``[NEWi]`` embeddings
    (needed to reproduce its force-token behaviour). With ``copy_tokenizer`` the tokenizer and
    config are saved beside it, so ``Compressor(out_dir, engine="onnx")`` works on its own.
    """
    from ._loading import add_compat_tokens, load_checkpoint

    loaded = load_checkpoint(model)
    if compat:
        add_compat_tokens(loaded)
    path = export_model(loaded.model, out_dir, quantize=quantize)
    if copy_tokenizer and not compat:
        loaded.tokenizer.save_pretrained(out_dir)
        loaded.config.save_pretrained(out_dir)
        if quantize:
            # make the int8 model the one Compressor(out_dir, engine="onnx") picks up
            shutil.copyfile(path, Path(out_dir) / "model.onnx")
            (Path(out_dir) / "model.onnx.data").unlink(missing_ok=True)  # the fp32 tensors, if any
    return path
