"""``ratio``: the share of rows where ``expect`` is true must lie within ``min`` and/or ``max``.

The rows where it is not true are listed for drill-down. Example (from the built-in 2021 plan)::

    - id: DOC-INTERP-05
      title: 多渠道政策解读量不少于50%
      dataset: documents
      where: doc_type in ['normative', 'policy'] and disclosure == 'active'
      kind: ratio
      expect: size(interpretation_channels) >= 2
      min: 0.5                                   # at least half use two channels or more
      points: 4
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ..expressions._lazy import Lazy
from ..models import Deduct, RateRule
from ..words import word
from . import text
from .base import Kind, RuleView, Verdict
from .condition import expect_context, expect_messages, expect_violations

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas


class RatioRule(RateRule):
    kind: Literal["ratio"]
    expect: str

    @model_validator(mode="after")
    def _bounds(self) -> "RatioRule":
        if self.min is None and self.max is None:
            raise ValueError("a ratio rule needs 'min' and/or 'max'")
        if self.max is not None and isinstance(self.scoring, Deduct):
            # rows where `expect` is not true are the violations; under a `max` bound those
            # are the rows the bound allows, so deducting per violation would reward failing
            raise ValueError("a ratio rule with 'max' cannot use deduct scoring; "
                             "use proportional or all_or_nothing")
        return self

    @property
    def expressions(self) -> dict[str, str]:
        return {**super().expressions, "expect": self.expect}


class Ratio(Kind):
    name = "ratio"
    Rule = RatioRule
    rowwise = True

    def bounds(self, rule) -> tuple[float | None, float | None]:
        return rule.min, rule.max

    def pass_text(self, rule, lang: str) -> str:
        return word("pass_rate_bounds", lang, bounds=text.bounds_text(rule, lang, as_rate=True))

    def evaluate(self, view: RuleView) -> Verdict:
        return expect_violations(view)

    def lower(self, view):
        from .sql import expect_violations as lowered

        return lowered(view)

    def describe(self, rule, say) -> list[str]:
        return [say.say("ratio", expect=say.expression(rule.expect), bounds=say.bounds(rule, as_rate=True))]

    def summary(self, rule, result, lang: str) -> str:
        zh = lang == "zh"
        decided = result.population - result.pending
        parts = []
        if rule.min is not None:
            parts.append(f"≥ {text.percent(rule.min)}" if zh else f">= {text.percent(rule.min)}")
        if rule.max is not None:
            parts.append(f"≤ {text.percent(rule.max)}" if zh else f"<= {text.percent(rule.max)}")
        if zh:
            return f"比率{text.percent(result.rate)}（{decided}条中{result.passed}条符合），要求{'且'.join(parts)}"
        return (f"rate {text.percent(result.rate)} ({result.passed} of {decided} {text.noun(rule)}), "
                f"required {' and '.join(parts)}")

    def message_context(self, rule, expressions: dict, book) -> dict:
        return expect_context(rule, expressions, book)

    message_inputs = ("values",)  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        return expect_messages(found, idx, lang)
