"""Load a token-classification checkpoint (local folder or hub name) with transformers."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ._deps import require
from ._errors import ModelLoadError
from ._hub import check_source


@dataclass
class Loaded:
    tokenizer: object
    model: object
    config: object
    source: str
    #: vocabulary size the embeddings must be resized to (set once compat tokens are added)
    compat_vocab: int | None = None


def load_checkpoint(model: str, *, load_weights: bool = True) -> Loaded:
    """Load tokenizer, config and ``AutoModelForTokenClassification`` (fp32, CPU).

    >>> loaded = load_checkpoint("microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank")  # doctest: +SKIP
    """
    require("torch")
    transformers = require("transformers")
    src = os.fspath(model)
    check_source(src)
    try:
        config = transformers.AutoConfig.from_pretrained(src)
        tokenizer = transformers.AutoTokenizer.from_pretrained(src)
    except Exception as exc:
        raise ModelLoadError(f"cannot load tokenizer/config from {src!r}: {exc}") from exc
    archs = getattr(config, "architectures", None) or []
    if archs and not any("ForTokenClassification" in a for a in archs):
        raise ModelLoadError(
            f"{src!r} is not a token-classification checkpoint (architectures={archs})")
    if getattr(config, "num_labels", 2) < 2:
        raise ModelLoadError(f"{src!r} has fewer than 2 labels")
    loaded = Loaded(tokenizer=tokenizer, model=None, config=config, source=src)
    if load_weights:
        load_weights_into(loaded)
    return loaded


def progress_bars(enabled: bool) -> None:
    """Show or hide transformers' own bars ("Loading weights", "Writing model shards")."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the compress extra is missing; the load step says so
        return
    (hf_logging.enable_progress_bar if enabled else hf_logging.disable_progress_bar)()


def load_weights_into(loaded: Loaded) -> object:
    """Load the fp32 model of ``loaded`` (once) and return it.

    When compat tokens were added to the tokenizer first, the embeddings are resized the way
    the reference does it, so loading later gives the same weights as loading first.
    """
    if loaded.model is not None:
        return loaded.model
    transformers = require("transformers")
    try:
        mdl = transformers.AutoModelForTokenClassification.from_pretrained(loaded.source, dtype="float32")
    except TypeError:  # older transformers spell it torch_dtype
        import torch

        mdl = transformers.AutoModelForTokenClassification.from_pretrained(
            loaded.source, torch_dtype=torch.float32)
    except Exception as exc:
        raise ModelLoadError(f"cannot load model weights from {loaded.source!r}: {exc}") from exc
    loaded.model = mdl.eval()
    if loaded.compat_vocab is not None:
        _resize_like_reference(mdl, loaded.compat_vocab)
    return mdl


def _resize_like_reference(model, size: int) -> None:
    """The reference seeds torch's RNG with 42 right before resizing; the caller's RNG state
    is restored afterwards."""
    torch = require("torch")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(42)
        model.resize_token_embeddings(size)


def add_compat_tokens(loaded: Loaded, n: int = 100) -> tuple[set[str], list[str]]:
    """Add the reference's ``[NEW0]..[NEW{n-1}]`` tokens and resize embeddings like it does
    (now, or when :func:`load_weights_into` loads the weights later).

    The new embedding rows are drawn with torch's RNG seeded to 42 (the reference seeds
    everything with 42 right before resizing); the caller's RNG state is restored afterwards.
    Returns the reference's special-token string set (taken before the addition) and the tokens.
    """
    tok = loaded.tokenizer
    special = {v for k, v in tok.special_tokens_map.items() if k != "additional_special_tokens"}
    special = {s for s in special if isinstance(s, str)}
    added = [f"[NEW{i}]" for i in range(n)]
    tok.add_special_tokens({"additional_special_tokens": added})
    loaded.compat_vocab = len(tok)
    if loaded.model is not None:
        _resize_like_reference(loaded.model, len(tok))
    return special, added
