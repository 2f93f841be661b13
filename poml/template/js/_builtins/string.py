"""String.prototype methods: ``fn(this, args)``; the regex-taking ones defer to :mod:`.regexp`."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable

from ...._limits import MAX_ARRAY_ITEMS, MAX_STRING_CHARS
from .._budget import _check_list, _check_str
from . import regexp as _rx
from .locale import locale_compare
from .._regex import JSRegExp
from .._calls import _arg, _call, _clamp, _is_function, _rel_index
from .._errors import ExpressionError, ExpressionSandboxError
from renderers._js import JS_WHITESPACE as _JS_WS, join_surrogate_pairs

from .._values import UNDEFINED, _INF, _NAN, _to_integer, _to_number, js_number_to_string, js_to_string


# ---- string methods: fn(this, args)

def _s_split(s: str, a: list) -> list:
    sep, lim = _arg(a, 0), _arg(a, 1)
    limit = 2 ** 32 - 1 if lim is UNDEFINED else int(_to_integer(lim)) % (2 ** 32)
    if sep is UNDEFINED:
        out = [s]
    else:
        sep = js_to_string(sep)
        pieces = len(s) if sep == "" else s.count(sep) + 1
        if min(pieces, limit) > MAX_ARRAY_ITEMS:  # refuse before building the list
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        out = list(s) if sep == "" else s.split(sep)
    return _check_list(out[:limit])


def _s_pad(s: str, a: list, start: bool) -> str:
    target = _to_integer(_arg(a, 0))
    fill = " " if _arg(a, 1) is UNDEFINED else js_to_string(_arg(a, 1))
    if target <= len(s) or fill == "":
        return s
    if target > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    need = int(target) - len(s)
    pad = (fill * (need // len(fill) + 1))[:need]
    return _check_str(pad + s if start else s + pad)


def _s_repeat(s: str, a: list) -> str:
    n = _to_integer(_arg(a, 0))
    if n < 0 or n == _INF:
        raise ExpressionError(f"Invalid count value: {js_number_to_string(n)}")
    if len(s) * n > MAX_STRING_CHARS:
        raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
    return _check_str(s * int(n))


def _expand(rep: Any, match: str, pos: int, s: str) -> str:
    if not _is_function(rep) and callable(rep) and not isinstance(rep, (str, list, tuple, dict)):
        raise ExpressionSandboxError(
            "a host function cannot be called in expressions; only built-in methods can")
    if _is_function(rep):
        return js_to_string(_call(rep, [match, pos, s]))
    rep = js_to_string(rep)
    if "$" not in rep:
        return rep
    return re.sub(r"\$([$&`'])", lambda m: {"$": "$", "&": match, "`": s[:pos],
                                             "'": s[pos + len(match):]}[m.group(1)], rep)


def _s_replace(s: str, a: list, everything: bool) -> str:
    pat, rep = js_to_string(_arg(a, 0)), _arg(a, 1)
    if isinstance(rep, str) and "$`" not in rep and "$'" not in rep:
        # the replacement does not depend on the position: let str.replace do the work
        piece = _expand(rep, pat, 0, s)
        count = (s.count(pat) if pat else len(s) + 1) if everything else (1 if pat in s else 0)
        if len(s) + count * (len(piece) - len(pat)) > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        return _check_str(s.replace(pat, piece, -1 if everything else 1))
    out: list[str] = []
    i = 0
    total = 0
    while True:
        j = s.find(pat, i) if not (pat == "" and i > len(s)) else -1
        if j < 0:
            break
        piece = _expand(rep, pat, j, s)
        out.append(s[i:j])
        out.append(piece)
        total += j - i + len(piece)
        if total > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        if not everything:
            i = j + len(pat)
            break
        if pat == "":
            out.append(s[j:j + 1])
            i = j + 1
        else:
            i = j + len(pat)
        if pat == "" and i > len(s):
            break
    if i <= len(s):
        out.append(s[i:])
    return _check_str("".join(out))


def _s_substring(s: str, a: list) -> str:
    n = len(s)
    x = _clamp(_arg(a, 0), n)
    y = n if _arg(a, 1) is UNDEFINED else _clamp(_arg(a, 1), n)
    return s[min(x, y):max(x, y)]


def _s_substr(s: str, a: list) -> str:
    n = len(s)
    x = _rel_index(_arg(a, 0), n, 0)
    ln = n - x if _arg(a, 1) is UNDEFINED else min(max(_to_integer(_arg(a, 1)), 0), n - x)
    return s[x:x + int(ln)]


def _s_at(s: Any, a: list) -> Any:
    i = _to_integer(_arg(a, 0))
    if i < 0:
        i += len(s)
    return s[int(i)] if 0 <= i < len(s) else UNDEFINED


def _s_index_of(s: str, a: list) -> int:
    return s.find(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s)))


def _s_last_index_of(s: str, a: list) -> int:
    sub = js_to_string(_arg(a, 0))
    p = _to_number(_arg(a, 1))
    end = len(s) if p != p else _clamp(p, len(s))
    return s.rfind(sub, 0, end + len(sub))


def _s_char_at(s: str, a: list) -> str:
    i = _to_integer(_arg(a, 0))
    return s[int(i)] if 0 <= i < len(s) else ""


def _s_char_code_at(s: str, a: list) -> Any:
    i = _to_integer(_arg(a, 0))
    return ord(s[int(i)]) if 0 <= i < len(s) else _NAN


def _s_code_point_at(s: str, a: list) -> Any:
    i = _to_integer(_arg(a, 0))
    return ord(s[int(i)]) if 0 <= i < len(s) else UNDEFINED


def _s_normalize(s: str, a: list) -> str:
    form = "NFC" if _arg(a, 0) is UNDEFINED else js_to_string(a[0])
    if form not in ("NFC", "NFD", "NFKC", "NFKD"):
        raise ExpressionError("The normalization form should be one of NFC, NFD, NFKC, NFKD.")
    return _check_str(unicodedata.normalize(form, s))


def _from_char_code(a: list) -> str:
    """``String.fromCharCode``: UTF-16 code units; a surrogate pair becomes its one character."""
    return join_surrogate_pairs("".join(chr(_uint16(_to_number(x))) for x in _check_list(list(a))))


def _uint16(n: Any) -> int:
    return 0 if n != n or n in (_INF, -_INF) else int(n) % 0x10000  # ToUint16: truncate, wrap


def _from_code_point(a: list) -> str:
    out = []
    for x in _check_list(list(a)):
        n = _to_number(x)
        if n != n or n in (_INF, -_INF) or n != int(n) or not 0 <= n <= 0x10FFFF:
            raise ExpressionError(f"Invalid code point {js_to_string(x)}")
        out.append(chr(int(n)))
    return "".join(out)


def _as_regexp(v: Any, flags: str) -> JSRegExp:
    """A string argument of match/matchAll/search is a pattern, as in ``new RegExp(v)``."""
    if type(v) is JSRegExp:
        return v
    return JSRegExp("(?:)" if v is UNDEFINED else js_to_string(v), flags)


_STR_METHODS: dict[str, Callable[[str, list], Any]] = {
    "toUpperCase": lambda s, a: s.upper(),
    "toLowerCase": lambda s, a: s.lower(),
    "toLocaleUpperCase": lambda s, a: s.upper(),
    "toLocaleLowerCase": lambda s, a: s.lower(),
    "trim": lambda s, a: s.strip(_JS_WS),
    "trimStart": lambda s, a: s.lstrip(_JS_WS),
    "trimEnd": lambda s, a: s.rstrip(_JS_WS),
    "split": lambda s, a: _rx.split(s, a[0], _arg(a, 1)) if a and type(a[0]) is JSRegExp else _s_split(s, a),
    "slice": lambda s, a: s[_rel_index(_arg(a, 0), len(s), 0):_rel_index(_arg(a, 1), len(s), len(s))],
    "substring": _s_substring,
    "substr": _s_substr,
    "includes": lambda s, a: s.find(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s))) >= 0,
    "indexOf": _s_index_of,
    "lastIndexOf": _s_last_index_of,
    "startsWith": lambda s, a: s.startswith(js_to_string(_arg(a, 0)), _clamp(_arg(a, 1), len(s))),
    "endsWith": lambda s, a: s.endswith(
        js_to_string(_arg(a, 0)), 0, len(s) if _arg(a, 1) is UNDEFINED else _clamp(_arg(a, 1), len(s))),
    "replace": lambda s, a: _rx.replace(s, a[0], _arg(a, 1), False) if a and type(a[0]) is JSRegExp
    else _s_replace(s, a, False),
    "replaceAll": lambda s, a: _rx.replace(s, a[0], _arg(a, 1), True) if a and type(a[0]) is JSRegExp
    else _s_replace(s, a, True),
    "match": lambda s, a: _rx.match(s, _as_regexp(_arg(a, 0), "")),
    "matchAll": lambda s, a: _rx.match_all(s, _as_regexp(_arg(a, 0), "g")),
    "search": lambda s, a: _rx.search(s, _as_regexp(_arg(a, 0), "")),
    "padStart": lambda s, a: _s_pad(s, a, True),
    "padEnd": lambda s, a: _s_pad(s, a, False),
    "repeat": _s_repeat,
    "charAt": _s_char_at,
    "charCodeAt": _s_char_code_at,
    "codePointAt": _s_code_point_at,
    "normalize": _s_normalize,
    "localeCompare": locale_compare,
    "concat": lambda s, a: _check_str(s + "".join(js_to_string(x) for x in a)),
    "at": _s_at,
    "toString": lambda s, a: s,
    "valueOf": lambda s, a: s,
}
