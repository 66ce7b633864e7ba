"""Working-day calendar: properties against a naive day-by-day loop, and worked examples.

The naive reference walks one day at a time with ``chinese_calendar.is_workday``, so it
is only valid inside the years the installed chinesecalendar covers; the strategies
keep every date (and every deadline) well inside 2020-2025.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.calendar import (
    MAX_WORKDAYS,
    NAT_COUNT,
    CalendarArgumentError,
    CalendarError,
    WorkCalendar,
    official_years,
)
from disclosure_rules.errors import DisclosureRulesError

D = dt.date
ONE_DAY = dt.timedelta(days=1)

# --------------------------------------------------------------------------- reference

# the loops below ask about the same days over and over; caching keeps them naive but fast
official_is_workday = lru_cache(maxsize=None)(chinese_calendar.is_workday)


def naive_workdays(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b (none when b <= a), one day at a time."""
    count, day = 0, a + ONE_DAY
    while day <= b:
        count += official_is_workday(day)
        day += ONE_DAY
    return count


def naive_add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after start, one day at a time."""
    day = start
    while n > 0:
        day += ONE_DAY
        n -= official_is_workday(day)
    return day


# --------------------------------------------------------------------------- strategies

# windows around the holidays with the most 调休 (make-up workdays)
WINDOWS = [
    (D(2021, 1, 20), D(2021, 3, 10)),  # Spring Festival 2021, make-up 02-07 and 02-20
    (D(2023, 1, 1), D(2023, 2, 15)),  # Spring Festival 2023, make-up 01-28 and 01-29
    (D(2024, 1, 25), D(2024, 3, 5)),  # Spring Festival 2024, make-up 02-04 and 02-18
    (D(2021, 9, 1), D(2021, 10, 31)),  # Mid-Autumn + National Day 2021, make-up 09-18/26, 10-09
    (D(2024, 4, 1), D(2024, 5, 20)),  # Qingming + Labour Day 2024, make-up 04-07/28, 05-11
    (D(2020, 12, 20), D(2025, 6, 30)),  # anything in between
]


@st.composite
def dates(draw) -> dt.date:
    low, high = draw(st.sampled_from(WINDOWS))
    return draw(st.dates(min_value=low, max_value=high))


working_day_counts = st.integers(min_value=0, max_value=45)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    """One calendar for 2020-2026, shared by the property tests."""
    return WorkCalendar.build(D(2020, 1, 1), D(2026, 12, 31))


def series(*values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(a=dates(), b=dates())
def test_workdays_matches_naive_loop(calendar, a, b):
    """workdays(a, b) counts working days d with a < d <= b, exactly like a day loop."""
    assert calendar.workdays(a, b) == naive_workdays(a, b)


@settings(max_examples=200, deadline=None)
@given(start=dates(), n=working_day_counts)
def test_add_workdays_matches_naive_loop(calendar, start, n):
    """add_workdays(d, n) is the n-th working day after d, exactly like a day loop."""
    assert calendar.add_workdays(start, n) == pd.Timestamp(naive_add_workdays(start, n))


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(dates(), dates(), working_day_counts), min_size=1, max_size=20))
def test_vectorized_answers_equal_row_by_row_answers(calendar, pairs):
    """A whole column at once gives what the naive loop gives for each row."""
    a = series(*[p[0] for p in pairs])
    b = series(*[p[1] for p in pairs])
    n = pd.Series([p[2] for p in pairs])
    expected_counts = [naive_workdays(p[0], p[1]) for p in pairs]
    expected_dates = [pd.Timestamp(naive_add_workdays(p[0], p[2])) for p in pairs]
    assert calendar.workdays(a, b).tolist() == expected_counts
    assert calendar.add_workdays(a, n).tolist() == expected_dates


@settings(max_examples=200, deadline=None)
@given(a=dates(), b=dates(), c=dates())
def test_workdays_is_zero_backwards_and_additive_forwards(calendar, a, b, c):
    """workdays(b, a) is 0 when a <= b (no day lies after b and up to a), and for
    a <= b <= c the counts add up: workdays(a, b) + workdays(b, c) == workdays(a, c)."""
    a, b, c = sorted((a, b, c))
    assert calendar.workdays(b, a) == 0 and calendar.workdays(c, a) == 0
    assert calendar.workdays(a, b) >= 0
    assert calendar.workdays(a, b) + calendar.workdays(b, c) == calendar.workdays(a, c)


@settings(max_examples=200, deadline=None)
@given(start=dates(), n=st.integers(min_value=1, max_value=45))
def test_deadline_is_the_first_day_reaching_the_count(calendar, start, n):
    """For n >= 1 the deadline is a workday, n working days after start; the day before is not."""
    deadline = calendar.add_workdays(start, n)
    assert calendar.is_workday(deadline)
    assert calendar.workdays(start, deadline) == n
    assert calendar.workdays(start, deadline - ONE_DAY) == n - 1


@settings(max_examples=200, deadline=None)
@given(start=dates(), end=dates())
def test_add_back_the_count_lands_on_or_before_end(calendar, start, end):
    """add_workdays(d, workdays(d, x)) <= x, with no working day in between (for x >= d)."""
    if end < start:
        start, end = end, start
    landed = calendar.add_workdays(start, calendar.workdays(start, end))
    assert start <= landed.date() <= end
    assert calendar.workdays(landed, end) == 0
    if landed.date() != start:
        assert calendar.is_workday(landed)


@settings(max_examples=200, deadline=None)
@given(day=dates())
def test_is_workday_and_count_through_match_the_official_calendar(calendar, day):
    """is_workday agrees with chinese_calendar.is_workday, and count_through steps by it."""
    assert calendar.is_workday(day) == chinese_calendar.is_workday(day)
    step = calendar.count_through(day) - calendar.count_through(day - ONE_DAY)
    assert step == int(chinese_calendar.is_workday(day))


# --------------------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # National Day 2021: off 10-01..10-07, make-up workdays Sun 09-26 and Sat 10-09
        (D(2021, 9, 30), 1, D(2021, 10, 8)),
        (D(2021, 9, 30), 2, D(2021, 10, 9)),
        (D(2021, 9, 30), 3, D(2021, 10, 11)),
        (D(2021, 10, 1), 1, D(2021, 10, 8)),  # start on a holiday: the next working day is day 1
        (D(2021, 9, 25), 1, D(2021, 9, 26)),  # Sat -> the make-up Sunday
        (D(2021, 9, 30), 0, D(2021, 9, 30)),
        (D(2021, 10, 2), 0, D(2021, 10, 2)),  # n == 0 is the day itself, holiday or not
        # Spring Festival 2021: off 02-11..02-17, make-up Sun 02-07 and Sat 02-20
        (D(2021, 2, 10), 1, D(2021, 2, 18)),
        (D(2021, 2, 6), 1, D(2021, 2, 7)),
        (D(2021, 2, 19), 1, D(2021, 2, 20)),
        # Spring Festival 2023: off 01-21..01-27, make-up Sat 01-28 and Sun 01-29
        (D(2023, 1, 20), 1, D(2023, 1, 28)),
        (D(2023, 1, 20), 3, D(2023, 1, 30)),
        # Spring Festival 2024: off 02-10..02-17, make-up Sun 02-04 and Sun 02-18
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        (D(2024, 2, 3), 1, D(2024, 2, 4)),
        # a 20-working-day reply limit across National Day 2021
        (D(2021, 9, 15), 20, D(2021, 10, 19)),
    ],
)
def test_worked_examples(start, n, deadline):
    """Deadlines checked by hand against the State Council holiday notices."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2024, 12, 31))
    assert calendar.add_workdays(start, n) == pd.Timestamp(deadline)
    assert calendar.workdays(start, deadline) == n


