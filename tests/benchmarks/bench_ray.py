"""Rows/s of a file-to-file compression: one process vs Ray Data with 1 and 2 model workers.

Not collected by pytest. Builds a random-weight BERT token classifier offline (shape ``small``
by default: 4 layers, hidden 256), writes generated prompts to Parquet, and times the same job
three ways on this machine:

* ``single``: one process, ``Compressor(threads=1)`` (``--threads2`` adds ``threads=2``): read
  the Parquet files, ``compress_iter``, write one Parquet file;
* ``ray-1`` / ``ray-2``: :func:`compressor.ray.compress_files` on a local ``ray.init(num_cpus=2)``
  with 1 or 2 model workers (1 CPU, 1 torch thread each), sharded and resumable.

Each mode runs at two sizes (one shard, and ``--rows``), so its time splits into a fixed part
(worker start-up, model load, scheduling) and a per-row part; the Ray overhead per row is the
difference of the per-row parts with the single process. ``ray.init`` itself is timed apart.

    python tests/benchmarks/bench_ray.py                  # ~1-2 min on a quiet 2-core machine
    python tests/benchmarks/bench_ray.py --rows 4000 --shape tiny --json out.json
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from compressor._tiktoken_offline import ensure_offline_tiktoken  # noqa: E402

ensure_offline_tiktoken()

from _machine import cpu_features  # noqa: E402
from bench_compress import make_prompts  # noqa: E402

from compressor import Compressor  # noqa: E402
from compressor._testing import SHAPES, build_bert_model  # noqa: E402

RATE = 0.5


def write_inputs(texts: list[str], folder: Path, files: int) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    per = -(-len(texts) // files)
    for k in range(files):
        part = texts[k * per:(k + 1) * per]
        pq.write_table(pa.table({"id": list(range(k * per, k * per + len(part))), "text": part}),
                       folder / f"in-{k}.parquet")
    return str(folder / "*.parquet")


def run_single(model: str, src: str, out: Path, threads: int) -> float:
    """The whole job in this process, model load included (as a Ray worker loads it)."""
    import glob

    import pyarrow as pa
    import pyarrow.parquet as pq

    t = time.perf_counter()
    comp = Compressor(model, device="cpu", threads=threads)
    table = pa.concat_tables(pq.read_table(p) for p in sorted(glob.glob(src)))
    res = list(comp.compress_iter(table.column("text").to_pylist(), rate=RATE, group_size=64))
    out.mkdir(parents=True)
    pq.write_table(table.append_column("text_compressed", pa.array([r.compressed_prompt for r in res])),
                   out / "out.parquet")
    return time.perf_counter() - t


def run_ray(model: str, src: str, out: Path, workers: int, shard_rows: int) -> float:
    from compressor.ray import compress_files

    t = time.perf_counter()
    summary = compress_files(src, out, column="text", model=model, rate=RATE, concurrency=workers,
                             shard_rows=shard_rows)
    assert summary["written_shards"] == summary["shards"], summary
    return time.perf_counter() - t


def split(n_small: int, t_small: float, n: int, t: float) -> tuple[float, float]:
    """(fixed seconds, seconds per row) of the line through both sizes."""
    per_row = (t - t_small) / (n - n_small)
    return t_small - n_small * per_row, per_row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1200)
    ap.add_argument("--shard-rows", type=int, default=200)
    ap.add_argument("--shape", default="small", choices=sorted(SHAPES))
    ap.add_argument("--words", default="20,60", help="prompt length range in words (lo,hi)")
    ap.add_argument("--threads2", action="store_true", help="also time one process with 2 torch threads")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    lo, hi = map(int, args.words.split(","))
    if args.rows <= args.shard_rows:
        ap.error("--rows must be larger than --shard-rows (two sizes are timed)")

    import ray

    load0 = os.getloadavg()
    print(f"cpu: {os.cpu_count()} cores; {cpu_features()}")
    print(f"load average before: {load0[0]:.2f} (1 min), {load0[1]:.2f} (5 min)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        model = build_bert_model(tmp / "model", classifier_scale=20.0, **SHAPES[args.shape])
        texts = make_prompts(args.rows, lo, hi, seed=1)
        sizes = {"small": args.shard_rows, "full": args.rows}
        srcs = {k: write_inputs(texts[:n], tmp / f"in-{k}", files=2 if k == "full" else 1)
                for k, n in sizes.items()}
        times: dict[str, dict[str, float]] = {}
        for threads in (1, 2) if args.threads2 else (1,):
            name = f"single ({threads} thread{'s' * (threads > 1)})"
            times[name] = {k: run_single(model, srcs[k], tmp / f"out-{threads}-{k}", threads) for k in sizes}
        t = time.perf_counter()
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 object_store_memory=200 * 2**20)
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        t_init = time.perf_counter() - t
        try:
            for workers in (1, 2):
                times[f"ray, {workers} worker{'s' * (workers > 1)}"] = {
                    k: run_ray(model, srcs[k], tmp / f"ray-{workers}-{k}", workers, args.shard_rows)
                    for k in sizes}
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load1 = os.getloadavg()

    base = "single (1 thread)"
    figures = {}
    for name, t in times.items():
        fixed, per_row = split(sizes["small"], t["small"], sizes["full"], t["full"])
        figures[name] = {"seconds": t["full"], "rows_per_s": args.rows / t["full"],
                         "steady_rows_per_s": 1 / per_row, "fixed_s": fixed, "per_row_ms": per_row * 1e3}
    b = figures[base]
    print(f"\n{args.rows} prompts of {lo}-{hi} words, BERT '{args.shape}' random weights, rate {RATE}, "
          f"shards of {args.shard_rows} rows; ray.init(num_cpus=2): {t_init:.1f} s (not counted)")
    print(f"{'mode':<20}{'seconds':>9}{'rows/s':>9}{'x single':>10}{'steady rows/s':>15}"
          f"{'x single':>10}{'fixed s':>9}{'ms/row':>8}{'overhead ms/row':>17}")
    for name, f in figures.items():
        over = f["per_row_ms"] - b["per_row_ms"]
        f["overhead_ms_per_row"] = over
        print(f"{name:<20}{f['seconds']:>9.1f}{f['rows_per_s']:>9.0f}{f['rows_per_s'] / b['rows_per_s']:>10.2f}"
              f"{f['steady_rows_per_s']:>15.0f}{f['steady_rows_per_s'] / b['steady_rows_per_s']:>10.2f}"
              f"{f['fixed_s']:>9.1f}{f['per_row_ms']:>8.2f}{over:>17.2f}")
    r1 = figures["ray, 1 worker"]
    end_to_end = (r1["seconds"] - b["seconds"]) / args.rows * 1e3
    print(f"Ray overhead per row, 1 worker vs 1 thread: {end_to_end:.2f} ms end to end (its fixed "
          f"start-up spread over {args.rows} rows), {r1['overhead_ms_per_row']:.2f} ms steady (fit)")
    print(f"load average after: {load1[0]:.2f} (1 min), {load1[1]:.2f} (5 min)")
    print("overhead ms/row: per-row time minus the single process's (1 thread); for 2 workers it is "
          "negative when the second worker pays off. fixed s: worker start, model load, scheduling.")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"rows": args.rows, "shape": args.shape, "shard_rows": args.shard_rows, "ray_init_s": t_init,
             "cpu": cpu_features(), "cores": os.cpu_count(), "load_before": load0, "load_after": load1,
             "ray_overhead_ms_per_row_end_to_end": end_to_end, "modes": figures}, indent=1))


if __name__ == "__main__":
    main()
