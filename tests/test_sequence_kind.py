"""The sequence kind (办理环节日期顺序) against a plain loop over each record's steps.

A record is out of order when some filled step is dated before the latest filled step
before it; blanks are skipped. The message names the first such step (``later``) and the
first earlier step holding that latest date (``earlier``); both are 0 for a record in order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.kinds import REGISTRY, RuleView
from disclosure_rules.kinds.sequence import SequenceRule

STEPS = ["a", "b", "c", "d", "e"]
DAY = st.one_of(st.none(), st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2021, 1, 8)))


def naive(days: list) -> tuple[bool, int, int]:
    """(out of order, later, earlier) of one record, step by step."""
    latest = None
    for j, day in enumerate(days):
        if day is None:
            continue
        if latest is not None and day < latest:
            earlier = next(i for i in range(j) if days[i] == latest)
            return True, j, earlier
        if latest is None or day > latest:
            latest = day
    return False, 0, 0


@settings(max_examples=150, deadline=None)
@given(records=st.lists(st.lists(DAY, min_size=len(STEPS), max_size=len(STEPS)), min_size=1, max_size=40),
       selected=st.data())
def test_sequence_matches_a_loop_over_steps(records, selected):
    """Out of order, and the pair the message names, equal the loop's for every record;
    only selected rows violate."""
    frame = pd.DataFrame({name: pd.to_datetime(pd.Series([r[j] for r in records], dtype=object))
                          .astype("datetime64[s]") for j, name in enumerate(STEPS)})
    chosen = np.array(selected.draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records))))
    rule = SequenceRule.model_validate({"id": "SEQ", "title": "t", "dataset": "x", "kind": "sequence",
                                        "fields": STEPS, "points": 1})
    view = RuleView(rule=rule, frame=frame, fields={}, expressions={}, ctx=None, selected=chosen,
                    as_of=pd.Timestamp("2021-12-31"), calendar=None)
    verdict = REGISTRY["sequence"].evaluate(view)
    expected = [naive(r) for r in records]
    assert verdict.violation.tolist() == [bad and keep for (bad, _, _), keep in zip(expected, chosen)]
    assert verdict.details["later"].tolist() == [later for _, later, _ in expected]
    assert verdict.details["earlier"].tolist() == [earlier for _, _, earlier in expected]
