"""The SQL lowering (``disclosure_rules.expressions.sql``): the typed tree as one SQLGlot
expression that DuckDB runs with exactly numpy's semantics and Spark SQL can read.

* on random typed ledgers (every field type, blanks, unknown labels, dates around holidays
  and across years, odd text: combining characters, ``%``, ``_``, regex metacharacters) and
  random well-typed expressions, DuckDB gives the (true, unknown) masks of
  ``lower_numpy`` for conditions and its values for numbers, dates and text, with the
  checks that need a value twice written inline and (forced) bound by lambdas;
* each node type and each edge case of DESIGN §4 on its own: ``x / 0``, overflow, dates
  computed outside 1900-2999, ``add_workdays`` with a bad count, ``workdays`` backwards,
  LIKE wildcards, characters versus code points, code point order, Kleene logic,
  blank/present, unknown category labels, set bits, RE2 patterns;
* the calendar relation gives what WorkCalendar.workdays / add_workdays give;
* every lowered expression renders as Spark SQL that parses back.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from disclosure_rules.calendar import WorkCalendar
from disclosure_rules.datasets import load_dataset
from disclosure_rules.expressions import Context, ExpressionError, SqlEnv, as_mask, check, lower_numpy, lower_sql
from disclosure_rules.expressions import sql as sql_module
from disclosure_rules.expressions import tree as t
from disclosure_rules.models import DatasetSpec
from test_expression_tree import EVERY_NODE, FIELDS, Grammar

FIRST, LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
#: one calendar over every year a date may have, shared by numpy and DuckDB
CALENDAR = WorkCalendar.build(FIRST, LAST)
TABLE = "t"
CONSTANTS = {"as_of": dt.date(2021, 10, 8), "period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 12, 31)}
SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
             "category": "VARCHAR", "set": "BIGINT"}


def env(constants=CONSTANTS) -> SqlEnv:
    return SqlEnv(column=lambda name: exp.column(name, table=TABLE, quoted=True), constants=constants)


@pytest.fixture(scope="module")
def con():
    """An in-memory DuckDB holding the calendar relation over 1900-2999."""
    connection = duckdb.connect()
    connection.register("calendar_frame", CALENDAR.relation(FIRST, LAST))
    create = exp.Create(this=exp.to_table("calendar"), kind="TABLE", expression=exp.select("*").from_("calendar_frame"))
    connection.execute(create.sql("duckdb"))
    yield connection
    connection.close()


def load(con, frame: pd.DataFrame, fields=FIELDS) -> None:
    """The typed frame as the typed table of the SQL conventions (sql.py's docstring)."""
    columns = {"_row": np.arange(len(frame), dtype=np.int64)}
    for name, spec in fields.items():
        series = frame[name]
        if spec.type == "category":
            series = series.astype(object).where(series.notna(), None)  # the code or the label as typed
        elif spec.type == "string":
            series = series.astype(object).where(series.notna(), None)
        columns[name] = series
    con.register("raw_frame", pd.DataFrame(columns))
    select = exp.select(exp.column("_row"), *[
        exp.alias_(exp.cast(exp.column(name, quoted=True), SQL_TYPES[spec.type]), name, quoted=True)
        for name, spec in fields.items()]).from_("raw_frame")
    con.execute(exp.Create(this=exp.to_table(TABLE), kind="TABLE", expression=select, replace=True).sql("duckdb"))


def run_sql(con, node: t.Expr, constants=CONSTANTS) -> list:
    """The lowered expression's value on each row, in row order (None = unknown)."""
    lowered = lower_sql(node, env(constants))
    query = exp.select(exp.alias_(lowered, "v")).from_(TABLE).order_by("_row")
    spark = query.sql("spark")
    sqlglot.parse_one(spark, read="spark")  # the Spark rendering is valid Spark SQL
    return [row[0] for row in con.execute(query.sql("duckdb")).fetchall()]


def run_numpy(frame: pd.DataFrame, node: t.Expr, constants=CONSTANTS) -> list:
    """numpy's value on each row (None = unknown), in the form DuckDB returns."""
    ctx = Context(frame, {k: (pd.Timestamp(v) if v else None) for k, v in constants.items()}, CALENDAR)
    value = lower_numpy(node)(ctx)
    n = len(frame)
    if node.type == "bool":
        true, unknown = as_mask(value, n)
        return [None if u else bool(v) for v, u in zip(true, unknown)]
    null = np.broadcast_to(np.asarray(value.null, dtype=bool), (n,))
    data = value.data
    if value.is_scalar():
        data = [data] * n
    elif isinstance(data, pd.Series):
        data = data.tolist()
    out = []
    for v, u in zip(data, null):
        if u:
            out.append(None)
        elif node.type == "date":
            out.append(pd.Timestamp(v).date())
        elif node.type == "number":
            out.append(float(v))
        else:
            out.append(str(v))
    return out


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x == y and type(x) is type(y) if not isinstance(x, float) else
                                    isinstance(y, float) and (x == y) for x, y in zip(a, b))


