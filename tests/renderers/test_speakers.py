"""Chat mode: speaker assignment and message splitting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irxml import ir
from renderers import RenderIssue, write

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def img(alt, position=""):
    pos = f' position="{position}"' if position else ""
    return f'<env presentation="multimedia"><img base64="{PNG}" alt="{alt}"{pos}/></env>'


def media(alt):
    return {"type": "image", "base64": PNG, "alt": alt}


CASES = [
    ("lone-system-becomes-human", "<p>hi</p>", [{"speaker": "human", "content": "hi"}]),
    ("explicit-system-stays", '<p speaker="system">hi</p>', [{"speaker": "system", "content": "hi"}]),
    ("system-then-human-default",
     '<p><p speaker="system">hello world</p><p speaker="human">foo bar</p><p>something</p></p>',
     [{"speaker": "system", "content": "hello world"}, {"speaker": "human", "content": "foo bar\n\nsomething"}]),
    ("system-ai", '<p><p speaker="system">hello</p><p speaker="ai">world</p></p>',
     [{"speaker": "system", "content": "hello"}, {"speaker": "ai", "content": "world"}]),
    ("default-system-before-human", '<p><p>rules</p><p speaker="human">q</p><p speaker="ai">a</p><p>next</p></p>',
     [{"speaker": "system", "content": "rules"}, {"speaker": "human", "content": "q"},
      {"speaker": "ai", "content": "a\n\nnext"}]),
    ("merge-same-speaker", '<p><p speaker="human">a</p><p speaker="human">b</p></p>',
     [{"speaker": "human", "content": "a\n\nb"}]),
    ("empty-messages", '<p><p speaker="human"></p><p speaker="ai"></p></p>', [{"speaker": "human", "content": []}]),
    ("empty-root", "<p></p>", [{"speaker": "human", "content": []}]),
    ("child-inherits", '<p speaker="ai"><p>x</p><p>y</p></p>', [{"speaker": "ai", "content": "x\n\ny"}]),
    ("media-in-message",
     f'<p><p speaker="human">hello</p><p speaker="ai">{img("img")}world</p></p>',
     [{"speaker": "human", "content": "hello"}, {"speaker": "ai", "content": [media("img"), "world"]}]),
    ("top-media-stays-in-message",
     f'<p><p speaker="human">{img("img1", "top")}Hello</p><p speaker="ai">{img("img2", "top")}World</p></p>',
     [{"speaker": "human", "content": [media("img1"), "Hello"]},
      {"speaker": "ai", "content": [media("img2"), "World"]}]),
]


@pytest.mark.parametrize("name,xml,expected", CASES, ids=[c[0] for c in CASES])
def test_messages(name, xml, expected):
    assert write(ir(xml), chat=True) == expected


def test_non_chat_keeps_everything():
    tree = ir('<p><p speaker="human">hello</p><p>world</p></p>')
    assert write(tree, chat=False) == "hello\n\nworld"


def test_invalid_speaker():
    with pytest.raises(RenderIssue, match='"bot" is not a valid speaker.'):
        write(ir('<p><p speaker="bot">x</p></p>'), chat=True, error=lambda i: i)


def test_invalid_speaker_ignored_without_chat():
    assert write(ir('<p><p speaker="bot">x</p></p>'), chat=False) == "x"


# The reference marks a media part's place with "À" and drops any piece of text that is exactly
# that letter; here no written text is lost, alone in an element or beside media.
_WORDS = st.text(alphabet="aÀ ", min_size=1, max_size=4).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(_WORDS, _WORDS, _WORDS, st.booleans())
def test_no_written_letter_is_lost_in_messages(before, inside, after, with_image):
    image = img("pic") if with_image else ""
    markup = f'<p><p speaker="human">{before}<span>{inside}</span>{image}{after}</p><p speaker="ai">x</p></p>'
    messages = write(ir(markup), chat=True)
    content = messages[0]["content"]
    text = content if isinstance(content, str) else "".join(p for p in content if isinstance(p, str))
    expected = write(ir(f"<p>{before}<span>{inside}</span>{after}</p>"), chat=False)
    assert text.replace(" ", "") == expected.replace(" ", "")
    assert text.count("À") == (before + inside + after).count("À")


@st.composite
def _speaker_trees(draw, depth=0):
    """IR paragraphs and inline elements, some with a speaker, around short texts."""
    tag = draw(st.sampled_from(["p", "span", "b"] if depth else ["p"]))
    speaker = draw(st.sampled_from(["", "", "human", "ai", "system"]))
    attr = f' speaker="{speaker}"' if speaker else ""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 3 and draw(st.booleans()):
            parts.append(draw(_speaker_trees(depth + 1)))
        else:
            parts.append(draw(st.sampled_from(["a", "b c", " d ", "e\n", "À"])))
    return f"<{tag}{attr}>{''.join(parts)}</{tag}>"


def _letters(content) -> list:
    text = content if isinstance(content, str) else "".join(p for p in content if isinstance(p, str))
    return sorted("".join(text.split()))


@settings(max_examples=300, deadline=None)
@given(_speaker_trees())
def test_messages_keep_every_letter_of_the_written_text(markup):
    """However speakers nest, splitting into messages loses no text (the reference can)."""
    messages = write(ir(markup), chat=True)
    kept = sorted(ch for m in messages for ch in _letters(m["content"]))
    assert kept == _letters(write(ir(markup), chat=False))
