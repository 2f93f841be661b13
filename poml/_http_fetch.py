"""Fetching an http(s) URL for markup under one deadline and one size cap.

``urllib``'s timeout applies to each socket operation, so a server sending one byte a
second never trips it. Here every read gets the time left until one overall deadline,
redirects are followed by hand (each target checked by the caller's policy), and the body
stops at ``max_bytes``.
"""

from __future__ import annotations

import time
from typing import Callable
from urllib.parse import urljoin, urlsplit

from ._errors import PomlFileError, PomlLimitError

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


def _short(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "..."


def fetch(url: str, *, max_bytes: int, timeout: float, check: Callable[[str], str]) -> tuple[bytes, str]:
    """``(body, content type)`` of ``url``; PomlFileError / PomlLimitError on any failure."""
    import http.client
    import socket

    deadline = time.monotonic() + timeout

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PomlLimitError(f"Fetching {_short(url)} took longer than {timeout:g} s; gave up.")
        return remaining

    current = url
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        cls = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname or "", parts.port, timeout=left())
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"User-Agent": "poml-native", "Accept-Encoding": "identity"})
            if conn.sock is not None:
                conn.sock.settimeout(left())
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                current = check(urljoin(current, resp.getheader("Location", "")))
                continue
            if resp.status >= 400:
                raise PomlFileError(f"Error fetching {_short(url)}: HTTP {resp.status} {resp.reason}")
            declared = resp.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PomlLimitError(f"Response from {_short(url)} is {declared} bytes, more than the limit "
                                     f"of {max_bytes} bytes.")
            body = bytearray()
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(left())
                chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    raise PomlLimitError(f"Response from {_short(url)} is larger than the limit of "
                                         f"{max_bytes} bytes.")
                left()
            return bytes(body), resp.getheader("Content-Type", "") or ""
        except (socket.timeout, TimeoutError):
            raise PomlLimitError(f"Fetching {_short(url)} took longer than {timeout:g} s; gave up.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise PomlFileError(f"Error fetching {_short(url)}: {exc}") from None
        finally:
            conn.close()
    raise PomlFileError(f"Error fetching {_short(url)}: more than {MAX_REDIRECTS} redirects.")
