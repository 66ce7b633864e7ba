"""The rectification list and the due list as a 科长 prints and hands them out.

Read back with openpyxl (what Excel, WPS and LibreOffice read): every sheet prints on A4, one
page wide, with its header row on every page; the header row is frozen; long texts wrap and
their rows are high enough to show them whole; the reference columns are folded away (an
outline opens them) so that what a division must act on fits the page; 状态 and 完成情况 have
drop-downs; the 汇总 sheet's long texts span the table instead of running off the page.
"""

from __future__ import annotations

import math
import re

import openpyxl
import pytest

from disclosure_rules.cli import main
from disclosure_rules.demo import run_demo
from disclosure_rules.exports import COLUMNS, FOLDED, WRAPPED
from disclosure_rules.words import word

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module", params=["zh", "en"])
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"printed-{request.param}")
    result, paths = run_demo(folder, lang=request.param)
    return request.param, result, openpyxl.load_workbook(paths["findings"])


def _printable(sheet) -> None:
    assert sheet.page_setup.paperSize in (9, "9")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert "&P" in (sheet.oddFooter.center.text or "")


def _width(text: str) -> float:
    return sum(1.8 if ord(c) > 0x2e80 else 1 for c in text)


def test_every_division_sheet_prints_one_page_wide_with_its_header(demo):
    """Each division's sheet: A4 landscape, one page wide, row 1 repeated and frozen, the page
    number in the footer and the sheet's name with the as-of date in the header."""
    lang, result, book = demo
    division_sheets = [s for s in book.worksheets[1:] if s.title != word("data_issue_sheet", lang)]
    assert len(division_sheets) > 10
    for sheet in division_sheets:
        _printable(sheet)
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows in ("1:1", "$1:$1")
        assert result.as_of.isoformat() in sheet.oddHeader.center.text


def test_reference_columns_are_folded_and_the_rest_fits_a_page(demo):
    """The reference columns (division, waived, clause, deadline, answered, working days late) are
    hidden behind an outline level, with their values still there; the columns left on the page
    are what a division acts on, and together they are narrow enough for A4 landscape (about
    260 columns at the smallest readable scale)."""
    lang, result, book = demo
    sheet = next(s for s in book.worksheets[1:] if s.title != word("data_issue_sheet", lang))
    header = [c.value for c in sheet[1]]
    names = {word(key, lang): name for name, key, _ in COLUMNS}
    shown = 0
    for index, text in enumerate(header, start=1):
        dimension = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)]
        folded = names.get(text) in FOLDED
        assert bool(dimension.hidden) == folded or names.get(text) is None, text
        if folded:
            assert dimension.outlineLevel == 1
            assert any(row[index - 1] is not None for row in sheet.iter_rows(min_row=2, values_only=True)) \
                or text in (word("deadline", lang), word("end", lang), word("late_workdays", lang))
        elif not dimension.hidden:
            shown += dimension.width
    for must in ("list_problem", "list_status", "rectify_by", "owner", "measures", "progress"):
        assert word(must, lang) in header
        letter = openpyxl.utils.get_column_letter(header.index(word(must, lang)) + 1)
        assert not sheet.column_dimensions[letter].hidden
    assert shown <= 260


def test_long_texts_wrap_and_their_rows_show_them_whole(demo):
    """A problem, a rule title or a key longer than its column wraps, and its row is at least as
    high as the lines it takes (15 points a line)."""
    lang, result, book = demo
    names = {word(key, lang): (name, width) for name, key, width in COLUMNS}
    checked = 0
    for sheet in book.worksheets[1:]:
        if sheet.title == word("data_issue_sheet", lang):
            continue
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            height = sheet.row_dimensions[row[0].row].height
            for cell, text in zip(row, header):
                name, width = names.get(text, (None, 0))
                if name in WRAPPED and isinstance(cell.value, str):
                    assert cell.alignment.wrap_text
                    lines = math.ceil(_width(cell.value) / (width - 1))
                    assert height >= 15 * min(lines, 12), (cell.value, height)
                    checked += lines > 1
    assert checked > 10  # the demo has many problems longer than one line


def test_status_and_progress_have_drop_downs(demo):
    """状态 accepts only the list's four statuses (a typo is refused); 完成情况 offers the usual
    answers and still takes free text."""
    lang, result, book = demo
    sheet = next(s for s in book.worksheets[1:] if s.title != word("data_issue_sheet", lang))
    header = [c.value for c in sheet[1]]
    rows = sheet.max_row
    by_column = {}
    for validation in sheet.data_validations.dataValidation:
        for ref in str(validation.sqref).split():
            by_column[re.match(r"[A-Z]+", ref).group(0)] = validation
    status = by_column[openpyxl.utils.get_column_letter(header.index(word("list_status", lang)) + 1)]
    for code in ("open", "explain", "due_soon", "waived"):
        assert word(f"rs_{code}", lang) in status.formula1
    assert status.showErrorMessage and f"{rows}" in str(status.sqref)
    progress = by_column[openpyxl.utils.get_column_letter(header.index(word("progress", lang)) + 1)]
    assert word("progress_options", lang).split(",")[0] in progress.formula1 and not progress.showErrorMessage
    values = {c.value for c in next(sheet.iter_cols(min_col=header.index(word("list_status", lang)) + 1,
                                                      max_col=header.index(word("list_status", lang)) + 1,
                                                      min_row=2))}
    assert values <= {word(f"rs_{c}", lang) for c in ("open", "explain", "due_soon", "waived")}


