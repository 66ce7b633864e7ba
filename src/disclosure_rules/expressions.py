r"""The expression language of ``where:`` / ``expect:`` (DESIGN §4).

An expression is parsed with :mod:`ast`; every node must be on a whitelist, every
name must resolve to a field (by name or alias) or a constant, and every function
must be one of :data:`FUNCTIONS`. The checked tree is compiled ONCE, at rulebook
load time, into a closure over whole columns: nothing is evaluated row by row and
nothing reaches ``eval``, ``DataFrame.eval`` or ``query``.

Conventions
-----------
* Every value at run time is a :class:`Value`: a numpy array (or a scalar, broadcast
  lazily) plus a null mask. Types are static and checked at compile time: ``bool``,
  ``number``, ``date``, ``string``, ``category``, ``set``.
* Three-valued logic: a comparison, arithmetic or function with a blank operand is
  unknown (null); ``and``/``or``/``not`` follow Kleene logic (``False and unknown`` is
  False, ``True or unknown`` is True). ``blank(x)`` and ``present(x)`` are never unknown.
  The caller decides what unknown means: in ``where`` it excludes the row, in
  ``expect`` it is a violation.
* A string compared with a category field (``== != in not in``) may be a code or one
  of its labels; a string naming neither is a compile error. An unknown label kept
  in the data matches no code (the comparison is False, not unknown).
* Sets are bit masks over the field's codes: ``has_any``, ``has_all``, ``size`` and
  ``'code' in setfield`` work on bits; unknown labels are not members.
* ``date - date`` and ``days(a, b)`` are calendar days (b - a); ``date + n`` adds
  calendar days; ``workdays(a, b)`` counts working days d with a < d <= b;
  ``add_workdays(d, n)`` is the n-th working day after d.
* ``contains(text, 'sub')`` is a plain substring test; ``matches(text, 'regex')``
  searches for the pattern anywhere (write ``^...$`` to match the whole cell). Patterns
  run on RE2 (``pyarrow.compute.match_substring_regex``), which matches in linear time:
  a pattern RE2 cannot compile (backreferences, lookaround, possessive or atomic groups)
  is refused at load, never run by Python's ``re``. ``\d``, ``\w`` and ``\s`` keep
  their Python meaning on Chinese text (Unicode digits, letters, spaces); ``\b`` and
  ``\B`` are refused (RE2 knows only ASCII words, Chinese has no spaces between words).

Bounds (DESIGN §11): a rulebook that would make evaluation overflow, recurse without end
or run for ever is refused at load with a message, never evaluated wrongly.

* an expression has at most :data:`MAX_EXPRESSION_CHARS` characters and is nested at most
  :data:`MAX_EXPRESSION_DEPTH` levels (parentheses, ``not``, signs, calls, lists);
* a number literal is finite and at most :data:`MAX_NUMBER` in size (so it is exact in
  a float64 and no date arithmetic can overflow); a date literal lies in 1900-2999;
* ``add_workdays(d, n)`` with a literal ``n`` needs a whole ``0 <= n <=``
  :data:`MAX_WORKDAYS_ARGUMENT`; a column ``n`` outside that range gives unknown;
* a computed date (``d + n``, ``d - n``) outside 1900-2999, or with ``n`` not a whole
  number, is unknown, as is an arithmetic result that is not a finite number.
* Dates are calendar days: a date column holding times of day, or an ``as_of`` given as a
  datetime (time-zone aware too), counts as its (local) date.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import DisclosureRulesError


class _Lazy:
    """A module imported on first use: compiling a rulebook (``validate``, ``--help``)
    needs neither numpy nor pandas, evaluating does. The first attribute access swaps
    the real module into this module's globals."""

    def __init__(self, alias: str, module: str):
        self._alias = alias
        self._module = module

    def __getattr__(self, name: str):
        import importlib

        module = importlib.import_module(self._module)
        globals()[self._alias] = module
        return getattr(module, name)


np = _Lazy("np", "numpy")
pd = _Lazy("pd", "pandas")
pa = _Lazy("pa", "pyarrow")
pc = _Lazy("pc", "pyarrow.compute")

CONSTANTS = ("as_of", "period_start", "period_end")
FUNCTIONS = ("blank", "present", "has_any", "has_all", "size", "contains", "matches", "length",
             "days", "workdays", "add_workdays", "year", "month", "date")
TYPE_WORDS = {"bool": "a condition", "number": "a number", "date": "a date", "string": "text",
              "category": "a category", "set": "a set", "list": "a list"}
S_PER_DAY = 86_400
#: dates at run time are datetime64[s] (any year; nanoseconds end in 2262 and numpy
#: wraps silently when it casts a later date to them): no [ns] value on this path
DATE_DTYPE = "datetime64[s]"
#: the dates date arithmetic may produce (four-digit years); beyond them it is blank
_FIRST_SECOND, _LAST_SECOND = -62135596800, 253402300799  # 0001-01-01, 9999-12-31T23:59:59

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
_FIRST_DAY = (dt.date(FIRST_YEAR, 1, 1) - dt.date(1970, 1, 1)).days  # day numbers since 1970-01-01
_LAST_DAY = (dt.date(LAST_YEAR, 12, 31) - dt.date(1970, 1, 1)).days


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


# ---------------------------------------------------------------- run time values

@dataclass
class Value:
    """Column (numpy array or pandas Series for text) or scalar, with a null mask."""

    data: Any
    null: Any  # np.ndarray[bool] or bool

    def __post_init__(self):
        # numpy operations on two scalars give 0-d arrays: keep them scalars, so that
        # every mask is broadcast to the rows
        if isinstance(self.data, np.ndarray) and self.data.ndim == 0:
            self.data = self.data[()]
        if isinstance(self.null, np.ndarray) and self.null.ndim == 0:
            self.null = bool(self.null)

    def is_scalar(self) -> bool:
        return not isinstance(self.data, (np.ndarray, pd.Series))


