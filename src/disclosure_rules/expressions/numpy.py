"""Lower the typed tree to numpy: :func:`lower_numpy` turns a tree into one function
``run(ctx) -> Value`` over whole columns. Nothing is evaluated row by row.

Conventions
-----------
* A :class:`Value` is a numpy array (a pandas Series for text, kept for its string
  methods) or a scalar, broadcast lazily, plus a null mask (array or bool).
* Columns come from :class:`Context`: a typed frame (see datasets.py for the
  representations), converted once per field and kept in ``ctx.cache``. Dates are
  ``datetime64[s]`` calendar days (:data:`DATE_DTYPE`; nanoseconds end in 2262), a
  category is its code's position in the field's codes (-1 for a label the rulebook does
  not know), a set is a bit mask over its codes.
* Distinct values are worked on where it pays: ``matches()`` runs RE2 once per distinct
  cell and maps the answers back; the working-day calendar answers whole columns.
* Kleene logic on (true, unknown) mask pairs; ``blank``/``present`` are never unknown.
* Date arithmetic never wraps: a day count that is not whole, or a result outside
  1900-2999 (or beyond what the representation holds), is unknown; so is an arithmetic
  result that is not a finite number. A date column holding times of day, or an
  ``as_of`` given as a datetime (time-zone aware too), counts as its (local) date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from . import tree as t
from ._lazy import Lazy
from .check import FIRST_YEAR, LAST_YEAR, MAX_WORKDAYS_ARGUMENT
from .regex import re2_search

np = Lazy("np", "numpy", globals())
pd = Lazy("pd", "pandas", globals())

__all__ = ["lower_numpy", "Value", "Context", "column_value", "as_mask", "DATE_DTYPE", "last_date_held"]

S_PER_DAY = 86_400
#: dates at run time are datetime64[s] (any year; nanoseconds end in 2262 and numpy
#: wraps silently when it casts a later date to them): no [ns] value on this path
DATE_DTYPE = "datetime64[s]"
#: the dates date arithmetic may produce (four-digit years); beyond them it is blank
_FIRST_SECOND, _LAST_SECOND = -62135596800, 253402300799  # 0001-01-01, 9999-12-31T23:59:59
_FIRST_DAY = (dt.date(FIRST_YEAR, 1, 1) - dt.date(1970, 1, 1)).days  # day numbers since 1970-01-01
_LAST_DAY = (dt.date(LAST_YEAR, 12, 31) - dt.date(1970, 1, 1)).days


# ---------------------------------------------------------------- run time values

@dataclass
class Value:
    """Column (numpy array or pandas Series for text) or scalar, with a null mask."""

    data: Any
    null: Any  # np.ndarray[bool] or bool

    def __post_init__(self):
        # numpy operations on two scalars give 0-d arrays: keep them scalars, so that
        # every mask is broadcast to the rows
        if isinstance(self.data, np.ndarray) and self.data.ndim == 0:
            self.data = self.data[()]
        if isinstance(self.null, np.ndarray) and self.null.ndim == 0:
            self.null = bool(self.null)

    def is_scalar(self) -> bool:
        return not isinstance(self.data, (np.ndarray, pd.Series))


@dataclass
class Context:
    """What an expression sees: the typed columns, constants and the working-day calendar."""

    frame: pd.DataFrame
    constants: dict[str, pd.Timestamp | None]
    calendar: Any = None
    cache: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)


def column_value(series: pd.Series, ftype: str) -> Value:
    """Typed DataFrame column -> Value (see datasets.py for the representations)."""
    if ftype == "date":
        series = _calendar_dates(series)
    elif ftype == "string" and not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(pd.StringDtype("python"))  # a frame built by hand: any objects as text

    null = series.isna().to_numpy()
    if ftype == "date":
        return Value(series.to_numpy(dtype=DATE_DTYPE), null)
    if ftype in ("integer", "number"):
        return Value(series.to_numpy(dtype="float64", na_value=np.nan), null)
    if ftype == "boolean":
        return Value(series.to_numpy(dtype=bool, na_value=False), null)
    if ftype == "category":
        return Value(np.asarray(series.cat.codes.to_numpy(), dtype=np.int64), null)
    if ftype == "set":
        return Value(series.to_numpy(dtype="int64", na_value=0), null)
    return Value(series, null)  # string: keep pandas for its string methods


def _calendar_dates(series: pd.Series) -> pd.Series:
    """A date column as calendar days: local date of aware values, time of day dropped."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        if series.dtype == DATE_DTYPE:
            # typed ledger dates are at midnight already: skip the (costly) normalize then
            seconds = series.to_numpy().view(np.int64)
            if not np.any((seconds % S_PER_DAY != 0) & ~np.isnat(series.to_numpy())):
                return series
        return series.dt.normalize()
    return series


