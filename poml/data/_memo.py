"""What is derived from file contents (a parsed PDF, a Word tree, a re-encoded image), by content.

An Environment owns one :class:`ContentMemo` and its :class:`~poml._files.FileAccess`
objects carry it, so the loaders reach it without module state; a render with no
Environment (``memo=None``) derives everything afresh. Keys name the content (the
bytes themselves, or their digest) and the options, never a path: a changed file is a
new key, and nothing here can outlive the Environment that made it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")


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
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def memoised(memo: Optional[ContentMemo], key: Any, make: Callable[[], T]) -> T:
    """``make()`` through ``memo`` when there is one."""
    return make() if memo is None else memo.get_or_make(key, make)


__all__ = ["ContentMemo", "memoised"]
