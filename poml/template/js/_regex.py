"""JavaScript regular expressions on the ``regex`` engine, never backtracking unboundedly.

A JS pattern is translated to the ``regex`` module's syntax where the two
differ (``\\d``/``\\w`` are ASCII in JS, ``.`` stops at ``\\r`` and the line
separators too, ``$`` without ``m`` is only the end of input, ``[^]``,
``\\k<name>``, ``\\cX``, ``\\u{...}``), and every match runs with a timeout
taken from the render's budget (:mod:`._budget`): a catastrophic pattern such
as ``(a|a)+$`` stops with a :class:`ExpressionLimitError` instead of hanging.

This is also the one safe way for other markup-supplied patterns (``<folder
filter>``) to run::

    >>> r = safe_regex(r"^(\\d+)-(\\w+)$")
    >>> r.search("12-ab").groups()
    ('12', 'ab')
    >>> safe_regex("(a|a)+$", timeout=0.05).search("a" * 40 + "!")
    Traceback (most recent call last):
    ...
    poml.template.js._errors.ExpressionLimitError: regular expressions ran past the render's matching time (0.05 s); simplify the pattern (nested quantifiers backtrack) or raise limits={'regex_seconds': ...}
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, Iterator, Optional

import regex

from renderers._js import JS_WHITESPACE_CLASS

from ._budget import RenderBudget, current
from ._errors import ExpressionSyntaxError

JS_FLAGS = frozenset("dgimsuyv")
_DOT = "[^\\n\\r\\u2028\\u2029]"
# \s is JavaScript's whitespace set (the regex module's \s adds U+0085 and lacks U+FEFF).
_CLASS_ESC = {"d": "0-9", "w": "A-Za-z0-9_", "s": JS_WHITESPACE_CLASS}
_ESC_OUT = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]",
            "s": "[" + JS_WHITESPACE_CLASS + "]", "S": "[^" + JS_WHITESPACE_CLASS + "]"}


def translate(source: str, flags: str = "") -> str:
    """The ``regex``-module pattern that matches what the JS pattern ``/source/flags`` matches."""
    out: list[str] = []
    i, n = 0, len(source)
    in_class = False
    dotall = "s" in flags
    multiline = "m" in flags
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            e = source[i + 1]
            i += 2
            if e in _ESC_OUT:
                if in_class:
                    out.append(_CLASS_ESC.get(e, "\\" + e))
                else:
                    out.append(_ESC_OUT[e])
            elif e == "k" and source.startswith("<", i):
                j = source.find(">", i)
                if j < 0:
                    raise ExpressionSyntaxError(f"Invalid regular expression: /{source}/: Invalid named reference")
                out.append(f"(?P={source[i + 1:j]})")
                i = j + 1
            elif e == "c" and i < n and source[i].isalpha():
                out.append("\\x%02x" % (ord(source[i]) % 32))
                i += 1
            elif e == "u" and source.startswith("{", i):
                j = source.find("}", i)
                if j < 0:
                    raise ExpressionSyntaxError(f"Invalid regular expression: /{source}/: Invalid Unicode escape")
                out.append("\\U%08x" % int(source[i + 1:j] or "0", 16))
                i = j + 1
            elif e == "0" and not (i < n and source[i].isdigit()):
                out.append("\\x00")
            elif e == "/":
                out.append("/")
            elif e == "-" and in_class:
                out.append("\\-")
            else:
                out.append("\\" + e)
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                c = "\\["  # a literal in JS classes; the regex module could read it as a nested set
            out.append(c)
        elif c == "[":
            if source.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if source.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(c)
            if source.startswith("[^", i):
                out.append("^")
                i += 1
        elif c == "." and not dotall:
            out.append(_DOT)
        elif c == "$" and not multiline:
            out.append("(?!.|\\n)" if dotall else "\\Z")
        elif c == "(" and source.startswith("(?<", i) and i + 3 < n and source[i + 3] not in "=!":
            out.append("(?P<")  # named group
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def _compile(source: str, flags: str) -> Any:
    bad = set(flags) - JS_FLAGS
    if bad or len(set(flags)) != len(flags):
        raise ExpressionSyntaxError(f"Invalid regular expression flags '{flags}'")
    opts = regex.V0
    if "i" in flags:
        opts |= regex.IGNORECASE
    if "m" in flags:
        opts |= regex.MULTILINE
    if "s" in flags:
        opts |= regex.DOTALL
    try:
        return regex.compile(translate(source, flags), opts)
    except (regex.error, ValueError, OverflowError) as err:
        raise ExpressionSyntaxError(f"Invalid regular expression: /{source}/: {err}") from None


class SafeRegex:
    """A compiled JS pattern whose every operation is timed against a :class:`RenderBudget`.

    ``budget`` is fixed when given; otherwise the current render's budget is
    used (a lone ``timeout`` makes a private one).
    """

    __slots__ = ("source", "flags", "pattern", "_budget")

    def __init__(self, source: str, flags: str = "", *, budget: Optional[RenderBudget] = None):
        self.source = source
        self.flags = flags
        self.pattern = _compile(source, flags)
        self._budget = budget

    @property
    def groups(self) -> int:
        return self.pattern.groups

    @property
    def group_names(self) -> dict:
        return self.pattern.groupindex

    def _run(self, op: Callable[..., Any], *args: Any) -> Any:
        b = self._budget if self._budget is not None else current()
        left = b.regex_left
        if left <= 0:
            b.regex_exhausted()
        t0 = time.perf_counter()
        try:
            return op(*args, timeout=left)
        except TimeoutError:
            b.regex_exhausted()
        finally:
            b.regex_left -= time.perf_counter() - t0

    def search(self, text: str, pos: int = 0) -> Any:
        return self._run(self.pattern.search, text, pos)

    def match(self, text: str, pos: int = 0) -> Any:
        """Anchored at ``pos`` (the ``y`` flag)."""
        return self._run(self.pattern.match, text, pos)

    def fullmatch(self, text: str) -> Any:
        return self._run(self.pattern.fullmatch, text)

    def finditer(self, text: str) -> Iterator[Any]:
        """The matches one by one, each search timed against what is left of the allowance."""
        pos, n = 0, len(text)
        while pos <= n:
            m = self._run(self.pattern.search, text, pos)
            if m is None:
                return
            yield m
            pos = m.end() if m.end() > m.start() else m.end() + 1


def safe_regex(pattern: str, flags: str = "", *, timeout: Optional[float] = None,
               budget: Optional[RenderBudget] = None) -> SafeRegex:
    """A :class:`SafeRegex` for a pattern written in JavaScript syntax (e.g. from markup).

    ``timeout`` gives it its own matching-time allowance; otherwise it spends from
    ``budget`` or the current render's budget. Raises ``ExpressionSyntaxError`` for
    an invalid pattern and ``ExpressionLimitError`` when matching runs out of time.
    """
    if budget is None and timeout is not None:
        budget = RenderBudget(regex_seconds=timeout)
    return SafeRegex(pattern, flags, budget=budget)


class JSRegExp:
    """A RegExp value in expressions: ``/src/flags`` (a fresh one per evaluation, as in JS)."""

    __slots__ = ("source", "flags", "safe", "lastIndex")

    def __init__(self, source: str, flags: str = ""):
        self.source = source
        self.safe = SafeRegex(source, flags)  # validates the flags first
        self.flags = "".join(sorted(flags, key="dgimsuvy".index))
        self.lastIndex = 0

    def __repr__(self) -> str:
        return f"/{self.source}/{self.flags}"


class MatchArray(list):
    """``RegExp.prototype.exec``'s result: an array with ``index``, ``input`` and ``groups``."""

    __slots__ = ("index", "input", "groups")
