"""The warning that a ledger's dates mostly fall outside the plan period (a rulebook of
another year?): counted as a person would count the dates, one by one, on the calendar day."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from disclosure_rules.sanity import MIN_DATES, OUTSIDE_SHARE, ledger_period_warnings

START, END = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
# the days around both ends of the period, at midnight and late in the day, and blanks
MOMENTS = [None] + [dt.datetime.combine(day, time) for day in
                    (dt.date(2020, 12, 31), START, dt.date(2021, 6, 1), END, dt.date(2022, 1, 1), dt.date(1999, 1, 1))
                    for time in (dt.time(0, 0), dt.time(23, 59, 59))]


def _book(fields):
    return SimpleNamespace(rulebook=SimpleNamespace(period=SimpleNamespace(start=START, end=END)),
                           datasets={"documents": SimpleNamespace(title="公文台账", fields={
                               f: SimpleNamespace(type="date") for f in fields})})


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(st.lists(st.sampled_from(MOMENTS), min_size=0, max_size=40), min_size=1, max_size=3),
       unit=st.sampled_from(["s", "ms", "ns", "text"]))
def test_the_share_outside_the_period_is_that_of_the_calendar_days(columns, unit):
    """Dates at midnight or late on the days just before, on and just after both ends of the
    period, and blanks, in columns of any datetime unit or as text: the warning is given when,
    and says the share that, counting each date's calendar day one by one, falls outside."""
    n = max(map(len, columns))
    frame = pd.DataFrame({f"d{i}": pd.Series(c + [None] * (n - len(c)), dtype=object) for i, c in enumerate(columns)})
    for name in frame.columns:
        if unit == "text":
            frame[name] = frame[name].map(lambda v: None if v is None else v.strftime("%Y-%m-%d %H:%M:%S"))
        else:
            frame[name] = frame[name].astype(f"datetime64[{unit}]")
    days = [v.date() for c in columns for v in c if v is not None]
    outside = sum(not (START <= d <= END) for d in days)
    warned = ledger_period_warnings(_book(frame.columns), {"documents": SimpleNamespace(frame=frame)})
    if len(days) >= MIN_DATES and outside / len(days) >= OUTSIDE_SHARE:
        assert len(warned) == 1 and warned[0].startswith(f"{round(100 * outside / len(days))}% of the dates in documents")
    else:
        assert warned == []


def test_no_warning_without_a_plan_period():
    book = _book(["d"])
    book.rulebook.period = None
    frame = pd.DataFrame({"d": np.array(["1999-01-01"] * 20, dtype="datetime64[s]")})
    assert ledger_period_warnings(book, {"documents": SimpleNamespace(frame=frame)}) == []
