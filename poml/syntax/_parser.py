"""A small, iterative, error-tolerant XML parser for POML.

It follows the reference's XML layer where users can observe it:

* entity references (``&lt;``, ``&#60;``) are *not* decoded: like the
  reference's AST they are dropped and split the surrounding text (POML has its
  own escapes, ``#lt;`` etc., resolved later in template expansion);
* a closing tag closes the innermost open element whatever its name;
* attribute values are quoted strings; unlike the reference we accept ``<``
  inside them (it fails on ``if="a < b"``) and a JSX-style unquoted value
  ``parameters={{ query: "x" }}`` meaning the object ``{query: "x"}`` (its
  newer tests write tool parameters that way);
* DTDs and entity declarations are refused outright (no entity expansion).

Markup whose top level is not a single element is wrapped like the reference
does: no element at all -> free text (``syntax="text" whiteSpace="pre"``),
text or several elements around it -> ``syntax="markdown"``.

The parser never recurses, so nesting depth is bounded only by
``MAX_NESTING_DEPTH``, which it enforces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

from .._errors import PomlError, PomlLimitError, PomlSyntaxError
from .._errors import MAX_DIAGNOSTICS
from .._limits import MAX_NAME_CHARS, MAX_NESTING_DEPTH, MAX_PARSED_ELEMENTS, MAX_PARSED_NODES, MAX_TAG_ATTRIBUTES

# XML names: ASCII letters, "_" and ":" first, then also digits, "." and "-"; any non-ASCII
# character anywhere. Each is one negated class of the ASCII characters left out: a single class
# repeats on the regex engine's fast path (an alternation in a loop costs ~10 times as much per
# character) and compiles in microseconds (a \u00C0-\uFFFF range takes ~10 ms at import).
_NAME = re.compile(r"[^\x00-\x39\x3b-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2c\x2f\x3b-\x40\x5b-\x5e\x60\x7b-\x7f]*")
_WS = re.compile(r"[ \t\r\n]*")
_ENTITY = re.compile(r"&(?:[A-Za-z_:][\w.:\-]*|#[0-9]+|#x[0-9A-Fa-f]+);")
_ATTR_VALUE_DQ = re.compile(r'"([^"]*)"')
_ATTR_VALUE_SQ = re.compile(r"'([^']*)'")
_UNQUOTED_TEMPLATE_END = re.compile(r"}}(?!})")
# The common tag in one match: a name and quoted attributes, then ``>`` or ``/>``. Possessive
# and atomic throughout, so it never backtracks; anything else (a JSX value, a bare attribute,
# a name over the limit, an error to report) goes through ``_parse_tag_in_steps``.
_QUOTED_ATTR = re.compile(rf"""[ \t\r\n]*+((?>{_NAME.pattern}))[ \t\r\n]*+=[ \t\r\n]*+(?:"([^"]*+)"|'([^']*+)')""")
# At most MAX_TAG_ATTRIBUTES attributes: a longer tag is read in steps, which stop there and say so.
_SIMPLE_TAG = re.compile(
    rf"<(?P<name>(?>{_NAME.pattern}))(?P<attrs>(?:{_QUOTED_ATTR.pattern}){{0,{MAX_TAG_ATTRIBUTES}}}+)[ \t\r\n]*+(?P<slash>/?)>")
_CLOSING_TAG = re.compile(rf"</((?>{_NAME.pattern}))?[ \t\r\n]*+")


@dataclass(slots=True)
class XmlAttribute:
    """``key="value"``; ``value`` excludes the quotes, spans are offsets into the text."""

    key: str
    value: Optional[str]
    start: int
    end: int
    value_start: int
    value_end: int
    plain: Union[str, bool, None] = field(default=None, compare=False, repr=False)  # as XmlText.plain


