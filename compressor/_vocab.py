"""Tokenizer introspection: word-boundary scheme and per-vocabulary lookup tables.

The scheme is read from the tokenizer itself (never from the model name):

* ``"sentencepiece"`` – pieces start a word with ``▁`` (XLM-R, mT5, Llama-SP ...)
* ``"wordpiece"`` – continuation pieces start with ``##`` (BERT, mBERT, MiniLM ...)
* ``"offsets"`` – anything else (byte-level BPE ...): words come from character offsets.
"""
from __future__ import annotations

import json
import re
import string
from functools import cached_property

import numpy as np

SP_MARK = "\u2581"
_DIGIT = re.compile(r"\d")


def detect_scheme(tokenizer) -> str:
    """Return ``"sentencepiece"``, ``"wordpiece"`` or ``"offsets"`` for a HF tokenizer."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        try:
            spec = json.loads(backend.to_str())
            model = spec.get("model", {}) or {}
            if model.get("type") == "WordPiece":
                return "wordpiece"
            if model.get("type") == "Unigram":
                return "sentencepiece"
            text = json.dumps(spec.get("pre_tokenizer")) + json.dumps(spec.get("decoder"))
            if "Metaspace" in text:
                return "sentencepiece"
            if model.get("continuing_subword_prefix") == "##":
                return "wordpiece"
        except Exception:  # pragma: no cover - exotic backends
            pass
    toks = tokenizer.tokenize("hello worldwide unbelievably")
    if any(t.startswith(SP_MARK) for t in toks):
        return "sentencepiece"
    if any(t.startswith("##") for t in toks):
        return "wordpiece"
    return "offsets"


class VocabTables:
    """Per-vocabulary-id arrays used to map token ids to words without Python loops over tokens."""

    def __init__(self, tokenizer, scheme: str) -> None:
        self.tokenizer = tokenizer
        self.scheme = scheme
        self.size = len(tokenizer)
        self.tokens: list[str] = tokenizer.convert_ids_to_tokens(list(range(self.size)))
        self.tokens = [t if t is not None else "" for t in self.tokens]

    @cached_property
    def pure(self) -> list[str]:
        """Token text with the scheme's marker stripped the way the reference does (``lstrip``)."""
        if self.scheme == "wordpiece":
            return [t.lstrip("##") for t in self.tokens]
        if self.scheme == "sentencepiece":
            return [t.lstrip(SP_MARK) for t in self.tokens]
        return list(self.tokens)

    @cached_property
    def tokens_arr(self) -> np.ndarray:
        return np.array(self.tokens, dtype=object)

    @cached_property
    def pure_arr(self) -> np.ndarray:
        return np.array(self.pure, dtype=object)

    @cached_property
    def token_to_id(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tokens)}

    @cached_property
    def pure_to_ids(self) -> dict[str, list[int]]:
        d: dict[str, list[int]] = {}
        for i, p in enumerate(self.pure):
            d.setdefault(p, []).append(i)
        return d

    @cached_property
    def base_begin(self) -> np.ndarray:
        """Reference rule for "this token starts a new word" without force tokens."""
        if self.scheme == "wordpiece":
            return np.array([not t.startswith("##") for t in self.tokens], dtype=bool)
        punct = set(string.punctuation)
        return np.array([t.startswith(SP_MARK) or t in punct for t in self.tokens], dtype=bool)

    @cached_property
    def has_digit(self) -> np.ndarray:
        return np.array([_DIGIT.search(t) is not None for t in self.tokens], dtype=bool)

    def ids_of_pure(self, texts) -> np.ndarray:
        out: list[int] = []
        for t in texts:
            out.extend(self.pure_to_ids.get(t, ()))
        return np.array(sorted(set(out)), dtype=np.int64)

    def ids_of_token(self, texts) -> np.ndarray:
        out = [self.token_to_id[t] for t in texts if t in self.token_to_id]
        return np.array(sorted(set(out)), dtype=np.int64)
