"""Language-server latency over real stdio sessions, this tree side by side with a baseline (not collected by pytest).

Starts ``python -m poml.lsp`` from this tree and, with ``--baseline REF``, the same server
from a git ref of this repository (``git archive`` into a temporary folder), opens a
generated 500-line prompt and an example in both, and times what an editor waits for,
alternating the two servers round by round so the machine's load weighs on both alike:

* diagnostics after an edit: ``didChange`` (one inserted character) then a pull
  ``textDocument/diagnostic``, until the reply (target <= 30 ms median);
* completion of attribute names inside a tag, document unchanged (target <= 10 ms median);
* ``poml/preview`` of an example (target <= 20 ms median);
* completion while typing: keystrokes 30 ms apart, each a ``didChange``, a pull for
  diagnostics that is not waited for (the previous one cancelled with ``$/cancelRequest``,
  as VS Code's client does) and a completion request, timed until the completion
  reply (target <= 10 ms median), and how many diagnostics pushes the burst caused.

    python tests/benchmarks/bench_lsp.py                             # 40 rounds, this tree only
    python tests/benchmarks/bench_lsp.py --rounds 60 --baseline main  # side by side with main
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Awaitable, Callable, Optional

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402

EXAMPLES = Path(os.environ.get("POML_EXAMPLES", "/work/shared/poml-examples/examples"))
MEASURES = {  # name -> target median in ms
    "diagnostics after edit (500 lines)": 30,
    "completion": 10,
    "preview (example)": 20,
    "completion while typing (500 lines)": 10,
}
KEYSTROKE_S = 0.03


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


def engine_only(text: str, rounds: int) -> tuple[list[float], list[float]]:
    """This tree's analyze (parse, outline) and diagnose (render) after an edit, in process."""
    from poml.lsp._convert import to_lsp
    from poml.lsp._engine import WorkspaceEngine
    from poml.lsp._positions import LineIndex

    engine, analyze, diagnose = WorkspaceEngine(), [], []
    for i in range(rounds + 1):
        edited = text.replace("\n", "\n ", 1) + " " * i
        t = time.perf_counter()
        a = engine.analyze("u", edited, "/nonexistent/big.poml")
        t2 = time.perf_counter()
        to_lsp(a, engine.diagnose(a), LineIndex(a.text))
        analyze.append((t2 - t) * 1000)
        diagnose.append((time.perf_counter() - t2) * 1000)
    return analyze[1:], diagnose[1:]


