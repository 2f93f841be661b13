"""RegExp values and the string methods that take one (replace, match, matchAll, split, search).

Matching runs through :class:`~.._regex.SafeRegex`, so its time is charged to
the render's budget; results are plain arrays (``MatchArray`` carries
``index``/``input``/``groups`` like JavaScript's exec result).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ...._limits import MAX_ARRAY_ITEMS, MAX_STRING_CHARS
from .._budget import MATCH_COST, _charge, _check_list, _check_str
from .._calls import _arg, _call, _is_function
from .._errors import ExpressionError, ExpressionSandboxError
from .._regex import JSRegExp, MatchArray
from .._values import UNDEFINED, _to_integer, js_to_string


def _match_array(m: Any, s: str) -> MatchArray:
    out = MatchArray([m.group(0)] + [UNDEFINED if g is None else g for g in m.groups()])
    out.index = m.start()
    out.input = s
    names = m.re.groupindex
    out.groups = {k: (UNDEFINED if m.group(k) is None else m.group(k)) for k in names} if names else UNDEFINED
    return out


def regexp_exec(r: JSRegExp, s: str) -> Any:
    """``r.exec(s)``: honours and advances ``lastIndex`` for ``g``/``y`` patterns."""
    stateful = "g" in r.flags or "y" in r.flags
    start = int(r.lastIndex) if stateful else 0
    if start > len(s):
        r.lastIndex = 0
        return None
    m = r.safe.match(s, start) if "y" in r.flags else r.safe.search(s, start)
    if m is None:
        if stateful:
            r.lastIndex = 0
        return None
    if stateful:
        r.lastIndex = m.end()
    return _match_array(m, s)


def _all(r: JSRegExp, s: str) -> list:
    """Every match, each charged as it is found (a 5-million-match split stops early)."""
    ms = []
    for m in r.safe.finditer(s):
        _charge(MATCH_COST)
        ms.append(m)
        if len(ms) > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
    return ms


def _expand_template(rep: str, m: Any, s: str) -> str:
    """A replacement string's ``$1 $<name> $& $` $' $$`` patterns for match ``m``."""
    out: list[str] = []
    i, n, ng = 0, len(rep), m.re.groups
    while i < n:
        c = rep[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = rep[i + 1]
        if e == "$":
            out.append("$")
            i += 2
        elif e == "&":
            out.append(m.group(0))
            i += 2
        elif e == "`":
            out.append(s[:m.start()])
            i += 2
        elif e == "'":
            out.append(s[m.end():])
            i += 2
        elif e.isdigit():
            two = rep[i + 1:i + 3]
            if len(two) == 2 and two.isdigit() and 1 <= int(two) <= ng:
                k, i = int(two), i + 3
            elif 1 <= int(e) <= ng:
                k, i = int(e), i + 2
            else:
                out.append("$" + e)
                i += 2
                continue
            out.append(m.group(k) or "")
        elif e == "<" and m.re.groupindex:
            j = rep.find(">", i)
            if j < 0:
                out.append("$<")
                i += 2
                continue
            name = rep[i + 2:j]
            out.append((m.group(name) or "") if name in m.re.groupindex else "")
            i = j + 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _replacer(rep: Any, s: str) -> Callable[[Any], str]:
    if _is_function(rep):
        def call(m: Any) -> str:
            args = [m.group(0)] + [UNDEFINED if g is None else g for g in m.groups()] + [m.start(), s]
            if m.re.groupindex:
                args.append({k: (UNDEFINED if m.group(k) is None else m.group(k)) for k in m.re.groupindex})
            return js_to_string(_call(rep, args))
        return call
    if callable(rep) and not isinstance(rep, (str, list, tuple, dict)):
        raise ExpressionSandboxError("a host function cannot be called in expressions; only built-in methods can")
    text = js_to_string(rep)
    if "$" not in text:
        return lambda m: text
    return lambda m: _expand_template(text, m, s)


def replace(s: str, r: JSRegExp, rep: Any, everything: bool) -> str:
    """``s.replace(r, rep)`` / ``s.replaceAll(r, rep)``."""
    if everything and "g" not in r.flags:
        raise ExpressionError("replaceAll must be called with a global RegExp")
    piece = _replacer(rep, s)
    if "g" in r.flags:
        r.lastIndex = 0
        ms = _all(r, s)
    else:
        m = regexp_exec(r, s)
        ms = [] if m is None else [r.safe.search(s, m.index)]
    out: list[str] = []
    i = total = 0
    for m in ms:
        p = piece(m)
        _charge(len(p))
        out.append(s[i:m.start()])
        out.append(p)
        total += m.start() - i + len(p)
        if total > MAX_STRING_CHARS:
            raise ExpressionSandboxError(f"string longer than {MAX_STRING_CHARS} characters")
        i = m.end()
    out.append(s[i:])
    return _check_str("".join(out))


def match(s: str, r: JSRegExp) -> Any:
    """``s.match(r)``: the exec result, or every matched text with ``g``."""
    if "g" not in r.flags:
        return regexp_exec(r, s)
    r.lastIndex = 0
    ms = _all(r, s)
    return [m.group(0) for m in ms] if ms else None


def match_all(s: str, r: JSRegExp) -> list:
    if "g" not in r.flags:
        raise ExpressionError("String.prototype.matchAll called with a non-global RegExp argument")
    return [_match_array(m, s) for m in _all(r, s)]


def split(s: str, r: JSRegExp, lim: Any) -> list:
    """``s.split(r, limit)`` with JavaScript's rules for empty matches and captures."""
    limit = 2 ** 32 - 1 if lim is UNDEFINED else int(_to_integer(lim)) % (2 ** 32)
    if limit == 0:
        return []
    if not s:
        m = r.safe.fullmatch(s)
        return [] if m is not None else [""]
    out: list = []
    p = 0
    for m in _all(r, s):
        if m.end() == p or m.start() >= len(s) or (m.start() == m.end() and m.start() == 0):
            continue
        out.append(s[p:m.start()])
        out.extend(UNDEFINED if g is None else g for g in m.groups())
        p = m.end()
        if len(out) >= limit:
            return _check_list(out[:limit])
    out.append(s[p:])
    return _check_list(out[:limit])


