"""Reading ledgers: encodings, workbooks, title rows, row numbers and typed cells.

Every fixture is a real file written under ``tmp_path`` the way Excel or an office
system exports it (GB18030 CSV, UTF-8 CSV with and without BOM, .xlsx).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from disclosure_rules.datasets import LoadedDataset, load_dataset, normalize_name
from disclosure_rules.errors import DatasetError


def field(type, required=False, aliases=(), values=None):
    return SimpleNamespace(type=type, required=required, aliases=list(aliases), values=values)


DISCLOSURE = {"active": ["主动公开"], "on_request": ["依申请公开"], "not_public": ["不予公开"]}
FORMS = {"text": ["文字"], "graphic": ["图解", "图表"], "video": ["视频", "动漫"], "flow": ["流程演示"]}

DOCUMENTS = SimpleNamespace(
    title="公文台账", key="doc_id", department="department",
    fields={
        "doc_id": field("string", required=True, aliases=["文号", "发文字号"]),
        "department": field("string", aliases=["起草处室"]),
        "issued_on": field("date", aliases=["成文日期"]),
        "disclosure": field("category", aliases=["公开属性"], values=DISCLOSURE),
        "interpretation_forms": field("set", aliases=["解读形式"], values=FORMS),
        "request_count": field("integer", aliases=["申请次数"]),
        "needs_interpretation": field("boolean", aliases=["是否需解读"]),
        "budget": field("number", aliases=["经费"]),
    },
)

HEADER = ["文号", "起草处室", "成文日期", "公开属性", "解读形式", "申请次数", "是否需解读", "经费", "备注"]
RECORDS = [
    ["晋商发〔2021〕1号", "外贸处", "2021-07-28", "主动公开", "文字、图解", "3", "是", "1,234.5", "无"],
    ["晋商发〔2021〕2号", " 外资处 ", "2021/8/2", "依申请公开", "视频", "0", "否", "", ""],
    ["晋商函〔2021〕7号", "办公室", "2021年11月15日", "不予公开", "", "12", "否", "88", "涉密"],
]
TITLE = ["山西省商务厅2021年公文台账"] + [""] * (len(HEADER) - 1)


def csv_text(rows, sep=","):
    def cell(value):
        text = str(value)
        return f'"{text}"' if any(ch in text for ch in f'{sep}"\n') else text
    return "".join(sep.join(cell(v) for v in row) + "\r\n" for row in rows)


def write_csv(path, rows, encoding="utf-8", sep=","):
    path.write_bytes(csv_text(rows, sep).encode(encoding))
    return path


def write_xlsx(path, sheets):
    """sheets: {title: rows}; cells are written as given (datetime, int, str)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def excel_cells(row):
    """A record as a person types it into Excel: real dates and numbers."""
    typed = list(row)
    typed[2] = {"2021-07-28": dt.datetime(2021, 7, 28), "2021/8/2": dt.datetime(2021, 8, 2),
                "2021年11月15日": dt.datetime(2021, 11, 15, 9, 30)}[row[2]]
    typed[5] = int(row[5])
    typed[7] = {"1,234.5": 1234.5, "": None, "88": 88}[row[7]]
    return typed


def expected_frame():
    return pd.DataFrame({
        "doc_id": pd.array(["晋商发〔2021〕1号", "晋商发〔2021〕2号", "晋商函〔2021〕7号"], dtype="string"),
        "department": pd.array(["外贸处", "外资处", "办公室"], dtype="string"),
        "issued_on": pd.to_datetime(["2021-07-28", "2021-08-02", "2021-11-15"]).as_unit("s"),
        "disclosure": pd.Categorical(["active", "on_request", "not_public"],
                                     categories=["active", "on_request", "not_public"]),
        "interpretation_forms": pd.array([0b11, 0b100, None], dtype="Int64"),
        "request_count": pd.array([3, 0, 12], dtype="Int64"),
        "needs_interpretation": pd.array([True, False, False], dtype="boolean"),
        "budget": pd.array([1234.5, None, 88.0], dtype="Float64"),
    })


