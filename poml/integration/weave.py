"""Log traced ``poml()`` calls to Weights & Biases Weave (``pip install weave``).

Enabled with ``poml.set_trace(["local", "weave"], trace_dir=...)`` after
``weave.init("project")``. Each call publishes the markup (and the context and
stylesheet, when present) as Weave objects named after the trace prefix
(``0001.prompt``, ``0001.prompt.context``...) and records an op named ``poml``
whose output is the call's result.
"""

from __future__ import annotations

from typing import Any, Optional

from . import require


def log_poml_call(name: str, prompt: str, context: Optional[dict], stylesheet: Optional[dict], result: Any) -> Any:
    """Publish one call to Weave; returns the op's output (the result)."""
    weave = require("weave", "weave", "Tracing to Weave")

    @weave.op
    def poml(prompt: Any, context: Any, stylesheet: Any) -> Any:
        return result

    prompt_ref = weave.publish(prompt, name=name)
    context_ref = weave.publish(context, name=name + ".context") if context is not None else None
    stylesheet_ref = weave.publish(stylesheet, name=name + ".stylesheet") if stylesheet else stylesheet
    return poml(prompt_ref, context_ref, stylesheet_ref)
