"""The POML language server (pygls): ``python -m poml.lsp`` or ``poml lsp`` speaks LSP over stdio.

Needs the ``lsp`` extra (``pip install 'poml-native[lsp]'``); see docs/editor.md.
"""

def main() -> None:
    """Serve LSP over stdin/stdout until the client exits."""
    try:
        from ._server import server
    except ImportError as exc:  # pygls/lsprotocol missing
        from .._install import install_hint

        raise SystemExit(install_hint((exc.name or "pygls").split(".")[0], "lsp", "The POML language server")) from None
    server.start_io()


__all__ = ["main"]