def load_one(tmp_path, column, cells, *, type, values=None, name="ledger.csv", encoding="utf-8"):
    """Load a two-column ledger (doc_id + one field) and return the dataset."""
    spec = SimpleNamespace(title=None, key="doc_id", department=None, fields={
        "doc_id": field("string", required=True, aliases=["文号"]),
        "value": field(type, aliases=[column], values=values),
    })
    rows = [["文号", column]] + [[f"D{i}", c] for i, c in enumerate(cells, start=1)]
    path = write_csv(tmp_path / name, rows, encoding=encoding)
    return load_dataset("ledger", spec, path)


# ------------------------------------------------------------------ names and headers

def test_normalize_name_ignores_width_case_and_surrounding_space():
    """Headers typed with full-width letters, capitals or stray spaces match their alias."""
    assert normalize_name(" ＤＯＣ_ＩＤ ") == "doc_id"
    assert normalize_name("公开属性\u3000") == "公开属性"
    assert normalize_name("Issued_On") == "issued_on"


def test_headers_match_by_field_name_or_alias_ignoring_width_case_and_wrapping(tmp_path):
    """A wrapped Excel header ('成文\\n日期'), an English field name in capitals and
    full-width text all find their field; the matched text is reported."""
    rows = [["DOC_ID", "成文\n日期", "公开属性 "], ["A-1", "2021-07-28", "主动公开"]]
    data = load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "d.csv", rows))
    assert data.headers == {"doc_id": "DOC_ID", "issued_on": "成文\n日期", "disclosure": "公开属性"}
    assert data.frame["issued_on"].iloc[0] == pd.Timestamp("2021-07-28")


def test_extra_columns_are_ignored_and_two_columns_for_one_field_take_the_first(tmp_path):
    """An unknown column (备注) is ignored; when 文号 and 发文字号 both name doc_id the
    first is used and the duplicate is reported on the header row."""
    rows = [["文号", "备注", "发文字号"], ["A-1", "x", "B-1"]]
    data = load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "d.csv", rows))
    assert list(data.frame.columns) == ["doc_id"]
    assert data.frame["doc_id"].tolist() == ["A-1"]
    assert data.issues == [{
        "dataset": "documents", "field": "doc_id", "row": 1, "sheet": None, "value": "发文字号",
        "problem": "column 3 ('发文字号') also matches field doc_id; column 1 ('文号') is used"}]


# ------------------------------------------------------------------ encodings and formats

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_give_the_typed_frame(tmp_path, encoding):
    """UTF-8, UTF-8 with BOM (Excel's 'CSV UTF-8') and GB18030 (Excel's Chinese default)
    are detected from the bytes and give the same typed frame."""
    path = write_csv(tmp_path / "ledger.csv", [HEADER, *RECORDS], encoding=encoding)
    data = load_dataset("documents", DOCUMENTS, path)
    pd.testing.assert_frame_equal(data.frame, expected_frame())
    assert data.rows.tolist() == [2, 3, 4]
    assert data.rows.dtype == np.int64
    assert data.issues == [] and data.missing == []
    assert data.source == str(path)
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_gives_the_same_frame_as_csv_and_selects_a_sheet(tmp_path):
    """A workbook with real date and number cells gives the frame a CSV gives;
    'ledger.xlsx#公文台账' reads that sheet; without a sheet name the sheet whose header
    names the dataset's fields is read and a notes sheet naming two of them is passed over."""
    other = [["文号", "成文日期"], ["X-9", dt.datetime(2020, 1, 1)]]
    path = write_xlsx(tmp_path / "ledger.xlsx", {
        "说明": other,
        "公文台账": [TITLE, HEADER, *map(excel_cells, RECORDS)],
    })
    data = load_dataset("documents", DOCUMENTS, f"{path}#公文台账")
    pd.testing.assert_frame_equal(data.frame, expected_frame())
    assert data.rows.tolist() == [3, 4, 5]
    assert data.source == f"{path}#公文台账"
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    chosen = load_dataset("documents", DOCUMENTS, path)
    pd.testing.assert_frame_equal(chosen.frame, expected_frame())
    assert chosen.sheets.tolist() == ["公文台账"] * 3
    assert chosen.reading["sheets"] == ["公文台账"]
    assert chosen.reading["sheets_skipped"] == [{"name": "说明", "reason": "few_fields"}]


