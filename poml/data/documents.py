"""``<document>``: text, PDF and Word files as plain text or document nodes.

* ``txt`` (and markdown, code, any text): the file's text.
* ``pdf`` (pypdf): text per page, a line break wherever the text's baseline
  changes (as the reference's pdf.js extraction does), pages joined by a blank
  line; ``selectedPages`` takes the reference's slice syntax with its quirks
  (``"1:3"`` reads pages 1 to 3 *inclusive*, and text after the first selected
  page keeps its leading blank line).
* ``docx`` (python-docx): headings, paragraphs, lists, tables, line breaks and
  images mapped as the reference's mammoth-to-HTML path maps them, returned as
  :class:`~poml.data.html.DocNode` values.

The parser comes from ``parser`` or, for ``auto``, from the file extension:
``.docx``/``.doc`` → docx, ``.pdf`` → pdf, anything else is read as text
(the reference only accepts ``.txt``; reading other text files is an
extension). Inline content without a file (``buffer``) is text.
"""

from __future__ import annotations

import base64 as _b64
import io
import math
import os
import re
from typing import TYPE_CHECKING, Any, Optional, Union

from ._archives import check_archive
from .._errors import PomlError
from ._base64 import decode_base64
from ._memo import ContentMemo, memoised
from ._optional import require
from .html import DocNode, HNode, html_to_nodes

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = [
    "determine_parser", "read_txt", "read_pdf", "pdf_page_texts", "read_docx", "docx_to_html_tree",
    "load_document", "select_pdf_text",
]

TEXT_EXTENSIONS = {
    ".txt", ".md", ".markdown", ".rst", ".py", ".js", ".ts", ".tsx", ".jsx", ".json", ".jsonl", ".yaml",
    ".yml", ".toml", ".ini", ".cfg", ".csv", ".tsv", ".html", ".htm", ".xml", ".css", ".c", ".h", ".cpp",
    ".hpp", ".cc", ".java", ".go", ".rs", ".rb", ".php", ".sh", ".bash", ".ps1", ".sql", ".r", ".tex",
    ".log", ".poml", ".kt", ".swift", ".scala", ".lua", ".pl", ".m", ".cs", ".fs", ".vb", ".dart", ".ipynb",
}


def determine_parser(src: str) -> str:
    """``docx``, ``pdf`` or ``txt`` from a file name, as the reference infers it; any other
    extension is an error that says to pass ``parser=`` (a .csv read as text is rarely meant)."""
    s = src.lower().split("?", 1)[0]
    if s.endswith(".docx") or s.endswith(".doc"):
        return "docx"
    if s.endswith(".pdf"):
        return "pdf"
    if s.endswith(".txt"):
        return "txt"
    raise PomlError(f'Cannot determine the parser of "{src[:200]}" from its extension. '
                    'Set parser="txt", "pdf" or "docx" (or use <table> for data files).')


# --------------------------------------------------------------------------- txt


def read_txt(data: Union[bytes, str]) -> str:
    """Text of a buffer (UTF-8, invalid bytes replaced)."""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- pdf


def pdf_page_texts(data: bytes, max_pages: Optional[int] = None, first: int = 0,
                   memo: Optional[ContentMemo] = None) -> tuple[list[str], int]:
    """Text of pages ``first`` .. ``max_pages - 1`` (all when None) and the page count."""
    reader = _pdf_reader(data, memo)
    n = len(reader.pages)
    count = n if max_pages is None else max(0, min(max_pages, n))
    return [_page_text_of(data, i, memo) for i in range(max(0, first), count)], n


def _pdf_reader(data: bytes, memo: Optional[ContentMemo] = None) -> Any:
    # bytes cache their hash, and the file cache hands out the same object for an unchanged
    # file, so repeated renders of one PDF in an Environment parse it once.
    return memoised(memo, ("pdf", data), lambda: _open_pdf(data))


def _open_pdf(data: bytes) -> Any:
    pypdf = require("pypdf", "Reading PDF documents")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        len(reader.pages)
    except Exception as exc:
        raise PomlError(f"Cannot read the PDF document: {exc}") from None
    return reader


def _page_text_of(data: bytes, index: int, memo: Optional[ContentMemo]) -> str:
    def extract() -> str:
        try:
            return _page_text(_pdf_reader(data, memo).pages[index])
        except PomlError:
            raise
        except Exception as exc:
            raise PomlError(f"Cannot extract text from PDF page {index}: {exc}") from None

    return memoised(memo, ("pdf-page", data, index), extract)


