"""Scoring (DESIGN §7): pure functions over counts.

Formulas
--------
* rate = passed / decided, where decided = population - pending (None when nothing
  is decided).
* status: ``not_assessed`` (dataset or field missing) and ``not_applicable`` (empty
  population) are decided by the engine; otherwise a ``ratio`` rule passes iff
  min <= rate <= max, a ``count`` rule iff every group is in bounds, and the other
  kinds iff they have no violations, or iff rate >= min when they give ``min``.
  A rule whose population is all pending has no violations and passes.
* proportional: points x min(1, rate / min) when the rule has a rate ``min``, else
  points x rate (rate None, i.e. nothing decided yet: full points).
  Choice where DESIGN is silent: a ratio rule with only ``max`` gets
  points x min(1, (1 - rate) / (1 - max)), the mirror image of the ``min`` formula
  (points x rate would reward the very thing the ``max`` limits); a ratio above
  ``max`` with a ``min`` too is scored the same way. A ``count`` rule's min/max are
  row counts, not rates, so it scores points x (groups in bounds / groups).
* all_or_nothing: points if the status is pass (or warn), else 0.
* {deduct: X, max: Y}: points - min(Y, X x violations), not below 0; Y defaults to points.
* percent = 100 x sum(awarded) / sum(possible) over rules with status pass or fail
  (None when nothing could be scored).
* coverage = the points of assessed rules (pass, fail, not_applicable) / the points of
  all enabled rules (1.0 when no rule carries points): only a rule that could not be
  assessed (``not_assessed``, or ``error``) lowers it.
* strict_percent = 100 x sum(awarded) / (sum(possible) + the points of the rules that
  could not be assessed): what was not shown counts as not done. Choice where DESIGN is
  silent: a rule in ``error`` counts like ``not_assessed`` here, so a rule that cannot be
  evaluated never helps.
* The grade is the band of ``percent`` when coverage >= the rulebook's ``min_coverage``
  (default 1.0), otherwise the band of ``strict_percent`` (``graded_on`` says which).
  Since strict_percent with data missing is never above percent with the data, leaving
  a ledger out cannot raise the grade.
* bonus rules (``bonus: true``) are in no possible, coverage or strict figure; what they
  earn is capped by ``rulebook.bonus.max`` and given only when the grading percent is at
  least ``rulebook.bonus.min_percent`` (``bonus_of``); total = grading percent + bonus, and
  the grade is the band of total (``final_grade``).
* a failing veto rule (``veto: true``, 单项否决) makes the grade the lowest band whatever
  the score (``vetoed_by`` lists them); a veto rule in warn passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .expressions._lazy import Lazy
from .models import Deduct
from .words import Status

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())

#: statuses whose points count in ``possible`` (DESIGN §7)
SCORED = (Status.PASS, Status.WARN, Status.FAIL)
#: statuses whose points are "covered": the rule could be judged on the data given
COVERED = SCORED + (Status.NOT_APPLICABLE,)


@dataclass(frozen=True)
class Counts:
    """What a verdict counts for one rule (in a book, a section's rule or a division's)."""

    population: int
    violations: int
    pending: int = 0
    waived: int = 0

    @property
    def passed(self) -> int:
        return self.population - self.violations - self.pending

    @property
    def decided(self) -> int:
        return self.population - self.pending


@dataclass(frozen=True)
class Score:
    """A rule's status and points: a pure value of its bounds, scoring, points and counts."""

    status: str
    rate: float | None
    awarded: float
    possible: float


def _finite(value: float | None) -> float | None:
    """None instead of a number that is not finite (no NaN or infinity reaches the JSON)."""
    return value if value is None or math.isfinite(value) else None


def rate_of(passed: int, decided: int) -> float | None:
    return _finite(passed / decided) if decided > 0 else None


def status_of(bounds: tuple[float | None, float | None], violations: int, rate: float | None,
              warn: tuple[float | None, float | None] = (None, None)) -> str:
    """pass iff the rate is within the rate bounds (nothing decided: pass); without bounds
    iff there are no violations. A passing rate below ``warn``'s lower line (above its upper
    line) is ``warn`` (DESIGN §6: the warn tier, scored as a pass)."""
    tmin, tmax = bounds
    if tmin is None and tmax is None:
        return Status.PASS if violations == 0 else Status.FAIL
    if rate is None:
        return Status.PASS
    ok = (tmin is None or rate >= tmin - 1e-12) and (tmax is None or rate <= tmax + 1e-12)
    if not ok:
        return Status.FAIL
    wmin, wmax = warn
    if (wmin is not None and rate < wmin - 1e-12) or (wmax is not None and rate > wmax + 1e-12):
        return Status.WARN
    return Status.PASS


def warn_line(rule) -> tuple[float | None, float | None]:
    """The rule's warn line as (lower, upper) rates; (None, None) for a rule without ``warn``."""
    line = getattr(rule, "warn_bound", None)
    return line() if line is not None else (None, None)


