"""Sentences several kinds share (a rule's outcome in words), in English and Chinese."""

from __future__ import annotations


def percent(rate) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def noun(rule) -> str:
    return {"documents": "documents", "requests": "requests"}.get(rule.dataset, "records")


def rows_failing(rule, result, lang: str) -> str:
    """'v of p records fail the check' (with the rate against ``min`` when the rule has one)."""
    p, v = result.population, result.violations
    if lang == "zh":
        out = f"{p}条中{v}条不符合要求"
        if rule.min is not None:
            out += f"（达标率{percent(result.rate)}，要求≥ {percent(rule.min)}）"
        return out
    out = f"{v} of {p} {noun(rule)} fail the check"
    if rule.min is not None:
        out += f" (rate {percent(result.rate)}, required >= {percent(rule.min)})"
    return out
