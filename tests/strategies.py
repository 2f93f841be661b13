"""Hypothesis strategies shared by the test packages (import as `from strategies import ...`;
tests/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

import string

from hypothesis import strategies as st

# Any text Python can encode: every Unicode category except lone surrogates.
UNICODE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)

# ASCII prose: words, spaces, punctuation and newlines, long enough to be cut by small limits.
PROSE = st.lists(
    st.one_of(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=9),
              st.sampled_from([" ", " ", " ", ", ", ". ", "\n", "\n\n", "-", "!"])),
    max_size=120,
).map("".join)

# Half prose, half arbitrary Unicode: properties that only check ASCII still check most examples.
TEXT = st.one_of(PROSE, UNICODE_TEXT)

# JSON-shaped data (what a context file or an expression's scope holds).
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(alphabet=string.ascii_letters + string.digits + " -_.,é☃\n\"\\'", max_size=8),
)
# Keys that read as array indexes ("1", "10") are listed by JavaScript before the others, whatever
# the insertion order; NAME_KEYS leaves them out for checks that compare key order.
NAME_KEYS = st.one_of(st.sampled_from(["a", "b", "name", "x y", "length"]),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=4))
JSON_KEYS = st.one_of(NAME_KEYS, st.sampled_from(["1", "10", "0"]))


def json_values(keys=JSON_KEYS, max_leaves: int = 10):
    """Nested lists and objects of JSON scalars, objects keyed by ``keys``."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=max_leaves,
    )


JSON_VALUES = json_values()
