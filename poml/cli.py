"""Command line: ``poml render``, ``poml components``, ``poml compress`` and the reference's ``poml-cli``.

    $ poml render prompt.poml --context ctx.json
    ===== system =====

    # Task
    ...

Errors print as ``file:line:col: error: ...`` with the source line and a caret,
and exit with status 1 (2 for usage errors), never a traceback: :func:`main` is the one error
boundary of both ``poml`` and ``poml-cli``.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import typer
from typer.core import TyperGroup

from ._errors import PomlError
from ._json_args import json_object_file, json_object_text
from renderers import FORMATS

class _GuardedGroup(TyperGroup):
    """Every command, extras included, runs inside the CLI's error boundary (see :func:`_report`)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Exit, usage errors (exit 2) and Abort carry their own status; click (typer's own copy
            # in recent typer, so matched by shape, not class) reports them.
            if hasattr(exc, "exit_code") or type(exc).__name__ == "Abort":
                raise
            raise typer.Exit(_report(exc)) from None


app = typer.Typer(
    name="poml",
    cls=_GuardedGroup,
    help="Render POML prompts natively (no Node); compress, guard, train and send them, and serve editors (extras).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# The output formats are renderers.FORMATS, plus the CLI's readable "pretty".
Format = Enum("Format", {name: name for name in ("pretty", *FORMATS)}, type=str)


def _pair_value(text: str) -> Any:
    """``n=3`` gives the number 3, ``on=true`` a boolean, ``xs=[1,2]`` a list; anything that is not JSON stays a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _context_arg(values: Optional[List[str]]) -> Optional[dict]:
    """``--context`` accepts inline JSON objects, JSON files and ``key=value`` pairs, merged left to right."""
    if not values:
        return None
    merged: dict = {}
    for value in values:
        if value.lstrip().startswith("{"):
            merged.update(json_object_text(value, "--context", "context"))
        elif os.path.isfile(value):
            merged.update(json_object_file(value, "context"))
        elif "=" in value:
            key, val = value.split("=", 1)
            merged[key] = _pair_value(val)
        else:
            raise PomlError(f"{value}: error: context file not found (give a JSON file, key=value or inline JSON)")
    return merged


def _read_text(path: str) -> str:
    """A UTF-8 text file, or one clear PomlError (folder, missing, not UTF-8)."""
    if os.path.isdir(path):
        raise PomlError(f"{path}: error: is a folder, not a file (give a .poml file, or - for standard input)")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise PomlError(f"{path}: error: file not found") from None
    except UnicodeDecodeError as exc:
        raise PomlError(f"{path}: error: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8") from None


@app.command()
def render(
    file: str = typer.Argument(..., help="A .poml file, or - to read markup from standard input."),
    context: Optional[List[str]] = typer.Option(
        None, "--context", "-c",
        help="JSON file, inline JSON object, or key=value; values parse as JSON when they can (n=3 is a number). Repeatable."),
    stylesheet: Optional[Path] = typer.Option(None, "--stylesheet", "-s", help="Stylesheet JSON file."),
    format: Format = typer.Option(Format.pretty, "--format", "-f", help="Output format."),
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Chat messages, or one prompt."),
    root: Optional[List[Path]] = typer.Option(None, "--root", help="Folder markup may read files from (repeatable)."),
    allow_network: bool = typer.Option(False, "--allow-network", help="Let <img>/<webpage> fetch URLs."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the result to this file."),
) -> None:
    """Render a POML file and print the result."""
    from ._api import poml as render_poml

    markup: Any = sys.stdin.read() if file == "-" else Path(file)
    if file != "-":
        _read_text(file)  # a folder, a missing or non-UTF-8 file: one clear message
    fmt = "raw" if format in (Format.pretty, Format.raw) else format.value
    kw = dict(context=_context_arg(context), stylesheet=str(stylesheet) if stylesheet else None, chat=chat,
              roots=root or None, allow_network=allow_network)
    try:
        with _printing_warnings():
            result = render_poml(markup, format=fmt, **kw)
    except PomlError as exc:  # name the file the way the user typed it
        shown = str(exc).replace(os.path.abspath(file), file) if file != "-" else str(exc)
        raise PomlError(shown) from None
    if format is Format.pretty:
        result = _pretty(result, render_poml(markup, format="raw", extra_args=["--prettyPrint", "true"], **kw))
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


def _pretty(raw_json: str, pretty_text: str) -> str:
    """The messages as text, then the output schema, tools and runtime the prompt declares."""
    try:
        parts = json.loads(raw_json)
    except ValueError:  # chat=False without extras: raw is the plain text
        return pretty_text
    if not isinstance(parts, dict):
        return pretty_text
    out = [pretty_text]
    for key, title in (("schema", "output schema"), ("tools", "tools"), ("runtime", "runtime")):
        if parts.get(key):
            out.append(f"\n===== {title} =====\n\n{json.dumps(parts[key], indent=2, ensure_ascii=False)}")
    return "\n".join(out)


class _printing_warnings:
    """Print the render's located warnings (dropped content, literal ``{{``) to stderr, once each."""

    def __enter__(self) -> None:
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self._seen = self._catch.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc: Any) -> None:
        self._catch.__exit__(*exc)
        shown: set = set()
        for w in self._seen:
            text = str(w.message)
            if text not in shown:
                shown.add(text)
                typer.echo(text, err=True)