@dataclass
class Context:
    """What an expression sees: the typed columns, constants and the working-day calendar."""

    frame: pd.DataFrame
    constants: dict[str, pd.Timestamp | None]
    calendar: Any = None
    cache: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)


def column_value(series: pd.Series, ftype: str) -> Value:
    """Typed DataFrame column -> Value (see datasets.py for the representations)."""
    if ftype == "date":
        series = _calendar_dates(series)
    elif ftype == "string" and not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(pd.StringDtype("python"))  # a frame built by hand: any objects as text

    null = series.isna().to_numpy()
    if ftype == "date":
        return Value(series.to_numpy(dtype=DATE_DTYPE), null)
    if ftype in ("integer", "number"):
        return Value(series.to_numpy(dtype="float64", na_value=np.nan), null)
    if ftype == "boolean":
        return Value(series.to_numpy(dtype=bool, na_value=False), null)
    if ftype == "category":
        return Value(np.asarray(series.cat.codes.to_numpy(), dtype=np.int64), null)
    if ftype == "set":
        return Value(series.to_numpy(dtype="int64", na_value=0), null)
    return Value(series, null)  # string: keep pandas for its string methods


def _calendar_dates(series: pd.Series) -> pd.Series:
    """A date column as calendar days: local date of aware values, time of day dropped."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        if series.dtype == DATE_DTYPE:
            # typed ledger dates are at midnight already: skip the (costly) normalize then
            seconds = series.to_numpy().view(np.int64)
            if not np.any((seconds % S_PER_DAY != 0) & ~np.isnat(series.to_numpy())):
                return series
        return series.dt.normalize()
    return series


def _constant_day(value):
    """``as_of`` / ``period_*`` as a naive midnight Timestamp (None when blank)."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        return None
    return stamp.normalize()


