"""Working days of mainland China: a per-date table built once, answered by lookup.

Conventions
-----------
* A working day follows the official calendar: Monday-Friday are working days,
  Saturday and Sunday are not, except that statutory holidays are off and make-up
  workdays (调休上班, usually a weekend day) are on. The official dates come from
  the bundled ``chinesecalendar`` package (``chinese_calendar.constants.holidays``
  and ``.workdays``); the years it covers are read at run time, never assumed.
* The rulebook's ``calendar.extra_holidays`` / ``calendar.extra_workdays`` add to or
  override the official dates: an extra workday wins over an official holiday on the
  same date, an extra holiday over an official (make-up) workday. A date listed in
  both is a rulebook error (:class:`CalendarError`).
* A year the bundled data does not cover but the rulebook mentions (at least one extra
  date in that year) is covered by the rulebook: weekends off plus its extra dates.
  A year neither covers follows ``fallback``: ``"weekends"`` assumes Monday-Friday and
  adds one warning to :attr:`WorkCalendar.warnings` naming all such years;
  ``"error"`` raises :class:`CalendarError` naming the years and how to fix it.
* Counting: the day of the starting event is not counted. ``workdays(a, b)`` is the
  number of working days ``d`` with ``a < d <= b`` (DESIGN §4), so it is 0 when
  ``b <= a``, never negative. ``add_workdays(s, n)`` is the n-th working day after
  ``s``, i.e. the deadline of an n-working-day limit started on ``s``; a reply on that
  day is on time. ``add_workdays(s, 0)`` is ``s`` itself. A start date that is itself
  a holiday is fine: the first working day after it is working day 1, so
  ``add_workdays(2021-09-30, 1) == add_workdays(2021-10-01, 1) == 2021-10-08``.
* Times of day are dropped (a timestamp counts as its calendar date; time-zone aware
  values as their local date).
* Range: the table covers at most the years ``_FIRST_SUPPORTED_YEAR`` to
  ``_LAST_SUPPORTED_YEAR``. A date outside them is a :class:`CalendarError` (a mistyped
  year in the data); a deadline ``add_workdays(s, n)`` that would fall after the last
  year is ``NaT`` (blank), as is any ``n`` above :data:`MAX_WORKDAYS`, so a huge ``n``
  never builds a huge table. A negative or fractional ``n`` is a
  :class:`CalendarArgumentError` (a ``CalendarError`` and a ``ValueError``). A blank date (NaT / None) gives a blank answer:
  ``<NA>`` for counts, ``NaT`` for dates, ``False`` for :meth:`WorkCalendar.is_workday`
  and the sentinel :data:`NAT_COUNT` for :meth:`WorkCalendar.count_through`.
* Shapes: a pandas Series in gives a Series out with the same index (when several
  arguments are Series, the first one's index is used and lengths must match); numpy
  arrays and lists give a Series with a default index; scalars only give a scalar.

How it works
------------
The table covers whole years, ``[Jan 1 of the first year, Dec 31 of the last year]``,
as two numpy arrays: ``is_work`` (one flag per day) and ``count`` (working days up to
and including each day, relative to a fixed anchor). Every question is an index into
these arrays, and ``add_workdays`` is an ``np.searchsorted`` of the target count.
When a question reaches outside the table (a data date outside the audit period, or
a deadline past the last year), the year range grows and the table is rebuilt, with
the same fallback rules for the new years; counts keep their anchor, so values from
:meth:`WorkCalendar.count_through` stay comparable across growths.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd
from chinese_calendar import constants as _official

from .errors import DisclosureRulesError

__all__ = ["CalendarError", "CalendarArgumentError", "WorkCalendar", "NAT_COUNT", "FALLBACKS",
           "MAX_WORKDAYS", "official_years"]

#: What :meth:`WorkCalendar.count_through` returns for a blank date. It is far from
#: any real count, so mask blanks (``pd.isna(d)``) before doing arithmetic with it.
NAT_COUNT: int = int(np.iinfo(np.int64).min)

#: Accepted values of ``calendar.fallback``.
FALLBACKS = ("weekends", "error")

#: Largest ``n`` of :meth:`WorkCalendar.add_workdays` answered (a larger one gives NaT):
#: far beyond any real limit, small enough that ``n`` is exact and no count overflows.
MAX_WORKDAYS = 1_000_000

# The years a date may have (DESIGN §11: outside 1900-2999 a date is a data issue); the
# output type of add_workdays, datetime64[s], holds them all.
_LAST_SUPPORTED_YEAR = 2999
_FIRST_SUPPORTED_YEAR = 1900


class CalendarError(DisclosureRulesError):
    """The working-day calendar cannot answer: a year has no data, or the dates conflict."""


class CalendarArgumentError(CalendarError, ValueError):
    """A number of working days that is negative or not whole (a ValueError too)."""


# --------------------------------------------------------------------------- official data


def _library_version() -> str:
    version = getattr(chinese_calendar, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import version as dist_version

        return dist_version("chinesecalendar")
    except Exception:  # pragma: no cover - metadata missing in an odd install
        return "?"


@lru_cache(maxsize=1)
def _official_data() -> tuple[np.ndarray, np.ndarray, int, int]:
    """Official holidays and make-up workdays as day numbers, and the covered years."""
    holidays = _days_of(_official.holidays)
    workdays = _days_of(_official.workdays)
    years = [d.year for d in _official.holidays] + [d.year for d in _official.workdays]
    return holidays, workdays, min(years), max(years)


def official_years() -> range:
    """The years the installed ``chinesecalendar`` covers, e.g. ``range(2004, 2027)``."""
    _, _, first, last = _official_data()
    return range(first, last + 1)


def _days_of(dates: Iterable[datetime.date]) -> np.ndarray:
    """Dates as int64 day numbers since 1970-01-01 (sorted, unique)."""
    days = np.array([np.datetime64(_as_date(d), "D") for d in dates], dtype="datetime64[D]")
    return np.unique(days.astype(np.int64))


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return pd.Timestamp(value).date()


def _year_of_day(day: int) -> int:
    return int(np.datetime64(int(day), "D").astype("datetime64[Y]").astype(np.int64)) + 1970


def _first_day_of_year(year: int) -> int:
    return int(np.datetime64(f"{year:04d}-01-01", "D").astype(np.int64))


def _format_years(years: Iterable[int]) -> str:
    """``[2027, 2028, 2029, 2031]`` -> ``"2027-2029, 2031"``."""
    years = sorted(set(years))
    runs: list[str] = []
    i = 0
    while i < len(years):
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1:
            j += 1
        runs.append(str(years[i]) if i == j else f"{years[i]}-{years[j]}")
        i = j + 1
    return ", ".join(runs)


# --------------------------------------------------------------------------- inputs


def _is_scalar(value) -> bool:
    return value is None or np.ndim(value) == 0 and not isinstance(value, (pd.Series, pd.Index))


def _to_days(values) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Day numbers (int64), a validity mask and the Series index (or None) of a date input."""
    index = values.index if isinstance(values, pd.Series) else None
    if _is_scalar(values):
        if values is None or pd.isna(values):
            return np.zeros(1, np.int64), np.zeros(1, bool), None
        stamp = pd.Timestamp(values)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        day = int(np.datetime64(stamp.date(), "D").astype(np.int64))
        return np.array([day], np.int64), np.ones(1, bool), None
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (isinstance(series.dtype, np.dtype) and series.dtype.kind == "M"):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
        else:
            # object dates, strings, pyarrow date32/timestamp ... -> numpy datetime64
            series = pd.to_datetime(series)
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                series = series.dt.tz_localize(None)
    stamps = series.to_numpy()
    valid = ~np.isnat(stamps)
    # datetime64 -> day casting floors, so a time of day keeps its calendar date
    days = stamps.astype("datetime64[D]").astype(np.int64)
    days = np.where(valid, days, 0)
    return days, valid, index


