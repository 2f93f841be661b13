"""The one-call functions: a client opened and closed around one send or stream."""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator, Optional

from ._client import AsyncClient, Client
from ._models import Response

_CLIENT_KEYS = ("provider", "base_url", "api_key", "timeout", "connect_timeout", "max_retries", "retry",
                "headers", "transport", "http_client")


def _split(options: dict) -> tuple:
    client = {k: options.pop(k) for k in _CLIENT_KEYS if k in options}
    return client, options


def send(prompt: Any, *, model: Optional[str] = None, **options: Any) -> Response:
    """Render ``prompt`` (a .poml path, markup, or messages) and send it; returns the final :class:`Response`.

    Client options: provider, base_url, api_key, timeout, connect_timeout, max_retries, retry, headers,
    transport.  Call options: context, tools ({name: callable}), schema (JSON Schema or pydantic model),
    max_turns, compress, compress_rate, guard; anything else goes into the request body.
    """
    client_opts, call_opts = _split(options)
    with Client(model, **client_opts) as client:
        return client.send(prompt, **call_opts)


def stream(prompt: Any, *, model: Optional[str] = None, **options: Any) -> Iterator[str]:
    """Yield the reply's text as it arrives; the generator's return value is the :class:`Response`."""
    client_opts, call_opts = _split(options)
    with Client(model, **client_opts) as client:
        s = client.stream(prompt, **call_opts)
        yield from s
        return s.response


async def asend(prompt: Any, *, model: Optional[str] = None, **options: Any) -> Response:
    client_opts, call_opts = _split(options)
    async with AsyncClient(model, **client_opts) as client:
        return await client.send(prompt, **call_opts)


async def astream(prompt: Any, *, model: Optional[str] = None, **options: Any) -> AsyncIterator[str]:
    client_opts, call_opts = _split(options)
    async with AsyncClient(model, **client_opts) as client:
        async for delta in client.stream(prompt, **call_opts):
            yield delta
