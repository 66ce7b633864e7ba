"""What every SQL engine shares: the rule's relation, the calendar relation, verdicts.

An engine subclass says how to register an Arrow table as a relation, how to drop it and how
to run a query (SQLGlot, rendered in its dialect) into an Arrow table. The rule kinds lower
their verdicts (:mod:`..kinds.sql`); the verdict comes back as the columns the pandas path
gives, so that waivers, scoring, findings and divisions are shared and the results identical.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd

from ..kinds.sql import DIV, POS, ROW, SqlView, identity_column


def typed_arrow(frame: pd.DataFrame, fields: dict):
    """A typed frame as an Arrow table in the conventions of :mod:`..kinds.sql`: dates as
    date32, categories as their code (or unknown label) text, sets as int64 bit masks."""
    import pyarrow as pa

    columns, names = [], []
    for name in frame.columns:
        series = frame[name]
        spec = fields.get(name)
        ftype = spec.type if spec is not None else None
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            labels = pa.array([str(c) for c in series.cat.categories], type=pa.string())
            array = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()), labels)
            array = array.cast(pa.string())
        elif ftype == "date" or series.dtype.kind == "M":
            values = series.to_numpy(dtype="datetime64[s]")
            days = values.astype("datetime64[D]")
            array = pa.array(days, mask=np.isnat(values), type=pa.date32())
        elif ftype == "string" or isinstance(series.dtype, pd.StringDtype):
            array = pa.array(series.astype(object).where(series.notna(), None).to_numpy(dtype=object),
                             type=pa.string())
        elif ftype == "boolean":
            array = pa.array(series.to_numpy(dtype=bool, na_value=False), mask=series.isna().to_numpy(),
                             type=pa.bool_())
        elif ftype in ("integer", "set"):
            array = pa.array(series.to_numpy(dtype=np.int64, na_value=0), mask=series.isna().to_numpy(),
                             type=pa.int64())
        else:
            array = pa.array(series.to_numpy(dtype="float64", na_value=np.nan), mask=series.isna().to_numpy(),
                             type=pa.float64())
        columns.append(array)
        names.append(name)
    return pa.table(columns, names=names) if columns else pa.table({})



class SqlEngine(ABC):
    """One audit's SQL database: relations in, verdicts out."""

    name: str
    dialect: str

    def __init__(self):
        self._calendar_span: tuple | None = None
        self._relations = 0

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

    # ------------------------------------------------------------------ relations

    def _relation(self, view, bridged: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
        """The rule's rows as a relation: typed columns, positions, rows, divisions, the
        identities its kind compares, and expression columns computed elsewhere."""
        import pyarrow as pa

        from ..verdict import identities

        table = typed_arrow(view.frame, view.fields)
        n = view.n
        table = table.append_column(POS, pa.array(np.arange(n, dtype=np.int64)))
        rows = view.rows if view.rows is not None else np.arange(n, dtype=np.int64) + 2
        table = table.append_column(ROW, pa.array(np.asarray(rows, dtype=np.int64)))
        if view.division is not None:
            table = table.append_column(DIV, pa.array(np.asarray(view.division, dtype=np.int32)))
        per = getattr(view.rule, "per", None)
        if per is not None and per in view.frame.columns:
            ids = identities(view.frame[per], view.fields[per])
            table = table.append_column(identity_column(per), pa.array(ids, type=pa.string()))
        for key, (true, unknown) in bridged.items():
            table = table.append_column(f"__x_{key}", pa.array(true, mask=unknown, type=pa.bool_()))
        self._relations += 1
        name = f"rule_rows_{self._relations}"
        self.register(name, table)
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
        span = (calendar._origin, len(calendar._count), int(calendar._count[0]) if len(calendar._count) else 0)
        if span != self._calendar_span:
            first = np.datetime64(int(calendar._origin), "D")
            day = first + np.arange(len(calendar._count)).astype("timedelta64[D]")
            if self._calendar_span is not None:
                self.unregister("calendar")
            self.register("calendar", pa.table({"day": pa.array(day, type=pa.date32()),
                                                "n": pa.array(calendar._count.astype(np.int64))}))
            self._calendar_span = span
        return "calendar"

    # ------------------------------------------------------------------ verdicts

    def verdict(self, kind, view):
        """The kind's verdict on the view's rows, computed by the engine."""
        from ..kinds.sql import col

        bridged = {key: compiled.mask(view.ctx) for key, compiled in view.expressions.items()}
        relation = self._relation(view, bridged)
        try:
            calendar = self._calendar(view) if kind.name == "deadline" else "calendar"
            sql_view = SqlView(view.rule, relation, view.fields,
                               {key: col(f"__x_{key}") for key in view.expressions},
                               view.as_of.date(), calendar=calendar, has_division=view.division is not None,
                               department_field=view.department_field, division_values=view.division_values,
                               previous=view.previous)
            lowered = kind.lower(sql_view)
            return lowered.verdict(lambda query, types: self.fetch(query, types, ordered=not lowered.grouped))
        finally:
            self.unregister(relation)

    def fetch(self, query, types: dict[str, str], ordered: bool = False) -> dict[str, np.ndarray]:
        """Run ``query``; its columns as numpy arrays of ``types`` (row order: ``__pos``)."""
        from sqlglot import exp

        from ..kinds.sql import col, subquery_from

        if ordered:
            query = exp.select(exp.Star()).from_(subquery_from(query, "q")).order_by(col(POS))
        table = self.run(query.sql(dialect=self.dialect))
        return {name: _numpy(table.column(name), kind) for name, kind in types.items()}


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
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
