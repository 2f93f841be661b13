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
_PRESENTATION_OF = {**dict.fromkeys(MARKUP_SYNTAXES, "markup"), **dict.fromkeys(SERIALIZE_SYNTAXES, "serialize"),
                    **dict.fromkeys(FREE_SYNTAXES, "free"), **dict.fromkeys(MULTIMEDIA_SYNTAXES, "multimedia")}


def syntax_presentation(props: dict, ctx: BuildContext, default: Optional[str] = None,
                        invalid: tuple = ("multimedia",)) -> str:
    """The reference's computeSyntaxContext: presentation from ``syntax`` or the context."""
    syntax = props.get("syntax")
    pres = None
    if not js_truthy(syntax):
        syntax = None
    else:
        pres = _PRESENTATION_OF.get(syntax) if type(syntax) is str else None
        if pres is None:
            raise ReadError(f"Unsupported syntax: {js_str(syntax)}", props)
        if pres in invalid:
            raise ReadError(f"{pres.capitalize()} syntax ({syntax}) is not supported here.", props)
    if pres is None:
        pres = ctx.pres
        if pres is None or pres == "free":
            d = default or "markdown"
            return syntax_presentation({"syntax": d, START: props.get(START), END: props.get(END)},
                                       ctx, default, invalid)
    return pres
