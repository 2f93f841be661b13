"""Import an optional package of the ``data`` extra, or fail with the install command."""
from __future__ import annotations

from typing import Any

from .._errors import PomlError
from .._install import require as _require


def require(module: str, purpose: str, package: str | None = None) -> Any:
    """:func:`poml._install.require` for the ``data`` extra: a missing package is a :class:`PomlError`.

    >>> pypdf = require("pypdf", "Reading PDF documents")  # doctest: +SKIP
    """
    return _require(module, purpose, extra="data", package=package, error=PomlError)
