"""A deadline rule's row details (``results.RowDetails``): each row of its population with its
clock, deadline, status and light, the row's number, key, division and sheet taken from the
ledger only for the rows an output asks for.

Held to the ledger itself (the rows as written, a blank division as blank), to plain Python
for the report's overdue list (sorted by deadline, ties in ledger order, capped), and to
itself: any rows asked for are those rows of the whole table.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from disclosure_rules import audit
from disclosure_rules.report import MAX_OVERDUE, build_view
from disclosure_rules.rulebook import rulebook_from_dict

INFO = {"id": "row-details", "title": "时限", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"}}
FIELDS = {"request_id": {"type": "string", "aliases": ["申请编号"]},
          "department": {"type": "string", "aliases": ["承办处室"]},
          "received_on": {"type": "date", "aliases": ["收到申请日期"]},
          "replied_on": {"type": "date", "aliases": ["答复日期"]},
          "kind": {"type": "string", "aliases": ["类别"]}}
BOOK = rulebook_from_dict({
    "rulebook": INFO,
    "datasets": {"requests": {"title": "依申请公开登记台账", "key": "request_id", "department": "department",
                              "fields": FIELDS}},
    "rules": [
        {"id": "REQ-DL", "title": "20个工作日内答复", "dataset": "requests", "kind": "deadline",
         "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 10,
         "due_soon": {"working_days": 5}},
        # a population that is not every row: the positions differ from the table's own places
        {"id": "REQ-DL-B", "title": "B类10个工作日内答复", "dataset": "requests", "kind": "deadline",
         "where": "kind == 'B'", "start": "received_on", "end": "replied_on", "limit": {"working_days": 10},
         "points": 5}]})
AS_OF = dt.date(2021, 12, 31)
DIVISIONS = ["外贸处", "外资处", "办公室", ""]


def _ledger(seed: int, n: int = 240) -> pd.DataFrame:
    """Many unanswered requests received on a few days (overdue ones with equal deadlines, more
    than the report lists), blank keys, divisions and dates among them."""
    rng = random.Random(seed)
    days = [dt.date(2021, 9, 1) + dt.timedelta(days=rng.randrange(0, 120)) for _ in range(6)]
    rows = []
    for i in range(n):
        received = rng.choice(days)
        replied = "" if rng.random() < 0.6 else (received + dt.timedelta(days=rng.randrange(0, 40))).isoformat()
        rows.append({"申请编号": "" if rng.random() < 0.05 else f"YSQ-{rng.randrange(10**6):06d}",
                     "承办处室": rng.choice(DIVISIONS),
                     "收到申请日期": "" if rng.random() < 0.03 else received.isoformat(),
                     "答复日期": replied, "类别": rng.choice("AB")})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(4))
def test_every_row_is_the_ledgers_row(seed):
    """The whole table: each row's spreadsheet row, key and division are those the ledger
    holds at that row of the rule's population."""
    ledger = _ledger(seed)
    result = audit(BOOK, {"requests": ledger}, as_of=AS_OF)
    for rule_id, wanted in (("REQ-DL", np.ones(len(ledger), dtype=bool)),
                            ("REQ-DL-B", (ledger["类别"] == "B").to_numpy())):
        details = result.row_details[rule_id]
        frame = details.frame()
        at = np.flatnonzero(wanted)
        assert details.at.tolist() == at.tolist()
        assert frame["row"].tolist() == (at + 2).tolist()  # the header is row 1
        keys = ledger["申请编号"].iloc[at]
        assert frame["key"].astype(object).where(frame["key"].notna(), "").tolist() == keys.tolist()
        departments = ledger["承办处室"].iloc[at]
        assert frame["department"].tolist() == [d or None for d in departments]
        assert frame["sheet"].isna().all()
        assert result.deadline_rows[rule_id].equals(frame)


@pytest.mark.parametrize("seed", range(4))
def test_any_rows_asked_for_are_those_rows_of_the_whole_table(seed):
    """Places in any order, repeated, none, or a mask: the rows of the whole table at them,
    with every column's type kept."""
    result = audit(BOOK, {"requests": _ledger(seed)}, as_of=AS_OF)
    rng = np.random.default_rng(seed)
    for details in result.row_details.values():
        whole = details.frame()
        n = len(details)
        for idx in (rng.permutation(n)[: n // 3], rng.integers(0, n, 25), np.arange(0), rng.random(n) < 0.4,
                    np.ones(n, dtype=bool)):
            asked = details.frame(idx)
            places = np.flatnonzero(idx) if idx.dtype == bool else idx
            expected = whole.iloc[places].reset_index(drop=True)
            pd.testing.assert_frame_equal(asked, expected)
            assert list(asked.dtypes) == list(whole.dtypes)


@pytest.mark.parametrize("seed", range(4))
def test_the_reports_overdue_list_is_by_deadline_in_ledger_order_where_equal_and_capped(seed):
    result = audit(BOOK, {"requests": _ledger(seed)}, as_of=AS_OF)
    view = {d["rule"]: d for d in build_view(result, "en")["deadlines"]}
    for rule_id, rows in result.deadline_rows.items():
        overdue = [(r.deadline, i, r.row) for i, r in enumerate(rows.itertuples(index=False))
                   if r.status == "overdue"]
        overdue.sort(key=lambda t: (t[0], t[1]))
        assert len(overdue) > MAX_OVERDUE or rule_id == "REQ-DL-B"  # the cap is met by the main rule
        listed = view[rule_id]["overdue"]
        assert [r["row"] for r in listed] == [str(row) for _, _, row in overdue[:MAX_OVERDUE]]
        assert view[rule_id]["more_overdue"] == max(0, len(overdue) - MAX_OVERDUE)
