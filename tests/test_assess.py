"""assess (DESIGN §15): a units folder in, a fair ranking and every unit's outputs out.

The folder is built by tests/assess_units.py (CSV and XLSX, a unit named by titles and
unit.yaml, one missing a ledger, twins one row apart, a tie); every figure asserted here is
computed from those ledgers by ``assess_units.expected``, not read back from the engine.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from disclosure_rules import DatasetError, audit
from disclosure_rules.assessment import assess, discover_units, match_files, split_by_unit
from disclosure_rules.cli import cli
from disclosure_rules.datasets import load_dataset

from assess_units import (AS_OF, BOOK, BOOK_DICT, LAYOUT, expected, expected_ranking, unit_frames,
                          write_single_ledger, write_units)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_units(tmp_path_factory.mktemp("units") / "units")


@pytest.fixture(scope="module")
def assessment(folder):
    return assess(BOOK, folder, as_of=AS_OF)


@pytest.fixture(scope="module")
def book_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "plan.yaml"
    path.write_text(yaml.safe_dump(BOOK_DICT, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_files_are_found_by_stem_title_and_glob(folder):
    """Each unit's ledgers are found by the dataset's name, its title or its files: glob; the
    unit is named by unit.yaml or its folder; a file no dataset claims is a warning."""
    units, warnings = discover_units(BOOK, folder)
    found = {u.name: (u.code, u.folder, {d: p.name for d, p in u.data.items()}) for u in units}
    for unit, (sub, names, meta) in LAYOUT.items():
        assert found[unit] == ((meta or {}).get("code"), sub, names)
    assert warnings == [{"key": "assess_warn_unclaimed", "unit": "甲局", "files": "说明.txt"}]


def test_two_files_for_one_dataset_are_refused(tmp_path):
    """Two files a dataset claims in one unit's folder are refused, naming both (never one
    silently dropped)."""
    for name in ("requests.csv", "2021依申请.csv"):
        (tmp_path / name).write_text("申请编号\nA\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="two files for dataset 'requests'"):
        match_files(BOOK, sorted(tmp_path.iterdir()))


def test_every_unit_has_the_figures_of_its_ledgers(assessment):
    """Every unit's percent, strict percent, coverage, bonus, total, veto, grade and violations by
    severity are those its own ledgers give (DESIGN §7)."""
    frames = unit_frames()
    ranking = assessment.ranking.set_index("unit")
    assert sorted(ranking.index) == sorted(frames)
    for unit, ledgers in frames.items():
        want, row = expected(ledgers), ranking.loc[unit]
        assert row["percent"] == pytest.approx(want["percent"])
        assert row["strict_percent"] == pytest.approx(want["strict_percent"])
        assert row["coverage"] == pytest.approx(want["coverage"])
        assert row["grading_percent"] == pytest.approx(want["grading_percent"])
        assert row["bonus"] == pytest.approx(want["bonus"]) and row["total"] == pytest.approx(want["total"])
        assert row["grade"] == want["grade"] and row["graded_on"] == want["graded_on"]
        assert row["vetoed_by"] == ", ".join(want["vetoed_by"])
        for severity, n in want["violations"].items():
            assert row[f"violations_{severity}"] == n, (unit, severity)


def test_the_ranking_follows_the_stated_rule(assessment):
    """Units rank by total (grading percent + bonus), vetoed units last, ties broken by strict
    percent, violations, then code and name: the tie 丁局/己局 is in name order, the twin one
    row worse is below them, the unit without its document ledger is ranked on its strict percent."""
    assert list(assessment.ranking["unit"]) == expected_ranking()
    assert list(assessment.ranking["rank"]) == list(range(1, len(unit_frames()) + 1))


def test_withholding_a_ledger_never_helps(tmp_path):
    """A unit that leaves out a ledger is graded on its strict percent, which is never above
    the percent it has with the ledger: it ranks no higher than with it, whatever it held back."""
    frames = unit_frames()
    for unit in ("甲局", "丁局", "戊局"):
        for dataset in ("requests", "documents"):
            withheld = {k: v for k, v in frames[unit].items() if k != dataset}
            units = {f"{unit}（全）": frames[unit], f"{unit}（缺）": withheld}
            result = assess(BOOK, units, as_of=AS_OF)
            full, partial = result.unit(f"{unit}（全）"), result.unit(f"{unit}（缺）")
            assert partial.result.graded_on == "strict_percent"
            assert partial.result.total <= full.result.total
            assert partial.rank > full.rank
            assert partial.result.strict_percent == pytest.approx(expected(withheld)["strict_percent"])


def test_single_ledger_form_gives_each_unit_its_own_audit(tmp_path, assessment):
    """One ledger per dataset holding every unit (a 单位 column) gives every unit the same
    figures as auditing its rows on their own, and the same ranking as the folder form."""
    single = assess(BOOK, write_single_ledger(tmp_path / "platform"), as_of=AS_OF)
    assert list(single.ranking["unit"]) == expected_ranking()
    mine = single.ranking.set_index("unit")
    theirs = assessment.ranking.set_index("unit")
    for column in ("percent", "strict_percent", "coverage", "bonus", "total", "grade", "violations"):
        assert mine[column].to_dict() == pytest.approx(theirs[column].to_dict()) if column != "grade" \
            else mine[column].to_dict() == theirs[column].to_dict()
    alone = audit(BOOK, unit_frames()["戊局"], as_of=AS_OF)
    assert [(r.id, r.population, r.violations, r.awarded) for r in single.unit("戊局").result.rules] == \
        [(r.id, r.population, r.violations, r.awarded) for r in alone.rules]


def test_split_by_unit_keeps_rows_and_row_numbers(tmp_path):
    """split_by_unit gives each unit exactly its rows, with the spreadsheet row numbers of the
    whole file, and counts the rows that name no unit."""
    frame = pd.DataFrame({"申请编号": ["A", "B", "C", "D", "E"], "单位": ["甲", "乙", "", "甲", "乙"],
                          "是否答复": ["是", "否", "是", "是", "也许"]})
    loaded = load_dataset("requests", BOOK.datasets["requests"], frame)
    parts, blank = split_by_unit(loaded, "unit")
    assert blank == 1 and sorted(parts) == ["乙", "甲"]
    assert [i["row"] for i in loaded.issues] == [6]  # the unreadable 也许, row 6, is 乙's issue only
    assert [i["row"] for i in parts["乙"].issues] == [6] and parts["甲"].issues == []
    assert list(parts["甲"].frame["req_id"]) == ["A", "D"] and list(parts["甲"].rows) == [2, 5]
    assert list(parts["乙"].frame["req_id"]) == ["B", "E"] and list(parts["乙"].rows) == [3, 6]


def test_outputs_of_the_assessment(tmp_path, assessment):
    """OUT_DIR holds index.html, ranking.xlsx (ranking and unit x rule sheets), assessment.json
    (ranking and every unit's result) and each unit's report, result.json and list."""
    paths = assessment.write(tmp_path / "out")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [r["unit"] for r in data["ranking"]] == expected_ranking()
    assert [u["name"] for u in data["units"]] == expected_ranking()
    for unit in data["units"]:
        for name in ("report", "result", "findings"):
            assert (tmp_path / "out" / unit["files"][name]).is_file()
        own = json.loads((tmp_path / "out" / unit["files"]["result"]).read_text(encoding="utf-8"))
        assert own["unit"]["name"] == unit["name"] and own["score"] == unit["result"]["score"]
    workbook = load_workbook(paths["ranking"])
    ranking, matrix = workbook.worksheets
    assert [row[1] for row in ranking.iter_rows(min_row=2, values_only=True)] == expected_ranking()
    assert matrix.max_row - 1 == len(unit_frames()) * len(BOOK.rules)
    html = paths["index"].read_text(encoding="utf-8")
    for unit in assessment.units:
        assert f'href="units/{unit.slug}/report.html"' in html
    assert "排名规则" in html
    assert "甲局：文件 说明.txt 不属于任何台账" in html
    assert data["warnings"] == assessment.warnings_in("en") and "说明.txt" in data["warnings"][0]


def test_previous_assessment_gives_the_change(tmp_path, assessment):
    """With --previous, each unit's change is its total's difference and its rank's; a unit the
    previous assessment lacks is new."""
    old = assessment.to_dict()
    old["units"] = [u for u in old["units"] if u["name"] != "甲局"]
    for u in old["units"]:
        u["result"]["score"]["total"] = 50.0
        u["rank"] = 7
    again = assess(BOOK, {u.name: unit_frames()[u.name] for u in assessment.units}, as_of=AS_OF, previous=old)
    ranking = again.ranking.set_index("unit")
    for unit in ranking.index:
        if unit == "甲局":
            assert pd.isna(ranking.loc[unit, "previous_rank"])
            continue
        assert ranking.loc[unit, "change"] == pytest.approx(ranking.loc[unit, "total"] - 50.0)
        assert ranking.loc[unit, "rank_change"] == 7 - ranking.loc[unit, "rank"]


def test_assess_command(tmp_path, folder, book_file):
    """disclosure-rules assess UNITS_DIR -o OUT prints the ranking and writes the folder (no
    progress bar when the output is not a terminal)."""
    out = CliRunner().invoke(cli, ["assess", str(folder), "--rules", str(book_file), "--as-of", AS_OF,
                                   "-o", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    lines = [line.split() for line in out.output.splitlines() if line.startswith("  ")]
    assert [parts[1] for parts in lines] == expected_ranking()
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "ranking.xlsx").is_file()
    again = CliRunner().invoke(cli, ["assess", str(folder), "--rules", str(book_file), "--as-of", AS_OF,
                                     "-o", str(tmp_path / "out2"), "--previous", str(tmp_path / "out" / "assessment.json")])
    assert again.exit_code == 0, again.output
    data = json.loads((tmp_path / "out2" / "assessment.json").read_text(encoding="utf-8"))
    assert all(r["change"] == 0 and r["rank_change"] == 0 for r in data["ranking"])


def test_compiled_expressions_are_reused_and_follow_edits():
    """Auditing many units with one book compiles each rule's expressions once (the book keeps
    them); a rule edited afterwards is compiled afresh, so its new expression is the one judged."""
    from disclosure_rules.rulebook import rulebook_from_dict

    book = rulebook_from_dict(BOOK_DICT)
    frames = unit_frames()
    first = audit(book, frames["甲局"], as_of=AS_OF)
    cached = dict(book.compiled_cache)
    assert cached  # where/expect of the rules
    audit(book, frames["乙局"], as_of=AS_OF)
    assert book.compiled_cache.keys() == cached.keys()
    assert all(book.compiled_cache[k] is v for k, v in cached.items())
    book.rule("REQ-WRITING").expect = "not in_writing"
    edited = audit(book, frames["甲局"], as_of=AS_OF)
    rule = first.rule("REQ-WRITING")
    assert edited.rule("REQ-WRITING").violations == rule.population - rule.violations


def test_hostile_unit_names_are_text(tmp_path):
    """A unit named with markup is shown as text on index.html (escaped), and its folder name is
    safe on every file system."""
    name = '<script>alert("x")</script>/..'
    assessment = assess(BOOK, {name: unit_frames()["甲局"]}, as_of=AS_OF)
    paths = assessment.write(tmp_path / "out")
    html = paths["index"].read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    (unit,) = assessment.units
    assert "/" not in unit.slug and (tmp_path / "out" / "units" / unit.slug / "report.html").is_file()


def test_package_functions_stay_functions():
    """disclosure_rules.assess, .compare and .diff are the library calls even after their
    modules (assessment, comparison, plandiff) are imported."""
    import disclosure_rules
    import disclosure_rules.assessment  # noqa: F401
    import disclosure_rules.comparison  # noqa: F401
    import disclosure_rules.plandiff  # noqa: F401

    assert all(callable(getattr(disclosure_rules, name)) for name in ("assess", "compare", "diff"))
    assert disclosure_rules.assess(BOOK, {"甲局": unit_frames()["甲局"]}, as_of=AS_OF).units[0].name == "甲局"
