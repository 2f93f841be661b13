"""Stylesheets: selector matching and the cascade of props.

A stylesheet is ``{selector: {prop: value}}``. Selectors:

* ``*`` matches every component (priority 0);
* a component name or any of its aliases, case-insensitive (priority 1);
* ``.name`` matches elements whose ``className`` contains ``name`` (priority 2);
* space-separated parts must *all* match the same element (not CSS descendants);
  the priority is the sum of the parts.

Matching rules are applied in order of priority, ties by declaration order, and
the element's own attributes are applied last, so they always win. Values are
deep-merged (objects merge key by key). ``className`` is removed from the props.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

__all__ = ["compute_styles", "deep_merge", "merge_stylesheets", "matching_rules"]


def _is_obj(v: Any) -> bool:
    return type(v) is dict


def deep_merge(target: Any, source: Any) -> Any:
    """Merge ``source`` into a copy of ``target``; nested dicts merge, other values replace."""
    if not (_is_obj(target) and _is_obj(source)):
        return target
    out = dict(target)
    for k, v in source.items():
        if _is_obj(v):
            cur = out.get(k)
            if not cur:
                cur = {}
            out[k] = deep_merge(cur, v) if _is_obj(cur) else v
        else:
            out[k] = v
    return out


def merge_stylesheets(outer: Mapping | None, inner: Mapping | None) -> dict:
    """Nested stylesheet providers: the inner one deep-merges over the outer one."""
    if not outer:
        return dict(inner) if inner else {}
    if not inner:
        return dict(outer)
    return deep_merge(dict(outer), dict(inner))


def _split(sel: str) -> list[str]:
    return sel.split()


class CompiledSheet:
    """A stylesheet's selectors parsed once and indexed by the alias or class they need.

    Matching an element then looks only at the rules that could apply to it (``*``, its
    aliases, its classes) instead of every selector: thousands of selectors over thousands
    of elements stay linear.
    """

    __slots__ = ("star", "by_alias", "by_class", "checked")

    def __init__(self, stylesheet: Mapping):
        self.checked = 0  # rules looked at by matching() so far: the build charges them
        self.star: list[tuple[int, int, Any]] = []
        self.by_alias: dict[str, list] = {}
        self.by_class: dict[str, list] = {}
        for index, (sel, body) in enumerate(stylesheet.items()):
            if sel == "*":
                self.star.append((0, index, body))
                continue
            parts = _split(sel) if isinstance(sel, str) else []
            if not parts:
                continue  # an empty selector splits to [''] in the reference: it never matches
            aliases = [p.lower() for p in parts if not p.startswith(".")]
            classes = [p[1:] for p in parts if p.startswith(".")]
            rule = (index, body, aliases, classes, len(aliases) + 2 * len(classes))
            if aliases:
                self.by_alias.setdefault(aliases[0], []).append(rule)
            else:
                self.by_class.setdefault(classes[0], []).append(rule)

    def matching(self, lower_aliases: Any, class_name: Any) -> list:
        classes = str(class_name).split() if class_name else []
        matches = list(self.star)
        seen: set[int] = set()
        candidates = [r for a in lower_aliases for r in self.by_alias.get(a, ())]
        candidates += [r for c in classes for r in self.by_class.get(c, ())]
        self.checked += len(candidates) + len(matches)
        for index, body, aliases, needed, total in candidates:
            if index in seen:
                continue
            seen.add(index)
            if all(a in lower_aliases for a in aliases) and all(c in classes for c in needed):
                matches.append((total, index, body))
        matches.sort(key=lambda m: (m[0], m[1]))
        return [m[2] for m in matches]


def matching_rules(stylesheet: Mapping, aliases: Iterable[str], class_name: Any,
                   compiled: "CompiledSheet | None" = None) -> list[dict]:
    """The rule bodies of ``stylesheet`` that apply, in cascade order (lowest first)."""
    lower_aliases = aliases if isinstance(aliases, (set, frozenset)) else {a.lower() for a in aliases}
    return (compiled or CompiledSheet(stylesheet)).matching(lower_aliases, class_name)


def compute_styles(props: dict, aliases: Iterable[str], stylesheet: Mapping | None,
                   compiled: "CompiledSheet | None" = None) -> dict:
    """Props after the cascade: matching rules by priority, then the element's own props.

    ``aliases`` are the component's lower-cased aliases (its name included).
    """
    if not stylesheet:
        if "className" in props:
            props = dict(props)
            del props["className"]
        return props
    rules = matching_rules(stylesheet, aliases, props.get("className"), compiled)
    own = props
    if "className" in own:
        own = dict(own)
        del own["className"]
    if not rules:
        return own
    out: dict = {}
    for body in rules:
        if _is_obj(body):
            out = deep_merge(out, body)
    return deep_merge(out, own)
