"""Lenient mode: read a CSS-like ``<stylesheet>`` body as POML's JSON stylesheet.

Many published ``.poml`` files write ``p { captionStyle: bold; }``; the reference refuses
them. Only flat rules are understood: ``selectors { name: value; ... }``, with ``/* */``
comments; values keep their text, or become numbers and booleans when they read as such.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _value(text: str) -> Any:
    text = text.strip().strip("'\"") if text.strip()[:1] in "'\"" else text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (int, float, bool)) else text


def parse_css_like(text: str) -> Optional[dict]:
    """``{selector: {attribute: value}}``, or None when the text is not CSS-like rules."""
    body = _COMMENT.sub("", text)
    sheet: dict = {}
    rest = _RULE.sub("", body)
    if rest.strip():
        return None  # text outside any rule: not CSS-like
    for selectors, declarations in _RULE.findall(body):
        props: dict = {}
        for decl in declarations.split(";"):
            if not decl.strip():
                continue
            name, sep, value = decl.partition(":")
            if not sep or not name.strip():
                return None
            props[name.strip()] = _value(value)
        for selector in selectors.split(","):
            if selector.strip():
                sheet.setdefault(selector.strip(), {}).update(props)
    return sheet or None
