"""Properties of character/token truncation and priority dropping, on random input."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from renderers._limits import TruncateOptions, drop_low_priority, truncate_text

pytest.importorskip("tiktoken")
from renderers._tokens import get_encoding  # noqa: E402

from strategies import TEXT  # noqa: E402  (half ASCII prose: the cut itself is checked on ASCII)
DIRECTIONS = st.sampled_from(["end", "start", "middle"])


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=400), DIRECTIONS)
def test_char_limit_keeps_at_most_the_limit_plus_the_marker(text, limit, direction):
    options = TruncateOptions(" [cut]", direction, "gpt-4o")
    out = truncate_text(text, limit, None, options)
    if len(text) <= limit:
        assert out == text
    else:
        assert len(out) == limit + len(" [cut]")
        body = out.replace(" [cut]", "", 1)
        if direction == "end":
            assert text.startswith(body)
        elif direction == "start":
            assert text.endswith(body)
        else:
            head = body[: (limit + 1) // 2]
            assert text.startswith(head) and text.endswith(body[len(head):])


def _is_cut(text: str, out: str, direction: str) -> bool:
    """``out`` (no marker) is what ``direction`` keeps of ``text``: its head, its tail, or both ends."""
    if direction == "end":
        return text.startswith(out)
    if direction == "start":
        return text.endswith(out)
    return len(out) < len(text) and any(text.startswith(out[:i]) and text.endswith(out[i:]) for i in range(len(out) + 1))


@settings(max_examples=100, deadline=None)
@given(TEXT, st.one_of(st.integers(min_value=0, max_value=8), st.integers(min_value=0, max_value=60)), DIRECTIONS)
def test_token_limit_keeps_at_most_the_limit_in_tokens(text, limit, direction):
    enc = get_encoding("gpt-4o")
    options = TruncateOptions("", direction, "gpt-4o")
    out = truncate_text(text, None, limit, options)
    n = len(enc.encode(text, disallowed_special=()))
    if n <= limit:
        assert out == text
    else:
        # Decoding a cut token list may re-tokenise differently at the seams, by a token at most.
        assert len(enc.encode(out, disallowed_special=())) <= limit + 1
        event(f"cut, checked={text.isascii()}")
        if text.isascii():  # (a cut inside a multi-byte character decodes to replacement chars)
            assert _is_cut(text, out, direction)


BOXES = st.lists(st.builds(lambda t, p: SimpleNamespace(text=t, priority=p),
                           st.text(alphabet="abc ", max_size=20), st.one_of(st.none(), st.integers(-3, 3))),
                 max_size=8)


@settings(max_examples=200, deadline=None)
@given(BOXES, st.integers(min_value=0, max_value=80))
def test_dropping_removes_whole_lowest_priority_groups_only(boxes, limit):
    kept = drop_low_priority(boxes, limit, None, "gpt-4o")
    # What is kept is a subsequence, in order.
    it = iter(boxes)
    assert all(any(k is b for b in it) for k in kept)
    dropped = [b for b in boxes if all(b is not k for k in kept)]
    if dropped and kept:
        assert max(b.priority or 0 for b in dropped) < min(b.priority or 0 for b in kept)
    total = sum(len(b.text) for b in kept)
    prios = {b.priority or 0 for b in kept}
    # It stops when within the limit, or when one priority is left (then the caller truncates).
    assert total <= limit or len(prios) <= 1
