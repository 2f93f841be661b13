"""``Client`` and ``AsyncClient``: one connection pool each; render, send, retry, stream, run tools."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, AsyncIterator, Callable, Iterator, Mapping, Optional

import httpx

from ._errors import ConfigError, ConnectError, StreamError, TimeoutError, ToolError, status_error
from ._models import Response
from ._prompt import Prepared, prepare
from ._retry import RetryPolicy
from ._schema import parse_json
from ._target import Target, resolve
from ._tools import aanswer, answer, merge_definitions, request_message

__all__ = ["Client", "AsyncClient", "Stream", "AsyncStream"]

DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0


class _Call:
    """One send's state: the exchange so far and everything needed to build the next request."""

    def __init__(self, target: Target, prepared: Prepared, tools: Optional[Mapping[str, Callable]],
                 schema: Any, max_turns: int, options: dict):
        self.target = target
        self.model_cls = schema if isinstance(schema, type) and hasattr(schema, "model_json_schema") else None
        self.schema = self.model_cls.model_json_schema() if self.model_cls else (
            schema if schema is not None else prepared.schema)
        self.tools = dict(tools or {})
        self.definitions = merge_definitions(prepared.tools, self.tools)
        self.runtime = prepared.runtime
        self.messages = list(prepared.messages)
        self.max_turns = max_turns
        self.options = dict(options)
        self.turn = 0
        if max_turns < 1:
            raise ConfigError(f"max_turns must be at least 1, got {max_turns}")

    def body(self, stream: bool) -> dict:
        return self.target.provider.body(self.messages, model=self.target.model, tools=self.definitions or None,
                                         schema=self.schema, runtime=self.runtime, stream=stream,
                                         options=self.options)

    def needs_tools(self, resp: Response) -> bool:
        """Whether to answer ``resp``'s tool calls and go round again."""
        if not (self.tools and resp.tool_calls):
            return False
        self.turn += 1
        if self.turn >= self.max_turns:
            raise ToolError(f"the model still asked for tools after {self.max_turns} turns "
                            f"({[c.name for c in resp.tool_calls]}); raise max_turns= or check the tools' results",
                            server=self.target.server)
        self.messages.append(request_message(resp))
        # a forced tool_choice applies to the first turn only; forcing it every turn would never end
        self.options.pop("tool_choice", None)
        return True

    def finish(self, resp: Response) -> Response:
        self.messages.append(request_message(resp) if resp.tool_calls else {"speaker": "ai", "content": resp.text})
        resp.messages = self.messages
        if self.schema is not None:
            resp.parsed = parse_json(resp.text, self.schema, self.target.server)
            if self.model_cls is not None:
                resp.parsed = self.model_cls.model_validate(resp.parsed)
        return resp


