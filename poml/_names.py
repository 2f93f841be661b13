"""How markup spells names: ``caption-style`` is the attribute ``captionStyle``, ``output-schema`` the tag ``outputSchema``.

One rule, the reference's: a hyphen before a lower-case letter joins it upper-cased; the
expander, the component registry and the language server all read names through it.
"""

from __future__ import annotations

import re

_HYPHEN = re.compile(r"-([a-z])")


def hyphen_to_camel(name: str) -> str:
    """``caption-style`` -> ``captionStyle`` (only lower-case letters after hyphens, like the reference)."""
    return _HYPHEN.sub(lambda m: m.group(1).upper(), name) if "-" in name else name


__all__ = ["hyphen_to_camel"]
