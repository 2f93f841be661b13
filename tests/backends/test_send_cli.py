"""`poml send` against the Ollama-shaped server: one prompt, streaming, and a JSONL of contexts."""

import json

from typer.testing import CliRunner

from poml.cli import app

from _servers import ollama


def test_send_stream_json_and_jsonl(tmp_path):
    prompt = tmp_path / "p.poml"
    prompt.write_text("<poml><p>hello {{name}}</p></poml>")
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"name": f"n{i}"}) + "\n" for i in range(12)))
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    with ollama() as (url, bodies):
        r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:llama3", "--base-url", url, "-c", "name=Ada"])
        assert r.exit_code == 0 and r.stdout.strip() == "you said: hello Ada"
        r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:llama3", "--base-url", url, "-c", "name=Bo",
                                "--stream", "--json"])
        assert r.exit_code == 0 and json.loads(r.stdout.splitlines()[-1])["text"] == "you said: hello Bo"
        r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:llama3", "--base-url", url, "--contexts", str(rows),
                                "-o", str(out), "--no-progress"])
        assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["reply"]["text"] for x in lines] == [f"you said: hello n{i}" for i in range(12)]
    r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:llama3", "--base-url", "http://127.0.0.1:9",
                            "--max-retries", "0", "-c", "name=x"])
    assert r.exit_code == 1 and "could not reach" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:l", "--base-url", "http://127.0.0.1:9"])
    assert r.exit_code == 1 and "name" in r.output and "Traceback" not in r.output  # render error, nothing sent
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1]\n")
    r = runner.invoke(app, ["send", str(prompt), "-m", "ollama:l", "--base-url", url, "--contexts", str(bad)])
    assert r.exit_code == 1 and "bad.jsonl:1" in r.output
