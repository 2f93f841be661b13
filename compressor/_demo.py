"""A small, UNTRAINED token-classification checkpoint built offline, to try the pipeline.

``make_demo_model(folder)`` trains a WordPiece tokenizer on a built-in English sample (plus any
``texts`` given), builds a random-weight ``BertForTokenClassification`` from a config, and saves
both. Nothing is downloaded and it needs only the ``compress`` extra. The weights are random:
which words it keeps is arbitrary, so use it to check an install, a command or a data flow —
never to judge compression quality (use a published LLMLingua-2 model for that).

>>> from compressor import make_demo_model                      # doctest: +SKIP
>>> make_demo_model("./demo-model")                            # doctest: +SKIP
'./demo-model'
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ._deps import require

SHAPES = {
    # hidden, layers, heads, intermediate
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128),
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
    "bert-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    "xlmr-large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
}

#: Config key (and README) that marks a checkpoint as the untrained demo.
DEMO_FLAG = "poml_untrained_demo"

_SAMPLE = """\
The meeting opened at nine with a review of last quarter's budget. Revenue grew by four percent,
while travel costs fell after the team moved most reviews online. The committee asked for a
clearer plan for the new office, including the lease, the furniture and the network.
Speaker one said the schedule for the product launch is tight but possible if testing starts in
May. Speaker two asked who owns the documentation and whether users will get a quick start guide.
We agreed to send the draft to everyone by Friday, to collect comments until Tuesday, and to
decide at the next meeting. Questions about hiring, training and support were left for later.
Please summarise the discussion, list the decisions and name the owner of each action item.
"""

_README = """# Untrained demo model

Made by `poml compress --demo-model` / `compressor.make_demo_model`. Its weights are RANDOM:
the words it keeps are arbitrary. Use it to try the compression pipeline offline, not to judge
quality; for real compression use a published LLMLingua-2 checkpoint, e.g.
`microsoft/llmlingua-2-xlm-roberta-large-meetingbank`.
"""


def save_model(model, tokenizer, folder: str | os.PathLike, classifier_scale: float = 1.0) -> str:
    """Scale the classifier (sharper probabilities than random weights give), save model and tokenizer."""
    torch = require("torch")
    if classifier_scale != 1.0:
        with torch.no_grad():
            model.classifier.weight.mul_(classifier_scale)
    Path(folder).mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def _wordpiece_tokenizer(texts: list[str], vocab_size: int):
    tokenizers = require("tokenizers")
    transformers = require("transformers")
    from tokenizers import decoders, models, normalizers, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials,
                                                             show_progress=False))
    return transformers.BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                          cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def make_demo_model(folder: str | os.PathLike, texts: Iterable[str] = (), *, shape: str = "tiny",
                    vocab_size: int = 2000, seed: int = 0) -> str:
    """Save an UNTRAINED BERT-shaped token classifier (random weights, built from a config) in ``folder``.

    ``texts`` add words to the tokenizer's training sample; ``shape`` is a key of :data:`SHAPES`.
    Returns the folder, ready for ``Compressor(folder)`` or ``poml compress --model folder``.
    """
    torch = require("torch")
    transformers = require("transformers")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    tok = _wordpiece_tokenizer([_SAMPLE, *texts], vocab_size)
    torch.manual_seed(seed)
    cfg = transformers.BertConfig(vocab_size=len(tok), max_position_embeddings=512, num_labels=2,
                                  pad_token_id=tok.pad_token_id, architectures=["BertForTokenClassification"],
                                  **SHAPES[shape])
    setattr(cfg, DEMO_FLAG, True)
    out = save_model(transformers.BertForTokenClassification(cfg).eval(), tok, folder, classifier_scale=8.0)
    (Path(folder) / "README.md").write_text(_README, encoding="utf-8")
    return out


def is_demo_model(config) -> bool:
    """True for a checkpoint saved by :func:`make_demo_model`."""
    return bool(getattr(config, DEMO_FLAG, False))
