"""Ledgers as offices keep them give the numbers and rows of the same records kept tidily.

Each case lays the example records out as an office would (see :mod:`messy`), saves
them as .xlsx/.xls/.ods or CSV/TSV text, audits the files and compares with the audit
of the clean records (DESIGN §11: "Nothing a user can put in a file ... loses data";
§8: ``row`` is the row a spreadsheet shows, findings carry ``sheet``, ``reading``
lists every skipped row). Five views of each case, so that a failure says which part
of reading is wrong: rule counts, score, findings' rows, sheets, the reading report.
"""

from __future__ import annotations

import pytest

from battery_cases import CASES, check_reading, check_rows, check_rule_counts, check_score, check_sheets

IDS = [case.id for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_rule_counts_as_on_the_clean_ledger(battery, case):
    """Each rule's status, population, passed, violations, pending, rate and points match the tidy ledger."""
    check_rule_counts(battery.run(case))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_score_sections_and_divisions_as_on_the_clean_ledger(battery, case):
    """The score (percent, grade, coverage), each section and each division (处室) match the tidy ledger."""
    check_score(battery.run(case))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_findings_and_data_issues_land_on_their_rows(battery, case):
    """Every finding and data issue is on the row the spreadsheet shows for its record, with its key and division."""
    check_rows(battery.run(case))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_findings_and_data_issues_name_their_sheet(battery, case):
    """Findings and data issues carry the sheet their row is on (null for a text file), as DESIGN §8 says."""
    check_sheets(battery.run(case))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reading_report_says_what_was_read_and_skipped(battery, case):
    """`reading` lists exactly the rows that are not records (row, sheet, reason, text), the header rows,
    the record count, the fields found, the format by content, and every sheet read or passed over."""
    check_reading(battery.run(case))
