"""Pydantic models of the rulebook YAML (DESIGN §3, §6, §7).

The models describe and validate a rulebook; they never touch a DataFrame, so a
rulebook validates with no data. Unknown keys are errors everywhere, so a typo in a
key cannot pass silently. Each rule kind's own model
(its keys) lives with the kind in ``kinds/``; the rulebook model that unites them is in
``book.py``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RULE_ID_PATTERN = r"^[A-Z][A-Z0-9-]*$"
BOOK_ID_PATTERN = r"^[a-z0-9-]+$"

# Bounds a rulebook must keep (DESIGN §11: huge limits and points are refused at load,
# so that no sum, percent or deadline can overflow or stop being a finite number).
#: points of one rule, and the deduct / max of deduct scoring
MAX_POINTS = 10_000
#: min / max of a count rule (rows per group)
MAX_ROW_COUNT = 1_000_000_000
#: a deadline's limit or extension, in working or calendar days (ten years)
MAX_LIMIT_DAYS = 3650
#: dates a rulebook may name (period, calendar, waivers, date literals in expressions)
FIRST_YEAR, LAST_YEAR = 1900, 2999


def match_key(text: str) -> str:
    """The key under which headers, aliases and labels match: NFKC (full-width ->
    half-width), stripped, case-folded (the same as ``expressions.normalize_name``)."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def check_year(value: dt.date | None, what: str = "a date") -> dt.date | None:
    """Refuse a date outside FIRST_YEAR..LAST_YEAR (a typo such as 0021 or 20211)."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{what} must lie between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31, "
                         f"got {value.isoformat()}")
    return value


class Strict(BaseModel):
    # allow_inf_nan=False: .inf / .nan in the YAML are refused wherever a number is read
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Grade(Strict):
    min: float = Field(ge=0, le=100)
    label: str


class Period(Strict):
    start: dt.date
    end: dt.date

    @field_validator("start", "end")
    @classmethod
    def _in_range(cls, v: dt.date, info) -> dt.date:
        return check_year(v, f"period.{info.field_name}")

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError("period.end is before period.start")
        return self


DEFAULT_GRADES = [
    Grade(min=90, label="优秀"),
    Grade(min=75, label="良好"),
    Grade(min=60, label="合格"),
    Grade(min=0, label="不合格"),
]


class Rectification(Strict):
    """整改时限: how long a division has to fix (or explain) a finding of the list."""

    working_days: int = Field(ge=0, le=MAX_LIMIT_DAYS, description=(
        "整改时限 Working days after the as-of date by which each finding of the rectification "
        "list is to be fixed or explained (the 整改时限 column)."))


class BonusSpec(Strict):
    """``rulebook.bonus`` (DESIGN §7): the cap on bonus points and the grading percent they need."""

    max: float | None = Field(default=None, ge=0, le=MAX_POINTS)
    min_percent: float = Field(default=0, ge=0, le=100)


class BookInfo(Strict):
    id: str = Field(pattern=BOOK_ID_PATTERN)
    title: str
    issuer: str | None = None
    year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)
    period: Period | None = None
    grades: list[Grade] = Field(default_factory=lambda: list(DEFAULT_GRADES))
    #: below this coverage the grade is the band of strict_percent (DESIGN §7)
    min_coverage: float = Field(1.0, ge=0, le=1)
    description: str | None = None
    #: the rectification list's deadline (整改时限); None: the column stays empty
    rectification: Rectification | None = None
    #: the cap and threshold of bonus rules' points (DESIGN §7)
    bonus: BonusSpec | None = None

    @field_validator("grades")
    @classmethod
    def _grades_descending(cls, grades: list[Grade]) -> list[Grade]:
        mins = [g.min for g in grades]
        if mins != sorted(mins, reverse=True):
            raise ValueError("grades must be listed from the highest 'min' to the lowest")
        if grades and grades[-1].min != 0:
            raise ValueError("the last grade must have min: 0 so that every percent gets a grade")
        return grades


class CalendarSpec(Strict):
    extra_holidays: list[dt.date] = Field(default_factory=list)
    extra_workdays: list[dt.date] = Field(default_factory=list)
    fallback: Literal["weekends", "error"] = "weekends"

    @field_validator("extra_holidays", "extra_workdays")
    @classmethod
    def _in_range(cls, days: list[dt.date], info) -> list[dt.date]:
        for i, day in enumerate(days):
            check_year(day, f"calendar.{info.field_name}[{i}]")
        return days


class Section(Strict):
    id: str
    title: str
    description: str | None = None


class FieldSpec(Strict):
    type: Literal["string", "integer", "number", "boolean", "date", "category", "set"]
    required: bool = False
    aliases: list[str] = Field(default_factory=list)
    values: dict[str, list[str]] | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _values_for_labels(self) -> "FieldSpec":
        if self.type in ("category", "set"):
            if not self.values:
                raise ValueError(f"a {self.type} field needs 'values' (code: [labels])")
            if self.type == "set" and len(self.values) > 62:
                raise ValueError("a set field may have at most 62 codes")
        elif self.values is not None:
            raise ValueError(f"'values' is only for category and set fields, not {self.type}")
        return self

    def header_of(self, name: str) -> str:
        """The field's preferred header (templates, messages, the report): its first alias,
        else its name ``name`` (a FieldSpec does not know its own name)."""
        return self.aliases[0] if self.aliases else name

    def label_of(self, code: str) -> str:
        """How a category/set code reads: its first label; the code itself when it has no
        label or is not a code (an unknown label is shown as typed)."""
        labels = (self.values or {}).get(code)
        return labels[0] if labels else code

    def code_of(self, text: str) -> str | None:
        """The code that ``text`` names (the code itself or one of its labels, matched as
        headers are: full-/half-width, case and surrounding spaces ignored); None if none."""
        key = match_key(text)
        for code, labels in (self.values or {}).items():
            if key == match_key(code) or any(key == match_key(label) for label in labels):
                return code
        return None


class DatasetSpec(Strict):
    title: str | None = None
    key: str | None = None
    department: str | None = None
    description: str | None = None
    fields: dict[str, FieldSpec]
    #: file name globs that belong to this dataset in a unit's folder (DESIGN §15)
    files: list[str] = Field(default_factory=list)
    #: the field naming each row's unit, when one ledger holds every unit (DESIGN §15)
    unit: str | None = None

    @model_validator(mode="after")
    def _unit_is_a_field(self) -> "DatasetSpec":
        if self.unit is not None and self.unit not in self.fields:
            raise ValueError(f"unit: {self.unit!r} is not one of the dataset's fields")
        return self


class Basis(Strict):
    clause: str
    text: str
    source: str | None = None


class Deduct(Strict):
    deduct: float = Field(gt=0, le=MAX_POINTS)
    max: float | None = Field(default=None, ge=0, le=MAX_POINTS)


Scoring = Union[Literal["proportional", "all_or_nothing"], Deduct]


class Aggregate(Strict):
    """One aggregate of a join: exactly one of count / count_distinct / min / max."""

    count: str | None = None
    count_distinct: str | None = None
    min: str | None = None
    max: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Aggregate":
        given = [k for k in ("count", "count_distinct", "min", "max") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("an aggregate names exactly one of count, count_distinct, min, max")
        return self

    @property
    def function(self) -> str:
        return next(k for k in ("count", "count_distinct", "min", "max") if getattr(self, k) is not None)

    @property
    def source(self) -> str:
        return getattr(self, self.function)


class Join(Strict):
    dataset: str
    on: dict[str, str] = Field(min_length=1)
    fields: dict[str, Union[Literal["count"], Aggregate]] = Field(min_length=1)


#: severity words accepted in YAML besides the codes (as the report and the list show them)
SEVERITY_ALIASES = {"严重": "critical", "较重": "major", "一般": "minor",
                    "critical": "critical", "major": "major", "minor": "minor"}


class RuleBase(Strict):
    id: str = Field(pattern=RULE_ID_PATTERN)
    title: str
    dataset: str
    section: str | None = None
    where: str | None = None
    severity: Literal["critical", "major", "minor"] = "major"
    points: float = Field(default=0, ge=0, le=MAX_POINTS)
    scoring: Scoring = "proportional"
    basis: Basis | None = None
    description: str | None = None
    enabled: bool = True
    join: Join | None = None
    #: 单项否决: when this rule fails, the grade is the lowest band (DESIGN §7)
    veto: bool = False
    #: 加分项: its points are not in ``possible``; what it earns goes to ``score.bonus`` (DESIGN §7)
    bonus: bool = False

    # thresholds; kinds that take none forbid them in their own model
    min: float | None = None
    max: float | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity_words(cls, v):
        """严重 / 较重 / 一般 (the words the report shows) name critical / major / minor."""
        return SEVERITY_ALIASES.get(match_key(v), v) if isinstance(v, str) else v

    def named_fields(self) -> list[tuple[str, str]]:
        """(key path, field) of every dataset field the rule's own keys name (not its expressions)."""
        return []

    @property
    def fields_used(self) -> list[str]:
        """Dataset fields named directly by the rule's keys (not by expressions)."""
        return [name for _, name in self.named_fields()]

    @property
    def expressions(self) -> dict[str, str]:
        out = {}
        if self.where:
            out["where"] = self.where
        return out


