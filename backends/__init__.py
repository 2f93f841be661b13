"""Send rendered POML prompts to OpenAI-compatible servers, Anthropic and Ollama (httpx only).

>>> import backends
>>> r = backends.send("prompt.poml", model="openai:gpt-4o", context={"topic": "owls"})  # doctest: +SKIP
>>> r.text, r.tool_calls, r.parsed, r.usage                                              # doctest: +SKIP

``send``/``stream`` open a client for one call; keep a :class:`Client` (or :class:`AsyncClient`)
to reuse its connection pool.  Errors: see :mod:`backends._errors` for the tree.
"""

from importlib import import_module as _import_module

from ._errors import *  # noqa: F401,F403 - the exception tree is public (no httpx needed)
from ._errors import __all__ as _error_names

# Everything else loads on first use, so `import backends` (and `poml --help`) does not import httpx.
_LAZY = {
    "send": "_api", "stream": "_api", "asend": "_api", "astream": "_api",
    "Client": "_client", "AsyncClient": "_client", "Stream": "_client", "AsyncStream": "_client",
    "Response": "_models", "ToolCall": "_models", "Usage": "_models", "RetryPolicy": "_retry",
}

__all__ = sorted([*_LAZY, *_error_names])


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'backends' has no attribute {name!r}")
    value = getattr(_import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return __all__
