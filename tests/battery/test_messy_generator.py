"""The battery's generator is right: files hold what the layout says, where it says.

Checked without the library's reader: workbooks read back with openpyxl (xlsx) and
python-calamine (xlsx, xls, ods; skipped where calamine is not installed), ODS merges
from the file's XML, text files with the csv module. And the oracle itself: auditing
the clean records as a DataFrame of text gives what auditing the example files gives;
and the battery's checks accept a perfect answer and catch each kind of wrong one.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

import messy
from battery_cases import BOOK, CHECKS, WORKBOOKS, Case, Run, check_reading, check_rows, check_rule_counts, \
    check_score, check_sheets
from disclosure_rules import audit

CHECKED_LAYOUTS = ["office", "office_quarters", "division_sheets", "blocks", "two_row_header", "dates_excel",
                   "dates_serial"]
TEXT_FORMATS = [name for name, f in messy.FORMATS.items() if not f.workbook]


@pytest.fixture(scope="module")
def layouts_all():
    """Every layout of the small subsets, rendered once for this module."""
    return {name: {ds: messy.render(BOOK, ds, messy.subset_positions(ds, "small"), messy.LAYOUTS[name])
                   for ds in messy.DATASETS} for name in messy.LAYOUTS}


@pytest.fixture(scope="module")
def layouts():
    """The layouts whose files are read back, rendered once for this module."""
    return {name: {ds: messy.render(BOOK, ds, messy.subset_positions(ds, "small"), messy.LAYOUTS[name])
                   for ds in messy.DATASETS} for name in CHECKED_LAYOUTS}


def _plain(value):
    """A cell as compared across readers: None for empty, int for whole numbers, date for dates."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _grid(rows):
    width = max((len(r) for r in rows), default=0)
    grid = [[_plain(v) for v in r] + [None] * (width - len(r)) for r in rows]
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


@pytest.mark.parametrize("layout", CHECKED_LAYOUTS)
def test_every_record_is_on_its_row_and_every_other_row_is_accounted_for(layouts, layout):
    """Each record sits once on the row the map gives (its key there); no record row is a skipped row."""
    for dataset, rendered in layouts[layout].items():
        clean = messy.clean_frame(dataset).iloc[messy.subset_positions(dataset, "small")].reset_index(drop=True)
        key = messy.KEY_HEADERS[dataset]
        assert len(rendered.places) == len(set(rendered.places)) == len(clean) == len(rendered.order)
        assert sorted(rendered.order) == list(range(len(clean)))
        sheets = {s.name: s for s in rendered.sheets}
        for k, (sheet, row) in enumerate(rendered.places):
            cells = sheets[sheet].rows[row - 1]
            assert clean.at[rendered.order[k], key] in cells
            assert (sheet, row) not in rendered.skipped and (sheet, row) not in rendered.tolerated
        for (sheet, row), reason in rendered.skipped.items():
            text = [str(c) for c in sheets[sheet].rows[row - 1] if c not in (None, "")]
            assert text, (sheet, row)
            if reason == "total":
                assert text[0] in ("合计", "小计")
            if reason == "block heading":
                assert re.fullmatch(r"[一二三四五六七八九十]+、.+（\d+件）", text[0])
            if reason == "serial number only":
                assert len(text) == 1 and text[0].isdigit()


_NUMERALS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")}


def _number(text: str) -> int:
    """Chinese numerals of a date part back to an int (二十八 -> 28, 十 -> 10)."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)
    return int("".join(str(_NUMERALS.get(ch, ch)) for ch in text))


def _day(value) -> dt.date | None:
    """A date cell in any form the generator writes, read back independently of it."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):
        return dt.date(1899, 12, 30) + dt.timedelta(days=value)
    text = unicodedata.normalize("NFKC", str(value)).lstrip("'")
    text = re.sub(r"\s*[(（]?(星期|周)[一二三四五六日][)）]?$", "", text).strip()
    match = re.fullmatch(r"([〇一二三四五六七八九\d]{4})[-/.年]([〇一二三四五六七八九十\d]+)[-/.月]"
                         r"([〇一二三四五六七八九十\d]+)日?", text)
    if not match:
        return None
    try:
        return dt.date(*map(_number, match.groups()))
    except ValueError:
        return None


