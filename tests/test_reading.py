"""Reading ledgers as offices keep them: formats, encodings, structure, sheets, the report.

Every fixture is a real file written under ``tmp_path`` by code: .xlsx by openpyxl, .xls
by xlwt, .ods by odfpy, CSV/TSV in each encoding and line end, and files whose content is
not what their suffix says. The tests look at the raw text cells, the spreadsheet row
numbers, the sheet of each row and the reading report (DESIGN §8 ``reading``, §11).
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import io
import json
import zipfile
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from disclosure_rules.errors import DatasetError
from disclosure_rules.reading import RawTable, _cell_text, header_key, read_table


def field(required=False, aliases=()):
    return SimpleNamespace(type="string", required=required, aliases=list(aliases), values=None)


DOCS = SimpleNamespace(title="公文台账", key="doc_id", department="department", fields={
    "doc_id": field(required=True, aliases=["文号", "发文字号"]),
    "title": field(aliases=["文件标题", "标题"]),
    "department": field(aliases=["起草处室", "处室"]),
    "issued_on": field(aliases=["成文日期"]),
    "disclosure": field(required=True, aliases=["公开属性"]),
})
REQUESTS = SimpleNamespace(title="依申请公开登记台账", key="request_id", department=None, fields={
    "request_id": field(required=True, aliases=["申请编号"]),
    "applicant": field(aliases=["申请人"]),
    "received_on": field(required=True, aliases=["收到申请日期", "收到日期"]),
    "correction_sent_on": field(aliases=["补正告知日期"]),
    "correction_received_on": field(aliases=["收到补正日期"]),
    "replied_on": field(aliases=["答复日期"]),
})

TITLE = ["山西省商务厅2021年公文台账", None, None, None, None, None]
HEADER = ["序号", "文号", "文件标题", "起草处室", "成文日期", "公开属性"]
RECORDS = [
    [1, "晋商发〔2021〕1号", "关于开展外贸调查的通知", "外贸处", dt.datetime(2021, 7, 28), "主动公开"],
    [2, "晋商发〔2021〕2号", "关于印发办法的通知", "外资处", dt.datetime(2021, 8, 2, 9, 30), "依申请公开"],
    [3, "晋商函〔2021〕7号", "关于会议的函", "办公室", dt.date(2021, 11, 15), "不予公开"],
]


def cells(raw: RawTable, name: str) -> list:
    """The raw text cells of one field, None for an empty cell."""
    column = raw.body[raw.columns[name]]
    return [None if pd.isna(v) else v for v in column.tolist()]


# ------------------------------------------------------------------ writers

def write_xlsx(path, sheets, merges=None, chart=None):
    """sheets: {title: rows}; merges: {title: [(r0, c0, r1, c1)]} 0-based inclusive."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if chart is not None:
        book.create_chartsheet(chart)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    sheet.cell(row=r, column=c, value=value)
        for r0, c0, r1, c1 in (merges or {}).get(title, []):
            sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    book.save(path)
    return path


def write_xls(path, sheets, merges=None):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    stamp = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        covered = set()
        for r0, c0, r1, c1 in (merges or {}).get(title, []):
            sheet.write_merge(r0, r1, c0, c1, rows[r0][c0])
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in covered or value in ("", None):
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write(r, c, value, stamp)
                elif isinstance(value, dt.date):
                    sheet.write(r, c, value, day)
                else:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path, sheets, merges=None):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for title, rows in sheets.items():
        table = Table(name=title)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in (merges or {}).get(title, [])}
        covered = {(r, c) for (r0, c0), (down, across) in spans.items()
                   for r in range(r0, r0 + down) for c in range(c0, c0 + across)} - set(spans)
        for r, row in enumerate(rows):
            line = TableRow()
            for c, value in enumerate(row):
                if (r, c) in covered:
                    line.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                if value in ("", None):
                    cell = TableCell(**attrs)
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **attrs)
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                elif isinstance(value, (dt.datetime, dt.date)):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}


def write_book(tmp_path, fmt, sheets, merges=None, name="ledger"):
    return WRITERS[fmt](tmp_path / f"{name}.{fmt}", sheets, merges)


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(rows, sep=",", encoding="utf-8", newline="\r\n"):
    def cell(value):
        text = text_of(value)
        return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in f'{sep}"\r\n') else text
    return "".join(sep.join(cell(v) for v in row) + newline for row in rows).encode(encoding)


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_every_workbook_format_gives_the_same_cells_rows_and_report(tmp_path, fmt):
    """.xlsx, .xls and .ods with a title row read to the same text cells (dates as ISO
    text, numbers without '.0'), rows 3-5, the sheet name and a report naming the format."""
    path = write_book(tmp_path, fmt, {"公文台账": [TITLE, HEADER, *RECORDS]})
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["晋商发〔2021〕1号", "晋商发〔2021〕2号", "晋商函〔2021〕7号"]
    assert cells(raw, "issued_on") == ["2021-07-28", "2021-08-02 09:30:00", "2021-11-15"]
    assert cells(raw, "department") == ["外贸处", "外资处", "办公室"]
    assert raw.rows.tolist() == [3, 4, 5]
    assert raw.sheets.tolist() == ["公文台账"] * 3
    assert raw.body[0].dtype == pd.StringDtype("pyarrow", na_value=np.nan)
    report = raw.report
    assert report["format"] == fmt
    assert report["sheets"] == ["公文台账"] and report["sheets_skipped"] == []
    assert report["header_rows"] == [2, 2]
    assert report["records"] == 3 and report["skipped"] == []
    assert report["columns"] == {"doc_id": "文号", "title": "文件标题", "department": "起草处室",
                                 "issued_on": "成文日期", "disclosure": "公开属性"}
    assert report["unrecognised_headers"] == ["序号"]
    assert json.loads(json.dumps(report)) == report


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_workbook_numbers_and_booleans_read_as_the_text_a_person_sees(tmp_path, fmt):
    """A whole number is '3' not '3.0', a fraction keeps its digits, TRUE/FALSE are words."""
    rows = [["文号", "公开属性", "起草处室", "成文日期"], ["A-1", 3.0, 0.25, True], ["A-2", 12, -1.5, False]]
    raw = read_table("documents", DOCS, write_book(tmp_path, fmt, {"S": rows}))
    assert cells(raw, "disclosure") == ["3", "12"]
    assert cells(raw, "department") == ["0.25", "-1.5"]
    assert cells(raw, "issued_on") == ["TRUE", "FALSE"]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_named_sheet_is_read_in_every_workbook_format(tmp_path, fmt):
    """'ledger.xls#二季度' reads that sheet alone; the others are named as not requested."""
    q1 = [HEADER, RECORDS[0]]
    q2 = [HEADER, RECORDS[1], RECORDS[2]]
    path = write_book(tmp_path, fmt, {"一季度": q1, "二季度": q2})
    raw = read_table("documents", DOCS, f"{path}#二季度")
    assert cells(raw, "doc_id") == ["晋商发〔2021〕2号", "晋商函〔2021〕7号"]
    assert raw.rows.tolist() == [2, 3]
    assert raw.report["sheets"] == ["二季度"]
    assert raw.report["sheets_skipped"] == [{"name": "一季度", "reason": "not_requested"}]


# ------------------------------------------------------------------ merged cells and two-row headers

@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_department_merged_down_a_block_applies_to_every_row(tmp_path, fmt):
    """起草处室 merged over rows 3-5 holds 外贸处 on each of the three records."""
    rows = [HEADER,
            [1, "A-1", "t1", "外贸处", None, "主动公开"],
            [2, "A-2", "t2", None, None, "主动公开"],
            [3, "A-3", "t3", None, None, "不予公开"],
            [4, "A-4", "t4", "办公室", None, "主动公开"]]
    raw = read_table("documents", DOCS, write_book(tmp_path, fmt, {"S": rows}, {"S": [(1, 3, 3, 3)]}))
    assert cells(raw, "department") == ["外贸处", "外贸处", "外贸处", "办公室"]
    assert raw.rows.tolist() == [2, 3, 4, 5]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
