"""The pygls wiring: document sync, debounced push diagnostics, pull diagnostics, features, commands.

Stale work: the requests that render (pull diagnostics, ``poml/preview``) and code
lenses are coroutines, so they run only after the messages already received, a
newer ``didChange`` or a ``$/cancelRequest``, have been handled (the pipe reader of
``_transport.py`` reads them without leaving the loop). A cancelled one never starts,
or stops waiting for its render (pygls answers it with RequestCancelled); the others
answer for the newest text, whatever version they were sent for. Renders run on one
worker thread, so the cheap requests (completion, hover...), which stay synchronous and
never render, are answered while a render is going on.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, Callable, Optional, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from . import _features as features
from ._convert import to_lsp
from ._engine import Analysis, WorkspaceEngine
from ._format import format_edits
from ._idle import IdleCollector
from ._positions import LineIndex
from ._transport import PipeReader, readable_on_loop

PREVIEW = "poml/preview"
DEBOUNCE_S = 0.15
CATCH_UP = 3  # renders one request may start while edits keep arriving, before it answers with the last
SWITCH_INTERVAL_S = 0.001  # how soon the event loop gets the interpreter back from a render (CPython: 5 ms)
logger = logging.getLogger(__name__)
T = TypeVar("T")


class PomlProtocol(LanguageServerProtocol):
    """pygls's protocol, telling the idle collector about every message."""

    def handle_message(self, message: Any) -> None:
        self._server.idle.touch()  # type: ignore[attr-defined]
        super().handle_message(message)


