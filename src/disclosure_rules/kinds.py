"""Rule kinds (DESIGN §6): one small evaluation function per kind, registered in KINDS.

Each function takes a :class:`RuleInput` (the rule, the typed frame of its dataset,
the rows its ``where`` selects) and returns an :class:`Outcome` of whole-column
numpy arrays: which rows are in the population, which violate, which are pending,
plus per-row details. Nothing here loops over rows; the engine applies waivers,
counts, scores and builds findings from these arrays.

Example (a ``required`` rule)::

    - id: DOC-ATTR-01
      kind: required
      dataset: documents
      fields: [disclosure]        # a row with a blank 公开属性 violates
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from .display import display_values
from .expressions import Context, column_value

DATE_DTYPE = "datetime64[s]"  # as everywhere on the audit path (see expressions.DATE_DTYPE)
NAT = np.datetime64("NaT", "s")
#: the days a calendar-day deadline can fall on; a later one is never reached
_FIRST_DAY, _LAST_DAY = (np.datetime64(day, "D").astype(np.int64) for day in ("0001-01-01", "9999-12-31"))


@dataclass
class RuleInput:
    rule: Any
    frame: pd.DataFrame           # typed columns (incl. joined fields)
    fields: dict                  # name -> FieldSpec (incl. joined fields)
    compiled: dict                # key -> CompiledExpression
    ctx: Context
    selected: np.ndarray          # bool: rows passing `where`
    as_of: pd.Timestamp
    calendar: Any
    label: Callable[[str], str]   # field -> header text for messages
    rows: np.ndarray | None = None  # spreadsheet row numbers

    @property
    def n(self) -> int:
        return len(self.frame)


@dataclass
class Outcome:
    population: np.ndarray        # bool per row (row-level kinds) or per group (count)
    violation: np.ndarray
    pending: np.ndarray | None = None
    details: dict[str, np.ndarray] = field(default_factory=dict)
    reason: np.ndarray | None = None      # small int code per row: which message to use
    groups: pd.Index | None = None        # count: the group values (population is per group)
    group_counts: np.ndarray | None = None


def _dates(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    v = column_value(frame[name], "date")
    return v.data, v.null


# ---------------------------------------------------------------- required

def evaluate_required(inp: RuleInput) -> Outcome:
    """A row violates when any listed field is blank."""
    blank = np.zeros(inp.n, dtype=bool)
    for name in inp.rule.fields:
        blank |= inp.frame[name].isna().to_numpy()
    return Outcome(inp.selected.copy(), inp.selected & blank)


# ---------------------------------------------------------------- condition / ratio

def evaluate_condition(inp: RuleInput) -> Outcome:
    """A row violates when ``expect`` is not true (unknown counts as a violation)."""
    true, _unknown = inp.compiled["expect"].mask(inp.ctx)
    return Outcome(inp.selected.copy(), inp.selected & ~true)


evaluate_ratio = evaluate_condition


# ---------------------------------------------------------------- unique

def evaluate_unique(inp: RuleInput, *, extra_key: np.ndarray | None = None) -> Outcome:
    """A row violates when it repeats the value combination of an earlier row.

    Rows blank in every listed field never make a duplicate. ``extra_key`` (the
    department codes) restricts duplicates to rows of the same group.
    """
    fields = inp.rule.fields
    sub = inp.frame.loc[inp.selected, fields]
    all_blank = sub.isna().all(axis=1).to_numpy()
    keyed = sub.copy() if extra_key is not None else sub
    if extra_key is not None:
        keyed["__group__"] = extra_key[inp.selected]
    dup = keyed.duplicated(keep="first").to_numpy() & ~all_blank
    violation = np.zeros(inp.n, dtype=bool)
    violation[np.flatnonzero(inp.selected)[dup]] = True
    return Outcome(inp.selected.copy(), violation)


# ---------------------------------------------------------------- sequence

def evaluate_sequence(inp: RuleInput) -> Outcome:
    """A row violates when a present date is earlier than a present date of an earlier step.

    ``details['later']`` / ``details['earlier']`` give the indexes (into ``fields``) of
    the first out-of-order pair, for the message.
    """
    fields = inp.rule.fields
    matrix = np.stack([column_value(inp.frame[f], "date").data.astype(np.int64) for f in fields], axis=1)
    nat = np.iinfo(np.int64).min
    present = matrix != nat
    running = np.maximum.accumulate(matrix, axis=1)          # NaT is the smallest int64
    prior = np.concatenate([np.full((len(matrix), 1), nat), running[:, :-1]], axis=1)
    bad = present & (prior != nat) & (matrix < prior)
    violation = bad.any(axis=1) & inp.selected
    later = np.argmax(bad, axis=1)
    rows = np.arange(len(matrix))
    target = prior[rows, later]
    # the earliest step holding the running maximum before `later`
    candidates = (matrix == target[:, None]) & (np.arange(len(fields))[None, :] < later[:, None])
    earlier = np.argmax(candidates, axis=1)
    return Outcome(inp.selected.copy(), violation, details={"later": later, "earlier": earlier})


# ---------------------------------------------------------------- deadline

class _Clock:
    """Working-day or calendar-day arithmetic on datetime64 arrays."""

    def __init__(self, calendar, working: bool):
        self.calendar = calendar
        self.working = working

    def count(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Days d with a < d <= b (float, NaN where either is NaT)."""
        if self.working:
            out = pd.Series(self.calendar.workdays(pd.Series(a), pd.Series(b)))
            return out.to_numpy(dtype=float, na_value=np.nan)
        diff = (b - a).astype("timedelta64[D]").astype(float)
        return np.where(np.isnat(a) | np.isnat(b), np.nan, diff)

    def add(self, d: np.ndarray, n: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=np.int64)
        d = _unless_past_the_last_date(d, n, self.working)
        if self.working:
            return pd.Series(self.calendar.add_workdays(pd.Series(d), n)).to_numpy(dtype=DATE_DTYPE)
        # in days, kept within 0001-9999, so that a huge limit cannot overflow into the past
        nat = np.isnat(d)
        days = np.clip(np.where(nat, 0, np.asarray(d, dtype="datetime64[D]").astype(np.int64)), _FIRST_DAY, _LAST_DAY)
        ahead = days + np.clip(n, _FIRST_DAY - days, _LAST_DAY - days)
        return np.where(nat, NAT, ahead.astype("datetime64[D]").astype(DATE_DTYPE))


