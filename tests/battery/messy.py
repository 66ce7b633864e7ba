"""Messy ledgers made from clean ones, with a map of where every record landed.

The battery's oracle: the example ledgers (``examples/documents.csv`` and
``examples/requests.csv``), read as text, are the *clean* records. :func:`render` lays
the same records out the way offices really keep them (title rows, two-row headers,
block headings with the division merged down its block, a header repeated every
printed page, 合计/小计 rows, footers, serial numbers filled down past the last record,
one sheet per quarter or per division behind a 填表说明 sheet and before a 统计 sheet,
dates and sets typed in other forms,
columns in another order), and :func:`write` saves the layout as .xlsx (openpyxl),
.xls (xlwt), .ods (odfpy) or CSV/TSV text in several encodings and line ends, or
under a wrong suffix. Nothing here uses the library under test except the rulebook's
field list (which header is a date, which a set).

A :class:`Rendered` layout knows, for every record, the sheet and the row a
spreadsheet shows for it (1-based, title rows included), which rows are not records
(and why), which rows are blank, and where the header is. The clean audit of the
records *in the file's order* is the expected answer; a correct reader gives the same
numbers, the same findings and the rows recorded here.

Conventions of the layouts
--------------------------
- ``rows`` is what a person sees in a CSV export: a merged title, footer or block
  heading has its text in the first cell only, a two-row header has a parent name in
  the first cell of its group and the name of an unsplit column on the upper row only.
  A division merged down its block (workbooks only) is kept in every row here; the
  workbook writers write the first cell of every merged range and leave the cells it
  covers empty, so the reader must fill them from the merge.
- The ``序号`` column is renumbered 1..n in file order when present (it is no field).
- Values that are not dates (blank, ``2021-02-30``) and set cells with one label are
  left as typed, so that data issues keep their values.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
AS_OF = "2021-12-31"
DATASETS = ("documents", "requests")

#: (file, encoding, rows above the header) of the clean example ledgers
CLEAN_FILES = {
    "documents": ("documents.csv", "gb18030", 1),
    "requests": ("requests.csv", "utf-8-sig", 2),
}
KEY_HEADERS = {"documents": "发文字号", "requests": "申请编号"}
DEPARTMENT_HEADERS = {"documents": "起草处室", "requests": "承办处室"}
TITLES = {"documents": "山西省商务厅2021年公文台账", "requests": "山西省商务厅2021年政府信息公开申请登记台账"}
SERIAL = "序号"

#: two-row header groups: parent -> the sub-headers it is merged over (when adjacent)
HEADER_GROUPS = {
    "documents": {"审核情况": ["属性审核日期", "发布审核日期", "保密审查日期"],
                  "政策解读": ["解读日期", "解读处室", "解读形式", "解读渠道", "解读内容要点"],
                  "年度复核": ["复核日期", "复核结论"]},
    "requests": {"补正情况": ["补正告知日期", "补正告知次数", "收到补正日期"],
                 "征求第三方意见": ["征求意见日期", "意见反馈日期"],
                 "延期情况": ["是否延期", "延期批准人", "延期告知日期"]},
}
#: headers as offices decorate them: line breaks, spaces, bracketed notes, * and ★
HEADER_NOTES = {
    "documents": {"发文字号": "*发文字号", "起草处室": "起草\n处室", "成文日期": "成文日期（年月日）",
                  "公开属性": "公开属性★", "公开日期": "公开日期\n(年-月-日)", "解读形式": "解读形式（可多选）",
                  "复核日期": "复核 日期", "属性审核日期": "★属性审核日期", "不公开依据": "不公开依据（条款）"},
    "requests": {"申请编号": "*申请编号", "收到申请日期": "收到申请日期\n（年月日）", "答复日期": "答复日期(年月日)",
                 "承办处室": "承办\n处室", "办理结果": "办理结果*", "是否延期": "★是否延期",
                 "补正告知日期": "补正告知日期（年/月/日）", "申请人情况": "申请人 情况"},
}
QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
INSTRUCTIONS_SHEET = "填表说明"
SUMMARY_SHEET = "统计"
FOOTERS = [
    ["备注：本台账按时间顺序登记，日期按年月日填写。"],
    ["注：1.公开属性按《中华人民共和国政府信息公开条例》认定；2.多项内容之间用顿号分隔。"],
    ["填表人：张三", None, None, "审核人：李四", None, "填表日期：2022年1月5日"],
]
SUMMARY_ROW = ["填报单位：办公室（盖章）", None, None, "统计截止：2021年12月31日"]
REPEAT_EVERY = 12
SERIAL_FILL = 5


# --------------------------------------------------------------------------- clean records

def clean_frame(dataset: str) -> pd.DataFrame:
    """The example ledger as text cells (blank = ""), header as the file has it."""
    name, encoding, skip = CLEAN_FILES[dataset]
    return pd.read_csv(EXAMPLES / name, encoding=encoding, dtype=str, keep_default_na=False,
                       na_filter=False, skiprows=skip)


def subset_positions(dataset: str, size: str) -> list[int]:
    """Positions of the clean records in a subset: ``full``, or ``small`` (the first two
    planted violations of every rule, both rows of a duplicated key, and every 9th other
    record), in ledger order."""
    frame = clean_frame(dataset)
    if size == "full":
        return list(range(len(frame)))
    expected = pd.read_csv(EXAMPLES / "expected_findings.csv", dtype=str)
    expected = expected[expected["dataset"] == dataset]
    keys = set(expected.groupby("rule", sort=False)["key"].head(2))
    key_column = frame[KEY_HEADERS[dataset]]
    chosen = set(frame.index[key_column.isin(keys)]) | set(range(0, len(frame), 9))
    return sorted(int(p) for p in chosen)


def field_headers(book, dataset: str, frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """header -> (field, type) for the clean headers that name a field of the rulebook."""
    out = {}
    for header in frame.columns:
        for name, spec in book.datasets[dataset].fields.items():
            if header == name or header in (spec.aliases or []):
                out[header] = (name, spec.type)
    return out


# --------------------------------------------------------------------------- cell forms

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SET_SEPARATORS = re.compile(r"\s*[;；,，、/|｜]+\s*")
_ZH_DIGITS = "〇一二三四五六七八九"
_WEEKDAYS = "一二三四五六日"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
EXCEL_EPOCH = dt.date(1899, 12, 30)

DATE_FORMS = ("zh", "numerals", "weekday", "fullwidth", "apostrophe", "excel", "serial")
SET_JOINERS = ("+", "＋", " ", " + ")


def parse_date(text: str) -> dt.date | None:
    """A clean ledger's date (ISO, 2021/3/5, 2021.03.05, 2021年3月5日); None if not a real date."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def zh_number(n: int) -> str:
    """1..99 in Chinese numerals as dates and headings write them (十, 十一, 二十八)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _ZH_DIGITS[units]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + ("" if units == 0 else _ZH_DIGITS[units])


def date_form(day: dt.date, form: str, variant: int) -> Any:
    """``day`` written in ``form``; ``variant`` rotates between the spellings of a form."""
    y, m, d = day.year, day.month, day.day
    weekday = _WEEKDAYS[day.weekday()]
    if form == "zh":
        return f"{y}年{m}月{d}日"
    if form == "numerals":
        return "".join(_ZH_DIGITS[int(c)] for c in str(y)) + f"年{zh_number(m)}月{zh_number(d)}日"
    if form == "weekday":
        return [f"{y}年{m}月{d}日 星期{weekday}", f"{day.isoformat()}(周{weekday})",
                f"{y}年{m}月{d}日（星期{weekday}）"][variant % 3]
    if form == "fullwidth":
        return [f"{y}年{m}月{d}日", day.isoformat(), f"{y}/{m}/{d}"][variant % 3].translate(_FULLWIDTH)
    if form == "apostrophe":
        return "'" + [day.isoformat(), f"{y}/{m}/{d}"][variant % 2]
    if form == "excel":
        return day  # a date cell in a workbook
    if form == "serial":
        return (day - EXCEL_EPOCH).days  # a number cell in a workbook, its digits in a CSV
    raise ValueError(form)


def set_form(text: str, variant: int) -> str:
    labels = [p for p in _SET_SEPARATORS.split(text.strip()) if p]
    if len(labels) < 2:
        return text
    return SET_JOINERS[variant % len(SET_JOINERS)].join(labels)


# --------------------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Layout:
    """How messy a ledger is; each flag is one habit of real offices."""

    name: str
    title_rows: int = 0            # rows above the header (the first merged across)
    totals: bool = False           # 合计 (or 小计 per sheet) after the records
    footers: bool = False          # 备注/注/填表人 审核人 rows at the end (merged across in workbooks)
    repeat_header: bool = False    # the header again every REPEAT_EVERY records
    blocks: bool = False           # records by division under 一、外贸处（3件）, division merged down
    serial_fill: bool = False      # 序号 filled down SERIAL_FILL rows past the last record
    two_row_header: bool = False   # parent cells merged over sub-headers
    header_notes: bool = False     # line breaks, spaces, （年月日）, * and ★ in headers
    split: str | None = None       # "quarter" or "division": 填表说明, one sheet per part, then 统计
    dates: str | None = None       # a form of DATE_FORMS, or "mixed"
    sets: bool = False             # set labels joined by + ＋ or spaces
    shuffle: bool = False          # columns in another order
    workbook_only: bool = False


LAYOUTS = {layout.name: layout for layout in [
    Layout("plain"),
    Layout("title_rows", title_rows=2),
    Layout("totals", totals=True),
    Layout("footers", footers=True),
    Layout("repeated_header", repeat_header=True),
    Layout("blocks", blocks=True),
    Layout("serial_fill", serial_fill=True),
    Layout("two_row_header", two_row_header=True),
    Layout("header_notes", header_notes=True),
    Layout("quarters", split="quarter", workbook_only=True),
    Layout("division_sheets", split="division", title_rows=1, totals=True, workbook_only=True),
    Layout("dates_zh", dates="zh"),
    Layout("dates_numerals", dates="numerals"),
    Layout("dates_weekday", dates="weekday"),
    Layout("dates_fullwidth", dates="fullwidth"),
    Layout("dates_apostrophe", dates="apostrophe"),
    Layout("dates_excel", dates="excel", workbook_only=True),
    Layout("dates_serial", dates="serial"),
    Layout("sets_joined", sets=True),
    Layout("column_order", shuffle=True),
    Layout("office", title_rows=2, totals=True, footers=True, repeat_header=True, blocks=True,
           serial_fill=True, two_row_header=True, header_notes=True, dates="mixed", sets=True),
    Layout("office_quarters", title_rows=1, totals=True, footers=True, two_row_header=True,
           header_notes=True, split="quarter", dates="mixed", sets=True, shuffle=True, workbook_only=True),
]}


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)
    #: merged ranges, 0-based inclusive (first_row, first_col, last_row, last_col)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Rendered:
    """A laid-out ledger and where everything in it is."""

    dataset: str
    sheets: list[Sheet]
    #: positions of the clean subset's records in file order
    order: list[int]
    #: (sheet name, 1-based row) of the k-th record in file order
    places: list[tuple[str, int]]
    #: rows that are not records, (sheet, row) -> reason
    skipped: dict[tuple[str, int], str]
    #: blank rows and rows above the header: a reader may list them as skipped or not
    tolerated: set[tuple[str, int]]
    header_rows: tuple[int, int]
    data_sheets: list[str]
    other_sheets: list[str]
    #: the clean header of each column, in the file's column order
    columns: list[str] = field(default_factory=list)

    @property
    def single_sheet(self) -> bool:
        return len(self.sheets) == 1


def render(book, dataset: str, positions: list[int], layout: Layout) -> Rendered:
    """Lay out the clean records at ``positions`` as ``layout`` says."""
    clean = clean_frame(dataset).iloc[positions].reset_index(drop=True)
    types = field_headers(book, dataset, clean)
    frame = clean.copy()
    if (layout.serial_fill or layout.blocks) and SERIAL not in frame.columns:
        frame.insert(0, SERIAL, "")
    columns = list(frame.columns)
    if layout.shuffle:
        columns = _shuffled(columns, HEADER_GROUPS[dataset], seed=len(positions))

    # cells in other forms; each record keeps its clean position as its index
    cells = frame[columns].astype(object)
    for header, (_, kind) in types.items():
        # object Series: a column of serial numbers must stay Python ints, not numpy's
        if kind == "date" and layout.dates:
            cells[header] = pd.Series([_rewrite_date(v, layout.dates, i) for i, v in enumerate(cells[header])],
                                      dtype=object)
        if kind == "set" and layout.sets:
            cells[header] = pd.Series([set_form(v, i) for i, v in enumerate(cells[header])], dtype=object)

    department = DEPARTMENT_HEADERS[dataset]
    if layout.split == "division":
        names = list(dict.fromkeys(v or "未填写处室" for v in cells[department]))
        chunks = [[p for p in range(len(frame)) if (cells.at[p, department] or "未填写处室") == name]
                  for name in names]
    elif layout.split == "quarter":
        names, chunks = QUARTERS, [list(range(a, b)) for a, b in _split(len(frame), 4)]
    else:
        names, chunks = [book.datasets[dataset].title or dataset], [list(range(len(frame)))]
    header = [HEADER_NOTES[dataset].get(h, h) if layout.header_notes else h for h in columns]
    groups = _groups(columns, HEADER_GROUPS[dataset]) if layout.two_row_header else []
    width = len(columns)

    sheets: list[Sheet] = []
    order: list[int] = []
    places: list[tuple[str, int]] = []
    skipped: dict[tuple[str, int], str] = {}
    tolerated: set[tuple[str, int]] = set()
    header_rows = (0, 0)
    if layout.split:
        sheets.append(_instructions_sheet(dataset))
    serial = 0
    for number, chunk in enumerate(chunks):
        sheet = Sheet(names[number])
        last = number == len(chunks) - 1
        if layout.blocks:
            firsts = {}
            for p in chunk:
                firsts.setdefault(cells.at[p, department], p)
            chunk.sort(key=lambda p: firsts[cells.at[p, department]])

        def add(row, reason=None, merge_across=False):
            row = list(row) + [None] * (width - len(row))
            sheet.rows.append(row[:width])
            at = len(sheet.rows) - 1
            if merge_across and width > 1:
                sheet.merges.append((at, 0, at, width - 1))
            if reason is not None:
                skipped[(sheet.name, at + 1)] = reason
            return at

        for t in range(layout.title_rows):
            at = add([TITLES[dataset]] if t == 0 else SUMMARY_ROW, merge_across=t == 0)
            tolerated.add((sheet.name, at + 1))
        header_at = _add_header(sheet, add, header, columns, groups)
        header_rows = (header_at[0] + 1, header_at[-1] + 1)

        block_of: dict[int, int] = {}
        if layout.blocks:
            runs = []
            for p in chunk:
                if not runs or cells.at[p, department] != cells.at[runs[-1][0], department]:
                    runs.append([])
                runs[-1].append(p)
        else:
            runs = [chunk]
        since_header = 0
        for b, run in enumerate(runs):
            if layout.repeat_header and since_header >= REPEAT_EVERY:  # the page breaks before the heading
                for r in _add_header(sheet, add, header, columns, groups):
                    skipped[(sheet.name, r + 1)] = "repeated header"
                since_header = 0
            if layout.blocks:
                label = cells.at[run[0], department] or "未填写处室"
                add([f"{zh_number(b + 1)}、{label}（{len(run)}件）"], reason="block heading", merge_across=True)
            for p in run:
                if layout.repeat_header and since_header >= REPEAT_EVERY:
                    for r in _add_header(sheet, add, header, columns, groups):
                        skipped[(sheet.name, r + 1)] = "repeated header"
                    since_header = 0
                values = list(cells.loc[p, columns])
                if SERIAL in columns:
                    serial += 1
                    values[columns.index(SERIAL)] = serial
                at = add(values)
                block_of[at] = b
                order.append(p)
                places.append((sheet.name, at + 1))
                since_header += 1
        if layout.blocks and department in columns:
            _merge_down(sheet, columns.index(department), block_of)
        if layout.serial_fill and last:
            for _ in range(SERIAL_FILL):
                serial += 1
                values = [None] * width
                values[columns.index(SERIAL)] = serial
                add(values, reason="serial number only")
        if layout.totals:
            total = ["小计" if layout.split and not last else "合计"]
            count = len(chunk) if layout.split and not last else len(frame)
            total += [None, f"共{count}件"] if width > 2 else []
            add(total, reason="total")
        if layout.footers and last:
            at = add([])
            tolerated.add((sheet.name, at + 1))
            for footer in FOOTERS:
                add(footer, reason="footer", merge_across=len(footer) == 1)
        sheets.append(sheet)
    data_sheets = [s.name for s in sheets if s.name != INSTRUCTIONS_SHEET]
    if layout.split:
        sheets.append(_summary_sheet(cells, department))
    others = [s.name for s in sheets if s.name not in data_sheets]
    return Rendered(dataset=dataset, sheets=sheets, order=order, places=places, skipped=skipped,
                    tolerated=tolerated, header_rows=header_rows, data_sheets=data_sheets,
                    other_sheets=others, columns=columns)


def _rewrite_date(value: str, form: str, variant: int) -> Any:
    day = parse_date(value) if isinstance(value, str) else None
    if day is None:
        return value
    if form == "mixed":
        form = DATE_FORMS[variant % len(DATE_FORMS)]
    return date_form(day, form, variant // len(DATE_FORMS))


def _shuffled(columns: list[str], groups: dict[str, list[str]], seed: int) -> list[str]:
    """Columns in another (seeded) order; a two-row header's groups move as units."""
    units: list[list[str]] = []
    for h in columns:
        group = next((g for g in groups.values() if h in g), None)
        if group is not None and all(c in columns for c in group):
            if group[0] == h:
                units.append(list(group))
            continue
        units.append([h])
    rng = random.Random(seed)
    rng.shuffle(units)
    return [h for unit in units for h in unit]


