"""``poml compress``: compress a file, stdin, or a JSONL stream from the command line.

Examples::

    poml compress notes.txt --rate 0.33
    cat notes.txt | poml compress - --target-tokens 300 --force-token "\\n" --force-token "?"
    poml compress --input data.jsonl --field text --output out.jsonl --engine onnx

The compressed text goes to stdout (or ``--output``); a one-line summary
(``origin_tokens -> compressed_tokens cl100k tokens (ratio)``) goes to stderr.
With ``--input`` each JSON line gets ``<field>_compressed`` and ``compression`` keys and a rich
progress bar runs on stderr. Importing this module does not import torch.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from typing import TYPE_CHECKING, List, Optional

import typer

if TYPE_CHECKING:  # pragma: no cover
    from ._compressor import Compressor

DEFAULT_MODEL = "microsoft/llmlingua-2-xlm-roberta-large-meetingbank"


def _unescape(tokens: List[str]) -> List[str]:
    return [t.encode("utf-8").decode("unicode_escape") if "\\" in t else t for t in tokens]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(1)


# options shared by the compress and guard commands
ENGINE_OPTION = typer.Option("torch", "--engine", help="torch or onnx.")
DEVICE_OPTION = typer.Option("auto", "--device", help="auto, cpu or cuda.")
DTYPE_OPTION = typer.Option("auto", "--dtype", help="auto, float32, bfloat16, float16 (torch); float32, int8 (onnx).")
INPUT_OPTION = typer.Option(None, "--input", "-i", help="JSONL input file (or - for stdin).")
OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="Write here instead of stdout.")
GROUP_SIZE_OPTION = typer.Option(64, "--group-size", help="Prompts pooled per model pass (JSONL).")
PROGRESS_OPTION = typer.Option(True, "--progress/--no-progress", help="Progress bars (JSONL bar, model loading).")
RAY_OPTION = typer.Option(None, "--ray", metavar="ADDRESS",
                          help="Run on Ray Data: 'local' or a cluster address ('auto', host:port); "
                               "--input is a glob/folder of .parquet or .jsonl, --output a folder (resumable).")
WORKERS_OPTION = typer.Option(1, "--workers", help="Ray: model workers.")
GPUS_OPTION = typer.Option(0, "--gpus-per-worker", help="Ray: GPUs per worker (1 = one model per GPU).")


def check_sources(file: Optional[str], input: Optional[str]) -> None:
    """Exactly one of FILE and --input, and it exists (``-`` is stdin)."""
    if (file is None) == (input is None):
        _fail("give a FILE (or -) or --input data.jsonl")
    for path in (file, input):
        if path not in (None, "-") and not os.path.isfile(path):
            _fail(f"no such file: {path}")


def compress_command(
    file: Optional[str] = typer.Argument(None, help="Text file to compress, or - for stdin."),
    rate: float = typer.Option(0.33, "--rate", "-r", help="Fraction of tokens to keep."),
    target_tokens: Optional[int] = typer.Option(None, "--target-tokens", "-t", help="Token budget (overrides --rate)."),
    model: str = typer.Option(os.environ.get("POML_COMPRESS_MODEL", DEFAULT_MODEL), "--model", "-m",
                              help="Checkpoint folder or hub name (env POML_COMPRESS_MODEL)."),
    engine: str = ENGINE_OPTION,
    device: str = DEVICE_OPTION,
    dtype: str = DTYPE_OPTION,
    compat: bool = typer.Option(False, "--compat", help="Reproduce llmlingua 0.2.2 exactly."),
    force_token: Optional[List[str]] = typer.Option(None, "--force-token", "-f", help="Always keep this string (repeatable; \\n allowed)."),
    keep_digits: bool = typer.Option(False, "--keep-digits", help="Keep every word with a digit."),
    drop_consecutive: bool = typer.Option(False, "--drop-consecutive", help="Drop repeated force tokens."),
    input: Optional[str] = INPUT_OPTION,
    field: str = typer.Option("text", "--field", help="JSONL field holding the prompt."),
    output: Optional[str] = OUTPUT_OPTION,
    word_probs: bool = typer.Option(False, "--word-probs", help="JSONL: add words, labels and probabilities."),
    group_size: int = GROUP_SIZE_OPTION,
    progress: bool = PROGRESS_OPTION,
    demo_model: Optional[str] = typer.Option(None, "--demo-model", metavar="DIR",
                                             help="Build a small UNTRAINED model in DIR (offline) and use it."),
    ray: Optional[str] = RAY_OPTION,
    workers: int = WORKERS_OPTION,
    gpus_per_worker: float = GPUS_OPTION,
) -> None:
    """Shorten prompts with an LLMLingua-2 token-classification model."""
    from . import CompressorError
    from ._loading import progress_bars

    progress_bars(progress)
    if demo_model is not None:
        model = _make_demo(demo_model)
        if file is None and input is None:
            return
    if ray is not None:
        kw = dict(rate=rate, force_tokens=_unescape(force_token or []), keep_digits=keep_digits,
                  drop_consecutive=drop_consecutive)
        if target_tokens is not None:
            kw["target_tokens"] = target_tokens
        model_kwargs = dict(engine=engine, dtype=dtype, **({"compat": "llmlingua"} if compat else {}))
        return run_ray(ray, input, output, task="compress", column=field, model=model, workers=workers,
                       gpus=gpus_per_worker, progress=progress, model_kwargs=model_kwargs, task_kwargs=kw)
    check_sources(file, input)
    force = _unescape(force_token or [])
    kw = dict(rate=rate, target_tokens=target_tokens, force_tokens=force, keep_digits=keep_digits,
              drop_consecutive=drop_consecutive)
    try:
        from ._compressor import Compressor

        comp = Compressor(model, device=device, engine=engine, dtype=dtype,
                          compat="llmlingua" if compat else None)
        from ._demo import is_demo_model

        if is_demo_model(comp.config):
            typer.echo(f"note: {model} is an untrained demo model: the words it keeps are arbitrary", err=True)
        if input is None:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
            res = comp.compress(text, **kw)
            _write_text(res.compressed_prompt, output)
            typer.echo(f"{res.origin_tokens} -> {res.compressed_tokens} cl100k tokens "
                       f"({res.ratio:.1f}x) [{comp.engine.name}/{comp.device}/{comp.dtype}]", err=True)
        else:
            _run_jsonl(comp, input, field, output, kw, word_probs, group_size, progress)
    except CompressorError as exc:
        _fail(str(exc))
    except (OSError, json.JSONDecodeError) as exc:
        _fail(str(exc))


def _make_demo(folder: str) -> str:
    from . import CompressorError
    from ._demo import make_demo_model

    if os.path.exists(folder) and not os.path.isdir(folder):
        _fail(f"--demo-model {folder}: exists and is not a folder")
    try:
        make_demo_model(folder)
    except CompressorError as exc:
        _fail(str(exc))
    typer.echo(f"wrote an untrained demo model (random weights) to {folder}; "
               f"try: poml compress FILE --model {folder}", err=True)
    return folder


def _write_text(text: str, output: Optional[str]) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def _run_jsonl(comp: "Compressor", input: str, field: str, output: Optional[str], kw: dict,
               word_probs: bool, group_size: int, progress: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if input == "-":
        lines = [ln for ln in sys.stdin.read().splitlines() if ln.strip()]
    else:
        with open(input, encoding="utf-8") as f:
            lines = [ln for ln in f if ln.strip()]
    records = [json.loads(ln) for ln in lines]
    for i, r in enumerate(records):
        if not isinstance(r, dict) or not isinstance(r.get(field), (str, list)):
            raise json.JSONDecodeError(f"line {i + 1} has no string field {field!r}", lines[i], 0)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    tot_in = tot_out = 0
    try:
        with Progress(TextColumn("compressing"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), transient=True, disable=not progress,
                      console=None if progress else None) as bar:
            task = bar.add_task("compress", total=len(records))
            results = comp.compress_iter((r[field] for r in records), group_size=group_size,
                                         return_word_probs=word_probs, **kw)
            for rec, res in zip(records, results):
                rec = dict(rec)
                rec[f"{field}_compressed"] = res.compressed_prompt
                rec["compression"] = {"origin_tokens": res.origin_tokens,
                                      "compressed_tokens": res.compressed_tokens,
                                      "ratio": round(res.ratio, 4)}
                if word_probs:
                    rec["compression"].update(words=res.words, labels=res.labels,
                                              word_probs=[round(p, 6) for p in res.word_probs])
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                tot_in += res.origin_tokens
                tot_out += res.compressed_tokens
                bar.advance(task)
    finally:
        if output:
            out.close()
    ratio = tot_in / tot_out if tot_out else 1.0
    typer.echo(f"{len(records)} prompts: {tot_in} -> {tot_out} cl100k tokens ({ratio:.1f}x)", err=True)


def run_ray(address: str, input: Optional[str], output: Optional[str], *, task: str, column: str,
            model: str, workers: int, gpus: float, progress: bool, model_kwargs: dict,
            task_kwargs: dict) -> None:
    """Resumable sharded run through :func:`compressor.ray.compress_files`, a bar per shard."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from . import CompressorError

    if not input or not output:
        _fail("--ray needs --input 'data/*.parquet' (a glob, folder or file) and --output FOLDER")
    if workers < 1:
        _fail("--workers must be at least 1")
    try:
        import ray as ray_mod

        from .ray import compress_files
    except ImportError as exc:
        _fail(f"--ray needs the 'ray' extra: pip install 'poml-native[ray]' ({exc})")
    from ._ray_shards import check_column, expand_inputs

    try:  # bad inputs fail here, before Ray starts
        check_column(expand_inputs(input)[0], column)
    except CompressorError as exc:
        _fail(str(exc))
    try:
        ray_mod.init(address=None if address == "local" else address, log_to_driver=False,
                     logging_level=logging.WARNING)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        _fail(f"--ray {address}: cannot start or reach Ray ({exc})")
    # one progress display (ours, on stderr): Ray Data's own bars and progress log lines off
    ray_mod.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    rate = task_kwargs.pop("rate", 0.5)
    verb = "compressing" if task == "compress" else "guarding"
    try:
        with Progress(TextColumn(f"{verb} rows"), BarColumn(), MofNCompleteColumn(),
                      transient=True, disable=not progress, console=Console(stderr=True)) as bar:
            job = bar.add_task("rows", total=None)
            summary = compress_files(input, output, column=column, model=model, rate=rate, task=task,
                                     concurrency=workers, num_gpus=gpus, model_kwargs=model_kwargs,
                                     on_shard=lambda r: bar.advance(job, r["rows"]), **task_kwargs)
    except CompressorError as exc:
        _fail(str(exc))
    except Exception as exc:  # a worker's error comes back wrapped by Ray: show its cause
        cause = _root_cause(exc)
        if isinstance(cause, (CompressorError, OSError)):
            _fail(str(cause))
        raise
    finally:
        ray_mod.shutdown()
    typer.echo(f"{summary['rows']} rows in {summary['shards']} shards: {summary['written_shards']} "
               f"written, {summary['skipped_shards']} already done -> {output}", err=True)


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = getattr(exc, "cause", None) or exc.__cause__
        if not isinstance(nxt, BaseException):
            break
        exc = nxt
    return exc


def register(app: "typer.Typer") -> None:
    """Add the ``compress`` command to a typer app (called by ``poml.cli``)."""
    app.command("compress", help="Shorten prompts with an LLMLingua-2 model (needs the 'compress' extra).")(
        compress_command)
    from .guard_cli import register as register_guard

    register_guard(app)


def main() -> None:  # pragma: no cover - ``python -m compressor.cli``
    app = typer.Typer(add_completion=False)
    register(app)

    @app.callback()
    def _root() -> None:
        """compressor command line."""

    app()


if __name__ == "__main__":  # pragma: no cover
    main()