@dataclass(slots=True)
class XmlText:
    text: str
    start: int
    end: int
    # Expansion memo: the text with its escapes resolved when it holds no {{ }}, False when it
    # does (None: not looked at yet). A loop copies the text again and again; it is read once.
    plain: Union[str, bool, None] = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class XmlElement:
    name: str
    attributes: list[XmlAttribute] = field(default_factory=list)
    children: list[Union["XmlElement", XmlText]] = field(default_factory=list)
    start: int = 0
    end: int = 0
    name_start: int = 0
    name_end: int = 0
    synthetic: bool = False  # the wrapper added for free text / mixed top level
    # Expansion memo: whether the subtree is free of templates, and its expanded calls (by
    # (path, disabled, lenient)); for <stylesheet>/<context>, the parsed JSON (under "json").
    static: Optional[bool] = None
    memo: Optional[dict] = None

    def attribute(self, key: str) -> Optional[XmlAttribute]:
        """The attribute named ``key``, case-insensitively."""
        lower = key.lower()
        for a in self.attributes:
            if a.key.lower() == lower:
                return a
        return None

    def text_contents(self) -> list[XmlText]:
        return [c for c in self.children if isinstance(c, XmlText)]

    def joined_text(self) -> str:
        """Text children joined by a space, as the reference reads ``<let>``/``<context>`` bodies."""
        return " ".join(c.text for c in self.children if isinstance(c, XmlText))


@dataclass(slots=True)
class ParseIssue:
    message: str
    start: int
    end: int
    kind: type[PomlError] = PomlSyntaxError
    hint: Optional[str] = None
    repaired: Optional[str] = None  # lenient mode keeps going and warns with this text instead


@dataclass(slots=True)
class ParsedDocument:
    """The root element (maybe a synthetic wrapper) and the problems found."""

    root: Optional[XmlElement]
    issues: list[ParseIssue]
    trim: bool  # False when the text was wrapped (the reference then keeps raw spacing of lone expressions)
    text: str
    # Set by the first build of this text: a text rendered once gains nothing from build-cache
    # keys (about a tenth of a cold build), so they are made from its second render on.
    built: bool = False


class _Limit(Exception):
    """Parsing stops here; ``keep`` keeps the issues found before (else only this one is reported)."""

    def __init__(self, issue: ParseIssue, keep: bool = False):
        self.issue = issue
        self.keep = keep


def _check_counts(tokens: int, issues: list[ParseIssue], pos: int) -> None:
    """Stop a text of too many tokens (each costs every later stage) or too many problems."""
    if tokens > MAX_PARSED_NODES:
        raise _Limit(ParseIssue(
            f"The markup has more than {MAX_PARSED_NODES:,} tags, attributes, texts and entity references.",
            pos, pos + 1, kind=PomlLimitError,
            hint="load large data with <table>/<document>/<object> instead of writing it as markup"))
    if len(issues) > MAX_DIAGNOSTICS:
        raise _Limit(ParseIssue(
            f"More than {MAX_DIAGNOSTICS} syntax problems; the rest of the markup was not read.",
            pos, pos + 1, kind=PomlLimitError, hint="fix the first problems listed"), keep=True)