def _leaf_headers(sheet, header_rows) -> list[str]:
    first, last = header_rows
    upper, lower = sheet.rows[first - 1], sheet.rows[last - 1]
    leaves = [lo if first != last and lo not in (None, "") else up for up, lo in zip(upper, lower)]
    # what DESIGN §11 says a header cell matches after: no line breaks, spaces, bracketed notes, * or ★
    return [re.sub(r"\s+|[(（][^)）]*[)）]|[*★]", "", str(h)) for h in leaves]


@pytest.mark.parametrize("layout", list(messy.LAYOUTS))
def test_each_record_holds_its_clean_values(layouts_all, layout):
    """Read back with the rules of §11 (dates in every form, sets by any separator, headers without notes),
    every record row holds exactly its clean record: a correct reader can recover the tidy ledger."""
    for dataset, rendered in layouts_all[layout].items():
        clean = messy.clean_frame(dataset).iloc[messy.subset_positions(dataset, "small")].reset_index(drop=True)
        types = {h: kind for h, (_, kind) in messy.field_headers(BOOK, dataset, clean).items()}
        sheets = {s.name: s for s in rendered.sheets}
        for name in rendered.data_sheets:
            assert _leaf_headers(sheets[name], rendered.header_rows) == rendered.columns
        for k, (sheet, row) in enumerate(rendered.places):
            cells = dict(zip(rendered.columns, sheets[sheet].rows[row - 1]))
            for header in clean.columns:
                want, got = clean.at[rendered.order[k], header], cells[header]
                if header == messy.SERIAL:
                    continue
                if types.get(header) == "date" and messy.parse_date(want) is not None:
                    assert _day(got) == messy.parse_date(want), (dataset, header, got, want)
                elif types.get(header) == "set":
                    split = re.compile(r"[;；,，、/|｜+＋\s]+")
                    assert set(split.split(got)) - {""} == set(split.split(want)) - {""}, (header, got, want)
                else:
                    assert got == want, (dataset, header, got, want)


def test_forms_are_those_offices_type():
    """Dates and sets come out in the forms §11 lists (2021-07-28 was a Wednesday, Excel serial 44405)."""
    day = dt.date(2021, 7, 28)
    assert messy.date_form(day, "numerals", 0) == "二〇二一年七月二十八日"
    assert messy.date_form(day, "weekday", 0) == "2021年7月28日 星期三"
    assert messy.date_form(day, "weekday", 1) == "2021-07-28(周三)"
    assert messy.date_form(day, "fullwidth", 0) == "２０２１年７月２８日"
    assert messy.date_form(day, "apostrophe", 0) == "'2021-07-28"
    assert messy.date_form(day, "serial", 0) == 44405
    assert messy.date_form(day, "excel", 0) == day
    assert [messy.zh_number(n) for n in (1, 10, 11, 20, 28, 31)] == ["一", "十", "十一", "二十", "二十八", "三十一"]
    assert messy.set_form("文字、一图读懂", 0) == "文字+一图读懂"
    assert messy.set_form("背景；意义；作用", 1) == "背景＋意义＋作用"
    assert messy.set_form("厅网站,微信公众号", 2) == "厅网站 微信公众号"
    assert messy.set_form("文字", 0) == "文字"
    assert messy.parse_date("2021-02-30") is None  # an impossible date stays as typed


@pytest.mark.parametrize("layout", ["office", "blocks"])
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_text_files_hold_the_layout(tmp_path, layouts, layout, fmt):
    """A CSV/TSV file decodes in its encoding and splits, record by record, into the layout's rows."""
    spec = messy.FORMATS[fmt]
    for dataset, rendered in layouts[layout].items():
        path = messy.write(rendered, spec, tmp_path / dataset)
        assert path.suffix == spec.suffix
        data = path.read_bytes()
        text = data.decode(spec.encoding)
        if spec.encoding == "utf-16":
            assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
        ends = set(re.findall(r"\r\n|\r|\n", re.sub(r'"[^"]*"', "", text)))
        assert ends == {spec.line_end}
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter))
        want = [["" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in r]
                for r in rendered.sheets[0].rows]
        assert records == want


