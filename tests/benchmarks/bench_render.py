"""Render speed: this package vs the official POML SDK, side by side in one run.

    python tests/benchmarks/bench_render.py [--peer /path/to/venv/bin/python] [--repeat 200]

Renders every example of ../shared/poml-examples/examples (those with expected
outputs; the one that fetches over https is skipped) and the oracle cases,
and prints per call: cold (first render of a text, all caches cleared) and warm
(compiled prompt cached, a new context each call) median and p99, and the time
of `import poml` in a fresh interpreter. With --peer it runs the official SDK
(`pip install poml==0.0.8` in another virtual environment) on the same inputs and
prints the ratio of median times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402
SHARED = Path(os.environ.get("POML_EXAMPLES_DIR", REPO.parent / "shared" / "poml-examples"))

PEER_SCRIPT = r"""
import json, sys, time, warnings, os
warnings.simplefilter("ignore")
import poml
jobs = json.load(open(sys.argv[1]))
out = []
for job in jobs:
    os.chdir(job["cwd"])
    times = []
    for _ in range(job["repeat"]):
        t = time.perf_counter()
        try:
            poml.poml(job["markup"], context=job["context"], chat=job["chat"])
        except Exception:
            pass
        times.append(time.perf_counter() - t)
    out.append(times)
json.dump(out, open(sys.argv[2], "w"))
"""


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))
    return values[k]


def load_jobs() -> list[dict]:
    jobs = []
    examples = SHARED / "examples"
    for path in sorted(examples.glob("*.poml")):
        if not (examples / "expects" / (path.stem + ".txt")).exists() or path.stem.startswith("104"):
            continue
        ctx_file = path.with_name(path.stem + ".context.json")
        ctx = json.loads(ctx_file.read_text()) if ctx_file.exists() else {}
        jobs.append({"name": path.stem, "markup": str(path), "context": ctx, "chat": True,
                     "cwd": str(examples), "kind": "example"})
    for line in (SHARED / "oracle" / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        if isinstance(case["expected"], dict) and case["expected"].get("error") is True:
            continue
        cwd = str((SHARED / "oracle" / case["base_dir"]) if case.get("base_dir") else SHARED / "oracle")
        jobs.append({"name": case["id"], "markup": case["markup"], "context": case.get("context") or {},
                     "chat": case["chat"], "cwd": cwd, "kind": "oracle"})
    return jobs


def new_data(value, i: int):
    """The same context shape with every string and number changed, so every dynamic part re-renders."""
    if isinstance(value, dict):
        return {k: new_data(v, i) for k, v in value.items()}
    if isinstance(value, list):
        return [new_data(v, i) for v in value]
    if isinstance(value, str) and not value.startswith(("data:", "assets/")) and "." not in value[-6:]:
        return f"{value} {i}"
    if isinstance(value, int) and not isinstance(value, bool):
        return value + i
    return value


def time_ours(job: dict, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Cold (all caches cleared), warm with the same data, warm with new data each call."""
    import poml
    from poml._api import clear_caches
    from poml._environment import default_environment

    os.chdir(job["cwd"])
    markup = Path(job["markup"]) if job["kind"] == "example" else job["markup"]
    cold, same, new = [], [], []
    for _ in range(15 if job["kind"] == "example" else 3):
        clear_caches()
        t = time.perf_counter()
        poml.poml(markup, context=job["context"], chat=job["chat"])
        cold.append(time.perf_counter() - t)
    job["reads_files"] = bool(default_environment()._bytes.items)  # beyond the markup itself
    contexts = [new_data(job["context"], i + 1) for i in range(repeat)]
    for ctx in contexts:
        t = time.perf_counter()
        poml.poml(markup, context=ctx, chat=job["chat"])
        new.append(time.perf_counter() - t)
    for i in range(repeat):
        ctx = dict(job["context"])
        ctx["bench_iteration"] = i  # a new context object, same data
        t = time.perf_counter()
        poml.poml(markup, context=ctx, chat=job["chat"])
        same.append(time.perf_counter() - t)
    return cold, same, new


def import_time() -> float:
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", "import time; t=time.perf_counter(); import poml; print(time.perf_counter()-t)"],
            capture_output=True, text=True, cwd=REPO, check=True)
        runs.append(float(out.stdout.strip()))
    return statistics.median(runs)