@pytest.mark.parametrize("left, top", [(1, 0), (2, 2), (0, 3)])
def test_a_merge_lands_on_its_own_column_when_the_sheet_starts_right_of_column_a(tmp_path, fmt, left, top):
    """A ledger whose used range starts at column B or C (and below row 1): the 承办处室
    merged down two records fills that department on both, not the column to its right."""
    header = ["申请编号", "收到申请日期", "答复日期", "承办处室", "办理结果"]
    body = [["Y-1", "2021-03-01", "2021-03-10", "外贸处", "予以公开"],
            ["Y-2", "2021-03-02", None, None, None],
            ["Y-3", "2021-03-03", "2021-03-12", "外资处", "不予公开"]]
    rows = [[None] * (left + 5) for _ in range(top)] + [[None] * left + r for r in [header, *body]]
    spec = SimpleNamespace(title=None, key="request_id", fields={
        "request_id": field(required=True, aliases=["申请编号"]), "received_on": field(aliases=["收到申请日期"]),
        "replied_on": field(aliases=["答复日期"]), "department": field(aliases=["承办处室"]),
        "outcome": field(aliases=["办理结果"])})
    path = write_book(tmp_path, fmt, {"S": rows}, {"S": [(top + 1, left + 3, top + 2, left + 3)]})
    raw = read_table("requests", spec, path)
    assert cells(raw, "department") == ["外贸处", "外贸处", "外资处"]
    assert cells(raw, "outcome") == ["予以公开", None, "不予公开"]
    assert raw.rows.tolist() == [top + 2, top + 3, top + 4]
    assert raw.report["header_rows"] == [top + 1, top + 1]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_date_merged_across_two_date_columns_stays_in_its_first_column(tmp_path, fmt):
    """A received date centred across 收到申请日期 and 答复日期 must not make an unanswered
    request answered on the day it came: the value stays in the first column, the second
    reads blank, and the reading notes name the row. A 处室 merged down still fills down."""
    rows = [["申请编号", "收到申请日期", "答复日期", "承办处室"],
            ["Y-1", "2021-03-01", None, "外贸处"],
            ["Y-2", "2021-03-02", "2021-03-20", None],
            ["Y-3", "2021-03-03", "2021-03-21", "外资处"]]
    path = write_book(tmp_path, fmt, {"S": rows}, {"S": [(1, 1, 1, 2), (1, 3, 2, 3)]})
    spec = SimpleNamespace(title=None, key="request_id", fields={
        "request_id": field(required=True, aliases=["申请编号"]), "received_on": field(aliases=["收到申请日期"]),
        "replied_on": field(aliases=["答复日期"]), "department": field(aliases=["承办处室"])})
    raw = read_table("requests", spec, path)
    assert cells(raw, "received_on") == ["2021-03-01", "2021-03-02", "2021-03-03"]
    assert cells(raw, "replied_on") == [None, "2021-03-20", "2021-03-21"]
    assert cells(raw, "department") == ["外贸处", "外贸处", "外资处"]
    notes = raw.report["notes"]
    assert len(notes) == 1 and notes[0].startswith("row 2 of sheet 'S' holds a cell merged across columns")


TWO_ROW = [
    ["依申请公开登记台账", None, None, None, None, None, None],
    ["序号", "申请编号", "申请人", "收到日期", "补正情况", None, "答复日期"],
    [None, None, None, None, "补正告知日期", "收到补正日期", None],
    [1, "YSQ-1", "张三", "2021-03-01", "2021-03-03", "2021-03-10", "2021-03-20"],
    [2, "YSQ-2", "李四", "2021-04-01", None, None, "2021-04-15"],
]
#: the parent 补正情况 across two columns; 序号..收到日期 and 答复日期 merged down two rows
TWO_ROW_MERGES = [(1, 4, 1, 5), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 6, 2, 6)]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_two_row_header_with_a_merged_parent_names_each_sub_column(tmp_path, fmt):
    """补正情况 merged over 补正告知日期 / 收到补正日期: both sub-headers are fields, the
    header is rows 2-3, the sub-header row is no record, and records start on row 4."""
    raw = read_table("requests", REQUESTS, write_book(tmp_path, fmt, {"登记": TWO_ROW}, {"登记": TWO_ROW_MERGES}))
    assert raw.report["header_rows"] == [2, 3]
    assert raw.rows.tolist() == [4, 5]
    assert cells(raw, "correction_sent_on") == ["2021-03-03", None]
    assert cells(raw, "correction_received_on") == ["2021-03-10", None]
    assert cells(raw, "replied_on") == ["2021-03-20", "2021-04-15"]
    assert raw.headers["correction_sent_on"] == "补正告知日期"
    assert raw.headers["request_id"] == "申请编号"
    assert "补正情况" not in raw.report["unrecognised_headers"]


def test_a_two_row_header_in_csv_has_its_parent_in_the_first_cell_only(tmp_path):
    """In CSV the parent 补正情况 is written once and the single headers are blank below:
    the two rows are still one header, and the records start right after it."""
    path = tmp_path / "requests.csv"
    path.write_bytes(csv_bytes(TWO_ROW))
    raw = read_table("requests", REQUESTS, path)
    assert raw.report["header_rows"] == [2, 3]
    assert cells(raw, "request_id") == ["YSQ-1", "YSQ-2"]
    assert cells(raw, "correction_received_on") == ["2021-03-10", None]
    assert raw.rows.tolist() == [4, 5]
    assert raw.sheets is None and raw.report["sheets"] == []


def test_a_title_row_above_a_single_header_is_not_taken_for_a_parent(tmp_path):
    """A title above a one-row header leaves the header on its own row."""
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes([TITLE, HEADER, *RECORDS]))
    assert read_table("documents", DOCS, path).report["header_rows"] == [2, 2]


@pytest.mark.parametrize("header, field_name", [
    ("答复日期（年月日）", "replied_on"), ("答复日期(yyyy-mm-dd)", "replied_on"), ("*申请编号", "request_id"),
    ("申请编号★", "request_id"), ("※申请人", "applicant"), ("申请人：", "applicant"),
    ("收到\n日期", "received_on"), (" 收 到 日 期 ", "received_on"), ("申请编号[必填]", "request_id"),
    ("【必填】申请编号", "request_id"), ("答复日期\r\n（必填）", "replied_on"), ("ＡＰＰＬＩＣＡＮＴ", "applicant"),
])
def test_headers_match_after_removing_notes_marks_spaces_and_colons(tmp_path, header, field_name):
    """A header with a unit in brackets, a * or ★, a trailing colon, line breaks or spaces
    still names its field, and the report shows the header as it was found."""
    names = {"request_id": "申请编号", "received_on": "收到日期", field_name: header}
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([list(names.values()), ["YSQ-1", "2021-03-01", "x"][:len(names)]]))
    raw = read_table("requests", REQUESTS, path)
    assert field_name in raw.columns
    assert raw.headers[field_name] == header.strip()


def test_header_key_normalisation():
    """The header comparison key drops what people add to headers and nothing else."""
    assert header_key("答复日期（年月日）") == header_key("答复日期")
    assert header_key("* 文 号：") == "文号"
    assert header_key("解读形式(文字/图解)") == "解读形式"
    assert header_key("备注") != header_key("备")


# ------------------------------------------------------------------ rows that are not records

LEDGER_WITH_NOISE = [
    TITLE,
    HEADER,
    ["一、外贸处（3件）", None, None, None, None, None],
    [1, "A-1", "关于外贸的通知", "外贸处", "2021-07-28", "主动公开"],
    [2, "A-2", "合计划的通知", "外贸处", "2021-07-29", "主动公开"],
    ["小计", None, "2件", None, None, None],
    ["（二）外资处", None, None, None, None, None],
    [3, "A-3", "关于外资的通知", "外资处", "2021-08-01", "不予公开"],
    HEADER,
    [4, "A-4", "说明", "外资处", "2021-08-02", "主动公开"],
    [None, None, None, None, None, None],
    ["合  计", None, None, "4件", None, None],
    [5, None, None, None, None, None],
    [6, None, None, None, None, None],
    ["填表人：张三", None, "审核人：李四", None, "填报日期：2021年12月31日", None],
    ["注：1.本表按成文日期排列；", None, None, None, None, None],
    ["2.公开属性按认定填写。", None, None, None, None, None],
]


