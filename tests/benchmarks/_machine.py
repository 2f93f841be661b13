"""What the benchmarks print about the machine, so figures from different sessions compare.

The CPU of a session can differ (with or without AVX-512 or AMX, another clock); every
benchmark prints :func:`describe` first, and :func:`python_loop_ms` is the machine's own
yardstick for pure-Python work, measured in the same run as the figures.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

FEATURES = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_features() -> str:
    """``avx2=yes, avx512f=no, ...``: the features that decide vector and matrix speed."""
    flags = cpu_flags()
    return ", ".join(f"{name}={'yes' if name in flags else 'no'}" for name in FEATURES)


def python_loop_ms(n: int = 1_000_000, repeat: int = 5) -> float:
    """Best time of a plain ``for`` loop adding ``n`` integers: the pure-Python yardstick."""
    def loop() -> int:
        total = 0
        for i in range(n):
            total += i
        return total

    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        loop()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def describe() -> str:
    """One paragraph: model, features, the loop yardstick and the load while measuring."""
    return (f"CPU: {cpu_model()}; {cpu_features()}\n"
            f"pure-Python yardstick: a 1,000,000-step loop takes {python_loop_ms():.1f} ms; {load()}")