def _broadcast(v: Value, n: int, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    if v.is_scalar():
        data = np.full(n, v.data, dtype=dtype) if dtype is not None else np.full(n, v.data)
        return data, np.full(n, bool(v.null))
    null = v.null if isinstance(v.null, np.ndarray) else np.full(n, bool(v.null))
    return v.data, null


def as_mask(v: Value, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(true, unknown) boolean arrays of a bool Value."""
    data, null = _broadcast(v, n, dtype=bool)
    data = np.asarray(data, dtype=bool)
    return data & ~null, null


# ---------------------------------------------------------------- compiled form

@dataclass
class Node:
    type: str                     # bool number date string category set list
    run: Callable[[Context], Value]
    spec: Any = None              # FieldSpec of a category/set field
    literal: Any = None           # python value of a literal (str, number, list, Timestamp)
    is_literal: bool = False


@dataclass
class CompiledExpression:
    source: str
    key: str
    fields: list[str]             # fields (canonical names) the expression reads
    uses_calendar: bool
    run: Callable[[Context], Value]
    type: str = "bool"

    def mask(self, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """(true, unknown) arrays over the context's rows."""
        return as_mask(self.run(ctx), ctx.n)


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


class Compiler:
    """Checks an expression against the whitelist and the dataset's fields and compiles it."""

    def __init__(self, fields: dict, source: str, key: str, rule_id: str | None = None):
        self.fields = fields
        self.source = source
        self.key = key
        self.rule_id = rule_id
        self.used: list[str] = []
        self.uses_calendar = False
        self.names: dict[str, str] = {}
        for name, spec in fields.items():
            self.names.setdefault(normalize_name(name), name)
        for name, spec in fields.items():
            for alias in getattr(spec, "aliases", []) or []:
                self.names.setdefault(normalize_name(alias), name)

    def error(self, message: str, node: ast.AST | None = None) -> ExpressionError:
        return ExpressionError(message, self.source, node, self.key)

    # -- entry
    def compile(self, want: str | None = "bool") -> CompiledExpression:
        if not isinstance(self.source, str) or not self.source.strip():
            raise self.error("the expression is empty")
        if len(self.source) > MAX_EXPRESSION_CHARS:
            # the message shows only the start: it is one paragraph, not the whole text
            raise ExpressionError(f"the expression is {len(self.source)} characters long, more than "
                                  f"{MAX_EXPRESSION_CHARS}; split it into simpler rules",
                                  self.source[:60] + " ...", None, self.key)
        # a YAML block (where: |) keeps line breaks: one line, so that it parses and the
        # caret of an error lines up (a quoted literal cannot span lines anyway)
        self.source = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", self.source.strip())
        try:
            with warnings.catch_warnings():
                # '\d' in a pattern is an invalid *Python* escape, and means what it says
                warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
                tree = ast.parse(self.source, mode="eval")
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
        for node in ast.walk(tree):
            ops = getattr(node, "ops", None) or [getattr(node, "op", None)]
            bad_op = next((op for op in ops if type(op) in _REJECTED_OPERATORS or
                           (op is not None and not isinstance(op, _ALLOWED))), None)
            if bad_op is not None:
                raise self.error(_REJECTED_OPERATORS.get(
                    type(bad_op), f"the operator '{_OPERATOR_SYMBOLS.get(type(bad_op), type(bad_op).__name__)}' "
                                  "is not allowed (+ - * / and comparisons only)"), node)
            if not isinstance(node, _ALLOWED):
                reason = next((w for t, w in _REJECTED_WORDS.items() if isinstance(node, t)),
                              f"'{type(node).__name__}' is not allowed in an expression")
                raise self.error(reason, node)
        too_deep = _deeper_than(tree.body, MAX_EXPRESSION_DEPTH)
        if too_deep is not None:
            raise self.error(f"the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep; "
                             "split it into simpler conditions", too_deep)
        root = self.visit(tree.body)
        if want and root.type != want:
            raise self.error(f"the expression must be {TYPE_WORDS[want]} (true/false), "
                             f"but it gives {TYPE_WORDS.get(root.type, root.type)}", tree.body)
        return CompiledExpression(self.source, self.key, list(dict.fromkeys(self.used)),
                                  self.uses_calendar, root.run, root.type)

    def visit(self, node: ast.AST) -> Node:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"'{type(node).__name__}' is not allowed here", node)
        return method(node)

    # -- leaves
    def visit_Constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool):
            return _literal("bool", value)
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                raise self.error("this number is too large to be a number (it reads as infinite); "
                                 f"numbers in an expression are at most 10^{len(str(MAX_NUMBER)) - 1} in size", node)
            if abs(value) > MAX_NUMBER:
                raise self.error(f"this number is too large: numbers in an expression are at most "
                                 f"10^{len(str(MAX_NUMBER)) - 1} in size", node)
            return _literal("number", float(value))
        if isinstance(value, str):
            return _literal("string", value)
        raise self.error(f"the literal {value!r} is not allowed (strings, numbers, True, False only)", node)

    def visit_List(self, node: ast.List | ast.Tuple) -> Node:
        items = []
        for elt in node.elts:
            item = self.visit(elt)
            if not item.is_literal:
                raise self.error("a list may hold only literals (strings, numbers, dates)", elt)
            items.append(item)
        return Node("list", lambda ctx: Value(None, True), literal=[i.literal for i in items],
                    is_literal=True, spec=[i.type for i in items])

    visit_Tuple = visit_List

    def visit_Name(self, node: ast.Name) -> Node:
        name = node.id
        if name.startswith("_"):
            raise self.error("names starting with '_' are not allowed", node)
        if name in ("True", "False"):
            return _literal("bool", name == "True")
        if name in CONSTANTS:
            def run(ctx: Context, _name=name) -> Value:
                value = _constant_day(ctx.constants.get(_name))
                if value is None or pd.isna(value):
                    return Value(np.datetime64("NaT", "s"), True)
                return Value(_day_of(value), False)
            return Node("date", run)
        canonical = self.names.get(normalize_name(name))
        if canonical is None:
            raise self.error(f"unknown name {name!r}{self._suggest(name)}", node)
        spec = self.fields[canonical]
        ftype = spec.type
        self.used.append(canonical)
        node_type = {"integer": "number", "number": "number", "boolean": "bool"}.get(ftype, ftype)

        def run(ctx: Context, _c=canonical, _t=ftype) -> Value:
            key = ("col", _c)
            if key not in ctx.cache:
                ctx.cache[key] = column_value(ctx.frame[_c], _t)
            return ctx.cache[key]
        return Node(node_type, run, spec=spec)

    def _suggest(self, name: str) -> str:
        import difflib

        candidates = list(self.fields) + [a for s in self.fields.values() for a in (getattr(s, "aliases", []) or [])]
        close = difflib.get_close_matches(name, candidates + list(CONSTANTS), n=1, cutoff=0.5)
        if close:
            target = self.names.get(normalize_name(close[0]), close[0])
            return f"; did you mean {close[0]!r}" + (f" (field {target!r})" if target != close[0] else "") + "?"
        return f"; fields: {', '.join(self.fields)}"

    # -- boolean logic
    def visit_BoolOp(self, node: ast.BoolOp) -> Node:
        parts = [self.visit(v) for v in node.values]
        for part, sub in zip(parts, node.values):
            self._want(part, "bool", sub, "'and'/'or' combine conditions")
        return _kleene(parts, isinstance(node.op, ast.And))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Node:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self._want(operand, "bool", node.operand, "'not' applies to a condition")

            def run(ctx: Context) -> Value:
                true, unknown = as_mask(operand.run(ctx), ctx.n)
                return Value(~true & ~unknown, unknown)
            return Node("bool", run)
        self._want(operand, "number", node.operand, "a sign applies to a number")
        if operand.is_literal:
            value = -operand.literal if isinstance(node.op, ast.USub) else operand.literal
            return _literal("number", value)
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0

        def run_sign(ctx: Context) -> Value:
            v = operand.run(ctx)
            return Value(v.data * sign, v.null)
        return Node("number", run_sign)

    # -- arithmetic
    def visit_BinOp(self, node: ast.BinOp) -> Node:
        left, right = self.visit(node.left), self.visit(node.right)
        op = type(node.op)
        lt, rt = left.type, right.type
        if left.is_literal and lt == "string" and rt == "date":
            left = self._date_literal(left, node.left)
            lt = "date"
        if right.is_literal and rt == "string" and lt == "date":
            right = self._date_literal(right, node.right)
            rt = "date"
        if lt == rt == "number":
            fn_name = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}[op]

            def run(ctx: Context) -> Value:
                a, b = left.run(ctx), right.run(ctx)
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    data = getattr(np, fn_name)(a.data, b.data)
                # x / 0, or an overflow to infinity: unknown, never a number that is not finite
                null = np.logical_or(np.logical_or(a.null, b.null), ~np.isfinite(data))
                return Value(data, null)
            return Node("number", run)
        if lt == rt == "date" and op is ast.Sub:
            def run_days(ctx: Context) -> Value:
                a, b = left.run(ctx), right.run(ctx)
                null = np.logical_or(a.null, b.null)
                diff = (np.asarray(a.data, dtype=DATE_DTYPE) - np.asarray(b.data, dtype=DATE_DTYPE))
                data = diff.astype("timedelta64[s]").astype(np.int64) / S_PER_DAY
                data = np.where(null, np.nan, data)
                return Value(data, null)
            return Node("number", run_days)
        if lt == "date" and rt == "number" and op in (ast.Add, ast.Sub):
            sign = 1 if op is ast.Add else -1
            return Node("date", lambda ctx: _date_plus_days(left.run(ctx), right.run(ctx), sign))
        if lt == "number" and rt == "date" and op is ast.Add:
            return Node("date", lambda ctx: _date_plus_days(right.run(ctx), left.run(ctx), 1))
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[op]
        raise self.error(f"'{symbol}' is not defined for {TYPE_WORDS.get(lt, lt)} and {TYPE_WORDS.get(rt, rt)}", node)

    # -- comparisons
    def visit_Compare(self, node: ast.Compare) -> Node:
        operands = [node.left] + list(node.comparators)
        compiled = [self.visit(o) for o in operands]
        parts = []
        for i, op in enumerate(node.ops):
            parts.append(self._comparison(op, compiled[i], compiled[i + 1], operands[i], operands[i + 1], node))
        if len(parts) == 1:
            return parts[0]
        return _kleene(parts, True)  # a < b < c is (a < b) and (b < c)

    def _comparison(self, op, left: Node, right: Node, lnode, rnode, node) -> Node:
        if isinstance(op, (ast.In, ast.NotIn)):
            return self._membership(op, left, right, lnode, rnode)
        lt, rt = left.type, right.type
        # normalise literal sides
        if lt == "date" and right.is_literal and rt == "string":
            right, rt = self._date_literal(right, rnode), "date"
        if rt == "date" and left.is_literal and lt == "string":
            left, lt = self._date_literal(left, lnode), "date"
        if lt == "category" and right.is_literal and rt == "string":
            return self._category_equals(op, left, right.literal, rnode)
        if rt == "category" and left.is_literal and lt == "string":
            return self._category_equals(op, right, left.literal, lnode)
        ordering = isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE))
        if lt != rt:
            raise self.error(f"cannot compare {TYPE_WORDS.get(lt, lt)} with {TYPE_WORDS.get(rt, rt)}", node)
        if lt in ("category", "set", "list"):
            raise self.error(f"cannot compare two {lt} values this way; compare a field with a literal", node)
        if lt == "bool" and ordering:
            raise self.error("conditions cannot be ordered with < or >", node)
        fn_name = {ast.Eq: "equal", ast.NotEq: "not_equal", ast.Lt: "less", ast.LtE: "less_equal",
                   ast.Gt: "greater", ast.GtE: "greater_equal"}[type(op)]
        if lt == "string":
            pandas_op = {ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__",
                         ast.Gt: "__gt__", ast.GtE: "__ge__"}[type(op)]

            def run_text(ctx: Context) -> Value:
                a, b = left.run(ctx), right.run(ctx)
                null = np.logical_or(a.null, b.null)
                if a.is_scalar() and b.is_scalar():
                    return Value(bool(getattr(np, fn_name)(a.data, b.data)) if not null else False, null)
                x = a.data if not a.is_scalar() else b.data
                y = b.data if not a.is_scalar() else a.data
                flipped = a.is_scalar()
                if flipped:
                    swap = {"__lt__": "__gt__", "__gt__": "__lt__", "__le__": "__ge__", "__ge__": "__le__"}
                    result = getattr(x, swap.get(pandas_op, pandas_op))(y)
                else:
                    result = getattr(x, pandas_op)(y)
                data = np.asarray(pd.Series(result).fillna(False).to_numpy(dtype=bool))
                return Value(data & ~null, null)
            return Node("bool", run_text)

        def run(ctx: Context) -> Value:
            a, b = left.run(ctx), right.run(ctx)
            null = np.logical_or(a.null, b.null)
            with np.errstate(invalid="ignore"):
                data = getattr(np, fn_name)(a.data, b.data)
            return Value(np.asarray(data, dtype=bool) & ~np.asarray(null), null)
        return Node("bool", run)

    def _category_code(self, spec, label: str, node) -> int:
        wanted = normalize_name(label)
        for i, (code, labels) in enumerate(spec.values.items()):
            if normalize_name(code) == wanted or any(normalize_name(l) == wanted for l in labels):
                return i
        shown = ", ".join(f"{c} ({'/'.join(l[:2])})" if l else c for c, l in spec.values.items())
        raise self.error(f"{label!r} is not a code or label of this field; expected one of: {shown}", node)

    def _category_equals(self, op, field_node: Node, label: str, lnode) -> Node:
        if not isinstance(op, (ast.Eq, ast.NotEq)):
            raise self.error("categories can only be compared with == != in / not in", lnode)
        code = self._category_code(field_node.spec, label, lnode)
        negate = isinstance(op, ast.NotEq)

        def run(ctx: Context) -> Value:
            v = field_node.run(ctx)
            data = v.data == code
            if negate:
                data = ~data
            return Value(data & ~v.null, v.null)
        return Node("bool", run)

    def _membership(self, op, left: Node, right: Node, lnode, rnode) -> Node:
        negate = isinstance(op, ast.NotIn)
        if right.type == "set":
            if not (left.is_literal and left.type == "string"):
                raise self.error("'in' with a set field needs a code or label on the left: 'video' in forms", lnode)
            bits = self._set_bits(right.spec, [left.literal], lnode)
            return Node("bool", lambda ctx: _set_test(right.run(ctx), bits, "any", negate))
        if right.type != "list":
            raise self.error("'in' needs a list [..] or a set field on the right", rnode)
        items = right.literal
        if left.type == "category":
            codes = [self._category_code(left.spec, str(i), rnode) for i in items]

            def run_cat(ctx: Context) -> Value:
                v = left.run(ctx)
                data = np.isin(v.data, codes)
                if negate:
                    data = ~data
                return Value(data & ~v.null, v.null)
            return Node("bool", run_cat)
        if left.type == "date":
            try:
                days = [i if isinstance(i, dt.date) else self._parse_date(i, rnode) for i in items]
            except ExpressionError as exc:
                if "outside the dates" in exc.reason or "beyond the last date" in exc.reason:
                    raise
                raise self.error("a list compared with a date must hold dates ('YYYY-MM-DD')", rnode) from None
            values = _LazyArray(lambda: np.array([np.datetime64(d, "s") for d in days], dtype=DATE_DTYPE))
        elif left.type == "number":
            if not all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
                raise self.error("a list compared with a number must hold numbers", rnode)
            values = [float(i) for i in items]
        elif left.type == "string":
            if not all(isinstance(i, str) for i in items):
                raise self.error("a list compared with text must hold strings", rnode)
            values = list(items)
        else:
            raise self.error(f"'in' is not defined for {TYPE_WORDS.get(left.type, left.type)}", lnode)

        def run(ctx: Context) -> Value:
            v = left.run(ctx)
            values_now = values.get() if isinstance(values, _LazyArray) else values
            if v.is_scalar():
                data = (v.data in list(values_now)) if not v.null else False
                return Value((not data if negate else data) and not v.null, v.null)
            if isinstance(v.data, pd.Series):
                data = v.data.isin(values_now).to_numpy(dtype=bool)
            else:
                data = np.isin(v.data, values_now)
            if negate:
                data = ~data
            return Value(data & ~v.null, v.null)
        return Node("bool", run)

    def _set_bits(self, spec, labels, node) -> int:
        bits = 0
        for label in labels:
            if not isinstance(label, str):
                raise self.error("set members are written as strings", node)
            bits |= 1 << self._category_code(spec, label, node)
        return bits

    def _date_literal(self, lit: Node, node) -> Node:
        return _literal("date", self._parse_date(lit.literal, node))

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
        stored = _literal("date", day).run(None).data
        last = _day_bounds(stored)[1]
        if (day - dt.date(1970, 1, 1)).days > last or stored.astype("datetime64[D]") != np.datetime64(day, "D"):
            # the typed date representation cannot hold it (it would wrap into another century)
            raise self.error(f"{text!r} is beyond the last date this version can hold "
                             f"({np.datetime64(last, 'D')})", node)
        return day

    def _want(self, n: Node, t: str, node, why: str) -> None:
        if n.type != t:
            raise self.error(f"{why}; this is {TYPE_WORDS.get(n.type, n.type)}", node)

    # -- functions
    def visit_Call(self, node: ast.Call) -> Node:
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
        arity = {"blank": 1, "present": 1, "has_any": 2, "has_all": 2, "size": 1, "contains": 2, "matches": 2,
                 "length": 1, "days": 2, "workdays": 2, "add_workdays": 2, "year": 1, "month": 1, "date": 1}[name]
        if len(node.args) != arity:
            raise self.error(f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, got {len(node.args)}", node)
        if name == "date":
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise self.error("date() takes a literal 'YYYY-MM-DD'", arg)
            return _literal("date", self._parse_date(arg.value, arg))
        args = [self.visit(a) for a in node.args]
        return getattr(self, "fn_" + name)(node, args)

    def fn_blank(self, node, args) -> Node:
        a = args[0]
        if a.type == "list":
            raise self.error("blank() takes a field", node.args[0])

        def run(ctx: Context) -> Value:
            v = a.run(ctx)
            null = v.null if isinstance(v.null, np.ndarray) else np.full(ctx.n, bool(v.null))
            return Value(null.copy(), np.zeros(ctx.n, dtype=bool))
        return Node("bool", run)

    def fn_present(self, node, args) -> Node:
        inner = self.fn_blank(node, args)

        def run(ctx: Context) -> Value:
            v = inner.run(ctx)
            return Value(~v.data, v.null)
        return Node("bool", run)

    def _set_fn(self, node, args, mode) -> Node:
        s, labels = args
        if s.type != "set":
            raise self.error(f"the first argument must be a set field, this is {TYPE_WORDS.get(s.type, s.type)}", node.args[0])
        if labels.type != "list":
            if labels.is_literal and labels.type == "string":
                labels = _literal("list", [labels.literal])
            else:
                raise self.error("the second argument is a list of codes or labels", node.args[1])
        bits = self._set_bits(s.spec, labels.literal, node.args[1])
        return Node("bool", lambda ctx: _set_test(s.run(ctx), bits, mode, False))

    def fn_has_any(self, node, args) -> Node:
        return self._set_fn(node, args, "any")

    def fn_has_all(self, node, args) -> Node:
        return self._set_fn(node, args, "all")

    def fn_size(self, node, args) -> Node:
        s = args[0]
        if s.type != "set":
            raise self.error("size() takes a set field", node.args[0])

        def run(ctx: Context) -> Value:
            v = s.run(ctx)
            return Value(_popcount(np.asarray(v.data, dtype=np.int64)).astype(float), v.null)
        return Node("number", run)

    def _text_arg(self, node, arg: Node, index: int) -> None:
        if arg.type != "string":
            raise self.error(f"{node.func.id}() works on text; this is {TYPE_WORDS.get(arg.type, arg.type)}",
                             node.args[index])

    def fn_contains(self, node, args) -> Node:
        text, sub = args
        self._text_arg(node, text, 0)
        if not (sub.is_literal and sub.type == "string"):
            raise self.error("the second argument of contains() is a literal string", node.args[1])
        needle = sub.literal

        def run(ctx: Context) -> Value:
            v = text.run(ctx)
            if v.is_scalar():
                return Value((needle in v.data) if not v.null else False, v.null)
            data = v.data.str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)
            return Value(data & ~v.null, v.null)
        return Node("bool", run)

    def fn_matches(self, node, args) -> Node:
        text, pattern = args
        self._text_arg(node, text, 0)
        if not (pattern.is_literal and pattern.type == "string"):
            raise self.error("the second argument of matches() is a literal regular expression", node.args[1])
        try:
            regex = re2_pattern(pattern.literal)
            _re2_search([""], regex)  # compiles the pattern: RE2 refuses what it cannot run in linear time
        except RegexError as exc:
            raise self.error(f"this regular expression cannot be used: {exc}", node.args[1]) from None

        def run(ctx: Context) -> Value:
            v = text.run(ctx)
            if v.is_scalar():
                return Value(bool(_re2_search([v.data], regex)[0]) if not v.null else False, v.null)
            uniques, codes = _factorized(v.data)  # each distinct cell once
            hits = _re2_search(uniques, regex)
            data = np.where(codes >= 0, hits[np.maximum(codes, 0)] if len(hits) else False, False)
            return Value(data & ~v.null, v.null)
        return Node("bool", run)

    def fn_length(self, node, args) -> Node:
        text = args[0]
        self._text_arg(node, text, 0)

        def run(ctx: Context) -> Value:
            v = text.run(ctx)
            if v.is_scalar():
                return Value(float(len(v.data)) if not v.null else np.nan, v.null)
            return Value(v.data.str.len().to_numpy(dtype=float, na_value=np.nan), v.null)
        return Node("number", run)

    def _dates(self, node, args) -> None:
        for i, a in enumerate(args):
            if a.is_literal and a.type == "string":
                args[i] = self._date_literal(a, node.args[i])
            elif a.type != "date":
                raise self.error(f"{node.func.id}() takes dates; this is {TYPE_WORDS.get(a.type, a.type)}", node.args[i])

    def fn_days(self, node, args) -> Node:
        self._dates(node, args)
        a, b = args

        def run(ctx: Context) -> Value:
            va, vb = a.run(ctx), b.run(ctx)
            null = np.logical_or(va.null, vb.null)
            diff = np.asarray(vb.data, dtype=DATE_DTYPE) - np.asarray(va.data, dtype=DATE_DTYPE)
            data = np.where(null, np.nan, diff.astype(np.int64) / S_PER_DAY)
            return Value(data, null)
        return Node("number", run)

    def fn_workdays(self, node, args) -> Node:
        self._dates(node, args)
        a, b = args
        self.uses_calendar = True

        def run(ctx: Context) -> Value:
            va, vb = a.run(ctx), b.run(ctx)
            n = ctx.n
            da, na_ = _broadcast(va, n)
            db, nb = _broadcast(vb, n)
            result = ctx.calendar.workdays(pd.Series(np.asarray(da, dtype=DATE_DTYPE)),
                                           pd.Series(np.asarray(db, dtype=DATE_DTYPE)))
            result = pd.Series(result)
            null = na_ | nb | result.isna().to_numpy()
            return Value(result.to_numpy(dtype=float, na_value=np.nan), null)
        return Node("number", run)

    def fn_add_workdays(self, node, args) -> Node:
        d, k = args
        if d.is_literal and d.type == "string":
            d = self._date_literal(d, node.args[0])
        if d.type != "date":
            raise self.error("add_workdays() takes a date first", node.args[0])
        if k.type != "number":
            raise self.error("add_workdays() takes a number of working days second", node.args[1])
        if k.is_literal and not (k.literal == int(k.literal) and 0 <= k.literal <= MAX_WORKDAYS_ARGUMENT):
            raise self.error(f"the number of working days is a whole number from 0 to {MAX_WORKDAYS_ARGUMENT}",
                             node.args[1])
        self.uses_calendar = True

        def run(ctx: Context) -> Value:
            vd, vk = d.run(ctx), k.run(ctx)
            n = ctx.n
            dd, nd = _broadcast(vd, n)
            kk, nk = _broadcast(vk, n, dtype=float)
            kk = np.asarray(kk, dtype=float)
            with np.errstate(invalid="ignore"):
                bad = nd | nk | ~np.isfinite(kk) | (kk < 0) | (kk > MAX_WORKDAYS_ARGUMENT) | (kk != np.floor(kk))
            steps = np.where(bad, 0, kk).astype(np.int64)
            dates = np.where(bad, np.datetime64("NaT", "s"), np.asarray(dd, dtype=DATE_DTYPE))
            result = pd.Series(ctx.calendar.add_workdays(pd.Series(dates), steps))
            data = result.to_numpy(dtype=DATE_DTYPE)
            return Value(data, bad | np.isnat(data))
        return Node("date", run)

    def _date_part(self, node, args, part: str) -> Node:
        self._dates(node, args)
        a = args[0]

        def run(ctx: Context) -> Value:
            v = a.run(ctx)
            if v.is_scalar():
                ts = pd.Timestamp(v.data)
                return Value(float(getattr(ts, part)) if not v.null else np.nan, v.null)
            data = np.asarray(v.data, dtype=DATE_DTYPE)
            if part == "year":
                values = data.astype("datetime64[Y]").astype(np.int64) + 1970
            else:
                values = data.astype("datetime64[M]").astype(np.int64) % 12 + 1
            return Value(np.where(v.null, np.nan, values.astype(float)), v.null)
        return Node("number", run)

    def fn_year(self, node, args) -> Node:
        return self._date_part(node, args, "year")

    def fn_month(self, node, args) -> Node:
        return self._date_part(node, args, "month")


