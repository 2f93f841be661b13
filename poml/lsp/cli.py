"""``poml lsp``: start the language server on stdio."""

from __future__ import annotations


def register(app) -> None:
    @app.command("lsp")
    def lsp() -> None:
        """Start the POML language server (LSP over stdin/stdout) for editors."""
        from . import main

        main()
