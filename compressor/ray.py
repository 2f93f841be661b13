"""Compress (or guard) a text column at dataset scale on Ray Data.

One model is loaded per Ray worker (an actor; ``num_gpus=1`` gives one per GPU) and each batch
goes through the compressor's pooled batching. Needs the ``ray`` extra
(``pip install 'poml-native[ray,compress]'``); importing :mod:`compressor` does not import Ray.

Usage::

    import ray, ray.data
    from compressor.ray import compress_dataset
    ray.init(num_cpus=2)
    ds = ray.data.read_parquet("data/")
    out = compress_dataset(ds, column="text", rate=0.33, model="microsoft/llmlingua-2-...",
                           concurrency=2)
    out.write_parquet("out/")          # adds text_compressed, text_origin_tokens, ...

    # resumable file-to-file run (what ``poml compress --ray`` calls):
    from compressor.ray import compress_files
    compress_files("data/*.parquet", "out/", column="text", model=..., rate=0.33, concurrency=2)

See docs/ray.md.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Sequence

from ._deps import require
from ._errors import InvalidArgumentError
from ._ray_shards import (FORMATS, Shard, check_column, check_manifest, expand_inputs, input_format,
                          plan_shards, read_shard, shard_dict, shard_output, write_shard_atomic)

TASKS = ("compress", "guard")
__all__ = ["CompressBatch", "ShardWorker", "compress_dataset", "compress_files", "TASKS"]


def _load_model(task: str, model: str, model_kwargs: dict):
    if task == "compress":
        from ._compressor import Compressor

        return Compressor(model, **model_kwargs)
    import compressor

    guard_cls = getattr(compressor, "Guard", None)
    if guard_cls is None:
        raise InvalidArgumentError("task='guard' needs compressor.Guard, which this version lacks")
    return guard_cls(model, **model_kwargs)


GUARD_OPTIONS = ("system_prompt",)


class CompressBatch:
    """Callable class for ``Dataset.map_batches(..., batch_format="pyarrow")``.

    ``task="compress"`` adds ``<column>_compressed``, ``<column>_origin_tokens``,
    ``<column>_compressed_tokens`` and ``<column>_ratio``. ``task="guard"`` adds, for a string
    column, ``<column>_intent`` (``Guard.extract``) and ``<column>_system_prompt`` (the system
    prompt to send: ``system_prompt`` plus the intent sentence, as ``poml guard --input``
    writes it); for a column of message lists (``speaker`` or OpenAI ``role`` dicts),
    ``<column>_protected`` (``Guard.protect``: user turns unchanged, the intent in the system
    message). ``compress_kwargs`` are ``Compressor.compress`` options, or for the guard
    ``system_prompt``. Other columns pass through unchanged.
    """

    def __init__(self, model: str, column: str, task: str = "compress", *,
                 model_kwargs: dict | None = None, compress_kwargs: dict | None = None,
                 group_size: int = 64) -> None:
        if task not in TASKS:
            raise InvalidArgumentError(f"task must be one of {TASKS}, not {task!r}")
        self.column, self.task, self.group_size = column, task, group_size
        self.compress_kwargs = dict(compress_kwargs or {})
        if task == "guard" and set(self.compress_kwargs) - set(GUARD_OPTIONS):
            raise InvalidArgumentError(
                f"task='guard' takes only {GUARD_OPTIONS} as options, not "
                f"{sorted(set(self.compress_kwargs) - set(GUARD_OPTIONS))}")
        self.model = _load_model(task, os.fspath(model), dict(model_kwargs or {}))

    def __call__(self, batch):
        pa = require("pyarrow")
        if self.column not in batch.column_names:
            raise InvalidArgumentError(
                f"column {self.column!r} not in the dataset (columns: {batch.column_names})")
        values = batch.column(self.column).to_pylist()
        for i, v in enumerate(values):
            if not isinstance(v, (str, list)):
                raise InvalidArgumentError(f"row {i} of column {self.column!r} is {type(v).__name__}, not text")
        for name, col in self._new_columns(values, pa).items():
            if name in batch.column_names:
                batch = batch.drop_columns([name])
            batch = batch.append_column(name, col)
        return batch

    def _new_columns(self, values: list, pa) -> dict[str, Any]:
        if self.task == "guard":
            return self._guard_columns(values, pa)
        c = self.column
        res = list(self.model.compress_iter(values, group_size=self.group_size, **self.compress_kwargs))
        return {f"{c}_compressed": pa.array([r.compressed_prompt for r in res], pa.string()),
                f"{c}_origin_tokens": pa.array([r.origin_tokens for r in res], pa.int64()),
                f"{c}_compressed_tokens": pa.array([r.compressed_tokens for r in res], pa.int64()),
                f"{c}_ratio": pa.array([r.ratio for r in res], pa.float64())}

    def _guard_columns(self, values: list, pa) -> dict[str, Any]:
        from ._messages import system_addition

        c, system_prompt = self.column, self.compress_kwargs.get("system_prompt", "")
        if all(isinstance(v, str) for v in values):
            intents = self.model.extract(values)
            return {f"{c}_intent": pa.array(intents, pa.string()),
                    f"{c}_system_prompt": pa.array(
                        [system_addition(system_prompt, [x], self.model.template) for x in intents], pa.string())}
        for i, v in enumerate(values):
            if not isinstance(v, list) or not all(isinstance(m, dict) for m in v):
                raise InvalidArgumentError(
                    f"row {i} of column {self.column!r}: a guard column holds prompts (str) or "
                    f"conversations (lists of message dicts), not a mix")
        # Arrow gives every message all the keys seen in the column: drop the unset ones
        convs = [[{k: x for k, x in m.items() if x is not None} for m in v] for v in values]
        protected = self.model.protect(convs, system_prompt) if convs else []
        try:
            return {f"{c}_protected": pa.array(protected)}
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InvalidArgumentError(
                f"column {self.column!r}: the protected messages do not fit one Arrow type "
                f"({exc}); give every message's content the same type (str or list)") from exc


class ShardWorker(CompressBatch):
    """Reads, transforms and atomically writes whole shards; yields one summary row per shard.

    Its input rows are shard descriptors (see :mod:`compressor._ray_shards`), so a retried task
    (the worker died) rewrites the same file name with the same rows: nothing lost or doubled.
    """

    def __init__(self, model: str, column: str, task: str = "compress", *, out_dir: str,
                 out_format: str, **kw) -> None:
        super().__init__(model, column, task, **kw)
        self.out_dir, self.out_format = out_dir, out_format

    def __call__(self, batch):
        pa = require("pyarrow")
        import ray

        node = ray.get_runtime_context().get_node_id()
        rows = []
        for d in batch.to_pylist():
            shard = Shard(**d)
            dest = shard_output(self.out_dir, shard, self.out_format)
            written = not dest.exists()  # a retry after the rename finds it done
            if written:
                self.process_shard(shard, dest)
            rows.append({"shard_id": shard.shard_id, "rows": shard.stop - shard.start,
                         "node_id": node, "written": written})
        return pa.Table.from_pylist(rows)

    def process_shard(self, shard: Shard, dest: Path) -> None:
        write_shard_atomic(CompressBatch.__call__(self, read_shard(shard)), dest, self.out_format)


def _remote_args(concurrency: int, num_gpus: float, num_cpus: float | None) -> dict:
    if not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be an int >= 1 (number of model workers), not {concurrency!r}")
    from ray.data import ActorPoolStrategy

    args: dict = {"compute": ActorPoolStrategy(size=concurrency)}
    if num_gpus:
        args["num_gpus"] = num_gpus
    else:
        args["num_cpus"] = 1 if num_cpus is None else num_cpus
    return args


def _model_kwargs(model_kwargs: dict | None, num_gpus: float, num_cpus: float | None) -> dict:
    """CPU workers get as many torch threads as CPUs they reserve (no oversubscription)."""
    kw = dict(model_kwargs or {})
    if not num_gpus:
        kw.setdefault("device", "cpu")
        kw.setdefault("threads", max(1, int(num_cpus or 1)))
    return kw


def compress_dataset(ds, *, column: str, model: str, rate: float = 0.5, concurrency: int = 1,
                     num_gpus: float = 0, num_cpus: float | None = None, batch_size: int = 256,
                     task: str = "compress", model_kwargs: dict | None = None,
                     **compress_kwargs):
    """``ds`` with the compressed (or guarded) columns added, lazily (a Ray ``Dataset``).

    Args:
        column: the text column (a string, or a list of strings for several contexts).
        concurrency: number of model workers (actors); with ``num_gpus=1`` one per GPU.
        batch_size: rows per ``map_batches`` call (pooled by the compressor inside).
        model_kwargs: extra ``Compressor``/``Guard`` arguments (``engine="onnx"``, ``dtype``...).
        compress_kwargs: ``Compressor.compress`` options (``force_tokens``, ``target_tokens``...).
    """
    if task == "compress":
        compress_kwargs["rate"] = rate
    return ds.map_batches(
        CompressBatch, batch_format="pyarrow", batch_size=batch_size,
        fn_constructor_args=(os.fspath(model), column, task),
        fn_constructor_kwargs=dict(model_kwargs=_model_kwargs(model_kwargs, num_gpus, num_cpus),
                                   compress_kwargs=compress_kwargs),
        **_remote_args(concurrency, num_gpus, num_cpus))


def compress_files(inputs: str | Sequence[str], output: str | os.PathLike, *, column: str,
                   model: str, rate: float = 0.5, concurrency: int = 1, num_gpus: float = 0,
                   num_cpus: float | None = None, shard_rows: int = 1024,
                   out_format: str | None = None, task: str = "compress",
                   model_kwargs: dict | None = None,
                   on_shard: Callable[[dict], None] | None = None,
                   worker_cls: type = ShardWorker, **compress_kwargs) -> dict:
    """Resumable file-to-file run over Parquet/JSONL inputs; call after ``ray.init(...)``.

    Output: one ``part-FFFFF-RRRRRRRRR.<fmt>`` per shard in ``output`` plus ``_manifest.json``.
    Rerunning with the same ``output`` skips shards already written. ``on_shard`` is called with
    each finished shard's summary (``shard_id``, ``rows``, ``node_id``, ``written``).

    Returns ``{"shards", "rows", "skipped_shards", "written_shards", "nodes"}``.
    """
    ray_data = require("ray.data")
    files = expand_inputs(inputs)
    check_column(files[0], column)
    out_format = out_format or input_format(files[0])
    if out_format not in FORMATS:
        raise InvalidArgumentError(f"output format must be one of {FORMATS}, not {out_format!r}")
    if task == "compress":
        compress_kwargs["rate"] = rate
    options = {"task": task, "column": column, "model": os.fspath(model), "format": out_format,
               "model_kwargs": model_kwargs or {}, "compress_kwargs": compress_kwargs}
    check_manifest(os.fspath(output), files, shard_rows, options)
    shards = plan_shards(files, shard_rows)
    todo = [s for s in shards if not shard_output(os.fspath(output), s, out_format).exists()]
    summary = {"shards": len(shards), "rows": sum(s.stop - s.start for s in shards),
               "skipped_shards": len(shards) - len(todo), "written_shards": 0, "nodes": set()}
    if not todo:
        return summary
    ds = ray_data.from_items([shard_dict(s) for s in todo], override_num_blocks=len(todo))
    ds = ds.map_batches(
        worker_cls, batch_format="pyarrow", batch_size=1,
        fn_constructor_args=(os.fspath(model), column, task),
        fn_constructor_kwargs=dict(out_dir=os.fspath(output), out_format=out_format,
                                   model_kwargs=_model_kwargs(model_kwargs, num_gpus, num_cpus),
                                   compress_kwargs=compress_kwargs),
        **_remote_args(concurrency, num_gpus, num_cpus))
    for row in ds.iter_rows():
        summary["written_shards"] += bool(row["written"])
        summary["nodes"].add(row["node_id"])
        if on_shard:
            on_shard(row)
    return summary
