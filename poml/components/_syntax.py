"""Helpers for components: the render's file access, props without some keys, and the presentation a ``syntax`` asks for."""

from __future__ import annotations

from typing import Any, Optional

from ._nodes import BuildContext, END, ReadError, START
from ._values import js_str, js_truthy


def file_access(ctx: BuildContext) -> Any:
    """The render's :class:`~poml._files.FileAccess` (it carries the Environment's memo), or None."""
    loader = ctx.state.file_loader
    return loader.access if loader is not None else None


def without(props: dict, *keys: str) -> dict:
    """A copy of ``props`` without ``keys`` (the ``...others`` of a destructuring)."""
    d = props.copy()
    for k in keys:
        if k in d:
            del d[k]
    return d


MARKUP_SYNTAXES = ("markdown", "html", "csv", "tsv")
SERIALIZE_SYNTAXES = ("json", "yaml", "xml")
FREE_SYNTAXES = ("text",)
MULTIMEDIA_SYNTAXES = ("multimedia",)


def syntax_presentation(props: dict, ctx: BuildContext, default: Optional[str] = None,
                        invalid: tuple = ("multimedia",)) -> str:
    """The reference's computeSyntaxContext: presentation from ``syntax`` or the context."""
    syntax = props.get("syntax")
    pres = None
    if not js_truthy(syntax):
        syntax = None
    elif syntax in MARKUP_SYNTAXES:
        if "markup" in invalid:
            raise ReadError(f"Markup syntax ({syntax}) is not supported here.", props)
        pres = "markup"
    elif syntax in SERIALIZE_SYNTAXES:
        if "serialize" in invalid:
            raise ReadError(f"Serialize syntax ({syntax}) is not supported here.", props)
        pres = "serialize"
    elif syntax in FREE_SYNTAXES:
        if "free" in invalid:
            raise ReadError(f"Free syntax ({syntax}) is not supported here.", props)
        pres = "free"
    elif syntax in MULTIMEDIA_SYNTAXES:
        if "multimedia" in invalid:
            raise ReadError(f"Multimedia syntax ({syntax}) is not supported here.", props)
        pres = "multimedia"
    else:
        raise ReadError(f"Unsupported syntax: {js_str(syntax)}", props)
    if pres is None:
        pres = ctx.pres
        if pres is None or pres == "free":
            d = default or "markdown"
            return syntax_presentation({"syntax": d, START: props.get(START), END: props.get(END)},
                                       ctx, default, invalid)
    return pres
