"""``disclosure-rules due``: the open items of the deadline rules, fewest working days left first.

What an office looks at every week, before a deadline passes (DESIGN §6 "due soon", §9).
The rows come from :meth:`AuditResult.due_frame` (the deadline rules' row details, no
second evaluation): every open row (``end`` blank) with a deadline, overdue ones first
(negative working days left), then those due soon (yellow), then the rest (green).

Outputs: a terminal table (:func:`due_lines`) and an XLSX (:func:`write_due`), both with
the words of ``lang``; text cells are neutralised against formula injection and the file
is written atomically.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from .atomic import write_via_temp
from .words import date_text, light_word, vocabulary, word

#: (column of AuditResult.due_frame, header key in words.WORDS, XLSX width)
DUE_COLUMNS = [
    ("workdays_left", "workdays_left", 12),
    ("light", "light", 8),
    ("deadline", "deadline", 12),
    ("clock_start", "clock_start", 12),
    ("department", "division", 14),
    ("key", "key", 20),
    ("dataset", "dataset", 16),
    ("row", "row", 9),
    ("rule", "rule_id", 18),
    ("title", "rule_title", 36),
    ("state", "message", 20),
]

FILLS = {"red": "F8D7DA", "yellow": "FFF3CD", "green": "D4EDDA"}


def due_table(result, within: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """The open items as the command shows them: the frame's columns, words in ``lang``
    (dataset titles in Chinese, lights as words); ``light_code`` keeps the code."""
    frame = result.due_frame(within)
    titles = {name: spec.title for name, spec in result.book.datasets.items() if spec.title and lang == "zh"}
    out = frame.copy()
    out["light_code"] = frame["light"]
    out["light"] = frame["light"].map(lambda code: light_word(code, lang) if isinstance(code, str) else None)
    out["dataset"] = frame["dataset"].map(lambda name: titles.get(name, name))
    out["department"] = frame["department"].map(
        lambda d: word("blank_division", lang) if d is None or pd.isna(d) else d)
    # what the number means, in words: overdue by n, due today, n left (one word per distinct number)
    left = pd.to_numeric(frame["workdays_left"], errors="coerce")
    said = {n: word("due_overdue_days", lang, n=int(-n)) if n < 0 else word("due_today", lang) if n == 0
            else word("due_left_days", lang, n=int(n)) for n in left.dropna().unique()}
    out["state"] = left.map(said)
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def due_lines(result, within: int | None = None, lang: str = "zh") -> list[str]:
    """The terminal table: a heading, one line per open item, a count line."""
    ui = vocabulary(lang)
    table = due_table(result, within, lang)
    if not len(table):
        return [ui["due_none"] if within is None else word("due_none_within", lang, n=within)]
    shown = ["workdays_left", "light", "deadline", "department", "key", "row", "rule", "title"]
    keys = {name: key for name, key, _ in DUE_COLUMNS}
    cells = [[ui[keys[name]] for name in shown]]
    for rec in table.itertuples(index=False):  # the lines printed (a person reads them), not the audit path
        values = rec._asdict()
        cells.append(["" if values[n] is None or (not isinstance(values[n], str) and pd.isna(values[n]))
                      else date_text(values[n]) if n == "deadline" else str(values[n]) for n in shown])
    widths = [max(_width(row[i]) for row in cells) for i in range(len(shown))]
    lines = [ui["due_title"], "  ".join(_pad(c, w) for c, w in zip(cells[0], widths)).rstrip()]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in cells[1:]]
    counts = table["light_code"].value_counts()
    lines.append(word("due_count", lang, n=len(table), red=int(counts.get("red", 0)),
                      yellow=int(counts.get("yellow", 0)), green=int(counts.get("green", 0))))
    return lines


def write_due(result, path, within: int | None = None, lang: str = "zh") -> None:
    """The open items as an XLSX (one sheet, a coloured light column), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the due list is written as .xlsx, not {path.suffix or 'a file without suffix'!r}: {path}")
    table = due_table(result, within, lang)
    write_via_temp(path, lambda tmp: _write_xlsx(result, table, tmp, lang))


def _write_xlsx(result, table: pd.DataFrame, tmp: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from openpyxl.styles import Alignment

    from .exports import _ILLEGAL_XLSX, _print_setup, _row_heights, neutralize

    ui = vocabulary(lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ui["due_soon"][:31]
    sheet.append([ui[key] for _, key, _ in DUE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8ECF2")
    for index, (_, _, width) in enumerate(DUE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    light_at = [name for name, _, _ in DUE_COLUMNS].index("light") + 1
    codes = table["light_code"].tolist()
    columns = []
    for name, _, _ in DUE_COLUMNS:
        series = table[name]
        if name in ("deadline", "clock_start"):
            values = [None if pd.isna(v) else pd.Timestamp(v).date() for v in series]
        elif name in ("workdays_left", "row"):
            values = [None if pd.isna(v) else int(v) for v in series]
        else:
            values = [None if v is None or pd.isna(v) else neutralize(_ILLEGAL_XLSX.sub("", str(v))) for v in series]
        columns.append(values)
    for number, values in enumerate(zip(*columns), start=2):
        sheet.append(list(values))
        code = codes[number - 2]
        if code in FILLS:
            sheet.cell(row=number, column=light_at).fill = PatternFill("solid", fgColor=FILLS[code])
        for column in (1, 3):
            cell = sheet.cell(row=number, column=column)
            if column == 3 and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
        sheet.cell(row=number, column=4).number_format = "yyyy-mm-dd"
    # wrapped where a text can be long (the rule's title, the key, the ledger), each row as high as it needs
    wrapped = ("title", "key", "dataset")
    heights = _row_heights(table, DUE_COLUMNS, wrapped).tolist()
    for number, height in enumerate(heights, start=2):
        sheet.row_dimensions[number].height = height
        for column, (name, _, _) in enumerate(DUE_COLUMNS, start=1):
            sheet.cell(row=number, column=column).alignment = Alignment(wrap_text=name in wrapped, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(DUE_COLUMNS))}{len(table) + 1}"
    # printed for the week's meeting: A4 landscape, one page wide, the header row on every page
    _print_setup(sheet, landscape=True, header=f"{ui['due_title']}  {ui['as_of']} {date_text(result.as_of)}")
    info = sheet.parent.create_sheet(ui["summary"][:31])
    counts = table["light_code"].value_counts()
    for label, value in [(ui["rulebook"], neutralize(result.book.rulebook.title)),
                         (ui["as_of"], date_text(result.as_of)),
                         (ui["light_red"], int(counts.get("red", 0))),
                         (ui["light_yellow"], int(counts.get("yellow", 0))),
                         (ui["light_green"], int(counts.get("green", 0)))]:
        info.append([label, value])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 60
    info["B1"].alignment = Alignment(wrap_text=True, vertical="top")
    info.row_dimensions[1].height = _row_heights(pd.DataFrame({"v": [info["B1"].value]}), [("v", "v", 60)], ("v",))[0]
    _print_setup(info, landscape=False, title_rows=None)
    workbook.save(tmp)
