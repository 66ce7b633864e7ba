"""Typing: raw cells -> typed columns, each distinct value parsed once, plus data issues.

Conventions
-----------
- Blank: an empty or whitespace-only cell is NA. In date, integer and number
  columns a placeholder meaning "nothing here" (``-``, ``—``, ``/``, ``无``, ``N/A``,
  ``null``) is blank too, without an issue.
- A cell that cannot be read as its field's type is NA plus one issue
  ``{"dataset", "field", "row", "sheet", "value", "problem"}``. Unknown category/set labels
  are kept (category) or contribute no bit (set) and are reported once per distinct
  label, on the first row where they occur.
- Each distinct cell value is parsed once (``pd.factorize``, vectorized string
  operations on the distinct values, then mapped back by code): there is no Python
  loop over the rows of a CSV file or a DataFrame.
- Any cell is accepted without raising: text columns (pandas ``StringDtype``, NaN or
  NA for empty) as reading hands them over, and DataFrame columns of any dtype, object
  columns holding any Python object included. ``True`` and ``1`` (or ``1`` and
  ``Decimal('1.0')``) are different cells even though Python finds them equal. Text
  is shown and kept with lone surrogates replaced by U+FFFD, so that every output can
  be written as UTF-8.

Typed columns: string -> ``string`` dtype (``pd.StringDtype()``, pyarrow storage,
NA = ``pd.NA``, so comparisons give nullable booleans); integer -> ``Int64``, exact,
at most :data:`MAX_EXACT_INTEGER` in size (a larger count is an issue, not a rounded
value); number -> ``Float64``, always finite (inf, nan and 1e400 are issues);
boolean -> ``boolean``; date -> ``datetime64[s]`` at midnight (:data:`DATE_DTYPE`:
seconds hold any year, unlike nanoseconds which end in 2262);
category -> ``category`` whose categories are the codes in rulebook order followed by
the unknown labels as typed; set -> ``Int64`` bit mask, bit i = the i-th code.

Dates (DESIGN §11)
------------------
ISO ``2021-07-28``, ``2021/7/28``, ``2021.07.28``, ``2021年7月28日`` (or ``号``), compact
``20210728``, Excel serial numbers (:data:`EXCEL_SERIAL_RANGE`), full-width digits,
Chinese numerals (``二〇二一年七月二十八日``, ``〇``/``零``/``○``, ``十`` ``廿`` ``卅``, ``元月``),
a weekday before or after the date (``星期三``, ``周三``, ``礼拜三``, ``(周三)``, ``Wed``),
a leading apostrophe (Excel's text marker), and a time of day (``10:30``,
``10:30:15.5``, ``T10:30:00+08:00``, ``10时30分``), which is dropped. Date and datetime
values (workbook cells, DataFrame columns of any resolution or time zone, Python and
numpy objects) are taken as their calendar date. Problems, each a data issue with the
cell made blank: ``not a date`` (no accepted form, or an impossible day such as
``2021-02-30`` or ``0000-00-00``), ``date outside 1900-2999`` (:data:`DATE_YEARS`) and
``weekday does not match the date`` (``2021-07-28 周四``: one of the two is mistyped).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .expressions import normalize_name

__all__ = ["type_column", "MAX_SET_CODES", "DATE_DTYPE", "DATE_YEARS", "MAX_EXACT_INTEGER"]

MAX_SET_CODES = 62

#: the typed representation of dates (and of every date the engine computes)
DATE_DTYPE = "datetime64[s]"
#: years a date may have (DESIGN §11); anything else is a data issue, never a wrapped value
DATE_YEARS = (1900, 2999)
#: Excel serial numbers taken as dates: 1954-10-03 .. 2119-01-10
EXCEL_SERIAL_RANGE = (20000, 80000)
#: integers are held exactly up to this size (float64, which expressions compute in, holds
#: every whole number up to 2**53); larger ones are a data issue, never a rounded count
MAX_EXACT_INTEGER = 2**53 - 1

#: separators between the labels of a set cell (besides spaces, see :func:`_type_set`)
SET_SEPARATORS = r"[;；,，、/|｜+＋\r\n]+"
_SET_SEPARATOR_CHARS = ";；,，、/|｜+＋\r\n"

_BLANK_PLACEHOLDERS = frozenset(
    {"-", "--", "---", "—", "——", "–", "/", "\\", "无", "n/a", "na", "#n/a",
     "null", "none", "nan", "nat"})

_BOOLEAN_WORDS = {
    **dict.fromkeys(["是", "有", "y", "yes", "true", "t", "1", "1.0", "√", "✓", "✔", "对"], True),
    **dict.fromkeys(["否", "无", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘", "错"], False),
}

_NOT_A_DATE = "not a date"
_OUTSIDE = f"date outside {DATE_YEARS[0]}-{DATE_YEARS[1]}"
_WRONG_WEEKDAY = "weekday does not match the date"

#: no accepted date or number is longer; longer cells are not parsed at all
_MAX_DATE_TEXT = 80
_MAX_NUMBER_TEXT = 400

_UNIX_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_SURROGATES = re.compile("[\ud800-\udfff]")

# --------------------------------------------------------------------------- entry point


def type_column(dataset: str, field_name: str, field_spec: Any, cells: pd.Series, header: str,
                rows: np.ndarray, sheets: np.ndarray | None = None) -> tuple[Any, list[dict]]:
    """Typed values of one column and the data issues of its cells (never raises on a cell).

    ``rows`` (and ``sheets``, when given) hold the spreadsheet row (and sheet) of each cell;
    each issue names its row and its sheet (None without ``sheets``).
    """
    values, problems = _TYPERS[field_spec.type](cells, field_spec, header)
    return values, _issues_for(dataset, field_name, rows, problems, sheets)

# --------------------------------------------------------------------------- cells as text


def _clean(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (valid pairs are joined)."""
    if _SURROGATES.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _shown(value: Any) -> str | None:
    """A raw cell as the text a person sees; None for an empty cell. Never raises."""
    try:
        return _shown_unsafe(value)
    except Exception:  # an object whose str() fails, or an overflow: show its type
        return f"<{type(value).__name__}>"


