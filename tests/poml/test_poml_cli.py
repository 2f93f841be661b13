"""The command line: `poml render`, `poml components`, and the reference-compatible `poml-cli`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from poml.cli import app, entrypoint

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "quickstart.poml"
CONTEXT = REPO / "docs" / "examples" / "quickstart.context.json"
runner = CliRunner()


def test_render_prints_pretty_messages_for_the_shipped_example():
    result = runner.invoke(app, ["render", str(EXAMPLE), "--context", str(CONTEXT)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("===== system =====\n\n# Role\n\nYou are a patient teacher")
    assert "===== human =====\n\nWhy are leaves green?" in result.output


def test_render_formats_and_key_value_context(tmp_path):
    f = tmp_path / "p.poml"
    f.write_text("<poml><task>Hi {{ who }}</task></poml>")
    result = runner.invoke(app, ["render", str(f), "-c", "who=Bo", "--format", "openai_chat", "--no-chat"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["messages"] == [{"role": "user", "content": "# Task\n\nHi Bo"}]


def test_render_reads_standard_input():
    result = runner.invoke(app, ["render", "-", "--format", "message_dict"], input="<p>from stdin</p>")
    assert json.loads(result.output) == [{"speaker": "human", "content": "from stdin"}]


def test_render_error_is_a_located_message_and_exit_1(tmp_path):
    f = tmp_path / "bad.poml"
    f.write_text("<poml>\n  <tsak>x</tsak>\n</poml>")
    result = runner.invoke(app, ["render", str(f)])
    assert result.exit_code == 1
    assert f"{f}:2:4: error: Component tsak not found" in result.output
    assert "Traceback" not in result.output


def test_render_missing_file(tmp_path):
    result = runner.invoke(app, ["render", str(tmp_path / "none.poml")])
    assert result.exit_code == 1 and "file not found" in result.output


def test_components_lists_the_registry():
    result = runner.invoke(app, ["components"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("Task") for line in lines)
    assert any(line.startswith("CaptionedParagraph") and "caption" in line for line in lines)


def test_poml_cli_matches_the_reference_flags(tmp_path, capsys):
    f = tmp_path / "p.poml"
    f.write_text("<p>Hello {{x}}</p>")
    out = tmp_path / "out.json"
    assert entrypoint(["-f", str(f), "--context", "x=7", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == {"messages": [{"speaker": "human", "content": "Hello 7"}]}
    assert entrypoint(["-i", "<p>a</p>", "--chat", "false", "--prettyPrint", "true"]) == 0
    assert capsys.readouterr().out == "a"


def test_poml_cli_reports_errors_with_status_1(capsys):
    assert entrypoint(["-i", "<poml><p>{{ 1 + }}</p></poml>"]) == 1
    assert "error" in capsys.readouterr().err


def test_python_dash_m_poml_runs_in_a_fresh_interpreter():
    proc = subprocess.run([sys.executable, "-m", "poml", "render", str(EXAMPLE), "--context", str(CONTEXT),
                           "--format", "dict"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["messages"][1]["speaker"] == "human"
