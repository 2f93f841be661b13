"""``poml send``: render a prompt and send it; stream the reply, or fan a JSONL of contexts out.

Examples::

    poml send prompt.poml --model openai:gpt-4o --context topic=owls --stream
    poml send prompt.poml --model smollm --base-url http://127.0.0.1:8001/v1 --json
    poml send prompt.poml --model anthropic:claude-sonnet-4-5 --contexts rows.jsonl --output replies.jsonl

With ``--contexts`` every JSON line is one context; the sends run concurrently (``--concurrency``),
a rich progress bar runs on stderr, and each output line is the input line plus ``reply`` (text,
tool calls, parsed JSON, usage) or ``error`` (the message) — one output line per input line, in order.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from typing import List, Optional

import typer


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(1)


def _reply(resp) -> dict:
    return {"text": resp.text, "tool_calls": [asdict(c) for c in resp.tool_calls], "parsed": resp.parsed,
            "finish_reason": resp.finish_reason, "usage": asdict(resp.usage), "model": resp.model}


def send_command(
    file: str = typer.Argument(..., help="The .poml file to render and send."),
    model: str = typer.Option(..., "--model", "-m", help="provider:model (openai:, anthropic:, ollama:, llamacpp:) or a model name with --base-url."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="Server URL (an OpenAI-compatible server unless --provider says otherwise)."),
    provider: Optional[str] = typer.Option(None, "--provider", help="openai, llamacpp, anthropic or ollama."),
    context: Optional[List[str]] = typer.Option(None, "--context", "-c", help="JSON file or key=value (repeatable)."),
    contexts: Optional[str] = typer.Option(None, "--contexts", help="JSONL file, one context per line: send each."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="JSONL output (with --contexts); default stdout."),
    stream: bool = typer.Option(False, "--stream", help="Print the reply as it arrives."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole reply as JSON."),
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight (with --contexts)."),
    max_retries: int = typer.Option(2, "--max-retries", help="Retries on connection errors, 408/409/429/5xx."),
    timeout: float = typer.Option(600.0, "--timeout", help="Read timeout in seconds."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar (with --contexts)."),
) -> None:
    """Render a POML prompt and send it to a model."""
    from poml._errors import PomlError
    from poml.cli import _context_arg

    import backends

    ctx = _context_arg(context)
    opts = dict(model=model, base_url=base_url, provider=provider, max_retries=max_retries, timeout=timeout)
    try:
        if contexts is not None:
            _send_many(file, ctx or {}, contexts, output, concurrency, progress, opts)
            return
        with backends.Client(**opts) as client:
            if stream:
                s = client.stream(file, context=ctx)
                for delta in s:
                    sys.stdout.write(delta)
                    sys.stdout.flush()
                sys.stdout.write("\n")
                resp = s.response
                if as_json:
                    typer.echo(json.dumps(_reply(resp), ensure_ascii=False))
                return
            resp = client.send(file, context=ctx)
        typer.echo(json.dumps(_reply(resp), ensure_ascii=False) if as_json else resp.text)
    except (backends.BackendError, PomlError) as exc:  # a render error reads like the render command's
        _fail(str(exc))


def _read_rows(path: str) -> list:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as exc:
        _fail(f"cannot read --contexts {path}: {exc.strerror}")
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            _fail(f"{path}:{n}: not JSON ({exc.msg}); each line must be one JSON object")
        if not isinstance(row, dict):
            _fail(f"{path}:{n}: each line must be a JSON object (a context), got {type(row).__name__}")
        rows.append(row)
    return rows


def _send_many(file: str, base_ctx: dict, path: str, output: Optional[str], concurrency: int,
               progress: bool, opts: dict) -> None:
    import backends
    from poml._errors import PomlError
    from rich.progress import Progress

    rows = _read_rows(path)

    async def run() -> list:
        results: list = [None] * len(rows)
        async with backends.AsyncClient(max_concurrency=concurrency, **opts) as client:
            with Progress(transient=False, disable=not progress, console=_stderr()) as bar:
                task = bar.add_task("sending", total=len(rows))

                async def one(i: int, row: dict) -> None:
                    try:
                        results[i] = {**row, "reply": _reply(await client.send(file, context={**base_ctx, **row}))}
                    except (backends.BackendError, PomlError) as exc:
                        results[i] = {**row, "error": str(exc)}
                    bar.advance(task)

                await asyncio.gather(*(one(i, r) for i, r in enumerate(rows)))
        return results

    results = asyncio.run(run())
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(lines)
    else:
        sys.stdout.write(lines)
    failed = sum("error" in r for r in results)
    typer.echo(f"{len(results) - failed} answered, {failed} failed", err=True)


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("send")(send_command)
