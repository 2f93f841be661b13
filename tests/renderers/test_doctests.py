"""The usage examples in the renderers' docstrings stay true."""

import doctest
import importlib

import pytest

MODULES = ["renderers", "renderers._js", "renderers._limits", "renderers._csv", "renderers._free",
           "renderers._multimedia", "renderers._serialize", "renderers._html", "renderers._yaml",
           "renderers._xmltree", "renderers._formats", "renderers._markdown", "renderers._untrusted"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
