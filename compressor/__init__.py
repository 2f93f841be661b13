"""LLMLingua-2 prompt compression, batched, on torch and onnxruntime.

Importing this package is cheap: torch, transformers and onnxruntime load on first use.

Usage::

    from compressor import Compressor
    comp = Compressor("microsoft/llmlingua-2-xlm-roberta-large-meetingbank")
    print(comp.compress("a long prompt ...", rate=0.33).compressed_prompt)

    from compressor import Guard          # SecurityLingua intent extraction
    Guard().protect([{"role": "user", "content": "..."}], system_prompt="Be helpful.")

See docs/compressor.md and docs/guard.md for the CLI (``poml compress``), engines and the compat mode.
"""
from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._errors import (
    CompressorError,
    EngineUnavailableError,
    InvalidArgumentError,
    MissingDependencyError,
    ModelLoadError,
    UnsupportedTokenizerError,
)
from ._result import CompressionResult

if _TYPE_CHECKING:  # pragma: no cover
    from ._compressor import Compressor
    from ._guard import Guard
    from ._demo import make_demo_model
    from ._onnx import export_onnx
    from .train import train

__all__ = [
    "Compressor",
    "Guard",
    "CompressionResult",
    "export_onnx",
    "make_demo_model",
    "train",
    "CompressorError",
    "MissingDependencyError",
    "ModelLoadError",
    "EngineUnavailableError",
    "UnsupportedTokenizerError",
    "InvalidArgumentError",
]


def __getattr__(name: str) -> object:
    if name == "Compressor":
        from ._compressor import Compressor

        return Compressor
    if name == "Guard":
        from ._guard import Guard

        return Guard
    if name == "train":
        # the subpackage and the function share the name: ``compressor.train(...)`` trains,
        # ``compressor.train.jailbreak_pairs`` etc. reach the subpackage's other names
        from importlib import import_module

        return import_module(".train", __name__)
    if name == "export_onnx":
        from ._onnx import export_onnx

        return export_onnx
    if name == "make_demo_model":
        from ._demo import make_demo_model

        return make_demo_model
    raise AttributeError(f"module 'compressor' has no attribute {name!r}")