def _parse_tag_in_steps(text: str, pos: int, issues: list[ParseIssue]) -> tuple[Optional[XmlElement], int, bool]:
    """Parse ``<name attr="v" ...>`` or ``/>`` at ``pos`` (at '<') one attribute at a time: every
    tag form, with its problems reported. Returns (element or None, new position, self_closing)."""
    n = len(text)
    m = _NAME.match(text, pos + 1)
    if not m:
        issues.append(ParseIssue(
            "Expected a tag name after '<'.", pos, pos + 1,
            hint="write #lt; for a literal '<' in text",
        ))
        return None, pos + 1, False
    if m.end() - m.start() > MAX_NAME_CHARS:
        raise _Limit(ParseIssue(
            f"A tag name of {m.end() - m.start()} characters; the limit is {MAX_NAME_CHARS}.",
            m.start(), m.start() + MAX_NAME_CHARS, kind=PomlLimitError,
            hint="tag and attribute names are short words; is a '<' missing its escape (#lt;)?"))
    el = XmlElement(m.group(0), start=pos, name_start=m.start(), name_end=m.end())
    i = m.end()
    while True:
        i = _WS.match(text, i).end()
        if i >= n:
            issues.append(ParseIssue(f"Tag <{el.name}> is not closed with '>'.", pos, n))
            el.end = n
            return el, n, True
        c = text[i]
        if c == ">":
            return el, i + 1, False
        if c == "/" and text.startswith("/>", i):
            el.end = i + 2
            return el, i + 2, True
        am = _NAME.match(text, i)
        if am and am.end() - am.start() > MAX_NAME_CHARS:
            raise _Limit(ParseIssue(
                f"An attribute name of {am.end() - am.start()} characters; the limit is {MAX_NAME_CHARS}.",
                am.start(), am.start() + MAX_NAME_CHARS, kind=PomlLimitError))
        if not am:
            issues.append(ParseIssue(
                f"Unexpected character {c!r} in tag <{el.name}>.", i, i + 1,
                hint='attributes are written name="value"',
            ))
            # Skip to the end of the tag to recover.
            gt = text.find(">", i)
            if gt == -1:
                el.end = n
                return el, n, True
            self_closing = text[gt - 1] == "/"
            if self_closing:
                el.end = gt + 1
            return el, gt + 1, self_closing
        key, key_start = am.group(0), am.start()
        j = _WS.match(text, am.end()).end()
        if j < n and text[j] == "=":
            j = _WS.match(text, j + 1).end()
            if text.startswith("{{", j):
                # JSX-style unquoted value: parameters={{ query: "x" }} is the object
                # {query: "x"}; kept as the template "{{{ query: "x" }}}".
                close = _UNQUOTED_TEMPLATE_END.search(text, j + 2)
                if close is not None:
                    end = close.end()
                    value = "{{" + text[j + 1:end - 1] + "}}"
                    el.attributes.append(XmlAttribute(key, value, key_start, end, j - 1, end))
                    i = end
                    continue
            vm = (_ATTR_VALUE_DQ if j < n and text[j] == '"' else _ATTR_VALUE_SQ).match(text, j)
            if not vm:
                issues.append(ParseIssue(
                    f'The value of attribute "{key}" must be quoted.', j, min(j + 1, n),
                    hint=f'write {key}="..."',
                ))
                gt = text.find(">", j)
                el.end = n if gt == -1 else gt + 1
                return el, (n if gt == -1 else gt + 1), True
            el.attributes.append(XmlAttribute(key, vm.group(1), key_start, vm.end(), vm.start(1), vm.end(1)))
            if len(el.attributes) > MAX_TAG_ATTRIBUTES:
                raise _Limit(ParseIssue(
                    f"Tag <{el.name}> has more than {MAX_TAG_ATTRIBUTES:,} attributes.", key_start, vm.end(),
                    kind=PomlLimitError, hint="pass data in one attribute ({{ ... }}) or in the context"))
            i = vm.end()
        else:
            issues.append(ParseIssue(
                f'Attribute "{key}" has no value.', key_start, am.end(),
                hint=f'write {key}="..."',
            ))
            i = am.end()


def _element_of(text: str, m: re.Match) -> Optional[XmlElement]:
    """The element of a ``_SIMPLE_TAG`` match (also a group of ``_TOKEN``); None past a name limit."""
    name_start, name_end = m.span("name")
    if name_end - name_start > MAX_NAME_CHARS:
        return None
    attributes = []
    attrs_start, attrs_end = m.span("attrs")
    if attrs_start != attrs_end:
        for a in _QUOTED_ATTR.finditer(text, attrs_start, attrs_end):
            if a.end(1) - a.start(1) > MAX_NAME_CHARS:
                return None
            v = a.lastindex  # 2: double-quoted, 3: single-quoted
            attributes.append(XmlAttribute(a.group(1), a.group(v), a.start(1), a.end(), a.start(v), a.end(v)))
    self_closing = m.start("slash") != m.end("slash")
    return XmlElement(m.group("name"), attributes, [], m.start(), m.end() if self_closing else 0,
                      name_start, name_end)


# The three tokens most markup is made of, in one match: a text run, a well-formed opening tag,
# a closing tag ending in ``>``. Anything else (comments, entities, errors...) takes the general
# branches of ``_parse_nodes``.
# A run's leading whitespace is its own token (``ws``): the reference's lexer makes it a text node of
# its own, so " theta" is two nodes (" " and "theta"), and the whitespace between tags needs no more work.
_TOKEN = re.compile(rf"(?P<ws>(?: |\t|\n|\r\n)++)|(?P<text>[^<&]++)|(?P<tag>{_SIMPLE_TAG.pattern})"
                    rf"|(?P<close></(?P<closing>(?>{_NAME.pattern}))?[ \t\r\n]*+>)")


