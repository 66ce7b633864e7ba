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
from copy import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .atomic import write_via_temp
from .words import BLANK_DIVISION, Severity, date_text, percent_text, severity_word, vocabulary, word

__all__ = ["write_findings", "neutralize", "findings_table", "headers", "EXCEL_MAX_ROWS"]

EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, header included
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
# characters an XLSX cell cannot hold (XML 1.0); openpyxl refuses them
_ILLEGAL_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # and non-characters
COLUMNS = [  # (column of the table, its header's key in words.WORDS, width in the XLSX)
    ("seq", "seq", 6),
    ("rule", "rule_id", 15),
    ("title", "rule_title", 22),
    ("department", "division", 14),
    ("dataset", "dataset", 12),
    ("row", "row", 8),
    ("key", "key", 20),
    ("message", "list_problem", 42),
    ("raw", "raw_value", 16),
    ("severity", "severity", 9),
    ("status", "list_status", 12),
    ("waived", "waived", 8),
    ("rectify_by", "rectify_by", 12),
    ("owner", "owner", 12),
    ("measures", "measures", 24),
    ("progress", "progress", 12),
    ("clause", "clause", 12),
    ("deadline", "deadline", 12),
    ("end", "end", 12),
    ("late_workdays", "late_workdays", 10),
]
#: the columns a division fills in (empty in the list; 完成情况 with a drop-down)
FILL_IN = ("owner", "measures", "progress")
#: columns whose text wraps in the XLSX (the row grows to show it whole)
WRAPPED = ("title", "dataset", "key", "message", "raw", "status", "measures")
#: reference columns folded away in the XLSX (an outline [+] opens them): on screen and on paper a
#: division sees what to fix and by when; the CSV and the folded columns keep every detail
FOLDED = ("department", "waived", "clause", "deadline", "end", "late_workdays")
#: the status of a row in the list: fix the entry (or finish the item), explain a lapse that
#: cannot be undone (an item finished late), waived, or due soon (open, close to its deadline)
LIST_STATUSES = ("open", "explain", "due_soon", "waived")
DATE_COLUMNS = ("deadline", "end", "rectify_by")
INT_COLUMNS = ("seq", "row", "late_workdays")
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
    return text.mask(risky, "'" + text) if risky.any() else text


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


def _listed_rows(result, lang: str) -> pd.DataFrame:
    """The findings, then the due-soon rows of the deadline rules (DESIGN §6: yellow rows are
    listed so that a division acts before the day passes), as one frame of finding columns."""
    findings = result.findings_frame(lang).drop(columns=["position"], errors="ignore").copy()
    findings["list_status"] = "open"
    late = pd.to_numeric(findings["late_workdays"], errors="coerce")
    finished_late = (findings["deadline"].notna() & findings["end"].notna() & (late > 0)).fillna(False)
    findings.loc[finished_late.to_numpy(dtype=bool), "list_status"] = "explain"
    findings.loc[findings["waived"].fillna(False).astype(bool).to_numpy(), "list_status"] = "waived"
    soon = result.due_soon_frame()
    if not len(soon):
        return findings
    severities = {rr.id: rr.severity for rr in result.rules}
    template = word("due_soon_message", lang, deadline="{deadline}", n="{n}")
    messages = [template.format(deadline=date_text(d), n=int(n))
                for d, n in zip(soon["deadline"], soon["workdays_left"])]  # the few yellow rows
    due = pd.DataFrame({
        "rule": soon["rule"].to_numpy(dtype=object), "dataset": soon["dataset"].to_numpy(dtype=object),
        "row": soon["row"].to_numpy(dtype=object), "sheet": soon["sheet"].to_numpy(dtype=object),
        "key": soon["key"].to_numpy(dtype=object), "department": soon["department"].to_numpy(dtype=object),
        "severity": soon["rule"].map(severities).to_numpy(dtype=object),
        "waived": False, "message": messages,
        "deadline": pd.to_datetime(soon["deadline"]).to_numpy(), "end": pd.NaT,
        "late_workdays": pd.array([None] * len(soon), dtype="Float64"), "list_status": "due_soon"})
    return pd.concat([findings, due], ignore_index=True)