# --------------------------------------------------------------------------- the ledgers

ODD_TEXT = ["A-1", "A-3", "关于通知", "外资政策问答", "ABC-123", "abc def", "报告", "e\u0301", "\u00e9", "%", "_",
            "a%b", "a_b", "100%", ".*", "[x]", "(?", "\\d", "$5", "^", "a\nb", "👍🏽", "Ａ-１", "١٢٣", "z", "中",
            "x\ty", "'quoted'", "\"", "abc", "通知|问答", "A-12x"]
DATES = ([FIRST, LAST, dt.date(2999, 12, 20), dt.date(1900, 1, 2), dt.date(2026, 12, 31), dt.date(2027, 1, 4)]
         + [dt.date(2021, 9, 25) + dt.timedelta(days=i) for i in range(18)]
         + [dt.date(2020, 12, 28) + dt.timedelta(days=i) for i in range(9)]
         + [dt.date(2022, 1, 28) + dt.timedelta(days=i) for i in range(12)])

_CELLS = {
    "string": st.one_of(st.sampled_from([""] + ODD_TEXT),
                        st.text(alphabet="a_%.*$^\\é\u0301中文A-1 \n", min_size=1, max_size=5)),
    "date": st.one_of(st.sampled_from(DATES).map(str), st.sampled_from(["", "不详"])),
    "integer": st.sampled_from(["", "0", "1", "3", "-2", "12", "3650", "3651", "9007199254740991", "-5", "1.5"]),
    "number": st.sampled_from(["", "0", "1.5", "-2.25", "10", "1e300", "-1e300", "0.1", "5e-324", "1e15", "abc",
                               "3", "400000"]),
    "boolean": st.sampled_from(["", "是", "否"]),
    "category": st.sampled_from(["", "主动公开", "不予公开", "on_request", "待定", "active", "?"]),
    "set": st.sampled_from(["", "文字", "视频", "文字、图表", "朗读", "文字;朗读;动漫"]),
}


@st.composite
def ledgers(draw):
    """A small ledger over FIELDS, typed as an audit types it."""
    rows = draw(st.integers(1, 10))
    raw = pd.DataFrame({name: [draw(_CELLS[spec.type]) for _ in range(rows)] for name, spec in FIELDS.items()},
                       dtype=object)
    return load_dataset("t", DatasetSpec(fields=FIELDS), raw).frame


# --------------------------------------------------------------------------- the expressions

