"""``<webpage>``: a local HTML file, an HTML string, or (when the caller allows the network) a URL.

:func:`load_webpage` returns either plain text (``extract_text=True``: the
text of ``body``, or of the elements a CSS ``selector`` matches joined by a
blank line) or a :class:`~poml.data.html.DocNode` tree (headers, paragraphs,
lists, bold/italic, images, tables) for the components layer to render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

from .._errors import PomlError
from ._base64 import decode_base64
from .html import DocNode, HNode, body_of, extract_text, html_to_nodes, parse_html, select_nodes

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = ["read_html", "load_webpage", "html_to_doc"]

# Order of the reference's ``element.is(...)`` checks: the first group any selected element matches wins.
_GROUPS = [
    ("style", "script"), ("h1", "h2", "h3", "h4", "h5", "h6"), ("p", "div"), ("br",), ("ol",),
    ("ul",), ("li",), ("b",), ("i",), ("img",), ("table",),
]


def read_html(
    *,
    src: Optional[str] = None,
    url: Optional[str] = None,
    buffer: Union[str, bytes, None] = None,
    base64: Optional[str] = None,
    base_dir: Any = None,
    access: "Optional[FileAccess]" = None,
) -> str:
    """The HTML text from whichever source was given (url, then src, then buffer/base64)."""
    if base64:
        if buffer is not None:
            raise PomlError("Either buffer or base64 should be provided, not both.")
        buffer = decode_base64(base64, "webpage")
    if url:
        if access is None:
            raise PomlError(f"Refusing to fetch {url}: network access is off.")
        data, _ = access.fetch_url(url)
        return data.decode("utf-8", errors="replace")
    if src:
        if access is None:
            from .._files import FileAccess
            import os

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        return access.read_text(src, base_dir)
    if buffer:
        return buffer.decode("utf-8", errors="replace") if isinstance(buffer, (bytes, bytearray)) else str(buffer)
    raise PomlError("Either url, src, or buffer must be provided")


def _merge_selection(found: list[HNode]) -> HNode:
    if len(found) == 1:
        return found[0]
    for group in _GROUPS:
        first = next((n for n in found if n.tag in group), None)
        if first is not None:
            merged = HNode(first.tag, dict(first.attrs))
            break
    else:
        merged = HNode("#fragment")
    for n in found:
        for c in n.children:
            merged.children.append(c)
    return merged


def html_to_doc(html: str, selector: Optional[str] = None, multimedia: Optional[bool] = None) -> Union[DocNode, str]:
    """Structured content of an HTML page (or of the elements ``selector`` matches)."""
    doc = parse_html(html)
    if selector:
        found = select_nodes(doc, selector)
        if not found:
            return f"No elements found matching selector: {selector}"
        return html_to_nodes(_merge_selection(found), multimedia)
    return html_to_nodes(body_of(doc), multimedia)


def load_webpage(
    *,
    src: Optional[str] = None,
    url: Optional[str] = None,
    buffer: Union[str, bytes, None] = None,
    base64: Optional[str] = None,
    extract_text_: bool = False,
    selector: Optional[str] = None,
    multimedia: Optional[bool] = None,
    base_dir: Any = None,
    access: "Optional[FileAccess]" = None,
) -> Union[DocNode, str]:
    """Text (``extract_text_=True``) or a DocNode tree for a ``<webpage>``.

    A returned ``str`` is either the extracted text or the "No elements found"
    message; components render it as preformatted text.
    """
    html = read_html(src=src, url=url, buffer=buffer, base64=base64, base_dir=base_dir, access=access)
    if extract_text_:
        return extract_text(html, selector)
    return html_to_doc(html, selector, multimedia)
