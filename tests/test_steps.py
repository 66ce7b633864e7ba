"""The relational steps kinds are built from (kinds/steps.py), against plain row-by-row definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from disclosure_rules.kinds.steps import repeats


def _equal(frame: pd.DataFrame, field: str, i: int, k: int) -> bool:
    a, b = frame[field][i], frame[field][k]
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return bool(a == b)


def test_repeats_marks_exactly_the_later_rows_of_equal_values_and_names_the_first():
    """A repeat is a selected row equal (blanks equal blanks) to an earlier selected row, never
    a row blank in every field; its "first" is the earliest such row; within a partition only
    earlier rows of the same partition count. Checked against DataFrame.duplicated and a
    row-by-row search on 300 random ledgers."""
    rng = np.random.default_rng(1)
    for trial in range(300):
        n = int(rng.integers(0, 60))
        frame = pd.DataFrame({"a": pd.array(rng.choice(["x", "y", None, "z"], n), dtype="string"),
                              "b": pd.array(rng.choice([1, 2, None], n), dtype="Int64")})
        selected = rng.random(n) < 0.8
        partition = rng.integers(0, 3, n) if trial % 2 else None
        fields = ["a"] if trial % 3 == 0 else ["a", "b"]
        repeat, first, within = repeats(frame, fields, selected, partition)

        sub = frame.loc[selected, fields]
        not_blank = ~sub.isna().all(axis=1).to_numpy()
        whole = np.zeros(n, bool)
        whole[np.flatnonzero(selected)[sub.duplicated(keep="first").to_numpy() & not_blank]] = True
        assert (repeat == whole).all(), trial
        if partition is None:
            assert within is None
        else:
            inner = np.zeros(n, bool)
            keyed = sub.assign(p=partition[selected]).duplicated(keep="first").to_numpy()
            inner[np.flatnonzero(selected)[keyed & not_blank]] = True
            assert (within == inner).all(), trial

        for i in np.flatnonzero(repeat):
            j = first[i]
            assert j < i and selected[j] and all(_equal(frame, f, i, j) for f in fields), (trial, i, j)
            earlier = [k for k in range(j) if selected[k] and all(_equal(frame, f, i, k) for f in fields)]
            assert not earlier, (trial, i, j, earlier)
        assert (first[~repeat] == -1).all()
