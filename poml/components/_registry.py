"""The component registry: names, aliases, typed parameters, lookup.

A component is a Python function ``fn(props, children, ctx) -> list[node]``
registered with :func:`component`. The registry answers tag lookups the way
the reference does: case-insensitive, with ``kebab-case`` names also tried in
camelCase (``output-format`` == ``OutputFormat`` == ``outputformat``).

Parameters (:class:`Param`) drive attribute casting and validation; each
component's table of parameters, its own plus those inherited from its base
components, is computed once, keyed by the lower-cased name.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional, Sequence

__all__ = ["Param", "Component", "component", "lookup", "suggest", "all_components", "get"]


class Param:
    """One documented attribute of a component."""

    __slots__ = ("name", "type", "choices", "default", "required", "fallback_type", "description")

    def __init__(
        self,
        name: str,
        type: str = "string",
        choices: Sequence[str] = (),
        default: Optional[str] = None,
        required: bool = False,
        fallback_type: Optional[str] = None,
        description: str = "",
    ):
        self.name = name
        self.type = type
        self.choices = tuple(choices)
        self.default = default
        self.required = required
        self.fallback_type = fallback_type
        self.description = description

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.type!r})"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "choices": list(self.choices)}
        if self.fallback_type:
            d["fallbackType"] = self.fallback_type
        if self.default is not None:
            d["defaultValue"] = self.default
        d["required"] = self.required
        d["description"] = self.description
        return d


RenderFn = Callable[[dict, list, Any], list]


class Component:
    """A registered component: official name, aliases, parameters and render function."""

    __slots__ = (
        "name", "aliases", "params", "bases", "render", "doc", "required_props", "unwanted_props",
        "apply_stylesheet", "public", "_lower_aliases", "_param_map", "cacheable",
    )

    def __init__(
        self,
        name: str,
        render: RenderFn,
        *,
        aliases: Iterable[str] = (),
        params: Sequence[Param] = (),
        bases: Sequence[str] = (),
        doc: str = "",
        required_props: Sequence[str] = (),
        unwanted_props: Sequence[str] = (),
        apply_stylesheet: bool = True,
        public: bool = True,
        cacheable: bool = False,
    ):
        self.name = name
        al = [a for a in aliases]
        if name not in al:
            al.insert(0, name)
        self.aliases = tuple(al)
        self.params = tuple(params)
        self.bases = tuple(bases)
        self.render = render
        self.doc = doc
        self.required_props = tuple(required_props)
        self.unwanted_props = tuple(unwanted_props)
        self.apply_stylesheet = apply_stylesheet
        self.public = public
        # True when the output depends only on props, children and context (no files,
        # network or clock): the builder may then reuse the IR of an identical use.
        self.cacheable = cacheable
        self._lower_aliases = frozenset(a.lower() for a in self.aliases)
        self._param_map: Optional[dict[str, Param]] = None

    def __repr__(self) -> str:
        return f"<Component {self.name}>"

    @property
    def lower_aliases(self) -> frozenset[str]:
        return self._lower_aliases

    def all_params(self) -> list[Param]:
        """Own parameters followed by those of the base components (breadth first), no duplicates."""
        out = list(self.params)
        if not self.public:
            return out
        seen = {p.name for p in out}
        queue = list(self.bases)
        visited: list[str] = []
        i = 0
        while i < len(queue):
            base = _BY_NAME.get(queue[i].lower())
            i += 1
            if base is None or base.name in visited:
                continue
            visited.append(base.name)
            for p in base.params:
                if p.name not in seen:
                    seen.add(p.name)
                    out.append(p)
            for b in base.bases:
                if b not in queue and b not in visited:
                    queue.append(b)
        return out

    @property
    def param_map(self) -> dict[str, Param]:
        """Lower-cased parameter name -> Param, own and inherited (computed once)."""
        m = self._param_map
        if m is None:
            m = {}
            for p in self.all_params():
                m.setdefault(p.name.lower(), p)
            self._param_map = m
        return m


_COMPONENTS: list[Component] = []
#: Tags of the template layer (``<let>``, ``<include>``...): known to listings and suggestions,
#: never returned by :func:`lookup` (the expander consumes them before components are looked up).
_LANGUAGE: list[Component] = []
_BY_ALIAS: dict[str, Component] = {}
_BY_NAME: dict[str, Component] = {}
_HYPHEN = re.compile(r"-([a-z])")


def register(comp: Component) -> Component:
    for a in comp.lower_aliases:
        if a in _BY_ALIAS:
            raise ValueError(f'Alias "{a}" is already used by {_BY_ALIAS[a].name}.')
    for a in comp.lower_aliases:
        _BY_ALIAS[a] = comp
    _BY_NAME[comp.name.lower()] = comp
    _COMPONENTS.append(comp)
    for c in _COMPONENTS:  # inheritance tables may change when a base arrives
        c._param_map = None
    return comp


def register_language_tag(comp: Component) -> Component:
    _LANGUAGE.append(comp)
    return comp


def component(
    name: str,
    aliases: Iterable[str] = (),
    params: Sequence[Param] = (),
    *,
    bases: Sequence[str] = (),
    required: Sequence[str] = (),
    unwanted: Sequence[str] = (),
    apply_stylesheet: bool = True,
    public: bool = True,
    doc: Optional[str] = None,
    cacheable: bool = False,
) -> Callable[[RenderFn], Component]:
    """Decorator: ``@component("Task", aliases=["task"], params=[...])`` on ``fn(props, children, ctx)``."""

    def deco(fn: RenderFn) -> Component:
        return register(Component(
            name, fn, aliases=aliases, params=params, bases=bases,
            doc=doc if doc is not None else (fn.__doc__ or "").strip(),
            required_props=required, unwanted_props=unwanted,
            apply_stylesheet=apply_stylesheet, public=public, cacheable=cacheable,
        ))

    return deco


def _variants(tag: str) -> tuple[str, str]:
    low = tag.lower()
    return low, _HYPHEN.sub(lambda m: m.group(1).upper(), low).lower()


def lookup(tag: str, disabled: frozenset[str] = frozenset()) -> Optional[Component]:
    """The component for a tag name or alias, or None (also None when the alias is disabled)."""
    for v in _variants(tag):
        c = _BY_ALIAS.get(v)
        if c is not None and v not in disabled:
            return c
    return None


def get(name: str) -> Component:
    """The component registered under ``name`` (official name or alias); KeyError if none."""
    c = lookup(name)
    if c is None:
        raise KeyError(name)
    return c


def _levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(tag: str, disabled: frozenset[str] = frozenset()) -> list[str]:
    """Nearest aliases for an unknown tag: the closest one, plus every alias within distance 2."""
    low = tag.lower()
    scored = []
    for c in (*_COMPONENTS, *_LANGUAGE):
        for a in c.aliases:
            la = a.lower()
            if la in disabled:
                continue
            scored.append((_levenshtein(la, low), la))
    scored.sort(key=lambda t: t[0])  # stable: registration order among ties
    return [a for i, (d, a) in enumerate(scored) if i < 1 or d <= 2]


def not_found_message(tag: str, disabled: frozenset[str] = frozenset()) -> str:
    """``Component X not found. Do you mean: a, b?`` as the reference words it."""
    return f"Component {tag} not found. Do you mean: {', '.join(suggest(tag, disabled))}?"


def all_components(include_internal: bool = False) -> list[Component]:
    """Registered components in registration order (public ones unless ``include_internal``)."""
    return [c for c in _COMPONENTS if include_internal or c.public]


def language_tags() -> list[Component]:
    """The template layer's tags (``include``, ``let``, ``output-schema``...), described like components."""
    return list(_LANGUAGE)


