"""Shared checks for the hostile-input tests: every case ends quickly, in bounded memory,
with a PomlError (or a correct render), and reaches nothing it should not."""

from __future__ import annotations

import pytest

from ._bounded import Bounded


@pytest.fixture
def bounded():
    return Bounded()
