"""Errors raised by ``backends``.

The tree (catch the level you can act on)::

    BackendError
    ├── ConfigError               bad model string, missing API key, bad option (before any request)
    ├── RequestError              the server could not be reached or did not answer in time
    │   ├── ConnectError
    │   └── TimeoutError
    ├── StatusError               the server answered with an HTTP error status (.status, .server)
    │   ├── BadRequestError       400/404/422: the request is wrong; fix it, retrying will not help
    │   ├── AuthenticationError   401/403: check the API key
    │   ├── RateLimitError        429 after the retries ran out
    │   └── ServerError           5xx (and 408/409) after the retries ran out
    ├── ResponseError             the server answered 200 but the reply is unusable
    │   ├── StreamError           a stream broke or carried an error event (never retried)
    │   └── SchemaError           the model's JSON is not valid or does not fit the output schema
    └── ToolError                 a tool call names no given tool, a tool raised, or the turn limit was hit

Every message names the server (its base URL, never the key) and says what to do.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "BackendError", "ConfigError", "RequestError", "ConnectError", "TimeoutError", "StatusError",
    "BadRequestError", "AuthenticationError", "RateLimitError", "ServerError", "ResponseError",
    "StreamError", "SchemaError", "ToolError",
]


class BackendError(Exception):
    """Base of every error this package raises."""

    def __init__(self, message: str, *, server: Optional[str] = None):
        super().__init__(message)
        self.server = server


class ConfigError(BackendError, ValueError):
    """The call is misconfigured; nothing was sent."""


class RequestError(BackendError):
    """No HTTP answer came back (after the retries)."""


class ConnectError(RequestError):
    pass


class TimeoutError(RequestError):  # noqa: A001 - the map reads better with the plain name
    pass


class StatusError(BackendError):
    """The server answered with status ``status``; ``body`` is its (key-free) error text."""

    def __init__(self, message: str, *, server: Optional[str] = None, status: int = 0, body: Any = None):
        super().__init__(message, server=server)
        self.status = status
        self.body = body


class BadRequestError(StatusError):
    pass


class AuthenticationError(StatusError):
    pass


class RateLimitError(StatusError):
    pass


class ServerError(StatusError):
    pass


class ResponseError(BackendError):
    pass


class StreamError(ResponseError):
    pass


class SchemaError(ResponseError):
    """``text`` is the model's reply, ``errors`` what did not fit."""

    def __init__(self, message: str, *, server: Optional[str] = None, text: str = "", errors: Any = None):
        super().__init__(message, server=server)
        self.text = text
        self.errors = errors


class ToolError(BackendError):
    pass


_ADVICE = {
    400: "the request was rejected as invalid; check the model name and options",
    401: "check the API key (argument api_key= or the provider's environment variable)",
    403: "the key is not allowed to use this model or endpoint",
    404: "check base_url and the model name",
    408: "the server timed out; retry later or raise timeout=",
    409: "the server reported a conflict; retry later",
    422: "the server could not process the body; check the options",
    429: "rate limited; wait, lower the concurrency, or raise max_retries=",
}


def status_error(status: int, server: str, body: Any, attempts: int) -> StatusError:
    """The :class:`StatusError` subclass for ``status``, with a message that says what to do."""
    if status in (401, 403):
        cls: type = AuthenticationError
    elif status == 429:
        cls = RateLimitError
    elif status >= 500 or status in (408, 409):
        cls = ServerError
    else:
        cls = BadRequestError
    advice = _ADVICE.get(status, "the server failed; retry later or check its logs" if status >= 500
                         else "the request was rejected")
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    detail = f": {body}" if body else ""
    return cls(f"{server} answered HTTP {status}{tries}{detail} ({advice})", server=server, status=status, body=body)
