"""Optional integrations with other libraries.

Each module imports its library only when used, and says which package to
install when it is missing:

* :mod:`poml.integration.langchain`: ``LangchainPomlTemplate``, a LangChain prompt template (``pip install langchain-core``);
* :mod:`poml.integration.weave`, :mod:`poml.integration.agentops`, :mod:`poml.integration.mlflow`:
  the tracing backends behind ``poml.set_trace("weave" | "agentops" | "mlflow", trace_dir=...)``.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, pip_name: str, feature: str) -> ModuleType:
    """Import ``module``, or raise an ImportError that names the package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{feature} needs the '{module}' package, which is not installed: pip install {pip_name}"
        ) from exc
