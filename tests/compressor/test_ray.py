"""compressor.ray on a local Ray (ray.init(num_cpus=2)): same rows as one process, worker
death, resume. Skipped without the 'ray' extra."""
from __future__ import annotations

import os
from collections import Counter

import pytest

ray = pytest.importorskip("ray", reason="compressor.ray needs the 'ray' extra (pip install 'poml-native[ray]')")
pytest.importorskip("ray.data", reason="compressor.ray needs ray[data]")
pa = pytest.importorskip("pyarrow", reason="ray[data] brings pyarrow")

from compressor import Compressor, InvalidArgumentError  # noqa: E402
from compressor._testing import build_bert_model  # noqa: E402
from compressor.ray import ShardWorker, compress_dataset, compress_files  # noqa: E402

from _ray_helpers import (OBJECT_STORE, by_id, prompts, read_output, reference,  # noqa: E402
                          worker_env, write_parquet)

# the worker subclasses below are imported by the Ray workers from this module (worker_env)
RATE = 0.5
ONE_THREAD = {"device": "cpu", "threads": 1}


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    return build_bert_model(tmp_path_factory.mktemp("ray-model") / "tiny-bert", classifier_scale=20.0)


@pytest.fixture(scope="module")
def local_ray():
    worker_env()
    ray.init(num_cpus=2, object_store_memory=OBJECT_STORE, include_dashboard=False,
             log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def single(model):
    return Compressor(model, **ONE_THREAD)


def test_10k_rows_match_single_process(local_ray, model, single, tmp_path):
    rows = prompts(10_000)
    src = write_parquet(rows, tmp_path / "in", files=3)
    summary = compress_files(src, tmp_path / "out", column="text", model=model, rate=RATE,
                             concurrency=2, shard_rows=1000)
    out = read_output(tmp_path / "out")
    assert summary["written_shards"] == summary["shards"] == 12 and summary["skipped_shards"] == 0
    assert Counter(r["id"] for r in out) == Counter(range(10_000))  # no loss, no duplicate
    assert by_id(out) == reference(single, rows, rate=RATE)
    # other columns pass through untouched
    assert {(r["id"], r["text"], r["meta"]) for r in out} == {(r["id"], r["text"], r["meta"]) for r in rows}
    assert all(abs(r["text_ratio"] - r["text_origin_tokens"] / max(r["text_compressed_tokens"], 1)) < 1e-9
               or r["text_compressed_tokens"] == 0 for r in out)


def test_compress_dataset_on_ray_data(local_ray, model, single, tmp_path):
    rows = prompts(1500, seed=3)
    write_parquet(rows, tmp_path / "in", files=2)
    ds = ray.data.read_parquet(str(tmp_path / "in"))
    # one worker: reading the files needs the second CPU (two actors would starve the reads)
    out = compress_dataset(ds, column="text", rate=0.4, model=model, concurrency=1,
                           batch_size=200, force_tokens=["?"]).take_all()
    assert len(out) == 1500
    assert by_id(out) == reference(single, rows, rate=0.4, force_tokens=["?"])


class KillOnceWorker(ShardWorker):
    """Dies (hard, mid-write) on its third shard the first time any worker gets there."""

    marker = ""

    def process_shard(self, shard, dest):
        self.seen = getattr(self, "seen", 0) + 1
        if self.seen == 3 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            dest.with_name(f".{dest.name}.{os.getpid()}.tmp").write_bytes(b"half a file")
            os._exit(1)
        super().process_shard(shard, dest)


def test_killed_worker_loses_and_duplicates_nothing(local_ray, model, single, tmp_path):
    rows = prompts(2000, seed=1)
    src = write_parquet(rows, tmp_path / "in", files=1)
    marker = tmp_path / "killed"
    worker = type("Kill", (KillOnceWorker,), {"marker": str(marker)})
    summary = compress_files(src, tmp_path / "out", column="text", model=model, rate=RATE,
                             concurrency=1, shard_rows=200, worker_cls=worker)
    assert marker.exists()  # the worker really died
    assert list((tmp_path / "out").glob(".*.tmp"))  # its half-written file is ignored
    out = read_output(tmp_path / "out")
    assert summary["shards"] == 10
    assert Counter(r["id"] for r in out) == Counter(range(2000))
    assert by_id(out) == reference(single, rows, rate=RATE)


class FailOnShardWorker(ShardWorker):
    fail_id = ""

    def process_shard(self, shard, dest):
        if shard.shard_id == self.fail_id:
            raise RuntimeError("stop here")
        super().process_shard(shard, dest)


def test_resumed_run_finishes_the_rest_only(local_ray, model, single, tmp_path):
    rows = prompts(1200, seed=2)
    src = write_parquet(rows, tmp_path / "in", files=2)
    out_dir = tmp_path / "out"
    failing = type("Fail", (FailOnShardWorker,), {"fail_id": "part-00001-000000400"})
    with pytest.raises(Exception, match="stop here"):
        compress_files(src, out_dir, column="text", model=model, rate=RATE, concurrency=1,
                       shard_rows=200, worker_cls=failing)
    before = {p.name: p.stat().st_mtime_ns for p in out_dir.glob("part-*")}
    assert 0 < len(before) < 6
    summary = compress_files(src, out_dir, column="text", model=model, rate=RATE, concurrency=1,
                             shard_rows=200)
    assert summary["skipped_shards"] == len(before)
    assert summary["written_shards"] == 6 - len(before)
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.glob("part-*") if p.name in before} == before
    out = read_output(out_dir)
    assert Counter(r["id"] for r in out) == Counter(range(1200))
    assert by_id(out) == reference(single, rows, rate=RATE)
    # a third run has nothing left to do
    again = compress_files(src, out_dir, column="text", model=model, rate=RATE, shard_rows=200)
    assert again["written_shards"] == 0 and again["skipped_shards"] == 6


def test_rerun_with_other_options_is_refused(tmp_path, model):
    src = write_parquet(prompts(10), tmp_path / "in", files=1)
    from compressor._ray_shards import check_manifest, expand_inputs

    files = expand_inputs(src)
    check_manifest(str(tmp_path / "out"), files, 100, {"rate": 0.5})
    check_manifest(str(tmp_path / "out"), files, 100, {"rate": 0.5})  # same run: fine
    with pytest.raises(InvalidArgumentError, match="different run"):
        check_manifest(str(tmp_path / "out"), files, 100, {"rate": 0.3})
    with pytest.raises(InvalidArgumentError, match="no input files"):
        expand_inputs(str(tmp_path / "nothing-*.parquet"))


def test_guard_task(local_ray, model, tmp_path):
    from compressor import Guard

    rows = prompts(50)
    guard = Guard(model, **ONE_THREAD)
    ds = ray.data.from_items(rows)
    out = compress_dataset(ds, column="text", model=model, task="guard", concurrency=1,
                           system_prompt="Be brief.").take_all()
    assert {r["id"]: r["text_intent"] for r in out} == dict(zip(range(50), guard.extract([r["text"] for r in rows])))
    # a messages column through the same class: Guard.protect, user turns unchanged
    chats = [{"id": r["id"], "chat": [{"speaker": "system", "content": "Be brief."},
                                      {"speaker": "human", "content": r["text"]}]} for r in rows]
    out = compress_dataset(ray.data.from_items(chats), column="chat", model=model, task="guard",
                           concurrency=1, batch_size=16).take_all()
    got = {r["id"]: [{k: v for k, v in m.items() if v is not None} for m in r["chat_protected"]] for r in out}
    assert [got[i] for i in range(50)] == guard.protect([c["chat"] for c in chats])