def checkout(ref: str) -> Path:
    """``ref`` of this repository in a temporary folder (a folder is used as it is)."""
    if Path(ref).is_dir():
        return Path(ref).resolve()
    where = Path(tempfile.mkdtemp(prefix="poml-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


class Session:
    """One server over stdio with the benchmark's two documents open."""

    def __init__(self, label: str, tree: Path, text: str, example: Path):
        self.label, self.tree, self.text, self.example = label, tree, text, example
        self.client = LanguageClient("bench", "1")
        self.pushes: list[int] = []
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(
            lambda params: self.pushes.append(params.version or -1))
        self.version = 1
        self.pending_pull: Optional[tuple[str, asyncio.Future]] = None

    async def start(self, folder: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(self.tree) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        await self.client.start_io(sys.executable, "-m", "poml.lsp", env=env, cwd=str(folder))
        await self.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        self.client.initialized(types.InitializedParams())
        big = folder / f"big-{re.sub(r'[^A-Za-z0-9]+', '-', self.label)}.poml"
        big.write_text(self.text, encoding="utf-8")
        self.uri = self.open(big, self.text)
        self.doc = types.TextDocumentIdentifier(uri=self.uri)
        self.ex_uri = self.open(self.example, self.example.read_text(encoding="utf-8"))
        self.tag_line = next(i for i, ln in enumerate(self.text.splitlines()) if ln.startswith("  <p>"))

    def open(self, path: Path, text: str) -> str:
        uri = from_fs_path(str(path))
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="poml", version=1, text=text)))
        return uri

    def edit(self) -> None:
        """Insert one space at the start of a line in the middle part of the prompt."""
        self.version += 1
        line = 2 + self.version % 400
        at = types.Position(line=line, character=0)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=" ")]))

    def completion(self) -> Awaitable:
        return self.client.text_document_completion_async(types.CompletionParams(
            text_document=self.doc, position=types.Position(line=self.tag_line, character=4)))

    async def edit_then_diagnose(self) -> None:
        self.edit()
        await self.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=self.doc))

    async def preview(self) -> None:
        await self.client.protocol.send_request_async("poml/preview", {"uri": self.ex_uri, "context": None, "chat": True})

    async def keystroke(self) -> None:
        """What an editor sends for one typed character; the timed part is the completion."""
        if self.pending_pull is not None and not self.pending_pull[1].done():
            self.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=self.pending_pull[0]))
        self.edit()
        msg_id = f"pull-{self.label}-{self.version}"
        future = self.client.protocol.send_request(
            types.TEXT_DOCUMENT_DIAGNOSTIC, types.DocumentDiagnosticParams(text_document=self.doc), msg_id=msg_id)
        future.add_done_callback(lambda f: f.exception())  # a cancelled pull is expected, not an error
        self.pending_pull = (msg_id, future)
        await self.completion()

    def cpu_ms(self) -> float:
        """CPU time the server process has used (user + system): steady under load, unlike wall time."""
        try:
            fields = Path(f"/proc/{self.client._server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, AttributeError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


Timings = dict[str, list[float]]  # server label -> wall ms per round
CpuUse = dict[str, float]          # server label -> server CPU ms per round


async def interleaved(sessions: list[Session], rounds: int,
                      step: Callable[[Session], Awaitable]) -> tuple[Timings, CpuUse]:
    """``rounds`` timed steps per session, alternating which session goes first."""
    times: Timings = {s.label: [] for s in sessions}
    cpu = {s.label: 0.0 for s in sessions}
    for s in sessions:
        await step(s)  # warm
    for r in range(rounds):
        for s in (sessions if r % 2 == 0 else sessions[::-1]):
            c, t = s.cpu_ms(), time.perf_counter()
            await step(s)
            times[s.label].append((time.perf_counter() - t) * 1000)
            cpu[s.label] += s.cpu_ms() - c
    return times, {k: v / rounds for k, v in cpu.items()}


async def typing(sessions: list[Session], rounds: int) -> tuple[Timings, CpuUse, dict[str, str]]:
    """A burst of keystrokes on each server in turn, then the diagnostics it pushed once typing stopped."""
    times, cpu, pushes = {}, {}, {}
    for s in sessions:
        await asyncio.sleep(0.5)  # let the previous measure's pushes settle
        s.pushes.clear()
        first = s.version + 1
        out = []
        c = s.cpu_ms()
        for _ in range(rounds):
            t = time.perf_counter()
            await s.keystroke()
            out.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(KEYSTROKE_S)
        await asyncio.sleep(0.6)  # past the debounce: the final push arrives
        cpu[s.label] = (s.cpu_ms() - c) / rounds
        times[s.label] = out
        during = [v for v in s.pushes if first <= v < s.version]
        pushes[s.label] = (f"{len(s.pushes)} push(es) for {rounds} keystrokes, {len(during)} during the burst, "
                           f"last for version {s.pushes[-1] if s.pushes else None} of {s.version}")
    return times, cpu, pushes


def row(name: str, ts: list[float]) -> tuple[float, float]:
    return statistics.median(ts), sorted(ts)[int(0.9 * (len(ts) - 1))]


async def main(rounds: int, baseline: Optional[str]) -> None:
    text = big_prompt()
    example = EXAMPLES / "101_explain_character.poml"
    if not example.exists():
        example = ROOT / "tests" / "lsp" / "data" / "unicode.poml"
    folder = Path(tempfile.mkdtemp())
    sessions = [Session("this tree", ROOT, text, example)]
    if baseline:
        sessions.append(Session(f"baseline {baseline}", checkout(baseline), text, example))
    for s in sessions:
        await s.start(folder)
    results = {
        "diagnostics after edit (500 lines)": await interleaved(sessions, rounds, Session.edit_then_diagnose),
        "completion": await interleaved(sessions, rounds, lambda s: s.completion()),
        "preview (example)": await interleaved(sessions, rounds, Session.preview),
    }
    *typed, pushes = await typing(sessions, rounds)
    results["completion while typing (500 lines)"] = tuple(typed)
    for s in sessions:
        await s.stop()
    analyze, diagnose = engine_only(text, rounds)
    print(describe())
    print("(wall times scale with the load on a shared machine; the CPU column far less)")
    print(f"Python {platform.python_version()}, {rounds} rounds each, stdio sessions to python -m poml.lsp"
          + (", servers alternating round by round" if baseline else ""))
    print(f"in-process engine of this tree after an edit (500 lines): analyze {statistics.median(analyze):.2f} ms, "
          f"diagnose (render) {statistics.median(diagnose):.2f} ms median")
    print("server CPU: the server process's user+system time per round (/proc), which load inflates far less")
    head = f"{'measure':36} {'server':14} {'median ms':>9} {'p90 ms':>7} {'CPU ms':>7} {'target':>6}  within"
    print(head + ("  baseline/this (median, CPU)" if baseline else ""))
    for name, (by_server, cpu) in results.items():
        target = MEASURES[name]
        mine = statistics.median(by_server[sessions[0].label])
        for s in sessions:
            med, p90 = row(name, by_server[s.label])
            line = (f"{name:36} {s.label:14} {med:9.2f} {p90:7.2f} {cpu[s.label]:7.2f} {target:6d}  "
                    f"{'yes' if med <= target else 'NO ':3}")
            if baseline and s is not sessions[0]:
                line += f"  {med / mine:.2f}x, {cpu[s.label] / max(cpu[sessions[0].label], 1e-9):.2f}x"
            print(line)
    for label, line in pushes.items():
        print(f"typing, {label}: {line}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--baseline", help="a git ref (or a folder) to run side by side, e.g. main")
    args = p.parse_args()
    asyncio.run(main(args.rounds, args.baseline))
