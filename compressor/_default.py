"""Default (fixed) LLMLingua-2 algorithm.

Differences from the reference (also listed in docs/compressor.md):

* the model sees the tokenizer's real special tokens (``<s>``/``</s>`` for XLM-R, issue #181);
* chunks are token windows of the *single* tokenisation (≤ 510 tokens + 2 specials), cut after a
  sentence end, else at a word boundary — no token is lost and nothing is re-tokenised;
* force tokens are matched in the original text and kept as whole words with probability 1;
  the text the model sees is never rewritten (no random ``[NEWi]`` embeddings), so ``"\\n"``
  and multi-piece force tokens keep their meaning and never split neighbouring words;
* CJK characters and punctuation are words of their own; output keeps the original spacing
  (no space inside CJK runs, newlines preserved) instead of re-joining tokens;
* the budget is global per prompt: words are kept by decreasing probability until the cl100k
  cost of the kept words reaches ``rate`` (or ``target_tokens``), instead of a per-chunk
  percentile over ``▁``-inflated counts;
* the context-level filter reuses the single model pass;
* ``rate >= 1`` returns the input unchanged.
"""
from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ._result import CompressionResult
from ._tiktoken_offline import cl100k
from ._vocab import SP_MARK, VocabTables

MAX_CONTENT = 510
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_DIGIT = re.compile(r"\d")


def _is_punct(s: str) -> bool:
    return bool(s) and all(c in string.punctuation or unicodedata.category(c).startswith("P") for c in s)


@dataclass
class Options:
    rate: float
    target_tokens: float | None
    force_tokens: tuple[str, ...]
    keep_digits: bool
    drop_consecutive: bool
    context_filter: bool
    context_rate: float | None
    context_target_tokens: float | None
    target_contexts: int | None
    force_context_ids: tuple[int, ...]
    token_to_word: str
    chunk_end_tokens: tuple[str, ...]

    @classmethod
    def from_kwargs(cls, kw: dict) -> "Options":
        return cls(rate=kw["rate"], target_tokens=kw["target_tokens"],
                   force_tokens=tuple(t for t in kw["force_tokens"] if t),
                   keep_digits=kw["keep_digits"], drop_consecutive=kw["drop_consecutive"],
                   context_filter=kw["context_filter"], context_rate=kw["context_rate"],
                   context_target_tokens=kw["context_target_tokens"],
                   target_contexts=kw["target_contexts"],
                   force_context_ids=tuple(kw["force_context_ids"] or ()),
                   token_to_word=kw["token_to_word"],
                   chunk_end_tokens=tuple(kw["chunk_end_tokens"]))


class DefaultState:
    """Tokenizer-level tables for the default mode."""

    def __init__(self, tokenizer, tables: VocabTables) -> None:
        self.tok = tokenizer
        self.tables = tables
        self.scheme = tables.scheme
        cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
        sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
        self.prefix = [] if cls_id is None else [int(cls_id)]
        self.suffix = [] if sep_id is None else [int(sep_id)]
        toks = tables.tokens
        pure = tables.pure
        self.bare = np.array([self.scheme == "sentencepiece" and p == "" and t.startswith(SP_MARK)
                              for t, p in zip(toks, pure)], dtype=bool)
        if self.scheme == "sentencepiece":
            self.begin = np.array([t.startswith(SP_MARK) for t in toks], dtype=bool)
        elif self.scheme == "wordpiece":
            self.begin = np.array([not t.startswith("##") for t in toks], dtype=bool)
        else:
            self.begin = None  # from offsets
        self.split = np.array([_is_punct(p) or bool(_CJK.search(p)) for p in pure], dtype=bool)
        self.cjk = np.array([bool(_CJK.search(p)) for p in pure], dtype=bool)
        self._enc = cl100k()
        self._cache: dict[str, int] = {}

    def count(self, text: str) -> int:
        c = self._cache.get(text)
        if c is None:
            c = len(self._enc.encode(text, disallowed_special=()))
            if len(self._cache) < 500_000:
                self._cache[text] = c
        return c


@dataclass
class _Ctx:
    text: str
    n_tokens: int
    ws: np.ndarray          # word start (char)
    we: np.ndarray          # word end (char)
    tok_word: np.ndarray    # token -> word index (-1 = ignored token)
    forced: np.ndarray      # word is a force-token occurrence
    chunk_slices: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Plan:
    contexts: list[_Ctx]
    chunk_ids: list[np.ndarray]
    chunk_owner: list[tuple[int, int, int]]  # (context, token start, token end)
    needs_model: bool
    n_original: int


