"""The report's counts of deadline rows (the bars) and of lights, against plain pandas.

The report counts a million statuses by factorizing them and compares numbers in numpy; these
tests hold that to the straightforward pandas reading of the same rows (value_counts, nullable
numbers, Timestamps), on rows with blanks of every kind.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.report import _bucket_counts as _counts_of_details
from disclosure_rules.results import RowDetails
from disclosure_rules.verdict import Keys


def _bucket_counts(frame: pd.DataFrame, as_of) -> dict[str, int]:
    """The report's bars of rows held as an audit holds them (results.RowDetails), each
    column as the frame gives it to numpy."""
    n = len(frame)
    details = RowDetails(at=np.arange(n), details={c: frame[c].to_numpy() for c in frame.columns},
                         rows=np.arange(n) + 2, sheets=None, keys=Keys(None, None, n))
    return _counts_of_details(details, as_of)
from disclosure_rules.verdict import word_counts

STATUSES = ["on_time", "late", "overdue", "pending", "invalid", None]
AS_OF = dt.date(2021, 12, 31)


def reference_buckets(rows: pd.DataFrame, as_of) -> dict[str, int]:
    status = pd.Series(rows["status"].to_numpy(dtype=object), dtype=object).value_counts()
    statuses = rows["status"].to_numpy(dtype=object)
    late = pd.to_numeric(rows["late_workdays"][statuses == "late"], errors="coerce")
    deadline = pd.to_datetime(rows["deadline"][statuses == "pending"], errors="coerce")
    until_due = (deadline - pd.Timestamp(as_of)).dt.days
    return {
        "on_time": int(status.get("on_time", 0)),
        "late_1": int((late <= 1).sum()),
        "late_2_5": int(((late >= 2) & (late <= 5)).sum()),
        "late_6_10": int(((late >= 6) & (late <= 10)).sum()),
        "late_11": int((late > 10).sum()),
        "overdue": int(status.get("overdue", 0)),
        "pending_7": int((until_due <= 7).sum()),
        "pending_later": int((~(until_due <= 7)).sum()),
        "invalid": int(status.get("invalid", 0)),
    }


rows_strategy = st.lists(
    st.tuples(st.sampled_from(STATUSES),
              st.one_of(st.none(), st.integers(-3, 40).map(float), st.floats(0, 30, allow_nan=False)),
              st.one_of(st.none(), st.integers(-10, 15))),
    max_size=60)


def frame_of(rows: list[tuple], object_columns: bool) -> pd.DataFrame:
    statuses = np.array([r[0] for r in rows], dtype=object)
    late = [r[1] for r in rows]
    deadline = [None if r[2] is None else pd.Timestamp(AS_OF) + pd.Timedelta(days=r[2]) for r in rows]
    if object_columns:  # as a caller's own frame may hold them
        return pd.DataFrame({"status": pd.Series(statuses, dtype=object),
                             "late_workdays": pd.Series(late, dtype=object),
                             "deadline": pd.Series([None if d is None else d.date() for d in deadline],
                                                   dtype=object)})
    return pd.DataFrame({"status": pd.Series(statuses, dtype=object),
                         "late_workdays": pd.array(late, dtype="Float64"),
                         "deadline": pd.Series(deadline, dtype="datetime64[s]")})


@settings(max_examples=200, deadline=None)
@given(rows_strategy, st.booleans())
def test_the_bars_count_as_pandas_does(rows, object_columns):
    frame = frame_of(rows, object_columns)
    assert _bucket_counts(frame, AS_OF) == reference_buckets(frame, AS_OF)


def test_a_deadline_a_week_away_is_due_soon_and_eight_days_is_later():
    frame = frame_of([("pending", None, 7), ("pending", None, 8), ("pending", None, -2), ("pending", None, None),
                      ("late", 1.0, None), ("late", 1.5, None), ("late", 11.0, None), ("late", None, None)],
                     object_columns=False)
    counts = _bucket_counts(frame, AS_OF)
    assert (counts["pending_7"], counts["pending_later"]) == (2, 2)  # a blank deadline is not due soon
    assert (counts["late_1"], counts["late_2_5"], counts["late_11"]) == (1, 0, 1)  # 1.5 days is in no bar


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["red", "yellow", "green", "红", ""])), max_size=80))
def test_word_counts_are_value_counts_without_blanks(words):
    values = np.array(words, dtype=object)
    expected = pd.Series(values, dtype=object).value_counts()
    assert word_counts(values) == {k: int(v) for k, v in expected.items()}
