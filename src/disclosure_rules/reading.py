"""Reading: a ledger file (or DataFrame) -> raw text cells below its header, with row numbers.

This stage knows file formats, encodings, sheets, headers and which rows are records; it
knows nothing of field types (it looks at which fields and aliases a dataset has, at its
key and its required fields, never at a field's type). Typing the cells is
:mod:`disclosure_rules.values`.

Conventions
-----------
- Formats are told by content, not by suffix: a zip holding ``xl/workbook.xml`` is an
  ``.xlsx``/``.xlsm`` workbook, ``xl/workbook.bin`` an ``.xlsb``, an OpenDocument zip an
  ``.ods``; an OLE2 file is an ``.xls`` (one holding an ``EncryptedPackage`` is a
  password-protected workbook and is refused); an HTML table or Excel 2003 XML
  (SpreadsheetML) saved as ``.xls`` is read as what it is; everything else is text: CSV,
  tab- or semicolon-separated, in UTF-8 (with or without BOM), GB18030/GBK or UTF-16
  (with or without BOM), with any line ends. Workbooks are read by python-calamine.
  A file that is none of these (a Word document, a PDF, a zip of other files) is a
  :class:`DatasetError` saying what it is.
- Cells are text: every body column is ``pd.StringDtype("pyarrow", na_value=np.nan)``,
  NaN for an empty cell. Numbers, dates, booleans and other objects (workbook cells,
  DataFrame columns) become the text a person sees, by distinct value: ``3.0`` -> ``"3"``,
  ``True`` -> ``"TRUE"``, a datetime -> ``"2021-07-28"`` or ``"2021-07-28 13:05:00"``
  (any resolution, any year, time zone dropped), a lone surrogate -> U+FFFD.
- The header is the row, among the first ten non-blank rows, that names the most fields
  (by field name or alias), alone or together with the row below it (a two-row header:
  a merged parent such as 补正情况 over 补正告知日期 / 收到补正日期); two rows are taken
  only when they name more fields than any single row. Header texts and accepted names
  are compared after :func:`header_key`: NFKC, case-folded, all spaces and line breaks,
  bracketed notes (``（年月日）``, ``(必填)``, ``[注]``, ``【】``), marks (``* ★ ※``) and
  trailing colons removed.
- A merged cell of the header holds its value in every cell it covers (calamine gives
  the ranges of .xlsx/.xls; .ods ranges are read from its content.xml; .xlsb has none).
  Below the header a merged cell fills down the rows it covers, in its first column only:
  a cell merged across columns leaves the others blank, and the reading report's
  ``notes`` name the records holding one.
- Rows that are not records are skipped and listed in the report with a reason code:
  ``repeated_header``, ``total`` (合计 总计 小计…), ``footer`` (填表人 审核人 注: 说明…, and
  key-less rows after a footer below the last record), ``block_heading`` (一、外贸处（3件）,
  or a lone cell merged across the row, or a lone cell left of every field's column),
  ``serial_only`` (only a 序号 filled), ``no_field_values`` (cells filled, but none in a
  column a field reads), ``header_note`` (a row right under the header annotating it:
  （必填）/（年月日） or 必填/选填 in every filled cell, or a 栏次 row 1, 2, 3, …). A row whose
  key or a required field is filled (other than by the very word that marks it) is always
  a record, unless it repeats the header. Fully blank rows are dropped silently.
- ``row`` is the number a spreadsheet shows: title rows above the header and blank rows
  shift the numbers exactly as Excel shows them; for a DataFrame the row is the
  positional index + 2. With several sheets, each row keeps its own sheet's number and
  ``RawTable.sheets`` names the sheet.
- With no ``#sheet``, every sheet whose header names enough of the dataset's fields (at
  least two, and at least half as many as the best sheet) is read, in workbook order.
  Hidden and very hidden sheets are passed over (reason ``hidden``) unless named.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import functools
import hashlib
import html.parser
import io
import itertools
import math
import re
import sys
import threading
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import early
from .decoding import CHILD_DECODE_BYTES, DECODE_CHUNK, decode_in_child
from .errors import DatasetError
from .threads import WARNING_FILTERS
from .words import both, file_kind
from .expressions import normalize_name  # one definition of how headers, aliases and labels compare

__all__ = ["RawTable", "read_table", "normalize_name", "header_key", "SKIP_REASONS"]

HEADER_SCAN_ROWS = 10
HEAD_ROWS = 1000
HEAD_BYTES = 256 * 1024
TEXT_ENCODINGS = ("UTF-8 with BOM", "UTF-8", "GB18030 (GBK)")
#: the reason codes of ``report["skipped"]``
SKIP_REASONS = ("repeated_header", "total", "footer", "block_heading", "serial_only", "no_field_values",
                "header_note")
#: at most this many skipped rows are listed one by one (``skipped_total`` counts them all)
MAX_SKIPPED_LISTED = 1000
#: raw text cells: pandas' default string dtype (arrow storage, NaN for missing)
_RAW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_TEXT = pa.large_string()
_CHUNK_ROWS = 65536

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# --------------------------------------------------------------------------- the result

@dataclass
class RawTable:
    """Cells below the header, before typing, one column per field found.

    ``body`` has one column per matched field, at position ``columns[field]``: pyarrow text
    for a text field, and for any other field a Categorical of its distinct texts (the cells
    coded as they are read, so that a large file's text is let go piece by piece);
    ``header`` holds the header text of each of those columns; ``headers`` maps each
    field to its header as found; ``rows`` are spreadsheet row numbers (int64),
    ``sheets`` the sheet of each row (object array; None for CSV and DataFrames);
    ``issues`` holds problems of the header itself (a second column matching a field),
    as data issues; ``report`` is the reading report of DESIGN §8 ``reading``.
    """

    header: list[str]
    header_row: int | None
    body: pd.DataFrame
    rows: np.ndarray
    source: str = "<DataFrame>"
    sha256: str | None = None
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    issues: list[dict] = field(default_factory=list)
    sheets: np.ndarray | None = None
    report: dict = field(default_factory=dict)


def read_table(name: str, spec: Any, source) -> RawTable:
    """Read ``source`` (a path or a DataFrame) for dataset ``name``: raw cells, header matched.

    Raises :class:`DatasetError` when the file cannot be read, no sheet has a header of
    the dataset, or a required column is missing.
    """
    fields = dict(spec.fields)
    table = arrow_table_of(source)
    if isinstance(source, pd.DataFrame):
        label, digest = "<DataFrame>", None
        book = _Book(label=label, format="dataframe", sheets=[_frame_sheet(source)])
    elif table is not None:
        label, digest = f"<{type(source).__name__}>", None
        book = _Book(label=label, format="table", sheets=[_arrow_sheet(table)])
    else:
        label = str(source)
        book, digest = _read_file(label, fields)
    try:
        chosen, passed = _choose_sheets(name, spec, fields, book)
        parts = [_read_sheet(name, spec, fields, book, sheet, header) for sheet, header in chosen]
    except _NotUtf8:  # a large text file read piece by piece, not UTF-8 after all further down
        if book.reread is None:
            raise _undecodable(label, TEXT_ENCODINGS) from None
        again = book.reread()
        again.wanted_sheet, again.notes = book.wanted_sheet, book.notes
        book = again
        chosen, passed = _choose_sheets(name, spec, fields, book)
        parts = [_read_sheet(name, spec, fields, book, sheet, header) for sheet, header in chosen]
    table = _combine(name, spec, fields, book, parts)
    table.source, table.sha256 = _printable_name(label), digest
    table.report = _report(book, fields, parts, passed, table)
    return table


# --------------------------------------------------------------------------- cells as text

_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean_text(text: str) -> str:
    """``text`` with every code point UTF-8 cannot hold (lone surrogates) as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _datetime64_text(value: np.datetime64) -> str | None:
    if np.isnat(value):
        return None
    text = str(np.datetime_as_string(value, unit="us"))
    if "T" not in text:
        return text
    day, time = text.split("T", 1)
    time = time.rstrip("0").rstrip(".") if "." in time else time
    return day if time in ("00:00:00", "00:00", "00") else f"{day} {time}"


def _datetime_text(value: _dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # the wall time the ledger shows
    nanos = getattr(value, "nanosecond", 0)
    if (value.hour, value.minute, value.second, value.microsecond, nanos) == (0, 0, 0, 0, 0):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}")
    if value.microsecond or nanos:
        text += f".{value.microsecond * 1000 + nanos:09d}".rstrip("0")
    return text


def _float_text(value: float) -> str | None:
    if math.isnan(value):
        return None
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _cell_text(value: Any) -> str | None:
    """A raw cell as the text a person sees; None for an empty cell. Never raises."""
    try:
        return _cell_text_of(value)
    except Exception:  # an object whose __str__ or __eq__ raises: say what it is
        try:
            return _clean_text(repr(value))
        except Exception:
            return f"<{type(value).__name__}>"


def _cell_text_of(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _clean_text(str.__str__(value))
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _float_text(float(value))
    if isinstance(value, np.datetime64):
        return _datetime64_text(value)
    if isinstance(value, _dt.datetime):
        if value is pd.NaT or (isinstance(value, pd.Timestamp) and pd.isna(value)):
            return None
        return _datetime_text(value)
    if isinstance(value, _dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, _dt.time):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, np.timedelta64):
        return None if np.isnat(value) else str(pd.Timedelta(value))
    if isinstance(value, Decimal):
        if value.is_nan():
            return None
        return str(int(value)) if value == value.to_integral_value() and abs(value) < 10**16 else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _clean_text(bytes(value).decode("utf-8", errors="replace"))
    if isinstance(value, complex):
        return str(value)
    return _clean_text(str(value))


#: infer_dtype kinds whose equal values always have the same text (no True == 1 == 1.0 clash)
_FACTORIZE_SAFE = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float", "boolean",
                             "datetime", "datetime64", "date", "time", "timedelta", "timedelta64",
                             "bytes", "decimal", "period", "interval", "categorical"})


def _arrow_text(texts: list, codes: np.ndarray) -> pa.Array:
    """Texts of the distinct values taken back to every cell (code -1 -> null, "" -> null)."""
    texts = [t if t else None for t in texts]
    uniques = pa.array(texts + [None], type=_TEXT)
    codes = np.where(codes < 0, len(texts), codes)
    return uniques.take(pa.array(codes, type=pa.int64()))


def _text_of_objects(values: np.ndarray) -> pa.Array:
    """An object array (workbook cells, a DataFrame column) as text, each distinct value once."""
    if not len(values):
        return pa.array([], type=_TEXT)
    try:  # the common case, text only (and None/NaN): no Python call per cell
        array = pa.array(values, type=_TEXT, from_pandas=True)
        return pc.if_else(pc.equal(array, ""), pa.scalar(None, _TEXT), array)
    except Exception:  # numbers, dates, other objects, lone surrogates, Decimal('sNaN'): below
        pass
    try:
        kind = pd.api.types.infer_dtype(values, skipna=True)
    except Exception:
        kind = "mixed"
    if kind == "floating":
        return _text_of_floats(values.astype(np.float64))
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if kind not in _FACTORIZE_SAFE:
            # True == 1 == 1.0 == Decimal(1) hash alike: tell distinct values apart by type too
            types = np.frompyfunc(type, 1, 1)(values)
            type_codes, type_uniques = pd.factorize(types)
            pair = np.where(codes < 0, -1, codes.astype(np.int64) * len(type_uniques) + type_codes)
            codes, _ = pd.factorize(pair, use_na_sentinel=False)
            codes = np.asarray(codes)
            firsts = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
            uniques = values[firsts]
            codes = np.where(pair < 0, -1, codes)
        texts = [_cell_text(v) for v in uniques]  # distinct values, not cells
        return _arrow_text(texts, np.asarray(codes))
    except Exception:  # unhashable (dict, list) or hostile objects: text first, then distinct
        texts = np.frompyfunc(_cell_text, 1, 1)(values)
        codes, uniques = pd.factorize(texts, use_na_sentinel=True)
        return _arrow_text(list(uniques), np.asarray(codes))


def _text_of_floats(values: np.ndarray) -> pa.Array:
    """Floats as text without a Python call per cell: whole numbers without '.0'."""
    whole = np.isfinite(values) & (np.abs(values) < 1e16)
    with np.errstate(invalid="ignore"):
        whole &= np.floor(values) == values
    if whole.all():
        return pc.cast(pa.array(values.astype(np.int64)), _TEXT)
    codes, uniques = pd.factorize(values[~whole], use_na_sentinel=True)
    out = np.empty(len(values), dtype=object)
    out[whole] = np.asarray(pc.cast(pa.array(values[whole].astype(np.int64)), pa.string()).to_numpy(zero_copy_only=False))
    texts = np.array([_float_text(float(u)) for u in uniques] + [None], dtype=object)  # distinct fractions
    out[~whole] = texts[np.where(codes < 0, len(uniques), codes)]
    return pa.array(out, type=_TEXT, from_pandas=True)


