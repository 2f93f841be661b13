"""A Ray cluster of several nodes on one machine that stays on 127.0.0.1.

Two things stand between ``ray start --node-ip-address 127.0.0.1`` and a working loopback
cluster in Ray 2.60:

* **Token auth.** ``ray start --head`` switches itself to token mode when a token is available
  (``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``) and ``RAY_AUTH_MODE``
  is unset, but ``ray start --address`` never does: the worker node then connects without a
  token and the head's GCS refuses it (``InvalidAuthToken``). Every process here gets
  ``RAY_AUTH_MODE=token`` explicitly, with one fresh ``RAY_AUTH_TOKEN``.
* **Loopback.** ``ray start`` and ``ray.init(address=...)`` rewrite ``127.0.0.1`` into the
  machine's routable address (``ray._private.services.resolve_ip_for_localhost``), so the GCS
  listens on every interface. Run as ``python _ray_loopback.py start ...`` this module is the
  ``ray`` CLI with that rewrite switched off (the GCS, raylets and agents then bind 127.0.0.1
  only); :func:`keep_loopback` does the same for the driver process.

Teardown ends exactly the processes started here (each ``ray start --block`` and all its
children). ``ray stop`` is not used: it stops every Ray on the machine, other users' included.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from typing import Iterator


def _services():
    import ray._private.services as services

    if not hasattr(services, "resolve_ip_for_localhost"):  # the private hook moved: say so
        raise RuntimeError("ray._private.services.resolve_ip_for_localhost is gone; "
                           "this Ray version needs another way to stay on loopback")
    return services


@contextlib.contextmanager
def keep_loopback() -> Iterator[None]:
    """While active, this process's Ray leaves 127.0.0.1 addresses as they are."""
    services = _services()
    original = services.resolve_ip_for_localhost
    services.resolve_ip_for_localhost = lambda host: host
    try:
        yield
    finally:
        services.resolve_ip_for_localhost = original


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reload_auth() -> None:
    """Re-read RAY_AUTH_MODE and the token: a driver caches both at its first ``ray.init`` (an
    earlier local Ray in the same process may have loaded another token)."""
    from ray._raylet import AuthenticationTokenLoader, Config

    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


class LoopbackCluster:
    """A head and ``workers`` worker nodes (``cpus`` CPUs each) on 127.0.0.1, this process
    connected as the driver. Use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, *, workers: int = 1, cpus: int = 1, object_store: int = 200 * 2**20) -> None:
        self.workers, self.cpus, self.object_store = workers, cpus, object_store
        self.procs: list[subprocess.Popen] = []
        self.auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
        self.saved_env = {k: os.environ.get(k) for k in self.auth}
        self.temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: socket paths are limited
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._loopback: contextlib.ExitStack | None = None

    def _start_node(self, *args: str) -> None:
        cmd = [sys.executable, os.path.abspath(__file__), "start", "--block",
               "--node-ip-address", "127.0.0.1", "--num-cpus", str(self.cpus),
               "--object-store-memory", str(self.object_store), "--disable-usage-stats", *args]
        self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           env={**os.environ, **self.auth}))

    def start(self, timeout: float = 150) -> "LoopbackCluster":
        """Head, then the worker nodes (each ``ray start --address`` waits for the GCS itself);
        connect this process and wait until every node is alive."""
        import ray

        os.environ.update(self.auth)
        reload_auth()
        self._loopback = contextlib.ExitStack()
        self._loopback.enter_context(keep_loopback())
        self._start_node("--head", "--port", str(self.port), "--include-dashboard", "false",
                         "--temp-dir", self.temp)
        for _ in range(self.workers):
            self._start_node("--address", self.address)
        want = 1 + self.workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"`ray start` exited with {p.returncode} (logs: {self.temp})")
            try:
                if not ray.is_initialized():
                    ray.init(address=self.address, log_to_driver=False, configure_logging=False)
                if len(self.alive_nodes()) >= want:
                    return self
            except (ConnectionError, RuntimeError):
                pass
            time.sleep(1)
        raise TimeoutError(f"{want} Ray nodes not up within {timeout}s (logs: {self.temp})")

    @staticmethod
    def alive_nodes() -> list[dict]:
        import ray

        return [n for n in ray.nodes() if n["Alive"]]

    def pids(self) -> set[int]:
        """The ``ray start`` processes and everything they spawned (GCS, raylets, workers)."""
        import psutil

        out = set()
        for p in self.procs:
            try:
                proc = psutil.Process(p.pid)
                out.add(proc.pid)
                out.update(c.pid for c in proc.children(recursive=True))
            except psutil.NoSuchProcess:
                pass
        return out

    def stop(self) -> None:
        import psutil
        import ray

        try:
            if ray.is_initialized():
                ray.shutdown()
        finally:
            family = [psutil.Process(pid) for pid in self.pids() if psutil.pid_exists(pid)]
            for p in reversed(self.procs):
                p.terminate()
            for p in self.procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
            _, alive = psutil.wait_procs(family, timeout=15)
            for proc in alive:
                proc.kill()
            psutil.wait_procs(alive, timeout=5)
            shutil.rmtree(self.temp, ignore_errors=True)
            if self._loopback is not None:
                self._loopback.close()
            for k, v in self.saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            reload_auth()

    def __enter__(self) -> "LoopbackCluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # the `ray` CLI, kept on loopback
    _services().resolve_ip_for_localhost = lambda host: host
    from ray.scripts.scripts import main

    sys.argv[0] = "ray"
    sys.exit(main())