def search(s: str, r: JSRegExp) -> int:
    m = r.safe.search(s)
    return -1 if m is None else m.start()


def _regexp_ctor(a: list) -> JSRegExp:
    src, flags = _arg(a, 0), _arg(a, 1)
    if type(src) is JSRegExp:
        return JSRegExp(src.source, src.flags if flags is UNDEFINED else js_to_string(flags))
    return JSRegExp("(?:)" if src is UNDEFINED else js_to_string(src), "" if flags is UNDEFINED else js_to_string(flags))


_PROPS: dict[str, Callable[[JSRegExp], Any]] = {
    "source": lambda r: r.source,
    "flags": lambda r: r.flags,
    "global": lambda r: "g" in r.flags,
    "ignoreCase": lambda r: "i" in r.flags,
    "multiline": lambda r: "m" in r.flags,
    "sticky": lambda r: "y" in r.flags,
    "unicode": lambda r: "u" in r.flags,
    "dotAll": lambda r: "s" in r.flags,
    "hasIndices": lambda r: "d" in r.flags,
    "lastIndex": lambda r: r.lastIndex,
}

REGEXP_METHODS: dict[str, Callable[[JSRegExp, list], Any]] = {
    "test": lambda r, a: regexp_exec(r, js_to_string(_arg(a, 0))) is not None,
    "exec": lambda r, a: regexp_exec(r, js_to_string(_arg(a, 0))),
    "toString": lambda r, a: f"/{r.source}/{r.flags}",
}


def regexp_property(r: JSRegExp, name: str) -> Optional[Any]:
    """A RegExp's data property, or ``None`` when it has none of that name."""
    get = _PROPS.get(name)
    return get(r) if get is not None else None


MATCH_PROPS = ("index", "input", "groups")


def match_property(m: MatchArray, name: str) -> Any:
    return {"index": m.index, "input": m.input, "groups": m.groups}[name]