def _groups(columns: list[str], groups: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    """(parent, first column, last column) of each group whose sub-headers are adjacent."""
    out = []
    for parent, children in groups.items():
        if all(c in columns for c in children):
            first = columns.index(children[0])
            if columns[first:first + len(children)] == children:
                out.append((parent, first, first + len(children) - 1))
    return out


def _add_header(sheet: Sheet, add, header: list[str], columns: list[str], groups) -> list[int]:
    if not groups:
        return [add(header)]
    upper: list[Any] = list(header)
    lower: list[Any] = [None] * len(header)
    grouped = set()
    for parent, first, last in groups:
        for c in range(first, last + 1):
            lower[c], upper[c] = header[c], None
            grouped.add(c)
        upper[first] = parent
    top = add(upper)
    bottom = add(lower)
    for parent, first, last in groups:
        sheet.merges.append((top, first, top, last))
    for c in range(len(header)):
        if c not in grouped:
            sheet.merges.append((top, c, bottom, c))
    return [top, bottom]


def _merge_down(sheet: Sheet, column: int, block_of: dict[int, int]) -> None:
    """Merge the division cells of each block's consecutive record rows (workbooks)."""
    run: list[int] = []

    def close():
        if len(run) > 1 and sheet.rows[run[0]][column] not in (None, ""):
            sheet.merges.append((run[0], column, run[-1], column))

    for at in sorted(block_of):
        if run and (at != run[-1] + 1 or block_of[at] != block_of[run[-1]]):
            close()
            run = []
        run.append(at)
    if run:
        close()


def _split(n: int, parts: int) -> list[tuple[int, int]]:
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


def _instructions_sheet(dataset: str) -> Sheet:
    """A 填表说明 sheet: prose, and the column names listed one per row (no header)."""
    key, dept = KEY_HEADERS[dataset], DEPARTMENT_HEADERS[dataset]
    rows = [["填表说明"], ["1. 一事一行，按季度分表填写；日期按年月日填写。"],
            ["列名", "填写要求"], [key, "必填，按正式编号填写"], [dept, "填写处室全称"],
            ["2. 本表由办公室汇总，每季度末报送。"]]
    return Sheet(INSTRUCTIONS_SHEET, rows=rows)


def _summary_sheet(cells: pd.DataFrame, department: str) -> Sheet:
    counts = cells[department].replace("", "未填写").value_counts(sort=False)
    rows = [["处室", "件数"]] + [[name, int(n)] for name, n in counts.items()] + [["合计", int(counts.sum())]]
    return Sheet(SUMMARY_SHEET, rows=rows)


# --------------------------------------------------------------------------- writing

@dataclass(frozen=True)
class Format:
    """How a layout is saved: a writer, its options and the suffix the file is given."""

    name: str
    writer: str                    # xlsx | xls | ods | text
    suffix: str
    encoding: str = "utf-8"
    delimiter: str = ","
    line_end: str = "\n"

    @property
    def workbook(self) -> bool:
        return self.writer != "text"


FORMATS = {f.name: f for f in [
    Format("csv_utf8", "text", ".csv"),
    Format("csv_utf8_bom", "text", ".csv", encoding="utf-8-sig", line_end="\r\n"),
    Format("csv_gb18030", "text", ".csv", encoding="gb18030", line_end="\r\n"),
    Format("csv_utf16", "text", ".csv", encoding="utf-16"),
    Format("tsv_utf8", "text", ".tsv", delimiter="\t"),
    Format("tsv_utf16", "text", ".txt", encoding="utf-16", delimiter="\t", line_end="\r\n"),
    Format("semicolon", "text", ".csv", delimiter=";", line_end="\r\n"),
    Format("csv_crlf", "text", ".csv", line_end="\r\n"),
    Format("csv_cr", "text", ".csv", line_end="\r"),
    Format("xlsx", "xlsx", ".xlsx"),
    Format("xls", "xls", ".xls"),
    Format("ods", "ods", ".ods"),
    Format("xlsx_as_xls", "xlsx", ".xls"),
    Format("csv_as_xlsx", "text", ".xlsx"),
]}


def write(rendered: Rendered, fmt: Format, path: Path) -> Path:
    """Save ``rendered`` at ``path`` (its suffix replaced by the format's) and return the path."""
    path = path.with_suffix(fmt.suffix)
    if fmt.writer == "text":
        if not rendered.single_sheet:
            raise ValueError("a text file holds one sheet")
        path.write_bytes(text_bytes(rendered.sheets[0], fmt))
    else:
        {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}[fmt.writer](rendered.sheets, path)
    return path


def text_bytes(sheet: Sheet, fmt: Format) -> bytes:
    """The sheet as delimited text. A cell holding the delimiter, a quote or any line break
    is quoted (the csv module quotes only the line end it writes, so a wrapped header in a
    CR-only file would come out bare)."""
    def cell(value) -> str:
        text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
        if any(ch in text for ch in (fmt.delimiter, '"', "\r", "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = (fmt.delimiter.join(cell(v) for v in row) + fmt.line_end for row in sheet.rows)
    return "".join(lines).encode(fmt.encoding)


def workbook_cells(sheet: Sheet) -> list[list[Any]]:
    """The sheet as a workbook holds it: cells covered by a merge (not its first) empty."""
    rows = [list(r) for r in sheet.rows]
    for r1, c1, r2, c2 in sheet.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    rows[r][c] = None
    return rows


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        for r, row in enumerate(workbook_cells(sheet), 1):
            for c, value in enumerate(row, 1):
                if value is not None and value != "":
                    cell = ws.cell(r, c, value)
                    if isinstance(value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    book.save(path)


def write_xls(sheets: list[Sheet], path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sheet in sheets:
        ws = book.add_sheet(sheet.name, cell_overwrite_ok=True)
        rows = workbook_cells(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge(r1, r2, c1, c2)
    book.save(str(path))


def write_ods(sheets: list[Sheet], path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for sheet in sheets:
        table = Table(name=sheet.name)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        covered = {(r, c) for r1, c1, r2, c2 in sheet.merges
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(spans)
        for r, row in enumerate(workbook_cells(sheet)):
            tr = TableRow()
            for c, value in enumerate(row):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                if value is None or value == "":
                    tr.addElement(TableCell(**attrs))
                    continue
                if isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
                    lines = [value.isoformat()]
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=str(value), **attrs)
                    lines = [str(value)]
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    lines = str(value).split("\n")
                for line in lines:
                    cell.addElement(P(text=line))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


# --------------------------------------------------------------------------- not ledgers

def not_ledgers(sample_xlsx: bytes) -> dict[str, bytes]:
    """Files a user might give by mistake, by what they really are."""
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                   '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>公文台账</w:t></w:r></w:p></w:body>'
                   '</w:document>')
    broken_part = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sample_xlsx)) as src, zipfile.ZipFile(broken_part, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return {
        "word_document": docx.getvalue(),
        "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 8,
        "random_bytes": random.Random(8).randbytes(4096),
        "empty": b"",
        "truncated_xlsx": sample_xlsx[: len(sample_xlsx) // 2],
        "broken_sheet_part": broken_part.getvalue(),
        "prose": ("这是办公室2021年政务公开工作总结，不是台账。\n" * 20).encode("utf-8"),
    }


__all__ = ["LAYOUTS", "FORMATS", "Layout", "Format", "Rendered", "Sheet", "render", "write",
           "clean_frame", "subset_positions", "not_ledgers"]
