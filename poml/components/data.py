"""Data components: Document (doc), Tree, Folder, Webpage; and the file hook for Table, Image, Audio.

The loaders live in :mod:`poml.data` and return plain data; this module turns
that data into component uses, as the reference's components do.

Every file goes through a :class:`~poml._files.FileAccess`. The builder's
``file_loader`` (``build(..., file_loader=FileLoader(access, base_dir))``)
decides the roots and whether URLs may be fetched; without one, the default is
the markup file's folder (or the current directory for markup given as a
string) and no network.

:func:`load_media` is the built-in registry's ``media_loader`` (``<img src>``,
``<audio src>``); ``<table>`` reads through :func:`file_loader_for` directly.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from .._errors import PomlError, PomlFileError
from ..data._base64 import decode_base64
from ._nodes import END, START, ComponentUse, ReadError
from ._syntax import file_access, syntax_presentation, without
from ._registry import ComponentRegistry, Param, component

__all__ = ["FileLoader", "file_loader_for", "doc_nodes_to_elements", "load_media"]


# ---------------------------------------------------------------- file access


class FileLoader:
    """The builder's file hook: an access policy and the folder relative paths start from.

    Called as ``loader(kind, src, props, ctx) -> (base64, mime)`` for media
    (``kind`` is ``"image"`` or ``"audio"``).
    """

    __slots__ = ("access", "base_dir")

    def __init__(self, access: Any = None, base_dir: Any = None):
        if access is None:
            from .._files import FileAccess

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        self.access = access
        self.base_dir = os.fspath(base_dir) if base_dir is not None else os.getcwd()

    def __call__(self, kind: str, src: str, props: dict, ctx: Any) -> tuple[str, str]:
        return _media(kind, src, props, self)

    def __repr__(self) -> str:
        return f"FileLoader({self.access!r}, base_dir={self.base_dir!r})"


def file_loader_for(ctx: Any) -> FileLoader:
    """The file loader of a build: the one given to ``build`` or the default policy."""
    state = getattr(ctx, "state", None)
    fl = getattr(state, "file_loader", None) if state is not None else None
    if isinstance(fl, FileLoader):
        return fl
    base_dir = None
    source = getattr(state, "source", None) if state is not None else None
    path = getattr(source, "path", None) if source is not None else None
    if path:
        base_dir = os.path.dirname(os.path.abspath(path))
    if fl is not None and hasattr(fl, "resolve") and hasattr(fl, "read_bytes"):
        # A bare FileAccess was given.
        return FileLoader(fl, base_dir)
    if fl is not None and hasattr(fl, "access"):
        return FileLoader(fl.access, getattr(fl, "base_dir", None) or base_dir)
    from .._files import default_access

    return FileLoader(default_access(path if path else None), base_dir)


def _media(kind: str, src: str, props: dict, fl: FileLoader) -> tuple[str, str]:
    from ..data import audio as _audio
    from ..data import images as _images

    try:
        if kind == "image":
            return _images.load_image(
                src, None, props.get("type"), props.get("maxWidth"), props.get("maxHeight"), props.get("resize"),
                base_dir=fl.base_dir, access=fl.access,
            )
        if kind == "audio":
            return _audio.load_audio(src, None, props.get("type"), base_dir=fl.base_dir, access=fl.access)
    except PomlError as exc:
        raise ReadError.of(exc, props) from None
    raise ReadError(f"Unknown media kind: {kind}", props)


def load_media(kind: str, src: str, props: dict, ctx: Any) -> tuple[str, str]:
    """The registry's media loader: ``<img src>``/``<audio src>`` read through the build's file rules."""
    return _media(kind, src, props, file_loader_for(ctx))


# ---------------------------------------------------------------- helpers


def _comp(name: str) -> Any:
    """A built-in component by name: documents and trees render with the built-in parts."""
    c = ComponentRegistry.builtin().by_name(name)
    if c is None:  # pragma: no cover - essentials not registered
        raise ReadError(f"Component {name} is not available.")
    return c


def _span(props: dict) -> dict:
    return {START: props.get(START), END: props.get(END)}


def doc_nodes_to_elements(node: Any, props: dict) -> Any:
    """A :class:`~poml.data.html.DocNode` tree as component uses (reference ``htmlToPoml``)."""
    from ..data.html import DocNode

    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return [doc_nodes_to_elements(n, props) for n in node]
    assert isinstance(node, DocNode)
    span = _span(props)
    kids = [doc_nodes_to_elements(c, props) for c in node.children]
    k = node.kind
    if k == "fragment":
        return kids
    if k == "header":
        return ComponentUse(_comp("Header"), {"whiteSpace": "pre", **span}, kids)
    if k == "paragraph":
        return ComponentUse(_comp("Paragraph"), {"whiteSpace": "pre", **span}, kids)
    if k == "newline":
        return ComponentUse(_comp("Newline"), dict(span))
    if k == "list":
        p = dict(span)
        if node.attrs.get("list_style"):
            p["listStyle"] = node.attrs["list_style"]
        return ComponentUse(_comp("List"), p, kids)
    if k == "item":
        return ComponentUse(_comp("ListItem"), dict(span), kids)
    if k == "bold":
        return ComponentUse(_comp("Bold"), dict(span), kids)
    if k == "italic":
        return ComponentUse(_comp("Italic"), dict(span), kids)
    if k == "image":
        p = dict(span)
        if node.attrs.get("multimedia", True):
            p["syntax"] = "multimedia"
        if "alt" in node.attrs:
            p["alt"] = node.attrs["alt"]
        if node.attrs.get("base64") is not None:
            p["base64"] = node.attrs["base64"]
            return ComponentUse(DocumentImage, p)
        p["src"] = node.attrs.get("src")
        return ComponentUse(_comp("Image"), p)
    if k == "table":
        return ComponentUse(_comp("Table"), {"records": node.attrs["records"], "columns": node.attrs["columns"], **span})
    return kids


# ---------------------------------------------------------------- DocumentImage


@component("DocumentImage", public=False, apply_stylesheet=False)
def document_image(props, children, ctx):
    """An image embedded in a document: resized and re-encoded with the stylesheet's image options."""
    from .. import styles as _styles
    from ..data import images as _images

    image = _comp("Image")
    styled = (_styles.compute_styles(dict(props), image.lower_aliases, ctx.sheet, ctx.state.compiled_sheet(ctx.sheet))
              if ctx.sheet else props)
    b64 = props.get("base64")
    p = dict(props)
    if any(styled.get(k) for k in ("maxWidth", "maxHeight", "resize", "type")) and b64:
        try:
            data = decode_base64(b64, "image")
            new_b64, mime = _images.process_image(
                data, styled.get("type"), _num(styled.get("maxWidth")), _num(styled.get("maxHeight")),
                _num(styled.get("resize")), memo=getattr(file_access(ctx), "memo", None),
            )
        except PomlError as exc:
            raise ReadError.of(exc, props) from None
        p["base64"] = new_b64
        p["type"] = mime
    return [ComponentUse(image, p)]


