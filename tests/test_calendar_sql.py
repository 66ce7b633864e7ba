"""The working-day calendar on every SQL engine: properties against a naive day-by-day loop.

On DuckDB and on Spark, over the calendar relation the engines build
(``WorkCalendar.relation``), for random start days, end days and counts around the holidays
with the most make-up workdays (the windows of ``test_calendar``):

* the deadline kind's lookups (``kinds.sql.Clock``): working days a < d <= b, and the n-th
  working day after a (a itself for n = 0), on DuckDB both as subqueries on the relation and
  as indexes into its lists (``kinds.sql.CalendarLists``, what an audit on DuckDB asks);
* the expression lowering's ``workdays(a, b)`` and ``add_workdays(a, n)``, on DuckDB (Spark
  refuses their subqueries inside a lambda and a lateral join; an audit on Spark computes
  those two functions in numpy and hands them over as columns, see ``engines/base.py``);

all equal the naive loop over ``chinese_calendar.is_workday``, and calendar-day
arithmetic equals Python's date arithmetic.
"""

from __future__ import annotations

import datetime as dt
import shutil
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from disclosure_rules.calendar import WorkCalendar
from disclosure_rules.expressions import SqlEnv, check, lower_sql
from disclosure_rules.kinds.sql import Clock, col, count_through, nth_workday
from disclosure_rules.models import DatasetSpec
from test_calendar import dates, naive_add_workdays, naive_workdays

_NO_JAVA = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (java is not on PATH)")
FIRST, LAST = dt.date(2019, 1, 1), dt.date(2027, 12, 31)
FIELDS = DatasetSpec.model_validate({"key": "k", "fields": {
    "k": {"type": "integer"}, "a": {"type": "date"}, "b": {"type": "date"}, "n": {"type": "integer"}}}).fields
TRIPLES = st.lists(st.tuples(dates(), dates(), st.integers(min_value=0, max_value=45)), min_size=1, max_size=25)


def _engine(name: str):
    if name.startswith("duckdb"):
        from disclosure_rules.engines.duckdb import DuckDBEngine

        return DuckDBEngine()
    from disclosure_rules.engines.spark import SparkEngine

    return SparkEngine()


@pytest.fixture(scope="module", params=["duckdb", "duckdb-lists", pytest.param("spark", marks=_NO_JAVA)])
def engine(request):
    """An engine holding the calendar relation over 2019-2027, as an audit registers it;
    "duckdb-lists": also as the lists DuckDB's deadline lookups index (``lists``)."""
    engine = _engine(request.param)
    relation = WorkCalendar.build(FIRST, LAST).relation(FIRST, LAST)
    engine.register("cal", pa.Table.from_pandas(relation, preserve_index=False))  # day, workday, n
    engine.lists = None
    if request.param == "duckdb-lists":
        engine.lists = engine._register_lists(FIRST, relation["n"].to_numpy(dtype=np.int64))
        assert engine.lists is not None
    yield engine
    engine.unregister("cal")
    engine.close()


def _ask(engine, triples) -> dict[str, list]:
    """Every calendar question of the kinds and of the expressions, on the engine, per row."""
    table = pa.table({"k": pa.array(np.arange(len(triples), dtype=np.int64)),
                      "a": pa.array([a for a, _, _ in triples], type=pa.date32()),
                      "b": pa.array([b for _, b, _ in triples], type=pa.date32()),
                      "n": pa.array([n for _, _, n in triples], type=pa.int64())})
    engine.register("pairs", table)
    try:
        view = SimpleNamespace(calendar="cal", calendar_lists=engine.lists)
        working, calendar_days = Clock(view, working=True), Clock(view, working=False)
        a, b, n = col("a", "t"), col("b", "t"), col("n", "t")
        env = SqlEnv(column=lambda name: col(name, "t"), constants={}, calendar="cal")
        asked = {
            "clock_count": working.count(a, b),
            "clock_add": working.add(a, n, count_of_d=col("count_a", "t")),  # as the deadline kind asks it
            "days_count": calendar_days.count(a, b),
            "days_add": calendar_days.add(a, n),
        }
        if engine.name == "duckdb" and engine.lists is None:  # Spark refuses these lowerings' subqueries in a lambda (see the docstring)
            asked["workdays"] = lower_sql(check("workdays(a, b)", FIELDS, want=None)[1], env)
            asked["add_workdays"] = lower_sql(check("add_workdays(a, n)", FIELDS, want=None)[1], env)
        # a's running count as a column first (Spark decorrelates one level of subquery only)
        counted = exp.select(exp.Star(), exp.alias_(count_through(view, col("a", "p")), "count_a")) \
            .from_(exp.to_table("pairs").as_("p"))
        query = exp.select(col("k", "t"), *[exp.alias_(e, name) for name, e in asked.items()]) \
            .from_(counted.subquery("t")).order_by(col("k", "t"))
        got = engine.run(query.sql(dialect=engine.dialect))
        return {name: got.column(name).to_pylist() for name in asked}
    finally:
        engine.unregister("pairs")


