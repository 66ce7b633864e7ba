"""``annual-report --check FILLED``: read a filled-in annual report table and check it (DESIGN §14).

A filled table is an XLSX in the national layout (as ``annual-report`` writes it, or as an
office filled it by hand) or the HTML page of a published report. Both are read into grids
of cell texts with merged cells (XLSX merges, HTML ``rowspan``/``colspan``) expanded, so
that a cell holds its heading in every row and column it covers. Then:

- table 三: the header row holding 商业企业 gives the columns (each matched to the
  format's seven by its label); every row below it, up to 四 (结转下年度继续办理), is
  matched to the format's rows by its most specific label (the last text cell left of the
  figures), tolerant of small typos (:func:`~.annual_format.best_label`);
- table 四: the header row with 结果维持 gives the columns, the group headings above each
  column (行政复议 / 未经复议直接起诉 / 复议后起诉) the groups, the row below it the figures;
- table 二: each row whose first text names one of its rows gives that row's figures in order.

A figure is read from a number cell or from text such as ``12``, ``12件``, ``１２``; an
empty cell, ``/`` or ``—`` is blank, never taken as 0. Every identity is run on what was
read (:func:`~.annual.identities_of`); with ledgers, each cell the ledgers give is
compared with theirs. The HTML is parsed with the standard library's ``html.parser``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from .annual_format import (COLUMNS, DOCUMENT_COLUMNS, DOCUMENT_ROWS, REVIEW_COLUMNS, REVIEW_GROUPS, ROW_LABELS,
                            ROW_ORDER, best_label)
from .errors import DisclosureRulesError
from .words import number_text, word

__all__ = ["FilledTables", "CheckResult", "read_filled", "check_filled", "figure"]

MAX_GRID_CELLS = 2_000_000  # a sheet larger than this is not a report table
_NUMBER = re.compile(r"^[+]?(\d[\d,]*(?:\.\d+)?)(?:件|个|项|万元|元)?$")
_BLANKS = {"", "/", "-", "—", "——", "–", "无", "n/a", "na"}


@dataclass
class FilledTables:
    """What a filled-in report holds, in the shape of :class:`~.annual.AnnualReport`'s tables."""

    source: str
    table2: pd.DataFrame
    table3: pd.DataFrame
    table4: pd.DataFrame | None
    #: rows of table 三 the file does not have (by id)
    missing: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    filled: FilledTables
    identities: pd.DataFrame
    #: cells that differ from the ledgers: table, row, column, filled, ledger
    differences: list[dict] = field(default_factory=list)
    compared: bool = False

    @property
    def failing(self) -> pd.DataFrame:
        return self.identities[~self.identities["ok"]]

    @property
    def ok(self) -> bool:
        return bool(self.identities["ok"].all()) and not self.differences and not self.filled.missing

    def lines(self, lang: str = "en") -> list[str]:
        """One line per failure, in ``lang``."""
        out = [word("annual_check_missing_row", lang, table="三", label=f"{rid} {ROW_LABELS[rid]}")
               for rid in self.filled.missing]
        blank = word("annual_check_blank", lang)
        for i in self.failing.itertuples(index=False):
            where = i.column if i.row is None else f"{i.row} / {i.column}"
            out.append(word("annual_check_identity", lang, table=i.table, check=i.check, where=where,
                            left=blank if i.left is None else number_text(i.left),
                            right=blank if i.right is None else number_text(i.right)))
        for d in self.differences:
            out.append(word("annual_check_cell", lang, table=d["table"], row=d["row"], column=d["column"],
                            filled=blank if d["filled"] is None else number_text(d["filled"]),
                            ledger=number_text(d["ledger"])))
        return out

    def to_dict(self) -> dict:
        def cells(frame):
            return {str(r): [_json(v) for v in frame.loc[r]] for r in frame.index}

        return {
            "source": self.filled.source,
            "tables": {"二": cells(self.filled.table2), "三": {"columns": list(COLUMNS), "rows": cells(self.filled.table3)},
                       "四": None if self.filled.table4 is None else
                       {"columns": list(REVIEW_COLUMNS), "rows": cells(self.filled.table4)}},
            "missing_rows": list(self.filled.missing),
            "identities": [{"table": i.table, "check": i.check, "row": i.row, "column": i.column,
                            "left": _json(i.left), "right": _json(i.right), "ok": bool(i.ok)}
                           for i in self.identities.itertuples(index=False)],
            "compared_with_ledgers": self.compared,
            "differences": [{k: _json(v) for k, v in d.items()} for d in self.differences],
            "ok": self.ok,
        }