@app.command()
def components(name: Optional[str] = typer.Argument(None, help="Show this one tag in full.")) -> None:
    """List every tag (components and language tags) with a one-line description; NAME shows one in full."""
    from ._environment import default_environment
    from .components._registry import describe, one_line

    registry = default_environment().components
    if name is None:
        for comp in registry.listing():
            typer.echo(one_line(comp))
        return
    comp = registry.find(name)
    if comp is None:
        raise PomlError(f"error: {registry.not_found_message(name)}\nhint: `poml components` lists every tag")
    typer.echo(describe(comp))


def _register_extras() -> None:
    __import__("poml.lsp.cli").lsp.cli.register(app)
    __import__("backends.cli").cli.register(app)  # `poml send` (httpx loads only when a send runs)
    try:
        from compressor.cli import register
    except ImportError:
        return
    register(app)
    from compressor.train.cli import register as register_train

    register_train(app)


_register_extras()


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"poml-native {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Render POML prompts natively (no Node); compress, guard, train and send them, and serve editors (extras)."""


# ---------------------------------------------------------------- poml-cli
def _bool(value: str) -> bool:
    return value.lower() not in ("false", "0", "no")


def entrypoint(argv: Optional[List[str]] = None) -> int:
    """``poml-cli``: the reference CLI's flags (``-f``, ``-i``, ``-o``, ``--context``, ``--context-file``,
    ``--stylesheet``, ``--stylesheet-file``, ``--chat``, ``--prettyPrint``, ``--strict``, ``--cwd``, ``--traceDir``).
    Returns the exit status (errors are printed, never raised)."""
    return _guarded(lambda: _reference_cli(argv))


