"""The ``compress`` command registered on a typer app."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner



@pytest.fixture(scope="module")
def app(cli_app):
    return cli_app


def test_compress_file_prints_text_and_summary(app, model_dirs, tmp_path, texts):
    f = tmp_path / "in.txt"
    f.write_text(texts["meetingbank_excerpt"], encoding="utf-8")
    res = CliRunner().invoke(app, ["compress", str(f), "--rate", "0.4", "--model", model_dirs["bert"],
                                   "--device", "cpu", "-f", "\\n"])
    assert res.exit_code == 0, res.output
    assert "cl100k tokens" in res.output and "->" in res.output


def test_compress_stdin_compat(app, model_dirs):
    res = CliRunner().invoke(app, ["compress", "-", "--model", model_dirs["xlmr"], "--compat",
                                   "--rate", "0.5"], input="Hello there. This is a test of the CLI.\n")
    assert res.exit_code == 0, res.output


def test_jsonl_roundtrip(app, model_dirs, tmp_path, texts):
    src = tmp_path / "data.jsonl"
    rows = [{"id": i, "body": t} for i, t in enumerate(list(texts.values())[:6])]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["compress", "--input", str(src), "--field", "body", "--output", str(out),
                                   "--model", model_dirs["bert"], "--no-progress", "--word-probs"])
    assert res.exit_code == 0, res.output
    got = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in got] == list(range(6))
    for g in got:
        c = g["compression"]
        assert c["compressed_tokens"] <= c["origin_tokens"]
        assert len(c["words"]) == len(c["labels"]) == len(c["word_probs"])


def test_clear_errors(app, model_dirs, tmp_path):
    r = CliRunner().invoke(app, ["compress", str(tmp_path / "missing.txt"), "--model", model_dirs["bert"]])
    assert r.exit_code == 1 and "no such file" in r.output
    r = CliRunner().invoke(app, ["compress", "-", "--model", str(tmp_path / "nomodel")], input="x")
    assert r.exit_code == 1 and "error:" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["compress"])
    assert r.exit_code == 1
