"""Loaders for documents, images, audio, folders, webpages and <let src> sources (plain data, no components)."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poml._errors import PomlError, PomlFileError, PomlPathError
from poml._files import FileAccess
from poml.data import audio, documents, folders, images, sources, webpages
from poml.data.html import DocNode, extract_text, parse_html, select_nodes, text_of

SHARED = Path(__file__).resolve().parents[3] / "shared" / "poml-examples"
TEST_ASSETS = SHARED / "packages" / "poml" / "tests" / "assets"
EXAMPLES = SHARED / "examples"
ASSETS = EXAMPLES / "assets"
ORACLE_FILES = SHARED / "oracle" / "files"

needs_test_assets = pytest.mark.skipif(not TEST_ASSETS.is_dir(), reason="shared test assets are absent")
needs_examples = pytest.mark.skipif(not ASSETS.is_dir(), reason="shared examples are absent")


# ---------------------------------------------------------------- sources (<let src>)


def test_guess_string_type_like_javascript():
    assert sources.guess_string_type("null") == (None, "null")
    assert sources.guess_string_type("") == (None, "null")
    assert sources.guess_string_type("undefined")[1] == "undefined"
    assert sources.guess_string_type("True") == (True, "boolean")
    assert sources.guess_string_type("3.0") == (3, "integer")
    assert sources.guess_string_type("1e3") == (1000, "float")
    assert sources.guess_string_type(" 12 ") == (12, "integer")
    assert sources.guess_string_type("[1, 2]") == ([1, 2], "array")
    assert sources.guess_string_type("hello world") == ("hello world", "string")
    value, kind = sources.guess_string_type("1,5")
    assert kind == "float" and math.isnan(value)


def test_parse_text_types():
    assert sources.parse_text("12px", "integer") == 12
    assert sources.parse_text("1.5kg", "float") == 1.5
    assert sources.parse_text("1", "boolean") is True
    assert sources.parse_text("text", "string") == "text"
    assert sources.parse_text('{"a": 1}', "object") == {"a": 1}
    assert sources.parse_text("x", "buffer") == b"x"
    with pytest.raises(PomlError, match="^Invalid boolean value: maybe$"):
        sources.parse_text("maybe", "boolean")
    with pytest.raises(PomlError, match="Invalid type"):
        sources.parse_text("a,b", "csv")


def test_read_source(tmp_path):
    (tmp_path / "v.json").write_text('{"fromFile": "yes", "count": 3}')
    (tmp_path / "w.txt").write_text("just words")
    access = FileAccess([tmp_path])
    assert sources.read_source("v.json", tmp_path, access=access) == {"fromFile": "yes", "count": 3}
    assert sources.read_source("w.txt", tmp_path, access=access) == "just words"
    assert sources.read_source("v.json", tmp_path, "string", files=access).startswith("{")
    with pytest.raises(PomlFileError):
        sources.read_source("nope.json", tmp_path, access=access)
    with pytest.raises(PomlPathError):
        sources.read_source("../x.json", tmp_path, access=access)


# ---------------------------------------------------------------- documents


def test_txt_and_parser_inference():
    assert documents.determine_parser("a.DOCX") == "docx"
    assert documents.determine_parser("a.pdf") == "pdf"
    assert documents.determine_parser("notes.TXT") == "txt"
    with pytest.raises(PomlError, match='Cannot determine the parser of "a.md"'):
        documents.determine_parser("a.md")
    assert documents.load_document(buffer="inline text") == "inline text"
    assert documents.load_document(base64=base64.b64encode(b"inline doc text").decode(), parser="txt") == "inline doc text"
    with pytest.raises(PomlError, match="Cannot determine parser"):
        documents.load_document(base64="aGk=")
    with pytest.raises(PomlError, match="not both"):
        documents.load_document(buffer="x", base64="aGk=")


def test_binary_file_with_inferred_parser(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01binary")
    with pytest.raises(PomlError, match='Set parser="txt"'):
        documents.load_document(src="blob.bin", base_dir=tmp_path, access=FileAccess([tmp_path]))
    text = documents.load_document(src="blob.bin", parser="txt", base_dir=tmp_path, access=FileAccess([tmp_path]))
    assert text.endswith("binary")


def test_txt_file(tmp_path):
    (tmp_path / "code.py").write_text("print('hi')\n")
    assert documents.load_document(src="code.py", parser="txt", base_dir=tmp_path,
                                   access=FileAccess([tmp_path])) == "print('hi')\n"


@needs_examples
def test_pdf_pages_and_slices():
    pytest.importorskip("pypdf")
    data = (ASSETS / "107_usenix_paper.pdf").read_bytes()
    texts, n = documents.pdf_page_texts(data)
    assert n == len(texts) == 3
    full = documents.read_pdf(data)
    assert full == "\n\n".join(texts)
    # The reference reads pages start..end inclusive and keeps the joining blank line.
    assert documents.read_pdf(data, "1:2") == "\n\n" + texts[1] + "\n\n" + texts[2]
    assert documents.read_pdf(data, "0:0") == texts[0]
    assert documents.read_pdf(data, ":1") == texts[0] + "\n\n" + texts[1]
    assert "3.1 HTML5" in documents.read_pdf(data, "1")


@needs_examples
def test_pdf_text_matches_reference_example():
    pytest.importorskip("pypdf")
    data = (ASSETS / "203_flight_itinerary.pdf").read_bytes()
    text = documents.read_pdf(data)
    expected = (EXAMPLES / "expects" / "203_expense_extract_document.txt").read_text()
    # The document's whole text is the section between its file heading and the hint after it.
    section = expected.split("# File: assets/203_flight_itinerary.pdf\n\n", 1)[1].split("\n\n**Hint:**", 1)[0]
    assert text == section and text.startswith("Flight Itinerary\nPassenger Name John Doe")


def test_select_pdf_text_arithmetic():
    t = ["A", "BB", "CCC", "DDDD"]
    assert documents.select_pdf_text(t, 0, 1) == "A\n\nBB"
    assert documents.select_pdf_text(t, 2, 3) == "\n\nCCC\n\nDDDD"
    assert documents.select_pdf_text(t, -1, 1) == "A\n\nBB"
    assert documents.select_pdf_text(t, 1, -5) == ""
    assert documents.select_pdf_text(t, math.nan, math.nan) == ""


@needs_examples
def test_docx_structure():
    pytest.importorskip("docx")
    doc = documents.read_docx((ASSETS / "103_prompt_wizard.docx").read_bytes())
    kinds = [c.kind for c in doc.children if isinstance(c, DocNode)]
    assert kinds[:3] == ["paragraph", "paragraph", "header"]
    assert "list" in kinds
    images_found = [n for n in _walk(doc) if n.kind == "image"]
    assert images_found and images_found[0].attrs["base64"].startswith("iVBOR")
    assert images_found[0].attrs["type"] == "image/png"
    no_mm = documents.read_docx((ASSETS / "103_prompt_wizard.docx").read_bytes(), multimedia=False)
    assert all(not n.attrs["multimedia"] for n in _walk(no_mm) if n.kind == "image")


@needs_test_assets
def test_docx_tables_and_lists():
    pytest.importorskip("docx")
    doc = documents.read_docx((TEST_ASSETS / "sampleWord.docx").read_bytes())
    nodes = list(_walk(doc))
    assert any(n.kind == "header" for n in nodes)
    tables = [n for n in nodes if n.kind == "table"]
    for t in tables:
        assert t.attrs["columns"] and all(set(r) == {c["field"] for c in t.attrs["columns"]} for r in t.attrs["records"])


def _walk(node):
    if isinstance(node, DocNode):
        yield node
        for c in node.children:
            yield from _walk(c)


# ---------------------------------------------------------------- html / webpages


PAGE = "<html><head><title>T</title><style>p{}</style></head><body><h1>Title</h1><p>Para <b>bold</b>.</p>" \
       "<div class='x' id='d'>sel</div><script>var a;</script><ul><li>one</li><li>two</li></ul>" \
       "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table></body></html>"


def test_extract_text():
    assert extract_text("<html><body><h1>Title</h1><p>Para <b>bold</b>.</p><div class='x'>sel</div></body></html>") \
        == "TitlePara bold.sel"
    assert extract_text(PAGE, ".x") == "sel"
    assert extract_text(PAGE, "h1, #d") == "Title\n\nsel"
    assert extract_text(PAGE, ".missing") == "No elements found matching selector: .missing"


def test_html_to_nodes():
    node = webpages.html_to_doc(PAGE)
    kinds = [c.kind for c in node.children if isinstance(c, DocNode)]
    assert kinds == ["header", "paragraph", "paragraph", "fragment", "list", "table"]
    table = node.children[-1]
    assert table.attrs["records"] == [{"a": "1", "b": "2"}]
    assert webpages.html_to_doc(PAGE, "div.x") == DocNode("paragraph", ["sel"])
    assert webpages.html_to_doc(PAGE, "li").kind == "item"


def test_selectors_fallback_engine():
    doc = parse_html(PAGE)
    from poml.data import html as H

    tests = {"ul > li": 2, "body li": 2, "#d": 1, "div.x": 1, "[class=x]": 1, "*": None}
    for sel, count in tests.items():
        found = [n for n in doc.iter() if n.tag != "#document" and H._compile_complex(sel)(n)]
        if count is not None:
            assert len(found) == count, sel
    assert [text_of(n) for n in select_nodes(doc, "li")] == ["one", "two"]


def test_webpage_sources(tmp_path):
    (tmp_path / "p.html").write_text("<p>file</p>")
    access = FileAccess([tmp_path])
    assert webpages.load_webpage(src="p.html", base_dir=tmp_path, access=access, extract_text_=True) == "file"
    b64 = base64.b64encode(b"<p>b64</p>").decode()
    assert webpages.load_webpage(base64=b64, extract_text_=True) == "b64"
    with pytest.raises(PomlPathError):
        webpages.load_webpage(url="https://example.com", access=access)
    with pytest.raises(PomlError, match="must be provided"):
        webpages.load_webpage()


@needs_test_assets
def test_sample_webpage():
    html = (TEST_ASSETS / "sampleWebpage.html").read_text()
    text = webpages.load_webpage(buffer=html, extract_text_=True)
    assert text.startswith("Enter the main heading") and text.endswith("© Wiley Publishing, 2011")


# ---------------------------------------------------------------- images


def _png(w: int, h: int, mode: str = "RGB") -> bytes:
    from PIL import Image

    img = Image.new(mode, (w, h), (10, 200, 30) if mode == "RGB" else None)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_output_size_rules():
    assert images.output_size(100, 50) == (100, 50)
    assert images.output_size(100, 50, max_width=50) == (50, 25)
    assert images.output_size(100, 50, max_height=10) == (20, 10)
    assert images.output_size(100, 50, max_width=50, max_height=10) == (20, 10)
    assert images.output_size(100, 50, resize=0.5) == (50, 25)
    assert images.output_size(100, 50, max_width=200) == (200, 100)  # the reference enlarges too
    assert images.output_size(3, 3, resize=0.5) == (2, 2)  # rounds half up
    assert images.output_size(100, 50, max_width=0) == (100, 50)


def test_process_png_keeps_pixels_and_adds_phys():
    pytest.importorskip("PIL")
    from PIL import Image

    data = _png(4, 3)
    b64, mime = images.process_image(data)
    assert mime == "image/png"
    out = base64.b64decode(b64)
    assert b"pHYs" in out
    a = Image.open(io.BytesIO(data)).convert("RGBA").tobytes()
    b = Image.open(io.BytesIO(out)).convert("RGBA").tobytes()
    assert a == b


def test_process_resize_and_convert():
    pytest.importorskip("PIL")
    b64, mime = images.process_image(_png(40, 20), "jpeg", max_width=10)
    assert mime == "image/jpeg"
    assert images.image_size(b64) == (10, 5)
    assert base64.b64decode(b64)[:4] == b"\xff\xd8\xff\xdb"  # tables first, no JFIF header (like sharp)
    b64, mime = images.process_image(_png(40, 20), "image/webp", resize=0.5)
    assert mime == "image/webp" and images.image_size(b64) == (20, 10)


def test_oracle_base64_image_pixels():
    pytest.importorskip("PIL")
    from PIL import Image

    src = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR42mP4z8DAAMIM/4EAAB/uBfvxq7p3AAAAAElFTkSuQmCC"
    expected = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAsTAAALEwEAmpwYAAAAFElEQVR4nGP4z8DAAMIM"
                "/////w8AH+4F+7C4l8kAAAAASUVORK5CYII=")
    b64, mime = images.load_image(base64=src)
    assert mime == "image/png"
    assert b64[:60] == expected[:60]  # same header, IHDR and pHYs

    def px(s):
        return Image.open(io.BytesIO(base64.b64decode(s))).convert("RGBA").tobytes()

    assert px(b64) == px(expected)


@needs_examples
def test_jpeg_file_prefix_matches_reference():
    pytest.importorskip("PIL")
    b64, mime = images.load_image(src="101_tom_cat.jpg", base_dir=ASSETS, access=FileAccess([ASSETS]))
    assert mime == "image/jpeg"
    expected = (EXAMPLES / "expects" / "101_explain_character.txt").read_text()
    assert '"base64":"' + b64[:50] in expected


def test_image_errors(tmp_path):
    pytest.importorskip("PIL", reason="images need the 'data' extra (pillow)")
    with pytest.raises(PomlError, match="both"):
        images.load_image(src="a.png", base64="xx")
    with pytest.raises(PomlError, match="required"):
        images.load_image()
    with pytest.raises(PomlFileError):
        images.load_image(src="nope.png", base_dir=tmp_path, access=FileAccess([tmp_path]))
    with pytest.raises(PomlPathError):
        images.load_image(src="https://example.com/x.png", access=FileAccess([tmp_path]))
    with pytest.raises(PomlError, match="Cannot read the image"):
        images.process_image(b"not an image")


# ---------------------------------------------------------------- audio


def test_audio(tmp_path):
    (tmp_path / "a.mp3").write_bytes(b"ID3fake")
    access = FileAccess([tmp_path])
    b64, mime = audio.load_audio("a.mp3", base_dir=tmp_path, access=access)
    assert mime == "audio/mpeg" and base64.b64decode(b64) == b"ID3fake"
    assert audio.load_audio(base64=b64, type="wav")[1] == "audio/wav"
    assert audio.canonical_audio_type("audio/ogg") == "audio/ogg"
    with pytest.raises(PomlError, match="Cannot determine audio format"):
        audio.load_audio(base64=b64)
    (tmp_path / "a.xyz").write_bytes(b"x")
    with pytest.raises(PomlError, match=r'^Cannot determine audio format\. Set type, e\.g\. type="audio/mpeg"\.$'):
        audio.load_audio("a.xyz", base_dir=tmp_path, access=access)


@needs_test_assets
def test_audio_asset():
    b64, mime = audio.load_audio("audioThreeSeconds.mp3", base_dir=TEST_ASSETS, access=FileAccess([TEST_ASSETS]))
    assert mime == "audio/mpeg" and len(b64) > 100


# ---------------------------------------------------------------- folders


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "src" / "deep").mkdir(parents=True)
    (root / "src" / "main.py").write_text("print(1)\n")
    (root / "src" / "deep" / "x.json").write_text('{"x": 1}')
    (root / "README.md").write_text("# Hi\n")
    (root / "b.txt").write_text("b")
    (root / "empty").mkdir()
    return tmp_path


def test_folder_tree(project):
    access = FileAccess([project])
    items = folders.read_folder("proj", base_dir=project, access=access)
    assert items == [{"name": "proj", "children": [
        {"name": "empty"},
        {"name": "src", "children": [{"name": "deep", "children": [{"name": "x.json"}]}, {"name": "main.py"}]},
        {"name": "b.txt"},
        {"name": "README.md"},
    ]}]


def test_folder_depth_filter_content(project):
    access = FileAccess([project])
    items = folders.read_folder("proj", base_dir=project, access=access, max_depth=1)
    assert [c["name"] for c in items[0]["children"]] == ["empty", "src", "b.txt", "README.md"]
    assert "children" not in items[0]["children"][1]
    items = folders.read_folder("proj", base_dir=project, access=access, filter=r"\.py$")
    assert items == [{"name": "proj", "children": [{"name": "src", "children": [{"name": "main.py"}]}]}]
    items = folders.read_folder("proj", base_dir=project, access=access, filter="nothing-matches")
    assert items == [{"name": "proj"}]
    items = folders.read_folder("proj", base_dir=project, access=access, show_content=True, filter=r"main")
    assert items[0]["children"][0]["children"][0] == {"name": "main.py", "value": "print(1)\n"}


def test_folder_missing_and_escape(project):
    access = FileAccess([project / "proj"])
    with pytest.raises(PomlFileError):
        folders.read_folder("nope", base_dir=project / "proj", access=access)
    with pytest.raises(PomlPathError):
        folders.read_folder("..", base_dir=project / "proj", access=access)


def test_folder_skips_symlinks_out_of_root(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (project / "proj" / "link").symlink_to(outside, target_is_directory=True)
    (project / "proj" / "slink.txt").symlink_to(outside / "secret.txt")
    access = FileAccess([project / "proj"])
    items = folders.read_folder(".", base_dir=project / "proj", access=access, show_content=True)
    names = [c["name"] for c in items[0]["children"]]
    assert "link" not in names and "slink.txt" not in names


@pytest.mark.skipif(not (ORACLE_FILES / "component_folder_json_1_98fba8").is_dir(), reason="oracle files absent")
def test_folder_oracle_fixture():
    base = ORACLE_FILES / "component_folder_json_1_98fba8"
    items = folders.read_folder("data", base_dir=base, access=FileAccess([base]))
    assert items == [{"name": "data", "children": [
        {"name": "sub", "children": [{"name": "more", "children": [{"name": "x.json"}]}, {"name": "deep.txt"}]},
        {"name": "notes.txt"}, {"name": "readme.md"}]}]


# ---------------------------------------------------------------- optional packages


@pytest.mark.parametrize("module, call", [
    ("pypdf", lambda: documents.read_pdf(b"%PDF-1.4 not really")),
    ("docx", lambda: documents.read_docx(b"PK not really")),
    ("openpyxl", lambda: __import__("poml.data.tables", fromlist=["x"]).parse_table(b"PK", "excel")),
    ("PIL", lambda: images.process_image(b"\x89PNG")),
])
def test_missing_optional_package_message(monkeypatch, module, call):
    import sys

    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(PomlError) as info:
        call()
    from poml._install import install_command

    assert install_command("data") in str(info.value)


# ---------------------------------------------------------------- inline base64


@given(st.binary(max_size=200), st.sampled_from(["", "\n", " ", "\r\n"]), st.booleans(), st.booleans())
def test_inline_base64_round_trips_in_every_loader_shape(data, ws, strip_padding, data_url):
    from poml.data._base64 import decode_base64

    text = base64.b64encode(data).decode()
    if strip_padding:
        text = text.rstrip("=")
    if ws:
        text = ws.join(text[i:i + 16] for i in range(0, len(text), 16))
    if data_url:
        text = "data:application/octet-stream;base64," + text
    assert decode_base64(text, "document") == data


def test_bad_inline_base64_names_what_it_was_for():
    with pytest.raises(PomlError, match="Invalid base64 webpage data"):
        webpages.load_webpage(base64="a")


def test_derived_contents_are_kept_by_the_environment_only():
    from poml.data._memo import ContentMemo

    data = (ASSETS / "103_prompt_wizard.docx").read_bytes()
    memo = ContentMemo(size=2)
    first = documents.docx_to_html_tree(data, memo)
    assert documents.docx_to_html_tree(data, memo) is first  # converted once per memo
    assert documents.docx_to_html_tree(data) is not first  # no memo: nothing kept anywhere
    memo.get_or_make("a", lambda: 1), memo.get_or_make("b", lambda: 2)
    assert len(memo) == 2 and documents.docx_to_html_tree(data, memo) is not first  # bounded, oldest out
    with pytest.raises(ZeroDivisionError):
        memo.get_or_make("c", lambda: 1 / 0)
    assert memo.get_or_make("c", lambda: 3) == 3  # a failure is not kept