def _json(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


# ------------------------------------------------------------------ grids


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def figure(value: Any) -> float | None:
    """A filled cell's figure; None for a blank or for text that is not a figure."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value else None
    text = re.sub(r"\s+", "", _text(value))
    if text.casefold() in _BLANKS:
        return None
    found = _NUMBER.match(text)
    return float(found.group(1).replace(",", "")) if found else None


def _is_label(value: Any) -> bool:
    return figure(value) is None and _text(value) != ""


def _xlsx_grids(path: Path) -> list[list[list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=False, data_only=True)
    grids = []
    for sheet in workbook.worksheets:
        rows, cols = sheet.max_row or 0, sheet.max_column or 0
        if rows * cols > MAX_GRID_CELLS:
            continue
        grid = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = value
        grids.append(grid)
    return grids


class _Tables(HTMLParser):
    """Every <table> of a page as rows of (text, rowspan, colspan) cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self._stack: list[list] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)

    @staticmethod
    def _int(value: str | None) -> int:
        try:
            return max(1, min(int(str(value).strip() or 1), 1000))
        except ValueError:
            return 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append([])
        elif not self._stack:
            return
        elif tag == "tr":
            self._finish_cell()
            self._stack[-1].append([])
        elif tag in ("td", "th"):
            self._finish_cell()
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._cell = []
            self._span = (self._int(attrs.get("rowspan")), self._int(attrs.get("colspan")))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if not self._stack:
            return
        if tag in ("td", "th", "tr"):
            self._finish_cell()
        elif tag == "table":
            self._finish_cell()
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def _finish_cell(self):
        if self._cell is not None and self._stack and self._stack[-1]:
            self._stack[-1][-1].append(("".join(self._cell).strip(), *self._span))
        self._cell = None


def _expand(rows: list[list[tuple[str, int, int]]]) -> list[list[Any]]:
    """A table's rows with rowspan/colspan expanded into a rectangular grid."""
    grid: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in grid:
                c += 1
            for rr in range(r, min(r + rowspan, len(rows))):
                for cc in range(c, c + colspan):
                    grid[(rr, cc)] = text
            c += colspan
    width = 1 + max((c for _, c in grid), default=-1)
    if len(rows) * width > MAX_GRID_CELLS:
        return []
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]


def _html_grids(path: Path) -> list[list[list[Any]]]:
    raw = path.read_bytes()
    text = None
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["utf-8", "gb18030"]:
        try:
            text = raw.decode(encoding)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    if text is None:
        text = raw.decode("utf-8", "replace")
    parser = _Tables()
    parser.feed(text)
    parser.close()
    tables = [_expand(t) for t in parser.tables]
    # a page that puts each table in its own <table> is read table by table; the page as one
    # grid too, for reports that split one table over several
    return [t for t in tables if t] + ([sum(tables, [])] if len(tables) > 1 else [])


# ------------------------------------------------------------------ finding the tables


def _header_columns(row: list[Any], labels) -> dict[int, str]:
    out = {}
    for c, value in enumerate(row):
        if _is_label(value):
            label = best_label(_text(value), labels)
            if label is not None and label not in out.values():
                out[c] = label
    return out


def _table3(grids) -> tuple[pd.DataFrame, list[str]] | None:
    for grid in grids:
        for h, row in enumerate(grid):
            if not any(_is_label(v) and best_label(_text(v), ["商业企业"]) for v in row):
                continue
            columns = _header_columns(row, COLUMNS)
            # 自然人 and 总计 often span the two header rows: look one row up for them too
            if h > 0 and len(columns) < len(COLUMNS):
                for c, label in _header_columns(grid[h - 1], COLUMNS).items():
                    if c not in columns and label not in columns.values():
                        columns[c] = label
            if len(columns) < 3:
                continue
            first = min(columns)
            values: dict[str, list] = {}
            for line in grid[h + 1:]:
                labels = [v for v in line[:first] if _is_label(v)]
                if not labels:
                    continue
                rid = _row_id(_text(labels[-1]))
                if rid is None or rid in values:
                    continue
                values[rid] = [figure(line[c]) if c < len(line) else None for c in sorted(columns)]
                if rid == "四":
                    break
            if len(values) < 3:
                continue
            order = [columns[c] for c in sorted(columns)]
            frame = pd.DataFrame([values.get(rid, [None] * len(order)) for rid in ROW_ORDER],
                                 index=list(ROW_ORDER), columns=order, dtype="Float64")
            frame = frame.reindex(columns=list(COLUMNS))
            return frame, [rid for rid in ROW_ORDER if rid not in values]
    return None


_ROW_CANDIDATES = {ROW_LABELS[rid]: rid for rid in ROW_ORDER}


def _row_id(text: str) -> str | None:
    label = best_label(text, list(_ROW_CANDIDATES))
    return _ROW_CANDIDATES.get(label) if label is not None else None


