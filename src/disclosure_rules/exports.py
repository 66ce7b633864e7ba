"""The rectification list (整改清单): findings to CSV or XLSX.

Conventions:

- one row per finding, complete (never truncated like the JSON), with the rule's
  title and basis clause so that a division can act on the list alone;
- CSV is UTF-8 with a BOM so that Excel opens it with the right encoding;
- XLSX has a summary sheet, then one sheet per division (处室) with a frozen header
  row, an autofilter and column widths; a division with more findings than an Excel
  sheet holds continues on "<division> (2)", "(3)", ...;
- formula injection: a text cell that begins with ``= + - @`` (or a tab or carriage
  return, which Excel also strips before reading a formula) gets a leading
  apostrophe ``'`` in both formats, so a spreadsheet shows it as text and never
  evaluates it (``neutralize``); numbers and dates are written as such;
- writing is atomic: a temporary file in the target folder, then ``os.replace``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from .atomic import write_via_temp

__all__ = ["write_findings", "neutralize", "findings_table", "EXCEL_MAX_ROWS"]

EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, header included
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
# characters an XLSX cell cannot hold (XML 1.0); openpyxl refuses them
_ILLEGAL_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # and non-characters
NO_DIVISION = "（未填处室）"

COLUMNS = [  # (column of the table, header in the export, width in the XLSX)
    ("rule", "规则编号", 16),
    ("title", "规则名称", 36),
    ("department", "处室", 14),
    ("dataset", "台账", 11),
    ("row", "表格行号", 9),
    ("key", "记录编号", 22),
    ("message", "问题说明", 56),
    ("severity", "严重程度", 9),
    ("waived", "已豁免", 8),
    ("clause", "依据条款", 12),
    ("deadline", "期限", 12),
    ("end", "办结日期", 12),
    ("late_workdays", "超期工作日", 10),
]
SEVERITY_LABELS = {"critical": "严重", "major": "较重", "minor": "一般"}
#: shown after 表格行号 when a ledger was read from named sheets (a row number alone is ambiguous then)
SHEET_COLUMN = ("sheet", "工作表", 12)


def columns_of(table: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The export's columns: COLUMNS, with the sheet column when any finding names a sheet."""
    if "sheet" not in table.columns or not table["sheet"].notna().any():
        return COLUMNS
    at = [name for name, _, _ in COLUMNS].index("row") + 1
    return COLUMNS[:at] + [SHEET_COLUMN] + COLUMNS[at:]


def neutralize(value: Any) -> Any:
    """A text value that a spreadsheet would read as a formula, made inert with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _neutralize_text(series: pd.Series) -> pd.Series:
    """Vectorized ``neutralize`` for a column of text (blanks stay blank)."""
    text = series.astype("string")
    risky = text.str.contains(_FORMULA_RE, regex=True, na=False)
    return text.mask(risky, "'" + text)


def _relabel(series: pd.Series, labels: dict) -> pd.Series:
    """Replace the values that have a label (a dict lookup per distinct value, not per row)."""
    text = series.astype("string")
    return text.map(labels).astype("string").fillna(text)


def findings_table(result, lang: str = "zh") -> pd.DataFrame:
    """The findings of an audit as the export's columns (values neutralised, dates as dates)."""
    findings = result.findings_frame(lang)
    titles = {rr.id: rr.title for rr in result.rules}
    clauses = {rr.id: (rr.basis or {}).get("clause") or "" for rr in result.rules}
    dataset_titles = {name: spec.title for name, spec in result.book.datasets.items() if spec.title}
    rule = findings["rule"].astype("string")
    table = pd.DataFrame({
        "rule": rule,
        "title": rule.map(titles),
        "department": findings["department"].astype("string").fillna(NO_DIVISION).replace("", NO_DIVISION),
        "dataset": _relabel(findings["dataset"], dataset_titles),
        "row": pd.to_numeric(findings["row"], errors="coerce").astype("Int64"),
        "sheet": findings["sheet"].astype("string"),
        "key": findings["key"].astype("string"),
        "message": findings["message"].astype("string"),
        "severity": _relabel(findings["severity"], SEVERITY_LABELS),
        "waived": findings["waived"].astype("boolean").map({True: "是", False: "否"}, na_action="ignore"),
        "clause": rule.map(clauses),
        "deadline": pd.to_datetime(findings["deadline"], errors="coerce"),
        "end": pd.to_datetime(findings["end"], errors="coerce"),
        "late_workdays": pd.to_numeric(findings["late_workdays"], errors="coerce").astype("Int64"),
    }, index=findings.index)
    for name in ("rule", "title", "department", "dataset", "sheet", "key", "message", "severity", "waived", "clause"):
        table[name] = _neutralize_text(table[name])
    return table.sort_values(["department", "rule", "row"], kind="stable").reset_index(drop=True)