def expect_noise_report(raw, sheet):
    assert cells(raw, "doc_id") == ["A-1", "A-2", "A-3", "A-4"]
    assert raw.rows.tolist() == [4, 5, 8, 10]
    assert raw.report["skipped"] == [
        {"row": 3, "sheet": sheet, "reason": "block_heading", "text": "一、外贸处（3件）"},
        {"row": 6, "sheet": sheet, "reason": "total", "text": "小计 2件"},
        {"row": 7, "sheet": sheet, "reason": "block_heading", "text": "（二）外资处"},
        {"row": 9, "sheet": sheet, "reason": "repeated_header", "text": "序号 文号 文件标题 起草处室 成文日期 公开属性"},
        {"row": 12, "sheet": sheet, "reason": "total", "text": "合  计 4件"},
        {"row": 13, "sheet": sheet, "reason": "serial_only", "text": "5"},
        {"row": 14, "sheet": sheet, "reason": "serial_only", "text": "6"},
        {"row": 15, "sheet": sheet, "reason": "footer", "text": "填表人：张三 审核人：李四 填报日期：2021年12月31日"},
        {"row": 16, "sheet": sheet, "reason": "footer", "text": "注：1.本表按成文日期排列；"},
        {"row": 17, "sheet": sheet, "reason": "footer", "text": "2.公开属性按认定填写。"},
    ]
    assert raw.report["skipped_total"] == 10
    assert raw.report["records"] == 4


def test_totals_footers_headings_repeated_headers_and_serials_are_skipped_and_listed_csv(tmp_path):
    """A CSV with every kind of non-record row: each is skipped with its row, reason and
    text, the blank row silently, and the four records keep their rows."""
    path = tmp_path / "noise.csv"
    path.write_bytes(csv_bytes(LEDGER_WITH_NOISE, encoding="gb18030"))
    expect_noise_report(read_table("documents", DOCS, path), None)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_non_record_rows_are_skipped_in_every_workbook_format(tmp_path, fmt):
    """The same noisy ledger as a workbook gives the same records and skipped rows."""
    path = write_book(tmp_path, fmt, {"台账": LEDGER_WITH_NOISE})
    expect_noise_report(read_table("documents", DOCS, path), "台账")


def test_a_heading_merged_across_the_row_is_a_block_heading(tmp_path):
    """A lone department name merged across the whole row heads a block; the same lone
    text without the merge, in a record position, stays a record (its blank key is the
    engine's to report)."""
    rows = [HEADER, ["外贸处", None, None, None, None, None], [1, "A-1", "t", "外贸处", None, "主动公开"],
            [None, None, "孤立的标题", None, None, None]]
    raw = read_table("documents", DOCS, write_xlsx(tmp_path / "m.xlsx", {"S": rows}, {"S": [(1, 0, 1, 5)]}))
    assert raw.rows.tolist() == [3, 4]
    assert [(s["row"], s["reason"]) for s in raw.report["skipped"]] == [(2, "block_heading")]


def test_a_record_with_its_key_or_a_required_field_is_never_skipped(tmp_path):
    """Rows that look like totals or headings but carry a key or a required field are
    records: 合计 in the title, a key that is a number, a required field alone."""
    rows = [HEADER,
            ["合计", "A-1", "合计", None, None, None],
            [None, "7", None, None, None, None],
            ["一、", None, None, None, None, "主动公开"],
            ["说明", "A-2", "说明", "办公室", None, "主动公开"]]
    path = tmp_path / "keep.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", DOCS, path)
    assert raw.rows.tolist() == [2, 3, 4, 5]
    assert raw.report["skipped"] == []


def test_a_total_in_the_key_column_is_skipped(tmp_path):
    """When 合计 stands in the key column itself, with counts beside it, it is a total."""
    rows = [["文号", "公开属性", "起草处室"], ["A-1", "主动公开", "外贸处"], ["合计", "1件", None]]
    path = tmp_path / "k.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["A-1"]
    assert raw.report["skipped"] == [{"row": 3, "sheet": None, "reason": "total", "text": "合计 1件"}]


def test_a_total_with_a_count_in_a_required_column_is_skipped(tmp_path):
    """合计 in the 序号 column with '共3件' under a required field (收到申请日期): the count does
    not make the row a request, so it is skipped as a total, not audited as a request."""
    rows = [["序号", "申请编号", "收到申请日期", "答复日期"],
            [1, "Y-1", "2021-03-01", "2021-03-05"], [2, "Y-2", "2021-03-02", None],
            ["合计", None, "共2件", None]]
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(4, "total")]


def test_a_total_filling_a_narrow_sheet_with_counts_is_skipped(tmp_path):
    """On a sheet of five columns, 合计 in the key column with a count in every other
    column (2件, 2件, 1, 1) is a total, not a request numbered 合计."""
    spec = SimpleNamespace(title=None, key="request_id", fields={
        "request_id": field(required=True, aliases=["申请编号"]), "received_on": field(required=True, aliases=["收到申请日期"]),
        "replied_on": field(aliases=["答复日期"]), "corrections": field(aliases=["补正次数"]),
        "extended": field(aliases=["是否延期"])})
    rows = [["申请编号", "收到申请日期", "答复日期", "补正次数", "是否延期"],
            ["Y-1", "2021-03-01", "2021-03-10", "1", "是"], ["Y-2", "2021-03-02", "2021-03-11", "0", "否"],
            ["合计", "2件", "2件", "1", "1"]]
    path = tmp_path / "narrow.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", spec, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(4, "total")]


@pytest.mark.parametrize("key_cell", ["—", "/", "3件（其中2件公开）", "合计", "以下空白"])
def test_a_total_in_the_serial_column_with_a_dash_or_count_as_key_is_skipped(tmp_path, key_cell):
    """合计 in the 序号 column with a dash, a slash, a count with a note or the word itself
    in the key column is a total row, not a request whose number is that cell."""
    rows = [["序号", "申请编号", "收到申请日期", "答复日期"],
            ["1", "Y-1", "2021-03-01", "2021-03-05"], ["2", "Y-2", "2021-03-02", None],
            ["合计", key_cell, None, None]]
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(4, "total")]


def test_a_dash_as_key_of_a_real_record_keeps_the_record(tmp_path):
    """A record whose key is a dash but which is no total stays a record (its key is the
    engine's to report)."""
    rows = [["序号", "申请编号", "收到申请日期", "答复日期"], ["1", "—", "2021-03-01", "2021-03-05"]]
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["—"]
    assert raw.report["skipped"] == []


def test_a_two_row_header_repeated_on_each_printed_page_is_skipped_whole(tmp_path):
    """A workbook repeats its two-row header (补正情况 merged over 补正告知日期 / 收到补正日期,
    the other headers merged down both rows) further down: both rows of the copy are
    skipped as repeated headers, in xlsx as in CSV, and the records keep their rows."""
    top = ["申请编号", "收到申请日期", "补正情况", None, "答复日期"]
    sub = [None, None, "补正告知日期", "收到补正日期", None]
    record = lambda n: [f"Y-{n}", "2021-03-01", "2021-03-03", "2021-03-04", "2021-03-20"]
    rows = [top, sub, record(1), record(2), top, sub, record(3)]
    header_merges = lambda r: [(r, 2, r, 3), (r, 0, r + 1, 0), (r, 1, r + 1, 1), (r, 4, r + 1, 4)]
    path = write_xlsx(tmp_path / "r.xlsx", {"登记": rows}, merges={"登记": header_merges(0) + header_merges(4)})
    for source in (path, tmp_path / "r.csv"):
        if source.suffix == ".csv":
            source.write_bytes(csv_bytes(rows))
        raw = read_table("requests", REQUESTS, source)
        assert cells(raw, "request_id") == ["Y-1", "Y-2", "Y-3"], source.suffix
        assert raw.rows.tolist() == [3, 4, 7]
        assert cells(raw, "correction_received_on") == ["2021-03-04"] * 3
        assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(5, "repeated_header"),
                                                                            (6, "repeated_header")]


