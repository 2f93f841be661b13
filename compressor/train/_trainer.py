"""Fine-tune a token classifier on (original, compressed) pairs, evaluate each epoch, stop
early, and save a checkpoint that ``Compressor(path)`` and ``Guard(model=path)`` load.

Fixes over the reference trainer (experiments/llmlingua2/model_training): padding and special
tokens are ignored by the loss (-100) instead of counted as "drop"; the classifier sees the raw
text, not a re-tokenised lemma sequence; gradients are clipped after ``backward()``; the best
epoch is chosen by keep-word F1 on held-out pairs (grouped by template when pairs say so).
"""
from __future__ import annotations

import contextlib
import copy
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .._deps import require
from ._align import align
from ._encode import IGNORE, Encoder, Window
from ._errors import TrainDataError
from ._filters import FilterReport, filter_alignments
from ._metrics import Scores
from ._model import load_for_training
from ._pairs import Pair, load_pairs


@dataclass
class TrainResult:
    output_dir: Path
    history: list[dict]                 # one dict per epoch: train_loss, eval metrics, seconds
    best_epoch: int
    best: dict                          # eval metrics of the saved (best) epoch
    filters: dict
    onnx_path: Path | None = None
    report_path: Path | None = None
    plot_path: Path | None = None
    config: dict = field(default_factory=dict)


def _labelled(pairs: Sequence[Pair], window: int, normalize, filters: bool):
    aligned = [align(p.original, p.compressed, window=window, normalize=normalize) for p in pairs]
    if filters:
        rep = filter_alignments(aligned)
    else:
        keep = tuple(i for i, a in enumerate(aligned) if any(a.labels))
        rep = FilterReport(keep, (), (), tuple(i for i, a in enumerate(aligned) if not any(a.labels)))
    return [pairs[i] for i in rep.kept], [aligned[i] for i in rep.kept], rep


def _encode_all(enc: Encoder, pairs, aligned) -> list[Window]:
    return [w for i, (p, a) in enumerate(zip(pairs, aligned)) for w in enc.encode(p.original, a, i)]