def _shown_unsafe(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        number = int(value)
        if number.bit_length() > 3000:
            return f"<an integer of about {int(number.bit_length() * 0.30103)} digits>"
        return str(number)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if number != number:
            return None
        return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        text = str(np.datetime_as_string(value, unit="s"))
        return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")
    if isinstance(value, _dt.datetime):
        if pd.isna(value):
            return None
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0) \
            and getattr(value, "nanosecond", 0) == 0 and value.tzinfo is None
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return _clean(str(value))


def _is_pyarrow_text(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _distinct(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per row, -1 for NA; the distinct values). ``True`` and ``1`` stay apart."""
    if cells.dtype == object:
        return _distinct_objects(cells.to_numpy())
    if isinstance(cells.dtype, pd.CategoricalDtype) and _is_pyarrow_text(cells.dtype.categories.dtype):
        # text the reader coded (its distinct texts and a code per cell): renumbered in order
        # of first appearance, as pd.factorize numbers the texts themselves
        raw = np.asarray(cells.cat.codes)
        present = raw >= 0
        codes = np.full(len(raw), -1, dtype=np.intp)
        found, order = pd.factorize(raw[present])
        codes[present] = found
        return codes, pd.Series(cells.cat.categories.take(order), copy=False)
    try:
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.intp), pd.Series(uniques, copy=False)
    except Exception:  # an extension dtype that cannot be factorized: as objects
        return _distinct_objects(np.asarray(cells.astype(object).to_numpy(), dtype=object))


def _distinct_objects(values: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Distinct cells of an object column, by Python type and value.

    ``pd.factorize`` alone would merge cells that compare equal across types (``True``
    and ``1``, ``1`` and ``Decimal('1.0')``), so that a cell would be typed as whichever
    came first. Each type is numbered on its own (a loop over the column's few types),
    then the distinct values are renumbered in order of first appearance.
    """
    n = len(values)
    kinds = np.fromiter(map(type, values), dtype=object, count=n)  # map() runs in C
    type_codes, types = pd.factorize(kinds)
    if len(types) <= 1:
        codes, uniques = _factorize_objects(values)
        return codes, pd.Series(uniques, dtype=object)
    codes = np.full(n, -1, dtype=np.intp)
    parts, offset = [], 0
    for t in range(len(types)):  # distinct Python types, not rows
        mask = type_codes == t
        t_codes, t_uniques = _factorize_objects(values[mask])
        codes[mask] = np.where(t_codes >= 0, t_codes + offset, -1)
        parts.append(t_uniques)
        offset += len(t_uniques)
    uniques = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    present = codes >= 0
    order_codes, order = pd.factorize(codes[present])
    codes[present] = order_codes
    return codes, pd.Series(uniques[np.asarray(order, dtype=np.intp)], dtype=object)


def _factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # unhashable cells (lists, dicts ...) stand for their text; cells whose comparison
    # raises make the whole column stand for its text (only such odd columns pay for this)
    for key in (None, _hashable, _shown):
        try:
            keys = values if key is None else np.fromiter(map(key, values), dtype=object, count=len(values))
            codes, uniques = pd.factorize(keys, use_na_sentinel=True)
            return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)
        except Exception:
            continue
    raise AssertionError("text cells always factorize")  # pragma: no cover


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except Exception:
        return _shown(value)


def _texts(uniques: pd.Series) -> pd.Series:
    """Distinct raw values as stripped text (object dtype, None for empty)."""
    if isinstance(uniques.dtype, pd.StringDtype):
        raw = uniques.to_numpy(dtype=object, na_value=None)
        if not _is_pyarrow_text(uniques.dtype):
            raw = np.fromiter(map(_shown, raw), dtype=object, count=len(raw))
    else:
        raw = np.fromiter(map(_shown, uniques.to_numpy(dtype=object)), dtype=object, count=len(uniques))
    text = pd.Series(raw, dtype=object, index=uniques.index).str.strip()
    return text.where(text.notna() & (text != ""), None)


def _normalized(text: pd.Series) -> pd.Series:
    return text.str.normalize("NFKC").str.strip().str.casefold()


def _take(typed_uniques, codes: np.ndarray):
    """Distinct typed values mapped back to every row (code -1 -> NA)."""
    return pd.array(typed_uniques).take(codes, allow_fill=True)


def _placeholder_mask(text: pd.Series) -> np.ndarray:
    return _normalized(text).isin(_BLANK_PLACEHOLDERS).to_numpy(dtype=bool)


def _flag(series: pd.Series) -> np.ndarray:
    """A boolean-ish Series (NaN/NA for missing) as a plain bool array."""
    return series.fillna(False).to_numpy(dtype=bool)

# --------------------------------------------------------------------------- typing


@dataclass
class _Problems:
    """Cells a typer could not read, by distinct value.

    ``bad`` marks distinct values (aligned with ``codes``'s uniques) whose every cell is
    an issue with ``problem`` (one text, or one per distinct value); ``once`` maps a
    reported label to (first unique index, problem), reported on the first row of that
    unique.
    """

    codes: np.ndarray | None = None
    uniques: Any = None
    bad: np.ndarray | None = None
    problem: str | np.ndarray = ""
    once: list[tuple[str, int, str]] = field(default_factory=list)