def test_worked_example_counts():
    """Counts over the National Day 2021 break, both directions, with the make-up days."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    assert calendar.workdays(D(2021, 9, 30), D(2021, 10, 8)) == 1
    assert calendar.workdays(D(2021, 9, 30), D(2021, 10, 7)) == 0
    assert calendar.workdays(D(2021, 9, 24), D(2021, 10, 10)) == 7  # 9/26-30 (5), 10/8, 10/9
    assert calendar.workdays(D(2021, 10, 10), D(2021, 9, 24)) == 0  # b before a: no day a < d <= b
    assert calendar.workdays(D(2021, 9, 30), D(2021, 9, 30)) == 0
    assert calendar.is_workday(D(2021, 9, 26)) and calendar.is_workday(D(2021, 10, 9))
    assert not calendar.is_workday(D(2021, 10, 4))


def test_a_year_of_working_days_matches_the_reference_table():
    """Working days per year are those in disclosure-law-facts §7 (250, 249, 249, 251, 248, 248)."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2026, 12, 31))
    per_year = {2021: 250, 2022: 249, 2023: 249, 2024: 251, 2025: 248, 2026: 248}
    for year, expected in per_year.items():
        assert calendar.workdays(D(year - 1, 12, 31), D(year, 12, 31)) == expected


