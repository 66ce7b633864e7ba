"""The rectification list (整改清单) a 科长 hands out: status, deadline, who, what, progress.

Read back with openpyxl, as a division would open it. Expected figures come from the
audit's JSON and the ledgers written here, not from the export code.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd
import pytest
from openpyxl import load_workbook

from disclosure_rules import audit
from disclosure_rules.demo import run_demo
from disclosure_rules.rulebook import rulebook_from_dict
from disclosure_rules.words import word


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    result, paths = run_demo(tmp_path_factory.mktemp("demo"))
    return result, load_workbook(paths["findings"])


def _rows(book) -> list[dict]:
    out = []
    for sheet in book.worksheets[1:]:
        if sheet.title == word("data_issue_sheet", "zh"):
            continue
        rows = list(sheet.iter_rows(values_only=True))
        out += [dict(zip(rows[0], r), _sheet=sheet.title) for r in rows[1:]]
    return out


def test_statuses_separate_what_to_fix_from_what_to_explain(demo):
    """Every finding has a 状态: 需说明情况 for an item finished after its deadline (it cannot be
    undone), 已豁免 for a waived one, 待整改 for the rest; the counts match the JSON."""
    result, book = demo
    findings = result.to_dict(json_findings=None)["findings"]
    late = sum(1 for f in findings if not f["waived"] and f["details"].get("end")
               and (f["details"].get("late_workdays") or 0) > 0)
    waived = sum(f["waived"] for f in findings)
    rows = _rows(book)
    statuses = pd.Series([r["状态"] for r in rows]).value_counts()
    assert statuses.get("需说明情况", 0) == late > 0
    assert statuses.get("已豁免", 0) == waived
    assert statuses.get("待整改", 0) == len(findings) - late - waived
    assert all(r["期限"] is not None and r["办结日期"] is not None for r in rows if r["状态"] == "需说明情况")


def test_fill_in_columns_and_deadline(demo):
    """责任人, 整改措施 and 完成情况 are there, empty, for the division to fill in (完成情况 with a
    drop-down); 整改时限 is the rulebook's rectification.working_days after the as-of date for
    every finding that is not waived, and the deadline itself for a row due soon."""
    import chinese_calendar

    result, book = demo
    n = result.book.rulebook.rectification.working_days
    day, left = result.as_of, n
    while left:
        day += dt.timedelta(days=1)
        left -= chinese_calendar.is_workday(day)
    due = {(d["rule"], d["key"]): d["deadline"] for d in result.to_dict()["due_soon"]}
    for row in _rows(book):
        assert row["责任人"] is None and row["整改措施"] is None and row["完成情况"] is None
        if row["状态"] == "已豁免":
            assert row["整改时限"] is None
        elif row["状态"] == "即将到期":  # a yellow row: act by its own deadline
            assert row["整改时限"].date().isoformat() == due[(row["规则编号"], row["记录编号"])]
        else:
            assert row["整改时限"].date() == day
    sheet = book[book.sheetnames[1]]
    validations = sheet.data_validations.dataValidation
    header = [c.value for c in sheet[1]]
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("完成情况")]
    assert any(str(v.sqref).startswith(f"{letter}2") and "已完成" in v.formula1 for v in validations)
    # printed as handed out: landscape, one page wide, the header row on every page
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert sheet.cell(row=2, column=header.index("问题") + 1).alignment.wrap_text


def test_ratio_rules_say_how_many_more_rows_reach_the_target(demo):
    """A rate rule below its min is not a list of rows that must all be fixed: the summary says
    the fewest more passing rows that reach the target (the next one fewer would not)."""
    result, book = demo
    rows = [[c.value for c in r] for r in book["汇总"].iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "比率规则距达标")
    header = rows[start]
    listed = {}
    ids = {rr.id for rr in result.rules}
    for r in rows[start + 1:]:
        if r[0] not in ids:  # the note after the table
            break
        listed[r[0]] = dict(zip(header, r))
    below = [rr for rr in result.rules if rr.status == "fail" and rr.kind == "ratio" and rr.threshold_min]
    assert below and set(listed) >= {rr.id for rr in below}
    for rr in below:
        decided = rr.population - rr.pending
        more = listed[rr.id]["还需符合的条数"]
        assert (rr.passed + more) / decided >= rr.threshold_min
        assert (rr.passed + more - 1) / decided < rr.threshold_min
        assert more < rr.violations  # fewer than the rows listed


INFO = {"id": "list", "title": "整改清单", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"},
        "rectification": {"working_days": 10}}
DATASET = {"title": "依申请公开登记台账", "key": "request_id", "department": "department",
           "fields": {"request_id": {"type": "string", "required": True, "aliases": ["申请编号"]},
                      "department": {"type": "string", "aliases": ["承办处室"]},
                      "received_on": {"type": "date", "aliases": ["收到申请日期"]},
                      "replied_on": {"type": "date", "aliases": ["答复日期"]}}}
BOOK = {"rulebook": INFO, "datasets": {"requests": DATASET},
        "rules": [{"id": "REQ-DL", "title": "20个工作日内答复", "dataset": "requests", "kind": "deadline",
                   "start": "received_on", "end": "replied_on", "limit": {"working_days": 20},
                   "due_soon": {"working_days": 5}, "points": 10}]}


def _ledger(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(80):
        received = dt.date(2021, 10, 1) + dt.timedelta(days=rng.randrange(0, 50))
        typed = received.isoformat() if i % 9 else f"2021-13-{1 + i % 28:02d}"  # some impossible dates
        replied = "" if rng.random() < 0.6 else (received + dt.timedelta(days=rng.randrange(0, 40))).isoformat()
        rows.append({"申请编号": f"R{i:02d}", "承办处室": rng.choice(["外贸处", "外资处"]),
                     "收到申请日期": typed, "答复日期": replied})
    return pd.DataFrame(rows)


def test_due_soon_rows_and_bad_cells_in_the_list(tmp_path):
    """The yellow rows are in the list with 状态 即将到期 and their own deadline as 整改时限; a
    finding on a cell that could not be read shows what was typed (2021-13-05), and the data
    issues have a sheet of their own, in Chinese."""
    ledger = _ledger(4)
    result = audit(rulebook_from_dict(BOOK), {"requests": ledger}, as_of="2021-11-22")
    path = tmp_path / "整改清单.xlsx"
    result.write_findings(path)
    book = load_workbook(path)
    rows = _rows(book)
    yellow = result.due_soon_frame()
    assert len(yellow) > 0
    soon = [r for r in rows if r["状态"] == "即将到期"]
    assert sorted(r["记录编号"] for r in soon) == sorted(yellow["key"])
    deadlines = dict(zip(yellow["key"], pd.to_datetime(yellow["deadline"]).dt.date))
    assert all(r["整改时限"].date() == deadlines[r["记录编号"]] for r in soon)
    assert len(rows) == len(result.findings) + len(yellow)
    # the summary's rows per division count the yellow rows too, its findings do not
    lines = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True) if r[0]}
    assert lines["问题总数"] == len(result.findings) and lines["即将到期"] == len(yellow)

    bad = ledger[ledger["收到申请日期"].str.startswith("2021-13")]
    by_key = {r["记录编号"]: r for r in rows}
    for key, typed in zip(bad["申请编号"], bad["收到申请日期"]):
        assert by_key[key]["原始填写内容"] == f"收到申请日期：{typed}"
        assert "（空）" not in (by_key[key]["原始填写内容"] or "")
    issues = list(book["数据问题"].iter_rows(values_only=True))
    assert issues[0] == ("台账", "字段", "表格行号", "工作表", "填写内容", "问题")
    assert len(issues) - 1 == len(result.data_issues) == len(bad)
    assert {r[5] for r in issues[1:]} == {"不是有效日期"}
    assert all(r[0] == "依申请公开登记台账" and r[1] == "收到申请日期" for r in issues[1:])


def test_each_status_has_its_own_colour_and_the_header_stays_the_header(demo):
    """On every division sheet the header row is bold on the header's colour, and each 状态
    cell has one colour per status, the same on every sheet, none of them the header's; the
    other cells of a row are not coloured."""
    _, book = demo
    header_colours, by_status = set(), {}
    for sheet in book.worksheets[1:]:
        if sheet.title == word("data_issue_sheet", "zh"):
            continue
        rows = list(sheet.iter_rows())
        names = [c.value for c in rows[0]]
        status_at = names.index("状态")
        header_colours |= {c.fill.fgColor.rgb for c in rows[0]}
        assert all(c.font.b for c in rows[0])
        for row in rows[1:]:
            by_status.setdefault(row[status_at].value, set()).add(row[status_at].fill.fgColor.rgb)
            assert {c.fill.fill_type for i, c in enumerate(row) if i != status_at} == {None}
    assert len(header_colours) == 1
    assert all(len(colours) == 1 for colours in by_status.values()), by_status
    status_colours = [next(iter(c)) for c in by_status.values()]
    assert len(set(status_colours)) == len(status_colours) >= 3
    assert not header_colours & set(status_colours)
