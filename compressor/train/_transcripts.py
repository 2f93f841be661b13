"""A compression pair set of our own: spoken-style transcripts whose compressed form drops the
fillers ("um", "you know"), hedges ("I think", "sort of") and stutters ("the the").

Usage::

    from compressor.train import transcript_pairs
    pairs = transcript_pairs(200, seed=0)
    pairs[0].original     # "Um, so the council, you know, will will vote on the budget ..."
    pairs[0].compressed   # "So the council will vote on the budget ..."
"""
from __future__ import annotations

import random

from ._pairs import Pair

_SUBJECTS = ["the council", "our team", "the committee", "the city", "the board", "staff",
             "the vendor", "the department", "the mayor", "the school district"]
_VERBS = ["will vote on", "approved", "is reviewing", "postponed", "asked for", "funded",
          "rejected", "will present", "discussed", "needs"]
_OBJECTS = ["the budget for next year", "item twenty eight", "the new bike lanes",
            "a contract worth 3 million dollars", "the water treatment upgrade",
            "the library renovation", "a public hearing on Tuesday", "the parking study",
            "two new police officers", "the park cleanup in May"]
_TAILS = ["", " after the break", " by Friday", " next month", " before the election",
          " at the next meeting"]
_FILLERS = ["um", "uh", "you know", "like", "I mean", "well", "okay so", "right"]
_HEDGES = ["I think", "sort of", "kind of", "basically", "probably", "I guess", "maybe"]


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f"{rng.choice(_TAILS)}")


def _spoken(clean: str, rng: random.Random, noise: float) -> str:
    out = []
    for word in clean.split():
        if rng.random() < noise:
            out.append(rng.choice(_FILLERS) + ",")
        if rng.random() < noise / 2:
            out.append(rng.choice(_HEDGES))
        if rng.random() < noise / 2:
            out.append(word)          # stutter: the word twice
        out.append(word)
    return " ".join(out)


def transcript_pairs(n: int = 200, *, seed: int = 0, sentences: tuple[int, int] = (2, 5),
                     noise: float = 0.25) -> list[Pair]:
    """``n`` (spoken transcript, clean transcript) pairs; ``noise`` scales the filler rate."""
    rng = random.Random(seed)
    pairs = []
    for i in range(n):
        clean = [_sentence(rng) for _ in range(rng.randint(*sentences))]
        spoken = [_spoken(s, rng, noise) for s in clean]
        pairs.append(Pair(" ".join(s[0].upper() + s[1:] + "." for s in spoken),
                          " ".join(s[0].upper() + s[1:] + "." for s in clean),
                          {"template": f"transcript:{i % 10}"}))
    return pairs
