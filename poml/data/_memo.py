"""What is derived from file contents (a parsed PDF, a Word tree, a re-encoded image), by content.

An Environment owns one :class:`ContentMemo` and its :class:`~poml._files.FileAccess`
objects carry it, so the loaders reach it without module state; a render with no
Environment (``memo=None``) derives everything afresh. Keys name the content (the
bytes themselves, or their digest) and the options, never a path: a changed file is a
new key, and nothing here can outlive the Environment that made it. The one exception is
:meth:`ContentMemo.lookup`/:meth:`ContentMemo.keep` entries, which name a path as markup wrote
it and carry the read stamps (:func:`poml._files.recording`) that their user checks before
each reuse, as the build cache does.
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
        self.keep(key, value)
        return value

    def lookup(self, key: Any) -> Any:
        """The value kept for ``key``, or None (the caller checks that it still holds)."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def keep(self, key: Any, value: Any) -> None:
        """Keep ``value`` for ``key`` (the least recently used entries make room)."""
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop_where(self, unwanted: Callable[[Any, Any], bool]) -> None:
        """Forget every entry for which ``unwanted(key, value)`` is true."""
        with self._lock:
            for key in [k for k, v in self._items.items() if unwanted(k, v)]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def memoised(memo: Optional[ContentMemo], key: Any, make: Callable[[], T]) -> T:
    """``make()`` through ``memo`` when there is one."""
    return make() if memo is None else memo.get_or_make(key, make)


__all__ = ["ContentMemo", "memoised"]