def _page_text(page: Any) -> str:
    """A page's text in content order, as the reference's pdf.js extraction lays it out.

    Chunks on the same baseline run together (a space goes in where a visible
    gap separates them); a new baseline starts a new line.
    """
    chunks: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font_dict: Any, font_size: Any) -> None:
        if not text:
            return
        try:
            x = float(tm[4]) * float(cm[0]) + float(tm[5]) * float(cm[2]) + float(cm[4])
            y = float(tm[4]) * float(cm[1]) + float(tm[5]) * float(cm[3]) + float(cm[5])
            size = float(font_size or 0) * abs(float(tm[0]) * float(cm[0]) or 1.0)
        except Exception:
            x = y = size = math.nan
        chunks.append((text, x, y, size))

    page.extract_text(visitor_text=visit)
    out: list[str] = []
    last_x = last_y = math.nan
    last_w = 0.0
    for text, x, y, size in chunks:
        text = text.replace("\n", "")  # pypdf's own line guesses; baselines decide here
        if not text:
            continue
        same_line = not out or math.isnan(y) or math.isnan(last_y) or abs(y - last_y) < 1e-9
        if same_line:
            if (out and not math.isnan(x) and not math.isnan(last_x) and x > last_x + last_w + 0.102 * size
                    and not out[-1].endswith(" ") and not text.startswith(" ")):
                out.append(" ")
            out.append(text)
        else:
            # pdf.js keeps a word's trailing space on the line it ends.
            lead = len(text) - len(text.lstrip(" "))
            out.append(" " * lead + "\n" + text[lead:])
        if not math.isnan(y):
            last_y = y
        last_x = x
        last_w = len(text) * (size if not math.isnan(size) else 0.0) * 0.6
    return "".join(out)


def select_pdf_text(texts: list[str], start: Any, end: Any) -> str:
    """Text for a page slice, reproducing the reference's arithmetic.

    The reference reads ``end + 1`` pages, then cuts off the text of the first
    ``start`` pages by length, so the result starts with the blank line that
    joined them.
    """
    n = len(texts)

    def upto(k: Any) -> str:
        if isinstance(k, float) and math.isnan(k):
            return ""
        k = int(k) if not (isinstance(k, float) and math.isinf(k)) else (n if k > 0 else 0)
        return "\n\n".join(texts[: max(0, min(k, n))])

    full = upto(end + 1 if not (isinstance(end, float) and math.isnan(end)) else end)
    if isinstance(start, float) and math.isnan(start):
        start_val: Any = math.nan
    else:
        start_val = start
    if not (isinstance(start_val, (int, float)) and not (isinstance(start_val, float) and math.isnan(start_val)) and start_val > 0):
        return full
    return full[len(upto(start_val)):]


def read_pdf(data: bytes, selected_pages: Optional[str] = None, memo: Optional[ContentMemo] = None) -> str:
    """The text of a PDF, optionally only the pages ``selected_pages`` names."""
    if selected_pages:
        from .tables import parse_slice

        n = len(_pdf_reader(data, memo).pages)
        start, end = parse_slice(str(selected_pages), n)
        if isinstance(start, int) and isinstance(end, int) and start > 0:
            # Closed form of select_pdf_text: only pages start..end are read.
            m = max(0, min(end + 1, n))
            if start >= m:
                return ""
            texts, _ = pdf_page_texts(data, m, start, memo)
            return "\n\n" + "\n\n".join(texts)
        if isinstance(end, int):
            texts, _ = pdf_page_texts(data, max(0, end + 1), memo=memo)
        else:
            texts, _ = pdf_page_texts(data, memo=memo)
        return select_pdf_text(texts, start, end)
    texts, _ = pdf_page_texts(data, memo=memo)
    return "\n\n".join(texts)


# --------------------------------------------------------------------------- docx

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_HEADING_RE = re.compile(r"^heading\s*([1-6])$", re.IGNORECASE)