def test_without_a_key_or_required_field_only_the_footer_row_is_skipped(tmp_path):
    """A dataset with no key and no required field: a 注： line between records is skipped
    as footer, but the records below it stay records; a note continued on a second line
    after the last record is footer too."""
    spec = SimpleNamespace(title=None, key=None, fields={
        "title": field(aliases=["文件标题"]), "department": field(aliases=["处室"]),
        "issued_on": field(aliases=["成文日期"]), "published_on": field(aliases=["公开日期"])})
    rows = [["文件标题", "处室", "成文日期", "公开日期"],
            ["关于开展外贸调研的通知", "外贸处", "2021-03-01", "2021-03-05"],
            ["注：以下为补录文件", None, None, None],
            ["关于印发工作要点的通知", "办公室", "2021-04-01", "2021-04-03"],
            ["关于做好统计工作的通知", "综合处", "2021-05-01", "2021-05-03"],
            ["说明：1.本表按成文日期排列；", None, None, None],
            ["2.公开日期按网站发布日填写。", None, None, None]]
    path = tmp_path / "nokey.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", spec, path)
    assert raw.rows.tolist() == [2, 4, 5]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(3, "footer"), (6, "footer"), (7, "footer")]


def test_rows_with_no_field_value_are_skipped_not_kept_as_blank_records(tmp_path):
    """Rows whose only filled cells are in columns no field reads (the 序号 column, a 备注
    the rulebook does not know) hold nothing to audit: headings such as 外贸处（3件） or 1月,
    counts such as 共3件, end marks such as 以下空白 and 附件：, each skipped with its
    reason, not kept as all-blank requests."""
    rec = lambda n: [str(n), f"Y-{n}", "张三", "2021-03-01", "2021-03-10", ""]
    rows = [["序号", "申请编号", "申请人", "收到申请日期", "答复日期", "备忘"],
            ["外贸处（3件）", "", "", "", "", ""], rec(1), ["1月", "", "", "", "", ""], rec(2),
            ["—", "", "", "", "", "无"], ["共3件", "", "", "", "", ""], ["以下空白", "", "", "", "", ""],
            ["以下无正文", "", "", "", "", ""], ["附件：1.登记表", "", "", "", "", ""]]
    path = tmp_path / "nofield.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [
        (2, "block_heading"), (4, "block_heading"), (6, "no_field_values"), (7, "total"), (8, "footer"),
        (9, "footer"), (10, "footer")]


@pytest.mark.parametrize("note", [
    ["", "（必填）", "", "（年月日）", "（年月日）"],
    ["", "必填", "选填", "必填", "选填"],
    ["1", "2", "3", "4", "5"],
    ["栏次", "1", "2", "3", "4"],
])
def test_a_note_row_right_under_the_header_is_no_record(tmp_path, note):
    """A template's row under the header saying which cells are required, the date format,
    or numbering the columns (栏次 1 2 3 …) is skipped as header_note, not audited as a
    request whose number is （必填） or 2."""
    rows = [["序号", "申请编号", "申请人", "收到申请日期", "答复日期"], note,
            ["1", "Y-1", "张三", "2021-03-01", "2021-03-10"], ["2", "Y-2", "李四", "2021-03-02", None]]
    path = tmp_path / "note.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert [(r["row"], r["reason"]) for r in raw.report["skipped"]] == [(2, "header_note")]


def test_a_numbered_row_further_down_is_not_a_header_note(tmp_path):
    """Only rows right under the header can be notes: a record below them whose cells
    happen to be 1 2 3 4 5 stays a record."""
    rows = [["序号", "申请编号", "申请人", "收到申请日期", "答复日期"],
            ["1", "Y-1", "张三", "2021-03-01", "2021-03-10"], ["2", "Y-2", "李四", "2021-03-02", None],
            ["1", "2", "3", "4", "5"]]
    path = tmp_path / "num.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2", "2"]
    assert raw.report["skipped"] == []


def test_a_dataframe_record_with_only_a_number_in_a_field_is_kept():
    """A lone number in a column that a field reads is a value, not a serial number."""
    spec = SimpleNamespace(title=None, key=None, fields={"row": field(), "p": field()})
    raw = read_table("t", spec, pd.DataFrame({"row": ["1", "2"], "p": ["是", None]}))
    assert cells(raw, "row") == ["1", "2"]
    assert raw.report["skipped"] == []


# ------------------------------------------------------------------ sheets

def quarter(records, order=None):
    header = HEADER if order is None else [HEADER[i] for i in order]
    rows = [header]
    for record in records:
        rows.append(record if order is None else [record[i] for i in order])
    return rows


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_every_matching_sheet_is_read_in_order_with_its_own_rows(tmp_path, fmt):
    """One sheet per quarter, columns in another order on the second, a 填表说明 sheet
    first: both quarters are read in workbook order, aligned by field, each row with its
    own sheet and row number; the notes sheet is named as passed over."""
    notes = [["填表说明"], ["1. 文号：填写发文字号"], ["2. 公开属性：主动公开/依申请公开/不予公开"]]
    sheets = {"填表说明": notes, "一季度": [TITLE, *quarter(RECORDS[:2])],
              "二季度": quarter(RECORDS[2:], order=[5, 4, 3, 2, 1, 0])}
    raw = read_table("documents", DOCS, write_book(tmp_path, fmt, sheets))
    assert cells(raw, "doc_id") == ["晋商发〔2021〕1号", "晋商发〔2021〕2号", "晋商函〔2021〕7号"]
    assert cells(raw, "disclosure") == ["主动公开", "依申请公开", "不予公开"]
    assert raw.rows.tolist() == [3, 4, 2]
    assert raw.sheets.tolist() == ["一季度", "一季度", "二季度"]
    assert raw.report["sheets"] == ["一季度", "二季度"]
    assert raw.report["sheets_skipped"] == [{"name": "填表说明", "reason": "no_header"}]
    assert raw.report["header_rows"] == [2, 2]
    assert raw.report["header_rows_by_sheet"] == {"一季度": [2, 2], "二季度": [1, 1]}


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_passed_over_unless_named(tmp_path, state):
    """A hidden backup copy of the ledger is not read as more records: it is listed as
    passed over for being hidden, and is read when named with #sheet."""
    header = ["申请编号", "收到申请日期", "答复日期"]
    book = openpyxl.Workbook()
    shown = book.active
    shown.title = "台账"
    for row in [header, ["Y-1", "2021-03-01", "2021-03-10"], ["Y-2", "2021-03-02", "2021-03-11"]]:
        shown.append(row)
    backup = book.create_sheet("备份")
    backup.sheet_state = state
    for row in [header, ["Y-1", "2021-03-01", None]]:
        backup.append(row)
    path = tmp_path / "h.xlsx"
    book.save(path)
    raw = read_table("requests", REQUESTS, path)
    assert cells(raw, "request_id") == ["Y-1", "Y-2"]
    assert raw.report["sheets"] == ["台账"]
    assert raw.report["sheets_skipped"] == [{"name": "备份", "reason": "hidden"}]
    named = read_table("requests", REQUESTS, f"{path}#备份")
    assert cells(named, "replied_on") == [None]


def test_a_chart_sheet_is_passed_over(tmp_path):
    """A chart sheet has no cells: it is named in sheets_skipped with reason 'chart'."""
    path = write_xlsx(tmp_path / "c.xlsx", {"台账": [HEADER, RECORDS[0]]}, chart="图表")
    raw = read_table("documents", DOCS, path)
    assert raw.report["sheets"] == ["台账"]
    assert {"name": "图表", "reason": "chart"} in raw.report["sheets_skipped"]


def test_when_no_sheet_matches_the_error_lists_every_sheet_and_its_headers(tmp_path):
    """A workbook of another ledger: the error names each sheet and the headers on it."""
    sheets = {"会议": [["会议名称", "会议日期"], ["第一次", "2021-03-01"]], "空白": [[None]],
              "说明": [["本表用于登记会议"]]}
    path = write_xlsx(tmp_path / "other.xlsx", sheets)
    with pytest.raises(DatasetError) as caught:
        read_table("documents", DOCS, path)
    message = str(caught.value)
    assert str(path) in message
    assert "no sheet of the workbook has a header naming the fields of dataset 'documents' (公文台账)" in message
    assert "'会议': 会议名称, 会议日期" in message and "'空白': (empty)" in message and "'说明': 本表用于登记会议" in message
    assert f"{path}#sheet" in message


def test_a_required_field_missing_from_one_sheet_is_an_error_naming_that_sheet(tmp_path):
    """Two quarter sheets, the second without 公开属性: the error names that sheet."""
    q2 = [["序号", "文号", "文件标题", "起草处室", "成文日期"], [1, "B-1", "t", "外贸处", "2021-05-01"]]
    path = write_xlsx(tmp_path / "q.xlsx", {"一季度": quarter(RECORDS), "二季度": q2})
    with pytest.raises(DatasetError, match=r"sheet '二季度' has no column for required field 'disclosure'.*"
                                           r"which sheet '一季度' has"):
        read_table("documents", DOCS, path)


