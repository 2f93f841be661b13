"""Loading the reference's cases from ../shared/poml-examples and comparing results.

The cases are read in place (never copied into the repository). Cases from
``cases.jsonl`` carry no tags, so tags are derived from their markup; the
exclusion lists in the tests are written in terms of tags only.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator, Optional


def examples_dir() -> Optional[Path]:
    """``$POML_EXAMPLES_DIR`` or ``<repo>/../shared/poml-examples``; None when absent."""
    env = os.environ.get("POML_EXAMPLES_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "poml-examples")
    for c in candidates:
        if (c / "cases.jsonl").is_file():
            return c
    return None


_FILE_TAGS = {
    "document": "component:document", "doc": "component:document", "table": "component:table",
    "img": "component:img", "image": "component:img", "audio": "component:audio",
    "folder": "component:folder", "tree": "component:tree", "webpage": "component:webpage",
    "include": "include", "let": "let",
}


def derive_tags(markup: str) -> set[str]:
    """Tags for a case without any: the components it names and the features it uses."""
    tags: set[str] = set()
    for name in re.findall(r"<([A-Za-z][\w.\-]*)", markup):
        tag = _FILE_TAGS.get(name.lower())
        if tag:
            tags.add(tag)
    for feature in ("tokenLimit", "charLimit", "priority"):
        if re.search(feature, markup, re.I):
            tags.add(feature)
    if re.search(r"\bsrc\s*=", markup):
        tags.add("src")
    if re.search(r"\{\{[^}]*(<\s|&(lt|gt|amp);|&&)[^}]*\}\}", markup):
        tags.add("expression-xml-chars")
    return tags


def load_cases(root: Path) -> Iterator[dict]:
    for rel in ("cases.jsonl", "oracle/cases.jsonl"):
        base = root / rel
        for line in base.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            case["_folder"] = str(base.parent)
            tags = set(case.get("tags") or []) | derive_tags(case["markup"])
            case["_tags"] = tags
            yield case


def apply_path(value: Any, path: Optional[list]) -> Any:
    for key in path or []:
        if key == "length":
            value = len(value)
        else:
            value = value[key]
    return value


def plain(value: Any) -> Any:
    """Turn a result into plain JSON data (pydantic models via model_dump)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return json.loads(json.dumps(value))


def _pixels(b64: str) -> Any:
    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
        return im.size, im.convert("RGBA").tobytes()


def equal(actual: Any, expected: Any, media_by_pixels: bool) -> bool:
    """Exact equality; media parts compared by decoded pixels when the case says bytes may differ."""
    if media_by_pixels and isinstance(actual, dict) and isinstance(expected, dict) and "base64" in expected:
        if set(actual) != set(expected) or actual.get("type") != expected.get("type"):
            return False
        if any(actual[k] != expected[k] for k in actual if k != "base64"):
            return False
        if actual["base64"] == expected["base64"]:
            return True
        try:
            return _pixels(actual["base64"]) == _pixels(expected["base64"])
        except Exception:
            return False
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            equal(actual[k], expected[k], media_by_pixels) for k in actual)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(
            equal(a, e, media_by_pixels) for a, e in zip(actual, expected))
    return actual == expected


_SPEAKER = re.compile(r"===== (\w+) =====\n\n")
_MEDIA = re.compile(r'\{"type":"[^"]+","base64":"[^\n"]+?(\n|$)')


def parse_pretty(text: str) -> list[dict]:
    """Split pretty-printed chat output into messages; media parts reduced to a 50-char base64 prefix.

    The same reading the reference's example test applies to its expectation files.
    """
    sections = _SPEAKER.split(text.replace("\r\n", "\n"))
    messages = []
    for i in range(1, len(sections) - 1, 2):
        raw = sections[i + 1].strip("\n")
        parts: list[str] = []
        last = 0
        for m in _MEDIA.finditer(raw):
            before = raw[last:m.start()].strip("\n")
            if before:
                parts.append(before)
            found = re.search(r'"base64":"([^"\.]+)', m.group())
            parts.append("media:" + (found.group(1)[:50] if found else ""))
            last = m.end()
        rest = raw[last:].strip("\n")
        if rest:
            parts.append(rest)
        messages.append({"speaker": sections[i], "contents": parts})
    return messages


def example_files(root: Path) -> list[Path]:
    folder = root / "examples"
    return sorted(p for p in folder.glob("*.poml") if (folder / "expects" / (p.stem + ".txt")).is_file())
