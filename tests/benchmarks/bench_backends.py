"""Backends overhead and throughput against llm-katan's echo server on 127.0.0.1.

    PYTHONPATH=. python tests/benchmarks/bench_backends.py [--n 300] [--concurrent 1000]

1. overhead per request: backends.Client.send (messages given, no render) vs a bare httpx.Client.post
   of the same body to the same server, interleaved, median of each (ratio and difference);
2. time to first token streaming: backends stream vs a bare httpx SSE read (--ttft-ms 50 server);
3. 1,000 concurrent async sends without and with injected faults (--error-rate 0.2): answered,
   failed cleanly, duplicated (each reply must echo its own request id), requests/s.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "backends"))
from _servers import katan  # noqa: E402

import backends  # noqa: E402
from backends._retry import RetryPolicy  # noqa: E402


def cpu_flags() -> str:
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    return " ".join(sorted({f for f in flags if f.startswith(("avx512", "amx", "avx2"))})) or "none of avx2/avx512/amx"


def overhead(url: str, n: int) -> None:
    msgs = [{"role": "user", "content": "hello"}]
    body = {"model": "test", "messages": msgs}
    bare, ours = [], []
    with httpx.Client() as h, backends.Client("test", base_url=url + "/v1") as c:
        for _ in range(20):
            h.post(url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer none"}).json()
            c.send(msgs)
        for _ in range(n):
            t = time.perf_counter()
            h.post(url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer none"}).json()
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            c.send(msgs)
            ours.append(time.perf_counter() - t)
    b, o = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"overhead  n={n}: bare httpx {b:.3f} ms, backends {o:.3f} ms median -> +{o - b:.3f} ms ({o / b:.2f}x)")


def ttft(url: str, n: int) -> None:
    body = {"model": "test", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    bare, ours = [], []
    with httpx.Client() as h, backends.Client("test", base_url=url + "/v1") as c:
        for _ in range(n):
            t = time.perf_counter()
            with h.stream("POST", url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer none"}) as r:
                for line in r.iter_lines():
                    if line.startswith("data:") and '"content"' in line:
                        bare.append(time.perf_counter() - t)
                        break
            t = time.perf_counter()
            s = iter(c.stream([{"role": "user", "content": "hi"}]))
            next(s)
            ours.append(time.perf_counter() - t)
            list(s)
    b, o = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"ttft      n={n}: bare httpx {b:.2f} ms, backends {o:.2f} ms median ({o / b:.3f}x)")


def concurrent(url: str, n: int, label: str) -> None:
    async def main():
        retry = RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.1)
        async with backends.AsyncClient("test", base_url=url + "/v1", retry=retry, max_concurrency=64) as c:
            return await asyncio.gather(*(c.send([{"role": "user", "content": f"req-{i}"}]) for i in range(n)),
                                        return_exceptions=True)

    t = time.perf_counter()
    out = asyncio.run(main())
    dt = time.perf_counter() - t
    ok = [i for i, r in enumerate(out) if isinstance(r, backends.Response)]
    clean = sum(isinstance(r, backends.BackendError) for r in out)
    wrong = sum(not out[i].text.endswith(f"User: req-{i}") for i in ok)
    other = n - len(ok) - clean
    print(f"async {label:<10} n={n}: {len(ok)} answered, {clean} failed cleanly, {other} other errors, "
          f"{wrong} duplicated/mismatched, {n / dt:.0f} req/s ({dt:.1f} s)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--concurrent", type=int, default=1000)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}, {os.cpu_count()} CPUs, flags: {cpu_flags()}")
    with katan() as url:
        overhead(url, args.n)
        concurrent(url, args.concurrent, "no faults")
    with katan("--ttft-ms", "50") as url:
        ttft(url, max(10, args.n // 10))
    with katan("--error-rate", "0.2") as url:
        concurrent(url, args.concurrent, "20% 500s")
