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

from .expressions._lazy import Lazy
from .kinds.base import Verdict
from .scoring import Counts

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


def judge(verdict: Verdict, keys: np.ndarray, waived_keys: set) -> Judged:
    """Apply the waivers (an anti-join on the items' keys) to a verdict."""
    population = verdict.in_population
    violation = verdict.violation & population
    pending = verdict.pending & population if verdict.pending is not None else np.zeros(len(verdict), dtype=bool)
    if waived_keys:
        waived = population & pd.Series(keys, dtype=object).isin(waived_keys).to_numpy()
    else:
        waived = np.zeros(len(verdict), dtype=bool)
    listed = np.flatnonzero(violation)
    population = population & ~waived
    violation = violation & ~waived
    pending = pending & ~waived & ~violation
    return Judged(population, violation, pending, waived, listed)


def word_counts(words: np.ndarray) -> dict:
    """How many times each value of an object array of a few distinct words (statuses,
    lights) occurs: one factorize, no Series of a million texts (which pandas would turn
    into Arrow strings before counting)."""
    codes, uniques = pd.factorize(words)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return {word: int(count) for word, count in zip(uniques.tolist(), counts.tolist())}


def division_counts(judged: Judged, division: np.ndarray, n_divisions: int) -> list[Counts]:
    """The counts of each division (a group-by on the division code)."""
    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(division[mask], minlength=n_divisions)

    pop, vio, pen = per(judged.population), per(judged.violation), per(judged.pending)
    return [Counts(int(pop[i]), int(vio[i]), int(pen[i])) for i in range(n_divisions)]
