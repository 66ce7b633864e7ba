"""``required``: a row violates when any listed field is blank.

Example (from the built-in 2021 plan)::

    - id: DOC-ATTR-02
      title: 依申请公开、不予公开须说明依据和理由
      dataset: documents
      kind: required
      where: disclosure in ['on_request', 'not_public']
      fields: [disclosure_basis, disclosure_reason]   # a blank 依据 or 理由 violates
      points: 5
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..expressions._lazy import Lazy
from ..models import RateRule
from . import text
from .base import Kind, RuleView, Verdict, rate_min_line

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())


class RequiredRule(RateRule):
    kind: Literal["required"]
    fields: list[str] = Field(min_length=1)
    max: None = None

    def named_fields(self) -> list[tuple[str, str]]:
        return [("fields", f) for f in self.fields]


class Required(Kind):
    name = "required"
    Rule = RequiredRule
    rowwise = True

    def evaluate(self, view: RuleView) -> Verdict:
        blank = np.zeros(view.n, dtype=bool)
        for name in view.rule.fields:
            blank |= view.frame[name].isna().to_numpy()
        return Verdict(view.selected.copy(), view.selected & blank)

    def lower(self, view):
        from sqlglot import exp

        from .sql import SqlVerdict, any_blank

        selected = view.selected
        return SqlVerdict(view.rows(selected.as_("in_population"),
                                    exp.and_(selected, exp.paren(any_blank(view.rule.fields))).as_("violation")))

    def describe(self, rule, say) -> list[str]:
        return [say.say("required", fields=say.fields(rule.fields)), *rate_min_line(rule, say)]

    def summary(self, rule, result, lang: str) -> str:
        return text.rows_failing(rule, result, lang)

    message_inputs = ("values",)  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        zh = lang == "zh"
        sep = "、" if zh else ", "
        out = pd.Series([""] * len(idx), dtype=object)
        for name in found.rule.fields:
            blank = found.values[name].iloc[idx].isna().to_numpy()
            out = out + np.where(blank, found.header(name) + sep, "")
        return (("未填写：" if zh else "blank: ") + out.str.removesuffix(sep)).tolist()
