"""Export a checkpoint to ONNX once per user, not once per ``Compressor(..., engine="onnx")``.

The export of an XLM-R-large checkpoint takes a minute and writes 2-3 GB, so the result is
kept under ``user_cache_dir("onnx")/<key>/`` and found again by a key made of:

* the checkpoint's identity: a local folder's resolved path with the name, size and mtime of
  every file in it, or a hub name with the commit hash transformers resolved it to;
* ``compat`` (it adds the reference's ``[NEWi]`` embeddings) and int8 quantization;
* :data:`EXPORT_FORMAT`, bumped whenever :func:`export_model` changes what it writes.

A checkpoint without an identity (a hub model whose commit is unknown) is exported to a temp
folder removed at exit. Weights are loaded only on a cache miss.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from ._cache import user_cache_dir
from ._loading import Loaded, load_weights_into
from ._onnx import export_model

#: bump when export_model's graph changes (2: classic attention instead of SDPA)
EXPORT_FORMAT = 2


def checkpoint_identity(loaded: Loaded) -> str | None:
    """A string that changes whenever the checkpoint's files change; None when unknown."""
    folder = Path(loaded.source)
    if folder.is_dir():
        stamps = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns)
                        for f in folder.iterdir() if f.is_file())
        return json.dumps([str(folder.resolve()), stamps])
    commit = getattr(loaded.config, "_commit_hash", None)
    return json.dumps([loaded.source, commit]) if commit else None


def cache_key(loaded: Loaded, *, compat: str | None, quantize: bool) -> str | None:
    ident = checkpoint_identity(loaded)
    if ident is None:
        return None
    blob = json.dumps([EXPORT_FORMAT, ident, compat, quantize])
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def exported_onnx(loaded: Loaded, *, compat: str | None, quantize: bool) -> Path:
    """Path of the ONNX export of ``loaded``: from the cache, or exported now and cached.

    >>> exported_onnx(load_checkpoint("ckpt", load_weights=False), compat=None, quantize=True)  # doctest: +SKIP
    PosixPath('/home/me/.cache/poml-native/onnx/3f1c.../model.int8.onnx')
    """
    name = "model.int8.onnx" if quantize else "model.onnx"
    key = cache_key(loaded, compat=compat, quantize=quantize)
    if key is None:
        out = Path(tempfile.mkdtemp(prefix="compressor-onnx-"))
        atexit.register(shutil.rmtree, out, True)
        return export_model(load_weights_into(loaded), out, quantize=quantize)
    folder = user_cache_dir("onnx") / key
    if (folder / name).is_file():
        return folder / name
    # export beside the final folder and rename it into place: a crash or a concurrent export
    # never leaves a half-written model where the next run would find it
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder.parent))
    try:
        export_model(load_weights_into(loaded), tmp, quantize=quantize)
        if quantize:  # the fp32 graph was only the quantizer's input
            for leftover in ("model.onnx", "model.onnx.data"):
                (tmp / leftover).unlink(missing_ok=True)
        if not (folder / name).is_file():  # else another process finished first: use its copy
            shutil.rmtree(folder, ignore_errors=True)  # a damaged entry (its model file deleted)
            try:
                os.rename(tmp, folder)
            except OSError:  # lost a race to another process
                if not (folder / name).is_file():
                    raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / name
