"""Tokens of an expression: numbers, strings, names, punctuators, template and regex literals.

Tokens are ``(type, value, start, end)`` tuples, scanned lazily so that hostile
input is refused before all of it is tokenized."""

from __future__ import annotations

import re
from typing import Any

from ..._limits import MAX_EXPRESSION_DEPTH
from ._errors import ExpressionSandboxError, ExpressionSyntaxError
from renderers._js import JS_WHITESPACE_CLASS, decimal_value as _parse_decimal, join_surrogate_pairs, normalize as _norm


# --------------------------------------------------------------------------- tokenizer

_TOKEN_RE = re.compile(r"""
 (?P<ws>[""" + JS_WHITESPACE_CLASS + r"""]+)
|(?P<num>0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*|0[oO][0-7]+(?:_[0-7]+)*
   |(?:[0-9]+(?:_[0-9]+)*(?:\.(?:[0-9]+(?:_[0-9]+)*)?)?|\.[0-9]+(?:_[0-9]+)*)(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?)
|(?P<name>(?:[^\W\d]|\$)[\w$\u200c\u200d]*)
|(?P<str>"(?:[^"\\\n\r]|\\[\s\S])*"|'(?:[^'\\\n\r]|\\[\s\S])*')
|(?P<punct>\?\.(?!\d)|\.\.\.|===|!==|>>>=?|<<=|>>=|\*\*=?|[-+*/%&|^=!<>]=|&&=?|\|\|=?|\?\?=?|=>|\+\+|--|<<|>>|[-+*/%<>!?:.,()\[\]{}=&|^~;@#])
""", re.X)
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_IDENT_CHAR = re.compile(r"[\w$]")
_IDENT_RUN = re.compile(r"[\w$]*")
# Words after which a '/' starts a regex literal rather than dividing.
_REGEX_AFTER_WORDS = frozenset({"typeof", "void", "in", "of", "instanceof", "return", "delete", "await",
                                "new", "case", "do", "else", "yield"})
_ESCAPE_RE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": "", "\r": "", "\u2028": "", "\u2029": ""}

# A token: (type, value, start, end). type is 'num' 'str' 'name' 'tmpl' 'eof' or the punctuator.
Token = tuple