DocumentImage = document_image


def _num(v: Any) -> Any:
    if v is None or isinstance(v, (int, float)):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- Document

_INLINE_BASE = ["Inline"]


@component("Document", aliases=["doc"], bases=_INLINE_BASE, params=[
    Param("src", "string", description="The file to read (txt/md/code, pdf, docx)."),
    Param("buffer", "string", description="The document's content as text (read as plain text by default)."),
    Param("base64", "string", description="The document's bytes, base64-encoded (needs `parser`)."),
    Param("parser", "string", ("auto", "pdf", "docx", "txt"), default="auto",
          description="How to read the document; `auto` infers it from the file extension."),
    Param("multimedia", "boolean", default="true",
          description="Show images of the document (true) or their alt text at best (false)."),
    Param("selectedPages", "string",
          description="PDF only: the pages to read, 0-based, `2` or a slice like `2:4`."),
])
def document(props, children, ctx):
    """An external document (text, PDF or Word) shown as text, headings, lists, tables and images."""
    from ..data import documents as _documents

    fl = file_loader_for(ctx)
    buffer = props.get("buffer")
    src = props.get("src")
    if buffer is None and not src and not props.get("base64"):
        # Inline content: <document>text</document> is read as plain text.
        text = _children_text(children)
        if text is not None:
            buffer = text
    try:
        content = _documents.load_document(
            src=src, buffer=buffer, base64=props.get("base64"), parser=props.get("parser"),
            multimedia=props.get("multimedia"), selected_pages=props.get("selectedPages"),
            base_dir=fl.base_dir, access=fl.access,
        )
    except PomlError as exc:
        raise ReadError.of(exc, props) from None
    span = _span(props)
    text_comp = _comp("Text")
    if isinstance(content, str):
        return [ComponentUse(text_comp, {"whiteSpace": "pre", **span}, [content])]
    return [ComponentUse(text_comp, {"syntax": "markdown", **span}, [doc_nodes_to_elements(content.children, props)])]


