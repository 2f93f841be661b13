"""compressor.ray on a two-node Ray cluster on loopback: a head and a worker node started with
``ray start`` by this test (1 CPU, 200 MB object store each, every port on 127.0.0.1) and
stopped at the end. See _ray_loopback.py for the token-auth and loopback settings it needs."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="compressor.ray needs the 'ray' extra (pip install 'poml-native[ray]')")
pytest.importorskip("ray.data", reason="compressor.ray needs ray[data]")
psutil = pytest.importorskip("psutil", reason="ray depends on psutil")

from compressor import Compressor  # noqa: E402
from compressor._testing import build_bert_model  # noqa: E402
from compressor.ray import ShardWorker, compress_files  # noqa: E402

from _ray_helpers import by_id, prompts, read_output, reference, worker_env, write_parquet  # noqa: E402
from _ray_loopback import LoopbackCluster  # noqa: E402


class BarrierWorker(ShardWorker):
    """Waits until every model worker has loaded before its first shard, so a node whose
    worker starts late (a busy machine) still gets shards: the test is about placement, not
    start-up speed."""

    barrier = ""
    parties = 2

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        Path(self.barrier, ray.get_runtime_context().get_node_id()).touch()
        deadline = time.monotonic() + 120
        while len(list(Path(self.barrier).iterdir())) < self.parties and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.fixture
def cluster():
    if ray.is_initialized():
        ray.shutdown()
    worker_env()  # the nodes' workers import this tree and the test modules
    with LoopbackCluster(workers=1, cpus=1) as c:
        yield c
    assert not [pid for pid in c.pids() if psutil.pid_exists(pid)]


@pytest.mark.slow
def test_two_nodes_on_loopback(cluster, tmp_path):
    nodes = cluster.alive_nodes()
    assert len(nodes) == 2 and {n["NodeManagerAddress"] for n in nodes} == {"127.0.0.1"}
    # every Ray server of this cluster listens on loopback only
    mine = cluster.pids()
    listening = {c.laddr.ip for c in psutil.net_connections("inet")
                 if c.status == psutil.CONN_LISTEN and c.pid in mine}
    assert listening and listening <= {"127.0.0.1", "::ffff:127.0.0.1"}, listening

    model = build_bert_model(tmp_path / "tiny-bert", classifier_scale=20.0)
    rows = prompts(1200, seed=5)
    src = write_parquet(rows, tmp_path / "in", files=2)
    (tmp_path / "barrier").mkdir()
    worker = type("Barrier", (BarrierWorker,), {"barrier": str(tmp_path / "barrier")})
    ray.data.DataContext.get_current().enable_progress_bars = False
    seen: Counter = Counter()
    summary = compress_files(src, tmp_path / "out", column="text", model=model, rate=0.5,
                             concurrency=2, shard_rows=100, worker_cls=worker,
                             on_shard=lambda r: seen.update([r["node_id"]]))
    # one model worker per node (1 CPU each), and both nodes compressed shards
    assert set(seen) == summary["nodes"] == {n["NodeID"] for n in nodes}
    assert sum(seen.values()) == summary["written_shards"] == 12
    out = read_output(tmp_path / "out")
    assert Counter(r["id"] for r in out) == Counter(range(1200))
    assert by_id(out) == reference(Compressor(model, device="cpu", threads=1), rows, rate=0.5)