_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@settings(max_examples=30, **_SETTINGS)
@given(triples=TRIPLES)
def test_engine_calendar_matches_the_naive_loop(engine, triples):
    """Working days between two days and the n-th working day after a day, as the deadline
    kind and the expressions ask them on the engine, are the naive loop's answers; calendar
    days are date arithmetic."""
    got = _ask(engine, triples)
    counts = [naive_workdays(a, b) for a, b, _ in triples]
    due = [naive_add_workdays(a, n) for a, _, n in triples]
    assert [int(v) for v in got["clock_count"]] == counts
    assert got["clock_add"] == due
    if "workdays" in got:
        assert [float(v) for v in got["workdays"]] == [float(c) for c in counts]
        assert got["add_workdays"] == due
    assert [int(v) for v in got["days_count"]] == [(b - a).days for a, b, _ in triples]
    assert got["days_add"] == [a + dt.timedelta(days=n) for a, _, n in triples]


def test_duckdb_lists_answer_as_the_calendar_relation_outside_it_too():
    """DuckDB's deadline lookups index the calendar as lists (``CalendarLists``); they give
    what the subqueries on the relation give for every day and count, outside the calendar
    (unknown, never a day counted from a list's other end) and blank ones included."""
    engine = _engine("duckdb")
    relation = WorkCalendar.build(FIRST, LAST).relation(FIRST, LAST)
    engine.register("cal", pa.Table.from_pandas(relation, preserve_index=False))
    lists = engine._register_lists(FIRST, relation["n"].to_numpy(dtype=np.int64))
    try:
        days = [FIRST + dt.timedelta(days=i) for i in range(-40, 40)] + \
               [LAST + dt.timedelta(days=i) for i in range(-40, 40)] + [None, dt.date(1, 1, 1), dt.date(9999, 12, 31)]
        last = int(relation["n"].iloc[-1])
        counts = list(range(-40, 40)) + list(range(last - 40, last + 40)) + [None, -2 ** 40, 2 ** 40]
        table = pa.table({"k": pa.array(np.arange(max(len(days), len(counts)), dtype=np.int64)),
                          "d": pa.array(days + [None] * (len(counts) - len(days)), type=pa.date32()),
                          "c": pa.array(counts + [None] * (len(days) - len(counts)), type=pa.int64())})
        engine.register("asked", table)
        got = {}
        for name, view in (("relation", SimpleNamespace(calendar="cal", calendar_lists=None)),
                           ("lists", SimpleNamespace(calendar="cal", calendar_lists=lists))):
            query = exp.select(exp.alias_(count_through(view, col("d", "t")), "n"),
                               exp.alias_(nth_workday(view, col("c", "t")), "day")) \
                .from_(exp.to_table("asked").as_("t")).order_by(col("k", "t"))
            got[name] = engine.run(query.sql(dialect="duckdb")).to_pydict()
        assert got["lists"] == got["relation"]
        assert got["relation"]["n"][:40] == [None] * 40 and got["relation"]["day"][:40] == [None] * 40
        assert any(v is not None for v in got["lists"]["day"]) and any(v is not None for v in got["lists"]["n"])
    finally:
        engine.close()
