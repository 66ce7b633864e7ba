"""audit --self-assessment 自评表.xlsx (DESIGN §15): the assessors' columns, one row per rule."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from disclosure_rules import audit
from disclosure_rules.cli import cli
from disclosure_rules.explain import scoring_text

from assess_units import AS_OF, BOOK, BOOK_DICT, expected, unit_frames, write_frame

HEADER = ["指标", "具体项目", "分值", "评分说明", "考核填报", "佐证材料", "自评分"]


def test_form_has_a_row_per_rule_with_points_and_self_score(tmp_path):
    """One row per rule: its section, title (bonus and veto marked), points, how it scores (as
    explain says), what the ledgers show, the ledger files with sha256 and the list, and the
    points awarded (0 where not assessed); the last row totals the points and gives the total."""
    ledgers = unit_frames()["丙局"]  # no document ledger
    path = tmp_path / "requests.csv"
    write_frame(ledgers["requests"], path)
    result = audit(BOOK, {"requests": path}, as_of=AS_OF, unit="丙局")
    result.write_self_assessment(tmp_path / "自评表.xlsx", findings="整改清单.xlsx")
    sheet = load_workbook(tmp_path / "自评表.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("丙局") and list(rows[1]) == HEADER
    body, total = rows[2:-1], rows[-1]
    want = expected(ledgers)
    sections = {s.id: s.title for s in BOOK.sections}
    assert [r[1] for r in body] == [r.title + ("（加分项）" if r.bonus else "") + ("（单项否决项）" if r.veto else "")
                                    for r in BOOK.rules]
    for row, rule in zip(body, BOOK.rules):
        assert row[0] == sections[rule.section] and row[2] == rule.points
        assert row[3] == scoring_text(rule, "zh")
        figures = want["rules"][rule.id]
        assert row[6] == (round(figures["awarded"], 2) if figures["status"] != "not_assessed" else 0.0)
        if rule.dataset == "requests":
            assert result.data["requests"].sha256 in row[5] and "整改清单.xlsx" in row[5]
        else:
            assert "未提供公文台账" in row[5]
    assert total[0] == "合计" and total[2] == 100.0 and total[6] == round(want["total"], 2)


def test_audit_command_writes_the_form(tmp_path):
    """audit --self-assessment writes the form beside the other outputs (Chinese headers by default)."""
    paths = {}
    for dataset, frame in unit_frames()["甲局"].items():
        paths[dataset] = tmp_path / f"{dataset}.xlsx"
        write_frame(frame, paths[dataset])
    book = tmp_path / "book.json"
    book.write_text(json.dumps(BOOK_DICT, ensure_ascii=False), encoding="utf-8")
    out = CliRunner().invoke(cli, ["audit", "--rules", str(book), "--as-of", AS_OF,
                                   *[f"--data={d}={p}" for d, p in paths.items()], "--html", str(tmp_path / "r.html"),
                                   "--self-assessment", str(tmp_path / "自评表.xlsx")])
    assert out.exit_code == 0, out.output
    rows = list(load_workbook(tmp_path / "自评表.xlsx").active.iter_rows(values_only=True))
    assert list(rows[1]) == HEADER and len(rows) == 2 + len(BOOK.rules) + 1
    bad = CliRunner().invoke(cli, ["audit", "--rules", str(book), *[f"--data={d}={p}" for d, p in paths.items()],
                                   "--self-assessment", str(tmp_path / "form.csv")],
                                  env={"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"})
    assert bad.exit_code == 2 and "--self-assessment 须以 .xlsx 结尾" in bad.output  # in a Chinese locale
