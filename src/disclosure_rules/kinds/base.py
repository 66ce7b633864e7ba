"""What every rule kind shares: the view a kind evaluates, the verdict it returns, the Kind base.

A kind is one unit (one file in this package): its parameters model (the pydantic model of
its YAML keys), ``evaluate(view) -> Verdict``, its rule and finding messages, and the
checks of the fields it names. The engine names no kind: it builds a :class:`RuleView`,
asks the kind for a :class:`Verdict`, and applies waivers, scoring and the division
rollup to the verdict the same way for every kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..expressions._lazy import Lazy
from ..expressions import Context, column_value

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())

DATE_DTYPE = "datetime64[s]"  # as everywhere on the audit path (see expressions.DATE_DTYPE)


@dataclass
class RuleView:
    """The rows one rule judges, typed: what :meth:`Kind.evaluate` works on."""

    rule: Any
    frame: pd.DataFrame           # typed columns of the rule's dataset (joined fields added)
    fields: dict                  # field name -> FieldSpec (joined fields included)
    expressions: dict             # key ("where", "expect", ...) -> CompiledExpression
    ctx: Context
    selected: np.ndarray          # bool per row: the rows ``where`` selects
    as_of: pd.Timestamp
    calendar: Any
    #: the spreadsheet row number of each row (DESIGN §8 ``row``)
    rows: np.ndarray | None = None
    #: the division of each row as a code 0..k-1 (a blank division is one of them), None
    #: without a division field; ``division_values[code]`` is the division's value (None: blank)
    division: np.ndarray | None = None
    division_values: np.ndarray | None = None
    department_field: str | None = None
    #: an earlier result's rule entries by rule id (None: no earlier result was given)
    previous: dict | None = None

    @property
    def n(self) -> int:
        return len(self.frame)

    def dates(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A date field as (datetime64[s] values, null mask)."""
        v = column_value(self.frame[name], "date")
        return v.data, v.null


@dataclass
class Verdict:
    """One rule's verdict: aligned columns, one entry per judged item.

    For row-level kinds an item is a ledger row (``position`` is its index in the frame);
    for ``count`` it is a group (``position`` -1, ``group`` the group's value). The engine
    applies waivers (an anti-join on the key), counts, scores, groups by division and
    filters the findings from these columns alone.
    """

    in_population: np.ndarray                  # bool
    violation: np.ndarray                      # bool (only within the population counts)
    pending: np.ndarray | None = None          # bool: neither passed nor violating yet
    #: per item details for messages and exports (deadline, end, late_workdays, ...)
    details: dict[str, np.ndarray] = field(default_factory=dict)
    #: grouped verdicts: the group value of each item (its key), the field whose values the
    #: groups are (None: not a field), and each item's division code
    group: np.ndarray | None = None
    group_field: str | None = None
    division: np.ndarray | None = None
    #: the verdict when each division is judged on its own rows (None: this verdict grouped
    #: by division, as for every kind whose rows are judged one by one)
    by_division: "Verdict | None" = None
    #: the rate bounds when they depend on the data (None: the kind's ``bounds(rule)``)
    bounds: tuple | None = None
    #: figures the rule's summary quotes besides its counts (such as last year's rate)
    facts: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.in_population)

    @property
    def grouped(self) -> bool:
        return self.group is not None


