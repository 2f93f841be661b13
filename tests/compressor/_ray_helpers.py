"""Shared pieces of the Ray tests: generated prompt datasets, output readers, Ray env setup."""
from __future__ import annotations

import glob
import os
import random
from pathlib import Path

import compressor

WORDS = ("the council will vote on item twenty eight after a short break so please keep your "
         "comments brief because we have many speakers tonight and I think um you know the "
         "budget for 2024 is about 3.5 million dollars").split()

# the workers must import this tree's compressor package, however pytest was started
REPO_ROOT = str(Path(compressor.__file__).resolve().parent.parent)
OBJECT_STORE = 200 * 1024 * 1024


TESTS_DIR = str(Path(__file__).resolve().parent)  # the tests' worker subclasses live here


def worker_env() -> None:
    """Ray workers inherit PYTHONPATH: put this tree and the test modules on it."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([REPO_ROOT, TESTS_DIR, *[p for p in paths if p not in (REPO_ROOT, TESTS_DIR)]])


def prompts(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 40))]
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] += rng.choice([".", "?", ","])
        out.append({"id": i, "text": " ".join(words), "meta": f"m{i % 7}"})
    return out


def write_parquet(rows: list[dict], folder: Path, files: int) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    per = -(-len(rows) // files)
    for k in range(files):
        pq.write_table(pa.Table.from_pylist(rows[k * per:(k + 1) * per]), folder / f"in-{k}.parquet",
                       row_group_size=500)
    return str(folder / "*.parquet")


def read_output(folder: Path) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for p in sorted(glob.glob(str(folder / "part-*.parquet"))):
        rows.extend(pq.read_table(p).to_pylist())
    return rows


def reference(comp, rows: list[dict], **kw) -> dict[int, tuple]:
    res = comp.compress_iter([r["text"] for r in rows], **kw)
    return {r["id"]: (x.compressed_prompt, x.origin_tokens, x.compressed_tokens) for r, x in zip(rows, res)}


def by_id(out_rows: list[dict]) -> dict[int, tuple]:
    return {r["id"]: (r["text_compressed"], r["text_origin_tokens"], r["text_compressed_tokens"])
            for r in out_rows}