@pytest.mark.parametrize("layout", CHECKED_LAYOUTS)
def test_xlsx_holds_the_layout(tmp_path, layouts, layout):
    """An .xlsx read back with openpyxl has every sheet, cell and merged range of the layout."""
    for dataset, rendered in layouts[layout].items():
        path = messy.write(rendered, messy.FORMATS["xlsx"], tmp_path / dataset)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == [s.name for s in rendered.sheets]
        for sheet in rendered.sheets:
            ws = book[sheet.name]
            assert _grid([list(r) for r in ws.iter_rows(values_only=True)]) == _grid(messy.workbook_cells(sheet))
            merged = {(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges}
            assert merged == set(sheet.merges)
            dates = [c for row in ws.iter_rows() for c in row if isinstance(c.value, dt.datetime)]
            assert (layout in ("dates_excel", "office", "office_quarters") and sheet.name in rendered.data_sheets) \
                == bool(dates)


@pytest.mark.parametrize("fmt", WORKBOOKS + ["xlsx_as_xls"])
@pytest.mark.parametrize("layout", CHECKED_LAYOUTS)
def test_workbooks_hold_the_layout(tmp_path, layouts, layout, fmt):
    """.xlsx, .xls and .ods read back with python-calamine have every sheet, cell and merged range."""
    calamine = pytest.importorskip("python_calamine")
    spec = messy.FORMATS[fmt]
    for dataset, rendered in layouts[layout].items():
        path = messy.write(rendered, spec, tmp_path / dataset)
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))  # by content, not suffix
        assert book.sheet_names == [s.name for s in rendered.sheets]
        for sheet in rendered.sheets:
            read = book.get_sheet_by_name(sheet.name)
            assert _grid(read.to_python(skip_empty_area=False)) == _grid(messy.workbook_cells(sheet))
            if spec.writer != "ods":  # calamine gives no merged ranges for .ods: see the XML test
                merged = {(a[0], a[1], b[0], b[1]) for a, b in read.merged_cell_ranges or []}
                assert merged == set(sheet.merges)


@pytest.mark.parametrize("layout", CHECKED_LAYOUTS)
def test_ods_merges_are_in_its_xml(tmp_path, layouts, layout):
    """An .ods states each merged range as a spanning cell followed by covered cells."""
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}
    t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    for dataset, rendered in layouts[layout].items():
        path = messy.write(rendered, messy.FORMATS["ods"], tmp_path / dataset)
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("content.xml"))
        for sheet, table in zip(rendered.sheets, root.iter(f"{t}table"), strict=True):
            assert table.get(f"{t}name") == sheet.name
            spans = set()
            for r, row in enumerate(table.findall("table:table-row", ns)):
                for c, cell in enumerate(e for e in row if e.tag in (f"{t}table-cell", f"{t}covered-table-cell")):
                    rows, cols = int(cell.get(f"{t}number-rows-spanned", 1)), int(cell.get(f"{t}number-columns-spanned", 1))
                    if rows > 1 or cols > 1:
                        spans.add((r, c, r + rows - 1, c + cols - 1))
            assert spans == set(sheet.merges)


def test_the_oracle_is_the_audit_of_the_example_files():
    """Auditing the clean records as text DataFrames gives the example files' audit, rows shifted by the title rows."""
    files = {ds: messy.EXAMPLES / messy.CLEAN_FILES[ds][0] for ds in messy.DATASETS}
    frames = {ds: messy.clean_frame(ds) for ds in messy.DATASETS}
    from_files = audit(BOOK, files, as_of=messy.AS_OF).to_dict(json_findings=None)
    from_frames = audit(BOOK, frames, as_of=messy.AS_OF).to_dict(json_findings=None)
    assert from_files["rules"] == from_frames["rules"]
    assert from_files["score"] == from_frames["score"]
    title_rows = {ds: messy.CLEAN_FILES[ds][2] for ds in messy.DATASETS}

    def rows(result, shift):
        return sorted((f["rule"], f["key"], f["row"] + (title_rows[f["dataset"]] if shift else 0))
                      for f in result["findings"] if f["row"] is not None)

    assert rows(from_files, False) == rows(from_frames, True)


def test_the_small_subsets_exercise_most_rules():
    """The small subsets still break most rules, so a reading error shows up in the numbers."""
    frames = {ds: messy.clean_frame(ds).iloc[messy.subset_positions(ds, "small")] for ds in messy.DATASETS}
    result = audit(BOOK, frames, as_of=messy.AS_OF)
    failing = [r.id for r in result.rules if r.status == "fail"]
    assert len(failing) >= 15, failing
    assert len(result.findings) >= 25
    assert result.data_issues
    assert 30 <= sum(len(f) for f in frames.values()) <= 100


# --------------------------------------------------------------------------- the checks

