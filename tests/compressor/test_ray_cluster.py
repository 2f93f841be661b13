"""compressor.ray on a two-node Ray cluster on loopback: a head and a worker node started with
``ray start`` by this test (1 CPU, 200 MB object store each) and stopped at the end."""
from __future__ import annotations

import os
import secrets
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
        # one token for the head, the worker node and this driver (Ray 2.60 token auth)
        self.env = {**os.environ, "RAY_AUTH_TOKEN": secrets.token_hex(16)}
        self.temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: socket paths are limited
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"

    def _start(self, *args: str) -> None:
        cmd = [RAY, "start", "--block", "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
               "--object-store-memory", str(OBJECT_STORE), "--disable-usage-stats", *args]
        self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env))

    def start(self, timeout: float = 120) -> None:
        """Head, then worker (``ray start --address`` waits for the head's GCS itself); then
        connect this process and wait until both nodes are alive."""
        worker_env()
        os.environ["RAY_AUTH_TOKEN"] = self.env["RAY_AUTH_TOKEN"]
        self.env.update(PYTHONPATH=os.environ["PYTHONPATH"])
        self._start("--head", "--port", str(self.port), "--include-dashboard", "false",
                    "--temp-dir", self.temp)
        self._start("--address", self.address)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"ray start exited with {p.returncode}")
            try:
                if not ray.is_initialized():
                    ray.init(address=self.address, log_to_driver=False, configure_logging=False)
                if len([n for n in ray.nodes() if n["Alive"]]) >= 2:
                    return
            except (ConnectionError, RuntimeError):
                pass
            time.sleep(1)
        raise TimeoutError(f"two Ray nodes not up within {timeout}s")

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
        os.environ.pop("RAY_AUTH_TOKEN", None)


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


@pytest.mark.skip(reason="not working yet: under Ray 2.60 the second `ray start --address` node is "
                         "refused by the head's GCS (InvalidAuthToken) even with a shared RAY_AUTH_TOKEN")
def test_two_nodes_on_loopback(cluster, tmp_path):
    model = build_bert_model(tmp_path / "tiny-bert", classifier_scale=20.0)
    rows = prompts(1200, seed=5)
    src = write_parquet(rows, tmp_path / "in", files=2)
    ray.data.DataContext.get_current().enable_progress_bars = False
    assert len([n for n in ray.nodes() if n["Alive"]]) == 2
    summary = compress_files(src, tmp_path / "out", column="text", model=model, rate=0.5,
                             concurrency=2, shard_rows=100)
    assert len(summary["nodes"]) == 2  # one model worker per node (1 CPU each)
    out = read_output(tmp_path / "out")
    assert Counter(r["id"] for r in out) == Counter(range(1200))
    assert by_id(out) == reference(Compressor(model, device="cpu", threads=1), rows, rate=0.5)
