"""The declaration elements read during expansion: ``<let>``, ``<meta>``, ``<output-schema>``,
``<tool-definition>``, ``<runtime>``, and the JSON bodies of ``<context>`` and ``<stylesheet>``.

``Declarations`` is a part of :class:`~poml.template._expand.Expander` (its methods use the
Expander's sink, source, budget and file policy); what they read goes into the expansion's
result (schema, tools, runtime) or into the scope (``<let>``), and what is wrong in them is
reported where it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from renderers._js import JS_WHITESPACE_CLASS

from .._errors import PomlError, PomlFileError, PomlLimitError, PomlTemplateError, error_class, error_message
from .._names import hyphen_to_camel
from .._limits import MAX_JSON_BODY_CHARS
from ..syntax import XmlAttribute, XmlElement
from .js import ExpressionLimitError, js_json_reparsed, using

POML_VERSION = "0.0.9"  # the language version we implement (the reference's)


def deep_merge(target: Any, source: Any) -> Any:
    """Merge plain objects recursively; ``source`` wins. Arrays and scalars are replaced."""
    if isinstance(target, dict) and isinstance(source, dict):
        out = dict(target)
        for k, v in source.items():
            if isinstance(v, dict):
                cur = out.get(k)
                out[k] = deep_merge(cur, v) if isinstance(cur, dict) else (deep_merge({}, v) if not cur else v)
            else:
                out[k] = v
        return out
    return source


def _version_tuple(text: str) -> tuple:
    m = re.match(r"^(\d+\.\d+\.\d+)-nightly\.(\d+)$", text)
    if m:
        base, stamp = m.groups()
        return tuple(int(x) for x in base.split(".")), 0, int(stamp)
    parts = []
    for x in text.split("."):
        try:
            parts.append(int(x))
        except ValueError:
            parts.append(0)
    return tuple(parts), 1, 0


def compare_versions(a: str, b: str) -> int:
    pa, ra, ta = _version_tuple(a)
    pb, rb, tb = _version_tuple(b)
    width = max(len(pa), len(pb))
    pa += (0,) * (width - len(pa))
    pb += (0,) * (width - len(pb))
    if pa != pb:
        return 1 if pa > pb else -1
    if (ra, ta) != (rb, tb):
        return 1 if (ra, ta) > (rb, tb) else -1
    return 0


def convert_runtime_value(value: str) -> Any:
    """``<runtime>`` attribute text -> bool, number, JSON, or the string."""
    if value == "true":
        return True
    if value == "false":
        return False
    if re.fullmatch(r"-?\d*\.?\d+", value):
        num = float(value)
        return int(num) if num.is_integer() and "." not in value else num
    if (value.startswith("[") and value.endswith("]")) or (value.startswith("{") and value.endswith("}")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Failed:
    pass


_FAILED = _Failed()


def _attr(element: XmlElement, key: str) -> Optional[XmlAttribute]:
    return element.attribute(key)


def _os_message(exc: Exception, path: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"File not found: {path}"
    return f"Cannot read {path}: {exc}"


class Declarations:
    """The Expander's methods for declaration elements and JSON bodies."""

    def json_error(self, exc: ValueError, element: XmlElement, message: str, hint: str, lead: int = 0) -> None:
        """Report JSON that does not parse: at the character where it fails when the body's text
        is written as is in the file (``lead`` characters stripped from its start), else on the
        whole element."""
        pos = getattr(exc, "pos", None)
        at = None if pos is None else self._joined_offset(element, pos + lead)
        if at is None:
            self.error(element.start, element.end, f"{message}: {exc}", hint=hint)
        else:
            self.error(at, at + 1, f"{message}: {exc.msg}", hint=hint)

    def _joined_offset(self, element: XmlElement, pos: int) -> Optional[int]:
        """Where character ``pos`` of ``element.joined_text()`` is in the file (its text nodes are
        joined by one space), or None when that node's text is not the file's (decoded, CDATA)."""
        offset = 0
        for c in element.text_contents():
            n = len(c.text)
            if pos <= offset + n:
                if self.source.text[c.start:c.end] != c.text:
                    return None
                return c.start + min(pos - offset, max(0, n - 1))
            offset += n + 1
        return None

    def _json_body_fits(self, element: XmlElement, text: str) -> bool:
        """Whether a JSON body written in markup may be parsed (its objects take ~10 times its
        text in memory, so past :data:`MAX_JSON_BODY_CHARS` it belongs in a file); say so if not."""
        if len(text) <= MAX_JSON_BODY_CHARS:
            return True
        self.error(element.start, element.name_end,
                   f"The body of <{element.name}> is {len(text):,} characters; JSON written in markup "
                   f"is limited to {MAX_JSON_BODY_CHARS:,}.", kind=PomlLimitError,
                   hint='put the data in a file (<let name="x" src="data.json"/>) or in the context')
        return False

    def _read_json_child(self, root: XmlElement, name: str) -> Any:
        found = [c for c in root.children if isinstance(c, XmlElement) and c.name.lower() == name]
        if not found:
            return None
        if len(found) > 1:
            self.error(found[0].start, found[-1].end, f"Multiple {name} element found.")
            return None
        memo = found[0].memo
        if memo is not None and "json" in memo:  # parsed by an earlier render of this (cached) parse
            return memo["json"]
        text = found[0].joined_text()
        if not self._json_body_fits(found[0], text):
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            if self.lenient and name == "stylesheet":
                return self._css_stylesheet(found[0], text)
            self.json_error(exc, found[0], f"Invalid JSON in <{name}>",
                            hint=f"the body of <{name}> must be a JSON object")
            return None
        except RecursionError:
            self.error(found[0].start, found[0].end, f"The JSON in <{name}> is nested too deeply.",
                       kind=PomlLimitError)
            return None
        if not isinstance(value, dict):
            self.error(found[0].start, found[0].end,
                       f"<{name}> must hold a JSON object, not {type(value).__name__}.",
                       hint='write it as {"key": ...}')
            return None
        # Kept with the parse; the render merges it into copies (deep_merge) and never changes it.
        if found[0].memo is None:
            found[0].memo = {}
        found[0].memo["json"] = value
        return value

    def _css_stylesheet(self, element: XmlElement, text: str) -> Optional[dict]:
        """Lenient mode: a CSS-like body (``p { captionStyle: bold; }``) read as the JSON stylesheet."""
        from ._css import parse_css_like

        sheet = parse_css_like(text)
        if sheet is None:
            self.error(element.start, element.end, "Invalid <stylesheet>: neither JSON nor CSS-like rules.",
                       hint='write {"selector": {"attribute": "value"}}')
            return None
        self.sink.warning(element.start, element.end,
                          "A CSS-like <stylesheet> was read as JSON rules (lenient mode).",
                          hint='POML stylesheets are JSON: {"selector": {"attribute": "value"}}',
                          source=self.source)
        return sheet

    # -------------------------------------------------------------------- let
    def _let(self, element: XmlElement, scope: dict, out: dict) -> None:
        self._lets += 1
        src, type_, name, value = (_attr(element, k) for k in ("src", "type", "name", "value"))
        type_v = type_.value if type_ is not None else None
        name_v = name.value if name is not None else None
        if src is not None and src.value:
            content = self._read_let_source(src, type_v)
            if content is _FAILED:
                return
            if type_v is None and type(content) is str and src.value.lower().endswith(".json"):
                self._warn_unless_json(src, content)
            self._assign(element, out, name_v, content)
            return
        if value is not None and value.value:
            if not name_v:
                self.error(element.start, element.end, "name attribute is expected when <let> contains two attributes.",
                           kind=PomlTemplateError)
                return
            out[name_v] = self.evaluate(value.value, scope, value.value_start, value.value_end, strip_curly=True)
            return
        if element.text_contents():
            from ..data.sources import parse_text

            text = element.joined_text()
            if text.lstrip()[:1] in ("[", "{") and type_v in (None, "json", "object") \
                    and not self._json_body_fits(element, text):
                return
            try:
                content = parse_text(text, type_v)
            except PomlError as exc:
                self.error(element.start, element.end, str(exc), kind=PomlTemplateError)
                return
            self._assign(element, out, name_v, content)
            return
        self.error(element.start, element.end, "Invalid <let> element.", kind=PomlTemplateError,
                   hint='use <let name="x" value="expr"/>, <let name="x">text</let> or <let src="file.json"/>')

    def _warn_unless_json(self, src: XmlAttribute, content: str) -> None:
        """A ``.json`` file that is not JSON is read as text, as the reference reads it; say why.

        ``content`` is that text, or the string a valid file holds (``"hello"``): only the file's
        own text tells them apart, so it is read again (this happens only for a string result)."""
        from ..data.sources import read_source

        try:
            json.loads(self._read_source_kept(src.value, "string", read_source))
        except (PomlError, OSError):
            return
        except ValueError as exc:
            where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            self.sink.warning(src.value_start, src.value_end,
                              f"{src.value} is not valid JSON ({getattr(exc, 'msg', exc)}{where}): it is read as text",
                              hint='fix the file, or write type="string" to read it as text on purpose',
                              source=self.source)

    def _assign(self, element: XmlElement, out: dict, name: Optional[str], content: Any) -> None:
        if not name:
            if isinstance(content, dict):
                out.update(content)
            else:
                self.error(element.start, element.end, "name attribute is expected when the source is not an object.",
                           kind=PomlTemplateError)
        else:
            out[name] = content

    def _read_let_source(self, src: XmlAttribute, type_: Optional[str]) -> Any:
        try:
            from ..data.sources import read_source
        except ImportError:  # data layer not installed in this build
            self.error(src.value_start, src.value_end, "<let src> needs the data loaders.", kind=PomlFileError)
            return _FAILED

        try:
            return self._read_source_kept(src.value, type_, read_source)
        except (PomlError, OSError, ValueError) as exc:
            self._file_error(src, exc)
        return _FAILED

    def _read_source_kept(self, path: str, type_: Optional[str], read_source: Callable[..., Any]) -> Any:
        """``read_source`` through the Environment's memo: a file read before is reused while its
        stamp (path, mtime, size) holds, so a warm render neither resolves the path again nor parses
        its JSON. Only what an earlier read under this policy returned is reused, never a new file;
        the values are read-only (expressions never change them)."""
        files = self.files
        memo = files.memo if files is not None else None
        read = lambda: read_source(path, self.base_dir, type_, files=files)  # noqa: E731
        if memo is None:
            return read()
        return memo.read_while_unchanged(("let-src", files.policy_key, self.base_dir, path, type_), read)

    def _file_error(self, src: XmlAttribute, exc: Exception, hint: Optional[str] = None) -> None:
        """Report a failed read of ``src=`` at the attribute value, keeping the error's class."""
        d = getattr(exc, "diagnostic", None)
        message = error_message(exc) if isinstance(exc, PomlError) else _os_message(exc, src.value)
        self.error(src.value_start, src.value_end, message, kind=error_class(exc, PomlFileError),
                   hint=(d.hint if d else None) or hint)

    # ------------------------------------------------------------------- meta
    def _meta(self, element: XmlElement) -> None:
        meta_type = _attr(element, "type")
        if meta_type is not None and meta_type.value:
            t = meta_type.value
            new = {"schema": "output-schema", "tool": "tool-definition", "runtime": "runtime"}.get(t, t)
            self.error(element.start, element.end,
                       f'Meta elements with type attribute have been removed. Use <{new}> instead of <meta type="{t}">')
            return
        low = _attr(element, "minVersion")
        if low is not None and low.value and compare_versions(POML_VERSION, low.value) < 0:
            self.error(low.value_start, low.value_end, f"POML version {low.value} or higher is required")
        high = _attr(element, "maxVersion")
        if high is not None and high.value and compare_versions(POML_VERSION, high.value) > 0:
            self.error(high.value_start, high.value_end, f"POML version {high.value} or lower is required")
        comps = _attr(element, "components")
        if comps is not None and comps.value:
            for token in re.split("[," + JS_WHITESPACE_CLASS + "]+", comps.value):
                token = token.strip()
                if not token or not token[1:].strip():
                    continue
                op, name = token[0], token[1:].lower().strip()
                if op == "+":
                    self.disabled.discard(name)
                elif op == "-":
                    self.disabled.add(name)
                else:
                    self.error(comps.value_start, comps.value_end,
                               f"Invalid component operation: {op}. Use + to enable or - to disable.")

    # ------------------------------------------------- output schema and tools
    def _schema(self, element: XmlElement, scope: dict) -> Optional[dict]:
        parser_attr = _attr(element, "parser")
        parser = self.text_as_string(parser_attr.value, scope, parser_attr.value_start) if (
            parser_attr is not None and parser_attr.value) else None
        texts = element.text_contents()
        text = element.joined_text().strip()
        where = texts[0] if texts else element
        if not parser:
            parser = "json" if text.startswith("{") else "eval"
        elif parser not in ("json", "eval"):
            self.error(parser_attr.value_start, parser_attr.value_end,
                       f'Invalid parser attribute: {parser}. Expected "json" or "eval"')
            return None
        if parser == "json":
            values = self.text_values(text, scope, where.start)
            if len(values) == 1 and type(values[0]) is dict:  # the body is one {{ schema }} from the context
                schema = self._reparsed(values[0], where.start, where.end)
                if schema is not None:
                    return schema
            joined = values[0] if len(values) == 1 and isinstance(values[0], str) else "".join(
                v if isinstance(v, str) else (self.child_text(v, where.start, where.end) or "") for v in values)
            if not self._json_body_fits(element, joined):
                return None
            try:
                schema = json.loads(joined)
            except ValueError as exc:
                if joined != text:  # templates wrote it: the failing character is not in the file
                    exc = ValueError(str(exc))
                raw = element.joined_text()
                self.json_error(exc, element, "Invalid JSON schema", hint="the body must be a JSON Schema object",
                                lead=len(raw) - len(raw.lstrip()))
                return None
        else:
            from ._zod import is_zod, to_json_schema, zod_scope

            result = self.evaluate(text, {"z": zod_scope(), **scope}, where.start, where.end, strip_curly=True)
            if not result:
                return None
            schema = to_json_schema(result) if is_zod(result) else result
        if not isinstance(schema, dict):
            self.error(element.start, element.end, "Invalid OpenAPI schema provided",
                       hint="the schema must be a JSON object")
            return None
        return schema

    def _reparsed(self, value: dict, start: int, end: int) -> Optional[dict]:
        """What ``JSON.parse`` reads from ``value``'s printed text, without the text when value is
        plain data (None otherwise: the caller prints and parses)."""
        try:
            with using(self.budget):
                return js_json_reparsed(value)
        except ExpressionLimitError as exc:
            self._spent(exc, start, end)
            return None

    def _output_schema(self, element: XmlElement, scope: dict) -> None:
        if self.result.schema is not None:
            self.error(element.start, element.end, "Multiple output-schema elements found. Only one is allowed.",
                       hint="keep one <output-schema> per prompt")
            return
        schema = self._schema(element, scope)
        if schema is not None:
            self.result.schema = schema

    def _tool(self, element: XmlElement, scope: dict) -> None:
        name_attr = _attr(element, "name")
        if name_attr is None or not name_attr.value:
            self.error(element.start, element.end, "name attribute is required for tool definition",
                       hint='write <tool-definition name="my_tool" description="...">')
            return
        name = self.text_as_string(name_attr.value, scope, name_attr.value_start)
        desc_attr = _attr(element, "description")
        description = self.text_as_string(desc_attr.value, scope, desc_attr.value_start) if (
            desc_attr is not None and desc_attr.value) else None
        schema = self._schema(element, scope)
        if schema is None:
            return
        tools = self.result.tools if self.result.tools is not None else []
        if any(t["name"] == name for t in tools):
            self.error(element.start, element.end, f'Tool with name "{name}" already exists')
            return
        tool: dict[str, Any] = {"type": "function", "name": name}
        if description:
            tool["description"] = description
        tool["parameters"] = schema
        tools.append(tool)
        self.result.tools = tools

    def _runtime(self, element: XmlElement, scope: dict) -> None:
        params: dict[str, Any] = {}
        for attr in element.attributes:
            if attr.value:
                value = self.text_as_string(attr.value, scope, attr.value_start)
                params[hyphen_to_camel(attr.key)] = convert_runtime_value(value)
        self.result.runtime = params