def test_an_optional_field_missing_from_one_sheet_is_reported(tmp_path):
    """A field found on one sheet only is blank on the others' rows, and the report says so."""
    q2 = [["文号", "公开属性"], ["B-1", "主动公开"]]
    path = write_xlsx(tmp_path / "q.xlsx", {"一季度": quarter(RECORDS[:1]), "二季度": q2})
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "title") == ["关于开展外贸调查的通知", None]
    assert raw.report["fields_missing_by_sheet"] == {"二季度": ["title", "department", "issued_on"]}


# ------------------------------------------------------------------ text files

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "gb18030": lambda text: text.encode("gb18030"),
    "gbk": lambda text: text.encode("gbk"),
    "utf-16": lambda text: text.encode("utf-16"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "utf-16-be": lambda text: text.encode("utf-16-be"),
}
REPORTED = {"gbk": "gb18030", "utf-16": "utf-16"}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_text_in_every_encoding_separator_and_line_end(tmp_path, encoding, newline, sep):
    """CSV, TSV and semicolon text in UTF-8, UTF-8 with BOM, GB18030, GBK and UTF-16 with
    or without BOM, with CRLF, LF or CR-only line ends, all read to the same cells and
    rows; the report names the format, encoding and separator."""
    rows = [TITLE, HEADER, *RECORDS, [4, "A-4", "多行\n标题", "外贸处", "2021-12-01", "主动公开"]]
    text = csv_bytes(rows, sep=sep, newline=newline).decode("utf-8")
    path = tmp_path / "ledger.txt"
    path.write_bytes(ENCODINGS[encoding](text))
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["晋商发〔2021〕1号", "晋商发〔2021〕2号", "晋商函〔2021〕7号", "A-4"]
    assert cells(raw, "title")[3] == "多行\n标题"
    assert raw.rows.tolist() == [3, 4, 5, 6]
    assert raw.report["format"] == ("tsv" if sep == "\t" else "csv")
    assert raw.report["encoding"] == REPORTED.get(encoding, encoding)
    assert raw.report["delimiter"] == sep


def test_a_wrapped_header_cell_does_not_shift_row_numbers(tmp_path):
    """A header cell holding a line break is one row: records stay on rows 3 and 4."""
    rows = [TITLE, ["文号", "成文\n日期", "公开属性"], ["A-1", "2021-01-01", "主动公开"], ["A-2", "", "主动公开"]]
    path = tmp_path / "w.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", DOCS, path)
    assert raw.rows.tolist() == [3, 4]
    assert raw.headers["issued_on"] == "成文\n日期"


def test_huge_cells_in_the_header_and_the_body_are_read_whole(tmp_path):
    """Cells of 300,000 characters, beyond the csv module's default limit and pyarrow's
    block, are read whole, in a title row and in a record."""
    big = "长" * 300_000
    rows = [[big], ["文号", "文件标题", "公开属性"], ["A-1", big, "主动公开"], ["A-2", "短", "主动公开"]]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "title") == [big, "短"]
    assert raw.rows.tolist() == [3, 4]


BREAKS = ["a\r\nb", "\r\n", "行一\r\n行二\r\n", "x\ry", "\r", "p\nq", "\n", "a,b", 'say "hi"', "短", "", "主动公开"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.tuples(st.sampled_from(BREAKS), st.sampled_from(BREAKS), st.booleans()), min_size=1, max_size=30),
       newline=st.sampled_from(["\r\n", "\n"]))
def test_line_breaks_in_quoted_cells_read_back_byte_for_byte(tmp_path, monkeypatch, body, newline):
    """Cells holding CRLF line breaks (text pasted from a Windows form), LF (Alt+Enter in
    Excel) or a lone CR, quoted, in files with either line end, some rows without their
    trailing empty cells (as Excel saves them), parsed in blocks of many sizes, so that blocks
    end inside the cells and between a CR and its LF: every cell reads back exactly as
    written (pyarrow alone drops such an LF, apache/arrow#51368)."""
    from disclosure_rules import reading

    rows = [["A-%d" % i, title, disclosure] for i, (title, disclosure, _) in enumerate(body)]
    lines = [csv_bytes([["文号", "文件标题", "公开属性"]], newline=newline)]
    for row, (_, _, trim) in zip(rows, body):
        line = csv_bytes([row], newline=newline)
        while trim and line.endswith(b"," + newline.encode()):  # trailing empty cells left off
            line = line[:-len(newline) - 1] + newline.encode()
        lines.append(line)
    path = tmp_path / "breaks.csv"
    path.write_bytes(b"".join(lines))
    for block in [*range(40, 72, 3), 1 << 20]:
        monkeypatch.setattr(reading, "PARSE_BLOCK", block)
        raw = read_table("documents", DOCS, path)
        assert cells(raw, "doc_id") == [r[0] for r in rows]
        assert cells(raw, "title") == [r[1] or None for r in rows]
        assert cells(raw, "disclosure") == [r[2] or None for r in rows]
        assert raw.rows.tolist() == list(range(2, 2 + len(rows)))


