"""Tracing of ``poml.poml`` calls: an in-memory log and per-call files on disk.

Public functions (re-exported by :mod:`poml`):

* :func:`set_trace` turns tracing on or off and picks the backends;
* :func:`get_trace` / :func:`clear_trace` read and reset the in-memory log;
* :func:`trace_artifact` adds a file next to the latest traced call.

When a trace directory is set (``set_trace(trace_dir=...)`` or the environment
variable ``POML_TRACE``), every call writes, under a four-digit index shared by
all processes that trace into the same folder::

    0001.<stem>.poml            the markup text that was rendered
    0001.<stem>.source.poml     a link to the markup file (a copy for markup strings)
    0001.<stem>.env             SOURCE_PATH=<markup file>   (markup files only)
    0001.<stem>.context.json    the context, when not empty (bytes as {"__base64__": ...})
    0001.<stem>.stylesheet.json the stylesheet, when not empty
    0001.<stem>.result.json     the result object {"messages": ..., "schema"?, ...}
    0001.<stem>.result.txt      the human-readable result

``<stem>`` is the markup file's name without ``.poml``; markup strings have no
stem (``0001.poml``, ``0001.source.poml`` ...). These are the names the
official SDK's Node side writes.

The render API calls :func:`record_call` once per render; it returns ``None``
when tracing is off, and a :class:`TraceRecord` whose :meth:`TraceRecord.finish`
stores the result otherwise. Nothing heavy is imported here: the backends
(``weave``, ``agentops``, ``mlflow``) load only when enabled and used.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Literal, Optional, Union

__all__ = ["set_trace", "clear_trace", "get_trace", "trace_artifact", "Backend", "TraceRecord", "record_call"]

Backend = Literal["local", "weave", "agentops", "mlflow"]
_BACKENDS = ("local", "weave", "agentops", "mlflow")
_REMOTE_BACKENDS = ("weave", "agentops", "mlflow")
_DISPLAY = {"weave": "Weave", "agentops": "AgentOps", "mlflow": "MLflow"}

# Module state. ``_enabled`` is the only thing the render path reads when tracing is off.
_enabled: bool = False
_trace_dir: Optional[Path] = None
_remote: tuple[str, ...] = ()
_trace_log: List[Dict[str, Any]] = []
_last_prefix: Optional[Path] = None
_lock = threading.Lock()

_PREFIX_RE = re.compile(r"^(\d{4}.*?)(?:\.source)?\.poml$")
_LEADING_DIGITS = re.compile(r"^(\d+)")


# ----------------------------------------------------------------------------- public API

def set_trace(
    enabled: Union[bool, Backend, Iterable[Backend]] = True,
    /,
    *,
    trace_dir: Union[str, os.PathLike, None] = None,
) -> Optional[Path]:
    """Turn tracing of ``poml()`` calls on or off, and choose the backends.

    ``enabled`` is ``True`` (local tracing), ``False`` (off), one backend name
    or a list of them: ``"local"``, ``"weave"``, ``"agentops"``, ``"mlflow"``.
    Any non-empty choice turns local tracing on (the in-memory log read by
    :func:`get_trace`); the remote backends also need a trace directory.

    ``trace_dir``: when given, a sub-folder named by the current time
    (``YYYYMMDDHHMMSSffffff``) is created in it and every call writes its
    files there. Without it, the folder named by the environment variable
    ``POML_TRACE`` is used as is, if set; otherwise nothing is written to disk.

    Returns the folder the files go to, or ``None``.

    Raises ``ValueError`` for an unknown backend name.
    """
    global _enabled, _trace_dir, _remote, _last_prefix

    if enabled is True:
        names: list[str] = ["local"]
    elif enabled is False or enabled is None:
        names = []
    elif isinstance(enabled, str):
        names = [enabled]
    else:
        names = list(enabled)
    unknown = [n for n in names if n not in _BACKENDS]
    if unknown:
        raise ValueError(
            f"Unknown trace backend {unknown[0]!r}; choose from {', '.join(repr(b) for b in _BACKENDS)}."
        )

    with _lock:
        _last_prefix = None
        if names:
            env_dir = os.environ.get("POML_TRACE")
            if trace_dir is not None:
                base = Path(trace_dir)
                base.mkdir(parents=True, exist_ok=True)
                run_dir = base / datetime.now().strftime("%Y%m%d%H%M%S%f")
                run_dir.mkdir(parents=True, exist_ok=True)
                _trace_dir = run_dir
            elif env_dir:
                run_dir = Path(env_dir)
                run_dir.mkdir(parents=True, exist_ok=True)
                _trace_dir = run_dir
            else:
                _trace_dir = None
            _remote = tuple(b for b in _REMOTE_BACKENDS if b in names)
            _enabled = True
        else:
            _enabled = False
            _trace_dir = None
            _remote = ()
        return _trace_dir


def clear_trace() -> None:
    """Empty the in-memory trace log (files on disk are kept)."""
    with _lock:
        _trace_log.clear()


def get_trace() -> List[Dict[str, Any]]:
    """Return the traced calls, oldest first, as copies of the log entries.

    Each entry has ``markup`` (the markup text), ``markup_path`` (when the
    markup was a file), ``context`` / ``stylesheet`` (JSON text: ``json.dumps``
    of a dict, or the file's text), ``context_path`` / ``stylesheet_path`` (when
    given as files) and ``result``: the raw output string for
    ``format="raw"``, the parsed JSON object (``{"messages": ...}``) otherwise.
    """
    with _lock:
        return [dict(entry) for entry in _trace_log]


def trace_artifact(file_suffix: str, contents: Union[str, bytes], encoding: Optional[str] = None) -> Optional[Path]:
    """Write an extra file next to the files of the latest traced call.

    ``trace_artifact("reply.txt", text)`` after a call traced as
    ``0003.chat.poml`` writes ``0003.chat.reply.txt``. ``contents`` may be text
    or bytes. Returns the path written, or ``None`` when no trace directory is
    set or nothing has been traced there yet.
    """
    prefix = _latest_prefix()
    if prefix is None:
        return None
    suffix = file_suffix if file_suffix.startswith(".") else "." + file_suffix
    target = Path(str(prefix) + suffix)
    if isinstance(contents, (bytes, bytearray, memoryview)):
        target.write_bytes(bytes(contents))
    else:
        with open(target, "w", encoding=encoding) as f:
            f.write(contents)
    return target


# ----------------------------------------------------------------------------- used by the render API

def record_call(
    markup_arg: Any,
    text: str,
    path: Optional[str],
    context_arg: Any,
    context: Optional[dict],
    stylesheet_arg: Any,
    stylesheet: Optional[dict],
) -> Optional["TraceRecord"]:
    """Start tracing one render; ``None`` (and no work) when tracing is off.

    ``markup_arg`` / ``context_arg`` / ``stylesheet_arg`` are what the caller
    passed; ``text`` is the markup text, ``path`` the markup file (absolute) or
    ``None``; ``context`` / ``stylesheet`` the loaded dicts.
    """
    if not _enabled:
        return None
    entry: Dict[str, Any] = {}
    if path is not None:
        entry["markup_path"] = str(Path(markup_arg)) if isinstance(markup_arg, (str, os.PathLike)) else path
    entry["markup"] = text
    _describe_json_arg(entry, "context", context_arg)
    _describe_json_arg(entry, "stylesheet", stylesheet_arg)
    with _lock:
        _trace_log.append(entry)
        trace_dir = _trace_dir
        remote = _remote
    return TraceRecord(entry, text, path, context, stylesheet, trace_dir, remote)


@dataclass(slots=True, eq=False)
class TraceRecord:
    """One traced call, between the render and its result."""

    entry: Dict[str, Any]
    text: str
    path: Optional[str]
    context: Optional[dict]
    stylesheet: Optional[dict]
    trace_dir: Optional[Path]
    remote: tuple[str, ...]
    prefix: Optional[Path] = None

    def finish(self, raw_output: str, pretty_text: str, *, format: Optional[str] = None,
               result: Any = None) -> None:
        """Store the result in the log, write the trace files and call the enabled backends.

        ``raw_output`` is what ``format="raw"`` returns (compact JSON, or the
        pretty text with ``--prettyPrint true``); ``pretty_text`` the
        human-readable form. ``format`` (when known) decides what the log keeps:
        the raw string for ``"raw"``, the parsed object otherwise. ``result``
        may give the result object directly (else it is parsed from
        ``raw_output``).
        """
        global _last_prefix
        if result is None:
            try:
                result = json.loads(raw_output)
            except ValueError:
                result = None
        if format == "raw" or result is None:
            logged: Any = raw_output
        else:
            logged = result
        self.entry["result"] = logged

        if self.trace_dir is not None:
            try:
                self.prefix = self._write_files(result, pretty_text)
            except OSError as exc:
                warnings.warn(f"POML tracing: could not write trace files in {self.trace_dir}: {exc}", stacklevel=3)
            else:
                with _lock:
                    if _trace_dir == self.trace_dir:
                        _last_prefix = self.prefix

        for backend in self.remote:
            if self.prefix is None:
                raise RuntimeError(f"{_DISPLAY[backend]} tracing requires local tracing to be enabled "
                                   "(give set_trace a trace_dir, or set POML_TRACE).")
            module = _load_backend(backend)
            module.log_poml_call(
                self.prefix.name,
                self.text,
                _jsonable(self.context) if self.context else None,
                _jsonable(self.stylesheet) if self.stylesheet else None,
                logged,
            )

    def _write_files(self, result: Any, pretty_text: str) -> Path:
        assert self.trace_dir is not None
        self.trace_dir.mkdir(parents=True, exist_ok=True)
        stem = _stem(self.path)
        prefix, fd = _allocate(self.trace_dir, stem)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(self.text)
        base = str(prefix)
        if self.path is not None:
            _write_text(base + ".env", f"SOURCE_PATH={self.path}\n")
            link = base + ".source.poml"
            try:
                os.symlink(self.path, link)
            except (OSError, NotImplementedError):
                _write_text(link, self.text)  # no symlinks here (Windows without rights): keep a copy
        else:
            _write_text(base + ".source.poml", self.text)
        if self.context:
            _write_text(base + ".context.json", _dump_json(self.context))
        if self.stylesheet:
            _write_text(base + ".stylesheet.json", _dump_json(self.stylesheet))
        if result is not None:
            _write_text(base + ".result.json", _dump_json(result))
            _write_text(base + ".result.txt", pretty_text)
        return prefix


# ----------------------------------------------------------------------------- package start-up

def _init_from_env() -> None:
    """Turn local tracing on when ``POML_TRACE`` names a folder (called on ``import poml``)."""
    if os.environ.get("POML_TRACE") and not _enabled:
        try:
            set_trace(True)
        except OSError as exc:
            warnings.warn(f"POML_TRACE={os.environ.get('POML_TRACE')!r}: cannot use it as a trace folder: {exc}")


# ----------------------------------------------------------------------------- helpers

def _describe_json_arg(entry: Dict[str, Any], key: str, arg: Any) -> None:
    """``context``/``stylesheet`` in the log: JSON text of a dict, or the file's path and text."""
    if isinstance(arg, dict):
        entry[key] = json.dumps(arg, default=_json_default)
    elif arg:
        file = Path(arg)
        if file.exists():
            entry[f"{key}_path"] = str(file)
            entry[key] = file.read_text(encoding="utf-8")