class WideGrammar(Grammar):
    """The tree test's grammar with the edges of SQL: huge and tiny numbers, division by
    zero, offsets leaving 1900-2999, odd text and patterns, years apart."""

    NUMBERS = ["0", "1", "3", "-3", "2.5", "0.5", "10", "1e15", "-1e15", "0.1", "400000", "(1e15 * 1e15)"]
    TEXTS = ["'%'", "'_'", "'a_b'", "''", "'e\u0301'", "'\u00e9'", "'.*'", "'通知'", "'A-1'", "'\\\\d'", "'$5'", "'z'"]
    PATTERNS = ["'^[A-Z]+-\\d+$'", "'通知|问答'", "'\\d'", "'^\\w+$'", "'^.{,2}$'", "'(?i)abc'", "'\\s'", "'%'",
                "'^\\D+$'", "'[^A-Z]'", "'\\u62a5'", "'a.b'", "'^e\u0301$'", "'\\.\\*'", "'_'", "'^.$'", "'b$'"]

    def day(self) -> str:
        return str(self.pick(DATES))

    def simple_date(self) -> str:
        return self.pick(["issued_on", "published_on", "as_of", "period_start", f"date('{self.day()}')"])

    def number(self, depth: int) -> str:
        if self.rng.random() < 0.25:
            return self.pick(self.NUMBERS + ["budget", "request_count", "(budget / 0)", "(budget * budget * 1e15)",
                                             "(0 / (budget - budget))", "length(title)", "size(forms)"])
        return super().number(depth)

    def date(self, depth: int) -> str:
        if depth and self.rng.random() < 0.3:
            d = depth - 1
            return self.pick([
                lambda: f"add_workdays({self.date(d)}, {self.number(d)})",
                lambda: f"({self.date(d)} {self.pick('+-')} {self.pick(['400000', '800000', '1.5', 'budget', 'request_count'])})",
            ])()
        return super().date(depth)

    def text(self) -> str:
        return self.pick(["doc_id", "title", self.pick(self.TEXTS)])

    def atom(self) -> str:
        p = self.pick
        if self.rng.random() < 0.3:
            return p([
                lambda: f"contains({p(['doc_id', 'title'])}, {p(self.TEXTS)})",
                lambda: f"matches({p(['doc_id', 'title'])}, {p(self.PATTERNS)})",
                lambda: f"{self.text()} {p(['<', '<=', '>', '>=', '==', '!='])} {self.text()}",
                lambda: f"length({self.text()}) {p(['==', '<', '>'])} {p(['0', '1', '2', '3'])}",
                lambda: f"{self.number(2)} {p(['in', 'not in'])} []",
                lambda: f"{p(['disclosure', 'doc_id', 'issued_on'])} {p(['in', 'not in'])} []",
                lambda: f"workdays({self.date(1)}, {self.date(1)}) {p(['<', '==', '>'])} {self.number(1)}",
                lambda: f"{p(['blank', 'present'])}({p([self.number(2), self.date(2)])})",
            ])()
        return super().atom()

    def value(self) -> tuple[str, str]:
        kind = self.pick(["number", "date", "string"])
        return ({"number": lambda: self.number(3), "date": lambda: self.date(3), "string": self.text}[kind](), kind)


def trees(seed: int, count: int = 8):
    """Random well-typed trees: conditions and values (a literal working-day count the
    checker refuses, as add_workdays(d, -3), is drawn again)."""
    grammar = WideGrammar(random.Random(seed))
    made = 0
    while made < 2 * count:
        source, kind = grammar.value() if made % 2 else (grammar.condition(2), "bool")
        try:
            yield check(source, FIELDS, want=kind)[1]
        except ExpressionError as error:
            assert "working days" in error.reason, error
            continue
        made += 1


@pytest.mark.parametrize("inline_limit", [sql_module.INLINE_LIMIT, 0])
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), frame=ledgers(),
       as_of=st.sampled_from([None, dt.date(2021, 10, 8), dt.date(2999, 12, 30)]))
def test_duckdb_agrees_with_numpy(con, inline_limit, seed, frame, as_of, monkeypatch):
    """On any typed ledger, every random well-typed expression gives on DuckDB exactly what
    numpy gives: the same true and unknown rows for a condition, the same values (and
    blanks) for a number, date or text; whether the checks repeat a value inline or bind
    it by a lambda (inline limit 0 binds every one)."""
    monkeypatch.setattr(sql_module, "INLINE_LIMIT", inline_limit)
    constants = dict(CONSTANTS, as_of=as_of)
    load(con, frame)
    for node in trees(seed):
        expected, got = run_numpy(frame, node, constants), run_sql(con, node, constants)
        assert same(got, expected), (node, got, expected)


# --------------------------------------------------------------------------- each node, each edge

def frame_of(columns: dict, fields=FIELDS) -> pd.DataFrame:
    """A typed ledger of raw cells (every FIELDS column blank unless given, but doc_id:
    a row blank in every column is no row)."""
    rows = max(len(v) for v in columns.values())
    columns = {"doc_id": [f"X-{i}" for i in range(rows)], **columns}
    raw = pd.DataFrame({name: columns.get(name, [""] * rows) for name in fields}, dtype=object)
    return load_dataset("t", DatasetSpec(fields=fields), raw).frame


