"""What is derived from file contents (a parsed PDF, a Word tree, a re-encoded image), by content.

An Environment owns one :class:`ContentMemo` and its :class:`~poml._files.FileAccess`
objects carry it, so the loaders reach it without module state; a render with no
Environment (``memo=None``) derives everything afresh. Keys name the content (the
bytes themselves, or their digest) and the options, never a path: a changed file is a
new key, and nothing here can outlive the Environment that made it. The one exception is
:meth:`ContentMemo.read_while_unchanged`, whose keys may name a path as markup wrote it: its
entries carry the stamps of the files they read (:func:`poml._files.recording`) and are reused
only while those hold, as the build cache's are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Collection, Optional, TypeVar

from .._files import record_stamps, recording, stamps_hold

T = TypeVar("T")


class _Stamped:
    """A value read from files, with their stamps (what :func:`poml._files.stamps_hold` checks)."""

    __slots__ = ("stamps", "value")

    def __init__(self, stamps: tuple, value: Any):
        self.stamps = stamps
        self.value = value


class ContentMemo:
    """A bounded least-recently-used map from content keys to derived values (treat them as read-only)."""

    __slots__ = ("size", "_items", "_lock")

    def __init__(self, size: int = 64):  # keys hold the file bytes they name: a few dozen files at most
        self.size = size
        self._items: "OrderedDict[Any, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Any, make: Callable[[], T]) -> T:
        """The value kept for ``key``, or ``make()`` kept (made outside the lock; failures are not kept)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        self._keep(key, value)
        return value

    def read_while_unchanged(self, key: Any, read: Callable[[], T]) -> T:
        """``read()``, kept with the stamps of the files it read and reused while they hold.

        A reuse records those stamps again, so an enclosing recording (the build cache's)
        sees the files; a read that fails is not kept.
        """
        with self._lock:
            hit = self._items.get(key)
            if type(hit) is _Stamped:
                self._items.move_to_end(key)
        if type(hit) is _Stamped and stamps_hold(hit.stamps):
            record_stamps(hit.stamps)
            return hit.value
        with recording() as reads:
            value = read()
        self._keep(key, _Stamped(tuple(reads), value))
        return value

    def forget_files(self, paths: Collection[str]) -> None:
        """Drop what :meth:`read_while_unchanged` kept from any of these (real) file paths."""
        with self._lock:
            for key in [k for k, v in self._items.items() if type(v) is _Stamped and any(
                    stamp[0] == "f" and stamp[1] in paths for stamp in v.stamps)]:
                del self._items[key]

    def _keep(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def memoised(memo: Optional[ContentMemo], key: Any, make: Callable[[], T]) -> T:
    """``make()`` through ``memo`` when there is one."""
    return make() if memo is None else memo.get_or_make(key, make)


__all__ = ["ContentMemo", "memoised"]
