"""Pool variable-length sequences, sort by length and pack them into batches by a token budget."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np


@dataclass
class Batch:
    """One padded batch: ``ids``/``mask`` are ``(n, L)`` int64, ``index`` maps rows to input order."""

    ids: np.ndarray
    mask: np.ndarray
    index: np.ndarray
    lengths: np.ndarray


def pack(seqs: Sequence[np.ndarray], *, max_tokens: int, max_batch: int, pad_id: int,
         multiple_of: int = 1) -> Iterator[Batch]:
    """Yield batches whose padded size ``rows * longest`` stays within ``max_tokens``.

    Sequences are sorted longest first so each batch pads only to its own longest member.

    >>> list(pack([np.array([1, 2]), np.array([3])], max_tokens=8, max_batch=8, pad_id=0))[0].ids
    array([[1, 2],
           [3, 0]])
    """
    if not seqs:
        return
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    order = np.argsort(-lengths, kind="stable")
    i = 0
    n = len(order)
    while i < n:
        longest = int(lengths[order[i]])
        width = -(-longest // multiple_of) * multiple_of if multiple_of > 1 else longest
        rows = max(1, min(max_batch, max_tokens // max(width, 1), n - i))
        idx = order[i:i + rows]
        ids = np.full((rows, width), pad_id, dtype=np.int64)
        mask = np.zeros((rows, width), dtype=np.int64)
        for r, k in enumerate(idx):
            s = seqs[k]
            ids[r, :len(s)] = s
            mask[r, :len(s)] = 1
        yield Batch(ids=ids, mask=mask, index=idx, lengths=lengths[idx])
        i += rows