def _deeper_than(root: ast.AST, limit: int) -> ast.AST | None:
    """The first expression node nested more than ``limit`` levels deep, or None.

    Iterative, so that a tree the compiler would refuse cannot exhaust the stack here.
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


def _kleene(parts: list[Node], is_and: bool) -> Node:
    """``and`` / ``or`` of conditions in three-valued (Kleene) logic."""
    def run(ctx: Context) -> Value:
        n = ctx.n
        true, unknown = as_mask(parts[0].run(ctx), n)
        for part in parts[1:]:
            t2, u2 = as_mask(part.run(ctx), n)
            if is_and:
                false_any = (~true & ~unknown) | (~t2 & ~u2)
                true, unknown = true & t2, ~false_any & (unknown | u2)
            else:
                true, unknown = true | t2, ~(true | t2) & (unknown | u2)
        return Value(true, unknown)
    return Node("bool", run)


def _literal(node_type: str, value: Any) -> Node:
    if node_type == "date":
        scalar = _LazyArray(lambda: np.datetime64(value, "s"))
        return Node("date", lambda ctx: Value(scalar.get(), False), literal=value, is_literal=True)
    return Node(node_type, lambda ctx: Value(value, False), literal=value, is_literal=True)


class _LazyArray:
    """A numpy value built on first use (so that compiling never imports numpy)."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._value = None

    def get(self):
        if self._value is None:
            self._value = self._build()
        return self._value


