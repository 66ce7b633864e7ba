"""Parse and check an expression: source text -> the typed tree of :mod:`.tree`.

The text is parsed with :mod:`ast`; every node must be on a whitelist, every name must
resolve to a field (by name or alias, matched by :func:`normalize_name`) or a constant,
and every function must be one of :data:`FUNCTIONS`. All of the language's checks happen
here, once, whatever engine evaluates the tree later: types, bounds, a category's code
versus its label, a set member versus text, dates and regular expressions. A failure is
an :class:`ExpressionError` whose message shows the expression with a caret under the
offending part. Nothing here evaluates anything.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import unicodedata
import warnings

from ..errors import DisclosureRulesError
from ..threads import WARNING_FILTERS
from . import tree as t
from .regex import RegexError, re2_check, re2_pattern

__all__ = ["check", "ExpressionError", "normalize_name", "CONSTANTS", "FUNCTIONS", "TYPE_WORDS",
           "MAX_EXPRESSION_CHARS", "MAX_EXPRESSION_DEPTH", "MAX_NUMBER", "MAX_WORKDAYS_ARGUMENT",
           "FIRST_YEAR", "LAST_YEAR"]

CONSTANTS = ("as_of", "period_start", "period_end")
FUNCTIONS = ("blank", "present", "has_any", "has_all", "size", "contains", "matches", "length",
             "days", "workdays", "add_workdays", "year", "month", "date")
TYPE_WORDS = {"bool": "a condition", "number": "a number", "date": "a date", "string": "text",
              "category": "a category", "set": "a set", "list": "a list"}

#: longest expression accepted (characters)
MAX_EXPRESSION_CHARS = 5000
#: deepest nesting accepted (levels of the syntax tree; a real condition has under ten)
MAX_EXPRESSION_DEPTH = 50
#: largest number literal in size (integers up to it are exact in a float64)
MAX_NUMBER = 10**15
#: largest n of add_workdays(d, n) (ten years, as a deadline's limit)
MAX_WORKDAYS_ARGUMENT = 3650
#: dates an expression may name or compute
FIRST_YEAR, LAST_YEAR = 1900, 2999

_ARITY = {"blank": 1, "present": 1, "has_any": 2, "has_all": 2, "size": 1, "contains": 2, "matches": 2,
          "length": 1, "days": 2, "workdays": 2, "add_workdays": 2, "year": 1, "month": 1, "date": 1}
_FIELD_TYPES = {"integer": "number", "number": "number", "boolean": "bool"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def normalize_name(text: str) -> str:
    """Header/alias/label matching key: NFKC (full-width -> half-width), stripped, case-folded."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


class ExpressionError(DisclosureRulesError, ValueError):
    """An expression is not valid; the message shows it and points at the offending part.
    A rulebook reports it as a RulebookError naming the rule and the key."""

    def __init__(self, message: str, source: str, node: ast.AST | None = None, key: str = "expect"):
        self.key = key
        self.source = source
        self.reason = message
        pointer = ""
        if node is not None and hasattr(node, "col_offset"):
            prefix = source.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore")
            end = getattr(node, "end_col_offset", None)
            span = source.encode("utf-8")[node.col_offset:end].decode("utf-8", errors="ignore") if end else "x"
            pointer = "\n    " + " " * _width(prefix) + "^" * max(1, _width(span))
        super().__init__(f"{key}: {message}\n    {source}{pointer}")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def one_line(source: str) -> str:
    """A YAML block (``where: |``) keeps line breaks: one line, so that it parses and the
    caret of an error lines up (a quoted literal cannot span lines anyway)."""
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", source.strip())


def check(source: str, fields: dict, *, key: str = "expect", want: str | None = "bool") -> tuple[str, t.Expr]:
    """Check ``source`` against a dataset's fields (name -> FieldSpec): (the source as
    one line, its typed tree). ``want``: the type the whole expression must have (None:
    any). ExpressionError (naming ``key``) if it is not valid."""
    return _Checker(fields, source, key).check(want)


