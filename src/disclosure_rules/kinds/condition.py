"""``condition``: a row violates when ``expect`` is not true (unknown counts as a violation).

Example (from the built-in 2021 plan)::

    - id: DOC-ATTR-04
      title: 公开属性须经办公室审核后随文报批
      dataset: documents
      kind: condition
      expect: attr_reviewed_on <= issued_on      # blank dates are unknown: a violation
      points: 3
"""

from __future__ import annotations

from typing import Literal

from ..expressions._lazy import Lazy
from ..models import RateRule
from . import text
from .base import Kind, RuleView, Verdict, rate_min_line

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())


class ConditionRule(RateRule):
    kind: Literal["condition"]
    expect: str
    max: None = None

    @property
    def expressions(self) -> dict[str, str]:
        return {**super().expressions, "expect": self.expect}


def expect_violations(view: RuleView) -> Verdict:
    """Rows of the population where ``expect`` is not true (false or unknown)."""
    true, _unknown = view.expressions["expect"].mask(view.ctx)
    return Verdict(view.selected.copy(), view.selected & ~true)


def expect_context(rule, expressions: dict, book) -> dict:
    """What expect_messages needs: the expectation as written, its fields, and in words."""
    from ..explain import render_tree

    expect = expressions["expect"]
    return {"expect": expect.source, "expect_fields": expect.fields,
            "expect_zh": render_tree(expect.tree, rule, book, "zh"),
            # the tree and how to read a part of it, for messages that say what is wrong (failure.py)
            "expect_tree": expect.tree,
            "describe": lambda node, lang: render_tree(node, rule, book, lang),
            # the plan period, and the calendar for messages of workdays()/add_workdays() (failure.py)
            "constants": {**_period_constants(book), "calendar": book.calendar if book is not None else None}}


def _period_constants(book) -> dict:
    import pandas as pd

    period = book.rulebook.period if book is not None else None
    return {"period_start": pd.Timestamp(period.start) if period else None,
            "period_end": pd.Timestamp(period.end) if period else None}


def expect_messages(found, idx: np.ndarray, lang: str) -> list[str]:
    """What is wrong with each row, in the ledger's words (expressions/failure.py); else
    'expected <expect>; got <field>=<value>, ...' for the first four fields ``expect`` reads."""
    if "expect_tree" in found.context:
        from ..expressions.failure import failure_messages

        describe = found.context["describe"]
        said = failure_messages(found, idx, lang, found.context["expect_tree"], lambda node: describe(node, lang),
                                found.context.get("constants"))
        if said is not None:
            return said
    zh = lang == "zh"
    head = f"不符合：{found.context['expect_zh']}" if zh else f"expected {found.context['expect']}"
    out = pd.Series([head] * len(idx), dtype=object)
    names = found.context["expect_fields"][:4]
    if names:
        out = out + ("；实际 " if zh else "; got ")
        for j, name in enumerate(names):
            out = out + (("，" if zh else ", ") if j else "") + found.header(name) + "=" + found.shown(name, idx, lang)
    return out.tolist()


class Condition(Kind):
    name = "condition"
    Rule = ConditionRule
    rowwise = True

    def evaluate(self, view: RuleView) -> Verdict:
        return expect_violations(view)

    def lower(self, view):
        from .sql import expect_violations as lowered

        return lowered(view)

    def describe(self, rule, say) -> list[str]:
        return [say.say("condition", expect=say.expression(rule.expect)), *rate_min_line(rule, say)]

    def summary(self, rule, result, lang: str) -> str:
        return text.rows_failing(rule, result, lang)

    def message_context(self, rule, expressions: dict, book) -> dict:
        return expect_context(rule, expressions, book)

    message_inputs = ("values",)  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        return expect_messages(found, idx, lang)