def test_missing_sheet_names_the_sheets_there_are(tmp_path):
    """Asking for a sheet the workbook lacks says which sheets it has."""
    path = write_xlsx(tmp_path / "ledger.xlsx", {"Sheet1": [HEADER, *map(excel_cells, RECORDS)]})
    with pytest.raises(DatasetError, match=r"no sheet named '台账'; its sheets are: Sheet1"):
        load_dataset("documents", DOCUMENTS, f"{path}#台账")


@pytest.mark.parametrize("sep", ["\t", ";"])
def test_tab_and_semicolon_separated_files_are_recognised(tmp_path, sep):
    """Office systems export tab- or semicolon-separated text; the separator is sniffed."""
    path = write_csv(tmp_path / "ledger.txt", [HEADER, *RECORDS], sep=sep)
    pd.testing.assert_frame_equal(load_dataset("documents", DOCUMENTS, path).frame, expected_frame())


def test_gbk_file_with_chinese_only_far_down_is_still_decoded(tmp_path):
    """A GBK file whose first few hundred kilobytes are plain ASCII is still read as GBK."""
    rows = [["doc_id", "department"]] + [[f"A-{i}", "ok"] for i in range(30000)] + [["B-1", "外贸处"]]
    path = write_csv(tmp_path / "ledger.csv", rows, encoding="gbk")
    assert path.stat().st_size > 256 * 1024
    data = load_dataset("documents", DOCUMENTS, path)
    assert data.frame["department"].iloc[-1] == "外贸处"
    assert data.rows[-1] == len(rows)


# ------------------------------------------------------------------ rows

def test_title_rows_and_blank_rows_keep_spreadsheet_row_numbers(tmp_path):
    """Rows are the numbers Excel shows: a title and a blank line above the header put it
    on row 3; blank rows between records are dropped but do not renumber the others."""
    rows = [TITLE, [""] * len(HEADER), HEADER, RECORDS[0], [""] * len(HEADER), RECORDS[1], RECORDS[2]]
    text = csv_text(rows).replace(",,,,,,,,\r\n", "\r\n", 1)  # one truly empty line, one of commas
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.encode("gb18030"))
    data = load_dataset("documents", DOCUMENTS, path)
    assert data.rows.tolist() == [4, 6, 7]
    assert data.frame["doc_id"].tolist() == [r[0] for r in RECORDS]


def test_xlsx_title_rows_and_gaps_keep_spreadsheet_row_numbers(tmp_path):
    """In a workbook the header on row 3 and a gap row put records on rows 4, 6 and 7."""
    rows = [TITLE, [], HEADER, excel_cells(RECORDS[0]), [], *map(excel_cells, RECORDS[1:])]
    data = load_dataset("documents", DOCUMENTS, write_xlsx(tmp_path / "l.xlsx", {"台账": rows}))
    assert data.rows.tolist() == [4, 6, 7]
    pd.testing.assert_frame_equal(data.frame, expected_frame())


def test_a_cell_with_a_line_break_is_one_row(tmp_path):
    """A quoted cell spanning two lines is one spreadsheet row, so later rows keep their number."""
    rows = [["文号", "起草处室"], ["A-1", "外贸处\n外资处"], ["A-2", "办公室"]]
    data = load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "d.csv", rows))
    assert data.rows.tolist() == [2, 3]
    assert data.frame["department"].tolist() == ["外贸处\n外资处", "办公室"]


def test_row_numbers_hold_in_a_large_file_with_line_breaks_and_blank_lines(tmp_path):
    """Past the parser's first block (several MB), quoted line breaks and blank lines still
    leave every record on the row Excel shows."""
    lines, expected = ["文号,起草处室"], {}
    for i in range(60000):
        if i % 997 == 0:
            lines.append("")
        if i % 1009 == 0:
            lines.append(f'A-{i},"外贸处\n（牵头）"')
            expected[f"A-{i}"] = len(lines)  # one record, one row, though two lines in the file
        else:
            lines.append(f"A-{i},办公室")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    data = load_dataset("documents", DOCUMENTS, path)
    assert len(data.frame) == 60000
    row_of = dict(zip(data.frame["doc_id"], data.rows.tolist()))
    assert {k: row_of[k] for k in expected} == expected
    assert row_of["A-59999"] == len(lines)


