"""``poml train``: make a pair set, train on it, report; bad input gets one clear line."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch", reason="training needs the compress extra (torch)")

from poml.cli import app

runner = CliRunner()


def test_make_transcripts_then_train_a_compressor(tmp_path):
    data = tmp_path / "tr"
    res = runner.invoke(app, ["train", "--make-transcript-pairs", str(data), "--n-train", "48",
                              "--n-test", "12"])
    assert res.exit_code == 0, res.output
    made = json.loads(res.output)
    assert made["train_pairs"] == 48 and (data / "test.jsonl").is_file()
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", str(data / "train.jsonl"), "--eval", str(data / "test.jsonl"),
                              "-o", str(out), "--epochs", "2", "--max-length", "96", "--no-progress",
                              "--shape", "tiny"])
    assert res.exit_code == 0, res.output
    assert "eval keep-word F1" in res.output
    report = json.loads((out / "train_report.json").read_text())
    assert [r["epoch"] for r in report["history"]] == [1, 2]
    assert (out / "train_report.png").stat().st_size > 1000

    from compressor import Compressor

    result = Compressor(out, device="cpu").compress("Um, the council, you know, will vote.", rate=0.5)
    assert result.compressed_tokens <= result.origin_tokens


def test_missing_inputs_are_one_line_errors(tmp_path):
    res = runner.invoke(app, ["train"])
    assert res.exit_code == 1 and "error: give the training DATA" in res.output
    res = runner.invoke(app, ["train", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "error: no such file" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n')
    res = runner.invoke(app, ["train", str(bad), "-o", str(tmp_path / "o"), "--no-progress"])
    assert res.exit_code == 1 and "none of the fields" in res.output
    assert "Traceback" not in res.output
