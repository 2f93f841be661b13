"""Log traced ``poml()`` calls to MLflow (``pip install mlflow``).

Enabled with ``poml.set_trace(["local", "mlflow"], trace_dir=...)``. Each call
registers the markup in the MLflow prompt registry under the trace prefix
(``0001.prompt``; tags ``format=poml``, ``source=auto``) and records an
``mlflow.trace`` span named ``poml`` whose output is the call's result.
"""

from __future__ import annotations

from typing import Any, Optional

from . import require


def log_poml_call(name: str, prompt: str, context: Optional[dict], stylesheet: Optional[dict], result: Any) -> Any:
    """Register the prompt and trace one call in MLflow; returns the span's output (the result)."""
    mlflow = require("mlflow", "mlflow", "Tracing to MLflow")
    genai = require("mlflow.genai", "mlflow", "Tracing to MLflow")

    @mlflow.trace
    def poml(prompt: Any, context: Any, stylesheet: Any) -> Any:
        return result

    genai.register_prompt(name=name, template=prompt, tags={"format": "poml", "source": "auto"})
    return poml(prompt, context, stylesheet)