def test_the_summary_fits_a_portrait_page_and_its_notes_span_the_table(demo):
    """The 汇总 sheet prints portrait, one page wide; the notes under the table (how rows are
    counted, what each status means, the ratio rules' gap) are merged across the table's columns
    and wrapped, so nothing runs off the printed page."""
    lang, result, book = demo
    summary = book.worksheets[0]
    _printable(summary)
    assert summary.page_setup.orientation == "portrait"
    legend = next(c for row in summary.iter_rows() for c in row if c.value == word("status_legend", lang))
    merged = [r for r in summary.merged_cells.ranges if legend.coordinate in r]
    assert merged and merged[0].max_col >= 8
    assert legend.alignment.wrap_text
    assert summary.row_dimensions[legend.row].height >= 30


def test_data_issue_sheet_prints_and_wraps(demo):
    """The data-issues sheet prints like the others and its problems wrap."""
    lang, result, book = demo
    sheet = book[word("data_issue_sheet", lang)]
    _printable(sheet)
    problems = [row[5] for row in sheet.iter_rows(min_row=2)]
    assert len(problems) == len(result.data_issues) > 0
    assert all(c.alignment.wrap_text for c in problems)


def test_the_due_list_prints_and_says_what_its_numbers_mean(tmp_path):
    """The due XLSX prints on A4 landscape one page wide with its header on every page; each row
    says in words what its working days left mean (overdue by n, due today, n left)."""
    out = tmp_path / "due.xlsx"
    code = main(["due", "--data", f"requests={EXAMPLES / 'requests.csv'}", "--data",
                 f"documents={EXAMPLES / 'documents.csv'}", "--as-of", "2021-12-31", "-o", str(out)])
    assert code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    _printable(sheet)
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    said = header.index(word("message", "zh"))
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert rows and any(r[0] < 0 for r in rows) and any(r[0] > 0 for r in rows)
    for r in rows:
        expected = (word("due_overdue_days", "zh", n=-r[0]) if r[0] < 0 else word("due_today", "zh") if r[0] == 0
                    else word("due_left_days", "zh", n=r[0]))
        assert r[said] == expected


def test_the_english_due_list_has_no_chinese_of_its_own(tmp_path):
    """With --lang en the due XLSX's headers, lights and explanations are English (the ledgers'
    titles and values aside)."""
    out = tmp_path / "due.xlsx"
    code = main(["due", "--data", f"requests={EXAMPLES / 'requests.csv'}", "--as-of", "2021-12-31", "-o", str(out),
                 "--lang", "en"])
    assert code == 0
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    header = [c.value for c in sheet[1]]
    assert not any(cjk.search(h) for h in header)
    for column in (word("light", "en"), word("message", "en")):
        values = [r[header.index(column)] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert values and not any(cjk.search(v) for v in values)
    assert not any(cjk.search(str(r[0])) for r in book.worksheets[1].iter_rows(values_only=True))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_says_what_data_was_missing_as_the_report_does(tmp_path, lang):
    """Without the optional ledgers and with a column renamed, the 汇总 sheet lists the coverage
    guard's warnings word for word as the terminal and the report show them (which ledger or
    column is missing, which rules and points it costs, the figure the grade comes from)."""
    import html as htmllib

    import pandas as pd

    from disclosure_rules import audit, load_rulebook

    requests = pd.read_csv(EXAMPLES / "requests.csv", dtype=str, header=2, keep_default_na=False,
                           encoding="utf-8-sig").rename(columns={"登记日期": "登记曰期"})
    result = audit(load_rulebook(), {"documents": EXAMPLES / "documents.csv", "requests": requests},
                   as_of="2021-12-31")
    guard = result.coverage_warnings(lang)
    assert len(guard) >= 4  # three ledgers left out, one column misspelt, the strict grade
    path, page = tmp_path / "list.xlsx", tmp_path / "r.html"
    result.write_findings(path, lang=lang)
    result.write_html(page, lang=lang)
    cells = [c for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True) for c in row if c]
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
    for warning in guard:
        assert warning in cells
        assert re.sub(r"\s+", " ", warning) in re.sub(r"\s+", " ", text)
