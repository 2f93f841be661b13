"""POML, natively in Python: render prompt markup to chat messages with no Node.

>>> import poml
>>> poml.poml("<poml><role>You are terse.</role><task>Say hi.</task></poml>")
[{'speaker': 'system', 'content': '# Role\\n\\nYou are terse.\\n\\n# Task\\n\\nSay hi.'}]

The public API is what this module exports; everything in ``_modules`` is private.
"""

from ._api import OutputFormat, poml, render_file, render_text
from ._environment import Environment
from ._errors import (
    Diagnostic,
    PomlComponentError,
    PomlError,
    PomlFileError,
    PomlFileNotFoundError,
    PomlLimitError,
    PomlWarning,
    PomlPathError,
    PomlRenderError,
    PomlSandboxError,
    PomlSyntaxError,
    PomlTemplateError,
)

__version__ = "0.1.0"

__all__ = [
    "poml", "render_file", "render_text", "Environment", "OutputFormat", "Prompt",
    "set_trace", "clear_trace", "get_trace", "trace_artifact", "Backend",
    "Diagnostic", "PomlError", "PomlSyntaxError", "PomlTemplateError", "PomlSandboxError",
    "PomlComponentError", "PomlFileError", "PomlFileNotFoundError", "PomlPathError", "PomlLimitError",
    "PomlRenderError", "PomlWarning",
    "__version__",
]

_LAZY = {
    "Prompt": ("._prompt", "Prompt"),
    "set_trace": ("._trace", "set_trace"),
    "clear_trace": ("._trace", "clear_trace"),
    "get_trace": ("._trace", "get_trace"),
    "trace_artifact": ("._trace", "trace_artifact"),
    "Backend": ("._trace", "Backend"),
}


def __getattr__(name: str) -> object:
    # Lazy: keeps `import poml` fast; the builder and tracing load on first use.
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'poml' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0], __name__), target[1])
    globals()[name] = value
    return value


def _init_trace_from_env() -> None:
    import os

    if os.environ.get("POML_TRACE"):
        from . import _trace

        _trace._init_from_env()


_init_trace_from_env()
