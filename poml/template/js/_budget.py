"""One work budget per render, shared by every expression, loop, element and include.

A render creates one :class:`RenderBudget` and every ``{{ }}``, ``for=``,
``if=``, ``<let>`` and ``<include>`` of it spends from that one object, so
loops multiplied by expressions cannot multiply the allowance. Evaluation finds
the current budget in a thread-local slot (``using``) instead of threading it
through every closure, which keeps the hot path of ``user.name`` a dict lookup.

>>> b = RenderBudget(work=1000)
>>> b.charge(400); b.left
600
>>> b.charge(700)
Traceback (most recent call last):
...
poml.template.js._errors.ExpressionLimitError: the render ran out of work budget (1,000 units); raise it with limits={'work': ...}
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Optional

from ..._limits import MAX_ARRAY_ITEMS, MAX_STRING_CHARS
from ._errors import ExpressionLimitError, ExpressionSandboxError

# Work units: one per character of a string built, one per array item produced,
# ITEM_COST per item a built-in visits in a Python loop, CALL_COST per function call
# (arrow functions included), ELEMENT_COST per element expanded, LOOP_COST per
# for= iteration, INCLUDE_COST per <include>, MATCH_COST per regex match found,
# EXPRESSION_COST per {{ }} evaluated, COMPILE_COST per expression compiled, BUILD_COST per
# IR element built.
# One unit is about 50 ns of work on a quick machine, so the default (~130,000 calls, ~15,000 elements
# expanded and built, or 20 MB of built text) ends a hostile render within a second on one 2.4 times
# slower (docs/limits.md has the measurements).
MAX_RENDER_WORK = 20_000_000
MAX_EXPRESSION_WORK = MAX_RENDER_WORK  # the old name: one evaluation outside a render
CALL_COST = 150
ITEM_COST = 10
ELEMENT_COST = 300
LOOP_COST = 300  # each copy is an element expanded
INCLUDE_COST = 20_000  # reading and parsing a file: at most 1,000 includes in a default render
MATCH_COST = 50
EXPRESSION_COST = 100  # each {{ }} evaluated (charged before its text is split)
COMPILE_COST = 500  # each expression compiled (a cache miss), plus one per character
BUILD_COST = 1_000  # each IR element built (what every later stage works on), and ATTRIBUTE_COST
ATTRIBUTE_COST = 50  # per attribute it carries
STYLE_RULE_COST = 100  # each stylesheet rule compiled; ITEM_COST per rule an element is matched against
# Total seconds the regular expressions of one render may run (each match is given
# what is left as its timeout, so a backtracking pattern is stopped, not waited for).
MAX_REGEX_SECONDS = 0.25

LIMIT_NAMES = {
    "work": "work units (characters built, items, calls, elements, loop iterations)",
    "regex_seconds": "seconds of regular-expression matching",
}


class RenderBudget:
    """What one render may still spend; raises :class:`ExpressionLimitError` when spent."""

    __slots__ = ("work", "left", "regex_seconds", "regex_left", "reported")

    def __init__(self, work: int = MAX_RENDER_WORK, regex_seconds: float = MAX_REGEX_SECONDS):
        self.work = int(work)
        self.left = int(work)
        self.regex_seconds = float(regex_seconds)
        self.regex_left = float(regex_seconds)
        self.reported = False  # the template layer reports running out once, not per element

    @classmethod
    def from_limits(cls, limits: Optional[Any]) -> "RenderBudget":
        """A budget from a ``{"work": ..., "regex_seconds": ...}`` mapping (or an object with those fields)."""
        if limits is None:
            return cls()
        if isinstance(limits, RenderBudget):
            return limits
        values = dict(limits) if isinstance(limits, Mapping) else {
            k: v for k, v in vars(limits).items() if k in LIMIT_NAMES}
        get = values.get
        unknown = set(values) - set(LIMIT_NAMES)
        if unknown:
            raise ValueError(f"unknown render limits {sorted(unknown)}; known: {sorted(LIMIT_NAMES)}")
        return cls(work=get("work", MAX_RENDER_WORK), regex_seconds=get("regex_seconds", MAX_REGEX_SECONDS))

    def charge(self, n: int) -> None:
        left = self.left - n
        self.left = left
        if left < 0:
            raise ExpressionLimitError(
                f"the render ran out of work budget ({self.work:,} units); "
                "raise it with limits={'work': ...}")

    def spend_regex(self, seconds: float) -> None:
        self.regex_left -= seconds
        if self.regex_left <= 0:
            self.regex_exhausted()

    def regex_exhausted(self) -> None:
        self.regex_left = 0.0
        raise ExpressionLimitError(
            f"regular expressions ran past the render's matching time ({self.regex_seconds:g} s); "
            "simplify the pattern (nested quantifiers backtrack) or raise limits={'regex_seconds': ...}")


class _State(threading.local):
    def __init__(self) -> None:
        # None outside a render or an evaluation: a lone helper call (js_json_stringify from a
        # component, a safe_regex match) then gets a fresh default allowance of its own, so
        # nothing accumulates across renders in a long-running process.
        self.budget: Optional[RenderBudget] = None


_state = _State()


def current() -> RenderBudget:
    """The budget this thread's work is charged to (a fresh default one outside any render)."""
    b = _state.budget
    return b if b is not None else RenderBudget()


class using:
    """``with using(budget):`` makes ``budget`` the current one for this thread."""

    __slots__ = ("budget", "prev")

    def __init__(self, budget: RenderBudget):
        self.budget = budget

    def __enter__(self) -> RenderBudget:
        self.prev = _state.budget
        _state.budget = self.budget
        return self.budget

    def __exit__(self, *exc: Any) -> None:
        _state.budget = self.prev


def _charge(n: int) -> None:
    """Spend ``n`` units of the current render's work budget."""
    current().charge(n)


def _check_str(s: str) -> str:
    if len(s) > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    current().charge(len(s))
    return s


def _check_list(a: list) -> list:
    if len(a) > MAX_ARRAY_ITEMS:
        raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
    current().charge(len(a))
    return a
