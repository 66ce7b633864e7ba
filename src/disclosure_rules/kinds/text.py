"""Sentences several kinds share (a rule's outcome in words), in English and Chinese."""

from __future__ import annotations

from ..words import number_text, percent_text, word


def percent(rate) -> str:
    """A rate in a rule's summary: one decimal always (``90.0%``), ``n/a`` when nothing was decided."""
    return "n/a" if rate is None else percent_text(rate, fixed=True)


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


def bounds_text(rule, lang: str, as_rate: bool) -> str:
    """'at least 90% and at most 95%' of a rule's min/max (rates, or row counts)."""
    fmt = percent_text if as_rate else number_text
    parts = []
    if rule.min is not None:
        parts.append(word("describe_min", lang, v=fmt(rule.min)))
    if rule.max is not None:
        parts.append(word("describe_max", lang, v=fmt(rule.max)))
    return word("describe_and", lang).join(parts)
