"""Import an optional package of the ``data`` extra, or fail with the install command."""
from __future__ import annotations

import importlib
from typing import Any

from .._errors import PomlError
from .._install import install_hint


def require(module: str, purpose: str, package: str | None = None) -> Any:
    """``importlib.import_module(module)``; a missing package raises a :class:`PomlError`
    naming ``package`` (the PyPI name, default ``module``) and the install command
    (:func:`poml._install.install_hint`).

    >>> pypdf = require("pypdf", "Reading PDF documents")  # doctest: +SKIP
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise PomlError(install_hint(package or module, "data", purpose)) from None
