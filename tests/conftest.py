"""Hypothesis profiles shared by every test package.

POML_HYPOTHESIS_PROFILE picks one: `ci` (set by .ci/run) derandomizes hypothesis and keeps no
example database, so a CI run is repeatable and leaves nothing behind; `mutation` (set by
tests/benchmarks/mutation.py) runs few examples so each mutant is judged in seconds; `dev`, the
default, is hypothesis' own random search with its database.
"""

import os
import sys

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("POML_HYPOTHESIS_PROFILE", "dev"))

# Test modules import the shared strategies as `from strategies import ...`.
sys.path.insert(0, os.path.dirname(__file__))