class _Base:
    def __init__(self, model: Optional[str] = None, *, provider: Optional[str] = None,
                 base_url: Optional[str] = None, api_key: Optional[str] = None,
                 timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 max_retries: int = 2, retry: Optional[RetryPolicy] = None, headers: Optional[dict] = None):
        self.target = resolve(model, provider, base_url, api_key)
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._headers = {**self.target.provider.headers(self.target.api_key), **(headers or {})}

    def __repr__(self) -> str:  # never the key
        return f"{type(self).__name__}({self.target.provider.name}:{self.target.model} at {self.target.base_url})"

    def _url(self, stream: bool) -> str:
        return self.target.base_url + self.target.provider.path(stream)

    def _call(self, prompt, context, tools, schema, max_turns, compress, compress_rate, guard, options) -> _Call:
        prepared = prepare(prompt, context, compress=compress, compress_rate=compress_rate, guard=guard)
        return _Call(self.target, prepared, tools, schema, max_turns, options)

    def _retry_wait(self, attempt: int, response: Optional[httpx.Response]) -> Optional[float]:
        """Seconds to wait before retrying, or None when this failure is final."""
        if attempt >= self.retry.max_retries:
            return None
        if response is not None:
            if not self.retry.should_retry(response.status_code, response.headers):
                return None
            return self.retry.delay(attempt, response.headers)
        return self.retry.delay(attempt)

    def _transport_error(self, exc: Exception, attempts: int) -> Exception:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if isinstance(exc, httpx.TimeoutException):
            return TimeoutError(f"{self.target.server} did not answer in time{tries} ({type(exc).__name__}); "
                                "raise timeout= or check the server's load", server=self.target.server)
        return ConnectError(f"could not reach {self.target.server}{tries} ({type(exc).__name__}: "
                            f"{self.target.redact(str(exc))}); is it running, and is base_url right?",
                            server=self.target.server)

    def _status_error(self, response: httpx.Response, attempts: int) -> Exception:
        return status_error(response.status_code, self.target.server, self._error_text(response), attempts)

    def _error_text(self, response: httpx.Response) -> str:
        text = response.text
        try:
            data = json.loads(text)
            err = data.get("error", data) if isinstance(data, dict) else data
            text = err.get("message", json.dumps(err)) if isinstance(err, dict) else str(err)
        except (json.JSONDecodeError, AttributeError):
            pass
        return self.target.redact(text.strip())[:500]

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except json.JSONDecodeError:
            raise StreamError(f"{self.target.server} answered 200 with a body that is not JSON: "
                              f"{response.text[:200]!r}", server=self.target.server) from None


class Client(_Base):
    """A synchronous client for one server and model; reuse it to keep the connection pool warm.

    ``Client("openai:gpt-4o").send("prompt.poml", context={...})``
    """

    def __init__(self, model: Optional[str] = None, *, http_client: Optional[httpx.Client] = None,
                 transport: Optional[httpx.BaseTransport] = None, **kwargs: Any):
        super().__init__(model, **kwargs)
        self._own = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout, transport=transport)

    def close(self) -> None:
        if self._own:
            self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def send(self, prompt: Any, *, context: Any = None, tools: Optional[Mapping[str, Callable]] = None,
             schema: Any = None, max_turns: int = 8, compress: Any = None, compress_rate: float = 0.5,
             guard: Any = None, **options: Any) -> Response:
        """Render ``prompt``, send it, answer tool calls with ``tools`` and return the final reply."""
        call = self._call(prompt, context, tools, schema, max_turns, compress, compress_rate, guard, options)
        while True:
            resp = self.target.provider.parse(self._json(self._open(call.body(False), stream=False)))
            if not call.needs_tools(resp):
                return call.finish(resp)
            call.messages.append(answer(resp.tool_calls, call.tools))

    def stream(self, prompt: Any, *, context: Any = None, tools: Optional[Mapping[str, Callable]] = None,
               schema: Any = None, max_turns: int = 8, compress: Any = None, compress_rate: float = 0.5,
               guard: Any = None, **options: Any) -> "Stream":
        """Like :meth:`send`, but iterate the result for text as it arrives; ``.response`` at the end."""
        call = self._call(prompt, context, tools, schema, max_turns, compress, compress_rate, guard, options)
        return Stream(self, call)

    def _open(self, body: dict, stream: bool) -> httpx.Response:
        """POST with retries; a streamed response comes back open and unread."""
        request = self._http.build_request("POST", self._url(stream), json=body, headers=self._headers)
        attempt = 0
        while True:
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                wait = self._retry_wait(attempt, None)
                if wait is None:
                    raise self._transport_error(exc, attempt + 1) from None
            else:
                if response.status_code < 400:
                    return response
                if stream:
                    response.read()
                    response.close()
                wait = self._retry_wait(attempt, response)
                if wait is None:
                    raise self._status_error(response, attempt + 1)
            time.sleep(wait)
            attempt += 1


