"""The relational steps kinds are built from, each one vectorized here and one SQL step later.

* :func:`repeats`: duplicates, in the whole and within a partition (``ROW_NUMBER() OVER
  (PARTITION BY [partition,] fields ORDER BY position) > 1``);
* :func:`group_counts`: row counts per group (``GROUP BY``), listed groups added with 0;
* deadline pauses: see :mod:`.deadline` (a join on the calendar relation).
"""

from __future__ import annotations

from ..expressions._lazy import Lazy

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())


def repeats(frame: pd.DataFrame, fields: list[str], selected: np.ndarray,
            partition: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(repeat, first, repeat_within): ``repeat`` marks a selected row whose values in
    ``fields`` equal those of an earlier selected row; ``first`` is the position of the first
    such row (-1 where there is none); ``repeat_within`` is ``repeat`` counting only earlier
    rows of the same ``partition`` (None without one). Rows blank in every field never
    repeat; blanks equal blanks."""
    n = len(frame)
    positions = np.flatnonzero(selected)
    sub = frame.loc[selected, fields]
    not_blank = ~sub.isna().all(axis=1).to_numpy()
    codes = _combined_codes([sub[f] for f in fields], len(positions))
    first_row = _first_rows(codes)
    dup = ~first_row & not_blank
    repeat = np.zeros(n, dtype=bool)
    repeat[positions[dup]] = True
    first = np.full(n, -1, dtype=np.int64)
    # codes are numbered in order of first appearance: the first rows, in row order, are
    # the first rows of codes 0, 1, 2, ...
    first[positions[dup]] = positions[first_row][codes[dup]]
    within = None
    if partition is not None:
        inner = _combined_codes([pd.Series(codes), pd.Series(partition[selected])], len(positions))
        within = np.zeros(n, dtype=bool)
        within[positions[~_first_rows(inner) & not_blank]] = True
    return repeat, first, within


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code (numbered in order of first appearance) first appears."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    return codes > np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))


def _combined_codes(columns: list[pd.Series], n: int) -> np.ndarray:
    """One code per row for the combination of the columns' values (blank is a value),
    numbered in order of first appearance."""
    combined = None
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        codes = codes.astype(np.int64)
        # the first column's codes are the numbering itself; each next one is combined and renumbered
        combined = codes if combined is None else pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    return np.zeros(n, dtype=np.int64) if combined is None else combined.astype(np.int64)


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
