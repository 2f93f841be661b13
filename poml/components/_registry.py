"""The component registry: names, aliases, typed parameters, lookup.

A component is a Python function ``fn(props, children, ctx) -> list[node]``
defined with :func:`component` and registered in a :class:`ComponentRegistry`
(an Environment owns one; the built-in one is shared). The registry answers tag lookups the way
the reference does: case-insensitive, with ``kebab-case`` names also tried in
camelCase (``output-format`` == ``OutputFormat`` == ``outputformat``).

Parameters (:class:`Param`) drive attribute casting and validation; each
component's table of parameters, its own plus those inherited from its base
components, is computed once, keyed by the lower-cased name.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from .._names import hyphen_to_camel
from .._once import Once

__all__ = ["Param", "Component", "ComponentRegistry", "component"]


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
        "apply_stylesheet", "public", "_lower_aliases", "_param_map", "cacheable", "module", "registry",
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
        self.module: Optional[str] = None  # the module that defines it (what the built-in registry takes)
        self.registry: Optional["ComponentRegistry"] = None  # the first registry holding it: resolves bases

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
            base = self.registry.by_name(queue[i]) if self.registry is not None else None
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
    """Decorator: ``@component("Task", aliases=["task"], params=[...])`` on ``fn(props, children, ctx)``.

    It only defines the component; a :class:`ComponentRegistry` registers it (the built-in
    one takes every component a built-in module defines, in the order they are defined).
    """

    def deco(fn: RenderFn) -> Component:
        comp = Component(
            name, fn, aliases=aliases, params=params, bases=bases,
            doc=doc if doc is not None else (fn.__doc__ or "").strip(),
            required_props=required, unwanted_props=unwanted,
            apply_stylesheet=apply_stylesheet, public=public, cacheable=cacheable,
        )
        comp.module = getattr(fn, "__module__", None)
        return comp

    return deco


_UNSEEN = object()
_MAX_TAG_SPELLINGS = 4096


def _variants(tag: str) -> tuple[str, str]:
    low = tag.lower()
    return low, hyphen_to_camel(low).lower()


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions): how near a typo is to a name."""
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


def defined_in(module: Any) -> list[Component]:
    """The components a module defines (not those it imports), in the order it defines them."""
    seen: set[int] = set()
    out = []
    for value in vars(module).values():
        if isinstance(value, Component) and value.module == module.__name__ and id(value) not in seen:
            seen.add(id(value))
            out.append(value)
    return out


class ComponentRegistry:
    """The components (and the template layer's tags) one :class:`~poml.Environment` renders with.

    Lookups follow the reference: case-insensitive, ``kebab-case`` also tried as camelCase
    (``output-format`` == ``OutputFormat`` == ``outputformat``). :meth:`builtin` is the
    registry of the built-in components, shared and frozen; :meth:`copy` gives one to extend:

    >>> registry = ComponentRegistry.builtin().copy()
    >>> registry.lookup("output-format").name
    'OutputFormat'
    >>> registry.suggest("tsak")[:1]
    ['task']

    The engine, the language server, ``poml components``, docs/components.md and the
    ``Prompt`` builder all read a registry, so they agree on names, aliases and parameters.
    ``media_loader`` reads ``<img src>``/``<audio src>`` files (set when the data layer loads).
    """

    __slots__ = ("_components", "_language", "_by_alias", "_by_name", "_by_tag", "media_loader", "frozen")

    def __init__(self) -> None:
        self._components: list[Component] = []
        #: Tags of the template layer (``<let>``, ``<include>``...): known to listings and suggestions,
        #: never returned by :meth:`lookup` (the expander consumes them before components are looked up).
        self._language: list[Component] = []
        self._by_alias: dict[str, Component] = {}
        self._by_name: dict[str, Component] = {}
        # Tag spellings as written -> component (or None): each element's lookup is one dict hit.
        self._by_tag: dict[str, Optional[Component]] = {}
        self.media_loader: Optional[Callable] = None
        self.frozen = False

    def __repr__(self) -> str:
        return f"<ComponentRegistry: {len(self._components)} components, {len(self._language)} language tags>"

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def __iter__(self) -> Iterator[Component]:
        return iter(self.components())

    # ------------------------------------------------------------ building
    @classmethod
    def builtin(cls) -> "ComponentRegistry":
        """The built-in components, registered once per process (frozen: :meth:`copy` it to add)."""
        return _BUILTIN.get()

    def copy(self) -> "ComponentRegistry":
        """An unfrozen registry holding the same components, tags and media loader."""
        other = ComponentRegistry()
        other._components = list(self._components)
        other._language = list(self._language)
        other._by_alias = dict(self._by_alias)
        other._by_name = dict(self._by_name)
        other.media_loader = self.media_loader
        return other

    def _check_open(self) -> None:
        if self.frozen:
            raise ValueError("the built-in component registry is shared and frozen: register into "
                             "ComponentRegistry.builtin().copy() and pass it as Environment(components=...)")

    def register(self, comp: Component) -> Component:
        """Add a component; an alias already taken is an error. Returns the component."""
        self._check_open()
        for a in comp.lower_aliases:
            if a in self._by_alias:
                raise ValueError(f'Alias "{a}" is already used by {self._by_alias[a].name}.')
        for a in comp.lower_aliases:
            self._by_alias[a] = comp
        self._by_tag.clear()
        self._by_name[comp.name.lower()] = comp
        self._components.append(comp)
        if comp.registry is None:
            comp.registry = self
        for c in self._components:  # inheritance tables may change when a base arrives
            c._param_map = None
        return comp

    def register_language_tag(self, comp: Component) -> Component:
        """Describe a template-layer tag (listed and suggested, never looked up as a component)."""
        self._check_open()
        if comp.registry is None:
            comp.registry = self
        self._language.append(comp)
        return comp

    # ------------------------------------------------------------ reading
    def lookup(self, tag: str, disabled: frozenset[str] = frozenset()) -> Optional[Component]:
        """The component for a tag name or alias, or None (also None when the alias is disabled)."""
        if not disabled:
            hit = self._by_tag.get(tag, _UNSEEN)
            if hit is _UNSEEN:
                hit = self._alias_lookup(tag, disabled)
                if len(self._by_tag) < _MAX_TAG_SPELLINGS:  # bounded: markup may invent any number of tags
                    self._by_tag[tag] = hit
            return hit
        return self._alias_lookup(tag, disabled)

    def _alias_lookup(self, tag: str, disabled: frozenset[str]) -> Optional[Component]:
        for v in _variants(tag):
            c = self._by_alias.get(v)
            if c is not None and v not in disabled:
                return c
        return None

    def get(self, name: str) -> Component:
        """The component registered under ``name`` (official name or alias); KeyError if none."""
        c = self.lookup(name)
        if c is None:
            raise KeyError(name)
        return c

    def by_name(self, name: str) -> Optional[Component]:
        """The component whose official name is ``name`` (case-insensitive): how bases are resolved."""
        return self._by_name.get(name.lower())

    def components(self, include_internal: bool = False) -> list[Component]:
        """Registered components in registration order (public ones unless ``include_internal``)."""
        return [c for c in self._components if include_internal or c.public]

    def language_tags(self) -> list[Component]:
        """The template layer's tags (``include``, ``let``, ``output-schema``...), described like components."""
        return list(self._language)

    def find(self, name: str) -> Optional[Component]:
        """A public component or a language tag by name or alias (for listings and help), else None."""
        comp = self.lookup(name)
        if comp is not None and comp.public:
            return comp
        variants = _variants(name)
        return next((t for t in self._language if t.lower_aliases & set(variants)), None)

    def suggest(self, tag: str, disabled: frozenset[str] = frozenset()) -> list[str]:
        """Nearest aliases for an unknown tag: the closest one, plus every alias within distance 2."""
        low = tag.lower()
        scored = []
        for c in (*self._components, *self._language):
            for a in c.aliases:
                la = a.lower()
                if la in disabled:
                    continue
                scored.append((levenshtein(la, low), la))
        scored.sort(key=lambda t: t[0])  # stable: registration order among ties
        return [a for i, (d, a) in enumerate(scored) if i < 1 or d <= 2]

    def not_found_message(self, tag: str, disabled: frozenset[str] = frozenset()) -> str:
        """``Component X not found. Do you mean: a, b?`` as the reference words it."""
        return f"Component {tag} not found. Do you mean: {', '.join(self.suggest(tag, disabled))}?"

    def listing(self) -> list[Component]:
        """Public components and language tags by name: what ``poml components`` prints."""
        return sorted([*self.components(), *self._language], key=lambda c: c.name.lower())


