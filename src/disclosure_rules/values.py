"""Typing: raw cells -> typed columns, each distinct value parsed once, plus data issues.

Conventions
-----------
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

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .expressions import normalize_name
from .reading import _cell_text

__all__ = ["type_column", "MAX_SET_CODES"]

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


def type_column(dataset: str, field_name: str, field_spec: Any, cells: pd.Series, header: str,
                rows: np.ndarray) -> tuple[Any, list[dict]]:
    """Typed values of one column and the data issues of its cells."""
    values, problems = _TYPERS[field_spec.type](cells, field_spec, header)
    return values, _issues_for(dataset, field_name, rows, problems)

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

