"""Render a POML file with the engine into the `poml/preview` response shape (for screenshots).

python vscode-ext/scripts/sample_preview.py PROMPT.poml [CONTEXT.json] > response.json
"""
from __future__ import annotations

import json
import sys

import poml
from renderers import count_tokens


def preview_response(path: str, context: dict | None) -> dict:
    messages = poml.poml(path, context=context, format="message_dict")
    out = []
    for message in messages:
        content = message["content"]
        text = content if isinstance(content, str) else " ".join(p for p in content if isinstance(p, str))
        out.append({"speaker": message["speaker"], "content": content, "tokens": count_tokens(text)})
    return {"messages": out, "totalTokens": sum(m["tokens"] for m in out), "sections": [], "error": None}


if __name__ == "__main__":
    prompt = sys.argv[1]
    ctx = json.load(open(sys.argv[2], encoding="utf-8")) if len(sys.argv) > 2 else None
    json.dump(preview_response(prompt, ctx), sys.stdout, ensure_ascii=False, indent=2)
