"""Behaviour of the default (fixed) mode."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compressor._tiktoken_offline import cl100k


@pytest.mark.parametrize("kind", ["xlmr", "bert"])
def test_rate_is_respected_and_words_come_from_input(kind, texts, get_compressor):
    comp = get_compressor(kind)
    for name in ["meetingbank_excerpt", "gsm8k_cot_demos", "long_3", "long_zh"]:
        src = texts[name]
        r = comp.compress(src, rate=0.4, return_word_probs=True)
        assert r.origin_tokens == len(cl100k().encode(src))
        assert r.compressed_tokens <= 0.4 * r.origin_tokens * 1.15 + 5
        assert r.compressed_tokens >= 0.2 * r.origin_tokens
        kept = [w for w, lab in zip(r.words, r.labels) if lab]
        assert all(w in src for w in kept)
        assert len(r.word_probs) == len(r.words) and all(0.0 <= p <= 1.0 for p in r.word_probs)


@pytest.mark.parametrize("kind", ["xlmr", "bert"])
def test_target_tokens_budget(kind, texts, get_compressor):
    r = get_compressor(kind).compress(texts["meetingbank_excerpt"], target_tokens=100)
    assert 50 <= r.compressed_tokens <= 115


@pytest.mark.parametrize("kind", ["xlmr", "bert"])
def test_force_tokens_kept_whole_and_newlines_survive(kind, get_compressor):
    text = "First line about the budget.\nSecond line: The answer is 42?\nThird line with words."
    r = get_compressor(kind).compress(text, rate=0.3, force_tokens=["\n", "?", "The answer is"])
    assert r.compressed_prompt.count("\n") == 2
    assert "The answer is" in r.compressed_prompt
    assert "?" in r.compressed_prompt


def test_keep_digits_and_rate_one(texts, get_compressor):
    comp = get_compressor("xlmr")
    r = comp.compress(texts["digits"], rate=0.2, keep_digits=True, return_labels=True)
    for w, lab in zip(r.words, r.labels):
        if re.search(r"\d", w):
            assert lab == 1
    assert comp.compress(texts["newlines"], rate=1.0).compressed_prompt == texts["newlines"]


def test_drop_consecutive_removes_repeated_force_tokens(texts, get_compressor):
    comp = get_compressor("bert")
    r = comp.compress(texts["repeated_force"], rate=0.2, force_tokens=[",", "!"], drop_consecutive=True)
    assert ",," not in r.compressed_prompt.replace(" ", "")
    assert "!!" not in r.compressed_prompt.replace(" ", "")


def test_cjk_output_has_no_inserted_spaces(texts, get_compressor):
    r = get_compressor("xlmr").compress(texts["zh_news_2"], rate=0.5)
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", r.compressed_prompt)


def test_context_filter_drops_contexts_and_labels_them(texts, get_compressor):
    comp = get_compressor("bert")
    ctx = [texts["meeting_dialogue"], texts["gsm8k_cot_demos"], texts["meetingbank_excerpt"], texts["short"]]
    r = comp.compress([ctx], rate=0.3, target_contexts=2, return_labels=True)[0]
    assert sum(r.context_kept) == 2 and len(r.compressed_contexts) == 2
    r2 = comp.compress([ctx], rate=0.3, target_contexts=1, force_context_ids=[3])[0]
    assert r2.context_kept[3]
    assert comp.compress_contexts(ctx, rate=0.3, context_filter=False).context_kept == [True] * 4


def test_special_tokens_are_the_tokenizers_own(get_compressor):
    comp = get_compressor("xlmr")
    st_ = comp._default_state
    assert st_.prefix == [comp.tokenizer.cls_token_id] and st_.suffix == [comp.tokenizer.sep_token_id]
    compat = get_compressor("xlmr", compat="llmlingua")
    assert compat._compat_state.cls_id == compat.tokenizer.unk_token_id  # the reference's quirk


def test_no_token_lost_in_long_chunks(texts, get_compressor):
    comp = get_compressor("xlmr")
    text = texts["no_sentence_end"]
    r = comp.compress(text, rate=1.0 - 1e-9, return_labels=True)
    # nearly everything kept: every word of the input is present in the word list
    joined = "".join(r.words)
    assert joined.replace(" ", "") == "".join(text.split())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("abcxyz .,?\n中文0123")), max_size=400),
       rate=st.floats(0.1, 0.9), kind=st.sampled_from(["xlmr", "bert"]))
def test_default_never_crashes_and_is_subsequence(text, rate, kind, get_compressor):
    comp = get_compressor(kind)
    r = comp.compress(text, rate=rate, force_tokens=["\n"], return_labels=True)
    assert r.compressed_tokens <= r.origin_tokens + 2
    pos = 0
    for w, lab in zip(r.words, r.labels):
        if lab:
            found = text.find(w, pos)
            assert found >= 0
            pos = found + len(w)


def test_word_boundaries_do_not_depend_on_folder_name(model_dirs, tmp_path, texts):
    import shutil

    from compressor import Compressor

    dst = tmp_path / "my-local-model"
    shutil.copytree(model_dirs["xlmr"], dst)
    a = Compressor(model_dirs["xlmr"], device="cpu", compat="llmlingua")
    b = Compressor(str(dst), device="cpu", compat="llmlingua")
    assert b.scheme == "sentencepiece"
    t = texts["meeting_dialogue"]
    assert a.compress(t, rate=0.5).compressed_prompt == b.compress(t, rate=0.5).compressed_prompt


@pytest.mark.parametrize("kind", ["xlmr", "bert"])
def test_paragraph_breaks_survive_default_mode_compression(kind, get_compressor):
    paragraphs = [
        "The council will vote on item twenty eight after a short break tonight.",
        "Please keep your comments brief because we have many speakers waiting.",
        "The budget for the coming year is about three and a half million dollars.",
    ]
    text = "\n\n".join(paragraphs)
    out = get_compressor(kind).compress(text, rate=0.5).compressed_prompt
    pieces = out.split("\n\n")
    # Each kept paragraph stays a paragraph: never glued to the next, never split by a single newline.
    assert 1 <= len(pieces) <= 3 and "\n" not in out.replace("\n\n", "")
    for piece in pieces:
        owners = [p for p in paragraphs if set(re.findall(r"\w+", piece)) <= set(re.findall(r"\w+", p))]
        assert owners, (piece, out)
    if len(pieces) == 3:
        assert all(set(re.findall(r"\w+", p)) <= set(re.findall(r"\w+", para)) for p, para in zip(pieces, paragraphs))
