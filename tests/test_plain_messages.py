"""Findings read as sentences about the record, not as the rule's formula."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from disclosure_rules import audit
from disclosure_rules.rulebook import rulebook_from_dict
from ledgers import example_audit

TOPICS = ["背景", "意义", "作用", "关键词", "新旧政策差异"]
BOOK = {
    "rulebook": {"id": "plain", "title": "t", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"}},
    "datasets": {"documents": {"key": "doc_id", "fields": {
        "doc_id": {"type": "string", "required": True, "aliases": ["文号"]},
        "topics": {"type": "set", "aliases": ["解读内容要点"], "values": {t: [t] for t in TOPICS}},
        "supersedes": {"type": "string", "aliases": ["替代原文件"]},
        "form": {"type": "category", "aliases": ["答复形式"], "values": {"written": ["书面"], "oral": ["口头"]}},
        "approver": {"type": "string", "aliases": ["批准人"]}}}},
    "rules": [
        {"id": "ALL-TOPICS", "title": "要点齐全", "dataset": "documents", "kind": "condition",
         "expect": "has_all(topics, ['背景', '意义', '作用', '关键词']) and "
                   "(blank(supersedes) or has_any(topics, ['新旧政策差异']))"},
        {"id": "WRITTEN", "title": "书面答复", "dataset": "documents", "kind": "condition",
         "expect": "form == 'written' and present(approver)"},
    ]}


def _ledger(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(40):
        chosen = [t for t in TOPICS if rng.random() < 0.7]
        rows.append({"文号": f"D{i}", "解读内容要点": "、".join(chosen),
                     "替代原文件": rng.choice(["", "晋商发〔2018〕1号"]), "答复形式": rng.choice(["书面", "口头"]),
                     "批准人": rng.choice(["", "张三"])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_set_lacking_members_names_exactly_the_members_it_lacks(seed):
    """「解读内容要点」缺少“意义”、“作用”: the members each record lacks, from its own cell; and
    when a superseding document is named, the missing 新旧政策差异 is said as a consequence."""
    ledger = _ledger(seed)
    result = audit(rulebook_from_dict(BOOK), {"documents": ledger}, as_of="2021-12-31")
    findings = result.findings_frame("zh")
    messages = dict(zip(findings.loc[findings["rule"] == "ALL-TOPICS", "key"],
                        findings.loc[findings["rule"] == "ALL-TOPICS", "message"]))
    for rec in ledger.itertuples(index=False):
        have = set(filter(None, rec.解读内容要点.split("、")))
        lacking = [t for t in TOPICS[:4] if t not in have]
        needs_diff = bool(rec.替代原文件) and "新旧政策差异" not in have
        assert (rec.文号 in messages) == bool(lacking or needs_diff)
        if rec.文号 not in messages:
            continue
        message = messages[rec.文号]
        if lacking:
            assert "「解读内容要点」缺少" + "、".join(f"“{t}”" for t in lacking) in message
        if needs_diff:
            assert f"「替代原文件」已填写（{rec.替代原文件}），故「解读内容要点」缺少“新旧政策差异”" in message
        assert " 并且 " not in message and "含有[" not in message


def test_each_failing_part_is_said_and_only_those():
    """A record failing one part of an ``and`` hears about that part only; one failing both
    hears about both, in the order written."""
    ledger = _ledger(5)
    result = audit(rulebook_from_dict(BOOK), {"documents": ledger}, as_of="2021-12-31")
    findings = result.findings_frame("zh")
    written = findings[findings["rule"] == "WRITTEN"].set_index("key")["message"]
    for rec in ledger.itertuples(index=False):
        oral, unapproved = rec.答复形式 == "口头", not rec.批准人
        if not (oral or unapproved):
            assert rec.文号 not in written.index
            continue
        message = written[rec.文号]
        assert ("「答复形式」应为“书面”（实际：口头）" in message) == oral
        assert ("缺少「批准人」" in message) == unapproved
        if oral and unapproved:
            assert message.index("答复形式") < message.index("批准人")
    english = result.findings_frame("en")
    assert any("should be '书面' (it is 口头)" in m for m in english.loc[english["rule"] == "WRITTEN", "message"])


def test_the_demo_findings_read_as_sentences():
    """No finding of the built-in book's condition and ratio rules reads like the formula
    (「x」含有[…]的全部各项 并且 …, 符合格式/…/)."""
    result = example_audit()
    findings = result.findings_frame("zh")
    kinds = {r.id: r.kind for r in result.rules}
    plain = findings[findings["rule"].map(kinds).isin(["condition", "ratio"])]
    assert len(plain) > 50
    for message in plain["message"]:
        assert " 并且 " not in message and " 或者 " not in message and "符合格式/" not in message, message
        assert not message.startswith("不符合：")


# ---- counts, spans, months and patterns: what the record has against what the rule asks

SPANS = {
    "rulebook": {"id": "spans", "title": "t", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"}},
    "datasets": {"requests": {"key": "request_id", "fields": {
        "request_id": {"type": "string", "required": True, "aliases": ["申请编号"]},
        "received_on": {"type": "date", "aliases": ["收到申请日期"]},
        "notice_on": {"type": "date", "aliases": ["补正告知日期"]},
        "replied_on": {"type": "date", "aliases": ["答复日期"]},
        "channels": {"type": "set", "aliases": ["解读渠道"], "values": {"web": ["网站"], "tv": ["电视"], "paper": ["报纸"]}},
        "basis": {"type": "string", "aliases": ["不公开依据"]}}}},
    "rules": [
        {"id": "NOTICE-7", "title": "补正告知", "dataset": "requests", "kind": "condition",
         "expect": "workdays(received_on, notice_on) <= 7"},
        {"id": "REPLY-20", "title": "答复", "dataset": "requests", "kind": "condition",
         "expect": "replied_on <= add_workdays(received_on, 20)"},
        {"id": "CHANNELS-2", "title": "渠道", "dataset": "requests", "kind": "ratio", "min": 0.99,
         "expect": "size(channels) >= 2"},
        {"id": "NOVEMBER", "title": "十一月", "dataset": "requests", "kind": "condition", "expect": "month(replied_on) == 11"},
        {"id": "CLAUSE", "title": "条款", "dataset": "requests", "kind": "condition",
         "expect": "matches(basis, '第[一二三四五六七八九十0-9]+条')"},
    ]}


def _spans_ledger(seed: int) -> pd.DataFrame:
    import datetime as dt

    rng = random.Random(seed)
    rows = []
    for i in range(30):
        received = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randrange(200))
        rows.append({"申请编号": f"R{i}", "收到申请日期": received.isoformat(),
                     "补正告知日期": (received + dt.timedelta(days=rng.randrange(1, 25))).isoformat(),
                     "答复日期": (received + dt.timedelta(days=rng.randrange(1, 45))).isoformat(),
                     "解读渠道": "、".join(rng.sample(["网站", "电视", "报纸"], rng.randint(1, 3))),
                     "不公开依据": rng.choice(["依据第十四条", "内部文件", "第5条"])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [4, 5])
def test_counts_and_spans_say_what_the_record_has(seed):
    """A rule on working days, a deadline by add_workdays, a count of items, a month and a pattern
    read as sentences about the record, in Chinese and in English: the working days the record
    took (counted by the official calendar), the deadline day, the items it has, the month it is
    in, the text the pattern asks for; never the function names of the YAML."""
    import chinese_calendar

    frame = _spans_ledger(seed)
    result = audit(rulebook_from_dict(SPANS), {"requests": frame}, as_of="2021-12-31")
    for lang in ("zh", "en"):
        findings = result.findings_frame(lang)
        assert len(findings) > 10
        for message in findings["message"]:
            for code in ("workdays(", "add_workdays", "size(", "month(", "matches(", "[一二三", "/第"):
                assert code not in message, message
        by_key = frame.set_index("申请编号")
        for _, f in findings[findings["rule"] == "NOTICE-7"].iterrows():
            row = by_key.loc[f["key"]]
            start, end = pd.Timestamp(row["收到申请日期"]).date(), pd.Timestamp(row["补正告知日期"]).date()
            days = pd.date_range(start, end)[1:]
            took = sum(chinese_calendar.is_workday(d.date()) for d in days)
            assert took > 7
            expected = f"相隔{took}个工作日" if lang == "zh" else f"it is {took}: "
            assert expected in f["message"], f["message"]
        for _, f in findings[findings["rule"] == "CHANNELS-2"].iterrows():
            assert ("应至少有2项（实际：1项" if lang == "zh" else "should have at least 2 items (it has 1") in f["message"]
        for _, f in findings[findings["rule"] == "NOVEMBER"].iterrows():
            assert ("应在11月" if lang == "zh" else "should be in month 11") in f["message"]
        for _, f in findings[findings["rule"] == "CLAUSE"].iterrows():
            assert "第…条" in f["message"], f["message"]
        deadline_messages = findings[findings["rule"] == "REPLY-20"]
        assert len(deadline_messages)
        for _, f in deadline_messages.iterrows():  # the 20th working day after receipt, by the official calendar
            received = pd.Timestamp(by_key.loc[f["key"], "收到申请日期"]).date()
            day, left = received, 20
            while left:
                day += pd.Timedelta(days=1).to_pytimedelta()
                left -= chinese_calendar.is_workday(day)
            replied = by_key.loc[f["key"], "答复日期"]
            said = (f"（{day.isoformat()}）（实际：{replied}）" if lang == "zh"
                    else f"({day.isoformat()}) (it is {replied})")
            assert said in f["message"], f["message"]


def test_repeated_parts_are_said_once():
    """A record that fails two parts for the same reason (a blank date read by both) hears it once."""
    book = {**SPANS, "rules": [{"id": "BOTH", "title": "两者", "dataset": "requests", "kind": "condition",
                                "expect": "month(replied_on) == 11 and year(replied_on) == 2021"}]}
    frame = pd.DataFrame({"申请编号": ["A", "B"], "答复日期": ["", "2020-05-01"]})
    result = audit(rulebook_from_dict(book), {"requests": frame}, as_of="2021-12-31")
    messages = dict(zip(result.findings_frame("zh")["key"], result.findings_frame("zh")["message"]))
    assert messages["A"] == "「答复日期」未填写"
    assert messages["B"].count("；") == 1 and "应在11月" in messages["B"] and "应在2021年" in messages["B"]


def test_a_yes_no_that_should_be_no_says_so():
    """``not duplicate`` (a yes/no field that must be 否) reads '「雷同」应为“否”（实际：是）', not
    the negated formula; ``not present(x)`` reads that x should be blank."""
    book = {**SPANS, "datasets": {"requests": {"key": "request_id", "fields": {
        "request_id": {"type": "string", "required": True, "aliases": ["申请编号"]},
        "duplicate": {"type": "boolean", "aliases": ["雷同"]},
        "note": {"type": "string", "aliases": ["备注"]}}}},
        "rules": [{"id": "ORIGINAL", "title": "不雷同", "dataset": "requests", "kind": "condition", "expect": "not duplicate"},
                  {"id": "NO-NOTE", "title": "无备注", "dataset": "requests", "kind": "condition",
                   "expect": "not present(note)"}]}
    frame = pd.DataFrame({"申请编号": ["A", "B", "C"], "雷同": ["是", "否", "是"], "备注": ["", "已核", ""]})
    result = audit(rulebook_from_dict(book), {"requests": frame}, as_of="2021-12-31")
    zh = result.findings_frame("zh").set_index(["rule", "key"])["message"]
    en = result.findings_frame("en").set_index(["rule", "key"])["message"]
    assert zh[("ORIGINAL", "A")] == "「雷同」应为“否”（实际：是）" and ("ORIGINAL", "B") not in zh.index
    assert en[("ORIGINAL", "C")] == "雷同 should be no (it is yes)"
    assert zh[("NO-NOTE", "B")] == "「备注」应为空（实际：已核）"
