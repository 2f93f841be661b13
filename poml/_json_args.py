"""The ``context`` / ``stylesheet`` arguments: a dict, a JSON file, or (on the command line) inline JSON.

One reader for the API (``poml.poml(context="ctx.json")``) and the CLI
(``--context``, ``--stylesheet``), so a bad argument reads the same
everywhere: the file's name, the line and column of the JSON error, what to do.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

from ._errors import PomlError, PomlFileError, PomlLimitError, error_class
from ._text_files import decode_text_file

MAX_JSON_ARG_BYTES = 64 * 1024 * 1024  # a context or stylesheet file


def _parse(text: str, where: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise PomlError(f"{where}:{line}:{col}: error: the {what} is not valid JSON: "
                        f"{getattr(exc, 'msg', exc)}") from None
    except RecursionError:
        raise PomlLimitError(f"{where}:1:1: error: the {what} is nested too deeply.") from None


def _object(data: Any, where: str, what: str) -> dict:
    if not isinstance(data, dict):
        raise PomlError(f"{where}:1:1: error: the {what} must hold a JSON object, not {type(data).__name__}.")
    return data


def os_problem(exc: OSError, what: str) -> str:
    """What went wrong reading the ``what`` file (``markup``, ``context``...), in words."""
    if isinstance(exc, FileNotFoundError):
        return f"the {what} file does not exist"
    if isinstance(exc, IsADirectoryError):
        return "this is a folder; name a .poml file" if what == "markup" else \
            f"the {what} file is a folder or special file, not a JSON file"
    return f"cannot read the {what} file: {exc.strerror or exc}"


def read_json_file(path: str, what: str, encoding: Optional[str] = None) -> Any:
    """The JSON value in the file at ``path``; ``what`` (``"context"``) names it in errors."""
    try:
        st = os.stat(path)
    except OSError as exc:  # the class from the one table: FileNotFoundError -> PomlFileNotFoundError ...
        raise error_class(exc)(f"{path}: error: {os_problem(exc, what)}.") from None
    if not os.path.isfile(path):
        raise PomlFileError(f"{path}: error: the {what} file is a folder or special file, not a JSON file.")
    if st.st_size > MAX_JSON_ARG_BYTES:
        raise PomlLimitError(f"{path}: error: the {what} file is {st.st_size} bytes; the limit is "
                             f"{MAX_JSON_ARG_BYTES}.")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise error_class(exc)(f"{path}: error: {os_problem(exc, what)}.") from None
    return _parse(decode_text_file(data, path, encoding, what), path, what + " file")


def json_object_file(path: str, what: str, encoding: Optional[str] = None) -> dict:
    """The JSON object in the file at ``path``."""
    return _object(read_json_file(path, what, encoding), path, what + " file")


def json_object_text(text: str, where: str, what: str) -> dict:
    """The JSON object written inline (``--context '{"n": 1}'``); ``where`` is the option's name."""
    return _object(_parse(text, where, what), where, what)


def load_json_arg(value: Any, what: str, encoding: Optional[str] = None) -> Optional[dict]:
    """``context``/``stylesheet`` of the API: ``None``, a dict, or the path of a JSON file holding an object."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    if not isinstance(value, (str, os.PathLike)):
        raise PomlError(f"error: the {what} must be a dict or the path of a JSON file, not {type(value).__name__}.")
    return json_object_file(os.fspath(value), what, encoding)
