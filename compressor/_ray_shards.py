"""Deterministic shards of Parquet/JSONL input files, the run manifest and atomic shard writes.

Resumability rests on three rules:

* a shard is a fixed row range of one input file, named from the file's position in the sorted
  input list and the range start (``part-00003-000004096``), so every run plans the same shards;
* a shard's output is written to a hidden temporary file and renamed into place, so an output
  file either holds the whole shard or does not exist (a killed worker leaves only a ``.tmp``);
* ``_manifest.json`` records the inputs (path, size, mtime), the shard size and the options; a
  rerun with a different plan stops with an error instead of mixing two runs in one folder.

A shard whose output file exists is done and is not planned again.
"""
from __future__ import annotations

import glob
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from ._errors import InvalidArgumentError

MANIFEST = "_manifest.json"
FORMATS = ("parquet", "jsonl")


@dataclass(frozen=True)
class Shard:
    """Rows ``[start, stop)`` of input file ``path`` (``fmt`` is ``parquet`` or ``jsonl``)."""

    shard_id: str
    path: str
    fmt: str
    start: int
    stop: int


def input_format(path: str) -> str:
    """``parquet`` or ``jsonl`` from the file name, or a clear error."""
    low = path.lower()
    if low.endswith(".parquet"):
        return "parquet"
    if low.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    raise InvalidArgumentError(f"{path}: unknown input format (use .parquet or .jsonl files)")


def expand_inputs(pattern: str | Sequence[str]) -> list[str]:
    """Files matched by a glob, a folder, or a list of either; sorted, so shard ids are stable."""
    patterns = [pattern] if isinstance(pattern, (str, os.PathLike)) else list(pattern)
    files: set[str] = set()
    for pat in patterns:
        pat = os.fspath(pat)
        if os.path.isdir(pat):
            pat = os.path.join(pat, "*")
        files.update(p for p in glob.glob(pat) if os.path.isfile(p) and not os.path.basename(p).startswith((".", "_")))
    if not files:
        raise InvalidArgumentError(f"no input files match {pattern!r}")
    return sorted(os.path.abspath(p) for p in files)


def count_rows(path: str, fmt: str) -> int:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def plan_shards(files: Sequence[str], shard_rows: int) -> list[Shard]:
    if shard_rows < 1:
        raise InvalidArgumentError("shard_rows must be >= 1")
    shards = []
    for i, path in enumerate(files):
        fmt = input_format(path)
        n = count_rows(path, fmt)
        for start in range(0, n, shard_rows):
            shards.append(Shard(f"part-{i:05d}-{start:09d}", path, fmt, start, min(n, start + shard_rows)))
    return shards


def check_column(path: str, column: str) -> None:
    """Fail fast, before any worker starts, when the first input file lacks ``column``."""
    fmt = input_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
    else:
        names = []
        with open(path, encoding="utf-8") as f:
            first = next((line for line in f if line.strip()), "")
        try:
            rec = json.loads(first) if first else {}
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError(f"{path}: the first line is not JSON ({exc.msg})") from exc
        names = list(rec) if isinstance(rec, dict) else []
    if column not in names:
        raise InvalidArgumentError(f"{path}: no column {column!r} (columns: {names}); choose it with "
                                   f"--field (CLI) or column=")


def read_shard(shard: Shard):
    """The shard's rows as a ``pyarrow.Table`` (JSONL lines must be objects)."""
    import pyarrow as pa

    if shard.fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(shard.path).slice(shard.start, shard.stop - shard.start)
    rows = []
    with open(shard.path, encoding="utf-8") as f:
        k = 0
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            if shard.start <= k < shard.stop:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidArgumentError(f"{shard.path}:{lineno}: not JSON ({exc.msg})") from exc
                if not isinstance(rec, dict):
                    raise InvalidArgumentError(f"{shard.path}:{lineno}: each line must be a JSON object")
                rows.append(rec)
            k += 1
            if k >= shard.stop:
                break
    return pa.Table.from_pylist(rows)


def shard_output(out_dir: str, shard: Shard, fmt: str) -> Path:
    return Path(out_dir) / f"{shard.shard_id}.{fmt}"


def write_shard_atomic(table, dest: Path, fmt: str) -> None:
    """Write to ``.<name>.<pid>.tmp`` in the same folder, then rename: all or nothing."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, tmp)
    else:
        with open(tmp, "w", encoding="utf-8") as f:
            for rec in table.to_pylist():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, dest)


def _fingerprint(files: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for p in files:
        st = os.stat(p)
        out.append({"path": p, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return out


def check_manifest(out_dir: str, files: Sequence[str], shard_rows: int, options: dict) -> None:
    """Write the manifest on the first run; on a rerun insist that inputs and options match."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    want = {"inputs": _fingerprint(files), "shard_rows": shard_rows, "options": options}
    path = Path(out_dir) / MANIFEST
    if path.exists():
        have = json.loads(path.read_text(encoding="utf-8"))
        if have != json.loads(json.dumps(want)):
            raise InvalidArgumentError(
                f"{out_dir} holds the output of a different run (inputs, shard size or options "
                f"changed; see {path}); use a new --output folder or delete this one")
        return
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(want, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def shard_dict(shard: Shard) -> dict:
    return asdict(shard)