_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
            ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
            ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Call, ast.Name, ast.Load,
            ast.Constant, ast.List, ast.Tuple)

_REJECTED_WORDS = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[b]) are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "set literals are not allowed; use a list [..]",
    ast.JoinedStr: "f-strings are not allowed",
    ast.IfExp: "'x if c else y' is not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.keyword: "keyword arguments are not allowed",
}

# operators outside the language, reported on the expression that uses them (operator
# nodes carry no position); pandas habits (& | ~) get the word to write instead
_REJECTED_OPERATORS = {
    ast.BitAnd: "'&' is not an operator here; write 'and'",
    ast.BitOr: "'|' is not an operator here; write 'or'",
    ast.Invert: "'~' is not an operator here; write 'not'",
    ast.Is: "'is' is not allowed; test blanks with blank(x) / present(x), values with ==",
    ast.IsNot: "'is not' is not allowed; test blanks with blank(x) / present(x), values with !=",
}
_OPERATOR_SYMBOLS = {ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@",
                     ast.LShift: "<<", ast.RShift: ">>", ast.BitXor: "^"}


def _is_literal(node: t.Expr) -> bool:
    return isinstance(node, (t.Literal, t.ListLiteral))


def _value(node: t.Expr):
    """The Python value of a literal (a list literal as a list of values)."""
    if isinstance(node, t.ListLiteral):
        return [_value(item) for item in node.items]
    return node.value


def _date(day: dt.date) -> t.Literal:
    return t.Literal(type="date", value=day)