def _force_spans(text: str, force: tuple[str, ...]) -> list[tuple[int, int]]:
    if not force:
        return []
    pat = re.compile("|".join(re.escape(f) for f in sorted(set(force), key=len, reverse=True)))
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def _words(st: DefaultState, text: str, ids: np.ndarray, offs: np.ndarray, force):
    n = len(ids)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        ws, we, forced = z, z, np.zeros(0, dtype=bool)
        tok_word = z
    else:
        starts, ends = offs[:, 0], offs[:, 1]
        valid = (ends > starts) & ~st.bare[ids]
        if st.begin is not None:
            begin = st.begin[ids].copy()
            begin[1:] |= st.bare[ids][:-1]
        else:
            begin = np.ones(n, dtype=bool)
            begin[1:] = starts[1:] > ends[:-1]
        sp = st.split[ids]
        begin |= sp
        begin[1:] |= sp[:-1]
        begin[0] = True
        # bare "▁" pieces and empty spans belong to no word; a begin flag moves to the next piece
        v_idx = np.nonzero(valid)[0]
        if len(v_idx) == 0:
            z = np.zeros(0, dtype=np.int64)
            ws, we, forced, tok_word = z, z, np.zeros(0, dtype=bool), np.full(n, -1)
            return ws, we, tok_word, forced
        cb = np.cumsum(begin)
        prev = np.concatenate([[0], cb[v_idx[:-1]]])
        vbegin = (cb[v_idx] != prev)
        vbegin[0] = True
        vword = np.cumsum(vbegin) - 1
        tok_word = np.full(n, -1, dtype=np.int64)
        tok_word[v_idx] = vword
        nw = int(vword[-1]) + 1
        ws = np.full(nw, np.iinfo(np.int64).max, dtype=np.int64)
        we = np.zeros(nw, dtype=np.int64)
        np.minimum.at(ws, vword, starts[v_idx])
        np.maximum.at(we, vword, ends[v_idx])
        forced = np.zeros(nw, dtype=bool)
    spans = _force_spans(text, force)
    if spans:
        # split words around force-token occurrences (loop over words only when needed)
        new_ws, new_we, new_forced, remap = [], [], [], []
        fs = np.array([s for s, _ in spans])
        fe = np.array([e for _, e in spans])
        for w in range(len(ws)):
            a, b = int(ws[w]), int(we[w])
            lo = np.searchsorted(fe, a, side="right")
            hi = np.searchsorted(fs, b, side="left")
            remap.append(len(new_ws))
            pos = a
            for k in range(lo, hi):
                s, e = int(fs[k]), int(fe[k])
                if s > pos:
                    new_ws.append(pos); new_we.append(s); new_forced.append(False)
                pos = max(pos, e)
            if pos < b:
                new_ws.append(pos); new_we.append(b); new_forced.append(False)
        # whole force spans are words of their own (also ones no token covers, e.g. "\n")
        allw = sorted(list(zip(new_ws, new_we, new_forced)) + [(s, e, True) for s, e in spans],
                      key=lambda w: (w[0], not w[2]))
        ws = np.array([w[0] for w in allw], dtype=np.int64)
        we = np.array([w[1] for w in allw], dtype=np.int64)
        forced = np.array([w[2] for w in allw], dtype=bool)
        # re-assign tokens to the new words by their first character; forced words need none
        if n:
            valid_tok = tok_word >= 0
            w_of = np.searchsorted(ws, offs[:, 0], side="right") - 1
            ok = valid_tok & (w_of >= 0)
            ok[ok] &= ~forced[w_of[ok]]
            tok_word = np.where(ok, w_of, -1)
        return ws, we, tok_word, forced, True
    return ws, we, tok_word, forced


def plan(st: DefaultState, contexts: list[str], opt: Options) -> Plan:
    enc = st.tok(contexts, add_special_tokens=False, return_offsets_mapping=True)
    ctxs: list[_Ctx] = []
    chunk_ids: list[np.ndarray] = []
    owner: list[tuple[int, int, int]] = []
    n_orig = 0
    needs = not (opt.rate >= 1 and opt.target_tokens is None)
    end_set = set(opt.chunk_end_tokens)
    end_ids = st.tables.ids_of_pure([e for e in end_set if e.strip()])
    for ci, text in enumerate(contexts):
        ids = np.asarray(enc["input_ids"][ci], dtype=np.int64)
        offs = np.asarray(enc["offset_mapping"][ci], dtype=np.int64).reshape(-1, 2)
        n_tok = st.count(text)
        n_orig += n_tok
        res = _words(st, text, ids, offs, opt.force_tokens)
        ws, we, tok_word, forced = res[:4]
        split_words = len(res) == 5
        c = _Ctx(text, n_tok, ws, we, tok_word, forced)
        c.split_words = split_words  # type: ignore[attr-defined]
        c.tok_starts = offs[:, 0] if len(offs) else np.zeros(0, dtype=np.int64)  # type: ignore[attr-defined]
        ctxs.append(c)
        if not needs or len(ids) == 0:
            continue
        # sentence ends: a chunk-end token, or a newline right after the token
        is_end = np.isin(ids, end_ids)
        if "\n" in end_set and len(ids) > 1:
            is_end |= _newline_after(text, offs)
        word_start = np.ones(len(ids), dtype=bool)
        word_start[1:] = tok_word[1:] != tok_word[:-1]
        s = 0
        n = len(ids)
        while s < n:
            e = min(s + MAX_CONTENT, n)
            if e < n:
                cand = np.nonzero(is_end[s:e])[0]
                if len(cand):
                    e = s + int(cand[-1]) + 1
                else:
                    ws_c = np.nonzero(word_start[s + 1:e + 1])[0]
                    if len(ws_c):
                        e = s + 1 + int(ws_c[-1])
            c.chunk_slices.append((s, e))
            chunk_ids.append(np.concatenate([st.prefix, ids[s:e], st.suffix]).astype(np.int64))
            owner.append((ci, s, e))
            s = e
        c.ids = ids  # type: ignore[attr-defined]
    return Plan(ctxs, chunk_ids, owner, needs, n_orig)


