"""Where a cold render's time goes: parse, expand, build and write, per example that reads no file.

    python tests/benchmarks/bench_stages.py [--repeat 200]

Each render is a plain ``poml.poml(path, context=...)`` after every cache of the default
Environment is cleared (the cold render of bench_render.py); the four stages are timed by
wrapping the functions the engine calls (``Environment.parse``, ``Expander.expand_document``,
``poml.components.build``, ``renderers.write``), so the figures are of the real path. The rest
(argument handling, file policy, the result object) is printed as ``other``. Medians in µs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402
from bench_render import load_jobs  # noqa: E402

STAGES = ("parse", "expand", "build", "write")


@contextmanager
def timed_stages(spent: dict):
    """Wrap the engine's four stage functions so each call adds its time to ``spent[stage]``."""
    import poml.components
    import renderers
    from poml._environment import Environment
    from poml.template._expand import Expander

    targets = [(Environment, "parse", "parse"), (Expander, "expand_document", "expand"),
               (poml.components, "build", "build"), (renderers, "write", "write")]
    originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in targets]

    def wrap(fn, stage):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - t
        return timed

    for (owner, attr, stage), (_, _, fn) in zip(targets, originals):
        setattr(owner, attr, wrap(fn, stage))
    try:
        yield
    finally:
        for owner, attr, fn in originals:
            setattr(owner, attr, fn)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()

    import poml
    from poml._api import clear_caches
    from poml._environment import default_environment

    print(describe())
    print(f"\n{'example':30s} {'total':>8s} " + " ".join(f"{s:>8s}" for s in STAGES) + f" {'other':>8s}")
    for job in (j for j in load_jobs() if j["kind"] == "example"):
        os.chdir(job["cwd"])
        path, ctx = Path(job["markup"]), job["context"]
        clear_caches()
        poml.poml(path, context=ctx)
        if default_environment()._bytes.items:  # it reads files: bench_render.py covers those
            continue
        rows: dict[str, list[float]] = {s: [] for s in ("total", *STAGES)}
        for _ in range(args.repeat):
            clear_caches()
            spent = dict.fromkeys(STAGES, 0.0)
            with timed_stages(spent):
                t = time.perf_counter()
                poml.poml(path, context=ctx)
                total = time.perf_counter() - t
            rows["total"].append(total)
            for s in STAGES:
                rows[s].append(spent[s])
        med = {k: statistics.median(v) * 1e6 for k, v in rows.items()}
        other = med["total"] - sum(med[s] for s in STAGES)
        print(f"{job['name'][:30]:30s} {med['total']:8.0f} " + " ".join(f"{med[s]:8.0f}" for s in STAGES)
              + f" {other:8.0f}")


if __name__ == "__main__":
    main()