def _unescape(body: str, start: int) -> str:
    """Decode the JS escapes of a string literal body (``start``: its offset, for errors)."""
    if "\\" not in body:
        return body

    def repl(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "u" and len(e) > 1:
            cp = int(e[2:-1] if e[1] == "{" else e[1:], 16)
            if cp > 0x10FFFF:
                raise ExpressionSyntaxError("Undefined Unicode code-point", start + m.start(), start + m.end())
            return chr(cp)
        if e[0] == "x" and len(e) == 3:
            return chr(int(e[1:], 16))
        if e in ("u", "x"):
            raise ExpressionSyntaxError("Invalid Unicode escape sequence", start + m.start(), start + m.end())
        return _SIMPLE_ESCAPES.get(e, e)

    return join_surrogate_pairs(_ESCAPE_RE.sub(repl, body))


def _tokenize(text: str, pos: int = 0, in_template: bool = False, nest: int = 0) -> tuple[list, int]:
    """All tokens of ``text`` from ``pos`` and the end offset (used inside template literals)."""
    end: list[int] = [len(text)]
    toks = list(_scan(text, pos, in_template, nest, end))
    return toks, end[0]


class _LazyTokens:
    """Tokens scanned on demand, so hostile input is refused before it is all tokenized."""

    __slots__ = ("_gen", "_toks")

    def __init__(self, gen: Any):
        self._gen = gen
        self._toks: list = []

    def __getitem__(self, i: int) -> Token:
        toks = self._toks
        while len(toks) <= i:
            if toks and toks[-1][0] == "eof":
                return toks[-1]
            toks.append(next(self._gen))
        return toks[i]


def _scan(text: str, pos: int, in_template: bool, nest: int, end_box: list) -> Any:
    """Yield the tokens of ``text`` from ``pos``; in a template ``${`` stops at its closing ``}``."""
    if nest > MAX_EXPRESSION_DEPTH:
        raise ExpressionSandboxError(f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", pos, pos)
    braces = 0
    depth = nest
    n = len(text)
    match = _TOKEN_RE.match
    operand_end = False  # after a value a '/' divides; elsewhere it starts a regex literal
    while pos < n:
        c = text[pos]
        if c == "`":
            tok, pos = _template(text, pos, nest)
            operand_end = True
            yield tok
            continue
        if c == "/" and not operand_end and not text.startswith("//", pos) and not text.startswith("/*", pos):
            tok, pos = _regex_literal(text, pos)
            operand_end = True
            yield tok
            continue
        m = match(text, pos)
        if m is None:
            raise ExpressionSyntaxError("Invalid or unexpected token", pos, pos + 1)
        kind = m.lastgroup
        end = m.end()
        if kind == "ws":
            pos = end
            continue
        v = m.group()
        if kind == "num":
            if end < n and _IDENT_CHAR.match(text, end):
                raise ExpressionSyntaxError("Invalid or unexpected token", pos, end + 1)
            operand_end = True
            yield ("num", _number_literal(v), pos, end)
        elif kind == "name":
            operand_end = v not in _REGEX_AFTER_WORDS
            yield ("name", v, pos, end)
        elif kind == "str":
            operand_end = True
            yield ("str", _unescape(v[1:-1], pos + 1), pos, end)
        else:
            if v in _OPENERS:
                depth += 1
                if depth > MAX_EXPRESSION_DEPTH:  # refuse before tokenizing the rest
                    raise ExpressionSandboxError(
                        f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", pos, end)
            elif v in _CLOSERS:
                depth -= 1
            if in_template:
                if v == "{":
                    braces += 1
                elif v == "}":
                    if braces == 0:
                        end_box[0] = end
                        yield ("eof", None, pos, pos)
                        return
                    braces -= 1
            operand_end = v in _CLOSERS
            yield (v, v, pos, end)
        pos = end
    if in_template:
        raise ExpressionSyntaxError("Unterminated template literal", pos, pos)
    end_box[0] = n
    yield ("eof", None, n, n)


def _regex_literal(text: str, pos: int) -> tuple[Token, int]:
    """A ``/body/flags`` literal at ``pos``: ('regex', (body, flags)); the pattern is checked by the compiler."""
    start = pos
    pos += 1
    n = len(text)
    in_class = False
    while True:
        if pos >= n or text[pos] in "\n\r\u2028\u2029":
            raise ExpressionSyntaxError("Invalid regular expression: missing /", start, pos)
        c = text[pos]
        if c == "\\":
            pos += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            break
        pos += 1
    body = text[start + 1:pos]
    pos += 1
    m = _IDENT_RUN.match(text, pos)
    flags = m.group()
    return ("regex", (body, flags), start, m.end()), m.end()


def _template(text: str, pos: int, nest: int) -> tuple[Token, int]:
    """A template literal starting at the backtick at ``pos``: ('tmpl', (strings, token lists))."""
    start = pos
    pos += 1
    strings: list[str] = []
    subs: list[list] = []
    buf_start = pos
    n = len(text)
    while True:
        if pos >= n:
            raise ExpressionSyntaxError("Unterminated template literal", start, n)
        c = text[pos]
        if c == "\\":
            pos += 2
        elif c == "`":
            strings.append(_unescape(text[buf_start:pos], buf_start))
            return ("tmpl", (strings, subs), start, pos + 1), pos + 1
        elif c == "$" and text.startswith("${", pos):
            strings.append(_unescape(text[buf_start:pos], buf_start))
            toks, pos = _tokenize(text, pos + 2, True, nest + 1)
            subs.append(toks)
            buf_start = pos
        else:
            pos += 1


def _number_literal(v: str) -> float | int:
    v = v.replace("_", "")  # numeric separators (1_000), placed only between digits by _TOKEN_RE
    if v[0] == "0" and len(v) > 2 and v[1] in "xXbBoO":
        return _norm(int(v[2:], {"x": 16, "b": 2, "o": 8}[v[1].lower()]))
    return _parse_decimal(v)
