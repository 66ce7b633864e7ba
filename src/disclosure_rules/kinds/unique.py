"""``unique``: a row violates when it repeats the value combination of an earlier row.

Rows blank in every listed field never make a duplicate. Judged per division, a row
repeats only a row of its own division. Example (from the built-in 2021 plan)::

    - id: REQ-REG-02
      title: 申请登记编号唯一
      dataset: requests
      kind: unique
      fields: [request_id]                       # no two requests share a 编号
      points: 2
      scoring: {deduct: 1, max: 2}
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..expressions._lazy import Lazy
from ..models import RuleBase
from . import text
from .base import Kind, RuleView, Verdict
from .steps import repeats

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())


class UniqueRule(RuleBase):
    kind: Literal["unique"]
    fields: list[str] = Field(min_length=1)
    min: None = None
    max: None = None

    def named_fields(self) -> list[tuple[str, str]]:
        return [("fields", f) for f in self.fields]


class Unique(Kind):
    name = "unique"
    Rule = UniqueRule

    def evaluate(self, view: RuleView) -> Verdict:
        repeat, first, within = repeats(view.frame, view.rule.fields, view.selected, view.division)
        by_division = None if within is None else Verdict(view.selected.copy(), within)
        # the spreadsheet row of the earlier record each repeat repeats (for the message)
        first_row = np.where(first >= 0, view.rows[np.maximum(first, 0)], -1)
        return Verdict(view.selected.copy(), repeat, details={"first_row": first_row}, by_division=by_division)

    def lower(self, view):
        """``ROW_NUMBER() OVER (PARTITION BY fields ORDER BY __pos) > 1`` among the selected
        rows not blank in every field (and within each division, partitioned by it too)."""
        from sqlglot import exp

        from .sql import DIV, POS, ROW, SqlVerdict, all_blank, case, col, lit, subquery_from, window

        fields = [col(f) for f in view.rule.fields]
        number = window(exp.RowNumber(), fields, col(POS))
        first = window(exp.FirstValue(this=col(ROW)), fields, col(POS))
        inner = [col(POS), number.as_("rn"), first.as_("first_row")]
        if view.has_division:
            inner.append(window(exp.RowNumber(), [col(DIV), *fields], col(POS)).as_("rn_div"))
        candidates = exp.select(*inner).from_(view.source()) \
            .where(exp.and_(view.selected, exp.Not(this=exp.paren(all_blank(view.rule.fields)))))
        repeat = exp.GT(this=col("rn", "s"), expression=lit(1))
        selected = view.selected
        columns = [selected.as_("in_population"),
                   exp.Coalesce(this=repeat, expressions=[exp.false()]).as_("violation"),
                   exp.Coalesce(this=case((repeat, col("first_row", "s"))), expressions=[lit(-1)]).as_("first_row")]
        if view.has_division:
            columns.append(exp.Coalesce(this=exp.GT(this=col("rn_div", "s"), expression=lit(1)),
                                        expressions=[exp.false()]).as_("within"))
        query = exp.select(col(POS, "t"), *columns) \
            .from_(view.source()) \
            .join(subquery_from(candidates, "s"), on=exp.EQ(this=col(POS, "t"), expression=col(POS, "s")),
                  join_type="left")
        verdict = SqlVerdict(query, details={"first_row": "int"})
        if view.has_division:
            within = SqlVerdict(exp.select(col(POS), col("in_population"), col("within").as_("violation"))
                                .from_(subquery_from(query, "u")))
            verdict.by_division = within
        return verdict

    def describe(self, rule, say) -> list[str]:
        return [say.say("unique", fields=say.fields(rule.fields))]

    def summary(self, rule, result, lang: str) -> str:
        p, v = result.population, result.violations
        return f"{p}条中{v}条与前面的记录重复" if lang == "zh" else f"{v} of {p} {text.noun(rule)} repeat an earlier record"

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        zh = lang == "zh"
        first_rows = pd.Series(found.details["first_row"][idx]).astype(str)
        values = None
        for name in found.rule.fields:
            part = found.header(name) + "=" + found.shown(name, idx, lang)
            values = part if values is None else values + ("，" if zh else ", ") + part
        if zh:
            return ("与第" + first_rows + "行重复（" + values + "）").tolist()
        return ("repeats " + values + " of row " + first_rows).tolist()