# --------------------------------------------------------------------------- shapes and blanks


def test_series_in_series_out_with_the_same_index():
    """A Series argument gives a Series with its index; the dtypes are Int64 and datetime64[s]."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    received = pd.Series(pd.to_datetime(["2021-09-30", "2021-02-10"]), index=["a", "b"])
    replied = pd.Series(pd.to_datetime(["2021-10-08", "2021-02-18"]), index=["a", "b"])
    counts = calendar.workdays(received, replied)
    deadlines = calendar.add_workdays(received, 1)
    assert counts.dtype == "Int64" and list(counts.index) == ["a", "b"]
    assert counts.tolist() == [1, 1]
    assert deadlines.dtype == "datetime64[s]" and list(deadlines.index) == ["a", "b"]
    assert deadlines.tolist() == [pd.Timestamp("2021-10-08"), pd.Timestamp("2021-02-18")]


def test_blank_dates_give_blank_answers():
    """NaT in either argument gives <NA> counts and NaT deadlines; is_workday is False."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    a = series("2021-09-30", None, "2021-09-30", None)
    b = series("2021-10-08", "2021-10-08", None, None)
    counts = calendar.workdays(a, b)
    assert counts.dtype == "Int64"
    assert counts.isna().tolist() == [False, True, True, True]
    assert counts.iloc[0] == 1
    deadlines = calendar.add_workdays(a, 1)
    assert deadlines.isna().tolist() == [False, True, False, True]
    assert calendar.is_workday(a).tolist() == [True, False, True, False]
    through = calendar.count_through(a)
    assert through.dtype == np.int64 and through[1] == NAT_COUNT
    assert calendar.workdays(pd.NaT, D(2021, 1, 5)) is pd.NA
    assert calendar.add_workdays(None, 3) is pd.NaT


def test_number_of_days_may_be_a_column_with_blanks():
    """n aligned with d: each row gets its own limit, and a blank limit gives NaT."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    start = series("2021-09-30", "2021-09-30", "2021-09-30", "2021-09-30")
    limits = pd.Series([0, 1, 2, pd.NA], dtype="Int64")
    assert calendar.add_workdays(start, limits).tolist() == [
        pd.Timestamp("2021-09-30"), pd.Timestamp("2021-10-08"), pd.Timestamp("2021-10-09"), pd.NaT,
    ]
    assert calendar.add_workdays(D(2021, 9, 30), np.array([1, 3])).tolist() == [
        pd.Timestamp("2021-10-08"), pd.Timestamp("2021-10-11"),
    ]


def test_negative_or_fractional_counts_are_rejected():
    """add_workdays only counts forward by whole days; the error is the library's own
    (a CalendarError, still a ValueError for callers that catch that)."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    for n, fragment in ((-1, "0 or more"), (1.5, "whole number"), (np.array([1, -3]), "0 or more"),
                        (-np.inf, "0 or more")):
        with pytest.raises(CalendarArgumentError, match=fragment) as raised:
            calendar.add_workdays(D(2021, 9, 30), n)
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, DisclosureRulesError)