def _perfect(battery, case: Case) -> Run:
    """The answer a correct reader gives: the clean audit with rows and sheets moved where the
    generator put them, and a reading report that says exactly what the generator wrote."""
    fmt = messy.FORMATS[case.fmt]
    rendered = battery.rendered(case.layout, case.size)
    run = Run(case, fmt, rendered, {}, None, {}, battery.reference(case.size, rendered))
    got = copy.deepcopy(run.want)
    for name in ("findings", "data_issues"):
        for entry in got[name]:
            entry["sheet"], entry["row"] = run.place(entry["dataset"], entry["row"])
    got["reading"] = {}
    for dataset, r in rendered.items():
        sheet = (lambda n: n) if fmt.workbook else (lambda n: None)
        blank_or_title = [{"row": row, "sheet": sheet(s), "reason": "title", "text": "…"} for s, row in r.tolerated]
        got["reading"][dataset] = {
            "source": "x", "format": fmt.writer if fmt.workbook else "csv",
            "sheets": list(r.data_sheets) if fmt.workbook else [], "passed_over": list(r.other_sheets),
            "header_rows": list(r.header_rows), "records": len(r.order),
            "skipped": [{"row": row, "sheet": sheet(s), "reason": reason, "text": "…"}
                        for (s, row), reason in r.skipped.items()] + blank_or_title[:1],
            "columns": {f: h for h, (f, _) in messy.field_headers(BOOK, dataset, messy.clean_frame(dataset)).items()},
            "unrecognised_headers": [],
        }
    run.got = got
    return run


SPOILERS = {  # what a wrong reader gets wrong -> the check that must catch it
    "a finding one row off": (lambda g: g["findings"][0].update(row=g["findings"][0]["row"] + 1), check_rows),
    "a finding on another sheet": (lambda g: g["findings"][-1].update(sheet="Sheet9"), check_sheets),
    "a data issue one row off": (lambda g: g["data_issues"][0].update(row=g["data_issues"][0]["row"] - 1), check_rows),
    "a finding with no division": (lambda g: g["findings"][1].update(department=None), check_rows),
    "one more violation": (lambda g: g["rules"][0].update(violations=g["rules"][0]["violations"] + 1),
                           check_rule_counts),
    "another percent": (lambda g: g["score"].update(percent=g["score"]["percent"] + 0.01), check_score),
    "a division's points": (lambda g: g["departments"][0].update(awarded=-1), check_score),
    "a skipped row not listed": (lambda g: g["reading"]["requests"]["skipped"].pop(0), check_reading),
    "a record listed as skipped": (lambda g: g["reading"]["documents"]["skipped"].append(
        {"row": g["findings"][0]["row"], "sheet": g["findings"][0]["sheet"], "reason": "footer", "text": "x"}),
        check_reading),
    "a skipped row with no reason": (lambda g: g["reading"]["documents"]["skipped"][0].update(reason=""),
                                     check_reading),
    "one record fewer": (lambda g: g["reading"]["requests"].update(records=g["reading"]["requests"]["records"] - 1),
                         check_reading),
    "another format": (lambda g: g["reading"]["documents"].update(
        format="xlsx" if g["reading"]["documents"]["format"] == "xls" else "xls"), check_reading),
    "the sheets in another order": (lambda g: g["reading"]["documents"]["sheets"].reverse(), check_reading),
}
SPOILED_CASES = [Case("office_quarters", "xlsx_as_xls"), Case("office_quarters", "ods"), Case("division_sheets", "xls")]


@pytest.mark.parametrize("case", SPOILED_CASES + [Case("office", "csv_cr"), Case("blocks", "tsv_utf16")],
                         ids=lambda c: c.id)
def test_the_checks_accept_a_perfect_answer(battery, case):
    """A reader that gets everything right passes every check of the battery."""
    run = _perfect(battery, case)
    for check in CHECKS:
        check(run)


@pytest.mark.parametrize("spoiler", list(SPOILERS))
@pytest.mark.parametrize("case", SPOILED_CASES, ids=lambda c: c.id)
def test_the_checks_catch_a_wrong_answer(battery, case, spoiler):
    """Each way of reading a messy file wrong fails the check that looks at it."""
    run = _perfect(battery, case)
    spoil, check = SPOILERS[spoiler]
    spoil(run.got)
    with pytest.raises(pytest.fail.Exception):
        check(run)
