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
    """Load, merge and validate a rulebook (考核方案).

    Parameters
    ----------
    source : str or os.PathLike
        A YAML file (``rules/my-plan.yaml``) or ``"builtin:<id>"`` for a bundled rulebook
        (default: the 2021 Shanxi Commerce plan). A file may ``extends:`` another one; the
        parent is merged first (README, "Writing a rulebook").

    Returns
    -------
    Rulebook
        The validated rulebook: ``.rulebook`` (id, title, period, grades), ``.datasets``,
        ``.sections``, ``.rules``; ``.sha256`` identifies the files it came from.

    Raises
    ------
    RulebookError
        The file is not a valid rulebook; ``.problems`` lists each problem with file, line,
        column and message (an unknown key, a bad expression, a missing parent ...).
    """
    from .rulebook import load_rulebook as _load

    return _load(source)


def audit(book, data, *, as_of=None, waivers=None, progress=None, previous=None, unit=None, engine=None,
          engine_options=None):
    """Audit a unit's ledgers (台账) against a rulebook and return the result.

    Parameters
    ----------
    book : Rulebook, str or os.PathLike
        A rulebook from :func:`load_rulebook`, or what :func:`load_rulebook` takes.
    data : dict
        Dataset name (``"documents"``) or title (``"公文台账"``) -> the ledger: a path to a
        CSV / XLSX / XLS / ODS / Parquet file (``"ledger.xlsx#Sheet1"`` for one sheet), a
        pandas DataFrame with the ledger's own headers, an engine's table (a pyarrow Table, a
        DuckDB relation, a Spark or polars DataFrame), or a loaded dataset. A dataset left out makes
        its rules "not assessed" (README, "Ledgers as offices keep them").
    as_of : str, datetime.date or None
        The day the audit is as of: open items past their deadline on that day are overdue.
        ``"2021-12-31"``, ``"2021/12/31"`` or ``"2021年12月31日"``; default: the earlier of
        today and the plan period's end. An as-of far from the period warns.
    waivers : str, os.PathLike or list, optional
        Approved exceptions: a YAML file with a top-level ``waivers:`` list, or a list of
        ``{"rule", "key", "reason", "approved_by", "expires"}`` mappings.
    progress : callable, optional
        Called with a short text at each step (reading a ledger, each rule).
    previous : str, os.PathLike, dict or AuditResult, optional
        An earlier result, for the rules that compare with it (kind ``trend``).
    unit : str or dict, optional
        The audited unit (a name, or ``{"name", "code"}``), shown on every output.
    engine : str, SparkSession or DuckDB connection, optional
        What evaluates the rules: ``"pandas"`` (in memory), ``"duckdb"`` (embedded DuckDB,
        every core), ``"spark"`` (a local Spark session), or a SparkSession or DuckDB
        connection of your own; ``"auto"`` (the default) audits Spark DataFrames on their
        session and anything else on pandas. Every engine gives the same result (README,
        "Engines").
    engine_options : dict, optional
        DuckDB's settings: ``memory_limit`` (``"4GB"``; past it DuckDB spills to disk),
        ``temp_directory`` (where it spills) and ``threads``. With them ``"auto"`` is DuckDB.

    Returns
    -------
    AuditResult
        ``.percent``, ``.grade``, ``.coverage``; ``.rules`` (a list) and ``.rules_frame()``;
        ``.findings`` (a DataFrame, every finding, with the rule's title, section and status);
        ``.departments``; ``.due_frame()`` (open items by working days left);
        ``.data_issues`` and ``.data_issues_frame()``; ``.to_dict()``, ``.write_json()``,
        ``.write_html()``, ``.write_findings()`` (README, "Library").

    Raises
    ------
    RulebookError
        The rulebook is invalid.
    DatasetError
        A ledger cannot be read, lacks a required column, or names no dataset of the book.
    DisclosureRulesError
        Any other input problem (an as-of that is not a date ...). Problems inside the
        ledgers are never exceptions: they are findings and data issues in the result.
    """
    from .engine import audit as _audit

    return _audit(book, data, as_of=as_of, waivers=waivers, progress=progress, previous=previous, unit=unit,
                  engine=engine, engine_options=engine_options)


def annual_report(book, data, year=None, *, figures=None):
    """Tables 二, 三 and 四 of the annual report; see :func:`disclosure_rules.annual.annual_report`."""
    from .annual import annual_report as _annual_report

    return _annual_report(book, data, year, figures=figures)


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
    if name == "AnnualReport":
        from .annual import AnnualReport

        return AnnualReport
    if name == "Rulebook":
        from .book import Rulebook

        return Rulebook
    raise AttributeError(name)


__all__ = ["load_rulebook", "audit", "annual_report", "AnnualReport", "assess", "compare", "diff", "AuditResult", "RuleResult", "Rulebook", "DisclosureRulesError",
           "RulebookError", "DatasetError", "Problem", "__version__"]