def _unless_past_the_last_date(d: np.ndarray, n: np.ndarray, working: bool) -> np.ndarray:
    """``d`` with NaT where ``d + n`` calendar days would pass the last date the datetime64
    unit of ``d`` holds (a deadline never wraps into another century; the calendar answers
    NaT itself for working days)."""
    if working:
        return d
    d = np.asarray(d)
    unit, count = np.datetime_data(d.dtype)
    if unit in ("Y", "M", "W", "D", "generic"):
        return d
    last = int(np.iinfo(np.int64).max) // int(np.timedelta64(1, "D") // np.timedelta64(count, unit)) - 1
    days = np.where(np.isnat(d), 0, d.astype("datetime64[D]").astype(np.int64))
    past = ~np.isnat(d) & (days + n > last)
    if not past.any():
        return d
    out = d.copy()
    out[past] = np.datetime64("NaT")
    return out


def evaluate_deadline(inp: RuleInput) -> Outcome:
    """Deadline arithmetic of DESIGN §6.

    clock = restart if present else start. Counted days after the clock exclude the
    working days d with from < d <= to of each pause (overlapping pauses count once;
    a pause with a blank ``to`` runs to ``end``, or to ``as_of`` while open). The
    deadline is the day the counted days reach the limit (+ the extension when its
    condition is true). Violations: blank start (reason 1), end before start (2),
    late (3), open past the deadline (4). Open and not yet due: pending.
    """
    rule = inp.rule
    n = inp.n
    start, start_null = _dates(inp.frame, rule.start)
    end, end_null = _dates(inp.frame, rule.end)
    clock_start = start.copy()
    if rule.restart:
        restart, restart_null = _dates(inp.frame, rule.restart)
        clock_start = np.where(restart_null, start, restart)
    limit = np.full(n, rule.limit.days, dtype=np.int64)
    if rule.extension is not None:
        extended, _ = inp.compiled["extension.when"].mask(inp.ctx)
        limit = limit + np.where(extended, rule.extension.days, 0)
    clock = _Clock(inp.calendar, rule.limit.working_days is not None)
    as_of = np.datetime64(inp.as_of.date(), "D").astype(DATE_DTYPE)
    open_until = np.where(end_null, as_of, end)

    valid = ~start_null & ~np.isnat(clock_start)
    safe_start = np.where(valid, clock_start, as_of)
    pauses = []
    for pause in rule.exclude:
        p_from, p_from_null = _dates(inp.frame, pause.from_)
        p_to, p_to_null = _dates(inp.frame, pause.to)
        p_to = np.where(p_to_null, open_until, p_to)
        active = ~p_from_null & valid
        pauses.append((np.where(active, p_from, safe_start), np.where(active, p_to, safe_start), active))

    deadline = _deadline_with_pauses(clock, pauses, safe_start, limit) if pauses else clock.add(safe_start, limit)
    deadline = np.where(valid, deadline, NAT)

    before_start = valid & ~end_null & (end < start)
    late = valid & ~end_null & ~before_start & (end > deadline)
    overdue = valid & end_null & (as_of > deadline)
    pending = valid & end_null & ~overdue
    reason = np.zeros(n, dtype=np.int8)
    reason[~valid] = 1
    reason[before_start] = 2
    reason[late] = 3
    reason[overdue] = 4
    violation = inp.selected & (reason > 0)
    late_days = np.full(n, np.nan)
    workdays = _Clock(inp.calendar, working=True)  # late_workdays is in working days whatever the limit
    if late.any():
        late_days[late] = workdays.count(deadline[late], end[late])
    if overdue.any():
        late_days[overdue] = workdays.count(deadline[overdue], np.full(int(overdue.sum()), as_of))
    status = np.full(n, "on_time", dtype=object)
    status[~valid] = "invalid"
    status[before_start] = "invalid"
    status[late] = "late"
    status[overdue] = "overdue"
    status[pending] = "pending"
    return Outcome(inp.selected.copy(), violation, pending=inp.selected & pending, reason=reason,
                   details={"deadline": deadline, "end": end, "late_workdays": late_days,
                            "clock_start": np.where(valid, clock_start, NAT), "status": status})


