"""A value made on first use, once, even when several threads ask at the same time."""

from __future__ import annotations

import threading
from typing import Callable, Generic, Optional, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """Holds ``factory()``'s result, made by the first :meth:`get` (double-checked under a lock)."""

    __slots__ = ("factory", "value", "lock")

    def __init__(self, factory: Callable[[], T]):
        self.factory = factory
        self.value: Optional[T] = None
        self.lock = threading.Lock()

    def get(self) -> T:
        value = self.value
        if value is None:
            with self.lock:
                if self.value is None:
                    self.value = self.factory()
                value = self.value
        return value
