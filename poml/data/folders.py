"""``<folder>``: a directory as tree items, like the reference's ``readDirectoryToTreeItems``.

Each item is ``{"name": str, "value"?: str, "children"?: [items]}``. Folders
come before files, then names in a locale-like order; ``filter`` (a regular
expression, searched in each file and folder *name*) keeps matching files and
the folders that contain some; with a filter, empty folders are dropped;
``max_depth`` (default 3) stops descending (the items at that depth are listed
by name only); ``show_content`` puts each file's text in ``value``.

Every entry is checked against the access policy: a symlink that leads out of
the allowed roots is skipped, never followed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from .._errors import PomlError, PomlFileError, PomlLimitError
from .._limits import MAX_FOLDER_ENTRIES

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = ["read_folder", "folder_items", "locale_key"]


def locale_key(name: str) -> tuple:
    """An approximation of ``String.prototype.localeCompare`` order (case-insensitive first)."""
    return (name.casefold(), [c.isupper() for c in name], name)


def _search(pattern: Any, name: str) -> bool:
    if pattern is None:
        return True
    if hasattr(pattern, "search"):
        return pattern.search(name) is not None
    return re.search(str(pattern), name) is not None


def _compile(filter_: Any) -> Any:
    if filter_ is None or filter_ == "":
        return None
    if isinstance(filter_, str):
        # Markup's pattern, JavaScript syntax, matched under the render's regex-time budget.
        from ..template.js import ExpressionSyntaxError, safe_regex

        try:
            return safe_regex(filter_)
        except ExpressionSyntaxError as exc:
            raise PomlError(f'Invalid filter regular expression "{filter_}": {exc}') from None
    return filter_


class _Walker:
    def __init__(self, access: "FileAccess", max_depth: int, show_content: bool, pattern: Any):
        self.access = access
        self.max_depth = max_depth
        self.show_content = show_content
        self.pattern = pattern
        self.count = 0

    def bump(self) -> None:
        self.count += 1
        if self.count > MAX_FOLDER_ENTRIES:
            raise PomlLimitError(f"The folder has more than {MAX_FOLDER_ENTRIES} entries; narrow it with filter or maxDepth.")

    def walk(self, path: Path, depth: int) -> Optional[dict]:
        name = path.name
        if depth >= self.max_depth:
            return {"name": name}
        if not path.is_dir():
            if self.pattern is not None and not _search(self.pattern, name):
                return None
            return {"name": name}
        entries = self.access.list_dir(path)
        safe = []
        for e in entries:
            try:
                is_link = e.is_symlink()
            except OSError:
                continue
            if is_link:
                real = Path(os.path.realpath(e.path))
                if not self.access.inside(real):
                    continue  # never follow a link out of the roots
            safe.append(e)
        # Node's Dirent: a symlink is neither a directory nor a file here.
        def is_dir(e: os.DirEntry) -> bool:
            try:
                return e.is_dir(follow_symlinks=False)
            except OSError:
                return False

        safe.sort(key=lambda e: (0 if is_dir(e) else 1, locale_key(e.name)))
        children: list[dict] = []
        for e in safe:
            self.bump()
            if is_dir(e):
                item = self.walk(Path(e.path), depth + 1)
                if item is not None and ("children" in item or self.pattern is None):
                    children.append(item)
            else:
                if self.pattern is not None and not _search(self.pattern, e.name):
                    continue
                if self.show_content:
                    children.append({"name": e.name, "value": self.access.read_text(e.path)})
                else:
                    children.append({"name": e.name})
        if self.pattern is not None and not children:
            return None
        out: dict = {"name": name}
        if children:
            out["children"] = children
        return out


def read_folder(src: Union[str, "os.PathLike[str]"], *, base_dir: Any = None, access: "Optional[FileAccess]" = None,
                filter: Any = None, max_depth: Any = 3, show_content: bool = False) -> list[dict]:  # noqa: A002
    """Tree items for ``<folder src=...>``: one root item named after the folder."""
    if access is None:
        from .._files import FileAccess

        access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
    resolved = access.resolve(src, base_dir)
    if not resolved.exists():
        raise PomlFileError(f"Error processing folder {os.fspath(src)}: no such folder ({resolved}).")
    if not resolved.is_dir():
        raise PomlFileError(f"Error processing folder {os.fspath(src)}: {resolved} is not a folder.")
    try:
        depth = int(float(max_depth)) if max_depth is not None else 3
    except (TypeError, ValueError):
        depth = 3
    pattern = _compile(filter)
    walker = _Walker(access, depth, bool(show_content), pattern)
    data = walker.walk(resolved, 0)
    name = Path(os.path.normpath(os.path.join(os.fspath(base_dir or os.getcwd()), os.fspath(src)))).name or resolved.name
    if data is not None:
        return [{"name": name, "children": data.get("children", [])}]
    return [{"name": name}]


def folder_items(src: str, **kwargs: Any) -> list[dict]:
    """Alias of :func:`read_folder`."""
    return read_folder(src, **kwargs)
