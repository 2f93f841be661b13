"""Exact outputs of the limit helpers on chosen input: token cuts per direction, the token
estimate used for dropping, dropping by tokens, and directions the reference does not name."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from renderers._limits import TruncateOptions, drop_low_priority, token_length, truncate_text

pytest.importorskip("tiktoken")

HELLO = "hello world " * 10  # 21 gpt-4o tokens, 120 bytes


def box(text, priority=None):
    return SimpleNamespace(text=text, priority=priority)


@pytest.mark.parametrize("direction, expected", [
    ("end", "hello world hello world hello|"),
    ("start", "| hello world hello world "),
    ("middle", "hello world |hello world "),
])
def test_token_cut_keeps_exactly_the_limit_from_the_direction(direction, expected):
    assert truncate_text(HELLO, None, 5, TruncateOptions("|", direction)) == expected


def test_a_direction_the_reference_does_not_name_cuts_like_end():
    # The reference checks "start" and "middle" and treats anything else as "end".
    for direction in ("sideways", "zzz", ""):
        assert truncate_text("abcdefghij", 4, None, TruncateOptions("|", direction)) == "abcd|"
        assert truncate_text(HELLO, None, 5, TruncateOptions("|", direction)) == "hello world hello world hello|"


def test_text_within_the_token_limit_is_returned_unchanged():
    assert truncate_text(HELLO, None, 21, TruncateOptions("|")) == HELLO
    assert truncate_text(HELLO, 120, 120, TruncateOptions("|")) == HELLO
    assert truncate_text(HELLO, None, None, TruncateOptions("|")) == HELLO


def test_both_limits_apply_the_character_cut_first():
    assert truncate_text(HELLO, 17, 2, TruncateOptions("|")) == "hello world|"


def test_token_length_estimates_short_text_as_a_quarter_of_its_bytes():
    assert token_length("abcdefgh", 100, "gpt-4o") == 2
    assert token_length("abcdefghi", 100, "gpt-4o") == 3
    assert token_length("é", 100, "gpt-4o") == 1  # two bytes
    assert token_length("", 100, "gpt-4o") == 0
    assert token_length("abcdefghi", 9, "gpt-4o") == 3  # exactly at the limit: still the estimate
    assert token_length(HELLO, 119, "gpt-4o") == 21  # over it: the tokenizer's count
    assert token_length(HELLO, None, "gpt-4o") == 0


def test_dropping_by_tokens_removes_the_low_priority_box():
    boxes = [box(HELLO, 0), box("hi", 1)]
    assert [b.text for b in drop_low_priority(boxes, None, 10, "gpt-4o")] == ["hi"]
    # 21 + 1 tokens fit a limit of 22
    assert [b.text for b in drop_low_priority(boxes, None, 22, "gpt-4o")] == [HELLO, "hi"]
    assert [b.text for b in drop_low_priority(boxes, None, 21, "gpt-4o")] == ["hi"]
    assert [b.text for b in drop_low_priority(boxes, None, 300, "gpt-4o")] == [HELLO, "hi"]  # well under


def test_dropping_by_characters_counts_every_box():
    boxes = [box("aaaa", 2), box("bbbb"), box("cccc", 1)]
    assert [b.text for b in drop_low_priority(boxes, 12, None, "gpt-4o")] == ["aaaa", "bbbb", "cccc"]
    assert [b.text for b in drop_low_priority(boxes, 11, None, "gpt-4o")] == ["aaaa", "cccc"]
    assert [b.text for b in drop_low_priority(boxes, 4, None, "gpt-4o")] == ["aaaa"]
    assert [b.text for b in drop_low_priority(boxes, 3, None, "gpt-4o")] == ["aaaa"]  # nothing lower is left
    assert drop_low_priority([], 3, None, "gpt-4o") == []
    assert [b.text for b in drop_low_priority(boxes, None, None, "gpt-4o")] == ["aaaa", "bbbb", "cccc"]


@pytest.mark.parametrize("a, b, expected", [
    # String.prototype.slice in JavaScript: negative indexes count from the end, out-of-range clamp
    (0, None, "abcdef"), (-2, None, "ef"), (-10, None, "abcdef"), (10, None, ""),
    (1, -1, "bcde"), (-3, -1, "de"), (2, -10, ""), (4, 2, ""), (0, 100, "abcdef"), (-1, 0, ""),
])
def test_js_slice_matches_javascript(a, b, expected):
    from renderers._limits import _js_slice

    assert _js_slice("abcdef", a, b) == expected
    assert _js_slice(list("abcdef"), a, b) == list(expected)


def test_a_negative_character_limit_cuts_like_javascript_slice():
    # "abcdefg".slice(0, -3) is "abcd"; .slice(10) is "".
    assert [truncate_text("abcdefg", -3, None, TruncateOptions("|", d)) for d in ("end", "start", "middle")] == [
        "abcd|", "|", "abc|def"]
