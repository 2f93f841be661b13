"""Load a token-classification checkpoint (local folder or hub name) with transformers."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ._deps import require
from ._errors import ModelLoadError


@dataclass
class Loaded:
    tokenizer: object
    model: object
    config: object
    source: str


def load_checkpoint(model: str, *, load_weights: bool = True) -> Loaded:
    """Load tokenizer, config and ``AutoModelForTokenClassification`` (fp32, CPU).

    >>> loaded = load_checkpoint("microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank")  # doctest: +SKIP
    """
    require("torch")
    transformers = require("transformers")
    src = os.fspath(model)
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
    mdl = None
    if load_weights:
        try:
            mdl = transformers.AutoModelForTokenClassification.from_pretrained(src, dtype="float32")
        except TypeError:  # older transformers spell it torch_dtype
            import torch

            mdl = transformers.AutoModelForTokenClassification.from_pretrained(
                src, torch_dtype=torch.float32)
        except Exception as exc:
            raise ModelLoadError(f"cannot load model weights from {src!r}: {exc}") from exc
        mdl.eval()
    return Loaded(tokenizer=tokenizer, model=mdl, config=config, source=src)


def add_compat_tokens(loaded: Loaded, n: int = 100) -> tuple[set[str], list[str]]:
    """Add the reference's ``[NEW0]..[NEW{n-1}]`` tokens and resize embeddings like it does.

    The new embedding rows are drawn with torch's RNG seeded to 42 (the reference seeds
    everything with 42 right before resizing); the caller's RNG state is restored afterwards.
    Returns the reference's special-token string set (taken before the addition) and the tokens.
    """
    torch = require("torch")
    tok = loaded.tokenizer
    special = {v for k, v in tok.special_tokens_map.items() if k != "additional_special_tokens"}
    special = {s for s in special if isinstance(s, str)}
    added = [f"[NEW{i}]" for i in range(n)]
    tok.add_special_tokens({"additional_special_tokens": added})
    if loaded.model is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(42)
            loaded.model.resize_token_embeddings(len(tok))
    return special, added
