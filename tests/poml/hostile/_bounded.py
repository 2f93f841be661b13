"""Bounded: runs a call and checks it ends quickly, in bounded memory, with a result or a PomlError.

Shared by the hostile-input tests here and tests/poml/test_hostile_expressions.py.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

import poml

SECONDS = 1.0       # of CPU time: what the render itself spends, whatever else the machine runs
WALL_SECONDS = 5.0  # of wall-clock time: a render that waits (a socket, a lock) must not hang either
PEAK_BYTES = 200 * 1024 * 1024


class Bounded:
    """Runs a call twice: timed on its own, then under tracemalloc for its Python-heap peak
    (tracemalloc slows allocation-heavy code several-fold, so it must not share the timing).

    The one-second bound is on the process's CPU time, so a busy machine does not fail it;
    tests/benchmarks/bench_limits.py prints the wall-clock figures on a quiet one. The heap the
    test session already holds (models, hypothesis databases, millions of objects) is frozen out
    of the garbage collector for the timed run: a full collection that happens to fall inside it
    would otherwise charge the render for walking the whole session's objects (the likely cause of a
    0.2 s parse timed at 1.3 s in CI). The render's own objects are still collected and counted."""

    def _once(self, fn, args, kwargs):
        try:
            return fn(*args, **kwargs), None
        except poml.PomlError as exc:
            return None, exc

    def __call__(self, fn, *args, **kwargs):
        gc.collect()
        gc.freeze()
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            result, error = self._once(fn, args, kwargs)
            self.wall = time.perf_counter() - t0
            self.seconds = time.process_time() - c0
        finally:
            gc.unfreeze()
        tracemalloc.start()
        try:
            self._once(fn, args, kwargs)
            self.peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert self.seconds < SECONDS, f"took {self.seconds:.2f} s of CPU"
        assert self.wall < WALL_SECONDS, f"took {self.wall:.2f} s"
        assert self.peak < PEAK_BYTES, f"peak {self.peak / 1e6:.0f} MB"
        return result, error