def _children_text(children: Any) -> Optional[str]:
    if not children:
        return None
    if isinstance(children, str):
        return children if children.strip() else None
    if all(isinstance(c, str) for c in children):
        text = "".join(children)
        return text if text.strip() else None
    return None


# ---------------------------------------------------------------- Tree


def _tree_to_object(items: list, show_content: bool) -> dict:
    obj: dict = {}
    for item in items:
        name = item.get("name")
        kids = item.get("children")
        if kids:
            obj[name] = _tree_to_object(kids, show_content)
        elif item.get("value") and show_content:
            obj[name] = item.get("value")
        else:
            obj[name] = None
    return obj


def _tree_pure_text(items: list, parent: str = "") -> str:
    out: list[str] = []
    for item in items:
        path = f"{parent}/{item.get('name')}" if parent else str(item.get("name"))
        out.append(path)
        if item.get("value"):
            out.append(f"==> start {path} <==")
            out.append(str(item.get("value")))
            out.append(f"==> end {path} <==")
            out.append("")
        if item.get("children"):
            out.append(_tree_pure_text(item["children"], path))
    return "\n".join(out)


def _tree_box(items: list, prefix: str = "", is_root: bool = True) -> str:
    lines: list[str] = []
    for i, item in enumerate(items):
        last = i == len(items) - 1
        kids = item.get("children")
        if is_root:
            lines.append(f"{item.get('name')}")
            if kids:
                lines.append(_tree_box(kids, "", False))
        else:
            lines.append(f"{prefix}{'└── ' if last else '├── '}{item.get('name')}")
            if kids:
                lines.append(_tree_box(kids, prefix + ("    " if last else "│   "), False))
    return "\n".join(lines)


def _tree_headers(items: list, span: dict, parent: str = "", show_content: bool = False) -> list:
    out: list = []
    for item in items:
        path = f"{parent}/{item.get('name')}" if parent else str(item.get("name"))
        out.append(ComponentUse(_comp("Header"), dict(span), [path]))
        if item.get("value") and show_content:
            ext = os.path.splitext(str(item.get("name")))[1].lower()
            p = {"inline": False, "whiteSpace": "pre", **span}
            if ext:
                p["lang"] = ext[1:]
            out.append(ComponentUse(_comp("Code"), p, [str(item.get("value"))]))
        if item.get("children"):
            out.append(ComponentUse(_comp("SubContent"), dict(span), _tree_headers(item["children"], span, path, show_content)))
    return out


def _tree_nested_list(items: list, span: dict) -> Any:
    entries = []
    for item in items:
        kids: list = [str(item.get("name"))]
        if item.get("children"):
            kids.append(_tree_nested_list(item["children"], span))
        entries.append(ComponentUse(_comp("ListItem"), dict(span), kids))
    return ComponentUse(_comp("List"), {"blankLine": False, **span}, entries)


def _check_tree_items(items: Any, props: dict) -> None:
    """Every level is a list of objects (checked iteratively: the data may come from users)."""
    pending = [items]
    while pending:
        level = pending.pop()
        if not isinstance(level, list) or not all(isinstance(item, dict) for item in level):
            raise ReadError(
                "items must be a list of {name, value?, children?} objects (children too); pass it as an "
                'expression, e.g. items="{{ myTree }}".', props)
        pending.extend(item["children"] for item in level if item.get("children"))


def render_tree(items: list, show_content: Any, props: dict, ctx: Any) -> list:
    """The reference's Tree rendering for every presentation."""
    pres = syntax_presentation(props, ctx)
    others = without(props, "items", "showContent")
    span = _span(props)
    _check_tree_items(items, props)
    if pres == "serialize":
        p = dict(others)
        p["data"] = _tree_to_object(items, bool(show_content))
        return [ComponentUse(_comp("Object"), p)]
    if pres == "free":
        text = _tree_pure_text(items) if show_content else _tree_box(items)
        p = {"whiteSpace": "pre"}
        p.update(others)
        return [ComponentUse(_comp("Text"), p, [text])]
    if show_content:
        return [ComponentUse(_comp("Text"), dict(others), _tree_headers(items, span, "", bool(show_content)))]
    return [ComponentUse(_comp("List"), dict(others), [_tree_nested_list(items, span)])]


