"""Classifying a body given in parts (the seam for reading a big file piece by piece) is the
same as classifying it whole.

Every test of ``tests/test_reading.py`` runs again here with the body cut into parts before
classification: one row per part, a few rows per part, and parts of random sizes. Their
assertions on the rows kept, the rows skipped with their reasons, and the reading report
must hold unchanged. A property test compares the two ways directly on random noisy bodies.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from disclosure_rules import reading

_spec = importlib.util.spec_from_file_location("reading_tests_again", Path(__file__).with_name("test_reading.py"))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
globals().update({name: value for name, value in vars(_module).items()
                  if name.startswith("test_") and callable(value)})


def _cut(columns, sizes):
    """The columns cut into consecutive parts of the given sizes (the last part takes the rest)."""
    n = len(columns[0])
    parts, start = [], 0
    for size in sizes:
        if start >= n:
            break
        parts.append([c.slice(start, size) for c in columns])
        start += size
    if start < n:
        parts.append([c.slice(start) for c in columns])
    return parts


@pytest.fixture(autouse=True, params=["one row", "three rows", "random"])
def classified_in_parts(request, monkeypatch):
    whole = reading._classify
    rng = np.random.default_rng(7)
    calls = []

    def in_parts(columns, rows, sheet, header, matched, protected, merges):
        calls.append(len(rows))
        if not columns or not len(rows):
            return whole(columns, rows, sheet, header, matched, protected, merges)
        n = len(rows)
        sizes = {"one row": [1] * n, "three rows": [3] * n,
                 "random": list(rng.integers(1, 6, size=n))}[request.param]
        return reading._classify_parts(_cut(columns, sizes), rows, sheet, header, matched, protected, merges)

    monkeypatch.setattr(reading, "_classify", in_parts)
    yield calls


WORDS = ["合计", "总计", "共3件", "以下空白", "填表人：张三", "注：本表按日期排列", "文号", "公开属性",
         "（必填）", "1", "2", "3", "一、主动公开", "—", "A-1", "A-2", "外贸处", "主动公开", "", " "]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=4, max_size=4), min_size=1, max_size=30),
       st.lists(st.integers(1, 7), min_size=1, max_size=30), st.booleans())
# a footer between records is no footer of the ledger: the row below the last record stays a
# record, which only the last record of every part, in the body's own positions, tells
@example(body=[["1", "A-1", "主动公开", "外贸处"]] * 4 + [["注：本表按日期排列", "", "", ""],
               ["2", "A-2", "主动公开", "外贸处"], ["", "", "", "外贸处"]], sizes=[1] * 7, keyed=True)
def test_a_noisy_body_is_classified_alike_whole_and_in_parts(classified_in_parts, body, sizes, keyed):
    """Totals, footers, notes under the header, repeated headers and blank rows: the rows kept,
    the skipped rows listed and their count are the same whether the body comes whole or cut."""
    fields = {"doc_id": _module.field(required=keyed, aliases=["文号"]),
              "disclosure": _module.field(required=keyed, aliases=["公开属性"]),
              "department": _module.field(aliases=["处室"])}
    head = [["序号", "文号", "公开属性", "处室"]]
    header = reading._detect_header(fields, head)
    columns = [pa.chunked_array([pa.array([row[c] or None for row in body], type=reading._TEXT)]) for c in range(4)]
    rows = np.arange(2, 2 + len(body), dtype=np.int64)
    matched = {"doc_id": 1, "disclosure": 2, "department": 3}
    protected = [1, 2] if keyed else []
    whole = reading._classify_parts([columns], rows, None, header, matched, protected, [])
    parts = reading._classify_parts(_cut(columns, sizes), rows, None, header, matched, protected, [])
    assert parts.keep.tolist() == whole.keep.tolist()
    assert parts.skipped == whole.skipped
    assert parts.total == whole.total


def test_the_parts_are_really_classified(classified_in_parts, tmp_path):
    """The rerun goes through the cut classification (else the reruns above prove nothing)."""
    path = tmp_path / "noise.csv"
    path.write_bytes(_module.csv_bytes(_module.LEDGER_WITH_NOISE, encoding="gb18030"))
    _module.expect_noise_report(reading.read_table("documents", _module.DOCS, path), None)
    assert classified_in_parts and max(classified_in_parts) > 3