def _rate_threshold(value: float | None, name: str) -> float | None:
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"'{name}' is a rate between 0 and 1 (write 0.9 for 90%), got {value}")
    return value


class RateRule(RuleBase):
    #: the warn tier (DESIGN §6): a rate within the bounds but below ``warn`` (for ``min``) or
    #: above it (for ``max``) has status ``warn``; it scores as a pass
    warn: float | None = Field(default=None, description=(
        "预警线 Early-warning rate (a fraction): a rule that passes its min (max) but whose rate is "
        "below (above) this has status warn, scored as a pass. Must lie within the bound it tightens."))

    @field_validator("min", "max", "warn")
    @classmethod
    def _fraction(cls, v, info):
        return _rate_threshold(v, info.field_name)

    @model_validator(mode="after")
    def _warn_within_bounds(self) -> "RateRule":
        if self.warn is None:
            return self
        if self.min is None and self.max is None:
            raise ValueError("'warn' tightens 'min' or 'max': give one of them too")
        if self.min is not None and self.max is not None:
            # with both bounds one warn line is ambiguous (which bound does it tighten?)
            raise ValueError("'warn' is for a rule with only 'min' or only 'max' "
                             "(with both, which bound it tightens is ambiguous)")
        if self.min is not None and self.warn < self.min:
            raise ValueError(f"'warn' ({self.warn}) must not be below 'min' ({self.min}): "
                             "it warns before the rule fails")
        if self.max is not None and self.warn > self.max:
            raise ValueError(f"'warn' ({self.warn}) must not be above 'max' ({self.max}): "
                             "it warns before the rule fails")
        return self

    def warn_bound(self) -> tuple[float | None, float | None]:
        """The warn line as bounds (lower, upper): the rates below (above) which a passing rule warns."""
        if self.warn is None:
            return None, None
        return (self.warn, None) if self.min is not None else (None, self.warn)


class Limit(Strict):
    working_days: int | None = Field(default=None, ge=0, le=MAX_LIMIT_DAYS)
    calendar_days: int | None = Field(default=None, ge=0, le=MAX_LIMIT_DAYS)

    @model_validator(mode="after")
    def _one(self) -> "Limit":
        if (self.working_days is None) == (self.calendar_days is None):
            raise ValueError("a limit gives exactly one of working_days or calendar_days")
        return self

    @property
    def days(self) -> int:
        return self.working_days if self.working_days is not None else self.calendar_days  # type: ignore[return-value]


class Extension(Limit):
    when: str


class Pause(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str


class Waiver(Strict):
    rule: str
    key: str
    reason: str
    approved_by: str | None = None
    expires: dt.date | None = None

    @field_validator("expires")
    @classmethod
    def _in_range(cls, v: dt.date | None) -> dt.date | None:
        return check_year(v, "expires")

    @field_validator("key", mode="before")
    @classmethod
    def _key_text(cls, v):
        return str(v) if isinstance(v, (int, float)) else v


