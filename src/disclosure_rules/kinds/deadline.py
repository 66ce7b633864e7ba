"""``deadline``: a row violates when it was answered late, is overdue, or its dates are invalid.

Deadline arithmetic of DESIGN §6. Example (from the built-in 2021 plan)::

    - id: REQ-DEADLINE-01
      title: 自收到申请之日起20个工作日内答复
      dataset: requests
      where: blank(outcome) or outcome != 'other_no_correction'
      kind: deadline
      start: received_on
      end: replied_on                            # blank: still open
      limit: {working_days: 20}
      extension: {when: extension_approved, working_days: 20}
      restart: correction_received_on
      exclude: [{from: consult_sent_on, to: consult_replied_on}]
      points: 8
      scoring: {deduct: 2, max: 8}
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator

from ..expressions._lazy import Lazy
from ..models import MAX_LIMIT_DAYS, Extension, Limit, Pause, RateRule, Strict
from ..words import ISO_DATE
from . import text
from .base import DATE_DTYPE, Kind, RuleView, Verdict, date_field_problems, filled, rate_min_line

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())

#: the days a calendar-day deadline can fall on (days since 1970-01-01); a later one is never reached
_FIRST_DAY, _LAST_DAY = ((_dt.date(1, 1, 1) - _dt.date(1970, 1, 1)).days, (_dt.date(9999, 12, 31) - _dt.date(1970, 1, 1)).days)


def _nat():
    return np.datetime64("NaT", "s")
#: the reason code of each violation, as details["reason"] holds it
BLANK_START, END_BEFORE_START, LATE, OVERDUE = 1, 2, 3, 4


#: the light of each row of a deadline rule (DESIGN §6), as details["light"] holds it
RED, YELLOW, GREEN = "red", "yellow", "green"
LIGHTS = (RED, YELLOW, GREEN)


class DueSoon(Strict):
    """When an open row is due soon (预警 / 黄灯): its deadline falls within ``working_days``
    working days after the as-of date. The law gives no figure: a rulebook parameter."""

    working_days: int = Field(ge=0, le=MAX_LIMIT_DAYS, description=(
        "即将到期的提前量 Working days before the deadline from which an open row is due soon "
        "(yellow). No statute gives this figure: it is the office's own choice."))


class DeadlineRule(RateRule):
    kind: Literal["deadline"]
    start: str
    end: str
    limit: Limit
    extension: Extension | None = None
    restart: str | None = None
    exclude: list[Pause] = Field(default_factory=list)
    max: None = None
    due_soon: DueSoon | None = None

    @model_validator(mode="after")
    def _same_unit(self) -> "DeadlineRule":
        if self.extension is not None and \
                (self.extension.working_days is None) != (self.limit.working_days is None):
            raise ValueError("the extension must use the same unit as the limit "
                             "(working_days or calendar_days)")
        return self

    def named_fields(self) -> list[tuple[str, str]]:
        out = [("start", self.start), ("end", self.end)]
        if self.restart:
            out.append(("restart", self.restart))
        for i, pause in enumerate(self.exclude):
            out += [(f"exclude.{i}.from", pause.from_), (f"exclude.{i}.to", pause.to)]
        return out

    @property
    def expressions(self) -> dict[str, str]:
        out = super().expressions
        if self.extension:
            out["extension.when"] = self.extension.when
        return out


class Deadline(Kind):
    name = "deadline"
    Rule = DeadlineRule
    rowwise = True
    finding_details = ("deadline", "end", "late_workdays")
    row_details = ("clock_start", "deadline", "end", "status", "late_workdays", "light", "workdays_left")
    has_pending = True

    def check(self, rule, fields: dict) -> list[tuple[str, str]]:
        return date_field_problems(rule, fields, [("start", rule.start), ("end", rule.end), ("restart", rule.restart)])

    def evaluate(self, view: RuleView) -> Verdict:
        """Deadline arithmetic of DESIGN §6.

        clock = restart if present else start. Counted days after the clock exclude the
        working days d with from < d <= to of each pause (overlapping pauses count once;
        a pause with a blank ``to`` runs to ``end``, or to ``as_of`` while open). The
        deadline is the day the counted days reach the limit (+ the extension when its
        condition is true). Violations: blank start (reason 1), end before start (2),
        late (3), open past the deadline (4). Open and not yet due: pending.
        """
        rule = view.rule
        n = view.n
        start, start_null = view.dates(rule.start)
        end, end_null = view.dates(rule.end)
        clock_start = start.copy()
        if rule.restart:
            restart, restart_null = view.dates(rule.restart)
            clock_start = np.where(restart_null, start, restart)
        limit = np.full(n, rule.limit.days, dtype=np.int64)
        if rule.extension is not None:
            extended, _ = view.expressions["extension.when"].mask(view.ctx)
            limit = limit + np.where(extended, rule.extension.days, 0)
        clock = _Clock(view.calendar, rule.limit.working_days is not None)
        as_of = np.datetime64(view.as_of.date(), "D").astype(DATE_DTYPE)
        open_until = np.where(end_null, as_of, end)

        valid = ~start_null & ~np.isnat(clock_start)
        safe_start = np.where(valid, clock_start, as_of)
        pauses = []
        for pause in rule.exclude:
            p_from, p_from_null = view.dates(pause.from_)
            p_to, p_to_null = view.dates(pause.to)
            p_to = np.where(p_to_null, open_until, p_to)
            active = ~p_from_null & valid
            pauses.append((np.where(active, p_from, safe_start), np.where(active, p_to, safe_start), active))

        deadline = _deadline_with_pauses(clock, pauses, safe_start, limit) if pauses else clock.add(safe_start, limit)
        deadline = np.where(valid, deadline, _nat())

        before_start = valid & ~end_null & (end < start)
        late = valid & ~end_null & ~before_start & (end > deadline)
        overdue = valid & end_null & (as_of > deadline)
        pending = valid & end_null & ~overdue
        reason = np.zeros(n, dtype=np.int8)
        reason[~valid] = BLANK_START
        reason[before_start] = END_BEFORE_START
        reason[late] = LATE
        reason[overdue] = OVERDUE
        violation = view.selected & (reason > 0)
        late_days = np.full(n, np.nan)
        workdays = _Clock(view.calendar, working=True)  # late_workdays is in working days whatever the limit
        if late.any():
            late_days[late] = workdays.count(deadline[late], end[late])
        if overdue.any():
            late_days[overdue] = workdays.count(deadline[overdue], np.full(int(overdue.sum()), as_of))
        status = filled(n, "on_time")
        status[~valid] = "invalid"
        status[before_start] = "invalid"
        status[late] = "late"
        status[overdue] = "overdue"
        status[pending] = "pending"
        within = rule.due_soon.working_days if rule.due_soon is not None else None
        soon = due_soon(deadline, end_null, as_of, view.calendar, within)
        return Verdict(view.selected.copy(), violation, pending=view.selected & pending,
                       details={"reason": reason, "start": start, "deadline": deadline, "end": end,
                                "late_workdays": late_days, "clock_start": np.where(valid, clock_start, _nat()),
                                "status": status, "light": lights(reason, soon),
                                "workdays_left": workdays_left(deadline, end_null, as_of, view.calendar)})

    def lights(self, rule, rows) -> dict | None:
        """{"red", "yellow", "green"}: how many rows of the rule's population (waived rows
        aside) have each light (DESIGN §8); ``rows``: its results.RowDetails."""
        if rows is None:
            return None
        from ..verdict import word_counts

        counts = word_counts(np.asarray(rows.column("light"), dtype=object))
        return {light: counts.get(light, 0) for light in LIGHTS}

    def lower(self, view):
        """The same arithmetic as :meth:`evaluate`, on the calendar relation: a deadline is a
        lookup of the day whose running count of working days reaches the clock's count plus
        the limit; each pause (merged in date order, as in :func:`_deadline_with_pauses`) is
        one more step of the query."""
        from sqlglot import exp

        from .sql import POS, Clock, SqlVerdict, case, col, count_through, lit, subquery_from, true_or_false

        rule = view.rule

        def c(name):
            return col(name, "b")

        def null(e):
            return exp.Is(this=e, expression=exp.null())

        def present(e):
            return exp.Not(this=null(e))

        def where(condition, a, b):
            return case((condition, a), default=b)

        start, end = col(rule.start), col(rule.end)
        clock_start = exp.Coalesce(this=col(rule.restart), expressions=[start]) if rule.restart else start
        limit = lit(rule.limit.days)
        if rule.extension is not None:
            limit = exp.Add(this=limit, expression=where(true_or_false(view.expressions["extension.when"]),
                                                         lit(rule.extension.days), lit(0)))
        as_of = lit(view.as_of)
        valid = exp.and_(present(start), present(clock_start))
        safe_start = where(valid, clock_start, as_of)
        open_until = exp.Coalesce(this=end, expressions=[as_of])
        base = [col(POS), view.selected.as_("sel"), start.as_("s"), end.as_("e"), valid.as_("valid"),
                clock_start.as_("clock"), safe_start.as_("safe"), limit.as_("lim")]
        for i, pause in enumerate(rule.exclude):
            active = exp.and_(present(col(pause.from_)), valid)
            to = exp.Coalesce(this=col(pause.to), expressions=[open_until])
            base += [where(active, exp.func("greatest", col(pause.from_), safe_start), safe_start).as_(f"pf{i}"),
                     where(active, to, safe_start).as_(f"pt{i}")]
        query = exp.select(*base).from_(view.source())
        working = Clock(view, rule.limit.working_days is not None)
        carried = [c(POS), c("sel"), c("s"), c("e"), c("valid"), c("clock"), c("safe"), c("lim")]

        def step(columns, alias_from):
            return exp.select(*columns).from_(subquery_from(alias_from, "b"))

        # the pauses in date order (from, then to), as the walk needs them
        k = len(rule.exclude)
        if k > 1:
            pairs = exp.Array(expressions=[exp.Struct(expressions=[
                exp.PropertyEQ(this=exp.to_identifier("f"), expression=c(f"pf{i}")),
                exp.PropertyEQ(this=exp.to_identifier("t"), expression=c(f"pt{i}"))])
                                           for i in range(k)])
            ordered = exp.ArraySort(this=pairs)
            sorted_columns = [*carried]
            for i in range(k):
                item = exp.Bracket(this=ordered, expressions=[lit(i + 1)], offset=1)
                sorted_columns += [exp.Dot(this=item, expression=exp.to_identifier("f")).as_(f"pf{i}"),
                                   exp.Dot(this=item, expression=exp.to_identifier("t")).as_(f"pt{i}")]
            query = step(sorted_columns, query)
        # the clock's running count; the deadline before the pauses; covered = the day up to
        # which pauses were walked
        pauses = [c(f"p{x}{i}") for i in range(k) for x in "ft"]
        if working.working:
            query = step([*carried, *pauses, count_through(view, c("safe")).as_("cs")], query)
            carried.append(c("cs"))
        start_count = c("cs") if working.working else None
        query = step([*carried, *pauses, lit(0).as_("extra"), c("safe").as_("covered"),
                      working.add(c("safe"), c("lim"), start_count).as_("deadline")], query)
        for i in range(k):
            lo = exp.func("greatest", c(f"pf{i}"), c("covered"))
            hi = c(f"pt{i}")
            days = working.count(lo, hi)
            skip = exp.or_(null(days), exp.LTE(this=hi, expression=lo), exp.LTE(this=c("deadline"), expression=lo))
            extra = exp.Add(this=c("extra"), expression=where(skip, lit(0), days))
            rest = [c(f"p{x}{j}") for j in range(i + 1, k) for x in "ft"]
            query = step([*carried, *rest, extra.as_("extra"),
                          exp.func("greatest", c("covered"), hi).as_("covered"), c("deadline").as_("old")], query)
            moved = working.add(c("safe"), exp.Add(this=c("lim"), expression=c("extra")), start_count)
            query = step([*carried, *[c(f"p{x}{j}") for j in range(i + 1, k) for x in "ft"], c("extra"),
                          c("covered"), where(exp.GT(this=c("extra"), expression=lit(0)), moved, c("old")).as_("deadline")],
                         query)
        deadline = where(c("valid"), c("deadline"), exp.null())
        query = step([*carried, deadline.as_("deadline")], query)
        e, d = c("e"), c("deadline")
        before_start = exp.and_(c("valid"), present(e), exp.LT(this=e, expression=c("s")))
        late = exp.and_(c("valid"), present(e), exp.Not(this=exp.paren(before_start)),
                        true_or_false(exp.GT(this=e, expression=d)))
        overdue = exp.and_(c("valid"), null(e), true_or_false(exp.GT(this=as_of, expression=d)))
        pending = exp.and_(c("valid"), null(e), exp.Not(this=exp.paren(overdue)))
        query = step([c(POS), c("sel"), c("s"), e, c("valid"), c("clock"), d,
                      true_or_false(before_start).as_("before_start"), true_or_false(late).as_("late"),
                      true_or_false(overdue).as_("overdue"), true_or_false(pending).as_("pending")], query)
        reason = case((exp.Not(this=c("valid")), lit(BLANK_START)), (c("before_start"), lit(END_BEFORE_START)),
                      (c("late"), lit(LATE)), (c("overdue"), lit(OVERDUE)), default=lit(0))
        days = Clock(view, working=True)  # late_workdays is in working days whatever the limit
        late_days = case((c("late"), days.count(d, e)), (c("overdue"), days.count(d, as_of)), default=exp.null())
        status = case((exp.Not(this=c("valid")), lit("invalid")), (c("before_start"), lit("invalid")),
                      (c("late"), lit("late")), (c("overdue"), lit("overdue")), (c("pending"), lit("pending")),
                      default=lit("on_time"))
        # due soon (DESIGN §6): open, deadline from as_of up to the N-th working day after it
        soon = exp.false()
        if rule.due_soon is not None:
            soon = exp.and_(null(e), present(d), exp.GTE(this=d, expression=as_of))
            horizon = view.work_calendar.add_workdays(view.as_of, int(rule.due_soon.working_days))
            if horizon is not None and not pd.isna(horizon):
                soon = exp.and_(soon, exp.LTE(this=d, expression=lit(pd.Timestamp(horizon).date())))
        light = case((exp.GT(this=exp.paren(reason), expression=lit(0)), lit(RED)), (true_or_false(soon), lit(YELLOW)),
                     default=lit(GREEN))
        left = case((exp.and_(null(e), present(d)),
                     case((exp.GTE(this=d, expression=as_of), days.count(as_of, d)),
                          default=exp.Neg(this=exp.paren(days.count(d, as_of))))), default=exp.null())
        query = step([c(POS), c("sel").as_("in_population"),
                      exp.and_(c("sel"), exp.GT(this=exp.paren(reason), expression=lit(0))).as_("violation"),
                      exp.and_(c("sel"), c("pending")).as_("pending"), reason.as_("reason"), c("s").as_("start"),
                      d.as_("deadline"), e.as_("end"), exp.cast(late_days, exp.DataType.build("double")).as_("late_workdays"),
                      where(c("valid"), c("clock"), exp.null()).as_("clock_start"), status.as_("status"),
                      light.as_("light"), exp.cast(left, exp.DataType.build("double")).as_("workdays_left")], query)
        return SqlVerdict(query, has_pending=True,
                          details={"reason": "int8", "start": "date", "deadline": "date", "end": "date",
                                   "late_workdays": "float", "clock_start": "date", "status": "text",
                                   "light": "text", "workdays_left": "float"})

    def describe(self, rule, say) -> list[str]:
        start, end = say.field(rule.start), say.field(rule.end)
        text = say.say("deadline", start=start, end=end, limit=say.limit(rule.limit))
        if rule.extension is not None:
            text += say.say("extension", when=say.expression(rule.extension.when), limit=say.limit(rule.extension))
        if rule.restart:
            text += say.say("restart", restart=say.field(rule.restart))
        for pause in rule.exclude:
            text += say.say("exclude", frm=say.field(pause.from_), to=say.field(pause.to))
        text += say.say("deadline_tail", start=start, end=end)
        return [text, *rate_min_line(rule, say)]

    def summary(self, rule, result, lang: str) -> str:
        v, pending = result.violations, result.pending
        decided = result.population - pending
        if lang == "zh":
            out = f"已到期的{decided}条中{v}条超期、逾期未办或日期有误"
            return out + (f"；另有{pending}条尚未办结且未到期" if pending else "")
        out = f"{v} of {decided} decided {text.noun(rule)} were late, overdue or have invalid dates"
        return out + (f"; {pending} still open and not yet due" if pending else "")

    message_inputs = ("details",)  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        rule, d = found.rule, found.details
        zh = lang == "zh"
        reason = d["reason"][idx]
        deadline_at, end_at = d["deadline"][idx], d["end"][idx]
        deadline = _iso(deadline_at)
        end = _iso(end_at)
        start = _iso(d["start"][idx])
        as_of = np.datetime64(found.as_of, "D").astype(DATE_DTYPE)
        working = rule.limit.working_days is not None
        if working:
            late_count = pd.Series(d["late_workdays"][idx]).fillna(0).astype(int)
        else:
            # a calendar-day limit is late by calendar days (late_workdays stays working days)
            stop = np.where(np.isnat(end_at), as_of, end_at)
            late_count = pd.Series((stop - deadline_at).astype("timedelta64[D]").astype("float64")).fillna(0).astype(int)
        late = late_count.astype(str).to_numpy(dtype=object)
        end_label, start_label = found.header(rule.end), found.header(rule.start)
        as_of_text = found.as_of.isoformat()
        if zh:
            unit = "个工作日" if working else "天"
            texts = [f"{start_label}未填写或不是有效日期",
                     end_label + end + "早于" + start_label + start,
                     end_label + end + "，期限" + deadline + "（超期" + late + unit + "）",
                     "尚未办结，期限" + deadline + f"已过（截至{as_of_text}已逾期" + late + unit + "）"]
        else:
            noun = ("working day", "working days") if working else ("day", "days")
            days_word = np.where(late == "1", " " + noun[0], " " + noun[1])
            texts = [f"{start_label} is blank or not a date",
                     end_label + " " + end + " is before " + start_label + " " + start,
                     end_label + " " + end + ", deadline " + deadline + " (" + late + days_word + " late)",
                     "still open, deadline " + deadline + " passed (" + late + days_word + f" overdue as of {as_of_text})"]
        out = np.where(reason == BLANK_START, texts[0], np.where(reason == END_BEFORE_START, texts[1],
                       np.where(reason == LATE, texts[2], texts[3])))
        return list(out)


def due_soon(deadline: np.ndarray, end_null: np.ndarray, as_of, calendar, within: int | None) -> np.ndarray:
    """Which rows are due soon: open (``end`` blank), deadline on or after ``as_of`` and not
    after the ``within``-th working day after ``as_of``::

        end IS NULL AND as_of <= deadline AND deadline <= add_workdays(as_of, within)

    A pure function of (deadline, end, as_of, calendar); all False when ``within`` is None."""
    if within is None:
        return np.zeros(len(deadline), dtype=bool)
    as_of = np.datetime64(as_of, "D").astype(DATE_DTYPE)
    horizon = calendar.add_workdays(pd.Timestamp(as_of).date(), int(within))
    horizon = np.datetime64(horizon, "D").astype(DATE_DTYPE) if horizon is not None and not pd.isna(horizon) else None
    known = ~np.isnat(deadline)
    soon = end_null & known & (deadline >= as_of)
    return soon & (deadline <= horizon) if horizon is not None else soon


def workdays_left(deadline: np.ndarray, end_null: np.ndarray, as_of, calendar) -> np.ndarray:
    """Working days from ``as_of`` to the deadline of each open row (float, NaN for closed
    rows and rows without a deadline): ``workdays(as_of, deadline)`` when the deadline is not
    past (0: due today), minus ``workdays(deadline, as_of)`` when it is (overdue)."""
    as_of = np.datetime64(as_of, "D").astype(DATE_DTYPE)
    n = len(deadline)
    out = np.full(n, np.nan)
    open_ = end_null & ~np.isnat(deadline)
    if not open_.any():
        return out
    at = np.flatnonzero(open_)
    d = deadline[at]
    today = np.full(len(at), as_of)
    ahead = pd.Series(calendar.workdays(pd.Series(today), pd.Series(d))).to_numpy(dtype=float, na_value=np.nan)
    behind = pd.Series(calendar.workdays(pd.Series(d), pd.Series(today))).to_numpy(dtype=float, na_value=np.nan)
    out[at] = np.where(d >= as_of, ahead, -behind)
    return out


def lights(reason: np.ndarray, soon: np.ndarray) -> np.ndarray:
    """red (late, overdue or invalid: any violation reason), yellow (due soon), green (the rest).
    An object array of the three words themselves (not a new text per row: 55 MB at 1M rows)."""
    light = filled(len(reason), GREEN)
    light[soon] = YELLOW
    light[reason > 0] = RED
    return light


def _iso(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).dt.strftime(ISO_DATE).fillna("").to_numpy(dtype=object)



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
        return np.where(nat, _nat(), ahead.astype("datetime64[D]").astype(DATE_DTYPE))


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




OPEN_COLUMNS = ["rule", "title", "dataset", "row", "sheet", "key", "department", "clock_start", "deadline",
                "workdays_left", "light"]


def open_rows(result, within: int | None = None, light: str | None = None) -> pd.DataFrame:
    """The open rows (``end`` blank, with a deadline) of every deadline rule of ``result``,
    fewest working days left first (overdue rows have a negative count); ``within`` keeps
    the rows with at most that many working days left, ``light`` those of that light. From
    the rules' row details: no second evaluation."""
    frames = []
    by_id = {r.id: r for r in result.rules}
    for rule_id, rows in (result.row_details or {}).items():
        if "workdays_left" not in rows.details:
            continue
        left = pd.array(rows.column("workdays_left"), dtype="Float64")
        keep = ~pd.isna(left)
        if within is not None:
            keep = keep & (left.fillna(np.inf) <= within)
        keep = np.asarray(keep, dtype=bool)
        if light is not None:
            keep &= np.asarray(rows.column("light"), dtype=object) == light
        if not keep.any():
            continue
        rule = by_id.get(rule_id)
        # only the rows kept are made into a frame (a million-row rule's open rows are few)
        part = rows.frame(np.flatnonzero(keep))[["row", "sheet", "key", "department", "clock_start", "deadline",
                                                  "light"]]
        key = part["key"]  # the row details keep it as Arrow text; the open rows give Python's, None if blank
        part["key"] = pd.Series(key.astype(object).where(key.notna(), None), index=part.index, dtype=object)
        part.insert(0, "rule", rule_id)
        part.insert(1, "title", rule.title if rule is not None else rule_id)
        part.insert(2, "dataset", rule.dataset if rule is not None else None)
        part["workdays_left"] = pd.array(left[keep], dtype="Float64").astype("Int64")
        frames.append(part)
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in OPEN_COLUMNS})
    out = pd.concat(frames, ignore_index=True)[OPEN_COLUMNS]
    return out.sort_values(["workdays_left", "deadline", "rule", "row"], kind="stable").reset_index(drop=True)
