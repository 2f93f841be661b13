"""A YAML emitter that prints what js-yaml's ``dump`` prints (block style, indent 2).

PyYAML's output differs in quoting, folding and list indentation, so the small
subset we need (mappings, sequences, scalars from JSON data) is emitted here
following js-yaml's documented rules: plain scalars when unambiguous, single
quotes otherwise, double quotes for unprintable text, ``|`` literal blocks for
multi-line text and ``>`` folded blocks for lines over the width.

>>> dump({"hello": "world", "foo": [123, False]})
'hello: world\\nfoo:\\n  - 123\\n  - false\\n'
"""

from __future__ import annotations

import math
import re
from typing import Any

from ._js import UNDEFINED, format_number, js_ordered, js_string

_DEPRECATED_BOOLS = frozenset("y Y yes Yes YES on On ON n N no No NO off Off OFF".split())
_BASE60 = re.compile(r"[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?")
_NULL = frozenset(["~", "null", "Null", "NULL"])
_BOOL = frozenset(["true", "True", "TRUE", "false", "False", "FALSE"])
_FLOAT = re.compile(
    r"(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?"
)
_ESCAPES = {0x00: "\\0", 0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f",
            0x0D: "\\r", 0x1B: "\\e", 0x22: '\\"', 0x5C: "\\\\", 0x85: "\\N", 0xA0: "\\_",
            0x2028: "\\L", 0x2029: "\\P"}
_NOT_PLAIN_FIRST = frozenset(map(ord, "-?:,[]{}#&*!|=>'\"%@`"))


def _is_int(s: str) -> bool:
    """js-yaml's implicit integer check (decimal, 0b, 0x, 0o, with underscores)."""
    i, n = 0, len(s)
    if not n:
        return False
    if s[0] in "+-":
        i = 1
    if i < n and s[i] == "0":
        if i + 1 == n:
            return True
        i += 1
        base = {"b": "01", "x": "0123456789abcdefABCDEF", "o": "01234567"}.get(s[i])
        if base is not None:
            digits = False
            last = s[i]
            for ch in s[i + 1:]:
                last = ch
                if ch == "_":
                    continue
                if ch not in base:
                    return False
                digits = True
            return digits and last != "_"
    if i < n and s[i] == "_":
        return False
    digits = False
    last = ""
    for ch in s[i:]:
        last = ch
        if ch == "_":
            continue
        if not ("0" <= ch <= "9"):
            return False
        digits = True
    return digits and last != "_"


def _ambiguous(s: str) -> bool:
    """Would a YAML reader take this plain text for something other than a string?"""
    return (s in _NULL or s in _BOOL or _is_int(s)
            or (_FLOAT.fullmatch(s) is not None and not s.endswith("_"))
            or _DATE.fullmatch(s) is not None or _TIMESTAMP.fullmatch(s) is not None or s == "<<")


def _printable(c: int) -> bool:
    return (0x20 <= c <= 0x7E or (0xA1 <= c <= 0xD7FF and c not in (0x2028, 0x2029))
            or (0xE000 <= c <= 0xFFFD and c != 0xFEFF) or 0x10000 <= c <= 0x10FFFF)


def _printable_or_tab(c: int) -> bool:
    # js-yaml 4.1.0 (the reference's version) sends text with tabs or CR to
    # double quotes; later js-yaml releases allow them in other styles.
    return _printable(c)


def _ns_or_white(c: int) -> bool:
    return _printable(c) and c not in (0xFEFF, 0x0D, 0x0A)


def _white(c: Any) -> bool:
    return c == 0x20 or c == 0x09


def _plain_safe(c: int, prev: Any, inblock: bool) -> bool:
    c_ns_white = _ns_or_white(c)
    c_ns = c_ns_white and not _white(c)
    base = c_ns_white if inblock else (c_ns_white and c not in (0x2C, 0x5B, 0x5D, 0x7B, 0x7D))
    return ((base and c != 0x23 and not (prev == 0x3A and not c_ns))
            or (prev is not None and _ns_or_white(prev) and not _white(prev) and c == 0x23)
            or (prev == 0x3A and c_ns))


PLAIN, SINGLE, LITERAL, FOLDED, DOUBLE = range(5)


def _choose_style(s: str, single_line: bool, indent_per_level: int, width: int, inblock: bool) -> int:
    first, last = ord(s[0]), ord(s[-1])
    plain = (_printable(first) and first != 0xFEFF and not _white(first) and first not in _NOT_PLAIN_FIRST
             and not _white(last) and last != 0x3A)
    has_break = False
    foldable = False
    prev = None
    prev_break = -1
    i = 0
    if single_line:
        for ch in s:
            c = ord(ch)
            if not _printable_or_tab(c):
                return DOUBLE
            plain = plain and _plain_safe(c, prev, inblock)
            prev = c
    else:
        for i, ch in enumerate(s):
            c = ord(ch)
            if c == 0x0A:
                has_break = True
                foldable = foldable or (i - prev_break - 1 > width and s[prev_break + 1] != " ")
                prev_break = i
            elif not _printable_or_tab(c):
                return DOUBLE
            plain = plain and _plain_safe(c, prev, inblock)
            prev = c
        n = len(s)
        foldable = foldable or (n - prev_break - 1 > width and s[prev_break + 1] != " ")
    if not has_break and not foldable:
        return PLAIN if plain and not _ambiguous(s) else SINGLE
    if indent_per_level > 9 and re.match(r"\n* ", s):
        return DOUBLE
    return FOLDED if foldable else LITERAL


