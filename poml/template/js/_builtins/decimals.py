"""Decimal arithmetic for number text (``toFixed``, ``toPrecision``, ``toExponential``,
``toLocaleString``): a double's exact value or its shortest decimal, rounded half up.

The context holds enough digits for any double's exact value (at most 767 significant) padded
to 100 more places; the default context's 28 would round the value first, or refuse.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

EXACT = Context(prec=1200, rounding=ROUND_HALF_UP)


def shortest(x: Any) -> Decimal:
    """The shortest decimal that reads back as ``x`` (what ``String(x)`` prints, in digits)."""
    return Decimal(repr(float(x)))


def to_places(d: Decimal, places: int) -> Decimal:
    """``d`` rounded half up to ``places`` decimals (exactly: no digit is lost on the way)."""
    return d.quantize(Decimal(1).scaleb(-places), context=EXACT)