def _text_of_column(column: pd.Series) -> pa.Array:
    """A DataFrame column of any dtype as text, each distinct value converted once."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return _text_of_objects(column.to_numpy(dtype=object, na_value=None))
    if dtype == object:
        return _text_of_objects(column.to_numpy(dtype=object))
    if dtype.kind == "f":
        return _text_of_floats(column.to_numpy(dtype=np.float64))
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except Exception:
        return _text_of_objects(column.to_numpy(dtype=object))
    if isinstance(uniques, pd.Index):
        uniques = uniques.array
    if pd.api.types.is_datetime64_any_dtype(getattr(uniques, "dtype", None)):
        texts = [_cell_text(v) for v in uniques]  # Timestamps of any unit and zone
    else:
        texts = [_cell_text(v) for v in np.asarray(uniques, dtype=object)]
    return _arrow_text(texts, np.asarray(codes))


def _blank(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """True where a text cell is null, empty or whitespace only."""
    blank = pc.or_kleene(pc.is_null(column), pc.utf8_is_space(column))
    blank = pc.or_kleene(blank, pc.equal(pc.utf8_length(column), 0))
    return np.asarray(pc.fill_null(blank, True).to_numpy(zero_copy_only=False), dtype=bool)


# --------------------------------------------------------------------------- sheets and books

@dataclass
class _Sheet:
    """One table of a source: its first rows as text, and its cells from any row on.

    ``head[i]`` is grid row i (spreadsheet row i + 1), "" for an empty cell, merged cells
    filled. ``body_from(k)`` gives the text columns of grid rows k.. and their row numbers.
    """

    name: str | None
    head: list[list[str]]
    body_from: Callable[[int], tuple[list[pa.ChunkedArray], np.ndarray]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    kind: str = "worksheet"  # or "chart", "empty"
    columns_header: bool = False  # a DataFrame: grid row 0 is its column names
    hidden: bool = False  # a hidden or very hidden sheet: read only when named with #sheet
    #: a large text file: ``stream_from(k)`` gives the text columns of grid rows k.. piece by
    #: piece (consecutive rows, each piece a list of columns), raising :class:`_StreamFailed`
    #: where only ``body_from`` can read the rest
    stream_from: Callable[[int], Any] | None = None


@dataclass
class _Book:
    label: str
    format: str
    sheets: list[_Sheet]
    encoding: str | None = None
    delimiter: str | None = None
    wanted_sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    #: a text file judged UTF-8 by its head, read again as GB18030 when a later part is not UTF-8
    reread: Callable[[], "_Book"] | None = None


def _grid_sheet(name: str | None, columns: list[pa.ChunkedArray], merges=(), kind="worksheet",
                first_row: int = 1) -> _Sheet:
    """A sheet held whole in memory as text columns; grid row i is spreadsheet row i + first_row."""
    n = len(columns[0]) if columns else 0
    width = len(columns)
    if kind == "worksheet" and all(_blank(c.slice(0, HEAD_ROWS)).all() for c in columns) and \
            all(_blank(c).all() for c in columns):
        return _Sheet(name=name, head=[], body_from=_no_body, kind="empty")
    merges = [m for m in (_clip_merge(m, n, width) for m in merges) if m is not None]
    head_n = min(n, HEAD_ROWS)
    head_cols = [c.slice(0, head_n).to_pylist() for c in columns]
    head = [[(head_cols[c][r] or "") for c in range(width)] for r in range(head_n)]
    _fill_head_merges(head, merges)

    def body_from(k: int):
        rows = np.arange(k + first_row, n + first_row, dtype=np.int64)
        return [c.slice(k) for c in columns], rows

    return _Sheet(name=name, head=head, body_from=body_from, merges=merges, kind=kind)


def _clip_merge(merge, n: int, width: int):
    r0, c0, r1, c1 = merge
    r0, c0 = max(0, r0), max(0, c0)
    r1, c1 = min(n - 1, r1), min(width - 1, c1)
    if r0 > r1 or c0 > c1 or (r0 == r1 and c0 == c1):
        return None
    return r0, c0, r1, c1


def _fill_head_merges(head: list[list[str]], merges) -> None:
    for r0, c0, r1, c1 in merges:
        if r0 >= len(head):
            continue
        value = head[r0][c0]
        if not value:
            continue
        for r in range(r0, min(r1, len(head) - 1) + 1):
            for c in range(c0, c1 + 1):
                if not head[r][c]:
                    head[r][c] = value


def _columns_of_rows(rows: list[list], width: int) -> list[pa.ChunkedArray]:
    """Rectangular rows of cell objects -> text columns, converted chunk by chunk."""
    pieces: list[list[pa.Array]] = [[] for _ in range(width)]
    for start in range(0, len(rows), _CHUNK_ROWS):
        chunk = rows[start:start + _CHUNK_ROWS]
        block = None
        if all(len(row) == width for row in chunk):
            block = np.array(chunk, dtype=object)
        if block is None or block.shape != (len(chunk), width):
            block = np.empty((len(chunk), width), dtype=object)
            for i, row in enumerate(chunk):  # ragged text records only
                block[i, :len(row)] = row
        rows[start:start + _CHUNK_ROWS] = [None] * len(chunk)  # let the cell objects go once converted
        del chunk
        for c in range(width):
            pieces[c].append(_text_of_objects(block[:, c]))
    return [pa.chunked_array(p, type=_TEXT) for p in pieces]


def _frame_sheet(frame: pd.DataFrame) -> _Sheet:
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        header = [" ".join(str(part) for part in c if str(part) and not str(part).startswith("Unnamed"))
                  for c in columns]
    else:
        header = [_cell_text(c) or "" for c in columns]
    texts = [pa.chunked_array([_text_of_column(frame.iloc[:, i])], type=_TEXT) for i in range(frame.shape[1])]
    return _columns_sheet(header, texts, len(frame))


def arrow_table_of(source) -> pa.Table | None:
    """An engine's table as Arrow: a pyarrow Table or record-batch reader, a DuckDB relation, a
    Spark, polars or other DataFrame that can give Arrow (``toArrow``, ``to_arrow``, ``arrow``);
    None for anything else (a path, a pandas DataFrame)."""
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, (pa.RecordBatchReader, pa.RecordBatch)):
        return source.read_all() if isinstance(source, pa.RecordBatchReader) else pa.Table.from_batches([source])
    if isinstance(source, (str, bytes, Path, pd.DataFrame)) or hasattr(source, "__fspath__"):
        return None
    for method in ("toArrow", "to_arrow_table", "to_arrow", "arrow"):  # Spark 4, DuckDB, polars, DuckDB < 1.4
        convert = getattr(source, method, None)
        if callable(convert):
            table = convert()
            if isinstance(table, pa.RecordBatchReader):
                table = table.read_all()
            if isinstance(table, pa.Table):
                return table
    if callable(getattr(source, "toPandas", None)):  # Spark before 4
        return pa.Table.from_pandas(source.toPandas(), preserve_index=False)
    return None


def _arrow_texts(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Arrow column as text cells: strings as they are (empty -> null), other types as a
    person sees them, each distinct value converted once."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        texts = column.cast(_TEXT)
        return pc.if_else(pc.equal(texts, ""), pa.scalar(None, _TEXT), texts)
    if pa.types.is_integer(kind):
        return pc.cast(column, _TEXT)
    if pa.types.is_boolean(kind):
        return pc.if_else(column, pa.scalar("TRUE", _TEXT), pa.scalar("FALSE", _TEXT))
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False).astype(np.float64)
        return pa.chunked_array([_text_of_floats(values)], type=_TEXT)
    if pa.types.is_date(kind):
        return pc.cast(pc.cast(column, pa.date32()), _TEXT)  # 2021-07-28, any year
    series = column.to_pandas(date_as_object=False, timestamp_as_object=True) \
        if pa.types.is_timestamp(kind) else column.to_pandas()
    return pa.chunked_array([_text_of_column(pd.Series(series))], type=_TEXT)


def _arrow_sheet(table: pa.Table) -> _Sheet:
    """A Parquet file's or an engine's table: its column names are the header (grid row 0), its
    rows the records (spreadsheet rows 2.., as for a DataFrame)."""
    header = [_clean_text(str(name)) for name in table.column_names]
    texts = [_arrow_texts(table.column(i)) for i in range(table.num_columns)]
    return _columns_sheet(header, texts, table.num_rows)


def _columns_sheet(header: list[str], texts: list[pa.ChunkedArray], n: int) -> _Sheet:
    """A sheet of named text columns (a DataFrame's, a Parquet file's): grid row 0 is the names."""
    head_n = min(n, HEAD_ROWS - 1)
    head_cols = [c.slice(0, head_n).to_pylist() for c in texts]
    head = [header] + [[(head_cols[c][r] or "") for c in range(len(texts))] for r in range(head_n)]

    def body_from(k: int):
        start = max(k - 1, 0)
        return [c.slice(start) for c in texts], np.arange(start + 2, n + 2, dtype=np.int64)

    return _Sheet(name=None, head=head, body_from=body_from, columns_header=True)


# --------------------------------------------------------------------------- files

def _split_sheet(label: str) -> tuple[Path, str | None]:
    """``ledger.xlsx#公文台账`` -> (path, sheet); a real file whose name has '#' wins."""
    path = Path(label)
    if "#" in label and not path.exists():
        base, sheet = label.rsplit("#", 1)
        if Path(base).exists() or Path(base).suffix.lower() in WORKBOOK_SUFFIXES:
            return Path(base), sheet
    return path, None


def _printable_name(label: str) -> str:
    """A path as text any output can hold: a name that is not UTF-8 (GBK from a zip, decoded by
    Python with surrogate escapes) is shown as GB18030 if it is that, else with U+FFFD."""
    if not re.search("[\ud800-\udfff]", label):
        return label
    raw = label.encode("utf-8", "surrogateescape")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _read_file(label: str, fields: dict) -> tuple[_Book, str]:
    path, sheet = _split_sheet(label)
    try:
        if not path.exists():
            raise DatasetError(**both("read_not_found", label=label), file=label)
        if path.is_dir():
            raise DatasetError(**both("read_folder", label=label), file=label)
        if not path.is_file():  # a device such as /dev/zero or a pipe would be read for ever
            raise DatasetError(**both("read_not_regular", label=label), file=label)
        data = early.take(path)  # read while the command line was importing, if it is the same file
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(**both("read_cannot_read", label=label, reason=exc.strerror or exc), file=label) from exc
    digest = _Digest(data)  # hashed beside the parsing, outside the GIL
    kind = _sniff(label, data)
    if kind != "text":
        early.discard(data)  # a child started early for these bytes is not wanted
    if kind == "parquet":
        if sheet is not None:
            raise DatasetError(**both("read_parquet_no_sheets", label=label, path=path, sheet=sheet), file=label)
        book = _read_parquet(label, data)
    elif kind in ("xlsx", "xlsm", "xlsb", "ods", "xls"):
        book = _read_workbook(label, data, kind)
    elif kind == "html":
        book = _read_html(label, data)
    elif kind == "spreadsheetml":
        book = _read_spreadsheetml(label, data)
    else:
        if sheet is not None:
            raise DatasetError(**both("read_text_no_sheets", label=label, path=path, sheet=sheet), file=label)
        given = [data]
        del data
        book = _read_text(label, given, fields)
    book.wanted_sheet = sheet
    suffix = path.suffix.lower().lstrip(".")
    expected = {"xlsx": {"xlsx", "xlsm"}, "xlsm": {"xlsx", "xlsm"}, "xls": {"xls", "html", "spreadsheetml"},
                "xlsb": {"xlsb"}, "ods": {"ods"}, "csv": {"csv", "tsv"}, "tsv": {"csv", "tsv"},
                "txt": {"csv", "tsv"}, "parquet": {"parquet"}}.get(suffix)
    if expected is not None and book.format not in expected:
        book.notes.append(f"the file is named .{suffix} but holds {_FORMAT_WORDS.get(book.format, book.format)}; "
                          "it was read as what it holds")
    return book, digest.hexdigest()


class _Digest:
    """The SHA-256 of a file's bytes, computed in a thread of its own (hashlib lets go of the
    GIL for large buffers, so a 500 MB ledger is hashed while it is parsed)."""

    def __init__(self, data: bytes):
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True,
                                        name="disclosure-rules-sha256")
        self._thread.start()

    def hexdigest(self) -> str:
        self._thread.join()
        return self._hash.hexdigest()


_FORMAT_WORDS = {"xlsx": "an .xlsx workbook", "xlsm": "an .xlsm workbook", "xls": "an .xls workbook",
                 "xlsb": "an .xlsb workbook", "ods": "an .ods spreadsheet", "csv": "CSV text", "tsv": "tab-separated text",
                 "html": "an HTML table", "spreadsheetml": "Excel 2003 XML", "parquet": "a Parquet file"}


def _read_parquet(label: str, data: bytes) -> _Book:
    """A Parquet file: one table, its column names the header."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except Exception as exc:  # truncated, damaged, or a codec this pyarrow lacks
        raise DatasetError(**both("read_parquet_damaged", label=label, reason=exc), file=label) from exc
    return _Book(label=label, format="parquet", sheets=[_arrow_sheet(table)])


def _what_zip(data: bytes) -> tuple[str | None, str]:
    """(workbook kind or None, what the zip is in words)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except Exception:
        return None, "a damaged or truncated zip file (an .xlsx workbook is a zip)"
    lower = {n.lower(): n for n in names}
    if "xl/workbook.xml" in lower:
        try:
            types = archive.read(lower.get("[content_types].xml", "[Content_Types].xml"))
        except Exception:
            types = b""
        return ("xlsm" if b"macroEnabled" in types else "xlsx"), "an Excel workbook"
    if "xl/workbook.bin" in lower:
        return "xlsb", "an Excel binary workbook"
    if "mimetype" in lower:
        try:
            mimetype = archive.read(lower["mimetype"]).decode("ascii", "replace").strip()
        except Exception:
            mimetype = ""
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods", "an OpenDocument spreadsheet"
        what = {"application/vnd.oasis.opendocument.text": "an OpenDocument text document (.odt)",
                "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)"}
        return None, what.get(mimetype, f"an OpenDocument file of type '{mimetype}', not a spreadsheet")
    if "word/document.xml" in lower:
        return None, "a Word document (.docx)"
    if "ppt/presentation.xml" in lower:
        return None, "a PowerPoint presentation (.pptx)"
    if any(n.lower().endswith((".xlsx", ".xls", ".csv", ".ods", ".et")) for n in names):
        inside = ", ".join(n for n in names if n.lower().endswith((".xlsx", ".xls", ".csv", ".ods", ".et")))
        return None, f"a zip archive holding {inside[:200]}; unpack it and give the ledger inside"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return None, f"a zip archive of other files ({shown or 'empty'})"


