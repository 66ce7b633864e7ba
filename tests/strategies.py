"""Hypothesis strategies shared by the scoring tests (one module, as in attrs' tests/strategies.py).

Two families:

* rules and their counts, for the pure functions of ``disclosure_rules.scoring``:
  real pydantic rule models of every kind and scoring method, with the population,
  violations and pending counts the engine would hand to the scorer;
* a small generated ledger for a small in-memory rulebook (``LEDGER_BOOK``), for
  properties that go through the real engine. Every rule of that book can be made
  to fail on one more row by a known edit of that row (``flip``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from hypothesis import strategies as st

from disclosure_rules.kinds.condition import ConditionRule
from disclosure_rules.kinds.count import CountRule
from disclosure_rules.kinds.deadline import DeadlineRule
from disclosure_rules.kinds.ratio import RatioRule
from disclosure_rules.kinds.required import RequiredRule
from disclosure_rules.kinds.sequence import SequenceRule
from disclosure_rules.kinds.unique import UniqueRule
from disclosure_rules.models import Deduct, Grade

# --------------------------------------------------------------------------- pure scoring

points = st.sampled_from([0, 1, 2, 2.5, 5, 8, 10, 20])
rates = st.sampled_from([0.0, 0.25, 0.5, 0.6, 0.9, 0.95, 1.0])
scorings = st.one_of(
    st.sampled_from(["proportional", "all_or_nothing"]),
    st.builds(Deduct, deduct=st.sampled_from([0.5, 1, 2, 3]),
              max=st.one_of(st.none(), st.sampled_from([0, 1, 4, 6, 30]))),
)

_COMMON = dict(title="t", dataset="d")


@st.composite
def rules(draw, kinds=("required", "condition", "ratio", "deadline", "unique", "sequence", "count"),
          ratio_bounds=("min", "max", "both")):
    """A validated rule model of one of ``kinds``; ratio rules get ``ratio_bounds`` thresholds."""
    kind = draw(st.sampled_from(kinds))
    common = dict(_COMMON, id="R-" + kind.upper(), kind=kind, points=draw(points), scoring=draw(scorings))
    rate_min = draw(st.one_of(st.none(), rates))
    if kind == "required":
        return RequiredRule(fields=["x"], min=rate_min, **common)
    if kind == "condition":
        return ConditionRule(expect="x", min=rate_min, **common)
    if kind == "deadline":
        return DeadlineRule(start="s", end="e", limit={"working_days": 20}, min=rate_min, **common)
    if kind == "unique":
        return UniqueRule(fields=["x"], **common)
    if kind == "sequence":
        return SequenceRule(fields=["x", "y"], **common)
    if kind == "count":
        return CountRule(min=draw(st.sampled_from([1, 4])), per=draw(st.sampled_from([None, "x"])), **common)
    bounds = draw(st.sampled_from(ratio_bounds))
    low = draw(rates) if bounds in ("min", "both") else None
    high = draw(rates) if bounds in ("max", "both") else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    if high is not None and isinstance(common["scoring"], Deduct):
        common["scoring"] = "proportional"  # a max-bound ratio rule refuses deduct (see kinds.ratio.RatioRule)
    return RatioRule(expect="x", min=low, max=high, **common)


@dataclass(frozen=True)
class Counts:
    """What the engine hands the scorer for one rule (``passed`` is the rest)."""

    population: int
    violations: int
    pending: int

    @property
    def passed(self) -> int:
        return self.population - self.violations - self.pending


@st.composite
def counts(draw, min_population: int = 0, max_population: int = 40):
    population = draw(st.integers(min_population, max_population))
    violations = draw(st.integers(0, population))
    pending = draw(st.integers(0, population - violations))
    return Counts(population, violations, pending)


def pending_for(rule) -> bool:
    """Only deadline rules have pending rows."""
    return rule.kind == "deadline"


@st.composite
def rules_with_counts(draw, min_population: int = 0, **rule_options):
    """(rule, counts) with pending rows only where the kind has them."""
    rule = draw(rules(**rule_options))
    c = draw(counts(min_population=min_population))
    if not pending_for(rule):
        c = Counts(c.population, c.violations, 0)
    return rule, c


@st.composite
def grade_bands(draw):
    """Bands as a rulebook allows them: distinct mins from highest to lowest, the last one 0."""
    mins = draw(st.lists(st.integers(1, 100), unique=True, max_size=5))
    mins = sorted(mins, reverse=True) + [0]
    return [Grade(min=m, label=f"G{i}") for i, m in enumerate(mins)]


percents = st.one_of(st.floats(0, 100, allow_nan=False), st.integers(0, 100).map(float))

# --------------------------------------------------------------------------- engine ledger

AS_OF = "2021-12-31"
DEPARTMENTS = ["办公室", "外贸处", "外资处"]
RECEIVED = [dt.date(2021, 3, 1), dt.date(2021, 6, 7), dt.date(2021, 9, 28), dt.date(2021, 11, 15)]
LIMIT_WORKDAYS = 5


def ledger_book_dict(rule_order: list[int] | None = None) -> dict:
    """A small rulebook over one dataset, with every scoring method; rules in ``rule_order``."""
    items = "items"
    rules_ = [
        {"id": "R-REQ", "title": "备注必填", "dataset": items, "kind": "required", "fields": ["note"],
         "points": 10, "section": "A"},
        {"id": "R-AON", "title": "a 为是", "dataset": items, "kind": "condition", "expect": "a",
         "points": 5, "scoring": "all_or_nothing", "min": 0.5, "section": "A"},
        {"id": "R-RATIO", "title": "b 比例", "dataset": items, "kind": "ratio", "expect": "b",
         "min": 0.6, "points": 7, "section": "B"},
        {"id": "R-DED", "title": "a 扣分", "dataset": items, "kind": "condition", "expect": "a == True",
         "points": 8, "scoring": {"deduct": 3, "max": 6}, "section": "B"},
        {"id": "R-DL", "title": "5个工作日内答复", "dataset": items, "kind": "deadline",
         "start": "received_on", "end": "replied_on", "limit": {"working_days": LIMIT_WORKDAYS},
         "points": 9, "severity": "critical", "section": "B"},
        {"id": "R-NA", "title": "无人处室", "dataset": items, "kind": "condition",
         "where": "department == 'nobody'", "expect": "a", "points": 4},
        {"id": "R-ZERO", "title": "不计分", "dataset": items, "kind": "condition", "expect": "b"},
    ]
    if rule_order is not None:
        rules_ = [rules_[i] for i in rule_order]
    return {
        "rulebook": {"id": "ledger-test", "title": "测试", "period": {"start": "2021-01-01", "end": "2021-12-31"}},
        "sections": [{"id": "A", "title": "甲"}, {"id": "B", "title": "乙"}],
        "datasets": {items: {"key": "item_id", "department": "department", "fields": {
            "item_id": {"type": "string", "required": True, "aliases": ["编号"]},
            "department": {"type": "string", "aliases": ["处室"]},
            "note": {"type": "string", "aliases": ["备注"]},
            "a": {"type": "boolean"},
            "b": {"type": "boolean"},
            "received_on": {"type": "date", "aliases": ["收到日期"]},
            "replied_on": {"type": "date", "aliases": ["答复日期"]},
        }}},
        "rules": rules_,
    }


N_LEDGER_RULES = len(ledger_book_dict()["rules"])
OPTIONAL_COLUMNS = ["note", "a", "b", "replied_on"]


@st.composite
def ledger_rows(draw):
    """One ledger row; ``reply_days`` None is a request still open (overdue by the as-of date)."""
    received = draw(st.sampled_from(RECEIVED))
    reply_days = draw(st.sampled_from([0, 1, 2, 3, 40, None]))
    return {
        "department": draw(st.sampled_from(DEPARTMENTS)),
        "note": draw(st.sampled_from(["已办结", None])),
        "a": draw(st.booleans()),
        "b": draw(st.booleans()),
        "received_on": pd.Timestamp(received),
        "replied_on": None if reply_days is None else pd.Timestamp(received + dt.timedelta(days=reply_days)),
    }


def ledger_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as the DataFrame an analyst would pass to ``audit``."""
    frame = pd.DataFrame(rows, columns=["department", "note", "a", "b", "received_on", "replied_on"])
    frame.insert(0, "item_id", [f"ID-{i:03d}" for i in range(len(rows))])
    frame["received_on"] = pd.to_datetime(frame["received_on"])
    frame["replied_on"] = pd.to_datetime(frame["replied_on"])
    return frame


