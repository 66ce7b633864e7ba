"""``trend``: this period's rate must not fall below the previous result's (by more than ``min_change``).

The rate is the share of the population where ``expect`` is true, as for ``ratio``; last
period's figure is the rate of rule ``of`` (default: this rule's own id) in the result given
as ``--previous result.json`` (``audit(..., previous=...)``). The bounds are that figure plus
``min_change`` (default 0: no lower than before) and, if given, plus ``max_change``. Without a
previous result, or when it has no rate for that rule, the rule is not assessed (so leaving
the previous result out never helps). The rows where ``expect`` is not true are listed for
drill-down. Judged per division, a division's rate is held to the whole unit's previous rate
(a result holds no rates per division). Example::

    - id: DOC-INTERP-TREND
      title: 政策解读覆盖率不低于上年
      dataset: documents
      where: doc_type in ['normative', 'policy'] and disclosure == 'active'
      kind: trend
      expect: present(interpreted_on)
      of: DOC-INTERP-01          # last year's rate of this rule is the figure to keep
      min_change: -0.05          # a drop of up to 5 points is tolerated
      points: 2
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from ..expressions._lazy import Lazy
from ..models import RULE_ID_PATTERN, Deduct, RuleBase
from ..messages import PREVIOUS
from ..words import number_text, word
from . import text
from .base import Kind, RuleView, Verdict
from .condition import expect_context, expect_messages, expect_violations

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas


class TrendRule(RuleBase):
    kind: Literal["trend"]
    expect: str
    #: the rule whose rate in the previous result is the figure to compare with
    of: str | None = Field(default=None, pattern=RULE_ID_PATTERN)
    min_change: float = Field(default=0.0, ge=-1, le=1)
    max_change: float | None = Field(default=None, ge=-1, le=1)
    min: None = None
    max: None = None

    @model_validator(mode="after")
    def _changes(self) -> "TrendRule":
        if self.max_change is not None and self.max_change < self.min_change:
            raise ValueError("'max_change' must not be below 'min_change'")
        if self.max_change is not None and isinstance(self.scoring, Deduct):
            raise ValueError("a trend rule with 'max_change' cannot use deduct scoring; "
                             "use proportional or all_or_nothing")
        return self

    @property
    def expressions(self) -> dict[str, str]:
        return {**super().expressions, "expect": self.expect}

    @property
    def compared(self) -> str:
        return self.of or self.id


def _previous_rate(rule, previous: dict | None) -> float | None:
    """Last period's rate of rule ``of``: passed / decided from its counts (exact; the JSON's
    ``rate`` is rounded to 4 digits), else its ``rate``; None when it has neither."""
    entry = (previous or {}).get(rule.compared) or {}
    counts = [entry.get(k) for k in ("passed", "population", "pending")]
    if all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
        passed, population, pending = counts
        if population - pending > 0 and 0 <= passed <= population - pending:
            return passed / (population - pending)
    rate = entry.get("rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        return None
    return float(rate) if math.isfinite(rate) and 0 <= rate <= 1 else None


class Trend(Kind):
    name = "trend"
    Rule = TrendRule

    def bounds(self, rule) -> tuple[float | None, float | None]:
        return None, None  # known only with the previous result: each verdict carries its own

    def bound_texts(self, rule, lang: str) -> tuple[bool, str | None, str | None]:
        def grouped(change):
            return _change_text(change, lang) if change == 0 else f"({_change_text(change, lang)})"
        return True, grouped(rule.min_change), None if rule.max_change is None else grouped(rule.max_change)

    def pass_text(self, rule, lang: str) -> str:
        bounds = [word("describe_min", lang, v=_change_text(rule.min_change, lang))]
        if rule.max_change is not None:
            bounds.append(word("describe_max", lang, v=_change_text(rule.max_change, lang)))
        return word("pass_rate_bounds", lang, bounds=word("describe_and", lang).join(bounds))

    def missing(self, rule, view: RuleView) -> list[tuple[str, str | None]]:
        """(PREVIOUS, None) without a previous result; (PREVIOUS, the rule id) when it has no
        rate for the rule compared with."""
        if view.previous is None:
            return [(PREVIOUS, None)]
        return [] if _previous_rate(rule, view.previous) is not None else [(PREVIOUS, rule.compared)]

    def evaluate(self, view: RuleView) -> Verdict:
        verdict = expect_violations(view)
        verdict.bounds, verdict.facts = _bounds(view.rule, view.previous)
        return verdict

    def lower(self, view):
        from .sql import expect_violations as lowered

        verdict = lowered(view)
        verdict.bounds, verdict.facts = _bounds(view.rule, view.previous)
        return verdict

    def describe(self, rule, say) -> list[str]:
        change = ""
        if rule.min_change < 0:
            change = say.say("trend_drop", v=_points(-rule.min_change))
        elif rule.min_change > 0:
            change = say.say("trend_rise", v=_points(rule.min_change))
        if rule.max_change is not None:
            change += say.say("trend_cap", v=_points(rule.max_change))
        return [say.say("trend", expect=say.expression(rule.expect), of=rule.compared, change=change)]

    def summary(self, rule, result, lang: str) -> str:
        zh = lang == "zh"
        decided = result.population - result.pending
        before = text.percent(result.facts.get("previous_rate"))
        parts = [f"≥ {text.percent(result.threshold_min)}" if zh else f">= {text.percent(result.threshold_min)}"]
        if result.threshold_max is not None:
            parts.append(f"≤ {text.percent(result.threshold_max)}" if zh else f"<= {text.percent(result.threshold_max)}")
        if zh:
            return (f"比率{text.percent(result.rate)}（{decided}条中{result.passed}条符合），上期{before}，"
                    f"要求{'且'.join(parts)}")
        return (f"rate {text.percent(result.rate)} ({result.passed} of {decided} {text.noun(rule)}), "
                f"previously {before}, required {' and '.join(parts)}")

    def message_context(self, rule, expressions: dict, book) -> dict:
        return expect_context(rule, expressions, book)

    message_inputs = ("values",)  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        return expect_messages(found, idx, lang)


def _bounds(rule, previous: dict | None) -> tuple[tuple, dict]:
    """The rate bounds from last period's rate, and the facts the summary quotes."""
    before = _previous_rate(rule, previous)
    low = min(1.0, max(0.0, before + rule.min_change))
    high = None if rule.max_change is None else min(1.0, max(0.0, before + rule.max_change))
    return (low, high), {"previous_rate": before, "compared": rule.compared}


def _points(fraction: float) -> str:
    """A change of rate in percentage points (0.05 -> '5')."""
    return number_text(100 * fraction)


def _change_text(change: float, lang: str) -> str:
    """'the previous rate', or it less/plus ``change`` in percentage points."""
    base = word("trend_previous", lang)
    if change == 0:
        return base
    return word("trend_minus" if change < 0 else "trend_plus", lang, base=base, v=_points(abs(change)))
