"""The rectification list (整改清单): CSV with BOM, XLSX per division, formula neutralisation."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

import disclosure_rules.exports as exports
from disclosure_rules.exports import COLUMNS, findings_table, neutralize, write_findings
from test_report import HOSTILE, make_result

HEADERS = [header for _, header, _ in COLUMNS]


@pytest.fixture(scope="module")
def result():
    return make_result()


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+86 351", "'+86 351"),
    ("-3", "'-3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("外贸处", "外贸处"),
    ("a=b", "a=b"),
    ("", ""),
    (-3, -3),
    (None, None),
])
def test_neutralize(value, expected):
    """Only text that a spreadsheet would read as a formula changes; numbers stay numbers."""
    assert neutralize(value) == expected


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel detects the encoding"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def test_csv_has_bom_headers_and_one_row_per_finding(tmp_path, result):
    path = tmp_path / "整改清单.csv"
    write_findings(result, path)
    rows = _read_csv(path)
    assert rows[0] == HEADERS
    assert len(rows) - 1 == len(result.findings)
    by_rule = {r[0]: r for r in rows[1:]}
    deadline = by_rule["REQ-DEADLINE-01"]
    assert deadline[1] == result.book.rule("REQ-DEADLINE-01").title
    assert deadline[9] == result.book.rule("REQ-DEADLINE-01").basis.clause
    assert deadline[10] == "2021-10-29" and deadline[12] == "3"
    assert deadline[3] == result.book.datasets["requests"].title  # the ledger's title, not its code
    assert {r[8] for r in rows[1:]} == {"是", "否"}


def test_xlsx_summary_then_one_sheet_per_division(tmp_path, result):
    path = tmp_path / "整改清单.xlsx"
    write_findings(result, path)
    book = load_workbook(path)
    divisions = set(result.findings["department"])
    assert book.sheetnames[0] == "汇总"
    assert set(book.sheetnames[1:]) == divisions
    total = 0
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet.column_dimensions["G"].width >= 40  # the message column is wide
        assert {c.value for c in sheet["C"][1:]} == {name}
        total += sheet.max_row - 1
    assert total == len(result.findings)
    summary = book["汇总"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    assert ["问题总数", len(result.findings)] == values[5][:2]
    counted = {row[0]: row[1] for row in values[8:] if row and row[0]}
    assert counted == result.findings["department"].value_counts().to_dict()
    assert list(counted) == book.sheetnames[1:], "division sheets follow the summary: most findings first"


def test_xlsx_splits_a_division_at_the_row_limit(tmp_path, result, monkeypatch):
    """More findings than a sheet holds continue on '<division> (2)'."""
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 11)  # 10 findings per sheet
    path = tmp_path / "split.xlsx"
    write_findings(result, path)
    book = load_workbook(path)
    counts = result.findings["department"].value_counts()
    biggest = counts.index[0]
    assert counts.iloc[0] > 10
    assert f"{biggest} (2)" in book.sheetnames
    assert book[biggest].max_row == 11
    sheets = [n for n in book.sheetnames if n == biggest or n.startswith(f"{biggest} (")]
    assert sum(book[n].max_row - 1 for n in sheets) == counts.iloc[0]


def test_hostile_values_are_neutralised_in_csv_and_xlsx(tmp_path):
    """=HYPERLINK(...) reaches the spreadsheet as text, in both formats; markup stays as text."""
    hostile = make_result(hostile=True)
    csv_path, xlsx_path = tmp_path / "f.csv", tmp_path / "f.xlsx"
    write_findings(hostile, csv_path)
    write_findings(hostile, xlsx_path)
    keys = [r[5] for r in _read_csv(csv_path)[1:]]
    assert "'" + HOSTILE["formula"] in keys
    assert HOSTILE["formula"] not in keys
    cells = [c for ws in load_workbook(xlsx_path).worksheets for row in ws.iter_rows() for c in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + HOSTILE["formula"] in texts
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert HOSTILE["onerror"] in texts  # not a formula, kept exactly


def test_findings_table_handles_no_findings(tmp_path, result):
    empty = make_result()
    empty.findings = result.findings.iloc[0:0]
    write_findings(empty, tmp_path / "none.xlsx")
    write_findings(empty, tmp_path / "none.csv")
    assert _read_csv(tmp_path / "none.csv") == [HEADERS]
    assert load_workbook(tmp_path / "none.xlsx").sheetnames == ["汇总"]


def test_control_characters_and_odd_division_names(tmp_path, result):
    """Characters XLSX cannot hold are dropped; sheet names are made valid and unique."""
    odd = make_result()
    odd.findings = result.findings.copy()
    odd.findings["department"] = odd.findings["department"].astype(object)
    odd.findings.loc[0, "message"] = "bad\x01char"
    odd.findings.loc[1, "department"] = "a/b:c*?[d]" + "长" * 40
    odd.findings.loc[2, "department"] = None
    path = tmp_path / "odd.xlsx"
    write_findings(odd, path)
    names = load_workbook(path).sheetnames
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert exports.NO_DIVISION in names


def test_unknown_suffix_is_refused(tmp_path, result):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        write_findings(result, tmp_path / "findings.json")
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic(tmp_path, result, monkeypatch):
    """A failing write leaves the old file and no temporary file."""
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"old")
    monkeypatch.setattr(exports, "_write_xlsx", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        write_findings(result, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.xlsx"]


def test_findings_table_is_sorted_by_division_rule_row(result):
    table = findings_table(result)
    assert list(table.columns) == [name for name, _, _ in COLUMNS]
    ordered = table.sort_values(["department", "rule", "row"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, ordered)