#: The characters a text cell is stripped of: those Arrow's ``utf8_trim_whitespace`` strips
#: and ``utf8_is_space`` finds, and Python's ``str.isspace`` set (ASCII spaces, the controls
#: 0x1c-0x1f, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and the
#: ideographic space U+3000); tests/test_values_strip.py holds the four to the same set
SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) \
    + "\u2028\u2029\u202f\u205f\u3000"


def _space_bytes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first bytes, last bytes, last byte pairs) of the UTF-8 of the characters of
    :data:`SPACES`, as lookup tables: a string none of whose ends matches has no space at
    either end."""
    first, last, pair = np.zeros(256, dtype=bool), np.zeros(256, dtype=bool), np.zeros(65536, dtype=bool)
    for char in SPACES:
        code = char.encode("utf-8")
        first[code[0]] = True
        if len(code) == 1:
            last[code[0]] = True
        else:
            pair[code[-2] * 256 + code[-1]] = True
    return first, last, pair


_FIRST_BYTE, _LAST_BYTE, _LAST_PAIR = _space_bytes()


def _spaced_ends(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whether each string begins or ends with a character of :data:`SPACES` (False for null).

    The strings whose first byte, last byte or last two bytes could be those of a space are
    found from the offsets and bytes (numpy, which lets the GIL go: the reading threads run
    side by side), and only those are looked at by Arrow's kernels; a ledger's cells rarely
    have a space at an end."""
    return pa.chunked_array([_spaced_chunk(chunk) for chunk in text.chunks], type=pa.bool_())