def agree(con, frame, source: str, want: str = "bool", constants=CONSTANTS) -> list:
    node = check(source, FIELDS, want=want)[1]
    load(con, frame)
    expected, got = run_numpy(frame, node, constants), run_sql(con, node, constants)
    assert same(got, expected), (source, got, expected)
    return got


def test_every_node_type_lowers_and_agrees(con):
    """Every kind of node of the tree (the describe table of the tree tests) lowers to SQL
    that DuckDB runs with numpy's answers, on a ledger with blanks in every column."""
    frame = frame_of({"doc_id": ["A-1", "", "B-22"], "title": ["关于通知", "e\u0301%", ""],
                      "issued_on": ["2021-09-30", "2021-10-01", ""], "published_on": ["2021-10-08", "", "2021-10-11"],
                      "disclosure": ["主动公开", "待定", ""], "forms": ["文字、视频", "", "朗读"],
                      "request_count": ["3", "", "0"], "budget": ["2.5", "0", ""], "needs": ["是", "", "否"]})
    seen = set()
    for source in EVERY_NODE:
        node = check(source, FIELDS)[1]
        seen |= {type(n) for n in t.walk(node)}
        agree(con, frame, source)
    assert seen == {cls for cls in vars(t).values() if isinstance(cls, type) and issubclass(cls, t.Expr)
                    and cls not in (t.Expr, t.ListLiteral)}


def test_arithmetic_that_is_not_finite_is_unknown(con):
    """x / 0, 0 / 0, an overflow to infinity and everything computed from them are
    unknown, also through a divisor (x / inf is not a known 0) and in blank()."""
    frame = frame_of({"budget": ["0", "1e300", "-2", "1e300"], "request_count": ["1", "0", "0", "3"]})
    assert agree(con, frame, "budget / 0", "number") == [None, None, None, None]
    assert agree(con, frame, "request_count / budget", "number")[2:] == [0 / -2, 3 / 1e300]
    assert agree(con, frame, "1 / (budget * budget * 1e10) == 0") == [None, None, 1 / 4e10 == 0, None]
    assert agree(con, frame, "blank(budget * budget)") == [False, True, False, True]
    assert agree(con, frame, "present(budget / request_count)") == [True, False, False, True]
    assert agree(con, frame, "-(budget * budget) < 0") == [False, None, True, None]
    assert agree(con, frame, "budget * budget in [0, 4]") == [True, None, True, None]


def test_dates_computed_outside_1900_2999_or_by_a_fraction_are_unknown(con):
    """d + n is unknown unless n is whole and the result lies in 1900-2999; date - date
    and days() are calendar days."""
    frame = frame_of({"issued_on": ["1900-01-01", "2999-12-31", "2021-10-01"], "budget": ["1", "-1", "1.5"]})
    days = [dt.date(1900, 1, 2), dt.date(2999, 12, 30), None]
    assert agree(con, frame, "issued_on + budget", "date") == days
    assert agree(con, frame, "budget + issued_on", "date") == days
    assert agree(con, frame, "issued_on - budget", "date") == [None, None, None]
    assert agree(con, frame, "issued_on - 1", "date") == [None, dt.date(2999, 12, 30), dt.date(2021, 9, 30)]
    assert agree(con, frame, "issued_on + 1.5", "date") == [None, None, None]
    assert agree(con, frame, "issued_on - date('2021-01-01')", "number") == [
        float((d - dt.date(2021, 1, 1)).days) for d in (FIRST, LAST, dt.date(2021, 10, 1))]
    assert agree(con, frame, "days(issued_on, date('2021-10-08'))", "number")[2] == 7.0


