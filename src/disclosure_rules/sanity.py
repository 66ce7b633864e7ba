"""Sanity checks on dates: the as-of date against the plan period and today, ledgers against the period.

None of these stops an audit: each is a warning in the result (English in the JSON, Chinese in
the report and the terminal through ``words.warning_text``), because a date that looks wrong
may be meant (an audit run in January on last year's plan). They catch the usual slips: a
mistyped ``--as-of`` (2030-01-01), an as-of before the plan starts, and a 2022 rulebook run on
2021 ledgers.

``parse_as_of`` reads ``--as-of`` in every form a ledger cell may hold a date (DESIGN §11):
``2021-12-31``, ``2021/12/31``, ``2021.12.31``, ``2021年12月31日``, full-width digits, Chinese
numerals, an Excel serial number.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: an as-of date this many days after the period's end is "far after" it
FAR_AFTER_DAYS = 90
#: ledgers whose dates lie outside the period in at least this share warn (with enough dates)
OUTSIDE_SHARE, MIN_DATES = 0.5, 10


def parse_as_of(value) -> dt.date | None:
    """The date ``value`` names, read as a ledger date cell is read; None if it is not a date."""
    from .models import FieldSpec
    from .values import type_column

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    typed, issues = type_column("as_of", "as_of", FieldSpec(type="date"), pd.Series([text], dtype=object),
                                "as_of", np.array([1]))
    day = pd.Series(typed).iloc[0]
    if issues or pd.isna(day):
        return None
    return pd.Timestamp(day).date()


def as_of_warnings(book, as_of: dt.date, today: dt.date | None = None) -> list[str]:
    """Warnings for an as-of date far after the period, before it, or after today."""
    today = today or dt.date.today()
    out = []
    period = book.rulebook.period
    if period is not None:
        span = f"{period.start.isoformat()} to {period.end.isoformat()}"
        if (as_of - period.end).days > FAR_AFTER_DAYS:
            out.append(f"as_of {as_of.isoformat()} is after the plan period ({span}) by "
                       f"{(as_of - period.end).days} days: open items are judged overdue as of that day; "
                       "check --as-of")
        elif as_of < period.start:
            out.append(f"as_of {as_of.isoformat()} is before the plan period ({span}); check --as-of")
    if as_of > today:
        out.append(f"as_of {as_of.isoformat()} is after today ({today.isoformat()}): days that have not "
                   "come yet cannot make an item overdue; check --as-of")
    return out


def ledger_period_warnings(book, loaded: dict) -> list[str]:
    """A warning per ledger whose dates mostly fall outside the plan period (a rulebook of
    another year?). Counted over every date column, on columns, not rows."""
    period = book.rulebook.period
    if period is None:
        return []
    start, end = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
    out = []
    for name, ds in loaded.items():
        spec = book.datasets.get(name)
        if spec is None:
            continue
        total = outside = 0
        for field, fspec in spec.fields.items():
            if fspec.type != "date" or field not in ds.frame.columns:
                continue
            values = ds.frame[field].to_numpy()
            if values.dtype.kind != "M":
                values = pd.to_datetime(ds.frame[field], errors="coerce").to_numpy(dtype="datetime64[D]")
            # in the column's own unit, not converted to days: before the start, or from the
            # day after the end on (NaT compares false both ways)
            unit = np.datetime_data(values.dtype)[0]
            known = int(len(values) - np.isnat(values).sum())
            total += known
            if known:
                outside += int(np.count_nonzero(values < start.astype(f"datetime64[{unit}]"))
                               + np.count_nonzero(values >= (end + 1).astype(f"datetime64[{unit}]")))
        if total >= MIN_DATES and outside / total >= OUTSIDE_SHARE:
            out.append(f"{round(100 * outside / total)}% of the dates in {name} ({spec.title or name}) fall "
                       f"outside the plan period ({period.start.isoformat()} to {period.end.isoformat()}): "
                       "is the rulebook for the ledger's year?")
    return out