def _day_of(value) -> Any:
    """A date-like constant (date, datetime, Timestamp) as datetime64[s] at midnight."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return np.datetime64(value, "D").astype(DATE_DTYPE)
    return np.datetime64(value).astype("datetime64[D]").astype(DATE_DTYPE)


def _day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 (int64) of datetime64 values of any unit; NaT gives 0."""
    values = np.asarray(dates)
    days = values.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(values), 0, days)


def _day_bounds(dates) -> tuple[int, int]:
    """First and last day numbers a computed date may take: within FIRST_YEAR..LAST_YEAR
    and within what the datetime64 unit of ``dates`` can hold."""
    unit, count = np.datetime_data(np.asarray(dates).dtype)
    if unit in ("Y", "M", "W", "D", "generic"):
        return _FIRST_DAY, _LAST_DAY
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(count, unit))
    held = int(np.iinfo(np.int64).max) // per_day - 1
    # whole years only, as the working-day calendar covers them (datetime64[ns]: to 2261)
    last_year = int(np.datetime64(held + 1, "D").astype("datetime64[Y]").astype(np.int64)) + 1970 - 1
    last = int(np.datetime64(f"{last_year:04d}-12-31", "D").astype(np.int64)) if last_year <= LAST_YEAR else _LAST_DAY
    return max(_FIRST_DAY, -held), min(_LAST_DAY, last)


