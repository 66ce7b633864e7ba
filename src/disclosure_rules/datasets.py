"""Ledgers in, typed frames out: readers by suffix, header matching, typing of cells.

Conventions
-----------
- A ledger is a CSV/text file (UTF-8, UTF-8 with BOM, GB18030/GBK, or UTF-16 with
  BOM; comma, tab or semicolon separated), an ``.xlsx``/``.xlsm`` workbook
  (``ledger.xlsx#公文台账`` picks a sheet, the first sheet otherwise), or a pandas
  DataFrame. The file is read once, never written.
- The header is the row, among the first ten non-blank rows, that names the most
  fields of the dataset (by field name or alias). Header texts and aliases are
  compared after :func:`normalize_name` with inner whitespace removed too, so
  ``"成文\\n日期"`` in a wrapped Excel header still matches ``成文日期``.
- ``row`` is the number a spreadsheet shows: the header on row 1 puts the first
  record on row 2; title rows above the header and blank rows in between shift the
  numbers exactly as Excel shows them. Fully blank rows are not records. For a
  DataFrame the row is the positional index + 2.
- Blank: an empty or whitespace-only cell is NA. In date, integer and number
  columns a placeholder meaning "nothing here" (``-``, ``—``, ``/``, ``无``, ``N/A``,
  ``null``) is blank too, without an issue.
- A cell that cannot be read as its field's type is NA plus one issue
  ``{"dataset", "field", "row", "value", "problem"}``. Unknown category/set labels
  are kept (category) or contribute no bit (set) and are reported once per distinct
  label, on the first row where they occur.
- Each distinct cell value is parsed once (``pd.factorize``, vectorized string
  operations on the distinct values, then mapped back by code): there is no Python
  loop over the rows of a CSV file or a DataFrame.

Typed columns: string -> ``string`` dtype (``pd.StringDtype()``, pyarrow storage,
NA = ``pd.NA``, so comparisons give nullable booleans); integer -> ``Int64``; number
-> ``Float64``; boolean -> ``boolean``; date -> ``datetime64[ns]`` at midnight;
category -> ``category`` whose categories are the codes in rulebook order followed
by the unknown labels as typed; set -> ``Int64`` bit mask, bit i = the i-th code.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DatasetError
from .expressions import normalize_name  # one definition of how headers, aliases and labels compare

__all__ = ["LoadedDataset", "load_dataset", "normalize_name"]

XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SCAN_ROWS = 10
HEAD_BYTES = 256 * 1024
TEXT_ENCODINGS = ("UTF-8 with BOM", "UTF-8", "GB18030 (GBK)")
MAX_SET_CODES = 62

#: separators between the labels of a set cell
SET_SEPARATORS = r"[;；,，、/|｜\r\n]+"

_BLANK_PLACEHOLDERS = frozenset(
    {"-", "--", "---", "—", "——", "–", "/", "\\", "无", "n/a", "na", "#n/a",
     "null", "none", "nan", "nat"})

_BOOLEAN_WORDS = {
    **dict.fromkeys(["是", "有", "y", "yes", "true", "t", "1", "1.0", "√", "✓", "✔", "对"], True),
    **dict.fromkeys(["否", "无", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘", "错"], False),
}

_DATE_YMD = (r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
             r"(?:(?:\s+|T)\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DATE_COMPACT = r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$"
_EXCEL_SERIAL = r"^\d{5}(?:\.\d+)?$"
#: Excel serial numbers taken as dates: 1954-10-03 .. 2119-01-10
EXCEL_SERIAL_RANGE = (20000, 80000)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: years accepted in a date (anything else is a typo such as 0021 or 20211)
YEAR_RANGE = (1900, 2200)
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
#: raw text cells: pandas' default string dtype (arrow storage, NaN for missing)
_RAW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _header_key(text: Any) -> str:
    # Excel headers are often wrapped ("成文\n日期"); inner whitespace never matters
    return re.sub(r"\s+", "", normalize_name("" if text is None else _cell_text(text) or ""))


@dataclass
class LoadedDataset:
    """A ledger read and typed; see the module docstring for the representation."""

    name: str
    frame: pd.DataFrame
    rows: np.ndarray
    source: str | None
    sha256: str | None
    missing: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _RawTable:
    """Cells below the header, before typing; columns are positions 0..k-1."""

    header: list[str]
    header_row: int | None
    body: pd.DataFrame
    rows: np.ndarray


def load_dataset(name: str, spec: Any, source: str | os.PathLike | pd.DataFrame) -> LoadedDataset:
    """Read ``source`` (a file path or a DataFrame) as dataset ``name`` of the rulebook.

    Raises :class:`DatasetError` when the file cannot be read or a required column
    is missing; every problem inside a cell is returned in ``issues`` instead.
    """
    fields = dict(spec.fields)
    if isinstance(source, pd.DataFrame):
        label, digest = "<DataFrame>", None
        raw = _from_frame(source)
    else:
        label = str(source)
        raw, digest = _read_file(label, fields)
    raw = _drop_blank_rows(raw)

    columns, headers, issues = _match_headers(name, fields, raw)
    _check_required(name, spec, fields, columns, raw, label)

    typed: dict[str, Any] = {}
    for field_name, field_spec in fields.items():
        if field_name not in columns:
            continue
        cells = raw.body[columns[field_name]]
        values, problems = _TYPERS[field_spec.type](cells, field_spec, headers[field_name])
        typed[field_name] = values
        issues.extend(_issues_for(name, field_name, raw.rows, problems))

    n = len(raw.rows)
    frame = pd.DataFrame(typed, index=pd.RangeIndex(n)) if typed else pd.DataFrame(index=pd.RangeIndex(n))
    missing = [f for f in fields if f not in columns]
    return LoadedDataset(name=name, frame=frame, rows=raw.rows.astype(np.int64, copy=False),
                         source=label, sha256=digest, missing=missing, issues=issues,
                         headers=headers)


# --------------------------------------------------------------------------- reading

def _split_sheet(label: str) -> tuple[Path, str | None]:
    """``ledger.xlsx#公文台账`` -> (path, sheet); a real file whose name has '#' wins."""
    path = Path(label)
    if "#" in label and not path.exists():
        base, sheet = label.rsplit("#", 1)
        if Path(base).suffix.lower() in XLSX_SUFFIXES:
            return Path(base), sheet
    return path, None


