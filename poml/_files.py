"""The file-access policy: every path that markup names is checked here.

Markup, context and stylesheets may come from untrusted users, so a path in
``<document src>``, ``<table src>``, ``<img src>``, ``<let src>``, ``<include>``,
``<folder src>`` or ``<webpage src>`` is only read when, after resolving ``..``
and symlinks, it lies inside one of the allowed roots. By default the root is
the markup file's folder (or the current directory for markup given as a
string); ``poml.poml(..., roots=[...])`` widens it.

URLs (``http://``, ``https://``) are refused unless the caller allowed the
network. ``file://`` URLs are treated as paths under the same rule; any other
``scheme://`` is refused.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> access = FileAccess([d])
>>> access.resolve("a.txt", d) == Path(os.path.realpath(d)) / "a.txt"
True
>>> try:
...     access.resolve("../x", d)
... except PomlPathError as e:
...     print("refused")
refused
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence, Union
from urllib.parse import unquote, urlparse

from ._errors import PomlFileError, PomlLimitError, PomlPathError
from ._limits import MAX_FILE_BYTES, MAX_SOURCE_CHARS

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["FileAccess", "is_url", "default_access"]

_URL_RE = re.compile(r"^https?://", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(//|[^\\/])")
_FILE_URL_RE = re.compile(r"^file:", re.IGNORECASE)


def is_url(text: str) -> bool:
    """True for ``http://`` and ``https://`` addresses (what the reference fetches)."""
    return bool(_URL_RE.match(text.strip()))


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _outside(shown: str, what: str = "Path") -> PomlPathError:
    # Name the path as the markup wrote it: the resolved path and the roots would tell an
    # untrusted author how the server's disk is laid out (/proc/self/cwd, /proc/self/exe ...).
    return PomlPathError(
        f'{what} "{_short(shown)}" is outside the folders this prompt may read. '
        "To allow another folder, add it to the allowed roots (roots=[...] in Python, --root DIR on the command line)."
    )


class ByteCache:
    """Bytes of files read, keyed by (resolved path, mtime_ns, size); bounded by total size."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.total = 0
        self.items: "OrderedDict[tuple[str, int, int], bytes]" = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, int, int]) -> Optional[bytes]:
        with self.lock:
            data = self.items.get(key)
            if data is not None:
                self.items.move_to_end(key)
            return data

    def put(self, key: tuple[str, int, int], data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self.lock:
            # Drop older versions of the same file.
            for old in [k for k in self.items if k[0] == key[0] and k != key]:
                self.total -= len(self.items.pop(old))
            if key in self.items:
                return
            self.items[key] = data
            self.total += len(data)
            while self.total > self.max_bytes and self.items:
                _, dropped = self.items.popitem(last=False)
                self.total -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.total = 0


# ------------------------------------------------------------ read stamps
# While a component renders under ``recording()``, every file or folder it
# reads leaves a stamp (path, mtime, size). The builder keeps the stamps with the
# component's cached output and reuses it only while all stamps still hold.
_STAMPS = threading.local()


@contextlib.contextmanager
def recording() -> Iterator[list]:
    """Collect stamps of what is read inside the ``with`` block (nested blocks see inner reads too)."""
    stack = getattr(_STAMPS, "stack", None)
    if stack is None:
        stack = _STAMPS.stack = []
    reads: list = []
    stack.append(reads)
    try:
        yield reads
    finally:
        stack.pop()


def _stamp(stamp: tuple) -> None:
    stack = getattr(_STAMPS, "stack", None)
    if stack:
        for reads in stack:
            reads.append(stamp)


def record_stamps(stamps: Iterable[tuple]) -> None:
    """Record earlier reads again: a reused output's files count for the enclosing recordings."""
    for stamp in stamps:
        _stamp(stamp)


