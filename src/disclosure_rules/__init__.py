"""disclosure-rules: audit government-information-disclosure ledgers against a yearly plan.

    from disclosure_rules import load_rulebook, audit
    book = load_rulebook("builtin:shanxi-commerce-2021")
    result = audit(book, {"documents": "docs.csv", "requests": "reqs.xlsx"}, as_of="2021-12-31")
    result.percent, result.grade, result.findings
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DatasetError, DisclosureRulesError, Problem, RulebookError  # noqa: E402


def load_rulebook(source="builtin:shanxi-commerce-2021"):
    """Load and validate a rulebook from a path or ``builtin:<id>``."""
    from .rulebook import load_rulebook as _load

    return _load(source)


def audit(book, data, *, as_of=None, waivers=None, progress=None, previous=None, unit=None):
    """Audit ledgers against a rulebook; see :func:`disclosure_rules.engine.audit`."""
    from .engine import audit as _audit

    return _audit(book, data, as_of=as_of, waivers=waivers, progress=progress, previous=previous, unit=unit)


def assess(book, units, *, as_of=None, waivers=None, previous=None, progress=None):
    """Audit many units against one rulebook and rank them; see :func:`disclosure_rules.assessment.assess`."""
    from .assessment import assess as _assess

    return _assess(book, units, as_of=as_of, waivers=waivers, previous=previous, progress=progress)


def compare(old, new):
    """What changed between two results or two assessments; see :func:`disclosure_rules.comparison.compare`."""
    from .comparison import compare as _compare

    return _compare(old, new)


def diff(old_book, new_book):
    """What next year's plan changed; see :func:`disclosure_rules.plandiff.diff`."""
    from .plandiff import diff as _diff

    return _diff(old_book, new_book)


def __getattr__(name):  # heavy modules (pandas) load only when used
    if name == "AuditResult":
        from .results import AuditResult

        return AuditResult
    if name == "RuleResult":
        from .results import RuleResult

        return RuleResult
    if name == "Rulebook":
        from .book import Rulebook

        return Rulebook
    raise AttributeError(name)


__all__ = ["load_rulebook", "audit", "assess", "compare", "diff", "AuditResult", "RuleResult", "Rulebook", "DisclosureRulesError",
           "RulebookError", "DatasetError", "Problem", "__version__"]