def _deadline_with_pauses(clock: _Clock, pauses, start: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """The day the counted days after ``start`` reach ``limit``, skipping the pauses' days.

    The pauses are merged into disjoint segments (lo, hi] in date order (overlaps count
    once). Walking them in order: while the deadline found so far lies after a
    segment's ``lo``, fewer than ``limit`` days were counted by ``lo``, so every day of
    the segment is skipped and the deadline moves on by its length. Exact in one pass
    over the (few) pause columns, however long a pause runs (an open pause runs to
    ``end`` or ``as_of``).
    """
    froms = np.stack([np.maximum(p[0], start) for p in pauses], axis=1)
    tos = np.stack([p[1] for p in pauses], axis=1)
    order = np.argsort(froms, axis=1)
    froms = np.take_along_axis(froms, order, axis=1)
    tos = np.take_along_axis(tos, order, axis=1)
    extra = np.zeros(len(start), dtype=np.int64)
    covered = start.copy()
    deadline = clock.add(start, limit)
    for i in range(froms.shape[1]):
        lo = np.maximum(froms[:, i], covered)
        hi = tos[:, i]
        days = clock.count(lo, hi)
        days = np.where(np.isnan(days) | (hi <= lo) | (deadline <= lo), 0, days).astype(np.int64)
        if days.any():
            extra += days
            deadline = clock.add(start, limit + extra)
        covered = np.maximum(covered, hi)
    return deadline


# ---------------------------------------------------------------- count

def evaluate_count(inp: RuleInput) -> Outcome:
    """Groups are the values of ``per`` in the selected rows plus ``groups``; a group
    violates when its row count is outside [min, max]. Without ``per`` there is one
    group, the whole population."""
    rule = inp.rule
    if rule.per is None:
        groups = pd.Index(["(all)"])
        counts = np.array([int(inp.selected.sum())])
    else:
        values = display_values(inp.frame[rule.per], inp.fields[rule.per])
        counts_series = values[inp.selected].value_counts(dropna=True)
        for group in listed_groups(rule, inp.fields):
            if group not in counts_series.index:
                counts_series.loc[group] = 0
        groups = pd.Index(counts_series.index.astype(str))
        counts = counts_series.to_numpy(dtype=np.int64)
    low = rule.min if rule.min is not None else -np.inf
    high = rule.max if rule.max is not None else np.inf
    violation = (counts < low) | (counts > high)
    return Outcome(np.ones(len(groups), dtype=bool), violation, groups=groups, group_counts=counts)


def listed_groups(rule, fields) -> list[str]:
    """The ``groups`` of a count rule as group labels, as :func:`display_values` shows the
    ``per`` field (a category code or label maps to the code's first label)."""
    if not rule.groups:
        return []
    spec = fields[rule.per]
    if spec.type != "category":
        return [str(g) for g in rule.groups]
    from .expressions import normalize_name

    out = []
    for g in rule.groups:
        label = str(g)
        for code, labels in spec.values.items():
            if normalize_name(g) in {normalize_name(code), *(normalize_name(l) for l in labels)}:
                label = labels[0] if labels else code
        out.append(label)
    return out


KINDS: dict[str, Callable[[RuleInput], Outcome]] = {
    "required": evaluate_required,
    "condition": evaluate_condition,
    "ratio": evaluate_ratio,
    "deadline": evaluate_deadline,
    "unique": evaluate_unique,
    "sequence": evaluate_sequence,
    "count": evaluate_count,
}
