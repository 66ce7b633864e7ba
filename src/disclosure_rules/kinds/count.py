"""``count``: per group, the number of rows must lie within ``min`` and/or ``max``.

The population is the groups: the values of ``per`` found in the selected rows plus those
listed in ``groups`` (without ``per``, one group: the whole population). A failing group's
finding carries the group value as its key and no row. Judged per division, a division
answers for the groups of its own rows (and, when ``per`` is the division field, only for
its own group). Example (from the built-in 2021 plan)::

    - id: MTG-02
      title: 专项公开工作须经会议研究部署
      dataset: meetings
      kind: count
      per: topic
      groups: [enforcement, service, market, land, finance, dual]   # a listed topic with no row counts 0
      min: 1                                     # each topic at least one meeting
      points: 2
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import field_validator, model_validator

from ..models import MAX_ROW_COUNT, RuleBase
from ..verdict import identities, identity_of
from ..words import number_text, word
from .text import bounds_text
from .base import Kind, RuleView, Verdict
from .steps import group_counts

ALL = "(all)"  # the one group of a count rule without ``per``


class CountRule(RuleBase):
    kind: Literal["count"]
    per: str | None = None
    groups: list[str] | None = None

    @field_validator("min", "max")
    @classmethod
    def _row_count(cls, v, info):
        if v is not None and not 0 <= v <= MAX_ROW_COUNT:
            raise ValueError(f"'{info.field_name}' of a count rule is a number of rows, "
                             f"0 to {MAX_ROW_COUNT}, got {v}")
        return v

    @model_validator(mode="after")
    def _bounds(self) -> "CountRule":
        if self.min is None and self.max is None:
            raise ValueError("a count rule needs 'min' and/or 'max' (row counts)")
        if self.groups and not self.per:
            raise ValueError("'groups' needs 'per' (the field whose values are the groups)")
        return self

    def named_fields(self) -> list[tuple[str, str]]:
        return [("per", self.per)] if self.per else []


def listed_groups(rule, spec) -> list:
    """The ``groups`` of a count rule as group identities (a label or code -> the code)."""
    if not rule.groups:
        return []
    if spec.type != "category":
        return [str(g) for g in rule.groups]
    return [identity_of(g, spec) for g in rule.groups]


class Count(Kind):
    name = "count"
    Rule = CountRule
    rate_word = "score_group_rate"
    thresholds_are_rates = False

    def pass_text(self, rule, lang: str) -> str:
        return word("pass_group_bounds" if rule.per else "pass_count_bounds", lang,
                    bounds=bounds_text(rule, lang, as_rate=False))

    def bounds(self, rule) -> tuple[float | None, float | None]:
        return None, None  # min/max are row counts, not rates: the rate is the share of groups in bounds

    def _outside(self, rule, counts: np.ndarray) -> np.ndarray:
        low = rule.min if rule.min is not None else -np.inf
        high = rule.max if rule.max is not None else np.inf
        return (counts < low) | (counts > high)

    def evaluate(self, view: RuleView) -> Verdict:
        rule = view.rule
        if rule.per is None:
            values = np.full(view.n, ALL, dtype=object)
            groups = np.array([ALL], dtype=object)
            counts = np.array([int(view.selected.sum())])
            listed: list = []
        else:
            values = identities(view.frame[rule.per], view.fields[rule.per])
            found = pd.Series(values[view.selected], dtype=object).value_counts(dropna=True)
            listed = listed_groups(rule, view.fields[rule.per])
            extra = [g for g in dict.fromkeys(listed) if g not in found.index]
            groups = np.asarray(list(found.index) + extra, dtype=object)
            counts = np.concatenate([found.to_numpy(dtype=np.int64), np.zeros(len(extra), dtype=np.int64)])
        verdict = Verdict(np.ones(len(groups), dtype=bool), self._outside(rule, counts),
                          details={"count": counts}, group=groups, group_field=rule.per)
        if view.division is not None:
            verdict.by_division = self._by_division(view, values, groups, listed)
        return verdict

    def _by_division(self, view: RuleView, values: np.ndarray, groups: np.ndarray, listed: list) -> Verdict:
        """One item per (division, group): each division's rows counted per group; a listed
        group a division has no row of counts 0 for it (for its own group only, when the
        groups are the divisions)."""
        rule = view.rule
        index = {g: i for i, g in enumerate(groups)}
        group_code = pd.Index(groups).get_indexer(values)
        division = view.division
        n_div = int(division.max(initial=-1)) + 1
        matrix = group_counts(group_code, view.selected, len(groups), division, n_div)
        present = np.zeros(n_div, dtype=bool)
        present[np.unique(division[view.selected & (division >= 0)])] = True
        counted = matrix > 0
        if listed:
            listed_codes = [index[g] for g in listed if g in index]
            if rule.per is not None and rule.per == view.department_field:
                own = pd.Index(groups).get_indexer(view.division_values[:n_div])
                for code in listed_codes:
                    counted[:, code] |= own == code
            else:
                counted[:, listed_codes] = True
        counted &= present[:, None]
        div, grp = np.nonzero(counted)
        counts = matrix[div, grp]
        return Verdict(np.ones(len(div), dtype=bool), self._outside(rule, counts),
                       group=groups[grp], group_field=rule.per, division=div)

    def describe(self, rule, say) -> list[str]:
        per = say.say("count_per", per=say.field(rule.per)) if rule.per else ""
        lines = [say.say("count", per=per, bounds=say.bounds(rule, as_rate=False))]
        if rule.groups:
            lines.append(say.say("count_groups", groups=say.sep.join(say.label(rule.per, g) for g in rule.groups)))
        return lines

    def summary(self, rule, result, lang: str) -> str:
        p, v = result.population, result.violations
        return f"{p}个分组中{v}个不符合数量要求" if lang == "zh" else f"{v} of {p} group(s) outside the expected count"

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        rule = found.rule
        names = found.key[idx]
        counts = found.details["count"][idx]
        out = []
        for name, count in zip(names, counts):
            low = rule.min is not None and count < rule.min
            if lang == "zh":
                bound = f"应不少于{number_text(rule.min)}条" if low else f"应不多于{number_text(rule.max)}条"
                where = f"{found.header(rule.per)}“{name}”：" if rule.per else ""
                out.append(f"{where}{count}条，{bound}")
            else:
                bound = f"at least {number_text(rule.min)}" if low else f"at most {number_text(rule.max)}"
                where = f"{found.header(rule.per)} {name}: " if rule.per else ""
                out.append(f"{where}{count} record(s), expected {bound}")
        return out