def _what_ole2(data: bytes) -> tuple[str | None, str]:
    # directory entries name the streams in UTF-16LE
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return None, ("a password-protected (encrypted) workbook; open it in Excel or WPS, remove the "
                      "password (File > Info > Protect Workbook) and save it again")
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls", "an Excel 97-2003 workbook"
    if _utf16("WordDocument") in data:
        return None, "a Word 97-2003 document (.doc)"
    if _utf16("PowerPoint Document") in data:
        return None, "a PowerPoint 97-2003 presentation (.ppt)"
    return "xls", "an Office 97-2003 file"


_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|head|body|meta)\b",
                         re.IGNORECASE | re.DOTALL)


def _sniff(label: str, data: bytes) -> str:
    """The format of ``data`` by its content: a workbook kind, "html", "spreadsheetml" or "text"."""
    head = data[:4096]
    if head.startswith(b"PAR1") and data.endswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind, what = _what_zip(data)
        if kind is None:
            raise DatasetError(**both("read_not_ledger", label=label, what=file_kind(what)), file=label)
        return kind
    if head.startswith(_OLE2):
        kind, what = _what_ole2(data)
        if kind is None:
            raise DatasetError(**both("read_not_readable_ledger", label=label, what=file_kind(what)), file=label)
        return kind
    others = ((b"%PDF", "a PDF document"), (b"{\\rtf", "an RTF (Word) document"),
              (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
              (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"), (b"\x1f\x8b", "a gzip archive"))
    for magic, what in others:
        if head.startswith(magic):
            raise DatasetError(**both("read_not_ledger", label=label, what=file_kind(what)), file=label)
    text_head = _ascii_view(head)
    if _HTML_START.match(text_head):
        return "html"
    if text_head.lstrip().startswith(b"<?xml") or text_head.lstrip().startswith(b"<Workbook"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in _ascii_view(data[:65536]):
            return "spreadsheetml"
        if b"<html" in text_head.lower():
            return "html"
        raise DatasetError(**both("read_xml_not_sheet", label=label), file=label)
    return "text"


def _ascii_view(head: bytes) -> bytes:
    """The first bytes with a BOM removed and UTF-16 narrowed, to recognise markup."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head[2:].decode("utf-16-le" if head[:2] == codecs.BOM_UTF16_LE else "utf-16-be",
                               "replace").encode("ascii", "replace")
    return head


# --------------------------------------------------------------------------- workbooks

_WORKBOOK_NAMES = {"xlsx": ".xlsx workbook", "xlsm": ".xlsm workbook", "xlsb": ".xlsb workbook",
                   "ods": ".ods spreadsheet", "xls": ".xls workbook"}


def _calamine_failure(label: str, kind: str, exc: BaseException) -> DatasetError:
    text = str(exc).strip() or type(exc).__name__
    if "password" in text.lower() or "encrypt" in text.lower() or type(exc).__name__ == "PasswordError":
        return DatasetError(**both("read_password", label=label), file=label)
    return DatasetError(**both("read_damaged", label=label, kind=file_kind(_WORKBOOK_NAMES[kind]), detail=text[:200]),
                        file=label)


def _guard(label: str, kind: str, call):
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except DatasetError:
        raise
    except BaseException as exc:  # CalamineError, and pyo3's PanicException (a BaseException)
        raise _calamine_failure(label, kind, exc) from None


#: cells a worksheet's declared area may cover: calamine allocates the whole area at once, and a
#: stray cell at XFD1048576 (17 billion cells) aborts the process, beyond any exception
MAX_SHEET_CELLS = 200_000_000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:  # at most three letters
        number = number * 26 + (letter - 64)
    return number


def _check_dimensions(label: str, data: bytes) -> None:
    """Refuse a workbook whose sheet declares an area no ledger has, before calamine builds it."""
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        for part in parts:
            with archive.open(part) as stream:
                head = stream.read(4096)  # <dimension> comes right after <sheetPr>, near the start
            found = _DIMENSION.search(head)
            if not found or not found.group(3):
                continue
            rows = int(found.group(4)) - int(found.group(2)) + 1
            columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
            if rows * columns > MAX_SHEET_CELLS:
                area = f"{found.group(1).decode()}{found.group(2).decode()}:{found.group(3).decode()}{found.group(4).decode()}"
                raise DatasetError(**both("read_too_wide", label=label, area=area, rows=f"{rows:,}",
                                          columns=f"{columns:,}"), file=label)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error):
        return  # a broken archive is calamine's to report, in its own words


def _read_workbook(label: str, data: bytes, kind: str) -> _Book:
    import python_calamine

    if not data:
        raise DatasetError(**both("read_empty", label=label), file=label)
    if kind in ("xlsx", "xlsm"):
        _check_dimensions(label, data)
    book = _guard(label, kind, lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
    metadata = _guard(label, kind, lambda: list(book.sheets_metadata))
    ods_merges = _ods_merges(data) if kind == "ods" else {}
    sheets: list[_Sheet] = []
    for index, meta in enumerate(metadata):
        sheets.append(_workbook_sheet(label, kind, book, index, meta, ods_merges))
    _guard(label, kind, book.close)
    result = _Book(label=label, format=kind, sheets=sheets)
    if kind == "xlsb":
        result.notes.append("merged cells are not read from .xlsb workbooks")
    return result


def _workbook_sheet(label, kind, book, index, meta, ods_merges) -> _Sheet:
    name = str(meta.name)
    if "chart" in str(getattr(meta, "typ", "")).lower():
        return _Sheet(name=name, head=[], body_from=_no_body, kind="chart")
    sheet = _guard(label, kind, lambda: book.get_sheet_by_index(index))
    if kind == "ods":
        merges = ods_merges.get(name, [])
    else:
        merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (_guard(label, kind, lambda: sheet.merged_cell_ranges) or [])]
    columns = _guard(label, kind, lambda: _calamine_columns(sheet))
    if not columns or not len(columns[0]):
        return _Sheet(name=name, head=[], body_from=_no_body, kind="empty")
    result = _grid_sheet(name, columns, merges)
    result.hidden = "hidden" in str(getattr(meta, "visible", "")).lower()  # Hidden, VeryHidden
    return result


def _calamine_columns(sheet) -> list[pa.ChunkedArray]:
    """A calamine sheet as text columns from A1, its rows streamed a chunk at a time.

    ``iter_rows`` yields rows from row 1 but columns from the first used one (``start``,
    0-based (row, column)); the columns before it are put back so that positions, and the
    merged ranges calamine gives in absolute positions, are those Excel shows. Rows above
    the used range are put back too should a calamine version not yield them.
    """
    start = getattr(sheet, "start", None)
    end = getattr(sheet, "end", None)
    if start is None or end is None:
        rows = sheet.to_python(skip_empty_area=False)
        return _columns_of_rows(rows, max((len(r) for r in rows), default=0))
    rows_iter = sheet.iter_rows()
    pieces: list[list[pa.Array]] | None = None
    count = 0
    while True:
        chunk = list(itertools.islice(rows_iter, _CHUNK_ROWS))
        if not chunk:
            break
        width = max(len(r) for r in chunk)
        columns = _columns_of_rows(chunk, width)
        if pieces is None:
            pieces = [[] for _ in columns]
        for c, column in enumerate(columns[: len(pieces)]):
            pieces[c].extend(column.chunks)
        count += len(chunk)
    if pieces is None:
        return []
    # ``end`` is the last used (row, column), 0-based (``total_width`` is that column's index,
    # not a width): the grid runs from A1 to it
    left = max(0, int(start[1]))
    top = max(0, int(end[0]) + 1 - count)
    columns = [pa.chunked_array([pa.nulls(count, _TEXT)], type=_TEXT) for _ in range(left)]
    columns += [pa.chunked_array(p, type=_TEXT) for p in pieces]
    if top:
        columns = [pa.chunked_array([pa.nulls(top, _TEXT), *c.chunks], type=_TEXT) for c in columns]
    return columns


def _no_body(k: int):
    return [], np.zeros(0, dtype=np.int64)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges of each sheet of an .ods (calamine does not give them): from content.xml."""
    import xml.etree.ElementTree as ET

    merges: dict[str, list] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
            sheet, row, col = None, 0, 0
            for event, element in ET.iterparse(content, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{_ODS_TABLE}table":
                        sheet, row = element.get(f"{_ODS_TABLE}name", ""), 0
                        merges.setdefault(sheet, [])
                    elif tag == f"{_ODS_TABLE}table-row":
                        col = 0
                    continue
                if tag in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                    repeat = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1") or 1)
                    across = int(element.get(f"{_ODS_TABLE}number-columns-spanned", "1") or 1)
                    down = int(element.get(f"{_ODS_TABLE}number-rows-spanned", "1") or 1)
                    if sheet is not None and (across > 1 or down > 1):
                        merges[sheet].append((row, col, row + down - 1, col + across - 1))
                    col += repeat
                    element.clear()
                elif tag == f"{_ODS_TABLE}table-row":
                    row += int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1") or 1)
                    element.clear()
                elif tag == f"{_ODS_TABLE}table":
                    sheet = None
                    element.clear()
    except Exception:
        return merges  # the cells themselves come from calamine, which reports real damage
    return merges


# --------------------------------------------------------------------------- HTML and SpreadsheetML

class _HtmlTables(html.parser.HTMLParser):
    """Every outermost <table> as rows of (text, colspan, rowspan)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self.depth = 0
        self.row: list | None = None
        self.cell: list[str] | None = None
        self.span = (1, 1)

    @staticmethod
    def _int(value, default=1) -> int:
        try:
            return max(1, min(int(str(value).strip() or default), 10000))
        except ValueError:
            return default

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif self.depth != 1:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            attributes = dict(attrs)
            self.cell = []
            self.span = (self._int(attributes.get("colspan")), self._int(attributes.get("rowspan")))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            if self.depth == 1:
                self._end_row()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def _end_cell(self):
        if self.cell is not None and self.row is not None:
            text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(self.cell).replace("\n", "\x00"))
            self.row.append((text.replace("\x00", "\n").strip(), *self.span))
        self.cell = None

    def _end_row(self):
        self._end_cell()
        if self.row is not None and self.tables:
            self.tables[-1].append(self.row)
        self.row = None


#: cells an HTML table or an Excel 2003 XML sheet may span (Excel's own sheet holds 17 billion,
#: but a real ledger exported as markup holds well under a million)
MAX_MARKUP_CELLS = 20_000_000


class _TooLarge(Exception):
    """A markup table spans more cells than MAX_MARKUP_CELLS."""


def _check_grid(label: str, sheet: str, height: int, width: int) -> None:
    if height * width > MAX_MARKUP_CELLS:
        raise DatasetError(**both("read_grid_too_large", label=label, sheet=sheet, rows=height, columns=width,
                                  cells=f"{MAX_MARKUP_CELLS:,}"), file=label)


def _place_spans(rows: list[list[tuple[Any, int, int]]]):
    """Rows of (value, colspan, rowspan) -> a rectangular grid and its merged ranges."""
    taken: dict[tuple[int, int], Any] = {}
    merges = []
    for r, row in enumerate(rows):
        c = 0
        for value, across, down in row:
            while (r, c) in taken:
                c += 1
            if (r + down) * (c + across) > MAX_MARKUP_CELLS or len(taken) + across * down > MAX_MARKUP_CELLS:
                raise _TooLarge()
            for dr in range(down):
                for dc in range(across):
                    taken[(r + dr, c + dc)] = value if (dr, dc) == (0, 0) else ""
            if across > 1 or down > 1:
                merges.append((r, c, r + down - 1, c + across - 1))
            c += across
    height = max((r for r, _ in taken), default=-1) + 1
    width = max((c for _, c in taken), default=-1) + 1
    grid = [[""] * width for _ in range(height)]  # taken already holds every cell: bounded below
    for (r, c), value in taken.items():
        grid[r][c] = value
    return grid, merges


def _decode_markup(label: str, data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = re.search(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_\-]+)""", data[:4096], re.IGNORECASE)
    candidates = ["utf-8"]
    if declared:
        candidates.insert(0, declared.group(1).decode("ascii"))
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode("gb18030" if encoding.lower() in ("gb2312", "gbk", "x-gbk") else encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def _read_html(label: str, data: bytes) -> _Book:
    parser = _HtmlTables()
    try:
        parser.feed(_decode_markup(label, data))
        parser.close()
    except Exception as exc:
        raise DatasetError(**both("read_html_broken", label=label, detail=exc), file=label) from None
    tables = [t for t in parser.tables if any(any(cell[0] for cell in row) for row in t)]
    if not tables:
        raise DatasetError(**both("read_html_no_table", label=label), file=label)
    sheets = []
    for i, table in enumerate(tables, start=1):
        try:
            grid, merges = _place_spans(table)
        except _TooLarge:
            raise DatasetError(**both("read_html_too_large", label=label, n=i, cells=f"{MAX_MARKUP_CELLS:,}"),
                               file=label) from None
        sheets.append(_grid_sheet(f"table {i}", _columns_of_rows(grid, len(grid[0]) if grid else 0), merges))
    return _Book(label=label, format="html", sheets=sheets,
                 notes=["an HTML table (a web page saved with an .xls suffix) was read"])


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _read_spreadsheetml(label: str, data: bytes) -> _Book:
    """Excel 2003 XML (SpreadsheetML), which office systems often save as .xls."""
    import xml.etree.ElementTree as ET

    if re.search(rb"<!ENTITY", data[:65536]):
        raise DatasetError(**both("read_xml_entities", label=label), file=label)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DatasetError(**both("read_xml_damaged", label=label, detail=exc), file=label) from None
    sheets = []
    for worksheet in root.iter(f"{_SS}Worksheet"):
        name = worksheet.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}"
        placed: dict[tuple[int, int], Any] = {}
        merges = []
        r = -1
        for table in worksheet.iter(f"{_SS}Table"):
            for row in table.iter(f"{_SS}Row"):
                r = _ss_index(row, r + 1)
                c = -1
                for cell in row.iter(f"{_SS}Cell"):
                    c = _ss_index(cell, c + 1)
                    across = _ss_int(cell.get(f"{_SS}MergeAcross"))
                    down = _ss_int(cell.get(f"{_SS}MergeDown"))
                    datum = cell.find(f"{_SS}Data")
                    if datum is not None:
                        placed[(r, c)] = _ss_value(datum)
                    if across or down:
                        merges.append((r, c, r + down, c + across))
                    c += across
        height = max((p[0] for p in placed), default=-1) + 1
        width = max((p[1] for p in placed), default=-1) + 1
        if not placed:
            sheets.append(_Sheet(name=name, head=[], body_from=_no_body, kind="empty"))
            continue
        _check_grid(label, name, height, width)
        grid = [[None] * width for _ in range(height)]
        for (rr, cc), value in placed.items():
            grid[rr][cc] = value
        sheets.append(_grid_sheet(name, _columns_of_rows(grid, width), merges))
    if not sheets:
        raise DatasetError(**both("read_xml_no_sheet", label=label), file=label)
    return _Book(label=label, format="spreadsheetml", sheets=sheets)


def _ss_int(value) -> int:
    try:
        return max(0, min(int(value), 100000)) if value else 0
    except ValueError:
        return 0


def _ss_index(element, default: int) -> int:
    index = element.get(f"{_SS}Index")
    try:
        return max(default, min(int(index) - 1, 10**7)) if index else default
    except ValueError:
        return default


def _ss_value(datum) -> Any:
    text = "".join(datum.itertext())
    kind = datum.get(f"{_SS}Type", "String")
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "DateTime":
        day, _, time = text.partition("T")
        time = time.split(".")[0]
        return day if time in ("", "00:00:00") else f"{day} {time}"
    return text


# --------------------------------------------------------------------------- text files

_BIG_FIELDS = {"lock": threading.Lock(), "depth": 0, "previous": None}


@contextlib.contextmanager
def _big_fields():
    """Let the csv module read cells of any size (its default limit is 128 KiB). The limit is
    the module's, shared by threads: the first reader to enter raises it and the last to leave
    puts it back, so a ledger read beside another never finds it lowered mid-file."""
    with _BIG_FIELDS["lock"]:
        if _BIG_FIELDS["depth"] == 0:
            _BIG_FIELDS["previous"] = csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        _BIG_FIELDS["depth"] += 1
    try:
        yield
    finally:
        with _BIG_FIELDS["lock"]:
            _BIG_FIELDS["depth"] -= 1
            if _BIG_FIELDS["depth"] == 0:
                csv.field_size_limit(_BIG_FIELDS["previous"])


def _reject_binary(label: str, data: bytes) -> None:
    if not re.search(rb"[^ \t\r\n]", data[:HEAD_BYTES].removeprefix(codecs.BOM_UTF8)) and (
            len(data) <= HEAD_BYTES or not data.strip()):
        raise DatasetError(**both("read_empty", label=label), file=label)
    head = data[:8192]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or _utf16_without_bom(head):
        return
    if b"\x00" in head:
        raise DatasetError(**both("read_binary", label=label), file=label)


def _utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is NUL as in UTF-16 text, else None."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.3 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.3 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _guess_encoding(label: str, data: bytes) -> tuple[str, bytes]:
    """Return (encoding name, UTF-8 bytes to parse) judged from the first bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", memoryview(data)[len(codecs.BOM_UTF8):]  # no copy of a big file
    utf16 = None
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        utf16 = "utf-16"
    elif (guess := _utf16_without_bom(data[:8192])) is not None:
        utf16 = guess
    if utf16:
        try:
            return utf16, data.decode(utf16).encode("utf-8")
        except UnicodeError as exc:
            raise _undecodable(label, ("UTF-16",)) from exc
    head = data[:HEAD_BYTES]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == len(data))
        return "utf-8", data
    except UnicodeDecodeError:
        return "gb18030", _decode_gb18030(label, data)


def _decode_in_child(data) -> memoryview | None:
    """``data`` (GB18030) as UTF-8 from a child process, in pieces of :data:`DECODE_CHUNK`,
    or None (decode it here): :func:`decoding.decode_in_child`."""
    return decode_in_child(data, DECODE_CHUNK)


def _decode_gb18030(label: str, data: bytes) -> memoryview:
    """``data`` (GB18030) as UTF-8, or the error naming ``label`` (the same either way)."""
    utf8 = early.decoded(data)  # a child the command line started before its imports
    if utf8 is early.NOT_DECODING:
        utf8 = _decode_in_child(data) if len(data) >= CHILD_DECODE_BYTES else None
    if utf8 is not None:
        return utf8
    decoder = codecs.getincrementaldecoder("gb18030")()
    view = memoryview(data)
    out = io.BytesIO()
    try:
        for start in range(0, len(data), DECODE_CHUNK):
            out.write(decoder.decode(view[start:start + DECODE_CHUNK], final=False).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _undecodable(label, TEXT_ENCODINGS) from exc
    finally:
        view.release()
    return out.getbuffer()  # the bytes as they are, not a second copy of them


def _undecodable(label: str, tried) -> DatasetError:
    return DatasetError(**both("read_undecodable", label=label, tried=", ".join(tried)), file=label)


def _read_text(label: str, given: list[bytes], fields: dict) -> _Book:
    """``given`` holds the file's bytes, which are let go once GB18030 is re-encoded (the
    caller keeps no other reference to them: a large file is not held twice)."""
    data = given.pop()
    _reject_binary(label, data)
    encoding, utf8 = _guess_encoding(label, data)
    if encoding != "gb18030":
        early.discard(data)  # a child started early for these bytes is not wanted
    if encoding not in ("utf-8", "utf-8-sig"):
        del data  # utf8 is its own copy; only a file judged UTF-8 by its head may turn to GB18030
    try:
        sheet, delimiter = _parse_text(label, utf8, fields)
    except (_NotUtf8, UnicodeDecodeError):
        if encoding != "utf-8":
            raise _undecodable(label, TEXT_ENCODINGS) from None
        # the head was plain ASCII/UTF-8 but a later part is not: GBK with Chinese further down
        encoding = "gb18030"
        sheet, delimiter = _parse_text(label, _decode_gb18030(label, data), fields)
    fmt = {"\t": "tsv"}.get(delimiter, "csv")
    reread = None
    if encoding == "utf-8" and sheet.stream_from is not None:
        def reread() -> _Book:
            again, delimiter_again = _parse_text(label, _decode_gb18030(label, data), fields)
            return _Book(label=label, format={"\t": "tsv"}.get(delimiter_again, "csv"), sheets=[again],
                         encoding="gb18030", delimiter=delimiter_again)
    return _Book(label=label, format=fmt, sheets=[sheet], encoding=encoding, delimiter=delimiter, reread=reread)


def _head_records(text: str, delimiter: str, whole: bool = True) -> list[list[str]]:
    """The first records of ``text``; the last one dropped when ``text`` is cut off inside it."""
    records = []
    with _big_fields():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            nonblank = 0
            for record in reader:
                records.append(record)
                nonblank += any(cell.strip() for cell in record)
                if len(records) >= HEAD_ROWS or nonblank > HEADER_SCAN_ROWS + 1:
                    break
        except csv.Error:
            pass
    if not whole and len(records) < HEAD_ROWS and sum(any(c.strip() for c in r) for r in records) <= HEADER_SCAN_ROWS + 1:
        records = records[:-1]  # the text ends inside this record
    return records


#: one CSV record and its line end (quoted cells may hold line breaks and doubled quotes)
_RECORD = re.compile(r'(?:"[^"]*+(?:""[^"]*+)*+"|[^"\r\n]++|")*+(?:\r\n|\r|\n|\Z)')


def _record_offset(text: str, records: int) -> int | None:
    """Character offset where record number ``records`` (0-based) starts, None if not in ``text``."""
    position = 0
    for _ in range(records):
        match = _RECORD.match(text, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
    return position


def _head_text(utf8, size: int) -> str:
    return codecs.getincrementaldecoder("utf-8")().decode(utf8[:size], final=len(utf8) <= size)


def _parse_text(label: str, utf8: bytes, fields: dict) -> tuple[_Sheet, str]:
    head_bytes = HEAD_BYTES
    head_text = _head_text(utf8, head_bytes)
    if _looks_binary(head_text):
        raise DatasetError(**both("read_control_chars", label=label), file=label)
    # huge cells above or in the header: read further until the header rows are whole
    while head_bytes < len(utf8) and len(_head_records(head_text, ",", whole=len(utf8) <= head_bytes)) <= 2:
        head_bytes *= 4
        head_text = _head_text(utf8, head_bytes)
    whole = len(utf8) <= head_bytes
    best = None
    for delimiter in (",", "\t", ";"):
        records = _head_records(head_text, delimiter, whole)
        if not any(any(cell.strip() for cell in r) for r in records):
            continue
        found = _detect_header(fields, records)
        score = (found.score, len([c for c in records[found.last] if c.strip()]) > 1)
        if best is None or score > best[0]:
            best = (score, delimiter, records)
    if best is None:
        raise DatasetError(**both("read_empty", label=label), file=label)
    _, delimiter, records = best
    width = max(len(r) for r in records)
    head = [list(r) + [""] * (width - len(r)) for r in records]
    cache: dict[int, tuple] = {}

    def offset_of(k: int) -> int:
        offset = _record_offset(head_text, k)
        if offset is None:  # a header cell larger than the head: decode up to it
            text = str(utf8, "utf-8", errors="replace")  # bytes or a memoryview
            offset = _record_offset(text, k) or len(text)
            return len(text[:offset].encode("utf-8"))
        return len(head_text[:offset].encode("utf-8"))

    def body_from(k: int):
        if k in cache:
            return cache.pop(k)
        columns = _parse_body(utf8, offset_of(k), delimiter, width)
        n = len(columns[0]) if columns else 0
        return columns, np.arange(k + 1, k + 1 + n, dtype=np.int64)

    def stream_from(k: int):
        return _stream_body(utf8, offset_of(k), delimiter, width)

    found = _detect_header(fields, head)
    if len(utf8) - offset_of(found.last + 1) > STREAM_BYTES:
        # read piece by piece, each piece's text let go once coded (the whole body's text never
        # exists at once); a later part that is not UTF-8 turns the file to GB18030 (Book.reread)
        return _Sheet(name=None, head=head, body_from=body_from, stream_from=stream_from), delimiter
    # parsed here, where a later part that is not UTF-8 can still turn to GB18030
    cache[found.last + 1] = body_from(found.last + 1)
    return _Sheet(name=None, head=head, body_from=body_from), delimiter


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f")
    return controls > max(2, len(sample) // 100)


class _NotUtf8(Exception):
    """The bytes given to the CSV parser are not valid UTF-8."""


class _StreamFailed(Exception):
    """A body the streaming parser cannot read (rows longer than the header, a record larger
    than a piece, a short row in a body that cannot be padded, a carriage return in a cell):
    read whole instead, where the other parsers take over."""


#: a text file's body larger than this is read piece by piece, in pieces of STREAM_BLOCK bytes
STREAM_BYTES = 32 * 1024 * 1024
STREAM_BLOCK = 4 * 1024 * 1024


#: pyarrow reads a body whole in blocks of this many bytes (its default), a thread each
PARSE_BLOCK = 1 << 20
#: the largest block pyarrow takes (its block size is a 32-bit integer)
_ONE_BLOCK_MAX = (1 << 31) - 2


def _holds_cr(columns) -> bool:
    """Whether a cell of these text columns may hold a carriage return: any CR byte in their
    value buffers (which may reach past a slice's cells, so a yes may be wrong, a no never).

    pyarrow (26 and before, apache/arrow#51368) drops the LF of a CRLF inside a quoted cell
    when a block of the body ends between the CR and the LF: the cell reads "a\\rb" for
    "a\\r\\nb", with no error. A cell it damages so holds a CR; a body whose cells hold none
    was read right, and one parsed in a single block, or in blocks none of which ends in a CR
    (:func:`_block_size`), is read right either way."""
    for column in columns:
        for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
            text = pa.types.is_large_string(chunk.type) or pa.types.is_string(chunk.type)
            values = chunk.buffers()[2] if text else None  # (a column of nulls has none)
            # a copy and a find (memchr), both holding the GIL: numpy would let it go and wait
            # to get it back from the other ledger's thread, for each of thousands of chunks
            if values is not None and values.size and values.to_pybytes().find(b"\r") >= 0:
                return True
    return False


#: block sizes tried, from the one asked for up, for one at which no block ends in a CR
_BLOCK_TRIES = 4096


def _block_size(buffer, block: int, delimiter: str = ",") -> int | None:
    """A block size from ``block`` up at which no block of the body (as given to pyarrow) but
    the last ends in a CR: then no block ends between the CR and LF of a CRLF in a cell, the
    one place this pyarrow can drop the LF (:func:`_damage_only_at_block_ends`), and its
    cells need no test. None where none of the sizes tried does, or where this pyarrow was
    seen damaging a cell elsewhere: then every cell with a CR is taken for damaged."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    if len(data) <= block:
        return block  # one block
    if not _damage_only_at_block_ends(delimiter):
        return None
    for size in range(block, block + _BLOCK_TRIES):
        if not (data[size - 1:len(data) - 1:size] == 13).any():  # each block's last byte, but the last block's
            return size
    return None


#: the block size of the trial of pyarrow (its records being shorter, :func:`_probe_body`)
_TRIAL_BLOCK = 48


@functools.lru_cache(maxsize=None)
def _damage_only_at_block_ends(delimiter: str = ",") -> bool:
    """Whether this pyarrow damages a quoted CRLF only where one of its blocks ends between
    the CR and the LF, as apache/arrow#51368 found (its blocks being the body's consecutive
    pieces of ``block_size`` bytes), read whole and streamed: tried once for each delimiter
    (~13 ms), on a small body with CRLF line ends: half its records hold a CRLF in a cell
    (a third of those with a block ending at a CR in the cell, a third with one ending at
    the CR of the record's own line end, the rest with the cell's CR at each offset in a
    block in turn), and each is placed by a filler record before it (:func:`_probe_body`)."""
    from pyarrow import csv as pa_csv

    block, names = _TRIAL_BLOCK, ["i", "text", "z"]
    body, texts = _probe_body(delimiter, block)
    parse = pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False)
    convert = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    try:
        whole = pa_csv.read_csv(pa.BufferReader(body), read_options=pa_csv.ReadOptions(
            column_names=names, block_size=block), parse_options=parse, convert_options=convert)
        streamed = pa.Table.from_batches(list(pa_csv.open_csv(pa.BufferReader(body), read_options=pa_csv.ReadOptions(
            column_names=names, block_size=block, use_threads=False), parse_options=parse, convert_options=convert)))
    except (pa.ArrowException, ValueError):
        return False
    for table in (whole, streamed):
        if (table.column("i").to_pylist() != [str(i) for i in range(len(texts))]
                or table.column("z").to_pylist() != ["z"] * len(texts)):
            return False
        cells = table.column("text").to_pylist()
        if any(cell != text and not split for cell, (text, split) in zip(cells, texts)):
            return False
    return True


def _probe_body(delimiter: str, block: int) -> tuple[pa.Buffer, list[tuple[str, bool]]]:
    """The body :func:`_damage_only_at_block_ends` reads, and each record's quoted cell with
    whether a block of ``block`` bytes ends at one of the cell's CRs. Before each record with
    a CRLF in its cell is one without, as long as the first needs to be placed (each at most
    half a block longer than it would be: no record is longer than a block of 32 bytes or
    more, the trial's being 48)."""
    records, texts, at = [], [], 0

    def add(text: str) -> None:
        nonlocal at
        head = f'{len(records)}{delimiter}"'
        line = f'{head}{text}"{delimiter}z\r\n'
        crs = [at + len(head) + k for k, ch in enumerate(text) if ch == "\r"]
        texts.append((text, any(cr % block == block - 1 for cr in crs)))
        records.append(line.encode())
        at += len(line)

    for i in range(3 * block):
        rest = "y" * (i % 3) + ("\r\n" if i % 5 == 0 else "")  # some cells hold two CRLFs
        # where the CR falls with no filling: after the filler's and this record's heads
        head = len(f'{len(records)}{delimiter}""{delimiter}z\r\n') + len(f'{len(records) + 1}{delimiter}"')
        if i % 3 == 0:    # a block ends at the CR of the cell's first CRLF
            target = block - 1
        elif i % 3 == 1:  # a block ends at the CR of the record's line end
            target = (block - 1 - 2 - len(rest) - len(f'"{delimiter}z')) % block
        else:             # the cell's CR at each offset from a block's start in turn
            target = (i // 3) % block
        shift = (target - at - head) % block
        add("w" * (shift // 2))
        add("x" * (shift - shift // 2) + "\r\n" + rest)
    return pa.py_buffer(b"".join(records)), texts


def _read_whole(buffer, names, parse, convert) -> list[pa.ChunkedArray] | None:
    """A body parsed by pyarrow, in blocks of about :data:`PARSE_BLOCK` bytes, a thread each,
    none ending in a CR (:func:`_block_size`); where no such size is found, again in one block
    where a cell holds a carriage return (:func:`_holds_cr`). None where that block would be
    larger than pyarrow takes (the C engine reads the body)."""
    from pyarrow import csv as pa_csv

    size = _block_size(buffer, PARSE_BLOCK, parse.delimiter)
    table = pa_csv.read_csv(pa.BufferReader(buffer), read_options=pa_csv.ReadOptions(
        column_names=names, block_size=size or PARSE_BLOCK), parse_options=parse, convert_options=convert)
    columns = list(table.columns)
    if size is None and _holds_cr(columns):
        if buffer.size > _ONE_BLOCK_MAX:
            return None
        del table, columns  # let the first parse go before the second (no two of them at once)
        try:
            table = pa_csv.read_csv(pa.BufferReader(buffer), read_options=pa_csv.ReadOptions(
                column_names=names, block_size=buffer.size + 1, use_threads=False),
                parse_options=parse, convert_options=convert)
        except (pa.ArrowMemoryError, pa.ArrowCapacityError):
            return None  # a block too large for this machine: the C engine reads the body
        columns = list(table.columns)
    return columns


def _arrow_csv(utf8, offset: int, delimiter: str, width: int):
    """(the bytes from ``offset`` on, column names, parse and convert options): how pyarrow
    reads a body, whole (:func:`_parse_body`) or piece by piece (:func:`_stream_body`) alike.
    With ``ignore_empty_lines=False`` a blank line is a record, so row numbers stay those
    Excel shows; every cell is text, and an empty cell null."""
    from pyarrow import csv as pa_csv

    names = [str(i) for i in range(max(width, 1))]
    buffer = pa.py_buffer(utf8)
    if offset:
        buffer = buffer.slice(offset)
    parse = pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=True, ignore_empty_lines=False)
    convert = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, _TEXT), null_values=[""],
                                    strings_can_be_null=True, quoted_strings_can_be_null=True)
    return buffer, names, parse, convert


class _CannotPad(Exception):
    """A quote opens in the middle of a cell, so where pyarrow's cells end is not told by
    counting quotes: such a body is left to the other parsers."""


#: a body is padded in pieces of this many bytes
_PAD_BLOCK = 4 * 1024 * 1024
_SHORT_ROW = re.compile(r"Expected (\d+) columns, got (\d+)")


def _short_row(exc: Exception) -> bool:
    """Whether pyarrow stopped at a record with fewer cells than the header."""
    found = _SHORT_ROW.search(str(exc))
    return found is not None and int(found[2]) < int(found[1])


def _padded(buffer, delimiter: str, width: int):
    """The body's bytes, in pieces, with delimiters added at the end of each record that
    has fewer than ``width`` cells, the way Excel leaves off a row's trailing empty cells in
    a CSV it saves: the cells a short record lacks are blank, as every other parser reads
    them. Blank records are left blank.

    Vectorised over the bytes that can end a cell or quote one (delimiters, quotes, line
    ends): a delimiter or line end outside quotes ends a cell, and whether a byte is inside
    quotes is the parity of the quotes before it. That is how pyarrow reads a body whose
    every quote that opens is at the start of a cell (or doubles a quote inside quotes); a
    body with a quote opening inside a cell raises :class:`_CannotPad`.
    """
    data = np.frombuffer(buffer, dtype=np.uint8)
    sep, quote, lf, cr = ord(delimiter), ord('"'), ord("\n"), ord("\r")
    quoted = 0       # 1 while inside quotes at the start of the piece
    cells = 0        # delimiters of the record under way
    content = False  # whether the record under way has a byte
    previous = lf    # the byte before the piece (a line end at the start of the body)
    start = 0
    while start < len(data):
        end = min(start + _PAD_BLOCK, len(data))
        if end < len(data) and data[end - 1] == cr and data[end] == lf:
            end += 1  # a piece never ends between the CR and LF of one line end
        piece = data[start:end]
        at = np.flatnonzero((piece == sep) | (piece == quote) | (piece == lf) | (piece == cr))
        kind = piece[at]
        is_quote = kind == quote
        before = np.cumsum(is_quote, dtype=np.int64) - is_quote + quoted  # quotes before each
        outside = (before & 1) == 0
        prior = piece[np.maximum(at - 1, 0)]
        prior[at == 0] = previous
        if not np.isin(prior[is_quote & outside], (sep, lf, cr, quote)).all():
            raise _CannotPad()
        # a CR ends a line unless an LF follows (a CR that ends a piece has none after it)
        following = piece[np.minimum(at + 1, len(piece) - 1)]
        is_end = outside & ((kind == lf) | ((kind == cr) & ((following != lf) | (at == len(piece) - 1))))
        counted = np.cumsum(outside & (kind == sep), dtype=np.int64)
        ends = np.flatnonzero(is_end)  # indices into ``at``
        if len(ends):
            stops = at[ends] - ((kind[ends] == lf) & (prior[ends] == cr))  # before a CRLF's CR
            per = np.diff(counted[ends], prepend=0)
            per[0] += cells
            starts = np.concatenate(([0], at[ends[:-1]] + 1))
            filled = stops > starts
            filled[0] |= content
            short = filled & (per < width - 1)
            cells = int(counted[-1] - counted[ends[-1]])
            content = len(piece) > at[ends[-1]] + 1
        else:
            cells += int(counted[-1]) if len(counted) else 0
            content = content or len(piece) > 0
        quoted = int(before[-1] + is_quote[-1]) & 1 if len(at) else quoted
        previous = int(piece[-1])
        if len(ends) and short.any():
            piece = np.insert(piece, np.repeat(stops[short], (width - 1) - per[short]), sep)
        yield memoryview(piece)
        start = end
    if content and cells < width - 1:
        yield bytes([sep]) * (width - 1 - cells)


def _stream_body(utf8, offset: int, delimiter: str, width: int):
    """The cells from byte ``offset`` on, as :func:`_parse_body` reads them with pyarrow, in
    consecutive pieces of rows (lists of text columns), parsed one piece at a time. At a
    record with fewer cells than the header the body is parsed again from its start, padded
    (:func:`_padded`), and the rows already given are passed over. The pieces are sized so
    that none ends in a CR (:func:`_block_size`); where no such size is found, a piece with a
    carriage return in a cell raises :class:`_StreamFailed` (:func:`_holds_cr`), and the body
    is read whole."""
    from pyarrow import csv as pa_csv

    buffer, names, parse, convert = _arrow_csv(utf8, offset, delimiter, width)
    given = 0
    for padded in (False, True):
        skip = given
        try:
            # the padded body as an Arrow buffer: a Python file under pyarrow's read-ahead thread
            # can leave that thread reading at exit when the parse fails (a crash or a hang)
            source = pa.py_buffer(b"".join(_padded(buffer, delimiter, len(names)))) if padded else buffer
            size = _block_size(source, STREAM_BLOCK, delimiter)
            reader = pa_csv.open_csv(
                pa.BufferReader(source), parse_options=parse, convert_options=convert,
                read_options=pa_csv.ReadOptions(column_names=names, block_size=size or STREAM_BLOCK, use_threads=False))
            for batch in reader:
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                if skip:
                    batch, skip = batch.slice(skip), 0
                if size is None and _holds_cr(batch.columns):
                    raise _StreamFailed()  # its blocks may have split a CRLF in a cell (_holds_cr)
                given += batch.num_rows
                yield [pa.chunked_array([column], type=_TEXT) for column in batch.columns]
            return
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                raise _NotUtf8() from exc
            if padded or not _short_row(exc):
                raise _StreamFailed() from exc
        except _CannotPad as exc:
            raise _StreamFailed() from exc


def _parse_body(utf8: bytes, offset: int, delimiter: str, width: int) -> list[pa.ChunkedArray]:
    """Every cell from byte ``offset`` on as text columns, one row per record (blank records kept).

    pyarrow first: multithreaded, and with ``ignore_empty_lines=False`` a blank line is a
    record, so row numbers stay those Excel shows. Rows short of cells (Excel leaves off a
    row's trailing empty cells) make it fail: it reads the body again padded
    (:func:`_padded`). Rows longer than the header or huge cells make it fail too: the C
    engine reads what it can, and the csv module whatever is left. The blocks are sized so
    that none ends in a CR, which keeps a CRLF in a cell whole (:func:`_read_whole`).
    """
    buffer, names, parse, convert = _arrow_csv(utf8, offset, delimiter, width)
    if not buffer.size:
        return [pa.chunked_array([], type=_TEXT) for _ in names]
    short = False
    try:
        columns = _read_whole(buffer, names, parse, convert)
        if columns is not None:
            return columns
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise _NotUtf8() from exc
        short = _short_row(exc)
    if short:  # rows whose trailing empty cells were left off, as Excel leaves them
        try:
            columns = _read_whole(pa.py_buffer(b"".join(_padded(buffer, delimiter, len(names)))), names, parse, convert)
            if columns is not None:
                return columns
        except _CannotPad:
            pass
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                raise _NotUtf8() from exc
    body = memoryview(utf8)[offset:]
    try:
        # the warning filters are the process's: this (rare) path is taken by one thread at a time
        with WARNING_FILTERS, warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.BytesIO(body), engine="c", sep=delimiter, header=None,
                                names=list(range(len(names))), dtype=object, keep_default_na=False,
                                na_filter=False, quotechar='"', skip_blank_lines=False, index_col=False)
        return [pa.chunked_array([_text_of_objects(frame[c].to_numpy(dtype=object))], type=_TEXT)
                for c in frame.columns]
    except UnicodeDecodeError as exc:
        raise _NotUtf8() from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError, OverflowError, MemoryError):
        pass
    # rows longer than the header, cells beyond every parser's limit: the csv module reads them
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotUtf8() from exc
    with _big_fields():
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    wide = max([len(names), *map(len, records)])
    return _columns_of_rows(records, wide)


# --------------------------------------------------------------------------- headers

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|《[^《》]*》")
_MARKS = re.compile(r"[*★☆※●○◆◇▲△■□#＃✱✲✳︎!！?？]+")


def header_key(text: Any) -> str:
    """How a header cell and an accepted name compare: NFKC, case-folded, no spaces, notes or marks."""
    return _header_key("" if text is None else (_cell_text(text) or ""))


@functools.lru_cache(maxsize=65536)
def _header_key(text: str) -> str:
    key = normalize_name(text)
    key = re.sub(r"\s+", "", key)
    previous = None
    while previous != key:  # nested notes: 日期（年月日（必填））
        previous, key = key, _BRACKETED.sub("", key)
    key = _MARKS.sub("", key)
    return key.rstrip(":：.。、,，;；").lstrip(":：.、")


def _accepted_names(field_name: str, field_spec: Any) -> list[str]:
    return [field_name, *(field_spec.aliases or [])]


def _name_keys(fields: dict) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for field_name, field_spec in fields.items():
        for accepted in _accepted_names(field_name, field_spec):
            key = header_key(accepted)
            if key:
                keys.setdefault(key, set()).add(field_name)
    return keys


@dataclass
class _Header:
    """A header found on grid rows ``first``..``last`` (one or two rows)."""

    first: int
    last: int
    texts: list[list[str]]  # per column: the texts it may match, the shown one first
    score: int = 0
    rows: list[list[str]] = field(default_factory=list)  # the header rows as read


def _column_texts(rows: list[list[str]]) -> list[list[str]]:
    width = max(len(r) for r in rows)
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    if len(rows) == 1:
        return [[cell] if cell.strip() else [] for cell in rows[0]]
    parent, sub = rows
    texts = []
    carried = ""
    for j in range(len(sub)):
        p, s = parent[j].strip(), sub[j].strip()
        carried = p or carried
        if s and p and p != s:
            texts.append([s, f"{p}{s}"])  # a parent over sub-headers is a group, not a field
        elif s:
            texts.append([s, f"{carried}{s}"] if carried and carried != s else [s])
        elif p:
            texts.append([p])
        else:
            texts.append([])
    return texts


def _fields_named(fields: dict, header: "_Header") -> set[str]:
    keys = _name_keys(fields)
    return {f for options in header.texts for t in options for f in keys.get(header_key(t), set())}


def _score(keys: dict[str, set[str]], texts: list[list[str]]) -> int:
    matched: set[str] = set()
    for options in texts:
        for text in options:
            matched |= keys.get(header_key(text), set())
    return len(matched)


def _is_blank_row(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _detect_header(fields: dict, head: list[list[str]], columns_header: bool = False) -> _Header:
    """The one or two rows, among the first ten non-blank rows, naming the most fields.

    Two rows only when they name more than any single row; on a tie the earlier row wins.
    When no row names a field, the first of the fullest rows (a title row has one cell),
    so that an error lists the headers a person would call headers.
    """
    keys = _name_keys(fields)
    nonblank = [i for i, row in enumerate(head) if not _is_blank_row(row)][:HEADER_SCAN_ROWS]
    if columns_header and 0 not in nonblank:
        nonblank = [0, *nonblank][:HEADER_SCAN_ROWS]
    if not nonblank:
        return _Header(0, 0, [], 0, [head[0]] if head else [[]])
    options = []  # (score, rows, texts)
    for i in nonblank:
        choices = [[i]]
        below = i + 1
        if below < len(head) and not _is_blank_row(head[below]):
            choices.append([i, below])
        for rows in choices:
            texts = _column_texts([head[r] for r in rows])
            options.append((_score(keys, texts), rows, texts))
    top = max(score for score, _, _ in options)
    single = {rows[0]: score for score, rows, _ in options if len(rows) == 1}
    best = None
    for score, rows, texts in options:
        if score != top:
            continue
        if len(rows) == 1:
            # a sub-header row that names every field once merged parents are filled down
            # is still the second row of a header whose upper row names fields too
            pair = [o for o in options if len(o[1]) == 2 and o[1][1] == rows[0] and o[0] == top]
            if pair and single.get(rows[0] - 1, 0) > 0:
                best = best or (top, *pair[0][1:])
                continue
            best = best or (score, rows, texts)
        elif score > max(single.get(rows[0], 0), single.get(rows[1], 0)):
            best = best or (score, rows, texts)
    if best is None:
        best = next(o for o in options if o[0] == top)
    best = (None, best[1], best[2], best[0])
    _, rows, texts, score = best
    if score == 0:
        fullest = max(nonblank, key=lambda i: (sum(1 for c in head[i] if c.strip()), -i))
        rows, texts = [fullest], _column_texts([head[fullest]])
    return _Header(rows[0], rows[-1], texts, score, [head[r] for r in rows])


def _shown(texts: list[str]) -> str:
    return texts[0].strip() if texts else ""


def _brief(text: str, limit: int = 40) -> str:
    """A header as quoted in a message: long cells cut, line breaks shown as spaces."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _match_headers(name: str, fields: dict, header: _Header, header_row: int | None, sheet: str | None):
    """field -> column position, field -> header text as found, and issues for duplicate columns."""
    # header key -> [(column, its text)], so each accepted name is one lookup (a sheet may have
    # thousands of columns)
    by_key: dict[str, list[tuple[int, str]]] = {}
    for position, options in enumerate(header.texts):
        for text in options:
            key = header_key(text)
            places = by_key.setdefault(key, [])
            if not places or places[-1][0] != position:  # a column's first text with this key
                places.append((position, text))
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    issues: list[dict] = []
    for field_name, field_spec in fields.items():
        found: list[tuple[int, int, str]] = []
        for priority, accepted in enumerate(_accepted_names(field_name, field_spec)):
            key = header_key(accepted)
            if not key:
                continue
            found += [(priority, position, text.strip()) for position, text in by_key.get(key, [])]
        if not found:
            continue
        _, chosen, text = min(found)
        columns[field_name] = chosen
        headers[field_name] = text
        for position in sorted({p for _, p, _ in found} - {chosen}):
            other = _shown(header.texts[position])
            issues.append({
                "dataset": name, "field": field_name, "row": header_row, "sheet": sheet, "value": other,
                "problem": (f"column {position + 1} ('{other}') also matches field {field_name}; "
                            f"column {chosen + 1} ('{text}') is used"),
            })
    return columns, headers, issues


#: unrecognised headers looked at for a did-you-mean
MAX_CLOSE_HEADERS = 500
#: headers listed in an error message (the rest are counted)
MAX_LISTED_HEADERS = 100


def _listed(headers: list[str], lang: str = "en") -> str:
    from .words import word

    shown = ("、" if lang == "zh" else ", ").join(headers[:MAX_LISTED_HEADERS])
    more = len(headers) - MAX_LISTED_HEADERS
    return word("read_and_more", lang, shown=shown, more=more) if more > 0 else shown


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _close_matches(fields: dict, columns: dict, unrecognised: list[str]) -> dict[str, str]:
    """For each field not found: an unrecognised header a typo away from one of its names."""
    close: dict[str, str] = {}
    # distinct headers, and no more than MAX_CLOSE_HEADERS: a sheet of 100,000 odd columns
    # must not spend minutes on edit distances (a typo of a real header is among the first)
    header_keys = list({header_key(h): h for h in reversed(unrecognised[:MAX_CLOSE_HEADERS])}.items())
    header_keys = [(h, k) for k, h in reversed(header_keys)]
    for field_name, field_spec in fields.items():
        if field_name in columns:
            continue
        best = None
        for accepted in _accepted_names(field_name, field_spec):
            key = header_key(accepted)
            if len(key) < 2:
                continue
            allowed = 1 if len(key) <= 5 else 2
            for text, hkey in header_keys:
                if not hkey or abs(len(hkey) - len(key)) > allowed:
                    continue
                distance = _edit_distance(hkey, key)
                if 0 < distance <= allowed and (best is None or distance < best[0]):
                    best = (distance, text)
        if best is not None:
            close[field_name] = best[1]
    return close


# --------------------------------------------------------------------------- sheets chosen

def _dataset_words(name: str, spec: Any) -> dict[str, str]:
    """The dataset as an error names it, in both languages (for words.both)."""
    title = spec.title
    return both("read_dataset" if title else "read_dataset_untitled", name=name, title=title)


def _sheet_headers_text(sheet: _Sheet, header: _Header | None, lang: str = "en") -> str:
    from .words import word

    if sheet.kind == "chart":
        return word("read_a_chart", lang)
    if header is None or not header.rows:
        return word("read_empty_sheet", lang)
    shown = [_brief(t) for t in (_shown(x) for x in header.texts) if t]
    return ("、" if lang == "zh" else ", ").join(shown)[:300] or word("read_no_headers", lang)


def _choose_sheets(name: str, spec: Any, fields: dict, book: _Book):
    """The sheets to read with their headers, and the sheets passed over with the reason."""
    found: list[tuple[_Sheet, _Header | None]] = []
    for sheet in book.sheets:
        header = _detect_header(fields, sheet.head, sheet.columns_header) if sheet.kind == "worksheet" else None
        found.append((sheet, header))
    label = book.label
    if book.wanted_sheet is not None:
        wanted = book.wanted_sheet
        names = [s.name for s, _ in found]
        matches = [p for p in found if p[0].name == wanted] or \
                  [p for p in found if normalize_name(p[0].name or "") == normalize_name(wanted)]
        if not matches:
            raise DatasetError(**both("read_no_such_sheet", label=label, wanted=wanted,
                                      names={"en": ", ".join(str(n) for n in names), "zh": "、".join(str(n) for n in names)}),
                               file=label, expected=[wanted],
                               found=[str(n) for n in names])
        sheet, header = matches[0]
        if sheet.kind != "worksheet":
            raise DatasetError(**both("read_sheet_chart" if sheet.kind == "chart" else "read_sheet_empty", label=label,
                                      sheet=sheet.name), file=label)
        passed = [{"name": s.name, "reason": "not_requested"} for s, _ in found if s is not sheet]
        return [(sheet, header)], passed
    readable = [(s, h) for s, h in found if s.kind == "worksheet" and not s.hidden]
    hidden = [s.name for s, _ in found if s.kind == "worksheet" and s.hidden]
    if not readable and hidden:
        raise DatasetError(**both("read_all_hidden", label=label, first=hidden[0],
                                  hidden={"en": ", ".join(map(str, hidden)), "zh": "、".join(map(str, hidden))}),
                           file=label, found=[str(n) for n in hidden])
    if not readable:
        if len(found) == 1 or book.format in ("csv", "tsv", "dataframe", "table", "parquet"):
            said = (both("read_sheet_is_empty", label=label, sheet=found[0][0].name) if found and found[0][0].name
                    else both("read_file_is_empty", label=label))
        else:
            said = both("read_all_sheets_empty", label=label)
        raise DatasetError(**said, file=label)
    if len(readable) == 1:
        chosen = readable
    else:
        best = max(h.score for _, h in readable)
        least = max(min(2, best), math.ceil(best / 2))
        protected = set(_protected_fields(spec, fields))
        chosen = [(s, h) for s, h in readable
                  if best > 0 and (h.score >= least or (h.score >= 2 and 3 * h.score >= best and protected
                                                        and protected <= _fields_named(fields, h)))]
        if not chosen:
            listing = {"en": "; ".join(f"'{s.name}': {_sheet_headers_text(s, h)}" for s, h in found),
                       "zh": "；".join(f"「{s.name}」：{_sheet_headers_text(s, h, 'zh')}" for s, h in found)}
            accepted = [n for f, spec_ in list(fields.items())[:6] for n in _accepted_names(f, spec_)[1:2]]
            raise DatasetError(**both("read_no_sheet_header", label=label, dataset=_dataset_words(name, spec),
                                      accepted={"en": ", ".join(accepted), "zh": "、".join(accepted)},
                                      listing=listing),
                               file=label, found=[str(s.name) for s, _ in found])
    chosen_ids = {id(s) for s, _ in chosen}
    passed = []
    for sheet, header in found:
        if id(sheet) in chosen_ids:
            continue
        if sheet.kind != "worksheet":
            reason = sheet.kind
        elif sheet.hidden:
            reason = "hidden"
        else:
            reason = "no_header" if header.score == 0 else "few_fields"
        passed.append({"name": sheet.name, "reason": reason})
    return chosen, passed


# --------------------------------------------------------------------------- records

_TOTAL = re.compile(r"^(?:本页|本月|本季度?|本年度?|全年|全厅|总|累计)?(?:合计|总计|小计|共计|累计|汇总|总数)"
                    r"|^共\d+(?:件|个|项|次|条|份|人|家)|^(?:grand)?(?:sub)?total\b", re.IGNORECASE)
_FOOTER = re.compile(
    r"^(?:填表人|填报人|审核人|审批人|制表人|制表日期|负责人|单位负责人|分管领导|主要领导|填报单位|报送单位|"
    r"填报日期|填表日期|报送日期|联系电话|联系人|统计截止|截止日期|填表说明|编制说明|备注说明|"
    r"prepared\s*by|notes?\s*:)"
    r"|^(?:以下空白|以下无正文|此页无正文|附件[:：])"
    r"|^(?:制表|审核|签发|备注|附注|说明|注|附)(?:$|[:：\d一二三四五六七八九十、.．①②③④⑤])",
    re.IGNORECASE)
_HEADING = re.compile(r"^(?:[一二三四五六七八九十百零〇]+[、.．]|[(（][一二三四五六七八九十百\d]+[)）]|\d+[、]"
                      r"|第[一二三四五六七八九十百\d]+(?:部分|季度|批|类|章|节|组|项|个月|月))")
#: what a total row holds beside its word: a count ('2件', '共3件', '3件(其中2件公开)') or a dash
_COUNT = re.compile(r"^(?:[共计]?\d+(?:\.\d+)?[件个项次条份人家%]?(?:\([^()]*\))?|[—\-/–―~]+)$")
#: _COUNT for raw (unnormalised) cells, in RE2 syntax for pyarrow
_COUNT_RE2 = (r"^\s*(?:[共计]?\s*[0-9０-９]+(?:[.．][0-9０-９]+)?\s*[件个项次条份人家%％]?\s*"
              r"(?:[(（][^()（）]*[)）])?|[—\-－/／–―~～]+)\s*$")
_SERIAL = re.compile(r"^(?:No\.?)?\d{1,7}[.、]?$", re.IGNORECASE)
_SERIAL_HEADERS = frozenset({"序号", "序", "编号", "行号", "排序", "no", "no.", "#", "number"})
_TRIGGER = re.compile(f"(?:{_TOTAL.pattern})|(?:{_FOOTER.pattern})", re.IGNORECASE)


def _squeezed(texts: pd.Series) -> pd.Series:
    return texts.fillna("").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def _matches(texts: pd.Series, pattern: re.Pattern) -> np.ndarray:
    return np.array(texts.str.contains(pattern.pattern, regex=True, flags=pattern.flags).fillna(False), dtype=bool)


@dataclass
class _Classified:
    keep: np.ndarray  # bool per body row
    skipped: list[dict]  # first MAX_SKIPPED_LISTED, in row order
    total: int


def _classify(columns: list[pa.ChunkedArray], rows: np.ndarray, sheet: str | None, header: _Header,
              matched: dict[str, int], protected: list[int], merges: list) -> _Classified:
    """Which body rows are records; the others with their reason (blank rows silently)."""
    return _classify_parts([columns], rows, sheet, header, matched, protected, merges)


@dataclass
class _Candidates:
    """The rows of a body that need a closer look, of one part of it or of all parts."""

    at: np.ndarray  # their body positions, ascending
    columns: list[pa.ChunkedArray]  # their cells
    last_plain: int  # the last body position of a row that is not a candidate (-1: none)
    start: int = 0  # the body position of the part's first row
    size: int = 0  # the part's rows


def _classify_parts(parts: list[list[pa.ChunkedArray]], rows: np.ndarray, sheet: str | None, header: _Header,
                    matched: dict[str, int], protected: list[int], merges: list) -> _Classified:
    """:func:`_classify` of a body given in consecutive parts of rows (a file read piece by
    piece): the candidates are found part by part, by each row's own cells, and judged
    together, since a footer is known only by the records above it."""
    n = len(rows)
    width = len(parts[0]) if parts else 0
    if n == 0 or width == 0:
        return _Classified(np.ones(n, dtype=bool), [], 0)
    header_rows = _header_rows(header, width)
    found, start = [], 0
    for columns in parts:
        found.append(_candidates(columns, start, header_rows, protected))
        start += len(columns[0])
    return _judge_found(found, rows, sheet, header, header_rows, matched, protected, merges)


def _header_rows(header: _Header, width: int) -> list[list[str]]:
    return [[cell.strip() for cell in row] + [""] * (width - len(row)) for row in header.rows]


def _judge_found(found: list[_Candidates], rows: np.ndarray, sheet: str | None, header: _Header,
                 header_rows: list[list[str]], matched: dict[str, int], protected: list[int],
                 merges: list) -> _Classified:
    """:func:`_judge` of the candidates found part by part."""
    n = len(rows)
    width = len(found[0].columns) if found else 0
    if n == 0 or width == 0:
        return _Classified(np.ones(n, dtype=bool), [], 0)
    if int(found[-1].start + found[-1].size) != n:
        raise AssertionError("the parts of a body hold other rows than its row numbers")
    if len(found) == 1:
        return _judge(found[0], rows, sheet, header, header_rows, matched, protected, merges)
    at = np.concatenate([f.at for f in found])
    columns = [pa.chunked_array([chunk for f in found for chunk in f.columns[c].chunks], type=_TEXT)
               for c in range(width)]
    return _judge(_Candidates(at, columns, max(f.last_plain for f in found), 0, n),
                  rows, sheet, header, header_rows, matched, protected, merges)


def _candidates(columns: list[pa.ChunkedArray], start: int, header_rows: list[list[str]],
                protected: list[int]) -> _Candidates:
    """The candidates among rows ``start``, ``start + 1``, … of a body: rows with no key and no
    required field, or whose key cell is a total or footer word or repeats the header; only
    these are looked at cell by cell. With no key and no required field, every row."""
    n = len(columns[0])
    if not protected:
        return _Candidates(np.arange(start, start + n), columns, -1, start, n)
    filled = np.zeros(n, dtype=bool)
    suspect = np.zeros(n, dtype=bool)
    first_matched = protected[0]
    header_words = [re.escape(r[first_matched]) for r in header_rows if first_matched < len(r) and r[first_matched]]
    for p in protected:
        # a count ('共32件') beside a 合计 does not make a record: such rows stay candidates
        count = pc.fill_null(pc.match_substring_regex(columns[p], _COUNT_RE2), False)
        filled |= ~_blank(columns[p]) & ~np.asarray(count.to_numpy(zero_copy_only=False), dtype=bool)
    # the marking word is the row's first filled cell: only the leftmost protected column
    leftmost = min(protected)
    words = [_re2_trigger()] + (header_words if leftmost == first_matched else [])
    pattern = r"(?i)^\s*(?:" + "|".join(f"(?:{w})" for w in words) + ")"
    hits = pc.fill_null(pc.match_substring_regex(columns[leftmost], pattern), False)
    suspect |= np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)
    if first_matched != leftmost and header_words:
        pattern = r"^\s*(?:" + "|".join(header_words) + r")\s*$"
        hits = pc.fill_null(pc.match_substring_regex(columns[first_matched], pattern), False)
        suspect |= np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool)
    suspect[:max(HEADER_NOTE_ROWS - start, 0)] = True  # the rows right under the header may be notes on it
    chosen = ~filled | suspect
    local = np.flatnonzero(chosen)
    last_plain = start + n - 1 - int(np.argmin(chosen[::-1])) if len(local) < n else -1
    if len(local) == n:
        sub = columns
    else:  # candidates are in order: a filter works chunk by chunk, where a take joins the chunks
        mask = pa.array(chosen)
        sub = [c.filter(mask) for c in columns]
    return _Candidates(local + start, sub, last_plain, start, n)


def _judge(found: _Candidates, rows: np.ndarray, sheet: str | None, header: _Header, header_rows: list[list[str]],
           matched: dict[str, int], protected: list[int], merges: list) -> _Classified:
    """Which of the candidate rows are records, and the reason each other one is not."""
    n = len(rows)
    width = len(found.columns)
    candidates, sub = found.at, found.columns
    keep = np.ones(n, dtype=bool)
    if not len(candidates):
        return _Classified(keep, [], 0)
    m = len(candidates)
    full = np.column_stack([~_blank(c) for c in sub])  # m x width
    count = full.sum(axis=1)
    first = np.argmax(full, axis=1)
    stripped = [pd.Series(pc.utf8_trim_whitespace(c).to_numpy(zero_copy_only=False), dtype=object) for c in sub]
    first_text = pd.Series(np.full(m, None, dtype=object))
    for c in range(width):
        at = first == c
        if at.any():
            first_text[at] = stripped[c][at].to_numpy()
    first_text = first_text.astype(_RAW_TEXT)
    squeezed = _squeezed(first_text)
    total = _matches(squeezed, _TOTAL)
    footer = _matches(squeezed, _FOOTER) & ~total
    heading = _matches(squeezed, _HEADING)
    serial = _matches(squeezed, _SERIAL)
    trigger = total | footer
    # a header repeated below (every printed page): at least half of its cells, two at least
    # or, cells not yet merge-filled (the sub-header row of a repeated two-row header): two
    # or more cells, every filled one of the fields' columns equal to that header row's text
    repeated = np.zeros(m, dtype=bool)
    matched_positions = sorted(set(matched.values()))
    filled_matched = full[:, matched_positions].sum(axis=1) if matched_positions else np.zeros(m, dtype=np.int64)
    for row_texts in header_rows:
        positions = [p for p in matched_positions if p < len(row_texts) and row_texts[p]]
        if not positions:
            continue
        equal = np.zeros(m, dtype=np.int64)
        for p in positions:
            equal += (stripped[p] == row_texts[p]).to_numpy(dtype=bool)
        need = max(min(2, len(positions)), math.ceil(len(positions) / 2))
        repeated |= (equal >= need) | ((equal >= 2) & (equal == filled_matched))
    # key or a required field filled other than by the very word that marks the row: a record
    protected_other = np.zeros(m, dtype=bool)
    for p in protected:
        # beside a total, a count such as '2件' in a required column is no value of a record
        # and neither is a dash, or the total's own word repeated in the key column
        squeezed_p = _squeezed(pd.Series(stripped[p].to_numpy(), dtype=_RAW_TEXT))
        counted = total & (_matches(squeezed_p, _COUNT) | _matches(squeezed_p, _TRIGGER))
        protected_other |= full[:, p] & ~((first == p) & trigger) & ~counted
    spanning = np.zeros(m, dtype=bool)
    if merges:
        position = {int(r): i for i, r in enumerate(candidates)}
        for r0, c0, r1, c1 in merges:
            if c1 > c0 and r0 in position:
                i = position[r0]
                if first[i] == c0 and count[i] == 1:
                    spanning[i] = True
    blank = count == 0
    note = _header_notes(candidates, stripped, full, blank)
    repeated &= ~note
    nearly_empty = (count - 1) <= max(2, width // 2)
    lone = count == 1
    reason = np.full(m, None, dtype=object)
    open_ = ~blank & ~repeated & ~protected_other & ~note
    reason[repeated & ~blank] = "repeated_header"
    reason[note] = "header_note"
    # a total may fill every column with its counts (a narrow sheet): its other cells all tallies
    tally = np.zeros((m, width), dtype=bool)
    for c in range(width):
        if (total & full[:, c]).any():
            tally[:, c] = _matches(_squeezed(pd.Series(stripped[c].to_numpy(), dtype=_RAW_TEXT)), _COUNT)
    other = full & ~tally
    other[np.arange(m), first] = False
    tallies_only = ~other.any(axis=1)
    reason[open_ & total & (nearly_empty | tallies_only)] = "total"
    reason[open_ & footer & nearly_empty & (reason == None)] = "footer"  # noqa: E711 (elementwise)
    heading_like = lone & (heading | (spanning & ~serial))
    reason[open_ & heading_like & (reason == None)] = "block_heading"  # noqa: E711
    # a lone number is a serial only in a 序号 column or one no field reads (else: a record)
    serial_columns = [c for c in range(width) if c not in matched_positions
                      or any(header_key(t) in _SERIAL_HEADERS for t in header.texts[c])]
    serial = serial & np.isin(first, serial_columns)
    reason[open_ & lone & serial & (reason == None)] = "serial_only"  # noqa: E711
    # key-less rows below the records after a footer (notes of several lines) are footer too
    unclaimed = open_ & (reason == None)  # noqa: E711
    if protected:  # the records: rows not candidates, and candidates with a key or required field
        records_at = candidates[protected_other & ~blank]
        last_record = max(found.last_plain, int(records_at[-1]) if len(records_at) else -1)
    else:
        # no key and no required field: a record is a row left unclaimed that fills two of
        # the fields' columns (a note continued on a second line fills one)
        need = max(1, min(2, len(matched_positions)))
        records_at = candidates[unclaimed & (filled_matched >= need)]
        last_record = records_at.max() if len(records_at) else -1
    footers_after = candidates[(reason == "footer") & (candidates > last_record)]
    if len(footers_after):
        reason[unclaimed & (candidates > footers_after.min())] = "footer"
    # a row in which no field's column is filled (a heading in the 序号 column, 共3件, 以下空白)
    # holds nothing to audit: skipped, as what it most looks like
    no_fields = ~blank & (filled_matched == 0) & ~repeated & ~note
    reason[no_fields & total & (reason == None)] = "total"  # noqa: E711
    reason[no_fields & footer & (reason == None)] = "footer"  # noqa: E711
    left_of_fields = first < (min(matched_positions) if matched_positions else width)
    reason[no_fields & lone & (heading | left_of_fields) & (reason == None)] = "block_heading"  # noqa: E711
    reason[no_fields & (reason == None)] = "no_field_values"  # noqa: E711
    keep[candidates[blank | (reason != None)]] = False  # noqa: E711
    skipped_at = np.flatnonzero(reason != None)  # noqa: E711
    listed = []
    for i in skipped_at[:MAX_SKIPPED_LISTED]:  # skipped rows, listed one by one in the report
        cells = [stripped[c].iloc[i] for c in range(width) if full[i, c]]
        text = " ".join(dict.fromkeys(str(x) for x in cells))
        listed.append({"row": int(rows[candidates[i]]), "sheet": sheet, "reason": str(reason[i]),
                       "text": text[:200]})
    return _Classified(keep, listed, int(len(skipped_at)))


#: rows right under the header looked at for notes on it (（必填）, 选填, 栏次 1 2 3 …)
HEADER_NOTE_ROWS = 3
_NOTE_CELL = re.compile(r"^(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|《[^《》]*》"
                        r"|(?:非)?必填(?:项)?|选填(?:项)?|可选|必选|可不填|(?:not\s*)?required|optional|栏次)$",
                        re.IGNORECASE)


def _header_notes(candidates: np.ndarray, stripped: list[pd.Series], full: np.ndarray,
                  blank: np.ndarray) -> np.ndarray:
    """Rows right under the header that annotate it, not records: every filled cell a bracketed
    note or a 必填/选填 word, or a 栏次 row numbering the columns 1, 2, 3, … (three at least)."""
    m, width = full.shape
    note = np.zeros(m, dtype=bool)
    top = np.flatnonzero(candidates < HEADER_NOTE_ROWS)
    if not len(top):
        return note
    for i in top:
        texts = [stripped[c].iloc[i] for c in range(width) if full[i, c]]
        squeezed = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(t))) for t in texts]
        if squeezed and all(_NOTE_CELL.match(t) for t in squeezed):
            note[i] = True
            continue
        numbers = [t for t in squeezed if t != "栏次"]
        if len(numbers) >= 3 and all(t.isdigit() and t.isascii() for t in numbers) and \
                [int(t) for t in numbers] == list(range(int(numbers[0]), int(numbers[0]) + len(numbers))) and \
                int(numbers[0]) in (0, 1):
            note[i] = True
    # only a run of notes from the first body row on (blank rows between them allowed)
    for i in top:
        if not blank[i] and not note[i]:
            note[top[top > i]] = False
            break
    return note


_RE2_TRIGGER: str | None = None


def _re2_trigger() -> str:
    """The total/footer words as a pattern for Arrow's RE2 (no possessives, no lookarounds)."""
    global _RE2_TRIGGER
    if _RE2_TRIGGER is None:
        _RE2_TRIGGER = _TRIGGER.pattern.replace("^", "")
    return _RE2_TRIGGER


def _fill_merges(columns: list[pa.ChunkedArray], merges: list) -> list[pa.ChunkedArray]:
    """Below the header, each merged range's value down the rows it covers, in its first column.

    A 处室 merged down a block holds on every row of it; a cell merged across columns (a date
    centred over two date columns) keeps its value in its first column only, for a value
    copied into the next field would be a fact the ledger does not state.
    """
    if not merges:
        return columns
    touched: dict[int, np.ndarray] = {}
    for r0, c0, r1, c1 in merges:
        if r1 == r0:
            continue
        value = columns[c0][r0].as_py()
        if value is None:
            continue
        if c0 not in touched:
            touched[c0] = columns[c0].to_numpy(zero_copy_only=False).astype(object)
        segment = touched[c0][r0:r1 + 1]
        empty = pd.isna(segment) | (segment == "")
        segment[empty] = value
    out = list(columns)
    for c, values in touched.items():
        out[c] = pa.chunked_array([pa.array(values, type=_TEXT, from_pandas=True)], type=_TEXT)
    return out


# --------------------------------------------------------------------------- one sheet

@dataclass
class _Part:
    """What was read from one sheet."""

    sheet: _Sheet
    header: _Header
    header_row: int | None
    columns: dict[str, int]
    headers: dict[str, str]
    issues: list[dict]
    cells: dict[str, pa.ChunkedArray]  # field -> text column
    rows: np.ndarray
    classified: _Classified
    unrecognised: list[str]
    notes: list[str] = field(default_factory=list)


def _protected_fields(spec: Any, fields: dict) -> list[str]:
    key = spec.key
    names = [key] if key in fields else []
    names += [f for f, s in fields.items() if s.required and f not in names]
    return names


def _read_sheet(name: str, spec: Any, fields: dict, book: _Book, sheet: _Sheet, header: _Header) -> _Part:
    header_row = None if (sheet.columns_header and header.last == 0) else header.last + 1
    columns, headers, issues = _match_headers(name, fields, header, header_row, sheet.name)
    protected = [columns[f] for f in _protected_fields(spec, fields) if f in columns]
    matched = set(columns.values())
    unrecognised = [_brief(_shown(t), 200) for i, t in enumerate(header.texts) if i not in matched and _shown(t)]
    streamed = _read_streamed(fields, sheet, header, columns, protected) if sheet.stream_from is not None else None
    if streamed is not None:
        classified, cells, rows = streamed
        return _Part(sheet, header, header_row, columns, headers, issues, cells, rows, classified, unrecognised)
    body, rows = sheet.body_from(header.last + 1)
    width = len(header.texts)
    if len(body) < width:
        body = body + [pa.chunked_array([pa.nulls(len(rows), _TEXT)], type=_TEXT) for _ in range(width - len(body))]
    merges = [(r0 - header.last - 1, c0, r1 - header.last - 1, c1) for r0, c0, r1, c1 in sheet.merges]
    merges = [m for m in (_clip_merge(m, len(rows), len(body)) for m in merges) if m is not None]
    classified = _classify(body, rows, sheet.name, header, columns, protected, merges)
    body = _fill_merges(body, merges)
    notes = _across_notes(merges, rows, classified.keep, sheet.name)
    keep = pa.array(classified.keep)
    all_kept = bool(classified.keep.all())
    cells = {f: (body[p] if all_kept else body[p].filter(keep)) for f, p in columns.items()}
    return _Part(sheet, header, header_row, columns, headers, issues, cells,
                 rows if all_kept else rows[classified.keep], classified, unrecognised, notes)


def _read_streamed(fields: dict, sheet: _Sheet, header: _Header, columns: dict[str, int], protected: list[int]):
    """(classified, cells, rows) of a body read piece by piece (a large text file, which has no
    merged cells): each piece's candidates taken aside and its fields' cells kept, coded where
    typing reads them per distinct value, before the next piece is parsed; None where the
    streaming parser cannot read the body (it is then read whole)."""
    k = header.last + 1
    width = len(header.texts)
    header_rows = _header_rows(header, width)
    found: list[_Candidates] = []
    kept: dict[str, list[pa.Array]] = {f: [] for f in columns}
    start = 0
    try:
        for piece in sheet.stream_from(k):
            n = len(piece[0])
            if len(piece) < width:
                piece = piece + [pa.chunked_array([pa.nulls(n, _TEXT)], type=_TEXT)] * (width - len(piece))
            found.append(_candidates(piece, start, header_rows, protected))
            for f, p in columns.items():
                kept[f].extend((_encoded(piece[p]) if _encodes(fields[f]) else piece[p]).chunks)
            start += n
    except _StreamFailed:
        return None
    rows = np.arange(k + 1, k + 1 + start, dtype=np.int64)
    classified = _judge_found(found, rows, sheet.name, header, header_rows, columns, protected, [])
    keep = pa.array(classified.keep)
    all_kept = bool(classified.keep.all())
    cells = {}
    for f, chunks in kept.items():
        column = pa.chunked_array(chunks, type=pa.dictionary(pa.int32(), _TEXT) if _encodes(fields[f]) else _TEXT)
        cells[f] = column if all_kept else column.filter(keep)
    return classified, cells, rows if all_kept else rows[classified.keep]


def _across_notes(merges: list, rows: np.ndarray, keep: np.ndarray, sheet: str | None) -> list[str]:
    """A reading note naming the records that hold a cell merged across columns."""
    at = sorted({r for r0, c0, r1, c1 in merges if c1 > c0 for r in range(r0, r1 + 1) if keep[r]})
    if not at:
        return []
    shown = [str(int(rows[r])) for r in at[:20]] + (["…"] if len(at) > 20 else [])
    where = f" of sheet '{sheet}'" if sheet is not None else ""
    return [f"row{'s' if len(at) > 1 else ''} {', '.join(shown)}{where} hold{'' if len(at) > 1 else 's'} a cell "
            "merged across columns: its value was kept in the first column only and the other columns "
            "were read as blank; check those rows in the ledger"]


def _missing_required(name: str, spec: Any, fields: dict, part: _Part, label: str, several: bool):
    absent = [f for f, s in fields.items() if s.required and f not in part.columns]
    if not absent:
        return
    from .words import word

    def in_both(parts_of) -> dict[str, str]:  # a list of texts made per language, joined per language
        return {"en": parts_of("en"), "zh": parts_of("zh")}

    def sep(lang: str) -> str:
        return "、" if lang == "zh" else ", "

    wanted = in_both(lambda lang: ("；" if lang == "zh" else "; ").join(
        word("read_missing_one", lang, field=f, accepted=sep(lang).join(_accepted_names(f, fields[f])))
        for f in absent))
    found = [_brief(_shown(t)) for t in part.header.texts if _shown(t)]

    def where(lang: str) -> str:
        places = []
        if part.sheet.name is not None:
            places.append(word("read_missing_where_sheet", lang, sheet=part.sheet.name))
        if part.header_row:
            first, last = part.header.first + 1, part.header.last + 1
            places.append(word("read_missing_where_row", lang, row=first) if first == last
                          else word("read_missing_where_rows", lang, first=first, last=last))
        if lang == "zh":
            return "".join(places)
        return (" on " + ", ".join(places)) if places else ""

    close = _close_matches(fields, part.columns, part.unrecognised)
    hint = in_both(lambda lang: "".join(
        word("read_missing_hint", lang, header=close[f], field=f, accepted=_nearest(f, fields, close[f]))
        for f in absent if f in close))
    listed = in_both(lambda lang: _listed(found, lang) if found else word("read_none", lang))
    said = both("read_missing_required", label=label, dataset=_dataset_words(name, spec), wanted=wanted,
                plural="s" if len(absent) > 1 else "", where=in_both(where), found=listed, hint=hint,
                sheet_words=in_both(lambda lang: word("read_missing_sheet_words", lang, sheet=part.sheet.name)
                                    if several else ""))
    expected = [n for f in absent for n in _accepted_names(f, fields[f])]
    raise DatasetError(**said, file=label, expected=expected, found=found)


def _nearest(field_name: str, fields: dict, header: str) -> str:
    names = _accepted_names(field_name, fields[field_name])
    key = header_key(header)
    return min(names, key=lambda n: _edit_distance(header_key(n), key))


# --------------------------------------------------------------------------- all sheets

def _combine(name: str, spec: Any, fields: dict, book: _Book, parts: list[_Part]) -> RawTable:
    label = book.label
    several = len(parts) > 1
    if several:
        required = [f for f, s in fields.items() if s.required]
        for f in required:
            having = [p.sheet.name for p in parts if f in p.columns]
            lacking = [p for p in parts if f not in p.columns]
            if having and lacking:
                part = lacking[0]
                found = [_brief(_shown(t)) for t in part.header.texts if _shown(t)]
                accepted = _accepted_names(f, fields[f])
                raise DatasetError(**both(
                    "read_sheet_lacks_required", label=label, sheet=part.sheet.name, field=f, having=having[0],
                    dataset=_dataset_words(name, spec), row=part.header_row,
                    accepted={"en": ", ".join(accepted), "zh": "、".join(accepted)},
                    found={"en": ", ".join(found) or "(none)", "zh": "、".join(found) or "（无）"}),
                    file=label, expected=accepted, found=found)
    for part in parts:
        _missing_required(name, spec, fields, part, label, several)
    order = [f for f in fields if any(f in p.columns for p in parts)]
    headers: dict[str, str] = {}
    for part in parts:
        for f in order:
            if f in part.headers and f not in headers:
                headers[f] = part.headers[f]
    rows = np.concatenate([p.rows for p in parts]).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)
    columns = []
    for f in order:
        pieces = []
        for part in parts:
            column = part.cells.get(f)
            pieces.extend(column.chunks if column is not None else [pa.nulls(len(part.rows), _TEXT)])
        columns.append(_categorical(pieces) if _encodes(fields[f]) else _raw_text(pieces))
    body = pd.concat([pd.Series(c, copy=False) for c in columns], axis=1, ignore_index=True) if columns \
        else pd.DataFrame(index=pd.RangeIndex(len(rows)))
    sheets = None
    if book.format not in ("csv", "tsv", "dataframe", "table", "parquet"):
        sheets = np.concatenate([np.full(len(p.rows), p.sheet.name, dtype=object) for p in parts])
    issues = [issue for p in parts for issue in p.issues]
    first = parts[0]
    return RawTable(header=[headers[f] for f in order], header_row=first.header_row, body=body, rows=rows,
                    columns={f: i for i, f in enumerate(order)}, headers=headers, issues=issues, sheets=sheets)


def _encodes(spec: Any) -> bool:
    """Whether a field's cells are handed to typing as their distinct values and a code per
    cell (every field but text: dates, numbers, labels, which repeat and are typed per
    distinct value): the text of each cell is let go as soon as it is coded."""
    return spec.type != "string"


def _encoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A text column coded: its distinct texts once and an int32 code per cell (null: none),
    one dictionary for all its chunks."""
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


def _raw_text(chunks: list[pa.Array]) -> pd.Series:
    text = pa.chunked_array(chunks, type=_TEXT)
    return pa.table({"0": text}).to_pandas(types_mapper={_TEXT: _RAW_TEXT}.get)["0"]


def _categorical(chunks: list[pa.Array]) -> pd.Categorical:
    """Text chunks, coded or not, as one pandas Categorical whose categories are the distinct
    texts (pyarrow text) and whose codes are -1 for an empty cell."""
    coded = [c if pa.types.is_dictionary(c.type) else pc.dictionary_encode(c) for c in chunks]  # int32 codes
    if not coded:
        coded = [pa.array([], type=_TEXT).dictionary_encode()]
    column = pa.chunked_array(coded, type=pa.dictionary(pa.int32(), _TEXT))
    if column.num_chunks > 1 and not all(c.dictionary.equals(column.chunk(0).dictionary) for c in column.chunks):
        column = column.unify_dictionaries()  # pieces coded apart: one dictionary for all
    dictionary = column.chunk(0).dictionary
    indices = pa.chunked_array([c.indices for c in column.chunks], type=pa.int32())
    codes = pc.fill_null(indices, -1).to_numpy()
    categories = pd.Index(_raw_text([dictionary]), copy=False, name=None)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def _report(book: _Book, fields: dict, parts: list[_Part], passed: list[dict], table: RawTable) -> dict:
    first = parts[0]
    header_rows = None
    if first.header_row is not None:
        header_rows = [int(first.header.first + 1), int(first.header.last + 1)]
    unrecognised = list(dict.fromkeys(h for p in parts for h in p.unrecognised))
    skipped = [entry for p in parts for entry in p.classified.skipped][:MAX_SKIPPED_LISTED]
    report = {
        "source": table.source,
        "format": book.format,
        "sheets": [p.sheet.name for p in parts if p.sheet.name is not None],
        "sheets_skipped": [{"name": str(s["name"]), "reason": s["reason"]} for s in passed],
        "header_rows": header_rows,
        "records": int(len(table.rows)),
        "skipped": skipped,
        "skipped_total": int(sum(p.classified.total for p in parts)),
        "columns": dict(table.headers),
        "unrecognised_headers": unrecognised,
        "close_matches": _close_matches(fields, table.columns, unrecognised),
    }
    if book.encoding is not None:
        report["encoding"] = book.encoding
    if book.delimiter is not None:
        report["delimiter"] = book.delimiter
    if len(parts) > 1:
        missing = {p.sheet.name: [f for f in table.columns if f not in p.columns] for p in parts}
        report["fields_missing_by_sheet"] = {s: fs for s, fs in missing.items() if fs}
        report["header_rows_by_sheet"] = {p.sheet.name: [int(p.header.first + 1), int(p.header.last + 1)] for p in parts}
    notes = list(book.notes) + [note for p in parts for note in p.notes]
    if notes:
        report["notes"] = notes
    return report
