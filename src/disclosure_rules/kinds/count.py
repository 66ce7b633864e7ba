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

from pydantic import field_validator, model_validator

from ..expressions._lazy import Lazy
from ..models import MAX_ROW_COUNT, RuleBase
from ..verdict import identities, identity_of
from ..words import number_text, word
from .text import bounds_text
from .base import Kind, RuleView, Verdict, filled
from .steps import group_counts

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())

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
            values = filled(view.n, ALL)
            found, counts = [ALL], [int(view.selected.sum())]
        else:
            values = identities(view.frame[rule.per], view.fields[rule.per])
            # groups in order of first appearance (value_counts without sorting), then by count
            tally = pd.Series(values[view.selected], dtype=object).value_counts(sort=False, dropna=True)
            found, counts = list(tally.index), tally.to_numpy(dtype=np.int64)
        groups, listed, counts = self._groups(rule, view.fields, found, counts)
        verdict = self._verdict(rule, groups, counts)
        if view.division is not None:
            group_code = pd.Index(groups).get_indexer(values)
            n_div = int(view.division.max(initial=-1)) + 1
            matrix = group_counts(group_code, view.selected, len(groups), view.division, n_div)
            present = np.zeros(n_div, dtype=bool)
            present[np.unique(view.division[view.selected & (view.division >= 0)])] = True
            verdict.by_division = self._by_division(rule, groups, listed, matrix, present,
                                                    view.department_field, view.division_values)
        return verdict

    def lower(self, view):
        """Rows per group: ``GROUP BY`` the group's identity among the selected rows (and per
        division); the listed groups and the bounds are applied to the (few) groups."""
        from sqlglot import exp

        from .sql import DIV, POS, SqlVerdict, col, identity_column, lit

        rule = view.rule
        table = view.source()
        selected = view.selected
        group = lit(ALL) if rule.per is None else col(identity_column(rule.per))
        keep = selected if rule.per is None else exp.and_(selected, exp.Not(this=exp.Is(this=group, expression=exp.null())))
        tally = exp.select(group.as_("grp"), exp.Count(this=exp.Star()).as_("n"), exp.func("min", col(POS)).as_("first")) \
            .from_(table).where(keep).group_by(group if rule.per is not None else lit(1))
        by_div = exp.select(col(DIV).as_("div"), group.as_("grp"), exp.Count(this=exp.Star()).as_("n")) \
            .from_(table).where(keep).group_by(col(DIV), group) if rule.per is not None else \
            exp.select(col(DIV).as_("div"), exp.Count(this=exp.Star()).as_("n")).from_(table).where(keep).group_by(col(DIV))
        present = exp.select(col(DIV).as_("div")).from_(table).where(selected).distinct()

        def assemble(fetch):
            got = fetch(tally, {"grp": "text", "n": "int", "first": "int"})
            if rule.per is None:
                found, counts = [ALL], [int(got["n"][0]) if len(got["n"]) else 0]
            else:
                first_seen = np.argsort(got["first"], kind="stable")
                found, counts = list(got["grp"][first_seen]), got["n"][first_seen]
            groups, listed, counts = self._groups(rule, view.fields, found, counts)
            verdict = self._verdict(rule, groups, counts)
            if view.has_division:
                n_div = len(view.division_values)
                cells = fetch(by_div, {"div": "int", "grp": "text", "n": "int"} if rule.per is not None
                              else {"div": "int", "n": "int"})
                matrix = np.zeros((n_div, len(groups)), dtype=np.int64)
                codes = pd.Index(groups).get_indexer(cells["grp"]) if rule.per is not None \
                    else np.zeros(len(cells["n"]), dtype=np.int64)
                matrix[cells["div"], codes] = cells["n"]
                present = np.zeros(n_div, dtype=bool)
                present[fetch(present_query, {"div": "int"})["div"]] = True
                verdict.by_division = self._by_division(rule, groups, listed, matrix, present,
                                                        view.department_field, view.division_values)
            return verdict

        present_query = present
        return SqlVerdict(tally, grouped=True, group_field=rule.per, assemble=assemble)

    def _groups(self, rule, fields, found: list, counts) -> tuple[np.ndarray, list, np.ndarray]:
        """The groups in order (by count, most first; ties in order of first appearance;
        then the listed groups with no row), the listed groups, and each group's count."""
        counts = np.asarray(counts, dtype=np.int64)
        order = np.argsort(-counts, kind="stable")
        found, counts = [found[i] for i in order], counts[order]
        listed = listed_groups(rule, fields[rule.per]) if rule.per is not None else []
        seen = set(found)
        extra = [g for g in dict.fromkeys(listed) if g not in seen]
        groups = np.asarray(found + extra, dtype=object)
        return groups, listed, np.concatenate([counts, np.zeros(len(extra), dtype=np.int64)])

    def _verdict(self, rule, groups: np.ndarray, counts: np.ndarray) -> Verdict:
        return Verdict(np.ones(len(groups), dtype=bool), self._outside(rule, counts),
                       details={"count": counts}, group=groups, group_field=rule.per)

    def _by_division(self, rule, groups: np.ndarray, listed: list, matrix: np.ndarray, present: np.ndarray,
                     department_field, division_values) -> Verdict:
        """One item per (division, group): each division's rows counted per group (``matrix``,
        division x group); a listed group a division has no row of counts 0 for it (for its
        own group only, when the groups are the divisions); only divisions ``present`` in the
        population answer."""
        index = {g: i for i, g in enumerate(groups)}
        n_div = len(present)
        counted = matrix > 0
        if listed:
            listed_codes = [index[g] for g in listed if g in index]
            if rule.per is not None and rule.per == department_field:
                own = pd.Index(groups).get_indexer(division_values[:n_div])
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