# The built-in component modules, in the reference's registration order (suggestions among
# equally close names follow it).
_BUILTIN_MODULES = ("presentation", "essentials", "table", "captions", "instructions", "message")


def _builtin_registry() -> ComponentRegistry:
    from importlib import import_module

    registry = ComponentRegistry()
    for name in _BUILTIN_MODULES:
        for comp in defined_in(import_module(f"{__package__}.{name}")):
            registry.register(comp)
    for tag in import_module(f"{__package__}._language").TAGS:
        registry.register_language_tag(tag)
    try:  # Document, Tree, Folder, Webpage and the src= media loader (light: loaders import lazily)
        data = import_module(f"{__package__}.data")
    except ImportError:  # pragma: no cover - a build without the data layer
        data = None
    if data is not None:
        for comp in defined_in(data):
            registry.register(comp)
        registry.media_loader = data.load_media
    # Every component's output depends only on its props, children, context and the
    # files it reads; reads are stamped (path, mtime, size) while it renders, and a
    # reused output is checked against its stamps first (a network read is never reused).
    for comp in registry.components(include_internal=True):
        comp.cacheable = True
    registry.frozen = True
    return registry


_BUILTIN: "Once[ComponentRegistry]" = Once(_builtin_registry)  # made on first use, once per process


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


def reference_block(comp: Component) -> str:
    """The component's entry in docs/components.md: heading with aliases, description, own attributes, bases."""
    aliases = [a for a in comp.aliases if a != comp.name]
    heading = f"#### `{comp.name}`" + (" (" + ", ".join(f"`{a}`" for a in aliases) + ")" if aliases else "")
    parts = [heading, comp.doc.strip()] if comp.doc.strip() else [heading]
    if comp.params:
        rows = ["| attribute | type | values | default | meaning |", "| --- | --- | --- | --- | --- |"]
        rows += [f"| `{p.name}` | {p.type} | {', '.join(p.choices)} | {p.default if p.default is not None else ''} "
                 f"| {p.description} |" for p in comp.params]
        parts.append("\n".join(rows))
    if comp.bases:
        parts.append("Also takes the attributes of " + ", ".join(f"`{b}`" for b in comp.bases) + ".")
    return "\n\n".join(parts) + "\n"


_BLOCK = re.compile(r"^#### `(\w+)`.*?(?=^#{2,4} |\Z)", re.S | re.M)


def update_reference(text: str, registry: ComponentRegistry) -> str:
    """docs/components.md with every ``#### `Name` `` entry rewritten from ``registry``."""
    def block(m: "re.Match[str]") -> str:
        comp = registry.by_name(m.group(1))
        if comp is None:
            raise ValueError(f"docs describe {m.group(1)}, which the registry does not have")
        return reference_block(comp) + "\n"

    return _BLOCK.sub(block, text)
