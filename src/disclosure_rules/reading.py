"""Reading: a ledger file (or DataFrame) -> raw cells below its header, with row numbers.

This stage knows file formats, encodings, sheets and headers; it knows nothing of
field types. Typing the cells is :mod:`disclosure_rules.values`.

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
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DatasetError
from .expressions import normalize_name  # one definition of how headers, aliases and labels compare

__all__ = ["RawTable", "read_table", "normalize_name"]

XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SCAN_ROWS = 10
HEAD_BYTES = 256 * 1024
TEXT_ENCODINGS = ("UTF-8 with BOM", "UTF-8", "GB18030 (GBK)")
#: raw text cells: pandas' default string dtype (arrow storage, NaN for missing)
_RAW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _header_key(text: Any) -> str:
    # Excel headers are often wrapped ("成文\n日期"); inner whitespace never matters
    return re.sub(r"\s+", "", normalize_name("" if text is None else _cell_text(text) or ""))


@dataclass
class RawTable:
    """Cells below the header, before typing; columns are positions 0..k-1.

    ``columns`` maps each field found to its column position, ``headers`` each field to
    its header text as found, ``issues`` holds problems of the header itself
    (a second column matching a field), as data issues.
    """

    header: list[str]
    header_row: int | None
    body: pd.DataFrame
    rows: np.ndarray
    source: str = "<DataFrame>"
    sha256: str | None = None
    columns: dict[str, int] | None = None
    headers: dict[str, str] | None = None
    issues: list[dict] | None = None
    #: sheet name of each row (object array), None for CSV and DataFrames
    sheets: np.ndarray | None = None
    #: the reading report of DESIGN §8 ``reading``: {"source", "format", "sheets",
    #: "header_rows", "records", "skipped", "columns", "unrecognised_headers"}
    report: dict | None = None


def read_table(name: str, spec: Any, source) -> RawTable:
    """Read ``source`` (a path or a DataFrame) for dataset ``name``: raw cells, header matched.

    Raises :class:`DatasetError` when the file cannot be read or a required column is
    missing.
    """
    fields = dict(spec.fields)
    if isinstance(source, pd.DataFrame):
        raw = _from_frame(source)
    else:
        label = str(source)
        raw, digest = _read_file(label, fields)
        raw.source, raw.sha256 = label, digest
    raw = _drop_blank_rows(raw)
    columns, headers, issues = _match_headers(name, fields, raw)
    _check_required(name, spec, fields, columns, raw, raw.source)
    raw.columns, raw.headers, raw.issues = columns, headers, issues
    matched = set(columns.values())
    raw.report = {
        "source": raw.source,
        "format": "dataframe" if isinstance(source, pd.DataFrame) else "csv",
        "sheets": [],
        "header_rows": [raw.header_row, raw.header_row] if raw.header_row else None,
        "records": int(len(raw.rows)),
        "skipped": [],
        "columns": dict(headers),
        "unrecognised_headers": [h.strip() for i, h in enumerate(raw.header) if h.strip() and i not in matched],
    }
    return raw


# --------------------------------------------------------------------------- reading

def _split_sheet(label: str) -> tuple[Path, str | None]:
    """``ledger.xlsx#公文台账`` -> (path, sheet); a real file whose name has '#' wins."""
    path = Path(label)
    if "#" in label and not path.exists():
        base, sheet = label.rsplit("#", 1)
        if Path(base).suffix.lower() in XLSX_SUFFIXES:
            return Path(base), sheet
    return path, None


def _read_file(label: str, fields: dict) -> tuple[RawTable, str]:
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


def _read_xlsx(label: str, data: bytes, sheet: str | None, fields: dict) -> RawTable:
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
    return RawTable(header=header, header_row=header_index + 1, body=body, rows=rows_no)


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


def _read_text(label: str, data: bytes, fields: dict) -> RawTable:
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


def _parse_text(label: str, utf8: bytes, fields: dict) -> RawTable:
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
    return RawTable(header=header, header_row=header_index + 1, body=body, rows=rows_no)


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


def _from_frame(frame: pd.DataFrame) -> RawTable:
    header = [_cell_text(c) or "" for c in frame.columns]
    body = frame.set_axis(list(range(frame.shape[1])), axis=1).reset_index(drop=True)
    rows = np.arange(2, 2 + len(body), dtype=np.int64)
    return RawTable(header=header, header_row=None, body=body, rows=rows)


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


def _drop_blank_rows(raw: RawTable) -> RawTable:
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
    return RawTable(header=raw.header, header_row=raw.header_row,
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


def _match_headers(name: str, fields: dict, raw: RawTable):
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


def _check_required(name: str, spec: Any, fields: dict, columns: dict, raw: RawTable, label: str):
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