def _date_plus_days(d: Value, k: Value, sign: int) -> Value:
    """``d + k`` days (``k`` may be fractional); a result beyond 0001-9999 is blank."""
    null = np.logical_or(d.null, k.null)
    # a number of days that is not whole, or a result outside FIRST_YEAR..LAST_YEAR, is
    # unknown: computed in day numbers first, so nothing can overflow or wrap around
    offset = np.asarray(k.data, dtype=float) * sign
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(offset) | (offset != np.floor(offset)) | (np.abs(offset) > _LAST_DAY - _FIRST_DAY)
        target = _day_numbers(d.data) + np.where(bad, 0, offset).astype(np.int64)
    first, last = _day_bounds(d.data)
    bad = bad | (target < first) | (target > last)
    null = np.logical_or(null, bad)
    k = Value(np.where(bad, 0.0, np.asarray(k.data, dtype=float)), k.null)
    days = np.where(null, 0, np.asarray(k.data, dtype=float)) if isinstance(null, np.ndarray) else (0 if null else k.data)
    base = np.asarray(d.data, dtype=DATE_DTYPE)
    with np.errstate(over="ignore", invalid="ignore"):
        seconds = np.where(np.isnat(base), 0, base.astype(np.int64)) + np.asarray(days, dtype=float) * sign * S_PER_DAY
        outside = ~np.isfinite(seconds) | (seconds < _FIRST_SECOND) | (seconds > _LAST_SECOND)
    null = np.logical_or(null, outside)
    data = np.where(outside, 0, seconds).astype(np.int64).astype(DATE_DTYPE)
    data = np.where(null, np.datetime64("NaT", "s"), data)
    return Value(data, null)


