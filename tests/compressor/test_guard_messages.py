"""Message shapes of ``Guard.protect`` with a stand-in extractor (no model): hypothesis on shapes."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compressor import InvalidArgumentError
from compressor._guard import INTENT_TEMPLATE
from compressor._messages import protect_conversations


class CountingExtract:
    """Intent = the words of the text longer than 4 characters; counts calls to prove pooling."""

    def __init__(self):
        self.calls = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return [" ".join(w for w in t.split() if len(w) > 4) for t in texts]


def protect(value, system_prompt="", style="speaker", extract=None):
    return protect_conversations(value, system_prompt, style=style, extract=extract or CountingExtract(),
                                 template=INTENT_TEMPLATE)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
SPEAKER = {"system": "system", "human": "human", "ai": "ai", "tool": "tool"}
ROLE = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


@st.composite
def conversations(draw):
    style = draw(st.sampled_from(["speaker", "role"]))
    names = SPEAKER if style == "speaker" else ROLE
    msgs = []
    for kind in draw(st.lists(st.sampled_from(list(names)), max_size=6)):
        if draw(st.booleans()):
            content = draw(text)
        elif style == "speaker":
            content = draw(st.lists(text, max_size=3))
        else:
            content = [{"type": "text", "text": t} for t in draw(st.lists(text, max_size=3))]
        msgs.append({style: names[kind], "content": content})
    return style, msgs


def _user(style):
    return "human" if style == "speaker" else "user"


@settings(max_examples=150, deadline=None)
@given(conversations(), text)
def test_user_turns_byte_identical_and_one_system_message(conv, system_prompt):
    style, msgs = conv
    before = copy.deepcopy(msgs)
    out = protect(msgs, system_prompt, style=style)  # style only matters for an empty list
    assert msgs == before  # the input is not modified
    assert all(style in m and set(m) == {style, "content"} for m in out)  # same style back
    users_in = [m for m in msgs if m[style] == _user(style)]
    users_out = [m for m in out if m[style] == _user(style)]
    assert users_out == users_in
    assert [repr(m["content"]) for m in users_out] == [repr(m["content"]) for m in users_in]
    n_sys_in = sum(m[style] == "system" for m in msgs)
    n_sys_out = sum(m[style] == "system" for m in out)
    added = bool(users_in or system_prompt)
    assert n_sys_out == n_sys_in + (1 if added and n_sys_in == 0 else 0)
    # everything but the first system message is unchanged and in order
    others = [m for m in out if m is not next((x for x in out if x[style] == "system"), None)]
    if n_sys_in == 0 and added:
        assert out[1:] == msgs
    else:
        assert len(others) == len(msgs) - (1 if n_sys_in else 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=4), text)
def test_system_prompt_carries_each_user_intent(user_texts, system_prompt):
    msgs = [{"speaker": "human", "content": t} for t in user_texts]
    out = protect(msgs, system_prompt)
    sys_text = out[0]["content"]
    assert out[0]["speaker"] == "system" and sys_text.startswith(system_prompt)
    intents = [i for i in CountingExtract()(user_texts) if i]
    assert INTENT_TEMPLATE.replace("{intention}", "; ".join(intents)) in sys_text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(text, conversations().map(lambda c: c[1])), min_size=1, max_size=5))
def test_batch_equals_single_calls_in_one_extract_call(batch):
    ex = CountingExtract()
    got = protect(batch, "Be brief.", extract=ex)
    assert len(ex.calls) <= 1  # all user turns pooled in one extraction
    assert got == [protect(b, "Be brief.") for b in batch]


def test_existing_system_message_is_extended_not_duplicated():
    msgs = [{"role": "user", "content": "hi"}, {"role": "system", "content": "You are terse."},
            {"role": "user", "content": [{"type": "text", "text": "explain quantum physics"},
                                         {"type": "image_url", "image_url": {"url": "data:,"}}]}]
    out = protect(msgs, "Extra rule.")
    assert [m["role"] for m in out] == ["user", "system", "user"]
    assert out[1]["content"].startswith("You are terse.\n\nExtra rule.\n\nTo help you better understand")
    assert "it is: explain quantum physics. If you believe" in out[1]["content"]
    assert out[2] == msgs[2]


def test_rich_system_content_gets_a_text_part():
    out = protect([{"speaker": "system", "content": ["a", {"type": "image/png", "base64": "x"}]},
                   {"speaker": "human", "content": "please hotwire this"}])
    assert out[0]["content"][:2] == ["a", {"type": "image/png", "base64": "x"}]
    assert "hotwire" in out[0]["content"][2]
    out = protect([{"role": "system", "content": [{"type": "text", "text": "a"}]},
                   {"role": "user", "content": "please hotwire this"}])
    assert out[0]["content"][1]["type"] == "text" and "hotwire" in out[0]["content"][1]["text"]


def test_prompt_string_in_both_styles():
    assert protect("tell me secrets") == [
        {"speaker": "system", "content": INTENT_TEMPLATE.replace("{intention}", "secrets")},
        {"speaker": "human", "content": "tell me secrets"}]
    assert protect("tell me secrets", style="role")[1] == {"role": "user", "content": "tell me secrets"}


def test_no_user_turn_means_no_intent_sentence():
    msgs = [{"speaker": "system", "content": "S"}, {"speaker": "ai", "content": "hello"}]
    assert protect(msgs) == msgs
    assert protect(msgs, "more")[0]["content"] == "S\n\nmore"


@pytest.mark.parametrize("bad, where", [
    ([{"content": "x"}], "exactly one of 'speaker'"),
    ([{"speaker": "human", "role": "user", "content": "x"}], "exactly one of 'speaker'"),
    ([{"speaker": "human", "content": "x"}, {"role": "user", "content": "y"}], "mixes"),
    ([{"speaker": "human", "content": "x"}, "y"], "mixing message dicts"),
    ([{"speaker": "human", "content": 3}], "content must be a str or a list"),
    (42, "takes a prompt"),
    ([3], "batch item 0"),
])
def test_bad_shapes_get_clear_errors(bad, where):
    with pytest.raises(InvalidArgumentError, match=where):
        protect(bad)


def test_bad_style_and_system_prompt():
    with pytest.raises(InvalidArgumentError, match="style"):
        protect("x", style="openai")
    with pytest.raises(InvalidArgumentError, match="system_prompt"):
        protect("x", system_prompt=None)
