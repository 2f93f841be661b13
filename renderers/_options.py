"""Reading IR attributes the way the reference does (``parseInt``/``parseFloat``)."""

from __future__ import annotations

import math
from typing import Any, Optional

from ._js import js_parse_float, js_parse_int


def int_text(text: str) -> Optional[int]:
    """``parseInt(text, 10)`` as the reference's writers read counts and limits; ``None`` for NaN."""
    n = js_parse_int(text, 10)
    return n if type(n) is int else None


def int_attr(element: Any, key: str) -> Optional[int]:
    """An integer attribute, ``None`` when absent or not a number."""
    attrs = getattr(element, "attrs", None)
    if not attrs:
        return None
    v = attrs.get(key)
    return None if v is None else int_text(v)


def priority_attr(element: Any) -> Optional[float]:
    attrs = getattr(element, "attrs", None)
    if not attrs:
        return None
    v = attrs.get("priority")
    if v is None:
        return None
    p = js_parse_float(v)
    # NaN would make the reference loop forever; treat it as the default.
    return None if math.isnan(p) else p
