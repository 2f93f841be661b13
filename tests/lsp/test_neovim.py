"""Smoke test outside VS Code: Neovim's built-in LSP client attaches the server and reads diagnostics back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")
NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install -y neovim)")
ROOT = Path(__file__).resolve().parents[2]

# vim.lsp.start arrived in Neovim 0.8; Debian bookworm ships 0.7, which has start_client + buf_attach_client.
LUA = r"""
local out, cmd = _G.POML_OUT, _G.POML_CMD
local config = {name = "poml", cmd = cmd, root_dir = vim.fn.getcwd()}
if vim.lsp.start then
  vim.lsp.start(config)
else
  local id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(0, id)
end
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local items = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(items, {lnum = d.lnum, col = d.col, message = d.message, severity = d.severity})
end
vim.fn.writefile({vim.fn.json_encode({ok = ok, items = items})}, out)
vim.cmd("qa!")
"""


def test_neovim_reads_diagnostics(tmp_path):
    prompt = tmp_path / "smoke.poml"
    prompt.write_text("<poml>\n  <p>héllo 😀 {{ undefinedThing }}</p>\n  <tsak>x</tsak>\n</poml>\n", encoding="utf-8")
    out = tmp_path / "diags.json"
    script = tmp_path / "smoke.lua"
    script.write_text(LUA, encoding="utf-8")
    cmd = "{" + ", ".join(json.dumps(a) for a in (sys.executable, "-m", "poml.lsp")) + "}"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([NVIM, "--headless", "--clean", "-n", str(prompt),
                    "-c", f"lua _G.POML_OUT = {json.dumps(str(out))}; _G.POML_CMD = {cmd}",
                    "-c", f"luafile {script}"],
                   cwd=tmp_path, env=env, timeout=60, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    assert result["ok"], "no diagnostics arrived within 20 s"
    by_line = {d["lnum"]: d for d in result["items"]}
    assert "undefinedThing is not defined" in by_line[1]["message"]
    assert "task" in by_line[2]["message"]
    # Neovim reports byte columns when it converts from UTF-16: "<p>héllo 😀 {{ " is 2+3+6+1+4+1+3 bytes
    assert by_line[1]["col"] == len("  <p>héllo 😀 {{ ".encode("utf-8"))
