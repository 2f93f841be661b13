"""Data components end to end: <document>, <table src>, <img src>, <audio src>, <folder>, <tree>, <webpage>, <let src>."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

import poml
import poml.components.data  # noqa: F401  (registers the data components and file hooks)
from poml._errors import PomlError, PomlFileError, PomlPathError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "poml-examples"
ASSETS = SHARED / "examples" / "assets"
TEST_ASSETS = SHARED / "packages" / "poml" / "tests" / "assets"


def content(markup: str, **kw):
    result = poml.poml(markup, chat=False, **kw)
    return result


def _raises_at(markup: str, kind: type, message, column: int) -> PomlError:
    """Rendering ``markup`` raises ``kind`` with ``message`` located on line 1 at ``column``."""
    with pytest.raises(kind) as info:
        content(markup)
    if message is not None:
        assert info.value.diagnostic.message == message
    assert (info.value.diagnostic.line, info.value.diagnostic.column) == (1, column)
    return info.value


@pytest.fixture()
def files(tmp_path, monkeypatch):
    (tmp_path / "doc.txt").write_text("Line one of the document.\nLine two.\n\nParagraph two.\n")
    (tmp_path / "notes.md").write_text("# Notes\n\n- a\n- b\n")
    (tmp_path / "t.csv").write_text("name,score\nann,3\nbob,5\n")
    (tmp_path / "t.tsv").write_text("name\tscore\nann\t3\n")
    (tmp_path / "t.json").write_text('[{"name": "ann", "score": 3}]')
    (tmp_path / "t.jsonl").write_text('{"name": "ann", "score": 3}\n{"name": "bob", "score": 5}\n')
    (tmp_path / "page.html").write_text("<html><body><h1>Title</h1><p>Para <b>bold</b>.</p><div class='x'>sel</div></body></html>")
    (tmp_path / "vals.json").write_text('{"fromFile": "yes", "count": 3}')
    data = tmp_path / "data"
    (data / "sub" / "more").mkdir(parents=True)
    (data / "readme.md").write_text("# Readme\n\nHello folder.\n")
    (data / "notes.txt").write_text("note one\nnote two\n")
    (data / "sub" / "deep.txt").write_text("deep content\n")
    (data / "sub" / "more" / "x.json").write_text('{"x": 1}\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- document


def test_document_txt(files):
    assert content('<poml><doc src="doc.txt"/></poml>') == "Line one of the document.\nLine two.\n\nParagraph two.\n"
    assert content('<poml><task>Summarize:</task><document src="doc.txt"/></poml>') == (
        "# Task\n\nSummarize:\n\nLine one of the document.\nLine two.\n\nParagraph two.\n")


def test_document_of_another_extension_needs_a_parser(files):
    with pytest.raises(poml.PomlError, match='Cannot determine the parser of "notes.md"'):
        content('<poml><document src="notes.md"/></poml>')
    assert content('<poml><document src="notes.md" parser="txt"/></poml>') == "# Notes\n\n- a\n- b\n"


def test_document_base64_and_inline(files):
    assert content('<poml><document base64="aW5saW5lIGRvYyB0ZXh0" parser="txt"/></poml>') == "inline doc text"
    assert content('<poml><document>inline text without a file</document></poml>') == "inline text without a file"


def test_document_missing_file_errors(files):
    with pytest.raises(PomlError, match="nope.txt"):
        content('<poml><document src="nope.txt"/></poml>')


@pytest.mark.skipif(not ASSETS.is_dir(), reason="examples absent")
def test_document_pdf_selected_pages(monkeypatch):
    pytest.importorskip("pypdf")
    monkeypatch.chdir(ASSETS)
    out = content('<poml><document src="107_usenix_paper.pdf" selectedPages="2"/></poml>')
    assert "5 Conclusions" in out or "Conclusions" in out


@pytest.mark.skipif(not ASSETS.is_dir(), reason="examples absent")
def test_document_docx_multimedia(monkeypatch):
    pytest.importorskip("docx")
    monkeypatch.chdir(ASSETS)
    out = content('<poml><document src="103_prompt_wizard.docx"/></poml>')
    assert isinstance(out, list)
    assert any(isinstance(p, dict) and p["type"] == "image/png" for p in out)
    assert any(isinstance(p, str) and "# The challenge of effective prompting" in p for p in out)
    text = content('<poml><document src="103_prompt_wizard.docx" multimedia="false"/></poml>')
    assert isinstance(text, str)
    assert "# Introducing PromptWizard" in text
    assert "- Feedback-driven refinement:" in text


@pytest.mark.skipif(not ASSETS.is_dir(), reason="examples absent")
def test_document_docx_images_follow_stylesheet(monkeypatch):
    pytest.importorskip("docx")
    from PIL import Image

    monkeypatch.chdir(ASSETS)
    out = content('<poml><document src="103_prompt_wizard.docx"/></poml>', stylesheet={"image": {"maxWidth": 100}})
    media = [p for p in out if isinstance(p, dict)]
    assert media
    for m in media:
        assert Image.open(io.BytesIO(base64.b64decode(m["base64"]))).size[0] <= 100


# ---------------------------------------------------------------- table


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.json", "t.jsonl"])
def test_table_src(files, name):
    out = content(f'<poml><table src="{name}" maxRecords="1"/></poml>')
    assert out.startswith("| name | score |")
    assert "| ann  | 3     |" in out


def test_table_src_selection(files):
    assert content('<poml><table src="t.csv" selectedColumns=\'["score"]\' syntax="csv"/></poml>') == "score\n3\n5"
    assert content('<poml><table src="t.csv" selectedRecords="1:" syntax="csv"/></poml>') == "name,score\nbob,5"


@pytest.mark.skipif(not TEST_ASSETS.is_dir(), reason="assets absent")
def test_table_xlsx(monkeypatch):
    pytest.importorskip("openpyxl")
    monkeypatch.chdir(TEST_ASSETS)
    x = content('<poml><table src="wikitqSampleData.xlsx" maxRecords="4"/></poml>')
    c = content('<poml><table src="wikitqSampleData.csv" maxRecords="4"/></poml>')
    assert x == c and "Puerto Rico" in x


def test_table_missing_and_escape(files):
    _raises_at('<poml><table src="nope.csv"/></poml>', PomlFileError, "File not found: nope.csv", 7)
    with pytest.raises(PomlPathError):
        content('<poml><table src="/etc/passwd" parser="csv"/></poml>')


# ---------------------------------------------------------------- img / audio


def _write_png(path: Path, w: int, h: int) -> None:
    from PIL import Image

    Image.new("RGB", (w, h), (255, 0, 0)).save(path)


def test_img_src_resized(files):
    pytest.importorskip("PIL")
    from PIL import Image

    _write_png(files / "pic.png", 40, 20)
    out = content('<poml><img src="pic.png" maxWidth="10"/></poml>')
    assert out[0]["type"] == "image/png"
    assert Image.open(io.BytesIO(base64.b64decode(out[0]["base64"]))).size == (10, 5)
    out = content('<poml><img src="pic.png" type="jpeg" resize="0.5"/></poml>')
    assert out[0]["type"] == "image/jpeg"


def test_img_alt_without_multimedia(files):
    assert content('<poml><img src="missing.png" alt="file pic" syntax="markdown"/></poml>') == "file pic"


def test_img_missing_file(files):
    _raises_at('<poml><img src="nope.png"/></poml>', PomlFileError, "File not found: nope.png", 7)


def test_audio_src(files):
    (files / "a.mp3").write_bytes(b"ID3data")
    assert content('<poml><audio src="a.mp3"/></poml>') == []  # audio shows only in multimedia syntax
    out = content('<poml><audio src="a.mp3" syntax="multimedia"/></poml>')
    assert out == [{"type": "audio/mpeg", "base64": base64.b64encode(b"ID3data").decode()}]


# ---------------------------------------------------------------- folder / tree


def test_folder_markdown(files):
    assert content('<poml><folder src="data" syntax="markdown"/></poml>') == (
        "- data\n  - sub\n    - more\n      - x.json\n    - deep.txt\n  - notes.txt\n  - readme.md")
    assert content('<poml><folder src="data" maxDepth="1"/></poml>') == "- data\n  - sub\n  - notes.txt\n  - readme.md"


def test_folder_json(files):
    assert content('<poml><folder src="data" syntax="json"/></poml>') == (
        '```json\n{\n  "data": {\n    "sub": {\n      "more": {\n        "x.json": null\n      },\n'
        '      "deep.txt": null\n    },\n    "notes.txt": null,\n    "readme.md": null\n  }\n}\n```')


def test_folder_show_content(files):
    assert content('<poml><folder src="data" showContent="true"/></poml>') == (
        "# data\n\n## data/sub\n\n### data/sub/more\n\n#### data/sub/more/x.json\n\n```json\n{\"x\": 1}\n\n```\n\n"
        "### data/sub/deep.txt\n\n```txt\ndeep content\n\n```\n\n## data/notes.txt\n\n```txt\nnote one\nnote two\n\n```"
        "\n\n## data/readme.md\n\n```md\n# Readme\n\nHello folder.\n\n```")


def test_folder_filter(files):
    assert content('<poml><folder src="data" filter="\\.txt$"/></poml>') == (
        "- data\n  - sub\n    - deep.txt\n  - notes.txt")


def test_folder_text_syntax(files):
    out = content('<poml><folder src="data" syntax="text" maxDepth="1"/></poml>')
    assert "data\n├── sub\n├── notes.txt\n└── readme.md" in out


def test_folder_errors(files):
    err = _raises_at('<poml><folder src="nope_dir"/></poml>', PomlFileError, None, 7)
    assert err.diagnostic.message.startswith("Error processing folder nope_dir: no such folder")
    with pytest.raises(PomlPathError):
        content('<poml><folder src=".."/></poml>')


def test_tree_from_context(files):
    items = [{"name": "Project", "children": [{"name": "src", "children": [{"name": "index.js"}]},
                                               {"name": "package.json"}]}]
    out = content('<poml><tree items="{{ items }}"/></poml>', context={"items": items})
    assert out == "- Project\n  - src\n    - index.js\n  - package.json"


# ---------------------------------------------------------------- webpage / let


def test_webpage(files):
    assert content('<poml><webpage src="page.html" extractText="true"/></poml>') == "TitlePara bold.sel"
    b64 = base64.b64encode((files / "page.html").read_bytes()).decode()
    assert content(f'<poml><webpage base64="{b64}"/></poml>') == "# Title\n\nPara **bold**.\n\nsel"
    assert content('<poml><webpage src="page.html" selector=".x"/></poml>') == "sel"


def test_webpage_url_needs_network(files):
    with pytest.raises(PomlPathError, match="network"):
        content('<poml><webpage url="http://example.com/"/></poml>')


def test_let_src(files):
    assert content('<poml><let name="v" src="vals.json"/><p>{{v.fromFile}} {{v.count}}</p></poml>') == "yes 3"
    _raises_at('<poml><let name="x" src="nope.json"/><p>{{x}}</p></poml>', PomlFileError, "File not found: nope.json", 26)


# ---------------------------------------------------------------- the builder's file hook


class _State:
    def __init__(self, file_loader=None, source=None):
        self.file_loader = file_loader
        self.source = source


class _Ctx:
    def __init__(self, state):
        self.state = state
        self.pres = "markup"
        self.lang = "markdown"
        self.sheet = {}


def test_file_loader_widens_roots(tmp_path):
    from poml._files import FileAccess
    from poml.components import lookup
    from poml.components.data import FileLoader, file_loader_for

    (tmp_path / "main").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("from other root")
    doc = lookup("document")
    narrow = _Ctx(_State(FileLoader(FileAccess([tmp_path / "main"]), tmp_path / "main")))
    from poml.components._nodes import ReadError

    with pytest.raises(ReadError) as info:  # a component's error, located by the builder later
        doc.render({"src": "../other/x.txt"}, [], narrow)
    assert info.value.kind is PomlPathError
    assert str(info.value).startswith('Path "../other/x.txt" is outside the folders this prompt may read.')
    wide = _Ctx(_State(FileLoader(FileAccess([tmp_path / "main", tmp_path / "other"]), tmp_path / "main")))
    out = doc.render({"src": "../other/x.txt"}, [], wide)
    assert out[0].children == ["from other root"]
    # A bare FileAccess is accepted too; without any, the markup's folder is the root.
    assert file_loader_for(_Ctx(_State(FileAccess([tmp_path])))).access.roots[0] == tmp_path.resolve()


def test_network_allowed_fetches_url(tmp_path):
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from poml._files import FileAccess
    from poml.data import webpages

    (tmp_path / "page.html").write_text("<html><body><p>served</p></body></html>")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/page.html"
        with pytest.raises(PomlPathError):
            webpages.load_webpage(url=url, access=FileAccess([tmp_path]), extract_text_=True)
        text = webpages.load_webpage(url=url, access=FileAccess([tmp_path], allow_network=True), extract_text_=True)
        assert text == "served"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("items", ["[0]", "[{name: 'a', children: [1]}]", "'text'"])
def test_tree_items_that_are_not_objects_are_a_located_error(items):
    with pytest.raises(poml.PomlComponentError, match="items must be a list of"):
        poml.poml(f'<poml><tree items="{{{{ {items} }}}}"/></poml>')