class _DocxConverter:
    """Word XML → an HTML-like :class:`HNode` tree, following mammoth's default style map."""

    def __init__(self, document: Any):
        self.doc = document
        self.part = document.part
        self.styles: dict[str, str] = {}
        try:
            for st in document.styles:
                if st.style_id and st.name:
                    self.styles[st.style_id] = st.name
        except Exception:  # pragma: no cover - unusual style parts
            pass
        self.numbering = self._read_numbering()

    # -- numbering ----------------------------------------------------------

    def _read_numbering(self) -> dict[tuple[str, str], bool]:
        """(numId, ilvl) → ordered?"""
        out: dict[tuple[str, str], bool] = {}
        try:
            numbering = self.part.numbering_part.element
        except Exception:
            return out
        abstract: dict[str, dict[str, bool]] = {}
        for an in numbering.findall(f"{_W}abstractNum"):
            aid = an.get(f"{_W}abstractNumId")
            levels: dict[str, bool] = {}
            for lvl in an.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                val = fmt.get(f"{_W}val") if fmt is not None else "bullet"
                levels[lvl.get(f"{_W}ilvl") or "0"] = val != "bullet"
            abstract[aid] = levels
        for num in numbering.findall(f"{_W}num"):
            nid = num.get(f"{_W}numId")
            ref = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{_W}val") if ref is not None else "", {}))
            for ov in num.findall(f"{_W}lvlOverride"):
                lvl = ov.find(f"{_W}lvl")
                if lvl is not None:
                    fmt = lvl.find(f"{_W}numFmt")
                    if fmt is not None:
                        levels[ov.get(f"{_W}ilvl") or "0"] = fmt.get(f"{_W}val") != "bullet"
            for k, v in levels.items():
                out[(nid, k)] = v
        return out

    def _style_numbering(self, style_id: Optional[str]) -> Optional[tuple[str, str]]:
        if not style_id:
            return None
        try:
            st = self.doc.styles.element.get_by_id(style_id)
        except Exception:
            return None
        depth = 0
        while st is not None and depth < 10:
            ppr = st.find(f"{_W}pPr")
            if ppr is not None:
                num = ppr.find(f"{_W}numPr")
                if num is not None:
                    nid = num.find(f"{_W}numId")
                    lvl = num.find(f"{_W}ilvl")
                    if nid is not None:
                        return nid.get(f"{_W}val"), (lvl.get(f"{_W}val") if lvl is not None else "0")
            based = st.find(f"{_W}basedOn")
            if based is None:
                break
            try:
                st = self.doc.styles.element.get_by_id(based.get(f"{_W}val"))
            except Exception:
                break
            depth += 1
        return None

    # -- blocks ---------------------------------------------------------------

    def convert(self) -> HNode:
        body = HNode("body")
        self._blocks(self.doc.element.body, body)
        return body

    def _blocks(self, container: Any, out: HNode) -> None:
        list_stack: list[tuple[HNode, bool]] = []  # (list element, ordered), one per level

        def close_lists() -> None:
            list_stack.clear()

        for el in self._block_elements(container):
            tag = el.tag
            if tag == f"{_W}p":
                para = self._paragraph(el)
                if para is None:
                    continue
                kind, level, ordered, node = para
                if kind == "li":
                    # Find or build the list at this level (mammoth: ul|ol > li > ul|ol > li ...).
                    while len(list_stack) > level + 1:
                        list_stack.pop()
                    if len(list_stack) == level + 1 and list_stack[-1][1] != ordered:
                        list_stack.pop()
                    while len(list_stack) < level + 1:
                        lst = HNode("ol" if ordered else "ul")
                        if list_stack:
                            parent_list = list_stack[-1][0]
                            items = [c for c in parent_list.children if isinstance(c, HNode) and c.tag == "li"]
                            if items:
                                items[-1].append(lst)
                            else:
                                li = HNode("li")
                                parent_list.append(li)
                                li.append(lst)
                        else:
                            out.append(lst)
                        list_stack.append((lst, ordered))
                    list_stack[-1][0].append(node)
                else:
                    close_lists()
                    out.append(node)
            elif tag == f"{_W}tbl":
                close_lists()
                out.append(self._table(el))

    def _block_elements(self, container: Any) -> list:
        out = []
        for el in container:
            tag = el.tag
            if tag in (f"{_W}p", f"{_W}tbl"):
                out.append(el)
            elif tag in (f"{_W}sdt",):
                content = el.find(f"{_W}sdtContent")
                if content is not None:
                    out.extend(self._block_elements(content))
            elif tag in (f"{_W}customXml", f"{_W}ins", f"{_W}smartTag"):
                out.extend(self._block_elements(el))
            elif tag == f"{_MC}AlternateContent":
                fallback = el.find(f"{_MC}Fallback")
                if fallback is not None:
                    out.extend(self._block_elements(fallback))
        return out

    def _paragraph(self, p: Any) -> Optional[tuple[str, int, bool, HNode]]:
        ppr = p.find(f"{_W}pPr")
        style_id = None
        num: Optional[tuple[str, str]] = None
        if ppr is not None:
            ps = ppr.find(f"{_W}pStyle")
            if ps is not None:
                style_id = ps.get(f"{_W}val")
            np_ = ppr.find(f"{_W}numPr")
            if np_ is not None:
                nid = np_.find(f"{_W}numId")
                lvl = np_.find(f"{_W}ilvl")
                if nid is not None and nid.get(f"{_W}val") not in (None, "0"):
                    num = (nid.get(f"{_W}val"), lvl.get(f"{_W}val") if lvl is not None else "0")
        if num is None:
            num = self._style_numbering(style_id)
        style_name = self.styles.get(style_id or "", style_id or "")
        children = self._inline(p)
        if not children:
            return None  # mammoth ignores empty paragraphs
        m = _HEADING_RE.match(style_name or "") or _HEADING_RE.match(style_id or "")
        if m:
            node = HNode(f"h{m.group(1)}")
            for c in children:
                node.append(c)
            return ("block", 0, False, node)
        if num is not None and num in self.numbering:  # mammoth: unknown numbering → plain paragraph
            ordered = self.numbering[num]
            try:
                level = int(num[1])
            except ValueError:
                level = 0
            li = HNode("li")
            for c in children:
                li.append(c)
            return ("li", max(0, min(level, 8)), ordered, li)
        node = HNode("p")
        for c in children:
            node.append(c)
        return ("block", 0, False, node)

    # -- runs -----------------------------------------------------------------

    def _inline(self, el: Any) -> list:
        out: list = []
        for child in el:
            tag = child.tag
            if tag == f"{_W}r":
                out.extend(self._run(child))
            elif tag in (f"{_W}hyperlink", f"{_W}ins", f"{_W}smartTag", f"{_W}customXml", f"{_W}fldSimple",
                         f"{_W}bdo", f"{_W}dir"):
                out.extend(self._inline(child))
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    out.extend(self._inline(content))
            elif tag == f"{_MC}AlternateContent":
                fb = child.find(f"{_MC}Fallback")
                if fb is not None:
                    out.extend(self._inline(fb))
        return out

    def _run(self, r: Any) -> list:
        rpr = r.find(f"{_W}rPr")
        bold = italic = strike = False
        vert = None
        if rpr is not None:
            bold = _on(rpr.find(f"{_W}b"))
            italic = _on(rpr.find(f"{_W}i"))
            strike = _on(rpr.find(f"{_W}strike"))
            va = rpr.find(f"{_W}vertAlign")
            if va is not None:
                vert = va.get(f"{_W}val")
        parts: list = []
        for child in r:
            tag = child.tag
            if tag == f"{_W}t":
                if child.text:
                    parts.append(child.text)
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}noBreakHyphen",):
                parts.append("\u2011")
            elif tag in (f"{_W}softHyphen",):
                parts.append("\u00ad")
            elif tag == f"{_W}sym":
                code = child.get(f"{_W}char")
                try:
                    parts.append(chr(int(code, 16)))
                except (TypeError, ValueError):
                    pass
            elif tag in (f"{_W}br", f"{_W}cr"):
                kind = child.get(f"{_W}type")
                if kind in (None, "textWrapping"):
                    parts.append(HNode("br"))
            elif tag == f"{_W}drawing":
                parts.extend(self._drawing(child))
            elif tag == f"{_W}pict":
                parts.extend(self._pict(child))
            elif tag == f"{_MC}AlternateContent":
                fb = child.find(f"{_MC}Fallback")
                if fb is not None:
                    for sub in fb:
                        if sub.tag == f"{_W}pict":
                            parts.extend(self._pict(sub))
                        elif sub.tag == f"{_W}drawing":
                            parts.extend(self._drawing(sub))
        # Merge adjacent text.
        merged: list = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            else:
                merged.append(p)
        if not merged:
            return []
        # mammoth wraps text in <strong>, <em>, <s>, <sup>/<sub>; the reference keeps only their text.
        wrapped: list = merged
        for flag, name in ((vert == "superscript", "sup"), (vert == "subscript", "sub"), (strike, "s"),
                           (italic, "em"), (bold, "strong")):
            if flag:
                node = HNode(name)
                for c in wrapped:
                    node.append(c)
                wrapped = [node]
        return wrapped

    def _image(self, rid: Optional[str], alt: Optional[str]) -> list:
        if not rid:
            return []
        try:
            part = self.part.related_parts[rid]
        except KeyError:
            return []
        blob = getattr(part, "blob", None)
        if blob is None:
            return []
        ctype = getattr(part, "content_type", "") or "application/octet-stream"
        attrs = {"src": f"data:{ctype};base64,{_b64.b64encode(blob).decode('ascii')}"}
        if alt:
            attrs["alt"] = alt
        return [HNode("img", attrs)]

    def _drawing(self, drawing: Any) -> list:
        out: list = []
        for inline in drawing:
            doc_pr = inline.find(f"{_WP}docPr")
            alt = None
            if doc_pr is not None:
                alt = doc_pr.get("descr") or doc_pr.get("title") or None
            for blip in inline.iter(f"{_A}blip"):
                out.extend(self._image(blip.get(f"{_R}embed") or blip.get(f"{_R}link"), alt))
        return out

    def _pict(self, pict: Any) -> list:
        out: list = []
        for img in pict.iter(f"{_V}imagedata"):
            out.extend(self._image(img.get(f"{_R}id"), img.get("{urn:schemas-microsoft-com:office:office}title")))
        return out

    # -- tables ---------------------------------------------------------------

    def _table(self, tbl: Any) -> HNode:
        table = HNode("table")
        for tr in tbl.findall(f"{_W}tr"):
            row = HNode("tr")
            for tc in tr.findall(f"{_W}tc"):
                tcpr = tc.find(f"{_W}tcPr")
                if tcpr is not None:
                    vm = tcpr.find(f"{_W}vMerge")
                    if vm is not None and vm.get(f"{_W}val") in (None, "continue"):
                        continue  # covered by the cell above (rowspan)
                cell = HNode("td")
                self._blocks(tc, cell)
                row.append(cell)
            table.append(row)
        return table