def _constant_day(value):
    """``as_of`` / ``period_*`` as a naive midnight Timestamp (None when blank)."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        return None
    return stamp.normalize()


def _broadcast(v: Value, n: int, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    if v.is_scalar():
        data = np.full(n, v.data, dtype=dtype) if dtype is not None else np.full(n, v.data)
        return data, np.full(n, bool(v.null))
    null = v.null if isinstance(v.null, np.ndarray) else np.full(n, bool(v.null))
    return v.data, null


def as_mask(v: Value, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(true, unknown) boolean arrays of a bool Value."""
    data, null = _broadcast(v, n, dtype=bool)
    data = np.asarray(data, dtype=bool)
    return data & ~null, null


def last_date_held(day: dt.date) -> str | None:
    """None when :data:`DATE_DTYPE` holds ``day`` exactly; else the last date it holds
    (ISO text), so that a date literal is refused rather than wrapped into another century."""
    stored = np.datetime64(day, "s")
    last = _day_bounds(stored)[1]
    if (day - dt.date(1970, 1, 1)).days > last or stored.astype("datetime64[D]") != np.datetime64(day, "D"):
        return str(np.datetime64(last, "D"))
    return None


# ---------------------------------------------------------------- lowering

Run = Callable[[Context], Value]


def lower_numpy(node: t.Expr) -> Run:
    """The function computing ``node`` over a :class:`Context`'s rows (see the module docstring)."""
    return _LOWER[type(node)](node)


def _lower_literal(node: t.Literal) -> Run:
    value = node.value
    if node.type == "date":
        scalar = _LazyArray(lambda: np.datetime64(value, "s"))
        return lambda ctx: Value(scalar.get(), False)
    return lambda ctx: Value(value, False)


def _lower_list(node: t.ListLiteral) -> Run:
    return lambda ctx: Value(None, True)


def _lower_field(node: t.Field) -> Run:
    key, name, ftype = ("col", node.name), node.name, node.field_type

    def run(ctx: Context) -> Value:
        if key not in ctx.cache:
            ctx.cache[key] = column_value(ctx.frame[name], ftype)
        return ctx.cache[key]
    return run


def _lower_constant(node: t.Constant) -> Run:
    name = node.name

    def run(ctx: Context) -> Value:
        value = _constant_day(ctx.constants.get(name))
        if value is None or pd.isna(value):
            return Value(np.datetime64("NaT", "s"), True)
        return Value(_day_of(value), False)
    return run


def _lower_not(node: t.Not) -> Run:
    operand = lower_numpy(node.operand)

    def run(ctx: Context) -> Value:
        true, unknown = as_mask(operand(ctx), ctx.n)
        return Value(~true & ~unknown, unknown)
    return run


def _kleene(parts: list[Run], is_and: bool) -> Run:
    """``and`` / ``or`` of conditions in three-valued (Kleene) logic."""
    def run(ctx: Context) -> Value:
        n = ctx.n
        true, unknown = as_mask(parts[0](ctx), n)
        for part in parts[1:]:
            t2, u2 = as_mask(part(ctx), n)
            if is_and:
                false_any = (~true & ~unknown) | (~t2 & ~u2)
                true, unknown = true & t2, ~false_any & (unknown | u2)
            else:
                true, unknown = true | t2, ~(true | t2) & (unknown | u2)
        return Value(true, unknown)
    return run


def _lower_logical(node: t.Logical) -> Run:
    return _kleene([lower_numpy(o) for o in node.operands], node.op == "and")


def _lower_chain(node: t.Chain) -> Run:
    return _kleene([lower_numpy(link) for link in node.links], True)


_NUMPY_COMPARE = {"==": "equal", "!=": "not_equal", "<": "less", "<=": "less_equal",
                  ">": "greater", ">=": "greater_equal"}
_PANDAS_COMPARE = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
_SWAPPED = {"__lt__": "__gt__", "__gt__": "__lt__", "__le__": "__ge__", "__ge__": "__le__"}


