"""Typing cells (disclosure_rules.values): the forms a ledger writes, the problems it reports.

Tables of (raw cell, typed value or issue) per field type, then properties over any text
and any object a DataFrame cell can hold, then dates beyond 2262 through a whole audit.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import math
import random
import unicodedata
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from disclosure_rules import audit
from disclosure_rules.rulebook import rulebook_from_dict
from disclosure_rules.values import DATE_DTYPE, MAX_EXACT_INTEGER, type_column

FORMS = {"text": ["文字"], "graphic": ["图解", "图表"], "video": ["视频", "动漫"],
         "qa": ["政策 问答"], "combo": ["图文/视频"]}
DISCLOSURE = {"active": ["主动公开"], "on_request": ["依申请公开"], "not_public": ["不予公开"]}
TYPES = ("string", "integer", "number", "boolean", "date", "category", "set")
OUTSIDE = "date outside 1900-2999"
OUT_OF_RANGE = "integer out of range (more than 9,007,199,254,740,991 in size)"


def spec_for(ftype):
    values = {"category": DISCLOSURE, "set": FORMS}.get(ftype)
    return SimpleNamespace(type=ftype, values=values, aliases=[], required=False)


def type_cells(ftype, cells, dtype="str", rows=None):
    """(typed values as a list, issues) of one column of ``cells``."""
    series = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype=dtype)
    rows = np.arange(2, 2 + len(series)) if rows is None else np.asarray(rows)
    values, issues = type_column("ledger", "f", spec_for(ftype), series, "表头", rows)
    return list(pd.Series(values, dtype=object) if ftype != "category" else pd.Series(values).astype(object)), issues


def one(ftype, cell, dtype="str"):
    """(typed value, problem or None) of a single cell."""
    values, issues = type_cells(ftype, [cell], dtype=dtype)
    assert len(issues) <= 1
    return values[0], (issues[0]["problem"] if issues else None)


def day(text):
    return pd.Timestamp(text)


# --------------------------------------------------------------------------- dates

DATES = [
    # (cell, expected day or problem)
    ("2021-07-28", "2021-07-28"),
    ("2021/7/28", "2021-07-28"),
    ("2021.07.28", "2021-07-28"),
    ("2021年7月28日", "2021-07-28"),
    ("2021 年 07 月 28 日", "2021-07-28"),
    ("2021年7月28号", "2021-07-28"),
    ("20210728", "2021-07-28"),
    ("44405", "2021-07-28"),
    ("44405.75", "2021-07-28"),
    # full-width digits and punctuation
    ("２０２１－０７－２８", "2021-07-28"),
    ("２０２１年７月２８日", "2021-07-28"),
    ("２０２１／７／２８", "2021-07-28"),
    # Chinese numerals
    ("二〇二一年七月二十八日", "2021-07-28"),
    ("二零二一年七月二十八日", "2021-07-28"),
    ("二○二一年七月二十八日", "2021-07-28"),
    ("二〇二一年十月一日", "2021-10-01"),
    ("二〇二一年十一月十日", "2021-11-10"),
    ("二〇二一年十二月二十日", "2021-12-20"),
    ("二〇二一年十二月三十一日", "2021-12-31"),
    ("二〇二一年一月十一日", "2021-01-11"),
    ("二〇二一年元月廿八日", "2021-01-28"),
    ("二〇二一年二月三十日", "not a date"),
    # with a weekday
    ("2021年7月28日 星期三", "2021-07-28"),
    ("2021年7月28日星期三", "2021-07-28"),
    ("2021-07-28(周三)", "2021-07-28"),
    ("2021-07-28（周三）", "2021-07-28"),
    ("2021/7/28 周三", "2021-07-28"),
    ("2021-07-28 礼拜三", "2021-07-28"),
    ("星期三 2021-07-28", "2021-07-28"),
    ("2021-08-01 星期日", "2021-08-01"),
    ("2021-08-01 周天", "2021-08-01"),
    ("2021-07-28 Wed", "2021-07-28"),
    ("Wednesday, 2021-07-28", "2021-07-28"),
    ("二〇二一年七月二十八日 星期三", "2021-07-28"),
    ("2021-07-28 周四", "weekday does not match the date"),
    ("2021-07-28 周三 周三", "not a date"),
    # Excel's text marker
    ("'2021-07-28", "2021-07-28"),
    ("＇2021-07-28", "2021-07-28"),
    # datetimes: the time is dropped
    ("2021-7-28 10:30", "2021-07-28"),
    ("2021-07-28 10:30:15", "2021-07-28"),
    ("2021-07-28 23:59:59.999", "2021-07-28"),
    ("2021-07-28T10:30:00", "2021-07-28"),
    ("2021-07-28T10:30:00Z", "2021-07-28"),
    ("2021-07-28T10:30:00+08:00", "2021-07-28"),
    ("2021/7/28 9:05", "2021-07-28"),
    ("2021年7月28日 10时30分", "2021-07-28"),
    ("2021年7月28日10时30分15秒", "2021-07-28"),
    ("2021-07-28 下午3:30", "2021-07-28"),
    ("2021-07-28 10:30 PM", "2021-07-28"),
    ("2021-07-28 25:00", "not a date"),
    ("2021-07-28 10:61", "not a date"),
    # impossible days
    ("0000-00-00", "not a date"),
    ("2021-02-30", "not a date"),
    ("2021-13-05", "not a date"),
    ("2021-00-10", "not a date"),
    ("2021-04-31", "not a date"),
    ("2020-02-29", "2020-02-29"),
    ("1900-02-29", "not a date"),
    ("2000-02-29", "2000-02-29"),
    ("〇〇〇〇年〇月〇日", "not a date"),
    # the year range
    ("1900-01-01", "1900-01-01"),
    ("2999-12-31", "2999-12-31"),
    ("2262-04-12", "2262-04-12"),
    ("2500-01-01", "2500-01-01"),
    ("1677-09-21", OUTSIDE),
    ("1899-12-31", OUTSIDE),
    ("3000-01-01", OUTSIDE),
    ("0021-07-28", OUTSIDE),
    ("9999-12-31", OUTSIDE),
    ("20211-07-28", OUTSIDE),                 # a typo, or a DataFrame datetime written out
    ("1234567-01-01", "not a date"),
    # not dates
    ("下周一", "not a date"),
    ("2021-07", "not a date"),
    ("2021年7月", "not a date"),
    ("7/28/2021", "not a date"),
    ("123", "not a date"),
    ("2021-07-28（已办结）", "not a date"),
    ("٢٠٢١-٠٧-٢٨", "not a date"),
    ("2021-07-28" + " " * 200 + "x", "not a date"),
    ("二十" * 100_000, "not a date"),
    # blanks
    ("", None),
    ("  ", None),
    ("-", None),
    ("—", None),
    ("无", None),
    ("N/A", None),
]


@pytest.mark.parametrize("cell, expected", DATES)
def test_date_cells_read_as_the_day_they_name_or_as_an_issue(cell, expected):
    """Each form of DESIGN §11 reads as its day at midnight; an impossible day or an
    unreadable cell is blank plus 'not a date'; a real day outside 1900-2999 is blank plus
    'date outside 1900-2999'; placeholders are blank without an issue."""
    value, problem = one("date", cell)
    if expected is None:
        assert pd.isna(value) and problem is None
    elif expected[0].isdigit():
        assert value == day(expected) and problem is None
    else:
        assert pd.isna(value) and problem == expected


def test_typed_dates_are_seconds_at_midnight_with_no_nanosecond_wrap():
    """The typed column is datetime64[s]: 2262-04-12 and 2999-12-31 keep their century
    (nanoseconds would wrap them), and a time of day is dropped."""
    values, issues = type_column("l", "f", spec_for("date"),
                                 pd.Series(["2262-04-12", "2999-12-31 23:59:59", None], dtype="str"),
                                 "h", np.array([2, 3, 4]))
    assert values.dtype == np.dtype(DATE_DTYPE)
    assert [str(v) for v in values[:2]] == ["2262-04-12T00:00:00", "2999-12-31T00:00:00"]
    assert np.isnat(values[2]) and issues == []


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
def test_datetime_columns_of_any_resolution_keep_1900_to_2999_and_report_the_rest(unit):
    """A DataFrame datetime column in seconds, milliseconds or microseconds: 2500-01-01 is a
    valid date, 1600-01-01 and 3500-06-01 are data issues on their rows, never wrapped."""
    cells = pd.Series(np.array(["2500-01-01T10:00", "1600-01-01", "NaT", "2021-07-28T23:59", "3500-06-01"],
                               dtype=f"datetime64[{unit}]"))
    values, issues = type_cells("date", cells)
    assert values[0] == day("2500-01-01") and values[3] == day("2021-07-28")
    assert all(pd.isna(v) for v in (values[1], values[2], values[4]))
    assert [(i["row"], i["value"], i["problem"]) for i in issues] == [
        (3, "1600-01-01", OUTSIDE), (6, "3500-06-01", OUTSIDE)]


def test_nanosecond_and_time_zone_columns_give_their_local_calendar_date():
    """A datetime64[ns] column and a time-zone aware one give the date on the wall clock."""
    ns = pd.Series(pd.to_datetime(["2021-07-28 23:30", None]))
    aware = pd.Series(pd.to_datetime(["2021-07-28 23:30"]).tz_localize("Asia/Shanghai"))
    assert type_cells("date", ns)[0][0] == day("2021-07-28")
    assert type_cells("date", aware) == ([day("2021-07-28")], [])


def test_pyarrow_date_and_timestamp_columns_are_dates_too():
    """pyarrow-backed columns (date32, timestamp in any unit, with a time zone) follow the
    same rules: their wall-clock date, 1900-2999, the rest a data issue."""
    import pyarrow as pa

    zoned = pd.ArrowDtype(pa.timestamp("s", tz="Asia/Shanghai"))
    stamps = pd.Series(pd.array([1627480800, 10**12, None, -10**12], dtype=zoned))
    values, issues = type_cells("date", stamps)
    assert values[0] == day("2021-07-28") and all(pd.isna(v) for v in values[1:])
    assert [(i["row"], i["problem"]) for i in issues] == [(3, OUTSIDE), (5, OUTSIDE)]
    dates = pd.Series(pd.array([dt.date(2500, 1, 1), dt.date(1600, 1, 1)], dtype=pd.ArrowDtype(pa.date32())))
    values, issues = type_cells("date", dates)
    assert values[0] == day("2500-01-01") and [(i["row"], i["problem"]) for i in issues] == [(3, OUTSIDE)]


@pytest.mark.parametrize("cell, expected", [
    (dt.date(2021, 7, 28), "2021-07-28"),
    (dt.datetime(2021, 7, 28, 10, 30), "2021-07-28"),
    (pd.Timestamp("2021-07-28 23:00", tz="Asia/Shanghai"), "2021-07-28"),
    (np.datetime64("2500-01-01", "s"), "2500-01-01"),
    (np.datetime64("2021-07-28T10:00:00.123456789", "ns"), "2021-07-28"),
    (dt.date(1600, 1, 1), OUTSIDE),
    (np.datetime64("1600-01-01", "D"), OUTSIDE),
    (np.datetime64("20000-01-01", "D"), OUTSIDE),
    (dt.date(9999, 12, 31), OUTSIDE),
    (44405, "2021-07-28"),
    (44405.5, "2021-07-28"),
    (20210728, "2021-07-28"),
    (7, "not a date"),
    (True, "not a date"),
    (float("inf"), "not a date"),
    (dt.time(10, 30), "not a date"),
    ([2021, 7, 28], "not a date"),
    (np.datetime64("NaT"), None),
    (None, None),
    (float("nan"), None),
])
def test_date_objects_in_dataframe_cells(cell, expected):
    """Python and numpy dates in an object column are taken as their date, with the same
    1900-2999 range; numbers are serials or compact dates; anything else is an issue."""
    value, problem = one("date", cell, dtype=object)
    if expected is None:
        assert pd.isna(value) and problem is None
    elif expected[0].isdigit():
        assert value == day(expected) and problem is None
    else:
        assert pd.isna(value) and problem == expected


# --------------------------------------------------------------------------- numbers

INTEGERS = [
    ("12", 12), ("1,234", 1234), ("1，234", 1234), ("1,234,567", 1234567), ("１２", 12), ("12.0", 12),
    ("'12", 12), ("−5", -5), ("+7", 7), ("1e3", 1000), ("0000000000000000000001", 1),
    (" 3 ", 3), ("9007199254740991", MAX_EXACT_INTEGER), ("-9007199254740991", -MAX_EXACT_INTEGER),
    ("12.5", "not a whole number"), ("1,23", "not an integer"), ("x", "not an integer"),
    ("inf", "not an integer"), ("-Infinity", "not an integer"), ("十二", "not an integer"),
    ("9007199254740992", OUT_OF_RANGE), ("9223372036854775808", OUT_OF_RANGE),
    ("99999999999999999999", OUT_OF_RANGE), ("1.5e20", OUT_OF_RANGE), ("1e400", OUT_OF_RANGE),
    ("9" * 1000, "not an integer"), ("", None), ("-", None), ("nan", None), ("null", None),
]


@pytest.mark.parametrize("cell, expected", INTEGERS)
def test_integer_cells(cell, expected):
    """Counts accept thousands separators, full-width digits, a trailing .0 and Excel's
    apostrophe; a count too large to hold exactly is an issue, never a rounded number."""
    value, problem = one("integer", cell)
    if isinstance(expected, int):
        assert value == expected and problem is None
    else:
        assert pd.isna(value) and problem == expected


NUMBERS = [
    ("1,234.5", 1234.5), ("0.25", 0.25), ("-3", -3.0), ("１２.５", 12.5), ("1e300", 1e300),
    ("'7.5", 7.5), ("99999999999999999999", 1e20),
    ("1e400", "number out of range"), ("-1e400", "number out of range"), ("inf", "not a number"),
    ("-inf", "not a number"), ("Infinity", "not a number"), ("十万", "not a number"), ("1.2.3", "not a number"),
    ("12 34", "not a number"), (" - 3 ", -3.0),  # a space inside the digits is not dropped: 12 34 is not 1234
    ("1" * 500, "not a number"), ("", None), ("NaN", None), ("-", None),
]


@pytest.mark.parametrize("cell, expected", NUMBERS)
def test_number_cells(cell, expected):
    """Numbers keep decimals; inf, nan and values beyond float64 never become typed
    values (every typed number is finite)."""
    value, problem = one("number", cell)
    if isinstance(expected, float):
        assert value == expected and problem is None
    else:
        assert pd.isna(value) and problem == expected


def test_dataframe_integer_columns_are_typed_exactly():
    """An int64 or uint64 DataFrame column keeps every count exactly; one beyond 2**53-1
    is an issue on its row (a float detour would have rounded it silently)."""
    values, issues = type_cells("integer", pd.Series([MAX_EXACT_INTEGER, -5, MAX_EXACT_INTEGER + 2], dtype="int64"))
    assert values[:2] == [MAX_EXACT_INTEGER, -5] and pd.isna(values[2])
    assert [(i["row"], i["value"], i["problem"]) for i in issues] == [(4, "9007199254740993", OUT_OF_RANGE)]
    values, issues = type_cells("integer", pd.Series([2**64 - 1, 3], dtype="uint64"))
    assert pd.isna(values[0]) and values[1] == 3 and issues[0]["problem"] == OUT_OF_RANGE
    values, issues = type_cells("number", pd.Series([1.5, math.inf, math.nan]))
    assert values[0] == 1.5 and pd.isna(values[1]) and pd.isna(values[2])
    assert [(i["row"], i["problem"]) for i in issues] == [(3, "not a number")]


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("Ｙ", True), ("n", False), ("√", True), ("×", False),
    (True, True), (np.bool_(False), False), (1, True), (0.0, False), ("待定", "not a yes/no value (是/否)"),
    (2, "not a yes/no value (是/否)"), ("", None), ("-", None),
])
def test_boolean_cells(cell, expected):
    """是/否 and their kin, Python and numpy booleans, 1/0; anything else is an issue."""
    value, problem = one("boolean", cell, dtype=object)
    if isinstance(expected, bool):
        assert value is expected or value == expected
        assert problem is None
    else:
        assert pd.isna(value) and problem == expected


# --------------------------------------------------------------------------- sets

TEXT, GRAPHIC, VIDEO, QA, COMBO = 1, 2, 4, 8, 16
UNKNOWN = "unknown label for 表头; expected one of: 文字, 图解, 视频, 政策 问答, 图文/视频"
SETS = [
    ("文字、图解", TEXT | GRAPHIC, []),
    ("文字+图解", TEXT | GRAPHIC, []),
    ("文字＋视频", TEXT | VIDEO, []),
    ("文字 图解", TEXT | GRAPHIC, []),
    ("文字　图解", TEXT | GRAPHIC, []),          # an ideographic space
    ("文字  图解 + 视频", TEXT | GRAPHIC | VIDEO, []),
    ("文字;图表；动漫", TEXT | GRAPHIC | VIDEO, []),
    ("文字\n图解\r\n视频", TEXT | GRAPHIC | VIDEO, []),
    ("文字|图解｜视频", TEXT | GRAPHIC | VIDEO, []),
    ("政策 问答", QA, []),                    # a label with a space is one label
    ("政策  问答", QA, []),
    ("政策 问答、文字", QA | TEXT, []),
    ("文字 政策 问答", TEXT | QA, []),
    ("政策 问答 视频", QA | VIDEO, []),
    ("图文/视频", COMBO, []),                 # a label holding a separator
    ("图文/视频+文字", COMBO | TEXT, []),
    ("新政策 问答", 0, ["新政策", "问答"]),       # only whole words make the label
    ("政策问答", 0, ["政策问答"]),
    ("文字 直播", TEXT, ["直播"]),
    ("文字+", TEXT, []),
    ("+", None, []),
    (" ", None, []),
    ("", None, []),
]


@pytest.mark.parametrize("cell, expected, unknown", SETS)
def test_set_cells_split_on_separators_and_spaces_but_keep_labels_with_spaces(cell, expected, unknown):
    """Labels are separated by ; ； , ， 、 / | ｜ + ＋, line breaks and spaces; a label that
    itself holds a space or a separator (政策 问答, 图文/视频) is found in the whole cell
    first, between separators; unknown words are reported, known ones still count."""
    values, issues = type_cells("set", [cell])
    assert (pd.isna(values[0]) and expected is None) or values[0] == expected
    assert [i["value"] for i in issues] == unknown
    # the problem may end with the label most likely meant (政策问答 -> did you mean 政策 问答?)
    assert all(i["problem"] == UNKNOWN or i["problem"].startswith(UNKNOWN + "; did you mean ") for i in issues)


# --------------------------------------------------------------------------- odd objects

class Unprintable:
    def __str__(self):
        raise RuntimeError("no text")

    __repr__ = __str__


class Unhashable:
    __hash__ = None

    def __str__(self):
        return "unhashable thing"


ODD = [None, True, 1, 1.0, decimal.Decimal("1.0"), decimal.Decimal("NaN"), 10**5000, 2**70, -0.0,
       float("inf"), float("nan"), complex(1, 2), fractions.Fraction(1, 3), b"2021-07-28", bytearray(b"x"),
       [1, 2], {"a": 1}, {1, 2}, (1, 2), Unprintable(), Unhashable(), object(), "a\ud800b", "\udfff",
       "\x00\x1f\x7f", pd.NA, pd.NaT, np.datetime64("NaT"), np.datetime64(2**40, "D"), np.int8(3),
       np.float16(2.5), np.uint64(2**64 - 1), dt.time(1, 2), dt.timedelta(days=1), pd.Period("2021-07", "M"),
       pd.Interval(0, 1), range(3), type, print]


@pytest.mark.parametrize("ftype", TYPES)
def test_any_object_in_a_dataframe_cell_is_typed_or_reported_without_raising(ftype):
    """A DataFrame column may hold anything Python has: each cell is typed or reported,
    the issue values are writable text (lone surrogates replaced), nothing raises."""
    values, issues = type_cells(ftype, ODD, dtype=object)
    assert len(values) == len(ODD)
    for issue in issues:
        assert isinstance(issue["value"], str) and isinstance(issue["row"], int)
        issue["value"].encode("utf-8")
    for value in values:
        if isinstance(value, str):
            value.encode("utf-8")


def test_true_and_one_are_different_cells():
    """Python finds True == 1, but in an integer column 1 is a count and True is not:
    the order of the cells does not decide how either is read."""
    for cells, at_one in (([True, 1], 1), ([1, True], 0)):
        values, issues = type_cells("integer", cells, dtype=object)
        assert values[at_one] == 1 and pd.isna(values[1 - at_one])
        assert [(i["row"], i["value"]) for i in issues] == [(3 - at_one, "TRUE")]


def test_lone_surrogates_in_text_become_replacement_characters():
    """A lone surrogate (possible only in a DataFrame built in Python) cannot be written as
    UTF-8; the typed text and the issue show U+FFFD instead."""
    values, _ = type_cells("string", ["a\ud800b", "\ud83d\ude00"], dtype=object)
    assert values == ["a\ufffdb", "\U0001F600"]
    values, issues = type_cells("category", ["x\udc80"], dtype=object)
    assert issues[0]["value"] == "x\ufffd"


# --------------------------------------------------------------------------- properties

_ALPHABET = st.one_of(
    st.characters(),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.characters(max_codepoint=0x1F),
    st.sampled_from(list("0123456789-/.:年月日号 '+＋、,;|\n\t")),
    st.sampled_from(list("〇零一二三四五六七八九十廿星期周()（）")),
    st.sampled_from(list("文字图解视频政策问答")),
)
texts = st.one_of(
    st.text(_ALPHABET, max_size=30),
    st.builds(lambda y, m, d, sep: f"{y:04d}{sep[0]}{m}{sep[1]}{d}{sep[2]}",
              st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
              st.sampled_from([("-", "-", ""), ("/", "/", " "), (".", ".", ""), ("年", "月", "日"),
                               ("年", "月", "号"), ("-", "-", " 周三"), ("-", "-", " 10:30")])),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["1", "9,", "二十", " ", "a/", "文字 "]),
              st.integers(1_000, 50_000)),
)
objects = st.one_of(
    texts, st.none(), st.booleans(), st.integers(), st.integers(-2**80, 2**80),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(), st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))])),
    st.builds(np.datetime64, st.integers(-2**42, 2**42), st.sampled_from(["D", "s", "ms", "us", "ns"])),
    st.builds(pd.Timestamp, st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2250, 1, 1))),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.complex_numbers(), st.fractions(), st.binary(max_size=8), st.times(),
    st.sampled_from([pd.NA, pd.NaT, np.nan, Unprintable(), Unhashable(), np.int8(1), np.float32(2.5)]),
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])


def _column(cells, as_text):
    """Cells as reading hands them over (text, NaN for empty) or as a DataFrame object column."""
    if as_text:
        try:
            series = pd.Series(cells, dtype="str")
            series.str.len()  # pyarrow holds no lone surrogates: those go as objects
            return series
        except Exception:
            pass
    return pd.Series(cells, dtype=object)


def _same(a, b) -> bool:
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return a == b


def _check_column(ftype, cells, series, rows):
    values, issues = type_cells(ftype, series, rows=rows)
    assert len(values) == len(cells)
    row_set = set(rows.tolist())
    for issue in issues:
        assert issue["row"] in row_set and isinstance(issue["value"], str)
        issue["value"].encode("utf-8")
        issue["problem"].encode("utf-8")
    if ftype == "date":
        for value in values:
            assert pd.isna(value) or dt.date(1900, 1, 1) <= value.date() <= dt.date(2999, 12, 31)
    if ftype in ("integer", "number"):
        bound = MAX_EXACT_INTEGER if ftype == "integer" else math.inf
        assert all(pd.isna(v) or (math.isfinite(v) and abs(v) <= bound) for v in values)
    if ftype in ("string", "category"):
        assert all(pd.isna(v) or isinstance(v, str) for v in values)
    return values, issues


@PROPERTY
@given(cells=st.lists(texts, max_size=8), ftype=st.sampled_from(TYPES), as_text=st.booleans(),
       shuffle=st.randoms(use_true_random=False))
def test_any_text_types_without_raising_and_issues_name_the_right_row(cells, ftype, as_text, shuffle):
    """Any text (control characters, lone surrogates, huge cells) gives typed values and
    issues, never an exception; each issue names a row of the ledger whose cell shows the
    value reported (a typed date always lies in 1900-2999, a typed number is finite)."""
    rows = np.array(shuffle.sample(range(2, 10**6), len(cells)), dtype=np.int64)
    series = _column(cells, as_text)
    values, issues = _check_column(ftype, cells, series, rows)
    shown = {int(r): ("" if pd.isna(c) else str(c)) for r, c in zip(rows, series.tolist())}
    for issue in issues:
        cell = shown[issue["row"]].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if ftype == "set":
            assert _key(issue["value"]) in _key(cell)
        elif ftype == "category":
            assert issue["value"] == cell.strip()
        else:
            assert issue["value"] == cell
    if ftype in ("date", "integer", "number", "boolean"):
        reported = {i["row"] for i in issues}
        for row, value, cell in zip(rows.tolist(), values, series.tolist()):
            if pd.isna(value) and not pd.isna(cell) and row not in reported:
                assert _key(str(cell)) in PLACEHOLDERS


PLACEHOLDERS = {"", "-", "--", "---", "—", "——", "–", "/", "\\", "无", "n/a", "na", "#n/a", "null", "none",
                "nan", "nat"}


def _key(text):
    return unicodedata.normalize("NFKC", text).strip().casefold()


@PROPERTY
@given(cells=st.lists(objects, max_size=8), ftype=st.sampled_from(TYPES))
def test_any_object_types_without_raising(cells, ftype):
    """Whatever a DataFrame cell holds, typing gives values and issues (with writable text)
    and raises nothing."""
    rows = np.arange(2, 2 + len(cells))
    _check_column(ftype, cells, pd.Series(cells, dtype=object), rows)


@PROPERTY
@given(cells=st.lists(st.one_of(texts, objects), min_size=1, max_size=8), ftype=st.sampled_from(TYPES),
       as_text=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_typing_a_column_is_typing_each_cell(cells, ftype, as_text, seed):
    """A cell's typed value and issue do not depend on the other cells of its column or
    on their order: typing the column equals typing each cell alone, and a shuffled
    column gives the shuffled values. Per-cell issues appear on every row; an unknown
    label is reported once, on the first row holding it."""
    if as_text:
        cells = [c for c in cells if c is None or isinstance(c, str)] or [None]
    series = _column(cells, as_text)
    values, issues = type_cells(ftype, series)
    alone = [type_cells(ftype, series.iloc[[i]].reset_index(drop=True), rows=[i + 2]) for i in range(len(cells))]
    for i, (single_values, _) in enumerate(alone):
        assert _same(values[i], single_values[0]), (i, values[i], single_values[0])
    by_key, single_by_key = {}, {}
    for issue in issues:
        by_key.setdefault((issue["value"], issue["problem"]), []).append(issue["row"])
    for _, single_issues in alone:
        for issue in single_issues:
            single_by_key.setdefault((issue["value"], issue["problem"]), []).append(issue["row"])
    assert by_key.keys() == single_by_key.keys()
    for key, rows in by_key.items():
        assert sorted(rows) in (sorted(single_by_key[key]), [min(single_by_key[key])])
    order = random.Random(seed).sample(range(len(cells)), len(cells))
    shuffled, _ = type_cells(ftype, series.iloc[order].reset_index(drop=True))
    assert all(_same(shuffled[k], values[i]) for k, i in enumerate(order))


@PROPERTY
@given(year=st.integers(1, 9999), month=st.integers(1, 12), day_=st.integers(1, 31),
       form=st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y:04d}/{m}/{d}", "{y:04d}年{m}月{d}日",
                             "{y:04d}{m:02d}{d:02d}",
                             "{y:04d}-{m}-{d} 12:00:00", "'{y:04d}.{m}.{d}"]))
def test_a_written_day_reads_as_that_day_when_it_exists_and_lies_in_range(year, month, day_, form):
    """Any year/month/day written in an accepted form reads as exactly that day if the day
    exists and the year is 1900-2999; an existing day outside the range is reported as
    such, an impossible one as not a date."""
    value, problem = one("date", form.format(y=year, m=month, d=day_))
    try:
        real = dt.date(year, month, day_)
    except ValueError:
        assert pd.isna(value) and problem == "not a date"
        return
    if 1900 <= year <= 2999:
        assert value == pd.Timestamp(real) and problem is None
    else:
        assert pd.isna(value) and problem == OUTSIDE


_DAY_1 = np.datetime64("0001-01-01", "D").astype(np.int64)
_DAY_99999 = np.datetime64("99999-12-31", "D").astype(np.int64)


@PROPERTY
@given(stamps=st.lists(st.tuples(st.integers(_DAY_1, _DAY_99999), st.integers(0, 86_399),
                                 st.sampled_from(["s", "ms", "us"])), min_size=1, max_size=6),
       style=st.sampled_from(["iso", "space", "T"]))
def test_a_datetime_written_as_text_types_like_the_datetime(stamps, style):
    """Reading may hand a DataFrame's datetimes over as text: '2500-01-01', '2500-01-01
    10:30:00' or '2500-01-01T10:30:00' type exactly as the datetime value itself, in
    range or not (years 1-99999)."""
    values = [np.datetime64(int(d), "D").astype(f"datetime64[{unit}]") + np.timedelta64(int(sec), "s")
              for d, sec, unit in stamps]
    column = pd.Series(np.array(values, dtype="datetime64[s]"))
    texts = [str(np.datetime_as_string(v, unit="s")) for v in values]
    if style == "iso":
        texts = [t[:-9] for t in texts]
    elif style == "space":
        texts = [t.replace("T", " ") for t in texts]
    typed, issues = type_cells("date", column)
    typed_text, text_issues = type_cells("date", texts)
    assert all(_same(a, b) for a, b in zip(typed, typed_text))
    assert [(i["row"], i["problem"]) for i in issues] == [(i["row"], i["problem"]) for i in text_issues]


# --------------------------------------------------------------------------- through an audit

def _book():
    return rulebook_from_dict({
        "rulebook": {"id": "far", "title": "dates far from today",
                     "period": {"start": "2021-01-01", "end": "2021-12-31"}},
        "calendar": {"fallback": "weekends"},
        "datasets": {"requests": {"key": "req_id", "fields": {
            "req_id": {"type": "string", "aliases": ["编号"]},
            "received_on": {"type": "date", "aliases": ["收到日期"]},
            "replied_on": {"type": "date", "aliases": ["答复日期"]}}}},
        "rules": [
            {"id": "R-REQUIRED", "title": "收到日期", "dataset": "requests", "kind": "required",
             "fields": ["received_on"], "points": 5},
            {"id": "R-WORKDAYS", "title": "20个工作日", "dataset": "requests", "kind": "deadline",
             "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 5},
            {"id": "R-DAYS", "title": "15天", "dataset": "requests", "kind": "deadline",
             "start": "received_on", "end": "replied_on", "limit": {"calendar_days": 15}, "points": 5},
            {"id": "R-EXPR", "title": "日期运算", "dataset": "requests", "kind": "condition", "points": 5,
             "expect": "replied_on - received_on == 59 and days(received_on, replied_on) == 59"
                       " and received_on >= date('2500-01-01') and year(received_on) == 2500"
                       " and add_workdays(received_on, 20) == date('2500-01-29')"
                       " and workdays(received_on, replied_on) == 41 and received_on + 59 == replied_on"},
        ],
    })


def test_an_audit_of_a_seconds_datetime_column_keeps_2500_and_reports_1600(tmp_path):
    """A DataFrame with a datetime64[s] column: 2500-01-01 is a valid date all the way
    through deadlines, date arithmetic, the JSON, the HTML and the findings export; 1600-01-01
    is a data issue on its row. Nothing raises and nothing wraps into another century."""
    frame = pd.DataFrame({
        "编号": ["R1", "R2"],
        "收到日期": np.array(["2500-01-01", "1600-01-01"], dtype="datetime64[s]"),
        "答复日期": np.array(["2500-03-01", "2021-03-01"], dtype="datetime64[s]"),
    })
    result = audit(_book(), {"requests": frame}, as_of="2021-12-31")
    assert result.data["requests"].frame["received_on"].tolist()[0] == pd.Timestamp("2500-01-01")
    assert [(i["row"], i["value"], i["problem"]) for i in result.data_issues] == [(3, "1600-01-01", OUTSIDE)]
    assert result.rule("R-REQUIRED").violations == 1                 # the 1600 row is blank
    assert result.rule("R-EXPR").violations == 1                     # row 2 holds, row 3 is blank
    findings = result.to_dict()["findings"]
    late = {f["rule"]: f["details"] for f in findings if f["row"] == 2}
    assert late["R-WORKDAYS"]["deadline"] == "2500-01-29" and late["R-WORKDAYS"]["end"] == "2500-03-01"
    assert late["R-DAYS"]["deadline"] == "2500-01-16"
    result.write_json(tmp_path / "r.json")
    result.write_html(tmp_path / "r.html")
    result.write_findings(tmp_path / "f.csv")
    result.write_findings(tmp_path / "f.xlsx")
    assert "2500-01-29" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "2500-01-29" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")


def test_join_min_and_max_of_dates_beyond_2262_stay_in_their_century():
    """The earliest and latest date of the matching rows of another ledger (join min/max)
    keep seconds resolution: 2500 and 2600 come out as 2500 and 2600 in values and messages."""
    book = rulebook_from_dict({
        "rulebook": {"id": "join-far", "title": "t", "period": {"start": "2021-01-01", "end": "2021-12-31"}},
        "datasets": {
            "documents": {"key": "doc_id", "fields": {
                "doc_id": {"type": "string", "aliases": ["文号"]},
                "issued_on": {"type": "date", "aliases": ["成文日期"]}}},
            "requests": {"key": "req_id", "fields": {
                "req_id": {"type": "string", "aliases": ["申请编号"]},
                "document_ref": {"type": "string", "aliases": ["涉及文号"]},
                "received_on": {"type": "date", "aliases": ["收到日期"]}}}},
        "rules": [{"id": "J-1", "title": "t", "dataset": "documents", "kind": "condition", "points": 1,
                   "join": {"dataset": "requests", "on": {"doc_id": "document_ref"},
                            "fields": {"first": {"min": "received_on"}, "last": {"max": "received_on"}}},
                   "expect": "first - issued_on == 31 and last == date('2600-01-01') and last < first"}],
    })
    documents = pd.DataFrame({"文号": ["D1"], "成文日期": ["2500-01-01"]})
    requests = pd.DataFrame({"申请编号": ["Q1", "Q2", "Q3"], "涉及文号": ["D1", "D1", "D1"],
                             "收到日期": ["2500-02-01", "二六〇〇年一月一日", "1500-01-01"]})
    result = audit(book, {"documents": documents, "requests": requests}, as_of="2021-12-31")
    assert result.rule("J-1").violations == 1           # last < first is false
    message = result.to_dict()["findings"][0]["message"]
    assert "2500-02-01" in message and "2600-01-01" in message
    assert [i["problem"] for i in result.data_issues] == [OUTSIDE]


def test_as_of_and_period_beyond_2262_are_dates_in_their_own_century():
    """as_of in 2600 (an open request received in 2500 is overdue by then) and the
    constants as_of / period_start / period_end in expressions keep their century."""
    book = rulebook_from_dict({
        "rulebook": {"id": "late", "title": "t", "period": {"start": "2500-01-01", "end": "2600-12-31"}},
        "calendar": {"fallback": "weekends"},
        "datasets": {"requests": {"key": "req_id", "fields": {
            "req_id": {"type": "string", "aliases": ["编号"]},
            "received_on": {"type": "date", "aliases": ["收到日期"]},
            "replied_on": {"type": "date", "aliases": ["答复日期"]}}}},
        "rules": [
            {"id": "R-OPEN", "title": "20个工作日", "dataset": "requests", "kind": "deadline",
             "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 5},
            {"id": "R-CONST", "title": "常量", "dataset": "requests", "kind": "condition", "points": 5,
             "expect": "period_start <= received_on <= period_end and as_of - received_on == 36888"
                       " and year(as_of) == 2600 and month(period_end) == 12"},
        ],
    })
    frame = pd.DataFrame({"编号": ["R1"], "收到日期": ["2500-01-01"], "答复日期": [None]})
    result = audit(book, {"requests": frame}, as_of="2600-12-31")
    assert result.rule("R-CONST").violations == 0
    details = result.to_dict()["findings"][0]["details"]
    assert result.rule("R-OPEN").violations == 1 and details["deadline"] == "2500-01-29"
