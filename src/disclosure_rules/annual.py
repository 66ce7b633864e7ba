"""The statutory annual report's tables 二, 三 and 四, built from the ledgers (DESIGN §14).

``annual_report(book, data, year=None)`` reads the ledgers the book's ``annual_report:``
mapping names (through :func:`~.datasets.load_dataset`, as the audit does) and counts, on
whole columns, what the national format (国办公开办函〔2021〕30号) asks for.

Semantics, for the year [start, end] (``year``, else the rulebook's period):

- table 三: 一 = requests received within the year; 二 = received before it and not closed
  before it; 三 rows = requests counted in 一 or 二 and closed by the year's end, by outcome
  (a request closed before it was received counts as closed); 三(七) = the sum of the 三
  rows; 四 = requests counted in 一 or 二 and not closed by the year's end. Each request
  counts once, in its applicant's column; 总计 = the sum of the six columns. A request with
  a blank or unmapped applicant type is in no column; one with a blank or unmapped
  outcome is in 一 or 二 but in no 三 row; both are listed as problems when the request
  was closed within the year, as is one closed before it was received. A request with no
  receipt date cannot be placed in any year: it is counted nowhere and named in a warning.
- table 二: per row (规章, 行政规范性文件) the documents of its types issued within the year,
  repealed within it, and issued by its end and not repealed by then. Without a repeal
  date column, 本年废止 and 现行有效 are left to fill. Decisions (许可, 处罚, 强制) and fees
  come from ``figures`` or are left to fill.
- table 四: cases filed within the year, or filed before it and not concluded before it;
  a case not concluded by the year's end is 尚未审结, otherwise it is in its result's
  column; 总计 = the sum of the four. Without a review ledger, its cells come from
  ``figures`` or are left to fill.

Every identity (勾稽关系) of the format is run on the tables (:func:`identities_of`,
which ``--check`` runs on a filled-in table too). Nothing loops over ledger rows: each
category's codes are mapped once per distinct code, then counted with ``bincount``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .annual_format import (APPLICANT_COLUMNS, COLUMNS, DECISION_COLUMN, DECISION_ROWS, DOCUMENT_COLUMNS,
                            DOCUMENT_ROWS, FEE_COLUMN, FEE_ROW, LEAF_ROWS, REVIEW_COLUMNS, REVIEW_GROUPS,
                            REVIEW_RESULTS, ROW_LABELS, ROW_ORDER, TOTAL, best_label)
from .errors import DatasetError, DisclosureRulesError
from .words import word

__all__ = ["annual_report", "AnnualReport", "identities_of", "load_figures", "TABLE2_CELLS"]

#: the cells of table 二, (row, column), in the format's order
TABLE2_CELLS: tuple[tuple[str, str], ...] = (
    tuple((row, col) for row in DOCUMENT_ROWS for col in DOCUMENT_COLUMNS)
    + tuple((row, DECISION_COLUMN) for row in DECISION_ROWS) + ((FEE_ROW, FEE_COLUMN),))
TABLE2_COLUMNS = DOCUMENT_COLUMNS + (DECISION_COLUMN, FEE_COLUMN)
TABLE2_ROWS = DOCUMENT_ROWS + DECISION_ROWS + (FEE_ROW,)

CHECK_ROW = "一+二=三(七)+四"
CHECK_LEAVES = "三(七)=三(一)+…+三(六)3"
CHECK_COLUMNS = "总计=自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他"
CHECK_REVIEW = "总计=结果维持+结果纠正+其他结果+尚未审结"

#: a problem's reason code -> its words key (the message is in words.py, zh and en)
REASONS = ("blank_outcome", "unmapped_outcome", "blank_applicant", "unmapped_applicant",
           "closed_before_received", "blank_kind", "unmapped_kind", "blank_result", "unmapped_result")


# ------------------------------------------------------------------ the result


@dataclass
class AnnualReport:
    """Tables 二, 三 and 四 of one year, their identities and the ledger rows that break them."""

    book: Any
    year: int | None
    start: dt.date
    end: dt.date
    #: table 二: rows TABLE2_ROWS x columns TABLE2_COLUMNS, NA where the format has no cell or it is to fill
    table2: pd.DataFrame
    #: table 三: rows ROW_ORDER x the 7 columns, whole numbers
    table3: pd.DataFrame
    #: table 四: rows REVIEW_GROUPS x REVIEW_COLUMNS, NA where to fill
    table4: pd.DataFrame
    #: cells left to fill by hand: (table, row, column)
    to_fill: list[tuple[str, str, str]]
    #: one row per identity: table, check, row, column, left, right, ok
    identities: pd.DataFrame
    #: one row per problem: dataset, row, sheet, key, reason (code), value
    problems: pd.DataFrame
    #: (words key, values) of each warning, rendered in the reader's language by :meth:`warnings_in`
    notes: list[tuple[str, dict]] = field(default_factory=list)
    #: where each supplied ledger came from: name -> (source, sha256, rows)
    sources: dict[str, tuple[str | None, str | None, int]] = field(default_factory=dict)
    #: cells whose figure came from ``figures``, not from a ledger: (table, row, column)
    from_figures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every identity holds and no ledger row breaks one."""
        return bool(self.identities["ok"].all()) and len(self.problems) == 0

    @property
    def failing(self) -> pd.DataFrame:
        return self.identities[~self.identities["ok"]]

    def reason_text(self, reason: str, value: Any, lang: str = "en") -> str:
        return word(f"annual_reason_{reason}", lang, value="" if value is None else str(value))

    def warnings_in(self, lang: str = "en") -> list[str]:
        return [word(key, lang, **values) for key, values in self.notes]

    def problems_in(self, lang: str = "en", limit: int | None = None) -> list[dict]:
        """The problems as plain dicts (row, key, reason in ``lang``, dataset, sheet); the first
        ``limit`` of them when given (a report shows a few of a ledger's thousands)."""
        problems = self.problems if limit is None else self.problems.head(limit)
        return [{"row": _plain(p.row), "key": _plain(p.key), "reason": self.reason_text(p.reason, _plain(p.value), lang),
                 "dataset": p.dataset, "sheet": _plain(p.sheet)}
                for p in problems.itertuples(index=False)]

    def to_dict(self) -> dict:
        """The JSON of DESIGN §14 (words in English, the format's labels as the format has them)."""
        info = self.book.rulebook
        return {
            "year": self.year,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "rulebook": {"id": info.id, "sha256": self.book.sha256},
            "datasets": {name: {"source": s, "sha256": h, "rows": n} for name, (s, h, n) in self.sources.items()},
            "tables": {
                "二": {row: {col: _plain(self.table2.at[row, col]) for r, col in TABLE2_CELLS if r == row}
                      for row in TABLE2_ROWS},
                "三": {"columns": list(COLUMNS), "labels": {rid: ROW_LABELS[rid] for rid in ROW_ORDER},
                      "rows": {rid: [int(v) for v in self.table3.loc[rid]] for rid in ROW_ORDER}},
                "四": {"columns": list(REVIEW_COLUMNS),
                      "rows": {g: [_plain(v) for v in self.table4.loc[g]] for g in REVIEW_GROUPS}},
            },
            "to_fill": [{"table": t, "row": r, "column": c} for t, r, c in self.to_fill],
            "identities": [{"table": i.table, "check": i.check, "row": i.row, "column": i.column,
                            "left": _plain(i.left), "right": _plain(i.right), "ok": bool(i.ok)}
                           for i in self.identities.itertuples(index=False)],
            "problems": self.problems_in("en"),
            "warnings": self.warnings_in("en"),
            "ok": self.ok,
        }

    def write_json(self, path: str | os.PathLike) -> None:
        from .atomic import write_atomic

        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        write_atomic(path, text.encode("utf-8"))

    def write_xlsx(self, path: str | os.PathLike, lang: str = "zh") -> None:
        from .annual_outputs import write_xlsx

        write_xlsx(self, path, lang)

    def write_html(self, path: str | os.PathLike, lang: str = "zh") -> None:
        from .annual_outputs import write_html

        write_html(self, path, lang)

    def write(self, path: str | os.PathLike, lang: str = "zh") -> None:
        """Write by the file's suffix: .xlsx, .html (or .htm) or .json."""
        suffix = Path(path).suffix.lower()
        if suffix == ".xlsx":
            self.write_xlsx(path, lang)
        elif suffix in (".html", ".htm"):
            self.write_html(path, lang)
        elif suffix == ".json":
            self.write_json(path)
        else:
            raise DisclosureRulesError(word("annual_bad_output", lang, path=str(path)))


