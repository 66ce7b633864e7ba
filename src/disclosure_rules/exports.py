"""The rectification list (整改清单): findings to CSV or XLSX.

Conventions:

- one row per finding, complete (never truncated like the JSON), with the rule's
  title and basis clause so that a division can act on the list alone;
- CSV is UTF-8 with a BOM so that Excel opens it with the right encoding;
- every fixed word (headers, severities, yes/no, the summary's labels) is in the
  language asked for, from ``words.py``; messages are in that language too; ledger
  values, division names and rule titles stay as written;
- XLSX has a summary sheet (the audit's figures; per division its rows in the list and
  its place in the report's ranking), then one sheet per division (处室) with a frozen
  header row, an autofilter and column widths; a division with more findings than an
  Excel sheet holds continues on "<division> (2)", "(3)", ...; rows whose division is
  blank are on the blank division's sheet (``(未填写)``), a count rule's group findings
  that belong to no division on the whole unit's (``(全单位)``);
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
from .words import BLANK_DIVISION, ISO_DATE, Severity, date_text, percent_text, severity_word, vocabulary, word

__all__ = ["write_findings", "neutralize", "findings_table", "headers", "EXCEL_MAX_ROWS"]

EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, header included
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
# characters an XLSX cell cannot hold (XML 1.0); openpyxl refuses them
_ILLEGAL_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # and non-characters
COLUMNS = [  # (column of the table, its header's key in words.WORDS, width in the XLSX)
    ("rule", "rule_id", 16),
    ("title", "rule_title", 36),
    ("department", "division", 14),
    ("dataset", "dataset", 11),
    ("row", "row", 9),
    ("key", "key", 22),
    ("message", "finding_message", 56),
    ("severity", "severity", 9),
    ("waived", "waived", 8),
    ("clause", "clause", 12),
    ("deadline", "deadline", 12),
    ("end", "end", 12),
    ("late_workdays", "late_workdays", 10),
]
#: shown after the row column when a ledger was read from named sheets (a row number alone is ambiguous then)
SHEET_COLUMN = ("sheet", "sheet", 12)


def headers(columns: list[tuple[str, str, int]], lang: str) -> list[str]:
    """The export's header row in ``lang``."""
    return [word(key, lang) for _, key, _ in columns]


#: shown first when the audit names its unit (--unit, or assess), so merged lists stay apart
UNIT_COLUMN = ("unit", "unit", 16)


