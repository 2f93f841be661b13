"""Word labels for (original, compressed) pairs by windowed greedy alignment.

Each word of the compressed text is matched to one not-yet-labelled word of the original with
the same normal form, searched in a window around a moving pointer (nearest match forward first,
then backward); a matched original word is labelled 1 (keep). Words carry their character
spans in the *raw* original text, so the trainer labels the tokens of the text the model sees
at inference (the reference trained on a re-tokenised lemma sequence instead).

Usage::

    from compressor.train import align
    a = align("So um the council, uh, votes today", "the council votes today")
    a.labels        # [0, 0, 1, 1, 0, 0, 0, 1, 1]
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

#: a word is a run of letters/digits (with inner apostrophes) or one punctuation character
_WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Alignment:
    """Labels of the original's words plus the reference's per-pair statistics."""

    words: tuple[Word, ...]
    labels: tuple[int, ...]
    n_compressed: int
    n_found: int          # compressed words that occur anywhere in the original

    @property
    def comp_rate(self) -> float:
        return self.n_compressed / len(self.words) if self.words else 0.0

    @property
    def variation_rate(self) -> float:
        """Share of compressed words that do not occur in the original (rewritten, not cut)."""
        return 1.0 - self.n_found / self.n_compressed if self.n_compressed else 0.0

    @property
    def hitting_rate(self) -> float:
        return self.n_found / len(self.words) if self.words else 0.0

    @property
    def matching_rate(self) -> float:
        return sum(self.labels) / len(self.words) if self.words else 0.0

    @property
    def alignment_gap(self) -> float:
        """Words found somewhere but not placed by the windowed search (reordering, far jumps)."""
        return self.hitting_rate - self.matching_rate

    def kept_text(self) -> str:
        return " ".join(w.text for w, lab in zip(self.words, self.labels) if lab)


def split_words(text: str) -> list[Word]:
    """Words with their character spans; whitespace never belongs to a word."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def normal_form(word: str) -> str:
    """Case-, width- and quote-insensitive form used for matching."""
    return unicodedata.normalize("NFKC", word).translate(_QUOTES).casefold()


def align(original: str, compressed: str, *, window: int = 400, anchored: bool = True,
          normalize: Callable[[str], str] | None = None) -> Alignment:
    """Label the words of ``original`` that ``compressed`` keeps.

    ``window`` bounds how far from the pointer a match is searched (the reference's
    ``--window_size 400``); ``normalize`` maps a word to its matching key (default
    :func:`normal_form`; :func:`compressor.train.lemma_normalizer` matches on lemmas).
    With ``anchored`` (default) runs of two or more consecutive compressed words are placed
    first, on their longest common runs in the original, and only the remaining words go
    through the greedy search: the plain greedy pass (``anchored=False``, the reference's)
    labels the *first* equal word after the pointer, so a request word that also occurs
    earlier in a jailbreak template ("give", "how", "a") labels the template's word.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    norm = normalize or normal_form
    words = split_words(original)
    keys = [norm(w.text) for w in words]
    comp = [norm(w.text) for w in split_words(compressed)]
    return _align_keys(tuple(words), keys, comp, window, anchored)


def _anchors(keys: Sequence[str], comp: Sequence[str]) -> list[int | None]:
    """For each compressed word, the original index of the run it belongs to (or None)."""
    from difflib import SequenceMatcher

    placed: list[int | None] = [None] * len(comp)
    blocks = SequenceMatcher(None, list(keys), list(comp), autojunk=False).get_matching_blocks()
    for b in blocks:
        if b.size >= 2:
            for k in range(b.size):
                placed[b.b + k] = b.a + k
    return placed


def _align_keys(words: tuple[Word, ...], keys: Sequence[str], comp: Sequence[str],
                window: int, anchored: bool) -> Alignment:
    labels = [0] * len(keys)
    present = set(keys)
    placed = _anchors(keys, comp) if anchored else [None] * len(comp)
    for i in placed:
        if i is not None:
            labels[i] = 1
    pointer = 0
    for key, at in zip(comp, placed):
        hit = at if at is not None else _search(keys, labels, key, pointer, window)
        if hit is not None:
            labels[hit] = 1
            pointer = hit + 1
    found = sum(1 for key in comp if key in present)
    return Alignment(words, tuple(labels), len(comp), found)


def _search(keys: Sequence[str], labels: list[int], key: str, pointer: int, window: int) -> int | None:
    """Nearest unlabelled equal key: forward from the pointer first, then backward."""
    n = len(keys)
    for i in range(pointer, min(n, pointer + window)):
        if not labels[i] and keys[i] == key:
            return i
    for i in range(pointer - 1, max(-1, pointer - 1 - window), -1):
        if not labels[i] and keys[i] == key:
            return i
    return None
