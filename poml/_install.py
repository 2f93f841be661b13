"""How to install an optional extra, worded for the way this copy of poml-native was installed.

A checkout installed with ``pip install -e .`` cannot resolve ``poml-native[extra]`` from the
index, so the hint names ``pip install -e "<checkout>[extra]"`` there; a published install gets
``pip install "poml-native[extra]"``. Every missing-extra message in the project calls
:func:`install_hint`.
"""
from __future__ import annotations

import json
from functools import lru_cache
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


def install_hint(package: str, extra: str, feature: str = "this command") -> str:
    """One line: which package is missing, for what, and the command that installs it."""
    return f"{feature} needs the '{package}' package, which is not installed. Install it with: {install_command(extra)}"
