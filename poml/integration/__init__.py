"""Optional integrations with other libraries.

Each module imports its library only when used, and says which package to
install when it is missing:

* :mod:`poml.integration.langchain`: ``LangchainPomlTemplate``, a LangChain prompt template (``pip install langchain-core``);
* :mod:`poml.integration.weave`, :mod:`poml.integration.agentops`, :mod:`poml.integration.mlflow`:
  the tracing backends behind ``poml.set_trace("weave" | "agentops" | "mlflow", trace_dir=...)``.
"""

from __future__ import annotations

from types import ModuleType

from .._install import require as _require


def require(module: str, pip_name: str, feature: str) -> ModuleType:
    """Import ``module``, or raise an ImportError that names the package to install (by its PyPI name)."""
    return _require(module, feature, extra=None, package=pip_name)
