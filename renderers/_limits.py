"""Character/token limits and priorities.

``truncate_text`` shortens one rendered string to ``char_limit`` characters
and/or ``token_limit`` tokens and adds the marker where text was cut
(``truncateDirection``: ``end`` (default), ``start`` or ``middle``).
``drop_low_priority`` removes whole children, lowest ``priority`` first, while
their combined size is over the parent's limit.

>>> truncate_text("abcdefg", 4, None, TruncateOptions())
'abcd (...truncated)'
>>> truncate_text("helloworld", 5, None, TruncateOptions(direction="middle", marker="[cut]"))
'hel[cut]ld'
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence


class TruncateOptions:
    """``truncateMarker``, ``truncateDirection`` and ``tokenEncodingModel`` writer options."""

    __slots__ = ("marker", "direction", "model")

    def __init__(self, marker: str = " (...truncated)", direction: str = "end", model: str = "gpt-4o"):
        self.marker = marker
        self.direction = direction
        self.model = model

    @classmethod
    def from_options(cls, options: Optional[dict]) -> "TruncateOptions":
        if not options:
            return _DEFAULT
        marker = options.get("truncateMarker")
        direction = options.get("truncateDirection")
        model = options.get("tokenEncodingModel")
        return cls(
            " (...truncated)" if marker is None else str(marker),
            "end" if direction is None else direction,
            "gpt-4o" if model is None else str(model),
        )


_DEFAULT = TruncateOptions()


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _keep(seq, limit: int, direction: str):
    """The ``limit`` items of a string or token list that survive a cut from ``direction``."""
    if direction == "start":
        return _js_slice(seq, len(seq) - limit, None)
    if direction == "middle":
        head = math.ceil(limit / 2)
        return _js_slice(seq, 0, head) + _js_slice(seq, len(seq) - (limit - head), None)
    return _js_slice(seq, 0, limit)


def truncate_text(text: str, char_limit: Optional[int], token_limit: Optional[int],
                  options: TruncateOptions) -> str:
    """Cut ``text`` to the limits; unchanged text is returned as is."""
    if char_limit is None and token_limit is None:
        return text
    direction = options.direction
    cut = text
    changed = False
    if char_limit is not None and len(cut) > char_limit:
        changed = True
        cut = _keep(cut, char_limit, direction)
    if token_limit is not None and _utf8_len(cut) > token_limit:
        # Every token covers at least one byte, so short text never needs the tokenizer.
        from ._tokens import get_encoding

        enc = get_encoding(options.model)
        tokens = enc.encode(cut, disallowed_special=())
        if len(tokens) > token_limit:
            changed = True
            cut = enc.decode(_keep(tokens, token_limit, direction))
    if not changed:
        return text
    marker = options.marker
    if direction == "start":
        return marker + cut
    if direction == "middle":
        mid = math.ceil(len(cut) / 2)
        return cut[:mid] + marker + cut[mid:]
    return cut + marker


def _js_slice(seq: Any, a: int, b: Optional[int]) -> Any:
    """``slice`` of JavaScript strings and arrays (negative indexes count from the end)."""
    n = len(seq)
    a = max(0, n + a) if a < 0 else min(a, n)
    if b is None:
        b = n
    else:
        b = max(0, n + b) if b < 0 else min(b, n)
    return seq[a:b] if a < b else seq[:0]


def token_length(text: str, token_limit: Optional[int], model: str) -> int:
    """Token count used when dropping children; a cheap estimate for short text.

    Like the reference, text whose UTF-8 size is within the limit is counted as
    ``ceil(bytes / 4)`` without running the tokenizer.
    """
    if token_limit is None:
        return 0
    n = _utf8_len(text)
    if n <= token_limit:
        return -(-n // 4)
    from ._tokens import get_encoding

    return len(get_encoding(model).encode(text, disallowed_special=()))


def drop_low_priority(boxes: Sequence, char_limit: Optional[int], token_limit: Optional[int],
                      model: str) -> list:
    """Remove the lowest-priority boxes while the total is over a limit.

    ``boxes`` have ``.text`` and ``.priority`` (``None`` counts as 0). Stops
    when everything left has the same priority; the caller then truncates.
    """
    current = list(boxes)
    if not current or (char_limit is None and token_limit is None):
        return current
    while current:
        over = (char_limit is not None and sum(len(b.text) for b in current) > char_limit) or (
            token_limit is not None
            and sum(token_length(b.text, token_limit, model) for b in current) > token_limit
        )
        if not over:
            break
        prios = [b.priority or 0 for b in current]
        low = min(prios)
        if all(p == low for p in prios):
            break
        current = [b for b, p in zip(current, prios) if p != low]
    return current
