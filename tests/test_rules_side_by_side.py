"""The in-memory engine evaluates each dataset's rules in a thread of its own. What a user
sees must be exactly what one-after-the-other evaluation gives: every figure, finding,
warning and progress line in the rulebook's order, and the same refusal."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from disclosure_rules import audit, engine
from disclosure_rules.calendar import CalendarError, WorkCalendar
from disclosure_rules.rulebook import rulebook_from_dict
from ledgers import AS_OF, BOOK, waivers, write_ledgers


def _one_after_the_other(monkeypatch):
    evaluations = engine._evaluations
    monkeypatch.setattr(engine, "_evaluations",
                        lambda rules, evaluate, side_by_side, release=None: evaluations(rules, evaluate, False,
                                                                                         release))


def _everything(result) -> str:
    shown = result.to_dict(None)  # every finding, not the first 1,000 of a rule
    shown["tool"].pop("elapsed", None)
    shown.pop("generated_at", None)
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)


@pytest.mark.parametrize("hostile", [False, True])
def test_side_by_side_gives_the_result_of_one_after_the_other(tmp_path, monkeypatch, hostile):
    """The whole result (scores, findings and their messages, divisions, deadline lights,
    warnings) and the progress lines are those of evaluating the rules one after the other,
    on clean ledgers and on ledgers full of odd values, with waivers."""
    paths = write_ledgers(tmp_path, n_docs=400, hostile=hostile)
    said: list[str] = []
    together = audit(BOOK, paths, as_of=AS_OF, waivers=waivers(hostile), progress=said.append)
    _one_after_the_other(monkeypatch)
    said_apart: list[str] = []
    apart = audit(BOOK, paths, as_of=AS_OF, waivers=waivers(hostile), progress=said_apart.append)
    assert _everything(together) == _everything(apart)
    assert said == said_apart
    numbers = [int(line.split()[1].split("/")[0]) for line in said if line.startswith("rule ")]
    assert numbers == list(range(1, len(together.rules) + 1))  # in the rulebook's order


def _two_ledger_book(order: list[str]):
    def dataset(key):
        return {"key": key, "fields": {key: {"type": "string", "aliases": ["编号"]},
                                       "received_on": {"type": "date", "aliases": ["收到日期"]},
                                       "replied_on": {"type": "date", "aliases": ["答复日期"]}}}

    rules = {name: {"id": f"{name.upper()}-DEADLINE", "title": "20个工作日", "dataset": name, "kind": "deadline",
                    "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 5}
             for name in ("requests", "documents")}
    return rulebook_from_dict({
        "rulebook": {"id": "two", "title": "two ledgers", "period": {"start": "2021-01-01", "end": "2021-12-31"}},
        "calendar": {"fallback": "error"},
        "datasets": {"requests": dataset("req_id"), "documents": dataset("doc_id")},
        "rules": [rules[name] for name in order]})


@pytest.mark.parametrize("order", [["requests", "documents"], ["documents", "requests"]])
def test_a_refusal_is_the_first_rules_in_the_rulebooks_order(order):
    """When a rule of each ledger is refused (working days asked in years the calendar does
    not cover, with fallback 'error'), the refusal reported is the first rule's in the
    rulebook, as when the rules run one after the other: requests in 2035, documents in 2030."""
    data = {"requests": pd.DataFrame({"编号": ["R1"], "收到日期": ["2035-03-01"], "答复日期": ["2035-03-20"]}),
            "documents": pd.DataFrame({"编号": ["D1"], "收到日期": ["2030-03-01"], "答复日期": ["2030-03-20"]})}
    with pytest.raises(CalendarError) as refused:
        audit(_two_ledger_book(order), data, as_of="2021-12-31")
    assert ("2035" in str(refused.value)) == (order[0] == "requests")


def test_the_calendar_answers_two_rules_at_once_as_it_answers_one():
    """Two threads asking working-day questions that make the calendar grow (years before and
    after its table, with the weekend fallback for years without data) get the answers a
    calendar asked by one caller gives."""
    rng = np.random.default_rng(7)
    # batch k of thread 0 asks about the year 2021 - k, of thread 1 about 2021 + k: the table
    # grows by a year at nearly every question, from both ends at once
    offsets = {i: np.concatenate([(-1 if i == 0 else 1) * 365 * (k // 100) + rng.integers(0, 365, 1)
                                  for k in range(3000)]) for i in range(2)}
    days = {i: pd.Series(pd.to_datetime(dt.date(2021, 1, 1)) + pd.to_timedelta(offsets[i], "D")) for i in range(2)}
    spans = {i: pd.Series(rng.integers(0, 40, 3000)) for i in range(2)}

    def build():
        return WorkCalendar.build(dt.date(2021, 1, 1), dt.date(2021, 12, 31), fallback="weekends")

    shared = engine._LazyCalendar(build)
    answers: dict[int, list] = {0: [], 1: []}
    start = threading.Barrier(2)

    def ask(i):
        start.wait()
        for k in range(0, 3000, 100):
            d, n = days[i][k:k + 100].reset_index(drop=True), spans[i][k:k + 100].reset_index(drop=True)
            ends = shared.add_workdays(d, n)
            answers[i].append((ends, shared.workdays(d, ends)))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: a race has every chance
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    alone = build()
    for i in range(2):
        for k, (ends, counted) in zip(range(0, 3000, 100), answers[i]):
            d, n = days[i][k:k + 100].reset_index(drop=True), spans[i][k:k + 100].reset_index(drop=True)
            expected = alone.add_workdays(d, n)
            assert pd.Series(ends).equals(pd.Series(expected))
            assert pd.Series(counted).equals(pd.Series(alone.workdays(d, expected)))
            assert (pd.Series(counted).fillna(-1) == n.where(pd.Series(expected).notna(), -1)).all()