def crlf_at_block_ends(block: int, blocks: int, newline: str = "\r\n", short_first: bool = False) -> tuple[bytes, list[str]]:
    """A ledger whose body (the bytes after its header line) has, at every multiple of
    ``block`` up to ``blocks`` of them, a quoted cell's CR as the block's last byte and its LF
    as the next block's first; with the titles of its records. ``short_first``: its first
    record lacks its last (empty) cell, and the CRs end the blocks of the body padded (the
    missing delimiter added), as the padded parse sees it."""
    head = ("文号,文件标题,公开属性" + newline).encode()
    out, titles, length = [], [], 0
    if short_first:
        out.append(f"A-short,短{newline}".encode())
        titles.append("短")
        length += len(out[0]) + 1  # the delimiter padding adds
    for b in range(1, blocks + 1):
        boundary = b * block
        while length + 80 < boundary:
            line = f"A-{len(titles)},标题{len(titles)},主动公开{newline}".encode()
            out.append(line)
            titles.append(f"标题{len(titles)}")
            length += len(line)
        prefix = f'A-{len(titles)},"'.encode()
        title = "x" * (boundary - 1 - length - len(prefix)) + "\r\n第二行"
        line = prefix + title.encode() + f'",主动公开{newline}'.encode()
        assert length + len(prefix) + title.index("\r") == boundary - 1
        out.append(line)
        titles.append(title)
        length += len(line)
    return head + b"".join(out), titles


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("second", ["none", "one block", "too large", "no memory"])
@pytest.mark.parametrize("short_first", [False, True])
def test_a_crlf_in_a_cell_split_by_the_parsers_blocks_is_kept(tmp_path, monkeypatch, newline, second, short_first):
    """A cell's CRLF whose CR would end one of pyarrow's 1 MB blocks and whose LF would begin
    the next, at each of three block ends, in a body read as it is or padded (its first row
    short of its last cell): the cells keep their CRLF, and no row is lost or added, whether
    the blocks are sized so that none ends in a CR (no second parse), or, where this pyarrow
    was seen damaging cells elsewhere, the body is parsed again in one block or, too large for
    one or for the memory, by the C engine."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    from disclosure_rules import reading

    engine_reads = []
    read_csv = reading.pd.read_csv
    monkeypatch.setattr(reading.pd, "read_csv", lambda *a, **k: engine_reads.append(1) or read_csv(*a, **k))
    if second != "none":
        monkeypatch.setattr(reading, "_damage_only_at_block_ends", lambda *delimiter: False)
    if second == "too large":
        monkeypatch.setattr(reading, "_ONE_BLOCK_MAX", 0)
    one_block_reads = []  # pyarrow's reads of the body in one block (the second parse)
    arrow_read = pa_csv.read_csv

    def counted(source, read_options=None, **kwargs):
        if read_options is not None and read_options.block_size > reading.PARSE_BLOCK + reading._BLOCK_TRIES:
            one_block_reads.append(1)
            if second == "no memory":
                raise pa.ArrowMemoryError("malloc of size 4294967296 failed")
        return arrow_read(source, read_options=read_options, **kwargs)
    monkeypatch.setattr(pa_csv, "read_csv", counted)
    data, titles = crlf_at_block_ends(reading.PARSE_BLOCK, 3, newline, short_first)
    path = tmp_path / "split.csv"
    path.write_bytes(data)
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "title") == titles
    assert cells(raw, "disclosure")[0] == (None if short_first else "主动公开")
    assert raw.rows.tolist() == list(range(2, 2 + len(titles)))
    assert bool(engine_reads) == (second in ("too large", "no memory"))  # which parser read the body
    assert bool(one_block_reads) == (second in ("one block", "no memory"))


def test_ragged_rows_keep_their_cells(tmp_path):
    """Rows longer or shorter than the header lose nothing they have."""
    path = tmp_path / "r.csv"
    path.write_bytes("文号,公开属性\nA-1,主动公开,多余,更多\nA-2\nA-3,不予公开\n".encode())
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["A-1", "A-2", "A-3"]
    assert cells(raw, "disclosure") == ["主动公开", None, "不予公开"]
    assert raw.rows.tolist() == [2, 3, 4]


# ------------------------------------------------------------------ content, not suffix

def test_files_are_read_by_their_content_whatever_their_suffix(tmp_path):
    """An .xlsx named .csv, a CSV named .xlsx, an .xls named .xlsx and an .ods named .xls
    are each read as what they are, and the report says what that was."""
    rows = [HEADER, RECORDS[0]]
    made = {
        "xlsx": write_xlsx(tmp_path / "a.xlsx", {"S": rows}),
        "csv": tmp_path / "b.csv",
        "xls": write_xls(tmp_path / "c.xls", {"S": rows}),
        "ods": write_ods(tmp_path / "d.ods", {"S": rows}),
    }
    made["csv"].write_bytes(csv_bytes(rows))
    wrong = {"xlsx": ".csv", "csv": ".xlsx", "xls": ".xlsx", "ods": ".xls"}
    for fmt, path in made.items():
        renamed = path.with_name(f"renamed-{fmt}{wrong[fmt]}")
        renamed.write_bytes(path.read_bytes())
        raw = read_table("documents", DOCS, renamed)
        assert cells(raw, "doc_id") == ["晋商发〔2021〕1号"], fmt
        assert raw.report["format"] == fmt
        assert raw.report["notes"][0].startswith(f"the file is named {wrong[fmt]} but holds"), raw.report


def html_table(rows, charset="utf-8"):
    body = "".join("<tr>" + "".join(f"<td>{text_of(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>'
            f"<body><table border=1>{body}</table></body></html>").encode("gb18030" if charset == "gb2312" else charset)


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_an_html_table_saved_as_xls_is_read(tmp_path, charset):
    """Office systems export 'Excel' files that are web pages: the table is read, with
    rowspan cells filled down, and the report says it was HTML."""
    page = html_table([TITLE, HEADER, RECORDS[0], RECORDS[1]], charset).replace(
        "<td>外贸处</td>".encode("gb18030" if charset == "gb2312" else charset),
        '<td rowspan="2">外贸处</td>'.encode("gb18030" if charset == "gb2312" else charset), 1).replace(
        "<td>外资处</td>".encode("gb18030" if charset == "gb2312" else charset), b"", 1)
    path = tmp_path / "export.xls"
    path.write_bytes(page)
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["晋商发〔2021〕1号", "晋商发〔2021〕2号"]
    assert cells(raw, "department") == ["外贸处", "外贸处"]
    assert raw.rows.tolist() == [3, 4]
    assert raw.report["format"] == "html"


def test_spreadsheetml_saved_as_xls_is_read(tmp_path):
    """Excel 2003 XML (SpreadsheetML) named .xls: its cells, merges and sheet are read."""
    xml = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="台账"><Table>
  <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">公文台账</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">文号</Data></Cell><Cell><Data ss:Type="String">起草处室</Data></Cell>
       <Cell><Data ss:Type="String">公开属性</Data></Cell><Cell><Data ss:Type="String">成文日期</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">A-1</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">外贸处</Data></Cell>
       <Cell><Data ss:Type="Number">3</Data></Cell><Cell><Data ss:Type="DateTime">2021-07-28T00:00:00.000</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">A-2</Data></Cell><Cell ss:Index="3"><Data ss:Type="String">主动公开</Data></Cell></Row>
 </Table></Worksheet></Workbook>"""
    path = tmp_path / "export.xls"
    path.write_text(xml, encoding="utf-8")
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id") == ["A-1", "A-2"]
    assert cells(raw, "department") == ["外贸处", "外贸处"]
    assert cells(raw, "disclosure") == ["3", "主动公开"]
    assert cells(raw, "issued_on") == ["2021-07-28", None]
    assert raw.rows.tolist() == [3, 4] and raw.sheets.tolist() == ["台账", "台账"]