def _parse_nodes(text: str, issues: list[ParseIssue]) -> list[Union[XmlElement, XmlText]]:
    """Parse a sequence of content nodes (the whole text, as a fragment)."""
    n = len(text)
    top: list[Union[XmlElement, XmlText]] = []
    stack: list[XmlElement] = []
    siblings = top  # where the next node goes: the innermost open element's children
    pos = 0
    mismatch: Optional[tuple[str, int, XmlElement]] = None  # first </x> that closed another element
    elements = 0
    tokens = 0  # every pass of the loop reads one; attributes are added with their element
    next_check = 1024  # counted every 1,024 tokens or so (a threshold: attribute counts jump)
    token = _TOKEN.match

    while pos < n:
        tokens += 1
        if tokens >= next_check:
            _check_counts(tokens, issues, pos)
            next_check = tokens + 1024
        m = token(text, pos)
        kind = m.lastgroup if m is not None else None
        if kind == "ws":
            end = m.end()
            siblings.append(XmlText(m.group(), pos, end))
            pos = end
            continue
        if kind == "text":
            end = m.end()
            # Most runs end at a tag; only one holding an open "{{" may go on through an expression.
            stop = _expression_end(text, pos, end) if end < n and text.rfind("{{", pos, end) != -1 else end
            if stop == end:
                siblings.append(XmlText(m.group(), pos, stop))
            else:  # the run goes on through an expression holding '<' or '&'
                siblings.append(XmlText(decode_xml_chars(text[pos:stop]), pos, stop))
            pos = stop
            continue
        if kind == "close" or (kind is None and text.startswith("</", pos)):
            if kind == "close":
                name, end = m.group("closing"), m.end()
            else:
                cm = _CLOSING_TAG.match(text, pos)
                name, end = cm.group(1), cm.end()
                issues.append(ParseIssue("Closing tag is not closed with '>'.", pos, end))
            if stack:
                closed = stack.pop()
                closed.end = end
                siblings = stack[-1].children if stack else top
                if (name is not None and mismatch is None and name != closed.name
                        and name.lower() != closed.name.lower()):
                    mismatch = (name, pos, closed)
            else:
                issues.append(ParseIssue(f"Closing tag </{name or ''}> has no matching opening tag.", pos, end))
                _check_counts(tokens, issues, pos)
            pos = end
            continue
        el = _element_of(text, m) if kind == "tag" else None
        if el is not None:
            new_pos, self_closing = m.end(), el.end != 0  # a self-closed element already has its end
        else:
            _check_counts(tokens, issues, pos)
            c = text[pos]
            if c == "<":
                after = text[pos + 1:pos + 2]
                if after == "!":
                    if text.startswith("<!--", pos):
                        close = text.find("-->", pos + 4)
                        if close == -1:
                            issues.append(ParseIssue("Comment is not closed with '-->'.", pos, n))
                            pos = n
                        else:
                            pos = close + 3
                    elif text.startswith("<![CDATA[", pos):
                        close = text.find("]]>", pos + 9)
                        end = n if close == -1 else close
                        if close == -1:
                            issues.append(ParseIssue("CDATA section is not closed with ']]>'.", pos, n))
                        siblings.append(XmlText(text[pos + 9:end], pos + 9, end))
                        pos = n if close == -1 else close + 3
                    else:
                        issues.append(ParseIssue(
                            "DTDs and entity declarations are not allowed in POML.", pos, pos + 2,
                            hint="remove the <!DOCTYPE ...>/<!ENTITY ...> declaration",
                        ))
                        raise _Limit(issues[-1])
                    continue
                if after == "?":
                    close = text.find("?>", pos + 2)
                    pos = n if close == -1 else close + 2
                    continue
                el, new_pos, self_closing = _parse_tag_in_steps(text, pos, issues)
                if el is None:
                    # A bare '<': keep it as text so nothing is lost, the issue is recorded.
                    siblings.append(XmlText("<", pos, pos + 1))
                    pos = new_pos
                    continue
            else:  # '&'
                em = _ENTITY.match(text, pos)
                if em:
                    pos = em.end()  # dropped, like the reference's XML layer
                else:
                    issues.append(ParseIssue(
                        "Unexpected character '&'.", pos, pos + 1,
                        hint="write #amp; for a literal '&' in text",
                        repaired="A bare '&' was kept as text (lenient mode).",
                    ))
                    siblings.append(XmlText("&", pos, pos + 1))
                    pos += 1
                continue
        elements += 1
        if el.attributes:
            tokens += len(el.attributes)
        if elements > MAX_PARSED_ELEMENTS:
            raise _Limit(ParseIssue(
                f"The markup has more than {MAX_PARSED_ELEMENTS:,} elements.", el.start, new_pos,
                kind=PomlLimitError,
                hint="load large data with <table>/<document>/<object> instead of writing it as markup"))
        siblings.append(el)
        pos = new_pos
        if not self_closing:
            stack.append(el)
            siblings = el.children
            if len(stack) > MAX_NESTING_DEPTH:
                raise _Limit(ParseIssue(
                    f"Markup is nested more than {MAX_NESTING_DEPTH} levels deep.",
                    el.start, new_pos, kind=PomlLimitError,
                    hint="flatten the markup; deep nesting is refused to protect the renderer",
                ))

    for el in reversed(stack):
        hint = f"add </{el.name}> or write <{el.name} ... /> for an empty element"
        if mismatch is not None:
            name, at, closed = mismatch
            hint = (f"</{name}> at {_where(text, at)} closed <{closed.name}> (opened at "
                    f"{_where(text, closed.start)}); is </{closed.name}> missing?")
        issues.append(ParseIssue(f"Element <{el.name}> is not closed.", el.start, el.name_end, hint=hint))
        el.end = n
    return top