def _figure(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def write_findings(result, path, lang: str = "zh") -> None:
    """Write the rectification list to ``path`` (.csv or .xlsx), atomically; messages in ``lang``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"the findings export is .csv or .xlsx, not {path.suffix or 'a file without suffix'!r}: {path}")
    table = findings_table(result, lang)
    writer = _write_csv if suffix == ".csv" else _write_xlsx
    write_via_temp(path, lambda tmp: writer(result, table, tmp))


def _write_csv(result, table: pd.DataFrame, tmp: Path) -> None:
    columns = columns_of(table)
    out = table[[name for name, _, _ in columns]].copy()
    for name in ("deadline", "end"):
        out[name] = out[name].dt.strftime("%Y-%m-%d")
    out.columns = [header for _, header, _ in columns]
    out.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _sheet_title(name: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "_"
    base = _ILLEGAL_XLSX.sub("", base) or "_"
    title, n = base[:31], 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _cells(frame: pd.DataFrame, spec: list[tuple[str, str, int]]) -> list[list]:
    """Rows of Python values for openpyxl: blanks as None, illegal XML characters removed."""
    columns = []
    for name, _, _ in spec:
        series = frame[name]
        if name in ("deadline", "end"):
            values = [None if pd.isna(v) else v.date() for v in series]
        elif name in ("row", "late_workdays"):
            values = [None if pd.isna(v) else int(v) for v in series]
        else:
            values = [None if pd.isna(v) else _ILLEGAL_XLSX.sub("", v) for v in series]
        columns.append(values)
    return [list(row) for row in zip(*columns)]


def _write_xlsx(result, table: pd.DataFrame, tmp: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8ECF2")
    used: set[str] = set()

    def header_row(sheet, headers):
        cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
        return cells

    # summary: the audit in a few lines, then findings per division
    summary = workbook.create_sheet(_sheet_title("汇总", used))
    for letter, width in zip("ABCDEFG", (22, 12, 12, 12, 12, 12, 12)):
        summary.column_dimensions[letter].width = width
    info = result.book.rulebook
    percent = result.percent
    lines = [
        ("考核方案", neutralize(info.title)),
        ("方案编号", neutralize(info.id)),
        ("统计截止日", result.as_of.isoformat()),
        ("得分", _figure(result.grading_percent)),
        ("等次", neutralize(result.grade or "")),
        ("评定依据", "严格得分（覆盖率低于方案要求，未能考核的规则计 0 分）" if result.graded_on == "strict_percent"
         else "可考核规则得分"),
        ("可考核规则得分", _figure(percent)),
        ("严格得分", _figure(result.strict_percent)),
        ("可考核覆盖率", f"{100 * result.coverage:.0f}%"),
        ("问题总数", len(table)),
    ]
    for label, value in lines:
        summary.append([WriteOnlyCell(summary, value=label), value])
    summary.append([])
    headers = ["处室", "问题数", "待整改", "已豁免", "严重", "较重", "一般"]
    summary.append(header_row(summary, headers))
    if len(table):
        grouped = table.groupby("department", sort=False, observed=True)
        counts = pd.DataFrame({
            "total": grouped.size(),
            "open": grouped["waived"].apply(lambda s: int((s != "是").sum())),
            "waived": grouped["waived"].apply(lambda s: int((s == "是").sum())),
            **{label: grouped["severity"].apply(lambda s, lab=label: int((s == lab).sum()))
               for label in ("严重", "较重", "一般")},
        }).loc[table["department"].value_counts(sort=True).index]
        for department, row in counts.iterrows():
            summary.append([_ILLEGAL_XLSX.sub("", str(department)), *[int(v) for v in row.tolist()]])
    summary.freeze_panes = None

    per_sheet = EXCEL_MAX_ROWS - 1
    spec = columns_of(table)
    widths = [width for _, _, width in spec]
    titles = [header for _, header, _ in spec]
    # division sheets in the summary's order: most findings first
    departments = table["department"].value_counts(sort=True).index.tolist() if len(table) else []
    for department in departments:
        rows = table[table["department"] == department]
        for part, start in enumerate(range(0, len(rows), per_sheet), start=1):
            chunk = rows.iloc[start:start + per_sheet]
            name = str(department) if part == 1 else f"{department} ({part})"
            sheet = workbook.create_sheet(_sheet_title(name, used))
            for index, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec))}{len(chunk) + 1}"
            sheet.append(header_row(sheet, titles))
            for values in _cells(chunk, spec):
                sheet.append(values)
    workbook.save(tmp)