def zip_of(files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("content, said", [
    (zip_of({"[Content_Types].xml": "x", "word/document.xml": "<w/>"}), "is a Word document (.docx)"),
    (zip_of({"ppt/presentation.xml": "<p/>"}), "is a PowerPoint presentation"),
    (zip_of({"mimetype": "application/vnd.oasis.opendocument.text"}), "OpenDocument text document"),
    (zip_of({"台账.xlsx": b"PK", "说明.txt": b"x"}), "zip archive holding 台账.xlsx; unpack it"),
    (zip_of({"a.txt": "x"}), "zip archive of other files (a.txt)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64,
     "password-protected"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "WordDocument".encode("utf-16-le") + b"\x00" * 64,
     "Word 97-2003 document"),
    (b'<?xml version="1.0"?><root><a>1</a></root>', "is an XML file, not a spreadsheet"),
    (b"<html><body><p>no table here</p></body></html>", "with no table in it"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG image"),
])
def test_files_that_are_no_ledger_say_what_they_really_are(tmp_path, content, said):
    """A Word document, a presentation, a zip, a PDF, an encrypted workbook or an image
    named .xlsx is refused with one paragraph saying what it is and what to give instead."""
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as caught:
        read_table("documents", DOCS, path)
    message = str(caught.value)
    assert said in message and str(path) in message and "\n" not in message
    assert caught.value.file == str(path)


def test_a_zip_claiming_to_be_an_xlsb_but_damaged_is_a_dataset_error(tmp_path):
    """A zip with xl/workbook.bin that calamine cannot read names the file and the format."""
    path = tmp_path / "ledger.xlsb"
    path.write_bytes(zip_of({"xl/workbook.bin": b"\x00\x01garbage", "[Content_Types].xml": "x"}))
    with pytest.raises(DatasetError, match=r"ledger\.xlsb: is not a valid \.xlsb workbook: it is damaged"):
        read_table("documents", DOCS, path)


def test_truncated_and_damaged_workbooks_are_dataset_errors(tmp_path):
    """A workbook cut short, or with a sheet part cut short, is a DatasetError naming the file."""
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [HEADER, *RECORDS]}).read_bytes()
    half = tmp_path / "half.xlsx"
    half.write_bytes(good[: len(good) // 2])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(zip_of(parts))
    xls = write_xls(tmp_path / "good.xls", {"S": [HEADER, *RECORDS]}).read_bytes()
    broken_xls = tmp_path / "broken.xls"
    broken_xls.write_bytes(xls[: len(xls) // 3])
    for path in (half, cut, broken_xls):
        with pytest.raises(DatasetError) as caught:
            read_table("documents", DOCS, path)
        assert str(path) in str(caught.value)


def test_a_sheet_name_on_a_csv_file_is_an_error(tmp_path):
    """'ledger.csv#台账' asks for a sheet a text file cannot have."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_bytes([HEADER, RECORDS[0]]))
    with pytest.raises(DatasetError, match="has no sheets"):
        read_table("documents", DOCS, f"{path}#台账")


# ------------------------------------------------------------------ DataFrame cells as text

class Hostile:
    def __str__(self):
        raise RuntimeError("no text")

    def __repr__(self):
        return "Hostile()"


class Plain:
    def __str__(self):
        return "plain object"


@pytest.mark.parametrize("value, text", [
    (3.0, "3"), (2.5, "2.5"), (True, "TRUE"), (False, "FALSE"), (7, "7"), (np.int64(7), "7"),
    (decimal.Decimal("1.50"), "1.50"), (decimal.Decimal("4"), "4"), ({"a": 1}, "{'a': 1}"), ([1, 2], "[1, 2]"),
    (b"\xe5\xa4\x96\xe8\xb4\xb8", "外贸"), (b"\xff", "\ufffd"), ("a\ud800b", "a\ufffdb"), (Plain(), "plain object"),
    (Hostile(), "Hostile()"), (dt.date(2021, 7, 28), "2021-07-28"), (dt.datetime(2021, 7, 28), "2021-07-28"),
    (dt.datetime(2021, 7, 28, 13, 5), "2021-07-28 13:05:00"), (pd.Timestamp("2021-07-28 13:05"), "2021-07-28 13:05:00"),
    (pd.Timestamp("2021-07-28", tz="Asia/Shanghai"), "2021-07-28"), (np.datetime64("2500-01-01"), "2500-01-01"),
    (np.datetime64("1500-06-01T08:00"), "1500-06-01 08:00:00"), (dt.time(13, 5), "13:05:00"),
    (float("nan"), None), (None, None), (pd.NaT, None), (np.datetime64("NaT"), None), ("", ""),
])
def test_cell_text_of_every_kind_of_value(value, text):
    """Any object becomes the text a person sees, and never raises."""
    assert _cell_text(value) == text


def test_dataframe_columns_of_any_dtype_become_text():
    """DataFrame columns of numbers, booleans, datetimes of any resolution or zone and
    arbitrary objects become text cells, empty cells NaN, without a wrapped date."""
    frame = pd.DataFrame({
        "文号": ["A-1", "A-2", "A-3"],
        "起草处室": [1.0, 2.5, np.nan],
        "成文日期": pd.to_datetime(["2021-07-28 00:00", "2021-07-29 13:05", None]).as_unit("s"),
        "公开属性": [True, False, None],
        "文件标题": [{"k": 1}, decimal.Decimal("2"), "a\udc80"],
    })
    raw = read_table("documents", DOCS, frame)
    assert cells(raw, "doc_id") == ["A-1", "A-2", "A-3"]
    assert cells(raw, "department") == ["1", "2.5", None]
    assert cells(raw, "issued_on") == ["2021-07-28", "2021-07-29 13:05:00", None]
    assert cells(raw, "disclosure") == ["TRUE", "FALSE", None]
    assert cells(raw, "title") == ["{'k': 1}", "2", "a\ufffd"]
    assert raw.rows.tolist() == [2, 3, 4] and raw.sheets is None
    assert raw.report["format"] == "dataframe" and raw.report["header_rows"] is None


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_dataframe_datetimes_of_every_resolution_and_far_years_are_iso_text(unit):
    """datetime64 in s/ms/us/ns, tz-aware, and year-2500 or year-1500 values are ISO text."""
    stamps = pd.Series(pd.to_datetime(["2021-07-28 00:00", "2021-07-28 13:05"]).as_unit(unit))
    frame = pd.DataFrame({"文号": ["A", "B"], "成文日期": stamps, "公开属性": stamps.dt.tz_localize("UTC")})
    raw = read_table("documents", DOCS, frame)
    assert cells(raw, "issued_on") == ["2021-07-28", "2021-07-28 13:05:00"]
    assert cells(raw, "disclosure") == ["2021-07-28", "2021-07-28 13:05:00"]
    far = pd.DataFrame({"文号": ["A", "B"], "成文日期": np.array(["2500-01-01", "1500-12-31"], dtype="datetime64[s]"),
                        "公开属性": np.array([np.datetime64("2500-01-01"), np.datetime64("1500-01-01T10:00")], dtype=object)})
    raw = read_table("documents", DOCS, far)
    assert cells(raw, "issued_on") == ["2500-01-01", "1500-12-31"]
    assert cells(raw, "disclosure") == ["2500-01-01", "1500-01-01 10:00:00"]


def test_equal_but_different_objects_keep_their_own_text():
    """True, 1 and 1.0 are equal in Python but read 'TRUE', '1' and '1'."""
    frame = pd.DataFrame({"文号": ["A", "B", "C", "D"], "公开属性": [1.0, True, 1, False]})
    assert cells(read_table("documents", DOCS, frame), "disclosure") == ["1", "TRUE", "1", "FALSE"]


# ------------------------------------------------------------------ the report

def test_unrecognised_headers_and_close_matches_are_reported(tmp_path):
    """A one-character typo (答复日其) is unrecognised and offered as a close match of
    replied_on; a header far from every field is only unrecognised."""
    rows = [["申请编号", "收到日期", "答复日其", "经办人"], ["YSQ-1", "2021-03-01", "2021-03-09", "王五"]]
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(rows))
    report = read_table("requests", REQUESTS, path).report
    assert report["unrecognised_headers"] == ["答复日其", "经办人"]
    assert report["close_matches"] == {"replied_on": "答复日其"}


def test_a_missing_required_field_error_offers_the_close_header(tmp_path):
    """When the required 申请编号 is misspelt 申请编码, the error names the header to fix."""
    rows = [["申请编码", "收到日期"], ["YSQ-1", "2021-03-01"]]
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(DatasetError, match="The header '申请编码' looks like a misspelling of request_id's '申请编号'"):
        read_table("requests", REQUESTS, path)


def test_the_report_has_every_key_and_is_plain_json(tmp_path):
    """The reading report carries the keys of DESIGN §8 plus the extra ones, all plain JSON."""
    path = write_xlsx(tmp_path / "l.xlsx", {"台账": LEDGER_WITH_NOISE})
    report = read_table("documents", DOCS, path).report
    assert {"source", "format", "sheets", "sheets_skipped", "header_rows", "records", "skipped",
            "skipped_total", "columns", "unrecognised_headers", "close_matches"} <= set(report)
    assert report["source"] == str(path)
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report
    for entry in report["skipped"]:
        assert set(entry) == {"row", "sheet", "reason", "text"}
        assert type(entry["row"]) is int and type(entry["text"]) is str


# ------------------------------------------------------------------ fuzz

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt"]))
def test_random_bytes_give_a_table_or_a_dataset_error(tmp_path, data, suffix):
    """Whatever bytes a file holds, reading gives a RawTable or a DatasetError."""
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        raw = read_table("documents", DOCS, path)
    except DatasetError:
        return
    assert isinstance(raw, RawTable)
    assert len(raw.rows) == len(raw.body)


ODD_TEXT = st.text(alphabet=st.sampled_from(list('ab,;\t"\r\n 合计注：一、（）*★\x00\x0b\u3000\ufeff1')), max_size=200)


@FUZZ
@given(text=ODD_TEXT, encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_random_csv_text_gives_a_table_or_a_dataset_error(tmp_path, text, encoding):
    """Odd text (quotes, separators, NULs, BOMs, CR, trigger words) under a valid header
    reads as a table or fails with a DatasetError, never anything else."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(("文号,公开属性\n" + text).encode(encoding, errors="replace"))
    try:
        raw = read_table("documents", DOCS, path)
    except DatasetError:
        return
    assert len(raw.rows) == len(raw.body)
    assert all(r >= 2 for r in raw.rows.tolist())


GRID_CELL = st.one_of(st.none(), st.sampled_from(["合计", "外贸处", "注：", "1", "一、外贸处", "x y", "文号"]),
                      st.integers(-5, 99), st.text(alphabet="ab,\"\n 处", max_size=6))


@FUZZ
@given(grid=st.lists(st.lists(GRID_CELL, min_size=3, max_size=3), min_size=0, max_size=12),
       titles=st.integers(0, 2), fmt=st.sampled_from(["xlsx", "csv"]))
def test_every_record_keeps_the_row_it_has_in_the_source(tmp_path, grid, titles, fmt):
    """Random cells around a key column: every row with a key is a record, on the row
    number it has in the file; rows without one are never given another row's number."""
    rows = [["标题"]] * titles + [["文号", "公开属性", "起草处室", "备注"]]
    keyed = {}
    for cells_ in grid:
        number = len(rows) + 1
        key = f"K{number}" if number % 3 else None
        rows.append([key, *cells_])
        if key:
            keyed[number] = key
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "g.xlsx", {"S": rows})
    else:
        path = tmp_path / "g.csv"
        path.write_bytes(csv_bytes(rows))
    raw = read_table("documents", DOCS, path)
    got = dict(zip(raw.rows.tolist(), cells(raw, "doc_id")))
    assert {row: key for row, key in got.items() if key} == keyed
    assert len(set(raw.rows.tolist())) == len(raw.rows)
    assert all(titles + 2 <= row <= len(rows) for row in raw.rows.tolist())


DF_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.binary(max_size=4), st.dates(), st.datetimes(),
    st.decimals(allow_nan=True, allow_infinity=True), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2), st.sampled_from([Hostile(), Plain(), "a\ud800"]))


@FUZZ
@given(columns=st.lists(st.lists(DF_CELL, min_size=3, max_size=3), min_size=1, max_size=4),
       header=st.lists(st.sampled_from(["文号", "公开属性", "起草处室", "x", "", "文号"]), min_size=4, max_size=4))
def test_random_dataframe_cells_give_text_or_a_dataset_error(columns, header):
    """DataFrames of any objects, in any columns, read to text cells (str or NaN) with
    rows at position + 2, or fail with a DatasetError (no 文号 column)."""
    frame = pd.DataFrame({i: pd.Series(values, dtype=object) for i, values in enumerate(columns)})
    frame.columns = header[: frame.shape[1]]
    try:
        raw = read_table("documents", DOCS, frame)
    except DatasetError:
        return
    for column in raw.body.columns:
        assert all(isinstance(v, str) or pd.isna(v) for v in raw.body[column].tolist())
    assert set(raw.rows.tolist()) <= {2, 3, 4}
    json.dumps(raw.report)


@pytest.mark.parametrize("frame", [
    pd.DataFrame(), pd.DataFrame({"文号": []}), pd.DataFrame({"文号": [None, None]}),
    pd.DataFrame({"文号": ["A"], "公开属性": [pd.NA]}), pd.DataFrame({("文号", "x"): ["A"], ("公开属性", "y"): ["B"]}),
])
def test_degenerate_dataframes_read_or_raise_a_dataset_error(frame):
    """Empty, column-less, all-blank and MultiIndex DataFrames never raise anything else."""
    try:
        raw = read_table("documents", DOCS, frame)
    except DatasetError:
        return
    assert len(raw.rows) == len(raw.body)


BOOK_CELL = st.one_of(st.none(), st.sampled_from(["文号", "公开属性", "合计", "注：", "一、外贸处", "A-1", "  "]),
                      st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False), st.booleans(),
                      st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1)), st.text(alphabet="ab 处\n", max_size=5))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(BOOK_CELL, min_size=4, max_size=4), min_size=1, max_size=8),
       merges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)), max_size=3),
       fmt=st.sampled_from(["xlsx", "xls", "ods"]))