def _plain(value: Any) -> Any:
    """A cell as JSON: None for a blank, int for a whole number, float otherwise."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        if value != value:
            return None
        return int(value) if float(value).is_integer() else float(value)
    return value


# ------------------------------------------------------------------ identities


def identities_of(table3: pd.DataFrame, table4: pd.DataFrame | None) -> pd.DataFrame:
    """Every identity (勾稽关系) of tables 三 and 四, on figures that may be blank (NA).

    An identity with a blank operand cannot hold: its ``ok`` is False and the side with the
    blank is None. ``table3`` has the rows ROW_ORDER and the columns COLUMNS; ``table4`` the
    rows REVIEW_GROUPS and the columns REVIEW_COLUMNS (None: not checked)."""
    t3 = table3.reindex(index=list(ROW_ORDER), columns=list(COLUMNS)).astype("Float64")
    out = []

    def side(values: pd.Series):
        return None if values.isna().any() else float(values.sum())

    def add(table, check, row, column, left, right):
        ok = left is not None and right is not None and abs(left - right) < 1e-9
        out.append({"table": table, "check": check, "row": row, "column": column, "left": left, "right": right, "ok": ok})

    for column in COLUMNS:
        cells = t3[column]
        add("三", CHECK_ROW, None, column, side(cells[["一", "二"]]), side(cells[["三(七)", "四"]]))
        add("三", CHECK_LEAVES, None, column, side(cells[["三(七)"]]), side(cells[list(LEAF_ROWS)]))
    for row in ROW_ORDER:
        cells = t3.loc[row]
        add("三", CHECK_COLUMNS, row, TOTAL, side(cells[[TOTAL]]), side(cells[list(APPLICANT_COLUMNS)]))
    if table4 is not None:
        t4 = table4.reindex(index=list(REVIEW_GROUPS), columns=list(REVIEW_COLUMNS)).astype("Float64")
        for group in REVIEW_GROUPS:
            cells = t4.loc[group]
            if cells.isna().all():
                continue  # a table left to fill has nothing to check yet
            add("四", CHECK_REVIEW, None, group, side(cells[[TOTAL]]), side(cells[list(REVIEW_RESULTS)]))
    frame = pd.DataFrame(out, columns=["table", "check", "row", "column", "left", "right", "ok"], dtype=object)
    return frame.astype({"ok": bool})


# ------------------------------------------------------------------ figures


def load_figures(source: str | os.PathLike | Mapping | None) -> dict:
    """``--figures F.yaml``: the cells no ledger gives, as {"二": {(row, col): n}, "四": {(group, col): n}}.

    ```yaml
    二:
      行政许可: 1250                       # a row with one cell takes a number
      行政事业性收费: 0
      规章: {本年制发件数: 0, 本年废止件数: 0, 现行有效件数: 0}
    四:
      行政复议: {结果维持: 1, 结果纠正: 0, 其他结果: 0, 尚未审结: 0}
    ```
    Rows and columns are matched by their labels (small typos tolerated); anything else is
    an error naming the file and the label."""
    if source is None:
        return {"二": {}, "四": {}}
    name = "<figures>"
    if isinstance(source, Mapping):
        data = source
    else:
        import yaml

        name = str(source)
        try:
            data = yaml.safe_load(Path(source).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise DisclosureRulesError(f"{name}: cannot read the figures file: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise DisclosureRulesError(f"{name}: the figures file must be a mapping with the keys 二 and 四")
    out: dict[str, dict] = {"二": {}, "四": {}}
    for table, entries in data.items():
        table = str(table).strip().replace("表", "")
        if table not in out:
            raise DisclosureRulesError(f"{name}: unknown table {table!r}; figures fill tables 二 and 四 "
                                       "(table 三 comes from the request ledger)")
        if not isinstance(entries, Mapping):
            raise DisclosureRulesError(f"{name}: table {table} must map rows to figures")
        rows = TABLE2_ROWS if table == "二" else REVIEW_GROUPS
        for row_text, value in entries.items():
            row = best_label(str(row_text), rows)
            if row is None:
                raise DisclosureRulesError(f"{name}: table {table} has no row {row_text!r}; its rows: {', '.join(rows)}")
            columns = [c for r, c in TABLE2_CELLS if r == row] if table == "二" else list(REVIEW_COLUMNS)
            if not isinstance(value, Mapping):
                if len(columns) != 1:
                    raise DisclosureRulesError(f"{name}: table {table} row {row} has the cells {', '.join(columns)}; "
                                               "give them as a mapping")
                value = {columns[0]: value}
            for col_text, figure in value.items():
                column = best_label(str(col_text), columns)
                if column is None:
                    raise DisclosureRulesError(f"{name}: table {table} row {row} has no column {col_text!r}; "
                                               f"its columns: {', '.join(columns)}")
                out[table][(row, column)] = _figure(figure, name, table, row, column)
    return out


def _figure(value: Any, name: str, table: str, row: str, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0 \
            or value in (float("inf"),):
        raise DisclosureRulesError(f"{name}: table {table} {row} / {column} must be a number of at least 0, "
                                   f"got {value!r}")
    return float(value)


# ------------------------------------------------------------------ building


def _year_bounds(book, year) -> tuple[int | None, dt.date, dt.date]:
    if year is not None:
        try:
            number = int(year)
        except (TypeError, ValueError):
            raise DisclosureRulesError(f"year {year!r} is not a year; write it as 2021") from None
        if not 1900 <= number <= 2999:
            raise DisclosureRulesError(f"year {number} is outside 1900-2999")
        return number, dt.date(number, 1, 1), dt.date(number, 12, 31)
    info = book.rulebook
    if info.period is not None:
        start, end = info.period.start, info.period.end
        return (start.year if start.year == end.year else info.year), start, end
    if info.year is not None:
        return info.year, dt.date(info.year, 1, 1), dt.date(info.year, 12, 31)
    raise DisclosureRulesError(f"rulebook {info.id!r} has no period and no year: give the year (--year 2021)")


def _load(book, data: Mapping[str, Any], name: str):
    from .datasets import LoadedDataset, load_dataset

    source = data.get(name)
    if source is None:
        return None
    return source if isinstance(source, LoadedDataset) else load_dataset(name, book.datasets[name], source)


def _dates(ds, field_name: str) -> np.ndarray:
    return ds.frame[field_name].to_numpy(dtype="datetime64[s]")


def _index_of(series: pd.Series, mapping: Mapping[str, str], labels) -> np.ndarray:
    """Per row: the position in ``labels`` of the label its category code maps to; -1 for an
    unmapped code (or an unknown label), -2 for a blank. One lookup per distinct code."""
    categories = series.cat.categories
    lookup = np.array([labels.index(mapping[c]) if c in mapping else -1 for c in categories] + [-2], dtype=np.int64)
    return lookup[series.cat.codes.to_numpy()]


def _need(ds, spec, fields: list[str], what: str) -> None:
    missing = [f for f in fields if f is not None and f not in ds.frame.columns]
    if missing:
        headers = ", ".join(f"{f} ({spec.fields[f].header_of(f)})" for f in missing)
        raise DatasetError(f"{ds.source or ds.name}: {what} needs the column(s) {headers}, which the ledger "
                           f"lacks; found: {', '.join(ds.headers.values()) or 'none'}", file=ds.source)


def _keys_at(ds, spec, where: np.ndarray) -> np.ndarray:
    """The key text of rows ``where`` (None where blank or without a key)."""
    if spec.key is None or spec.key not in ds.frame.columns:
        return np.full(len(where), None, dtype=object)
    values = ds.frame[spec.key].iloc[where].astype("string")
    return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)


def _problem_frame(ds, spec, masks: list[tuple[str, np.ndarray, pd.Series | None]]) -> pd.DataFrame:
    """One row per (row, reason) of the masks, ordered by row; ``value`` shows the unmapped
    label (of the column given). Keys and labels are put into words at those rows only."""
    parts = []
    for reason, mask, values in masks:
        where = np.flatnonzero(mask)
        if len(where) == 0:
            continue
        sheets = ds.sheets[where] if ds.sheets is not None else np.full(len(where), None, dtype=object)
        parts.append(pd.DataFrame({
            "dataset": ds.name, "row": ds.rows[where], "sheet": sheets, "key": _keys_at(ds, spec, where),
            "reason": reason, "value": _labels(values.iloc[where]) if values is not None else None,
            "order": REASONS.index(reason)}))
    columns = ["dataset", "row", "sheet", "key", "reason", "value"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.concat(parts, ignore_index=True).sort_values(["row", "order"], kind="stable")
    return frame[columns].reset_index(drop=True)


def _labels(series: pd.Series) -> np.ndarray:
    return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)


def _table3(book, ds, start, end, notes) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = book.annual_report.requests
    spec = book.datasets[m.dataset]
    _need(ds, spec, [m.received, m.closed, m.applicant.field, m.outcome.field], word("annual_table3", "en"))
    received, closed = _dates(ds, m.received), _dates(ds, m.closed)
    first, last = np.datetime64(start, "s"), np.datetime64(end, "s")
    column = _index_of(ds.frame[m.applicant.field], m.applicant.columns, APPLICANT_COLUMNS)
    outcome = _index_of(ds.frame[m.outcome.field], m.outcome.rows, LEAF_ROWS)

    new = (received >= first) & (received <= last)
    carried = (received < first) & ~(closed < first)
    counted = new | carried
    closed_by_end = counted & (closed <= last)
    open_at_end = counted & ~(closed <= last)

    # row of table 三 (position in ROW_ORDER) for the 一/二 part and the 三/四 part of each request
    first_part = np.where(new, 0, 1)
    second_part = np.where(closed_by_end, np.where(outcome >= 0, 2 + outcome, -1), len(ROW_ORDER) - 1)
    in_column = counted & (column >= 0)
    n_rows, n_cols = len(ROW_ORDER), len(APPLICANT_COLUMNS)
    counts = np.zeros((n_rows, n_cols), dtype=np.int64)
    for rows, mask in ((first_part, in_column), (second_part, in_column & (second_part >= 0))):
        flat = rows[mask] * n_cols + column[mask]
        counts += np.bincount(flat, minlength=n_rows * n_cols).reshape(n_rows, n_cols)
    seventh = ROW_ORDER.index("三(七)")
    counts[seventh] = counts[[ROW_ORDER.index(r) for r in LEAF_ROWS]].sum(axis=0)
    table = pd.DataFrame(counts, index=list(ROW_ORDER), columns=list(APPLICANT_COLUMNS))
    table[TOTAL] = counts.sum(axis=1)

    applicant_labels, outcome_labels = ds.frame[m.applicant.field], ds.frame[m.outcome.field]
    problems = _problem_frame(ds, spec, [
        ("blank_outcome", closed_by_end & (outcome == -2), None),
        ("unmapped_outcome", closed_by_end & (outcome == -1), outcome_labels),
        ("blank_applicant", closed_by_end & (column == -2), None),
        ("unmapped_applicant", closed_by_end & (column == -1), applicant_labels),
        ("closed_before_received", counted & (closed < received), None),
    ])
    undated = np.isnat(received)
    if undated.any():
        notes.append(("annual_note_undated", {"n": int(undated.sum()), "rows": _rows_text(ds.rows[undated])}))
    decided = open_at_end & (outcome != -2) & np.isnat(closed)
    if decided.any():
        notes.append(("annual_note_outcome_open", {"n": int(decided.sum()), "rows": _rows_text(ds.rows[decided]),
                                                   "header": spec.fields[m.closed].header_of(m.closed)}))
    hidden = open_at_end & (column < 0)
    if hidden.any():
        notes.append(("annual_note_open_no_column", {"n": int(hidden.sum()), "rows": _rows_text(ds.rows[hidden])}))
    return table, problems


def _rows_text(rows: np.ndarray, limit: int = 20) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")


def _table2(book, ds, start, end, figures: dict, to_fill: list, notes: list, from_figures: list) -> pd.DataFrame:
    table = pd.DataFrame(pd.NA, index=list(TABLE2_ROWS), columns=list(TABLE2_COLUMNS), dtype="Float64")
    given: set[tuple[str, str]] = set()
    m = book.annual_report.documents if book.annual_report is not None else None
    if ds is not None and m is not None:
        spec = book.datasets[m.dataset]
        _need(ds, spec, [m.type, m.issued], word("annual_table2", "en"))
        rows = list(m.rows)
        codes = {code: row for row, codes in m.rows.items() for code in codes}
        row_of = _index_of(ds.frame[m.type], codes, rows)
        issued = _dates(ds, m.issued)
        first, last = np.datetime64(start, "s"), np.datetime64(end, "s")
        has_repeal = m.repealed is not None and m.repealed in ds.frame.columns
        repealed = _dates(ds, m.repealed) if has_repeal else np.full(len(issued), np.datetime64("NaT"), "datetime64[s]")
        typed = row_of >= 0
        measures = {DOCUMENT_COLUMNS[0]: typed & (issued >= first) & (issued <= last)}
        if has_repeal:
            measures[DOCUMENT_COLUMNS[1]] = typed & (repealed >= first) & (repealed <= last)
            measures[DOCUMENT_COLUMNS[2]] = typed & (issued <= last) & ~(repealed <= last)
        else:
            notes.append(("annual_note_no_repeal", {"header": spec.fields[m.repealed].header_of(m.repealed)
                                                    if m.repealed else "废止日期"}))
        for column, mask in measures.items():
            counts = np.bincount(row_of[mask], minlength=len(rows))
            for i, row in enumerate(rows):
                table.at[row, column] = float(counts[i])
                given.add((row, column))
        undated = typed & np.isnat(issued)
        if undated.any():
            notes.append(("annual_note_doc_undated", {"n": int(undated.sum()), "rows": _rows_text(ds.rows[undated])}))
        if has_repeal and typed.any() and not (typed & (issued < first)).any():
            notes.append(("annual_note_only_this_year", {"year": start.year}))
    for (row, column), value in figures.get("二", {}).items():
        if (row, column) in given:
            notes.append(("annual_note_figure_ignored", {"table": "二", "row": row, "column": column,
                                                          "ledger": f"{float(table.at[row, column]):g}"}))
            continue
        table.at[row, column] = value
        given.add((row, column))
        from_figures.append(("二", row, column))
    to_fill.extend(("二", row, column) for row, column in TABLE2_CELLS if (row, column) not in given)
    return table


def _table4(book, ds, start, end, figures: dict, to_fill: list, notes: list,
            from_figures: list) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    table = pd.DataFrame(pd.NA, index=list(REVIEW_GROUPS), columns=list(REVIEW_COLUMNS), dtype="Float64")
    m = book.annual_report.reviews if book.annual_report is not None else None
    problems = None
    if ds is not None and m is not None:
        spec = book.datasets[m.dataset]
        _need(ds, spec, [m.kind, m.result, m.filed, m.closed], word("annual_table4", "en"))
        group = _index_of(ds.frame[m.kind], m.groups, REVIEW_GROUPS)
        result = _index_of(ds.frame[m.result], m.results, REVIEW_RESULTS)
        n = len(ds.frame)
        first, last = np.datetime64(start, "s"), np.datetime64(end, "s")
        closed = _dates(ds, m.closed) if m.closed else np.full(n, np.datetime64("NaT"), "datetime64[s]")
        if m.filed:
            filed = _dates(ds, m.filed)
            counted = (filed <= last) & ((filed >= first) | ~(closed < first))
            if np.isnat(filed).any():
                undated = np.isnat(filed)
                notes.append(("annual_note_case_undated", {"n": int(undated.sum()), "rows": _rows_text(ds.rows[undated])}))
        else:
            counted = np.ones(n, dtype=bool)
        pending = REVIEW_RESULTS.index("尚未审结")
        if m.closed:
            concluded = closed <= last
            column = np.where(concluded, result, pending)
        else:
            concluded = np.ones(n, dtype=bool)
            column = result
        ok = counted & (group >= 0) & (column >= 0)
        flat = group[ok] * len(REVIEW_RESULTS) + column[ok]
        counts = np.bincount(flat, minlength=len(REVIEW_GROUPS) * len(REVIEW_RESULTS)).reshape(len(REVIEW_GROUPS), -1)
        table.loc[:, list(REVIEW_RESULTS)] = counts.astype(float)
        table[TOTAL] = counts.sum(axis=1).astype(float)
        kinds, results = ds.frame[m.kind], ds.frame[m.result]
        problems = _problem_frame(ds, spec, [
            ("blank_kind", counted & (group == -2), None),
            ("unmapped_kind", counted & (group == -1), kinds),
            ("blank_result", counted & concluded & (result == -2), None),
            ("unmapped_result", counted & concluded & (result == -1), results),
        ])
        if figures.get("四"):
            notes.append(("annual_note_figures_four_ignored", {}))
        return table, problems
    for (group, column), value in figures.get("四", {}).items():
        table.at[group, column] = value
        from_figures.append(("四", group, column))
    for group in REVIEW_GROUPS:
        cells = table.loc[group, list(REVIEW_RESULTS)]
        if pd.isna(table.at[group, TOTAL]) and cells.notna().all():
            table.at[group, TOTAL] = float(cells.sum())
            from_figures.append(("四", group, TOTAL))
    to_fill.extend(("四", g, c) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS if pd.isna(table.at[g, c]))
    return table, problems


def annual_report(book, data: Mapping[str, Any], year: int | None = None, *,
                  figures: str | os.PathLike | Mapping | None = None) -> AnnualReport:
    """Tables 二, 三 and 四 of ``year`` (default: the rulebook's period) from the ledgers.

    ``data`` maps dataset names to a file path, a DataFrame or a loaded dataset (an
    audit result's ``data``), as :func:`~disclosure_rules.audit` takes them; the request
    ledger is needed, the document and review ledgers are optional. ``figures`` (a YAML
    path or a mapping, see :func:`load_figures`) fills the cells no ledger gives."""
    from .book import Rulebook
    from .rulebook import load_rulebook

    if not isinstance(book, Rulebook):
        book = load_rulebook(book)
    mapping = book.annual_report
    if mapping is None or mapping.requests is None:
        raise DisclosureRulesError(word("annual_no_mapping", "en", id=book.rulebook.id))
    unknown = [name for name in data if name not in book.datasets]
    if unknown:
        raise DatasetError(f"dataset {unknown[0]!r} is not defined in rulebook {book.rulebook.id!r}; "
                           f"its datasets are: {', '.join(book.datasets)}", file=None)
    number, start, end = _year_bounds(book, year)
    given = load_figures(figures)
    requests = _load(book, data, mapping.requests.dataset)
    if requests is None:
        raise DisclosureRulesError(word("annual_no_requests", "en", dataset=mapping.requests.dataset))
    documents = _load(book, data, mapping.documents.dataset) if mapping.documents is not None else None
    reviews = _load(book, data, mapping.reviews.dataset) if mapping.reviews is not None else None

    notes: list[tuple[str, dict]] = []
    to_fill: list[tuple[str, str, str]] = []
    from_figures: list[tuple[str, str, str]] = []
    table3, problems = _table3(book, requests, start, end, notes)
    table2 = _table2(book, documents, start, end, given, to_fill, notes, from_figures)
    table4, review_problems = _table4(book, reviews, start, end, given, to_fill, notes, from_figures)
    if review_problems is not None and len(review_problems):
        problems = pd.concat([problems, review_problems], ignore_index=True) if len(problems) else review_problems
    sources = {ds.name: (ds.source, ds.sha256, len(ds.frame)) for ds in (requests, documents, reviews) if ds is not None}
    return AnnualReport(book=book, year=number, start=start, end=end, table2=table2, table3=table3, table4=table4,
                        to_fill=to_fill, identities=identities_of(table3, table4), problems=problems,
                        notes=notes, sources=sources, from_figures=from_figures)
