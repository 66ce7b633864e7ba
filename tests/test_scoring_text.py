"""The scoring text ``explain`` and the report show says what ``scoring.awarded_points`` awards.

Every scoring mode (proportional with min, with max, with both, with none; all or
nothing; deductions with and without a cap) is rendered for rules of each kind, the
formula in the text is read back (in English and in Chinese) and evaluated at a few
rates and violation counts, and the result is compared with the points the rule scores.
"""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter

from disclosure_rules.explain import scoring_text
from disclosure_rules.kinds import Rule
from disclosure_rules.kinds import REGISTRY
from disclosure_rules.scoring import awarded_points, status_of

RULE = TypeAdapter(Rule)
RATES = [0.0, 0.3, 0.55, 0.8, 0.9, 0.95, 1.0]
VIOLATIONS = [0, 1, 3, 12]

KIND_KEYS = {
    "required": {"fields": ["a"]},
    "condition": {"expect": "present(a)"},
    "ratio": {"expect": "present(a)"},
    "deadline": {"start": "a", "end": "b", "limit": {"working_days": 20}},
    "unique": {"fields": ["a"]},
    "sequence": {"fields": ["a", "b"]},
    "count": {"per": "a"},
}
#: the bounds each kind may take (a count rule's are row counts)
BOUNDS = {
    "required": [{}, {"min": 0.9}],
    "condition": [{}, {"min": 0.6}],
    "deadline": [{}, {"min": 0.95}],
    "ratio": [{"min": 0.9}, {"max": 0.2}, {"min": 0.6, "max": 0.8}, {"min": 0.0, "max": 1.0}],
    "unique": [{}],
    "sequence": [{}],
    "count": [{"min": 1}, {"max": 3}, {"min": 1, "max": 3}],
}
SCORINGS = ["proportional", "all_or_nothing", {"deduct": 1}, {"deduct": 2, "max": 5}, {"deduct": 3, "max": 40}]


def _rules():
    for kind, keys in KIND_KEYS.items():
        for bounds in BOUNDS[kind]:
            for scoring in SCORINGS:
                if kind == "ratio" and "max" in bounds and isinstance(scoring, dict):
                    continue  # refused at load: deducting under a max would reward failing
                yield RULE.validate_python({"id": "R-1", "title": "t", "dataset": "d", "kind": kind,
                                            "points": 10, "scoring": scoring, **keys, **bounds})


CASES = list(_rules())

#: the words of the formula in each language
WORDS = {
    "en": {"rate": r"pass rate|share of groups in bounds", "upto": r" while the pass rate is at most ([\d.]+)%",
           "above": r" when the pass rate is above ([\d.]+)%", "undecided": "full points while no record is decided yet",
           "prop": "proportional: ", "sep": ", ",
           "all": r"all or nothing: ([\d.]+) points if it passes, otherwise 0",
           "deduct": r"deductions: ([\d.]+) points, minus ([\d.]+) per violation, at most ([\d.]+) deducted",
           "end": "; "},
    "zh": {"rate": r"达标率|达标组比例", "upto": r"\(达标率不高于([\d.]+)%时\)", "above": r"\(达标率高于([\d.]+)%时\)",
           "undecided": "尚无已到期的记录时得满分", "prop": "按比例计分:", "sep": ",",
           "all": r"达标得分:通过得([\d.]+)分,否则得0分",
           "deduct": r"扣分制:满分([\d.]+)分,每条违规扣([\d.]+)分,最多扣([\d.]+)分", "end": ";"},
}


def _evaluate(text: str, lang: str, rate: float | None, passed: bool, violations: int) -> float:
    """The points the scoring text promises, read from the text alone."""
    w = WORDS[lang]
    how = text.split(w["end"])[0]
    if m := re.fullmatch(w["all"], how):
        return float(m[1]) if passed else 0.0
    if m := re.fullmatch(w["deduct"], how):
        points, each, cap = map(float, m.groups())
        return max(0.0, points - min(cap, each * violations))
    assert how.startswith(w["prop"]), text
    pieces = re.split(re.escape(w["sep"]) + r"(?=\d|" + w["undecided"] + ")", how[len(w["prop"]):])
    for piece in pieces:
        if piece == w["undecided"]:
            continue
        upto, above = re.search(w["upto"], piece), re.search(w["above"], piece)
        if upto and rate > float(upto[1]) / 100 + 1e-12 or above and rate <= float(above[1]) / 100 + 1e-12:
            continue
        formula = re.sub(w["upto"] + "|" + w["above"], "", piece)
        formula = re.sub(w["rate"], "r", formula)
        formula = re.sub(r"([\d.]+)%", r"(\1/100)", formula)
        formula = formula.replace("×", "*").replace("÷", "/").replace("−", "-")
        assert re.fullmatch(r"[\d.r()*/+\- ,min]+", formula), (text, formula)
        return float(eval(formula, {"__builtins__": {}}, {"r": rate, "min": min}))  # noqa: S307 - digits and r only
    raise AssertionError(f"no piece of {text!r} applies at rate {rate}")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("rule", CASES, ids=lambda r: f"{r.kind}-{r.min}-{r.max}-{r.scoring}")
def test_scoring_text_says_what_the_rule_scores(rule, lang):
    """The formula in a rule's scoring text gives the points the rule is awarded, at every rate."""
    text = scoring_text(rule, lang)
    for rate in RATES:
        for violations in VIOLATIONS:
            bounds = REGISTRY[rule.kind].bounds(rule)
            status = status_of(bounds, violations, rate)
            expected = awarded_points(rule.points, rule.scoring, bounds, status, violations, rate)
            assert _evaluate(text, lang, rate, status == "pass", violations) == pytest.approx(expected), \
                (text, rate, violations)


def test_a_max_only_ratio_rule_does_not_promise_points_times_the_rate():
    """A ratio rule with only a max scores full points within it, and its text says so (DESIGN §7)."""
    rule = RULE.validate_python({"id": "R-1", "title": "t", "dataset": "d", "kind": "ratio", "expect": "present(a)",
                                 "max": 0.2, "points": 10})
    text = scoring_text(rule, "en")
    assert "10 × pass rate" not in text
    assert text.startswith("proportional: 10 while the pass rate is at most 20%, "
                           "10 × (1 − pass rate) ÷ (1 − 20%) when the pass rate is above 20%;")
