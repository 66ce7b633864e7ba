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
    names = list(table.columns) if isinstance(table, pd.DataFrame) else list(table)
    first = [UNIT_COLUMN] if "unit" in names else []
    if "sheet" not in names or not _has_values(table["sheet"]):
        return first + COLUMNS
    at = [name for name, _, _ in COLUMNS].index("row") + 1
    return first + COLUMNS[:at] + [SHEET_COLUMN] + COLUMNS[at:]


def _has_values(column) -> bool:
    """Whether a column of the list (a table's, or a coded one of ``_listing``) has a value."""
    return bool((column.codes >= 0).any()) if isinstance(column, _Coded) else bool(column.notna().any())


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


class _Coded:
    """A text column of the list as codes into its distinct texts (``-1``: blank): the list is
    built on these, so that a word is looked up, a text neutralised, compared and sorted once
    per distinct text, and only the finished columns are made text row by row (by Arrow)."""

    __slots__ = ("codes", "texts")

    def __init__(self, codes: np.ndarray, texts: np.ndarray):
        self.codes = np.asarray(codes, dtype=np.int64)  # -1: blank
        self.texts = texts                               # object: str, or None for blank

    @classmethod
    def of(cls, values) -> "_Coded":
        """Values as ``astype("string")`` reads them (blanks blank, any other value by ``str``);
        values equal as Python values (the texts and blanks of a ledger column) share a code."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        return cls(codes, _strings(uniques))

    @classmethod
    def constant(cls, text, n: int) -> "_Coded":
        return cls(np.zeros(n, dtype=np.int64), _strings([text]))

    @classmethod
    def concat(cls, columns: list["_Coded"]) -> "_Coded":
        offsets = np.cumsum([0] + [len(c.texts) for c in columns[:-1]])
        codes = [np.where(c.codes < 0, -1, c.codes + o) for c, o in zip(columns, offsets)]
        texts = np.concatenate([c.texts for c in columns]) if columns else np.empty(0, dtype=object)
        return cls(np.concatenate(codes) if codes else np.empty(0, dtype=np.int64), texts)

    def take(self, order: np.ndarray) -> "_Coded":
        return _Coded(self.codes[order], self.texts)

    def relabel(self, labels: dict) -> "_Coded":
        """Each text that has a label replaced by it (the others kept)."""
        return _Coded(self.codes, _objects([labels.get(t, t) if t is not None else None for t in self.texts]))

    def mapped(self, labels: dict) -> "_Coded":
        """Each text replaced by its label (blank without one), as ``Series.map(dict)``."""
        return _Coded(self.codes, _strings([labels.get(t) if t is not None else None for t in self.texts]))

    def neutralized(self) -> "_Coded":
        return _Coded(self.codes, _objects([neutralize(t) for t in self.texts]))

    def objects(self, at: np.ndarray) -> np.ndarray:
        """The texts of rows ``at`` as an object array (None for blank)."""
        return np.append(self.texts, None)[self.codes[at]] if len(at) else np.empty(0, dtype=object)

    def blank(self) -> np.ndarray:
        return self.codes < 0

    def ranks(self) -> np.ndarray:
        """Each row's place in the sorted distinct texts (blanks last): the codes of
        ``factorize(sort=True)`` of the column, from its distinct texts."""
        if not len(self.texts):
            return np.zeros(len(self.codes), dtype=np.int64)
        order, uniques = pd.factorize(pd.array(self.texts, dtype="string"), sort=True, use_na_sentinel=True)
        order = np.where(order < 0, len(uniques), order)
        return np.where(self.codes < 0, len(uniques), order[np.maximum(self.codes, 0)])

    def series(self) -> pd.Series:
        """The column as the list holds it: a pandas ``string`` column (Arrow), one take."""
        import pyarrow as pa
        import pyarrow.compute as pc

        texts = pa.array(self.texts, type=pa.large_string(), from_pandas=True)
        codes = pa.array(self.codes, mask=self.codes < 0) if len(self.codes) else pa.array([], type=pa.int64())
        return pd.Series(pd.arrays.ArrowStringArray(pc.take(texts, codes)), copy=False)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _strings(values) -> np.ndarray:
    """Distinct values as text, as ``astype("string")`` makes them: an object array of str and
    None (blank)."""
    text = pd.array(_objects(list(values)), dtype="string")
    return _objects(text.to_numpy(dtype=object, na_value=None).tolist())


def _row_numbers(rows: np.ndarray) -> np.ndarray:
    """Spreadsheet row numbers (an object array of int and None) as floats, NaN for none."""
    try:
        return np.asarray(rows, dtype=np.int64).astype(float)
    except (TypeError, ValueError):  # some findings have no row (a count rule's groups)
        return pd.to_numeric(pd.Series(rows, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _concat(arrays: list, dtype) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)


def _listed(result, lang: str) -> dict:
    """The findings (every finding, in the findings frame's order), then the due-soon rows of
    the deadline rules (DESIGN §6: yellow rows are listed so that a division acts before the
    day passes), as aligned columns: text columns coded (``_Coded``), the others numpy arrays.
    Built from each rule's findings part (its arrays, its messages coded by distinct text)."""
    parts = [p for p in result.parts if len(p)]
    sizes = np.asarray([len(p) for p in parts], dtype=np.int64)
    at = np.repeat(np.arange(len(parts)), sizes)
    nat = np.datetime64("NaT", "s")

    def detail(p, name, fill):
        return p.details[name] if name in p.exported else np.full(len(p), fill)

    messages = [_Coded(*p.message_codes(lang)) for p in parts]
    texts = [m.texts for m in messages]
    out = {
        "rule": _Coded(at, _strings([p.rule.id for p in parts])),
        "dataset": _Coded(at, _strings([p.dataset for p in parts])),
        "severity": _Coded(at, _strings([p.severity for p in parts])),
        "row": _concat([_row_numbers(p.row) for p in parts], float),
        "sheet": _Coded.of(_concat([p.sheet if p.sheet is not None else np.full(len(p), None, dtype=object)
                                    for p in parts], object)) if any(p.sheet is not None for p in parts)
        else _Coded(np.full(len(at), -1), _objects([])),
        "key": _concat([p.key for p in parts], object),
        "department": _Coded.of(_concat([p.department for p in parts], object)),
        "waived": _concat([np.asarray(p.waived, dtype=bool) for p in parts], bool),
        "message": _Coded(_concat([m.codes + o for m, o in zip(messages, np.cumsum([0] + [len(t) for t in texts[:-1]]))],
                                  np.int64), _strings(_concat(texts, object))),
        "deadline": _concat([np.asarray(detail(p, "deadline", nat), dtype="datetime64[s]") for p in parts],
                            "datetime64[s]"),
        "end": _concat([np.asarray(detail(p, "end", nat), dtype="datetime64[s]") for p in parts], "datetime64[s]"),
        "late_workdays": _concat([np.asarray(detail(p, "late_workdays", np.nan), dtype=float) for p in parts], float),
    }
    finished_late = ~np.isnat(out["deadline"]) & ~np.isnat(out["end"]) & (out["late_workdays"] > 0)
    code = {status: i for i, status in enumerate(LIST_STATUSES)}  # the list's status, as an index of LIST_STATUSES
    out["list_status"] = np.where(out["waived"], code["waived"], np.where(finished_late, code["explain"], code["open"]))
    soon = result.due_soon_frame()
    if not len(soon):
        return out
    n = len(soon)
    severities = {rr.id: rr.severity for rr in result.rules}
    template = word("due_soon_message", lang, deadline="{deadline}", n="{n}")
    due_messages = [template.format(deadline=date_text(d), n=int(n))
                    for d, n in zip(soon["deadline"], soon["workdays_left"])]  # the few yellow rows
    due = {
        "rule": _Coded.of(soon["rule"]), "dataset": _Coded.of(soon["dataset"]),
        "severity": _Coded.of(soon["rule"].map(severities)),
        "row": _row_numbers(soon["row"].to_numpy(dtype=object)), "sheet": _Coded.of(soon["sheet"]),
        "key": soon["key"].to_numpy(dtype=object), "department": _Coded.of(soon["department"]),
        "waived": np.zeros(n, dtype=bool), "message": _Coded.of(due_messages),
        "deadline": pd.to_datetime(soon["deadline"]).to_numpy().astype("datetime64[s]"),
        "end": np.full(n, np.datetime64("NaT", "ns")), "late_workdays": np.full(n, np.nan),
        "list_status": np.full(n, code["due_soon"])}
    return {name: _Coded.concat([column, due[name]]) if isinstance(column, _Coded)
            else np.concatenate([column, due[name]]) for name, column in out.items()}


def _division_names(department: _Coded, has_row: np.ndarray, lang: str) -> _Coded:
    """The division each finding is listed under: its row's division; the blank division's
    name for a row whose division is blank; the whole unit for a group finding (a count
    rule's group has no row, and no division unless ``per`` is the division field)."""
    texts = department.texts
    blank_text = np.asarray([t is None or t == "" or t == BLANK_DIVISION for t in texts], dtype=bool)
    blank = department.blank() | blank_text[np.maximum(department.codes, 0)] if len(texts) else department.blank()
    k = len(texts)
    codes = np.where(blank, np.where(has_row, k, k + 1), department.codes)
    return _Coded(codes, np.concatenate([texts, _strings([word("blank_division", lang), word("whole_unit", lang)])]))


def _raw_values(result, rule: "_Coded", dataset: "_Coded", row: pd.Series, sheet: "_Coded",
                lang: str = "zh") -> pd.Series:
    """What was typed in the cells of each listed row that the rule reads and that could not be
    understood (the data issues of that row and field): ``header：value`` joined with ``；``.
    A bad cell is shown as typed (``2021-13-05``), never as blank. A join on (dataset, row,
    sheet, field) of the listed rows whose row has a data issue, no loop over rows."""
    n = len(row)
    out = pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    if not result.data_issues or not n:
        return out
    issues = pd.DataFrame(result.data_issues)
    if "value" not in issues or "row" not in issues:
        return out
    issues = issues[issues["value"].notna() & issues["row"].notna()]
    if not len(issues):
        return out
    fields = pd.DataFrame([(rr.id, f) for rr in result.rules for f in dict.fromkeys(rr.fields)],
                          columns=["rule", "field"])
    right = pd.DataFrame({"dataset": issues["dataset"].astype(object), "field": issues["field"].astype(object),
                          "row": pd.to_numeric(issues["row"], errors="coerce").astype(float),
                          "sheet": issues.get("sheet", pd.Series(None, index=issues.index)).astype(object)
                          .where(lambda s: s.notna(), ""),
                          "value": issues["value"].astype(str)})
    rows = pd.Series(row.to_numpy(dtype=float, na_value=np.nan))
    at = np.flatnonzero(rows.isin(right["row"]).to_numpy())  # only rows with a bad cell meet the fields of their rule
    sheets = sheet.objects(at)
    left = pd.DataFrame({"at": at, "rule": rule.objects(at), "dataset": dataset.objects(at),
                         "row": rows.to_numpy()[at], "sheet": np.where(pd.isna(sheets), "", sheets)})
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
    listing = _listing(result, lang)
    return pd.DataFrame({name: _materialized(column) for name, column in listing.items()})


def _materialized(column) -> pd.Series:
    """A column of ``_listing`` as the table holds it (text as pandas ``string`` columns)."""
    if isinstance(column, _Coded):
        return column.series()
    if isinstance(column, pd.Series):
        return column.reset_index(drop=True)
    return pd.Series(pd.arrays.ArrowStringArray(column), copy=False)  # a pyarrow text column


def _listing(result, lang: str = "zh") -> dict:
    """The columns of :func:`findings_table` before they are made text row by row: text columns
    coded (``_Coded``) or as pyarrow text (the keys), numbers, dates and flags as pandas
    columns. The CSV is written from these; the table is these made whole."""
    import pyarrow as pa

    ui = vocabulary(lang)
    found = _listed(result, lang)
    row = pd.Series(pd.array(found["row"], dtype="Float64")).astype("Int64")
    has_row = row.notna().to_numpy()
    division = _division_names(found["department"], has_row, lang).neutralized()
    rule = found["rule"].neutralized()
    # ordered by division, rule, row (as the table's neutralised columns sort; blanks last,
    # ties as listed)
    order = _list_order({"department": division, "rule": rule, "row": row})
    found = {name: column.take(order) if isinstance(column, _Coded) else column[order]
             for name, column in found.items()}
    row, division, rule = row.take(order).reset_index(drop=True), division.take(order), found["rule"]
    titles = {rr.id: rr.title for rr in result.rules}
    clauses = {rr.id: (rr.basis or {}).get("clause") or "" for rr in result.rules}
    # a ledger by its title in Chinese (as the rulebook names it), by its dataset name in English
    dataset_titles = {name: spec.title for name, spec in result.book.datasets.items() if spec.title and lang == "zh"}
    status = _Coded(found["list_status"], _objects(list(LIST_STATUSES)))
    waived = found["waived"]
    n = len(waived)
    deadline = pd.Series(found["deadline"])
    rectify = rectify_date(result)
    rectify_by = pd.Series(rectify if rectify is not None else pd.NaT, index=range(n), dtype="datetime64[ns]")
    is_status = {code: status.codes == i for i, code in enumerate(LIST_STATUSES)}
    rectify_by = rectify_by.mask(is_status["due_soon"], deadline).mask(is_status["waived"], pd.NaT)
    blank = _Coded(np.full(n, -1), _objects([]))
    key = _neutralize_arrow(_arrow_text(found["key"]))
    raw = _raw_values(result, rule, found["dataset"], row, found["sheet"], lang)
    # numbered per division: the list is ordered by division, so each division's rows are one run
    ranks = division.ranks()
    starts = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]]) if n else np.empty(0, dtype=np.int64)
    seq = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
    listing = {
        "seq": pd.Series(pd.array(seq, dtype="Int64")),
        "rule": rule.neutralized(),
        "title": rule.mapped(titles).neutralized(),
        "department": division,
        "dataset": found["dataset"].relabel(dataset_titles).neutralized(),
        "row": row,
        "sheet": found["sheet"].neutralized(),
        "key": key,
        "message": found["message"].neutralized(),
        "raw": _neutralize_arrow(_arrow(raw, pa.large_string())),
        "severity": found["severity"].relabel({s.value: severity_word(s, lang) for s in Severity}).neutralized(),
        "status": status.mapped({code: ui[f"rs_{code}"] for code in LIST_STATUSES}),
        "waived": _Coded(waived.astype(np.int64), _strings([ui["no"], ui["yes"]])).neutralized(),
        "rectify_by": rectify_by,
        "owner": blank, "measures": blank, "progress": blank,
        "clause": rule.mapped(clauses).neutralized(),
        "deadline": deadline,
        "end": pd.Series(found["end"]),
        "late_workdays": pd.Series(pd.array(found["late_workdays"], dtype="Float64")).astype("Int64"),
        "waived_flag": pd.Series(waived),
        "severity_code": found["severity"],
        "status_code": status,
    }
    if result.unit is not None:
        listing = {"unit": _Coded.constant(result.unit["name"], n).neutralized(), **listing}
    return listing


