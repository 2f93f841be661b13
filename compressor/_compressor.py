"""The :class:`Compressor` front end: loading, engines, pooling prompts, both modes."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence, Union

from ._errors import EngineUnavailableError, InvalidArgumentError, UnsupportedTokenizerError
from ._result import CompressionResult

Prompt = Union[str, Sequence[str]]


class Compressor:
    """LLMLingua-2 prompt compressor over any token-classification checkpoint.

    Args:
        model: local folder or hub name of a token-classification checkpoint
            (e.g. ``microsoft/llmlingua-2-xlm-roberta-large-meetingbank``).
        device: ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda[:n]"``.
        engine: ``"torch"`` or ``"onnx"`` (onnxruntime; uses ``onnx_path`` or a ``model.onnx``
            in the model folder, else exports the model once and caches the export under
            ``~/.cache/poml-native/onnx``, or ``$POML_CACHE_DIR/onnx``).
        dtype: ``"auto"`` (fp32 on CPU, bf16/fp16 on CUDA), ``"float32"``, ``"bfloat16"``,
            ``"float16"`` (CUDA) for torch; ``"float32"`` or ``"int8"`` for onnx.
        compat: ``None`` (fixed algorithm) or ``"llmlingua"`` (bit-exact reference behaviour).
        max_batch_tokens: padded tokens per model batch (default 2048 on CPU, 32768 on CUDA).

    Usage::

        from compressor import Compressor
        c = Compressor("microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank")
        r = c.compress("long prompt ...", rate=0.33, force_tokens=["\\n", "?"])
        print(r.compressed_prompt, r.origin_tokens, r.compressed_tokens, r.ratio)
        results = c.compress(["prompt one", "prompt two"], rate=0.5)   # batched
    """

    def __init__(self, model: str | os.PathLike, device: str = "auto", engine: str = "torch",
                 dtype: str = "auto", compat: str | None = None, *,
                 max_batch_tokens: int | None = None, max_batch_size: int = 64,
                 onnx_path: str | os.PathLike | None = None, threads: int | None = None) -> None:
        from ._deps import require

        for dep in ("numpy", "torch", "transformers"):  # one clear message before any sibling imports them
            require(dep)
        from ._loading import add_compat_tokens, load_checkpoint, load_weights_into
        from ._vocab import VocabTables, detect_scheme

        if compat not in (None, "llmlingua"):
            raise InvalidArgumentError("compat must be None or 'llmlingua'")
        if engine not in ("torch", "onnx"):
            raise InvalidArgumentError("engine must be 'torch' or 'onnx'")
        self.compat = compat
        self.model_name = os.fspath(model)
        onnx_file = Path(onnx_path) if onnx_path else None
        if engine == "onnx" and onnx_file is None and compat is None:
            for cand in ("model.onnx", "onnx/model.onnx"):
                if (Path(self.model_name) / cand).is_file():
                    onnx_file = Path(self.model_name) / cand
        # weights load after the compat tokens are added (see load_weights_into), and for onnx
        # only when the export is not cached yet
        loaded = load_checkpoint(self.model_name, load_weights=False)
        self.tokenizer = loaded.tokenizer
        self.config = loaded.config
        self.scheme = detect_scheme(self.tokenizer)
        if compat and self.scheme not in ("sentencepiece", "wordpiece"):
            raise UnsupportedTokenizerError(
                "compat='llmlingua' needs a SentencePiece or WordPiece tokenizer; "
                f"this one uses {self.scheme!r} boundaries (use the default mode)")
        if compat:
            special, added = add_compat_tokens(loaded)
        self.tables = VocabTables(self.tokenizer, self.scheme)
        pad = self.tokenizer.pad_token_id
        pad = 0 if pad is None else pad
        if engine == "torch":
            from ._engines import TorchEngine

            self.engine = TorchEngine(load_weights_into(loaded), pad_id=pad, device=device, dtype=dtype,
                                      max_batch_tokens=max_batch_tokens,
                                      max_batch_size=max_batch_size)
            if threads:
                import torch

                torch.set_num_threads(threads)
        else:
            from ._engines import OnnxEngine
            from ._onnx_cache import exported_onnx

            quant = dtype in ("int8", "qint8")
            if dtype not in ("auto", "float32", "fp32", "int8", "qint8"):
                raise EngineUnavailableError("onnx engine supports dtype float32 or int8")
            if onnx_file is None:
                onnx_file = exported_onnx(loaded, compat=compat, quantize=quant)
            self.engine = OnnxEngine(str(onnx_file), pad_id=pad, device=device,
                                     max_batch_tokens=max_batch_tokens,
                                     max_batch_size=max_batch_size, threads=threads)
        self._compat_state = None
        if compat:
            from ._compat import CompatState

            self._compat_state = CompatState(self.tokenizer, self.tables, special, added)
        else:
            from ._default import DefaultState

            self._default_state = DefaultState(self.tokenizer, self.tables)

    # ------------------------------------------------------------------ public API
    @property
    def device(self) -> str:
        return self.engine.device

    @property
    def dtype(self) -> str:
        return self.engine.dtype

    def compress(self, text_or_texts: Prompt | Sequence[Prompt], rate: float = 0.5,
                 target_tokens: float | None = None, force_tokens: Iterable[str] = (),
                 keep_digits: bool = False, drop_consecutive: bool = False,
                 context_filter: bool = True, context_rate: float | None = None,
                 context_target_tokens: float | None = None, target_contexts: int | None = None,
                 force_context_ids: Iterable[int] = (), token_to_word: str = "mean",
                 chunk_end_tokens: Iterable[str] = (".", "\n"), return_word_probs: bool = False,
                 return_labels: bool = False) -> CompressionResult | list[CompressionResult]:
        """Compress one prompt (``str``) or many (``list``); returns one result or a list.

        A prompt is a string, or a list/tuple of strings for several *contexts*; with more than
        one context the context-level filter (``context_filter=True``) first drops whole
        low-scoring contexts, then words are dropped inside the kept ones.

        Args:
            rate: fraction of cl100k tokens to keep (0 < rate; ``>= 1`` keeps everything).
            target_tokens: cl100k token budget; overrides ``rate``.
            force_tokens: strings always kept (e.g. ``["\\n", "?"]``).
            keep_digits: keep every word containing a digit.
            drop_consecutive: drop a force token repeated with nothing kept in between.
            context_rate / context_target_tokens / target_contexts / force_context_ids:
                context-level filter knobs (defaults: ``(rate+1)/2`` or ``2*target_tokens``).
            return_word_probs / return_labels: fill ``words``, ``labels`` and ``word_probs``.

        >>> c.compress("Um, so, I think we should, uh, start.", rate=0.5).compressed_prompt  # doctest: +SKIP
        """
        single = isinstance(text_or_texts, str)
        prompts = [text_or_texts] if single else list(text_or_texts)
        kwargs = dict(rate=rate, target_tokens=target_tokens, force_tokens=force_tokens,
                      keep_digits=keep_digits, drop_consecutive=drop_consecutive,
                      context_filter=context_filter, context_rate=context_rate,
                      context_target_tokens=context_target_tokens,
                      target_contexts=target_contexts, force_context_ids=force_context_ids,
                      token_to_word=token_to_word, chunk_end_tokens=chunk_end_tokens,
                      return_word_probs=return_word_probs, return_labels=return_labels)
        results = self._run(prompts, **kwargs)
        return results[0] if single else results

    def compress_contexts(self, contexts: Sequence[str], **kwargs) -> CompressionResult:
        """Compress one prompt made of several contexts (see :meth:`compress`)."""
        return self.compress([list(contexts)], **kwargs)[0]

    def compress_iter(self, texts: Iterable[Prompt], *, group_size: int = 64,
                      **kwargs) -> Iterator[CompressionResult]:
        """Stream results for a large (possibly lazy) input, pooling ``group_size`` prompts a time.

        >>> for r in c.compress_iter(open("big.txt"), rate=0.4): print(r.compressed_prompt)  # doctest: +SKIP
        """
        group: list[Prompt] = []
        for t in texts:
            group.append(t)
            if len(group) >= group_size:
                yield from self._run(group, **self._normalise_kwargs(kwargs))
                group = []
        if group:
            yield from self._run(group, **self._normalise_kwargs(kwargs))

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _normalise_kwargs(kwargs: dict) -> dict:
        base = dict(rate=0.5, target_tokens=None, force_tokens=(), keep_digits=False,
                    drop_consecutive=False, context_filter=True, context_rate=None,
                    context_target_tokens=None, target_contexts=None, force_context_ids=(),
                    token_to_word="mean", chunk_end_tokens=(".", "\n"),
                    return_word_probs=False, return_labels=False)
        unknown = set(kwargs) - set(base)
        if unknown:
            raise InvalidArgumentError(f"unknown arguments: {sorted(unknown)}")
        base.update(kwargs)
        return base

    def _run(self, prompts: list, **kw) -> list[CompressionResult]:
        if kw["rate"] is None or kw["rate"] <= 0:
            raise InvalidArgumentError("rate must be > 0")
        if kw["target_tokens"] is not None and kw["target_tokens"] <= 0:
            raise InvalidArgumentError("target_tokens must be > 0")
        if kw["token_to_word"] not in ("mean", "first"):
            raise InvalidArgumentError("token_to_word must be 'mean' or 'first'")
        ctx_lists = []
        for p in prompts:
            if isinstance(p, str):
                ctx_lists.append([p])
            elif isinstance(p, (list, tuple)) and all(isinstance(c, str) for c in p):
                ctx_lists.append(list(p))
            else:
                raise InvalidArgumentError("each prompt must be a str or a list of str")
        want = kw["return_word_probs"] or kw["return_labels"]
        if self.compat:
            return self._run_compat(ctx_lists, kw, want)
        return self._run_default(ctx_lists, kw, want)

    def _run_compat(self, ctx_lists, kw, want) -> list[CompressionResult]:
        from . import _compat

        opt = _compat.Options(
            rate=kw["rate"],
            target_token=kw["target_tokens"] if kw["target_tokens"] is not None else -1,
            force_tokens=tuple(kw["force_tokens"]), force_reserve_digit=kw["keep_digits"],
            drop_consecutive=kw["drop_consecutive"],
            use_context_level_filter=kw["context_filter"],
            target_context=kw["target_contexts"] if kw["target_contexts"] is not None else -1,
            context_level_rate=kw["context_rate"] if kw["context_rate"] is not None else 1.0,
            context_level_target_token=(kw["context_target_tokens"]
                                        if kw["context_target_tokens"] is not None else -1),
            force_context_ids=tuple(kw["force_context_ids"] or ()),
            token_to_word=kw["token_to_word"], chunk_end_tokens=tuple(kw["chunk_end_tokens"]))
        st = self._compat_state

        def finish(p, probs) -> CompressionResult:
            texts, n_comp, words, labels, wprobs, kept = _compat.finish(st, p, probs, opt, want)
            return CompressionResult(
                compressed_prompt="\n\n".join(texts), compressed_contexts=texts,
                origin_tokens=p.n_original, compressed_tokens=n_comp,
                words=words if want else None, labels=labels if want else None,
                word_probs=wprobs if kw["return_word_probs"] else None,
                context_kept=kept, mode="llmlingua")

        return self._pooled([_compat.plan(st, c, opt) for c in ctx_lists], finish)

    def _run_default(self, ctx_lists, kw, want) -> list[CompressionResult]:
        from . import _default

        st = self._default_state
        opt = _default.Options.from_kwargs(kw)
        return self._pooled([_default.plan(st, c, opt) for c in ctx_lists],
                            lambda p, probs: _default.finish(st, p, probs, opt, want,
                                                             kw["return_word_probs"]))

    def _pooled(self, plans, finish) -> list[CompressionResult]:
        """Run the chunks of all prompts through the engine in one pooled call, then finish
        each prompt with its own slice of the probabilities."""
        probs = self.engine.keep_probs([s for p in plans for s in p.chunk_ids])
        out, k = [], 0
        for p in plans:
            n = len(p.chunk_ids)
            out.append(finish(p, probs[k:k + n]))
            k += n
        return out
