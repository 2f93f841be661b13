"""How to install an optional extra, worded for the way this copy of poml-native was installed.

A checkout installed with ``pip install -e .`` cannot resolve ``poml-native[extra]`` from the
index, so the hint names ``pip install -e "<checkout>[extra]"`` there; a published install gets
``pip install "poml-native[extra]"``. Every missing-extra message in the project calls
:func:`install_hint`, and every optional import goes through :func:`require`.
"""
from __future__ import annotations

import importlib
import json
from functools import lru_cache
from types import ModuleType
from typing import Optional
from urllib.parse import unquote, urlparse

DIST = "poml-native"


@lru_cache(maxsize=1)
def _editable_checkout() -> Optional[str]:
    """The checkout folder when installed with ``pip install -e``, else None (PEP 610 record)."""
    from importlib import metadata

    try:
        raw = metadata.distribution(DIST).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    if not raw:
        return None
    try:
        info = json.loads(raw)
    except ValueError:
        return None
    if not (info.get("dir_info") or {}).get("editable"):
        return None
    url = urlparse(info.get("url", ""))
    return unquote(url.path) if url.scheme == "file" else None


def install_command(extra: str) -> str:
    """The pip command that installs ``extra``: editable checkout form or published form."""
    checkout = _editable_checkout()
    if checkout is not None:
        return f'pip install -e "{checkout}[{extra}]"'
    return f'pip install "{DIST}[{extra}]"'


def install_hint(package: str, extra: Optional[str], feature: str = "this command", pip_name: Optional[str] = None) -> str:
    """One line: which package is missing, for what, and the command that installs it.

    ``extra`` names this distribution's extra that brings the package; ``None`` for a
    third-party integration, installed by its own PyPI name (``pip_name``, default ``package``).
    """
    command = install_command(extra) if extra is not None else f"pip install {pip_name or package}"
    return f"{feature} needs the '{package}' package, which is not installed. Install it with: {command}"


def require(module: str, purpose: str, *, extra: Optional[str], package: Optional[str] = None,
            error: type[Exception] = ImportError) -> ModuleType:
    """``importlib.import_module(module)``, or ``error`` with the install hint when it is missing.

    ``package`` is the PyPI name when it differs from the module's top name; each
    package passes its own ``error`` (``PomlError`` for data files,
    ``MissingDependencyError`` for the compressor) and ``extra``.

    >>> require("json", "Reading JSON", extra=None).__name__
    'json'
    >>> require("no_such_module_here", "Testing", extra="data")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ImportError: Testing needs the 'no_such_module_here' package, which is not installed. Install it with: pip ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = (getattr(exc, "name", None) or module).split(".")[0]
        name = package or top
        raise error(install_hint(name, extra, purpose)) from exc
