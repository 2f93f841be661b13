"""``poml guard``: extract the intent of a prompt (file, stdin, or a JSONL stream).

Examples::

    poml guard prompt.txt                       # prints the extracted intent
    cat prompt.txt | poml guard - --json        # {"intent", "messages"} with the protected messages
    poml guard --input in.jsonl --field prompt --output out.jsonl

With ``--input`` each JSON line gets ``<field>_intent`` and ``guard_system_prompt`` (the system
prompt to send) and a rich progress bar runs on stderr. With ``--ray local`` (or a cluster
address) ``--input`` is a glob of Parquet/JSONL files and ``--output`` a folder, written by
:func:`compressor.ray.compress_files` (``<field>_intent``, ``<field>_system_prompt``, or
``<field>_protected`` for a column of message lists). Importing this module does not import torch.
"""
from __future__ import annotations

import json
import os
import sys
from typing import Optional

import typer

from .cli import (DEVICE_OPTION, DTYPE_OPTION, ENGINE_OPTION, GPUS_OPTION, GROUP_SIZE_OPTION,
                  INPUT_OPTION, OUTPUT_OPTION, PROGRESS_OPTION, RAY_OPTION, WORKERS_OPTION, _fail,
                  _write_text, check_sources, run_ray)


def guard_command(
    file: Optional[str] = typer.Argument(None, help="Text file holding the prompt, or - for stdin."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="Guard checkpoint folder or hub name (env POML_GUARD_MODEL; "
                                             "default SecurityLingua/securitylingua-xlm-s2s)."),
    threshold: float = typer.Option(0.5, "--threshold", help="Keep words with probability >= this."),
    system_prompt: str = typer.Option("", "--system-prompt", "-s", help="System prompt to extend (--json / JSONL)."),
    as_json: bool = typer.Option(False, "--json", help="Print {intent, messages} as JSON."),
    engine: str = ENGINE_OPTION,
    device: str = DEVICE_OPTION,
    dtype: str = DTYPE_OPTION,
    input: Optional[str] = INPUT_OPTION,
    field: str = typer.Option("prompt", "--field", help="JSONL field holding the prompt."),
    output: Optional[str] = OUTPUT_OPTION,
    group_size: int = GROUP_SIZE_OPTION,
    progress: bool = PROGRESS_OPTION,
    ray: Optional[str] = RAY_OPTION,
    workers: int = WORKERS_OPTION,
    gpus_per_worker: float = GPUS_OPTION,
) -> None:
    """Extract a prompt's intent with a SecurityLingua model and build the protected messages."""
    if ray is not None:
        from ._guard import DEFAULT_GUARD_MODEL

        return run_ray(ray, input, output, task="guard", column=field,
                       model=model or os.environ.get("POML_GUARD_MODEL", DEFAULT_GUARD_MODEL),
                       workers=workers, gpus=gpus_per_worker, progress=progress,
                       model_kwargs=dict(engine=engine, dtype=dtype, threshold=threshold),
                       task_kwargs={"system_prompt": system_prompt})
    check_sources(file, input)
    if group_size < 1:
        _fail("--group-size must be at least 1")
    try:
        from . import CompressorError
        from ._guard import DEFAULT_GUARD_MODEL, Guard
    except ImportError as exc:
        _fail(f"poml guard needs the 'compress' extra ({exc}); install it with: pip install 'poml-native[compress]'")
    try:
        guard = Guard(model=model or os.environ.get("POML_GUARD_MODEL", DEFAULT_GUARD_MODEL),
                      device=device, engine=engine, dtype=dtype, threshold=threshold)
        if input is None:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
            intent = guard.extract(text)
            if as_json:
                doc = {"intent": intent, "messages": guard.protect(text, system_prompt, style="role")}
                _write_text(json.dumps(doc, ensure_ascii=False, indent=2), output)
            else:
                _write_text(intent, output)
        else:
            _run_jsonl(guard, input, field, output, system_prompt, group_size, progress)
    except CompressorError as exc:
        _fail(str(exc))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        _fail(str(exc))


def _read_records(input: str, field: str) -> list[dict]:
    if input == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(input, encoding="utf-8") as f:
            lines = f.read().splitlines()
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise json.JSONDecodeError(f"{input}:{n}: {exc.msg}", exc.doc, exc.pos) from None
        if not isinstance(rec, dict) or not isinstance(rec.get(field), str):
            raise json.JSONDecodeError(f"{input}:{n}: no string field {field!r} (choose it with --field)", line, 0)
        records.append(rec)
    return records


def _run_jsonl(guard, input: str, field: str, output: Optional[str], system_prompt: str,
               group_size: int, progress: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ._messages import system_addition

    records = _read_records(input, field)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    n_empty = 0
    try:
        with Progress(TextColumn("guarding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      transient=True, disable=not progress, console=Console(stderr=True)) as bar:
            task = bar.add_task("guard", total=len(records))
            for k in range(0, len(records), group_size):
                group = records[k:k + group_size]
                for rec, intent in zip(group, guard.extract([r[field] for r in group])):
                    rec = dict(rec)
                    rec[f"{field}_intent"] = intent
                    rec["guard_system_prompt"] = system_addition(system_prompt, [intent], guard.template)
                    n_empty += not intent
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                bar.advance(task, len(group))
    finally:
        if output:
            out.close()
    typer.echo(f"{len(records)} prompts guarded, {n_empty} with an empty intent", err=True)


def register(app: "typer.Typer") -> None:
    """Add the ``guard`` command to a typer app (called from :func:`compressor.cli.register`)."""
    app.command("guard", help="Extract a prompt's intent with a SecurityLingua model (needs the 'compress' extra).")(
        guard_command)