class Stream:
    """Iterate for text deltas (every turn's, when tools run); ``response`` is the final reply."""

    def __init__(self, client: Client, call: _Call):
        self._client = client
        self._call = call
        self.response: Optional[Response] = None

    def __iter__(self) -> Iterator[str]:
        call, client = self._call, self._client
        while True:
            state = call.target.provider.stream_state(call.target.server)
            r = client._open(call.body(True), stream=True)  # retries end once this returns
            try:
                for line in r.iter_lines():
                    yield from state.push(line)
                yield from state.end()
            except httpx.HTTPError as exc:
                raise StreamError(f"the stream from {call.target.server} broke after it started "
                                  f"({type(exc).__name__}); it is not retried, send again",
                                  server=call.target.server) from None
            finally:
                r.close()
            resp = state.response()
            if not call.needs_tools(resp):
                self.response = call.finish(resp)
                return
            call.messages.append(answer(resp.tool_calls, call.tools))

    def until_done(self) -> Response:
        for _ in self:
            pass
        assert self.response is not None
        return self.response


class AsyncClient(_Base):
    """The asynchronous client; ``max_concurrency`` caps the requests in flight (default 64)."""

    def __init__(self, model: Optional[str] = None, *, http_client: Optional[httpx.AsyncClient] = None,
                 transport: Optional[httpx.AsyncBaseTransport] = None, max_concurrency: int = 64,
                 **kwargs: Any):
        super().__init__(model, **kwargs)
        self._own = http_client is None
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, transport=transport, limits=limits)
        self._slots = asyncio.Semaphore(max_concurrency)

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def send(self, prompt: Any, *, context: Any = None, tools: Optional[Mapping[str, Callable]] = None,
                   schema: Any = None, max_turns: int = 8, compress: Any = None, compress_rate: float = 0.5,
                   guard: Any = None, **options: Any) -> Response:
        call = self._call(prompt, context, tools, schema, max_turns, compress, compress_rate, guard, options)
        while True:
            async with self._slots:
                response = await self._open(call.body(False), stream=False)
            resp = self.target.provider.parse(self._json(response))
            if not call.needs_tools(resp):
                return call.finish(resp)
            call.messages.append(await aanswer(resp.tool_calls, call.tools))

    def stream(self, prompt: Any, *, context: Any = None, tools: Optional[Mapping[str, Callable]] = None,
               schema: Any = None, max_turns: int = 8, compress: Any = None, compress_rate: float = 0.5,
               guard: Any = None, **options: Any) -> "AsyncStream":
        call = self._call(prompt, context, tools, schema, max_turns, compress, compress_rate, guard, options)
        return AsyncStream(self, call)

    async def _open(self, body: dict, stream: bool) -> httpx.Response:
        request = self._http.build_request("POST", self._url(stream), json=body, headers=self._headers)
        attempt = 0
        while True:
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                wait = self._retry_wait(attempt, None)
                if wait is None:
                    raise self._transport_error(exc, attempt + 1) from None
            else:
                if response.status_code < 400:
                    return response
                if stream:
                    await response.aread()
                    await response.aclose()
                wait = self._retry_wait(attempt, response)
                if wait is None:
                    raise self._status_error(response, attempt + 1)
            await asyncio.sleep(wait)
            attempt += 1


class AsyncStream:
    def __init__(self, client: AsyncClient, call: _Call):
        self._client = client
        self._call = call
        self.response: Optional[Response] = None

    async def __aiter__(self) -> AsyncIterator[str]:
        call, client = self._call, self._client
        while True:
            state = call.target.provider.stream_state(call.target.server)
            async with client._slots:
                r = await client._open(call.body(True), stream=True)
                try:
                    async for line in r.aiter_lines():
                        for delta in state.push(line):
                            yield delta
                    for delta in state.end():
                        yield delta
                except httpx.HTTPError as exc:
                    raise StreamError(f"the stream from {call.target.server} broke after it started "
                                      f"({type(exc).__name__}); it is not retried, send again",
                                      server=call.target.server) from None
                finally:
                    await r.aclose()
            resp = state.response()
            if not call.needs_tools(resp):
                self.response = call.finish(resp)
                return
            call.messages.append(await aanswer(resp.tool_calls, call.tools))

    async def until_done(self) -> Response:
        async for _ in self:
            pass
        assert self.response is not None
        return self.response