def _read_file(label: str, fields: dict) -> tuple[_RawTable, str]:
    path, sheet = _split_sheet(label)
    if not path.exists():
        raise DatasetError(f"{label}: file not found.", file=label)
    if path.is_dir():
        raise DatasetError(f"{label}: is a folder, not a ledger file.", file=label)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DatasetError(
            f"{label}: is an old binary Excel (.xls) or encrypted workbook, which cannot be "
            "read; open it in Excel and save it as .xlsx or CSV (UTF-8).", file=label)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(label, data, sheet, fields), digest
    return _read_text(label, data, fields), digest


def _read_xlsx(label: str, data: bytes, sheet: str | None, fields: dict) -> _RawTable:
    import openpyxl

    if not data:
        raise DatasetError(f"{label}: the file is empty.", file=label)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, openpyxl's InvalidFileException, ...
        raise DatasetError(f"{label}: is not a valid .xlsx workbook ({exc}).", file=label) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            sheet_name = names[0]
        else:
            wanted = normalize_name(sheet)
            matches = [n for n in names if n == sheet] or [n for n in names if normalize_name(n) == wanted]
            if not matches:
                raise DatasetError(f"{label}: the workbook has no sheet named '{sheet}'; its sheets are: "
                                   f"{', '.join(names)}.", file=label, expected=[sheet], found=names)
            sheet_name = matches[0]
        worksheet = book[sheet_name]
        # exporters often write a wrong <dimension>; let openpyxl measure the sheet itself
        worksheet.reset_dimensions()
        # one pass over the rows is unavoidable for a workbook (pandas.read_excel does the same)
        rows = [tuple(r) for r in worksheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    candidates = _first_nonblank(rows)
    if not candidates:
        raise DatasetError(f"{label}: sheet '{sheet_name}' is empty.", file=label)
    width = max(len(r) for r in rows)
    cells = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        cells[i, :len(r)] = r
    grid = pd.DataFrame(cells, dtype=object)
    header_at = _find_header(fields, [_row_texts(r) for r in candidates])
    header_index = _nth_nonblank_index(rows, header_at)
    header = [_cell_text(v) or "" for v in cells[header_index]]
    body = grid.iloc[header_index + 1:].reset_index(drop=True)
    rows_no = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    return _RawTable(header=header, header_row=header_index + 1, body=body, rows=rows_no)


def _row_texts(values) -> list[str]:
    return [_cell_text(v) or "" for v in values]


def _is_blank_record(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _first_nonblank(records: list) -> list:
    return [r for r in records[:1000] if not _is_blank_record(r)][:HEADER_SCAN_ROWS]


def _nth_nonblank_index(records: list, n: int) -> int:
    seen = -1
    for i, r in enumerate(records):
        if not _is_blank_record(r):
            seen += 1
            if seen == n:
                return i
    raise AssertionError("header row out of range")  # pragma: no cover


def _reject_binary(label: str, data: bytes) -> None:
    if not re.search(rb"[^ \t\r\n]", data[:HEAD_BYTES].removeprefix(codecs.BOM_UTF8)) and (
            len(data) <= HEAD_BYTES or not data.strip()):
        raise DatasetError(f"{label}: the file is empty.", file=label)
    if data[:4] == b"PK\x03\x04":
        raise DatasetError(
            f"{label}: is a zip archive, not a CSV text file; if it is an Excel workbook, "
            "give it the .xlsx suffix.", file=label)
    head = data[:8192]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    if b"\x00" in head:
        raise DatasetError(
            f"{label}: is not a text file (it contains binary data); give a CSV file "
            "(UTF-8 or GB18030) or an .xlsx workbook.", file=label)


def _guess_encoding(label: str, data: bytes) -> tuple[str, bytes]:
    """Return (encoding name, UTF-8 bytes to parse) judged from the first bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", data[len(codecs.BOM_UTF8):]
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return "utf-16", data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(label, ("UTF-16",)) from exc
    head = data[:HEAD_BYTES]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == len(data))
        return "utf-8", data
    except UnicodeDecodeError:
        return "gb18030", _decode_gb18030(label, data)


#: GB18030 is re-encoded to UTF-8 in pieces of this size: the whole file never exists as a
#: Python str (4 bytes per Chinese character), which at 10M rows is several GiB of peak memory
DECODE_CHUNK = 16 * 1024 * 1024


def _decode_gb18030(label: str, data: bytes) -> bytes:
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
    return out.getvalue()


def _undecodable(label: str, tried) -> DatasetError:
    return DatasetError(
        f"{label}: cannot be decoded as text (tried {', '.join(tried)}); save it from Excel as "
        "'CSV UTF-8' or as .xlsx.", file=label)


def _read_text(label: str, data: bytes, fields: dict) -> _RawTable:
    _reject_binary(label, data)
    encoding, utf8 = _guess_encoding(label, data)
    try:
        return _parse_text(label, utf8, fields)
    except (_NotUtf8, UnicodeDecodeError):
        if encoding != "utf-8":
            raise _undecodable(label, TEXT_ENCODINGS) from None
        # the head was plain ASCII/UTF-8 but a later part is not: GBK with Chinese further down
        return _parse_text(label, _decode_gb18030(label, data), fields)


def _head_records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= 1000 or sum(1 for r in records if not _is_blank_record(r)) > HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass
    return records


def _parse_text(label: str, utf8: bytes, fields: dict) -> _RawTable:
    head_text = codecs.getincrementaldecoder("utf-8")().decode(utf8[:HEAD_BYTES], final=False)
    if _looks_binary(head_text):
        raise DatasetError(
            f"{label}: is not a text file (it contains control characters); give a CSV file "
            "(UTF-8 or GB18030) or an .xlsx workbook.", file=label)
    # the delimiter whose header names the most fields; comma when nothing decides
    best = None
    for delimiter in (",", "\t", ";"):
        records = _head_records(head_text, delimiter)
        candidates = _first_nonblank(records)
        if not candidates:
            continue
        at = _find_header(fields, candidates)
        score = (_header_score(fields, candidates[at]), len(candidates[at]) > 1)
        if best is None or score > best[0]:
            best = (score, delimiter, records, at)
    if best is None:
        raise DatasetError(f"{label}: the file is empty.", file=label)
    _, delimiter, records, at = best
    header_index = _nth_nonblank_index(records, at)
    header = list(records[header_index])
    width = len(header)
    skip = header_index + 1
    body = _parse_body(utf8, delimiter, skip, width)
    if body.shape[1] > width:
        header += [""] * (body.shape[1] - width)
    rows_no = np.arange(skip + 1, skip + 1 + len(body), dtype=np.int64)
    return _RawTable(header=header, header_row=header_index + 1, body=body, rows=rows_no)


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f")
    return controls > max(2, len(sample) // 100)


class _NotUtf8(Exception):
    """The bytes given to the CSV parser are not valid UTF-8."""


def _parse_body(utf8: bytes, delimiter: str, skip: int, width: int) -> pd.DataFrame:
    """Every cell below the header as a string, one row per record (blank records kept).

    pyarrow first: multithreaded, and with ``ignore_empty_lines=False`` a blank line is a
    record, so row numbers stay those Excel shows. Ragged rows make it fail; the C
    engine reads short rows, and the csv module whatever is left.
    """
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    names = [str(i) for i in range(max(width, 1))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=skip),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"',
                                              newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        frame = table.to_pandas(types_mapper={pa.large_string(): _RAW_TEXT}.get)
        return frame.set_axis(list(range(len(names))), axis=1)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise _NotUtf8() from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.BytesIO(utf8), engine="c", sep=delimiter, header=None,
                               names=list(range(len(names))), skiprows=skip, dtype=str,
                               keep_default_na=False, na_filter=False, quotechar='"',
                               skip_blank_lines=False, index_col=False)
    except UnicodeDecodeError as exc:
        raise _NotUtf8() from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        pass
    # rows longer than the header: keep every cell, in extra unnamed columns
    records = list(csv.reader(io.StringIO(utf8.decode("utf-8")), delimiter=delimiter))[skip:]
    wide = max([len(names), *map(len, records)])
    records = [r + [""] * (wide - len(r)) for r in records]
    return pd.DataFrame(records, columns=list(range(wide)), dtype=_RAW_TEXT)


def _from_frame(frame: pd.DataFrame) -> _RawTable:
    header = [_cell_text(c) or "" for c in frame.columns]
    body = frame.set_axis(list(range(frame.shape[1])), axis=1).reset_index(drop=True)
    rows = np.arange(2, 2 + len(body), dtype=np.int64)
    return _RawTable(header=header, header_row=None, body=body, rows=rows)


def _blank_mask(cells: pd.Series) -> np.ndarray:
    """True where a cell is NA, empty or whitespace only."""
    if cells.dtype == object:
        codes, uniques = pd.factorize(cells)
        blank_u = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques),
                              dtype=bool, count=len(uniques))
        return np.append(blank_u, True)[codes]
    if isinstance(cells.dtype, pd.StringDtype):
        return (cells.isna() | (cells.str.strip() == "")).to_numpy(dtype=bool, na_value=True)
    return cells.isna().to_numpy(dtype=bool)


def _drop_blank_rows(raw: _RawTable) -> _RawTable:
    if raw.body.shape[1] == 0 or len(raw.body) == 0:
        return raw
    candidates = np.flatnonzero(_blank_mask(raw.body[0]))
    for column in raw.body.columns[1:]:
        if not len(candidates):
            break
        candidates = candidates[_blank_mask(raw.body[column].iloc[candidates])]
    if not len(candidates):
        return raw
    keep = np.ones(len(raw.body), dtype=bool)
    keep[candidates] = False
    return _RawTable(header=raw.header, header_row=raw.header_row,
                     body=raw.body.iloc[keep].reset_index(drop=True), rows=raw.rows[keep])


# --------------------------------------------------------------------------- headers

def _accepted_names(field_name: str, field_spec: Any) -> list[str]:
    return [field_name, *(getattr(field_spec, "aliases", None) or [])]


def _name_keys(fields: dict) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for field_name, field_spec in fields.items():
        for accepted in _accepted_names(field_name, field_spec):
            keys.setdefault(_header_key(accepted), set()).add(field_name)
    return keys


def _header_score(fields: dict, record) -> int:
    keys = _name_keys(fields)
    matched: set[str] = set()
    for cell in record:
        matched |= keys.get(_header_key(cell), set())
    return len(matched)


def _find_header(fields: dict, candidates: list) -> int:
    """Index (among non-blank rows) of the first row naming the most fields.

    When no row names any field, the first of the fullest rows is taken (a title row
    has one cell), so that an error lists the headers a person would call headers.
    """
    if not candidates:
        return 0
    scores = [_header_score(fields, r) for r in candidates]
    if max(scores) == 0:
        scores = [sum(1 for cell in r if _cell_text(cell) and _cell_text(cell).strip()) for r in candidates]
    return scores.index(max(scores))


def _match_headers(name: str, fields: dict, raw: _RawTable):
    """field -> column position, field -> header text, and issues for duplicate columns."""
    header_keys = [_header_key(h) for h in raw.header]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    issues: list[dict] = []
    for field_name, field_spec in fields.items():
        found: list[tuple[int, int]] = []
        for priority, accepted in enumerate(_accepted_names(field_name, field_spec)):
            key = _header_key(accepted)
            found += [(priority, position) for position, h in enumerate(header_keys) if h == key]
        if not found:
            continue
        _, chosen = min(found)
        columns[field_name] = chosen
        headers[field_name] = str(raw.header[chosen]).strip()
        for position in sorted({p for _, p in found} - {chosen}):
            issues.append({
                "dataset": name, "field": field_name, "row": raw.header_row,
                "value": str(raw.header[position]).strip(),
                "problem": (f"column {position + 1} ('{str(raw.header[position]).strip()}') also matches "
                            f"field {field_name}; column {chosen + 1} ('{headers[field_name]}') is used"),
            })
    return columns, headers, issues


def _check_required(name: str, spec: Any, fields: dict, columns: dict, raw: _RawTable, label: str):
    absent = [f for f, s in fields.items() if getattr(s, "required", False) and f not in columns]
    if not absent:
        return
    title = getattr(spec, "title", None)
    dataset = f"dataset '{name}'" + (f" ({title})" if title else "")
    wanted = "; ".join(
        f"'{f}' (accepted headers: {', '.join(_accepted_names(f, fields[f]))})" for f in absent)
    found = [str(h).strip() for h in raw.header if str(h).strip()]
    where = f" on row {raw.header_row}" if raw.header_row else ""
    plural = "s" if len(absent) > 1 else ""
    message = (f"{label}: {dataset} has no column for required field{plural} {wanted}. "
               f"Headers found{where}: {', '.join(found) if found else '(none)'}. "
               "Rename the column in the ledger, or add its header to the field's aliases "
               "in the rulebook.")
    expected = [n for f in absent for n in _accepted_names(f, fields[f])]
    raise DatasetError(message, file=label, expected=expected, found=found)


# --------------------------------------------------------------------------- typing

@dataclass
class _Problems:
    """Cells a typer could not read, by distinct value.

    ``bad`` marks distinct values (aligned with ``codes``'s uniques) whose every cell is
    an issue with ``problem`` (one text, or one per distinct value); ``once`` maps a reported label to (first unique index,
    problem), reported on the first row of that unique.
    """

    codes: np.ndarray | None = None
    uniques: Any = None
    bad: np.ndarray | None = None
    problem: str | np.ndarray = ""
    once: list[tuple[str, int, str]] = field(default_factory=list)


def _cell_text(value: Any) -> str | None:
    """A raw cell as the text a person sees; None for an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(float(value))
    if isinstance(value, (_dt.datetime, np.datetime64)):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return None
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def _distinct(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    return codes, pd.Series(uniques, copy=False)


def _texts(uniques: pd.Series) -> pd.Series:
    """Distinct raw values as stripped text (``string`` dtype, NA for empty)."""
    if isinstance(uniques.dtype, pd.StringDtype):
        text = uniques.astype(pd.StringDtype())
    else:
        text = pd.Series([_cell_text(v) for v in uniques], dtype=pd.StringDtype(), index=uniques.index)
    text = text.str.strip()
    return text.mask(text == "")


def _normalized(text: pd.Series) -> pd.Series:
    return text.str.normalize("NFKC").str.strip().str.casefold()


def _take(typed_uniques, codes: np.ndarray):
    """Distinct typed values mapped back to every row (code -1 -> NA)."""
    return pd.array(typed_uniques).take(codes, allow_fill=True)


def _type_string(cells: pd.Series, spec: Any, header: str):
    if isinstance(cells.dtype, pd.StringDtype):
        text = cells.astype(pd.StringDtype()).str.strip()
        return text.mask(text == "").reset_index(drop=True).array, _Problems()
    codes, uniques = _distinct(cells)
    return _take(_texts(uniques).array, codes), _Problems()


def _placeholder_mask(text: pd.Series) -> np.ndarray:
    return _normalized(text).isin(_BLANK_PLACEHOLDERS).to_numpy(dtype=bool, na_value=False)


def _is_numeric_dtype(cells: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype)


def _parse_numbers(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float values, bad mask) of distinct raw values; NaN + not bad = blank."""
    if _is_numeric_dtype(uniques):
        values = np.array(uniques.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
        return values, ~np.isfinite(values) & ~uniques.isna().to_numpy()
    text = _texts(uniques)
    blank = text.isna().to_numpy() | _placeholder_mask(text)
    clean = text.str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    thousands = clean.str.fullmatch(_THOUSANDS).fillna(False).astype(bool)
    clean = clean.where(~thousands, clean.str.replace(",", "", regex=False))
    # keep bools from counting as numbers: an Excel TRUE in a count column is a mistake
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in uniques), dtype=bool, count=len(uniques))
    values = pd.to_numeric(clean.astype(object).where(~is_bool, None), errors="coerce")
    values = np.array(values, dtype=float)
    values[blank] = np.nan
    bad = ~blank & ~np.isfinite(values)
    return values, bad


def _type_number(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    values, bad = _parse_numbers(uniques)
    values[bad] = np.nan
    typed = pd.array(values, dtype="Float64")
    return _take(typed, codes), _Problems(codes, uniques, bad, "not a number")


def _type_integer(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    values, bad = _parse_numbers(uniques)
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        integral = finite & (np.floor(values) == values)
    whole = integral & (np.abs(values) < 2.0**63)
    ints = np.where(whole, values, 0).astype(np.int64)
    typed = pd.array(ints, dtype="Int64")
    typed[~whole] = pd.NA
    problem = np.where(finite & ~integral, "not a whole number", "not an integer")
    return _take(typed, codes), _Problems(codes, uniques, bad | (finite & ~whole), problem)


def _type_boolean(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    if pd.api.types.is_bool_dtype(uniques.dtype):
        return _take(uniques.astype("boolean").array, codes), _Problems()
    text = _texts(uniques)
    mapped = _normalized(text).map(_BOOLEAN_WORDS)
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in uniques), dtype=bool, count=len(uniques))
    if is_bool.any():
        mapped[is_bool] = [bool(v) for v in uniques[is_bool]]
    known = mapped.notna().to_numpy()
    blank = text.isna().to_numpy() | (_placeholder_mask(text) & ~known)
    typed = pd.array(mapped.where(known, None).tolist(), dtype="boolean")
    bad = ~known & ~blank
    return _take(typed, codes), _Problems(codes, uniques, bad, "not a yes/no value (是/否)")


def _is_datetime_like(value: Any) -> bool:
    return isinstance(value, (_dt.date, np.datetime64)) and not pd.isna(value)


def _dates_from_parts(parts: pd.DataFrame) -> pd.Series:
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    in_range = numbers["year"].between(*YEAR_RANGE)
    numbers = numbers.where(in_range)
    return pd.to_datetime(numbers[["year", "month", "day"]], errors="coerce")


def _parse_date_texts(text: pd.Series) -> np.ndarray:
    """datetime64[ns] of stripped texts; NaT where no accepted form matches."""
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not len(text):
        return out
    norm = text.fillna("").str.normalize("NFKC").str.strip()
    for pattern in (_DATE_YMD, _DATE_COMPACT):
        hit = norm.str.match(pattern).fillna(False).to_numpy(dtype=bool)
        todo = hit & np.isnat(out)
        if todo.any():
            parts = norm[todo].str.extract(pattern)
            out[todo] = _dates_from_parts(parts).to_numpy(dtype="datetime64[ns]")
    serial = norm.str.fullmatch(_EXCEL_SERIAL).fillna(False).to_numpy(dtype=bool) & np.isnat(out)
    if serial.any():
        out[serial] = _serials(norm[serial].astype("Float64").to_numpy(dtype=float))
    return out


def _serials(numbers: np.ndarray) -> np.ndarray:
    low, high = EXCEL_SERIAL_RANGE
    ok = (numbers >= low) & (numbers <= high)
    days = np.floor(np.where(ok, numbers, 0)).astype("int64")
    stamps = (np.datetime64(_EXCEL_EPOCH.to_datetime64(), "ns")
              + days.astype("timedelta64[D]").astype("timedelta64[ns]"))
    return np.where(ok, stamps, np.datetime64("NaT", "ns"))


def _parse_dates(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns] at midnight, blank mask) of distinct raw values.

    Date and datetime objects (workbook cells, DataFrame columns) are taken as they are;
    everything else, numbers included, is read as text, so 44405 is an Excel serial and
    20210728 a compact date whether it was typed as text or as a number.
    """
    n = len(uniques)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if isinstance(uniques.dtype, pd.StringDtype):
        direct = np.zeros(n, dtype=bool)
    else:
        direct = np.fromiter((_is_datetime_like(v) for v in uniques), dtype=bool, count=n)
    for i in np.flatnonzero(direct):  # distinct datetime objects, not rows
        stamp = pd.Timestamp(uniques.iloc[i])
        stamp = stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
        if YEAR_RANGE[0] <= stamp.year <= YEAR_RANGE[1]:
            values[i] = stamp.normalize().as_unit("ns").to_datetime64()
    text = _texts(uniques).mask(pd.Series(direct, index=uniques.index))
    values = np.where(direct, values, _parse_date_texts(text))
    blank = ~direct & (text.isna().to_numpy() | _placeholder_mask(text))
    return values, blank


def _type_date(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    if pd.api.types.is_datetime64_any_dtype(uniques.dtype):
        stamps = uniques.dt.tz_localize(None) if uniques.dt.tz is not None else uniques
        values = stamps.dt.normalize().to_numpy(dtype="datetime64[ns]")
        return np.append(values, np.datetime64("NaT", "ns"))[codes], _Problems()
    values, blank = _parse_dates(uniques)
    bad = np.isnat(values) & ~blank
    return np.append(values, np.datetime64("NaT", "ns"))[codes], _Problems(codes, uniques, bad, "not a date")


def _labels_of(spec: Any) -> tuple[list[str], dict[str, int]]:
    """(codes in rulebook order, normalized label -> code index); the code is a label too."""
    values = getattr(spec, "values", None) or {}
    codes = [str(c) for c in values]
    lookup: dict[str, int] = {}
    for index, (code, labels) in enumerate(values.items()):
        for label in [code, *(labels or [])]:
            lookup.setdefault(normalize_name(str(label)), index)
    return codes, lookup


def _unknown_problem(header: str, spec: Any) -> str:
    values = getattr(spec, "values", None) or {}
    shown = [str((labels or [code])[0]) for code, labels in values.items()]
    return f"unknown label for {header}; expected one of: {', '.join(shown)}"


def _type_category(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    categories, lookup = _labels_of(spec)
    text = _texts(uniques)
    index = _normalized(text).map(lookup)
    known = index.notna().to_numpy()
    blank = text.isna().to_numpy()
    unknown = ~known & ~blank
    # unknown labels stay, as typed (stripped), after the codes; one category per distinct text
    extra_text = text[unknown]
    extra = list(dict.fromkeys(extra_text.tolist()))
    extra_index = {label: len(categories) + i for i, label in enumerate(extra)}
    unique_codes = np.full(len(uniques), -1, dtype=np.int64)
    unique_codes[known] = index[known].astype("int64").to_numpy()
    if unknown.any():
        unique_codes[unknown] = [extra_index[t] for t in extra_text]
    row_codes = np.append(unique_codes, -1)[codes]
    result = pd.Categorical.from_codes(row_codes, categories=categories + extra)
    first_unique = {}
    for position, label in zip(np.flatnonzero(unknown), extra_text):
        first_unique.setdefault(label, position)
    problem = _unknown_problem(header, spec)
    once = [(label, first_unique[label], problem) for label in extra]
    return result, _Problems(codes, uniques, once=once)


def _type_set(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    categories, lookup = _labels_of(spec)
    if len(categories) > MAX_SET_CODES:
        raise ValueError(f"a set field holds at most {MAX_SET_CODES} codes, not {len(categories)}")
    text = _texts(uniques)
    labels = text.str.split(SET_SEPARATORS, regex=True).explode().str.strip()
    labels = labels[labels.notna() & (labels != "")]
    bit = _normalized(labels).map(lookup)
    known = bit.notna()
    # distinct (cell, bit) pairs summed = bitwise OR of the cell's bits
    pairs = pd.DataFrame({"cell": labels.index[known], "bit": bit[known].astype("int64").to_numpy()})
    pairs = pairs.drop_duplicates()
    masks = (np.int64(1) << pairs["bit"].to_numpy(dtype=np.int64)).astype(np.int64)
    per_cell = pd.Series(masks).groupby(pairs["cell"].to_numpy()).sum()
    values = np.zeros(len(uniques), dtype=np.int64)
    values[per_cell.index.to_numpy(dtype=np.int64)] = per_cell.to_numpy(dtype=np.int64)
    has_label = np.zeros(len(uniques), dtype=bool)
    has_label[labels.index.to_numpy(dtype=np.int64)] = True
    typed = pd.array(values, dtype="Int64")
    typed[~has_label] = pd.NA  # blank, or separators only
    problem = _unknown_problem(header, spec)
    unknown = labels[~known]
    once: dict[str, int] = {}
    for position, label in zip(unknown.index, unknown):
        once[label] = min(once.get(label, position), position)
    return _take(typed, codes), _Problems(codes, uniques, once=[(l, p, problem) for l, p in once.items()])


_TYPERS = {
    "string": _type_string,
    "integer": _type_integer,
    "number": _type_number,
    "boolean": _type_boolean,
    "date": _type_date,
    "category": _type_category,
    "set": _type_set,
}


def _first_positions(codes: np.ndarray) -> pd.Series:
    """Unique index -> first row position (uniques are numbered in order of appearance)."""
    firsts = pd.Series(codes).drop_duplicates()
    firsts = firsts[firsts >= 0]
    return pd.Series(firsts.index.to_numpy(), index=firsts.to_numpy())


def _issues_for(name: str, field_name: str, rows: np.ndarray, problems: _Problems) -> list[dict]:
    issues: list[dict] = []
    if problems.bad is not None and problems.bad.any():
        bad_rows = np.append(problems.bad, False)[problems.codes]
        positions = np.flatnonzero(bad_rows)
        bad_codes = problems.codes[positions]
        shown = np.empty(len(problems.bad), dtype=object)
        for i in np.flatnonzero(problems.bad):  # distinct bad values, not rows
            shown[i] = _cell_text(problems.uniques.iloc[i])
        texts = np.broadcast_to(np.asarray(problems.problem, dtype=object), len(problems.bad))
        issues += [{"dataset": name, "field": field_name, "row": row, "value": value, "problem": problem}
                   for row, value, problem in zip(rows[positions].tolist(), shown[bad_codes].tolist(),
                                                  texts[bad_codes].tolist())]
    if problems.once:
        firsts = _first_positions(problems.codes)
        found = [(int(rows[firsts[u]]), label, problem) for label, u, problem in problems.once]
        issues += [{"dataset": name, "field": field_name, "row": row, "value": label, "problem": problem}
                   for row, label, problem in sorted(found, key=lambda item: item[0])]
    return issues
