"""Scoring (DESIGN §7): hypothesis properties of the pure functions and of the engine.

The pure functions are composed exactly as the engine composes them (``score_rule``
below mirrors ``engine._score``); the engine properties run the real ``audit`` on a
small generated ledger (tests/strategies.py) of a small rulebook with every scoring
method.

A ``ratio`` rule's "violations" are the rows where ``expect`` is not true; with a
``max`` bound those are the rows that keep the rate *down*, so "one more violation
never raises the score" is stated for min-bound ratio rules, and its mirror image for
max-bound ones.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from disclosure_rules.engine import audit
from disclosure_rules.kinds.condition import ConditionRule
from disclosure_rules.models import Deduct
from disclosure_rules.rulebook import rulebook_from_dict
from disclosure_rules.kinds import REGISTRY
from disclosure_rules.scoring import (
    awarded_points,
    coverage_of,
    grade_of,
    percent_of,
    rate_of,
    status_of,
)

from strategies import (  # tests/ is on sys.path (pytest rootdir insertion)
    AS_OF,
    FLIP_AFFECTS,
    FLIPPABLE,
    N_LEDGER_RULES,
    OPTIONAL_COLUMNS,
    Counts,
    flip,
    grade_bands,
    ledger_book_dict,
    ledgers,
    nonempty_ledgers,
    passes_now,
    percents,
    rules,
    rules_with_counts,
)

TOLERANCE = 1e-9
ENGINE = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOT_RATIO_MAX = dict(ratio_bounds=("min",))


# --------------------------------------------------------------------------- helpers

def score_rule(rule, c: Counts) -> tuple[str, float, float]:
    """(status, awarded, possible) of a rule with these counts, as the engine scores it."""
    if c.population == 0:
        return "not_applicable", 0.0, 0.0
    rate = rate_of(c.passed, c.population - c.pending)
    bounds = REGISTRY[rule.kind].bounds(rule)
    status = status_of(bounds, c.violations, rate)
    return status, awarded_points(rule.points, rule.scoring, bounds, status, c.violations, rate), float(rule.points)


def overall(scored: list[tuple]) -> tuple[float | None, float]:
    """(percent, possible) over (rule, counts) pairs, with status pass/fail only."""
    awarded = possible = 0.0
    for rule, c in scored:
        status, a, p = score_rule(rule, c)
        if status in ("pass", "fail"):
            awarded += a
            possible += p
    return percent_of(awarded, possible), possible


def one_more_violation(c: Counts, source: str) -> Counts:
    """Turn one passed (or pending) row into a violation, or add a violating row."""
    if source == "passed":
        return Counts(c.population, c.violations + 1, c.pending)
    if source == "pending":
        return Counts(c.population, c.violations + 1, c.pending - 1)
    return Counts(c.population + 1, c.violations + 1, c.pending)


def can_take(c: Counts, source: str) -> bool:
    if source == "passed":
        return c.passed > 0
    if source == "pending":
        return c.pending > 0
    return c.population > 0  # a violating row added to an empty population is a new rule in play


def rules_from(scoring, min_rate=None) -> ConditionRule:
    """A 10-point condition rule with this scoring."""
    return ConditionRule(id="R-1", title="t", dataset="d", kind="condition", expect="x", points=10,
                         scoring=scoring, min=min_rate)


sources = st.sampled_from(["passed", "pending", "added"])


def run(frame, order=None, drop=()):
    """The real engine on a generated ledger of the ledger book."""
    book = rulebook_from_dict(ledger_book_dict(order))
    return audit(book, {"items": frame.drop(columns=list(drop))}, as_of=AS_OF)


# --------------------------------------------------------------------------- bounds

@given(rules_with_counts())
def test_rule_points_stay_between_zero_and_possible(pair):
    """A rule never earns less than 0 or more than its points."""
    rule, c = pair
    _, awarded, possible = score_rule(rule, c)
    assert 0.0 <= awarded <= possible + TOLERANCE


@given(st.lists(rules_with_counts(), max_size=8))
def test_percent_is_within_0_and_100(pairs):
    """The overall percent is None (nothing scored) or within [0, 100]."""
    percent, possible = overall(pairs)
    if possible == 0:
        assert percent is None
    else:
        assert 0.0 <= percent <= 100.0 + TOLERANCE


@given(ledgers, st.sets(st.sampled_from(OPTIONAL_COLUMNS)))
@ENGINE
def test_engine_score_is_within_bounds(frame, dropped):
    """Through the engine: percent in [0, 100], coverage in [0, 1], every rule within its points."""
    result = run(frame, drop=dropped)
    assert result.percent is None or 0.0 <= result.percent <= 100.0 + TOLERANCE
    assert 0.0 <= result.coverage <= 1.0 + TOLERANCE
    for r in result.rules:
        assert 0.0 <= r.awarded <= r.possible + TOLERANCE
        assert r.rate is None or 0.0 <= r.rate <= 1.0
    data = result.to_dict()
    assert data["score"]["percent"] is None or 0 <= data["score"]["percent"] <= 100


# --------------------------------------------------------------------------- all passing

@given(st.lists(rules(**NOT_RATIO_MAX), min_size=1, max_size=8), st.data())
def test_no_violations_gives_100(rule_list, data):
    """Every rule with a population and no violations: every rule passes with full points, percent 100."""
    pairs = []
    for rule in rule_list:
        population = data.draw(st.integers(1, 30))
        pending = data.draw(st.integers(0, population)) if rule.kind == "deadline" else 0
        pairs.append((rule, Counts(population, 0, pending)))
    for rule, c in pairs:
        status, awarded, possible = score_rule(rule, c)
        assert status == "pass"
        assert awarded == pytest.approx(possible)
    percent, possible = overall(pairs)
    if possible > 0:
        assert percent == pytest.approx(100.0)


@given(rules_with_counts(min_population=1))
def test_a_passing_rule_without_deduct_scores_full_points(pair):
    """A pass earns all the points under proportional and all_or_nothing scoring."""
    rule, c = pair
    assume(not isinstance(rule.scoring, Deduct))
    status, awarded, possible = score_rule(rule, c)
    if status == "pass":
        assert awarded == pytest.approx(possible)


@given(nonempty_ledgers)
@ENGINE
def test_engine_all_rows_passing_gives_100(frame):
    """A ledger where every row passes every rule scores 100 with the top grade."""
    frame = frame.assign(note="已办结", a=True, b=True,
                         replied_on=frame["received_on"] + pd.Timedelta(days=1))
    result = run(frame)
    assert {r.status for r in result.rules} <= {"pass", "not_applicable"}
    assert result.percent == pytest.approx(100.0)
    assert result.grade == "优秀"
    assert result.findings.empty


# --------------------------------------------------------------------------- monotonicity

@given(rules_with_counts(**NOT_RATIO_MAX), sources)
def test_one_more_violation_never_raises_a_rule_score(pair, source):
    """Rule level, every kind and scoring method: one more violation never raises the points."""
    rule, c = pair
    assume(can_take(c, source))
    status_before, before, possible_before = score_rule(rule, c)
    status_after, after, possible_after = score_rule(rule, one_more_violation(c, source))
    assert after <= before + TOLERANCE
    assert possible_after == possible_before
    if status_before == "fail":
        assert status_after == "fail"


@given(rules_with_counts(kinds=("ratio",), ratio_bounds=("max",)))
def test_max_ratio_one_more_matching_row_never_raises_the_score(pair):
    """Mirror image for a max-bound ratio: one more row where ``expect`` holds never raises the points."""
    rule, c = pair
    assume(c.violations > 0 and not isinstance(rule.scoring, Deduct))
    _, before, _ = score_rule(rule, c)
    _, after, _ = score_rule(rule, Counts(c.population, c.violations - 1, c.pending))
    assert after <= before + TOLERANCE



def test_max_ratio_rule_refuses_deduct_scoring():
    """Deduct counts rows where expect is not true, which a max-bound ratio rule allows: so a
    failing rule could out-score a passing one. The rulebook refuses that combination at load time."""
    from pydantic import ValidationError

    from disclosure_rules.kinds.ratio import RatioRule

    with pytest.raises(ValidationError, match="cannot use deduct scoring"):
        RatioRule(id="R-MAX", title="t", dataset="d", kind="ratio", expect="refused", max=0.1,
                  points=10, scoring={"deduct": 1})


@given(st.lists(rules_with_counts(**NOT_RATIO_MAX), min_size=1, max_size=8), st.data(), sources)
def test_one_more_violation_never_raises_the_overall_percent(pairs, data, source):
    """Overall level: one more violation in any one rule never raises the percent."""
    index = data.draw(st.integers(0, len(pairs) - 1))
    rule, c = pairs[index]
    assume(can_take(c, source))
    before, _ = overall(pairs)
    changed = list(pairs)
    changed[index] = (rule, one_more_violation(c, source))
    after, _ = overall(changed)
    assume(before is not None)
    assert after <= before + TOLERANCE


@pytest.mark.parametrize("scoring", ["proportional", "all_or_nothing", {"deduct": 2}, {"deduct": 1, "max": 3}])
def test_each_scoring_method_decreases_step_by_step(scoring):
    """Walk a condition rule with min 0.8 from 0 to 10 violations of 10: points never go up."""
    rule = rules_from(scoring, min_rate=0.8)
    scores = [score_rule(rule, Counts(10, v, 0))[1] for v in range(11)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 10.0


@given(nonempty_ledgers, st.data())
@ENGINE
def test_engine_flipping_one_more_row_never_raises_a_score(frame, data):
    """Through the engine: one more violating row never raises the rule's points, the percent
    or the row's division percent (proportional, all_or_nothing, deduct and deadline rules)."""
    rule_id = data.draw(st.sampled_from(FLIPPABLE))
    candidates = [i for i in range(len(frame)) if passes_now(frame, rule_id, i)]
    assume(candidates)
    i = data.draw(st.sampled_from(candidates))
    before = run(frame)
    after = run(flip(frame, rule_id, i))

    for affected in FLIP_AFFECTS[rule_id]:
        b, a = before.rule(affected), after.rule(affected)
        assert a.violations == b.violations + 1
        assert a.awarded <= b.awarded + TOLERANCE
        assert a.possible == b.possible
    for r in before.rules:
        if r.id not in FLIP_AFFECTS[rule_id] and r.id != "R-ZERO":
            assert after.rule(r.id).awarded == pytest.approx(r.awarded)
    assert after.percent <= before.percent + TOLERANCE

    department = frame.iloc[i]["department"]
    dept_before = before.departments.set_index("department").loc[department, "percent"]
    dept_after = after.departments.set_index("department").loc[department, "percent"]
    assert dept_after <= dept_before + TOLERANCE


