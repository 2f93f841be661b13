"""Request bodies for the example prompts, one per provider (shared by the golden script and test)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "poml-examples" / "examples"
GOLDENS = Path(__file__).parent / "goldens"
MODELS = {"openai": "openai:gpt-4o", "anthropic": "anthropic:claude-sonnet-4-5", "ollama": "ollama:llama3",
          "llamacpp": "llamacpp:smollm2"}


def shrink(value):
    """Long base64 images become a digest so the goldens stay readable."""
    if isinstance(value, dict):
        return {k: shrink(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shrink(v) for v in value]
    if isinstance(value, str) and len(value) > 400:
        return f"<{len(value)} chars sha256:{hashlib.sha256(value.encode()).hexdigest()[:16]}>"
    return value


def bodies(example: Path) -> dict:
    """``{provider: request body}`` for one example, rendered with its context file if any."""
    from backends._client import _Call
    from backends._prompt import prepare
    from backends._target import resolve

    ctx_file = example.with_suffix(".context.json")
    context = json.loads(ctx_file.read_text()) if ctx_file.exists() else None
    prepared = prepare(example, context)
    out = {}
    for name, model in MODELS.items():
        target = resolve(model, None, "http://127.0.0.1:9", "k")
        call = _Call(target, prepared, None, None, 8, {})
        out[name] = shrink(call.body(False))
    return out
