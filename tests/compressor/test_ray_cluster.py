"""compressor.ray on a two-node Ray cluster on loopback: a head and a worker node started with
``ray start`` by this test (1 CPU, 200 MB object store each) and stopped at the end."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="compressor.ray needs the 'ray' extra (pip install 'poml-native[ray]')")
pytest.importorskip("ray.data", reason="compressor.ray needs ray[data]")
psutil = pytest.importorskip("psutil", reason="ray depends on psutil")

from compressor import Compressor  # noqa: E402
from compressor._testing import build_bert_model  # noqa: E402
from compressor.ray import compress_files  # noqa: E402

from _ray_helpers import OBJECT_STORE, by_id, prompts, read_output, reference, worker_env, write_parquet  # noqa: E402

RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackCluster:
    """``ray start --block`` processes; stop() ends them and every process they spawned."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: socket paths are limited
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"

    def _start(self, *args: str) -> None:
        cmd = [RAY, "start", "--block", "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
               "--object-store-memory", str(OBJECT_STORE), "--disable-usage-stats", *args]
        self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def start(self, timeout: float = 90) -> None:
        worker_env()
        self._start("--head", "--port", str(self.port), "--include-dashboard", "false",
                    "--temp-dir", self.temp)
        self._wait_nodes(1, timeout)
        self._start("--address", self.address)
        self._wait_nodes(2, timeout)

    def _wait_nodes(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"ray start exited with {p.returncode}")
            r = subprocess.run([RAY, "status", "--address", self.address], capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.count("node_") >= n:
                return
            time.sleep(1)
        raise TimeoutError(f"{n} Ray node(s) not up within {timeout}s")

    def stop(self) -> None:
        family = []
        for p in self.procs:
            try:
                family += psutil.Process(p.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                pass
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        _, alive = psutil.wait_procs(family, timeout=10)
        for proc in alive:
            proc.kill()
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture
def cluster():
    if ray.is_initialized():
        ray.shutdown()
    c = LoopbackCluster()
    try:
        c.start()
        yield c
    finally:
        if ray.is_initialized():
            ray.shutdown()
        c.stop()


def test_two_nodes_on_loopback(cluster, tmp_path):
    model = build_bert_model(tmp_path / "tiny-bert", classifier_scale=20.0)
    rows = prompts(1200, seed=5)
    src = write_parquet(rows, tmp_path / "in", files=2)
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    assert len([n for n in ray.nodes() if n["Alive"]]) == 2
    summary = compress_files(src, tmp_path / "out", column="text", model=model, rate=0.5,
                             concurrency=2, shard_rows=100)
    assert len(summary["nodes"]) == 2  # one model worker per node (1 CPU each)
    out = read_output(tmp_path / "out")
    assert Counter(r["id"] for r in out) == Counter(range(1200))
    assert by_id(out) == reference(Compressor(model, device="cpu", threads=1), rows, rate=0.5)