@component("Tree", bases=_INLINE_BASE, params=[
    Param("syntax", "string", ("markdown", "html", "json", "yaml", "text", "xml"),
          description="Output syntax of the tree."),
    # Not "object": like the reference, a JSON string is not parsed (pass items with {{ }}).
    Param("items", "TreeItemData[]", description="Tree items: a list of {name, value?, children?}."),
    Param("showContent", "boolean", description="Show the items' values (file contents)."),
])
def tree(props, children, ctx):
    """A tree (nested list, headings with contents, box drawing, or an object)."""
    items = props.get("items")
    if items is None:
        raise ReadError("items is required for Tree.", props)
    return render_tree(items, props.get("showContent"), props, ctx)


# ---------------------------------------------------------------- Folder


@component("Folder", bases=_INLINE_BASE, params=[
    Param("syntax", "string", ("markdown", "html", "json", "yaml", "text", "xml"),
          description="Output syntax of the tree."),
    Param("src", "string", description="The folder to show."),
    Param("data", "object", description="Tree items to show instead of a folder."),
    Param("filter", "RegExp", description="Regular expression searched in file and folder names."),
    Param("maxDepth", "number", default="3", description="How deep to descend (default 3)."),
    Param("showContent", "boolean", default="false", description="Show the files' contents."),
])
def folder(props, children, ctx):
    """A folder's files as a tree."""
    from ..data import folders as _folders

    src = props.get("src")
    data = props.get("data")
    show = props.get("showContent")
    max_depth = props.get("maxDepth")
    if max_depth is None or (isinstance(max_depth, float) and max_depth != max_depth):
        max_depth = 3
    others = without(props, "src", "data", "filter", "showContent", "maxDepth")
    if data:
        items = data
    elif src:
        fl = file_loader_for(ctx)
        try:
            items = _folders.read_folder(src, base_dir=fl.base_dir, access=fl.access, filter=props.get("filter"),
                                         max_depth=max_depth, show_content=bool(show))
        except PomlError as exc:
            raise ReadError.of(exc, props) from None
        except OSError as exc:
            raise ReadError(f"Error processing folder {src}: {exc}", props, kind=PomlFileError) from None
    else:
        raise ReadError("Either src or data must be provided", props)
    p = {"items": items, "showContent": show}
    p.update(others)
    return [ComponentUse(_comp("Tree"), p)]


# ---------------------------------------------------------------- Webpage


@component("Webpage", bases=_INLINE_BASE, params=[
    Param("url", "string", description="Address of the page (fetched only when the caller allows the network)."),
    Param("src", "string", description="A local HTML file."),
    Param("buffer", "string", description="HTML text."),
    Param("base64", "string", description="HTML, base64-encoded."),
    Param("extractText", "boolean", default="false",
          description="Plain text of the page (true) or its structure: headings, lists, tables (false)."),
    Param("selector", "string", description='CSS selector of the part to show, e.g. "article" or ".content".'),
])
def webpage(props, children, ctx):
    """A web page or local HTML file, as text or structured content."""
    from ..data import webpages as _webpages

    fl = file_loader_for(ctx)
    others = without(props, "src", "url", "buffer", "base64", "extractText", "selector")
    try:
        content = _webpages.load_webpage(
            src=props.get("src"), url=props.get("url"), buffer=props.get("buffer"), base64=props.get("base64"),
            extract_text_=bool(props.get("extractText")), selector=props.get("selector"),
            multimedia=props.get("multimedia"), base_dir=fl.base_dir, access=fl.access,
        )
    except PomlError as exc:
        raise ReadError.of(exc, props) from None
    span = _span(props)
    text_comp = _comp("Text")
    if isinstance(content, str):
        inner = ComponentUse(text_comp, {"whiteSpace": "pre", **span} if props.get("extractText") else dict(span), [content])
    else:
        inner = doc_nodes_to_elements(content, props)
    return [ComponentUse(text_comp, dict(others), [inner])]