def _reference_cli(argv: Optional[List[str]]) -> int:
    import argparse

    from . import __version__
    from ._api import poml as render_poml

    p = argparse.ArgumentParser(prog="poml-cli", description="Render POML with the reference CLI's flags.")
    p.add_argument("--version", action="version", version=f"poml-native {__version__}")
    p.add_argument("-i", "--input", help="POML markup given inline.")
    p.add_argument("-f", "--file", help="A .poml file to render.")
    p.add_argument("-o", "--output", help="Write the result to this file instead of standard output.")
    p.add_argument("-c", "--context", action="append", metavar="KEY=VALUE",
                   help="A context variable (repeatable); the value parses as JSON when it can (n=3 is a number), "
                        "or an inline JSON object.")
    p.add_argument("--context-file", "--contextFile", dest="context_file", help="A JSON file with the context.")
    p.add_argument("-s", "--stylesheet", help="A stylesheet given as inline JSON.")
    p.add_argument("--stylesheet-file", "--stylesheetFile", dest="stylesheet_file", help="A stylesheet JSON file.")
    p.add_argument("-t", "--trim", default="true", help="Trim whitespace (true/false; accepted for compatibility).")
    p.add_argument("--chat", "--speakerMode", dest="chat", default="true",
                   help="true: chat messages; false: one prompt (default true).")
    p.add_argument("-p", "--prettyPrint", "--pretty-print", dest="pretty", default="false",
                   help="true: readable text instead of JSON (default false).")
    p.add_argument("--strict", default="true",
                   help="false: render what can be rendered; each skipped part is a located warning (default true).")
    p.add_argument("--cwd", help="Change to this folder before reading files.")
    p.add_argument("--traceDir", "--trace-dir", dest="trace_dir", help="Write trace files of the render here.")
    args = p.parse_args(argv)
    if args.cwd:
        os.chdir(args.cwd)
    if args.input and args.file:
        raise PomlError("error: give either --input or --file, not both")
    if not (args.input or args.file):
        raise PomlError("error: give --file prompt.poml or --input MARKUP (see poml-cli --help)")
    if args.trace_dir:
        from ._trace import set_trace

        set_trace(True, trace_dir=args.trace_dir)
    context: Optional[dict] = None
    if args.context:
        context = {}
        for pair in args.context:
            if pair.lstrip().startswith("{"):
                context.update(json_object_text(pair, "--context", "context"))
            elif "=" not in pair:
                raise PomlError(f"error: invalid context variable {pair!r}: write key=value or a JSON object")
            else:
                k, v = pair.split("=", 1)
                context[k] = _pair_value(v)
    elif args.context_file:
        context = json_object_file(args.context_file, "context")
    stylesheet: dict = {}
    if args.stylesheet_file:
        stylesheet.update(json_object_file(args.stylesheet_file, "stylesheet"))
    if args.stylesheet:
        stylesheet.update(json_object_text(args.stylesheet, "--stylesheet", "stylesheet"))
    if args.file:
        _read_text(args.file)
    markup: Any = Path(args.file) if args.file else args.input
    with _printing_warnings():
        out = render_poml(markup, context=context, stylesheet=stylesheet or None, chat=_bool(args.chat),
                          format="raw", extra_args=["--prettyPrint", args.pretty, "--strict", args.strict])
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def _guarded(run: Any) -> int:
    """Run a CLI and return its exit status: failures become one message on stderr (see :func:`_report`)."""
    try:
        result = run()
    except typer.Exit as exc:  # typer's own class (not click's) when a command ends early
        return exc.exit_code
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return _report(exc)
    return result if isinstance(result, int) else 0


def _report(exc: BaseException) -> int:
    """Print one clear message for ``exc`` on stderr and return the exit status (1), never a traceback."""
    if isinstance(exc, PomlError):
        text = str(exc)
        message = text if "error:" in text.split("\n", 1)[0] else f"error: {text}"
    elif isinstance(exc, ImportError):  # an optional package is missing: name it and the install command
        message = f"error: {_missing_extra_message(exc)}"
    elif isinstance(exc, UnicodeDecodeError):
        message = f"error: a file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
    elif isinstance(exc, OSError):
        message = f"error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    else:  # a bug: still one line, with what to do
        message = f"error: unexpected {type(exc).__name__}: {exc} (please report this with the command you ran)"
    typer.echo(message, err=True)
    return 1


def _missing_extra_message(exc: ImportError) -> str:
    from ._install import install_hint

    text = str(exc)
    if "Install it with" in text:  # already worded by the package that needed it
        return text
    package = (exc.name or "").split(".")[0] or "a package"
    return install_hint(package, _EXTRA_OF.get(package, "compress"))


# Which extra brings which import, for ImportErrors nobody worded.
_EXTRA_OF = {"torch": "compress", "transformers": "compress", "numpy": "compress", "sentencepiece": "compress",
             "rich": "compress", "tokenizers": "compress", "onnxruntime": "onnx", "onnx": "onnx",
             "tiktoken": "tokens", "pypdf": "data", "docx": "data", "openpyxl": "data", "PIL": "data",
             "lxml": "data"}


def main(argv: Optional[List[str]] = None) -> None:
    """``poml`` and ``python -m poml``."""
    raise SystemExit(_guarded(lambda: app(args=argv, prog_name="poml")))


def cli_entrypoint() -> None:
    """Console-script wrapper for :func:`entrypoint` (exits with its status)."""
    raise SystemExit(entrypoint())


if __name__ == "__main__":
    main()