def _indent_lines(s: str, spaces: int) -> str:
    pad = " " * spaces
    out = []
    for line in _split_lf(s):
        if line and line != "\n":
            out.append(pad)
        out.append(line)
    return "".join(out)


def _split_lf(s: str) -> list:
    parts = s.split("\n")
    res = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        res.append(parts[-1])
    return res


def _block_header(s: str, indent: int) -> str:
    indicator = str(indent) if re.match(r"\n* ", s) else ""
    clip = s.endswith("\n")
    keep = clip and (s[-2:-1] == "\n" or s == "\n")
    return indicator + ("+" if keep else "" if clip else "-") + "\n"


def _drop_newline(s: str) -> str:
    return s[:-1] if s.endswith("\n") else s


def _fold_line(line: str, width: int) -> str:
    if line == "" or line[0] == " ":
        return line
    result = []
    start = curr = 0
    for m in re.finditer(r" [^ ]", line):
        nxt = m.start()
        if nxt - start > width:
            end = curr if curr > start else nxt
            result.append(line[start:end])
            start = end + 1
        curr = nxt
    if len(line) - start > width and curr > start:
        result.append(line[start:curr])
        result.append(line[curr + 1:])
    else:
        result.append(line[start:])
    return "\n".join(result)


def _fold(s: str, width: int) -> str:
    first_lf = s.find("\n")
    first_lf = len(s) if first_lf == -1 else first_lf
    result = _fold_line(s[:first_lf], width)
    prev_more = s[:1] in ("\n", " ")
    for m in re.finditer(r"(\n+)([^\n]*)", s[first_lf:]):
        prefix, line = m.group(1), m.group(2)
        more = line[:1] == " "
        result += prefix + ("\n" if not prev_more and not more and line != "" else "") + _fold_line(line, width)
        prev_more = more
    return result


def _escape_double(s: str) -> str:
    out = []
    for ch in s:
        c = ord(ch)
        esc = _ESCAPES.get(c)
        if esc is None and _printable(c):
            out.append(ch)
        elif esc is not None:
            out.append(esc)
        elif c <= 0xFF:
            out.append("\\x%02X" % c)
        elif c <= 0xFFFF:
            out.append("\\u%04X" % c)
        else:
            out.append("\\U%08X" % c)
    return "".join(out)


class _Dumper:
    def __init__(self, indent: int = 2, line_width: int = 80):
        self.indent = max(1, indent or 2)
        self.line_width = line_width

    def scalar(self, s: str, level: int, iskey: bool, inblock: bool) -> str:
        if not s:
            return "''"
        if s in _DEPRECATED_BOOLS or _BASE60.fullmatch(s):
            return "'" + s + "'"
        indent = self.indent * max(1, level)
        width = -1 if self.line_width == -1 else max(min(self.line_width, 40), self.line_width - indent)
        style = _choose_style(s, iskey, self.indent, width if width != -1 else 10 ** 9, inblock)
        if style == PLAIN:
            return s
        if style == SINGLE:
            return "'" + s.replace("'", "''") + "'"
        if style == LITERAL:
            return "|" + _block_header(s, self.indent) + _drop_newline(_indent_lines(s, indent))
        if style == FOLDED:
            return ">" + _block_header(s, self.indent) + _drop_newline(_indent_lines(_fold(s, width), indent))
        return '"' + _escape_double(s) + '"'

    def node(self, v: Any, level: int, block: bool, compact: bool, iskey: bool = False) -> Any:
        """Dump ``v``; ``None`` means "skip" (JavaScript ``undefined``)."""
        if v is UNDEFINED:
            return None
        if self.indent != 2 and level > 0:
            compact = False
        if isinstance(v, dict):
            if not v:
                return "{}"
            return self.mapping(js_ordered(v), level, compact)
        if isinstance(v, (list, tuple)):
            if not v:
                return "[]"
            return self.sequence(v, level, compact)
        if isinstance(v, str):
            return self.scalar(v, level, iskey, block)
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            if math.isnan(v):
                return ".nan"
            if math.isinf(v):
                return ".inf" if v > 0 else "-.inf"
            if v == 0 and math.copysign(1.0, v) < 0:
                return "-0.0"
            res = format_number(v)
            return re.sub(r"^([-+]?[0-9]+)e", r"\1.e", res) if not v.is_integer() else res
        return self.scalar(js_string(v), level, iskey, block)

    def _newline(self, level: int) -> str:
        return "\n" + " " * (self.indent * level)

    def mapping(self, d: dict, level: int, compact: bool) -> str:
        out = []
        for k, v in d.items():
            key = self.node(k if isinstance(k, str) else js_string(k), level + 1, True, True, True)
            val = self.node(v, level + 1, True, False)
            if key is None or val is None:
                continue
            buf = self._newline(level) if (not compact or out) else ""
            if len(key) > 1024:
                buf += "? " + key + self._newline(level)
            else:
                buf += key
            buf += (":" if val.startswith("\n") else ": ") + val
            out.append(buf)
        return "".join(out) or "{}"

    def sequence(self, xs: Any, level: int, compact: bool) -> str:
        out = []
        for x in xs:
            val = self.node(x, level + 1, True, True)
            if val is None:
                val = "null"
            buf = self._newline(level) if (not compact or out) else ""
            buf += ("-" if val.startswith("\n") else "- ") + val
            out.append(buf)
        return "".join(out) or "[]"


def dump(value: Any, indent: int = 2) -> str:
    """``js-yaml.dump(value, {indent})`` (ends with a newline)."""
    d = _Dumper(indent)
    res = d.node(value, 0, True, True)
    return "" if res is None else res + "\n"
