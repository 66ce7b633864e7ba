r"""Lower the typed tree to SQL: :func:`lower_sql` turns a tree into one SQLGlot expression
(``sqlglot.exp`` nodes, never SQL text built by hand), which renders for DuckDB and Spark
SQL alike (``lower_sql(node, env).sql("duckdb")`` / ``.sql("spark")``). Its semantics are
those of :func:`.numpy.lower_numpy`, value for value and unknown for unknown.

The typed table it reads (the engine loads each dataset this way)
-----------------------------------------------------------------
* one column per field, named by its canonical name (always a quoted identifier); the
  engine's ``SqlEnv.column`` gives the column expression of a field, QUALIFIED by the
  data relation's alias (``"t"."n"``), so that no calendar column (``day``, ``workday``,
  ``n``) can capture it inside the calendar subqueries;
* string -> VARCHAR (NULL = blank); integer -> BIGINT; number -> DOUBLE (finite, as
  values.py types it); boolean -> BOOLEAN; date -> DATE (1900-2999, as values.py types it);
* category -> VARCHAR holding the code, or an unknown label as typed (which equals no code);
* set -> BIGINT bit mask, bit i (``1 << i``) = the field's i-th code (:attr:`.tree.Field.codes`,
  declaration order); NULL = blank; unknown labels set no bit;
* the calendar relation ``calendar(day DATE, workday BOOLEAN, n BIGINT)`` (its name is
  ``SqlEnv.calendar``; :meth:`..calendar.WorkCalendar.relation` gives it): every day of a
  range, ``n`` = working days up to and including the day (a running count). It must hold
  every day a calendar function looks up and, for ``add_workdays``, the working days after
  the latest start: a day outside it gives unknown (numpy would grow the calendar instead).

What an expression gives
------------------------
A condition lowers to a three-valued SQL BOOLEAN, NULL meaning unknown: the caller writes
``COALESCE(e, FALSE)`` for ``where`` and ``e IS NOT TRUE`` for a violation. A number
lowers to DOUBLE, a date to DATE, text to VARCHAR; NULL where numpy is unknown.

How it keeps numpy's semantics
------------------------------
* Kleene ``and``/``or``/``not`` are SQL's own three-valued logic; ``blank``/``present``
  are ``IS [NOT] NULL`` (never unknown); a category compares its code text; a set tests
  bits (``&``, ``BIT_COUNT``).
* Numbers compute in DOUBLE (integer columns are cast), IEEE as numpy does. Inside a
  number sub-expression an unknown value is NULL *or not finite* (DuckDB gives ``inf``
  for ``x / 0`` and an overflow, NaN for ``0 / 0``, and these stay non-finite through
  ``+ - *``); a divisor that may be non-finite goes through ``% inf`` (finite values
  unchanged, ``inf`` -> NaN), so that ``x / inf`` cannot turn into a known 0. Where a
  number is consumed (a comparison, ``in``, ``blank``, date arithmetic, ``add_workdays``,
  the expression's own value) a value that is not finite becomes NULL (unknown).
* A date computed by ``d + n`` is unknown unless ``n`` is whole and the result lies in
  1900-2999; ``date - date`` and ``days`` are calendar days (``DATEDIFF``).
* ``contains`` is ``STRPOS(text, needle) > 0`` (a plain substring: no LIKE, so ``%`` and
  ``_`` are themselves); ``length`` counts code points (DuckDB's and Spark's LENGTH, as
  Python's ``len``); text compares in code point order (UTF-8 bytes, the default binary
  collation of both engines); ``matches`` runs :attr:`.tree.Matches.re2` with
  ``REGEXP_MATCHES`` (DuckDB: RE2, search anywhere) / ``RLIKE`` (Spark: Java regex).
* ``workdays(a, b)`` and ``add_workdays(d, n)`` are correlated scalar subqueries on the
  calendar relation with equality joins only (DuckDB decorrelates them into hash joins; a
  range predicate would join the calendar with itself): ``workdays`` is ``n(b) - n(a)``,
  0 when ``b <= a``; ``add_workdays`` computes ``d`` and ``k`` once in a one-row derived
  table and joins the days whose ``n`` is ``n(d) + k``: ``d`` itself when ``k`` is 0, else
  the working day among them; unknown unless ``k`` is whole in 0..MAX_WORKDAYS_ARGUMENT.
* The SQL stays linear in the size of the tree: a check that needs a value twice (is ``n``
  whole? does ``d + n`` lie in 1900-2999?) repeats it only when it is small
  (:data:`INLINE_LIMIT` nodes); a larger one is bound once by a one-element lambda
  (``LIST_TRANSFORM([v], lambda x: ...)[1]`` in DuckDB, ``TRANSFORM(ARRAY(v), x -> ...)[0]``
  in Spark), since nested ``NULLIF``/``CASE`` copies grow exponentially with nesting.

Spark: the rendering is produced and parsed in the tests, not run. It assumes
``spark.sql.ansi.enabled=false`` for ``x / 0`` (NULL there, an error under ANSI) and Spark
3.0+ (``TRANSFORM``, ``BIT_COUNT``, ``date + int``); the correlated derived table of
``add_workdays`` would need ``LATERAL`` there. Java regex reads some RE2 text otherwise
(``.`` and ``$`` around line breaks, ``(?i)`` outside ASCII, ``(?P<name>``, POSIX classes).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import count
from typing import Callable, Mapping

from . import tree as t
from ._lazy import Lazy
from .check import FIRST_YEAR, LAST_YEAR, MAX_WORKDAYS_ARGUMENT

# sqlglot on first use: checking a rulebook (validate, --help) does not need it
exp = Lazy("exp", "sqlglot.expressions", globals())

__all__ = ["SqlEnv", "lower_sql", "INLINE_LIMIT"]

#: a value needed twice by a check is repeated when it has at most this many SQLGlot
#: nodes, and bound once by a lambda otherwise (so the SQL stays linear in the tree)
INLINE_LIMIT = 24

_FIRST_DATE, _LAST_DATE = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
#: a day offset beyond this leaves 1900-2999 from any date inside it
_SPAN = (_LAST_DATE - _FIRST_DATE).days
_MAX_DOUBLE = "1.7976931348623157e308"


@dataclass(frozen=True)
class SqlEnv:
    """What an expression reads: ``column(name)`` gives the (qualified) column expression
    of a field by canonical name; ``constants`` the dates ``as_of``, ``period_start`` and
    ``period_end`` (None when blank); ``calendar`` the name of the calendar relation."""

    column: Callable[[str], exp.Expression]
    constants: Mapping[str, dt.date | None]
    calendar: str = "calendar"


def lower_sql(node: t.Expr, env: SqlEnv) -> exp.Expression:
    """The SQL expression computing ``node`` on each row of the typed table (see the
    module docstring): BOOLEAN (NULL = unknown), DOUBLE, DATE or VARCHAR."""
    lowering = _Lowering(env)
    lowered = lowering.lower(node)
    if node.type == "number" and _may_poison(node):
        lowered = _known(lowered)
    return lowered


# ---------------------------------------------------------------- helpers

def _double(value: float) -> exp.Expression:
    """A finite float literal as DOUBLE (never DECIMAL, which both engines make of 0.1)."""
    if value == int(value) and abs(value) <= 2 ** 53:
        text = exp.Literal.number(int(value))
        if value == 0 and math.copysign(1.0, value) < 0:
            text = exp.Literal.string("-0.0")
    else:
        text = exp.Literal.string(repr(value))
    return exp.cast(text, exp.DataType.Type.DOUBLE)


def _date_literal(day: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.Type.DATE)


def _null(kind) -> exp.Expression:
    return exp.cast(exp.null(), kind)


def _paren(e: exp.Expression) -> exp.Expression:
    return e if isinstance(e, (exp.Paren, exp.Column, exp.Literal, exp.Cast, exp.Identifier)) else exp.Paren(this=e)


def _finite(e: exp.Expression) -> exp.Expression:
    """TRUE when ``e`` is a finite number, FALSE when it is inf or NaN (NaN sorts above
    every number in both engines), NULL when it is NULL."""
    return exp.LTE(this=exp.Abs(this=e), expression=exp.cast(exp.Literal.string(_MAX_DOUBLE), exp.DataType.Type.DOUBLE))


def _known(e: exp.Expression) -> exp.Expression:
    """``e`` where it is a finite number, NULL elsewhere."""
    return exp.Case(ifs=[exp.If(this=_finite(e), true=e)])


def _size(e: exp.Expression) -> int:
    return sum(1 for _ in e.walk())


def _may_poison(node: t.Expr) -> bool:
    """Whether the number ``node`` may hold a non-finite value standing for unknown
    (only arithmetic makes one; fields, literals and functions are finite or NULL)."""
    if isinstance(node, t.Arith):
        return node.type == "number" and node.left.type == "number"
    if isinstance(node, t.Negate):
        return _may_poison(node.operand)
    return False


class _Lowering:
    """One lowering: fresh names for lambda variables and calendar aliases."""

    def __init__(self, env: SqlEnv):
        self.env = env
        self._names = count(1)

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def lower(self, node: t.Expr) -> exp.Expression:
        return getattr(self, "lower_" + type(node).__name__)(node)

    # -- binding a value used more than once
    def let(self, values: list[exp.Expression], body: Callable[..., exp.Expression]) -> exp.Expression:
        """``body(*values)``, with each value that is not small bound once by a lambda.
        Callers bind one value at a time, so that a bound value (which may hold a calendar
        subquery) never lands in another lambda's body."""
        bound, binders = [], []
        for value in values:
            if _size(value) <= INLINE_LIMIT:
                bound.append(value)
            else:
                name = self.fresh("_v")
                binders.append((name, value))
                bound.append(exp.column(name))
        result = body(*bound)
        for name, value in reversed(binders):
            result = exp.Bracket(
                this=exp.Transform(this=exp.Array(expressions=[value]),
                                   expression=exp.Lambda(this=result, expressions=[exp.to_identifier(name)])),
                expressions=[exp.Literal.number(0)])
        return result

    # -- leaves
    def lower_Literal(self, node: t.Literal) -> exp.Expression:
        if node.type == "bool":
            return exp.true() if node.value else exp.false()
        if node.type == "number":
            return _double(node.value)
        if node.type == "date":
            return _date_literal(node.value)
        return exp.Literal.string(node.value)

    def lower_ListLiteral(self, node: t.ListLiteral) -> exp.Expression:
        return _null(exp.DataType.Type.BOOLEAN)  # numpy: unknown (no comparison consumed it)

    def lower_Field(self, node: t.Field) -> exp.Expression:
        column = self.env.column(node.name)
        if node.field_type == "integer":
            return exp.cast(column, exp.DataType.Type.DOUBLE)
        return column

    def lower_Constant(self, node: t.Constant) -> exp.Expression:
        value = self.env.constants.get(node.name)
        day = _constant_day(value)
        return _null(exp.DataType.Type.DATE) if day is None else _date_literal(day)

    # -- conditions
    def lower_Not(self, node: t.Not) -> exp.Expression:
        return exp.Not(this=_paren(self.lower(node.operand)))

    def lower_Logical(self, node: t.Logical) -> exp.Expression:
        parts = [_paren(self.lower(o)) for o in node.operands]
        combine = exp.and_ if node.op == "and" else exp.or_
        return exp.Paren(this=combine(*parts, copy=False))

    def lower_Chain(self, node: t.Chain) -> exp.Expression:
        return exp.Paren(this=exp.and_(*[_paren(self.lower(link)) for link in node.links], copy=False))

    _COMPARE = {"==": "EQ", "!=": "NEQ", "<": "LT", "<=": "LTE", ">": "GT", ">=": "GTE"}

    def operand(self, node: t.Expr) -> exp.Expression:
        """A value as consumed: a number that may be non-finite becomes NULL there."""
        lowered = self.lower(node)
        if node.type == "number" and _may_poison(node):
            return _known(lowered)
        return lowered

    def lower_Compare(self, node: t.Compare) -> exp.Expression:
        return exp.Paren(this=getattr(exp, self._COMPARE[node.op])(this=_paren(self.operand(node.left)),
                                                     expression=_paren(self.operand(node.right))))

    def lower_CategoryEquals(self, node: t.CategoryEquals) -> exp.Expression:
        cls = exp.NEQ if node.negate else exp.EQ
        return exp.Paren(this=cls(this=self.env.column(node.field.name), expression=exp.Literal.string(node.code)))

    def _in(self, value: exp.Expression, items: list[exp.Expression], negate: bool,
            blank: Callable[[], exp.Expression], present: Callable[[], exp.Expression]) -> exp.Expression:
        if not items:
            # x in []: False where x is known, unknown where it is blank (no SQL 'IN ()')
            unknown = _null(exp.DataType.Type.BOOLEAN)
            return exp.Paren(this=exp.or_(present(), unknown, copy=False) if negate
                             else exp.and_(blank(), unknown, copy=False))
        test = exp.In(this=_paren(value), expressions=items)
        return exp.Paren(this=exp.Not(this=exp.Paren(this=test))) if negate else exp.Paren(this=test)

    def lower_CategoryIn(self, node: t.CategoryIn) -> exp.Expression:
        column = self.env.column(node.field.name)
        return self._in(column, [exp.Literal.string(c) for c in node.codes], node.negate,
                        lambda: exp.Is(this=column.copy(), expression=exp.null()),
                        lambda: exp.Not(this=exp.Is(this=column.copy(), expression=exp.null())))

    def _bits(self, node: t.Field, codes) -> tuple[exp.Expression, int]:
        bits = 0
        for code in codes:
            bits |= 1 << node.codes.index(code)
        return exp.Paren(this=exp.BitwiseAnd(this=self.env.column(node.name), expression=exp.Literal.number(bits))), bits

    def lower_SetMember(self, node: t.SetMember) -> exp.Expression:
        masked, _ = self._bits(node.field, [node.code])
        test = exp.NEQ(this=masked, expression=exp.Literal.number(0))
        return exp.Paren(this=exp.Not(this=exp.Paren(this=test)) if node.negate else test)

    def lower_SetTest(self, node: t.SetTest) -> exp.Expression:
        masked, bits = self._bits(node.field, node.codes)
        if node.mode == "any":
            return exp.Paren(this=exp.NEQ(this=masked, expression=exp.Literal.number(0)))
        return exp.Paren(this=exp.EQ(this=masked, expression=exp.Literal.number(bits)))

    def lower_InList(self, node: t.InList) -> exp.Expression:
        kind = node.operand.type
        if kind == "number":
            items = [_double(v) for v in node.values]
        elif kind == "date":
            items = [_date_literal(v) for v in node.values]
        else:
            items = [exp.Literal.string(v) for v in node.values]
        value = self.operand(node.operand) if items else None
        return self._in(value, items, node.negate, lambda: self._blank(node.operand),
                        lambda: self._present(node.operand))

    # -- numbers and dates
    def lower_Negate(self, node: t.Negate) -> exp.Expression:
        return exp.Neg(this=_paren(self.lower(node.operand)))

    _ARITH = {"+": "Add", "-": "Sub", "*": "Mul"}

    def lower_Arith(self, node: t.Arith) -> exp.Expression:
        lt, rt = node.left.type, node.right.type
        if lt == rt == "number":
            left, right = _paren(self.lower(node.left)), _paren(self.lower(node.right))
            if node.op == "/" and _may_poison(node.right):
                # x / inf would be a known 0: an infinite divisor becomes NaN (x % inf is x
                # for finite x and NaN for inf), so the quotient stays non-finite (unknown)
                right = exp.Paren(this=exp.Mod(this=right, expression=exp.cast(exp.Literal.string("inf"),
                                                                                exp.DataType.Type.DOUBLE)))
            if node.op == "/":
                return exp.Paren(this=exp.Div(this=left, expression=right, typed=False, safe=False))
            return exp.Paren(this=getattr(exp, self._ARITH[node.op])(this=left, expression=right))
        if lt == rt == "date":
            return self._days(self.lower(node.right), self.lower(node.left))
        if lt == "date":
            return self._shift(node.left, node.right, -1 if node.op == "-" else 1)
        return self._shift(node.right, node.left, 1)

    def _days(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """Calendar days from ``a`` to ``b`` (b - a) as DOUBLE."""
        return exp.cast(exp.DateDiff(this=b, expression=a, unit=exp.var("DAY")), exp.DataType.Type.DOUBLE)

    def _shift(self, day: t.Expr, offset: t.Expr, sign: int) -> exp.Expression:
        """``day + sign * offset`` days: unknown unless the offset is whole and the result
        lies in 1900-2999."""
        first, last = _date_literal(_FIRST_DATE), _date_literal(_LAST_DATE)
        def inside(moved):
            between = exp.Between(this=_paren(moved.copy()), low=first, high=last)
            return exp.Case(ifs=[exp.If(this=between, true=moved.copy())])

        if isinstance(offset, t.Literal):  # decided here: a literal offset is whole or not
            steps = offset.value * sign
            if steps != math.floor(steps) or abs(steps) > _SPAN:
                return _null(exp.DataType.Type.DATE)
            return self.let([exp.Add(this=_paren(self.lower(day)), expression=exp.Literal.number(int(steps)))], inside)

        def whole_days(k):
            # the cast runs only on whole offsets within the span (a CASE branch)
            whole = exp.and_(exp.EQ(this=k.copy(), expression=exp.Floor(this=k.copy())),
                             exp.LTE(this=exp.Abs(this=k.copy()), expression=exp.Literal.number(_SPAN)), copy=False)
            days = exp.cast(k.copy(), exp.DataType.Type.INT)
            return exp.Case(ifs=[exp.If(this=whole, true=exp.Neg(this=days) if sign < 0 else days)])

        # one value per lambda, and lambdas only inside the values bound (never a subquery
        # in a lambda's body, which DuckDB refuses)
        steps = self.let([self.lower(offset)], whole_days)
        return self.let([exp.Add(this=_paren(self.lower(day)), expression=_paren(steps))], inside)

    def lower_Contains(self, node: t.Contains) -> exp.Expression:
        position = exp.StrPosition(this=self.lower(node.text), substr=exp.Literal.string(node.needle))
        return exp.Paren(this=exp.GT(this=position, expression=exp.Literal.number(0)))

    def lower_Matches(self, node: t.Matches) -> exp.Expression:
        return exp.Paren(this=exp.RegexpLike(this=self.lower(node.text), expression=exp.Literal.string(node.re2)))

    # -- functions
    def lower_Call(self, node: t.Call) -> exp.Expression:
        return getattr(self, "call_" + node.name)(*node.args)

    def _blank(self, arg: t.Expr) -> exp.Expression:
        value = self.lower(arg)
        if arg.type == "number" and _may_poison(arg):
            return exp.Not(this=exp.Coalesce(this=_finite(value), expressions=[exp.false()]))
        return exp.Is(this=_paren(value), expression=exp.null())

    def _present(self, arg: t.Expr) -> exp.Expression:
        value = self.lower(arg)
        if arg.type == "number" and _may_poison(arg):
            return exp.Coalesce(this=_finite(value), expressions=[exp.false()])
        return exp.Not(this=exp.Is(this=_paren(value), expression=exp.null()))

    def call_blank(self, arg: t.Expr) -> exp.Expression:
        return exp.Paren(this=self._blank(arg))

    def call_present(self, arg: t.Expr) -> exp.Expression:
        return exp.Paren(this=self._present(arg))

    def call_size(self, arg: t.Expr) -> exp.Expression:
        return exp.cast(exp.BitwiseCount(this=self.lower(arg)), exp.DataType.Type.DOUBLE)

    def call_length(self, arg: t.Expr) -> exp.Expression:
        return exp.cast(exp.Length(this=self.lower(arg)), exp.DataType.Type.DOUBLE)

    def call_days(self, a: t.Expr, b: t.Expr) -> exp.Expression:
        return self._days(self.lower(a), self.lower(b))

    def call_year(self, d: t.Expr) -> exp.Expression:
        return exp.cast(exp.Year(this=self.lower(d)), exp.DataType.Type.DOUBLE)

    def call_month(self, d: t.Expr) -> exp.Expression:
        return exp.cast(exp.Month(this=self.lower(d)), exp.DataType.Type.DOUBLE)

    def _calendar(self, alias: str) -> exp.Expression:
        return exp.alias_(exp.to_table(self.env.calendar), alias, table=True)

    def _count_through(self, day: t.Expr) -> exp.Expression:
        """n(day): working days up to and including ``day`` (NULL outside the calendar)."""
        alias = self.fresh("_c")
        query = (exp.select(exp.Max(this=exp.column("n", table=alias)), copy=False)
                 .from_(self._calendar(alias), copy=False)
                 .where(exp.EQ(this=exp.column("day", table=alias), expression=self.lower(day)), copy=False))
        return exp.Subquery(this=query)

    def call_workdays(self, a: t.Expr, b: t.Expr) -> exp.Expression:
        """n(b) - n(a), 0 when b <= a, unknown when either day is outside the calendar."""
        diff = exp.Sub(this=self._count_through(b), expression=self._count_through(a))

        def clamped(v):
            return exp.Case(ifs=[exp.If(this=exp.GT(this=v.copy(), expression=exp.Literal.number(0)), true=v.copy()),
                                 exp.If(this=exp.LTE(this=v.copy(), expression=exp.Literal.number(0)),
                                        true=exp.Literal.number(0))])
        return exp.cast(self.let([diff], clamped), exp.DataType.Type.DOUBLE)

    def call_add_workdays(self, d: t.Expr, k: t.Expr) -> exp.Expression:
        """The working day whose running count is n(d) + k (d itself when k is 0), unknown
        when k is not whole in 0..MAX_WORKDAYS_ARGUMENT or the day lies beyond the calendar.

        ``d`` and ``k`` are computed once, in a one-row derived table the calendar joins
        on (equality joins only: a range predicate would join the calendar with itself)."""
        bound, start, found = self.fresh("_a"), self.fresh("_cs"), self.fresh("_cd")
        d0, k0 = exp.column("d", table=bound), exp.column("k", table=bound)
        if isinstance(k, t.Literal):  # the checker made it whole in 0..MAX_WORKDAYS_ARGUMENT
            steps = exp.Literal.number(int(k.value))
        else:
            ok = exp.and_(exp.EQ(this=k0.copy(), expression=exp.Floor(this=k0.copy())),
                          exp.GTE(this=k0.copy(), expression=exp.Literal.number(0)),
                          exp.LTE(this=k0.copy(), expression=exp.Literal.number(MAX_WORKDAYS_ARGUMENT)), copy=False)
            steps = exp.Case(ifs=[exp.If(this=ok, true=exp.cast(k0.copy(), exp.DataType.Type.BIGINT))])
        s_day, s_n = exp.column("day", table=start), exp.column("n", table=start)
        c_day, c_n = exp.column("day", table=found), exp.column("n", table=found)
        # the days whose count is n(d) + k: k = 0 when they share d's count (then d), else
        # the one working day among them
        value = exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.Max(this=c_n.copy()), expression=exp.Max(this=s_n.copy())),
                                     true=exp.Max(this=s_day.copy()))],
                         default=exp.Min(this=exp.Case(ifs=[exp.If(this=exp.column("workday", table=found),
                                                                   true=c_day.copy())])))
        values = exp.select(exp.alias_(self.lower(d), "d"), exp.alias_(self.lower(k), "k"), copy=False)
        query = (exp.select(value, copy=False)
                 .from_(exp.alias_(exp.Subquery(this=values), bound, table=True), copy=False)
                 .join(self._calendar(start), on=exp.EQ(this=s_day, expression=d0), copy=False)
                 .join(self._calendar(found), on=exp.EQ(this=c_n, expression=exp.Add(this=s_n.copy(), expression=_paren(steps))),
                       copy=False))
        return exp.Subquery(this=query)


def _constant_day(value) -> dt.date | None:
    """``as_of`` / ``period_*`` as a date (a datetime counts as its local date), None when
    blank or outside 1900-2999 (as numpy's lowering reads them)."""
    if value is None:
        return None
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dt.datetime):
        value = value.date()
    elif not isinstance(value, dt.date):
        import pandas as pd

        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return None
        value = stamp.date()
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return dt.date(value.year, value.month, value.day)
