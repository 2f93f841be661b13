"""Stale requests and typing, end to end over stdio: work for an older version is dropped.

Each test makes the server's event loop busy first (the outline of a long prompt just
edited) and sends the request and the edit that outdates it in one write, so the server
reads both before the request's work can start.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pygls.uris import from_fs_path

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLEAN = "<poml>\n<p>fine</p>\n</poml>\n"
BROKEN = "<poml>\n<p>{{ oops( }}</p>\n</poml>\n"


def long_prompt(sections: int, salt: str) -> str:
    """A prompt of ``3 * sections + 2`` lines; ``salt`` makes its render a fresh one."""
    body = "".join(f'<section><h>{salt} {i}</h>\n  <p for="x in [1, 2]">Item {{{{ x + {i} }}}}</p>\n</section>\n'
                   for i in range(sections))
    return f"<poml>\n{body}</poml>\n"


def open_doc(client, path: Path, text: str) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="poml", version=1, text=text)))
    return uri


def replace_all(client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def insert(client, uri: str, version: int, line: int, text: str) -> None:
    at = types.Position(line=line, character=0)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=text)]))


def recorded_pushes(client) -> list[types.PublishDiagnosticsParams]:
    """Every push from now on, as it arrives (pytest-lsp's ``wait_for_notification`` misses a
    push that lands in the same read as another file's)."""
    log = getattr(client, "_pushes", None)
    if log is None:
        log = client._pushes = []
        handle = client.protocol._handle_notification

        def record(method, params):
            if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                log.append(params)
            return handle(method, params)

        client.protocol._handle_notification = record
    return log


async def next_push(log: list, uri: str, seen: int = 0) -> types.PublishDiagnosticsParams:
    """Push number ``seen + 1`` for ``uri`` in ``log``, waiting up to 30 s."""
    for _ in range(3000):
        mine = [p for p in log if p.uri == uri]
        if len(mine) > seen:
            return mine[seen]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no push number {seen + 1} for {uri}")


def request(client, method: str, params, msg_id: str) -> asyncio.Future:
    """The reply to one request sent now; a reply that never comes fails the test after 30 s."""
    return asyncio.ensure_future(asyncio.wait_for(
        asyncio.wrap_future(client.protocol.send_request(method, params, msg_id=msg_id)), 30))


def pull_params(uri: str) -> types.DocumentDiagnosticParams:
    return types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))


@contextlib.contextmanager
def one_write(client):
    """The messages sent inside reach the server's pipe in one write, so it reads them together."""
    writer, parts = client.protocol.writer, []

    class Gather:
        def write(self, data):
            parts.append(data)

    client.protocol.writer = Gather()
    try:
        yield
    finally:
        client.protocol.writer = writer
        writer.write(b"".join(parts))


async def keep_busy(client, tmp_path: Path, name: str) -> asyncio.Future:
    """The outline of a long prompt just edited: the event loop is busy parsing it for a while.

    The prompt is opened (and its push awaited) first, so what follows is small messages
    that reach the server's pipe at once: an edit, and the outline request.
    """
    uri = open_doc(client, tmp_path / f"{name}.poml", long_prompt(400, name))
    await request(client, types.TEXT_DOCUMENT_DIAGNOSTIC, pull_params(uri), f"open-{name}")
    insert(client, uri, 2, 1, " ")
    return request(client, types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
                   types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)), f"busy-{name}")