def test_rows_longer_or_shorter_than_the_header_are_read(tmp_path):
    """A record with a stray extra cell or missing trailing cells loses nothing it has."""
    text = "文号,起草处室\r\nA-1,外贸处,多余\r\nA-2\r\nA-3,办公室\r\n"
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    data = load_dataset("documents", DOCUMENTS, path)
    assert data.frame["doc_id"].tolist() == ["A-1", "A-2", "A-3"]
    assert data.frame["department"].tolist() == ["外贸处", pd.NA, "办公室"]
    assert data.rows.tolist() == [2, 3, 4]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.lists(st.sampled_from(["record", "blank", "commas"]), min_size=1, max_size=12),
       titles=st.integers(min_value=0, max_value=3))
def test_row_numbers_are_the_lines_excel_shows(tmp_path, layout, titles):
    """Whatever mix of title rows, blank lines and comma-only rows, each record's row is
    its line number in the file."""
    lines = ["标题"] * titles + ["文号,起草处室"]
    expected = []
    for kind in layout:
        if kind == "record":
            lines.append(f"A-{len(lines)},处")
            expected.append(len(lines))
        else:
            lines.append("" if kind == "blank" else ",")
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = load_dataset("documents", DOCUMENTS, path)
    assert data.rows.tolist() == expected
    assert data.frame["doc_id"].tolist() == [f"A-{n - 1}" for n in expected]


def test_dataframe_input_rows_are_position_plus_two_and_the_frame_is_untouched():
    """A DataFrame's records are numbered by position + 2 whatever its index, its own
    typed columns (datetime64, int) are used, and it is not modified."""
    frame = pd.DataFrame({
        "文号": ["A-1", "A-2", None],
        "成文日期": pd.to_datetime(["2021-07-28 10:30", None, "2021-08-01 00:00"]),
        "申请次数": [1, 2, 3],
        "公开属性": ["主动公开", "不予公开", "  "],
    }, index=[10, 20, 30])
    before = frame.copy(deep=True)
    data = load_dataset("documents", DOCUMENTS, frame)
    pd.testing.assert_frame_equal(frame, before)
    assert data.source == "<DataFrame>" and data.sha256 is None
    assert data.rows.tolist() == [2, 3, 4]
    assert isinstance(data.frame.index, pd.RangeIndex)
    assert data.frame["issued_on"].tolist() == [pd.Timestamp("2021-07-28"), pd.NaT, pd.Timestamp("2021-08-01")]
    assert data.frame["issued_on"].dtype == "datetime64[s]"
    assert data.frame["request_count"].tolist() == [1, 2, 3]
    assert data.frame["disclosure"].tolist()[:2] == ["active", "not_public"]
    assert pd.isna(data.frame["disclosure"].iloc[2])


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize("cell", [
    "2021-07-28", "2021/7/28", "2021.07.28", "2021年7月28日", "2021 年 07 月 28 日",
    "2021-7-28 10:30", "2021-07-28 10:30:15", "2021-07-28T10:30:00", "20210728", "44405",
    "２０２１－０７－２８", " 2021/07/28 ",
])
def test_every_accepted_date_format_reads_as_the_same_day(tmp_path, cell):
    """Each way a ledger writes 28 July 2021 gives that day at midnight, without an issue."""
    data = load_one(tmp_path, "成文日期", [cell], type="date")
    assert data.frame["value"].dtype == "datetime64[s]"
    assert data.frame["value"].iloc[0] == pd.Timestamp("2021-07-28")
    assert data.issues == []


def test_impossible_or_unreadable_dates_are_blank_and_reported_with_their_row(tmp_path):
    """2021-13-01, 2021-02-30 and free text become blank, each reported on its row;
    empty cells and dashes are simply blank."""
    cells = ["2021-13-01", "2021-02-30", "下周一", "", "—", "2021-02-28", "2021-13-01"]
    data = load_one(tmp_path, "成文日期", cells, type="date")
    values = data.frame["value"]
    assert values.isna().tolist() == [True, True, True, True, True, False, True]
    assert data.issues == [
        {"dataset": "ledger", "field": "value", "row": 2, "sheet": None, "value": "2021-13-01", "problem": "not a date"},
        {"dataset": "ledger", "field": "value", "row": 3, "sheet": None, "value": "2021-02-30", "problem": "not a date"},
        {"dataset": "ledger", "field": "value", "row": 4, "sheet": None, "value": "下周一", "problem": "not a date"},
        {"dataset": "ledger", "field": "value", "row": 8, "sheet": None, "value": "2021-13-01", "problem": "not a date"},
    ]