def _set_test(v: Value, bits: int, mode: str, negate: bool) -> Value:
    masks = np.asarray(v.data, dtype=np.int64)
    data = (masks & bits) != 0 if mode == "any" else (masks & bits) == bits
    if negate:
        data = ~data
    return Value(data & ~np.asarray(v.null), v.null)


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values.astype(np.uint64)).astype(np.int64)
    out = np.zeros(values.shape, dtype=np.int64)
    work = values.astype(np.uint64)
    while work.any():
        out += (work & np.uint64(1)).astype(np.int64)
        work = work >> np.uint64(1)
    return out


class RegexError(ValueError):
    """A matches() pattern RE2 cannot compile; the message says why and what to write."""


_RE2_REASONS = (
    ("invalid perl operator: (?=", "lookahead (?=...) is not supported"),
    ("invalid perl operator: (?!", "negative lookahead (?!...) is not supported"),
    ("invalid perl operator: (?<=", "lookbehind (?<=...) is not supported"),
    ("invalid perl operator: (?<!", "negative lookbehind (?<!...) is not supported"),
    ("invalid perl operator: (?>", "atomic groups (?>...) are not supported"),
    ("invalid perl operator: (?P=", "backreferences (?P=name) are not supported"),
    ("invalid perl operator: (?#", "comments (?#...) are not supported"),
    ("bad repetition operator: *+", "possessive quantifiers (*+ ++ ?+) are not supported"),
    ("bad repetition operator: ++", "possessive quantifiers (*+ ++ ?+) are not supported"),
    ("bad repetition operator: ?+", "possessive quantifiers (*+ ++ ?+) are not supported"),
)
_RE2_NOTE = ("patterns run on RE2, which matches every cell in linear time and so has no "
             "backreferences or lookaround; rewrite the pattern without them")

