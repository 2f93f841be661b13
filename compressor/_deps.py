"""Lazy imports of heavy optional dependencies with actionable error messages."""
from __future__ import annotations

from types import ModuleType

from poml._install import require as _require

from ._errors import MissingDependencyError

_EXTRA_FOR = {
    "torch": "compress",
    "transformers": "compress",
    "sentencepiece": "compress",
    "tiktoken": "compress",
    "numpy": "compress",
    "rich": "compress",
    "onnxruntime": "onnx",
    "onnx": "onnx",
    "ray": "ray",
    "pyarrow": "ray",
    "matplotlib": "train",
}


def require(module: str, purpose: str = "compression") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip command.

    >>> np = require("numpy")
    """
    extra = _EXTRA_FOR.get(module.split(".")[0], "compress")
    return _require(module, purpose, extra=extra, error=MissingDependencyError)
