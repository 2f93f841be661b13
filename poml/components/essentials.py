"""Basic components: Text/poml, Paragraph, Inline, Newline, Header, SubContent,
Bold, Italic, Strikethrough, Underline, Code, List, ListItem, Object, Image,
Audio, ToolRequest, ToolResponse, and the AnyOrFree helper.

Each picks the presentation from its ``syntax`` (or the context) and delegates
to the presentation components (``presentation.py``).
"""

from __future__ import annotations

from typing import Callable, Optional

from . import presentation as P
from ._nodes import ComponentUse, ReadError
from ._render import call
from ._syntax import file_access, syntax_presentation, without
from ._values import js_json
from ._registry import Param, component
from renderers._speakers import SPEAKER_CHOICES
from .._errors import PomlFileError

# ---------------------------------------------------------------- common params

SYNTAX_TEXT = ("markdown", "html", "json", "yaml", "xml", "text")
SPEAKERS = SPEAKER_CHOICES
WHITE_SPACE = ("pre", "filter", "trim")


def _common(with_name: bool) -> list[Param]:
    ps = [
        Param("syntax", "string", SYNTAX_TEXT, description="Syntax of the content (markdown, html, json, yaml, xml, text)."),
        Param("className", "string", description="Class names for stylesheet selectors (`.name`)."),
        Param("speaker", "string", SPEAKERS, description="Speaker of this content in chat mode."),
    ]
    if with_name:
        ps += [
            Param("name", "string", description="Key used when serialized."),
            Param("type", "string", description="Value type used when serialized."),
        ]
    ps += [
        Param("writerOptions", "object", description="Experimental writer options (JSON), e.g. markdownBaseHeaderLevel."),
        Param("whiteSpace", "string", WHITE_SPACE, description="Whitespace handling: pre, filter (default) or trim."),
        Param("charLimit", "number", description="Soft character limit; longer content is truncated with a marker."),
        Param("tokenLimit", "number", description="Soft token limit; longer content is truncated with a marker."),
        Param("priority", "number", description="Lower priorities are dropped first when a parent is over its limit."),
    ]
    return ps


TEXT_PARAMS = _common(True)
INLINE_PARAMS = _common(False)


# ---------------------------------------------------------------- AnyOrFree

@component("AnyOrFree", public=False)
def any_or_free(props, children, ctx):
    syntax = props.get("syntax")
    pres = props.get("presentation")
    others = without(props, "syntax", "presentation", "name", "type", "asAny", "children")
    if pres == "serialize":
        if props.get("asAny"):
            p = {"serializer": syntax, "name": props.get("name"), "type": props.get("type")}
            p.update(others)
            return call(P.SerializeAny, p, children, ctx)
        p = {"serializer": syntax}
        p.update(others)
        return call(P.SerializeEnvironment, p, children, ctx)
    if pres == "free":
        return call(P.FreeText, others, children, ctx)
    raise ReadError(f"This component is not designed for {pres} syntaxes.", others)


AnyOrFree = any_or_free


def _any_or_free(props, children, ctx, pres, as_any, type_default=None):
    if as_any and pres == "serialize":
        in_place = P.serialized_any_in_place(props, children, ctx, type_default)
        if in_place is not None:
            return in_place
    return _any_or_free_chain(props, children, ctx, pres, as_any, type_default)


def _any_or_free_chain(props, children, ctx, pres, as_any, type_default=None):
    """The reference's chain: AnyOrFree, then Serialize.Any or Free.Text with their props."""
    others = without(props, "syntax", "name", "type")
    p = {"syntax": props.get("syntax"), "presentation": pres, "asAny": as_any}
    if as_any:
        t = props.get("type")
        p["name"] = props.get("name")
        p["type"] = t if t is not None else type_default
    p.update(others)
    return call(AnyOrFree, p, children, ctx)


def _markup_or_any(markup_comp, as_any: bool, default: Optional[str] = None,
                   type_default: Optional[str] = None) -> Callable:
    """Components that render with a Markup.* component in markup and as a value otherwise."""

    def fn(props, children, ctx):
        pres = syntax_presentation(props, ctx, default)
        if pres == "markup":
            p = {"markupLang": props.get("syntax")}
            p.update(without(props, "syntax", "name", "type") if as_any else without(props, "syntax"))
            return call(markup_comp, p, children, ctx)
        return _any_or_free(props, children, ctx, pres, as_any, type_default)

    return fn


