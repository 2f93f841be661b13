"""Captions and captioned paragraphs (the reference's components/utils.tsx).

``captionStyle``: header (a heading, the body in a sub-section), bold, plain
(caption inline before the body) or hidden. ``captionTextTransform``: upper,
lower, capitalize, none. ``captionEnding``: colon, newline, colon-newline,
none (default colon for bold/plain, none otherwise).
"""

from __future__ import annotations

from . import essentials as E
from ._nodes import ComponentUse, ReadError
from ._syntax import syntax_presentation, without
from ._values import js_str
from ._whitespace import trim_children
from ._registry import Param, component

CAPTION_STYLES = ("header", "bold", "plain", "hidden")
CAPTION_TRANSFORMS = ("upper", "level", "capitalize", "none")
CAPTION_ENDINGS = ("colon", "newline", "colon-newline", "none")


def caption_params(caption=None, serialized=None, style="header", ending=True, colon=False) -> list[Param]:
    ps = [
        Param("caption", "string", default=caption, description="The caption (title) text."),
        Param("captionSerialized", "string", default=serialized,
              description="The key used for this part in serialized syntaxes (json, yaml, xml)."),
        Param("captionStyle", "string", CAPTION_STYLES, default=style,
              description="How the caption shows: header, bold, plain or hidden."),
        Param("captionTextTransform", "string", CAPTION_TRANSFORMS, default="none",
              description="Case transform of the caption: upper, capitalize or none."),
    ]
    if ending:
        ps.append(Param("captionEnding", "string", CAPTION_ENDINGS,
                        description="What follows the caption: colon, newline, colon-newline or none."))
    if colon:
        ps.append(Param("captionColon", "boolean", description="Whether a colon follows the caption."))
    return ps


@component("CaptionText", public=False)
def caption_text(props, children, ctx):
    caption = props.get("caption")
    transform = props.get("captionTextTransform")
    if transform is None:
        transform = "none"
    style = props.get("captionStyle")
    if style is None:
        style = "header"
    ending = props.get("captionEnding")
    text = js_str(caption)
    if transform == "upper":
        text = text.upper()
    elif transform == "lower":
        text = text.lower()
    elif transform == "capitalize":
        text = text[:1].upper() + text[1:]
    elif transform != "none":
        raise ReadError(f"Unsupported caption text transform: {js_str(transform)}",
                        without(props, "caption", "captionTextTransform", "captionStyle", "captionEnding"))
    if ending is None:
        ending = "colon" if style in ("bold", "plain") else "none"
    if "colon" in js_str(ending):
        return [text, ":"]  # two text nodes, as in the reference
    return [text]


def _ct(caption, style, ending, others):
    p = {"caption": caption, "captionStyle": style, "captionEnding": ending}
    p.update(others)
    return ComponentUse(caption_text, p)


@component("Caption", required=["caption"], public=False)
def caption(props, children, ctx):
    pres = syntax_presentation(props, ctx)
    if pres == "markup":
        cap = props.get("caption")
        style = props.get("captionStyle")
        if style is None:
            style = "header"
        ending = props.get("captionEnding")
        tailing = props.get("captionTailingSpace")
        others = without(props, "caption", "captionStyle", "captionEnding", "captionTailingSpace")
        if style == "header":
            return [ComponentUse(E.Header, others, [_ct(cap, style, ending, others)])]
        if style == "bold":
            result = ComponentUse(E.Bold, others, [_ct(cap, style, ending, others)])
        elif style == "plain":
            result = ComponentUse(E.Inline, {}, [_ct(cap, style, ending, others)])
        else:
            return []
        if tailing is None or tailing:
            if "newline" in js_str(ending or ""):
                return [result, ComponentUse(E.Newline, {})]
            return [result, " "]
        return [result]
    if pres == "serialize":
        p = {"name": props.get("name"), "type": props.get("type")}
        p.update(without(props, "caption", "captionSerialized", "name", "type"))
        return [ComponentUse(E.Text, p, [props.get("captionSerialized")])]
    return [ComponentUse(E.Text, {}, [props.get("caption")])]


Caption = caption


@component("CaptionedParagraph", aliases=["cp"], required=["caption"], bases=["Paragraph"],
           params=caption_params())
def captioned_paragraph(props, children, ctx):
    """A paragraph with a caption (header, bold, plain or hidden) before its body."""
    pres = syntax_presentation(props, ctx)
    if pres == "markup":
        style = props.get("captionStyle")
        if style is None:
            style = "header"
        others = without(props, "captionStyle")
        trimmed = trim_children(children, props.get("whiteSpace"), props, ctx.state)
        has_content = len(trimmed) > 0
        if style in ("header", "bold", "plain"):
            cp = {"captionStyle": style, "captionTailingSpace": has_content}
            cp.update(others)
            cap = ComponentUse(Caption, cp)
            if style == "header":
                return [ComponentUse(E.Paragraph, others, [cap, ComponentUse(E.SubContent, {}, trimmed)])]
            return [ComponentUse(E.Paragraph, others, [cap, trimmed])]
        if style == "hidden":
            return [ComponentUse(E.Paragraph, others, trimmed)]
        raise ReadError(f"Unsupported caption style: {js_str(style)}", props)
    if pres == "serialize":
        p = {"name": props.get("captionSerialized") or props.get("caption")}
        p.update(without(props, "captionSerialized", "caption"))
        return [ComponentUse(E.Text, p, children)]
    return [ComponentUse(E.Text, {}, children)]


CaptionedParagraph = captioned_paragraph