def _table4(grids) -> pd.DataFrame | None:
    for grid in grids:
        for h, row in enumerate(grid):
            cols = [c for c, v in enumerate(row) if _is_label(v) and best_label(_text(v), ["结果维持"])]
            if len(cols) < 2:
                continue
            header = {c: best_label(_text(v), REVIEW_COLUMNS) for c, v in enumerate(row) if _is_label(v)}
            data = grid[h + 1] if h + 1 < len(grid) else []  # the figures are in the row under the header
            frame = pd.DataFrame(pd.NA, index=list(REVIEW_GROUPS), columns=list(REVIEW_COLUMNS), dtype="Float64")
            for c, column in header.items():
                if column is None:
                    continue
                group = None
                for above in reversed(grid[:h]):
                    if c < len(above) and _is_label(above[c]):
                        group = best_label(_text(above[c]), REVIEW_GROUPS)
                        if group is not None:
                            break
                if group is not None and c < len(data):
                    value = figure(data[c])
                    frame.at[group, column] = pd.NA if value is None else value
            return frame
    return None


def _table2(grids) -> pd.DataFrame:
    """Table 二: the 规章 and 行政规范性文件 rows under the columns of the header naming
    本年制发件数; each other row's first figure after its label."""
    from .annual import TABLE2_COLUMNS, TABLE2_ROWS

    frame = pd.DataFrame(pd.NA, index=list(TABLE2_ROWS), columns=list(TABLE2_COLUMNS), dtype="Float64")
    seen = set()
    for grid in grids:
        columns: dict[int, str] = {}
        for line in grid:
            header = _header_columns(line, DOCUMENT_COLUMNS)
            if len(header) >= 2:
                columns = header
                continue
            labels = [(c, v) for c, v in enumerate(line) if _is_label(v)]
            if not labels:
                continue
            at, text = labels[0]
            row = best_label(_text(text), TABLE2_ROWS)
            if row is None or row in seen:
                continue
            if row in DOCUMENT_ROWS:
                if not columns:
                    continue
                cells = {column: figure(line[c]) if c < len(line) else None for c, column in columns.items()}
            else:
                after = [figure(v) for v in line[at + 1:] if figure(v) is not None]
                if not after:
                    continue
                cells = {("本年收费金额（单位：万元）" if row == "行政事业性收费" else "本年处理决定数量"): after[0]}
            seen.add(row)
            for column, value in cells.items():
                frame.at[row, column] = pd.NA if value is None else value
    return frame


def read_filled(path: str | os.PathLike, lang: str = "en") -> FilledTables:
    """Tables 二, 三 and 四 as a filled-in XLSX or a report's HTML page holds them."""
    source = Path(path)
    try:
        head = source.read_bytes()[:8]
        if head.startswith(b"PK"):
            grids = _xlsx_grids(source)
        else:
            grids = _html_grids(source)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DisclosureRulesError(word("annual_check_unreadable", lang, path=str(path), error=str(exc) or type(exc).__name__)) from None
    except Exception as exc:  # noqa: BLE001 - a broken workbook raises anything from zipfile or XML
        raise DisclosureRulesError(word("annual_check_unreadable", lang, path=str(path), error=type(exc).__name__)) from None
    found = _table3(grids)
    if found is None:
        raise DisclosureRulesError(word("annual_check_no_table", lang, path=str(path)))
    table3, missing = found
    return FilledTables(source=str(path), table2=_table2(grids), table3=table3, table4=_table4(grids), missing=missing)


def check_filled(path: str | os.PathLike, report=None, lang: str = "en") -> CheckResult:
    """Run every identity on a filled-in table and, given the ledgers' ``report``
    (an :class:`~.annual.AnnualReport`), compare each cell the ledgers give with it."""
    from .annual import TABLE2_CELLS, identities_of

    filled = read_filled(path, lang)
    identities = identities_of(filled.table3, filled.table4)
    differences = []
    if report is not None:
        # only what the ledgers give is compared: not the cells left to fill or taken from --figures
        to_fill = {(t, r, c) for t, r, c in report.to_fill} | set(report.from_figures)

        def compare(table, row, column, filled_value, ledger_value):
            if (table, row, column) in to_fill or pd.isna(ledger_value):
                return
            value = None if pd.isna(filled_value) else float(filled_value)
            if value is None or abs(value - float(ledger_value)) > 1e-9:
                differences.append({"table": table, "row": row, "column": column, "filled": value,
                                    "ledger": float(ledger_value)})

        for rid in ROW_ORDER:
            if rid in filled.missing:
                continue
            for column in COLUMNS:
                compare("三", rid, column, filled.table3.at[rid, column], report.table3.at[rid, column])
        if filled.table4 is not None:
            for group in REVIEW_GROUPS:
                for column in REVIEW_COLUMNS:
                    compare("四", group, column, filled.table4.at[group, column], report.table4.at[group, column])
        for row, column in TABLE2_CELLS if filled.table2.notna().any().any() else ():
            compare("二", row, column, filled.table2.at[row, column], report.table2.at[row, column])
    return CheckResult(filled=filled, identities=identities, differences=differences, compared=report is not None)

