"""Reports, as skips with reasons, the packages the compressor tests need (see conftest.NEEDED)."""
import importlib

import pytest

from _compressor_needs import NEEDED


@pytest.mark.parametrize("module", sorted(NEEDED))
def test_package_the_compressor_tests_need(module):
    mod = pytest.importorskip(module, reason=f"the compressor tests need {module!r}: install {NEEDED[module]}")
    assert importlib.import_module(module) is mod
