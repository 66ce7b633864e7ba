"""``sequence``: a row violates when two present dates are out of process order.

Example (from the built-in 2021 plan, shortened)::

    - id: REQ-SEQ-01
      title: 按登记、受理、补正、征求意见、提出办理意见、作出决定、报批、送达的流程办理
      dataset: requests
      kind: sequence
      fields: [received_on, registered_on, accepted_on, replied_on]   # in process order
      points: 2
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..expressions._lazy import Lazy
from ..expressions import column_value
from ..models import RuleBase
from . import text
from .base import Kind, RuleView, Verdict

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas


class SequenceRule(RuleBase):
    kind: Literal["sequence"]
    fields: list[str] = Field(min_length=2)
    min: None = None
    max: None = None

    def named_fields(self) -> list[tuple[str, str]]:
        return [("fields", f) for f in self.fields]


class Sequence(Kind):
    name = "sequence"
    Rule = SequenceRule
    rowwise = True

    def check(self, rule, fields: dict) -> list[tuple[str, str]]:
        return [(f"rule {rule.id}: sequence field {value!r} must be a date field", "fields")
                for value in rule.fields if value in fields and fields[value].type != "date"]

    def evaluate(self, view: RuleView) -> Verdict:
        """``details['later']`` / ``details['earlier']`` give the indexes (into ``fields``) of
        the first out-of-order pair, for the message."""
        fields = view.rule.fields
        steps = [column_value(view.frame[f], "date").data.astype(np.int64) for f in fields]
        nat = np.iinfo(np.int64).min                              # NaT is the smallest int64
        # step j (from the second on) is bad when present, some earlier step is present, and it
        # is before the running maximum of the earlier steps; column by column (a row-wise
        # accumulate over a rows x steps matrix is strided, and several times slower)
        running = steps[0]
        out_of_order = np.zeros(len(running), dtype=bool)
        later = np.zeros(len(running), dtype=np.int64)
        target = np.zeros(len(running), dtype=np.int64)       # the running maximum `later` is before
        for j, step in enumerate(steps[1:], 1):
            bad = (step != nat) & (running != nat) & (step < running)
            first = bad & ~out_of_order
            later[first], target[first] = j, running[first]
            out_of_order |= bad
            running = np.maximum(running, step)
        violation = out_of_order & view.selected
        earlier = np.zeros(len(running), dtype=np.int64)
        at = np.flatnonzero(out_of_order)  # the message's pair, for the rows out of order only
        if len(at):
            # the earliest step before `later` holding that running maximum
            found = np.zeros(len(at), dtype=bool)
            earlier_at = np.zeros(len(at), dtype=np.int64)
            for i, step in enumerate(steps[:-1]):
                hit = ~found & (i < later[at]) & (step[at] == target[at])
                earlier_at[hit], found = i, found | hit
            earlier[at] = earlier_at
        return Verdict(view.selected.copy(), violation, details={"later": later, "earlier": earlier})

    def lower(self, view):
        """Per step j: bad when present, some earlier step is present and the step is before
        the running maximum of the earlier steps; ``later`` the first bad step, ``earlier``
        the first step before it holding that maximum."""
        from sqlglot import exp

        from .sql import SqlVerdict, case, col, lit, true_or_false

        steps = [col(f) for f in view.rule.fields]
        prior = [None] + [steps[0] if j == 1 else exp.func("greatest", *steps[:j]) for j in range(1, len(steps))]
        bad = [None] + [true_or_false(exp.LT(this=steps[j], expression=prior[j])) for j in range(1, len(steps))]
        later = case(*[(bad[j], lit(j)) for j in range(1, len(steps))], default=lit(0))
        earlier = case(*[(bad[j], case(*[(true_or_false(exp.EQ(this=steps[i], expression=prior[j])), lit(i))
                                          for i in range(j)], default=lit(0)))
                         for j in range(1, len(steps))], default=lit(0))
        selected = view.selected
        return SqlVerdict(view.rows(selected.as_("in_population"),
                                    exp.and_(selected, exp.paren(exp.or_(*bad[1:]))).as_("violation"),
                                    later.as_("later"), earlier.as_("earlier")),
                          details={"later": "int", "earlier": "int"})

    def describe(self, rule, say) -> list[str]:
        return [say.say("sequence", fields=say.fields(rule.fields, say.say("arrow")))]

    def summary(self, rule, result, lang: str) -> str:
        p, v = result.population, result.violations
        return (f"{p}条中{v}条办理环节日期顺序颠倒" if lang == "zh"
                else f"{v} of {p} {text.noun(rule)} have steps dated out of order")

    message_inputs = ("values", "details")  # what its messages read (Kind.message_inputs)

    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        later = found.details["later"][idx]
        earlier = found.details["earlier"][idx]
        fields = found.rule.fields
        texts = np.stack([found.shown(f, idx, lang).to_numpy(dtype=object) for f in fields], axis=1)
        labels = np.array([found.header(f) for f in fields], dtype=object)
        at = np.arange(len(idx))
        later_value, earlier_value = texts[at, later], texts[at, earlier]
        joiner, space = ("早于", "") if lang == "zh" else (" is before ", " ")
        return list(labels[later] + space + later_value + joiner + labels[earlier] + space + earlier_value)
