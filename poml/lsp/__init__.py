"""The POML language server (pygls): ``python -m poml.lsp`` or ``poml lsp`` speaks LSP over stdio.

Needs the ``lsp`` extra (``pip install 'poml-native[lsp]'``); see docs/editor.md.
"""

def main() -> None:
    """Serve LSP over stdin/stdout until the client exits."""
    try:
        from ._server import server
    except ImportError as exc:  # pygls/lsprotocol missing
        raise SystemExit(f"the POML language server needs pygls and lsprotocol ({exc}).\n"
                         "install them with: pip install 'pygls==2.1.1' 'lsprotocol==2025.0.0'") from None
    server.start_io()


__all__ = ["main"]
