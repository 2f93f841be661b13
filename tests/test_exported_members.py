"""Each package exports exactly its documented API (docs/api.md), as httpx's test does.

A public name in a package's namespace that is not in ``__all__`` is a leak (a typing
helper, an imported function, an internal class); a name in ``__all__`` that the page does
not list is undocumented. Subpackages are reached by their dotted names, not exported.
"""

from __future__ import annotations

import importlib
import re
import types
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.md"
PACKAGES = ["poml", "renderers", "compressor", "backends", "poml.lsp"]
KEPT_DUNDERS = {"__version__"}


def documented() -> dict[str, list[str]]:
    """``## `package` `` sections of docs/api.md and the names in their tables' first column."""
    out: dict[str, list[str]] = {}
    current = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"## `([\w.]+)`", line)
        if heading:
            current = out.setdefault(heading.group(1), [])
            continue
        row = re.match(r"\| `(\w+)` \|", line)
        if row and current is not None:
            current.append(row.group(1))
    return out


def test_the_page_documents_every_package():
    assert sorted(documented()) == sorted(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_the_documented_list(name):
    module = importlib.import_module(name)
    names = documented()[name]
    assert len(names) == len(set(names)), "a name is listed twice"
    assert sorted(module.__all__) == sorted(names)
    for export in module.__all__:
        assert getattr(module, export) is not None  # lazy names resolve too


@pytest.mark.parametrize("name", PACKAGES)
def test_no_private_name_leaks(name):
    module = importlib.import_module(name)
    for export in module.__all__:  # load the lazy names: what they pull in must not leak either
        getattr(module, export)
    leaks = sorted(
        key for key, value in vars(module).items()
        if (not key.startswith("_") or (key.startswith("__") and key.endswith("__") and key in KEPT_DUNDERS))
        and key not in module.__all__
        and not (isinstance(value, types.ModuleType) and value.__name__ == f"{name}.{key}")
    )
    assert leaks == []


@pytest.mark.parametrize("name", PACKAGES)
def test_no_exported_name_is_private(name):
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if n.startswith("_") and n not in KEPT_DUNDERS] == []
