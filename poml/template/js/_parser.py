"""A precedence parser from tokens to a tuple AST: ``(kind, start, end, depth, *fields)``.

Binary operators use an explicit stack; ``depth`` bounds evaluation recursion."""

from __future__ import annotations

from typing import Any, Optional

from ..._limits import MAX_ARRAY_ITEMS, MAX_EXPRESSION_DEPTH
from ._access import _check_name, _check_prop
from ._builtins.globals import _GLOBALS
from ._errors import ExpressionSandboxError, ExpressionSyntaxError
from ._lexer import Token
from ._patterns import PatternParsing
from ._values import UNDEFINED, js_to_string


# --------------------------------------------------------------------------- parser
# AST nodes are tuples: (kind, start, end, depth, *fields). depth bounds evaluation recursion.

_PREC = {
    "??": 1, "||": 2, "&&": 3, "|": 4, "^": 5, "&": 6,
    "==": 7, "!=": 7, "===": 7, "!==": 7,
    "<": 8, ">": 8, "<=": 8, ">=": 8, "in": 8, "instanceof": 8,
    "<<": 9, ">>": 9, ">>>": 9,
    "+": 10, "-": 10, "*": 11, "/": 11, "%": 11, "**": 12,
}
_UNSUPPORTED_OPS = {"|", "^", "&", "<<", ">>", ">>>", "instanceof"}
_FLAT = {"+", "&&", "||", "??"}
_PREFIX = {"!", "-", "+", "typeof", "void", "~", "delete", "await"}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "**=", "&&=", "||=", "??=", "++", "--",
           "&=", "|=", "^=", "<<=", ">>=", ">>>="}
_KEYWORD_LITERALS = {"true": True, "false": False, "null": None, "undefined": UNDEFINED}
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_PATTERN_STARTS = frozenset({"[", "{", "...", "="})  # after "(" and plain names: maybe an arrow's patterns
_PATTERNS = ["patterns"]  # arrow_params' answer when the parameters are binding patterns
_RESERVED = {"var", "let", "const", "function", "class", "return", "if", "else", "for", "while",
             "do", "switch", "case", "break", "continue", "throw", "try", "catch", "finally",
             "yield", "async", "with", "debugger", "super", "enum", "export", "default",
             "extends", "instanceof", "in", "of"}