def stamps_hold(stamps: Iterable[tuple]) -> bool:
    """True while every recorded file and folder is unchanged (a network read never holds)."""
    for stamp in stamps:
        kind = stamp[0]
        if kind == "net":
            return False
        try:
            st = os.stat(stamp[1])
        except OSError:
            return False
        if kind == "f":
            if st.st_mtime_ns != stamp[2] or st.st_size != stamp[3]:
                return False
        elif st.st_mtime_ns != stamp[2]:
            return False
    return True


class FileAccess:
    """Which files markup may read, and the reading itself.

    ``roots``: folders inside which every named path must lie (after resolving
    symlinks). ``allow_network``: whether ``http(s)://`` sources may be fetched.
    """

    __slots__ = ("_given", "_beside", "_roots", "allow_network", "max_bytes", "timeout", "cache", "memo", "_prefixes")

    def __init__(
        self,
        roots: Sequence[PathLike] = (),
        allow_network: bool = False,
        *,
        max_bytes: int = MAX_FILE_BYTES,
        timeout: float = 30.0,
        cache: "Optional[ByteCache]" = None,
        memo: Any = None,
        beside: Optional[PathLike] = None,
    ):
        # Roots are resolved on first use: most renders read no file and need no realpath calls.
        # ``beside``: a markup file whose real folder (its symlink followed) is the first root.
        self._beside = os.path.abspath(os.fspath(beside)) if beside is not None else None
        self._given = tuple(os.path.abspath(os.fspath(r)) for r in roots)
        self._roots: Optional[tuple[Path, ...]] = None
        self._prefixes: tuple[tuple[str, str], ...] = ()
        self.allow_network = bool(allow_network)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.cache = cache  # bytes of files read, owned by the Environment (None: read every time)
        self.memo = memo  # what loaders derive from contents (poml.data._memo.ContentMemo), the Environment's

    @property
    def policy_key(self) -> tuple:
        """The markup file and roots as given (absolute) and the network setting: what decides the reads, without resolving."""
        return (self._beside, self._given, self.allow_network)

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders as real paths (symlinks resolved), without repeats."""
        if self._roots is None:
            resolved: list[Path] = []
            if self._beside is not None:
                resolved.append(Path(os.path.realpath(self._beside)).parent)
            for r in self._given:
                p = Path(os.path.realpath(r))
                if p not in resolved:
                    resolved.append(p)
            # (root, root + separator) as text: checking a path is a string prefix test, not pathlib
            self._prefixes = tuple((str(r), os.path.join(str(r), "")) for r in resolved)
            self._roots = tuple(resolved)
        return self._roots

    def __repr__(self) -> str:
        return f"FileAccess(roots={[str(r) for r in self.roots]!r}, allow_network={self.allow_network})"

    # -- policy -------------------------------------------------------------

    def inside(self, resolved: PathLike) -> bool:
        """Whether an already resolved path lies inside one of the roots ("root-evil" is not in "root")."""
        text = os.fspath(resolved)
        self.roots  # resolves them once
        return any(text == root or text.startswith(prefix) for root, prefix in self._prefixes)

    def check_url(self, url: str) -> str:
        """Return ``url`` when it is ``http(s)`` and the network is allowed, else raise :class:`PomlPathError`.

        Only http(s) is ever fetched: ``file:``, ``ftp:``, ``data:`` URLs would read local
        files or bypass the roots, whatever ``allow_network`` says.
        """
        if not is_url(url):
            raise PomlPathError(f'Refusing to fetch "{_short(url)}": only http:// and https:// URLs are fetched.')
        if not self.allow_network:
            raise PomlPathError(
                f'Refusing to fetch "{_short(url)}": network access is off. '
                "Allow it (allow_network=True in Python, --allow-network on the command line), "
                "or save the resource next to the prompt and name it by path."
            )
        return url

    def resolve(self, path_text: PathLike, base_dir: Optional[PathLike] = None) -> Path:
        """The real path of ``path_text`` (relative to ``base_dir``), checked against the roots.

        Raises :class:`PomlPathError` for a path outside every root, a URL, or a
        scheme this policy does not know. The file need not exist.
        """
        text = os.fspath(path_text)
        if not isinstance(text, str):
            text = os.fsdecode(text)
        if "\x00" in text:
            raise PomlPathError(f"Invalid path {text!r}: it contains a NUL character.")
        stripped = text.strip()
        original = text
        if not stripped:
            raise PomlFileError("An empty path was given where a file is expected.")
        if is_url(stripped):
            self.check_url(stripped)
            raise PomlPathError(
                f'"{_short(stripped)}" is a URL; this source must be a local file path.'
            )
        if _FILE_URL_RE.match(stripped):
            parsed = urlparse(stripped)
            if parsed.netloc not in ("", "localhost"):
                raise PomlPathError(
                    f'Refusing "{_short(stripped)}": file:// URLs on another host are not allowed.'
                )
            local = unquote(parsed.path)
            if os.name == "nt" and re.match(r"^/[A-Za-z]:", local):
                local = local[1:]
            text = local or "/"
        else:
            m = _SCHEME_RE.match(stripped)
            # A Windows drive letter ("C:\\x", "C:/x") is a path, not a scheme.
            if m and not re.match(r"^[A-Za-z]:[\\/]", stripped):
                if m.group(2) == "//" or m.group(1).lower() in ("data", "javascript", "ftp", "mailto"):
                    raise PomlPathError(
                        f'Refusing "{_short(stripped)}": the "{m.group(1)}:" scheme is not a file path.'
                    )
        base = os.fspath(base_dir) if base_dir is not None else os.getcwd()
        joined = text if os.path.isabs(text) else os.path.join(base, text)
        try:
            resolved = Path(os.path.realpath(joined))
        except (OSError, ValueError) as exc:  # pragma: no cover - odd platforms
            raise PomlPathError(f'Cannot resolve path "{_short(text)}": {exc}') from None
        if not self.inside(resolved):
            # Name the path as the markup wrote it: the resolved path and the roots would tell
            # an untrusted author how the server's disk is laid out.
            raise _outside(original)
        return resolved

    # -- reading ------------------------------------------------------------

    def _stat(self, resolved: Path, shown: str) -> os.stat_result:
        try:
            st = resolved.stat()
        except FileNotFoundError:
            raise PomlFileError(f"File not found: {shown}") from None
        except OSError as exc:
            raise PomlFileError(f"Cannot read {shown}: {exc.strerror or exc}") from None
        return st

    def read_bytes(
        self, path_text: PathLike, base_dir: Optional[PathLike] = None, *, max_bytes: Optional[int] = None
    ) -> bytes:
        """Bytes of a file named by markup: checked, size-limited, cached by (path, mtime, size)."""
        shown = os.fspath(path_text)
        resolved = self.resolve(path_text, base_dir)
        return self._read_checked(resolved, shown, max_bytes)

    def read_resolved(self, resolved: Path, shown: Optional[str] = None, *, max_bytes: Optional[int] = None) -> bytes:
        """Read an already resolved path (it is checked again, so this is safe to call)."""
        shown = shown if shown is not None else str(resolved)
        resolved = Path(os.path.realpath(resolved))
        if not self.inside(resolved):
            raise _outside(shown)
        return self._read_checked(resolved, shown, max_bytes)

    def _read_checked(self, resolved: Path, shown: str, max_bytes: Optional[int]) -> bytes:
        """Read a path that ``resolve`` has just checked against the roots."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        st = self._stat(resolved, shown)
        import stat as _stat

        if _stat.S_ISDIR(st.st_mode):
            raise PomlFileError(f"{shown} is a folder, not a file.")
        if not _stat.S_ISREG(st.st_mode):
            raise PomlFileError(f"{shown} is not a regular file.")
        if st.st_size > limit:
            raise PomlLimitError(
                f"File {shown} is {st.st_size} bytes, more than the limit of {limit} bytes."
            )
        key = (str(resolved), st.st_mtime_ns, st.st_size)
        _stamp(("f",) + key)
        cache = self.cache
        data = cache.get(key) if cache is not None else None
        if data is not None:
            return data
        try:
            # No symlink may appear at the last component between the check and the open, and the
            # opened file must be the one that was checked.
            fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise PomlFileError(f"Cannot read {shown}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as fh:
            opened = os.fstat(fh.fileno())
            if (opened.st_ino, opened.st_dev) != (st.st_ino, st.st_dev):
                raise PomlPathError(f"{shown} changed while it was being read; refusing it.")
            try:
                data = fh.read(limit + 1)
            except OSError as exc:
                raise PomlFileError(f"Cannot read {shown}: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise PomlLimitError(f"File {shown} is larger than the limit of {limit} bytes.")
        if cache is not None:
            cache.put(key, data)
        return data

    def read_text(self, path_text: PathLike, base_dir: Optional[PathLike] = None, encoding: str = "utf-8") -> str:
        """Text of a file named by markup (UTF-8, invalid bytes replaced like Node does)."""
        data = self.read_bytes(path_text, base_dir, max_bytes=min(self.max_bytes, MAX_SOURCE_CHARS * 4))
        text = data.decode(encoding, errors="replace")
        if len(text) > MAX_SOURCE_CHARS:
            raise PomlLimitError(
                f"File {os.fspath(path_text)} has {len(text)} characters, more than the limit of "
                f"{MAX_SOURCE_CHARS}."
            )
        return text

    def fetch_url(self, url: str, *, max_bytes: Optional[int] = None) -> tuple[bytes, str]:
        """Bytes and content type of an ``http(s)`` URL; only when the network is allowed.

        One deadline (:attr:`timeout` seconds) covers connecting, redirects and the whole
        body, so a server trickling a byte a second cannot hold a render; the body is capped
        at ``max_bytes``; every redirect target is checked again (http(s) only).
        """
        from ._http_fetch import fetch

        self.check_url(url)
        _stamp(("net",))
        limit = self.max_bytes if max_bytes is None else max_bytes
        return fetch(url, max_bytes=limit, timeout=self.timeout, check=self.check_url)

    def read_source_bytes(self, src: str, base_dir: Optional[PathLike] = None) -> bytes:
        """A file path or (when allowed) an ``http(s)`` URL, as bytes."""
        if is_url(src):
            return self.fetch_url(src.strip())[0]
        return self.read_bytes(src, base_dir)

    def list_dir(self, resolved: Path) -> list[os.DirEntry]:
        """Entries of a folder that is inside the roots (checked)."""
        if not self.inside(Path(os.path.realpath(resolved))):
            raise _outside(str(resolved), "Folder")
        try:
            _stamp(("d", str(resolved), os.stat(resolved).st_mtime_ns))
            with os.scandir(resolved) as it:
                return list(it)
        except FileNotFoundError:
            raise PomlFileError(f"Folder not found: {resolved}") from None
        except NotADirectoryError:
            raise PomlFileError(f"{resolved} is not a folder.") from None
        except OSError as exc:
            raise PomlFileError(f"Cannot list {resolved}: {exc.strerror or exc}") from None


def default_access(markup_path: Optional[PathLike] = None, roots: Optional[Iterable[PathLike]] = None,
                   allow_network: bool = False, cache: Optional[ByteCache] = None,
                   timeout: float = 10.0, memo: Any = None) -> FileAccess:
    """The policy ``poml.poml`` uses: the markup file's folder (or the cwd for strings), widened by ``roots``."""
    # A file's root is its real folder (``beside``, resolved with the roots on first use); a string's is the cwd.
    given = [*(roots or ())] if markup_path is not None else [os.getcwd(), *(roots or ())]
    return FileAccess(given, allow_network, cache=cache, timeout=timeout, memo=memo, beside=markup_path)
