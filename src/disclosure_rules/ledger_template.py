"""Empty ledgers a department can fill in (``disclosure-rules template``).

The header row uses each field's preferred Chinese header (its first alias). In
XLSX, category and yes/no columns get drop-down lists of the allowed labels (kept
on a hidden sheet, since Excel limits inline lists to 255 characters), date columns
a date format, and a second sheet explains every column.
"""

from __future__ import annotations

import io
from pathlib import Path

from .atomic import write_atomic

TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否", "date": "日期",
              "category": "单选", "set": "多选（用、分隔）"}


def headers(spec) -> list[str]:
    return [field.header_of(name) for name, field in spec.fields.items()]


def write_template(book, dataset: str, path: str | Path) -> None:
    spec = book.datasets[dataset]
    target = Path(path)
    if target.suffix.lower() == ".csv":
        write_atomic(target, (",".join(headers(spec)) + "\r\n").encode("utf-8-sig"))
        return
    write_atomic(target, _xlsx(book, dataset))


def _xlsx(book, dataset: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.styles import Font, PatternFill

    spec = book.datasets[dataset]
    wb = Workbook()
    ws = wb.active
    ws.title = (spec.title or dataset)[:31]
    lists = wb.create_sheet("_lists")
    lists.sheet_state = "hidden"
    help_sheet = wb.create_sheet("填写说明")
    help_sheet.append(["列名", "字段", "类型", "必填列", "可填写的值", "其他可识别的列名"])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    rows = 2000
    list_column = 0
    for index, (name, field) in enumerate(spec.fields.items(), 1):
        header = field.header_of(name)
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = bold
        cell.fill = fill
        ws.column_dimensions[letter].width = max(10, min(40, 2 * len(header) + 4))
        choices: list[str] = []
        if field.type == "category":
            choices = [field.label_of(code) for code in field.values]
        elif field.type == "boolean":
            choices = ["是", "否"]
        if choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            for i, choice in enumerate(choices, 1):
                lists.cell(row=i, column=list_column, value=choice)
            validation = DataValidation(type="list", formula1=f"=_lists!${list_letter}$1:${list_letter}${len(choices)}",
                                        allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{rows}")
            ws.add_data_validation(validation)
        if field.type == "date":
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width, 14)
            for row in range(2, rows + 1):
                ws.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        accepted = ""
        if field.values:
            accepted = "；".join(f"{'/'.join(labels) if labels else code}" for code, labels in field.values.items())
        help_sheet.append([header, name, TYPE_NAMES.get(field.type, field.type), "是" if field.required else "",
                           accepted, "、".join(field.aliases[1:])])
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (18, 22, 14, 8, 80, 40)):
        help_sheet.column_dimensions[letter].width = width
    for cell in help_sheet[1]:
        cell.font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