_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")
# Inside an expression, XML's own escapes mean their characters: {{ b &lt; a }} is b < a.
_XML_CHAR_OF = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}
_XML_CHARS = re.compile("|".join(_XML_CHAR_OF))


def decode_xml_chars(text: str) -> str:
    """XML's five escapes as their characters: how text inside an expression is read."""
    return _XML_CHARS.sub(lambda e: _XML_CHAR_OF[e.group(0)], text)


def _expression_end(text: str, start: int, end: int) -> int:
    """Where a text run ends when it holds an open ``{{`` whose expression uses ``&`` or ``<``.

    ``{{ a && b }}`` and ``{{ n < 3 }}`` are expressions, not markup (microsoft/poml#197):
    the run goes on to the closing ``}}`` unless something tag-like comes first (``a<b``
    with no space still reads as a tag). The reference refuses the first two and drops
    ``&lt;`` from the third; both are listed differences (docs/poml.md).
    """
    if end >= len(text) or text[end] not in "<&":
        return end
    opened = text.rfind("{{", start, end)
    if opened == -1 or text.rfind("}}", opened, end) != -1:
        return end
    close = text.find("}}", end)
    if close == -1 or _TAG_LIKE.search(text, end, close) or "{{" in text[end:close]:
        return end
    return close + 2


def _where(text: str, offset: int) -> str:
    """``line:column`` (1-based) of an offset, for hints."""
    return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"


def _is_blank(node: Union[XmlElement, XmlText]) -> bool:
    return isinstance(node, XmlText) and not node.text.strip()


def parse_markup(text: str) -> ParsedDocument:
    """Parse POML markup; see the module docstring for how the top level is wrapped.

    >>> doc = parse_markup('<poml><p>hi</p></poml>')
    >>> doc.root.name, doc.root.children[0].name, doc.issues
    ('poml', 'p', [])
    >>> parse_markup('Plain text').root.attribute('syntax').value
    'text'
    """
    issues: list[ParseIssue] = []
    try:
        nodes = _parse_nodes(text, issues)
    except _Limit as stop:
        # A flood of problems keeps its first ones and the note that reading stopped, within what a render reports.
        kept = issues[:MAX_DIAGNOSTICS - 1] + [stop.issue] if stop.keep else [stop.issue]
        return ParsedDocument(None, kept, True, text)
    significant = [nd for nd in nodes if not _is_blank(nd)]
    if len(significant) == 1 and isinstance(significant[0], XmlElement):
        return ParsedDocument(significant[0], issues, True, text)
    has_element = any(isinstance(nd, XmlElement) for nd in significant)
    if has_element:
        attrs = [XmlAttribute("syntax", "markdown", 0, 0, 0, 0)]
    else:
        attrs = [XmlAttribute("syntax", "text", 0, 0, 0, 0), XmlAttribute("whiteSpace", "pre", 0, 0, 0, 0)]
    root = XmlElement("poml", attrs, nodes, 0, len(text), 0, 0, synthetic=True)
    return ParsedDocument(root, issues, False, text)
