"""Nothing outside the allowed roots, and nothing but http(s) on the network, is reached."""

from __future__ import annotations

import http.server
import socketserver
import threading
import time
from pathlib import Path

import pytest

import poml


def test_a_markup_string_naming_a_system_file_is_not_read():
    with pytest.warns(UserWarning, match="rendered as text: pass file="):
        out = poml.poml("/etc/passwd", chat=False)
    assert out == "/etc/passwd"


def test_file_argument_reads_and_markup_argument_never_does(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("<p>from the file</p>")
    assert poml.render_file(f, chat=False) == "from the file"
    with pytest.warns(UserWarning):
        assert poml.poml(markup=str(f), chat=False) == str(f)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,<p>x</p>",
                                 "FILE:///etc/hostname"])
def test_webpage_fetches_only_http_even_with_the_network_on(url):
    with pytest.raises(poml.PomlPathError, match="only http:// and https://"):
        poml.poml(f'<webpage url="{url}" />', allow_network=True)


def test_refusals_do_not_disclose_real_paths_or_roots(tmp_path):
    inside = tmp_path / "prompt"
    inside.mkdir()
    (inside / "p.poml").write_text('<document src="/proc/self/cwd/x.txt" />')
    with pytest.raises(poml.PomlPathError) as info:
        poml.poml(inside / "p.poml")
    text = str(info.value).split(": error: ", 1)[1]  # what follows the caller's own file name
    assert '"/proc/self/cwd/x.txt" is outside the folders this prompt may read' in text
    assert str(tmp_path) not in text and str(Path.cwd()) not in text


class _Slow(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path == "/redirect-to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(2000):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(30):  # one byte a second: a per-socket timeout would never fire
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass


@pytest.fixture
def slow_server():
    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_trickling_server_cannot_hold_a_render(slow_server):
    env = poml.Environment(allow_network=True, limits={"network_seconds": 0.5})
    t0 = time.perf_counter()
    with pytest.raises(poml.PomlLimitError, match="took longer than 0.5 s"):
        env.render(f'<webpage url="{slow_server}/trickle" />')
    assert time.perf_counter() - t0 < 1.5


def test_a_huge_response_is_cut_at_the_size_cap(slow_server):
    env = poml.Environment(allow_network=True, limits={"network_seconds": 5})
    with pytest.raises(poml.PomlLimitError, match="larger than the limit"):
        env.render(f'<webpage url="{slow_server}/big" />')


def test_a_redirect_to_a_local_file_is_refused(slow_server):
    env = poml.Environment(allow_network=True)
    with pytest.raises(poml.PomlPathError, match="only http:// and https://"):
        env.render(f'<webpage url="{slow_server}/redirect-to-file" />')
