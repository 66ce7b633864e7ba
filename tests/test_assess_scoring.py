"""Veto (单项否决), bonus (加分) and the named unit on every output (DESIGN §7, §8)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from disclosure_rules import audit
from disclosure_rules.cli import cli
from disclosure_rules.rulebook import rulebook_from_dict
from disclosure_rules.scoring import bonus_of, final_grade, total_of, vetoed_by
from disclosure_rules.models import BonusSpec, DEFAULT_GRADES

from assess_units import AS_OF, BOOK, BOOK_DICT, expected, unit_frames, write_frame


@pytest.mark.parametrize("unit", list(unit_frames()))
def test_veto_bonus_and_strict_figures_follow_design(unit):
    """Each unit's rule figures, percent, strict percent, bonus, total, veto and grade are those
    DESIGN §7 gives for its ledgers (computed apart from the engine)."""
    ledgers = unit_frames()[unit]
    result = audit(BOOK, ledgers, as_of=AS_OF, unit=unit)
    want = expected(ledgers)
    for rule_id, figures in want["rules"].items():
        got = result.rule(rule_id)
        assert got.status == figures["status"], rule_id
        assert got.violations == figures["violations"], rule_id
        assert got.awarded == pytest.approx(figures["awarded"]), rule_id
    assert result.percent == pytest.approx(want["percent"])
    assert result.strict_percent == pytest.approx(want["strict_percent"])
    assert result.coverage == pytest.approx(want["coverage"])
    assert result.graded_on == want["graded_on"]
    assert result.bonus == pytest.approx(want["bonus"])
    assert result.total == pytest.approx(want["total"])
    assert result.vetoed_by == want["vetoed_by"]
    assert result.grade == want["grade"]
    score = result.to_dict()["score"]
    assert score["total"] == round(want["total"], 2) and score["vetoed_by"] == want["vetoed_by"]
    assert result.to_dict()["unit"] == {"name": unit, "code": None}


def test_bonus_points_are_not_possible_points():
    """A bonus rule's points never enter possible or coverage: the possible points of a full
    unit are those of the other rules."""
    result = audit(BOOK, unit_frames()["甲局"], as_of=AS_OF)
    assert result.possible == 100.0 and result.coverage == 1.0
    sections = {s["id"]: s for s in result.sections}
    assert sections["S2"]["possible"] == 50.0


def test_bonus_needs_the_threshold_and_is_capped():
    """Below rulebook.bonus.min_percent no bonus is given; above it, at most bonus.max."""
    spec = BonusSpec(max=3, min_percent=60)
    assert bonus_of(4.0, 59.99, spec) == 0.0
    assert bonus_of(4.0, 60.0, spec) == 3.0
    assert bonus_of(2.5, 95.0, spec) == 2.5
    assert bonus_of(2.5, 95.0, None) == 2.5
    assert bonus_of(2.5, None, spec) == 0.0
    assert total_of(88.0, 3.0) == 91.0 and total_of(None, 3.0) is None


def test_a_failed_veto_rule_gives_the_lowest_band_whatever_the_score():
    """单项否决: a failing veto rule makes the grade the lowest band even at 100 points; a
    passing (or warn) one changes nothing."""
    assert vetoed_by([("A", True, "fail"), ("B", False, "fail"), ("C", True, "pass"), ("D", True, "warn")]) == ["A"]
    assert final_grade(100.0, ["A"], DEFAULT_GRADES) == DEFAULT_GRADES[-1].label
    assert final_grade(100.0, [], DEFAULT_GRADES) == DEFAULT_GRADES[0].label


def test_bonus_lifts_the_grade_band():
    """The grade is the band of total = grading percent + bonus: a unit just under a band
    reaches it with its bonus."""
    data = dict(BOOK_DICT, rulebook=dict(BOOK_DICT["rulebook"], bonus={"max": 3, "min_percent": 60}))
    book = rulebook_from_dict(data)
    ledgers = unit_frames()["丁局"]  # 2 requests not in writing: 80 of 100, interpretation bonus 3 of 4
    result = audit(book, ledgers, as_of=AS_OF)
    assert result.percent == pytest.approx(80.0)
    assert result.bonus == pytest.approx(3.0) and result.total == pytest.approx(83.0)
    capped = rulebook_from_dict(dict(data, rulebook=dict(data["rulebook"], bonus={"max": 15, "min_percent": 0})))
    big = audit(capped, ledgers, as_of=AS_OF)
    assert big.bonus == pytest.approx(4.0) and big.total == pytest.approx(84.0)


def test_unit_is_on_the_report_the_list_the_summary_and_the_json(tmp_path):
    """audit --unit names the unit on the terminal summary, in the report's title and trail, on
    the rectification list (summary sheet and a unit column) and in the JSON."""
    ledgers = unit_frames()["乙局"]
    paths = {}
    for dataset, frame in ledgers.items():
        paths[dataset] = tmp_path / f"{dataset}.csv"
        write_frame(frame, paths[dataset])
    book = tmp_path / "book.json"  # JSON is YAML
    book.write_text(json.dumps(BOOK_DICT, ensure_ascii=False), encoding="utf-8")
    out = CliRunner().invoke(cli, ["audit", "--rules", str(book), "--as-of", AS_OF, "--unit", "乙局",
                                   *[f"--data={d}={p}" for d, p in paths.items()],
                                   "--html", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json"),
                                   "--findings", str(tmp_path / "f.xlsx")])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "被考核单位: 乙局"
    assert "单项否决：REQ-REPLIED 未达标" in out.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<title>乙局 · " in html and 'data-testid="unit"' in html
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["unit"] == {"name": "乙局", "code": None}
    assert data["score"]["vetoed_by"] == ["REQ-REPLIED"] and data["score"]["grade"] == "不合格"
    workbook = load_workbook(tmp_path / "f.xlsx")
    summary = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert summary["被考核单位"] == "乙局" and summary["单项否决"] == "REQ-REPLIED"
    sheet = workbook.worksheets[1]
    header = [c.value for c in sheet[1]]
    assert header[0] == "被考核单位"
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"乙局"}


def test_explain_says_veto_and_bonus(tmp_path):
    """explain tells a veto rule and a bonus rule what they do to the grade."""
    book = tmp_path / "book.json"
    book.write_text(json.dumps(BOOK_DICT, ensure_ascii=False), encoding="utf-8")
    veto = CliRunner().invoke(cli, ["explain", "REQ-REPLIED", "--rules", str(book)])
    bonus = CliRunner().invoke(cli, ["explain", "DOC-INTERP", "--rules", str(book), "--lang", "en"])
    plain = CliRunner().invoke(cli, ["explain", "DOC-ATTR", "--rules", str(book)])
    assert "单项否决" in veto.output and "Bonus:" in bonus.output
    assert "单项否决" not in plain.output and "加分项" not in plain.output
