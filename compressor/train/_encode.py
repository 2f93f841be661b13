"""Turn aligned pairs into model inputs: one tokenisation of the raw original text, cut into
windows at word boundaries, each token labelled with its word's label.

Special and padding tokens get label -100 (ignored by the loss), as do tokens that cover no
word (whitespace pieces). The word index of every token is kept, so evaluation can score
whole words the way inference does (mean keep-probability of the word's tokens).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Sequence

from ._align import Alignment
from ._errors import TrainDataError

IGNORE = -100


@dataclass
class Window:
    input_ids: list[int]
    labels: list[int]          # per token, IGNORE on specials / non-word pieces
    word_ids: list[int]        # per token, index into the pair's words or -1
    pair: int                  # index of the pair this window comes from


class Encoder:
    """Holds the tokenizer and the window size; ``encode`` is called once per pair."""

    def __init__(self, tokenizer, max_length: int = 512) -> None:
        if not getattr(tokenizer, "is_fast", False):
            raise TrainDataError(f"training needs a fast tokenizer (character offsets); "
                                 f"{type(tokenizer).__name__} is not one")
        self.tok = tokenizer
        self.prefix, self.suffix = _special_wrap(tokenizer)
        self.content = max_length - len(self.prefix) - len(self.suffix)
        if self.content < 8:
            raise TrainDataError(f"max_length {max_length} leaves no room for text")

    def encode(self, text: str, alignment: Alignment, pair: int) -> list[Window]:
        enc = self.tok(text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offs = enc["input_ids"], enc["offset_mapping"]
        word_of = _token_words(offs, alignment)
        out = []
        for st, ed in _cuts(word_of, self.content):
            chunk_w = word_of[st:ed]
            labels = [alignment.labels[w] if w >= 0 else IGNORE for w in chunk_w]
            out.append(Window(
                self.prefix + ids[st:ed] + self.suffix,
                [IGNORE] * len(self.prefix) + labels + [IGNORE] * len(self.suffix),
                [-1] * len(self.prefix) + chunk_w + [-1] * len(self.suffix), pair))
        return out


def _special_wrap(tokenizer) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text (e.g. [CLS] / [SEP])."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    for at in range(len(full) - len(bare) + 1):
        if full[at:at + len(bare)] == bare:
            return list(full[:at]), list(full[at + len(bare):])
    raise TrainDataError(f"cannot tell the special tokens of {type(tokenizer).__name__}")


def _token_words(offsets: Sequence[tuple[int, int]], alignment: Alignment) -> list[int]:
    """Word index of each token: the word its characters overlap, else -1."""
    starts = [w.start for w in alignment.words]
    ends = [w.end for w in alignment.words]
    out = []
    for s, e in offsets:
        i = bisect.bisect_right(ends, s)   # first word ending after the token starts
        out.append(i if e > s and i < len(starts) and starts[i] < e else -1)
    return out


def _cuts(word_of: list[int], size: int) -> list[tuple[int, int]]:
    """Windows of at most ``size`` tokens, never splitting a word when it can be avoided."""
    cuts, st, n = [], 0, len(word_of)
    while st < n:
        ed = min(n, st + size)
        if ed < n:
            back = ed
            while back > st + 1 and word_of[back] >= 0 and word_of[back] == word_of[back - 1]:
                back -= 1
            ed = back if back > st + 1 else ed
        cuts.append((st, ed))
        st = ed
    return cuts or [(0, 0)]