class PomlLanguageServer(LanguageServer):
    """One engine per server (one workspace); per-document debounce tasks."""

    def __init__(self) -> None:
        from .. import __version__

        super().__init__("poml-lsp", __version__, protocol_cls=PomlProtocol)
        self.engine = WorkspaceEngine()
        self.pending: dict[str, asyncio.Task] = {}
        self.related_info = True
        self.indexes: dict[str, LineIndex] = {}
        self.idle = IdleCollector()
        # One thread: renders run one at a time (the Environment's build cache is not shared
        # between concurrent renders) and off the event loop.
        self.renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poml-render")

    def start_io(self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None) -> None:
        """Serve over stdio: warm the engine, freeze it for the collector, read a pipe on the loop."""
        stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
        self.engine.warm()
        self.idle.start()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        try:
            if not readable_on_loop(stdin, stdout):
                super().start_io(stdin, stdout)
                return
            self._stop_event = threading.Event()
            self.protocol.set_writer(StdoutWriter(stdout))

            async def serve() -> None:
                await run_async(stop_event=self._stop_event, reader=await PipeReader.open(stdin),
                                protocol=self.protocol, logger=logger, error_handler=self.report_server_error)

            try:
                asyncio.run(serve())
            except BrokenPipeError:
                logger.error("the editor closed the connection; stopping")
            except (KeyboardInterrupt, SystemExit):
                pass
            finally:
                self.shutdown()
        finally:
            self.renderer.shutdown(wait=False, cancel_futures=True)
            self.idle.stop()

    def analysis(self, uri: str) -> tuple[Analysis, LineIndex]:
        doc = self.workspace.get_text_document(uri)
        a = self.engine.analyze(uri, doc.source, to_fs_path(uri))
        index = self.indexes.get(uri)
        if index is None or index.text is not a.text:
            index = self.indexes[uri] = LineIndex(a.text)
        return a, index

    def diagnostics_of(self, a: Analysis, index: LineIndex) -> list[types.Diagnostic]:
        """The LSP diagnostics of one version (renders it once; on the renderer thread)."""
        return to_lsp(a, self.engine.diagnose(a), index, self.related_info)

    def doc_version(self, uri: str) -> Optional[int]:
        return self.workspace.get_text_document(uri).version

    async def on_newest(self, uri: str, work: Callable[[Analysis, LineIndex], T],
                        rendered: Callable[[Analysis], bool]) -> tuple[Optional[int], T]:
        """``work`` on the newest version of ``uri``, on the renderer thread; again if an edit came meanwhile.

        ``rendered(analysis)`` says the render ``work`` needs is done already: then it runs here,
        without a thread switch (on a busy machine each one waits for a time slice). Returns the
        version the result is for. Cancelling the caller (a ``$/cancelRequest``, a newer edit's
        debounce) stops the wait; the render then finishes unseen.
        """
        loop = asyncio.get_running_loop()
        for _ in range(CATCH_UP):
            version = self.doc_version(uri)
            a, index = self.analysis(uri)
            if rendered(a):
                return version, work(a, index)
            result = await loop.run_in_executor(self.renderer, work, a, index)
            if self.doc_version(uri) == version:
                break
        return version, result

    async def newest_diagnostics(self, uri: str) -> tuple[Optional[int], list[types.Diagnostic]]:
        return await self.on_newest(uri, self.diagnostics_of, lambda a: a.diagnostics is not None)

    def schedule(self, uri: str, delay: float) -> None:
        """Push diagnostics after a pause in typing; a newer edit cancels the waiting (or rendering) one."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()

        async def later() -> None:
            await asyncio.sleep(delay)
            version, items = await self.newest_diagnostics(uri)
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=items))

        self.pending[uri] = asyncio.get_running_loop().create_task(later())


server = PomlLanguageServer()


def _offset(ls: PomlLanguageServer, uri: str, position: types.Position) -> tuple[Analysis, LineIndex, int]:
    a, index = ls.analysis(uri)
    return a, index, index.offset(position)


@server.feature(types.INITIALIZE)
def initialize(ls: PomlLanguageServer, params: types.InitializeParams) -> None:
    td = params.capabilities.text_document
    pd = td.publish_diagnostics if td else None
    ls.related_info = bool(pd and pd.related_information) or pd is None
    folders = [to_fs_path(f.uri) for f in (params.workspace_folders or [])]
    ls.engine.roots = [f for f in folders if f]


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PomlLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PomlLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    # The analysis follows the text (a new text is a new analysis): nothing to drop here.
    ls.schedule(params.text_document.uri, DEBOUNCE_S)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PomlLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    # Paired context/stylesheet and included files may have changed on disk.
    ls.engine.invalidate(params.text_document.uri, uris.to_fs_path(params.text_document.uri))
    ls.schedule(params.text_document.uri, 0)
    ls.workspace_diagnostic_refresh(None)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PomlLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.engine.invalidate(uri)
    ls.indexes.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched(ls: PomlLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:  # a file read by some prompt (an include, a table) changed on disk
        path = uris.to_fs_path(change.uri)
        if path:
            ls.engine.env.invalidate(path)
    for uri in list(ls.workspace.text_documents):
        ls.engine.invalidate(uri)
        ls.schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(identifier="poml", inter_file_dependencies=True, workspace_diagnostics=False))
async def pull_diagnostics(ls: PomlLanguageServer, params: types.DocumentDiagnosticParams):
    _, items = await ls.newest_diagnostics(params.text_document.uri)
    return types.RelatedFullDocumentDiagnosticReport(items=items)


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=["<", "/", " ", '"', "{"]))
def completion(ls: PomlLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    a, _, off = _offset(ls, params.text_document.uri, params.position)
    return types.CompletionList(is_incomplete=False, items=features.complete(a, off))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: PomlLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
    a, index, off = _offset(ls, params.text_document.uri, params.position)
    return features.hover(a, index, off)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PomlLanguageServer, params: types.DefinitionParams) -> Optional[types.Location]:
    a, index, off = _offset(ls, params.text_document.uri, params.position)
    return features.definition(a, index, params.text_document.uri, off)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: PomlLanguageServer, params: types.ReferenceParams) -> list[types.Location]:
    a, index, off = _offset(ls, params.text_document.uri, params.position)
    return features.references(a, index, params.text_document.uri, off, params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=False))
def rename(ls: PomlLanguageServer, params: types.RenameParams) -> Optional[types.WorkspaceEdit]:
    a, index, off = _offset(ls, params.text_document.uri, params.position)
    return features.rename(a, index, params.text_document.uri, off, params.new_name)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: PomlLanguageServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    a, index = ls.analysis(params.text_document.uri)
    return features.symbols(a, index)


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
def folding(ls: PomlLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    a, index = ls.analysis(params.text_document.uri)
    return features.folding(a, index)


@server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                types.SemanticTokensLegend(token_types=features.TOKEN_TYPES, token_modifiers=[]))
def semantic_tokens(ls: PomlLanguageServer, params: types.SemanticTokensParams) -> types.SemanticTokens:
    a, index = ls.analysis(params.text_document.uri)
    return types.SemanticTokens(data=features.semantic_tokens(a, index))


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
async def code_lens(ls: PomlLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    a, index = ls.analysis(params.text_document.uri)
    return features.code_lenses(a, index, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PomlLanguageServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    a, index = ls.analysis(params.text_document.uri)
    return [types.TextEdit(range=index.range(s, e), new_text=new)
            for s, e, new in format_edits(a.text, a.outline.elements)]


@server.command(features.EVALUATE)
def evaluate(ls: PomlLanguageServer, *args: Any) -> dict:
    """Arguments: ``uri, expression, offset`` (the code lenses) or one ``{uri, expression, range}`` (the editor)."""
    args = tuple(_plain(x) for x in args)
    if len(args) == 1 and isinstance(args[0], dict):
        spec = args[0]
        uri, expression = spec.get("uri"), spec.get("expression")
        start = (spec.get("range") or {}).get("start")
        a, index = ls.analysis(uri)
        offset = index.offset(types.Position(line=start["line"], character=start["character"])) if start else 10**9
    elif len(args) >= 2:
        uri, expression = args[0], args[1]
        offset = int(args[2]) if len(args) > 2 else 10**9
        a, _ = ls.analysis(uri)
    else:
        raise ValueError(f"{features.EVALUATE} expects (uri, expression[, offset]) or {{uri, expression, range}}")
    result = ls.engine.evaluate(a, str(expression), offset)
    shown = result["error"] if result["error"] else repr(result["value"])
    ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=f"{expression} = {shown}"))
    return result


def _plain(value: Any) -> Any:
    """pygls hands custom-request params over as named tuples; the engine wants dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@server.feature(PREVIEW)
async def preview(ls: PomlLanguageServer, params: Any) -> dict:
    """``{"uri", "context": dict|null, "chat": bool=true}`` -> messages with token counts (docs/editor.md).

    The result names the document ``version`` it was rendered from: the newest one.
    """
    params = _plain(params)
    if not isinstance(params, dict) or not isinstance(params.get("uri"), str):
        raise ValueError('poml/preview expects {"uri": str, "context": object|null, "chat": bool}')
    context = params.get("context")
    if context is not None and not isinstance(context, dict):
        raise ValueError("poml/preview: context must be a JSON object or null")
    chat = params.get("chat", True)
    chat = True if chat is None else bool(chat)
    version, result = await ls.on_newest(params["uri"], lambda a, _: features.preview(ls.engine, a, context, chat),
                                         lambda a: context is None and chat and a.rendered is not None)
    result["version"] = version
    return result
