"""Mapping between this package's keyword names and the reference's."""
from __future__ import annotations

RENAME = {"target_token": "target_tokens", "force_reserve_digit": "keep_digits",
          "use_context_level_filter": "context_filter", "context_level_rate": "context_rate",
          "context_level_target_token": "context_target_tokens", "target_context": "target_contexts"}


def to_ours(kw: dict) -> dict:
    return {RENAME.get(k, k): v for k, v in kw.items()}


def reference_result(ref, context, kw: dict) -> dict:
    r = ref.compress_prompt(context, return_word_label=True, **kw)
    return r