def test_excel_serial_numbers_are_dates_only_in_a_plausible_range(tmp_path):
    """Serial 44405 (a date cell exported as a number) is 2021-07-28, in text or as a
    workbook number; a small number such as 123 is not taken for a date."""
    csv_data = load_one(tmp_path, "成文日期", ["44405", "44405.75", "123"], type="date")
    assert csv_data.frame["value"].tolist()[:2] == [pd.Timestamp("2021-07-28")] * 2
    assert [(i["row"], i["value"]) for i in csv_data.issues] == [(4, "123")]

    spec = SimpleNamespace(title=None, key=None, department=None, fields={
        "doc_id": field("string", aliases=["文号"]), "issued_on": field("date", aliases=["成文日期"])})
    rows = [["文号", "成文日期"], ["A", 44405], ["B", dt.date(2021, 7, 29)], ["C", dt.datetime(2021, 7, 30, 23, 59)],
            ["D", 20210731], ["E", 7]]
    data = load_dataset("documents", spec, write_xlsx(tmp_path / "d.xlsx", {"S": rows}))
    assert data.frame["issued_on"].tolist()[:4] == list(pd.to_datetime(
        ["2021-07-28", "2021-07-29", "2021-07-30", "2021-07-31"]))
    assert data.issues == [{"dataset": "documents", "field": "issued_on", "row": 6, "value": "7",
                            "problem": "not a date", "sheet": "S"}]


# ------------------------------------------------------------------ numbers and booleans

def test_integers_accept_thousands_full_width_and_trailing_zero(tmp_path):
    """'1,234', full-width '１２' and '12.0' are integers; '12.5' and 'x' are reported."""
    data = load_one(tmp_path, "申请次数", ["1,234", "１２", "12.0", "12.5", "x", "", "-"], type="integer")
    assert data.frame["value"].dtype == "Int64"
    assert data.frame["value"].tolist() == [1234, 12, 12, pd.NA, pd.NA, pd.NA, pd.NA]
    assert [(i["row"], i["value"], i["problem"]) for i in data.issues] == [
        (5, "12.5", "not a whole number"), (6, "x", "not an integer")]


def test_numbers_are_float64_and_bad_ones_reported(tmp_path):
    """Numbers keep decimals; text that is no number is blank plus an issue."""
    data = load_one(tmp_path, "经费", ["1,234.5", "0.25", "-3", "十万"], type="number")
    assert data.frame["value"].dtype == "Float64"
    assert data.frame["value"].tolist() == [1234.5, 0.25, -3.0, pd.NA]
    assert [(i["row"], i["problem"]) for i in data.issues] == [(5, "not a number")]


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("Y", True), ("n", False),
    ("YES", True), ("No", False), ("true", True), ("FALSE", False), ("1", True), ("0", False),
    ("√", True), ("×", False), ("Ｙ", True), (" 是 ", True),
])
def test_booleans_accept_the_words_people_type(tmp_path, cell, expected):
    """是/否, 有/无, Y/N, yes/no, true/false, 1/0 and √/× in any case or width."""
    data = load_one(tmp_path, "是否需解读", [cell], type="boolean")
    assert data.frame["value"].dtype == "boolean"
    assert data.frame["value"].iloc[0] == expected
    assert data.issues == []


def test_unreadable_boolean_is_blank_and_reported(tmp_path):
    """'待定' is neither yes nor no: blank, reported on its row; an empty cell is blank."""
    data = load_one(tmp_path, "是否需解读", ["待定", ""], type="boolean")
    assert data.frame["value"].isna().tolist() == [True, True]
    assert [(i["row"], i["value"]) for i in data.issues] == [(2, "待定")]


# ------------------------------------------------------------------ categories and sets

