"""Findings read as sentences about the record, not as the rule's formula."""

from __future__ import annotations

import random

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
