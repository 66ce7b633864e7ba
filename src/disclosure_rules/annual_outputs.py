"""The annual report's tables as files: XLSX in the national layout, self-contained HTML.

Both follow the format's own layout (国办公开办函〔2021〕30号): table 三's header spans
(申请人情况 over the seven columns, 法人或其他组织 over its five), its row headings merged
down their sub-rows (三、本年度办理结果 over 三(一)…三(七), （三）不予公开 over its eight), so
that an office can paste the tables into its report as they are. :func:`table3_layout`
describes that layout once; the XLSX writer merges cells by it and the HTML template spans
cells by it. Cells no ledger gives are blank and marked as to fill (a yellow cell with a
note; in the HTML a dashed cell reading 待填写). Text from the ledgers (keys, labels) is
neutralised against formula injection in the XLSX and escaped in the HTML. Files are
written atomically.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from .annual_format import (APPLICANT_COLUMNS, APPLICANT_HEADING, COLUMNS, CONTENT_HEADING, DECISION_COLUMN,
                            DECISION_ROWS, DOCUMENT_COLUMNS, DOCUMENT_ROWS, FEE_COLUMN, FEE_ROW, GROUPS,
                            IDENTITY_NOTE, ORG_COLUMNS, ORG_HEADING, REVIEW_COLUMNS, REVIEW_GROUPS, REVIEW_SUPER,
                            ROW_ORDER, TABLE2_BLOCKS, TABLE_TITLES, row_heading)
from .atomic import write_atomic, write_via_temp
from .words import date_text, is_blank, number_text, vocabulary

__all__ = ["table3_layout", "table2_blocks", "write_xlsx", "write_html", "render_html", "build_view"]

#: ledger records listed in the HTML (all of them are in the XLSX and the JSON)
MAX_PROBLEMS = 500


@functools.lru_cache(maxsize=1)
def table3_layout() -> tuple[dict, ...]:
    """Table 三's body: per numeric row, its id and its label cells ``(text, rowspan, colspan)``
    over the three label columns (a cell a span above already covers is left out)."""
    spans = {group: sum(1 for r in ROW_ORDER if r.startswith(group) and r != group) for group in GROUPS if group != "三"}
    third = sum(1 for r in ROW_ORDER if r.startswith("三("))
    out = []
    for rid in ROW_ORDER:
        cells: list[tuple[str, int, int]] = []
        if rid in ("一", "二", "四"):
            cells.append((row_heading(rid), 1, 3))
        else:
            if rid == "三(一)":
                cells.append((row_heading("三"), third, 1))
            group = rid[:len("三(三)")]
            if rid[-1].isdigit():
                if rid.endswith("1") and rid[:-1] == group:
                    cells.append((row_heading(group), spans[group], 1))
                cells.append((row_heading(rid), 1, 1))
            else:
                cells.append((row_heading(rid), 1, 2))
        out.append({"id": rid, "cells": cells})
    return tuple(out)


def table2_blocks() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """Table 二: (heading, columns, rows) of its four blocks."""
    return ((TABLE2_BLOCKS[0], DOCUMENT_COLUMNS, DOCUMENT_ROWS),
            (TABLE2_BLOCKS[1], (DECISION_COLUMN,), DECISION_ROWS[:1]),
            (TABLE2_BLOCKS[2], (DECISION_COLUMN,), DECISION_ROWS[1:]),
            (TABLE2_BLOCKS[3], (FEE_COLUMN,), (FEE_ROW,)))


def _cell(value: Any) -> float | int | None:
    if is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


# ------------------------------------------------------------------ XLSX


def write_xlsx(report, path: str | os.PathLike, lang: str = "zh") -> None:
    """Write the tables (one sheet each, the national layout) plus the identities and the
    ledger records to correct, atomically."""
    write_via_temp(path, lambda tmp: _workbook(report, lang).save(tmp))


def _workbook(report, lang: str):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from .exports import neutralize

    ui = vocabulary(lang)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    to_fill = PatternFill("solid", fgColor="FFF2A8")
    fill_cells = {(t, r, c) for t, r, c in report.to_fill}
    wb = Workbook()

    def box(ws, first_row, first_col, last_row, last_col, value=None, *, align=centre, font=None):
        if (first_row, first_col) != (last_row, last_col):
            ws.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                ws.cell(r, c).border = border
        cell = ws.cell(first_row, first_col)
        if value is not None:
            cell.value = value
        cell.alignment = align
        if font is not None:
            cell.font = font
        return cell

    def number(ws, r, c, value, key):
        cell = box(ws, r, c, r, c, _cell(value))
        if key in fill_cells:
            cell.fill = to_fill
            cell.comment = Comment(ui["annual_to_fill"], "disclosure-rules")
        cell.number_format = "0" if not key[0] == "二" or key[2] != FEE_COLUMN else "0.00"

    def title(ws, text, width):
        box(ws, 1, 1, 1, width, text, align=left, font=Font(bold=True, size=13))
        ws.cell(1, 1).border = Border()

    # 表二
    ws = wb.active
    ws.title = "表二"
    title(ws, TABLE_TITLES["二"], 4)
    r = 2
    for heading, columns, rows in table2_blocks():
        box(ws, r, 1, r, 4, heading, font=bold)
        box(ws, r + 1, 1, r + 1, 1, CONTENT_HEADING, font=bold)
        if len(columns) == 1:
            box(ws, r + 1, 2, r + 1, 4, columns[0], font=bold)
        else:
            for i, column in enumerate(columns):
                box(ws, r + 1, 2 + i, r + 1, 2 + i, column, font=bold)
        r += 2
        for row in rows:
            box(ws, r, 1, r, 1, row)
            if len(columns) == 1:
                box(ws, r, 2, r, 4)
                number(ws, r, 2, report.table2.at[row, columns[0]], ("二", row, columns[0]))
            else:
                for i, column in enumerate(columns):
                    number(ws, r, 2 + i, report.table2.at[row, column], ("二", row, column))
            r += 1
    ws.column_dimensions["A"].width = 22
    for col in "BCD":
        ws.column_dimensions[col].width = 16

    # 表三
    ws = wb.create_sheet("表三")
    title(ws, TABLE_TITLES["三"], 10)
    box(ws, 2, 1, 4, 3, IDENTITY_NOTE, font=bold)
    box(ws, 2, 4, 2, 10, APPLICANT_HEADING, font=bold)
    box(ws, 3, 4, 4, 4, APPLICANT_COLUMNS[0], font=bold)
    box(ws, 3, 5, 3, 9, ORG_HEADING, font=bold)
    for i, column in enumerate(ORG_COLUMNS):
        box(ws, 4, 5 + i, 4, 5 + i, column, font=bold)
    box(ws, 3, 10, 4, 10, COLUMNS[-1], font=bold)
    occupied: set[tuple[int, int]] = set()
    for offset, layout in enumerate(table3_layout()):
        r = 5 + offset
        col = 1  # each label cell takes the first label column no span from above covers
        for text, rowspan, colspan in layout["cells"]:
            while (r, col) in occupied:
                col += 1
            box(ws, r, col, r + rowspan - 1, col + colspan - 1, text, align=left)
            occupied.update((rr, cc) for rr in range(r, r + rowspan) for cc in range(col, col + colspan))
            col += colspan
        for i, column in enumerate(COLUMNS):
            number(ws, r, 4 + i, report.table3.at[layout["id"], column], ("三", layout["id"], column))
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 36
    for col in "DEFGHIJ":
        ws.column_dimensions[col].width = 10

    # 表四
    ws = wb.create_sheet("表四")
    title(ws, TABLE_TITLES["四"], 15)
    box(ws, 2, 1, 3, 5, REVIEW_GROUPS[0], font=bold)
    box(ws, 2, 6, 2, 15, REVIEW_SUPER, font=bold)
    box(ws, 3, 6, 3, 10, REVIEW_GROUPS[1], font=bold)
    box(ws, 3, 11, 3, 15, REVIEW_GROUPS[2], font=bold)
    for g, group in enumerate(REVIEW_GROUPS):
        for i, column in enumerate(REVIEW_COLUMNS):
            c = 1 + 5 * g + i
            box(ws, 4, c, 4, c, column, font=bold)
            number(ws, 5, c, report.table4.at[group, column], ("四", group, column))
    for c in range(1, 16):
        ws.column_dimensions[ws.cell(4, c).column_letter].width = 9

    # the identities and the records to correct
    ws = wb.create_sheet(ui["annual_identities"][:31])
    ws.append([ui["annual_table_col"], ui["annual_check"], ui["annual_row"],
               ui["annual_column"], ui["annual_left"], ui["annual_right"], ui["annual_identities"]])
    for i in report.identities.itertuples(index=False):
        ws.append([f"表{i.table}" if lang == "zh" else i.table, i.check, i.row, i.column,
                   _cell(i.left), _cell(i.right), ui["annual_holds"] if i.ok else ui["annual_fails"]])
    for cell in ws[1]:
        cell.font = bold
    ws.column_dimensions["B"].width = 44
    ws = wb.create_sheet(ui["annual_problems_sheet"][:31])
    ws.append([ui["dataset"], ui["row"], ui["sheet"], ui["key"], ui["reason"]])
    for cell in ws[1]:
        cell.font = bold
    for p in report.problems_in(lang):
        title_of = report.book.datasets[p["dataset"]].title if lang == "zh" else None
        ws.append([title_of or p["dataset"], p["row"], neutralize(p["sheet"]), neutralize(p["key"]), p["reason"]])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["D"].width = 22
    ws.column_dimensions["E"].width = 70
    wb.properties.creator = "disclosure-rules"
    return wb


# ------------------------------------------------------------------ HTML


def build_view(report, lang: str = "zh") -> dict:
    """What the template shows, as plain text and numbers (nothing computed here)."""
    ui = vocabulary(lang)
    fill = {(t, r, c) for t, r, c in report.to_fill}

    def shown(table: str, row: str, column: str, value: Any) -> dict:
        if (table, row, column) in fill:
            return {"text": ui["annual_to_fill"], "cls": "to-fill"}
        number = _cell(value)
        return {"text": number_text(number) if number is not None else "", "cls": ""}

    blocks = []
    for heading, columns, rows in table2_blocks():
        blocks.append({"heading": heading, "columns": list(columns),
                       "rows": [{"label": row, "cells": [shown("二", row, c, report.table2.at[row, c]) for c in columns]}
                                for row in rows]})
    failing_cells = set()
    for i in report.identities.itertuples(index=False):
        if not i.ok and i.table == "三":
            failing_cells.add(i.column)
    body3 = [{"id": layout["id"], "labels": [{"text": t, "rowspan": rs, "colspan": cs} for t, rs, cs in layout["cells"]],
              "cells": [shown("三", layout["id"], c, report.table3.at[layout["id"], c]) for c in COLUMNS]}
             for layout in table3_layout()]
    identities = [{"table": i.table, "check": i.check, "row": i.row or "", "column": i.column,
                   "left": number_text(_cell(i.left)), "right": number_text(_cell(i.right)), "ok": bool(i.ok)}
                  for i in report.identities.itertuples(index=False)]
    problems = []
    for p in report.problems_in(lang, MAX_PROBLEMS):
        spec = report.book.datasets[p["dataset"]]
        problems.append({**p, "dataset": (spec.title if lang == "zh" else None) or p["dataset"],
                         "row": number_text(p["row"]), "sheet": p["sheet"] or "", "key": p["key"] or ""})
    failing = [i for i in identities if not i["ok"]]
    info = report.book.rulebook
    return {
        "ui": ui, "lang": lang,
        "title": ui["annual_title"],
        "issuer": info.issuer or "",
        "year": report.year if report.year is not None else "",
        "period": f"{date_text(report.start)} – {date_text(report.end)}",
        "sources": [{"name": (report.book.datasets[n].title if lang == "zh" else None) or n,
                     "file": os.path.basename(s) if s else "", "rows": rows, "sha256": h or ""}
                    for n, (s, h, rows) in report.sources.items()],
        "table2": blocks, "content_heading": CONTENT_HEADING, "applicant_heading": APPLICANT_HEADING,
        "table3": {"note": IDENTITY_NOTE, "columns": list(COLUMNS), "org": list(ORG_COLUMNS),
                   "first": APPLICANT_COLUMNS[0], "org_heading": ORG_HEADING, "body": body3,
                   "failing": sorted(failing_cells)},
        "table4": {"groups": list(REVIEW_GROUPS), "super": REVIEW_SUPER, "columns": list(REVIEW_COLUMNS),
                   "cells": [shown("四", g, c, report.table4.at[g, c]) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]},
        "to_fill": bool(report.to_fill),
        "identities": identities,
        "failing": failing,
        "summary": (ui["annual_all_hold"].format(n=len(identities)) if not failing
                    else ui["annual_some_fail"].format(n=len(failing), total=len(identities))),
        "problems": problems,
        "more_problems": max(0, len(report.problems) - MAX_PROBLEMS),
        "warnings": report.warnings_in(lang),
        "tool_version": _version(),
    }


def _version() -> str:
    from . import __version__

    return __version__


def render_html(report, lang: str = "zh") -> str:
    from .report import _environment

    view = build_view(report, lang)
    return _environment().get_template("annual.html.j2").render(annual=view, **view)


def write_html(report, path: str | os.PathLike, lang: str = "zh") -> None:
    write_atomic(path, render_html(report, lang).encode("utf-8"))
