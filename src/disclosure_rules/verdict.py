"""Operations on verdicts, the same for every kind: waivers, counts, divisions, findings.

* waivers are an anti-join of the verdict's items with the active waivers, on the key;
* a rule's counts are sums over its items;
* divisions are a group-by of the verdict (or of ``by_division``) on the division code;
* findings are the items that violate, waived ones included (and marked).

Keys, groups and divisions are compared as values (a category's code), never as the text
a person reads; the text is made only for what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .expressions._lazy import Lazy
from .scoring import Counts

if TYPE_CHECKING:  # the kinds import this module
    from .kinds.base import Verdict

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())


def identities(series: pd.Series, spec) -> np.ndarray:
    """A column's values as identities (object; None for blank): a category's code (or an
    unknown label as typed); otherwise the value as its canonical text (dates ISO, whole
    numbers without ``.0``, booleans 是/否, a set's labels joined with 、), which is also how
    a rulebook or waiver writes it."""
    from .display import display_values

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    text = display_values(series, spec, "zh")
    return text.astype(object).where(text.notna(), None).to_numpy(dtype=object)


def identity_of(text, spec) -> str:
    """The identity a key or group written in a rulebook or waiver stands for: for a category
    field the code of the label or code written, otherwise the text itself (stripped)."""
    written = str(text).strip()
    if spec is None or spec.type != "category":
        return written
    return spec.code_of(written) or written


class Keys:
    """Each row's key, put into words only where asked: the rows a waiver is looked for in
    (:meth:`isin`), a rule's findings (:meth:`text_at`) and its deadline rows
    (:meth:`column_at`). The column stays as the frame holds it (Arrow text for the usual
    string key), not a million Python strings kept for the whole audit."""

    def __init__(self, series: pd.Series | None, spec, n: int):
        self.series, self.spec, self.n = series, spec, n
        self._identities = None  # worked out at the first waiver, then kept for the other rules

    def _ids(self):
        if self._identities is None:
            if isinstance(self.series.dtype, pd.CategoricalDtype):
                self._identities = pd.Series(identities(self.series, self.spec), dtype=object)
            else:
                from .display import display_values

                self._identities = display_values(self.series, self.spec, "zh")
        return self._identities

    def __len__(self) -> int:
        return self.n

    def isin(self, wanted: set) -> np.ndarray:
        """Whether each row's identity (:func:`identities`) is one of ``wanted``."""
        if self.series is None or not wanted:
            return np.zeros(self.n, dtype=bool)
        return self._ids().isin(wanted).to_numpy(dtype=bool, na_value=False)

    def text_at(self, idx: np.ndarray) -> np.ndarray:
        """The keys of rows ``idx`` as findings show them (object; None where blank)."""
        if self.series is None:
            return np.full(len(idx), None, dtype=object)
        from .display import display_values

        values = self.series.iloc[idx]
        if isinstance(values.dtype, pd.StringDtype) and self.spec is not None and self.spec.type == "string":
            return values.to_numpy(dtype=object, na_value=None)  # a text key is its own identity
        if not isinstance(values.dtype, pd.CategoricalDtype):
            return identities(values, self.spec)
        return display_values(values, self.spec).astype(object).where(values.notna(), None).to_numpy(dtype=object)

    def column_at(self, idx: np.ndarray) -> pd.Series:
        """The keys of rows ``idx`` as a text column (blank: NA), kept as Arrow text."""
        if self.series is None:
            return pd.Series(np.full(len(idx), None, dtype=object), dtype=object)
        from .display import display_values

        return display_values(self.series.iloc[idx], self.spec).reset_index(drop=True)


def waived_rows(keys, waived_keys: set) -> np.ndarray:
    """Whether each item's key (a :class:`Keys`, or an array of identities) is waived."""
    if isinstance(keys, Keys):
        return keys.isin(waived_keys)
    return pd.Series(keys, dtype=object).isin(waived_keys).to_numpy()


@dataclass
class Judged:
    """A verdict after waivers: the masks the counts, divisions and findings come from."""

    population: np.ndarray   # in the population and not waived
    violation: np.ndarray    # violating, not waived
    pending: np.ndarray      # pending, not waived, not violating
    waived: np.ndarray       # in the population before waivers, and waived
    listed: np.ndarray       # positions of the items that are findings (violating, waived or not)

    @property
    def counts(self) -> Counts:
        return Counts(int(self.population.sum()), int(self.violation.sum()), int(self.pending.sum()),
                      int(self.waived.sum()))


def judge(verdict: Verdict, keys, waived_keys: set) -> Judged:
    """Apply the waivers (an anti-join on the items' keys) to a verdict."""
    population = verdict.in_population
    violation = verdict.violation & population
    pending = verdict.pending & population if verdict.pending is not None else np.zeros(len(verdict), dtype=bool)
    if waived_keys:
        waived = population & waived_rows(keys, waived_keys)
    else:
        waived = np.zeros(len(verdict), dtype=bool)
    listed = np.flatnonzero(violation)
    population = population & ~waived
    violation = violation & ~waived
    pending = pending & ~waived & ~violation
    return Judged(population, violation, pending, waived, listed)


def word_codes(words: np.ndarray) -> tuple[np.ndarray, list, np.ndarray]:
    """An object array of a few distinct words (statuses, lights) as (each element's code,
    -1 where blank; the words; how many times each occurs): one factorize, no Series of a
    million texts (which pandas would turn into Arrow strings before counting)."""
    codes, uniques = pd.factorize(words)
    return codes, uniques.tolist(), np.bincount(codes[codes >= 0], minlength=len(uniques))


def word_counts(words: np.ndarray) -> dict:
    """How many times each word of ``words`` occurs (blanks aside); see :func:`word_codes`."""
    _, names, counts = word_codes(words)
    return dict(zip(names, counts.tolist()))


def division_counts(judged: Judged, division: np.ndarray, n_divisions: int) -> list[Counts]:
    """The counts of each division (a group-by on the division code)."""
    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(division[mask], minlength=n_divisions)

    pop, vio, pen = per(judged.population), per(judged.violation), per(judged.pending)
    return [Counts(int(pop[i]), int(vio[i]), int(pen[i])) for i in range(n_divisions)]
