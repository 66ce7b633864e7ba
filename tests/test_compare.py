"""compare OLD NEW (DESIGN §15): two results or two assessments, per unit, rule, section and division.

The twins 丁局 and 戊局 differ in one request (answered not in writing at 外资处): every
difference asserted below follows from that row, by the formulas of DESIGN §7.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from disclosure_rules import DisclosureRulesError, audit
from disclosure_rules.assessment import assess
from disclosure_rules.cli import cli
from disclosure_rules.comparison import compare

from assess_units import AS_OF, BOOK, expected, unit_frames


@pytest.fixture(scope="module")
def twins():
    frames = unit_frames()
    return (audit(BOOK, frames["丁局"], as_of=AS_OF, unit="局"), audit(BOOK, frames["戊局"], as_of=AS_OF, unit="局"))


def test_one_row_changes_exactly_its_rule_section_and_division(twins):
    """One request more not in writing changes REQ-WRITING (one violation more, one deduction
    less, the rate one request down), its section S1, the division of that row and the unit's
    total; nothing else."""
    old, new = twins
    result = compare(old, new)
    want_old, want_new = expected(unit_frames()["丁局"]), expected(unit_frames()["戊局"])
    rules = result.changed("rules").set_index("id")
    assert list(rules.index) == ["REQ-WRITING"]
    rule = rules.loc["REQ-WRITING"]
    assert rule["delta_violations"] == 1 and rule["change"] == "changed"
    assert rule["delta_awarded"] == pytest.approx(want_new["rules"]["REQ-WRITING"]["awarded"]
                                                  - want_old["rules"]["REQ-WRITING"]["awarded"])
    assert rule["old_rate"] == pytest.approx(7 / 9, abs=1e-4) and rule["new_rate"] == pytest.approx(6 / 9, abs=1e-4)
    assert list(result.changed("sections")["id"]) == ["S1"]
    divisions = result.changed("divisions")
    assert list(divisions["department"]) == ["外资处"] and list(divisions["delta_violations"]) == [1]
    unit = result.units.iloc[0]
    assert unit["delta_total"] == pytest.approx(want_new["total"] - want_old["total"])
    assert (unit["old_grade"], unit["new_grade"]) == (want_old["grade"], want_new["grade"])


def test_the_same_result_has_no_change(twins):
    """A result compared with itself changes nothing."""
    result = compare(twins[0], twins[0])
    assert all(len(result.changed(t)) == 0 for t in ("units", "rules", "sections", "divisions"))


def test_assessments_compare_per_unit_added_and_removed():
    """Two assessments: a unit that fixed its row changes (total and rank), a unit only in the
    new one is added with its rules, one only in the old one is removed with its rules."""
    frames = unit_frames()
    old = assess(BOOK, {"丁局": frames["丁局"], "戊局": frames["戊局"], "丙局": frames["丙局"]}, as_of=AS_OF)
    new = assess(BOOK, {"丁局": frames["丁局"], "戊局": frames["丁局"], "甲局": frames["甲局"]}, as_of=AS_OF)
    result = compare(old, new)
    units = result.units.set_index("unit")
    assert units.loc["甲局", "change"] == "added" and units.loc["丙局", "change"] == "removed"
    assert units.loc["戊局", "delta_total"] == pytest.approx(expected(frames["丁局"])["total"]
                                                            - expected(frames["戊局"])["total"])
    assert (units.loc["戊局", "old_rank"], units.loc["戊局", "new_rank"]) == (2, 3)
    assert (units.loc["丁局", "old_rank"], units.loc["丁局", "new_rank"]) == (1, 2)
    rules = result.changed("rules")
    assert sorted(map(tuple, rules[["unit", "id", "change"]].to_numpy().tolist())) == sorted(
        [("戊局", "REQ-WRITING", "changed")] + [("甲局", r.id, "added") for r in BOOK.rules]
        + [("丙局", r.id, "removed") for r in BOOK.rules])


def test_compare_command_writes_html_and_json(tmp_path, twins):
    """compare OLD NEW prints the changes and writes --html (self-contained) and --json."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    twins[0].write_json(old)
    twins[1].write_json(new)
    out = CliRunner().invoke(cli, ["compare", str(old), str(new), "--html", str(tmp_path / "c.html"),
                                   "--json", str(tmp_path / "c.json")])
    assert out.exit_code == 0, out.output
    assert "REQ-WRITING" in out.output and "DOC-ATTR" not in out.output
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["kind"] == "result"
    assert [r["id"] for r in data["rules"] if r["change"] != "same"] == ["REQ-WRITING"]
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "REQ-WRITING" in html and "<script" not in html and "http" not in html.split("<body>", 1)[1]


def test_a_result_and_an_assessment_are_not_compared(twins, tmp_path):
    """Comparing a result with an assessment, or a file that is neither, is one sentence."""
    assessment = assess(BOOK, {"丁局": unit_frames()["丁局"]}, as_of=AS_OF)
    with pytest.raises(DisclosureRulesError, match="compare two result.json or two assessment.json"):
        compare(twins[0], assessment)
    junk = tmp_path / "junk.json"
    junk.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(DisclosureRulesError, match="neither a result.json"):
        compare(junk, junk)
