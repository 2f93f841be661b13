"""Whitespace of children: the reference's trimChildrenWhiteSpace (CSS ``white-space: normal``)."""

from __future__ import annotations

import re
from typing import Any, Optional

from ._nodes import BuildState
from ._values import js_str


_WS_RUN = re.compile(r"[\t\n\r ]+")
_WS_AS_SPACE = str.maketrans("\t\n\r", "   ")


def collapse_runs(text: str) -> str:
    """Each run of tabs, newlines, carriage returns and spaces as one space (CSS ``white-space: normal``)."""
    # Most texts have nothing to collapse: four substring tests cost less than the regex call.
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        if not text.strip("\t\n\r "):
            return " "  # the indentation between tags is the usual case: one run, one space
        if len(text) < 32:
            return _WS_RUN.sub(" ", text)
        # A long text (a pasted document) has a run per line: one substitution each costs
        # ~40 times what translating and halving the runs of spaces costs.
        text = text.translate(_WS_AS_SPACE)
        while "  " in text:
            text = text.replace("  ", " ")
    return text


def trim_text(text: str, first: bool, last: bool) -> str:
    """Collapse whitespace like CSS ``white-space: normal`` (runs -> one space, ends trimmed)."""
    text = collapse_runs(text)
    if first:
        text = text.lstrip(" ")
    if last:
        text = text.rstrip(" ")
    return text


def _flatten(children: Any, out: list) -> None:
    for c in children:
        if c is None or c is True or c is False:
            continue
        if type(c) is list or type(c) is tuple:
            _flatten(c, out)
        else:
            out.append(c)


def trim_children(children: Any, white_space: Any, props: Optional[dict], state: BuildState) -> list:
    """The reference's trimChildrenWhiteSpace: flatten fragments, merge strings, trim text."""
    if not children:
        return []
    if len(children) == 1 and type(children) is not str:
        only = children[0]
        if type(only) is str:  # the common case, one text: what the loops below make of it
            if white_space is None or white_space == "filter":
                only = collapse_runs(only).strip(" ")
            elif white_space == "trim":
                only = only.strip()
            elif white_space != "pre":
                state.read_error(f'"{js_str(white_space)}" is not a valid whiteSpace option.', props)
            return [only] if only else []
    if type(children) is str:
        flat: Any = [children]
    else:
        flat = children
        for c in children:
            tc = type(c)
            if tc is list or tc is tuple or c is None or c is True or c is False:
                flat = []
                _flatten(children, flat)
                break
    if white_space == "pre":
        return [c for c in flat if c != ""]
    merged: list = []
    prev_str = False
    has_str = False
    for c in flat:
        if type(c) is str:
            if prev_str:
                merged[-1] += c
            else:
                merged.append(c)
                prev_str = has_str = True
        else:
            merged.append(c)
            prev_str = False
    if not has_str:
        return merged
    n = len(merged) - 1
    out = []
    for i, c in enumerate(merged):
        if type(c) is str:
            if white_space is None or white_space == "filter":
                c = collapse_runs(c)
                if i == 0:
                    c = c.lstrip(" ")
                if i == n:
                    c = c.rstrip(" ")
            elif white_space == "trim":
                if i == 0:
                    c = c.lstrip()
                if i == n:
                    c = c.rstrip()
            else:
                state.read_error(f'"{js_str(white_space)}" is not a valid whiteSpace option.', props)
            if c == "":
                continue
        out.append(c)
    return out
