"""Where the model to fine-tune comes from: a checkpoint folder (or hub name), the same
folder's config with fresh weights, or a ``transformers`` config object plus a tokenizer."""
from __future__ import annotations

import os
from typing import Any

from .._deps import require
from .._errors import ModelLoadError

LABELS = {0: "drop", 1: "keep"}


def load_for_training(model: Any, *, tokenizer: Any = None, from_scratch: bool = False,
                      seed: int = 0, num_layers: int | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) ready to train, with two labels (0 drop, 1 keep).

    ``model`` is a path/hub name or a ``PretrainedConfig``; ``tokenizer`` (path or object) is
    required with a config and otherwise defaults to the checkpoint's own. ``num_layers``
    keeps only the first that many encoder layers (pretrained weights, less compute).
    """
    torch = require("torch")
    tf = require("transformers")
    torch.manual_seed(seed)
    if isinstance(model, tf.PretrainedConfig):
        if tokenizer is None:
            raise ModelLoadError("training from a config needs tokenizer= (a folder or a tokenizer)")
        config, src = model, None
    else:
        src = os.fspath(model)
        try:
            config = tf.AutoConfig.from_pretrained(src)
        except Exception as exc:
            raise ModelLoadError(f"cannot load a config from {src!r}: {exc}") from exc
    tok = tokenizer if tokenizer is not None else src
    if isinstance(tok, (str, os.PathLike)):
        try:
            tok = tf.AutoTokenizer.from_pretrained(os.fspath(tok))
        except Exception as exc:
            raise ModelLoadError(f"cannot load a tokenizer from {os.fspath(tok)!r}: {exc}") from exc
    config.num_labels = 2
    if num_layers is not None:
        have = getattr(config, "num_hidden_layers", None)
        if have is None or not 1 <= num_layers <= have:
            raise ModelLoadError(f"num_layers must be between 1 and the model's {have} layers, "
                                 f"got {num_layers}")
        config.num_hidden_layers = num_layers
    config.id2label, config.label2id = dict(LABELS), {v: k for k, v in LABELS.items()}
    try:
        if src is None or from_scratch:
            net = tf.AutoModelForTokenClassification.from_config(config)
        else:
            # a base (non-classifier) checkpoint gets a fresh 2-label head
            net = tf.AutoModelForTokenClassification.from_pretrained(
                src, config=config, ignore_mismatched_sizes=True)
    except Exception as exc:
        raise ModelLoadError(f"cannot build a token classifier from {src or type(config).__name__}: "
                             f"{exc}") from exc
    if net.get_input_embeddings().num_embeddings < len(tok):
        net.resize_token_embeddings(len(tok))
    return net, tok
