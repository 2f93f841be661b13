"""Golden outputs of the published checkpoint (runs only where its folder is available locally).

Set ``LLMLINGUA2_XLMR_MODEL`` to a folder holding
``microsoft/llmlingua-2-xlm-roberta-large-meetingbank`` (config, tokenizer, weights).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compressor._testing import _find_lingua_dir
from _compressor_helpers import to_ours

MODEL = os.environ.get("LLMLINGUA2_XLMR_MODEL")
_dir = _find_lingua_dir()
GOLDEN = (_dir / "llmlingua2_golden_cases.json") if _dir else None
CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"] if GOLDEN and GOLDEN.exists() else []

pytestmark = pytest.mark.skipif(not (MODEL and Path(MODEL).is_dir()),
                                reason="set LLMLINGUA2_XLMR_MODEL to the published checkpoint's folder")


@pytest.fixture(scope="module")
def published():
    from compressor import Compressor

    return Compressor(MODEL, device="cpu", compat="llmlingua")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case, published):
    kw = to_ours(case["kwargs"])
    ctx = case["context"]
    res = published.compress(ctx if isinstance(ctx, str) else [list(ctx)], **kw)
    res = res if not isinstance(res, list) else res[0]
    d = res.to_llmlingua_dict()
    exp = case["expected"]
    assert d["compressed_prompt"] == exp["compressed_prompt"]
    assert str(d["origin_tokens"]) == str(exp["origin_tokens"])
    assert str(d["compressed_tokens"]) == str(exp["compressed_tokens"])
    assert d["ratio"] == exp["ratio"] and d["rate"] == exp["rate"]
