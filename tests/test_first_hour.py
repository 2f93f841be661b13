"""A new user's first hour, in a virtual environment built from this checkout.

``plain``: ``python -m venv`` (no system packages) and ``pip install <checkout>`` (not editable):
only the core dependencies. ``extras``: the same install, with this machine's already installed
third-party packages (torch, transformers...) on the path, as after ``pip install ".[compress]"``.
Each command a new user meets is run as they would run it (console scripts, another folder) and
must end in one clear message and the right exit status, never a traceback. The venvs are built
once per session (about a minute, needs the package index for pyyaml/pydantic/typer).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import time
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
_COPY_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist", "demo-model",
                                      ".hypothesis", ".pytest_cache", "traces")


class Env:
    """A venv with poml-native installed; ``run`` executes one of its console scripts."""

    def __init__(self, root: Path, work: Path):
        self.bin = root / "bin"
        self.work = work

    def run(self, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        full_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        full_env.update(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}", NO_COLOR="1", COLUMNS="100",
                        HF_ENDPOINT="http://127.0.0.1:9", **(env or {}))  # a closed local port: never the real hub
        cmd = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(cmd, cwd=self.work, env=full_env, capture_output=True, text=True, timeout=timeout)


def _build(tmp: Path, name: str, with_extras: bool) -> Env:
    root = tmp / name
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(root)
    if with_extras:  # this machine's packages, without running their .pth files (no editable poml on the path)
        site = next((root / "lib").glob("python*/site-packages"))
        (site / "machine-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    src = tmp / f"{name}-src"
    shutil.copytree(REPO, src, ignore=_COPY_IGNORE)
    pip = [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if with_extras:
        pip += ["--no-deps"]
    started = time.monotonic()
    done = subprocess.run([*pip, str(src)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"could not install the checkout into a fresh venv (package index unreachable?): "
                    f"{done.stderr.strip()[-600:]}")
    print(f"\n{name} venv: pip install took {time.monotonic() - started:.1f} s")
    work = tmp / f"{name}-work"
    work.mkdir()
    (work / "typo.poml").write_text("<poml>\n  <tsak>Summarise</tsak>\n</poml>\n")
    (work / "latin1.poml").write_bytes("<poml><p>caf\xe9</p></poml>".encode("latin-1"))
    (work / "ok.poml").write_text("<poml><task>Do {{ n + 1 }}</task><output-schema>{\"type\": \"object\"}"
                                  "</output-schema><runtime temperature=\"0.2\"/></poml>")
    (work / "drop.poml").write_text("<poml><p>kept {{ a</p><foo>gone</foo></poml>")
    (work / "meeting.txt").write_text((REPO / "docs" / "examples" / "meeting.txt").read_text())
    return Env(root, work)


@pytest.fixture(scope="session")
def plain(tmp_path_factory) -> Env:
    return _build(tmp_path_factory.mktemp("first-hour"), "plain", with_extras=False)


@pytest.fixture(scope="session")
def extras(tmp_path_factory) -> Env:
    pytest.importorskip("torch", reason="the extras venv reuses this machine's torch")
    pytest.importorskip("transformers", reason="the extras venv reuses this machine's transformers")
    return _build(tmp_path_factory.mktemp("first-hour"), "extras", with_extras=True)


def _clean(result: subprocess.CompletedProcess, code: int) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert result.returncode == code, out
    return out


PUBLISHED_HINT = 'pip install "poml-native[compress]"'


def test_version_and_help(plain):
    assert _clean(plain.run("poml", "--version"), 0).strip() == "poml-native 0.1.0"
    help_text = _clean(plain.run("poml", "--help"), 0)
    assert all(verb in help_text for verb in ("render", "compress", "guard", "train", "send", "lsp"))
    cli_help = _clean(plain.run("poml-cli", "--help"), 0)
    assert "A .poml file to render." in cli_help and "located warning" in cli_help
    assert _clean(plain.run("poml-cli", "--version"), 0).strip() == "poml-native 0.1.0"


def test_render_paths_that_are_not_prompts(plain):
    assert "is a folder" in _clean(plain.run("poml", "render", "."), 1)
    assert "latin1.poml: error: not UTF-8 text" in _clean(plain.run("poml", "render", "latin1.poml"), 1)
    assert "nope.poml: error: file not found" in _clean(plain.run("poml", "render", "nope.poml"), 1)
    assert "Missing argument" in _clean(plain.run("poml", "render"), 2)
    assert "No such command" in _clean(plain.run("poml", "sned"), 2)


def test_render_error_is_located(plain):
    out = _clean(plain.run("poml", "render", "typo.poml"), 1)
    assert out.startswith("typo.poml:2:4: error: Component tsak not found. Do you mean: task?")


def test_render_context_values_and_pretty_sections(plain):
    out = _clean(plain.run("poml", "render", "ok.poml", "-c", "n=3"), 0)
    assert "Do 4" in out and "===== output schema =====" in out and "===== runtime =====" in out
    assert "Do 9" in _clean(plain.run("poml", "render", "ok.poml", "-c", '{"n": 8}'), 0)
    assert "Do 2" in _clean(plain.run("poml-cli", "-f", "ok.poml", "-c", "n=1"), 0)


def test_non_strict_drops_are_located_warnings(plain):
    result = plain.run("poml-cli", "-f", "drop.poml", "--strict", "false", "--chat", "false")
    _clean(result, 0)
    assert json.loads(result.stdout) == {"messages": "kept {{ a\n\n# foo\n\ngone"}  # lenient: foo is a section
    assert 'drop.poml:1:24: warning: Unknown tag <foo> rendered as a section captioned "foo"' in result.stderr
    assert "drop.poml:1:15: warning: unterminated '{{'" in result.stderr


def test_components_know_the_language_tags(plain):
    listing = _clean(plain.run("poml", "components"), 0)
    for tag in ("include", "let", "output-schema", "tool-definition", "runtime", "stylesheet", "context"):
        assert any(line.startswith(tag) for line in listing.splitlines()), tag
    assert "attributes:\n  src (string, required)" in _clean(plain.run("poml", "components", "include"), 0)
    (plain.work / "schema-typo.poml").write_text("<poml><output-schma>{}</output-schma></poml>")
    assert "Do you mean: output-schema" in _clean(plain.run("poml", "render", "schema-typo.poml"), 1)


@pytest.mark.parametrize("args", [("compress", "meeting.txt"), ("compress", "--demo-model", "demo"),
                                  ("compress", "meeting.txt", "--model", "./none")])
def test_compress_without_the_extra_names_the_install(plain, args):
    out = _clean(plain.run("poml", *args), 1).strip()
    assert len(out.splitlines()) == 1, out
    assert ("'numpy' package" in out or "'torch' package" in out) and out.endswith(PUBLISHED_HINT), out


def test_compress_offline_with_the_demo_model(extras):
    made = _clean(extras.run("poml", "compress", "--demo-model", "demo", "--no-progress"), 0)
    assert "untrained demo model" in made and (extras.work / "demo" / "config.json").is_file()
    result = extras.run("poml", "compress", "meeting.txt", "--model", "demo", "--no-progress")
    _clean(result, 0)
    assert result.stdout.strip() and "cl100k tokens" in result.stderr
    assert "untrained demo model" in result.stderr and "Loading weights" not in result.stderr


def test_compress_model_errors_are_immediate(extras):
    out = _clean(extras.run("poml", "compress", "meeting.txt", "--model", "./no-such-model"), 1)
    assert out.strip() == "error: no such folder: ./no-such-model"
    started = time.monotonic()
    out = _clean(extras.run("poml", "compress", "meeting.txt", "--model", "someorg/not-cached-model"), 1)
    assert "hub not reachable for someorg/not-cached-model: pass --model ./folder" in out
    assert time.monotonic() - started < 60  # import time on a busy machine; no 27 s of retries on top
    out = _clean(extras.run("poml", "compress", "meeting.txt", "--model", "someorg/not-cached-model",
                            env={"HF_HUB_OFFLINE": "1"}), 1)
    assert "not in the local hub cache and HF_HUB_OFFLINE is set" in out
