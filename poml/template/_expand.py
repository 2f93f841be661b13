"""Template expansion: parsed markup + context -> a tree of component calls.

This is the reference's template layer (``for``, ``if``, ``<let>``,
``<include>``, ``<context>``, ``<stylesheet>``, ``<meta>``, ``<output-schema>``,
``<tool-definition>``, ``<runtime>``, ``{{ }}``), with the same scoping rules:
``<let>`` writes into the context shared by the rest of the document (an
included file gets a copy), loop variables are local to the element.

Problems are recorded in the :class:`~poml._errors.DiagnosticSink` with
positions in the right file; in strict mode the API raises the first one. The declaration
elements (``<let>``, ``<meta>``, schemas, tools, runtime, JSON bodies) are read by the
methods of :class:`~poml.template._declarations.Declarations`.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Optional

from renderers._js import JS_WHITESPACE_CLASS

from .._errors import (
    DiagnosticSink, PomlComponentError, PomlError, PomlFileError, PomlLimitError, PomlSandboxError,
    PomlTemplateError, error_class, error_message,
)
from .._names import hyphen_to_camel
from .._limits import MAX_EXPANDED_NODES, MAX_INCLUDE_DEPTH, MAX_LOOP_ITEMS
from .._source import Source
from .._tree import Call, Node
from ..syntax import XmlAttribute, XmlElement, XmlText, parse_markup
from ._compiled import CompileCache
from ._declarations import Declarations, _attr, deep_merge
from ._text import evaluate_text, unescape
from .js import (
    UNDEFINED,
    ExpressionError,
    ExpressionLimitError,
    RenderBudget,
    js_json_stringify,
    js_to_string,
    js_truthy,
    using,
)
from .js._budget import ELEMENT_COST, EXPRESSION_COST, INCLUDE_COST, LOOP_COST, STYLE_RULE_COST

_JS_S = "[" + JS_WHITESPACE_CLASS + "]"  # the reference's /\s/ is JavaScript's whitespace

_FOR = re.compile(r"(.+)" + _JS_S + "+in" + _JS_S + r"+(.+)", re.S)
_OPEN_BRACES = re.compile(r"{{")


def unterminated_braces(text: str) -> list[tuple[int, int]]:
    """Spans of the ``{{`` with no ``}}`` after them on their line, in one pass.

    What ``re.finditer(r"{{(?![^\n]*}})", text)`` finds, without its lookahead scanning the
    rest of the line from every ``{{`` (quadratic on one long line): on each line only the
    ``{{`` from just before its last ``}}`` on can be unterminated.
    """
    spans: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        opened = text.find("{{", pos, line_end)
        if opened != -1:
            last_close = text.rfind("}}", opened + 2, line_end)
            start = opened if last_close == -1 else max(opened, last_close - 1)
            spans.extend(m.span() for m in _OPEN_BRACES.finditer(text, start, line_end))
        pos = line_end + 1
    return spans
_LONE_CURLY = re.compile(f"^{_JS_S}*{{{{{_JS_S}*(.+?){_JS_S}*}}}}{_JS_S}*$", re.M)
_SCHEMA_TAGS = frozenset({"output-schema", "outputschema"})
_TOOL_TAGS = frozenset({"tool-definition", "tool-def", "tooldef", "tool"})


class ExpansionResult:
    """Calls to build, plus what the document declared besides content."""

    __slots__ = ("nodes", "stylesheet", "schema", "tools", "runtime")

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.stylesheet: Optional[dict] = None
        self.schema: Optional[dict] = None
        self.tools: Optional[list[dict]] = None
        self.runtime: Optional[dict] = None


class Expander(Declarations):
    """Expands one parsed document. Create one per render.

    The render's :class:`RenderBudget` is made here (from ``limits``, a mapping such
    as ``{"work": 50_000_000}``) unless one is passed in; included files share it,
    and every expression, element, loop iteration and include spends from it.
    """

    def __init__(
        self,
        source: Source,
        sink: DiagnosticSink,
        *,
        trim: bool = True,
        files: Any = None,
        include_depth: int = 0,
        result: Optional[ExpansionResult] = None,
        disabled: Optional[set[str]] = None,
        counter: Optional[list[int]] = None,
        base_dir: Optional[str] = None,
        lenient: bool = False,
        budget: Optional[RenderBudget] = None,
        limits: Any = None,
        compiled: Optional[CompileCache] = None,
        parse: Optional[Callable[[str], Any]] = None,
        components: Any = None,
    ):
        self.source = source
        self.compiled = compiled if compiled is not None else CompileCache()  # the Environment's, when rendering
        self.parse = parse if parse is not None else parse_markup  # the Environment's cached parse of included files
        self.lenient = lenient  # repair what the reference refuses (unknown tags, CSS bodies), with warnings
        self._suggested: dict[str, list[str]] = {}
        self.budget = budget if budget is not None else RenderBudget.from_limits(limits)
        self._base_dir = base_dir
        self.sink = sink
        self.trim = trim
        self.files = files
        self.include_depth = include_depth
        self.result = result if result is not None else ExpansionResult()
        self.disabled = disabled if disabled is not None else set()
        self._count = counter if counter is not None else [0]
        self._lets = 0  # bumped by every <let>, so texts after one rebuild their scope
        if components is None:
            from ..components import ComponentRegistry  # late: components import the IR and registry

            components = ComponentRegistry.builtin()
        self.components = components  # where tags are looked up (the Environment's registry)
        self._lookup = components.lookup
        self._suggest = components.suggest

    # ----------------------------------------------------------------- lenient repairs
    def _suggestions(self, tag: str) -> list[str]:
        """Spelling suggestions, computed once per tag and only while diagnostics are still kept."""
        hit = self._suggested.get(tag)
        if hit is None:
            from .._errors import MAX_DIAGNOSTICS

            if len(tag) > 64 or len(self.sink.items) >= MAX_DIAGNOSTICS:
                return []  # nothing close to a 1 MB name; nobody reads the 100,001st suggestion
            hit = self._suggested[tag] = self._suggest(tag)
        return hit

    def _unknown_as_section(self, element: XmlElement, tag: str) -> Any:
        """Lenient mode: ``<foo>`` renders as ``<cp caption="foo">`` (a warning says so)."""
        self.sink.warning(element.name_start, element.name_end,
                          f"Unknown tag <{tag}> rendered as a section captioned \"{tag}\" (lenient mode).",
                          hint="use a POML component (see `poml components`), or <cp caption=\"...\">",
                          source=self.source)
        return self._lookup("cp", frozenset(self.disabled))

    # ----------------------------------------------------------------- errors
    def error(self, start: int, end: int, message: str, *, hint: Optional[str] = None,
              kind: type[PomlError] = PomlError) -> None:
        self.sink.error(start, end, message, hint=hint, kind=kind, source=self.source)

    @property
    def base_dir(self) -> Optional[str]:
        """Folder that relative paths resolve against: the file's folder, else the given one (cwd for strings)."""
        if self.source.path:
            return os.path.dirname(os.path.abspath(self.source.path))
        return self._base_dir

    # ------------------------------------------------------------ expressions
    def evaluate(self, text: str, scope: dict, start: int, end: int, strip_curly: bool = False) -> Any:
        """Evaluate an expression, recording failures (which then yield ``""``, like the reference)."""
        if strip_curly:
            m = _LONE_CURLY.match(text)
            if m:
                offset = m.start(1)
                text = m.group(1)
                start += offset
        try:
            return self.compiled.expression(text, self.budget).evaluate(scope, self.budget)
        except ExpressionLimitError as exc:
            self._spent(exc, start, end)
        except ExpressionError as exc:
            kind = error_class(exc)
            message = error_message(exc)
            hint = None
            if message.endswith(" is not defined"):
                hint = ("pass it in the context (poml.poml(..., context={...}), or --context on the command "
                        "line), or define it with <let>")
            s = start + max(0, getattr(exc, "start", 0) or 0)
            e = start + max(getattr(exc, "end", 0) or 0, (getattr(exc, "start", 0) or 0) + 1)
            self.error(min(s, end), min(max(e, s + 1), max(end, s + 1)), message, kind=kind, hint=hint)
            return ""
        except RecursionError:
            self.error(start, end, "Expression is nested too deeply.", kind=PomlSandboxError)
            return ""

    def text_values(self, text: str, scope: dict, base: int) -> list[Any]:
        if "{{" not in text:  # a literal: its text, escapes resolved, without the compiled-text lookup
            return [unescape(text)] if text else []
        # Every {{ }} is charged before the text is split: a 16 MB text of them is refused, not compiled.
        budget = self.budget
        budget.left -= EXPRESSION_COST * text.count("{{")  # inline: this runs for every text with {{
        if budget.left < 0:
            self.spend(0, base, base + len(text))
        self._warn_unterminated(text, base)
        compiled = self.compiled.text(text)
        if not compiled.has_expr:
            return list(compiled.parts)
        values = evaluate_text(
            compiled, lambda expr, s, e: self.evaluate(expr, scope, s, e), base, self.trim
        )
        if len(compiled.parts) > 1 and len(values) == 1 and type(values[0]) is str:
            budget.left -= len(values[0])  # the pieces were joined into a new string
            if budget.left < 0:
                self.spend(0, base, base + len(text))
        return values

    def _warn_unterminated(self, text: str, base: int) -> None:
        """A ``{{`` with no ``}}`` on its line stays literal (as in the reference); say where."""
        for start, end in unterminated_braces(text):
            self.sink.warning(base + start, base + end, "unterminated '{{': kept as literal text",
                              hint="close it with }}, or write #lbrace;#lbrace; for literal braces",
                              source=self.source)

    def text_as_string(self, text: str, scope: dict, base: int) -> str:
        values = self.text_values(text, scope, base)
        if len(values) == 1 and isinstance(values[0], str):
            return values[0]
        try:
            with using(self.budget):  # a huge or deep value is charged to this render too
                if len(values) == 1:
                    return js_to_string(values[0])
                return js_json_stringify(values)
        except ExpressionLimitError as exc:
            self._spent(exc, base, base + max(1, len(text)))
        except ExpressionError as exc:  # a cyclic, too deep or too large value: a located error
            self.error(base, base + max(1, len(text)), f"cannot turn the value into text: {exc.message}",
                       kind=error_class(exc))
            return ""

    def child_text(self, value: Any, start: int, end: int) -> Optional[str]:
        """:func:`_child_text` under the render's budget; a value with no text form is a located error."""
        if type(value) is str:
            return value
        try:
            with using(self.budget):
                return _child_text(value)
        except ExpressionLimitError as exc:
            self._spent(exc, start, end)
        except ExpressionError as exc:
            self.error(start, max(end, start + 1), f"cannot turn the value into text: {exc.message}",
                       kind=error_class(exc))
            return None

    def spend(self, units: int, start: int, end: int) -> bool:
        """Charge ``units`` of work to the render; when it has run out, report it and stop the expansion."""
        try:
            self.budget.charge(units)
        except ExpressionLimitError as exc:
            self._spent(exc, start, end)
        return True

    def _spent(self, exc: ExpressionLimitError, start: int, end: int) -> None:
        """Record the (first) exhausted limit where it happened and abort the whole expansion."""
        if not self.budget.reported:
            self.budget.reported = True
            s = start + max(0, exc.start)
            self.error(s, max(end, s + 1), exc.message[:1].upper() + exc.message[1:] + ".", kind=PomlLimitError,
                       hint="render less (fewer loop items, smaller values) or pass larger limits "
                            "(the table in docs/limits.md)")
        raise _BudgetSpent

    # ----------------------------------------------------------------- entry
    def expand_document(self, root: Optional[XmlElement], context: dict) -> ExpansionResult:
        """Expand the root element (reading its ``<stylesheet>`` and ``<context>`` first)."""
        if root is None:
            self.error(0, len(self.source.text), "Root element is invalid.")
            return self.result
        stylesheet = self._read_json_child(root, "stylesheet")
        extra_context = self._read_json_child(root, "context")
        context = deep_merge(dict(context), extra_context or {})
        try:
            if stylesheet is not None:
                # Merged and compiled in every render: its rules are charged before that work.
                self.spend(STYLE_RULE_COST * len(stylesheet), root.start, root.end)
                self.result.stylesheet = stylesheet
            self.result.nodes.extend(self.expand_element(root, context, {}))
        except _BudgetSpent:  # already reported, with its location
            pass
        return self.result

    # --------------------------------------------------------------- elements
    def expand_element(self, element: XmlElement, global_ctx: dict, local_ctx: dict) -> list[Node]:
        """Expand one element (and its loop copies) into calls.

        A subtree without templates expands the same way every time, so its
        calls are computed once and kept on the (cached) parse tree.
        """
        static = element.static
        if static is None:
            static = _is_static(element)
        if not static:
            return self._expand_element(element, global_ctx, local_ctx)
        key = (self.source.path, frozenset(self.disabled) if self.disabled else None, self.lenient)
        memo = element.memo
        if memo is not None:
            hit = memo.get(key)
            if hit is not None:
                self._count[0] += hit[1]
                budget = self.budget  # the elements it stands for are charged as if expanded
                budget.left -= ELEMENT_COST * hit[1]
                if budget.left < 0:
                    self.spend(0, element.start, element.end)
                return hit[0]
        errors_before, count_before = self.sink.reported, self._count[0]
        nodes = self._expand_element(element, global_ctx, local_ctx)
        if self.sink.reported == errors_before:  # never cache a subtree that reported problems
            if element.memo is None:
                element.memo = {}
            element.memo[key] = (nodes, self._count[0] - count_before)
        return nodes

    def _expand_element(self, element: XmlElement, global_ctx: dict, local_ctx: dict) -> list[Node]:
        budget = self.budget
        budget.left -= ELEMENT_COST  # inline: this runs for every element
        if budget.left < 0:
            self.spend(0, element.start, element.end)
        self._count[0] += 1
        if self._count[0] > MAX_EXPANDED_NODES:
            if self._count[0] == MAX_EXPANDED_NODES + 1:
                self.error(element.start, element.end,
                           f"The prompt expands to more than {MAX_EXPANDED_NODES} elements.", kind=PomlLimitError)
            return []
        tag = element.name
        if element.static:
            # No loop, condition, template or template-layer tag below: attributes and texts
            # are their literal values (escapes resolved), with no scope to build.
            component = self._lookup(tag, frozenset(self.disabled) if self.disabled else _NONE_DISABLED)
            if component is not None:
                return [self._static_call(element, component, global_ctx, local_ctx)]
        lower = tag.lower()
        if lower == "let":
            self._let(element, {**global_ctx, **local_ctx}, global_ctx)
            return []

        loops = self._for(element, {**global_ctx, **local_ctx})
        condition = _attr(element, "if")  # looked up once, evaluated in every loop copy
        out: list[Node] = []
        for loop_vars in (loops if loops is not None else ({},)):
            current_local = {**local_ctx, **loop_vars} if loop_vars else local_ctx
            scope = {**global_ctx, **current_local}
            if condition is not None and not self._if(condition, scope):
                continue
            if lower == "meta":
                self._meta(element)
                continue
            if lower in _SCHEMA_TAGS:
                self._output_schema(element, scope)
                continue
            if lower in _TOOL_TAGS:
                self._tool(element, scope)
                continue
            if lower == "runtime":
                self._runtime(element, scope)
                continue
            if lower == "include":
                out.extend(self._include(element, scope))
                continue
            component = self._lookup(tag, frozenset(self.disabled) if self.disabled else _NONE_DISABLED)
            caption = None
            if component is None and self.lenient:
                component, caption = self._unknown_as_section(element, tag), tag
            if component is None:
                names = self._suggestions(tag)
                message = f"Component {tag} not found."
                if names:
                    message += f" Do you mean: {', '.join(names)}?"
                self.error(element.name_start, element.name_end, message, kind=PomlComponentError,
                           hint="check the spelling, or see `poml components` for the list")
                return out
            props: dict[str, Any] = {}
            for attr in element.attributes:
                value = attr.value
                if not value or attr.key.lower() in ("for", "if"):
                    continue
                plain = attr.plain
                if plain is None:
                    plain = attr.plain = unescape(value) if "{{" not in value else False
                if plain is not False:
                    props[hyphen_to_camel(attr.key)] = plain
                    continue
                values = self.text_values(value, scope, attr.value_start)
                props[hyphen_to_camel(attr.key)] = values[0] if len(values) == 1 else values
            if caption is not None:
                props["caption"] = caption
            children: list[Node] = []
            is_poml = tag == "poml"
            lets_seen = self._lets
            for child in element.children:
                if type(child) is XmlText:
                    plain = child.plain
                    if plain is None:  # a literal (the whitespace between elements...) has no scope to see
                        plain = child.plain = unescape(child.text) if "{{" not in child.text else False
                    if plain is not False:
                        if plain:
                            children.append(plain)
                        continue
                    if self._lets != lets_seen:
                        # A <let> among earlier children wrote to the shared context: texts see it.
                        scope = {**global_ctx, **current_local}
                        lets_seen = self._lets
                    for v in self.text_values(child.text, scope, child.start):
                        text = self.child_text(v, child.start, child.end)
                        if text is not None:
                            children.append(text)
                else:
                    if is_poml and child.name.lower() in ("context", "stylesheet"):
                        continue
                    children.extend(self.expand_element(child, global_ctx, current_local))
            out.append(Call(component, props, children, element.start, element.end, self.source, tag))
        return out

    def _static_call(self, element: XmlElement, component: Any, global_ctx: dict, local_ctx: dict) -> Call:
        """The call of a static element: what the general path computes, without evaluating anything."""
        props: dict[str, Any] = {}
        for attr in element.attributes:
            if attr.value:
                props[hyphen_to_camel(attr.key)] = unescape(attr.value)
        children: list[Node] = []
        for child in element.children:
            if type(child) is XmlText:
                if child.text:
                    children.append(unescape(child.text))
            else:  # static too, and inside this element's memo: no memo of its own
                children.extend(self._expand_element(child, global_ctx, local_ctx))
        return Call(component, props, children, element.start, element.end, self.source, element.name)

    # -------------------------------------------------------------- for / if
    def _for(self, element: XmlElement, scope: dict) -> Optional[list[dict]]:
        attr = _attr(element, "for")
        if attr is None:
            return None
        if not attr.value:
            self.error(element.start, element.end, "for attribute value is expected.", kind=PomlTemplateError)
            return None
        m = _FOR.match(attr.value)
        if not m:
            self.error(attr.value_start, attr.value_end, "item in list syntax is expected in for attribute.",
                       kind=PomlTemplateError, hint='write for="item in items"')
            return None
        item_name, list_expr = m.group(1).strip(), m.group(2)
        items = self.evaluate(list_expr, scope, attr.value_start + m.start(2), attr.value_end)
        if not isinstance(items, list):
            self.error(attr.value_start, attr.value_end, "List is expected in for attribute.",
                       kind=PomlTemplateError, hint="the expression after 'in' must give an array")
            return None
        if len(items) > MAX_LOOP_ITEMS:
            self.error(attr.value_start, attr.value_end,
                       f"for= would repeat {len(items)} times; the limit is {MAX_LOOP_ITEMS}.",
                       kind=PomlSandboxError)
            return None
        n = len(items)
        if not self.spend(n * LOOP_COST, attr.value_start, attr.value_end):
            return None
        return [
            {"loop": {"index": i, "length": n, "first": i == 0, "last": i == n - 1}, item_name: item}
            for i, item in enumerate(items)
        ]

    def _if(self, attr: XmlAttribute, scope: dict) -> bool:
        """Whether the element with this ``if=`` attribute renders in ``scope``."""
        if not attr.value:
            self.error(attr.start, attr.end, "if attribute value is expected.", kind=PomlTemplateError)
            return False
        return js_truthy(self.evaluate(attr.value, scope, attr.value_start, attr.value_end, strip_curly=True))

    # ---------------------------------------------------------------- include
    def _include(self, element: XmlElement, scope: dict) -> list[Node]:
        src = _attr(element, "src")
        if src is None or not src.value:
            self.error(element.start, element.end, "src attribute is expected.", kind=PomlFileError,
                       hint='write <include src="other.poml"/>')
            return []
        if self.include_depth >= MAX_INCLUDE_DEPTH:
            self.error(src.value_start, src.value_end,
                       f"<include> is nested more than {MAX_INCLUDE_DEPTH} levels deep (a cycle?).",
                       kind=PomlLimitError)
            return []
        if not self.spend(INCLUDE_COST, element.start, element.end):
            return []
        from .._files import default_access

        files = self.files or default_access(self.source.path)
        try:
            path = files.resolve(src.value, self.base_dir)
            text = files.read_text(path)
        except (PomlError, OSError, ValueError) as exc:
            self._file_error(src, exc, hint="check the path; it is relative to the including file")
            return []
        text = text.replace("\r\n", "\n")
        source = Source(text, str(path))
        doc = self.parse(text)
        child = Expander(source, self.sink, trim=doc.trim, files=files, include_depth=self.include_depth + 1,
                         lenient=self.lenient, result=self.result, disabled=self.disabled, counter=self._count,
                         budget=self.budget, compiled=self.compiled, parse=self.parse, components=self.components)
        for issue in doc.issues:
            child.error(issue.start, issue.end, issue.message, hint=issue.hint, kind=issue.kind)
        root = doc.root
        if root is None:
            return []
        contents = root.children if root.name.lower() == "poml" else [root]
        out: list[Node] = []
        for node in contents:
            if isinstance(node, XmlText):
                for v in child.text_values(node.text, scope, node.start):
                    text_v = child.child_text(v, node.start, node.end)
                    if text_v is not None:
                        out.append(text_v)
            else:
                out.extend(child.expand_element(node, scope, {}))
        return out


_DYNAMIC_TAGS = frozenset({
    "let", "include", "meta", "runtime", "context", "stylesheet", *_SCHEMA_TAGS, *_TOOL_TAGS,
})


_NONE_DISABLED: frozenset = frozenset()


class _BudgetSpent(Exception):
    """The render's budget ran out (already reported): unwinds the expansion."""


def _is_static(element: XmlElement) -> bool:
    """True when the subtree has no templates, loops, conditions or template-layer tags.

    Computed bottom-up once per parsed element (the parse tree is cached).
    """
    static = element.name.lower() not in _DYNAMIC_TAGS
    if static:
        for attr in element.attributes:
            if attr.key.lower() in ("for", "if") or (attr.value and "{{" in attr.value):
                static = False
                break
    for child in element.children:
        if isinstance(child, XmlText):
            if "{{" in child.text:
                static = False
        elif not (child.static if child.static is not None else _is_static(child)):
            static = False
    element.static = static
    return static


def _child_text(value: Any) -> Optional[str]:
    """How a template value appears as a child: React drops booleans, null and undefined."""
    if isinstance(value, str):
        return value
    if value is None or value is UNDEFINED or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return js_to_string(value)
    if isinstance(value, (dict, list)):
        return js_json_stringify(value)
    return js_to_string(value)
