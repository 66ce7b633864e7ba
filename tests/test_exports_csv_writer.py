"""The findings CSV is built by Arrow kernels (issue 10: fast outputs). Whatever the cells
hold, its bytes are those a plain writer gives: UTF-8 with a BOM, CRLF line ends, a field
quoted only when it holds a comma, a quote or a line break (quotes doubled), blanks empty,
dates ISO, counts as integers — the CSV Excel opens with the right encoding and columns.

The reference below writes the same list value by value with Python's ``csv`` module."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import disclosure_rules.exports as exports
from disclosure_rules.exports import COLUMNS, DATE_COLUMNS, INT_COLUMNS, columns_of, headers

#: text as ledgers and messages hold it: Chinese, commas (both widths), quotes, line breaks
_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["外贸处", "晋商办函〔2021〕1号", "涉及企业商业秘密,公开会损害第三方合法权益", "“八五”普法",
                     '他说"不予公开"', "第一行\r\n第二行", "a\nb", "\r", ",", '"', "", " 前后空格 ", "'=1+1"]),
    st.text(alphabet=st.sampled_from(list('公开,，"\r\n 、；;a1\t')), max_size=12),
)
_DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
_INTS = st.one_of(st.none(), st.integers(min_value=-5, max_value=10**7))


def _reference(table: pd.DataFrame, lang: str) -> bytes:
    """The list written cell by cell: the plain writer the fast one must equal."""
    columns = columns_of(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(columns, lang))
    for _, row in table.iterrows():
        cells = []
        for name, _, _ in columns:
            value = row[name]
            if value is None or pd.isna(value):
                cells.append("")
            elif name in DATE_COLUMNS:
                cells.append(pd.Timestamp(value).strftime("%Y-%m-%d"))
            elif name in INT_COLUMNS:
                cells.append(str(int(value)))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _table(rows: list[dict], sheet: bool) -> pd.DataFrame:
    """A list with the export's columns (and the sheet column when asked) holding these cells."""
    data = {}
    for name, _, _ in COLUMNS + ([exports.SHEET_COLUMN] if sheet else []):
        values = [r.get(name) for r in rows]
        if name in DATE_COLUMNS:
            data[name] = pd.Series(pd.array(values, dtype="datetime64[s]"))  # range-safe, as the audit's dates
        elif name in INT_COLUMNS:
            data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = pd.array(values, dtype="string")
    return pd.DataFrame(data)


def _row():
    fields = {name: (_DATES if name in DATE_COLUMNS else _INTS if name in INT_COLUMNS else _TEXT)
              for name, _, _ in COLUMNS + [exports.SHEET_COLUMN]}
    return st.fixed_dictionaries(fields)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_row(), max_size=25), sheet=st.booleans(), lang=st.sampled_from(["zh", "en"]),
       chunk=st.integers(min_value=1, max_value=7))
def test_fast_csv_equals_a_plain_writer(tmp_path_factory, rows, sheet, lang, chunk):
    """Commas, quotes, line breaks, CJK text, blanks, dates and numbers come out byte for byte
    as a plain CSV writer writes them, at any chunk boundary."""
    table = _table(rows, sheet and any(r.get("sheet") is not None for r in rows))
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    original = exports.CSV_CHUNK_ROWS
    exports.CSV_CHUNK_ROWS = chunk
    try:
        exports._write_csv(None, table, path, lang)
    finally:
        exports.CSV_CHUNK_ROWS = original
    written = path.read_bytes()
    assert written == _reference(table, lang)
    # and it reads back as the same cells (a quoted line break stays inside its cell)
    back = list(csv.reader(io.StringIO(written[3:].decode("utf-8"), newline="")))
    assert len(back) == len(table) + 1


@pytest.mark.parametrize("repeats", [1, 50])
def test_repeated_values_are_quoted_like_single_ones(tmp_path, repeats):
    """A value repeated on many rows (rule titles, divisions: quoted once per distinct value)
    is written exactly as when it occurs once."""
    rows = [{"rule": "R-1", "title": '含,逗号与"引号"', "department": "办公室\n(兼)", "row": i + 2,
             "deadline": dt.date(2021, 3, 5)} for i in range(repeats)]
    table = _table(rows, sheet=False)
    path = tmp_path / "list.csv"
    exports._write_csv(None, table, path, "zh")
    assert path.read_bytes() == _reference(table, "zh")
    assert path.read_bytes().count('"含,逗号与""引号"""'.encode("utf-8")) == repeats


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "办公室", "外贸处", "（全单位）", "a", "B"]),
                          st.sampled_from([None, "DOC-ATTR-01", "REQ-SEQ-01", "REQ-DEADLINE-01"]),
                          st.one_of(st.none(), st.integers(min_value=2, max_value=40))), max_size=30))
def test_list_order_is_division_rule_row_stable_blanks_last(cells):
    """The list is ordered by division, then rule, then row, blanks last, ties in their original
    order: the order ``sort_values(kind="stable")`` gives, so a division reads its rows in turn."""
    table = pd.DataFrame({"department": pd.array([c[0] for c in cells], dtype="string"),
                          "rule": pd.array([c[1] for c in cells], dtype="string"),
                          "row": pd.array([c[2] for c in cells], dtype="Int64")})
    expected = table.sort_values(["department", "rule", "row"], kind="stable").index.to_numpy()
    assert list(exports._list_order(table)) == list(expected)


@settings(max_examples=40, deadline=None)
@given(pool=st.lists(_row(), min_size=1, max_size=4), picks=st.lists(st.integers(0, 3), min_size=40, max_size=120),
       sheet=st.booleans(), chunk=st.sampled_from([7, 64, 8192]))
def test_lists_of_few_distinct_rows_are_written_as_a_plain_writer_writes_them(tmp_path_factory, pool, picks, sheet,
                                                                             chunk):
    """A long list whose cells repeat (each distinct value, and each run of neighbouring
    columns, written once and repeated) comes out byte for byte as a plain writer writes it."""
    rows = [pool[i % len(pool)] for i in picks]
    table = _table(rows, sheet and any(r.get("sheet") is not None for r in rows))
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    original = exports.CSV_CHUNK_ROWS
    exports.CSV_CHUNK_ROWS = chunk
    try:
        exports._write_csv(None, table, path, "zh")
    finally:
        exports.CSV_CHUNK_ROWS = original
    assert path.read_bytes() == _reference(table, "zh")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "办公室", "外贸处", "（全单位）", "a", "B", "'=1"]),
                          st.sampled_from([None, "DOC-ATTR-01", "REQ-SEQ-01", "REQ-DEADLINE-01"]),
                          st.one_of(st.none(), st.integers(min_value=2, max_value=40))), max_size=30))
def test_the_export_orders_its_coded_columns_as_the_table_sorts(cells):
    """The list the export builds on codes (each division and rule by the rank of its text)
    is in the order ``sort_values(kind="stable")`` gives the same cells as text."""
    department = [c[0] for c in cells]
    rule = [c[1] for c in cells]
    row = pd.array([c[2] for c in cells], dtype="Int64")
    table = pd.DataFrame({"department": pd.array(department, dtype="string"),
                          "rule": pd.array(rule, dtype="string"), "row": row})
    coded = {"department": exports._Coded.of(department), "rule": exports._Coded.of(rule), "row": pd.Series(row)}
    expected = table.sort_values(["department", "rule", "row"], kind="stable").index.to_numpy()
    assert list(exports._list_order(coded)) == list(expected)