def _batches(windows: list[Window], batch_size: int, rng: random.Random | None):
    """Length-sorted buckets (little padding), shuffled between epochs when ``rng`` is given."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(groups)
    return groups


def _tensors(torch, windows: list[Window], idx: list[int], pad_id: int, device):
    n = max(len(windows[i].input_ids) for i in idx)
    ids = torch.full((len(idx), n), pad_id, dtype=torch.long)
    labels = torch.full((len(idx), n), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.long)
    for r, i in enumerate(idx):
        w = windows[i]
        k = len(w.input_ids)
        ids[r, :k] = torch.tensor(w.input_ids)
        labels[r, :k] = torch.tensor(w.labels)
        mask[r, :k] = 1
    return ids.to(device), mask.to(device), labels.to(device)


class _Precision:
    """autocast + (fp16 only) a gradient scaler, chosen from ``precision`` and the device."""

    def __init__(self, torch, precision: str, device) -> None:
        kind = device.type
        if precision == "auto":
            precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if kind == "cuda" else "fp32"
        if precision not in ("fp32", "bf16", "fp16"):
            raise TrainDataError(f"precision must be auto, fp32, bf16 or fp16, got {precision!r}")
        if precision == "fp16" and kind != "cuda":
            raise TrainDataError("fp16 training needs CUDA; use precision='bf16' or 'fp32' on CPU")
        self.name = precision
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
        self.kind = kind
        self.torch = torch
        self.scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return self.torch.autocast(self.kind, dtype=self.dtype)


def _evaluate_windows(torch, net, windows, aligned, batch_size, pad_id, device, prec) -> dict:
    scores = Scores()
    net.eval()
    with torch.inference_mode():
        for idx in _batches(windows, batch_size, None):
            ids, mask, labels = _tensors(torch, windows, idx, pad_id, device)
            with prec.autocast():
                out = net(input_ids=ids, attention_mask=mask, labels=labels)
            scores.loss_sum += float(out.loss)
            scores.batches += 1
            logits = out.logits.float()
            probs = torch.softmax(logits, -1)[..., 1].cpu()
            scores.add_tokens(logits.argmax(-1).cpu(), labels.cpu())
            for r, i in enumerate(idx):
                w = windows[i]
                k = len(w.input_ids)
                scores.add_words(w.pair, w.word_ids, probs[r, :k].tolist(), w.labels)
    return scores.summary()


def _device(torch, device: str):
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise TrainDataError("device='cuda' asked for but CUDA is not available")
    return torch.device(device)


def evaluate(model: Any, pairs: Any, *, batch_size: int = 16, max_length: int = 512,
             device: str = "auto", window: int = 400, filters: bool = False, normalize=None) -> dict:
    """Token accuracy and keep-word precision/recall/F1 of a checkpoint folder on pairs."""
    torch = require("torch")
    net, tok = load_for_training(model)
    dev = _device(torch, device)
    pairs = load_pairs(pairs)
    kept, aligned, _ = _labelled(pairs, window, normalize, filters)
    windows = _encode_all(Encoder(tok, max_length), kept, aligned)
    return _evaluate_windows(torch, net.to(dev), windows, aligned, batch_size,
                             tok.pad_token_id or 0, dev, _Precision(torch, "fp32", dev))


def _split_eval(pairs: list[Pair], fraction: float, rng: random.Random) -> tuple[list[Pair], list[Pair]]:
    """Hold out whole templates when pairs carry one (else random pairs)."""
    groups: dict[str, list[Pair]] = {}
    for i, p in enumerate(pairs):
        groups.setdefault(str(p.meta.get("template", i)), []).append(p)
    keys = sorted(groups)
    rng.shuffle(keys)
    n = max(1, round(len(keys) * fraction))
    held = set(keys[:n])
    return ([p for k in keys if k not in held for p in groups[k]],
            [p for k in keys if k in held for p in groups[k]])


def train(data: Any, model: Any, output_dir: str | os.PathLike, *, eval_data: Any = None,
          tokenizer: Any = None, from_scratch: bool = False, epochs: int = 3, batch_size: int = 16,
          lr: float = 5e-5, weight_decay: float = 0.01, warmup: float = 0.06, max_grad_norm: float = 1.0,
          max_length: int = 512, precision: str = "auto", device: str = "auto", patience: int = 2,
          window: int = 400, filters: bool = True, lemmas: bool = False, eval_fraction: float = 0.1,
          seed: int = 0, onnx: bool = False, report: bool = True, progress: bool = False,
          on_epoch: Callable[[dict], None] | None = None, original_field: str | None = None,
          compressed_field: str | None = None, num_layers: int | None = None,
          threads: int | None = None) -> TrainResult:
    """Train a keep/drop token classifier on pairs and save it in ``output_dir``.

    ``data``/``eval_data``: a JSONL/JSON/CSV path, a ``datasets.Dataset`` or an iterable of
    :class:`Pair`/dicts/tuples. ``model``: a checkpoint folder or hub name (fine-tuned), or a
    ``transformers`` config (with ``tokenizer=``); ``from_scratch`` re-initialises a folder's
    weights; ``num_layers`` keeps only the first encoder layers of ``model``; ``threads`` sets
    torch's CPU threads while training (1 is fastest on a CPU shared with other jobs). Without ``eval_data`` a tenth of the templates (or pairs) is held out. Training
    stops after ``patience`` epochs without a better eval F1; the best epoch is saved.
    """
    torch = require("torch")
    with _cpu_threads(torch, threads):
        return _train(torch, data, model, output_dir, eval_data=eval_data, tokenizer=tokenizer,
                      from_scratch=from_scratch, epochs=epochs, batch_size=batch_size, lr=lr,
                      weight_decay=weight_decay, warmup=warmup, max_grad_norm=max_grad_norm,
                      max_length=max_length, precision=precision, device=device, patience=patience,
                      window=window, filters=filters, lemmas=lemmas, eval_fraction=eval_fraction,
                      seed=seed, onnx=onnx, report=report, progress=progress, on_epoch=on_epoch,
                      original_field=original_field, compressed_field=compressed_field,
                      num_layers=num_layers)


@contextlib.contextmanager
def _cpu_threads(torch, threads: int | None):
    """torch's intra-op thread count for the block, restored after (None: unchanged)."""
    if threads is None:
        yield
        return
    if threads < 1:
        raise TrainDataError(f"threads must be at least 1, got {threads}")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(torch, data, model, output_dir, *, eval_data, tokenizer, from_scratch, epochs, batch_size,
           lr, weight_decay, warmup, max_grad_norm, max_length, precision, device, patience, window,
           filters, lemmas, eval_fraction, seed, onnx, report, progress, on_epoch, original_field,
           compressed_field, num_layers) -> TrainResult:
    tf = require("transformers")
    rng = random.Random(seed)
    torch.manual_seed(seed)
    kw = dict(original_field=original_field, compressed_field=compressed_field)
    pairs = load_pairs(data, **kw)
    held = load_pairs(eval_data, **kw) if eval_data is not None else None
    if held is None:
        pairs, held = _split_eval(pairs, eval_fraction, rng)
    if not pairs or not held:
        raise TrainDataError(f"need training and evaluation pairs (got {len(pairs)} and {len(held)})")
    normalize = None
    if lemmas:
        from ._lemma import lemma_normalizer

        normalize = lemma_normalizer()
    train_pairs, train_al, rep = _labelled(pairs, window, normalize, filters)
    eval_pairs, eval_al, _ = _labelled(held, window, normalize, False)
    if not train_pairs:
        raise TrainDataError(f"no training pair is left after alignment and filtering ({rep.as_dict()})")

    net, tok = load_for_training(model, tokenizer=tokenizer, from_scratch=from_scratch, seed=seed,
                                 num_layers=num_layers)
    dev = _device(torch, device)
    net.to(dev)
    enc = Encoder(tok, max_length)
    train_w = _encode_all(enc, train_pairs, train_al)
    eval_w = _encode_all(enc, eval_pairs, eval_al)
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    prec = _Precision(torch, precision, dev)
    eval_prec = _Precision(torch, "fp32", dev)

    steps = epochs * math.ceil(len(train_w) / batch_size)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    sched = tf.get_linear_schedule_with_warmup(opt, int(warmup * steps), steps)
    cfg = dict(epochs=epochs, batch_size=batch_size, lr=lr, max_length=max_length, precision=prec.name,
               device=str(dev), train_pairs=len(train_pairs), eval_pairs=len(eval_pairs),
               train_windows=len(train_w), seed=seed, window=window, lemmas=lemmas, num_layers=num_layers,
               threads=torch.get_num_threads(),
               model=str(model) if not isinstance(model, tf.PretrainedConfig) else type(model).__name__)

    history: list[dict] = []
    best, best_state, best_epoch, stale = None, None, 0, 0
    bar = _Bar(progress, steps)
    with bar:
        for epoch in range(1, epochs + 1):
            t0 = time.perf_counter()
            net.train()
            loss_sum, n = 0.0, 0
            for idx in _batches(train_w, batch_size, rng):
                ids, mask, labels = _tensors(torch, train_w, idx, pad_id, dev)
                with prec.autocast():
                    loss = net(input_ids=ids, attention_mask=mask, labels=labels).loss
                opt.zero_grad(set_to_none=True)
                if prec.scaler is not None:
                    prec.scaler.scale(loss).backward()
                    prec.scaler.unscale_(opt)
                    torch.nn.utils.clip_grad_norm_(net.parameters(), max_grad_norm)
                    prec.scaler.step(opt)
                    prec.scaler.update()
                else:
                    loss.backward()   # clip *after* backward: the reference clipped before it
                    torch.nn.utils.clip_grad_norm_(net.parameters(), max_grad_norm)
                    opt.step()
                sched.step()
                loss_sum += float(loss.detach())
                n += 1
                bar.step(loss_sum / n)
            # scored in fp32, as the saved checkpoint runs in evaluate() and Compressor
            metrics = _evaluate_windows(torch, net, eval_w, eval_al, batch_size, pad_id, dev, eval_prec)
            row = {"epoch": epoch, "train_loss": loss_sum / max(n, 1),
                   **{f"eval_{k}": v for k, v in metrics.items()},
                   "seconds": round(time.perf_counter() - t0, 2)}
            history.append(row)
            bar.epoch(row)
            if on_epoch:
                on_epoch(row)
            if best is None or metrics["f1"] > best["f1"]:
                best, best_epoch, stale = metrics, epoch, 0
                best_state = copy.deepcopy({k: v.detach().cpu() for k, v in net.state_dict().items()})
            else:
                stale += 1
                if stale >= patience:
                    break
    net.load_state_dict(best_state)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    net.cpu().float().save_pretrained(out)
    tok.save_pretrained(out)
    result = TrainResult(out, history, best_epoch, best, rep.as_dict(), config=cfg)
    if onnx:
        from .._onnx import export_onnx

        result.onnx_path = export_onnx(out, out / "onnx")
    if report:
        from ._report import write_report

        write_report(result)
    return result


class _Bar:
    """rich progress bar with the running loss and the last eval F1 (no-op when off)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self._p = enabled, total, None
        self.f1 = float("nan")

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._p = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                               TextColumn("loss {task.fields[loss]:.4f}  eval F1 {task.fields[f1]:.3f}"),
                               TimeRemainingColumn())
            self._p.__enter__()
            self._task = self._p.add_task("train", total=self.total, loss=float("nan"), f1=self.f1)
        return self

    def step(self, loss: float) -> None:
        if self._p:
            self._p.update(self._task, advance=1, loss=loss)

    def epoch(self, row: dict) -> None:
        if self._p:
            self._p.update(self._task, f1=row["eval_f1"])
            self._p.console.log(f"epoch {row['epoch']}: train loss {row['train_loss']:.4f}, "
                                f"eval loss {row['eval_loss']:.4f}, token acc {row['eval_token_accuracy']:.3f}, "
                                f"P {row['eval_precision']:.3f} R {row['eval_recall']:.3f} "
                                f"F1 {row['eval_f1']:.3f} ({row['seconds']:.0f}s)")

    def __exit__(self, *exc):
        if self._p:
            self._p.__exit__(*exc)
        return False