# ---------------------------------------------------------------- Text / Paragraph / Inline

@component("Text", aliases=["div", "poml"], params=TEXT_PARAMS)
def text(props, children, ctx):
    """A container for any content; the usual root (`<poml>`). Markdown unless `syntax` says otherwise."""
    pres = syntax_presentation(props, ctx, "markdown")
    if pres == "markup":
        p = {"syntax": props.get("syntax"), "blankLine": False}
        p.update(without(props, "syntax", "name", "type"))
        return [ComponentUse(Paragraph, p, children)]
    return _any_or_free(props, children, ctx, pres, True)


Text = text

Paragraph = component("Paragraph", aliases=["p"], bases=["Text"], params=[
    Param("blankLine", "boolean", description="Add one more blank line before and after the paragraph."),
])(_markup_or_any(P.MarkupParagraph, True))
Paragraph.doc = "A block of text separated from its neighbours by a blank line."

Inline = component("Inline", aliases=["span"], params=INLINE_PARAMS)(_markup_or_any(P.MarkupInline, False))
Inline.doc = "An inline container, no blank lines around it."


@component("Newline", aliases=["br"], bases=["Inline"], params=[
    Param("newLineCount", "number", description="Number of line breaks."),
])
def newline(props, children, ctx):
    """An explicit line break (markup only; nothing in other syntaxes)."""
    pres = syntax_presentation(props, ctx)
    if pres == "markup":
        p = {"markupLang": props.get("syntax")}
        p.update(without(props, "syntax"))
        return [ComponentUse(P.MarkupNewline, p)]
    return []


Header = component("Header", aliases=["h"], bases=["Paragraph"])(_markup_or_any(P.MarkupHeader, True))
Header.doc = "A heading; its level follows the nesting of sections and captions."
SubContent = component("SubContent", aliases=["section"], bases=["Paragraph"])(
    _markup_or_any(P.markup_subcontent, True))
SubContent.doc = "A section: headers inside it are one level deeper."
Bold = component("Bold", aliases=["b"], bases=["Inline"])(_markup_or_any(P.MarkupBold, False))
Bold.doc = "Bold text in markup syntaxes."
Italic = component("Italic", aliases=["i"], bases=["Inline"])(_markup_or_any(P.MarkupItalic, False))
Italic.doc = "Italic text in markup syntaxes."
Strikethrough = component("Strikethrough", aliases=["s", "strike"], bases=["Inline"])(
    _markup_or_any(P.MarkupStrikethrough, False))
Strikethrough.doc = "Struck-through text in markup syntaxes."
Underline = component("Underline", aliases=["u"], bases=["Inline"])(_markup_or_any(P.MarkupUnderline, False))
Underline.doc = "Underlined text in markup syntaxes."
Code = component("Code", bases=["Paragraph"], params=[
    Param("inline", "boolean", default="true", description="Inline code (default) or a fenced block."),
    Param("lang", "string", description="Language of the code block."),
])(_markup_or_any(P.MarkupCode, True))
Code.doc = "Inline code or a fenced code block."


@component("List", bases=["Paragraph"], params=[
    Param("listStyle", "string", ("star", "dash", "plus", "decimal", "latin"), default="dash",
          description="Bullet or numbering style."),
])
def list_(props, children, ctx):
    """A list of `<item>`s with bullets or numbers."""
    pres = syntax_presentation(props, ctx)
    if pres == "markup":
        p = {"markupLang": props.get("syntax"), "listStyle": props.get("listStyle")}
        p.update(without(props, "syntax", "listStyle", "name", "type"))
        return call(P.MarkupList, p, children, ctx)
    return _any_or_free(without(props, "listStyle"), children, ctx, pres, True, "array")


ListItem = component("ListItem", aliases=["item"], bases=["Paragraph"])(_markup_or_any(P.MarkupListItem, True))
ListItem.doc = "One item of a list."