def columns_of(table: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The export's columns: COLUMNS, with the sheet column when any finding names a sheet
    (and the unit column first when the audit names its unit)."""
    first = [UNIT_COLUMN] if "unit" in table.columns else []
    if "sheet" not in table.columns or not table["sheet"].notna().any():
        return first + COLUMNS
    at = [name for name, _, _ in COLUMNS].index("row") + 1
    return first + COLUMNS[:at] + [SHEET_COLUMN] + COLUMNS[at:]


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


def _division_names(findings: pd.DataFrame, lang: str) -> pd.Series:
    """The division each finding is listed under: its row's division; the blank division's
    name for a row whose division is blank; the whole unit for a group finding (a count
    rule's group has no row, and no division unless ``per`` is the division field)."""
    department = findings["department"].astype("string")
    blank = department.isna() | (department == "") | (department == BLANK_DIVISION)
    has_row = pd.to_numeric(findings["row"], errors="coerce").notna()
    department = department.mask(blank & has_row, word("blank_division", lang))
    return department.mask(blank & ~has_row, word("whole_unit", lang))


def findings_table(result, lang: str = "zh") -> pd.DataFrame:
    """The findings of an audit as the export's columns, words in ``lang`` (values
    neutralised, dates as dates); ``waived_flag`` and ``severity_code`` keep the codes."""
    ui = vocabulary(lang)
    findings = result.findings_frame(lang)
    titles = {rr.id: rr.title for rr in result.rules}
    clauses = {rr.id: (rr.basis or {}).get("clause") or "" for rr in result.rules}
    # a ledger by its title in Chinese (as the rulebook names it), by its dataset name in English
    dataset_titles = {name: spec.title for name, spec in result.book.datasets.items() if spec.title and lang == "zh"}
    rule = findings["rule"].astype("string")
    waived = findings["waived"].astype("boolean")
    table = pd.DataFrame({
        "rule": rule,
        "title": rule.map(titles),
        "department": _division_names(findings, lang),
        "dataset": _relabel(findings["dataset"], dataset_titles),
        "row": pd.to_numeric(findings["row"], errors="coerce").astype("Int64"),
        "sheet": findings["sheet"].astype("string"),
        "key": findings["key"].astype("string"),
        "message": findings["message"].astype("string"),
        "severity": _relabel(findings["severity"], {s.value: severity_word(s, lang) for s in Severity}),
        "waived": waived.map({True: ui["yes"], False: ui["no"]}, na_action="ignore"),
        "clause": rule.map(clauses),
        "deadline": pd.to_datetime(findings["deadline"], errors="coerce"),
        "end": pd.to_datetime(findings["end"], errors="coerce"),
        "late_workdays": pd.to_numeric(findings["late_workdays"], errors="coerce").astype("Int64"),
        "waived_flag": waived.fillna(False).astype(bool),
        "severity_code": findings["severity"].astype("string"),
    }, index=findings.index)
    if result.unit is not None:
        table.insert(0, "unit", pd.Series(result.unit["name"], index=table.index, dtype="string"))
        table["unit"] = _neutralize_text(table["unit"])
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
    write_via_temp(path, lambda tmp: writer(result, table, tmp, lang))


def _write_csv(result, table: pd.DataFrame, tmp: Path, lang: str) -> None:
    columns = columns_of(table)
    out = table[[name for name, _, _ in columns]].copy()
    for name in ("deadline", "end"):
        out[name] = out[name].dt.strftime(ISO_DATE)
    out.columns = headers(columns, lang)
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


def _summary_lines(result, table: pd.DataFrame, lang: str) -> list[tuple[str, object]]:
    """The audit in a few lines: what was audited, the grade and the figure it comes from, the findings."""
    ui = vocabulary(lang)
    info = result.book.rulebook
    waived = int(table["waived_flag"].sum())
    unit = [(ui["unit"], neutralize(result.unit["name"]))] if result.unit is not None else []
    if result.unit is not None and result.unit.get("code"):
        unit.append((ui["unit_code"], neutralize(result.unit["code"])))
    extra = [(ui["vetoed_by"], neutralize(", ".join(result.vetoed_by)))] if result.vetoed_by else []
    if result.bonus:
        extra += [(ui["bonus"], _figure(result.bonus)), (ui["total"], _figure(result.total))]
    return unit + [
        (ui["rulebook"], neutralize(info.title)),
        (ui["rulebook_id"], neutralize(info.id)),
        (ui["as_of"], date_text(result.as_of)),
        (ui["score"], _figure(result.grading_percent)),
        (ui["grade"], neutralize(result.grade or "")),
        (ui["graded_on"], ui["graded_on_strict"] if result.graded_on == "strict_percent" else ui["graded_on_percent"]),
        (ui["percent_assessed"], _figure(result.percent)),
        (ui["strict_percent"], _figure(result.strict_percent)),
        *extra,
        (ui["coverage"], percent_text(result.coverage)),
        (ui["findings_count"], len(table)),
        (ui["open"], len(table) - waived),
        (ui["waived"], waived),
    ]


def _division_counts(result, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per division: its rows in the list (open, waived, by severity), then its place in the
    report's ranking (percent and violations, DESIGN §7: every rule re-assessed on its rows).
    Divisions in the order of their sheets (most findings first), then ranked ones with none."""
    ui = vocabulary(lang)
    counts = pd.DataFrame({
        "rows": table.groupby("department", sort=False).size(),
        "open": (~table["waived_flag"]).groupby(table["department"], sort=False).sum(),
        "waived": table["waived_flag"].groupby(table["department"], sort=False).sum(),
        **{s.value: (table["severity_code"] == s.value).groupby(table["department"], sort=False).sum()
           for s in Severity},
    })
    counts = counts.loc[table["department"].value_counts(sort=True).index] if len(table) else counts
    ranking = result.departments
    names = [word("blank_division", lang) if d == BLANK_DIVISION else str(d) for d in ranking["department"]]
    ranked = pd.DataFrame({"percent": ranking["percent"].to_numpy(dtype=float),
                           "violations": ranking["violations"].to_numpy(dtype=int)}, index=pd.Index(names))
    order = list(counts.index) + [n for n in ranked.index if n not in counts.index]
    out = counts.reindex(order).fillna(0).astype(int)
    out["ranking_violations"] = ranked["violations"].reindex(order)
    out["percent"] = ranked["percent"].reindex(order).map(lambda p: None if pd.isna(p) else round(float(p), 1))
    out.columns = [ui["list_rows"], ui["open"], ui["waived"], *(severity_word(s, lang) for s in Severity),
                   ui["ranking_violations"], ui["percent"]]
    return out


def _write_xlsx(result, table: pd.DataFrame, tmp: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ui = vocabulary(lang)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8ECF2")
    used: set[str] = set()

    def header_row(sheet, texts):
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
        return cells

    # summary: the audit in a few lines, then findings and ranking per division
    summary = workbook.create_sheet(_sheet_title(ui["summary"], used))
    for letter, width in zip("ABCDEFGHIJ", (22, 14, 12, 12, 12, 12, 12, 14, 12, 12)):
        summary.column_dimensions[letter].width = width
    for label, value in _summary_lines(result, table, lang):
        summary.append([WriteOnlyCell(summary, value=label), value])
    summary.append([])
    divisions = _division_counts(result, table, lang)
    summary.append(header_row(summary, [ui["division"], *divisions.columns]))
    for department, row in divisions.iterrows():
        summary.append([_ILLEGAL_XLSX.sub("", str(department)),
                        *[None if v is None or pd.isna(v) else (float(v) if isinstance(v, float) else int(v))
                          for v in row.tolist()]])
    summary.append([])
    summary.append([ui["list_note"].format(whole_unit=word("whole_unit", lang))])

    per_sheet = EXCEL_MAX_ROWS - 1
    spec = columns_of(table)
    widths = [width for _, _, width in spec]
    titles = headers(spec, lang)
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
