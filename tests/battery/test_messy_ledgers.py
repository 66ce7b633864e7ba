"""Ledgers as offices keep them give the numbers and rows of the same records kept tidily.

Each case lays the example records out as an office would (see :mod:`messy`), saves
them as .xlsx/.xls/.ods or CSV/TSV text, audits the files and compares with the audit
of the clean records (DESIGN §11: "Nothing a user can put in a file ... loses data";
§8: ``row`` is the row a spreadsheet shows, findings carry ``sheet``, ``reading``
lists every skipped row). Five views of each case, so that a failure says which part
of reading is wrong: rule counts, score, findings' rows, sheets, the reading report.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import messy
from battery_cases import BOOK, CASES

IDS = [case.id for case in CASES]
RULE_FIELDS = ("status", "population", "passed", "violations", "pending", "waived", "rate", "awarded", "possible")


def _rules(result: dict) -> dict[str, dict]:
    return {r["id"]: {k: r[k] for k in RULE_FIELDS} for r in result["rules"]}


def _same(what: str, got: Counter, want: Counter, limit: int = 6) -> None:
    """Fail with the first few missing and unexpected entries (pytest's own diff of big Counters is slow)."""
    if got == want:
        return
    missing, extra = list((want - got).elements()), list((got - want).elements())
    pytest.fail(f"{what}: {len(missing)} missing, e.g. {missing[:limit]}; "
                f"{len(extra)} unexpected, e.g. {extra[:limit]}", pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_rule_counts_as_on_the_clean_ledger(battery, case):
    """Each rule's status, population, passed, violations, pending, rate and points match the tidy ledger."""
    run = battery.run(case)
    got, want = _rules(run.got), _rules(run.want)
    wrong = {rule: {"got": got.get(rule), "want": counts} for rule, counts in want.items() if got.get(rule) != counts}
    if wrong:
        pytest.fail(f"{len(wrong)} rules differ: " + json.dumps(wrong, ensure_ascii=False), pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_score_sections_and_divisions_as_on_the_clean_ledger(battery, case):
    """The score (percent, grade, coverage), each section and each division (处室) match the tidy ledger."""
    run = battery.run(case)

    def by_division(result):
        return sorted(result["departments"], key=lambda d: str(d["department"]))

    for what, got, want in [("score", run.got["score"], run.want["score"]),
                            ("sections", run.got["sections"], run.want["sections"]),
                            ("divisions", by_division(run.got), by_division(run.want))]:
        if got != want:
            pytest.fail(f"{what}: got {got}, want {want}", pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_findings_and_data_issues_land_on_their_rows(battery, case):
    """Every finding and data issue is on the row the spreadsheet shows for its record, with its key and division."""
    run = battery.run(case)

    def findings(result, place):
        return Counter((f["rule"], f["key"], f["department"], place(f["dataset"], f["row"]))
                       for f in result["findings"])

    def issues(result, place):
        return Counter((i["dataset"], i["field"], str(i["value"]), place(i["dataset"], i["row"]))
                       for i in result["data_issues"])

    def same(dataset, row):
        return row

    def placed(dataset, row):
        return run.place(dataset, row)[1]

    _same("findings", findings(run.got, same), findings(run.want, placed))
    _same("data issues", issues(run.got, same), issues(run.want, placed))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_findings_and_data_issues_name_their_sheet(battery, case):
    """Findings and data issues carry the sheet their row is on (null for a text file), as DESIGN §8 says."""
    run = battery.run(case)
    for name in ("findings", "data_issues"):
        lacking = [entry for entry in run.got[name] if "sheet" not in entry]
        assert not lacking, f"{len(lacking)} {name} have no 'sheet' key, e.g. {lacking[0]}"
    got = Counter((f["rule"], f["key"], f["row"], f["sheet"]) for f in run.got["findings"])
    want = Counter((f["rule"], f["key"], *reversed(run.place(f["dataset"], f["row"])))
                   for f in run.want["findings"])
    _same("findings", got, want)
    got = Counter((i["dataset"], i["field"], i["row"], i["sheet"]) for i in run.got["data_issues"])
    want = Counter((i["dataset"], i["field"], *reversed(run.place(i["dataset"], i["row"])))
                   for i in run.want["data_issues"])
    _same("data issues", got, want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reading_report_says_what_was_read_and_skipped(battery, case):
    """`reading` lists exactly the rows that are not records (row, sheet, reason, text), the header rows,
    the record count, the fields found, the format by content, and every sheet read or passed over."""
    run = battery.run(case)
    assert "reading" in run.got, "the result has no 'reading' report"
    for dataset, rendered in run.rendered.items():
        report = run.got["reading"][dataset]
        sheet = (lambda name: name) if run.fmt.workbook else (lambda name: None)
        tolerated = {(sheet(s), row) for s, row in rendered.tolerated}  # blank rows, rows above the header
        listed = [entry for entry in report["skipped"] if (entry.get("sheet"), entry["row"]) not in tolerated]
        got = sorted(((entry.get("sheet"), entry["row"]) for entry in listed), key=str)
        want = sorted(((sheet(s), row) for s, row in rendered.skipped), key=str)
        assert got == want, f"{dataset}: skipped rows differ; generator wrote {rendered.skipped}"
        assert all(entry.get("reason") and entry.get("text") for entry in listed), listed
        assert report["records"] == len(rendered.order), dataset
        assert report["header_rows"] == list(rendered.header_rows), dataset
        fields = {f for f, _ in messy.field_headers(BOOK, dataset, messy.clean_frame(dataset)).values()}
        assert set(report["columns"]) == fields, dataset
        kind = str(report["format"]).lower()
        if run.fmt.workbook:
            assert re.search(rf"\b{run.fmt.writer}\b", kind), f"{dataset}: format {kind!r}, content is {run.fmt.writer}"
            read = json.dumps(report["sheets"], ensure_ascii=False)
            at = [read.find(json.dumps(name, ensure_ascii=False)) for name in rendered.data_sheets]
            assert -1 not in at and at == sorted(at), f"{dataset}: sheets read {report['sheets']}"
            everything = json.dumps(report, ensure_ascii=False)
            assert all(name in everything for name in rendered.other_sheets), rendered.other_sheets
        else:
            assert not re.search(r"xls|ods", kind), f"{dataset}: format {kind!r} for a text file"
