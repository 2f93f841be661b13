"""Recipe starts (guard_start), keeping the first layers of a checkpoint, and the thread option."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="training needs the compress extra (torch)")
pytest.importorskip("transformers", reason="training needs the compress extra (transformers)")

from compressor import ModelLoadError
from compressor.train import TrainDataError, guard_start, train
from compressor.train._model import load_for_training
from compressor.train._trainer import _cpu_threads


def test_minilm_start_keeps_the_pretrained_first_layers():
    start = guard_start("minilm-l3")
    assert start.num_layers == 3 and start.tokenizer is None and start.lr < 1e-3
    net, tok = load_for_training(start.model, num_layers=2)
    full, _ = load_for_training(start.model)
    assert len(net.bert.encoder.layer) == 2 and len(full.bert.encoder.layer) == 6
    a, b = net.state_dict(), full.state_dict()
    for key in ("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.dense.weight"):
        assert torch.equal(a[key], b[key]), key      # pretrained weights, not fresh ones
    fresh, _ = load_for_training(start.model, num_layers=2, from_scratch=True)
    assert not torch.equal(fresh.state_dict()["bert.encoder.layer.1.output.dense.weight"],
                           a["bert.encoder.layer.1.output.dense.weight"])


@pytest.mark.parametrize("bad", [0, 7, -1])
def test_num_layers_out_of_range_is_a_clear_error(bad):
    with pytest.raises(ModelLoadError, match="num_layers must be between 1 and the model's 6 layers"):
        load_for_training(guard_start("minilm").model, num_layers=bad)


def test_unknown_shape_names_the_choices():
    with pytest.raises(TrainDataError, match="choose one of minilm, minilm-l3, tiny, small"):
        guard_start("huge")


def test_threads_apply_inside_and_are_restored():
    before = torch.get_num_threads()
    with _cpu_threads(torch, 1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(TrainDataError, match="threads must be at least 1"):
        train([("a b c", "a")], guard_start("tiny").model, "/nonexistent", tokenizer=guard_start("tiny").tokenizer,
              threads=0)
