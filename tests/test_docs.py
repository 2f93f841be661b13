"""The examples in README.md and docs/*.md are executed, and their shown output compared.

Convention (docs/README.md): a fenced ``console`` block's ``$ `` lines are commands run from the
repository root (``poml``/``poml-cli``/``python`` are this checkout's), the lines up to the next
``$ `` are the expected standard output (bash runs them). A ``pycon`` block is a doctest. ``bash``/``python``/plain
blocks are not run: they are for commands that need a hub, a key or a long time.
"""
from __future__ import annotations

import doctest
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(console|pycon)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def _blocks(kind: str) -> list:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in _FENCE.finditer(text):
            if m.group(1) == kind:
                line = text.count("\n", 0, m.start()) + 1
                out.append(pytest.param(m.group(2), id=f"{page.relative_to(REPO)}:{line}"))
    return out


def _steps(block: str) -> list[tuple[str, str]]:
    """(command, expected stdout) pairs of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [(cmd, "\n".join(lines)) for cmd, lines in steps]


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.fixture(scope="session")
def shims(tmp_path_factory) -> dict:
    """PATH and PYTHONPATH so that `poml`, `poml-cli` and `python` in a doc are this checkout's."""
    bin_dir = tmp_path_factory.mktemp("doc-bin")
    for name, body in (("python", f'exec "{sys.executable}" "$@"'),
                       ("poml", f'exec "{sys.executable}" -m poml "$@"'),
                       ("poml-cli", f'exec "{sys.executable}" -c "from poml.cli import cli_entrypoint; cli_entrypoint()" "$@"')):
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               HF_HUB_OFFLINE="1", NO_COLOR="1", COLUMNS="100", TERM="dumb")
    return env


def _needs_missing_extra(command: str) -> str:
    """The extra a documented command needs when it is not installed here ('' when all is there)."""
    import importlib.util

    verb = command.split()[1] if command.startswith("poml ") and len(command.split()) > 1 else ""
    needs = {"compress": ("torch", "transformers"), "guard": ("torch", "transformers"),
             "train": ("torch", "transformers"), "send": ("httpx",), "lsp": ("pygls",)}.get(verb, ())
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    return f"`poml {verb}` needs {', '.join(missing)} (an extra)" if missing else ""


@pytest.mark.parametrize("block", _blocks("console"))
def test_console_block(block, shims):
    for command, expected in _steps(block):
        reason = _needs_missing_extra(command)
        if reason:
            pytest.skip(reason)
        run = subprocess.run(command, shell=True, executable="/bin/bash", cwd=REPO, env=shims, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in run.stdout + run.stderr, f"$ {command}\n{run.stderr}"
        assert _normal(run.stdout) == _normal(expected), f"$ {command}\nstderr:\n{run.stderr}"


@pytest.mark.parametrize("block", _blocks("pycon"))
def test_pycon_block(block, monkeypatch):
    monkeypatch.chdir(REPO)
    test = doctest.DocTestParser().get_doctest(block, {}, "doc", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda text: pytest.fail(text, pytrace=False))
    assert runner.summarize(verbose=False).failed == 0


def test_every_page_with_output_runs_something():
    """The pages this convention was written for keep at least one executed example."""
    ids = {p.id.split(":")[0] for p in _blocks("console") + _blocks("pycon")}
    assert {"README.md", "docs/quickstart.md", "docs/poml.md", "docs/compressor.md"} <= ids