def _stem(path: Optional[str]) -> str:
    if not path:
        return ""
    name = os.path.basename(path)
    return name[: -len(".poml")] if name.endswith(".poml") and len(name) > len(".poml") else name


def _allocate(trace_dir: Path, stem: str) -> tuple[Path, int]:
    """Reserve the lowest free index in ``trace_dir``; returns (prefix, open fd of ``<prefix>.poml``).

    Safe across threads and processes: the folder is locked while it is
    scanned (where ``flock`` exists), and the ``.poml`` file is created with
    ``O_EXCL``, so two writers never get the same index.
    """
    with _lock, _DirLock(trace_dir):
        taken = set()
        for name in os.listdir(trace_dir):
            m = _LEADING_DIGITS.match(name)
            if m:
                taken.add(int(m.group(1)))
        i = 1
        while True:
            if i not in taken:
                prefix = trace_dir / (f"{i:04d}.{stem}" if stem else f"{i:04d}")
                try:
                    fd = os.open(str(prefix) + ".poml", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    pass
                else:
                    return prefix, fd
            i += 1


class _DirLock:
    """An exclusive ``flock`` on a folder, or nothing where that is not available."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fd: Optional[int] = None

    def __enter__(self) -> "_DirLock":
        try:
            import fcntl

            self.fd = os.open(self.folder, os.O_RDONLY)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            if self.fd is not None:
                os.close(self.fd)
            self.fd = None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


def _latest_prefix() -> Optional[Path]:
    """The prefix of this process's latest traced call, else the highest index in the folder."""
    with _lock:
        enabled, trace_dir, last = _enabled, _trace_dir, _last_prefix
    if not (enabled and trace_dir):
        return None
    if last is not None and os.path.exists(str(last) + ".poml"):
        return last
    best, best_idx = None, -1
    try:
        names = os.listdir(trace_dir)
    except OSError:
        return None
    for name in names:
        m = _PREFIX_RE.match(name)
        if not m or m.group(1).endswith(".source"):
            continue
        try:
            idx = int(m.group(1).split(".")[0])
        except ValueError:
            continue
        if idx > best_idx:
            best_idx, best = idx, trace_dir / m.group(1)
    return best


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"__base64__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=_json_default)


def _jsonable(value: Any) -> Any:
    """The value as it reads back from its trace file (bytes become ``{"__base64__": ...}``)."""
    return json.loads(json.dumps(value, default=_json_default))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def _load_backend(name: str) -> Any:
    import importlib

    return importlib.import_module(f"poml.integration.{name}")
