"""The rectification list (整改清单): CSV with BOM, XLSX per division, formula neutralisation.

The lists are written from real audits of the ledgers in ``ledgers.py``.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

import disclosure_rules.exports as exports
from disclosure_rules import audit
from disclosure_rules.exports import COLUMNS, findings_table, headers, neutralize, write_findings
from openpyxl.utils import get_column_letter

from disclosure_rules.words import word
from ledgers import AS_OF, BOOK, HOSTILE, audited, write_ledgers

HEADERS = headers(COLUMNS, "zh")


def _at(name: str) -> int:
    """The position of a column of the list (by its table name)."""
    return [n for n, _, _ in COLUMNS].index(name)


def _letter(name: str) -> str:
    return get_column_letter(_at(name) + 1)


def _division_sheets(book):
    """The division sheets: after the summary, before the data issues' sheet."""
    return [n for n in book.sheetnames[1:] if n != word("data_issue_sheet", "zh")]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return audited(tmp_path_factory.mktemp("ledgers"))


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
    late = result.findings_frame("zh")
    late = late[(late["rule"] == "REQ-DEADLINE-01") & late["end"].notna()].iloc[0]
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    deadline = next(r for r in records if r["规则编号"] == "REQ-DEADLINE-01" and r["记录编号"] == late["key"])
    assert deadline["规则名称"] == result.book.rule("REQ-DEADLINE-01").title
    assert deadline["依据条款"] == result.book.rule("REQ-DEADLINE-01").basis.clause
    assert deadline["期限"] == late["deadline"].date().isoformat() and deadline["办结日期"] == late["end"].date().isoformat()
    assert deadline["超期工作日"] == str(int(late["late_workdays"])) and int(deadline["超期工作日"]) > 0
    assert deadline["表格行号"] == str(late["row"]) and deadline["问题"] == late["message"]  # messages in Chinese
    assert deadline["台账"] == result.book.datasets["requests"].title  # the ledger's title, not its code
    assert deadline["状态"] == ("已豁免" if late["waived"] else "需说明情况")  # late: cannot be undone, explain
    assert {r["已豁免"] for r in records} == {"是", "否"}


def test_xlsx_summary_then_one_sheet_per_division(tmp_path, result):
    path = tmp_path / "整改清单.xlsx"
    write_findings(result, path)
    book = load_workbook(path)
    divisions = set(result.findings["department"])
    assert book.sheetnames[0] == "汇总"
    assert set(_division_sheets(book)) == divisions
    total = 0
    for name in _division_sheets(book):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(HEADERS))}{sheet.max_row}"
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet.column_dimensions[_letter("message")].width >= 40  # the message column is wide
        assert {c.value for c in sheet[_letter("department")][1:]} == {name}
        total += sheet.max_row - 1
    assert total == len(result.findings)
    summary = book["汇总"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    blank = next(i for i, row in enumerate(values) if not any(row))
    lines = {row[0]: row[1] for row in values[:blank]}
    assert lines["问题总数"] == len(result.findings)
    assert lines["得分"] == round(result.grading_percent, 1) and lines["等次"] == result.grade
    # the fixture supplies two of the five ledgers: the grade comes from the strict percent
    assert result.graded_on == "strict_percent" and lines["评定依据"].startswith("严格得分")
    assert lines["严格得分"] == round(result.strict_percent, 1) and lines["可考核规则得分"] == round(result.percent, 1)
    assert values[blank + 1][:2] == ["处室", "整改清单条数"]
    table = values[blank + 2:values.index([None] * len(values[0]), blank + 1)]
    counted = {row[0]: row[1] for row in table if row[1]}
    assert counted == result.findings["department"].value_counts().to_dict()
    assert list(counted) == _division_sheets(book), "division sheets follow the summary: most findings first"


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
    hostile = audited(tmp_path / "ledgers", hostile=True)
    assert {HOSTILE["formula"], HOSTILE["onerror"]} <= set(hostile.findings["key"])
    csv_path, xlsx_path = tmp_path / "f.csv", tmp_path / "f.xlsx"
    write_findings(hostile, csv_path)
    write_findings(hostile, xlsx_path)
    keys = [r[_at("key")] for r in _read_csv(csv_path)[1:]]
    assert "'" + HOSTILE["formula"] in keys
    assert HOSTILE["formula"] not in keys
    cells = [c for ws in load_workbook(xlsx_path).worksheets for row in ws.iter_rows() for c in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + HOSTILE["formula"] in texts
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert HOSTILE["onerror"] in texts  # not a formula, kept exactly
    assert HOSTILE["division"] in texts  # markup in a division name, as text


def test_findings_table_handles_no_findings(tmp_path):
    """A clean ledger: the CSV has only its header, the XLSX only its summary."""
    clean = pd.DataFrame({"文号": ["晋商办函〔2021〕1号"], "起草处室": ["办公室"], "文件类型": ["其他文件"],
                          "成文日期": ["2021-03-01"], "公开属性": ["主动公开"], "公开日期": ["2021-03-05"]})
    empty = audit(BOOK, {"documents": clean}, as_of=AS_OF)
    assert len(empty.findings) == 0 and "pass" in {r.status for r in empty.rules}
    write_findings(empty, tmp_path / "none.xlsx")
    write_findings(empty, tmp_path / "none.csv")
    assert _read_csv(tmp_path / "none.csv") == [HEADERS]
    assert load_workbook(tmp_path / "none.xlsx").sheetnames == ["汇总"]


def test_control_characters_and_odd_division_names(tmp_path):
    """Characters XLSX cannot hold are dropped; sheet names are made valid and unique."""
    paths = write_ledgers(tmp_path / "ledgers")
    docs = pd.read_csv(paths["documents"], dtype=str, keep_default_na=False)
    unknown = docs["公开属性"] == "待定"  # each row below violates DOC-ATTR-01 (blank or unknown label)
    flagged = docs.index[(docs["公开属性"] == "") | unknown][:3]
    docs.loc[flagged[0], "文号"] = "bad\x01key"
    docs.loc[flagged[1], "起草处室"] = "a/b:c*?[d]" + "长" * 40
    docs.loc[flagged[2], "起草处室"] = ""
    odd = audit(BOOK, {"documents": docs, "requests": paths["requests"]}, as_of=AS_OF)
    assert "bad\x01key" in set(odd.findings["key"])
    path = tmp_path / "odd.xlsx"
    write_findings(odd, path)
    book = load_workbook(path)
    names = book.sheetnames
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert word("blank_division", "zh") == "(未填写)" and "(未填写)" in names  # the name the ranking gives it
    keys = {c.value for name in _division_sheets(book) for c in book[name][_letter("key")][1:]}
    assert "badkey" in keys


def test_unknown_suffix_is_refused(tmp_path, result):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        write_findings(result, tmp_path / "findings.json")
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic(tmp_path, result, monkeypatch):
    """A write that fails after part of the new list is on disk leaves the old file and no temporary file."""
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"old")
    real = exports._write_xlsx
    partial = []

    def fail_after_writing(result, table, tmp, lang):
        real(result, table, tmp, lang)
        tmp.write_bytes(tmp.read_bytes()[:100])
        partial.append(tmp.stat().st_size)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "_write_xlsx", fail_after_writing)
    with pytest.raises(OSError):
        write_findings(result, path)
    assert partial == [100]
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.xlsx"]