def test_a_huge_count_gives_a_blank_deadline_not_a_huge_table():
    """A deadline past the last year the calendar supports, or an n above MAX_WORKDAYS
    (infinity too), is NaT; the other rows are answered and the table stays bounded."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    start = series("2021-09-30", "2021-09-30", "2021-09-30", "2021-09-30")
    limits = pd.Series([1, 10**12, MAX_WORKDAYS + 1, np.inf])
    assert calendar.add_workdays(start, limits).tolist() == [pd.Timestamp("2021-10-08"), pd.NaT, pd.NaT, pd.NaT]
    assert calendar.add_workdays(D(2021, 9, 30), 10**15) is pd.NaT
    assert calendar.add_workdays(D(2021, 9, 30), MAX_WORKDAYS) is pd.NaT  # ~4000 years on
    assert calendar.years.stop - 1 <= 3000
    assert calendar.add_workdays(D(2021, 9, 30), 1) == pd.Timestamp("2021-10-08")


def test_workdays_backwards_is_zero_also_for_columns():
    """Column by column, a pair with b before a counts 0 (DESIGN §4: days a < d <= b)."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    a = series("2021-10-08", "2021-09-30", "2021-10-08")
    b = series("2021-09-30", "2021-10-08", "2021-10-08")
    assert calendar.workdays(a, b).tolist() == [0, 1, 0]


def test_other_date_representations_are_accepted():
    """Microsecond, time-of-day, tz-aware, object and pyarrow dates all count as their date."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    expected = [pd.Timestamp("2021-10-08")]
    forms = [
        pd.Series(pd.to_datetime(["2021-09-30"])).astype("datetime64[us]"),
        pd.Series(pd.to_datetime(["2021-09-30 23:59:59"])),
        pd.Series(pd.to_datetime(["2021-09-30 08:00"])).dt.tz_localize("Asia/Shanghai"),
        pd.Series([D(2021, 9, 30)], dtype=object),
        pd.Series([D(2021, 9, 30)], dtype="date32[pyarrow]"),
        np.array(["2021-09-30"], dtype="datetime64[ns]"),
    ]
    for form in forms:
        assert calendar.add_workdays(form, 1).tolist() == expected, form.dtype
    assert calendar.add_workdays(pd.Timestamp("2021-09-30 18:00"), 1) == expected[0]


def test_empty_input_gives_empty_output():
    """Zero rows in, zero rows out, with the right dtypes."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    empty = pd.Series([], dtype="datetime64[ns]")
    assert calendar.workdays(empty, empty).dtype == "Int64"
    assert len(calendar.add_workdays(empty, 5)) == 0
    assert calendar.is_workday(empty).shape == (0,)


# --------------------------------------------------------------------------- rulebook dates


def test_extra_holiday_and_workday_override_the_official_data():
    """An extra workday wins over an official holiday, an extra holiday over an official workday."""
    calendar = WorkCalendar.build(
        D(2021, 1, 1), D(2021, 12, 31),
        extra_holidays=[D(2021, 10, 9), D(2021, 11, 1)],  # official make-up Sat; a Monday
        extra_workdays=[D(2021, 10, 7)],  # official National Day holiday
    )
    assert calendar.is_workday(series("2021-10-09", "2021-11-01", "2021-10-07")).tolist() == [
        False, False, True,
    ]
    assert calendar.add_workdays(D(2021, 9, 30), 1) == pd.Timestamp("2021-10-07")
    assert calendar.add_workdays(D(2021, 10, 7), 2) == pd.Timestamp("2021-10-11")
    assert calendar.warnings == []


def test_a_date_in_both_extra_lists_is_an_error():
    """The rulebook cannot make one date both a holiday and a workday."""
    with pytest.raises(CalendarError, match="2021-10-09"):
        WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31),
                           extra_holidays=["2021-10-09"], extra_workdays=["2021-10-09"])


def test_a_year_the_rulebook_mentions_is_covered_without_warning():
    """A year with rulebook dates: weekends off plus those dates, no warning even on error."""
    calendar = WorkCalendar.build(D(2030, 1, 1), D(2030, 12, 31), fallback="error",
                                  extra_holidays=[D(2030, 1, 1)], extra_workdays=[D(2030, 1, 5)])
    assert calendar.warnings == []
    # 2030-01-01 is a Tuesday (off by the rulebook), 01-05 a Saturday (on by the rulebook)
    flags = calendar.is_workday(series("2030-01-01", "2030-01-02", "2030-01-05", "2030-01-06"))
    assert flags.tolist() == [False, True, True, False]


# --------------------------------------------------------------------------- uncovered years


