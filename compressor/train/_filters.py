"""The reference's two data filters: drop pairs whose compressed text was rewritten
(high variation rate), then pairs the alignment could not place (high alignment gap).

Each filter drops the pairs strictly above the given percentile (90 = the top 10%), so a set
where every pair has the same value loses nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ._align import Alignment


@dataclass(frozen=True)
class FilterReport:
    kept: tuple[int, ...]
    dropped_variation: tuple[int, ...]
    dropped_gap: tuple[int, ...]
    dropped_empty: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        return {"kept": len(self.kept), "dropped_variation_rate": len(self.dropped_variation),
                "dropped_alignment_gap": len(self.dropped_gap), "dropped_empty": len(self.dropped_empty)}


def _percentile(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0


def filter_alignments(alignments: Sequence[Alignment], *, variation_percentile: float | None = 90,
                      gap_percentile: float | None = 90) -> FilterReport:
    """Indices of the alignments that survive both filters (``None`` turns a filter off)."""
    idx = list(range(len(alignments)))
    dropped_var: list[int] = []
    if variation_percentile is not None and idx:
        cut = _percentile([alignments[i].variation_rate for i in idx], variation_percentile)
        dropped_var = [i for i in idx if alignments[i].variation_rate > cut]
        idx = [i for i in idx if alignments[i].variation_rate <= cut]
    dropped_gap: list[int] = []
    if gap_percentile is not None and idx:
        cut = _percentile([alignments[i].alignment_gap for i in idx], gap_percentile)
        dropped_gap = [i for i in idx if alignments[i].alignment_gap > cut]
        idx = [i for i in idx if alignments[i].alignment_gap <= cut]
    # a pair with nothing to keep teaches nothing about what to keep
    empty = [i for i in idx if not any(alignments[i].labels)]
    idx = [i for i in idx if any(alignments[i].labels)]
    return FilterReport(tuple(idx), tuple(dropped_var), tuple(dropped_gap), tuple(empty))