def test_findings_table_is_sorted_by_division_rule_row(result):
    table = findings_table(result)
    assert [c for c in table.columns if c not in ("sheet", "waived_flag", "severity_code", "status_code")] == \
        [name for name, _, _ in COLUMNS]
    ordered = table.sort_values(["department", "rule", "row"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, ordered)


def test_a_sheet_column_appears_only_when_a_ledger_was_read_from_sheets(tmp_path):
    """Findings from a workbook name their sheet in a 工作表 column after 表格行号 (a row number
    alone is ambiguous across sheets); CSV ledgers keep the export's usual columns."""
    from openpyxl import Workbook

    from disclosure_rules import audit, load_rulebook

    path = tmp_path / "公文台账.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "一季度"
    sheet.append(["发文字号", "起草处室", "公开属性"])
    sheet.append(["晋商函〔2021〕1号", "外贸处", ""])
    book.save(path)
    result = audit(load_rulebook("builtin:shanxi-commerce-2021"), {"documents": path}, as_of="2021-12-31")
    finding = result.findings[result.findings["rule"] == "DOC-ATTR-01"].iloc[0]
    assert finding["row"] == 2 and finding["sheet"] == "一季度"
    out = tmp_path / "整改清单.xlsx"
    write_findings(result, out)
    division = load_workbook(out)["外贸处"]
    headers = [c.value for c in division[1]]
    assert headers[headers.index("表格行号") + 1] == "工作表"
    assert {r[headers.index("工作表")] for r in division.iter_rows(min_row=2, values_only=True)} == {"一季度"}


def test_non_characters_in_a_message_do_not_corrupt_the_xlsx(tmp_path):
    """U+FFFF / U+FFFE in a ledger cell echoed into a finding's message are dropped from the XLSX
    (XML cannot hold them), so Excel can still open the rectification list."""
    from disclosure_rules import audit, load_rulebook

    frame = pd.DataFrame({"留言编号": ["LY-1"], "留言日期": ["2021-03-01"], "回复日期": ["2021-03-02"],
                          "回复内容": ["\uffff\ufffe"]}, dtype=object)
    result = audit(load_rulebook("builtin:shanxi-commerce-2021"), {"messages": frame}, as_of="2021-12-31")
    assert len(result.findings)
    out = tmp_path / "u.xlsx"
    write_findings(result, out)
    assert load_workbook(out).sheetnames[0] == "汇总"


def test_the_rulebooks_own_words_are_neutralised_too(tmp_path):
    """A rule title or basis clause written like a formula (=, +) reaches the list as text in
    both formats: the rulebook's words are text a spreadsheet must not run either."""
    import copy

    book = copy.deepcopy(BOOK)
    for rule in book.rules:
        rule.title = "=" + rule.title
        if rule.basis is not None:
            rule.basis.clause = "+" + (rule.basis.clause or "1")
    result = audit(book, write_ledgers(tmp_path / "ledgers"), as_of=AS_OF)
    assert len(result.findings)
    csv_path, xlsx_path = tmp_path / "f.csv", tmp_path / "f.xlsx"
    write_findings(result, csv_path)
    write_findings(result, xlsx_path)
    rows = _read_csv(csv_path)[1:]
    for column in ("title", "clause"):
        values = {r[_at(column)] for r in rows}
        assert values and all(v.startswith("'") for v in values), (column, sorted(values)[:3])
    cells = [c for ws in load_workbook(xlsx_path).worksheets for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