@component("Object", aliases=["obj", "object", "dataObj"], bases=["Inline"], params=[
    Param("syntax", "string", ("markdown", "html", "json", "yaml", "xml"), default="json",
          description="Serializer (json by default) or a markup syntax (then the JSON text)."),
    Param("data", "object", description="The data to show."),
])
def data_object(props, children, ctx):
    """Data serialized as JSON (default), YAML or XML."""
    pres = syntax_presentation(props, ctx, "json")
    if pres == "serialize":
        p = {"serializer": props.get("syntax")}
        p.update(without(props, "syntax"))
        return [ComponentUse(P.serialize_object, p, children)]
    data = props.get("data")
    return [ComponentUse(Text, {"syntax": props.get("syntax")}, ["" if data is None else js_json(data)])]


DataObject = data_object


# ---------------------------------------------------------------- media

# File-backed media are read by the registry's ``media_loader`` (set when the data layer
# loads), called as loader(kind, src, props, ctx) -> (base64, mime_type) or raising ReadError.


def _media_type(kind: str, t):
    if not t:
        return None
    t = str(t)
    return t if "/" in t else f"{kind}/{t}"


@component("Image", aliases=["img"], bases=["Inline"], params=[
    Param("src", "string", description="Path or URL of the image."),
    Param("alt", "string", description="Text shown instead of the image outside multimedia syntax."),
    Param("base64", "string", description="The image data, base64-encoded (instead of src)."),
    Param("type", "string", description="MIME type of the image to show (png, image/jpeg ...)."),
    Param("position", "string", ("top", "bottom", "here"), default="here", description="Where the image goes."),
    Param("maxWidth", "number", description="Maximum width of the image."),
    Param("maxHeight", "number", description="Maximum height of the image."),
    Param("resize", "number", description="Scale ratio of the image."),
    Param("syntax", "string", ("markdown", "html", "json", "yaml", "xml", "multimedia"),
          description="Only `multimedia` shows the image; otherwise the alt text."),
])
def image(props, children, ctx):
    """An image; shown as its alt text unless the syntax is multimedia."""
    syntax = props.get("syntax")
    alt = props.get("alt")
    others = without(props, "syntax", "src", "base64", "alt", "type", "position", "maxWidth", "maxHeight", "resize")
    if not alt:
        syntax = syntax if syntax is not None else "multimedia"
    sp = dict(props)
    sp["syntax"] = syntax
    pres = syntax_presentation(sp, ctx, "multimedia", ())
    if pres == "multimedia":
        b64, mime = _media_data("image", props, others, ctx)
        p = {"presentation": pres, "base64": b64, "position": props.get("position"), "type": mime, "alt": alt}
        p.update(others)
        return [ComponentUse(P.MultiMediaImage, p)]
    return [ComponentUse(Inline, {"syntax": syntax}, [alt] if alt else [])]


def _media_data(kind: str, props: dict, others: dict, ctx) -> tuple:
    """``(base64, mime)`` of an image or audio from exactly one of ``src`` and ``base64``."""
    src, b64 = props.get("src"), props.get("base64")
    if src:
        if b64:
            raise ReadError("Cannot specify both `src` and `base64`.", others)
        return _load_media(kind, src, props, ctx)
    if not b64:
        raise ReadError("Either `src` or `base64` must be specified.", others)
    return _process_base64(kind, b64, props, others, _media_type(kind, props.get("type")), file_access(ctx))


def _load_media(kind, src, props, ctx):
    loader = ctx.state.registry.media_loader
    if loader is None:
        raise ReadError(f"{kind.capitalize()} file not found: {src}", props, kind=PomlFileError)
    return loader(kind, src, props, ctx)


def _process_base64(kind: str, b64, props: dict, others: dict, mime, access=None):
    """Inline data goes through the same processing as files (the reference re-encodes images).

    Without the optional loaders (pillow), the data passes through unchanged.
    """
    from .._errors import PomlError

    try:
        if kind == "image":
            from ..data import images as _images

            try:
                _images._pil()
            except PomlError:
                return b64, mime or _sniff_image(str(b64))
            return _images.load_image(None, str(b64), props.get("type"), props.get("maxWidth"),
                                      props.get("maxHeight"), props.get("resize"), access=access)
        from ..data import audio as _audio

        return _audio.load_audio(None, str(b64), props.get("type"))
    except ImportError:
        if kind == "image":
            return b64, mime or _sniff_image(str(b64))
        return b64, mime
    except PomlError as exc:
        raise ReadError.of(exc, others) from None


