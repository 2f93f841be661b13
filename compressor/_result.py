"""The result object returned by :meth:`compressor.Compressor.compress`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CompressionResult:
    """Outcome of compressing one prompt.

    Attributes:
        compressed_prompt: the compressed text (contexts joined by ``"\\n\\n"``).
        compressed_contexts: one compressed text per input context.
        origin_tokens / compressed_tokens: tiktoken ``cl100k_base`` counts (what the reference
            reports as gpt-3.5-turbo tokens).
        words / labels / word_probs: per-word view of the original prompt (label 1 = kept),
            filled when ``return_word_probs=True`` or ``return_labels=True``.
        context_kept: per context, whether the context-level filter kept it.

    >>> r = CompressionResult("a b", ["a b"], 4, 2)
    >>> r.ratio, r.rate
    (2.0, 0.5)
    """

    compressed_prompt: str
    compressed_contexts: list[str]
    origin_tokens: int
    compressed_tokens: int
    words: list[str] | None = None
    labels: list[int] | None = None
    word_probs: list[float] | None = None
    context_kept: list[bool] = field(default_factory=list)
    mode: str = "default"

    @property
    def ratio(self) -> float:
        """``origin_tokens / compressed_tokens`` (1.0 when nothing is left, like the reference)."""
        return 1.0 if self.compressed_tokens == 0 else self.origin_tokens / self.compressed_tokens

    @property
    def rate(self) -> float:
        """``compressed_tokens / origin_tokens`` as a fraction."""
        return 1.0 / self.ratio

    def labeled_words(self, word_sep: str = "\t\t|\t\t", label_sep: str = " ") -> str:
        """The reference's ``fn_labeled_original_prompt`` string."""
        if self.words is None or self.labels is None:
            raise ValueError("labels were not requested; pass return_labels=True")
        return word_sep.join(f"{w}{label_sep}{lab}" for w, lab in zip(self.words, self.labels))

    def to_llmlingua_dict(self) -> dict[str, Any]:
        """The dict ``llmlingua.PromptCompressor.compress_prompt`` returns, same keys and formats."""
        saving = (self.origin_tokens - self.compressed_tokens) * 0.06 / 1000
        out: dict[str, Any] = {
            "compressed_prompt": self.compressed_prompt,
            "compressed_prompt_list": list(self.compressed_contexts),
            "origin_tokens": self.origin_tokens,
            "compressed_tokens": self.compressed_tokens,
            "ratio": f"{self.ratio:.1f}x",
            "rate": f"{1 / self.ratio * 100:.1f}%",
            "saving": f", Saving ${saving:.1f} in GPT-4.",
        }
        if self.words is not None and self.labels is not None:
            out["fn_labeled_original_prompt"] = self.labeled_words()
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (used by the CLI's JSONL output)."""
        d: dict[str, Any] = {
            "compressed_prompt": self.compressed_prompt,
            "compressed_contexts": self.compressed_contexts,
            "origin_tokens": self.origin_tokens,
            "compressed_tokens": self.compressed_tokens,
            "ratio": round(self.ratio, 4),
        }
        if self.words is not None:
            d["words"] = self.words
            d["labels"] = self.labels
            if self.word_probs is not None:
                d["word_probs"] = [round(float(p), 6) for p in self.word_probs]
        return d
