"""The Environment: one object owns the policy and the caches of rendering.

As in jinja2, an :class:`Environment` holds what every render shares: the allowed roots,
whether the network may be used, strict or lenient mode, the limits, and the caches
(parsed sources, compiled expressions, markup files, file bytes, documents and images derived
from them, built sub-trees, written boxes). A service keeps
one per tenant, the language server one per workspace; :func:`poml.poml` uses a default one.

>>> env = Environment()
>>> env.render("<p>Hello {{ name }}!</p>", context={"name": "World"})
[{'speaker': 'human', 'content': 'Hello World!'}]

Thread-safe: caches are guarded by one lock, and what they hold is immutable (parsed
documents, IR elements) or copied on the way out (written results).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from ._errors import PomlLimitError
from ._limits import MAX_FILE_CACHE_BYTES, MAX_SOURCE_CHARS
from ._once import Once

if TYPE_CHECKING:  # pragma: no cover
    from ._files import FileAccess
    from .syntax import ParsedDocument

PathLike = Union[str, "os.PathLike[str]"]


class _LRU:
    """A small bounded mapping, least recently used out first. Callers hold the lock."""

    __slots__ = ("items", "size")

    def __init__(self, size: int):
        self.items: "OrderedDict[Any, Any]" = OrderedDict()
        self.size = size

    def get(self, key: Any) -> Any:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def clear(self) -> None:
        self.items.clear()


NETWORK_LIMITS = ("network_seconds",)  # one deadline for each URL fetched (connect, redirects, body)


def _checked_limits(limits: Optional[dict]) -> dict:
    from .template.js._budget import LIMIT_NAMES

    values = dict(limits or {})
    unknown = set(values) - set(LIMIT_NAMES) - set(NETWORK_LIMITS)
    if unknown:
        raise ValueError(f"unknown limits {sorted(unknown)}; known: {sorted({*LIMIT_NAMES, *NETWORK_LIMITS})}")
    return values


class Environment:
    """Policy and caches for rendering POML.

    ``roots``: folders markup may read beyond its own folder (the markup file's folder,
    or the current directory for strings, is always allowed). ``allow_network``: whether
    ``<img src="https://...">`` and ``<webpage url>`` may fetch. ``strict``: raise the
    first error (the reference's behaviour) or render as far as possible and report
    diagnostics. ``limits``: overrides of the per-render budget (see ``docs/limits.md``).
    ``cache_size``: how many parsed sources to keep. ``components``: the
    :class:`~poml.components.ComponentRegistry` tags are looked up in (the built-in one by
    default; ``ComponentRegistry.builtin().copy()`` to add your own).
    """

    def __init__(
        self,
        *,
        roots: Optional[Iterable[PathLike]] = None,
        allow_network: bool = False,
        strict: bool = True,
        limits: Optional[dict] = None,
        cache_size: int = 256,
        components: Any = None,
    ):
        from renderers import WriteMemo

        from ._files import ByteCache
        from .components import ComponentRegistry
        from .data._memo import ContentMemo
        from .template._compiled import CompileCache

        self.roots: tuple[str, ...] = tuple(os.fspath(r) for r in roots) if roots else ()
        self.allow_network = bool(allow_network)
        self.strict = bool(strict)
        self.limits: dict = _checked_limits(limits)
        self.cache_size = int(cache_size)
        self.components: ComponentRegistry = components if components is not None else ComponentRegistry.builtin()
        self._lock = threading.RLock()
        self._parsed = _LRU(self.cache_size)
        self._markup_files: dict[str, tuple[int, int, str]] = {}
        self._access = _LRU(256)
        self._bytes = ByteCache(MAX_FILE_CACHE_BYTES)
        self._built: dict = {}
        self._written = WriteMemo()
        self._compiled = CompileCache()
        self._derived = ContentMemo()

    def __repr__(self) -> str:
        return (f"Environment(roots={list(self.roots)!r}, allow_network={self.allow_network}, "
                f"strict={self.strict})")

    # ------------------------------------------------------------ rendering
    def render(self, markup: Any = None, context: Any = None, stylesheet: Any = None, chat: bool = True,
               output_file: Any = None, format: str = "message_dict", encoding: Optional[str] = None,
               extra_args: Optional[list] = None, *, file: Optional[PathLike] = None,
               strict: Optional[bool] = None, guard: Any = None) -> Any:
        """Render markup (or ``file=``) and return it in ``format``; see :func:`poml.poml`."""
        from ._api import render_with

        return render_with(self, markup, context=context, stylesheet=stylesheet, chat=chat,
                           output_file=output_file, format=format, encoding=encoding, extra_args=extra_args,
                           file=file, strict=strict, guard=guard)

    def render_file(self, path: PathLike, context: Any = None, stylesheet: Any = None, **options: Any) -> Any:
        """Render the ``.poml`` file at ``path`` (any name: the path is never taken for markup)."""
        return self.render(None, context, stylesheet, file=path, **options)

    def render_text(self, text: str, *, path: Optional[str] = None, context: Optional[dict] = None,
                    stylesheet: Optional[dict] = None, chat: bool = True, strict: Optional[bool] = None,
                    lenient: Optional[bool] = None) -> Any:
        """Render markup text to a :class:`~poml._api.Rendered` (messages, schema, tools, diagnostics).

        ``strict=False, lenient=False`` renders past problems without repairing them and
        returns every error as a diagnostic (what an editor shows).
        """
        from ._api import render_text_with

        return render_text_with(self, text, path=path, context=context, stylesheet=stylesheet, chat=chat,
                                strict=self.strict if strict is None else strict, lenient=lenient)

    # ------------------------------------------------------------ caches
    def parse(self, text: str) -> "ParsedDocument":
        """The parsed document for ``text``; parsed once per distinct text."""
        from .syntax import parse_markup

        with self._lock:
            doc = self._parsed.get(text)
        if doc is None:
            doc = parse_markup(text)  # outside the lock: parsing is pure, the result immutable
            # but for its ``built`` flag, which only ever goes from False to True
            with self._lock:
                self._parsed.put(text, doc)
        return doc

    def forget_text(self, text: str) -> None:
        """Drop the parse of one text (an editor's superseded version of a document)."""
        with self._lock:
            self._parsed.items.pop(text, None)

    def read_markup_file(self, path: str, encoding: Optional[str] = None) -> str:
        """The text of a markup file, re-read only when its mtime or size changes."""
        from ._text_files import decode_markup_file

        st = os.stat(path)
        with self._lock:
            hit = self._markup_files.get(path)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            return hit[2]
        if st.st_size > MAX_SOURCE_CHARS * 4:
            raise PomlLimitError(f"{path}: the markup file is {st.st_size} bytes; the limit is "
                                 f"{MAX_SOURCE_CHARS} characters.")
        with open(path, "rb") as f:
            data = f.read()
        text = decode_markup_file(data, path, encoding)
        with self._lock:
            if len(self._markup_files) >= self.cache_size:
                self._markup_files.clear()
            self._markup_files[path] = (st.st_mtime_ns, st.st_size, text)
        return text

    def file_access(self, markup_path: Optional[str], roots: Optional[Iterable[PathLike]] = None,
                    allow_network: Optional[bool] = None) -> "FileAccess":
        """The read policy for markup at ``markup_path``: its folder, widened by :attr:`roots`
        (or by ``roots`` given for one call), with the network as :attr:`allow_network` says."""
        from ._files import default_access

        extra = tuple(os.fspath(r) for r in roots) if roots else self.roots
        network = self.allow_network if allow_network is None else bool(allow_network)
        key = (markup_path, os.getcwd() if markup_path is None else None, extra, network)
        with self._lock:
            access = self._access.get(key)
        if access is None:  # resolving roots costs a few realpath calls: once per distinct setting
            access = default_access(markup_path, list(extra) or None, network, cache=self._bytes,
                                    timeout=float(self.limits.get("network_seconds", 10.0)), memo=self._derived)
            with self._lock:
                self._access.put(key, access)
        return access

    @property
    def render_limits(self) -> Optional[dict]:
        """The limits of the per-render budget (work, regex time), None for the defaults."""
        values = {k: v for k, v in self.limits.items() if k not in NETWORK_LIMITS}
        return values or None

    @property
    def build_cache(self) -> dict:
        return self._built

    @property
    def write_memo(self) -> Any:
        return self._written

    @property
    def compile_cache(self) -> Any:
        """Compiled ``{{ }}`` texts and expressions (a :class:`~poml.template._compiled.CompileCache`)."""
        return self._compiled

    def invalidate(self, path: Optional[PathLike] = None) -> None:
        """Forget what is cached about ``path`` (a markup file or a file it reads), or everything.

        Built sub-trees are checked against the files they read on every reuse, so
        only the markup text, the bytes and the ``<let src>`` values read from it need to
        drop the path.
        """
        if path is None:
            self.clear()
            return
        wanted = os.path.abspath(os.fspath(path))
        real = str(Path(wanted).resolve())
        with self._lock:
            self._markup_files.pop(wanted, None)
            with self._bytes.lock:
                for key in [k for k in self._bytes.items if k[0] in (wanted, real)]:
                    self._bytes.total -= len(self._bytes.items.pop(key))
        self._derived.forget_files((wanted, real))

    def clear(self) -> None:
        """Forget every cached parse, compiled text, file, build and write (the next render is cold)."""
        with self._lock:
            self._parsed.clear()
            self._markup_files.clear()
            self._access.clear()
            self._bytes.clear()
            self._built.clear()
            self._written.clear()
            self._compiled.clear()
            self._derived.clear()


_DEFAULT: "Once[Environment]" = Once(Environment)  # the Environment poml.poml uses, made on first use


def default_environment() -> Environment:
    """The shared Environment behind :func:`poml.poml` (default policy: no extra roots, no network)."""
    return _DEFAULT.get()
