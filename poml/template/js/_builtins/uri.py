"""``encodeURIComponent``/``encodeURI`` and ``decodeURIComponent``/``decodeURI``: UTF-8 percent-escapes.

The characters each leaves alone are JavaScript's; a lone surrogate to encode, or an escape that is
not ``%XX`` or not UTF-8 to decode, is the ExpressionError JavaScript's URIError would be."""

from __future__ import annotations

import re
from typing import Callable
from urllib.parse import quote

from .._budget import _charge
from .._calls import _arg
from .._errors import ExpressionError
from .._values import js_to_string

# Beside letters, digits and "-_.~" (which quote() never escapes):
_COMPONENT_SAFE = "!*'()"
_RESERVED = ";/?:@&=+$,#"  # what encodeURI keeps and decodeURI leaves escaped
_CHUNK = 1 << 16
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# One character's escapes: a first byte, then the continuation bytes (10xxxxxx) after it.
_ONE_CHARACTER = re.compile(r"%[0-9A-Fa-f]{2}(?:%[89ABab][0-9A-Fa-f])*")


def _encoder(safe: str) -> Callable[[list], str]:
    def encode(a: list) -> str:
        s = js_to_string(_arg(a, 0))
        parts = []
        try:
            for i in range(0, len(s), _CHUNK):  # charged as it grows: a huge text stops early
                parts.append(quote(s[i:i + _CHUNK], safe=safe))
                _charge(len(parts[-1]))
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8
            raise ExpressionError("URI malformed") from None
        return "".join(parts)
    return encode


def _decoder(keep: str) -> Callable[[list], str]:
    def character(m: re.Match) -> str:
        escapes = m.group(0)
        try:
            ch = bytes.fromhex(escapes.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:  # not one well-formed UTF-8 character (surrogates included)
            raise ExpressionError("URI malformed") from None
        return escapes if ch in keep else ch

    def decode(a: list) -> str:
        s = js_to_string(_arg(a, 0))
        if "%" not in s:
            return s
        _charge(len(s))
        if _STRAY_PERCENT.search(s):
            raise ExpressionError("URI malformed")
        return _ONE_CHARACTER.sub(character, s)
    return decode


encode_uri_component = _encoder(_COMPONENT_SAFE)
encode_uri = _encoder(_COMPONENT_SAFE + _RESERVED)
decode_uri_component = _decoder("")
decode_uri = _decoder(_RESERVED)
