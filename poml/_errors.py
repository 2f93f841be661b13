"""Diagnostics and the exception tree.

Every stage reports problems as :class:`Diagnostic` values. In strict mode the
first error is raised as a :class:`PomlError` subclass whose message reads like
a compiler error::

    prompt.poml:3:5: error: Component "tsak" not found.
      3 |     <tsak>Summarise</tsak>
        |     ^^^^^^
    hint: did you mean: task?

The tree (read it like a map)::

    PomlError
    ├── PomlSyntaxError        malformed markup (unclosed tags, bad attributes)
    ├── PomlTemplateError      {{ expressions }}, for/if/let
    │   └── PomlSandboxError   the expression tried to leave the sandbox or exceeded a limit
    ├── PomlComponentError     unknown components, bad attribute values
    ├── PomlFileError          include/src files: missing, unreadable, undecodable
    │   ├── PomlFileNotFoundError  the file does not exist (also a FileNotFoundError)
    │   └── PomlPathError      a path outside the allowed roots, or the network when it is off
    ├── PomlLimitError         input too large or too deep
    └── PomlRenderError        writing the IR (bad syntax choices, speakers...)

Stages report with the class itself (``sink.error(..., kind=PomlLimitError)``), never its
name. Failures of other kinds (an expression error, an ``OSError``, a writer's issue, a
``RecursionError``) become ``PomlError`` s in one place: :func:`error_class` maps them
and :func:`translated` is the boundary around a render. Every error pickles with its
diagnostic (multiprocessing, Ray).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    from ._source import Source

Severity = Literal["error", "warning"]

SOURCE_WINDOW = 200     # characters of the source line a message shows around the caret
MAX_DIAGNOSTICS = 100   # diagnostics one render keeps; later ones are counted, not stored



class PomlError(Exception):
    """Base of every error this package raises for bad input."""

    def __init__(self, message: str, *, diagnostic: Optional[Diagnostic] = None):
        super().__init__(message)
        self.diagnostic = diagnostic

    @property
    def line(self) -> Optional[int]:
        return self.diagnostic.line if self.diagnostic else None

    @property
    def column(self) -> Optional[int]:
        return self.diagnostic.column if self.diagnostic else None

    @property
    def path(self) -> Optional[str]:
        return self.diagnostic.path if self.diagnostic else None


class PomlWarning(UserWarning):
    """Something was kept literally or left out (non-strict mode); the message names file:line:col."""


class PomlSyntaxError(PomlError):
    """The markup is not well formed."""


class PomlTemplateError(PomlError):
    """A ``{{ }}`` expression, ``for``, ``if`` or ``<let>`` failed."""


class PomlSandboxError(PomlTemplateError):
    """An expression tried to leave the sandbox or went past a size limit."""


class PomlComponentError(PomlError):
    """Unknown component, or an attribute value of the wrong type."""


class PomlFileError(PomlError):
    """A file named by the markup is missing or unreadable."""


class PomlFileNotFoundError(PomlFileError, FileNotFoundError):
    """A file named by the caller or the markup does not exist (also a ``FileNotFoundError``)."""


class PomlPathError(PomlFileError):
    """A path outside the allowed roots, or a URL while the network is off."""


class PomlLimitError(PomlError):
    """The input is too large or too deeply nested."""


class PomlRenderError(PomlError):
    """Writing the rendered prompt failed."""



@dataclass(slots=True)
class Diagnostic:
    """One problem found in the markup, with its position.

    ``line``/``column`` are 1-based; ``end_line``/``end_column`` mark the end of
    the span (exclusive). ``start``/``end`` are character offsets.
    """

    message: str
    severity: Severity = "error"
    path: Optional[str] = None
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    start: int = 0
    end: int = 0
    hint: Optional[str] = None
    kind: type[PomlError] = PomlError  # the class it is raised as (its name is the LSP code)
    source_line: str = ""

    @classmethod
    def at(
        cls,
        source: "Source | None",
        start: int,
        end: int,
        message: str,
        *,
        hint: Optional[str] = None,
        severity: Severity = "error",
        kind: type[PomlError] = PomlError,
    ) -> "Diagnostic":
        """A diagnostic for the span ``[start, end)`` of ``source``."""
        if source is None:
            return cls(message, severity, None, 1, 1, 1, 1, start, end, hint, kind, "")
        end = max(end, start)
        line, col = source.line_col(start)
        end_line, end_col = source.line_col(end)
        return cls(
            message, severity, source.path, line, col, end_line, end_col,
            start, end, hint, kind, source.line_text(line),
        )

    def format(self) -> str:
        """Compiler-style text: location, message, source line with a caret, hint.

        A long source line (minified markup, a pasted document) is shown as a window of
        about :data:`SOURCE_WINDOW` characters around the caret, with ``...`` where cut.
        """
        where = f"{self.path or '<string>'}:{self.line}:{self.column}"
        out = [f"{where}: {self.severity}: {self.message}"]
        if self.source_line:
            gutter = f"{self.line:>4} | "
            shown = self.source_line.expandtabs(1)
            width = 1
            if self.end_line == self.line:
                width = max(1, min(self.end_column - self.column, len(shown) - self.column + 1))
            caret = self.column - 1
            if len(shown) > SOURCE_WINDOW:
                begin = max(0, min(caret - SOURCE_WINDOW // 2, len(shown) - SOURCE_WINDOW))
                stop = begin + SOURCE_WINDOW
                head, tail = ("..." if begin else ""), ("..." if stop < len(shown) else "")
                shown = head + shown[begin:stop] + tail
                caret = caret - begin + len(head)
                width = max(1, min(width, stop - self.column + 1))
            out.append(gutter + shown)
            out.append(" " * (len(gutter) - 2) + "| " + " " * caret + "^" * width)
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    @property
    def code(self) -> str:
        """The error class's name (``PomlSyntaxError``...): the code an editor shows."""
        return self.kind.__name__

    def to_exception(self) -> "PomlError":
        return self.kind(self.format(), diagnostic=self)