def _on(el: Any) -> bool:
    if el is None:
        return False
    val = el.get(f"{_W}val")
    return val is None or val.lower() not in ("0", "false", "off", "none")


def docx_to_html_tree(data: bytes, memo: Optional[ContentMemo] = None) -> HNode:
    """The body of a Word document as an HTML-like tree (mammoth's default mapping).

    Kept in ``memo`` by content (treat the result as read-only).
    """
    return memoised(memo, ("docx", data), lambda: _convert_docx(data))


def _convert_docx(data: bytes) -> HNode:
    docx = require("docx", "Reading Word documents")
    check_archive(data, "Word document")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise PomlError(f"Cannot read the Word document: {exc}") from None
    return _DocxConverter(document).convert()


def read_docx(data: bytes, multimedia: Optional[bool] = None, memo: Optional[ContentMemo] = None) -> DocNode:
    """Document nodes (headers, paragraphs, lists, tables, images) of a Word document."""
    body = docx_to_html_tree(data, memo)
    return html_to_nodes(body, multimedia)


# --------------------------------------------------------------------------- dispatch


def load_document(
    *,
    src: Optional[str] = None,
    buffer: Union[str, bytes, None] = None,
    base64: Optional[str] = None,
    parser: Optional[str] = None,
    multimedia: Optional[bool] = None,
    selected_pages: Optional[str] = None,
    base_dir: Any = None,
    access: "Optional[FileAccess]" = None,
) -> Union[str, DocNode]:
    """Content of a ``<document>``: a ``str`` (text, pdf) or a :class:`DocNode` (docx).

    Inline ``buffer`` text without a parser is read as text (the reference
    does the same for string buffers; for ``base64`` it requires ``parser``
    unless ``src`` names a file).
    """
    data: Union[bytes, str, None] = None
    if base64:
        if buffer is not None:
            raise PomlError("Either buffer or base64 should be provided, not both.")
        data = decode_base64(base64, "document")
    elif isinstance(buffer, str):
        data = buffer.encode("utf-8")
        if parser in (None, "", "auto"):
            parser = "txt"
    else:
        data = buffer
    inferred = False
    if parser in (None, "", "auto"):
        if not src:
            raise PomlError(
                "Cannot determine parser without source file provided. "
                'Set parser="txt", "pdf" or "docx".'
            )
        parser = determine_parser(src)
        inferred = True
    if src:
        if access is None:
            from .._files import FileAccess

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        data = access.read_bytes(src, base_dir)
    elif data is None:
        raise PomlError("Either buffer or src must be provided")
    if isinstance(data, str):
        data = data.encode("utf-8")
    memo = access.memo if access is not None else None
    if parser == "pdf":
        return read_pdf(data, selected_pages, memo)
    if parser == "docx":
        return read_docx(data, multimedia, memo)
    if parser == "txt":
        if inferred and b"\x00" in data[:8192]:
            raise PomlError(
                f"{src} looks like a binary file, not text. Set parser to pdf or docx if it is one of those."
            )
        return read_txt(data)
    raise PomlError(f"Unsupported parser: {parser}")