def find(name: str) -> Optional[Component]:
    """A public component or a language tag by name or alias (for listings and help), else None."""
    comp = lookup(name)
    if comp is not None and comp.public:
        return comp
    variants = _variants(name)
    return next((t for t in _LANGUAGE if t.lower_aliases & set(variants)), None)


def summary(comp: Component) -> str:
    """The first sentence of the component's doc string."""
    first = comp.doc.strip().split("\n\n", 1)[0].replace("\n", " ")
    return first.split(". ", 1)[0].rstrip(".") + "." if first else ""


def one_line(comp: Component) -> str:
    """``name (aliases): summary [attr, attr]`` for listings."""
    aliases = ", ".join(a for a in comp.aliases if a.lower() != comp.name.lower())
    params = ", ".join(p.name for p in comp.all_params())
    return (comp.name + (f" ({aliases})" if aliases else "") + (f": {summary(comp)}" if summary(comp) else "")
            + (f" [{params}]" if params else ""))


def describe(comp: Component) -> str:
    """Every detail of one tag: names, description, each attribute with type, choices, default."""
    lines = [comp.name, ""]
    others = [a for a in comp.aliases if a.lower() != comp.name.lower()]
    if others:
        lines += [f"aliases: {', '.join(others)}", ""]
    if comp.doc.strip():
        lines += [comp.doc.strip(), ""]
    params = comp.all_params()
    lines.append("attributes:" if params else "attributes: none")
    for p in params:
        extra = [p.type]
        if p.choices:
            extra.append("one of " + "|".join(p.choices))
        if p.default is not None:
            extra.append(f"default {p.default}")
        if p.required:
            extra.append("required")
        lines.append(f"  {p.name} ({', '.join(extra)})" + (f": {p.description}" if p.description else ""))
    return "\n".join(lines).rstrip()
