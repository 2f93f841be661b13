"""Log traced ``poml()`` calls to AgentOps (``pip install agentops``).

Enabled with ``poml.set_trace(["local", "agentops"], trace_dir=...)`` after
``agentops.init(...)``. Each call is recorded as an operation named ``poml``
whose inputs are the markup, context and stylesheet and whose output is the
call's result.
"""

from __future__ import annotations

from typing import Any, Optional

from . import require


def log_poml_call(name: str, prompt: str, context: Optional[dict], stylesheet: Optional[dict], result: Any) -> Any:
    """Record one call as an AgentOps operation; returns its output (the result)."""
    agentops = require("agentops", "agentops", "Tracing to AgentOps")

    @agentops.operation(name="poml")
    def poml(prompt: Any, context: Any, stylesheet: Any) -> Any:
        return result

    return poml(prompt, context, stylesheet)