# Python's \d \w \s are Unicode-wide; RE2's are ASCII only. Written as RE2 classes so that
# 'matches(title, "^\w+$")' still matches Chinese text as it did under Python's re.
_CLASS_PARTS = {"d": r"\p{Nd}", "w": r"\p{L}\p{N}_", "s": r"\t\n\v\f\r\x{1c}-\x{1f}\x{85}\p{Z}"}
_OUTSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": "[" + _CLASS_PARTS["w"] + "]", "W": "[^" + _CLASS_PARTS["w"] + "]",
            "s": "[" + _CLASS_PARTS["s"] + "]", "S": "[^" + _CLASS_PARTS["s"] + "]", "Z": r"\z"}
_INSIDE = {"d": _CLASS_PARTS["d"], "D": r"\P{Nd}", "w": _CLASS_PARTS["w"], "s": _CLASS_PARTS["s"], "b": r"\x{8}"}


def re2_pattern(pattern: str) -> str:
    r"""A Python-style pattern as RE2 syntax with the same meaning; RegexError if it has none.

    Translates the Unicode classes ``\d \w \s`` (and their negations), ``\Z``, ``\u`` with
    four hex digits, ``\U`` with eight, and ``{,n}``; refuses ``\b``/``\B`` and ``\W``/``\S`` inside ``[...]``.
    Everything else is passed to RE2 as written.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e in "uU":
                width = 4 if e == "u" else 8
                digits = pattern[i + 2:i + 2 + width]
                if len(digits) != width or not all(h in "0123456789abcdefABCDEF" for h in digits):
                    raise RegexError(f"\\{e} needs {width} hex digits")
                out.append("\\x{" + digits + "}")
                i += 2 + width
                continue
            table = _INSIDE if in_class else _OUTSIDE
            if e in table:
                out.append(table[e])
            elif e in "bB" and not in_class:
                raise RegexError(f"\\{e} (a word boundary) is not supported: RE2 knows only ASCII words, "
                                 "and Chinese text has no spaces between words; use ^, $ or a character class")
            elif e in "WS" and in_class:
                raise RegexError(f"\\{e} inside [...] is not supported; write a negated class [^...] instead")
            else:
                out.append(c + e)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            start = i
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1  # a ] right after [ or [^ is a member, not the end
            out.append(pattern[start:i])
            in_class = True
            continue
        if c == "{" and pattern.startswith(",", i + 1):
            close = pattern.find("}", i)
            if close > i + 2 and pattern[i + 2:close].isdigit():
                out.append("{0" + pattern[i + 1:close + 1])  # Python's {,n} is {0,n}; RE2 reads it literally
                i = close + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _re2_search(texts, regex: str) -> np.ndarray:
    r"""Whether ``regex`` (RE2 syntax) occurs in each text, in linear time; RegexError if RE2
    cannot compile it. Lone surrogates (no UTF-8 form) are matched as U+FFFD."""
    try:
        array = pa.array(texts, type=pa.string())
    except (UnicodeError, pa.lib.ArrowException):
        array = pa.array([t.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for t in texts],
                         type=pa.string())
    try:
        hits = pc.match_substring_regex(array, pattern=regex)
    except pa.lib.ArrowInvalid as exc:
        message = str(exc).removeprefix("Invalid regular expression: ")
        reason = next((why for key, why in _RE2_REASONS if message.startswith(key)), None)
        if reason is None and message.startswith("invalid perl operator: (?P") and "(?P=" in regex:
            reason = "backreferences (?P=name) are not supported"
        if reason is None and re.match(r"invalid escape sequence: \\[1-9]", message):
            reason = "backreferences (\\1, \\2 ...) are not supported"
        raise RegexError(f"{reason or message}; {_RE2_NOTE}") from None
    return hits.to_numpy(zero_copy_only=False).astype(bool)


def _factorized(series: pd.Series) -> tuple[list, np.ndarray]:
    codes, uniques = pd.factorize(series)
    return [str(u) for u in uniques], np.asarray(codes)


def compile_expression(source: str, fields: dict, *, key: str = "expect", want: str | None = "bool") -> CompiledExpression:
    """Compile one expression against a dataset's fields (name -> FieldSpec)."""
    return Compiler(fields, source, key).compile(want)


def compile_rule_expressions(rule, fields: dict, book=None) -> dict[str, CompiledExpression]:
    """Compile every expression of a rule; ExpressionError carries which key failed."""
    out = {}
    for key, source in rule.expressions.items():
        out[key] = Compiler(fields, source, key, rule.id).compile("bool")
    return out