ledgers = st.lists(ledger_rows(), min_size=0, max_size=12).map(ledger_frame)
nonempty_ledgers = st.lists(ledger_rows(), min_size=1, max_size=12).map(ledger_frame)

FLIPPABLE = ("R-REQ", "R-AON", "R-RATIO", "R-DL")
# R-DED reads the same field as R-AON, so flipping ``a`` makes one more violation in both
FLIP_AFFECTS = {"R-REQ": ["R-REQ"], "R-AON": ["R-AON", "R-DED"], "R-RATIO": ["R-RATIO"], "R-DL": ["R-DL"]}


def passes_now(frame: pd.DataFrame, rule_id: str, i: int) -> bool:
    """Whether row ``i`` currently passes rule ``rule_id`` of the ledger book."""
    row = frame.iloc[i]
    if rule_id == "R-REQ":
        return pd.notna(row["note"])
    if rule_id == "R-AON":
        return bool(row["a"])
    if rule_id == "R-RATIO":
        return bool(row["b"])
    if rule_id == "R-DL":
        return pd.notna(row["replied_on"]) and (row["replied_on"] - row["received_on"]).days <= 3
    raise KeyError(rule_id)


def flip(frame: pd.DataFrame, rule_id: str, i: int) -> pd.DataFrame:
    """A copy of ``frame`` where row ``i`` violates ``rule_id`` (and nothing else changes)."""
    out = frame.copy()
    column = out.columns.get_loc
    if rule_id == "R-REQ":
        out.iloc[i, column("note")] = None
    elif rule_id == "R-AON":
        out.iloc[i, column("a")] = False
    elif rule_id == "R-RATIO":
        out.iloc[i, column("b")] = False
    elif rule_id == "R-DL":
        out.iloc[i, column("replied_on")] = out.iloc[i, column("received_on")] + pd.Timedelta(days=40)
    else:
        raise KeyError(rule_id)
    return out
