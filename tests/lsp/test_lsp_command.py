"""`poml lsp` starts the same server as `python -m poml.lsp`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")
from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_poml_lsp_command_initializes():
    async def run() -> types.InitializeResult:
        client = LanguageClient("t", "1")
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        await client.start_io(sys.executable, "-m", "poml", "lsp", env=env)
        try:
            return await asyncio.wait_for(client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities())), 60)
        finally:
            await client.shutdown_async(None)
            client.exit(None)
            await client.stop()

    result = asyncio.run(run())
    caps = result.capabilities
    assert result.server_info.name == "poml-lsp"
    assert caps.diagnostic_provider.identifier == "poml" and caps.document_formatting_provider
    assert "poml.evaluateExpression" in caps.execute_command_provider.commands
