"""The training report in the output folder: ``train_report.json`` (config, filters, every
epoch's figures, the best epoch) and ``train_report.png`` (loss and keep-word F1 per epoch)."""
from __future__ import annotations

import json
from pathlib import Path

from .._deps import require

REPORT_JSON = "train_report.json"
REPORT_PNG = "train_report.png"


def write_report(result, *, plot: bool = True) -> None:
    out = Path(result.output_dir)
    data = {"config": result.config, "filters": result.filters, "best_epoch": result.best_epoch,
            "best": result.best, "history": result.history,
            "onnx": str(result.onnx_path) if result.onnx_path else None}
    path = out / REPORT_JSON
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    result.report_path = path
    if plot:
        result.plot_path = plot_history(result.history, out / REPORT_PNG)


def plot_history(history: list[dict], path: str | Path, title: str = "training") -> Path:
    """Two panels: train/eval loss, and eval precision/recall/F1, per epoch."""
    matplotlib = require("matplotlib", "The training plot")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ep = [r["epoch"] for r in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3), dpi=80)
    a.plot(ep, [r["train_loss"] for r in history], "o-", label="train loss")
    a.plot(ep, [r["eval_loss"] for r in history], "s-", label="eval loss")
    a.set_xlabel("epoch")
    a.legend()
    for key, style in (("f1", "o-"), ("precision", "--"), ("recall", ":")):
        b.plot(ep, [r[f"eval_{key}"] for r in history], style, label=f"eval {key}")
    b.set_ylim(0, 1.02)
    b.set_xlabel("epoch")
    b.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
