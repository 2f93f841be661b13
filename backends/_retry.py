"""When to retry and how long to wait: the openai SDK's policy.

Retry connection errors, timeouts and HTTP 408, 409, 429 and 5xx (a server's
``x-should-retry`` header overrides), wait what ``retry-after-ms`` /
``retry-after`` say when that is between 0 and 60 s, else
``min(0.5 * 2**n, 8)`` seconds less up to 25 % jitter.  A stream is never
retried once it has started (the client enforces that).
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field
from typing import Mapping, Optional

__all__ = ["RetryPolicy"]

RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def should_retry(self, status: int, headers: Mapping[str, str]) -> bool:
        forced = headers.get("x-should-retry")
        if forced == "true":
            return True
        if forced == "false":
            return False
        return status in RETRY_STATUSES or status >= 500

    def delay(self, retry: int, headers: Optional[Mapping[str, str]] = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        hinted = _retry_after(headers) if headers is not None else None
        if hinted is not None and 0 <= hinted <= self.max_retry_after:
            return hinted
        base = min(self.initial_delay * 2.0 ** retry, self.max_delay)
        return base * (1 - self.jitter * self.rng.random())


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return email.utils.mktime_tz(parsed) - time.time()