def factor_of(bounds: tuple[float | None, float | None], rate: float) -> float:
    """The share of its points a proportional rule earns at ``rate``."""
    tmin, tmax = bounds
    if tmax is not None and rate > tmax:
        factor = (1 - rate) / (1 - tmax) if tmax < 1 else 1.0
    elif tmin is not None:
        factor = rate / tmin if tmin > 0 else 1.0
    elif tmax is not None:
        factor = 1.0
    else:
        factor = rate
    return max(0.0, min(1.0, factor))


def awarded_points(points: float, scoring, bounds, status: str, violations: int, rate: float | None) -> float:
    """Points a scored (pass/fail) rule earns."""
    points = float(points)
    if isinstance(scoring, Deduct):
        cap = points if scoring.max is None else scoring.max
        return max(0.0, points - min(cap, scoring.deduct * violations))
    if scoring == "all_or_nothing":
        return points if status in (Status.PASS, Status.WARN) else 0.0
    if rate is None:
        return points
    return points * factor_of(bounds, rate)


def score(bounds: tuple[float | None, float | None], scoring, points: float, counts: Counts,
          warn: tuple[float | None, float | None] = (None, None)) -> Score:
    """The status and points of a rule with these bounds (and warn line), scoring and points,
    on these counts."""
    rate = rate_of(counts.passed, counts.decided)
    if counts.population == 0:
        return Score(Status.NOT_APPLICABLE, rate, 0.0, 0.0)
    status = status_of(bounds, counts.violations, rate, warn)
    return Score(status, rate, awarded_points(points, scoring, bounds, status, counts.violations, rate),
                 float(points))


def percent_of(awarded: float, possible: float) -> float | None:
    return _finite(100.0 * awarded / possible) if possible > 0 else None


def rollup(scores: pd.DataFrame, by: str | None = None, groups=None) -> pd.DataFrame:
    """awarded, possible and percent over the scored rules (pass, warn, fail) of each ``by``
    group (of the whole frame when ``by`` is None): the one rollup of the book, its sections
    and its divisions. ``scores`` has columns status, awarded, possible (and ``by``); ``groups``
    lists the groups in order, those without a rule included (default: as found)."""
    scored = scores[scores["status"].isin(SCORED)]
    if by is None:
        totals = pd.DataFrame({"awarded": [float(scored["awarded"].sum())],
                               "possible": [float(scored["possible"].sum())]})
    else:
        groups = pd.Index(pd.unique(scores[by]) if groups is None else list(groups), name=by)
        sums = scored.groupby(by, sort=False)[["awarded", "possible"]].sum()
        totals = sums.reindex(groups, fill_value=0.0).astype(float).reset_index()
    possible = totals["possible"].to_numpy(dtype=float)
    totals["percent"] = np.where(possible > 0, 100 * totals["awarded"] / np.where(possible > 0, possible, 1), np.nan)
    return totals


def grade_of(percent: float | None, grades) -> str | None:
    if percent is None:
        return None
    for band in grades:
        if percent >= band.min - 1e-9:
            return band.label
    return grades[-1].label if grades else None


def coverage_of(covered_points: float, total_points: float) -> float:
    coverage = covered_points / total_points if total_points > 0 else 1.0
    return coverage if math.isfinite(coverage) else 1.0


def grading(percent: float | None, strict_percent: float | None, coverage: float,
            min_coverage: float) -> tuple[str, float | None]:
    """(graded_on, the figure the grade comes from)."""
    if coverage >= min_coverage - 1e-12:
        return "percent", percent
    return "strict_percent", strict_percent


def bonus_of(earned: float, grading_percent: float | None, spec) -> float:
    """The bonus a unit gets (DESIGN §7): what its bonus rules earned, capped by
    ``rulebook.bonus.max`` and given only when the grading percent is at least
    ``rulebook.bonus.min_percent`` (``spec`` None: no cap, no threshold)."""
    if earned <= 0 or grading_percent is None:
        return 0.0
    if spec is not None and grading_percent < spec.min_percent - 1e-9:
        return 0.0
    cap = None if spec is None else spec.max
    return float(earned if cap is None else min(cap, earned))


def total_of(grading_percent: float | None, bonus: float) -> float | None:
    """``score.total`` = the grading percent + the bonus (None when nothing could be scored)."""
    return None if grading_percent is None else _finite(grading_percent + bonus)


def vetoed_by(rules) -> list[str]:
    """The ids of the veto rules (单项否决) that failed: ``rules`` are (id, veto, status)."""
    return [rule_id for rule_id, veto, status in rules if veto and status == Status.FAIL]


def final_grade(total: float | None, vetoes: list[str], grades) -> str | None:
    """The band of ``total``; the lowest band whatever the score when a veto rule failed."""
    if vetoes and grades:
        return grades[-1].label
    return grade_of(total, grades)
