"""Where the compressor keeps files between runs: :func:`poml._cache_dirs.user_cache_dir` (one policy for the project)."""
from __future__ import annotations

from poml._cache_dirs import user_cache_dir

__all__ = ["user_cache_dir"]
