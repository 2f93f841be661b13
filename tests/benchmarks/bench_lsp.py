"""Language-server latency over a real stdio session (not collected by pytest).

Starts ``python -m poml.lsp``, opens a generated 500-line prompt and an example, and times
what an editor waits for while typing:

* diagnostics after an edit: ``didChange`` (one inserted character) then a pull
  ``textDocument/diagnostic``, until the reply (target <= 30 ms median);
* completion of attribute names inside a tag (target <= 10 ms median);
* ``poml/preview`` of an example (target <= 20 ms median).

    python tests/benchmarks/bench_lsp.py              # 40 rounds each
    python tests/benchmarks/bench_lsp.py --rounds 100
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

EXAMPLES = Path(os.environ.get("POML_EXAMPLES", "/work/shared/poml-examples/examples"))
TARGETS_MS = {"diagnostics after edit (500 lines)": 30, "completion": 10, "preview (example)": 20}


def big_prompt(lines: int = 500) -> str:
    """A realistic long prompt: sections, lets, loops, conditions and expressions, one per line."""
    out = ["<poml>", '<let name="items" value="[1, 2, 3]"/>', '<role>You are a careful reviewer ✅.</role>']
    i = 0
    while len(out) + 6 < lines - 1:
        i += 1
        out += [
            f'<section><h>Part {i}</h>',
            f'  <p>Paragraph {i}: naïve café {{{{ items.length + {i} }}}} 😀</p>',
            f'  <list><item for="x in items" if="x > {i % 3}">Item {{{{ x * {i} }}}}</item></list>',
            f'  <let name="v{i}" value="{i} * 2"/>',
            f'  <hint>Value {{{{ v{i} }}}}</hint>',
            '</section>',
        ]
    while len(out) < lines - 1:
        out.append(f"<p>Closing note {len(out)}.</p>")
    return "\n".join(out + ["</poml>"]) + "\n"


def cpu_line() -> str:
    flags = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                have = line.split()
                flags = " ".join(f for f in ("avx2", "avx512f", "amx_tile") if f in have)
                break
        model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "")
    except OSError:
        model = platform.processor()
    return f"CPU: {model} ({os.cpu_count()} cores; flags: {flags or 'none of avx2/avx512f/amx'})"


async def timed(rounds: int, fn) -> list[float]:
    await fn()  # warm
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def engine_only(text: str, rounds: int) -> list[float]:
    """The same edit-then-diagnose work without the JSON-RPC round trip, to show the transport's share."""
    from poml.lsp._convert import to_lsp
    from poml.lsp._engine import WorkspaceEngine
    from poml.lsp._positions import LineIndex

    engine, times = WorkspaceEngine(), []
    for i in range(rounds + 1):
        edited = text.replace("\n", "\n ", 1) + " " * i
        t = time.perf_counter()
        engine.invalidate("u")
        a = engine.analyze("u", edited, "/nonexistent/big.poml")
        to_lsp(a, LineIndex(a.text))
        times.append((time.perf_counter() - t) * 1000)
    return times[1:]


async def main(rounds: int) -> None:
    client = LanguageClient("bench", "1")
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda params: None)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    await client.start_io(sys.executable, "-m", "poml.lsp", env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    tmp = Path(tempfile.mkdtemp())
    text = big_prompt()
    big = tmp / "big.poml"
    big.write_text(text, encoding="utf-8")
    uri = from_fs_path(str(big))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="poml", version=1, text=text)))
    doc = types.TextDocumentIdentifier(uri=uri)
    version = [1]

    async def edit_then_diagnose() -> None:
        version[0] += 1
        line = 2 + version[0] % 400
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version[0]),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)),
                text=" ")]))
        await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=doc))

    tag_line = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith("  <p>"))

    async def complete() -> None:
        await client.text_document_completion_async(types.CompletionParams(
            text_document=doc, position=types.Position(line=tag_line, character=4)))

    example = EXAMPLES / "101_explain_character.poml"
    if not example.exists():
        example = ROOT / "tests" / "lsp" / "data" / "unicode.poml"
    ex_uri = from_fs_path(str(example))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=ex_uri, language_id="poml", version=1, text=example.read_text(encoding="utf-8"))))

    async def preview() -> None:
        await client.protocol.send_request_async("poml/preview", {"uri": ex_uri, "context": None, "chat": True})

    results = {
        "diagnostics after edit (500 lines)": await timed(rounds, edit_then_diagnose),
        "completion": await timed(rounds, complete),
        "preview (example)": await timed(rounds, preview),
    }
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    print(cpu_line())
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures scale with it on a shared machine)")
    print(f"in-process engine only (WorkspaceEngine.analyze after an edit, 500 lines): "
          f"{statistics.median(engine_only(text, rounds)):.2f} ms median")
    print(f"Python {platform.python_version()}, {rounds} rounds each, stdio session to python -m poml.lsp")
    print(f"{'measure':38} {'median ms':>10} {'p90 ms':>8} {'target':>8}  within")
    for name, ts in results.items():
        med = statistics.median(ts)
        p90 = sorted(ts)[int(0.9 * (len(ts) - 1))]
        target = TARGETS_MS[name]
        print(f"{name:38} {med:10.2f} {p90:8.2f} {target:8d}  {'yes' if med <= target else 'NO'} ({med / target:.2f}x of target)")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=40)
    asyncio.run(main(p.parse_args().rounds))
