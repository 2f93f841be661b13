"""Tracing: the in-memory log, the per-call files, indices across threads/processes, backends."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from poml import _trace
from poml._trace import clear_trace, get_trace, record_call, set_trace, trace_artifact

REPO = Path(__file__).resolve().parents[2]
RAW = json.dumps({"messages": [{"speaker": "human", "content": "Hi"}]})
PRETTY = "===== human =====\n\nHi"


@pytest.fixture(autouse=True)
def _clean_trace_state(monkeypatch):
    monkeypatch.delenv("POML_TRACE", raising=False)
    set_trace(False)
    clear_trace()
    yield
    set_trace(False)
    clear_trace()


def _call(markup="<p>Hi</p>", path=None, context=None, stylesheet=None, raw=RAW, fmt=None, context_arg=None,
          stylesheet_arg=None):
    """What poml.poml does around a render, without rendering."""
    rec = record_call(markup if path is None else path, markup, path,
                      context if context_arg is None else context_arg, context,
                      stylesheet if stylesheet_arg is None else stylesheet_arg, stylesheet)
    if rec is not None:
        rec.finish(raw, PRETTY, format=fmt)
    return rec


# ----------------------------------------------------------------------------- switching on and off

def test_off_by_default_records_nothing():
    assert _trace._enabled is False
    assert _call() is None
    assert get_trace() == []


def test_set_trace_true_logs_in_memory_without_files():
    assert set_trace(True) is None
    _call("<p>Trace Me</p>")
    traces = get_trace()
    assert len(traces) == 1
    assert traces[0]["markup"] == "<p>Trace Me</p>"
    assert traces[0]["result"] == {"messages": [{"speaker": "human", "content": "Hi"}]}
    assert "markup_path" not in traces[0] and "context" not in traces[0]


def test_set_trace_false_stops_logging():
    set_trace(True)
    _call()
    set_trace(False)
    _call()
    assert len(get_trace()) == 1


def test_backend_spellings():
    assert set_trace("local") is None and _trace._enabled
    set_trace([])
    assert not _trace._enabled
    set_trace(["weave", "mlflow"])
    assert _trace._enabled and _trace._remote == ("weave", "mlflow")
    with pytest.raises(ValueError, match="Unknown trace backend 'wandb'"):
        set_trace("wandb")


def test_trace_dir_gets_a_timestamped_run_folder(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    assert run_dir is not None and run_dir.parent == tmp_path
    assert re.fullmatch(r"\d{20}", run_dir.name)
    assert run_dir.is_dir()


def test_env_folder_is_used_as_is(tmp_path, monkeypatch):
    monkeypatch.setenv("POML_TRACE", str(tmp_path / "env"))
    assert set_trace(True) == tmp_path / "env"
    assert (tmp_path / "env").is_dir()


def test_init_from_env(tmp_path, monkeypatch):
    _trace._init_from_env()
    assert not _trace._enabled
    monkeypatch.setenv("POML_TRACE", str(tmp_path / "auto"))
    _trace._init_from_env()
    assert _trace._enabled and _trace._trace_dir == tmp_path / "auto"


def test_clear_and_copies():
    set_trace(True)
    _call()
    got = get_trace()
    got[0]["markup"] = "changed"
    got.clear()
    assert get_trace()[0]["markup"] == "<p>Hi</p>"
    clear_trace()
    assert get_trace() == []


# ----------------------------------------------------------------------------- the log entries

def test_log_entry_for_files_and_dicts(tmp_path):
    set_trace(True)
    src = tmp_path / "p.poml"
    src.write_text("<p>{{x}}</p>")
    ctx_file = tmp_path / "ctx.json"
    ctx_file.write_text('{"x": 1}')
    rec = record_call(str(src), src.read_text(), str(src), str(ctx_file), {"x": 1}, {"p": {"syntax": "json"}},
                      {"p": {"syntax": "json"}})
    rec.finish(RAW, PRETTY)
    entry = get_trace()[0]
    assert entry["markup_path"] == str(src) and entry["markup"] == "<p>{{x}}</p>"
    assert entry["context_path"] == str(ctx_file) and entry["context"] == '{"x": 1}'
    assert entry["stylesheet"] == json.dumps({"p": {"syntax": "json"}})
    assert "stylesheet_path" not in entry


def test_raw_format_keeps_the_string():
    set_trace(True)
    _call(fmt="raw")
    assert get_trace()[0]["result"] == RAW


def test_pretty_output_is_kept_as_text():
    set_trace(True)
    _call(raw=PRETTY)
    assert get_trace()[0]["result"] == PRETTY


# ----------------------------------------------------------------------------- files

def test_files_for_a_markup_string(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    _call("<p>Hi</p>")
    names = sorted(p.name for p in run_dir.iterdir())
    assert names == ["0001.poml", "0001.result.json", "0001.result.txt", "0001.source.poml"]
    assert (run_dir / "0001.poml").read_text() == "<p>Hi</p>"
    assert json.loads((run_dir / "0001.result.json").read_text()) == json.loads(RAW)
    assert (run_dir / "0001.result.json").read_text().startswith('{\n  "messages": [')
    assert (run_dir / "0001.result.txt").read_text() == PRETTY
    assert len(list(run_dir.glob("*.poml"))) == 2


def test_files_for_a_markup_file(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path / "t")
    src = tmp_path / "my.file.poml"
    src.write_text("<p>B</p>")
    _call("<p>B</p>", path=str(src))
    assert (run_dir / "0001.my.file.poml").read_text() == "<p>B</p>"
    assert (run_dir / "0001.my.file.env").read_text() == f"SOURCE_PATH={src}\n"
    link = run_dir / "0001.my.file.source.poml"
    assert link.is_symlink() and link.resolve() == src.resolve()
    assert trace_artifact("custom.txt", "bye") == run_dir / "0001.my.file.custom.txt"
    assert (run_dir / "0001.my.file.custom.txt").read_text() == "bye"


def test_context_and_stylesheet_files(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    _call(context={"name": "Ada", "img": b"\x00\x01"}, stylesheet={"p": {"speaker": "ai"}})
    ctx = json.loads((run_dir / "0001.context.json").read_text())
    assert ctx == {"name": "Ada", "img": {"__base64__": "AAE="}}
    assert json.loads((run_dir / "0001.stylesheet.json").read_text()) == {"p": {"speaker": "ai"}}
    # the log keeps JSON text, with bytes the same way
    assert json.loads(get_trace()[0]["context"])["img"] == {"__base64__": "AAE="}


def test_empty_context_writes_no_file(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    _call(context={}, stylesheet={})
    assert [p.name for p in run_dir.glob("*.json")] == ["0001.result.json"]


def test_indices_count_up_and_fill_gaps(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    for _ in range(3):
        _call()
    assert sorted(p.name for p in run_dir.glob("*.poml") if ".source" not in p.name) == [
        "0001.poml", "0002.poml", "0003.poml"]
    for p in run_dir.glob("0002*"):
        p.unlink()
    _call()
    assert (run_dir / "0002.poml").exists()


def test_trace_dir_removed_meanwhile_is_recreated(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    run_dir.rmdir()
    _call()
    assert (run_dir / "0001.poml").exists()


def test_unwritable_dir_warns_but_logs(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    run_dir.rmdir()
    run_dir.write_text("a file where the folder should be")
    with pytest.warns(UserWarning, match="could not write trace files"):
        _call()
    assert len(get_trace()) == 1


def test_threads_get_distinct_indices(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    threads = [threading.Thread(target=_call) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    main = sorted(p.name for p in run_dir.glob("*.poml") if ".source" not in p.name)
    assert main == [f"{i:04d}.poml" for i in range(1, 17)]


def _worker_calls(n):
    for _ in range(n):
        _call()


def test_processes_get_distinct_indices(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_worker_calls, args=(5,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert all(p.exitcode == 0 for p in procs)
    main = sorted(p.name for p in run_dir.glob("*.poml") if ".source" not in p.name)
    assert main == [f"{i:04d}.poml" for i in range(1, 21)]


# ----------------------------------------------------------------------------- trace_artifact

def test_trace_artifact_without_dir_or_calls(tmp_path):
    assert trace_artifact("x.txt", "a") is None
    set_trace(True)
    _call()
    assert trace_artifact("x.txt", "a") is None  # no folder
    set_trace(trace_dir=tmp_path)
    assert trace_artifact("x.txt", "a") is None  # nothing traced there yet


def test_trace_artifact_text_and_bytes(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    _call()
    _call()
    assert trace_artifact("reply.txt", "hello") == run_dir / "0002.reply.txt"
    assert trace_artifact(".bin", b"\x00\xff") == run_dir / "0002.bin"
    assert (run_dir / "0002.bin").read_bytes() == b"\x00\xff"


def test_trace_artifact_falls_back_to_the_highest_index(tmp_path):
    run_dir = set_trace(trace_dir=tmp_path)
    (run_dir / "0007.other.poml").write_text("x")
    (run_dir / "0009.other.source.poml").write_text("x")
    assert trace_artifact("a.txt", "x") == run_dir / "0009.other.a.txt"


# ----------------------------------------------------------------------------- backends

def test_backend_needs_a_trace_dir():
    set_trace(["local", "weave"])
    with pytest.raises(RuntimeError, match="Weave tracing requires local tracing"):
        _call()


def test_backend_missing_package_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import fails
    set_trace("mlflow", trace_dir=tmp_path)
    with pytest.raises(ImportError, match="pip install mlflow"):
        _call()


def test_backends_receive_the_call(tmp_path, monkeypatch):
    calls = []

    class Fake:
        def __init__(self, name):
            self.name = name

        def log_poml_call(self, *args):
            calls.append((self.name, args))

    monkeypatch.setattr(_trace, "_load_backend", lambda name: Fake(name))
    run_dir = set_trace(["weave", "agentops", "mlflow"], trace_dir=tmp_path)
    _call(context={"a": 1})
    assert [c[0] for c in calls] == ["weave", "agentops", "mlflow"]
    name, prompt, context, stylesheet, result = calls[0][1]
    assert name == "0001" and prompt == "<p>Hi</p>" and context == {"a": 1} and stylesheet is None
    assert result == json.loads(RAW)
    assert (run_dir / "0001.poml").exists()


# ----------------------------------------------------------------------------- end to end (poml.poml)

def test_poml_call_is_traced():
    import poml

    set_trace(True)
    assert poml.poml("<p>Trace Me</p>") == [{"speaker": "human", "content": "Trace Me"}]
    traces = poml.get_trace()
    assert len(traces) == 1 and "Trace Me" in traces[0]["markup"]
    assert traces[0]["result"]["messages"] == [{"speaker": "human", "content": "Trace Me"}]


def test_poml_call_writes_two_poml_files_and_artifact(tmp_path):
    import poml

    run_dir = poml.set_trace(True, trace_dir=tmp_path)
    poml.poml("<p>Dir</p>", context={"k": "v"})
    assert len(list(run_dir.glob("*.poml"))) == 2
    assert json.loads((run_dir / "0001.context.json").read_text()) == {"k": "v"}
    assert (run_dir / "0001.result.txt").read_text() == "===== human =====\n\nDir"
    poml.trace_artifact("reply.txt", "hello")
    assert [p.read_text() for p in run_dir.glob("*.reply.txt")] == ["hello"]


def test_poml_file_call_prefix(tmp_path):
    import poml

    run_dir = poml.set_trace(True, trace_dir=tmp_path)
    src = tmp_path / "my.file.poml"
    src.write_text("<p>B</p>")
    poml.poml(src)
    poml.trace_artifact("custom.txt", "bye")
    assert (run_dir / "0001.my.file.custom.txt").exists()
    assert poml.get_trace()[0]["markup_path"] == str(src)


def test_poml_raw_format_logs_string():
    import poml

    set_trace(True)
    raw = poml.poml("<p>R</p>", format="raw")
    assert poml.get_trace()[0]["result"] in (raw, json.loads(raw))


def _mp_render():
    import poml

    poml.poml("<p>MP</p>")


def test_multiprocessing_trace(tmp_path, monkeypatch):
    run_dir = set_trace(True, trace_dir=tmp_path)
    monkeypatch.setenv("POML_TRACE", str(run_dir))
    procs = [multiprocessing.Process(target=_mp_render) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert len(list(run_dir.glob("*.poml"))) == 6


def test_env_var_auto_traces_on_import(tmp_path):
    env = dict(os.environ, POML_TRACE=str(tmp_path / "run"), PYTHONPATH=str(REPO))
    subprocess.check_call([sys.executable, "-c", "from poml import poml; poml('<p>E</p>')"], env=env, cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "run").iterdir() if p.suffix == ".poml") == ["0001.poml",
                                                                                          "0001.source.poml"]


def test_spawned_processes_trace_through_the_env_var(tmp_path, monkeypatch):
    """Children that start fresh (spawn) pick the folder up from POML_TRACE on import."""
    run_dir = set_trace(True, trace_dir=tmp_path)
    monkeypatch.setenv("POML_TRACE", str(run_dir))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_mp_render) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert all(p.exitcode == 0 for p in procs)
    assert len(list(run_dir.glob("*.poml"))) == 6