def test_fallback_weekends_warns_once_naming_the_years():
    """An uncovered year (2030) counts Monday-Friday and is named in one warning."""
    calendar = WorkCalendar.build(D(2030, 1, 1), D(2030, 12, 31))
    assert len(calendar.warnings) == 1
    warning = calendar.warnings[0]
    assert "2030" in warning and "Monday-Friday" in warning and "extra_holidays" in warning
    assert f"covers {official_years().start}-{official_years().stop - 1}" in warning
    # 2030-01-01 is a Tuesday: no official New Year holiday without data
    assert calendar.is_workday(D(2030, 1, 1))
    assert calendar.add_workdays(D(2030, 1, 4), 1) == pd.Timestamp("2030-01-07")  # Fri -> Mon
    assert calendar.workdays(D(2029, 12, 31), D(2030, 12, 31)) == 261


def test_fallback_warning_lists_all_years_in_one_message():
    """Several uncovered years, also ones added by growth, are listed in a single warning."""
    calendar = WorkCalendar.build(D(2026, 1, 1), D(2028, 12, 31))
    assert len(calendar.warnings) == 1 and "Years 2027-2028 are" in calendar.warnings[0]
    calendar.is_workday(D(2030, 6, 3))
    assert len(calendar.warnings) == 1 and "2027-2030" in calendar.warnings[0]


def test_fallback_error_raises_with_the_year_and_the_fix():
    """fallback='error' stops with a CalendarError naming the year and the ways to fix it."""
    with pytest.raises(CalendarError) as raised:
        WorkCalendar.build(D(2030, 1, 1), D(2030, 12, 31), fallback="error")
    message = str(raised.value)
    assert "2030" in message
    hints = ("calendar.extra_holidays", "upgrade chinesecalendar", "calendar.fallback: weekends")
    for hint in hints:
        assert hint in message
    assert "\n" not in message
    assert isinstance(raised.value, DisclosureRulesError)


def test_fallback_error_also_applies_when_the_table_grows():
    """A deadline that runs into an uncovered year raises under fallback='error'."""
    last = official_years().stop - 1
    calendar = WorkCalendar.build(D(last, 1, 1), D(last, 12, 31), fallback="error")
    assert calendar.warnings == []
    with pytest.raises(CalendarError, match=str(last + 1)):
        calendar.add_workdays(D(last, 12, 20), 20)


def test_unknown_fallback_is_rejected():
    """Only 'weekends' and 'error' are fallbacks."""
    with pytest.raises(CalendarError, match="fallback"):
        WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31), fallback="ignore")


# --------------------------------------------------------------------------- growth


def test_table_grows_for_dates_outside_the_built_range():
    """Dates before and after the built years are answered after growing the table."""
    calendar = WorkCalendar.build(D(2022, 1, 1), D(2022, 12, 31))
    assert list(calendar.years) == [2022]
    assert calendar.add_workdays(D(2021, 9, 30), 1) == pd.Timestamp("2021-10-08")
    assert calendar.workdays(D(2024, 2, 9), D(2024, 2, 18)) == 1
    assert list(calendar.years) == [2021, 2022, 2023, 2024]
    assert calendar.workdays(D(2020, 12, 31), D(2024, 12, 31)) == 250 + 249 + 249 + 251


def test_add_workdays_past_the_end_grows_the_table():
    """A deadline beyond the last year grows the table forward, as far as needed."""
    calendar = WorkCalendar.build(D(2021, 1, 1), D(2021, 12, 31))
    assert calendar.add_workdays(D(2021, 12, 20), 20) == pd.Timestamp(
        naive_add_workdays(D(2021, 12, 20), 20))
    assert calendar.add_workdays(D(2021, 1, 1), 1000) == pd.Timestamp(
        naive_add_workdays(D(2021, 1, 1), 1000))
    assert calendar.years.stop - 1 >= 2025


def test_count_through_keeps_its_anchor_when_the_table_grows():
    """Counts taken before a growth stay comparable with counts taken after it."""
    calendar = WorkCalendar.build(D(2022, 1, 1), D(2022, 12, 31))
    before = calendar.count_through(D(2022, 6, 30))
    calendar.is_workday(D(2020, 5, 1))  # grows backwards
    calendar.is_workday(D(2024, 5, 1))  # and forwards
    assert calendar.count_through(D(2022, 6, 30)) == before
    assert calendar.count_through(D(2022, 6, 30)) - calendar.count_through(D(2020, 12, 31)) == (
        naive_workdays(D(2020, 12, 31), D(2022, 6, 30)))