class Kind(ABC):
    """The base of every rule kind: subclasses set ``name`` and ``Rule`` and implement the
    abstract methods."""

    name: ClassVar[str]
    #: the parameters model (the rule's YAML keys), discriminated by ``kind``
    Rule: ClassVar[type]
    #: detail columns whose values findings carry into the exports (dates, numbers)
    finding_details: ClassVar[tuple[str, ...]] = ()
    #: detail columns kept for every row of the population (the report's deadline table)
    row_details: ClassVar[tuple[str, ...]] = ()
    #: the words of the rate the proportional formula reads (``score_rate``: the pass rate)
    rate_word: ClassVar[str] = "score_rate"
    #: whether items can be pending (neither passed nor violating yet)
    has_pending: ClassVar[bool] = False
    #: whether the rule's min/max are rates (False: row counts, as a count rule's)
    thresholds_are_rates: ClassVar[bool] = True
    #: whether each row's verdict depends on that row alone (and the audit's as-of date and
    #: calendar), never on the other rows: then the verdict of a ledger's rows, taken at some
    #: of them, is the verdict of those rows alone, and the units of one ledger are judged in
    #: one pass (:func:`..engine.audit_units`). False for a kind that compares rows (unique),
    #: counts groups (count) or reads an earlier result (trend).
    rowwise: ClassVar[bool] = False

    def bounds(self, rule) -> tuple[float | None, float | None]:
        """The rate bounds (min, max) of the rule: what status and proportional scoring use."""
        return rule.min, None

    def bound_texts(self, rule, lang: str) -> tuple[bool, str | None, str | None]:
        """The bounds proportional scoring divides by, as text: (has a min, the min when it is
        above 0, the max when it is below 1). From :meth:`bounds`."""
        from ..words import percent_text

        tmin, tmax = self.bounds(rule)
        return (tmin is not None, percent_text(tmin) if tmin is not None and tmin > 0 else None,
                percent_text(tmax) if tmax is not None and tmax < 1 else None)

    def message_context(self, rule, expressions: dict, book) -> dict:
        """Per-rule words the finding messages need (``FindingPart.context``)."""
        return {}

    def pass_text(self, rule, lang: str) -> str:
        """When the rule passes, in words (the scoring line of explain and the report)."""
        from ..words import percent_text, word

        if rule.min is not None:
            return word("pass_rate_min", lang, min=percent_text(rule.min))
        return word("pass_no_violation", lang)

    def lights(self, rule, rows) -> dict | None:
        """Per-light counts of the rule's rows ({"red", "yellow", "green"}), from its row
        details (results.RowDetails, or None: the population, waived rows aside); None for a
        kind without lights."""
        return None

    def missing(self, rule, view: RuleView) -> list[tuple[str, None]]:
        """Inputs other than the ledger's columns the rule lacks (such as ``previous``): a rule
        that lacks one is not assessed."""
        return []

    def check(self, rule, fields: dict) -> list[tuple[str, str]]:
        """Kind-specific problems with the fields the rule names: (message, key path)."""
        return []

    @abstractmethod
    def evaluate(self, view: RuleView) -> Verdict:
        """The rule's verdict on the view's rows."""

    @abstractmethod
    def lower(self, view):
        """The rule's verdict as a SQL query (a :class:`~.sql.SqlVerdict` on a
        :class:`~.sql.SqlView`), for the SQL engines: the same verdict as :meth:`evaluate`."""

    @abstractmethod
    def describe(self, rule, say) -> list[str]:
        """What the rule checks, in plain words: lines written with ``say`` (an
        explain.Describer: the words ``describe_*``, fields, labels, expressions)."""

    @abstractmethod
    def summary(self, rule, result, lang: str) -> str:
        """One sentence on the rule's outcome (population, violations, rate)."""

    #: what a finding's message is made of besides the rule: "values" (the values of the
    #: rule's fields), "details" (the kind's detail columns), "key"; the findings alike in all
    #: of them are phrased once (results.FindingPart.message_codes). Empty: each on its own.
    message_inputs: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def messages(self, found, idx: np.ndarray, lang: str) -> list[str]:
        """The messages of findings ``idx`` (indexes into ``found``, a results.FindingPart)."""


def filled(n: int, word: str) -> np.ndarray:
    """An object array of ``n`` times the one string ``word`` (np.full would make a new
    string per element: 90 ms and 56 MB at a million rows)."""
    out = np.empty(n, dtype=object)
    out[:] = word
    return out


def rate_min_line(rule, say) -> list[str]:
    """The line saying a rate kind's ``min``, when the rule gives one."""
    return [say.say("rate_min", v=say.percent(rule.min))] if rule.min is not None else []


def date_field_problems(rule, fields: dict, keys) -> list[tuple[str, str]]:
    """Problems for the keys of ``rule`` that must name date fields: (message, key path)."""
    out = []
    for key_name, value in keys:
        if value in fields and fields[value].type != "date":
            out.append((f"rule {rule.id}: {key_name} {value!r} must be a date field (it is {fields[value].type})",
                        key_name))
    return out