def _spaced_chunk(chunk: pa.Array) -> pa.Array:
    n = len(chunk)
    values = chunk.buffers()[2]
    if not n or values is None:
        return pa.array(np.zeros(n, dtype=bool))
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + n + 1].astype(np.int64, copy=False)
    data = np.frombuffer(values, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = np.flatnonzero(ends > starts)  # a null or "" has no end to look at
    starts, ends = starts[filled], ends[filled]
    last = data[ends - 1]
    before = data[np.maximum(ends - 2, starts)]  # the last byte again for a one-byte string
    maybe = _FIRST_BYTE[data[starts]] | _LAST_BYTE[last] | ((ends - starts >= 2) & _LAST_PAIR[before.astype(np.intp) * 256 + last])
    at = filled[maybe]
    spaced = np.zeros(n, dtype=bool)
    if len(at):
        some = chunk.take(pa.array(at))
        first = pc.utf8_is_space(pc.utf8_slice_codeunits(some, 0, 1))  # Arrow's spaces: SPACES (a test holds them)
        end = pc.utf8_is_space(pc.utf8_slice_codeunits(some, -1))
        spaced[at] = pc.fill_null(pc.or_(first, end), False).to_numpy(zero_copy_only=False)
    return pa.array(spaced)


def _with_validity(chunk: pa.Array, keep: pa.Array) -> pa.Array:
    """``chunk`` null where ``keep`` (a boolean array without nulls) is false, its offsets and
    bytes shared, not copied."""
    if chunk.offset == 0 and keep.offset == 0:
        bits = keep.buffers()[1]  # a boolean array's values are the bitmap a validity buffer is
    else:
        mask = np.zeros(chunk.offset + len(chunk), dtype=bool)
        mask[chunk.offset:] = keep.to_numpy(zero_copy_only=False)
        bits = pa.py_buffer(np.packbits(mask, bitorder="little"))
    return pa.Array.from_buffers(chunk.type, len(chunk), [bits, *chunk.buffers()[1:]], offset=chunk.offset)


def strip_blank(text: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Arrow text with the spaces at both ends of each string stripped, and "" (so an
    all-space string) null: exactly ``utf8_trim_whitespace`` then ``"" -> null``, but the
    strings' bytes are shared, not copied, and only the strings with a space at one end
    are trimmed (a ledger's titles rarely have one)."""
    if not isinstance(text, pa.ChunkedArray):
        text = pa.chunked_array([text], type=text.type)
    spaced = _spaced_ends(text)
    trim = pc.any(spaced).as_py()
    keep = None if trim else pc.fill_null(pc.greater(pc.binary_length(text), 0), False)  # "" and null: blank
    chunks, at = [], 0
    for chunk in text.chunks:
        if trim:
            mask = spaced.slice(at, len(chunk)).combine_chunks()
            if pc.any(mask).as_py():
                chunk = pc.replace_with_mask(chunk, mask, pc.utf8_trim_whitespace(chunk.filter(mask)))
            kept = pc.fill_null(pc.greater(pc.binary_length(chunk), 0), False)
        else:  # the chunks of `keep` are cut where those of `text` are
            kept = keep.slice(at, len(chunk)).combine_chunks()
        chunks.append(_with_validity(chunk, kept))
        at += len(chunk)
    return pa.chunked_array(chunks, type=text.type)


def _type_string(cells: pd.Series, spec: Any, header: str):
    if _is_pyarrow_text(cells.dtype):  # strip, and "" is blank: in Arrow, chunk by chunk
        return pd.arrays.ArrowStringArray(strip_blank(cells.array._pa_array)), _Problems()
    codes, uniques = _distinct(cells)
    return _take(pd.array(_texts(uniques).to_numpy(), dtype=pd.StringDtype()), codes), _Problems()


# -- numbers


def _is_numeric_dtype(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) \
        and not pd.api.types.is_complex_dtype(dtype)


def _number_texts(uniques: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(cleaned text of each distinct value, blank mask): full-width digits, surrounding
    spaces, thousands separators and Excel's apostrophe removed. Booleans are never numbers.
    A space inside the digits is kept, so ``12 34`` is not a number (it is not 1234)."""
    text = _texts(uniques)
    blank = text.isna().to_numpy() | _placeholder_mask(text)
    clean = text.str.normalize("NFKC").str.replace("−", "-", regex=False) \
        .str.strip().str.replace(r"^'\s*", "", regex=True).str.replace(r"^([+-])\s+", r"\1", regex=True)
    clean = clean.where(~pd.Series(blank, index=clean.index), None)
    thousands = _flag(clean.str.fullmatch(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"))
    clean = clean.where(~thousands, clean.str.replace(",", "", regex=False))
    too_long = _flag(clean.str.len() > _MAX_NUMBER_TEXT)
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in uniques.to_numpy(dtype=object)),
                          dtype=bool, count=len(uniques))
    # inf and nan are words, not numbers (1e400, which overflows, is a number out of range)
    words = _flag(clean.str.fullmatch(r"[+-]?(?:inf|infinity|nan)", case=False))
    return clean.where(~pd.Series(too_long | is_bool | words, index=clean.index), "x"), blank


def _parse_numbers(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, bad mask, too-large mask) of distinct raw values, plain ones first."""
    hit, plain = _plain_numbers(uniques, r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?")
    if not hit.any():
        return _parse_numbers_full(uniques)
    values = np.where(hit, plain, np.nan)
    bad, huge = np.zeros(len(hit), dtype=bool), np.zeros(len(hit), dtype=bool)
    if not hit.all():
        rest = ~hit
        values[rest], bad[rest], huge[rest] = _parse_numbers_full(uniques[rest].reset_index(drop=True))
    return values, bad, huge


def _parse_numbers_full(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, bad mask, too-large mask) of distinct raw values; NaN + not bad = blank.

    Every value returned is finite: inf, nan and numbers beyond float64 (1e400) are bad.
    """
    if _is_numeric_dtype(uniques.dtype):
        try:
            values = np.array(uniques.to_numpy(dtype=float, na_value=np.nan), dtype=float)
            bad = ~np.isfinite(values) & ~uniques.isna().to_numpy()
            values[bad] = np.nan
            return values, bad, np.zeros(len(values), dtype=bool)
        except Exception:  # pragma: no cover - an odd numeric extension dtype: as text
            pass
    clean, blank = _number_texts(uniques)
    values = np.full(len(clean), np.nan)
    todo = ~blank
    if todo.any():
        with np.errstate(over="ignore", invalid="ignore"):
            parsed = pd.to_numeric(clean[todo], errors="coerce")
        values[todo] = np.asarray(parsed, dtype=float)
    bad = ~blank & ~np.isfinite(values)
    huge = bad & np.isinf(values)
    values[bad] = np.nan
    return values, bad, huge


def _type_number(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    values, bad, huge = _parse_numbers(uniques)
    typed = pd.array(values, dtype="Float64")
    problem = np.where(huge, "number out of range", "not a number").astype(object)
    return _take(typed, codes), _Problems(codes, uniques, bad, problem)


def _plain_numbers(uniques: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """(matched mask, float values) of pyarrow text cells that are plain ``pattern``
    numbers (with surrounding spaces), parsed by pyarrow in one pass; other dtypes match none."""
    hit = np.zeros(len(uniques), dtype=bool)
    if not _is_pyarrow_text(uniques.dtype) or not len(uniques):
        return hit, np.zeros(len(uniques))
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(pa.array(uniques.array))
    matched = pc.fill_null(pc.match_substring_regex(text, f"^{pattern}$"), False)
    hit = matched.to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(matched, text, pa.scalar("0")), pa.float64())
    return hit, numbers.to_numpy(zero_copy_only=False)


def _parse_integers(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 values, ok mask, problem per distinct value or None) of distinct raw values,
    plain ones (up to 15 digits, always exact) first."""
    hit, plain = _plain_numbers(uniques, "[+-]?[0-9]{1,15}")
    if not hit.any():
        return _parse_integers_full(uniques)
    ints = np.where(hit, plain, 0).astype(np.int64)
    ok, problem = hit.copy(), np.full(len(hit), None, dtype=object)
    if not hit.all():
        rest = ~hit
        ints[rest], ok[rest], problem[rest] = _parse_integers_full(uniques[rest].reset_index(drop=True))
    return ints, ok, problem


def _parse_integers_full(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 values, ok mask, problem per distinct value or None) of distinct raw values."""
    n = len(uniques)
    ints = np.zeros(n, dtype=np.int64)
    problem = np.full(n, None, dtype=object)
    dtype = uniques.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        # exact: a float64 detour would round counts above 2**53
        present = ~uniques.isna().to_numpy()
        big = np.zeros(n, dtype=bool)
        if present.any():
            raw = uniques[present]
            if raw.dtype.kind == "u" or str(raw.dtype).startswith("UInt"):
                as_u = raw.to_numpy(dtype=np.uint64)
                big[present] = as_u > MAX_EXACT_INTEGER
                ints[present] = np.where(as_u > MAX_EXACT_INTEGER, 0, as_u).astype(np.int64)
            else:
                as_i = raw.to_numpy(dtype=np.int64)
                big[present] = np.abs(as_i.astype(float)) > MAX_EXACT_INTEGER
                ints[present] = np.where(big[present], 0, as_i)
        problem[big] = _out_of_range()
        return ints, present & ~big, problem
    if _is_numeric_dtype(dtype):
        values, bad, _ = _parse_numbers(uniques)
        return _integers_of_floats(values, bad, ints, problem)
    clean, blank = _number_texts(uniques)
    digits = _flag(clean.str.fullmatch(r"[+-]?[0-9]+"))
    ok = np.zeros(n, dtype=bool)
    if digits.any():
        unsigned = clean[digits].str.lstrip("+-").str.lstrip("0")
        short = _flag(unsigned.str.len() <= 16)
        positions = np.flatnonzero(digits)
        small = positions[short]
        if len(small):
            parsed = pd.to_numeric(clean.iloc[small], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            fits = np.abs(parsed) <= MAX_EXACT_INTEGER
            exact = pd.to_numeric(clean.iloc[small[fits]], errors="coerce")
            ints[small[fits]] = np.asarray(exact, dtype=np.int64)
            ok[small[fits]] = True
            problem[small[~fits]] = _out_of_range()
        problem[positions[~short]] = _out_of_range()
    rest = ~digits & ~blank
    if rest.any():
        values = np.full(n, np.nan)
        with np.errstate(over="ignore", invalid="ignore"):
            values[rest] = np.asarray(pd.to_numeric(clean[rest], errors="coerce"), dtype=float)
        r_ints, r_ok, r_problem = _integers_of_floats(values, rest & np.isnan(values),
                                                      np.zeros(n, dtype=np.int64), np.full(n, None, dtype=object))
        ints[rest], ok[rest], problem[rest] = r_ints[rest], r_ok[rest], r_problem[rest]
    return ints, ok, problem


def _out_of_range() -> str:
    return f"integer out of range (more than {MAX_EXACT_INTEGER:,} in size)"


def _integers_of_floats(values, bad, ints, problem):
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        integral = finite & (np.floor(values) == values)
        fits = integral & (np.abs(values) <= MAX_EXACT_INTEGER)
    ints[fits] = values[fits].astype(np.int64)
    problem[bad] = "not an integer"
    problem[finite & ~integral] = "not a whole number"
    problem[(integral & ~fits) | np.isinf(values)] = _out_of_range()
    return ints, fits, problem


def _type_integer(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    ints, ok, problem = _parse_integers(uniques)
    typed = pd.array(ints, dtype="Int64")
    typed[~ok] = pd.NA
    bad = problem != None  # noqa: E711 - elementwise on an object array
    return _take(typed, codes), _Problems(codes, uniques, np.asarray(bad, dtype=bool), problem)


# -- booleans


def _type_boolean(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    if pd.api.types.is_bool_dtype(uniques.dtype):
        return _take(uniques.astype("boolean").array, codes), _Problems()
    text = _texts(uniques)
    mapped = _normalized(text).map(_BOOLEAN_WORDS)
    raw = uniques.to_numpy(dtype=object)
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in raw), dtype=bool, count=len(raw))
    if is_bool.any():
        mapped[is_bool] = [bool(v) for v in raw[is_bool]]
    known = mapped.notna().to_numpy()
    blank = text.isna().to_numpy() | (_placeholder_mask(text) & ~known)
    typed = pd.array(mapped.where(known, None).tolist(), dtype="boolean")
    bad = ~known & ~blank
    return _take(typed, codes), _Problems(codes, uniques, bad, "not a yes/no value (是/否)")


# -- dates

#: Chinese numeral characters that may appear in a date
_CN_DIGITS = str.maketrans({"〇": "0", "零": "0", "○": "0", "◯": "0", "一": "1", "二": "2", "两": "2",
                            "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})
_CN_NUMERAL = r"[〇零○◯一二两三四五六七八九十廿卅]"
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY = (r"[(\[【]?\s*(?:(?:星期|周|礼拜)(?P<cn>[一二三四五六日天])"
            r"|(?P<en>mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|r|rs|rsday|urday)?\.?(?![a-z]))"
            r"\s*[)\]】]?")
_WEEKDAY_TEST = re.sub(r"\(\?P<\w+>", "(?:", _WEEKDAY)  # the same, without groups
_TIME = (r"(?:上午|下午|中午|晚上)?\s*(?P<H>[0-9]{1,2})\s*[:时點点]\s*(?P<M>[0-9]{1,2})"
         r"(?:\s*[:分]\s*(?P<S>[0-9]{1,2})(?:\.[0-9]+)?\s*秒?)?\s*分?"
         r"(?:\s*(?:[aApP][mM]|[zZ]|[+-][0-9]{2}:?[0-9]{2}))?")
_DATE_YMD = (r"^(?P<y>[0-9]{4,6})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})(?:\s*[日号])?"
             r"(?:(?:\s*[Tt]\s*|\s+|(?<=[日号])\s*)" + _TIME + r")?$")
_DATE_COMPACT = r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$"
_EXCEL_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"


def _days_from_parts(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day numbers since 1970-01-01, valid mask) of year/month/day arrays (any ints)."""
    valid = (y >= 1) & (y <= 999_999) & (m >= 1) & (m <= 12) & (d >= 1)
    y, m, d = (np.where(valid, a, 1).astype(np.int64) for a in (y, m, d))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[m - 1] + (leap & (m == 2))
    valid &= d <= month_days
    months = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (m - 1)
    days = months.astype("datetime64[D]").astype(np.int64) + (d - 1)
    return np.where(valid, days, 0), valid


def _ints(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


#: the common forms (ISO, 2021/7/28, 2021.07.28, 2021年7月28日, with a time), matched by
#: pyarrow (RE2) in one pass; everything else goes through the full chain of _date_texts
_PLAIN_DATE = (r"^(?P<y>[0-9]{4,6})[-/.年](?P<m>[0-9]{1,2})[-/.月](?P<d>[0-9]{1,2})日?"
               r"(?:[ T](?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.[0-9]+)?)?)?$")


def _plain_dates(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day numbers, valid mask, matched mask) of the texts in a plain form."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.extract_regex(pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True),
                             _PLAIN_DATE)
    matched = found.is_valid().to_numpy(zero_copy_only=False)

    def number(name: str) -> np.ndarray:
        part = found.field(name)
        part = pc.if_else(pc.equal(part, ""), pa.scalar(None, pa.string()), part)
        return pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False).astype(float)

    y, m, d, hour, minute, second = (number(name) for name in ("y", "m", "d", "H", "M", "S"))
    with np.errstate(invalid="ignore"):
        good_time = ~(hour > 23) & ~(minute > 59) & ~(second > 60)
    days, valid = _days_from_parts(*(np.nan_to_num(a).astype(np.int64) for a in (y, m, d)))
    return days, valid & good_time & matched, matched


def _date_texts(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day numbers, parsed mask, problem per text or None) of distinct stripped texts."""
    n = len(text)
    days = np.zeros(n, dtype=np.int64)
    parsed = np.zeros(n, dtype=bool)
    problem = np.full(n, None, dtype=object)
    if not n:
        return days, parsed, problem
    present = text.notna().to_numpy()
    problem[present] = _NOT_A_DATE
    plain_days, plain_ok, plain = _plain_dates(text)
    days[plain_ok] = plain_days[plain_ok]
    parsed[plain_ok] = True
    problem[plain_ok] = None
    short = present & ~plain & _flag(text.str.len() <= _MAX_DATE_TEXT)
    norm = text[short].str.normalize("NFKC").str.strip().str.replace(r"^['‘’]+\s*", "", regex=True)
    # a weekday anywhere (before or after the date, in brackets or not): noted, then removed
    folded = norm.str.casefold()
    has_weekday = _flag(folded.str.contains(_WEEKDAY_TEST))
    weekday = pd.Series(np.nan, index=norm.index)
    several = np.zeros(len(norm), dtype=bool)
    if has_weekday.any():
        found = folded[has_weekday].str.extract(_WEEKDAY)
        weekday[has_weekday] = found["cn"].map(_CN_WEEKDAYS).fillna(found["en"].map(_EN_WEEKDAYS)).to_numpy()
        several[has_weekday] = _flag(folded[has_weekday].str.count(_WEEKDAY_TEST) > 1)
        norm[has_weekday] = folded[has_weekday].str.replace(_WEEKDAY_TEST, " ", regex=True) \
            .str.strip(" ,，、").str.strip()
    # Chinese numerals: 二〇二一 digit by digit, 二十八 = 28, 十一 = 11, 三十 = 30
    chinese = _flag(norm.str.contains(_CN_NUMERAL))
    if chinese.any():
        cn = norm[chinese].str.replace("元月", "一月", regex=False).str.replace("廿", "二十", regex=False) \
            .str.replace("卅", "三十", regex=False).str.translate(_CN_DIGITS)
        cn = cn.str.replace(r"([0-9])十([0-9])", r"\1\2", regex=True) \
            .str.replace(r"([0-9])十", r"\g<1>0", regex=True) \
            .str.replace(r"十([0-9])", r"1\1", regex=True).str.replace("十", "10", regex=False)
        norm[chinese] = cn
    y = np.full(len(norm), np.nan)
    m, d, hour, minute, second = (y.copy() for _ in range(5))
    matched = np.zeros(len(norm), dtype=bool)
    for pattern in (_DATE_YMD, _DATE_COMPACT):
        todo = ~matched & _flag(norm.str.match(pattern))
        if todo.any():
            parts = norm[todo].str.extract(pattern)
            y[todo], m[todo], d[todo] = _ints(parts["y"]), _ints(parts["m"]), _ints(parts["d"])
            if "H" in parts:
                hour[todo], minute[todo], second[todo] = _ints(parts["H"]), _ints(parts["M"]), _ints(parts["S"])
            matched |= todo
    with np.errstate(invalid="ignore"):
        good_time = ~(hour > 23) & ~(minute > 59) & ~(second > 60)
    s_days, s_valid = _days_from_parts(np.nan_to_num(y).astype(np.int64), np.nan_to_num(m).astype(np.int64),
                                       np.nan_to_num(d).astype(np.int64))
    ok = matched & s_valid & good_time
    # Excel serial numbers (a date cell exported as its number)
    serial = ~matched & _flag(norm.str.fullmatch(_EXCEL_SERIAL))
    if serial.any():
        numbers = _ints(norm[serial])
        low, high = EXCEL_SERIAL_RANGE
        inside = (numbers >= low) & (numbers <= high)
        excel_epoch = _dt.date(1899, 12, 30).toordinal() - _UNIX_ORDINAL
        s_days[serial] = np.where(inside, np.floor(np.nan_to_num(numbers)).astype(np.int64) + excel_epoch, 0)
        ok[serial] = inside
    wrong_day = ok & ~np.isnan(weekday.to_numpy()) & ((s_days + 3) % 7 != np.nan_to_num(weekday.to_numpy()))
    ok &= ~several
    where = np.flatnonzero(short)
    days[where[ok]] = s_days[ok]
    parsed[where[ok]] = True
    problem[where[ok]] = None
    problem[where[wrong_day]] = _WRONG_WEEKDAY
    parsed[where[wrong_day]] = False
    return days, parsed, problem  # the year range is checked by the caller


def _is_datetime_like(value: Any) -> bool:
    return isinstance(value, (_dt.date, np.datetime64)) and not pd.isna(value)


def _object_days(value: Any) -> int | None:
    """Day number of one date-like object, or None when it has none (NaT)."""
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, _dt.datetime) and pd.isna(value):
        return None
    return value.toordinal() - _UNIX_ORDINAL  # datetime, Timestamp (wall clock), date


def _datetime_column_days(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(day numbers, present mask) of a datetime column of any unit or time zone (wall
    clock), or None when its dtype is not one numpy can hold."""
    dtype = uniques.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return _arrow_days(uniques)
    if isinstance(dtype, pd.DatetimeTZDtype):
        uniques = uniques.dt.tz_localize(None)
    elif not (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        return None
    stamps = uniques.to_numpy()
    present = ~np.isnat(stamps)
    # casting to days floors (a time of day keeps its date) and never overflows
    return np.where(present, stamps.astype("datetime64[D]").astype(np.int64), 0), present


def _arrow_days(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(day numbers, present mask) of a pyarrow date or timestamp column (wall clock)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = uniques.dtype.pyarrow_dtype
    array = pa.array(uniques.array)
    if pa.types.is_date(kind):
        per_day = 1 if pa.types.is_date32(kind) else 86_400_000
    elif pa.types.is_timestamp(kind):
        if kind.tz is not None:
            array = pc.local_timestamp(array)
        per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[kind.unit]
    else:
        return None
    present = array.is_valid().to_numpy(zero_copy_only=False)
    ticks = pc.fill_null(array.cast(pa.int64() if per_day > 1 else pa.int32()).cast(pa.int64()), 0)
    return np.floor_divide(ticks.to_numpy(zero_copy_only=False), per_day), present


def _parse_dates(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[s] at midnight, blank mask, problem or None) of distinct raw values.

    Date and datetime values (a datetime column, workbook cells, Python/numpy objects) are
    taken as their date; everything else, numbers included, is read as text, so 44405 is
    an Excel serial and 20210728 a compact date whether it was typed as text or number.
    """
    n = len(uniques)
    days = np.zeros(n, dtype=np.int64)
    problem = np.full(n, None, dtype=object)
    direct = _datetime_column_days(uniques)
    if direct is not None:
        days, present = direct
        blank, parsed = ~present, present.copy()
        years = _years_of(days)
        outside = present & ((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))
    else:
        raw = uniques.to_numpy(dtype=object)
        is_date = np.zeros(n, dtype=bool) if isinstance(uniques.dtype, pd.StringDtype) else \
            np.fromiter(map(_is_datetime_like, raw), dtype=bool, count=n)
        for i in np.flatnonzero(is_date):  # distinct date objects, not rows
            try:
                day = _object_days(raw[i])
            except Exception:  # a date subclass that misbehaves: read as text
                day = None
            if day is None:
                is_date[i] = False
            else:
                days[i] = day
        text = _texts(uniques).where(~pd.Series(is_date, index=uniques.index), None)
        t_days, t_parsed, t_problem = _date_texts(text)
        blank = ~is_date & (text.isna().to_numpy() | _placeholder_mask(text))
        t_problem[blank] = None
        days = np.where(is_date, days, t_days)
        years = _years_of(days)
        parsed = is_date | t_parsed
        outside = parsed & ((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))
        problem = np.where(is_date, None, t_problem)
    parsed &= ~outside
    problem[outside] = _OUTSIDE
    values = np.where(parsed, days, 0).astype("datetime64[D]").astype(DATE_DTYPE)
    values[~parsed] = np.datetime64("NaT")
    return values, blank, problem


def _years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (any int64, no overflow)."""
    clipped = np.clip(days, -10**8, 10**8)  # +-270,000 years: far outside any range we accept
    return clipped.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _type_date(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    values, blank, problem = _parse_dates(uniques)
    bad = np.asarray(problem != None, dtype=bool)  # noqa: E711 - elementwise on an object array
    nat = np.array(["NaT"], dtype=DATE_DTYPE)
    return np.concatenate([values, nat])[codes], _Problems(codes, uniques, bad, problem)


# -- categories and sets


def _labels_of(spec: Any) -> tuple[list[str], dict[str, int]]:
    """(codes in rulebook order, normalized label -> code index); the code is a label too."""
    values = spec.values or {}
    codes = [str(c) for c in values]
    lookup: dict[str, int] = {}
    for index, (code, labels) in enumerate(values.items()):
        for label in [code, *(labels or [])]:
            lookup.setdefault(normalize_name(str(label)), index)
    return codes, lookup


def _unknown_problem(header: str, spec: Any) -> str:
    values = spec.values or {}
    shown = [str((labels or [code])[0]) for code, labels in values.items()]
    return f"unknown label for {header}; expected one of: {', '.join(shown)}"


def _with_suggestion(problem: str, label: str, spec: Any) -> str:
    """An unknown label's problem, with the label it most likely is (部份公开 -> 部分公开)."""
    from .suggest import closest

    labels = [str(l) for code, ls in (spec.values or {}).items() for l in (ls or [code])]
    hit = closest(label, labels, cutoff=0.75)
    return f"{problem}; did you mean {hit}?" if hit else problem


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
    extra = [label for label in dict.fromkeys(extra_text.tolist()) if label not in categories]
    extra_index = {label: len(categories) + i for i, label in enumerate(extra)}
    extra_index.update({label: i for i, label in enumerate(categories)})
    unique_codes = np.full(len(uniques), -1, dtype=np.int64)
    unique_codes[known] = index[known].astype("int64").to_numpy()
    if unknown.any():
        unique_codes[unknown] = [extra_index[t] for t in extra_text]
    row_codes = np.append(unique_codes, -1)[codes]
    result = pd.Categorical.from_codes(row_codes, categories=categories + extra)
    first_unique: dict[str, int] = {}
    for position, label in zip(np.flatnonzero(unknown), extra_text):
        first_unique.setdefault(label, position)
    problem = _unknown_problem(header, spec)
    once = [(label, position, _with_suggestion(problem, label, spec)) for label, position in first_unique.items()]
    return result, _Problems(codes, uniques, once=once)


def _compound_labels(spec: Any) -> list[tuple[str, int]]:
    """(regex, code index) of labels holding a space or a separator, longest first.

    Such a label (``政策 问答``) is found in a cell before the cell is split, as long as
    it stands between separators (or the cell's ends)."""
    values = spec.values or {}
    found = []
    for index, (code, labels) in enumerate(values.items()):
        for label in [code, *(labels or [])]:
            key = normalize_name(str(label))
            words = re.split(r"[\s]+", key)
            if len(words) > 1 or any(ch in _SET_SEPARATOR_CHARS for ch in key):
                found.append((key, index, r"\s+".join(re.escape(w) for w in words if w)))
    found.sort(key=lambda item: -len(item[0]))
    edge = re.escape(_SET_SEPARATOR_CHARS)
    return [(rf"(?<![^{edge}\s]){body}(?![^{edge}\s])", index) for _, index, body in found if body]


def _type_set(cells: pd.Series, spec: Any, header: str):
    codes, uniques = _distinct(cells)
    categories, lookup = _labels_of(spec)
    if len(categories) > MAX_SET_CODES:
        raise ValueError(f"a set field holds at most {MAX_SET_CODES} codes, not {len(categories)}")
    text = _texts(uniques)
    has_label = np.zeros(len(uniques), dtype=bool)
    cell_bits: list[tuple[np.ndarray, np.ndarray]] = []
    compound = _compound_labels(spec)
    if compound:
        # labels with a space (or a separator) inside: matched in the whole cell first
        work = _normalized(text)
        hit_any = np.zeros(len(uniques), dtype=bool)
        for pattern, bit in compound:  # the field's labels, not rows
            hit = _flag(work.str.contains(pattern))
            if hit.any():
                cell_bits.append((np.flatnonzero(hit), np.full(int(hit.sum()), bit)))
                work[hit] = work[hit].str.replace(pattern, ";", regex=True)
                hit_any |= hit
        has_label |= hit_any
        text = text.where(~pd.Series(hit_any, index=text.index), work)
    pieces = text.str.split(SET_SEPARATORS, regex=True).explode().str.strip()
    pieces = pieces[pieces.notna() & (pieces != "")]
    bit = _normalized(pieces).map(lookup)
    # a piece that is no label is split on spaces: 文字 图解
    spaced = bit.isna() & _flag(pieces.str.contains(r"\s", regex=True))
    words = pieces[spaced].str.split(r"\s+", regex=True).explode()
    words = words[words.notna() & (words != "")]
    labels = pd.concat([pieces[~spaced], words])
    bit = _normalized(labels).map(lookup)
    known = bit.notna().to_numpy()
    cell_bits.append((labels.index.to_numpy(dtype=np.int64)[known], bit[known].astype("int64").to_numpy()))
    has_label[labels.index.to_numpy(dtype=np.int64)] = True
    cells_of = np.concatenate([c for c, _ in cell_bits]).astype(np.int64)
    bits_of = np.concatenate([b for _, b in cell_bits]).astype(np.int64)
    # distinct (cell, bit) pairs summed = bitwise OR of the cell's bits
    pairs = pd.DataFrame({"cell": cells_of, "bit": bits_of}).drop_duplicates()
    masks = (np.int64(1) << pairs["bit"].to_numpy(dtype=np.int64)).astype(np.int64)
    per_cell = pd.Series(masks).groupby(pairs["cell"].to_numpy()).sum()
    values = np.zeros(len(uniques), dtype=np.int64)
    values[per_cell.index.to_numpy(dtype=np.int64)] = per_cell.to_numpy(dtype=np.int64)
    typed = pd.array(values, dtype="Int64")
    typed[~has_label] = pd.NA  # blank, or separators only
    problem = _unknown_problem(header, spec)
    unknown = labels[~known]
    once: dict[str, int] = {}
    for position, label in zip(unknown.index, unknown):  # distinct unknown labels
        once[label] = min(once.get(label, position), position)
    return _take(typed, codes), _Problems(codes, uniques, once=[(l, p, _with_suggestion(problem, l, spec))
                                                                for l, p in once.items()])


_TYPERS = {
    "string": _type_string,
    "integer": _type_integer,
    "number": _type_number,
    "boolean": _type_boolean,
    "date": _type_date,
    "category": _type_category,
    "set": _type_set,
}

# --------------------------------------------------------------------------- issues


def _first_positions(codes: np.ndarray) -> pd.Series:
    """Unique index -> first row position (uniques are numbered in order of appearance)."""
    firsts = pd.Series(codes).drop_duplicates()
    firsts = firsts[firsts >= 0]
    return pd.Series(firsts.index.to_numpy(), index=firsts.to_numpy())


def _issues_for(name: str, field_name: str, rows: np.ndarray, problems: _Problems,
                sheets: np.ndarray | None = None) -> list[dict]:
    issues: list[dict] = []
    rows = np.asarray(rows)
    sheets = None if sheets is None else np.asarray(sheets, dtype=object)  # None: a file of one sheet

    def sheets_at(at: np.ndarray) -> list:
        return [None] * len(at) if sheets is None else sheets[at].tolist()
    if problems.bad is not None and problems.bad.any():
        bad_rows = np.append(problems.bad, False)[problems.codes]
        positions = np.flatnonzero(bad_rows)
        bad_codes = problems.codes[positions]
        shown = np.empty(len(problems.bad), dtype=object)
        raw = problems.uniques.to_numpy(dtype=object) if problems.uniques.dtype.kind != "M" \
            else problems.uniques.to_numpy()
        for i in np.flatnonzero(problems.bad):  # distinct bad values, not rows
            shown[i] = _shown(raw[i])
        texts = np.broadcast_to(np.asarray(problems.problem, dtype=object), len(problems.bad))
        issues += [{"dataset": name, "field": field_name, "row": row, "sheet": sheet, "value": value,
                    "problem": problem}
                   for row, sheet, value, problem in zip(rows[positions].tolist(), sheets_at(positions),
                                                         shown[bad_codes].tolist(), texts[bad_codes].tolist())]
    if problems.once:
        firsts = _first_positions(problems.codes)
        found = sorted((int(firsts[u]), label, problem) for label, u, problem in problems.once)  # in row order
        at = np.array([position for position, _, _ in found], dtype=np.int64)
        issues += [{"dataset": name, "field": field_name, "row": row, "sheet": sheet, "value": label,
                    "problem": problem}
                   for row, sheet, (_, label, problem) in zip(rows[at].tolist(), sheets_at(at), found)]
    return issues
