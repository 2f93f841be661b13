"""Command line: ``poml render``, ``poml components``, ``poml compress`` and the reference's ``poml-cli``.

    $ poml render prompt.poml --context ctx.json
    ===== system =====

    # Task
    ...

Errors print as ``file:line:col: error: ...`` with the source line and a caret,
and exit with status 1 (never a traceback).
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import typer

from ._errors import PomlError

app = typer.Typer(
    name="poml",
    help="Render POML prompts natively (no Node), compress and send them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    pretty = "pretty"
    raw = "raw"
    message_dict = "message_dict"
    dict = "dict"
    openai_chat = "openai_chat"
    langchain = "langchain"
    pydantic = "pydantic"


def _context_arg(values: Optional[List[str]]) -> Optional[dict]:
    """``--context`` accepts JSON files and ``key=value`` pairs, merged left to right."""
    if not values:
        return None
    merged: dict = {}
    for value in values:
        if "=" in value and not os.path.exists(value):
            key, val = value.split("=", 1)
            merged[key] = val
            continue
        try:
            with open(value, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            raise PomlError(f"{value}: error: context file not found (use a JSON file or key=value)") from None
        except ValueError as exc:
            raise PomlError(f"{value}: error: context file is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise PomlError(f"{value}: error: the context file must hold a JSON object")
        merged.update(data)
    return merged


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@app.command()
def render(
    file: str = typer.Argument(..., help="A .poml file, or - to read markup from standard input."),
    context: Optional[List[str]] = typer.Option(None, "--context", "-c", help="JSON file or key=value (repeatable)."),
    stylesheet: Optional[Path] = typer.Option(None, "--stylesheet", "-s", help="Stylesheet JSON file."),
    format: Format = typer.Option(Format.pretty, "--format", "-f", help="Output format."),
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Chat messages, or one prompt."),
    root: Optional[List[Path]] = typer.Option(None, "--root", help="Folder markup may read files from (repeatable)."),
    allow_network: bool = typer.Option(False, "--allow-network", help="Let <img>/<webpage> fetch URLs."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the result to this file."),
) -> None:
    """Render a POML file and print the result."""
    from ._api import poml as render_poml

    try:
        markup: Any
        if file == "-":
            markup = sys.stdin.read()
        else:
            if not os.path.exists(file):
                _fail(f"{file}: error: file not found")
            markup = Path(file)
        fmt = "raw" if format in (Format.pretty, Format.raw) else format.value
        extra = ["--prettyPrint", "true"] if format is Format.pretty else None
        result = render_poml(markup, context=_context_arg(context), stylesheet=str(stylesheet) if stylesheet else None,
                             chat=chat, format=fmt, extra_args=extra, roots=root or None,
                             allow_network=allow_network)
    except PomlError as exc:
        _fail(str(exc))
        return
    except FileNotFoundError as exc:
        _fail(f"error: {exc}")
        return
    if format is Format.pydantic:
        text = result.model_dump_json(indent=2)
    elif isinstance(result, str):
        text = result
    else:
        text = json.dumps(result, indent=2, ensure_ascii=False)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def components() -> None:
    """List the components, their aliases and parameters."""
    from .components import all_components

    for comp in sorted(all_components(), key=lambda c: c.name.lower()):
        aliases = ", ".join(a for a in comp.aliases if a.lower() != comp.name.lower())
        params = ", ".join(p.name for p in comp.params)
        typer.echo(f"{comp.name}" + (f" ({aliases})" if aliases else "") + (f": {params}" if params else ""))


def _register_extras() -> None:
    __import__("backends.cli").cli.register(app)  # `poml send` (httpx loads only when a send runs)
    try:
        from compressor.cli import register
    except ImportError:
        return
    register(app)


_register_extras()


# ---------------------------------------------------------------- poml-cli
def _bool(value: str) -> bool:
    return value.lower() not in ("false", "0", "no")


def entrypoint(argv: Optional[List[str]] = None) -> int:
    """``poml-cli``: the reference CLI's flags (``-f``, ``-i``, ``-o``, ``--context``, ``--context-file``,
    ``--stylesheet``, ``--stylesheet-file``, ``--chat``, ``--prettyPrint``, ``--strict``, ``--cwd``, ``--traceDir``)."""
    import argparse

    from ._api import poml as render_poml

    p = argparse.ArgumentParser(prog="poml-cli", description="Render POML (flags of the reference CLI).")
    p.add_argument("-i", "--input")
    p.add_argument("-f", "--file")
    p.add_argument("-o", "--output")
    p.add_argument("-c", "--context", action="append")
    p.add_argument("--context-file", "--contextFile", dest="context_file")
    p.add_argument("-s", "--stylesheet")
    p.add_argument("--stylesheet-file", "--stylesheetFile", dest="stylesheet_file")
    p.add_argument("-t", "--trim", default="true")
    p.add_argument("--chat", "--speakerMode", dest="chat", default="true")
    p.add_argument("-p", "--prettyPrint", "--pretty-print", dest="pretty", default="false")
    p.add_argument("--strict", default="true")
    p.add_argument("--cwd")
    p.add_argument("--traceDir", "--trace-dir", dest="trace_dir")
    args = p.parse_args(argv)
    try:
        if args.cwd:
            os.chdir(args.cwd)
        if args.input and args.file:
            raise PomlError("Cannot specify both input and file")
        if not (args.input or args.file):
            raise PomlError("Must specify either input or file")
        if args.trace_dir:
            from ._trace import set_trace

            set_trace(True, trace_dir=args.trace_dir)
        context: Optional[dict] = None
        if args.context:
            context = {}
            for pair in args.context:
                if "=" not in pair:
                    raise PomlError(f"Invalid context variable, must include one '=': {pair}")
                k, v = pair.split("=", 1)
                context[k] = v
        elif args.context_file:
            context = json.loads(Path(args.context_file).read_text(encoding="utf-8"))
        stylesheet: dict = {}
        if args.stylesheet_file:
            stylesheet.update(json.loads(Path(args.stylesheet_file).read_text(encoding="utf-8")))
        if args.stylesheet:
            stylesheet.update(json.loads(args.stylesheet))
        markup: Any = Path(args.file) if args.file else args.input
        out = render_poml(markup, context=context, stylesheet=stylesheet or None, chat=_bool(args.chat),
                          format="raw", extra_args=["--prettyPrint", args.pretty, "--strict", args.strict])
    except (PomlError, FileNotFoundError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def main() -> None:  # python -m poml
    app()


if __name__ == "__main__":
    main()


def cli_entrypoint() -> None:
    """Console-script wrapper for :func:`entrypoint` (exits with its status)."""
    raise SystemExit(entrypoint())
