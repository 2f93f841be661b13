"""Optional lemma matching (the reference aligns spaCy lemmas: "voted" matches "vote").

Uses spaCy's ``en_core_web_sm`` when it is installed, else ``simplemma``; neither is a
dependency of this project, and no model is downloaded.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from .._errors import MissingDependencyError
from ._align import normal_form


def lemma_normalizer(lang: str = "en") -> Callable[[str], str]:
    """A word → lemma key function for :func:`compressor.train.align` (``normalize=``)."""
    try:
        import spacy

        nlp = spacy.load("en_core_web_sm", disable=["parser", "ner"])

        @lru_cache(maxsize=65536)
        def spacy_key(word: str) -> str:
            doc = nlp(word)
            return normal_form(doc[0].lemma_) if len(doc) else normal_form(word)

        return spacy_key
    except (ImportError, OSError):
        pass
    try:
        import simplemma
    except ImportError:
        raise MissingDependencyError(
            "lemma matching needs a lemmatizer available offline: spaCy with en_core_web_sm, or "
            "simplemma (pip install simplemma); none is installed, so train without lemmas "
            "(drop lemmas=True / --lemmas)") from None

    @lru_cache(maxsize=65536)
    def simplemma_key(word: str) -> str:
        return normal_form(simplemma.lemmatize(word, lang=lang))

    return simplemma_key