def test_unknown_labels_are_kept_and_reported_once_on_their_first_row(tmp_path):
    """A typo such as '主动 公开' or '内部' stays in the column (present, not blank) after the
    codes, is reported once per distinct value on its first row, and matches no code."""
    cells = ["主动公开", "内部", "ＡＣＴＩＶＥ", "依申请公开", "内部 ", "", "不予公开", "主动 公开"]
    data = load_one(tmp_path, "公开属性", cells, type="category", values=DISCLOSURE)
    column = data.frame["value"]
    assert list(column.cat.categories) == ["active", "on_request", "not_public", "内部", "主动 公开"]
    assert column.tolist()[:5] == ["active", "内部", "active", "on_request", "内部"]
    assert pd.isna(column.iloc[5])
    problem = "unknown label for 公开属性; expected one of: 主动公开, 依申请公开, 不予公开"
    assert data.issues == [
        {"dataset": "ledger", "field": "value", "row": 3, "sheet": None, "value": "内部", "problem": problem},
        {"dataset": "ledger", "field": "value", "row": 9, "sheet": None, "value": "主动 公开",
         "problem": problem + "; did you mean 主动公开?"},  # a label a space away from one
    ]


def test_set_cells_become_bit_masks_in_code_order(tmp_path):
    """Bit i is the i-th code (text=1, graphic=2, video=4, flow=8); labels split on any of
    ; ； , ， 、 / | and line breaks; blank is NA; only unknown labels is 0, reported once."""
    cells = ["文字、图解", "视频；动漫", "图表,文字|流程演示", "文字\n视频", "", "、", "直播",
             "文字/直播", "TEXT"]
    data = load_one(tmp_path, "解读形式", cells, type="set", values=FORMS)
    assert data.frame["value"].dtype == "Int64"
    assert data.frame["value"].tolist() == [0b0011, 0b0100, 0b1011, 0b0101, pd.NA, pd.NA, 0, 0b0001, 0b0001]
    assert data.issues == [{
        "dataset": "ledger", "field": "value", "row": 8, "sheet": None, "value": "直播",
        "problem": "unknown label for 解读形式; expected one of: 文字, 图解, 视频, 流程演示"}]


def test_set_with_too_many_codes_is_refused(tmp_path):
    """A bit mask holds 62 codes; more is a programming error, not a data issue."""
    values = {f"c{i}": [] for i in range(63)}
    with pytest.raises(ValueError, match="at most 62"):
        load_one(tmp_path, "解读形式", ["c1"], type="set", values=values)


def test_strings_are_stripped_and_empty_is_blank(tmp_path):
    """String fields use the nullable 'string' dtype: spaces trimmed, empty cells NA."""
    data = load_one(tmp_path, "起草处室", ["  外贸处 ", "", "   "], type="string")
    assert data.frame["value"].dtype == pd.StringDtype()
    assert data.frame["value"].tolist() == ["外贸处", pd.NA, pd.NA]


# ------------------------------------------------------------------ missing columns

def test_missing_required_column_names_file_dataset_field_aliases_and_headers(tmp_path):
    """Without a 文号 column the error says which file and dataset, which names would do,
    and which headers the file has, so the user can rename a column or add an alias."""
    path = write_csv(tmp_path / "docs.csv", [TITLE, ["序号", "标题", "成文日期"], ["1", "通知", "2021-07-28"]])
    with pytest.raises(DatasetError) as caught:
        load_dataset("documents", DOCUMENTS, path)
    error = caught.value
    message = str(error)
    assert str(path) in message
    assert "dataset 'documents' (公文台账)" in message
    assert "required field 'doc_id' (accepted headers: doc_id, 文号, 发文字号)" in message
    assert "Headers found on row 2: 序号, 标题, 成文日期" in message
    assert error.file == str(path)
    assert error.expected == ["doc_id", "文号", "发文字号"]
    assert error.found == ["序号", "标题", "成文日期"]


def test_missing_optional_column_is_listed_not_fatal(tmp_path):
    """Optional columns the file lacks are listed in ``missing``; the frame has no column for them."""
    data = load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "d.csv", [["文号"], ["A-1"]]))
    assert isinstance(data, LoadedDataset)
    assert list(data.frame.columns) == ["doc_id"]
    assert data.missing == ["department", "issued_on", "disclosure", "interpretation_forms",
                            "request_count", "needs_interpretation", "budget"]


def test_header_only_file_gives_an_empty_typed_frame(tmp_path):
    """A ledger with a header and no records loads as zero rows of the right types."""
    data = load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "d.csv", [HEADER]))
    assert len(data.frame) == 0 and data.rows.tolist() == []
    assert data.frame.dtypes.to_dict() == expected_frame().dtypes.to_dict()


