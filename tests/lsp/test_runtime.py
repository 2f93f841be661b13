"""The server's runtime pieces in process: which stdin is read on the loop, and deferred full GCs."""

from __future__ import annotations

import asyncio
import gc
import os
import socket

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

from poml.lsp._idle import IdleCollector  # noqa: E402
from poml.lsp._transport import PipeReader, readable_on_loop  # noqa: E402


def test_only_a_pipe_of_its_own_is_read_on_the_loop(tmp_path):
    r, _ = os.pipe()
    _, w = os.pipe()  # the editor's two pipes: one to the server's stdin, one from its stdout
    a, b = socket.socketpair()
    with os.fdopen(r, "rb") as rin, os.fdopen(w, "wb") as wout, open(tmp_path / "f", "wb+") as f:
        assert readable_on_loop(rin, wout)
        assert not readable_on_loop(f, wout), "a regular file keeps pygls's reader"
        with a.makefile("rb") as sin, a.makefile("wb") as sout:
            assert not readable_on_loop(sin, sout), "one socket both ways must stay blocking"
    a.close()
    b.close()


def test_pipe_reader_reads_messages_and_reports_a_closed_pipe():
    async def go():
        r, w = os.pipe()
        with os.fdopen(r, "rb") as rin:
            reader = await PipeReader.open(rin)
            os.write(w, b"Content-Length: 2\r\n\r\n{}")
            assert await reader.readline() == b"Content-Length: 2\r\n"
            assert await reader.readline() == b"\r\n"
            assert await reader.readexactly(2) == b"{}"
            os.write(w, b"{")
            os.close(w)
            assert await reader.readexactly(5) == b"", "a message cut short ends the loop, not a traceback"

    asyncio.run(go())


def test_idle_collector_defers_full_collections_to_a_pause():
    before = gc.get_threshold()
    idle = IdleCollector(quiet_s=0.05, max_deferred=10_000)

    async def go():
        idle.start()
        try:
            assert gc.get_threshold()[2] > 1_000_000, "CPython no longer starts full collections itself"
            for _ in range(5):
                [[] for _ in range(5000)]  # young collections happen, no full one
                idle.touch()
            assert idle.full_collections == 0
            await asyncio.sleep(0.2)  # a pause
            assert idle.full_collections == 1
        finally:
            idle.stop()

    asyncio.run(go())
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_idle_collector_collects_anyway_when_never_idle():
    idle = IdleCollector(quiet_s=60, max_deferred=1)

    async def go():
        idle.start()
        try:
            for _ in range(50):
                [[] for _ in range(2000)]
                idle.touch()
            assert idle.full_collections >= 1
        finally:
            idle.stop()

    asyncio.run(go())


def test_engine_drops_the_parse_of_a_superseded_version_and_renders_only_on_demand():
    from poml.lsp._engine import WorkspaceEngine

    engine = WorkspaceEngine()
    first = engine.analyze("u", "<p>{{ a }}</p>", None)
    assert first.diagnostics is None, "analysing does not render"
    assert first.text in engine.env._parsed.items
    second = engine.analyze("u", "<p>{{ b }}</p>", None)
    assert first.text not in engine.env._parsed.items and second.text in engine.env._parsed.items
    [d] = engine.diagnose(second)
    assert "b is not defined" in d.message
    assert engine.diagnose(second) is second.diagnostics, "one render per version"
    assert engine.render(second) is second.rendered, "the preview with the paired context reuses it"


hypothesis = pytest.importorskip("hypothesis", reason="property tests need hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=25, deadline=None)
@hypothesis.given(st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["x", " ", "{{ n }}", "<", "}}", "é😀"])),
                          min_size=1, max_size=12))
def test_diagnostics_after_any_edits_equal_a_fresh_engines(edits):
    """Whatever the edits in between, the last version's diagnostics are those of a cold engine."""
    from poml.lsp._engine import WorkspaceEngine

    text = '<poml>\n<let name="n" value="2"/>\n<p>{{ n * 2 }} and {{ m }}</p>\n</poml>\n'
    warm = WorkspaceEngine()
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
        warm.diagnose(warm.analyze("u", text, None))

    def seen(engine):
        return [(d.start, d.end, d.message) for d in engine.diagnose(engine.analyze("u", text, None))]
    assert seen(warm) == seen(WorkspaceEngine())
