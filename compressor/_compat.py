"""``compat="llmlingua"``: reproduce ``llmlingua==0.2.2``'s LLMLingua-2 output exactly.

This is an independent re-implementation of the reference's *observable behaviour* (see
docs/compressor.md, "compat vs default"), organised in two phases so that chunks of many
prompts can share model batches:

1. :func:`plan` — force-token mapping, chunking, model inputs (per prompt).
2. :func:`finish` — token→word merge (vectorised), per-chunk thresholds, output text.

Quirks reproduced on purpose: BERT-style ``[CLS]``/``[SEP]`` strings as wrappers (``<unk>`` for
XLM-R), 511-token chunks losing their last token, chunk text re-tokenised from its decoded
string, ``[NEWi]`` substitution for multi-piece force tokens, per-chunk percentile over
cl100k-weighted word probabilities (SentencePiece words keep their ``▁``), chunk outputs joined
with ``""``, and float32/float64 arithmetic exactly as the reference's Python lists produce it.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ._tiktoken_offline import cl100k
from ._vocab import SP_MARK, VocabTables

MAX_SEQ_LEN = 512
_PUNCT = set(string.punctuation)
_DIGIT = re.compile(r"\d")
_SPLIT_WORDS = re.compile(r'\b\w+\b|[<>=/!@#$%^&*()?":{}|\\`~;_+-]')


@dataclass
class Options:
    """Arguments of one compression call (shared by every prompt of the call)."""

    rate: float = 0.5
    target_token: float = -1
    force_tokens: tuple[str, ...] = ()
    force_reserve_digit: bool = False
    drop_consecutive: bool = False
    use_context_level_filter: bool = True
    target_context: int = -1
    context_level_rate: float = 1.0
    context_level_target_token: float = -1
    force_context_ids: tuple[int, ...] = ()
    token_to_word: str = "mean"
    chunk_end_tokens: tuple[str, ...] = (".", "\n")


@dataclass
class Plan:
    """Per-prompt state between :func:`plan` and :func:`finish`."""

    contexts: list[str]
    chunks: list[list[str]]
    chunk_ids: list[np.ndarray] = field(default_factory=list)  # model inputs, specials included
    n_original: int = 0
    needs_model: bool = True
    context_filter: bool = False


class CompatState:
    """Tokenizer-level constants of compat mode (built once per :class:`Compressor`)."""

    def __init__(self, tokenizer, tables: VocabTables, special_tokens: set[str], added: list[str]):
        self.tok = tokenizer
        self.tables = tables
        self.scheme = tables.scheme
        ids = tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]"])
        unk = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
        self.cls_id = ids[0] if ids[0] is not None else unk
        self.sep_id = ids[1] if ids[1] is not None else unk
        self.added_tokens = added
        self.is_special = np.array([t in special_tokens for t in tables.tokens], dtype=bool)
        self._enc = cl100k()
        self._count_cache: dict[str, int] = {}

    def count(self, text: str) -> int:
        c = self._count_cache.get(text)
        if c is None:
            c = len(self._enc.encode(text))
            if len(self._count_cache) < 500_000:
                self._count_cache[text] = c
        return c

    def token_map(self, force_tokens: Sequence[str]) -> dict[str, str]:
        tm: dict[str, str] = {}
        for i, t in enumerate(force_tokens):
            if len(self.tok.tokenize(t)) != 1:
                tm[t] = self.added_tokens[i]
        return tm


# --------------------------------------------------------------------------- phase 1
def _chunk(st: CompatState, text: str, end_tokens: set[str]) -> list[str]:
    tok = st.tok
    tokens = tok.tokenize(text)
    n = len(tokens)
    max_len = MAX_SEQ_LEN - 2
    out: list[str] = []
    s = 0
    while s < n:
        if s + max_len > n - 1:
            out.append(tok.convert_tokens_to_string(tokens[s:n]))
            break
        e = s + max_len
        for j in range(0, e - s):
            if tokens[e - j] in end_tokens:
                e = e - j
                break
        out.append(tok.convert_tokens_to_string(tokens[s:e + 1]))
        s = e + 1
    return out


def plan(st: CompatState, contexts: list[str], opt: Options) -> Plan:
    if len(opt.force_tokens) > len(st.added_tokens):
        raise ValueError(f"at most {len(st.added_tokens)} force tokens are supported")
    tm = st.token_map(opt.force_tokens)
    ends = list(opt.chunk_end_tokens)
    for c in list(ends):
        if c in tm:
            ends.append(tm[c])
    end_set = set(ends)
    p = Plan(contexts=list(contexts), chunks=[])
    p.context_filter = opt.use_context_level_filter and len(contexts) > 1
    for c in contexts:
        p.n_original += st.count(c)
        for ori, new in tm.items():
            c = c.replace(ori, new)
        p.chunks.append(_chunk(st, c, end_set))
    if not p.context_filter:
        rate = opt.rate
        if opt.target_token > 0:
            rate = min(opt.target_token / p.n_original, 1.0)
        p.needs_model = max(0, 1 - rate) > 0
    flat = [c for cs in p.chunks for c in cs]
    if p.needs_model and flat:
        enc = st.tok(flat, add_special_tokens=False)["input_ids"]
        for ids in enc:
            seq = np.empty(len(ids) + 2, dtype=np.int64)
            seq[0] = st.cls_id
            seq[1:-1] = ids
            seq[-1] = st.sep_id
            p.chunk_ids.append(seq[:MAX_SEQ_LEN])
    return p


# --------------------------------------------------------------------------- phase 2
@dataclass
class _ChunkWords:
    words: list[str]          # word text as the reference builds it (``▁`` kept for SentencePiece)
    probs: np.ndarray          # float32 word probabilities (force/digit rules applied)
    pyfloat: bool              # True when the reference's list would hold a Python float
    probs_no_force: np.ndarray  # float32, the reference's context-level scores


def _seq_mean(vals: np.ndarray, word: np.ndarray, nwords: int) -> np.ndarray:
    """Per-word mean with left-to-right float32 accumulation (what ``sum(list)/len`` gives)."""
    acc = np.zeros(nwords, dtype=np.float32)
    counts = np.bincount(word, minlength=nwords)
    if len(word) == 0:
        return acc
    start = np.zeros(nwords, dtype=np.int64)
    start[1:] = np.cumsum(counts)[:-1]
    pos = np.arange(len(word)) - start[word]
    for k in range(int(pos.max()) + 1):
        sel = pos == k
        acc[word[sel]] += vals[sel]
    return acc / counts.astype(np.float32)


def _merge(st: CompatState, ids: np.ndarray, probs: np.ndarray, opt: Options,
           tm: dict[str, str], force_begin_ids: np.ndarray, force_prob_ids: np.ndarray,
           new_ids: np.ndarray) -> _ChunkWords:
    tables = st.tables
    keep = ~st.is_special[ids]
    ids = ids[keep]
    p = probs[keep].astype(np.float32)
    if len(ids) == 0:
        e = np.zeros(0, dtype=np.float32)
        return _ChunkWords([], e, False, e)
    begin = tables.base_begin[ids] | np.isin(ids, force_begin_ids)
    begin[0] = True  # the reference would fail on a leading continuation piece
    forced = begin & np.isin(ids, force_prob_ids)
    is_new = np.isin(ids, new_ids)
    digit = tables.has_digit[ids].copy()
    toks = tables.tokens
    if is_new.any():
        for k in np.nonzero(is_new & begin)[0]:
            digit[k] = _DIGIT.search(_replace_added(toks[ids[k]], tm)) is not None
    if opt.force_reserve_digit:
        forced = forced | digit
    word = np.cumsum(begin) - 1
    nwords = int(word[-1]) + 1
    vals = np.where(forced, np.float32(1.0), p).astype(np.float32)
    starts = np.nonzero(begin)[0]
    if opt.token_to_word == "first":
        wp = vals[starts]
        wp_nf = p[starts]
    elif opt.token_to_word == "mean":
        wp = _seq_mean(vals, word, nwords)
        wp_nf = _seq_mean(p[starts][word], word, nwords)
    else:
        raise NotImplementedError(opt.token_to_word)
    all_forced = np.bincount(word, weights=~forced, minlength=nwords) == 0
    if opt.token_to_word == "first":
        all_forced = forced[starts]
    # word text: first piece verbatim ([NEWi] mapped back), later pieces without their marker
    pieces = np.where(begin, tables.tokens_arr[ids], tables.pure_arr[ids])
    if is_new.any():
        for k in np.nonzero(is_new & begin)[0]:
            pieces[k] = _replace_added(toks[ids[k]], tm)
    words = ["".join(seg) for seg in np.split(pieces, starts[1:])]
    return _ChunkWords(words, wp, bool(all_forced.any()), wp_nf)


def _replace_added(token: str, tm: dict[str, str]) -> str:
    for ori, new in tm.items():
        token = token.replace(new, ori)
    return token


def _as_list_array(vals: np.ndarray, pyfloat: bool) -> np.ndarray:
    return vals.astype(np.float64) if pyfloat else vals


def _compress_chunk(st: CompatState, cw: _ChunkWords, reduce_rate: float, opt: Options):
    words, wp = cw.words, cw.probs.copy()
    pyfloat = cw.pyfloat
    force = set(opt.force_tokens)
    if not words:
        return "", [], []
    if opt.drop_consecutive:
        thr0 = np.percentile(_as_list_array(wp, pyfloat), int(100 * reduce_rate))
        between, prev = False, None
        for i, w in enumerate(words):
            if w in force:
                if between:
                    between = False
                elif w == prev:
                    wp[i] = 0.0
                    pyfloat = True
                prev = w
            else:
                between |= bool(wp[i] > thr0)
    counts = np.fromiter((st.count(w) for w in words), dtype=np.int64, count=len(words))
    arr = _as_list_array(wp, pyfloat)
    rep = np.repeat(arr, counts)
    if len(rep) == 0:
        keep = np.zeros(len(words), dtype=bool)
    else:
        thr = np.percentile(rep, int(100 * reduce_rate + 1))
        keep = (arr > thr) | ((thr == 1.0) & (arr == thr))
    labels = keep.astype(int).tolist()
    kept: list[str] = []
    for i in np.nonzero(keep)[0].tolist():
        w = words[i]
        if opt.drop_consecutive and w in force and kept and kept[-1] == w:
            labels[i] = 0
        else:
            kept.append(w)
    text = st.tok.convert_tokens_to_string(kept)
    out_words = [w.lstrip(SP_MARK) for w in words] if st.scheme == "sentencepiece" else list(words)
    return text, out_words, labels


def _no_model(chunks: list[str], tm: dict[str, str]):
    words: list[str] = []
    out = []
    for c in chunks:
        for ori, new in tm.items():
            c = c.replace(new, ori)
        out.append(c)
        words.extend(_SPLIT_WORDS.findall(c))
    return "".join(out), words, [1] * len(words)


def finish(st: CompatState, p: Plan, probs: list[np.ndarray], opt: Options, want_labels: bool):
    """Return ``(compressed_contexts, n_compressed, words, labels, word_probs, kept)``."""
    tm = st.token_map(opt.force_tokens)
    tables = st.tables
    force = list(opt.force_tokens)
    new_vals = list(tm.values())
    new_ids = tables.ids_of_token(new_vals)
    if st.scheme == "wordpiece":
        force_begin_ids = tables.ids_of_pure(force + new_vals)
    else:
        force_begin_ids = tables.ids_of_token(force + new_vals)
    force_prob_ids = tables.ids_of_pure(force + new_vals)

    n_ctx = len(p.contexts)
    chunk_words: list[_ChunkWords] = []
    if p.needs_model:
        for ids, pr in zip(p.chunk_ids, probs):
            chunk_words.append(_merge(st, ids, pr, opt, tm, force_begin_ids, force_prob_ids, new_ids))
    offsets = np.cumsum([0] + [len(c) for c in p.chunks])
    ctx_chunks = [list(range(offsets[i], offsets[i + 1])) for i in range(n_ctx)]

    rate = opt.rate
    kept_ctx = [True] * n_ctx
    if p.context_filter:
        clr = opt.context_level_rate
        cltt = opt.context_level_target_token
        if opt.target_context <= 0 and clr >= 1.0 and cltt <= 0:
            if opt.target_token < 0 and rate < 1.0:
                clr = (rate + 1.0) / 2
            if opt.target_token >= 0:
                cltt = opt.target_token * 2
        if opt.target_context >= 0:
            clr = min(opt.target_context / n_ctx, 1.0)
        if cltt >= 0:
            clr = min(cltt / p.n_original, 1.0)
        scores = []
        for cs in ctx_chunks:
            allp = np.concatenate([chunk_words[k].probs_no_force for k in cs]) if cs else np.zeros(0, np.float32)
            scores.append(np.cumsum(allp, dtype=np.float32)[-1] / np.float32(len(allp)) if len(allp) else np.float32(0))
        thr = np.percentile(np.array(scores, dtype=np.float32), int(100 * (1 - clr)))
        fids = set(opt.force_context_ids or ())
        kept_ctx = [bool(s >= thr) or i in fids for i, s in enumerate(scores)]
        n_res = sum(st.count(p.chunks[i][j]) for i in range(n_ctx) if kept_ctx[i] for j in range(len(p.chunks[i])))
        if opt.target_token >= 0:
            rate = min(opt.target_token / n_res, 1.0)
    elif opt.target_token > 0:
        rate = min(opt.target_token / p.n_original, 1.0)
    reduce_rate = max(0, 1 - rate)

    texts: list[str] = []
    words: list[str] = []
    labels: list[int] = []
    wprobs: list[float] = []
    for i in range(n_ctx):
        if not kept_ctx[i]:
            if want_labels:
                for k in ctx_chunks[i]:
                    cw = chunk_words[k].words
                    words.extend(w.lstrip(SP_MARK) for w in cw) if st.scheme == "sentencepiece" else words.extend(cw)
                    labels.extend([0] * len(cw))
                    wprobs.extend(chunk_words[k].probs.tolist())
            continue
        if reduce_rate <= 0:
            t, w, lab = _no_model(p.chunks[i], tm)
            texts.append(t)
            words.extend(w)
            labels.extend(lab)
            wprobs.extend([1.0] * len(w))
            continue
        parts = []
        for k in ctx_chunks[i]:
            t, w, lab = _compress_chunk(st, chunk_words[k], reduce_rate, opt)
            parts.append(t)
            words.extend(w)
            labels.extend(lab)
            wprobs.extend(chunk_words[k].probs.tolist())
        texts.append("".join(parts))
    n_comp = sum(st.count(t) for t in texts)
    return texts, n_comp, words, labels, wprobs, kept_ctx
