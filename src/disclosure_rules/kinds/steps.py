"""The relational steps kinds are built from, each one vectorized here and one SQL step later.

* :func:`repeats`: duplicates within a partition (``ROW_NUMBER() OVER (PARTITION BY
  partition, fields ORDER BY position) > 1``);
* :func:`group_counts`: row counts per group (``GROUP BY``), listed groups added with 0;
* deadline pauses: see :mod:`.deadline` (a join on the calendar relation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def repeats(frame: pd.DataFrame, fields: list[str], selected: np.ndarray,
            partition: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(repeat, first): ``repeat`` marks a selected row whose values in ``fields`` (and
    ``partition``) equal those of an earlier selected row; ``first`` is the position of the
    first such row (-1 where there is none). Rows blank in every field never repeat."""
    n = len(frame)
    sub = frame.loc[selected, fields]
    keyed = sub if partition is None else sub.assign(__partition__=partition[selected])
    group = keyed.groupby(list(keyed.columns), dropna=False, sort=False).ngroup().to_numpy()
    positions = np.flatnonzero(selected)
    _, first_index, inverse = np.unique(group, return_index=True, return_inverse=True)
    first_of_group = positions[first_index][inverse.reshape(-1)]
    all_blank = sub.isna().all(axis=1).to_numpy()
    dup = (first_of_group != positions) & ~all_blank
    repeat = np.zeros(n, dtype=bool)
    repeat[positions[dup]] = True
    first = np.full(n, -1, dtype=np.int64)
    first[positions[dup]] = first_of_group[dup]
    return repeat, first


def group_counts(codes: np.ndarray, selected: np.ndarray, n_groups: int,
                 partition: np.ndarray | None = None, n_partitions: int = 0) -> np.ndarray:
    """Rows per group among the selected rows, a group being a code 0..n_groups-1 (blank, -1,
    is no group). With ``partition`` (codes 0..n_partitions-1), a matrix partition x group."""
    keep = selected & (codes >= 0)
    if partition is None:
        return np.bincount(codes[keep], minlength=n_groups)
    keep &= partition >= 0
    flat = partition[keep].astype(np.int64) * n_groups + codes[keep]
    return np.bincount(flat, minlength=n_partitions * n_groups).reshape(n_partitions, n_groups)