def _newline_after(text: str, offs: np.ndarray) -> np.ndarray:
    """``out[i]`` is True when the text between token i and token i+1 contains a newline."""
    nl = np.cumsum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    nl = np.concatenate([[0], nl])
    a = offs[:-1, 1]
    b = np.maximum(offs[1:, 0], a)
    out = np.zeros(len(offs), dtype=bool)
    out[:-1] = nl[b] - nl[a] > 0
    return out


def _join(text: str, ws: np.ndarray, we: np.ndarray, keep_idx: np.ndarray, cjk_word: np.ndarray,
          punct_word: np.ndarray) -> str:
    """Join kept word spans with the input's own spacing (newlines kept, none inside CJK)."""
    parts: list[str] = []
    prev_end = None
    prev_k = None
    for k in keep_idx.tolist():
        a, b = int(ws[k]), int(we[k])
        if prev_end is not None:
            gap = text[prev_end:a]
            if "\n" in gap:
                sep = "\n\n" if "\n\n" in gap else "\n"
            elif text[a:b].isspace() or text[prev_end - 1:prev_end].isspace():
                sep = ""  # next to a kept whitespace force token such as "\n"
            elif gap == "" or (punct_word[k] and not text[a - 1:a].isspace()):
                # adjacent in the input, or punctuation that was attached to a (dropped) word
                sep = ""
            elif gap == "":
                sep = ""
            elif gap.isspace():
                sep = " "
            elif any(ch.isspace() for ch in gap):
                sep = " "
            else:
                sep = "" if (cjk_word[k] or cjk_word[prev_k]) else " "
            parts.append(sep)
        parts.append(text[a:b])
        prev_end, prev_k = b, k
    return "".join(parts)


def _token_probs(st: DefaultState, p: Plan, probs: list[np.ndarray]) -> list[np.ndarray]:
    """Token probabilities back in token order, one array per context."""
    tok_probs = [np.zeros(len(getattr(c, "ids", ())), dtype=np.float32) for c in p.contexts]
    for (ci, s, e), pr in zip(p.chunk_owner, probs):
        lo = len(st.prefix)
        tok_probs[ci][s:e] = pr[lo:lo + (e - s)]
    return tok_probs


def word_scores(st: DefaultState, p: Plan, probs: list[np.ndarray], opt: Options):
    """Per context: word probabilities (force/digit words at 1.0), the raw probabilities of the
    non-forced words, and the word texts. Shared by compression and the guard's threshold."""
    tok_probs = _token_probs(st, p, probs)
    word_p: list[np.ndarray] = []
    raw_p: list[np.ndarray] = []
    word_txt: list[list[str]] = []
    for c, tp in zip(p.contexts, tok_probs):
        nw = len(c.ws)
        tw = c.tok_word
        sel = tw >= 0
        if opt.token_to_word == "first":
            first = np.full(nw, -1, dtype=np.int64)
            idx = np.nonzero(sel)[0][::-1]
            first[tw[idx]] = idx
            wpr = np.where(first >= 0, tp[np.maximum(first, 0)] if len(tp) else 0.0, 0.0)  # tp: no tokens
        else:
            cnt = np.bincount(tw[sel], minlength=nw)
            tot = np.bincount(tw[sel], weights=tp[sel], minlength=nw)
            wpr = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
        if getattr(c, "split_words", False) and len(tp):
            # word pieces cut out of a token by a force span take that token's probability
            has = np.bincount(tw[sel], minlength=nw) > 0
            lack = np.nonzero(~has & ~c.forced)[0]
            if len(lack):
                tstart = c.tok_starts
                cover = np.clip(np.searchsorted(tstart, c.ws[lack], side="right") - 1, 0, len(tp) - 1)
                wpr[lack] = tp[cover]
        txt = [c.text[a:b] for a, b in zip(c.ws.tolist(), c.we.tolist())]
        raw = wpr.astype(np.float64)
        fin = raw.copy()
        fin[c.forced] = 1.0
        if opt.keep_digits:
            dig = np.array([_DIGIT.search(t) is not None for t in txt], dtype=bool)
            if len(dig):
                fin[dig] = 1.0
        word_p.append(fin)
        raw_p.append(raw[~c.forced])
        word_txt.append(txt)
    return word_p, raw_p, word_txt