def test_working_days_on_the_calendar_relation(con):
    """workdays(a, b) counts working days d with a < d <= b (0 when b <= a) and
    add_workdays(d, n) is the n-th working day after d, n whole in 0..3650 (else unknown),
    d itself for n = 0 (even on a holiday); both as WorkCalendar answers them."""
    starts = ["2021-09-30", "2021-10-01", "2021-10-09", "2021-10-08", "", "2021-10-02"]
    frame = frame_of({"issued_on": starts, "published_on": ["2021-10-08", "2021-09-30", "2021-10-09", "2022-02-10",
                                                            "2021-10-08", "2021-10-02"],
                      "request_count": ["1", "0", "3650", "3651", "1", "-5"], "budget": ["1", "1.5", "0", "2", "", "0"]})
    got = agree(con, frame, "workdays(issued_on, published_on)", "number")
    days = pd.to_datetime(frame["issued_on"]), pd.to_datetime(frame["published_on"])
    assert got == [None if pd.isna(v) else float(v) for v in CALENDAR.workdays(*days)]
    assert got[1] == 0.0 and got[5] == 0.0
    got = agree(con, frame, "add_workdays(issued_on, request_count)", "date")
    assert got[0] == dt.date(2021, 10, 8) and got[1] == dt.date(2021, 10, 1)
    assert got[3] is None and got[4] is None and got[5] is None
    assert agree(con, frame, "add_workdays(issued_on, budget)", "date")[1:3] == [None, dt.date(2021, 10, 9)]
    assert agree(con, frame, "add_workdays(add_workdays(issued_on, 1), 1) == add_workdays(issued_on, 2)")[0] is True


def test_contains_is_a_plain_substring_and_length_counts_characters(con):
    """contains() finds the needle as written (% and _ are no wildcards, '' is in every
    text), length() counts characters as Python's len does (a combining accent is one)."""
    texts = ["100%", "a_b", "axb", "e\u0301", "\u00e9", "%", ""]
    frame = frame_of({"title": texts})
    typed = [None if pd.isna(v) else v for v in frame["title"]]
    for needle in ["%", "_", "a_b", "\u0301", "", "\u00e9"]:
        got = agree(con, frame, f"contains(title, {needle!r})")
        assert got == [None if v is None else needle in v for v in typed]
    assert agree(con, frame, "length(title)", "number") == [None if v is None else float(len(v)) for v in typed]


def test_text_compares_in_code_point_order(con):
    """< and > on text follow code points (Python's order), not a locale's collation."""
    texts = ["a", "B", "é", "e\u0301", "中", "👍", "Z", "aa"]
    frame = frame_of({"title": texts, "doc_id": list(reversed(texts))})
    got = agree(con, frame, "title < doc_id")
    assert got == [a < b for a, b in zip(texts, reversed(texts))]


def test_regex_runs_re2_with_python_classes(con):
    """matches() searches anywhere with the pattern's RE2 form: \\d is any Unicode digit,
    '.' does not cross a line break, metacharacters escape as in Python."""
    texts = ["A-12", "١٢٣", "a\nb", "a.b", "通知公告", "x*y"]
    frame = frame_of({"title": texts})
    import re

    for pattern in ["\\d", "^\\d+$", "a.b", "\\.", "通知|问答", "x\\*y", "^[^A-Z]+$"]:
        got = agree(con, frame, f"matches(title, {pattern!r})")
        assert got == [re.search(pattern, v) is not None for v in texts]


def test_kleene_logic_and_blanks(con):
    """and/or/not follow Kleene logic on unknowns; blank()/present() are never unknown."""
    frame = frame_of({"needs": ["是", "否", ""] * 3, "budget": ["1"] * 3 + ["-1"] * 3 + [""] * 3})
    a = [True, False, None] * 3
    b = [True] * 3 + [False] * 3 + [None] * 3

    def kleene_and(x, y):
        return False if False in (x, y) else None if None in (x, y) else True

    def kleene_or(x, y):
        return True if True in (x, y) else None if None in (x, y) else False
    assert agree(con, frame, "needs and budget > 0") == [kleene_and(x, y) for x, y in zip(a, b)]
    assert agree(con, frame, "needs or budget > 0") == [kleene_or(x, y) for x, y in zip(a, b)]
    assert agree(con, frame, "not (needs or budget > 0)") == [None if v is None else not v for v in map(kleene_or, a, b)]
    assert agree(con, frame, "blank(needs) or present(budget)") == [x is None or y is not None for x, y in zip(a, b)]


def test_categories_and_sets(con):
    """A category compares its code (an unknown label equals no code, a blank is unknown);
    a set tests bits: has_any, has_all, size (members) and 'code' in set."""
    frame = frame_of({"disclosure": ["主动公开", "待定", "", "on_request"], "forms": ["文字、视频", "朗读", "", "图表"]})
    assert agree(con, frame, "disclosure == 'active'") == [True, False, None, False]
    assert agree(con, frame, "disclosure != '主动公开'") == [False, True, None, True]
    assert agree(con, frame, "disclosure not in ['active', 'on_request']") == [False, True, None, False]
    assert agree(con, frame, "has_any(forms, ['text', 'graphic'])") == [True, False, None, True]
    assert agree(con, frame, "has_all(forms, ['text', 'video'])") == [True, False, None, False]
    assert agree(con, frame, "'video' not in forms") == [False, True, None, True]
    assert agree(con, frame, "size(forms)", "number") == [2.0, 0.0, None, 1.0]


