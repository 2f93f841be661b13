"""Typed values from text and files, the way the reference's ``readSource``/``parseText`` do.

``<let src="file" type="...">`` reads a file and turns its text into a value:
with no ``type`` the value is guessed (``null``/``true``/numbers/JSON, else the
text itself); ``string`` keeps the text; ``integer``/``float`` parse a number
like JavaScript's ``parseInt``/``parseFloat``; ``boolean`` accepts
``true``/``false``/``1``/``0``; ``array``/``object`` parse JSON.

>>> guess_string_type("42")
(42, 'integer')
>>> guess_string_type("1.5")
(1.5, 'float')
>>> guess_string_type('{"a": 1}')
({'a': 1}, 'object')
>>> guess_string_type("hello")
('hello', 'string')
>>> parse_text("12px", "integer")
12
"""

from __future__ import annotations

import math
import os
import re
from typing import TYPE_CHECKING, Any, Optional, Union

from renderers._js import UNDEFINED, JSValueError, js_number, js_parse_float, js_parse_int, normalize
from renderers._jsjson import parse_json

from .._errors import PomlError

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = ["UNDEFINED", "guess_string_type", "parse_text", "read_source", "TYPES"]

TYPES = ("string", "integer", "float", "boolean", "array", "object", "buffer", "null", "undefined")



def guess_string_type(value: str) -> tuple[Any, str]:
    """The value a string most likely holds and its type name (reference ``guessStringType``)."""
    low = value.lower()
    if low == "null" or value == "":
        return None, "null"
    if low == "undefined":
        return UNDEFINED, "undefined"
    if low == "true":
        return True, "boolean"
    if low == "false":
        return False, "boolean"
    n = js_number(value)
    if not math.isnan(n):
        f = js_parse_float(value)
        i = js_parse_int(value)
        if f == i:  # NaN never equals NaN
            return normalize(i), "integer"
        return normalize(f), "float"
    if (
        re.match(r"^\d*(\.|,)\d*$", value)
        or re.match(r"^(\d{0,3}(,)?)+\.\d*$", value)
        or re.match(r"^(\d{0,3}(\.)?)+,\d*$", value)
    ):
        return normalize(js_number(value)), "float"
    try:
        parsed = parse_json(value)
    except JSValueError:
        return value, "string"
    if isinstance(parsed, list):
        return parsed, "array"
    return parsed, "object"


def parse_text(obj: Union[str, bytes], type: Optional[str] = None) -> Any:  # noqa: A002 - reference name
    """Turn text into a value of ``type`` (reference ``parseText``); bytes are decoded first."""
    if isinstance(obj, (bytes, bytearray)):
        if type == "buffer":
            return bytes(obj)
        return parse_text(bytes(obj).decode("utf-8", errors="replace"), type)
    if not isinstance(obj, str):
        raise PomlError(f"Invalid object type (expect buffer or string): {obj.__class__.__name__}")
    if type == "buffer":
        return obj.encode("utf-8")
    if type == "string":
        return obj
    if not type:
        return guess_string_type(obj)[0]
    if type == "integer":
        return normalize(js_parse_int(obj))
    if type == "float":
        return normalize(js_parse_float(obj))
    if type == "boolean":
        if obj.lower() == "true" or obj == "1":
            return True
        if obj.lower() == "false" or obj == "0":
            return False
        raise PomlError(f"Invalid boolean value: {obj}")
    if type in ("array", "object"):
        try:
            return parse_json(obj)
        except JSValueError as exc:
            raise PomlError(f"Invalid JSON for type {type}: {exc}") from None
    if type == "null":
        return None
    if type == "undefined":
        return UNDEFINED
    raise PomlError(f"Invalid type: {type}")


def read_source(
    source: str,
    directory: Optional[Union[str, "os.PathLike[str]"]] = None,
    type: Optional[str] = None,  # noqa: A002 - reference name
    *,
    access: "Optional[FileAccess]" = None,
    files: "Optional[FileAccess]" = None,
) -> Any:
    """Read ``source`` (relative to ``directory``) and convert it like ``<let src>`` does.

    Every read goes through ``access`` (a :class:`~poml._files.FileAccess`;
    ``files`` is another name for it); with none given, only ``directory`` (or
    the current directory) is allowed.
    """
    if access is None:
        access = files
    if access is None:
        from .._files import FileAccess

        access = FileAccess([directory if directory is not None else os.getcwd()])
    if type == "buffer":
        return access.read_bytes(source, directory)
    text = access.read_text(source, directory)
    return parse_text(text, type)
