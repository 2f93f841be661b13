"""Shared checks for the hostile-input tests: every case ends quickly, in bounded memory,
with a PomlError (or a correct render), and reaches nothing it should not."""

from __future__ import annotations

import time
import tracemalloc

import pytest

import poml

SECONDS = 1.0
PEAK_BYTES = 200 * 1024 * 1024


class Bounded:
    """Runs a call and records its time and Python-heap peak (tracemalloc)."""

    def __call__(self, fn, *args, **kwargs):
        tracemalloc.start()
        t0 = time.perf_counter()
        try:
            try:
                result = fn(*args, **kwargs)
                error = None
            except poml.PomlError as exc:
                result, error = None, exc
        finally:
            self.seconds = time.perf_counter() - t0
            self.peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert self.seconds < SECONDS, f"took {self.seconds:.2f} s"
        assert self.peak < PEAK_BYTES, f"peak {self.peak / 1e6:.0f} MB"
        return result, error


@pytest.fixture
def bounded():
    return Bounded()