class _Parser(PatternParsing):
    def __init__(self, text: str, toks: list, bound: list, names: set, nest: int = 0):
        self.text = text
        self.toks = toks
        self.i = 0
        self.nest = nest  # parser recursion: each nested expression counts one level
        self.bound = bound  # arrow parameters in scope, innermost last
        self.names = names  # free variables seen
        self.has_arrow = False
        self.closers: dict[int, int] = {}  # bracket token index -> its closer's (see closer())

    # -- helpers
    def peek(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, typ: str) -> Token:
        t = self.toks[self.i]
        if t[0] != typ:
            self.fail(t)
        self.i += 1
        return t

    def fail(self, t: Token) -> None:
        typ, v, s, e = t
        if typ == "eof":
            raise ExpressionSyntaxError("Unexpected end of input", s, e)
        if typ == "num":
            raise ExpressionSyntaxError("Unexpected number", s, e)
        if typ in ("str", "tmpl", "regex"):
            raise ExpressionSyntaxError("Unexpected string", s, e)
        if typ == "name":
            if v in _RESERVED or v in _KEYWORD_LITERALS:
                raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)
            raise ExpressionSyntaxError(f"Unexpected identifier '{v}'", s, e)
        if typ in _ASSIGN:
            raise ExpressionSyntaxError(
                f"Unexpected token '{v}': assignment is not allowed in expressions", s, e)
        raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)

    @staticmethod
    def node(kind: str, start: int, end: int, children: list, *fields: Any) -> tuple:
        depth = 1 + max((c[3] for c in children), default=0)
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionSandboxError(
                f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", start, end)
        return (kind, start, end, depth, *fields)

    # -- grammar
    def parse(self) -> tuple:
        n = self.expr()
        if self.peek()[0] != "eof":
            self.fail(self.peek())
        return n

    def expr(self) -> tuple:
        """AssignmentExpression: an arrow function or a conditional."""
        self.nest += 1
        if self.nest > MAX_EXPRESSION_DEPTH:
            t = self.peek()
            raise ExpressionSandboxError(
                f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
        try:
            params = self.arrow_params()
            if params is not None:
                return self.arrow(params)
            test = self.binary()
            t = self.peek()
            if t[0] == "?":
                self.i += 1
                yes = self.expr()
                self.expect(":")
                no = self.expr()
                return self.node("cond", test[1], no[2], [test, yes, no], test, yes, no)
            if t[0] in _ASSIGN:
                self.fail(t)
            return test
        finally:
            self.nest -= 1

    def arrow_params(self) -> Optional[list]:
        """The parameter tokens when an arrow function starts here: a list of names, or
        ``_PATTERNS`` when a parameter is destructured, has a default or gathers the rest."""
        toks, i = self.toks, self.i
        if toks[i][0] == "name" and toks[i + 1][0] == "=>":
            return [toks[i]]
        if toks[i][0] != "(":
            return None
        j = i + 1
        params = []
        if toks[j][0] != ")":
            while True:
                if toks[j][0] != "name":
                    break
                params.append(toks[j])
                j += 1
                if toks[j][0] == ",":
                    j += 1
                    continue
                break
        if toks[j][0] == ")" and toks[j + 1][0] == "=>":
            return params
        if toks[j][0] in _PATTERN_STARTS:
            return _PATTERNS if toks[self.closer(i) + 1][0] == "=>" else None
        return None

    def closer(self, i: int) -> int:
        """The index of the token closing the bracket at ``i`` (the eof's when it is unclosed).

        One scan records the closer of every bracket it passes, so looking ahead from each of
        many nested brackets costs one pass over the tokens in all."""
        closers = self.closers
        if i in closers:
            return closers[i]
        toks, stack, j = self.toks, [i], i + 1
        while stack:
            typ = toks[j][0]
            if typ == "eof":
                for k in stack:
                    closers[k] = j
                break
            if typ in _OPEN:
                if j in closers:  # scanned before: jump over it
                    j = closers[j]
                else:
                    stack.append(j)
            elif typ in _CLOSE:
                closers[stack.pop()] = j
            j += 1
        return closers[i]

    def arrow(self, params: Any) -> tuple:
        start = self.peek()[2]
        if params is _PATTERNS:
            return self.arrow_with_patterns(start)
        while self.peek()[0] != "=>":
            self.i += 1
        self.i += 1
        names = []
        for _, v, s, e in params:
            names.append(self.bound_name(v, s, e))
        return self.arrow_body(start, names, tuple(names), [])

    def bound_name(self, v: str, s: int, e: int) -> str:
        _check_name(v, s, e)
        if v in _RESERVED or v in _KEYWORD_LITERALS:
            raise ExpressionSyntaxError(f"Unexpected token '{v}'", s, e)
        return v

    def arrow_body(self, start: int, names: list, params: tuple, children: list) -> tuple:
        if len(set(names)) != len(names):
            raise ExpressionSyntaxError("Duplicate parameter name not allowed in this context", start, start + 1)
        block = self.peek()[0] == "{"
        if block:  # { return expression } is the one block body: the expression is the body
            t, after = self.peek(), self.toks[self.i + 1]
            if after[0] != "name" or after[1] != "return":
                raise ExpressionSyntaxError("an arrow function's block body can only be { return expression }; "
                                            "or write x => expression", t[2], t[3])
            self.i += 2
        self.bound.append(set(names))
        try:
            body = self.expr()
        finally:
            self.bound.pop()
        end = body[2]
        if block:
            if self.peek()[0] == ";":
                self.i += 1
            end = self.expect("}")[3]
        self.has_arrow = True
        return self.node("arrow", start, end, [body, *children], params, body)

    def binary(self) -> tuple:
        """Binary operators by precedence, with an explicit stack (no recursion per operator)."""
        operands = [self.unary()]
        ops: list[tuple] = []  # (op, prec, start, end)
        while True:
            t = self.peek()
            typ = t[0]
            if typ == "name" and t[1] in ("in", "instanceof"):
                typ = t[1]
            prec = _PREC.get(typ)
            if prec is None:
                break
            if typ in _UNSUPPORTED_OPS:
                raise ExpressionSyntaxError(f"operator '{typ}' is not supported", t[2], t[3])
            if typ == "**" and operands[-1][0] == "unary" and not operands[-1][-1]:
                raise ExpressionSyntaxError(
                    "Unary operator used immediately before exponentiation expression. "
                    "Parenthesis must be used to disambiguate operator precedence", t[2], t[3])
            self.i += 1
            while ops and (ops[-1][1] > prec or (ops[-1][1] == prec and typ != "**")):
                self.reduce(operands, ops)
            ops.append((typ, prec, t[2], t[3]))
            if len(ops) > MAX_EXPRESSION_DEPTH:  # only right-associative ** can pile up
                raise ExpressionSandboxError(
                    f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
            operands.append(self.unary())
        while ops:
            self.reduce(operands, ops)
        return operands[0]

    def reduce(self, operands: list, ops: list) -> None:
        op = ops.pop()[0]
        b = operands.pop()
        a = operands.pop()
        if op in _FLAT:
            if a[0] == "nary" and a[4] == op:
                items = a[5]
                items.append(b)
                depth = max(a[3], b[3] + 1)
                if depth > MAX_EXPRESSION_DEPTH:
                    raise ExpressionSandboxError(
                        f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", a[1], b[2])
                operands.append(("nary", a[1], b[2], depth, op, items))
            else:
                operands.append(self.node("nary", a[1], b[2], [a, b], op, [a, b]))
        else:
            operands.append(self.node("binary", a[1], b[2], [a, b], op, a, b))

    def unary(self) -> tuple:
        prefix = []
        while True:
            t = self.peek()
            typ = t[0]
            if typ == "name" and t[1] in _PREFIX:
                typ = t[1]
            elif typ == "name" and t[1] in ("new", "import", "this") and not self.at_new_set():
                _check_name(t[1], t[2], t[3])  # refused, each with its reason (new Set(...) aside)
            if typ not in _PREFIX or typ in ("~", "delete", "await"):
                if typ in ("~", "delete", "await"):
                    raise ExpressionSyntaxError(f"operator '{typ}' is not supported", t[2], t[3])
                if typ in ("++", "--"):
                    self.fail(t)
                break
            prefix.append(t)
            if len(prefix) > MAX_EXPRESSION_DEPTH:
                raise ExpressionSandboxError(
                    f"expression nested deeper than {MAX_EXPRESSION_DEPTH} levels", t[2], t[3])
            self.i += 1
        node = self.postfix()
        for t in reversed(prefix):
            node = self.node("unary", t[2], node[2], [node], t[1], node, False)
        return node

    def at_new_set(self, at: int = 0) -> bool:
        """Whether ``new Set(`` starts ``at`` tokens from here: the one constructor expressions call."""
        toks, i = self.toks, self.i + at
        return (toks[i][1] == "new" and toks[i + 1][0] == "name" and toks[i + 1][1] == "Set"
                and toks[i + 2][0] == "(")

    def postfix(self) -> tuple:
        node = self.primary()
        optional = False
        while True:
            t = self.peek()
            typ = t[0]
            if typ == ".":
                self.i += 1
                p = self.next()
                if p[0] != "name":
                    self.fail(p)
                _check_prop(p[1], p[2], p[3])
                node = self.node("member", node[1], p[3], [node], node, p[1], False)
            elif typ == "?.":
                self.i += 1
                optional = True
                p = self.peek()
                if p[0] == "name":
                    self.i += 1
                    _check_prop(p[1], p[2], p[3])
                    node = self.node("member", node[1], p[3], [node], node, p[1], True)
                elif p[0] == "[":
                    node = self.index(node, True)
                elif p[0] == "(":
                    node = self.call(node, True)
                else:
                    self.fail(p)
            elif typ == "[":
                node = self.index(node, False)
            elif typ == "(":
                node = self.call(node, False)
            elif typ == "tmpl":
                raise ExpressionSyntaxError("tagged templates are not supported", t[2], t[3])
            else:
                break
        if optional:
            node = self.node("optchain", node[1], node[2], [node], node)
        return node

    def index(self, obj: tuple, optional: bool) -> tuple:
        self.expect("[")
        key = self.expr()
        end = self.expect("]")[3]
        if key[0] == "lit" and isinstance(key[4], str):
            _check_prop(key[4], key[1], key[2])
        return self.node("index", obj[1], end, [obj, key], obj, key, optional)

    def call(self, callee: tuple, optional: bool) -> tuple:
        self.expect("(")
        args = self.items(")")
        end = self.expect(")")[3]
        return self.node("call", callee[1], end, [callee] + [a for _, a in args], callee, args, optional)

    def items(self, close: str, holes: bool = False) -> list:
        """Comma-separated expressions (with ``...spread``) up to ``close``."""
        out: list = []
        while self.peek()[0] != close:
            t = self.peek()
            if holes and t[0] == ",":
                self.i += 1
                out.append((False, ("lit", t[2], t[3], 1, UNDEFINED)))
                continue
            spread = t[0] == "..."
            if spread:
                self.i += 1
            out.append((spread, self.expr()))
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != close:
                self.fail(self.peek())
        if len(out) > MAX_ARRAY_ITEMS:
            raise ExpressionSandboxError(f"array longer than {MAX_ARRAY_ITEMS} items")
        return out

    def primary(self) -> tuple:
        t = self.next()
        typ, v, s, e = t
        if typ == "num" or typ == "str":
            return ("lit", s, e, 1, v)
        if typ == "regex":
            return ("regex", s, e, 1, v[0], v[1])
        if typ == "name":
            if v in _KEYWORD_LITERALS:
                return ("lit", s, e, 1, _KEYWORD_LITERALS[v])
            if v == "new" and self.at_new_set(-1):
                ctor = self.next()
                call = self.call(("name", ctor[2], ctor[3], 1, "Set"), False)
                return self.node("new", s, call[2], [call], "Set", call[5])
            _check_name(v, s, e)
            if v in _RESERVED or v in _PREFIX:
                self.fail(t)
            if not any(v in b for b in self.bound) and v not in _GLOBALS:
                self.names.add(v)
            return ("name", s, e, 1, v)
        if typ == "(":
            inner = self.expr()
            close = self.expect(")")
            if inner[0] == "unary":  # parenthesised: allowed before **
                inner = inner[:-1] + (True,)
            if inner[0] != "arrow":  # spans take the parentheses ("(1.5).f is not a function"); an
                inner = (inner[0], s, close[3]) + inner[3:]  # arrow keeps its own text, as String(f) prints it
            return inner
        if typ == "[":
            elems = self.items("]", holes=True)
            end = self.expect("]")[3]
            return self.node("array", s, end, [x for _, x in elems], elems)
        if typ == "{":
            return self.object(s)
        if typ == "tmpl":
            strings, subs = v
            parts = []
            for toks in subs:
                p = _Parser(self.text, toks, self.bound, self.names, self.nest + 1)
                parts.append(p.parse())
                self.has_arrow = self.has_arrow or p.has_arrow
            return self.node("template", s, e, parts, strings, parts)
        self.fail(t)
        raise AssertionError  # unreachable

    def object(self, start: int) -> tuple:
        entries: list = []  # (kind, key, value): kind 'static' (key str), 'computed' (key node), 'spread'
        children: list = []
        while self.peek()[0] != "}":
            t = self.next()
            typ, v, s, e = t
            if typ == "...":
                val = self.expr()
                entries.append(("spread", None, val))
                children.append(val)
            elif typ == "[":
                key = self.expr()
                self.expect("]")
                self.expect(":")
                val = self.expr()
                entries.append(("computed", key, val))
                children += [key, val]
            elif typ in ("name", "str", "num"):
                key = v if typ != "num" else js_to_string(v)
                _check_prop(key, s, e)
                if typ == "name" and self.peek()[0] in (",", "}"):
                    self.i -= 1  # shorthand {a}: a variable reference
                    val = self.primary()
                else:
                    if self.peek()[0] == "(":
                        p = self.peek()
                        raise ExpressionSyntaxError("object methods are not supported", p[2], p[3])
                    self.expect(":")
                    val = self.expr()
                entries.append(("static", key, val))
                children.append(val)
            else:
                self.fail(t)
            if self.peek()[0] == ",":
                self.i += 1
            elif self.peek()[0] != "}":
                self.fail(self.peek())
        end = self.expect("}")[3]
        return self.node("object", start, end, children, entries)
