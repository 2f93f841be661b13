"""The VS Code extension builds, passes its own tests and packages, from the lockfile.

Runs vscode-ext's npm scripts (tsc, the client unit tests on a mocked ``vscode``, the TextMate
grammar tests) and ``vsce package``. Skips when Node/npm are not installed.
"""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "vscode-ext"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(NPM is None or shutil.which("node") is None, reason="needs node and npm")


def npm(*args: str, timeout: float = 300) -> str:
    proc = subprocess.run([NPM, *args], cwd=EXT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"npm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def installed() -> Path:
    # npm ci reinstalls from package-lock.json; skip it when the tree is already current.
    stamp = EXT / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < (EXT / "package-lock.json").stat().st_mtime:
        npm("ci", "--no-audit", "--no-fund")
    return EXT


def test_compiles_and_unit_and_grammar_tests_pass(installed: Path) -> None:
    out = npm("test")
    assert "# fail 0" in out
    assert "# pass" in out
    assert "tags.poml run successfuly" in out and "expressions.poml run successfuly" in out


def test_packages_a_vsix_with_the_grammar_and_compiled_client(installed: Path, tmp_path: Path) -> None:
    vsix = tmp_path / "poml-native.vsix"
    npm("exec", "--", "vsce", "package", "--out", str(vsix))
    with zipfile.ZipFile(vsix) as zf:
        names = set(zf.namelist())
    for required in (
        "extension/package.json",
        "extension/out/src/extension.js",
        "extension/syntaxes/poml.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/node_modules/vscode-languageclient/node.js",
    ):
        assert required in names, f"{required} missing from the .vsix"
    assert not any(n.startswith("extension/out/test/") or n.endswith(".ts") for n in names), "tests/sources leaked into the .vsix"
