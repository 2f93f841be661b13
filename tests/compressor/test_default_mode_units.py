"""The default mode's pure pieces, without a model: joining kept words, newline flags, packing."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from compressor._batching import pack
from compressor._default import _force_spans, _is_punct, _join, _newline_after

GAPS = st.sampled_from([" ", "  ", "\n", " \n ", "\n\n", "\n \n", "\t", "\n\n\n"])
WORDS = st.text(alphabet="abcxyz", min_size=1, max_size=5)


@st.composite
def spaced_words(draw):
    """A text of latin words with varied gaps, the word spans, and which words are kept."""
    words = draw(st.lists(WORDS, min_size=1, max_size=12))
    gaps = [draw(GAPS) for _ in words[1:]]
    text, spans = "", []
    for i, w in enumerate(words):
        if i:
            text += gaps[i - 1]
        spans.append((len(text), len(text) + len(w)))
        text += w
    keep = draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    return text, spans, keep


def _expected_separator(between: str) -> str:
    return "\n\n" if "\n\n" in between else "\n" if "\n" in between else " "


def _join_spans(text, spans, keep, cjk=None, punct=None):
    ws = np.array([a for a, _ in spans])
    we = np.array([b for _, b in spans])
    n = len(spans)
    return _join(text, ws, we, np.nonzero(np.array(keep, dtype=bool))[0],
                 np.array(cjk or [False] * n), np.array(punct or [False] * n))


@given(spaced_words())
def test_join_keeps_paragraph_breaks_and_line_breaks_between_kept_words(case):
    text, spans, keep = case
    kept = [i for i, k in enumerate(keep) if k]
    expected = ""
    for j, i in enumerate(kept):
        if j:
            expected += _expected_separator(text[spans[kept[j - 1]][1]:spans[i][0]])
        expected += text[spans[i][0]:spans[i][1]]
    assert _join_spans(text, spans, keep) == expected


def test_join_paragraph_break_survives_a_dropped_paragraph():
    text = "one two\n\nthree\n\nfour five"
    spans = [(0, 3), (4, 7), (9, 14), (16, 20), (21, 25)]
    assert _join_spans(text, spans, [1, 0, 0, 1, 1]) == "one\n\nfour five"
    assert _join_spans(text, spans, [1, 1, 1, 1, 1]) == "one two\n\nthree\n\nfour five"
    assert _join_spans(text, spans, [0, 1, 1, 0, 0]) == "two\n\nthree"


def test_join_attaches_punctuation_and_leaves_no_space_inside_cjk():
    text = "Hello , world !"
    spans = [(0, 5), (6, 7), (8, 13), (14, 15)]
    # ',' stands apart in the input: it keeps its space; a punctuation word glued to a word does not.
    assert _join_spans(text, spans, [1, 1, 1, 1], punct=[False, True, False, True]) == "Hello , world !"
    glued = "Hello, world!"
    assert _join_spans(glued, [(0, 5), (5, 6), (7, 12), (12, 13)], [1, 0, 1, 1],
                       punct=[False, True, False, True]) == "Hello world!"
    cjk = "我们讨论预算"
    assert _join_spans(cjk, [(0, 2), (2, 4), (4, 6)], [1, 0, 1], cjk=[True, True, True]) == "我们预算"
    # The same dropped middle between latin words leaves one space; whitespace in the input stays a space.
    assert _join_spans("abcdef", [(0, 2), (2, 4), (4, 6)], [1, 0, 1]) == "ab ef"
    assert _join_spans("我们 讨论 预算", [(0, 2), (3, 5), (6, 8)], [1, 0, 1], cjk=[True] * 3) == "我们 预算"
    assert _join_spans("ab  cd", [(0, 2), (4, 6)], [1, 1]) == "ab cd"
    assert _join_spans("abcd", [(0, 2), (2, 4)], [1, 1]) == "abcd"


@given(spaced_words())
def test_newline_after_flags_each_gap_that_holds_a_newline(case):
    text, spans, _ = case
    offs = np.array(spans, dtype=np.int64).reshape(-1, 2)
    got = _newline_after(text, offs).tolist()
    expected = ["\n" in text[spans[i][1]:spans[i + 1][0]] for i in range(len(spans) - 1)] + [False]
    assert got == expected


def test_force_spans_prefer_the_longest_token_and_do_not_overlap():
    assert _force_spans("abab a", ("a", "ab")) == [(0, 2), (2, 4), (5, 6)]
    assert _force_spans("x\n\ny", ("\n",)) == [(1, 2), (2, 3)]
    assert _force_spans("a.b", ()) == []
    assert _force_spans("a.b", (".", ".")) == [(1, 2)]


def test_is_punct():
    assert _is_punct(",") and _is_punct("?!") and _is_punct("。") and _is_punct("«")
    assert not _is_punct("") and not _is_punct("a,") and not _is_punct("1") and not _is_punct(" ")


@given(st.lists(st.integers(0, 9), min_size=0, max_size=30), st.integers(1, 40), st.integers(1, 6),
       st.sampled_from([1, 2, 8]))
def test_pack_covers_every_sequence_once_within_the_budget(lengths, max_tokens, max_batch, multiple_of):
    seqs = [np.arange(1, n + 1, dtype=np.int64) * (i + 1) for i, n in enumerate(lengths)]
    batches = list(pack(seqs, max_tokens=max_tokens, max_batch=max_batch, pad_id=-7, multiple_of=multiple_of))
    order = [int(k) for b in batches for k in b.index]
    assert sorted(order) == list(range(len(seqs)))
    assert [lengths[k] for k in order] == sorted(lengths, reverse=True)  # longest first
    # Ties keep their input order (a stable sort), so equal prompts batch the same every time.
    assert order == sorted(range(len(seqs)), key=lambda k: -lengths[k])
    for b in batches:
        rows, width = b.ids.shape
        longest = max(lengths[k] for k in b.index)
        assert rows == len(b.index) and 1 <= rows <= max_batch
        assert width % multiple_of == 0 and longest <= width < longest + multiple_of or (width == 0 == longest)
        assert rows == 1 or rows * width <= max_tokens
        assert b.lengths.tolist() == [lengths[k] for k in b.index]
        for r, k in enumerate(b.index):
            n = lengths[k]
            assert b.ids[r, :n].tolist() == seqs[k].tolist()
            assert (b.ids[r, n:] == -7).all()
            assert b.mask[r].tolist() == [1] * n + [0] * (width - n)
    # A batch is as full as the budget allows: the next sequence would not have fitted.
    for b, nxt in zip(batches, batches[1:]):
        width = b.ids.shape[1]
        if len(b.index) < max_batch and width:
            assert (len(b.index) + 1) * width > max_tokens


def test_pack_of_nothing_yields_nothing():
    assert list(pack([], max_tokens=8, max_batch=8, pad_id=0)) == []