def _to_counts(values) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Whole numbers (int64), a validity mask and the Series index (or None)."""
    index = values.index if isinstance(values, pd.Series) else None
    if _is_scalar(values):
        if values is None or pd.isna(values):
            return np.zeros(1, np.int64), np.zeros(1, bool), None
        numbers = np.array([values], dtype="float64")
        valid = np.ones(1, bool)
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        valid = series.notna().to_numpy()
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
    numbers = np.where(valid, numbers, 0.0)
    if np.isnan(numbers).any() or not np.all(numbers == np.floor(numbers)):
        raise CalendarArgumentError("add_workdays: the number of working days must be a whole number")
    if np.any(numbers < 0):
        raise CalendarArgumentError("add_workdays: the number of working days must be 0 or more")
    # beyond MAX_WORKDAYS (infinity too) the answer is blank, as past the last year
    valid = valid & (numbers <= MAX_WORKDAYS)
    numbers = np.where(valid, numbers, 0.0)
    return numbers.astype(np.int64), valid, index


def _broadcast(*parts: tuple[np.ndarray, np.ndarray, pd.Index | None, bool]):
    """Broadcast (values, valid, index, scalar) inputs to one length; pick the output index."""
    lengths = {len(values) for values, _, _, scalar in parts if not scalar}
    if len(lengths) > 1:
        raise ValueError(f"calendar arguments have different lengths: {sorted(lengths)}")
    length = lengths.pop() if lengths else 1
    index = next((idx for _, _, idx, _ in parts if idx is not None), None)
    out = []
    for values, valid, _, _ in parts:
        out.append(np.broadcast_to(values, (length,)))
        out.append(np.broadcast_to(valid, (length,)))
    all_scalar = all(scalar for *_, scalar in parts)
    return out, index, all_scalar


# --------------------------------------------------------------------------- the calendar


class WorkCalendar:
    """Working days over a growing range of whole years; see the module docstring."""

    def __init__(self, *, extra_holidays: Iterable = (), extra_workdays: Iterable = (),
                 fallback: str = "weekends"):
        if fallback not in FALLBACKS:
            raise CalendarError(
                f"calendar.fallback must be one of {', '.join(FALLBACKS)}, not {fallback!r}."
            )
        self.fallback = fallback
        self._extra_holidays = _days_of(extra_holidays)
        self._extra_workdays = _days_of(extra_workdays)
        both = np.intersect1d(self._extra_holidays, self._extra_workdays)
        if both.size:
            listed = ", ".join(str(np.datetime64(int(d), "D")) for d in both)
            raise CalendarError(
                f"These dates are in both calendar.extra_holidays and calendar.extra_workdays: "
                f"{listed}. Keep each date in one list only."
            )
        extras = np.concatenate([self._extra_holidays, self._extra_workdays])
        self.rulebook_years: frozenset[int] = frozenset(_year_of_day(d) for d in extras)
        self.warnings: list[str] = []
        self._first_year: int | None = None
        self._last_year: int | None = None
        self._origin = 0  # day number of table[0]
        self._anchor: int | None = None  # day number whose count_through is 1 if it works
        self._is_work = np.zeros(0, bool)
        self._count = np.zeros(0, np.int64)

    @classmethod
    def build(cls, start: datetime.date, end: datetime.date, *, extra_holidays: Iterable = (),
              extra_workdays: Iterable = (), fallback: str = "weekends") -> WorkCalendar:
        """A calendar whose table covers the whole years from ``start`` to ``end``.

        Raises :class:`CalendarError` if ``fallback`` is ``"error"`` and a year in the
        range has neither official nor rulebook data; with ``"weekends"`` such years are
        named in :attr:`warnings`.
        """
        calendar = cls(extra_holidays=extra_holidays, extra_workdays=extra_workdays,
                       fallback=fallback)
        first, last = sorted((_as_date(start).year, _as_date(end).year))
        calendar._rebuild(first, last)
        return calendar

    # ----------------------------------------------------------------- properties

    @property
    def years(self) -> range:
        """The years the table currently covers."""
        if self._first_year is None:
            return range(0)
        return range(self._first_year, self._last_year + 1)

    @property
    def fallback_years(self) -> list[int]:
        """Years in the table that neither the official data nor the rulebook covers."""
        official = official_years()
        return [y for y in self.years if y not in official and y not in self.rulebook_years]

    # ----------------------------------------------------------------- building

    def _rebuild(self, first_year: int, last_year: int) -> None:
        if first_year < _FIRST_SUPPORTED_YEAR or last_year > _LAST_SUPPORTED_YEAR:
            year = first_year if first_year < _FIRST_SUPPORTED_YEAR else last_year
            raise CalendarError(
                f"Cannot count working days in year {year}: "
                f"dates must lie between {_FIRST_SUPPORTED_YEAR} and {_LAST_SUPPORTED_YEAR}. "
                "Check the data for a mistyped year."
            )
        official = official_years()
        uncovered = [y for y in range(first_year, last_year + 1)
                     if y not in official and y not in self.rulebook_years]
        if uncovered and self.fallback == "error":
            raise CalendarError(self._uncovered_message(uncovered))

        origin = _first_day_of_year(first_year)
        stop = _first_day_of_year(last_year + 1)
        days = np.arange(origin, stop, dtype=np.int64)
        # 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays
        is_work = (days + 3) % 7 < 5
        holidays, workdays, _, _ = _official_data()
        # official first, then the rulebook on top so that it wins on the same date
        for dates, value in ((holidays, False), (workdays, True),
                             (self._extra_holidays, False), (self._extra_workdays, True)):
            inside = dates[(dates >= origin) & (dates < stop)]
            is_work[inside - origin] = value

        raw = np.cumsum(is_work, dtype=np.int64)
        if self._anchor is None:
            self._anchor = origin
        # keep count_through(anchor - 1) == 0 whatever the table's first day is
        anchor_index = self._anchor - origin
        base = raw[anchor_index - 1] if anchor_index > 0 else 0
        self._origin = origin
        self._is_work = is_work
        self._count = raw - base
        self._first_year, self._last_year = first_year, last_year
        # in place, so a caller holding the list sees years added by growth
        self.warnings[:] = [self._fallback_warning(uncovered)] if uncovered else []

    @staticmethod
    def _uncovered_message(years: list[int]) -> str:
        official = official_years()
        plural = len(years) > 1
        return (
            f"The working-day calendar has no data for year{'s' if plural else ''} "
            f"{_format_years(years)}: chinesecalendar {_library_version()} covers "
            f"{official.start}-{official.stop - 1} and the rulebook lists no "
            f"calendar.extra_holidays / calendar.extra_workdays in "
            f"{'those years' if plural else 'that year'}. Add the holidays and make-up "
            f"workdays of {'those years' if plural else 'that year'} to "
            "calendar.extra_holidays / calendar.extra_workdays in the rulebook, upgrade "
            "chinesecalendar (pip install -U chinesecalendar) if a newer release covers "
            f"{'them' if plural else 'it'}, or set calendar.fallback: weekends to assume "
            "Monday-Friday working days (with a warning in the result)."
        )

    @staticmethod
    def _fallback_warning(years: list[int]) -> str:
        official = official_years()
        plural = len(years) > 1
        return (
            f"{'Years' if plural else 'Year'} {_format_years(years)} "
            f"{'are' if plural else 'is'} not covered by the official calendar "
            f"(chinesecalendar {_library_version()} covers {official.start}-{official.stop - 1}); "
            "Monday-Friday was assumed. Add calendar.extra_holidays/extra_workdays for "
            f"{'them' if plural else 'it'}."
        )

    def _cover(self, days: np.ndarray, valid: np.ndarray) -> None:
        """Grow the table (whole years) so that every valid day in ``days`` is inside it."""
        if not valid.any():
            return
        present = days[valid]
        low, high = int(present.min()), int(present.max())
        end = self._origin + len(self._is_work)
        if self._first_year is not None and low >= self._origin and high < end:
            return
        first, last = _year_of_day(low), _year_of_day(high)
        if self._first_year is not None:
            first, last = min(first, self._first_year), max(last, self._last_year)
        self._rebuild(first, last)

    def _cover_count(self, target: int) -> None:
        """Grow the table forward until its last count reaches ``target``, or the last
        supported year (the caller answers NaT beyond it)."""
        while target > self._count[-1] and self._last_year < _LAST_SUPPORTED_YEAR:
            missing = int(target - self._count[-1])
            # a year has at least ~240 working days; 200 leaves room for odd rulebook years
            grow = max(1, -(-missing // 200))
            self._rebuild(self._first_year, min(_LAST_SUPPORTED_YEAR, self._last_year + grow))

    def _index(self, days: np.ndarray) -> np.ndarray:
        return days - self._origin

    # ----------------------------------------------------------------- questions

    def is_workday(self, dates):
        """Whether each date is a working day (``False`` for a blank date).

        Returns a numpy bool array for array-like input and a ``bool`` for a scalar.
        """
        days, valid, _ = _to_days(dates)
        self._cover(days, valid)
        result = np.zeros(len(days), bool)
        result[valid] = self._is_work[self._index(days[valid])]
        return bool(result[0]) if _is_scalar(dates) else result

    def count_through(self, d):
        """Working days from the table's anchor up to and including each date (int64).

        Only differences are meaningful: ``count_through(b) - count_through(a)`` is the
        number of working days ``x`` with ``a < x <= b``. The anchor is fixed when the
        calendar is built (January 1 of its first year) and does not move when the table
        grows, so results of earlier calls stay comparable. A blank date gives
        :data:`NAT_COUNT`; mask blanks before subtracting. Returns a numpy array for
        array-like input and an ``int`` for a scalar.
        """
        days, valid, _ = _to_days(d)
        self._cover(days, valid)
        result = np.full(len(days), NAT_COUNT, np.int64)
        result[valid] = self._count[self._index(days[valid])]
        return int(result[0]) if _is_scalar(d) else result

    def workdays(self, a, b):
        """Working days ``d`` with ``a < d <= b``; 0 when ``b <= a``; blank -> ``<NA>``.

        Returns a Series of dtype ``Int64`` (index of the first Series argument), or a
        scalar (``int`` or ``pd.NA``) when both arguments are scalars.
        """
        a_days, a_valid, a_index = _to_days(a)
        b_days, b_valid, b_index = _to_days(b)
        (a_days, a_valid, b_days, b_valid), index, all_scalar = _broadcast(
            (a_days, a_valid, a_index, _is_scalar(a)), (b_days, b_valid, b_index, _is_scalar(b))
        )
        valid = a_valid & b_valid
        self._cover(np.concatenate([a_days, b_days]), np.concatenate([valid, valid]))
        counts = np.zeros(len(valid), np.int64)
        # DESIGN §4: no day d satisfies a < d <= b when b < a
        counts[valid] = np.maximum(self._count[self._index(b_days[valid])]
                                   - self._count[self._index(a_days[valid])], 0)
        result = pd.array(counts, dtype="Int64")
        result[~valid] = pd.NA
        if all_scalar:
            return int(counts[0]) if valid[0] else pd.NA
        return pd.Series(result, index=index, name=None)

    def add_workdays(self, d, n):
        """The n-th working day after ``d`` (``n >= 0``; ``n == 0`` gives ``d``); blank -> NaT.

        ``n`` is a whole number or an array/Series of them aligned with ``d``. Returns a
        Series of dtype ``datetime64[s]`` (index of the first Series argument), or a
        ``Timestamp``/``NaT`` when both arguments are scalars. Raises ``ValueError`` for
        a negative or fractional ``n`` (a :class:`CalendarArgumentError`). A deadline after
        the last supported year, or an ``n`` above :data:`MAX_WORKDAYS`, is ``NaT``.
        """
        days, d_valid, d_index = _to_days(d)
        numbers, n_valid, n_index = _to_counts(n)
        (days, d_valid, numbers, n_valid), index, all_scalar = _broadcast(
            (days, d_valid, d_index, _is_scalar(d)), (numbers, n_valid, n_index, _is_scalar(n))
        )
        valid = d_valid & n_valid
        self._cover(days, valid)
        out = np.zeros(len(valid), np.int64)
        if valid.any():
            start = days[valid]
            target = self._count[self._index(start)] + numbers[valid]
            self._cover_count(int(target.max()))
            # the first day whose running count reaches the target is a working day
            found = self._origin + np.searchsorted(self._count, target, side="left")
            out[valid] = np.where(numbers[valid] == 0, start, found)
            beyond = np.zeros(len(valid), bool)
            beyond[valid] = target > self._count[-1]  # past the last supported year
            valid = valid & ~beyond
        stamps = out.astype("datetime64[D]").astype("datetime64[s]")
        stamps[~valid] = np.datetime64("NaT")
        if all_scalar:
            return pd.Timestamp(stamps[0]) if valid[0] else pd.NaT
        return pd.Series(stamps, index=index, name=None)

    def relation(self, start, end) -> pd.DataFrame:
        """The calendar as a relation for the SQL engines: one row per day from ``start``
        to ``end`` (both included, in order), columns ``day`` (a date: pyarrow ``date32``,
        which DuckDB reads as DATE), ``workday`` (bool) and ``n`` (int64: working days up
        to and including the day, a running count from the table's anchor).

        Only differences of ``n`` mean something, as with :meth:`count_through`:
        ``workdays(a, b)`` is ``max(n[b] - n[a], 0)`` and ``add_workdays(d, k)`` is the
        working day whose ``n`` is ``n[d] + k`` (``d`` itself when ``k`` is 0). The table
        grows to cover the range first (so :attr:`warnings` name its fallback years), and
        the rows are slices of the table's own arrays (no loop over days).
        """
        import pyarrow as pa

        days, valid, _ = _to_days(pd.Series([start, end]))
        if not valid.all():
            raise CalendarError("The calendar relation needs a first and a last day, not a blank.")
        first, last = int(days.min()), int(days.max())
        self._cover(np.array([first, last], np.int64), np.ones(2, bool))
        rows = slice(first - self._origin, last - self._origin + 1)
        day = pa.array(np.arange(first, last + 1, dtype=np.int32), type=pa.int32()).cast(pa.date32())
        return pd.DataFrame({"day": pd.arrays.ArrowExtensionArray(day),
                             "workday": self._is_work[rows].copy(),
                             "n": self._count[rows].copy()})

    def __repr__(self) -> str:
        years = f"{self._first_year}-{self._last_year}" if self._first_year is not None else "empty"
        return f"<WorkCalendar years={years} fallback={self.fallback!r}>"
