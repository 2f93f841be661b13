"""``JSON.parse`` and ``JSON.stringify`` as JavaScript does them, and the copy that
``JSON.parse(JSON.stringify(v))`` makes; the value rules they follow (key order, number text,
``undefined``) are :mod:`renderers._js`'s.

>>> stringify({"b": 1.0, "1": [0.1, 1e21]})
'{"1":[0.1,1e+21],"b":1}'
>>> parse_json('{"b": 1.0, "2": 3, "1": 4}')
{'1': 4, '2': 3, 'b': 1}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ._js import (
    _SURROGATE, JSON_WHITESPACE, UNDEFINED, JSRangeError, JSSyntaxError, JSTypeError, Number, Opaque,
    _is_index_key, decimal_value, js_number_to_string, js_ordered, js_string, normalize,
)
def _object_from_pairs(pairs: list) -> dict:
    return js_ordered(dict(pairs))


class _Constant(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise _Constant(name)  # Python's json reads NaN/Infinity; JSON.parse does not


# What Python's json reads differently from JSON.parse: index-like keys (JavaScript orders them
# first; a key starting with a digit or an escape is read the full way), integers past 15 digits
# (floats in JavaScript; found as a run of 16 zeros once digits are mapped to 0: a regex over every
# digit costs more than the parse) and the constants. Text without them is read by json alone,
# its floats normalised (1.0 is 1).
_DIGIT_KEY = re.compile(r'"[0-9\\][^"]*"\s*:')
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _json_reads_it_alone(text: str) -> bool:
    return ("NaN" not in text and "Infinity" not in text and _DIGIT_KEY.search(text) is None
            and b"0000000000000000" not in text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO))


def _float_value(s: str) -> Number:
    return normalize(float(s))


def parse_json(text: str) -> Any:
    """``JSON.parse``: JavaScript key order and numbers (``1.0`` is ``1``; big integers are floats).

    Text that is not JSON (``NaN``/``Infinity`` included) raises :class:`JSSyntaxError`
    with JavaScript's message; absurd nesting raises :class:`JSRangeError`.
    """
    if type(text) is str and _json_reads_it_alone(text):
        try:
            return json.loads(text, parse_float=_float_value)
        except (ValueError, RecursionError):
            pass  # the full reading below gives JavaScript's error
    try:
        return json.loads(text, object_pairs_hook=_object_from_pairs, parse_int=decimal_value,
                          parse_float=decimal_value, parse_constant=_no_constant)
    except _Constant as c:
        raise JSSyntaxError(f"Unexpected token '{str(c)[0]}', \"{text[:30]}\" is not valid JSON") from None
    except json.JSONDecodeError as e:
        if not text.strip(JSON_WHITESPACE):
            raise JSSyntaxError("Unexpected end of JSON input") from None
        raise JSSyntaxError(f"{e.msg} in JSON at position {e.pos} (line {e.lineno} column {e.colno})") from None
    except RecursionError:
        raise JSRangeError("JSON nested too deeply") from None


# --------------------------------------------------------------------------- JSON.stringify

# The C-accelerated string escaper of the json module (ensure_ascii=False flavour)
# escapes exactly what JSON.stringify escapes: quotes, backslash, C0 controls.
_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json_str(s: str) -> str:
    text = _encode_str(s)
    if _SURROGATE.search(text):
        # JSON.stringify writes lone surrogates as \uXXXX escapes.
        text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return text


def _str_opaque(v: Any) -> Any:
    return str(v)


_C_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Where Python's compact JSON may differ from JavaScript's: an integer-like key (JS lists
# those first), a float Python prints as "1.0" or with an exponent, a 16-digit run (an
# integer past 2**53), a lone surrogate. A find anywhere (inside a string too) only means
# the exact walker writes the text instead. Digits mapped to 0 turn the number checks into
# substring searches, which run at C speed where a regex over every digit does not.
_INDEX_KEY = re.compile(r'[{,]"(?:0|[1-9][0-9]*)":')
_INTEGRAL_FLOAT = re.compile(r"[0-9]\.0(?![0-9])")


def _c_text_differs(text: str) -> bool:
    try:
        zeroed = text.encode("utf-8").translate(_DIGITS_TO_ZERO)
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if (b'{"0' in zeroed or b',"0' in zeroed) and _INDEX_KEY.search(text):
        return True
    if ".0" in text and _INTEGRAL_FLOAT.search(text):
        return True
    return b"0e" in zeroed or b"0E" in zeroed or b"0000000000000000" in zeroed


def stringify(value: Any, indent: Union[int, str, None] = None, *, opaque: Opaque = _str_opaque,
              max_depth: Optional[int] = None, max_chars: Optional[int] = None) -> Optional[str]:
    """``JSON.stringify(value, null, indent)``; ``None`` where JavaScript gives ``undefined``.

    ``undefined`` members are left out of objects and written ``null`` in arrays;
    NaN and infinities are ``null``; a cycle raises :class:`JSTypeError`.
    ``opaque(v)`` replaces a value that is not plain data before it is written:
    by default its ``str()``; :data:`UNDEFINED` drops it as JavaScript drops a function.
    ``max_chars`` raises :class:`JSRangeError` past it; so does ``max_depth``, which bounds
    the Python walk (the C encoder used for plain compact data has its own recursion guard).
    """
    if isinstance(indent, int) and not isinstance(indent, bool):
        gap = " " * max(0, min(10, indent))
    elif isinstance(indent, str):
        gap = indent[:10]
    else:
        gap = ""
    if not gap and type(value) in (dict, list):
        try:
            text = _C_DUMPS(value)
        except (TypeError, ValueError, RecursionError):
            text = None
        if text is not None:
            if max_chars is not None and len(text) > max_chars:
                raise JSRangeError(f"string longer than {max_chars} characters")
            if not _c_text_differs(text):
                return text
    w = _Writer(gap, opaque, max_depth if max_depth is not None else math.inf,
                max_chars if max_chars is not None else math.inf)
    if not w.write(value, ""):
        return None
    return "".join(w.out)


@dataclass(slots=True, eq=False)
class _Writer:
    """One ``JSON.stringify`` walk: the output pieces, the open containers (cycles), the limits."""

    gap: str
    opaque: Opaque
    max_depth: float
    max_chars: float
    out: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    chars: int = 0

    def write(self, v: Any, cur: str, depth: int = 0) -> bool:
        """Append JSON for ``v``; False when ``v`` has no JSON form (``undefined``)."""
        out = self.out
        t = type(v)
        if t is str:
            self.chars += len(v) + 2
            if self.chars > self.max_chars:
                raise JSRangeError(f"string longer than {self.max_chars} characters")
            out.append(_json_str(v))
        elif t is bool:
            out.append("true" if v else "false")
        elif t is int or t is float:
            out.append(js_number_to_string(v) if math.isfinite(v) else "null")
        elif v is None:
            out.append("null")
        elif v is UNDEFINED:
            return False
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (int, float)):
            out.append(js_number_to_string(v) if math.isfinite(v) else "null")
        elif isinstance(v, str):
            return self.write(str.__str__(v), cur, depth)
        elif isinstance(v, (list, tuple, Mapping)):
            if id(v) in self.seen:
                raise JSTypeError("Converting circular structure to JSON")
            if depth > self.max_depth:
                raise JSRangeError(f"value nested deeper than {self.max_depth} levels")
            self.seen.add(id(v))
            if isinstance(v, Mapping):
                self._object(v, cur, depth)
            else:
                self._array(v, cur, depth)
            self.seen.discard(id(v))
        else:
            return self.write(self.opaque(v), cur, depth)
        return True

    def _object(self, v: Mapping, cur: str, depth: int) -> None:
        out, gap, write = self.out, self.gap, self.write
        inner = cur + gap
        sep = ",\n" + inner if gap else ","
        colon = ": " if gap else ":"
        items = v.items()
        if any(type(k) is not str or _is_index_key(k) for k in v):
            keyed = {(k if type(k) is str else js_string(k)): x for k, x in items}
            items = js_ordered(keyed).items()
        start = len(out)
        out.append("{\n" + inner if gap else "{")
        first = True
        depth += 1
        for k, x in items:
            if x is UNDEFINED:
                continue  # an undefined member is left out
            mark = len(out)
            if not first:
                out.append(sep)
            out.append(_json_str(k))
            out.append(colon)
            if write(x, inner, depth):
                first = False
            else:
                del out[mark:]  # so is one whose value has no JSON form
        if first:
            del out[start:]
            out.append("{}")
        else:
            out.append("\n" + cur + "}" if gap else "}")

    def _array(self, v: Any, cur: str, depth: int) -> None:
        out, gap, write = self.out, self.gap, self.write
        if not v:
            out.append("[]")
            return
        inner = cur + gap
        sep = ",\n" + inner if gap else ","
        out.append("[\n" + inner if gap else "[")
        depth += 1
        first = True
        for x in v:
            if first:
                first = False
            else:
                out.append(sep)
            if x is None or x is UNDEFINED or not write(x, inner, depth):
                out.append("null")
        out.append("\n" + cur + "]" if gap else "]")


# --------------------------------------------------------------------------- JSON.parse(JSON.stringify(v))

_SAFE_INT = 2 ** 53  # past it a JavaScript number prints differently from the Python int
_FLOAT_AS_INT = 1e21  # below it an integral number prints without an exponent (and reads back as an int)


def json_copy(value: Any, max_chars: int, max_depth: int) -> Optional[tuple[Any, int]]:
    """``json.loads(stringify(value))`` in one walk, for a tree of plain data: ``(copy, structure)``.

    ``structure`` is the brackets, commas, colons and quotes the text would have (the measure
    the sandbox charges a print by). Only a tree of ``dict`` (string keys that are not
    array indexes), ``list``, ``str``, ``bool``, ``None``, :data:`UNDEFINED` and numbers
    JavaScript prints as Python reads them back is copied here; anything else (a shared
    or cyclic part, a tuple, an integer past 2**53, an object, a value past the limits)
    gives None, and the caller takes the full path, which gives the exact text or error.
    """
    t = type(value)
    if t is not dict and t is not list:
        return None
    root: Any = {} if t is dict else []
    stack = [(value, root, 0)]
    seen: set[int] = set()
    structure = text = 0
    while stack:
        src, dst, depth = stack.pop()
        if id(src) in seen or depth > max_depth:
            return None
        seen.add(id(src))
        depth += 1
        if type(src) is dict:
            structure += 2 + 6 * len(src)
            for k, v in src.items():
                if type(k) is not str or (k and "0" <= k[0] <= "9" and _is_index_key(k)):
                    return None  # JavaScript reorders or renames this key
                if type(v) is str:  # most members: counted and kept inline
                    text += len(v)
                elif v is not None and type(v) is not bool:
                    v = _copied(v, stack, depth)
                    if v is _NOT_COPIED:
                        return None
                    if v is UNDEFINED:
                        continue  # an undefined member is left out
                dst[k] = v
        else:
            structure += 2 + 2 * len(src)
            append = dst.append
            for v in src:
                if type(v) is str:
                    text += len(v)
                elif v is not None and type(v) is not bool:
                    v = _copied(v, stack, depth)
                    if v is _NOT_COPIED:
                        return None
                    if v is UNDEFINED:
                        v = None  # in an array it is null
                append(v)
        if structure + text > max_chars:
            return None
    return root, structure


_NOT_COPIED = object()


def _copied(v: Any, stack: list, depth: int) -> Any:
    """What a value other than text, true/false and null reads back as: a new empty container
    (queued on ``stack`` to be filled), a number, :data:`UNDEFINED`, or :data:`_NOT_COPIED`."""
    tv = type(v)
    if tv is dict or tv is list:
        c: Any = {} if tv is dict else []
        stack.append((v, c, depth))
        return c
    if tv is int:
        return v if -_SAFE_INT < v < _SAFE_INT else _NOT_COPIED
    if tv is float:
        if v != v or v in (math.inf, -math.inf):
            return None
        if v.is_integer() and -_FLOAT_AS_INT < v < _FLOAT_AS_INT:
            # 1.0 prints "1" (and -0 "0"), which reads back as an int; past 2**53 the shortest
            # digits printed are not int(v)'s
            return int(v) if -_SAFE_INT < v < _SAFE_INT else _NOT_COPIED
        return v
    return UNDEFINED if v is UNDEFINED else _NOT_COPIED
