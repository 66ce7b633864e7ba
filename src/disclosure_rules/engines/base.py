"""What every SQL engine shares: the rule's relation, the calendar relation, verdicts.

An engine subclass says how to register an Arrow table as a relation, how to drop it and how
to run a query (SQLGlot, rendered in its dialect) into an Arrow table. The rule kinds lower
their verdicts (:mod:`..kinds.sql`); the verdict comes back as the columns the pandas path
gives, so that waivers, scoring, findings and divisions are shared and the results identical.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod

import numpy as np
import pandas as pd

from ..kinds.sql import DIV, POS, ROW, CalendarLists, SqlView, identity_column

#: the audit's relations are named apart from a caller's own tables (a DuckDB connection or a
#: Spark session the caller passes may hold a "calendar" of its own)
PREFIX = "__disclosure_rules_"
CALENDAR = f"{PREFIX}calendar"
CALENDAR_LISTS = f"{PREFIX}calendar_lists"


def typed_arrow(frame: pd.DataFrame, fields: dict):
    """A typed frame as an Arrow table in the conventions of :mod:`..kinds.sql`."""
    import pyarrow as pa

    names = list(frame.columns)
    return pa.table([arrow_column(frame[name], fields.get(name)) for name in names], names=names) \
        if names else pa.table({})


def arrow_column(series: pd.Series, spec, large_text: bool = False):
    """One typed column as Arrow: dates as date32, categories as their code (or unknown
    label) text, sets as int64 bit masks, text without a copy where pandas keeps it in Arrow
    (``large_text``: as pandas keeps it, large_string; else cast to string, which copies it)."""
    import pyarrow as pa

    ftype = spec.type if spec is not None else None
    blank = series.isna().to_numpy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = pa.array([str(c) for c in series.cat.categories], type=pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()), labels) \
            .cast(pa.string())
    if ftype == "date" or series.dtype.kind == "M":
        values = series.to_numpy(dtype="datetime64[s]")
        return pa.array(values.astype("datetime64[D]"), mask=np.isnat(values), type=pa.date32())
    if ftype == "string" or isinstance(series.dtype, pd.StringDtype):
        if getattr(series.dtype, "storage", None) == "pyarrow":
            if hasattr(series.array, "_pa_array"):
                text = pa.chunked_array(series.array._pa_array)
                return text if large_text and text.type == pa.large_string() else text.cast(pa.string())
            return pa.array(series.array, type=pa.string())
        return pa.array(series.astype(object).where(~blank, None).to_numpy(dtype=object), type=pa.string())
    if ftype == "boolean":
        return pa.array(series.to_numpy(dtype=bool, na_value=False), mask=blank, type=pa.bool_())
    if ftype in ("integer", "set"):
        return pa.array(series.to_numpy(dtype=np.int64, na_value=0), mask=blank, type=pa.int64())
    return pa.array(series.to_numpy(dtype="float64", na_value=np.nan), mask=blank, type=pa.float64())


class SqlEngine(ABC):
    """One audit's SQL database: relations in, verdicts out."""

    name: str
    dialect: str
    #: whether where/expect are lowered to SQL (else computed in numpy and passed as columns)
    lower_expressions: bool = True
    #: whether the engine reads Arrow's large_string (pandas' own text, passed without a copy)
    large_text: bool = False
    #: whether calendar lookups index lists (:class:`..kinds.sql.CalendarLists`: lists indexed
    #: from 1, NULL past either end) rather than query the calendar relation
    calendar_lists: bool = False

    def __init__(self):
        self._calendar_span: tuple | None = None
        self._lists: CalendarLists | None = None
        self._relations = 0
        # (dataset, column) -> its Arrow column, for the rules of one dataset in a row (a
        # rulebook lists each dataset's rules together): a dataset's are let go at the first
        # rule of another, so that they do not add to the peak of the rules after theirs
        self._columns: dict = {}
        self._columns_of: str | None = None

    @abstractmethod
    def register(self, name: str, table) -> None:
        """Make the Arrow ``table`` the relation ``name``."""

    @abstractmethod
    def unregister(self, name: str) -> None:
        """Drop the relation ``name``."""

    @abstractmethod
    def run(self, sql: str):
        """The rows of ``sql`` as an Arrow table."""

    def close(self) -> None:
        """Release what the engine holds (the caller's session stays open)."""

    def _drop_calendar(self) -> None:
        if self._calendar_span is not None:
            self.unregister(CALENDAR)
            if self._lists is not None:
                self.unregister(CALENDAR_LISTS)
                self._lists = None
            self._calendar_span = None

    # ------------------------------------------------------------------ relations

    def _relation(self, view, bridged: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
        """The rule's rows as a relation: typed columns, positions, rows, divisions, the
        identities its kind compares, and expression columns computed elsewhere. A dataset's
        own columns are converted to Arrow once per audit."""
        import pyarrow as pa

        from ..verdict import identities

        rule = view.rule
        joined = set(rule.join.fields) if rule.join is not None else set()

        if self._columns_of != rule.dataset:
            self._columns.clear()
            self._columns_of = rule.dataset

        def cached(key, make):
            if key not in self._columns:
                self._columns[key] = make()
            return self._columns[key]

        names, columns = [], []
        for name in view.frame.columns:
            make = lambda name=name: arrow_column(view.frame[name], view.fields.get(name),  # noqa: E731
                                                  self.large_text)
            columns.append(make() if name in joined else cached((rule.dataset, name), make))
            names.append(name)
        n = view.n
        rows = view.rows if view.rows is not None else np.arange(n, dtype=np.int64) + 2
        extra = {POS: lambda: pa.array(np.arange(n, dtype=np.int64)),
                 ROW: lambda: pa.array(np.asarray(rows, dtype=np.int64))}
        if view.division is not None:
            extra[DIV] = lambda: pa.array(np.asarray(view.division, dtype=np.int32))
        per = getattr(rule, "per", None)
        if per is not None and per in view.frame.columns:
            extra[identity_column(per)] = lambda: pa.array(identities(view.frame[per], view.fields[per]),
                                                           type=pa.string())
        for name, make in extra.items():
            columns.append(make() if name.startswith("__id_") and per in joined else cached((rule.dataset, name), make))
            names.append(name)
        for key, (true, unknown) in bridged.items():
            columns.append(pa.array(true, mask=unknown, type=pa.bool_()))
            names.append(f"__x_{key}")
        self._relations += 1
        name = f"{PREFIX}rule_rows_{self._relations}"
        self.register(name, pa.table(columns, names=names))
        return name

    def _calendar(self, view) -> str:
        """The calendar relation over the days the rule can ask about (grown as needed)."""
        import pyarrow as pa

        calendar = view.calendar
        rule = view.rule
        names = [f for f in dict.fromkeys(getattr(rule, "fields_used", [])) if f in view.frame.columns
                 and view.fields.get(f) is not None and view.fields[f].type == "date"]
        days = [np.datetime64(view.as_of.date(), "D")]
        for name in names:
            values = view.frame[name].to_numpy(dtype="datetime64[s]")
            values = values[~np.isnat(values)]
            if len(values):
                days += [values.min().astype("datetime64[D]"), values.max().astype("datetime64[D]")]
        low, high = min(days), max(days)
        calendar.count_through(pd.Series([low, high]).astype("datetime64[s]"))
        limit = getattr(rule, "limit", None)
        if limit is not None and limit.working_days is not None:
            most = limit.working_days + (rule.extension.working_days if rule.extension is not None else 0)
            calendar.add_workdays(pd.Series([high]).astype("datetime64[s]"), np.array([most]))
        years = calendar.years
        span = (years.start, years.stop)
        if span != self._calendar_span:  # the relation is the calendar's whole table, as it now stands
            first = dt.date(years.start, 1, 1)
            relation = calendar.relation(first, dt.date(years.stop - 1, 12, 31))
            self._drop_calendar()
            self.register(CALENDAR, pa.Table.from_pandas(relation[["day", "n"]], preserve_index=False))
            self._calendar_span = span
            if self.calendar_lists:
                self._lists = self._register_lists(first, relation["n"].to_numpy(dtype=np.int64))
        return CALENDAR

    def _register_lists(self, first: dt.date, n: np.ndarray) -> CalendarLists | None:
        """The calendar's lists (:class:`..kinds.sql.CalendarLists`) as a relation: ``n`` of
        each day from ``first`` on, and the first day of each running count."""
        import pyarrow as pa

        starts = np.flatnonzero(np.r_[True, n[1:] != n[:-1]])  # where each count is first reached
        if len(n) == 0 or not (np.diff(n[starts]) == 1).all():
            return None  # a count skipped or going back (never, for a running count): subqueries
        day = (np.datetime64(first, "D") + starts).astype("datetime64[D]")
        lists = pa.table({"counts": pa.ListArray.from_arrays(pa.array([0, len(n)], pa.int32()), pa.array(n)),
                          "days": pa.ListArray.from_arrays(pa.array([0, len(starts)], pa.int32()),
                                                           pa.array(day, type=pa.date32()))})
        self.register(CALENDAR_LISTS, lists)
        return CalendarLists(CALENDAR_LISTS, first, int(n[0]))

    # ------------------------------------------------------------------ verdicts

    def verdict(self, kind, view):
        """The kind's verdict on the view's rows, computed by the engine."""
        from ..expressions import SqlEnv, lower_sql
        from ..kinds.sql import DATA, col

        # expressions lower to SQL, except those asking the working-day calendar: the numpy
        # lowering grows the audit's calendar by the days it asks about (and so names the same
        # fallback years in the warnings); those are computed in numpy and passed as columns
        in_sql = {key: c for key, c in view.expressions.items() if self.lower_expressions and not c.uses_calendar}
        bridged = {key: c.mask(view.ctx) for key, c in view.expressions.items() if key not in in_sql}
        relation = self._relation(view, bridged)
        try:
            calendar = self._calendar(view) if kind.name == "deadline" else CALENDAR
            constants = {name: (None if value is None or pd.isna(value) else pd.Timestamp(value).date())
                         for name, value in view.ctx.constants.items()}
            env = SqlEnv(column=lambda name: col(name, DATA), constants=constants, calendar=calendar)
            expressions = {key: lower_sql(c.tree, env) for key, c in in_sql.items()}
            expressions.update({key: col(f"__x_{key}", DATA) for key in bridged})
            sql_view = SqlView(view.rule, relation, view.fields, expressions,
                               view.as_of.date(), calendar=calendar, has_division=view.division is not None,
                               department_field=view.department_field, division_values=view.division_values,
                               previous=view.previous, work_calendar=view.calendar,
                               calendar_lists=self._lists if kind.name == "deadline" else None)
            verdict = kind.lower(sql_view)
            return verdict.verdict(lambda query, types: self.fetch(query, types, ordered=not verdict.grouped))
        finally:
            self.unregister(relation)

    def fetch(self, query, types: dict[str, str], ordered: bool = False) -> dict[str, np.ndarray]:
        """Run ``query``; its columns as numpy arrays of ``types``. ``ordered``: the query gives
        one row per ledger row with its ``__pos``, and the arrays are in ``__pos`` order (placed
        by position in numpy, not sorted by the engine)."""
        table = self.run(query.sql(dialect=self.dialect))
        out = {name: _numpy(table.column(name), kind) for name, kind in types.items()}
        if ordered and table.num_rows:
            pos = table.column(POS).to_numpy()
            if not (pos[:-1] < pos[1:]).all():
                order = np.empty(len(pos), dtype=np.int64)
                order[pos] = np.arange(len(pos))
                out = {name: values[order] for name, values in out.items()}
        return out


def _numpy(column, kind: str) -> np.ndarray:
    """An Arrow column as the numpy array the pandas path's verdict holds."""
    import pyarrow.compute as pc

    if kind == "bool":
        if column.null_count:
            raise AssertionError("a verdict mask came back with blanks")
        return column.to_numpy(zero_copy_only=False).astype(bool)
    if kind in ("int", "int8"):
        return column.to_numpy(zero_copy_only=False).astype(np.int8 if kind == "int8" else np.int64)
    if kind == "float":
        return pc.cast(column, "double").to_numpy(zero_copy_only=False).astype(np.float64)
    if kind == "date":
        days = column.to_numpy(zero_copy_only=False)
        return np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]")
    # text by its distinct values: one Python string per value, shared by its rows (a status or
    # light column holds a handful), as the kinds' own arrays hold them
    encoded = pc.dictionary_encode(column).combine_chunks() if len(column) else None
    if encoded is None:
        return np.empty(0, dtype=object)
    values = np.array(encoded.dictionary.to_pylist() + [None], dtype=object)
    codes = pc.fill_null(encoded.indices, len(values) - 1).to_numpy(zero_copy_only=False)
    return values[codes]
