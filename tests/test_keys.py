"""Each row's key, put into words only where asked (verdict.Keys), against the whole column.

The audit no longer turns a key column into a million Python strings: a finding's key, a
deadline row's key and the rows a waiver names are worked out at those rows only. These tests
hold that to the whole column's identities and texts, subsetted, for a key field of every type,
with blanks, unknown labels and waivers that name a key by its text or (a category) its label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.display import display_values
from disclosure_rules.models import FieldSpec
from disclosure_rules.values import type_column
from disclosure_rules.verdict import Keys, identities, identity_of

SPECS = {
    "string": FieldSpec(type="string"),
    "integer": FieldSpec(type="integer"),
    "number": FieldSpec(type="number"),
    "date": FieldSpec(type="date"),
    "category": FieldSpec(type="category", values={"A1": ["甲类", "甲"], "B2": ["乙类"]}),
}
CELLS = {
    "string": st.sampled_from(["晋商发〔2021〕1号", "晋商发〔2021〕2号", " 申请-7 ", "", "—", "3"]),
    "integer": st.sampled_from(["1", "2", "0012", "3.0", "", "x"]),
    "number": st.sampled_from(["1", "1.5", "2.0", "", "-0.25"]),
    "date": st.sampled_from(["2021-03-05", "2021/3/5", "2021年3月6日", "", "2021-02-30"]),
    "category": st.sampled_from(["甲类", "甲", "乙类", "A1", "", "待定"]),
}


def typed(ftype: str, cells: list[str]) -> pd.Series:
    series = pd.Series(cells, dtype="str")
    values, _ = type_column("ledger", "key", SPECS[ftype], series, "编号",
                            np.arange(len(cells), dtype=np.int64) + 2, None)
    return pd.Series(values, name="key")


def whole_column(series: pd.Series, spec) -> tuple[np.ndarray, np.ndarray]:
    """The identities and texts of every row, as the audit computed them before."""
    ids = identities(series, spec)
    if spec.type != "category":
        return ids, ids
    return ids, display_values(series, spec).astype(object).where(series.notna(), None).to_numpy(dtype=object)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SPECS)).flatmap(
    lambda ftype: st.tuples(st.just(ftype), st.lists(CELLS[ftype], min_size=1, max_size=30))),
    st.data())
def test_keys_at_some_rows_are_the_whole_columns_at_those_rows(case, data):
    ftype, cells = case
    spec = SPECS[ftype]
    series = typed(ftype, cells)
    ids, texts = whole_column(series, spec)
    keys = Keys(series, spec, len(series))
    idx = np.array(data.draw(st.lists(st.integers(0, len(series) - 1), max_size=40)), dtype=np.int64)

    assert keys.text_at(idx).tolist() == texts[idx].tolist()
    column = keys.column_at(idx)
    assert [None if pd.isna(v) else v for v in column.tolist()] == texts[idx].tolist()

    written = data.draw(st.lists(st.sampled_from(cells + ["甲类", "A1", "nothing"]), max_size=4))
    wanted = {identity_of(w, spec) for w in written}
    assert keys.isin(wanted).tolist() == pd.Series(ids, dtype=object).isin(wanted).tolist()


def test_a_ledger_without_a_key_has_blank_keys_and_nothing_waived():
    keys = Keys(None, None, 3)
    assert keys.text_at(np.array([0, 2])).tolist() == [None, None]
    assert keys.isin({"x"}).tolist() == [False, False, False]
    assert keys.column_at(np.array([1])).isna().all()


def test_the_identities_are_worked_out_once_for_every_rule_with_waivers():
    series = typed("string", ["R1", "R2", "", "R1"])
    keys = Keys(series, SPECS["string"], len(series))
    assert keys.isin({"R1"}).tolist() == [True, False, False, True]
    first = keys._identities
    assert keys.isin({"R2", "R9"}).tolist() == [False, True, False, False]
    assert keys._identities is first