def test_constants_blank_or_out_of_range_are_unknown(con):
    """A blank as_of, or one outside 1900-2999, is unknown; a datetime counts as its date."""
    frame = frame_of({"issued_on": ["2021-10-08"]})
    for as_of in [None, dt.date(3000, 1, 1), dt.datetime(2021, 10, 8, 23, 59), pd.Timestamp("2021-10-08 10:00")]:
        got = agree(con, frame, "issued_on == as_of", constants=dict(CONSTANTS, as_of=as_of))
        assert got == [None if as_of is None or as_of.year == 3000 else True]


def test_the_sql_stays_linear_in_the_tree():
    """A deeply nested date computation renders to SQL whose size grows linearly, not
    exponentially, with its depth (checks bind large values once)."""
    sizes = []
    for depth in (8, 16):
        source = "issued_on" + " + request_count" * depth
        node = check(f"add_workdays({source}, request_count + 1) > as_of", FIELDS)[1]
        sizes.append(len(lower_sql(node, env()).sql("duckdb")))
    assert sizes[1] < 2.5 * sizes[0]


def test_every_rendering_is_spark_sql():
    """Every lowered expression of the describe table renders as Spark SQL that parses back,
    with Spark's functions: RLIKE, LOCATE, DATEDIFF, TRANSFORM (0-based) and backslashes escaped."""
    for source in EVERY_NODE + ["add_workdays(issued_on + request_count * 2 + budget, budget * 2) > as_of"]:
        node = check(source, FIELDS)[1]
        for limit in (sql_module.INLINE_LIMIT, 0):
            sql_module.INLINE_LIMIT, saved = limit, sql_module.INLINE_LIMIT
            try:
                spark = lower_sql(node, env()).sql("spark")
            finally:
                sql_module.INLINE_LIMIT = saved
            sqlglot.parse_one(spark, read="spark")
    spark = lower_sql(check("matches(doc_id, '^A-\\d+$') and contains(title, '%')", FIELDS)[1], env()).sql("spark")
    assert "RLIKE '^A-\\\\p{Nd}+$'" in spark and "LOCATE('%'" in spark


# --------------------------------------------------------------------------- the calendar relation

@settings(max_examples=60, deadline=None)
@given(a=st.dates(dt.date(2020, 1, 1), dt.date(2023, 12, 31)), b=st.dates(dt.date(2020, 1, 1), dt.date(2023, 12, 31)),
       k=st.integers(0, 400), extra=st.sampled_from([(), (dt.date(2021, 10, 11),)]))
def test_the_calendar_relation_answers_as_the_calendar(a, b, k, extra):
    """In the relation, max(n[b] - n[a], 0) is WorkCalendar.workdays(a, b), and the working
    day whose n is n[d] + k (d for k = 0) is add_workdays(d, k); workday flags are
    is_workday; the days run without a gap, whatever range the calendar had."""
    calendar = WorkCalendar.build(dt.date(2021, 1, 1), dt.date(2021, 12, 31), extra_holidays=extra)
    relation = calendar.relation(dt.date(2020, 1, 1), dt.date(2025, 12, 31))
    days = pd.Series(relation["day"].astype(object).tolist())
    assert days.iloc[0] == dt.date(2020, 1, 1) and days.iloc[-1] == dt.date(2025, 12, 31)
    assert len(days) == (dt.date(2025, 12, 31) - dt.date(2020, 1, 1)).days + 1
    index = {day: i for i, day in enumerate(days)}
    n = relation["n"].to_numpy()
    assert max(n[index[b]] - n[index[a]], 0) == calendar.workdays(a, b)
    target = n[index[a]] + k
    found = a if k == 0 else days[(n == target) & relation["workday"].to_numpy()].iloc[0]
    assert found == calendar.add_workdays(a, k).date()
    assert relation["workday"].iloc[index[b]] == calendar.is_workday(b)
