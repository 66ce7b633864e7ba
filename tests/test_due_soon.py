"""The warn tier and due soon (DESIGN §6): lights, ``due_soon`` in the JSON, the ``due`` command.

The lights and working days left of generated ledgers are checked against a plain loop
over the official calendar (``chinese_calendar.is_workday``, day by day), not against the
engine's own arithmetic.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import chinese_calendar
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules import audit
from disclosure_rules.cli import main
from disclosure_rules.errors import RulebookError
from disclosure_rules.rulebook import rulebook_from_dict

INFO = {"id": "due-soon", "title": "时限预警", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"}}
DATASET = {"title": "依申请公开登记台账", "key": "request_id", "department": "department",
           "fields": {"request_id": {"type": "string", "required": True, "aliases": ["申请编号"]},
                      "department": {"type": "string", "aliases": ["承办处室"]},
                      "received_on": {"type": "date", "aliases": ["收到申请日期"]},
                      "replied_on": {"type": "date", "aliases": ["答复日期"]},
                      "ok": {"type": "boolean", "aliases": ["是否合格"]}}}
LIMIT = 20


def _book(due_soon: int | None = 5, limit: int = LIMIT, extra_rules=()):
    rule = {"id": "REQ-DL", "title": "20个工作日内答复", "dataset": "requests", "kind": "deadline",
            "start": "received_on", "end": "replied_on", "limit": {"working_days": limit}, "points": 10}
    if due_soon is not None:
        rule["due_soon"] = {"working_days": due_soon}
    return rulebook_from_dict({"rulebook": INFO, "datasets": {"requests": DATASET},
                               "rules": [rule, *extra_rules]})


def _nth_workday_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (``day`` itself for 0), one day at a time."""
    while n > 0:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def _workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b, one day at a time."""
    count, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        count += chinese_calendar.is_workday(day)
    return count


def _ledger(seed: int, n: int = 60) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        received = dt.date(2021, 9, 1) + dt.timedelta(days=rng.randrange(0, 110))
        replied = "" if rng.random() < 0.5 else (received + dt.timedelta(days=rng.randrange(-2, 45))).isoformat()
        rows.append({"申请编号": f"YSQ-{i:03d}", "承办处室": rng.choice(["外贸处", "外资处"]),
                     "收到申请日期": received.isoformat(), "答复日期": replied})
    return pd.DataFrame(rows)


def _expected_light(received: dt.date, replied: dt.date | None, as_of: dt.date, within: int):
    deadline = _nth_workday_after(received, LIMIT)
    if replied is not None:
        return ("red" if replied < received or replied > deadline else "green"), None
    if as_of > deadline:
        return "red", -_workdays_between(deadline, as_of)
    left = _workdays_between(as_of, deadline)
    return ("yellow" if deadline <= _nth_workday_after(as_of, within) else "green"), left


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), within=st.integers(0, 8),
       as_of=st.dates(dt.date(2021, 10, 1), dt.date(2021, 12, 31)))
def test_lights_and_workdays_left_match_a_day_by_day_count(seed, within, as_of):
    """Every row's light (red late/overdue/invalid, yellow due within N working days, green
    otherwise) and its working days left are those a day-by-day count over the official
    calendar gives; the rule's light counts and the JSON's due_soon list agree with them."""
    ledger = _ledger(seed)
    result = audit(_book(within), {"requests": ledger}, as_of=as_of)
    rows = result.deadline_rows["REQ-DL"].set_index("key")
    expected = {"red": 0, "yellow": 0, "green": 0}
    yellow_keys = set()
    for rec in ledger.itertuples(index=False):
        received = dt.date.fromisoformat(rec.收到申请日期)
        replied = dt.date.fromisoformat(rec.答复日期) if rec.答复日期 else None
        if replied is not None and replied > as_of:
            pass  # dates recorded after as_of are taken as recorded (DESIGN §6)
        light, left = _expected_light(received, replied, as_of, within)
        expected[light] += 1
        if light == "yellow":
            yellow_keys.add(rec.申请编号)
        got = rows.loc[rec.申请编号]
        assert got["light"] == light, (rec, as_of, within)
        if left is None:
            assert pd.isna(got["workdays_left"])
        else:
            assert int(got["workdays_left"]) == left
    rule = result.rule("REQ-DL")
    assert rule.lights == expected
    assert expected["red"] == rule.violations
    data = result.to_dict()
    assert data["rules"][0]["lights"] == expected
    assert {d["key"] for d in data["due_soon"]} == yellow_keys
    assert all(0 <= d["workdays_left"] <= within for d in data["due_soon"])
    lefts = [d["workdays_left"] for d in data["due_soon"]]
    assert lefts == sorted(lefts)


def test_without_due_soon_no_row_is_yellow():
    """A deadline rule without ``due_soon`` never shows a yellow light (the threshold is the
    rulebook's choice, not a default), but the open rows still have their working days left."""
    result = audit(_book(None), {"requests": _ledger(3)}, as_of="2021-11-15")
    rule = result.rule("REQ-DL")
    assert rule.lights["yellow"] == 0
    assert rule.lights["red"] + rule.lights["green"] == rule.population
    assert result.to_dict()["due_soon"] == []
    assert len(result.due_frame()) == int(result.deadline_rows["REQ-DL"]["workdays_left"].notna().sum())


def test_waived_rows_have_no_light():
    """A waived row leaves the population, so the lights count the rows the rule judges."""
    ledger = _ledger(5)
    first = audit(_book(), {"requests": ledger}, as_of="2021-11-30")
    red_key = first.findings["key"].iloc[0]
    waived = audit(_book(), {"requests": ledger}, as_of="2021-11-30",
                   waivers=[{"rule": "REQ-DL", "key": red_key, "reason": "测试"}])
    before, after = first.rule("REQ-DL").lights, waived.rule("REQ-DL").lights
    assert after["red"] == before["red"] - 1
    assert sum(after.values()) == waived.rule("REQ-DL").population


def test_non_deadline_rules_have_null_lights_and_every_rule_a_warn_threshold():
    """The JSON keeps every key on every rule (DESIGN §8): lights null outside deadline rules."""
    ratio = {"id": "OK-RATIO", "title": "合格率", "dataset": "requests", "kind": "ratio", "expect": "ok",
             "min": 0.5, "warn": 0.8, "points": 5}
    data = audit(_book(extra_rules=[ratio]), {"requests": _ledger(1).assign(是否合格="是")},
                 as_of="2021-12-31").to_dict()
    by_id = {r["id"]: r for r in data["rules"]}
    assert by_id["OK-RATIO"]["lights"] is None
    assert by_id["OK-RATIO"]["threshold"] == {"min": 0.5, "max": None, "warn": 0.8}
    assert by_id["REQ-DL"]["threshold"]["warn"] is None
    assert set(by_id["REQ-DL"]["lights"]) == {"red", "yellow", "green"}


# ------------------------------------------------------------------ warn tier

def _ratio_book(bound: str, value: float, warn: float, scoring="proportional"):
    rule = {"id": "OK-RATIO", "title": "合格率", "dataset": "requests", "kind": "ratio", "expect": "ok",
            bound: value, "warn": warn, "points": 10, "scoring": scoring}
    return rulebook_from_dict({"rulebook": INFO, "datasets": {"requests": DATASET}, "rules": [rule]})


def _ok_ledger(passed: int, total: int) -> pd.DataFrame:
    return pd.DataFrame({"申请编号": [f"R{i}" for i in range(total)], "承办处室": "外贸处",
                         "收到申请日期": "2021-03-01", "答复日期": "2021-03-02",
                         "是否合格": ["是"] * passed + ["否"] * (total - passed)})


@settings(max_examples=60, deadline=None)
@given(passed=st.integers(0, 20), scoring=st.sampled_from(["proportional", "all_or_nothing"]),
       bound=st.sampled_from(["min", "max"]))
def test_warn_status_lies_between_the_bound_and_the_warn_line(passed, scoring, bound):
    """With min 0.5 and warn 0.8, a rate in [0.5, 0.8) is warn, above is pass, below is fail;
    with max 0.5 and warn 0.3, a rate in (0.3, 0.5] is warn. A warn scores exactly as a pass
    (full points), in the book and in each division."""
    total = 20
    value, warn = (0.5, 0.8) if bound == "min" else (0.5, 0.3)
    result = audit(_ratio_book(bound, value, warn, scoring), {"requests": _ok_ledger(passed, total)},
                   as_of="2021-12-31")
    rule = result.rule("OK-RATIO")
    rate = passed / total
    if bound == "min":
        expected = "fail" if rate < value else "warn" if rate < warn else "pass"
    else:
        expected = "fail" if rate > value else "warn" if rate > warn else "pass"
    assert rule.status == expected
    if expected in ("pass", "warn"):
        assert rule.awarded == pytest.approx(10.0)
    division = result.department_rules
    assert list(division["rule"]) == ["OK-RATIO"]
    assert result.departments["percent"].iloc[0] == pytest.approx(result.percent)


@pytest.mark.parametrize("rule, needle", [
    ({"min": 0.9, "warn": 0.8}, "below 'min'"),
    ({"max": 0.2, "warn": 0.3}, "above 'max'"),
    ({"warn": 0.8}, "give one of them"),
    ({"min": 0.5, "max": 0.9, "warn": 0.8}, "ambiguous"),
    ({"min": 0.5, "warn": 1.5}, "between 0 and 1"),
])
def test_a_warn_line_outside_the_bound_it_tightens_is_refused(rule, needle):
    """``warn`` must lie within the bound it tightens; the rulebook is refused with a message."""
    spec = {"id": "OK-RATIO", "title": "合格率", "dataset": "requests", "kind": "ratio", "expect": "ok", **rule}
    with pytest.raises(RulebookError) as info:
        rulebook_from_dict({"rulebook": INFO, "datasets": {"requests": DATASET}, "rules": [spec]})
    assert needle in str(info.value)


def test_count_rules_take_no_warn():
    """A count rule's bounds are row counts, not rates: ``warn`` is an unknown key there."""
    spec = {"id": "CNT", "title": "数量", "dataset": "requests", "kind": "count", "min": 1, "warn": 0.5}
    with pytest.raises(RulebookError):
        rulebook_from_dict({"rulebook": INFO, "datasets": {"requests": DATASET}, "rules": [spec]})


# ------------------------------------------------------------------ the due command

def _write(tmp_path, ledger: pd.DataFrame, book) -> tuple:
    import yaml

    csv = tmp_path / "reqs.csv"
    ledger.to_csv(csv, index=False, encoding="utf-8-sig")
    rules = tmp_path / "book.yaml"
    rules.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return csv, rules


def _book_dict(within=5):
    return {"rulebook": INFO, "datasets": {"requests": DATASET},
            "rules": [{"id": "REQ-DL", "title": "20个工作日内答复", "dataset": "requests", "kind": "deadline",
                       "start": "received_on", "end": "replied_on", "limit": {"working_days": LIMIT},
                       "due_soon": {"working_days": within}, "points": 10}]}


def test_due_command_lists_open_rows_by_working_days_left(tmp_path, capsys):
    """``due`` prints every open row, fewest working days left first, in Chinese by default;
    ``--within N`` keeps those with at most N left; ``-o`` writes the same rows to an XLSX
    whose light column says 红灯/黄灯/绿灯."""
    ledger = _ledger(11, n=80)
    csv, rules = _write(tmp_path, ledger, _book_dict())
    as_of = dt.date(2021, 11, 20)
    out = tmp_path / "due.xlsx"
    code = main(["due", "--data", f"requests={csv}", "--rules", str(rules), "--as-of", as_of.isoformat(),
                 "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "剩余工作日" in printed and "Working days" not in printed
    open_rows = ledger[ledger["答复日期"] == ""]
    expected = sorted(_expected_light(dt.date.fromisoformat(r), None, as_of, 5)[1] for r in open_rows["收到申请日期"])
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0] == "剩余工作日" and "灯" in header
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[0] for v in values] == expected
    lights = {v[header.index("灯")] for v in values}
    assert lights <= {"红灯", "黄灯", "绿灯"}
    assert f"共 {len(expected)} 条未办结事项" in printed

    code = main(["due", "--data", f"requests={csv}", "--rules", str(rules), "--as-of", as_of.isoformat(),
                 "--within", "3", "-o", str(out), "--lang", "en"])
    printed = capsys.readouterr().out
    assert code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    within = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert within == [v for v in expected if v <= 3]
    assert "Working days left" in printed and "剩余工作日" not in printed


def test_json_due_soon_is_the_yellow_rows_with_their_sheet_and_deadline(tmp_path):
    """The JSON's due_soon entries carry rule, dataset, row, sheet, key, department, deadline
    and working days left (DESIGN §8), and are exactly the rows whose light is yellow."""
    ledger = _ledger(21, n=80)
    result = audit(_book(5), {"requests": ledger}, as_of="2021-11-20")
    path = tmp_path / "r.json"
    result.write_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = result.deadline_rows["REQ-DL"]
    yellow = rows[rows["light"] == "yellow"]
    assert len(data["due_soon"]) == len(yellow) == data["rules"][0]["lights"]["yellow"]
    for entry in data["due_soon"]:
        assert set(entry) == {"rule", "dataset", "row", "sheet", "key", "department", "deadline", "workdays_left"}
        match = yellow[yellow["key"] == entry["key"]].iloc[0]
        assert entry["row"] == int(match["row"])
        assert entry["deadline"] == pd.Timestamp(match["deadline"]).date().isoformat()


# ------------------------------------------------------------------ the built-in book's stage limit

def test_stage_limit_of_the_builtin_book_flags_a_late_stage_while_the_reply_is_not_yet_due(tmp_path):
    """REQ-STAGE-01 (转办 to the 承办处室 until its 办理意见, a parameter of the built-in book)
    turned on in a child rulebook flags a request whose stage ran late although the overall
    20-working-day reply deadline has not passed (环节超时), and warns (yellow) 3 working days
    before the stage deadline."""
    from disclosure_rules import load_rulebook

    child = tmp_path / "stage.yaml"
    child.write_text("extends: builtin:shanxi-commerce-2021\n"
                     "rules:\n  - {id: REQ-STAGE-01, enabled: true}\n", encoding="utf-8")
    book = load_rulebook(child)
    accepted = dt.date(2021, 11, 1)
    stage_deadline = _nth_workday_after(accepted, 10)
    as_of = _nth_workday_after(stage_deadline, 2)          # the stage is 2 working days overdue
    soon_accepted = dt.date(2021, 11, 10)                  # its stage deadline is within 3 working days
    ledger = pd.DataFrame({
        "申请编号": ["A", "B"], "收到申请日期": [accepted.isoformat(), soon_accepted.isoformat()],
        "受理日期": [accepted.isoformat(), soon_accepted.isoformat()], "提出办理意见日期": ["", ""],
        "答复日期": ["", ""], "承办处室": ["外贸处", "外资处"],
        **{header: ["", ""] for header in ("收到补正日期", "征求意见日期", "意见反馈日期", "是否延期", "办理结果")}})
    result = audit(book, {"requests": ledger}, as_of=as_of)
    stage = result.deadline_rows["REQ-STAGE-01"].set_index("key")
    reply = result.deadline_rows["REQ-DEADLINE-01"].set_index("key")
    assert stage.loc["A", "light"] == "red" and int(stage.loc["A", "workdays_left"]) == -2
    assert reply.loc["A", "light"] != "red"                 # the reply deadline is still ahead
    left_b = _workdays_between(as_of, _nth_workday_after(soon_accepted, 10))
    assert int(stage.loc["B", "workdays_left"]) == left_b
    assert stage.loc["B", "light"] == ("yellow" if left_b <= 3 else "green")
    assert result.rule("REQ-STAGE-01").possible == 0        # reported, not scored


def test_report_opens_with_the_due_soon_section(tmp_path):
    """The HTML report shows 即将到期 before the score, with each yellow row's key and working
    days left; with no yellow row it says so."""
    result = audit(_book(8), {"requests": _ledger(7, n=80)}, as_of="2021-11-20")
    path = tmp_path / "r.html"
    result.write_html(path)
    page = path.read_text(encoding="utf-8")
    assert page.index('id="due-soon"') < page.index('id="score"')
    section = page[page.index('id="due-soon"'):page.index("</section>", page.index('id="due-soon"'))]
    yellow = result.due_soon_frame()
    assert len(yellow) > 0
    for key in yellow["key"]:
        assert f"<td>{key}</td>" in section
    quiet = audit(_book(8), {"requests": _ledger(7, n=80).assign(答复日期="2021-09-30")}, as_of="2021-11-20")
    quiet.write_html(path)
    assert "没有即将到期的记录" in path.read_text(encoding="utf-8")


def test_reply_date_follows_the_delivery_channel_when_the_ledger_records_it(tmp_path):
    """With 送达方式 recorded and REQ-DELIVERY-01/02 turned on: a reply by post must be dated the
    day it was posted (交邮之日) and a direct delivery the day it was signed for (签收之日), per
    国办公开办函〔2016〕235号; a reply by post through a courier that is not the post fails."""
    from disclosure_rules import load_rulebook

    child = tmp_path / "delivery.yaml"
    child.write_text("extends: builtin:shanxi-commerce-2021\nrules:\n"
                     "  - {id: REQ-DELIVERY-01, enabled: true}\n  - {id: REQ-DELIVERY-02, enabled: true}\n",
                     encoding="utf-8")
    ledger = pd.DataFrame({
        "申请编号": ["M-ok", "M-late-entry", "D-ok", "D-unsigned", "E-any", "M-courier"],
        "收到申请日期": ["2021-03-01"] * 6,
        "答复日期": ["2021-03-10", "2021-03-12", "2021-03-10", "2021-03-10", "2021-03-10", "2021-03-10"],
        "送达方式": ["邮寄", "邮寄", "直接送达", "当面送达", "电子邮件", "邮寄"],
        "交邮日期": ["2021-03-10", "2021-03-10", "", "", "", "2021-03-10"],
        "签收日期": ["", "", "2021-03-10", "", "", ""],
        "邮寄单位": ["中国邮政EMS", "中国邮政", "", "", "", "顺丰速运"],
        "承办处室": ["外贸处"] * 6})
    result = audit(load_rulebook(child), {"requests": ledger}, as_of="2021-12-31")
    dated = result.findings[result.findings["rule"] == "REQ-DELIVERY-01"]
    assert set(dated["key"]) == {"M-late-entry", "D-unsigned"}
    assert result.rule("REQ-DELIVERY-01").population == 5          # the e-mailed reply is not judged
    courier = result.findings[result.findings["rule"] == "REQ-DELIVERY-02"]
    assert set(courier["key"]) == {"M-courier"}


def test_the_deadline_rows_hold_each_status_and_light_word_once():
    """A million rows' statuses and lights are a few words: the row details keep one string
    object per word, not one per row (56 MB per column at a million rows)."""
    day = dt.date(2021, 3, 1)
    frame = pd.DataFrame({
        "申请编号": [f"R{i}" for i in range(300)],
        "承办处室": ["办公室", "政策法规处"] * 150,
        "收到申请日期": [(day + dt.timedelta(days=i % 250)).isoformat() for i in range(300)],
        "答复日期": [None if i % 3 else (day + dt.timedelta(days=i % 250 + 40 * (i % 2))).isoformat()
                 for i in range(300)]})
    result = audit(_book(), {"requests": frame}, as_of="2021-11-20")
    rows = result.deadline_rows["REQ-DL"]
    for column in ("status", "light"):
        values = rows[column].to_numpy(dtype=object)
        assert len(set(values.tolist())) >= 2
        assert len({id(v) for v in values}) == len(set(values.tolist())), column