async def test_pull_sent_before_an_edit_answers_for_the_newest_version(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", CLEAN)
    busy = await keep_busy(client, tmp_path, "busy1")
    with one_write(client):
        stale = request(client, types.TEXT_DOCUMENT_DIAGNOSTIC, pull_params(uri), "stale-pull")  # version 1: clean
        replace_all(client, uri, 2, BROKEN)
    await busy
    report = await stale
    assert [d.code for d in report.items] == ["PomlTemplateError"], "answered for version 2, never for version 1"


async def test_cancel_request_is_honoured(client, tmp_path):
    uri = open_doc(client, tmp_path / "b.poml", CLEAN)
    busy = await keep_busy(client, tmp_path, "busy2")
    with one_write(client):
        stale = request(client, types.TEXT_DOCUMENT_DIAGNOSTIC, pull_params(uri), "cancelled-pull")
        replace_all(client, uri, 2, BROKEN)
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancelled-pull"))
        fresh = request(client, types.TEXT_DOCUMENT_DIAGNOSTIC, pull_params(uri), "fresh-pull")
    await busy
    with pytest.raises(JsonRpcRequestCancelled):
        await stale
    assert [d.code for d in (await fresh).items] == ["PomlTemplateError"]


async def test_preview_and_code_lens_sent_before_an_edit_show_the_newest_version(client, tmp_path):
    uri = open_doc(client, tmp_path / "c.poml", "<poml>\n<p>{{ 1 + 1 }}</p>\n</poml>\n")
    busy = await keep_busy(client, tmp_path, "busy3")
    with one_write(client):
        preview = request(client, "poml/preview", {"uri": uri, "context": None, "chat": True}, "stale-preview")
        lenses = request(client, types.TEXT_DOCUMENT_CODE_LENS,
                         types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)), "stale-lens")
        replace_all(client, uri, 2, "<poml>\n<p>{{ 2 * 3 }} and {{ 4 * 5 }}</p>\n</poml>\n")
    await busy
    result = await preview
    assert result.version == 2 and result.messages[0].content == "6 and 20"
    assert [lens.command.arguments[1] for lens in await lenses] == ["2 * 3", "4 * 5"]


async def test_a_burst_of_edits_pushes_once_for_the_last_version(client, tmp_path):
    log = recorded_pushes(client)
    uri = open_doc(client, tmp_path / "d.poml", CLEAN)
    opened = await next_push(log, uri)
    assert opened.version == 1 and not opened.diagnostics
    text = CLEAN
    for version in range(2, 22):  # twenty keystrokes inside one debounce period
        text = text.replace("fine", "fine!", 1)
        replace_all(client, uri, version, text if version < 21 else BROKEN)
    pushed = await next_push(log, uri, seen=1)
    assert pushed.version == 21, "no push for the versions typed over"
    await asyncio.sleep(0.5)
    assert len([p for p in log if p.uri == uri]) == 2, "one push for the whole burst"
    assert [d.code for d in pushed.diagnostics] == ["PomlTemplateError"]


async def test_completion_stays_responsive_while_typing_in_a_500_line_prompt(client, tmp_path):
    text = long_prompt(166, "typing")
    assert text.count("\n") >= 500
    uri = open_doc(client, tmp_path / "typing.poml", text)
    doc = types.TextDocumentIdentifier(uri=uri)
    tag_line = 2  # '  <p for=...>' of the first section: attribute names complete at column 5
    await client.text_document_completion_async(types.CompletionParams(
        text_document=doc, position=types.Position(line=tag_line, character=5)))

    async def diagnostics_after_edit(version: int) -> float:
        insert(client, uri, version, 200, " ")
        t = time.perf_counter()
        await client.text_document_diagnostic_async(pull_params(uri))
        return time.perf_counter() - t

    renders = [await diagnostics_after_edit(v) for v in range(2, 8)]
    waits, pulls, version = [], [], 8
    for version in range(8, 48):  # keystrokes 20 ms apart, each with a pull as VS Code's client sends
        if pulls and not pulls[-1].done():
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=f"typing-{version - 1}"))
        insert(client, uri, version, 300, "x")
        pulls.append(request(client, types.TEXT_DOCUMENT_DIAGNOSTIC, pull_params(uri), f"typing-{version}"))
        t = time.perf_counter()
        result = await asyncio.wait_for(client.text_document_completion_async(types.CompletionParams(
            text_document=doc, position=types.Position(line=tag_line, character=5))), 30)
        waits.append(time.perf_counter() - t)
        assert {"for", "if", "speaker"} <= {i.label for i in result.items}
        await asyncio.sleep(0.02)
    outcomes = await asyncio.gather(*pulls, return_exceptions=True)
    assert not isinstance(outcomes[-1], BaseException), "the newest pull is answered"
    assert all(isinstance(o, JsonRpcRequestCancelled) or not isinstance(o, BaseException) for o in outcomes)
    # bounded: a completion shares the interpreter with at most the render of the keystroke
    # before (it never waits for renders to queue up), so it stays within two round trips
    assert statistics.median(waits) < 2 * statistics.median(renders), (waits, renders)
    assert max(waits) < 4 * max(renders) + 0.5, (waits, renders)
