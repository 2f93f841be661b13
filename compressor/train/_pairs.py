"""(original, compressed) pairs and where they come from: JSONL, CSV, a ``datasets`` Dataset,
or plain Python (dicts, tuples, :class:`Pair`).

For guard training the original is the jailbreak prompt and the compressed text the plain
request it wraps (SecurityLingua's ``extended`` / ``original`` fields).
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ._errors import TrainDataError


@dataclass(frozen=True)
class Pair:
    original: str
    compressed: str
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        return {"original": self.original, "compressed": self.compressed, **self.meta}


#: field names tried when the caller does not name them (ours, LLMLingua-2's, SecurityLingua's)
_ORIGINAL_KEYS = ("original", "prompt", "extended")
_COMPRESSED_KEYS = ("compressed", "compressed_prompt", "request")


def _pick(record: dict, given: str | None, candidates: Sequence[str], where: str) -> str:
    keys = (given,) if given else candidates
    for k in keys:
        if k in record:
            value = record[k]
            if not isinstance(value, str):
                raise TrainDataError(f"{where}: field {k!r} is {type(value).__name__}, expected a string")
            return value
    raise TrainDataError(f"{where}: none of the fields {list(keys)} is present "
                         f"(has {sorted(record)}); name them with original_field=/compressed_field=")


def pairs_from_records(records: Iterable[Any], *, original_field: str | None = None,
                       compressed_field: str | None = None, source: str = "data") -> list[Pair]:
    """Normalise dicts / 2-tuples / Pairs into Pairs; a bad record names its position."""
    if original_field is None and compressed_field is None:
        # SecurityLingua's files name the jailbreak 'extended' and the request 'original'
        records = list(records)
        first = records[0] if records else None
        if isinstance(first, dict) and "extended" in first and "original" in first:
            original_field, compressed_field = "extended", "original"
    out = []
    for i, rec in enumerate(records):
        where = f"{source}: record {i + 1}"
        if isinstance(rec, Pair):
            out.append(rec)
        elif isinstance(rec, dict):
            o = _pick(rec, original_field, _ORIGINAL_KEYS, where)
            c = _pick(rec, compressed_field, _COMPRESSED_KEYS, where)
            meta = {k: v for k, v in rec.items() if k not in (original_field, compressed_field,
                                                              *_ORIGINAL_KEYS, *_COMPRESSED_KEYS)}
            out.append(Pair(o, c, meta))
        elif isinstance(rec, (tuple, list)) and len(rec) == 2 and all(isinstance(x, str) for x in rec):
            out.append(Pair(rec[0], rec[1]))
        else:
            raise TrainDataError(f"{where}: expected a dict, a Pair or an (original, compressed) "
                                 f"tuple, got {type(rec).__name__}")
    return out


def load_pairs(data: Any, *, original_field: str | None = None,
               compressed_field: str | None = None) -> list[Pair]:
    """Pairs from a ``.jsonl``/``.json``/``.csv`` path, a ``datasets.Dataset`` or an iterable."""
    kw = dict(original_field=original_field, compressed_field=compressed_field)
    if isinstance(data, (str, os.PathLike)):
        return pairs_from_records(_read_file(Path(data)), source=os.fspath(data), **kw)
    if type(data).__module__.startswith("datasets"):
        return pairs_from_records(iter(data), source="dataset", **kw)
    return pairs_from_records(data, **kw)


def _read_file(path: Path) -> list[dict]:
    if not path.is_file():
        raise TrainDataError(f"no such data file: {path}")
    suffix = path.suffix.lower()
    with open(path, encoding="utf-8", newline="") as f:
        if suffix == ".csv":
            return list(csv.DictReader(f))
        if suffix == ".json":
            data = json.load(f)
            if not isinstance(data, list):
                raise TrainDataError(f"{path}: a .json data file must hold a list of records")
            return data
        if suffix in (".jsonl", ".ndjson"):
            out = []
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise TrainDataError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            return out
    raise TrainDataError(f"{path}: unknown data format {suffix!r}; use .jsonl, .json or .csv")


def write_jsonl(pairs: Iterable[Pair], path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p.as_dict(), ensure_ascii=False) + "\n")
    return path