def _sniff_image(b64: str) -> str:
    head = b64[:16]
    if head.startswith("iVBOR"):
        return "image/png"
    if head.startswith("/9j/"):
        return "image/jpeg"
    if head.startswith("R0lG"):
        return "image/gif"
    if head.startswith("UklG"):
        return "image/webp"
    return "image/png"


@component("Audio", params=[
    Param("src", "string", description="Path of the audio file."),
    Param("base64", "string", description="The audio data, base64-encoded (instead of src)."),
    Param("alt", "string", description="Text shown instead of the audio."),
    Param("type", "string", description="MIME type (mpeg, audio/wav ...)."),
    Param("position", "string", ("top", "bottom", "here"), default="here", description="Where the audio goes."),
    Param("syntax", "string", ("markdown", "html", "json", "yaml", "xml", "multimedia"),
          description="Only `multimedia` includes the audio."),
])
def audio(props, children, ctx):
    """Audio content (multimedia only)."""
    others = without(props, "syntax", "src", "base64", "type")
    pres = syntax_presentation(props, ctx, "multimedia", ())
    if pres != "multimedia":
        return []
    b64, mime = _media_data("audio", props, others, ctx)
    p = {"presentation": pres, "base64": b64, "type": mime}
    p.update(others)
    return [ComponentUse(P.MultiMediaAudio, p)]


# ---------------------------------------------------------------- tools

@component("ToolRequest", aliases=["toolRequest"], params=[
    Param("id", "string", description="Tool call id."),
    Param("name", "string", description="Tool name."),
    Param("parameters", "any", description="Tool input parameters (JSON text or a {{ }} value)."),
    Param("speaker", "string", SPEAKERS, default="ai", description="Speaker (ai by default)."),
])
def tool_request(props, children, ctx):
    """A tool call made by the model."""
    syntax = props.get("syntax")
    if syntax is None:
        syntax = "multimedia"
    sp = dict(props)
    sp["syntax"] = syntax
    pres = syntax_presentation(sp, ctx, "multimedia", ())
    speaker = props.get("speaker") or "ai"
    others = without(props, "syntax", "id", "name", "parameters", "speaker")
    if pres == "multimedia":
        p = {"presentation": pres, "id": props.get("id"), "name": props.get("name"),
             "parameters": props.get("parameters"), "speaker": speaker}
        p.update(others)
        return [ComponentUse(P.MultiMediaToolRequest, p)]
    # JSON.stringify leaves out undefined members
    data = {k: v for k, v in (("id", props.get("id")), ("name", props.get("name")),
                               ("parameters", props.get("parameters"))) if v is not None}
    p = {"syntax": syntax, "speaker": speaker, "data": data}
    p.update(others)
    return [ComponentUse(DataObject, p)]


@component("ToolResponse", aliases=["toolResponse"], params=[
    Param("syntax", "string", SYNTAX_TEXT, description="Syntax of the content inside (inherited by default)."),
    Param("id", "string", description="Tool call id answered."),
    Param("name", "string", description="Tool name."),
    Param("speaker", "string", SPEAKERS + ("tool",), default="tool", description="Speaker (tool by default)."),
])
def tool_response(props, children, ctx):
    """The result of a tool call; its children are the content."""
    pres = syntax_presentation(props, ctx)
    syntax = props.get("syntax")
    if syntax is None:
        syntax = {"markup": "markdown", "serialize": "json", "free": "text", "multimedia": "multimedia"}.get(pres)
    others = without(props, "syntax", "id", "name", "speaker")
    p = {"presentation": "multimedia", "id": props.get("id"), "name": props.get("name"),
         "speaker": props.get("speaker") or "tool"}
    p.update(others)
    return [ComponentUse(P.MultiMediaToolResponse, p, [ComponentUse(Inline, {"syntax": syntax}, children)])]


Newline = newline
List = list_
Image = image
AudioComponent = audio
ToolRequest = tool_request
ToolResponse = tool_response