def time_peer(python: str, jobs: list[dict], repeat: int) -> list[list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        script, inp, out = Path(tmp, "peer.py"), Path(tmp, "in.json"), Path(tmp, "out.json")
        script.write_text(PEER_SCRIPT)
        inp.write_text(json.dumps([{**j, "repeat": repeat} for j in jobs]))
        subprocess.run([python, str(script), str(inp), str(out)], check=True)
        return json.loads(out.read_text())


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", help="python of a virtual environment with `poml==0.0.8` installed")
    ap.add_argument("--repeat", type=int, default=200, help="warm renders per input")
    ap.add_argument("--peer-repeat", type=int, default=3, help="official SDK calls per input (each ~0.8 s)")
    ap.add_argument("--peer-oracle", type=int, default=20, help="oracle cases to time with the official SDK")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    jobs = load_jobs()
    results = {}
    for job in jobs:
        try:
            results[job["name"]] = time_ours(job, args.repeat if job["kind"] == "example" else max(20, args.repeat // 10))
        except Exception as exc:  # unsupported input: reported, not timed
            results[job["name"]] = exc

    print(describe())
    print(f"import poml: {import_time() * 1000:.1f} ms (median of 5 fresh interpreters)\n")
    print("warm = compiled prompt cached, new data in every call (each string and number of the context\n"
          "changed); same = a new context object with unchanged data (reuses rendered sub-trees)\n")
    print(f"{'input':34s} {'cold median':>12s} {'cold p99':>12s} {'warm median':>12s} {'warm p99':>12s}"
          f" {'same median':>12s}")
    ex_cold, ex_warm, ex_same, or_cold, or_warm, failed, no_file_cold = [], [], [], [], [], [], []
    for job in jobs:
        r = results[job["name"]]
        if isinstance(r, Exception):
            failed.append((job["name"], r))
            continue
        cold, same, warm = r
        if job["kind"] == "example":
            print(f"{job['name'][:34]:34s} {fmt_us(statistics.median(cold))} {fmt_us(percentile(cold, .99))} "
                  f"{fmt_us(statistics.median(warm))} {fmt_us(percentile(warm, .99))} {fmt_us(statistics.median(same))}"
                  f"{'' if job['reads_files'] else '   (reads no file)'}")
            ex_cold += cold
            if not job["reads_files"]:
                no_file_cold.append(statistics.median(cold))
            ex_warm.append(statistics.median(warm))
            ex_same.append(statistics.median(same))
        else:
            or_cold += cold
            or_warm += warm
    print(f"\nexamples: warm median of medians {fmt_us(statistics.median(ex_warm))} "
          f"(same data {fmt_us(statistics.median(ex_same))}), "
          f"cold median {fmt_us(statistics.median(ex_cold))}, cold p99 {fmt_us(percentile(ex_cold, .99))}")
    if no_file_cold:
        print(f"examples that read no file ({len(no_file_cold)}): cold median per example "
              f"{', '.join(f'{t * 1e6:.0f}' for t in no_file_cold)} µs; median {fmt_us(statistics.median(no_file_cold))}")
    print(f"oracle cases ({len(jobs) - len(ex_warm) - len(failed)}): warm median {fmt_us(statistics.median(or_warm))}, "
          f"warm p99 {fmt_us(percentile(or_warm, .99))}, cold median {fmt_us(statistics.median(or_cold))}")
    if failed:
        print(f"not timed (raised): {len(failed)}, e.g. {failed[0][0]}: {str(failed[0][1])[:100]}")

    if args.peer:
        peer_jobs = [j for j in jobs if j["kind"] == "example" and not isinstance(results[j["name"]], Exception)]
        peer_jobs += [j for j in jobs if j["kind"] == "oracle" and not isinstance(results[j["name"]], Exception)][
            : args.peer_oracle]
        peer = time_peer(args.peer, peer_jobs, args.peer_repeat)
        print("\nSame inputs on both sides (the example's own context each call); 'new data' also shows\n"
              "this package with a changed context in every call (the official SDK has no cache either way).")
        print(f"\n{'input':34s} {'official SDK':>13s} {'same inputs':>12s} {'speed-up':>9s} "
              f"{'new data':>12s} {'speed-up':>9s}")
        same_ratios, new_ratios = [], []
        for job, times in zip(peer_jobs, peer):
            theirs = statistics.median(times)
            same = statistics.median(results[job["name"]][1])
            new = statistics.median(results[job["name"]][2])
            same_ratios.append(theirs / same)
            new_ratios.append(theirs / new)
            if job["kind"] == "example":
                print(f"{job['name'][:34]:34s} {theirs * 1000:10.1f} ms {fmt_us(same):>12s} {theirs / same:8.0f}x "
                      f"{fmt_us(new):>12s} {theirs / new:8.0f}x")
        print(f"\nspeed-up per call over {len(same_ratios)} inputs: same inputs median "
              f"{statistics.median(same_ratios):,.0f}x (minimum {min(same_ratios):,.0f}x); new data median "
              f"{statistics.median(new_ratios):,.0f}x (minimum {min(new_ratios):,.0f}x)")


if __name__ == "__main__":
    main()