def test_random_workbooks_with_merges_give_a_table_or_a_dataset_error(tmp_path, grid, merges, fmt):
    """Random cells of every type with random merged ranges, in each workbook format,
    read to a table whose rows are rows of the sheet, or fail with a DatasetError."""
    taken, ranges = set(), []
    for r0, c0, down, across in merges:
        area = {(r, c) for r in range(r0, min(r0 + down, len(grid) - 1) + 1) for c in range(c0, min(c0 + across, 3) + 1)}
        if len(area) > 1 and not area & taken and r0 < len(grid):
            taken |= area
            ranges.append((r0, c0, max(r for r, _ in area), max(c for _, c in area)))
    path = WRITERS[fmt](tmp_path / f"fuzz.{fmt}", {"S": grid}, {"S": ranges})
    try:
        raw = read_table("documents", DOCS, path)
    except DatasetError:
        return
    assert all(1 <= row <= len(grid) for row in raw.rows.tolist())
    assert len(set(raw.rows.tolist())) == len(raw.rows)


def test_a_dataframe_read_without_a_header_finds_it_below_a_title():
    """pd.read_excel(header=None) leaves the title and header as rows: the header is
    found there and records keep position + 2 as their row."""
    frame = pd.DataFrame([TITLE, HEADER, *RECORDS])
    raw = read_table("documents", DOCS, frame)
    assert cells(raw, "doc_id") == ["晋商发〔2021〕1号", "晋商发〔2021〕2号", "晋商函〔2021〕7号"]
    assert raw.rows.tolist() == [4, 5, 6]
    assert raw.report["header_rows"] == [3, 3]


# ------------------------------------------------------------------ an adversarial campaign's finds

def test_a_device_or_pipe_is_refused_not_read_for_ever(tmp_path):
    """/dev/zero or a named pipe given as a ledger is refused at once with a message."""
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for source in ("/dev/zero", fifo):
        with pytest.raises(DatasetError, match="is not a regular file"):
            read_table("requests", REQUESTS, source)


def test_markup_spanning_absurd_areas_is_refused(tmp_path):
    """An HTML table or an Excel 2003 XML sheet whose spans or indexes cover millions of cells
    (a few hundred bytes of file) is a DatasetError, not a MemoryError."""
    html = tmp_path / "h.xls"
    html.write_text('<html><body><table><tr><td>申请编号</td><td colspan="100000" rowspan="100000">x</td></tr>'
                    '</table></body></html>', encoding="utf-8")
    with pytest.raises(DatasetError, match="spans more than"):
        read_table("requests", REQUESTS, html)
    xml = tmp_path / "s.xls"
    xml.write_text('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
                   '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                   'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>'
                   '<Row><Cell><Data ss:Type="String">申请编号</Data></Cell></Row>'
                   '<Row ss:Index="10000000"><Cell ss:Index="1000"><Data ss:Type="String">x</Data></Cell></Row>'
                   '</Table></Worksheet></Workbook>', encoding="utf-8")
    with pytest.raises(DatasetError, match="spans 10000000 rows x 1000 columns"):
        read_table("requests", REQUESTS, xml)


def test_a_file_name_that_is_not_utf8_is_shown_readably(tmp_path):
    """A GBK file name (as unpacked from a Chinese zip, decoded by Python with surrogate
    escapes) is read, and the reading report names it in Chinese, so every output can hold it."""
    import os

    name = os.fsdecode(os.fsencode(str(tmp_path)) + "/".encode() + "申请".encode("gb18030") + b".csv")
    with open(name, "wb") as handle:
        handle.write(csv_bytes([["申请编号", "收到申请日期"], ["Y-1", "2021-03-01"]]))
    raw = read_table("requests", REQUESTS, name)
    assert raw.source.endswith("申请.csv") and raw.report["source"].endswith("申请.csv")
    raw.source.encode("utf-8")  # no surrogate left


def test_a_sheet_of_a_hundred_thousand_odd_columns_is_refused_quickly_and_briefly(tmp_path):
    """A missing required column among 100,000 unknown headers: the error lists a bounded number
    of them (and counts the rest) instead of a 789,000-character message."""
    path = tmp_path / "w.csv"
    path.write_text(",".join(["申请编号"] + [f"c{i}" for i in range(100_000)]) + "\nA" + "," * 100_000 + "\n",
                    encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        read_table("requests", REQUESTS, path)
    assert "and 99901 more" in str(error.value) and len(str(error.value)) < 5000


def test_a_stray_cell_at_the_sheets_far_corner_is_refused_before_the_workbook_is_built(tmp_path):
    """One cell at XFD1048576 makes a sheet declare 17 billion cells; building that would abort
    the process. It is a DatasetError naming the area, and what to do."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["申请编号", "收到申请日期"])
    sheet.append(["Y-1", "2021-01-04"])
    sheet["XFD1048576"] = "x"
    path = tmp_path / "far.xlsx"
    book.save(path)
    with pytest.raises(DatasetError, match="spans A1:XFD1048576"):
        read_table("requests", REQUESTS, path)


def test_the_csv_cell_limit_holds_while_another_ledger_is_read_beside():
    """Ledgers are read in threads; the csv module's cell-size limit is one for the process.
    While one reader is inside a file with huge cells, another reader finishing must not put
    the small limit back (the first would then stop at a cell over 128 KiB); once both are
    done the limit is what it was."""
    import csv
    import threading

    from disclosure_rules.reading import _big_fields

    before = csv.field_size_limit()
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def slow_reader():
        with _big_fields():
            inside.set()
            leave.wait(10)
            seen.append(csv.field_size_limit())

    thread = threading.Thread(target=slow_reader)
    with _big_fields():  # the first reader is in when the slow one comes, and leaves before it
        thread.start()
        inside.wait(10)
    leave.set()
    thread.join(10)
    assert seen and seen[0] > 128 * 1024
    assert csv.field_size_limit() == before