def _foreign_map() -> tuple:
    """(exception class, PomlError class) pairs, most specific first: the one translation table."""
    from renderers import RenderIssue

    from .template.js import ExpressionError, ExpressionLimitError, ExpressionSandboxError

    return (
        (ExpressionLimitError, PomlLimitError),
        (ExpressionSandboxError, PomlSandboxError),
        (ExpressionError, PomlTemplateError),
        (RenderIssue, PomlRenderError),
        (RecursionError, PomlLimitError),
        (MemoryError, PomlLimitError),
        (FileNotFoundError, PomlFileNotFoundError),
        (OSError, PomlFileError),
        (UnicodeDecodeError, PomlFileError),
    )


_FOREIGN: list = []  # filled on first use (the evaluator and the writers load lazily)


def error_class(exc: BaseException, default: type[PomlError] = PomlError) -> type[PomlError]:
    """The :class:`PomlError` class a failure is reported as.

    A ``PomlError`` keeps its own class; an expression, writer, file or recursion failure
    maps through the table above; anything else is ``default`` (``PomlFileError`` where a
    file was being read, ``PomlError`` elsewhere).
    """
    if isinstance(exc, PomlError):
        return type(exc)
    if not _FOREIGN:
        _FOREIGN.extend(_foreign_map())
    for foreign, ours in _FOREIGN:
        if isinstance(exc, foreign):
            return ours
    return default


def error_message(exc: BaseException) -> str:
    """The bare message of a failure (a located PomlError's own message, not its formatted text)."""
    d = getattr(exc, "diagnostic", None)
    if d is not None:
        return d.message
    return str(getattr(exc, "message", None) or exc)


def translated(exc: BaseException, path: Optional[str] = None) -> PomlError:
    """The boundary of a render: what escaped a stage, as a located :class:`PomlError` to raise.

    Stages report located problems themselves; this names the markup for what they did not
    expect (deep data, memory, a value a stage has no rule for) instead of a traceback.
    A ``PomlError`` is returned as it is.
    """
    if isinstance(exc, PomlError):
        return exc
    where = f"{path or '<string>'}:1:1"
    if isinstance(exc, RecursionError):
        return PomlLimitError(f"{where}: error: the markup or its data is nested too deeply "
                              "to render.\nhint: flatten the nesting")
    if isinstance(exc, MemoryError):
        return PomlLimitError(f"{where}: error: rendering ran out of memory.\n"
                              "hint: load less data, or lower the limits")
    cls = error_class(exc)
    if cls is not PomlError:  # a known kind run outside its stage (a RegExp attribute, a filter)
        return cls(f"{where}: error: {error_message(exc)}")
    return PomlError(f"{where}: error: could not render the prompt ({type(exc).__name__}: {str(exc)[:200]}).\n"
                     "hint: check the attribute values and the context; if they look right, please report this")


class DiagnosticSink:
    """Collects diagnostics of one render; strict mode raises the first error at the end.

    At most :data:`MAX_DIAGNOSTICS` are kept (and the first error always is); later ones
    are counted in :attr:`dropped` without being located, so a text of a million problems
    costs no more than one of a hundred.
    """

    __slots__ = ("source", "items", "dropped", "has_error")

    def __init__(self, source: "Source | None" = None):
        self.source = source
        self.items: list[Diagnostic] = []
        self.dropped = 0  # diagnostics past MAX_DIAGNOSTICS: counted, not kept (bounded memory)
        self.has_error = False

    def _full(self, severity: str) -> bool:
        """Whether a diagnostic of ``severity`` would be dropped (then it is counted here)."""
        if len(self.items) >= MAX_DIAGNOSTICS and not (severity == "error" and not self.has_error):
            self.dropped += 1
            return True
        return False

    def add(self, diagnostic: Diagnostic) -> None:
        if self._full(diagnostic.severity):
            return
        self.items.append(diagnostic)
        if diagnostic.severity == "error":
            self.has_error = True

    # error() and warning() check the cap before locating: locating is what costs.
    def error(self, start: int, end: int, message: str, *, hint: Optional[str] = None,
              kind: type[PomlError] = PomlError, source: "Source | None" = None) -> None:
        if not self._full("error"):
            self.add(Diagnostic.at(source or self.source, start, end, message, hint=hint, kind=kind))

    def warning(self, start: int, end: int, message: str, *, hint: Optional[str] = None,
                source: "Source | None" = None) -> None:
        if not self._full("warning"):
            self.add(Diagnostic.at(source or self.source, start, end, message, hint=hint, severity="warning"))

    @property
    def reported(self) -> int:
        """How many diagnostics were reported, kept or not (a cache key's "did it complain?")."""
        return len(self.items) + self.dropped

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def raise_first(self) -> None:
        for d in self.items:
            if d.severity == "error":
                raise d.to_exception()
