"""The default mode's planning and scoring with a real WordPiece tokenizer and chosen
probabilities instead of a model: words, chunks, budgets, context filter, exact outputs.

Fast (no model, no torch forward pass), so tests/benchmarks/mutation.py judges
compressor/_default.py by these.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("transformers", reason="the default mode tokenizes with a transformers tokenizer")

from compressor._default import MAX_CONTENT, DefaultState, Options, finish, kept_text, plan, word_scores  # noqa: E402
from compressor._testing import minilm_vocab_dir  # noqa: E402
from compressor._vocab import VocabTables  # noqa: E402

CLS, SEP = 101, 102  # the MiniLM vocabulary's [CLS] and [SEP]


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_vocab_dir()))


@pytest.fixture(scope="module")
def state(tokenizer):
    return DefaultState(tokenizer, VocabTables(tokenizer, "wordpiece"))


@pytest.fixture(scope="module")
def offsets_state(tokenizer):
    """The same vocabulary read as a tokenizer without piece markers: words come from offsets."""
    return DefaultState(tokenizer, VocabTables(tokenizer, "offsets"))


def options(**kw) -> Options:
    base = dict(rate=0.5, target_tokens=None, force_tokens=(), keep_digits=False, drop_consecutive=False,
                context_filter=True, context_rate=None, context_target_tokens=None, target_contexts=None,
                force_context_ids=(), token_to_word="mean", chunk_end_tokens=(".", "\n"))
    base.update(kw)
    return Options.from_kwargs(base)


def words_of(p, ci=0) -> list[str]:
    c = p.contexts[ci]
    return [c.text[a:b] for a, b in zip(c.ws.tolist(), c.we.tolist())]


def probs_for(st, p, by_word: dict[int, list[float]] | None = None, default=0.5) -> list[np.ndarray]:
    """Per chunk (with its [CLS]/[SEP]), each token's keep probability: ``by_word[ctx]`` gives one
    probability per word of that context (every piece of the word gets it)."""
    out = []
    for (ci, s, e), ids in zip(p.chunk_owner, p.chunk_ids):
        pr = np.full(len(ids), -1.0, dtype=np.float32)  # the specials' values must never be read
        tw = p.contexts[ci].tok_word
        for t in range(s, e):
            w = int(tw[t])
            pr[len(st.prefix) + t - s] = by_word[ci][w] if by_word and w >= 0 else default
        out.append(pr)
    return out


def compress(st, contexts, by_word=None, want=True, **kw):
    opt = options(**kw)
    p = plan(st, contexts, opt)
    return finish(st, p, probs_for(st, p, by_word), opt, want, want)


# ---------------------------------------------------------------- words


def test_words_join_pieces_and_split_punctuation_and_cjk(state, offsets_state):
    text = "unbelievably good, 会议 ok.\n\nnext 2024"
    for st in (state, offsets_state):
        p = plan(st, [text], options())
        assert words_of(p) == ["unbelievably", "good", ",", "会", "议", "ok", ".", "next", "2024"]
        c = p.contexts[0]
        assert c.tok_word.tolist() == [0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8]
        assert c.forced.tolist() == [False] * 9
        assert c.n_tokens == st.count(text) == p.n_original


def test_sentencepiece_bare_marks_belong_to_no_word():
    pytest.importorskip("sentencepiece", reason="the XLM-R test tokenizer is trained with sentencepiece")
    from compressor._testing import build_xlmr_tokenizer

    tok = build_xlmr_tokenizer(["the cat sat on the mat. hello world, ok? the dog ran."] * 50, vocab_size=60)
    st = DefaultState(tok, VocabTables(tok, "sentencepiece"))
    assert (st.prefix, st.suffix) == ([0], [2])  # <s> and </s>
    p = plan(st, ["the cat , sat"], options())
    # pieces: ▁ t he ▁ c at ▁ , ▁ s at; each bare "▁" is no word and the next piece starts one
    assert tok.convert_ids_to_tokens(p.contexts[0].ids.tolist()) == ["▁", "t", "he", "▁", "c", "at", "▁", ",",
                                                                     "▁", "s", "at"]
    assert words_of(p) == ["the", "cat", ",", "sat"]
    assert p.contexts[0].tok_word.tolist() == [-1, 0, 0, -1, 1, 1, -1, 2, -1, 3, 3]
    assert p.chunk_ids[0].tolist()[0] == 0 and p.chunk_ids[0].tolist()[-1] == 2
    assert plan(st, ["hello world, ok"], options()).contexts[0].tok_word.tolist() == [
        -1, 0, 0, 0, 0, -1, 1, 1, 1, 1, 1, 2, 3, 3]


def test_offsets_scheme_starts_a_word_after_a_gap_only(state, offsets_state):
    p = plan(offsets_state, ["extraordinarily extra ordinarily"], options())
    assert words_of(p) == ["extraordinarily", "extra", "ordinarily"]
    # The tokenizer drops a soft hyphen or a zero-width space: WordPiece's "##" still joins the
    # pieces into one word, while offsets alone see a gap there.
    for sep in ("\u00ad", "\u200b"):
        text = f"extra{sep}ordinarily"
        assert words_of(plan(state, [text], options())) == [text]
        assert words_of(plan(offsets_state, [text], options())) == ["extra", "ordinarily"]


def test_force_tokens_split_words_and_are_words_of_their_own(state):
    p = plan(state, ["goodbye\nok okay"], options(force_tokens=["\n", "ok", ""]))
    # "okay" is one token of the vocabulary: the force span "ok" cuts it, the rest "ay" stays a word.
    assert words_of(p) == ["goodbye", "\n", "ok", "ok", "ay"]
    c = p.contexts[0]
    assert c.forced.tolist() == [False, True, True, True, False]
    assert c.split_words is True
    # a forced word takes no token; the piece cut out of a token is scored from that token
    assert c.tok_word.tolist() == [0, -1, -1]  # tokens: goodbye, ok, okay (its first character is forced)
    p = plan(state, ["goodbye ok fine"], options(force_tokens=["ok"]))
    assert words_of(p) == ["goodbye", "ok", "fine"]
    assert p.contexts[0].tok_word.tolist() == [0, -1, 2]


def test_empty_and_whitespace_contexts_have_no_words_or_chunks(state):
    p = plan(state, ["", "   "], options())
    assert [words_of(p, i) for i in range(2)] == [[], []]
    assert p.chunk_ids == [] and p.needs_model


# ---------------------------------------------------------------- chunks


def test_chunks_end_after_the_last_sentence_end_that_fits(state):
    sentence = "the " * 99 + "end. "  # 101 tokens
    p = plan(state, [sentence * 6], options())
    assert p.contexts[0].chunk_slices == [(0, 505), (505, 606)]
    assert p.chunk_owner == [(0, 0, 505), (0, 505, 606)]
    ids = p.contexts[0].ids
    for (_, s, e), chunk in zip(p.chunk_owner, p.chunk_ids):
        assert chunk.tolist() == [CLS] + ids[s:e].tolist() + [SEP]
        assert chunk.dtype == np.int64


def test_chunks_without_a_sentence_end_cut_at_a_word_start(state):
    p = plan(state, ["extraordinarily " * 200], options())  # 4 pieces a word, 800 tokens
    assert p.contexts[0].chunk_slices == [(0, 508), (508, 800)]
    p = plan(state, ["the " * (MAX_CONTENT + 1)], options())
    assert p.contexts[0].chunk_slices == [(0, MAX_CONTENT), (MAX_CONTENT, MAX_CONTENT + 1)]
    p = plan(state, ["the " * MAX_CONTENT], options())
    assert p.contexts[0].chunk_slices == [(0, MAX_CONTENT)]


def test_a_newline_ends_a_sentence_only_when_it_is_a_chunk_end_token(state):
    text = ("the " * 299 + "\n") * 2  # no period: only the newline can end the first sentence
    p = plan(state, [text], options())
    assert p.contexts[0].chunk_slices == [(0, 299), (299, 598)]
    p = plan(state, [text], options(chunk_end_tokens=(".",)))
    assert p.contexts[0].chunk_slices == [(0, MAX_CONTENT), (MAX_CONTENT, 598)]


def test_several_contexts_own_their_chunks(state):
    p = plan(state, ["one two.", "three"], options())
    assert p.chunk_owner == [(0, 0, 3), (1, 0, 1)]
    assert [c.tolist() for c in p.chunk_ids] == [[CLS, 2028, 2048, 1012, SEP], [CLS, 2093, SEP]]


def test_rate_one_needs_no_model_and_returns_the_input(state):
    opt = options(rate=1.0)
    p = plan(state, ["the cat sat.", "on the mat"], opt)
    assert not p.needs_model and p.chunk_ids == []
    r = finish(state, p, [], opt, True, True)
    assert r.compressed_prompt == "the cat sat.\n\non the mat"
    assert r.compressed_contexts == ["the cat sat.", "on the mat"]
    assert r.origin_tokens == r.compressed_tokens == 7
    assert r.words == ["the", "cat", "sat", ".", "on", "the", "mat"]
    assert r.labels == [1] * 7 and r.word_probs == [1.0] * 7 and r.context_kept == [True, True]
    r = finish(state, p, [], opt, False, False)
    assert (r.words, r.labels, r.word_probs) == (None, None, None)
    assert not plan(state, ["the cat"], options(rate=2.0)).needs_model
    assert plan(state, ["the cat"], options(rate=0.99)).needs_model
    # a token target still needs the model, even at rate 1
    assert plan(state, ["the cat"], options(rate=1.0, target_tokens=1)).needs_model


# ---------------------------------------------------------------- scores and budget

CAT = "the cat sat on the mat"
CAT_P = {0: [0.9, 0.1, 0.8, 0.2, 0.7, 0.3]}


def test_rate_keeps_the_most_probable_words_within_the_budget(state):
    r = compress(state, [CAT], CAT_P, rate=0.5)
    assert r.compressed_prompt == "the sat the"
    assert r.labels == [1, 0, 1, 0, 1, 0]
    assert r.word_probs == pytest.approx([0.9, 0.1, 0.8, 0.2, 0.7, 0.3])
    assert (r.origin_tokens, r.compressed_tokens) == (6, 3)
    assert compress(state, [CAT], CAT_P, rate=0.34).compressed_prompt == "the sat"
    assert compress(state, [CAT], CAT_P, rate=0.33).compressed_prompt == "the"
    assert compress(state, [CAT], CAT_P, rate=5.0).compressed_prompt == CAT


def test_equal_probabilities_keep_the_earlier_words(state):
    r = compress(state, [CAT], {0: [0.5] * 6}, rate=0.5)
    assert r.compressed_prompt == "the cat sat"


def test_target_tokens_sets_the_budget(state):
    assert compress(state, [CAT], CAT_P, target_tokens=2).compressed_prompt == "the sat"
    assert compress(state, [CAT], CAT_P, target_tokens=4, rate=0.1).compressed_prompt == "the sat the mat"
    assert compress(state, [CAT], CAT_P, target_tokens=60).compressed_prompt == CAT


def test_budget_counts_each_word_in_cl100k_tokens(state):
    # "antidisestablishmentarianism" costs several cl100k tokens: it does not fit a 3-token budget
    text = "antidisestablishmentarianism is long"
    assert state.count("antidisestablishmentarianism") > 2
    for target in (2, 3):
        assert compress(state, [text], {0: [0.4, 0.9, 0.5]}, target_tokens=target).compressed_prompt == "is long"
    # words are taken by probability until one does not fit: none after it is kept
    assert compress(state, [text], {0: [0.9, 0.5, 0.4]}, target_tokens=3).compressed_prompt == ""


def test_token_to_word_mean_or_first_piece(state):
    text = "unbelievably good"
    opt_mean, opt_first = options(rate=0.5), options(rate=0.5, token_to_word="first")
    p = plan(state, [text], opt_mean)
    pr = [np.array([-1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.4, -1], dtype=np.float32)]
    word_p, raw_p, txt = word_scores(state, p, pr, opt_mean)
    assert txt == [["unbelievably", "good"]]
    assert word_p[0].tolist() == pytest.approx([0.26, 0.4])
    assert raw_p[0].tolist() == pytest.approx([0.26, 0.4])
    word_p, _, _ = word_scores(state, p, pr, opt_first)
    assert word_p[0].tolist() == pytest.approx([0.9, 0.4])


def test_keep_digits_and_force_tokens_score_one_and_are_always_kept(state):
    text = "we sold 2024 units ok"
    low = {0: [0.9, 0.1, 0.1, 0.1, 0.1]}
    assert state.count("2024") == 2
    assert compress(state, [text], low, rate=0.5).compressed_prompt == "we sold"
    r = compress(state, [text], low, rate=0.5, keep_digits=True)
    assert r.compressed_prompt == "we 2024"
    assert r.word_probs == pytest.approx([0.9, 0.1, 1.0, 0.1, 0.1])
    opt = options(rate=0.5, force_tokens=["ok"])
    p = plan(state, [text], opt)
    r = finish(state, p, probs_for(state, p, {0: [0.9, 0.1, 0.1, 0.1, 0.1]}), opt, True, True)
    assert r.compressed_prompt == "we sold ok"
    assert r.labels == [1, 1, 0, 0, 1] and r.word_probs[-1] == 1.0


def test_a_piece_cut_from_a_token_by_a_force_span_takes_that_tokens_probability(state):
    opt = options(rate=0.5, force_tokens=["ok"])
    p = plan(state, ["good okay"], opt)  # words: good, ok (forced), ay
    assert words_of(p) == ["good", "ok", "ay"]
    ids = p.chunk_ids[0]
    pr = [np.array([-1, 0.2, 0.7, -1], dtype=np.float32)]
    assert len(ids) == 4
    word_p, raw_p, _ = word_scores(state, p, pr, opt)
    assert word_p[0].tolist() == pytest.approx([0.2, 1.0, 0.7])
    assert raw_p[0].tolist() == pytest.approx([0.2, 0.7])


def test_a_piece_with_a_token_of_its_own_keeps_that_tokens_probability(state):
    opt = options(rate=0.5, force_tokens=["ok"])
    p = plan(state, ["okayfine"], opt)  # tokens: okay, ##fine; words: ok (forced), ayfine
    assert words_of(p) == ["ok", "ayfine"]
    assert p.contexts[0].tok_word.tolist() == [-1, 1]
    word_p, _, _ = word_scores(state, p, [np.array([-1, 0.2, 0.7, -1], dtype=np.float32)], opt)
    assert word_p[0].tolist() == pytest.approx([1.0, 0.7])


@pytest.mark.parametrize("token_to_word", ["mean", "first"])
def test_a_context_of_force_tokens_only_needs_no_token(state, token_to_word):
    # "\n" is no token of the vocabulary: the context has words but no tokens to score
    r = compress(state, ["\n", "the cat"], {1: [0.9, 0.1]}, rate=0.7, force_tokens=["\n"],
                 token_to_word=token_to_word, context_filter=False)
    assert r.compressed_contexts == ["\n", "the"]
    assert r.words == ["\n", "the", "cat"] and r.labels == [1, 1, 0]


def test_drop_consecutive_removes_repeated_forced_words(state):
    text = "yes , , no , ok"
    by = {0: [0.9, 0.1, 0.1, 0.8, 0.1, 0.1]}
    kw = dict(rate=0.84, force_tokens=[","])
    assert compress(state, [text], by, **kw).compressed_prompt == "yes , , no ,"
    assert compress(state, [text], by, drop_consecutive=True, **kw).compressed_prompt == "yes , no ,"
    # without force tokens there is nothing to drop
    assert compress(state, [text], by, rate=0.34, drop_consecutive=True).compressed_prompt == "yes no"


# ---------------------------------------------------------------- context filter

THREE = ["alpha beta", "gamma delta", "the cat"]
THREE_P = {0: [0.9, 0.9], 1: [0.1, 0.1], 2: [0.6, 0.4]}


def test_context_filter_drops_the_lowest_scoring_contexts(state):
    r = compress(state, THREE, THREE_P, target_tokens=60, context_rate=0.34)
    assert r.context_kept == [True, False, False]
    assert r.compressed_contexts == ["alpha beta"]
    assert r.compressed_prompt == "alpha beta"
    assert r.words == ["alpha", "beta", "gamma", "delta", "the", "cat"]
    assert r.labels == [1, 1, 0, 0, 0, 0]
    r = compress(state, THREE, THREE_P, target_tokens=60, context_rate=0.67)
    assert r.context_kept == [True, False, True]
    assert r.compressed_prompt == "alpha beta\n\nthe cat"


def test_context_rate_defaults_from_the_rate_or_the_target(state):
    # rate 0.3: contexts at (0.3 + 1) / 2 = 65%, the 35th percentile of the scores
    assert compress(state, THREE, THREE_P, rate=0.3).context_kept == [True, False, True]
    # target 1 token of 6: contexts at 2 * 1 / 6, the 66th percentile
    assert compress(state, THREE, THREE_P, target_tokens=1).context_kept == [True, False, False]
    # target 2 of 6: contexts at 2 * 2 / 6, the 33rd percentile
    assert compress(state, THREE, THREE_P, target_tokens=2).context_kept == [True, False, True]
    assert compress(state, THREE, THREE_P, target_contexts=1).context_kept == [True, False, False]
    assert compress(state, THREE, THREE_P, target_contexts=7).context_kept == [True, True, True]
    assert compress(state, THREE, THREE_P, context_target_tokens=2).context_kept == [True, False, False]
    assert compress(state, THREE, THREE_P, context_target_tokens=60).context_kept == [True, True, True]
    r = compress(state, THREE, THREE_P, target_contexts=1, force_context_ids=[1])
    assert r.context_kept == [True, True, False]
    assert compress(state, THREE, THREE_P, rate=0.3, context_filter=False).context_kept == [True, True, True]


def test_the_budget_is_shared_by_the_kept_contexts(state):
    # 4 words kept of 2 contexts: target 2 tokens over the kept contexts' 4 tokens keeps 2 words
    r = compress(state, THREE, THREE_P, target_tokens=2, target_contexts=2)
    assert r.context_kept == [True, False, True]
    assert r.compressed_contexts == ["alpha beta", ""]
    assert r.compressed_tokens == 2 and r.origin_tokens == 6


def test_one_context_is_never_filtered(state):
    r = compress(state, ["gamma delta"], {0: [0.1, 0.1]}, rate=0.5, target_contexts=0)
    assert r.context_kept == [True] and r.compressed_prompt == "gamma"


# ---------------------------------------------------------------- joining and counting


def test_kept_text_strips_spaces_but_keeps_newlines(state):
    p = plan(state, ["alpha\nbeta gamma"], options(force_tokens=["\n"]))
    c = p.contexts[0]
    txt = words_of(p)
    assert txt == ["alpha", "\n", "beta", "gamma"]
    assert kept_text(c, np.array([False, True, True, False]), txt) == "\nbeta"
    assert kept_text(c, np.array([True, False, False, True]), txt) == "alpha\ngamma"


def test_count_caches_the_cl100k_length(state):
    assert state.count("hello world") == 2
    assert state._cache["hello world"] == 2
    assert state.count("") == 0
