"""Exception tree of the compressor package.

Usage::

    from compressor import CompressorError
    try:
        Compressor("/no/such/folder")
    except CompressorError as exc:   # ModelLoadError is a CompressorError
        print(exc)
"""
from __future__ import annotations


class CompressorError(Exception):
    """Base class of every error raised by :mod:`compressor`."""


class MissingDependencyError(CompressorError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install`` to run."""


class ModelLoadError(CompressorError):
    """The checkpoint could not be loaded (path missing, not a token-classification model...)."""


class EngineUnavailableError(CompressorError):
    """The requested engine, device or dtype cannot be used on this machine."""


class UnsupportedTokenizerError(CompressorError):
    """The tokenizer's word-boundary scheme is not supported by the requested mode."""


class InvalidArgumentError(CompressorError, ValueError):
    """An argument of :meth:`Compressor.compress` is out of range or inconsistent."""
