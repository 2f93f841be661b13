"""The gallery prompts of ../shared/poml-examples/gallery render with a context file built here.

They need `prompt` and `files`; the files are made in a temporary folder that
is passed as an allowed root (the prompts live in another folder).
"""

from __future__ import annotations

import json

import pytest

from ._cases import examples_dir

ROOT = examples_dir()
if ROOT is None or not (ROOT / "gallery").is_dir():
    pytest.skip("../shared/poml-examples/gallery is not here", allow_module_level=True)

import poml  # noqa: E402

GALLERY = sorted((ROOT / "gallery").glob("*.poml"))
PDF = ROOT / "examples" / "assets" / "107_usenix_paper.pdf"


def _files_for(name: str, tmp_path) -> tuple[list[str], list[str]]:
    """Files for one prompt and a phrase from each that must reach the output."""
    if name == "pdf_understanding":
        return [str(PDF)], ["USENIX Example Paper"]
    if name == "table_understanding":
        table = tmp_path / "sales.csv"
        table.write_text("region,units\nnorth,12\nsouth,7\n")
        return [str(table)], ["| region | units |", "| north  | 12    |"]
    code = tmp_path / "calc.py"
    code.write_text("def add(a, b):\n    return a + b\n")
    notes = tmp_path / "notes.tex"
    notes.write_text("\\section{Intro} Sums are fun.\n")
    return [str(code), str(notes)], ["return a + b", "\\section{Intro}"]


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_prompt_renders_with_a_built_context(path, tmp_path):
    files, phrases = _files_for(path.stem, tmp_path)
    context_file = tmp_path / "context.json"
    context_file.write_text(json.dumps({"prompt": "Explain what this does.", "files": files}))
    messages = poml.poml(path, context=str(context_file), roots=[tmp_path, ROOT / "examples"])
    text = "\n".join(m["content"] if isinstance(m["content"], str) else
                     "\n".join(p for p in m["content"] if isinstance(p, str)) for m in messages)
    assert "Explain what this does." in text
    for phrase in phrases:
        assert phrase in text, phrase


def test_gallery_prompt_without_its_context_is_a_clear_error():
    with pytest.raises(poml.PomlTemplateError, match="is not defined"):
        poml.poml(ROOT / "gallery" / "chat.poml")