def kept_text(c: _Ctx, keep: np.ndarray, txt: list[str]) -> str:
    """The words of context ``c`` flagged in ``keep``, joined with the input's own spacing."""
    cjk = np.array([bool(_CJK.search(t)) for t in txt], dtype=bool)
    punct = np.array([_is_punct(t) for t in txt], dtype=bool)
    return _join(c.text, c.ws, c.we, np.nonzero(keep)[0], cjk, punct).strip(" ")


def finish(st: DefaultState, p: Plan, probs: list[np.ndarray], opt: Options, want: bool,
           want_probs: bool) -> CompressionResult:
    n_ctx = len(p.contexts)
    if not p.needs_model:
        texts = [c.text for c in p.contexts]
        words, labels, wp = [], [], []
        if want:
            for c in p.contexts:
                for a, b in zip(c.ws.tolist(), c.we.tolist()):
                    words.append(c.text[a:b]); labels.append(1); wp.append(1.0)
        return CompressionResult("\n\n".join(texts), texts, p.n_original, p.n_original,
                                 words if want else None, labels if want else None,
                                 wp if want_probs else None, [True] * n_ctx)
    word_p, raw_p, word_txt = word_scores(st, p, probs, opt)
    kept_ctx = [True] * n_ctx
    if opt.context_filter and n_ctx > 1:
        clr = opt.context_rate
        if opt.target_contexts is not None:
            clr = min(opt.target_contexts / n_ctx, 1.0)
        elif opt.context_target_tokens is not None:
            clr = min(opt.context_target_tokens / max(p.n_original, 1), 1.0)
        elif clr is None:
            clr = (min(2 * opt.target_tokens / max(p.n_original, 1), 1.0)
                   if opt.target_tokens is not None else (opt.rate + 1.0) / 2)
        scores = np.array([r.mean() if len(r) else 0.0 for r in raw_p])
        thr = np.percentile(scores, int(100 * (1 - clr)))
        fids = set(opt.force_context_ids)
        kept_ctx = [bool(s >= thr) or i in fids for i, s in enumerate(scores)]
    kept_idx = [i for i in range(n_ctx) if kept_ctx[i]]
    # global budget over the kept contexts
    weights = [np.fromiter((st.count(t) for t in word_txt[i]), dtype=np.float64,
                           count=len(word_txt[i])) for i in kept_idx]
    allw = np.concatenate(weights) if weights else np.zeros(0)
    allp = np.concatenate([word_p[i] for i in kept_idx]) if kept_idx else np.zeros(0)
    total = float(allw.sum())
    n_kept_tokens = sum(p.contexts[i].n_tokens for i in kept_idx)
    if opt.target_tokens is not None:
        budget = min(opt.target_tokens / max(n_kept_tokens, 1), 1.0) * total
    else:
        budget = min(opt.rate, 1.0) * total
    order = np.lexsort((np.arange(len(allp)), -allp))
    cum = np.cumsum(allw[order])
    keep_sorted = cum <= budget + 1e-9
    keep = np.zeros(len(allp), dtype=bool)
    keep[order[keep_sorted]] = True
    keep |= allp >= 1.0
    texts: list[str] = []
    words: list[str] = []
    labels: list[int] = []
    wps: list[float] = []
    off = 0
    for i in range(n_ctx):
        c = p.contexts[i]
        nw = len(c.ws)
        if not kept_ctx[i]:
            if want:
                words.extend(word_txt[i]); labels.extend([0] * nw); wps.extend(word_p[i].tolist())
            continue
        k = keep[off:off + nw].copy()
        off += nw
        if opt.drop_consecutive and opt.force_tokens:
            last = None
            txt = word_txt[i]
            for w in np.nonzero(k)[0].tolist():
                if c.forced[w] and last is not None and txt[w] == last:
                    k[w] = False
                else:
                    last = txt[w]
        texts.append(kept_text(c, k, word_txt[i]))
        if want:
            words.extend(word_txt[i]); labels.extend(k.astype(int).tolist()); wps.extend(word_p[i].tolist())
    n_comp = sum(st.count(t) for t in texts)
    return CompressionResult("\n\n".join(texts), texts, p.n_original, n_comp,
                             words if want else None, labels if want else None,
                             wps if want_probs else None, kept_ctx)