class _Checker:
    """Checks one expression against the whitelist and the dataset's fields, building its tree."""

    def __init__(self, fields: dict, source: str, key: str):
        self.fields = fields
        self.source = source
        self.key = key
        self.names: dict[str, str] = {}
        for name in fields:
            self.names.setdefault(normalize_name(name), name)
        for name, spec in fields.items():
            for alias in spec.aliases:
                self.names.setdefault(normalize_name(alias), name)

    def error(self, message: str, node: ast.AST | None = None) -> ExpressionError:
        return ExpressionError(message, self.source, node, self.key)

    # -- entry
    def check(self, want: str | None) -> tuple[str, t.Expr]:
        if not isinstance(self.source, str) or not self.source.strip():
            raise self.error("the expression is empty")
        if len(self.source) > MAX_EXPRESSION_CHARS:
            # the message shows only the start: it is one paragraph, not the whole text
            raise ExpressionError(f"the expression is {len(self.source)} characters long, more than "
                                  f"{MAX_EXPRESSION_CHARS}; split it into simpler rules",
                                  self.source[:60] + " ...", None, self.key)
        self.source = one_line(self.source)
        try:
            with WARNING_FILTERS, warnings.catch_warnings():  # rules compile side by side
                # '\d' in a pattern is an invalid *Python* escape, and means what it says
                warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
                parsed = ast.parse(self.source, mode="eval")
        except (RecursionError, MemoryError):
            raise self.error(f"the expression is nested too deeply (at most {MAX_EXPRESSION_DEPTH} levels)") from None
        except ValueError as exc:  # e.g. a NUL character
            raise self.error(f"syntax error: {exc}") from None
        except SyntaxError as exc:
            fake = ast.Constant(0)
            # SyntaxError.offset counts characters; node offsets (and ExpressionError) count UTF-8 bytes
            fake.col_offset = len(self.source[: max(0, (exc.offset or 1) - 1)].encode("utf-8"))
            fake.end_col_offset = fake.col_offset + 1
            raise self.error(f"syntax error: {exc.msg}", fake) from None
        for node in ast.walk(parsed):
            ops = getattr(node, "ops", None) or [getattr(node, "op", None)]
            bad_op = next((op for op in ops if type(op) in _REJECTED_OPERATORS or
                           (op is not None and not isinstance(op, _ALLOWED))), None)
            if bad_op is not None:
                raise self.error(_REJECTED_OPERATORS.get(
                    type(bad_op), f"the operator '{_OPERATOR_SYMBOLS.get(type(bad_op), type(bad_op).__name__)}' "
                                  "is not allowed (+ - * / and comparisons only)"), node)
            if not isinstance(node, _ALLOWED):
                reason = next((w for kind, w in _REJECTED_WORDS.items() if isinstance(node, kind)),
                              f"'{type(node).__name__}' is not allowed in an expression")
                raise self.error(reason, node)
        too_deep = _deeper_than(parsed.body, MAX_EXPRESSION_DEPTH)
        if too_deep is not None:
            raise self.error(f"the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep; "
                             "split it into simpler conditions", too_deep)
        root = self.visit(parsed.body)
        if want and root.type != want:
            raise self.error(f"the expression must be {TYPE_WORDS[want]} (true/false), "
                             f"but it gives {TYPE_WORDS.get(root.type, root.type)}", parsed.body)
        return self.source, root

    def visit(self, node: ast.AST) -> t.Expr:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"'{type(node).__name__}' is not allowed here", node)
        return method(node)

    # -- leaves
    def visit_Constant(self, node: ast.Constant) -> t.Expr:
        value = node.value
        if isinstance(value, bool):
            return t.Literal(type="bool", value=value)
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                raise self.error("this number is too large to be a number (it reads as infinite); "
                                 f"numbers in an expression are at most 10^{len(str(MAX_NUMBER)) - 1} in size", node)
            if abs(value) > MAX_NUMBER:
                raise self.error(f"this number is too large: numbers in an expression are at most "
                                 f"10^{len(str(MAX_NUMBER)) - 1} in size", node)
            return t.Literal(type="number", value=float(value))
        if isinstance(value, str):
            return t.Literal(type="string", value=value)
        raise self.error(f"the literal {value!r} is not allowed (strings, numbers, True, False only)", node)

    def visit_List(self, node: ast.List | ast.Tuple) -> t.Expr:
        items = []
        for elt in node.elts:
            item = self.visit(elt)
            if not _is_literal(item):
                raise self.error("a list may hold only literals (strings, numbers, dates)", elt)
            items.append(item)
        return t.ListLiteral(items=tuple(items))

    visit_Tuple = visit_List

    def visit_Name(self, node: ast.Name) -> t.Expr:
        name = node.id
        if name.startswith("_"):
            raise self.error("names starting with '_' are not allowed", node)
        if name in ("True", "False"):
            return t.Literal(type="bool", value=name == "True")
        if name in CONSTANTS:
            return t.Constant(name=name)
        canonical = self.names.get(normalize_name(name))
        if canonical is None:
            raise self.error(f"unknown name {name!r}{self._suggest(name)}", node)
        spec = self.fields[canonical]
        return t.Field(type=_FIELD_TYPES.get(spec.type, spec.type), name=canonical, field_type=spec.type,
                       codes=tuple(spec.values) if spec.type in ("category", "set") else ())

    def _suggest(self, name: str) -> str:
        import difflib

        candidates = list(self.fields) + [a for s in self.fields.values() for a in s.aliases]
        close = difflib.get_close_matches(name, candidates + list(CONSTANTS), n=1, cutoff=0.5)
        if close:
            target = self.names.get(normalize_name(close[0]), close[0])
            return f"; did you mean {close[0]!r}" + (f" (field {target!r})" if target != close[0] else "") + "?"
        return f"; fields: {', '.join(self.fields)}"

    # -- boolean logic
    def visit_BoolOp(self, node: ast.BoolOp) -> t.Expr:
        parts = [self.visit(v) for v in node.values]
        for part, sub in zip(parts, node.values):
            self._want(part, "bool", sub, "'and'/'or' combine conditions")
        return t.Logical(op="and" if isinstance(node.op, ast.And) else "or", operands=tuple(parts))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> t.Expr:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self._want(operand, "bool", node.operand, "'not' applies to a condition")
            return t.Not(operand=operand)
        self._want(operand, "number", node.operand, "a sign applies to a number")
        negative = isinstance(node.op, ast.USub)
        if _is_literal(operand):
            return t.Literal(type="number", value=-operand.value if negative else operand.value)
        return t.Negate(operand=operand) if negative else operand

    # -- arithmetic
    def visit_BinOp(self, node: ast.BinOp) -> t.Expr:
        left, right = self.visit(node.left), self.visit(node.right)
        op = _ARITH[type(node.op)]
        lt, rt = left.type, right.type
        if _is_literal(left) and lt == "string" and rt == "date":
            left = self._date_literal(left, node.left)
            lt = "date"
        if _is_literal(right) and rt == "string" and lt == "date":
            right = self._date_literal(right, node.right)
            rt = "date"
        if lt == rt == "number":
            return t.Arith(type="number", op=op, left=left, right=right)
        if lt == rt == "date" and op == "-":
            return t.Arith(type="number", op=op, left=left, right=right)
        if lt == "date" and rt == "number" and op in ("+", "-"):
            return t.Arith(type="date", op=op, left=left, right=right)
        if lt == "number" and rt == "date" and op == "+":
            return t.Arith(type="date", op=op, left=left, right=right)
        raise self.error(f"'{op}' is not defined for {TYPE_WORDS.get(lt, lt)} and {TYPE_WORDS.get(rt, rt)}", node)

    # -- comparisons
    def visit_Compare(self, node: ast.Compare) -> t.Expr:
        operands = [node.left] + list(node.comparators)
        checked = [self.visit(o) for o in operands]
        links = []
        for i, op in enumerate(node.ops):
            links.append(self._comparison(op, checked[i], checked[i + 1], operands[i], operands[i + 1], node))
        if len(links) == 1:
            return links[0]
        return t.Chain(links=tuple(links))  # a < b < c is (a < b) and (b < c)

    def _comparison(self, op, left: t.Expr, right: t.Expr, lnode, rnode, node) -> t.Expr:
        if isinstance(op, (ast.In, ast.NotIn)):
            return self._membership(op, left, right, lnode, rnode)
        lt, rt = left.type, right.type
        # normalise literal sides
        if lt == "date" and _is_literal(right) and rt == "string":
            right, rt = self._date_literal(right, rnode), "date"
        if rt == "date" and _is_literal(left) and lt == "string":
            left, lt = self._date_literal(left, lnode), "date"
        if lt == "category" and _is_literal(right) and rt == "string":
            return self._category_equals(op, left, right.value, rnode)
        if rt == "category" and _is_literal(left) and lt == "string":
            return self._category_equals(op, right, left.value, lnode)
        ordering = isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE))
        if lt != rt:
            raise self.error(f"cannot compare {TYPE_WORDS.get(lt, lt)} with {TYPE_WORDS.get(rt, rt)}", node)
        if lt in ("category", "set", "list"):
            raise self.error(f"cannot compare two {lt} values this way; compare a field with a literal", node)
        if lt == "bool" and ordering:
            raise self.error("conditions cannot be ordered with < or >", node)
        return t.Compare(op=_COMPARE[type(op)], left=left, right=right)

    def _category_code(self, field: t.Field, label: str, node) -> str:
        spec = self.fields[field.name]
        wanted = normalize_name(label)
        for code, labels in spec.values.items():
            if normalize_name(code) == wanted or any(normalize_name(l) == wanted for l in labels):
                return code
        shown = ", ".join(f"{c} ({'/'.join(l[:2])})" if l else c for c, l in spec.values.items())
        raise self.error(f"{label!r} is not a code or label of this field; expected one of: {shown}", node)

    def _category_equals(self, op, field: t.Field, label: str, lnode) -> t.Expr:
        if not isinstance(op, (ast.Eq, ast.NotEq)):
            raise self.error("categories can only be compared with == != in / not in", lnode)
        return t.CategoryEquals(field=field, code=self._category_code(field, label, lnode),
                                negate=isinstance(op, ast.NotEq))

    def _membership(self, op, left: t.Expr, right: t.Expr, lnode, rnode) -> t.Expr:
        negate = isinstance(op, ast.NotIn)
        if right.type == "set":
            if not (_is_literal(left) and left.type == "string"):
                raise self.error("'in' with a set field needs a code or label on the left: 'video' in forms", lnode)
            return t.SetMember(field=right, code=self._set_codes(right, [left.value], lnode)[0], negate=negate)
        if right.type != "list":
            raise self.error("'in' needs a list [..] or a set field on the right", rnode)
        items = _value(right)
        if left.type == "category":
            codes = tuple(self._category_code(left, str(i), rnode) for i in items)
            return t.CategoryIn(field=left, codes=codes, negate=negate)
        if left.type == "date":
            try:
                values = tuple(i if isinstance(i, dt.date) else self._parse_date(i, rnode) for i in items)
            except ExpressionError as exc:
                if "outside the dates" in exc.reason or "beyond the last date" in exc.reason:
                    raise
                raise self.error("a list compared with a date must hold dates ('YYYY-MM-DD')", rnode) from None
        elif left.type == "number":
            if not all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
                raise self.error("a list compared with a number must hold numbers", rnode)
            values = tuple(float(i) for i in items)
        elif left.type == "string":
            if not all(isinstance(i, str) for i in items):
                raise self.error("a list compared with text must hold strings", rnode)
            values = tuple(items)
        else:
            raise self.error(f"'in' is not defined for {TYPE_WORDS.get(left.type, left.type)}", lnode)
        return t.InList(operand=left, values=values, negate=negate)

    def _set_codes(self, field: t.Field, labels, node) -> tuple[str, ...]:
        codes = []
        for label in labels:
            if not isinstance(label, str):
                raise self.error("set members are written as strings", node)
            codes.append(self._category_code(field, label, node))
        return tuple(codes)

    def _date_literal(self, literal: t.Literal, node) -> t.Literal:
        return _date(self._parse_date(literal.value, node))

    def _parse_date(self, text, node) -> dt.date:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip()) if isinstance(text, str) else None
        if match is None:
            raise self.error(f"{text!r} is not a date; write date('YYYY-MM-DD')", node)
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise self.error(f"{text!r} is not a valid date", node) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.error(f"{text!r} is outside the dates a rulebook may name "
                             f"({FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31)", node)
        from .numpy import last_date_held

        last = last_date_held(day)
        if last is not None:
            # the typed date representation cannot hold it (it would wrap into another century)
            raise self.error(f"{text!r} is beyond the last date this version can hold ({last})", node)
        return day

    def _want(self, n: t.Expr, wanted: str, node, why: str) -> None:
        if n.type != wanted:
            raise self.error(f"{why}; this is {TYPE_WORDS.get(n.type, n.type)}", node)

    # -- functions
    def visit_Call(self, node: ast.Call) -> t.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.error("only the listed functions can be called: " + ", ".join(FUNCTIONS), node.func)
        name = node.func.id
        if name not in FUNCTIONS:
            import difflib

            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = f"; did you mean {close[0]}()?" if close else f"; functions: {', '.join(FUNCTIONS)}"
            raise self.error(f"unknown function {name}(){hint}", node.func)
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0].value)
        arity = _ARITY[name]
        if len(node.args) != arity:
            raise self.error(f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, got {len(node.args)}", node)
        if name == "date":
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise self.error("date() takes a literal 'YYYY-MM-DD'", arg)
            return _date(self._parse_date(arg.value, arg))
        args = [self.visit(a) for a in node.args]
        return getattr(self, "fn_" + name)(node, args)

    def fn_blank(self, node, args) -> t.Expr:
        if args[0].type == "list":
            raise self.error("blank() takes a field", node.args[0])
        return t.Call(type="bool", name=node.func.id, args=tuple(args))

    fn_present = fn_blank

    def _set_fn(self, node, args, mode: str) -> t.Expr:
        s, labels = args
        if s.type != "set":
            raise self.error(f"the first argument must be a set field, this is {TYPE_WORDS.get(s.type, s.type)}", node.args[0])
        if labels.type != "list":
            if _is_literal(labels) and labels.type == "string":
                labels = t.ListLiteral(items=(labels,))
            else:
                raise self.error("the second argument is a list of codes or labels", node.args[1])
        return t.SetTest(field=s, codes=self._set_codes(s, _value(labels), node.args[1]), mode=mode)

    def fn_has_any(self, node, args) -> t.Expr:
        return self._set_fn(node, args, "any")

    def fn_has_all(self, node, args) -> t.Expr:
        return self._set_fn(node, args, "all")

    def fn_size(self, node, args) -> t.Expr:
        if args[0].type != "set":
            raise self.error("size() takes a set field", node.args[0])
        return t.Call(type="number", name="size", args=tuple(args))

    def _text_arg(self, node, arg: t.Expr, index: int) -> None:
        if arg.type != "string":
            raise self.error(f"{node.func.id}() works on text; this is {TYPE_WORDS.get(arg.type, arg.type)}",
                             node.args[index])

    def fn_contains(self, node, args) -> t.Expr:
        text, sub = args
        self._text_arg(node, text, 0)
        if not (_is_literal(sub) and sub.type == "string"):
            raise self.error("the second argument of contains() is a literal string", node.args[1])
        return t.Contains(text=text, needle=sub.value)

    def fn_matches(self, node, args) -> t.Expr:
        text, pattern = args
        self._text_arg(node, text, 0)
        if not (_is_literal(pattern) and pattern.type == "string"):
            raise self.error("the second argument of matches() is a literal regular expression", node.args[1])
        try:
            regex = re2_pattern(pattern.value)
            re2_check(regex)  # compiles the pattern: RE2 refuses what it cannot run in linear time
        except RegexError as exc:
            raise self.error(f"this regular expression cannot be used: {exc}", node.args[1]) from None
        return t.Matches(text=text, pattern=pattern.value, re2=regex)

    def fn_length(self, node, args) -> t.Expr:
        self._text_arg(node, args[0], 0)
        return t.Call(type="number", name="length", args=tuple(args))

    def _dates(self, node, args) -> None:
        for i, a in enumerate(args):
            if _is_literal(a) and a.type == "string":
                args[i] = self._date_literal(a, node.args[i])
            elif a.type != "date":
                raise self.error(f"{node.func.id}() takes dates; this is {TYPE_WORDS.get(a.type, a.type)}", node.args[i])

    def fn_days(self, node, args) -> t.Expr:
        self._dates(node, args)
        return t.Call(type="number", name="days", args=tuple(args))

    def fn_workdays(self, node, args) -> t.Expr:
        self._dates(node, args)
        return t.Call(type="number", name="workdays", args=tuple(args))

    def fn_add_workdays(self, node, args) -> t.Expr:
        d, k = args
        if _is_literal(d) and d.type == "string":
            d = self._date_literal(d, node.args[0])
        if d.type != "date":
            raise self.error("add_workdays() takes a date first", node.args[0])
        if k.type != "number":
            raise self.error("add_workdays() takes a number of working days second", node.args[1])
        if _is_literal(k) and not (k.value == int(k.value) and 0 <= k.value <= MAX_WORKDAYS_ARGUMENT):
            raise self.error(f"the number of working days is a whole number from 0 to {MAX_WORKDAYS_ARGUMENT}",
                             node.args[1])
        return t.Call(type="date", name="add_workdays", args=(d, k))

    def _date_part(self, node, args) -> t.Expr:
        self._dates(node, args)
        return t.Call(type="number", name=node.func.id, args=tuple(args))

    fn_year = fn_month = _date_part


def _deeper_than(root: ast.AST, limit: int) -> ast.AST | None:
    """The first expression node nested more than ``limit`` levels deep, or None.

    Iterative, so that a tree the checker would refuse cannot exhaust the stack here.
    Operator and context nodes do not count as levels.
    """
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))
    return None
