"""An end-to-end LSP session over stdio with VS Code's recorded client capabilities."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="end-to-end LSP tests need pytest-lsp")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("POML_VSCODE_FIXTURES", ROOT.parent / "shared/poml-examples/packages/poml-vscode/test-fixtures"))
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/poml-examples/packages/poml-vscode/test-fixtures")
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest_lsp.fixture(scope="module", loop_scope="module",
                    config=ClientServerConfig(server_command=[sys.executable, "-m", "poml.lsp"], server_env=ENV))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=None))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.exists():
        pytest.skip("the reference's VS Code test fixtures are not on this machine")
    return FIXTURES
