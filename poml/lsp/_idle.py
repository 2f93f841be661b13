"""Full garbage collections while the editor is quiet, not in the middle of a request.

A full (generation 2) collection walks every object the engine's caches hold, and
CPython starts one whenever enough objects have survived the young generations:
measured on the 500-line benchmark, some of these took longer than the whole
diagnostics round trip. The server freezes what startup made (modules, the component
registry, lsprotocol's converters: never garbage), leaves the cheap young
collections to CPython, and runs the full ones itself after a quiet moment, or after
a bounded number of young collections when the editor is never quiet, so cyclic
garbage cannot grow without end.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Optional

QUIET_S = 0.5          # no message for this long: the user paused, collect now
MAX_DEFERRED = 100     # young (generation 1) collections before a full one runs anyway
_NEVER = 1 << 30       # CPython's generation-2 threshold: never by itself


class IdleCollector:
    """Moves full collections to pauses; :meth:`touch` on every message, :meth:`start` once."""

    def __init__(self, quiet_s: float = QUIET_S, max_deferred: int = MAX_DEFERRED):
        self.quiet_s = quiet_s
        self.max_deferred = max_deferred
        self.full_collections = 0
        self.started = False
        self._timer: Optional[asyncio.TimerHandle] = None
        self._threshold = gc.get_threshold()

    def start(self) -> None:
        """Freeze what exists now and take full collections off CPython's own schedule."""
        if self.started:
            return
        gc.collect()
        gc.freeze()
        self._threshold = young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, _NEVER)
        self.started = True

    def stop(self) -> None:
        """Give full collections back to CPython (a server that stops serving)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.started:
            gc.set_threshold(*self._threshold)
            gc.unfreeze()
            self.started = False

    def touch(self) -> None:
        """A message arrived: push the collection back past the next pause."""
        if not self.started:
            return
        if self._timer is not None:
            self._timer.cancel()
        if gc.get_count()[2] >= self.max_deferred:
            self.collect()  # typing without a pause: do not let cyclic garbage pile up
        try:
            self._timer = asyncio.get_running_loop().call_later(self.quiet_s, self.collect)
        except RuntimeError:  # no loop (a handler called outside the server)
            self._timer = None

    def collect(self) -> None:
        self._timer = None
        if gc.get_count()[2]:  # young collections since the last full one: something to look at
            gc.collect()
            self.full_collections += 1


__all__ = ["IdleCollector", "QUIET_S", "MAX_DEFERRED"]