def _lower_compare(node: t.Compare) -> Run:
    left, right = lower_numpy(node.left), lower_numpy(node.right)
    fn_name = _NUMPY_COMPARE[node.op]
    if node.left.type == "string":
        pandas_op = _PANDAS_COMPARE[node.op]

        def run_text(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            null = np.logical_or(a.null, b.null)
            if a.is_scalar() and b.is_scalar():
                return Value(bool(getattr(np, fn_name)(a.data, b.data)) if not null else False, null)
            x = a.data if not a.is_scalar() else b.data
            y = b.data if not a.is_scalar() else a.data
            if a.is_scalar():
                result = getattr(x, _SWAPPED.get(pandas_op, pandas_op))(y)
            else:
                result = getattr(x, pandas_op)(y)
            data = np.asarray(pd.Series(result).fillna(False).to_numpy(dtype=bool))
            return Value(data & ~null, null)
        return run_text

    def run(ctx: Context) -> Value:
        a, b = left(ctx), right(ctx)
        null = np.logical_or(a.null, b.null)
        with np.errstate(invalid="ignore"):
            data = getattr(np, fn_name)(a.data, b.data)
        return Value(np.asarray(data, dtype=bool) & ~np.asarray(null), null)
    return run


def _known(data, v: Value, negate: bool) -> Value:
    """A test of ``v``'s values (negated if asked) where ``v`` is known, unknown where it is blank."""
    if negate:
        data = ~data
    return Value(data & ~np.asarray(v.null), v.null)


def _lower_category_equals(node: t.CategoryEquals) -> Run:
    column = lower_numpy(node.field)
    code, negate = node.field.codes.index(node.code), node.negate

    def run(ctx: Context) -> Value:
        v = column(ctx)
        return _known(v.data == code, v, negate)
    return run


def _lower_category_in(node: t.CategoryIn) -> Run:
    column = lower_numpy(node.field)
    codes, negate = [node.field.codes.index(c) for c in node.codes], node.negate

    def run(ctx: Context) -> Value:
        v = column(ctx)
        return _known(np.isin(v.data, codes), v, negate)
    return run


def _bits(field: t.Field, codes) -> int:
    bits = 0
    for code in codes:
        bits |= 1 << field.codes.index(code)
    return bits


def _set_test(v: Value, bits: int, mode: str, negate: bool) -> Value:
    masks = np.asarray(v.data, dtype=np.int64)
    return _known((masks & bits) != 0 if mode == "any" else (masks & bits) == bits, v, negate)


def _lower_set_member(node: t.SetMember) -> Run:
    column, bits, negate = lower_numpy(node.field), _bits(node.field, [node.code]), node.negate
    return lambda ctx: _set_test(column(ctx), bits, "any", negate)


def _lower_set_test(node: t.SetTest) -> Run:
    column, bits, mode = lower_numpy(node.field), _bits(node.field, node.codes), node.mode
    return lambda ctx: _set_test(column(ctx), bits, mode, False)


def _lower_in_list(node: t.InList) -> Run:
    operand, negate = lower_numpy(node.operand), node.negate
    if node.operand.type == "date":
        days = node.values
        values = _LazyArray(lambda: np.array([np.datetime64(d, "s") for d in days], dtype=DATE_DTYPE))
    else:
        values = list(node.values)

    def run(ctx: Context) -> Value:
        v = operand(ctx)
        values_now = values.get() if isinstance(values, _LazyArray) else values
        if v.is_scalar():
            data = (v.data in list(values_now)) if not v.null else False
            return Value((not data if negate else data) and not v.null, v.null)
        if isinstance(v.data, pd.Series):
            data = v.data.isin(values_now).to_numpy(dtype=bool)
        else:
            data = np.isin(v.data, values_now)
        return _known(data, v, negate)
    return run


def _lower_negate(node: t.Negate) -> Run:
    operand = lower_numpy(node.operand)

    def run(ctx: Context) -> Value:
        v = operand(ctx)
        return Value(v.data * -1.0, v.null)
    return run


_NUMPY_ARITH = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


def _lower_arith(node: t.Arith) -> Run:
    left, right = lower_numpy(node.left), lower_numpy(node.right)
    lt, rt = node.left.type, node.right.type
    if lt == rt == "number":
        fn_name = _NUMPY_ARITH[node.op]

        def run(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                data = getattr(np, fn_name)(a.data, b.data)
            # x / 0, or an overflow to infinity: unknown, never a number that is not finite
            null = np.logical_or(np.logical_or(a.null, b.null), ~np.isfinite(data))
            return Value(data, null)
        return run
    if lt == rt == "date":  # date - date: calendar days
        return _days(right, left)
    if lt == "date":  # date + n, date - n
        sign = 1 if node.op == "+" else -1
        return lambda ctx: _date_plus_days(left(ctx), right(ctx), sign)
    return lambda ctx: _date_plus_days(right(ctx), left(ctx), 1)  # n + date


def _lower_contains(node: t.Contains) -> Run:
    text, needle = lower_numpy(node.text), node.needle

    def run(ctx: Context) -> Value:
        v = text(ctx)
        if v.is_scalar():
            return Value((needle in v.data) if not v.null else False, v.null)
        data = v.data.str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)
        return Value(data & ~v.null, v.null)
    return run


def _lower_matches(node: t.Matches) -> Run:
    text, regex = lower_numpy(node.text), node.re2

    def run(ctx: Context) -> Value:
        v = text(ctx)
        if v.is_scalar():
            return Value(bool(re2_search([v.data], regex)[0]) if not v.null else False, v.null)
        uniques, codes = _factorized(v.data)  # each distinct cell once
        hits = re2_search(uniques, regex)
        data = np.where(codes >= 0, hits[np.maximum(codes, 0)] if len(hits) else False, False)
        return Value(data & ~v.null, v.null)
    return run


def _factorized(series: pd.Series) -> tuple[list, np.ndarray]:
    codes, uniques = pd.factorize(series)
    return [str(u) for u in uniques], np.asarray(codes)


def _lower_call(node: t.Call) -> Run:
    return _CALLS[node.name](*[lower_numpy(a) for a in node.args])


def _blank(a: Run) -> Run:
    def run(ctx: Context) -> Value:
        v = a(ctx)
        null = v.null if isinstance(v.null, np.ndarray) else np.full(ctx.n, bool(v.null))
        return Value(null.copy(), np.zeros(ctx.n, dtype=bool))
    return run


def _present(a: Run) -> Run:
    inner = _blank(a)

    def run(ctx: Context) -> Value:
        v = inner(ctx)
        return Value(~v.data, v.null)
    return run


def _size(s: Run) -> Run:
    def run(ctx: Context) -> Value:
        v = s(ctx)
        return Value(_popcount(np.asarray(v.data, dtype=np.int64)).astype(float), v.null)
    return run


def _length(text: Run) -> Run:
    def run(ctx: Context) -> Value:
        v = text(ctx)
        if v.is_scalar():
            return Value(float(len(v.data)) if not v.null else np.nan, v.null)
        return Value(v.data.str.len().to_numpy(dtype=float, na_value=np.nan), v.null)
    return run


def _days(a: Run, b: Run) -> Run:
    """Calendar days from a to b (b - a)."""
    def run(ctx: Context) -> Value:
        va, vb = a(ctx), b(ctx)
        null = np.logical_or(va.null, vb.null)
        diff = np.asarray(vb.data, dtype=DATE_DTYPE) - np.asarray(va.data, dtype=DATE_DTYPE)
        data = np.where(null, np.nan, diff.astype(np.int64) / S_PER_DAY)
        return Value(data, null)
    return run


def _workdays(a: Run, b: Run) -> Run:
    def run(ctx: Context) -> Value:
        va, vb = a(ctx), b(ctx)
        n = ctx.n
        da, na_ = _broadcast(va, n)
        db, nb = _broadcast(vb, n)
        result = ctx.calendar.workdays(pd.Series(np.asarray(da, dtype=DATE_DTYPE)),
                                       pd.Series(np.asarray(db, dtype=DATE_DTYPE)))
        result = pd.Series(result)
        null = na_ | nb | result.isna().to_numpy()
        return Value(result.to_numpy(dtype=float, na_value=np.nan), null)
    return run


def _add_workdays(d: Run, k: Run) -> Run:
    def run(ctx: Context) -> Value:
        vd, vk = d(ctx), k(ctx)
        n = ctx.n
        dd, nd = _broadcast(vd, n)
        kk, nk = _broadcast(vk, n, dtype=float)
        kk = np.asarray(kk, dtype=float)
        with np.errstate(invalid="ignore"):
            bad = nd | nk | ~np.isfinite(kk) | (kk < 0) | (kk > MAX_WORKDAYS_ARGUMENT) | (kk != np.floor(kk))
        steps = np.where(bad, 0, kk).astype(np.int64)
        dates = np.where(bad, np.datetime64("NaT", "s"), np.asarray(dd, dtype=DATE_DTYPE))
        result = pd.Series(ctx.calendar.add_workdays(pd.Series(dates), steps))
        data = result.to_numpy(dtype=DATE_DTYPE)
        return Value(data, bad | np.isnat(data))
    return run


def _date_part(part: str) -> Callable[[Run], Run]:
    def lower(a: Run) -> Run:
        def run(ctx: Context) -> Value:
            v = a(ctx)
            if v.is_scalar():
                ts = pd.Timestamp(v.data)
                return Value(float(getattr(ts, part)) if not v.null else np.nan, v.null)
            data = np.asarray(v.data, dtype=DATE_DTYPE)
            if part == "year":
                values = data.astype("datetime64[Y]").astype(np.int64) + 1970
            else:
                values = data.astype("datetime64[M]").astype(np.int64) % 12 + 1
            return Value(np.where(v.null, np.nan, values.astype(float)), v.null)
        return run
    return lower


_CALLS = {"blank": _blank, "present": _present, "size": _size, "length": _length, "days": _days,
          "workdays": _workdays, "add_workdays": _add_workdays, "year": _date_part("year"),
          "month": _date_part("month")}

_LOWER = {t.Literal: _lower_literal, t.ListLiteral: _lower_list, t.Field: _lower_field,
          t.Constant: _lower_constant, t.Not: _lower_not, t.Logical: _lower_logical, t.Chain: _lower_chain,
          t.Compare: _lower_compare, t.CategoryEquals: _lower_category_equals, t.CategoryIn: _lower_category_in,
          t.SetMember: _lower_set_member, t.SetTest: _lower_set_test, t.InList: _lower_in_list,
          t.Negate: _lower_negate, t.Arith: _lower_arith, t.Contains: _lower_contains,
          t.Matches: _lower_matches, t.Call: _lower_call}


# ---------------------------------------------------------------- helpers

class _LazyArray:
    """A numpy value built on first use (so that lowering never imports numpy)."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._value = None

    def get(self):
        if self._value is None:
            self._value = self._build()
        return self._value


def _day_of(value) -> Any:
    """A date-like constant (date, datetime, Timestamp) as datetime64[s] at midnight."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return np.datetime64(value, "D").astype(DATE_DTYPE)
    return np.datetime64(value).astype("datetime64[D]").astype(DATE_DTYPE)


def _day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 (int64) of datetime64 values of any unit; NaT gives 0."""
    values = np.asarray(dates)
    days = values.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(values), 0, days)


def _day_bounds(dates) -> tuple[int, int]:
    """First and last day numbers a computed date may take: within FIRST_YEAR..LAST_YEAR
    and within what the datetime64 unit of ``dates`` can hold."""
    unit, count = np.datetime_data(np.asarray(dates).dtype)
    if unit in ("Y", "M", "W", "D", "generic"):
        return _FIRST_DAY, _LAST_DAY
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(count, unit))
    held = int(np.iinfo(np.int64).max) // per_day - 1
    # whole years only, as the working-day calendar covers them (datetime64[ns]: to 2261)
    last_year = int(np.datetime64(held + 1, "D").astype("datetime64[Y]").astype(np.int64)) + 1970 - 1
    last = int(np.datetime64(f"{last_year:04d}-12-31", "D").astype(np.int64)) if last_year <= LAST_YEAR else _LAST_DAY
    return max(_FIRST_DAY, -held), min(_LAST_DAY, last)


def _date_plus_days(d: Value, k: Value, sign: int) -> Value:
    """``d + k`` days (``k`` may be fractional); a result beyond 0001-9999 is blank."""
    null = np.logical_or(d.null, k.null)
    # a number of days that is not whole, or a result outside FIRST_YEAR..LAST_YEAR, is
    # unknown: computed in day numbers first, so nothing can overflow or wrap around
    offset = np.asarray(k.data, dtype=float) * sign
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(offset) | (offset != np.floor(offset)) | (np.abs(offset) > _LAST_DAY - _FIRST_DAY)
        target = _day_numbers(d.data) + np.where(bad, 0, offset).astype(np.int64)
    first, last = _day_bounds(d.data)
    bad = bad | (target < first) | (target > last)
    null = np.logical_or(null, bad)
    k = Value(np.where(bad, 0.0, np.asarray(k.data, dtype=float)), k.null)
    days = np.where(null, 0, np.asarray(k.data, dtype=float)) if isinstance(null, np.ndarray) else (0 if null else k.data)
    base = np.asarray(d.data, dtype=DATE_DTYPE)
    with np.errstate(over="ignore", invalid="ignore"):
        seconds = np.where(np.isnat(base), 0, base.astype(np.int64)) + np.asarray(days, dtype=float) * sign * S_PER_DAY
        outside = ~np.isfinite(seconds) | (seconds < _FIRST_SECOND) | (seconds > _LAST_SECOND)
    null = np.logical_or(null, outside)
    data = np.where(outside, 0, seconds).astype(np.int64).astype(DATE_DTYPE)
    data = np.where(null, np.datetime64("NaT", "s"), data)
    return Value(data, null)


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values.astype(np.uint64)).astype(np.int64)
    out = np.zeros(values.shape, dtype=np.int64)
    work = values.astype(np.uint64)
    while work.any():
        out += (work & np.uint64(1)).astype(np.int64)
        work = work >> np.uint64(1)
    return out
