"""The rule kinds lowered to SQL: the view a kind lowers, the verdict query it returns, the steps.

A SQL engine (``engines/``) holds each dataset as a typed relation; a kind's ``lower(view)``
returns a :class:`SqlVerdict`, a query built with SQLGlot (never SQL text), so that one
lowering serves every dialect (DuckDB, Spark SQL). The query gives the same columns as the
kind's :class:`~.base.Verdict`: one output row per ledger row (``__pos`` order) for the
row-level kinds, one per group for ``count``.

The typed relation of a dataset (what a lowering may rely on):

* one column per field, by canonical name (quoted): string VARCHAR, integer BIGINT, number
  DOUBLE, boolean BOOLEAN, date DATE, category VARCHAR (the code, or an unknown label as
  typed), set BIGINT (bit i = the field's i-th code); NULL is blank;
* ``__pos`` (BIGINT): the row's position 0..n-1; ``__row`` (BIGINT): the spreadsheet row;
  ``__div`` (INTEGER): the row's division code 0..k-1 when the dataset has a division field;
* ``__id_<field>`` (VARCHAR) for the fields compared as identities (a count rule's ``per``):
  a category's code, otherwise the value's canonical text (``verdict.identities``).

The calendar relation (``calendar``): ``day`` DATE, ``n`` BIGINT, the working days up to and
including ``day`` (a running count) over every day the audit can ask about. An engine that
indexes lists (DuckDB) is also given the same calendar as two lists in a one-row relation
(:class:`CalendarLists`): a lookup is then an index into a list, not a subquery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlglot import exp

from ..expressions._lazy import Lazy

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas

POS, ROW, DIV = "__pos", "__row", "__div"
#: the alias of the rule's relation in every query
DATA = "t"
#: the last date a calendar-day deadline can fall on (as the pandas lowering clips it)
LAST_DATE = dt.date(9999, 12, 31)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def identity_column(field_name: str) -> str:
    return f"__id_{field_name}"


def lit(value) -> exp.Expression:
    """A literal: bool, int, float, str or date."""
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if value is None:
        return exp.null()
    if isinstance(value, (int, np.integer)):
        return exp.Literal.number(int(value))
    if isinstance(value, (float, np.floating)):
        return exp.Literal.number(repr(float(value)))
    return exp.Literal.string(str(value))


def true_or_false(condition: exp.Expression) -> exp.Expression:
    """A three-valued condition as two-valued: unknown is false."""
    return exp.Coalesce(this=exp.paren(condition), expressions=[exp.false()])


def case(*whens: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Case:
    out = exp.Case()
    for condition, value in whens:
        out = out.when(condition, value)
    return out.else_(default) if default is not None else out


def subquery_from(select: exp.Select, alias: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias)))


@dataclass(frozen=True)
class CalendarLists:
    """The calendar relation as two lists in the one-row relation ``relation``, for an engine
    whose lists are indexed from 1 and give NULL past either end (DuckDB): ``counts``, the
    ``n`` of each day from ``first`` on, and ``days``, the first day whose ``n`` is ``n_first``,
    ``n_first + 1``, ... (every count up to the last day's; the running count never skips one).

    A lookup is then one index, where a correlated subquery per lookup is decorrelated by
    DuckDB into a join over every row of the rule: on 1M requests the deadline query with
    lists takes 0.2 s and 0.1 GB beside 0.7 s and 0.9 GB (benchmarks/README)."""

    relation: str
    first: dt.date
    n_first: int

    def element(self, column: str, index: exp.Expression) -> exp.Expression:
        """``column[index]`` counted from 0; NULL where ``index`` is NULL or outside the list
        (a place below 1 is given as 0, which DuckDB answers with NULL rather than counting
        from the end)."""
        listed = exp.paren(exp.select(col(column)).from_(exp.to_table(self.relation, quoted=True)).subquery())
        place = exp.func("greatest", exp.Add(this=index, expression=lit(1)), lit(0))
        # a function call, not a bracket: SQLGlot moves a bracket's index by the dialect's offset
        return exp.Anonymous(this="list_extract", expressions=[listed, place])


@dataclass
class SqlView:
    """What a kind's ``lower`` works on: the rule, its typed relation and its expressions."""

    rule: Any
    table: str                    # the relation of the rule's rows (joined fields included)
    fields: dict                  # field name -> FieldSpec
    #: key ("where", "expect", "extension.when") -> the expression as a three-valued SQL boolean
    expressions: dict[str, exp.Expression]
    as_of: dt.date
    calendar: str = "calendar"
    has_division: bool = False
    department_field: str | None = None
    division_values: np.ndarray | None = None
    previous: dict | None = None
    #: the audit's working-day calendar (for constants such as a due-soon horizon)
    work_calendar: Any = None
    #: the calendar as lists, where the engine indexes lists (lookups then index them)
    calendar_lists: CalendarLists | None = None

    def column(self, name: str) -> exp.Column:
        return col(name)

    @property
    def selected(self) -> exp.Expression:
        """The rows ``where`` selects, two-valued."""
        where = self.expressions.get("where")
        return exp.true() if where is None else true_or_false(where)

    def source(self) -> exp.Table:
        """The rule's relation, as ``t``: the alias the lowered expressions qualify their
        columns with (so that no calendar column can capture a field in a lookup)."""
        return exp.to_table(self.table, quoted=True).as_(DATA)

    def rows(self, *columns: exp.Expression) -> exp.Select:
        """SELECT __pos, columns... FROM the rule's relation."""
        return exp.select(col(POS, DATA), *columns).from_(self.source())


@dataclass
class SqlVerdict:
    """A kind's verdict as a query: columns ``in_population``, ``violation``, ``pending`` (when
    the kind has pending items) and the detail columns, with their types in ``details``
    ("date", "int", "float", "text"). Row-level verdicts give ``__pos`` (every row, in
    order); grouped ones ``group`` (and ``division`` for a verdict by division)."""

    query: exp.Select
    details: dict[str, str] = field(default_factory=dict)
    has_pending: bool = False
    grouped: bool = False
    group_field: str | None = None
    by_division: "SqlVerdict | None" = None
    bounds: tuple | None = None
    facts: dict = field(default_factory=dict)
    #: a kind whose verdict needs more than one query (``count``) assembles it itself from
    #: ``fetch(query, types) -> {column: numpy array}``
    assemble: Callable[[Callable], Any] | None = None

    def verdict(self, fetch: Callable[[exp.Select, dict], dict]):
        """The :class:`~.base.Verdict` of this query, fetched with ``fetch``."""
        from .base import Verdict

        if self.assemble is not None:
            return self.assemble(fetch)
        types = {"in_population": "bool", "violation": "bool", **self.details}
        if self.has_pending:
            types["pending"] = "bool"
        got = fetch(self.query, types)
        verdict = Verdict(got["in_population"], got["violation"], pending=got.get("pending"),
                          details={name: got[name] for name in self.details},
                          bounds=self.bounds, facts=dict(self.facts))
        if self.by_division is not None:
            verdict.by_division = self.by_division.verdict(fetch)
        return verdict


# ------------------------------------------------------------------ calendar steps

def count_through(view: SqlView, day: exp.Expression) -> exp.Expression:
    """Working days up to and including ``day`` (a lookup on the calendar relation)."""
    if view.calendar_lists is not None:
        return view.calendar_lists.element("counts", date_diff(lit(view.calendar_lists.first), day))
    lookup = exp.select(exp.func("max", col("n", "c"))) \
        .from_(exp.to_table(view.calendar, quoted=True).as_("c")) \
        .where(exp.EQ(this=col("day", "c"), expression=day))
    return exp.paren(lookup.subquery())


def nth_workday(view: SqlView, count: exp.Expression) -> exp.Expression:
    """The first day whose running count reaches ``count`` (a working day)."""
    if view.calendar_lists is not None:
        lists = view.calendar_lists
        return lists.element("days", exp.Sub(this=count, expression=lit(lists.n_first)))
    lookup = exp.select(exp.func("min", col("day", "c"))) \
        .from_(exp.to_table(view.calendar, quoted=True).as_("c")) \
        .where(exp.EQ(this=col("n", "c"), expression=count))
    return exp.paren(lookup.subquery())


def date_diff(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """Calendar days from a to b."""
    return exp.DateDiff(this=b, expression=a, unit=exp.var("DAY"))


class Clock:
    """Working-day or calendar-day arithmetic in SQL, as ``deadline._Clock`` in numpy."""

    def __init__(self, view: SqlView, working: bool):
        self.view, self.working = view, working

    def count(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """Days d with a < d <= b (NULL where either is NULL): working days are never
        negative; calendar days are b - a."""
        if self.working:
            return exp.func("greatest", exp.Sub(this=count_through(self.view, b),
                                                expression=count_through(self.view, a)), lit(0))
        return date_diff(a, b)

    def add(self, d: exp.Expression, n: exp.Expression, count_of_d: exp.Expression | None = None) -> exp.Expression:
        """The n-th day after d: the n-th working day (d itself for n = 0; NULL past the
        calendar), or d + n calendar days, no later than 9999-12-31. ``count_of_d``: d's
        running count as a column of the row (Spark decorrelates one level of subquery only)."""
        if self.working:
            counted = count_through(self.view, d) if count_of_d is None else count_of_d
            return case((exp.EQ(this=n, expression=lit(0)), d),
                        default=nth_workday(self.view, exp.Add(this=counted, expression=n)))
        room = date_diff(d, lit(LAST_DATE))
        return case((exp.GT(this=n, expression=room), lit(LAST_DATE)),
                    # n <= room here, so it fits an INT (Spark's date_add takes no BIGINT)
                    default=exp.cast(exp.DateAdd(this=d, expression=exp.cast(n, exp.DataType.build("int")),
                                                 unit=exp.var("DAY")),
                                     exp.DataType.build("date")))


# ------------------------------------------------------------------ the kinds' shared lowerings

def not_true(condition: exp.Expression) -> exp.Expression:
    """NOT (condition IS TRUE): false or unknown."""
    return exp.Not(this=true_or_false(condition))


def expect_violations(view: SqlView) -> SqlVerdict:
    """Rows of the population where ``expect`` is not true (false or unknown)."""
    selected = view.selected
    return SqlVerdict(view.rows(selected.as_("in_population"),
                                exp.and_(selected, not_true(view.expressions["expect"])).as_("violation")))


def any_blank(names) -> exp.Expression:
    return exp.or_(*[exp.Is(this=col(name), expression=exp.null()) for name in names])


def all_blank(names) -> exp.Expression:
    return exp.and_(*[exp.Is(this=col(name), expression=exp.null()) for name in names])


def window(function: exp.Expression, partition: list[exp.Expression], order: exp.Expression) -> exp.Window:
    return exp.Window(this=function, partition_by=partition,
                      order=exp.Order(expressions=[exp.Ordered(this=order)]))