# --------------------------------------------------------------------------- order

@given(st.lists(rules_with_counts(), min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_rule_order_does_not_change_the_percent(pairs, rng):
    """Pure: shuffling the rules leaves the percent unchanged."""
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    before, _ = overall(pairs)
    after, _ = overall(shuffled)
    assert (before is None) == (after is None)
    if before is not None:
        assert after == pytest.approx(before, abs=1e-9)


@given(ledgers, st.permutations(range(N_LEDGER_RULES)))
@ENGINE
def test_engine_rule_order_does_not_change_the_result(frame, order):
    """Through the engine: the rulebook's rule order changes neither the percent, grade,
    coverage, section scores nor any rule's result."""
    before, after = run(frame), run(frame, order=list(order))
    assert (before.percent is None) == (after.percent is None)
    if before.percent is not None:
        assert after.percent == pytest.approx(before.percent, abs=1e-9)
    assert after.grade == before.grade
    assert after.coverage == pytest.approx(before.coverage)
    assert after.sections == before.sections
    for r in before.rules:
        assert after.rule(r.id).to_dict() == r.to_dict()


# --------------------------------------------------------------------------- coverage

@given(st.lists(st.tuples(rules_with_counts(), st.booleans()), max_size=8))
def test_coverage_is_possible_over_total_points(items):
    """coverage = possible / points of all enabled rules; not_assessed rules add to the total only."""
    assessed = [pair for pair, ok in items if ok]
    _, possible = overall(assessed)
    total = sum(float(rule.points) for (rule, _), _ in items)
    coverage = coverage_of(possible, total)
    if total == 0:
        assert coverage == 1.0
    else:
        assert coverage == pytest.approx(possible / total)
        assert 0.0 <= coverage <= 1.0 + TOLERANCE


@given(ledgers, st.sets(st.sampled_from(OPTIONAL_COLUMNS)))
@ENGINE
def test_engine_not_assessed_and_not_applicable_never_count(frame, dropped):
    """Through the engine: not_assessed / not_applicable rules have possible 0 and stay out of
    the percent; coverage is the points of assessed rules (not_applicable included) over all
    enabled points; strict_percent counts not_assessed points as possible and 0, and the
    grade comes from it when coverage is below the rulebook's min_coverage (1.0 here)."""
    result = run(frame, drop=dropped)
    book_points = sum(float(r["points"]) for r in ledger_book_dict()["rules"] if r.get("points"))
    scored = [r for r in result.rules if r.status in ("pass", "fail")]
    for r in result.rules:
        if r.status in ("not_assessed", "not_applicable"):
            assert r.possible == 0.0 and r.awarded == 0.0
    possible = sum(r.possible for r in scored)
    points = {r["id"]: float(r.get("points") or 0) for r in ledger_book_dict()["rules"]}
    covered = sum(points[r.id] for r in result.rules if r.status in ("pass", "fail", "not_applicable"))
    unassessed = sum(points[r.id] for r in result.rules if r.status == "not_assessed")
    assert result.possible == pytest.approx(possible)
    assert result.coverage == pytest.approx(covered / book_points)
    awarded = sum(r.awarded for r in scored)
    if possible:
        assert result.percent == pytest.approx(100 * awarded / possible)
    else:
        assert result.percent is None
    if possible + unassessed:
        assert result.strict_percent == pytest.approx(100 * awarded / (possible + unassessed))
    if unassessed:
        assert result.graded_on == "strict_percent"
        assert result.grade == grade_of(result.strict_percent, result.book.rulebook.grades)
    else:
        assert result.graded_on == "percent"
        assert result.grade == grade_of(result.percent, result.book.rulebook.grades)
    # a dropped column makes every rule that reads it not_assessed
    needs = {"note": ["R-REQ"], "a": ["R-AON", "R-DED", "R-NA"], "b": ["R-RATIO", "R-ZERO"], "replied_on": ["R-DL"]}
    for column in dropped:
        for rule_id in needs[column]:
            assert result.rule(rule_id).status == "not_assessed"
    assert result.rule("R-NA").status in ("not_applicable", "not_assessed")


def test_leaving_data_out_lowers_coverage_not_hidden():
    """Dropping a column that has violations may raise the percent, but coverage shows it."""
    frame = pd.DataFrame({"item_id": ["1", "2"], "department": ["办公室", "办公室"], "note": [None, None],
                          "a": [True, True], "b": [True, True],
                          "received_on": pd.to_datetime(["2021-03-01"] * 2),
                          "replied_on": pd.to_datetime(["2021-03-02"] * 2)})
    full, partial = run(frame), run(frame, drop=["note"])
    assert partial.percent > full.percent
    assert partial.coverage < full.coverage


# --------------------------------------------------------------------------- grades

@given(percents, grade_bands())
def test_grade_is_the_first_band_whose_min_is_reached(percent, bands):
    """The grade is the label of the first band (highest first) whose min <= percent."""
    expected = next(b.label for b in bands if percent >= b.min)
    assert grade_of(percent, bands) == expected


@given(grade_bands())
def test_band_edges_belong_to_the_band(bands):
    """A percent exactly on a band's min gets that band; just below gets the next one."""
    for upper, lower in zip(bands, bands[1:]):
        assert grade_of(float(upper.min), bands) == upper.label
        assert grade_of(upper.min - 0.01, bands) == lower.label
    assert grade_of(None, bands) is None


@given(ledgers)
@ENGINE
def test_engine_grade_follows_the_bands(frame):
    """Through the engine: the grade is the band of the percent in the rulebook's grades."""
    result = run(frame)
    grades = result.book.rulebook.grades
    assert result.grade == grade_of(result.percent, grades)
    if result.percent is not None:
        assert result.grade == next(g.label for g in grades if result.percent >= g.min)


def test_rate_and_percent_of_nothing_are_none():
    """Nothing decided has no rate; nothing possible has no percent."""
    assert rate_of(0, 0) is None
    assert percent_of(0.0, 0.0) is None
    assert coverage_of(0.0, 0.0) == 1.0