def _arrow_text(values: np.ndarray):
    """An object array as pyarrow text, as ``astype("string")`` reads it (blanks null, any
    other value by ``str``): converted by pyarrow when it holds only text and blanks."""
    import pyarrow as pa

    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # numbers or other values: each by str
        return pa.array(pd.array(values, dtype="string"), type=pa.large_string())


def _neutralize_arrow(text):
    """``neutralize`` of every value of a pyarrow text array (blanks stay blank), by Arrow kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    risky = pc.fill_null(pc.match_substring_regex(text, _FORMULA_RE), False)
    if not pc.any(risky).as_py():
        return text
    return pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'", text.type), text, pa.scalar("", text.type)),
                      text)


def _list_order(table) -> np.ndarray:
    """The positions of the list sorted by division, rule, row (stable, blanks last): what
    ``sort_values([...], kind="stable")`` gives, by one ``lexsort`` of integer codes (a coded
    column's from the ranks of its distinct texts). ``table``: a frame or a dict of columns."""
    keys = []
    for name in ("row", "rule", "department"):  # lexsort: the last key is the primary one
        column = table[name]
        if isinstance(column, _Coded):
            keys.append(column.ranks())
            continue
        codes, uniques = pd.factorize(column, sort=True)
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
STATUS_COLOURS = {"open": "F8D7DA", "explain": "F5C6CB", "due_soon": "FFF3CD", "waived": "E2E3E5"}


def _figure(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def write_findings(result, path, lang: str = "zh") -> None:
    """Write the rectification list to ``path`` (.csv or .xlsx), atomically; messages in ``lang``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"the findings export is .csv or .xlsx, not {path.suffix or 'a file without suffix'!r}: {path}")
    # the CSV is written from the list's coded columns (each distinct text quoted once), the
    # workbook from the table
    table = _listing(result, lang) if suffix == ".csv" else findings_table(result, lang)
    writer = _write_csv if suffix == ".csv" else _write_xlsx
    write_via_temp(path, lambda tmp: writer(result, table, tmp, lang))


#: rows of the list turned into CSV text at a time (bounds the memory of the text beside the table)
CSV_CHUNK_ROWS = 8_192
_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def _csv_field(text: str) -> str:
    """One CSV field as Excel reads it (and as Python's csv module writes it, QUOTE_MINIMAL):
    quoted, with its quotes doubled, when it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


class _CsvColumn:
    """One column of the list as the text of its CSV fields, a slice of rows at a time. A
    column of few distinct values (rules, divisions, statuses, dates; a coded column of
    ``_listing``) is quoted once per distinct value and taken by code; any other is quoted
    slice by slice. Arrow kernels on whole slices, never value by value."""

    #: values looked at to tell a column of few distinct values from one of many
    SAMPLE = 8192

    def __init__(self, column, name: str):
        import pyarrow as pa
        import pyarrow.compute as pc

        self.coded = None  # (the quoted distinct texts, "" last for blanks; each row's code)
        self.values = None
        self.suffix = None  # text after each field (ending)
        if isinstance(column, _Coded):
            texts = pa.array(np.append(column.texts, "").tolist(), type=pa.large_string())
            self.coded = (_csv_quoted(pc.fill_null(texts, _empty_text())),
                          np.where(column.codes < 0, len(column.texts), column.codes))
            return
        if isinstance(column, (pa.Array, pa.ChunkedArray)):
            values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        elif name in DATE_COLUMNS:  # ISO dates, as strftime(ISO_DATE) writes them (any datetime unit)
            values = pc.cast(_arrow(column), pa.date32())
        elif name in INT_COLUMNS:
            values = _arrow(column.astype("Int64"), pa.int64())
        else:
            values = _arrow(column.astype("string"), pa.large_string())
        sample = values.slice(0, self.SAMPLE)
        if len(pc.unique(sample)) * 4 < max(1, len(sample)):  # few distinct values: each written once
            coded = pc.dictionary_encode(values)
            if len(coded.dictionary) * 4 < len(values):
                texts = pc.fill_null(_as_text(coded.dictionary), _empty_text())
                dictionary = _csv_quoted(pa.concat_arrays([texts, pa.array([""], type=texts.type)]))
                indices = coded.indices.to_numpy(zero_copy_only=False) if coded.indices.null_count == 0 \
                    else pc.fill_null(coded.indices, len(texts)).to_numpy()
                self.coded = (dictionary, np.asarray(indices, dtype=np.int64))
                return
        self.values = values

    @classmethod
    def _of_coded(cls, dictionary, codes: np.ndarray) -> "_CsvColumn":
        column = cls.__new__(cls)
        column.coded, column.values, column.suffix = (dictionary, codes), None, None
        return column

    def joined(self, other: "_CsvColumn") -> "_CsvColumn | None":
        """This column and the next as one (their fields joined by a comma), when both are
        coded and their pairs of values are few; None otherwise."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.coded is None or other.coded is None:
            return None
        (left, left_codes), (right, right_codes) = self.coded, other.coded
        pairs = left_codes * len(right) + right_codes
        codes, uniques = pd.factorize(pairs)
        if len(uniques) * 4 >= max(1, len(pairs)):
            return None
        texts = pc.binary_join_element_wise(pc.take(left, pa.array(uniques // len(right))),
                                            pc.take(right, pa.array(uniques % len(right))),
                                            pa.scalar(",", pa.large_string()))
        return self._of_coded(texts, np.asarray(codes, dtype=np.int64))

    def ending(self, suffix: str) -> "_CsvColumn":
        """The column with ``suffix`` after each field (the line end after the last column)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.coded is not None:
            dictionary, codes = self.coded
            return self._of_coded(pc.binary_join_element_wise(dictionary, pa.scalar(suffix, dictionary.type),
                                                               _empty_text()), codes)
        self.suffix = suffix
        return self

    def text(self, start: int, stop: int):
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.coded is not None:
            dictionary, codes = self.coded
            return pc.take(dictionary, pa.array(codes[start:stop]))
        text = pc.fill_null(_csv_quoted(_as_text(self.values.slice(start, stop - start))), _empty_text())
        if self.suffix is not None:
            text = pc.binary_join_element_wise(text, pa.scalar(self.suffix, text.type), _empty_text())
        return text


def _arrow(series: pd.Series, type=None):
    """A column as one pyarrow array (a pandas column over several Arrow chunks combined)."""
    import pyarrow as pa

    values = pa.array(series, type=type, from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _empty_text():
    import pyarrow as pa

    return pa.scalar("", pa.large_string())


def _as_text(values):
    """Values as the text of their CSV fields before quoting: text as it is, dates ISO, numbers
    as integers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return values if pa.types.is_large_string(values.type) else pc.cast(values, pa.large_string())


def _csv_quoted(text):
    """``_csv_field`` of every value of a pyarrow string array, by Arrow kernels."""
    import pyarrow.compute as pc

    import pyarrow as pa

    special = pc.match_substring_regex(text, r'[,"\r\n]')
    if not pc.any(special).as_py():
        return text
    quote, empty = pa.scalar('"', text.type), pa.scalar("", text.type)
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
    return pc.if_else(special, quoted, text)


def _csv_lines(columns: list[_CsvColumn], start: int, stop: int) -> memoryview:
    """The CSV lines (CRLF) of rows ``start:stop`` as one UTF-8 buffer: the fields of each
    column joined row-wise by Arrow (the line end is the last field's), and the
    values buffer of the joined array taken as is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fields = [column.text(start, stop) for column in columns]
    lines = pc.binary_join_element_wise(*fields, pa.scalar(",", pa.large_string())) if len(fields) > 1 else fields[0]
    if len(lines) == 0:
        return memoryview(b"")
    large = pa.types.is_large_string(lines.type)
    offsets = memoryview(lines.buffers()[1]).cast("q" if large else "i")
    return memoryview(lines.buffers()[2])[offsets[lines.offset]:offsets[lines.offset + len(lines)]]


def _write_csv(result, table, tmp: Path, lang: str) -> None:
    """UTF-8 with a BOM, CRLF line ends, fields quoted only where needed: the bytes of
    ``DataFrame.to_csv(encoding="utf-8-sig", lineterminator="\r\n")`` of the list, written
    chunk by chunk from Arrow kernels (no Python per row or per cell). ``table``: the list
    (:func:`findings_table`), or its columns as :func:`_listing` gives them."""
    columns = columns_of(table)
    fields = []
    for name, _, _ in columns:  # neighbouring coded columns joined: one field per run of them
        field = _CsvColumn(table[name], name)
        joined = fields[-1].joined(field) if fields else None
        if joined is not None:
            fields[-1] = joined
        else:
            fields.append(field)
    fields[-1] = fields[-1].ending("\r\n")
    n = len(table) if isinstance(table, pd.DataFrame) else len(table["seq"])
    with open(tmp, "wb") as out:
        out.write(b"\xef\xbb\xbf" + (",".join(_csv_field(h) for h in headers(columns, lang)) + "\r\n").encode("utf-8"))
        for start in range(0, n, CSV_CHUNK_ROWS):
            out.write(_csv_lines(fields, start, min(start + CSV_CHUNK_ROWS, n)))


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
            for code, status_fill in ((code, _fill(colour)) for code, colour in STATUS_COLOURS.items()):
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