def _raw_values(result, rows: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """What was typed in the cells of each listed row that the rule reads and that could not be
    understood (the data issues of that row and field): ``header：value`` joined with ``；``.
    A bad cell is shown as typed (``2021-13-05``), never as blank. A join on (dataset, row,
    sheet, field), no loop over rows."""
    out = pd.Series(pd.NA, index=rows.index, dtype="string")
    if not result.data_issues or not len(rows):
        return out
    issues = pd.DataFrame(result.data_issues)
    if "value" not in issues or "row" not in issues:
        return out
    issues = issues[issues["value"].notna() & issues["row"].notna()]
    if not len(issues):
        return out
    fields = pd.DataFrame([(rr.id, f) for rr in result.rules for f in dict.fromkeys(rr.fields)],
                          columns=["rule", "field"])
    left = pd.DataFrame({"at": rows.index, "rule": rows["rule"].astype(object),
                         "dataset": rows["dataset"].astype(object),
                         "row": pd.to_numeric(rows["row"], errors="coerce"),
                         "sheet": rows["sheet"].astype(object).where(rows["sheet"].notna(), "")})
    right = pd.DataFrame({"dataset": issues["dataset"].astype(object), "field": issues["field"].astype(object),
                          "row": pd.to_numeric(issues["row"], errors="coerce"),
                          "sheet": issues.get("sheet", pd.Series(None, index=issues.index)).astype(object)
                          .where(lambda s: s.notna(), ""),
                          "value": issues["value"].astype(str)})
    left = left[left["row"].isin(right["row"])]  # only rows with a bad cell meet the fields of their rule
    matched = left.merge(fields, on="rule").merge(right, on=["dataset", "row", "sheet", "field"])
    if not len(matched):
        return out
    headers = {(name, f): (ds.headers.get(f) or f) if lang == "zh" else f
               for name, ds in result.data.items() for f in ds.headers}
    labels = pd.Series([headers.get(k, k[1]) for k in zip(matched["dataset"], matched["field"])],
                       index=matched.index)  # one per (row, bad cell): few
    colon, sep = ("：", "；") if lang == "zh" else (": ", "; ")
    matched["text"] = labels + colon + matched["value"]
    joined = matched.drop_duplicates(["at", "text"]).groupby("at")["text"].agg(sep.join)
    out.loc[joined.index] = joined.astype("string")
    return out


def rectify_date(result):
    """The 整改时限 the rulebook's ``rectification`` gives: that many working days after as-of (None without it)."""
    spec = getattr(result.book.rulebook, "rectification", None)
    if spec is None:
        return None
    from .calendar import WorkCalendar

    cal = result.book.calendar
    calendar = WorkCalendar.build(result.as_of, result.as_of, extra_holidays=cal.extra_holidays,
                                  extra_workdays=cal.extra_workdays, fallback="weekends")
    day = calendar.add_workdays(result.as_of, int(spec.working_days))
    return None if day is None or pd.isna(day) else pd.Timestamp(day)


def findings_table(result, lang: str = "zh") -> pd.DataFrame:
    """The rectification list of an audit as the export's columns, words in ``lang`` (values
    neutralised, dates as dates): every finding, then the due-soon rows; ``waived_flag``,
    ``severity_code`` and ``status_code`` keep the codes (``status_code`` ``due_soon`` marks
    the rows that are not findings)."""
    ui = vocabulary(lang)
    findings = _listed_rows(result, lang)
    # ordered by division, rule, row (as the table's neutralised columns sort) before the columns are
    # built: a take of the plain columns here is cheaper than one of the table's Arrow text columns
    findings = findings.take(_list_order(pd.DataFrame({
        "department": _neutralize_text(_division_names(findings, lang)),
        "rule": _neutralize_text(findings["rule"]),
        "row": pd.to_numeric(findings["row"], errors="coerce").astype("Int64")}))).reset_index(drop=True)
    titles = {rr.id: rr.title for rr in result.rules}
    clauses = {rr.id: (rr.basis or {}).get("clause") or "" for rr in result.rules}
    # a ledger by its title in Chinese (as the rulebook names it), by its dataset name in English
    dataset_titles = {name: spec.title for name, spec in result.book.datasets.items() if spec.title and lang == "zh"}
    rule = findings["rule"].astype("string")
    waived = findings["waived"].astype("boolean")
    status = findings["list_status"].astype("string")
    deadline = pd.to_datetime(findings["deadline"], errors="coerce")
    rectify = rectify_date(result)
    rectify_by = pd.Series(rectify if rectify is not None else pd.NaT, index=findings.index, dtype="datetime64[ns]")
    rectify_by = rectify_by.mask(status == "due_soon", deadline).mask(status == "waived", pd.NaT)
    blank = pd.Series(pd.NA, index=findings.index, dtype="string")
    table = pd.DataFrame({
        "seq": pd.array([None] * len(findings), dtype="Int64"),
        "rule": rule,
        "title": rule.map(titles),
        "department": _division_names(findings, lang),
        "dataset": _relabel(findings["dataset"], dataset_titles),
        "row": pd.to_numeric(findings["row"], errors="coerce").astype("Int64"),
        "sheet": findings["sheet"].astype("string"),
        "key": findings["key"].astype("string"),
        "message": findings["message"].astype("string"),
        "raw": _raw_values(result, findings, lang),
        "severity": _relabel(findings["severity"], {s.value: severity_word(s, lang) for s in Severity}),
        "status": status.map({code: ui[f"rs_{code}"] for code in LIST_STATUSES}).astype("string"),
        "waived": waived.map({True: ui["yes"], False: ui["no"]}, na_action="ignore"),
        "rectify_by": rectify_by,
        "owner": blank, "measures": blank, "progress": blank,
        "clause": rule.map(clauses),
        "deadline": deadline,
        "end": pd.to_datetime(findings["end"], errors="coerce"),
        "late_workdays": pd.to_numeric(findings["late_workdays"], errors="coerce").astype("Int64"),
        "waived_flag": waived.fillna(False).astype(bool),
        "severity_code": findings["severity"].astype("string"),
        "status_code": status,
    }, index=findings.index)
    if result.unit is not None:
        table.insert(0, "unit", pd.Series(result.unit["name"], index=table.index, dtype="string"))
        table["unit"] = _neutralize_text(table["unit"])
    for name in ("rule", "title", "department", "dataset", "sheet", "key", "message", "raw", "severity", "waived",
                 "clause"):
        table[name] = _neutralize_text(table[name])
    table = table.reset_index(drop=True)  # in the list's order already
    table["seq"] = (table.groupby("department", sort=False).cumcount() + 1).astype("Int64")  # numbered per division
    return table


def _list_order(table: pd.DataFrame):
    """The positions of the list sorted by division, rule, row (stable, blanks last): what
    ``sort_values([...], kind="stable")`` gives, by one ``lexsort`` of integer codes."""
    import numpy as np

    keys = []
    for name in ("row", "rule", "department"):  # lexsort: the last key is the primary one
        codes, uniques = pd.factorize(table[name], sort=True)
        keys.append(np.where(codes < 0, len(uniques), codes))
    return np.lexsort(keys)


def findings_only(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the list that are findings (the due-soon rows aside)."""
    return table[table["status_code"] != "due_soon"]


def ratio_gaps(result) -> list[dict]:
    """Each rate rule below its ``min``: its rate, its target and how many more passing rows would
    reach it (the fewest failing rows to fix: ceil(min x decided) - passed)."""
    import math

    out = []
    for rr in result.rules:
        if rr.status != "fail" or rr.threshold_min is None or rr.rate is None or rr.kind == "count":
            continue
        decided = rr.population - rr.pending
        needed = max(0, math.ceil(rr.threshold_min * decided - rr.passed - 1e-9))
        if needed > 0:
            out.append({"rule": rr.id, "title": rr.title, "rate": rr.rate, "min": rr.threshold_min,
                        "failing": rr.violations, "needed": needed})
    return out


def _fill(colour: str):
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour)


#: the 状态 cell's colour: red for what must be fixed or explained, yellow for due soon
STATUS_FILLS = {"open": _fill("F8D7DA"), "explain": _fill("F5C6CB"), "due_soon": _fill("FFF3CD"),
                "waived": _fill("E2E3E5")}


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


#: rows of the list turned into CSV text at a time (bounds the memory of the text beside the table)
CSV_CHUNK_ROWS = 65_536
_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def _csv_field(text: str) -> str:
    """One CSV field as Excel reads it (and as Python's csv module writes it, QUOTE_MINIMAL):
    quoted, with its quotes doubled, when it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


def _csv_text(series: pd.Series, name: str):
    """A column of the list as the text of its CSV fields (a pyarrow string array; blanks empty),
    built by Arrow kernels on the whole column, never value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if name in DATE_COLUMNS:  # ISO dates, as strftime(ISO_DATE) writes them
        text = pc.cast(pc.cast(pa.array(series, from_pandas=True), pa.date32()), pa.string())  # any datetime unit
    elif name in INT_COLUMNS:
        text = pc.cast(pa.array(series.astype("Int64"), type=pa.int64()), pa.string())
    else:
        text = pa.array(series.astype("string"), type=pa.string())
        if isinstance(text, pa.ChunkedArray):  # a pandas column over several Arrow chunks
            text = text.combine_chunks()
        coded = pc.dictionary_encode(text)
        if len(coded.dictionary) * 4 < len(text):  # few distinct values (rules, divisions...): quote each once
            return pc.fill_null(pc.take(_csv_quoted(coded.dictionary), coded.indices), "")
    return pc.fill_null(_csv_quoted(text), "")


def _csv_quoted(text):
    """``_csv_field`` of every value of a pyarrow string array, by Arrow kernels."""
    import pyarrow.compute as pc

    special = pc.match_substring_regex(text, r'[,"\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def _csv_lines(frame: pd.DataFrame, names: list[str]) -> memoryview:
    """The CSV lines (CRLF) of these rows as one UTF-8 buffer: the fields of each column quoted
    as needed, joined row-wise by Arrow, and the values buffer of the joined array taken as is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fields = [_csv_text(frame[name], name) for name in names]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\r\n", "")
    if len(lines) == 0:
        return memoryview(b"")
    large = pa.types.is_large_string(lines.type)
    offsets = memoryview(lines.buffers()[1]).cast("q" if large else "i")
    return memoryview(lines.buffers()[2])[offsets[lines.offset]:offsets[lines.offset + len(lines)]]


def _write_csv(result, table: pd.DataFrame, tmp: Path, lang: str) -> None:
    """UTF-8 with a BOM, CRLF line ends, fields quoted only where needed: the bytes of
    ``DataFrame.to_csv(encoding="utf-8-sig", lineterminator="\r\n")`` of the list, written
    chunk by chunk from Arrow kernels (no Python per row or per cell)."""
    columns = columns_of(table)
    names = [name for name, _, _ in columns]
    with open(tmp, "wb") as out:
        out.write(b"\xef\xbb\xbf" + (",".join(_csv_field(h) for h in headers(columns, lang)) + "\r\n").encode("utf-8"))
        for start in range(0, len(table), CSV_CHUNK_ROWS):
            out.write(_csv_lines(table.iloc[start:start + CSV_CHUNK_ROWS], names))


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
        if name in DATE_COLUMNS:
            values = [None if pd.isna(v) else v.date() for v in series]
        elif name in INT_COLUMNS:
            values = [None if pd.isna(v) else int(v) for v in series]
        else:
            values = [None if pd.isna(v) else _ILLEGAL_XLSX.sub("", v) for v in series]
        columns.append(values)
    return [list(row) for row in zip(*columns)]


def _summary_lines(result, table: pd.DataFrame, lang: str) -> list[tuple[str, object]]:
    """The audit in a few lines: what was audited, the grade and the figure it comes from, the findings."""
    ui = vocabulary(lang)
    info = result.book.rulebook
    statuses = table["status_code"].value_counts()
    table = findings_only(table)
    waived = int(table["waived_flag"].sum())
    rectify = rectify_date(result)
    extra = [(ui["rs_explain"], int(statuses.get("explain", 0))),
             (ui["rs_due_soon"], int(statuses.get("due_soon", 0)))]
    if rectify is not None:
        extra.append((ui["rectify_within"], ui["rectify_days"].format(
            n=info.rectification.working_days, date=date_text(rectify.date()))))
    unit = [(ui["unit"], neutralize(result.unit["name"]))] if result.unit is not None else []
    if result.unit is not None and result.unit.get("code"):
        unit.append((ui["unit_code"], neutralize(result.unit["code"])))
    scoring_extra = [(ui["vetoed_by"], neutralize(", ".join(result.vetoed_by)))] if result.vetoed_by else []
    if result.bonus:
        scoring_extra += [(ui["bonus"], _figure(result.bonus)), (ui["total"], _figure(result.total))]
    return unit + [
        (ui["rulebook"], neutralize(info.title)),
        (ui["rulebook_id"], neutralize(info.id)),
        (ui["as_of"], date_text(result.as_of)),
        (ui["score"], _figure(result.grading_percent)),
        (ui["grade"], neutralize(result.grade or "")),
        (ui["graded_on"], ui["graded_on_strict"] if result.graded_on == "strict_percent" else ui["graded_on_percent"]),
        (ui["percent_assessed"], _figure(result.percent)),
        (ui["strict_percent"], _figure(result.strict_percent)),
        *scoring_extra,
        (ui["coverage"], percent_text(result.coverage)),
        (ui["findings_count"], len(table)),
        (ui["open"], len(table) - waived),
        (ui["waived"], waived),
        *extra,
    ]


def _division_counts(result, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per division: its rows in the list (open, waived, by severity), then its place in the
    report's ranking (percent and violations, DESIGN §7: every rule re-assessed on its rows).
    Divisions in the order of their sheets (most findings first), then ranked ones with none."""
    ui = vocabulary(lang)
    finding = table["status_code"] != "due_soon"  # open, waived and severities count findings
    counts = pd.DataFrame({
        "rows": table.groupby("department", sort=False).size(),
        "open": (finding & ~table["waived_flag"]).groupby(table["department"], sort=False).sum(),
        "waived": (finding & table["waived_flag"]).groupby(table["department"], sort=False).sum(),
        **{s.value: (finding & (table["severity_code"] == s.value)).groupby(table["department"], sort=False).sum()
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


#: rows of a division sheet turned into Python cells at a time
XLSX_SLICE_ROWS = 10_000


def _text_width(series: pd.Series) -> pd.Series:
    """How wide each text is in spreadsheet columns: a Chinese (wide) character counts two."""
    text = series.astype("string").fillna("")
    wide = text.str.count(r"[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
    return text.str.len() + 0.8 * wide  # a wide glyph takes about 1.8 columns


def _row_heights(frame: pd.DataFrame, spec: list[tuple[str, str, int]], wrapped) -> pd.Series:
    """The height (points) each row needs for its wrapped cells to show whole: a spreadsheet
    does not grow a row for wrapped text it did not write itself (LibreOffice, Excel on open)."""
    lines = pd.Series(1, index=frame.index, dtype="int64")
    for name, _, width in spec:
        if name in wrapped and name in frame.columns:
            lines = np.maximum(lines, np.ceil(_text_width(frame[name]) / max(1, width - 1)).astype("int64"))
    return 15.0 * lines.clip(upper=12) + 2


def _print_setup(sheet, *, landscape: bool, title_rows: str | None = "1:1", header: str | None = None) -> None:
    """A4, one page wide (as many pages down as it takes), narrow margins, the header row on every
    page and the sheet's name with the page number in the footer. Set before the first row is
    written: a write-only sheet writes its properties with its first row."""
    sheet.page_setup.paperSize = "9"  # A4 (ECMA-376 paper size 9)
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = "&A  &P / &N"
    if header:
        sheet.oddHeader.center.text = header


def _write_xlsx(result, table: pd.DataFrame, tmp: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ui = vocabulary(lang)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8ECF2")
    used: set[str] = set()

    def header_row(sheet, texts, wrap: bool = False):
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center", wrap_text=wrap)
            cells.append(cell)
        return cells

    # summary: the audit in a few lines, then findings and ranking per division
    summary = workbook.create_sheet(_sheet_title(ui["summary"], used))
    lines_of_summary = _summary_lines(result, table, lang)
    # the labels' column as wide as its longest label (English labels run longer than Chinese ones)
    label_width = min(40, max(22, 1 + int(_text_width(pd.Series([label for label, _ in lines_of_summary])).max())))
    summary_widths = (label_width, 14, 10, 10, 9, 9, 9, 12, 10)
    for letter, width in zip("ABCDEFGHI", summary_widths):
        summary.column_dimensions[letter].width = width
    _print_setup(summary, landscape=False, title_rows=None)
    line = [0]  # the row being written (a long text is merged across the table's width, wrapped)
    wrap = Alignment(wrap_text=True, vertical="top")

    def add(values, *, text_from: int | None = None, text=None):
        line[0] += 1
        if text_from is not None:  # one text spanning the columns from text_from to the last
            width = sum(summary_widths[text_from:]) - 1
            summary.row_dimensions[line[0]].height = 15.0 * max(1, -(-int(_text_width(pd.Series([text])).iloc[0]) // width)) + 2
            cell = WriteOnlyCell(summary, value=text)
            cell.alignment = wrap
            values = list(values) + [cell]
            summary.merged_cells.add(f"{'ABCDEFGHI'[text_from]}{line[0]}:I{line[0]}")
        summary.append(values)

    for label, value in lines_of_summary:
        if isinstance(value, str) and _text_width(pd.Series([value])).iloc[0] > summary_widths[1]:
            add([WriteOnlyCell(summary, value=label)], text_from=1, text=value)
        else:
            add([WriteOnlyCell(summary, value=label), value])
    add([])
    divisions = _division_counts(result, table, lang)
    summary.row_dimensions[line[0] + 1].height = 30  # its headers wrap in their narrow columns
    add(header_row(summary, [ui["division"], *divisions.columns], wrap=True))
    for department, row in divisions.iterrows():
        add([_ILLEGAL_XLSX.sub("", str(department)),
             *[None if v is None or pd.isna(v) else (float(v) if isinstance(v, float) else int(v))
               for v in row.tolist()]])
    add([])
    add([], text_from=0, text=ui["list_note"].format(whole_unit=word("whole_unit", lang)))
    add([], text_from=0, text=ui["status_legend"])
    guard = result.coverage_warnings(lang)  # the coverage guard, in the words of the report and terminal
    if guard:
        add([])
        add(header_row(summary, [ui["gaps"]]))
        for warning in guard:
            add([], text_from=0, text=neutralize(_ILLEGAL_XLSX.sub("", warning)))
    gaps = ratio_gaps(result)
    if gaps:
        add([])
        summary.row_dimensions[line[0] + 1].height = 30
        add(header_row(summary, [ui["ratio_gaps"], ui["rule_title"], ui["ratio_rate"], ui["ratio_target"],
                                 ui["violations"], ui["ratio_more"]], wrap=True))
        for gap in gaps:
            title = WriteOnlyCell(summary, value=neutralize(_ILLEGAL_XLSX.sub("", gap["title"])))
            title.alignment = wrap
            lines = -(-int(_text_width(pd.Series([gap["title"]])).iloc[0]) // (summary_widths[1] - 1))
            summary.row_dimensions[line[0] + 1].height = 15.0 * max(1, lines) + 2
            add([gap["rule"], title, percent_text(gap["rate"]), percent_text(gap["min"]), gap["failing"],
                 gap["needed"]])
        add([], text_from=0, text=ui["ratio_gap_note"])

    per_sheet = EXCEL_MAX_ROWS - 1
    spec = columns_of(table)
    titles = headers(spec, lang)
    # division sheets in the summary's order: most findings first
    departments = table["department"].value_counts(sort=True).index.tolist() if len(table) else []
    for department in departments:
        rows = table[table["department"] == department]
        for part, start in enumerate(range(0, len(rows), per_sheet), start=1):
            chunk = rows.iloc[start:start + per_sheet]
            name = str(department) if part == 1 else f"{department} ({part})"
            sheet = workbook.create_sheet(_sheet_title(name, used))
            names = [name for name, _, _ in spec]
            no_sheet = "sheet" in names and not chunk["sheet"].notna().any()  # a CSV ledger's rows
            for index, (column, _, width) in enumerate(spec, start=1):
                dimension = sheet.column_dimensions[get_column_letter(index)]
                dimension.width = width
                if column in FOLDED or (column == "sheet" and no_sheet):
                    dimension.outlineLevel, dimension.hidden = 1, True
            sheet.sheet_properties.outlinePr.summaryRight = False  # the [+] sits at the folded columns
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec))}{len(chunk) + 1}"
            # printed as handed out: A4 landscape, one page wide, the header on every page
            _print_setup(sheet, landscape=True, header=f"&A  {ui['findings_list']}  {ui['as_of']} {date_text(result.as_of)}")
            sheet.row_dimensions[1].height = 30
            sheet.append(header_row(sheet, titles, wrap=True))
            status_at = names.index("status")
            if len(chunk):
                # 完成情况: a drop-down of the usual answers (free text is still accepted)
                letter = get_column_letter(names.index("progress") + 1)
                choice = DataValidation(type="list", formula1='"' + ui["progress_options"] + '"',
                                        allow_blank=True, showErrorMessage=False)
                choice.add(f"{letter}2:{letter}{len(chunk) + 1}")
                sheet.data_validations.append(choice)
                # 状态: one of the list's four statuses (a typo is refused, with the legend as the reason)
                letter = get_column_letter(status_at + 1)
                statuses = ",".join(ui[f"rs_{code}"] for code in LIST_STATUSES)
                status_choice = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=False,
                                               showErrorMessage=True, errorTitle=ui["list_status"],
                                               error=ui["status_legend"][:255])
                status_choice.add(f"{letter}2:{letter}{len(chunk) + 1}")
                sheet.data_validations.append(status_choice)
            wrap_at = [i for i, name in enumerate(names) if name in WRAPPED]
            wrap = Alignment(wrap_text=True, vertical="top")
            top = Alignment(vertical="top")
            heights = _row_heights(chunk, spec, WRAPPED).tolist()
            # each column's style set once on a template cell (the problem in full, wrapped in its
            # column; ISO dates; the status's colour) and copied to every cell: setting a style
            # on each cell made openpyxl hash and look it up each time
            templates = []
            for i, column in enumerate(names):
                template = WriteOnlyCell(sheet)
                template.alignment = wrap if i in wrap_at else top
                if column in DATE_COLUMNS:
                    template.number_format = "yyyy-mm-dd"
                templates.append(template._style)
            status_styles = {}
            for code, status_fill in STATUS_FILLS.items():
                template = WriteOnlyCell(sheet)
                template.alignment = wrap if status_at in wrap_at else top
                template.fill = status_fill
                status_styles[code] = template._style
            number = 2
            # the Python cells of XLSX_SLICE_ROWS rows at a time: openpyxl's write-only sheet streams
            # them to disk, so the memory beside the list stays the same whatever its length
            for at in range(0, len(chunk), XLSX_SLICE_ROWS):
                part_rows = chunk.iloc[at:at + XLSX_SLICE_ROWS]
                for values, code in zip(_cells(part_rows, spec), part_rows["status_code"].tolist()):
                    sheet.row_dimensions[number].height = heights[number - 2]
                    cells = [WriteOnlyCell(sheet, value=v) for v in values]
                    for cell, style in zip(cells, templates):
                        cell._style = copy(style)
                    cells[status_at]._style = copy(status_styles[code])
                    sheet.append(cells)
                    number += 1
    if result.data_issues:  # the cells that could not be read, on a sheet of their own
        _issues_sheet(workbook, result, _sheet_title(ui["data_issue_sheet"], used), lang, header_row)
    workbook.save(tmp)


def issues_table(result, lang: str = "zh") -> pd.DataFrame:
    """The data issues as the list's sheet shows them: ledger, field (the header as found), row,
    sheet, the value as typed, the problem in ``lang``."""
    from .words import problem_text

    ui = vocabulary(lang)
    columns = [ui["dataset"], ui["field"], ui["row"], ui["sheet"], ui["issue_value"], ui["problem"]]
    if not result.data_issues:
        return pd.DataFrame(columns=columns)
    issues = pd.DataFrame(result.data_issues)
    titles = {name: (spec.title or name) if lang == "zh" else name for name, spec in result.book.datasets.items()}
    headers = {(name, f): h for name, ds in result.data.items() for f, h in ds.headers.items()}
    field_of = [headers.get((d, f), f) if lang == "zh" else f
                for d, f in zip(issues["dataset"], issues.get("field", pd.Series(None, index=issues.index)))]
    problems = {p: problem_text(p, lang) for p in issues["problem"].dropna().unique()}
    return pd.DataFrame({
        columns[0]: issues["dataset"].map(lambda d: titles.get(d, d)),
        columns[1]: field_of,
        columns[2]: pd.to_numeric(issues.get("row"), errors="coerce").astype("Int64"),
        columns[3]: issues.get("sheet", pd.Series(None, index=issues.index)),
        columns[4]: issues.get("value", pd.Series(None, index=issues.index)),
        columns[5]: issues["problem"].map(problems),
    })


def _issues_sheet(workbook, result, title: str, lang: str, header_row) -> None:
    from openpyxl.utils import get_column_letter

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    table = issues_table(result, lang)
    sheet = workbook.create_sheet(title)
    widths = (16, 16, 9, 12, 24, 50)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    _print_setup(sheet, landscape=True)
    sheet.append(header_row(sheet, list(table.columns)))
    spec = [(name, name, width) for name, width in zip(table.columns, widths)]
    heights = _row_heights(table, spec, (table.columns[4], table.columns[5])).tolist()
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, (values, height) in enumerate(zip(table.itertuples(index=False), heights), start=2):
        sheet.row_dimensions[number].height = height
        cells = []
        for i, v in enumerate(values):
            cell = WriteOnlyCell(sheet, value=None if v is None or (not isinstance(v, str) and pd.isna(v))
                                 else int(v) if i == 2 else neutralize(_ILLEGAL_XLSX.sub("", str(v))))
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    if len(table):
        sheet.auto_filter.ref = f"A1:F{len(table) + 1}"