# ------------------------------------------------------------------ bad files

@pytest.mark.parametrize("content, message", [
    (bytes(range(256)) * 40, "not a text file"),
    (b"PK\x03\x04" + b"\x00" * 200, "damaged or truncated zip"),
    (b"", "empty"),
    (b"\xef\xbb\xbf \r\n", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"not a valid \.xls workbook: it is damaged"),
    (b"a,b\r\n\xff\xfe\xfd,\x80\x80\r\n" * 3, "tried UTF-8 with BOM, UTF-8, GB18030"),
])
def test_files_that_are_not_ledgers_raise_a_dataset_error_naming_the_file(tmp_path, content, message):
    """Binary data, a zip, an empty file, an old .xls or undecodable bytes give a
    DatasetError that names the file, never a crash."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message) as caught:
        load_dataset("documents", DOCUMENTS, path)
    assert str(path) in str(caught.value)
    assert caught.value.file == str(path)


def test_a_broken_workbook_raises_a_dataset_error(tmp_path):
    """A .xlsx that is not a valid workbook (not even a zip) is reported as such, naming the file."""
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(DatasetError, match=r"ledger\.xlsx: is a damaged or truncated zip file"):
        load_dataset("documents", DOCUMENTS, path)


def test_an_empty_sheet_raises_a_dataset_error(tmp_path):
    """A workbook whose sheet has no filled cell names the sheet."""
    book = openpyxl.Workbook()
    book.active.title = "台账"
    book.active["C5"] = "   "
    book.save(tmp_path / "empty.xlsx")
    with pytest.raises(DatasetError, match="sheet '台账' is empty"):
        load_dataset("documents", DOCUMENTS, tmp_path / "empty.xlsx")


def test_a_missing_file_raises_a_dataset_error(tmp_path):
    """A path that does not exist is a DatasetError, not an OSError."""
    with pytest.raises(DatasetError, match="file not found"):
        load_dataset("documents", DOCUMENTS, tmp_path / "nope.csv")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_loading_never_modifies_the_input_file(tmp_path, kind):
    """The ledger's bytes and modification time are the same after loading."""
    if kind == "csv":
        path = write_csv(tmp_path / "l.csv", [TITLE, HEADER, *RECORDS], encoding="gb18030")
    else:
        path = write_xlsx(tmp_path / "l.xlsx", {"S": [TITLE, HEADER, *map(excel_cells, RECORDS)]})
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    load_dataset("documents", DOCUMENTS, path)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_when_no_header_names_a_field_the_error_lists_the_fullest_row(tmp_path):
    """A ledger of another kind under a title row: the error shows its real headers,
    not the title."""
    rows = [["某某台账", "", ""], ["会议名称", "会议日期", "承办处室"], ["第一次会议", "2021-03-01", "办公室"]]
    with pytest.raises(DatasetError, match="Headers found on row 2: 会议名称, 会议日期, 承办处室"):
        load_dataset("documents", DOCUMENTS, write_csv(tmp_path / "m.csv", rows))


def test_cell_issues_of_several_sheets_name_their_row_and_sheet_in_ledger_order(tmp_path):
    """With two quarterly sheets, a bad date and an unknown label each name the sheet and
    the row they are on; the unknown label is reported once, where it first occurs (the
    first sheet), even though its row number there is larger than on the second sheet."""
    spec = SimpleNamespace(title=None, key="doc_id", department=None, fields={
        "doc_id": field("string", required=True, aliases=["文号"]),
        "issued_on": field("date", aliases=["成文日期"]),
        "form": field("category", aliases=["解读形式"], values={"text": ["文字"], "video": ["视频"]}),
    })
    header = ["文号", "成文日期", "解读形式"]
    q1 = [header, ["D1", "2021-01-05", "文字"], ["D2", "2021-01-06", "文字"], ["D3", "2021-01-07", "直播"]]
    q2 = [header, ["D4", "2021-13-01", "直播"]]
    path = write_xlsx(tmp_path / "q.xlsx", {"一季度": q1, "二季度": q2})
    data = load_dataset("ledger", spec, path)
    assert [(i["field"], i["row"], i["sheet"], i["value"]) for i in data.issues] == [
        ("issued_on", 2, "二季度", "2021-13-01"), ("form", 4, "一季度", "直播")]
