"""Audit results: typed per-rule results and the stable JSON of DESIGN §8.

Findings are kept per rule as arrays (positions, rows, keys, departments, details)
with a message builder; the findings DataFrame is assembled when first asked for,
and the JSON builds messages only for the findings it includes (at most
``json_findings`` per rule), so a million-row audit stays quick to write.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .atomic import write_atomic

FINDING_COLUMNS = ["rule", "dataset", "row", "sheet", "key", "department", "severity", "waived", "message",
                   "deadline", "end", "late_workdays", "position"]


@dataclass
class RuleResult:
    id: str
    title: str
    section: str | None
    dataset: str
    kind: str
    severity: str
    status: str
    population: int = 0
    passed: int = 0
    violations: int = 0
    pending: int = 0
    waived: int = 0
    rate: float | None = None
    threshold_min: float | None = None
    threshold_max: float | None = None
    awarded: float = 0.0
    possible: float = 0.0
    basis: dict | None = None
    message: str = ""
    message_zh: str = ""
    description: str | None = None
    fields: list[str] = field(default_factory=list)
    #: why a not_assessed rule could not be judged: (dataset, None) for a ledger not
    #: supplied, (dataset, field) for each column its file lacks
    missing: list[tuple[str, str | None]] = field(default_factory=list)
    #: figures the rule's summary quotes besides its counts (a kind's Verdict.facts)
    facts: dict = field(default_factory=dict)
    #: the warn line (DESIGN §6 warn tier), None without one
    threshold_warn: float | None = None
    #: deadline rules: how many rows have each light {"red", "yellow", "green"} (None otherwise)
    lights: dict | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "section": self.section, "dataset": self.dataset,
            "kind": self.kind, "severity": self.severity, "status": self.status,
            "population": int(self.population), "passed": int(self.passed),
            "violations": int(self.violations), "pending": int(self.pending), "waived": int(self.waived),
            "rate": _round(self.rate, 4),
            "threshold": {"min": self.threshold_min, "max": self.threshold_max, "warn": self.threshold_warn},
            "lights": dict(self.lights) if self.lights is not None else None,
            "awarded": _round(self.awarded, 2), "possible": _round(self.possible, 2),
            "basis": self.basis, "message": self.message,
        }


@dataclass
class FindingPart:
    """The findings of one rule, as plain data: aligned arrays, the values of the rule's fields
    at those rows, and the kind's details. Messages are made from these by the rule's kind,
    only for the findings written."""

    rule: Any                             # the rule (its pydantic model)
    dataset: str
    severity: str
    position: np.ndarray                  # int positions into the dataset frame (-1 for groups)
    row: np.ndarray                       # spreadsheet row numbers (object: int or None)
    key: np.ndarray                       # object: the key (a group's value for count rules), as shown
    department: np.ndarray                # object
    waived: np.ndarray                    # bool
    values: pd.DataFrame                  # typed values of the rule's fields at these rows
    specs: dict                           # field -> FieldSpec (joined fields included)
    headers: dict                         # field -> the header shown in messages
    details: dict                         # the kind's detail columns at these findings
    as_of: dt.date
    context: dict = field(default_factory=dict)    # per rule words for messages (the expectation)
    exported: tuple = ()                  # details carried into the findings frame
    sheet: np.ndarray | None = None       # object: the sheet of each finding's row (None: CSV, DataFrame, groups)
    #: lang -> the messages of every finding as (codes, texts): built once, on first use (the
    #: arrays above are not changed after the audit)
    _messages: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.position)

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def shown(self, name: str, idx: np.ndarray, lang: str) -> pd.Series:
        """The values of field ``name`` at findings ``idx`` as text (blank as (blank)/（空）)."""
        from .display import display_values
        from .words import word

        text = display_values(self.values[name].iloc[idx], self.specs[name], lang).reset_index(drop=True)
        return text.fillna(word("blank_value", lang)).astype(object)

    def messages(self, idx: np.ndarray, lang: str = "en") -> list[str]:
        if len(idx) == 0:
            return []
        codes, texts = self.message_codes(lang, idx)
        return texts[codes].tolist()

    def message_codes(self, lang: str = "en", idx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The messages of findings ``idx`` (every finding when None, kept for the next call) as
        ``(codes, texts)``: finding ``i``'s message is ``texts[codes[i]]``.

        A kind names what its messages are made of (``Kind.message_inputs``: the values of the
        rule's fields, the kind's details); the findings alike in all of them are phrased once,
        by one call of the kind's ``messages`` on one finding of each such group. That call sees
        the same distinct values as a call on every finding would, so the words are the same."""
        from .kinds import REGISTRY

        if idx is None and lang in self._messages:
            return self._messages[lang]
        at = np.arange(len(self)) if idx is None else np.asarray(idx)
        kind = REGISTRY[self.rule.kind]
        first, codes = self._alike(at, getattr(kind, "message_inputs", ()))
        texts = np.empty(len(first), dtype=object)
        if len(first):
            texts[:] = list(kind.messages(self, at[first], lang))
        if idx is None:
            self._messages[lang] = (codes, texts)
        return codes, texts

    def _alike(self, at: np.ndarray, inputs: tuple) -> tuple[np.ndarray, np.ndarray]:
        """``(first, codes)``: findings ``at`` grouped by their ``inputs`` ("values": the rule's
        fields, "details": the kind's detail columns, "key"): ``first`` the position in ``at``
        of one finding of each group, ``codes`` each finding's group. Without inputs (or with a
        value that cannot be compared) every finding is its own group."""
        n = len(at)
        columns = []
        if "values" in inputs:
            columns += [self.values[name].iloc[at] for name in self.values.columns]
        if "details" in inputs:
            columns += [self.details[name][at] for name in sorted(self.details)]
        if "key" in inputs:
            columns.append(self.key[at])
        if not columns or n < 2:
            return np.arange(n), np.arange(n)
        try:
            combined = np.zeros(n, dtype=np.int64)
            for column in columns:
                codes, size = _value_codes(column)
                if size * (int(combined.max()) + 1) >= 2 ** 62:  # keep the combined code in int64
                    combined = pd.factorize(combined)[0].astype(np.int64)
                combined = combined * size + codes
        except TypeError:  # a value that cannot be hashed: phrase each finding
            return np.arange(n), np.arange(n)
        _, first, codes = np.unique(combined, return_index=True, return_inverse=True)
        return first, codes.reshape(-1)

    def _message_objects(self, idx: np.ndarray, lang: str) -> np.ndarray:
        """The messages of findings ``idx`` as an object array (those of every finding when they
        are built already; a string object shared by the findings of one text)."""
        if not len(idx):
            return np.empty(0, dtype=object)
        # the messages of a subset are those of a call on that subset (as the JSON's first
        # findings per rule have always been phrased); every finding's are built once and kept
        full = len(idx) == len(self) and _covers(idx, len(self))  # every finding, in some order
        codes, texts = self.message_codes(lang) if full else self.message_codes(lang, idx)
        return texts[codes[idx]] if full else texts[codes]

    def frame(self, limit: int | None = None, lang: str = "en", idx: np.ndarray | None = None) -> pd.DataFrame:
        """The findings (the first ``limit``, or those at ``idx``) as a DataFrame."""
        from .kinds.base import filled

        if idx is None:
            count = len(self) if limit is None else min(limit, len(self))
            idx = np.arange(count)
        count = len(idx)
        nat = np.full(count, np.datetime64("NaT", "s"))

        def detail(name):
            return self.details[name][idx] if name in self.exported else None

        late = detail("late_workdays")
        return pd.DataFrame({
            "rule": filled(count, self.rule.id),
            "dataset": filled(count, self.dataset),
            "row": self.row[idx],
            "sheet": self.sheet[idx] if self.sheet is not None else np.full(count, None, dtype=object),
            "key": self.key[idx],
            "department": self.department[idx],
            "severity": filled(count, self.severity),
            "waived": self.waived[idx],
            "message": pd.Series(self._message_objects(idx, lang), dtype=object),
            "deadline": detail("deadline") if "deadline" in self.exported else nat,
            "end": detail("end") if "end" in self.exported else nat,
            "late_workdays": pd.array(late, dtype="Float64") if late is not None
            else pd.array([None] * count, dtype="Float64"),
            "position": self.position[idx],
        })


def _covers(idx: np.ndarray, n: int) -> bool:
    """Whether positions ``idx`` name each of ``0..n-1``."""
    seen = np.zeros(n, dtype=bool)
    seen[idx] = True
    return bool(seen.all())


def _value_codes(column) -> tuple[np.ndarray, int]:
    """``(codes, size)``: a column (Series or array) as integer codes ``0 <= code < size``, equal
    exactly where the values are (blanks one code of their own; floats by their bits, so that
    0.0 and -0.0 stay apart)."""
    values = column.array if isinstance(column, pd.Series) else column
    if isinstance(values, pd.Categorical) or isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        codes = np.asarray(values.codes, dtype=np.int64) + 1  # blank (-1) is 0
        return codes, len(values.categories) + 1
    if getattr(values, "dtype", None) is not None and values.dtype.kind == "f":
        if isinstance(values, np.ndarray):
            data, null = values.astype(np.float64), np.isnan(values)
        else:  # a masked float array (Float64)
            data = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
            null = np.asarray(pd.isna(values))
        bits = np.where(null, 0, np.ascontiguousarray(data).view(np.int64))
        codes, uniques = pd.factorize(bits)
        return np.where(null, 0, codes + 1).astype(np.int64), len(uniques) + 1
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64) + 1, len(uniques) + 1


@dataclass(eq=False)
class RowDetails:
    """What a rule's kind says of each row of its population (the deadline kind: the clock's
    start, the deadline, the reply, status, working days late, light and working days left),
    as the verdict gave them, with the rows' positions in the ledger and their row numbers and
    sheets. Their keys and divisions are the ledger's, taken for the rows asked for
    (:meth:`frame`): not a key's text and a division's name for every row, kept to the end of
    the audit (about 40 bytes a row)."""

    at: np.ndarray                   # the rows' positions in the ledger (int64)
    details: dict                    # name -> the detail at those rows (numpy), in the kind's order
    rows: np.ndarray                 # the spreadsheet row number of those rows (a copy)
    sheets: np.ndarray | None        # the sheet of those rows (a copy; None: a CSV, a DataFrame)
    keys: Any                        # verdict.Keys of the ledger (its column: pandas copies on write)
    divisions: Any = None            # engine._Divisions of the ledger (None: no division field)

    def __len__(self) -> int:
        return len(self.at)

    def column(self, name: str) -> np.ndarray:
        """Detail ``name`` of every row (numpy: NaN, NaT or None where blank)."""
        return self.details[name]

    def frame(self, idx: np.ndarray | None = None) -> pd.DataFrame:
        """The rows ``idx`` (positions in this table; None: every row) as a DataFrame: ``row``,
        ``key`` (text as the ledger holds it, NA where blank), ``department`` and ``sheet``
        (objects, None where blank), then each detail (a number as nullable Float64)."""
        if idx is None:
            idx = np.arange(len(self.at))
        idx = np.asarray(idx)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx.astype(np.int64, copy=False)  # a mask, or places
        at = self.at[idx]
        details = {name: column[idx] for name, column in self.details.items()}
        if self.divisions is not None:
            department = self.divisions.names_at(self.divisions.codes[at])
        else:
            department = np.full(len(at), None, dtype=object)
        sheet = self.sheets[idx] if self.sheets is not None else np.full(len(at), None, dtype=object)
        texts = {"department": department, "sheet": sheet}  # objects as they are, not Arrow strings
        return pd.DataFrame({
            "row": self.rows[idx], "key": self.keys.column_at(at),
            **{name: pd.Series(column, dtype=object, copy=False) for name, column in texts.items()},
            **{name: nullable(column) for name, column in details.items()}})


def nullable(column: np.ndarray):
    """A float column with NaN for blank as a nullable Float64 array; an object column stays
    objects (pandas would turn a million texts into Arrow strings); others as they are."""
    if column.dtype.kind == "f":
        return pd.array(column, dtype="Float64")
    return pd.Series(column, dtype=object, copy=False) if column.dtype == object else column


@dataclass
class AuditResult:
    """What :func:`disclosure_rules.audit` returns.

    Figures: ``percent``, ``strict_percent``, ``grade``, ``graded_on``, ``coverage``. Tables:
    ``rules`` (a list of RuleResult; ``rules_frame()`` as a DataFrame), ``sections``
    (``sections_frame()``), ``departments`` (a DataFrame of the divisions ranked),
    ``findings`` (a DataFrame, every finding), ``data_issues`` (``data_issues_frame()``),
    ``due_frame()`` (open items of the deadline rules by working days left). Outputs:
    ``to_dict()``, ``write_json()``, ``write_html()``, ``write_findings()``. Every table is
    plain data, easy to chart (README, "Library")."""

    book: Any
    as_of: dt.date
    data: dict                            # name -> LoadedDataset
    rules: list[RuleResult]
    sections: list[dict]
    departments: pd.DataFrame
    department_rules: pd.DataFrame
    parts: list[FindingPart]
    #: rule id -> the details of each row of its population (:class:`RowDetails`; the deadline rules')
    row_details: dict[str, RowDetails]
    data_issues: list[dict]
    warnings: list[str]
    awarded: float
    possible: float
    percent: float | None
    grade: str | None
    coverage: float
    #: the percent with every rule that could not be assessed counted as possible and 0 (DESIGN §7)
    strict_percent: float | None = None
    #: the possible points of strict_percent: possible plus the points of rules not assessed
    strict_possible: float = 0.0
    min_coverage: float = 1.0
    #: "percent" or "strict_percent": the figure the grade comes from
    graded_on: str = "percent"
    #: what made rules not_assessed (engine.coverage_gaps)
    coverage_gaps: list = field(default_factory=list)
    #: the audited unit, ``{"name", "code"}`` (None when not named; DESIGN §8)
    unit: dict | None = None
    #: bonus points given (DESIGN §7: capped, and only at the bonus's grading percent)
    bonus: float = 0.0
    #: the grading percent + bonus: the figure the grade is the band of
    total: float | None = None
    #: the veto rules (单项否决) that failed: the grade is then the lowest band
    vetoed_by: list = field(default_factory=list)
    tool_version: str = __version__
    #: what evaluated the rules: "pandas", "duckdb" or "spark" (the result is the same on each)
    engine: str = "pandas"
    _findings: dict = field(default_factory=dict)

    @property
    def rulebook(self):
        return self.book

    @property
    def deadline_rows(self) -> dict[str, pd.DataFrame]:
        """Rule id -> each row of the deadline rule's population with its clock, deadline,
        status, light and working days left (:meth:`RowDetails.frame`), made when asked for."""
        return {rule_id: details.frame() for rule_id, details in self.row_details.items()}

    @property
    def grading_percent(self) -> float | None:
        """The figure the grade comes from: ``percent``, or ``strict_percent`` below min_coverage."""
        return self.strict_percent if self.graded_on == "strict_percent" else self.percent

    def coverage_warnings(self, lang: str = "en") -> list[str]:
        """The coverage guard's warnings (missing ledgers and columns, the grading figure) in ``lang``."""
        from .messages import gap_warnings

        return gap_warnings(self.coverage_gaps, lang, graded_on=self.graded_on, coverage=self.coverage,
                            min_coverage=self.min_coverage, percent=self.percent,
                            strict_percent=self.strict_percent)

    def warnings_in(self, lang: str = "en") -> list[str]:
        """Every warning in ``lang``: the coverage guard's, then the others (words.warning_text)."""
        from .words import warning_text

        if lang == "en":
            return list(self.warnings)
        guard = set(self.coverage_warnings("en"))
        return self.coverage_warnings(lang) + [warning_text(w, lang) for w in self.warnings if w not in guard]

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding (not truncated), one row each, in rule order then row order; English
        messages. Columns: rule, dataset, row, sheet, key, department, severity, waived, message,
        deadline, end, late_workdays, position, then the rule's ``title``, ``section`` and
        ``status`` (so that a notebook can group or filter without a join)."""
        if "en+rule" not in self._findings:  # the frame with the rule's words, made once
            frame = self.findings_frame("en")
            by_id = {r.id: r for r in self.rules}
            rule = frame["rule"]
            self._findings["en+rule"] = frame.assign(
                title=rule.map({i: r.title for i, r in by_id.items()}).astype(object),
                section=rule.map({i: r.section for i, r in by_id.items()}).astype(object),
                status=rule.map({i: str(r.status) for i, r in by_id.items()}).astype(object))
        return self._findings["en+rule"]

    # ------------------------------------------------------------ notebook
    def rules_frame(self) -> pd.DataFrame:
        """The rules as a DataFrame, one row each (the ``rules`` list stays as it is): id, title,
        section, dataset, kind, severity, status, population, passed, violations, pending,
        waived, rate, min, max, warn, awarded, possible, message. Easy to chart, e.g.
        ``result.rules_frame().set_index("id")["rate"].plot.barh()``."""
        return pd.DataFrame([{
            "id": r.id, "title": r.title, "section": r.section, "dataset": r.dataset, "kind": r.kind,
            "severity": r.severity, "status": str(r.status), "population": r.population, "passed": r.passed,
            "violations": r.violations, "pending": r.pending, "waived": r.waived, "rate": r.rate,
            "min": r.threshold_min, "max": r.threshold_max, "warn": r.threshold_warn,
            "awarded": r.awarded, "possible": r.possible, "message": r.message} for r in self.rules],
            columns=["id", "title", "section", "dataset", "kind", "severity", "status", "population", "passed",
                     "violations", "pending", "waived", "rate", "min", "max", "warn", "awarded", "possible",
                     "message"])

    def sections_frame(self) -> pd.DataFrame:
        """The sections as a DataFrame (id, title, awarded, possible, percent); the ``sections``
        list stays as it is."""
        return pd.DataFrame(self.sections, columns=["id", "title", "awarded", "possible", "percent"])

    def data_issues_frame(self) -> pd.DataFrame:
        """The data issues as a DataFrame (dataset, field, row, sheet, value, problem); the
        ``data_issues`` list stays as it is."""
        return pd.DataFrame([{k: i.get(k) for k in ISSUE_KEYS} for i in self.data_issues], columns=list(ISSUE_KEYS))

    def divisions_frame(self) -> pd.DataFrame:
        """The divisions (处室) ranked: department, awarded, possible, percent, violations (the
        same as ``departments``)."""
        return self.departments.copy()

    def __repr__(self) -> str:
        info = self.book.rulebook
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        score = "n/a" if self.grading_percent is None else f"{self.grading_percent:.1f}"
        return (f"<AuditResult {info.id} as of {self.as_of.isoformat()}: {score}/100 {self.grade or ''}, "
                f"coverage {100 * self.coverage:.0f}%, {len(self.rules)} rules ({counts}), "
                f"{self.finding_counts()['total']} findings, {len(self.data_issues)} data issues>")

    def _repr_html_(self) -> str:
        """A score card and the failing rules, for Jupyter (every value escaped)."""
        from html import escape

        from .words import percent_text, status_word

        info = self.book.rulebook
        score = "—" if self.grading_percent is None else f"{self.grading_percent:.1f}"
        failing = [r for r in self.rules if r.status in ("fail", "warn", "error")]
        rows = "".join(
            f"<tr><td>{escape(r.id)}</td><td>{escape(r.title)}</td><td>{escape(status_word(r.status, 'zh'))}</td>"
            f"<td>{escape(percent_text(r.rate))}</td><td>{r.violations}</td>"
            f"<td>{escape(r.message_zh or r.message)}</td></tr>" for r in failing[:30])
        more = f"<p>… {len(failing) - 30} more</p>" if len(failing) > 30 else ""
        return (f"<div><strong>{escape(info.title)}</strong> ({escape(info.id)}) · 统计截止日 {self.as_of.isoformat()}"
                f"<table><tr><th>得分</th><td>{score}</td><th>等次</th><td>{escape(self.grade or '—')}</td>"
                f"<th>可考核覆盖率</th><td>{percent_text(self.coverage)}</td>"
                f"<th>问题记录</th><td>{self.finding_counts()['total']}</td></tr></table>"
                + (f"<table><tr><th>规则</th><th>名称</th><th>状态</th><th>达标率</th><th>问题数</th><th>说明</th></tr>"
                   f"{rows}</table>{more}" if failing else "<p>全部规则达标。</p>") + "</div>")

    def findings_frame(self, lang: str = "en") -> pd.DataFrame:
        """Every finding with its message in ``lang`` ("en" as in the JSON, or "zh")."""
        if lang not in self._findings:
            frames = [p.frame(lang=lang) for p in self.parts if len(p)]
            if frames:
                self._findings[lang] = pd.concat(frames, ignore_index=True)
            else:
                self._findings[lang] = pd.DataFrame({c: pd.Series([], dtype=object) for c in FINDING_COLUMNS})
        return self._findings[lang]

    def findings_head(self, per_rule: int, lang: str = "en") -> pd.DataFrame:
        """At most ``per_rule`` findings of each rule, open (not waived) ones first, by row.

        Messages are built only for these, so a report stays quick on a huge audit.
        """
        frames = []
        for part in self.parts:
            if not len(part):
                continue
            order = np.argsort(part.waived, kind="stable")[:per_rule]
            frames.append(part.frame(lang=lang, idx=order))
        if not frames:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in FINDING_COLUMNS})
        return pd.concat(frames, ignore_index=True)

    def finding_counts(self) -> dict[str, int]:
        """How many findings there are: ``total`` (every one, as the findings export lists
        them), ``open`` (not waived: the rules' violations) and ``waived``."""
        total = sum(len(p) for p in self.parts)
        waived = sum(int(np.count_nonzero(p.waived)) for p in self.parts)
        return {"total": total, "open": total - waived, "waived": waived}

    def finding_values(self, rule_id: str, positions: np.ndarray, lang: str = "zh") -> tuple[list[dict], list[list[str]]]:
        """The rule's own ledger fields and their values as text at the findings of these frame
        positions (a group finding, position -1, shows none): ``([{"field", "label"}], rows)``.
        Read from the findings' own data, not from the ledgers."""
        from .display import display_values

        part = next((p for p in self.parts if p.rule.id == rule_id), None)
        if part is None:
            return [], [[] for _ in positions]
        own = self.book.datasets[part.dataset].fields
        fields = [f for f in part.values.columns if f in own]
        positions = np.asarray(positions)
        valid = positions >= 0
        at = np.searchsorted(part.position, positions[valid]) if len(part.position) else np.array([], dtype=int)
        columns = []
        for name in fields:
            column = np.full(len(positions), "", dtype=object)
            column[valid] = display_values(part.values[name].iloc[at], part.specs[name], lang).fillna("") \
                .to_numpy(dtype=object)
            columns.append(column)
        labels = [{"field": f, "label": part.header(f) if lang == "zh" else f} for f in fields]
        return labels, [[c[i] for c in columns] for i in range(len(positions))]

    def findings_total(self) -> dict[str, int]:
        """Number of findings of each rule (waived ones included)."""
        return {p.rule.id: len(p) for p in self.parts if len(p)}

    def rule(self, rule_id: str) -> RuleResult:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    # ------------------------------------------------------------ plain records
    def flatten(self, spec: dict | None = None, *, lang: str = "en") -> dict[str, list[dict]]:
        """The result as plain records (Python values only: ISO dates, None for blank): tables
        ``score`` (one record), ``rules``, ``sections``, ``departments``, ``division_rules``,
        ``findings`` (every one, not truncated) and ``data_issues``.

        ``spec`` picks tables and their columns, e.g. ``{"rules": ["id", "status"],
        "findings": None}`` (None: every column); without it every table is given. For
        comparing results in tests and notebooks without writing a flattener of one's own.
        """
        builders = {
            "score": lambda: [{"awarded": self.awarded, "possible": self.possible, "percent": self.percent,
                               "grade": self.grade, "coverage": self.coverage, "strict_percent": self.strict_percent,
                               "min_coverage": self.min_coverage, "graded_on": self.graded_on,
                               "bonus": self.bonus, "total": self.total, "vetoed_by": list(self.vetoed_by),
                               "unit": None if self.unit is None else self.unit["name"]}],
            "rules": lambda: [{**r.to_dict(), "rate": r.rate, "awarded": r.awarded, "possible": r.possible}
                              for r in self.rules],
            "sections": lambda: [dict(s) for s in self.sections],
            "departments": lambda: _records(self.departments),
            "division_rules": lambda: _records(self.department_rules),
            "findings": lambda: [{**f, "late_workdays": None if f["late_workdays"] is None else int(f["late_workdays"])}
                                 for f in _records(self.findings_frame(lang).drop(columns=["position"]))],
            "data_issues": lambda: [_jsonable(i) for i in self.data_issues],
        }
        wanted = spec if spec is not None else dict.fromkeys(builders)
        unknown = [name for name in wanted if name not in builders]
        if unknown:
            raise KeyError(f"flatten: no table {unknown[0]!r}; the tables are: {', '.join(builders)}")
        out = {}
        for name, columns in wanted.items():
            records = builders[name]()
            out[name] = records if columns is None else [{c: r[c] for c in columns} for r in records]
        return out

    # ------------------------------------------------------------ JSON
    def to_dict(self, json_findings: int | None = 1000) -> dict:
        """The result as the stable JSON (the file ``--json`` writes; README, "Library"): plain
        dicts, lists, strings and numbers; at most ``json_findings`` findings per rule (None: all)."""
        info = self.book.rulebook
        findings: list[dict] = []
        truncated = False
        for part in self.parts:
            if not len(part):
                continue
            if json_findings is not None and len(part) > json_findings:
                truncated = True
            frame = part.frame(json_findings)
            findings.extend(_finding_dicts(frame))
        issues, issue_warnings = _capped_issues(self.data_issues, json_findings)
        return {
            "tool": {"name": "disclosure-rules", "version": self.tool_version, "engine": self.engine},
            "rulebook": {"id": info.id, "title": info.title, "year": info.year, "sha256": self.book.sha256},
            "unit": None if self.unit is None else dict(self.unit),
            "as_of": self.as_of.isoformat(),
            "datasets": {name: {"source": ds.source, "sha256": ds.sha256, "rows": int(len(ds.frame))}
                         for name, ds in self.data.items()},
            "reading": {name: copy.deepcopy(ds.reading) for name, ds in self.data.items()},
            "score": {"awarded": _round(self.awarded, 2), "possible": _round(self.possible, 2),
                      "percent": _round(self.percent, 2), "grade": self.grade,
                      "coverage": _round(self.coverage, 4),
                      "strict_percent": _round(self.strict_percent, 2), "min_coverage": self.min_coverage,
                      "graded_on": self.graded_on, "bonus": _round(self.bonus, 2),
                      "total": _round(self.total, 2), "vetoed_by": list(self.vetoed_by)},
            "sections": [dict(s) for s in self.sections],
            "rules": [r.to_dict() for r in self.rules],
            "departments": [
                {"department": d.department, "awarded": _round(d.awarded, 2), "possible": _round(d.possible, 2),
                 "percent": _round(d.percent, 2), "violations": int(d.violations)}
                for d in self.departments.itertuples(index=False)
            ],
            "findings": findings,
            "findings_truncated": truncated,
            "data_issues": issues,
            "warnings": list(self.warnings) + issue_warnings,
            "due_soon": _records(self.due_soon_frame()),
        }

    def due_frame(self, within: int | None = None) -> pd.DataFrame:
        """Every open row of the deadline rules (still open, overdue ones included) with its
        deadline and working days left, fewest first (``within``: only rows with at most that
        many working days left). Columns: rule, title, dataset, row, sheet, key, department,
        clock_start, deadline, workdays_left, light."""
        from .kinds.deadline import open_rows

        return open_rows(self, within)

    def due_soon_frame(self) -> pd.DataFrame:
        """The due-soon (yellow) rows of the deadline rules, as the JSON's ``due_soon`` lists them."""
        from .kinds.deadline import open_rows

        frame = open_rows(self, light="yellow")  # the yellow rows picked before the open rows are sorted
        return frame[["rule", "dataset", "row", "sheet", "key", "department", "deadline", "workdays_left"]] \
            .reset_index(drop=True)

    def write_json(self, path: str | os.PathLike, json_findings: int | None = 1000) -> None:
        write_atomic(path, json_bytes(self.to_dict(json_findings)))

    def write_html(self, path: str | os.PathLike, lang: str = "zh") -> None:
        from .report import write_html

        write_html(self, path, lang=lang)

    def write_findings(self, path: str | os.PathLike, lang: str = "zh") -> None:
        """The rectification list (整改清单), .xlsx or .csv; messages in ``lang``."""
        from .exports import write_findings

        write_findings(self, path, lang=lang)

    def write_self_assessment(self, path: str | os.PathLike, lang: str = "zh", findings: str | None = None) -> None:
        """The self-assessment form (自评表, DESIGN §15), .xlsx; ``findings`` names the list written beside it."""
        from .selfassess import write_self_assessment

        write_self_assessment(self, path, lang=lang, findings=findings)

    @property
    def counts(self) -> dict[str, int]:
        from .words import Status

        out = {s.value: 0 for s in Status}
        for r in self.rules:
            out[r.status] = out.get(r.status, 0) + 1
        return out


def _finding_dicts(frame: pd.DataFrame) -> list[dict]:
    """The findings of ``frame`` as the JSON's records, built column by column (a thousand
    findings per rule of twenty rules: no per-row pandas access)."""
    if not len(frame):
        return []
    deadlines = _iso(frame["deadline"])
    ends = _iso(frame["end"])
    lates = [None if math.isnan(v) else int(v)
             for v in frame["late_workdays"].to_numpy(dtype=float, na_value=np.nan).tolist()]
    rows = [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in frame["row"].tolist()]
    sheets, keys, departments = ([_plain(v) for v in frame[name].tolist()] for name in ("sheet", "key", "department"))
    waived = [bool(v) for v in frame["waived"].tolist()]
    out = []
    for rule, dataset, row, sheet, key, department, severity, flag, message, deadline, end, late in zip(
            frame["rule"].tolist(), frame["dataset"].tolist(), rows, sheets, keys, departments,
            frame["severity"].tolist(), waived, frame["message"].tolist(), deadlines, ends, lates):
        details = {"deadline": deadline, "end": end, "late_workdays": late} \
            if deadline is not None or end is not None or late is not None else {}
        out.append({"rule": rule, "dataset": dataset, "row": row, "sheet": sheet, "key": key,
                    "department": department, "severity": severity, "waived": flag, "message": message,
                    "details": details})
    return out


def _capped_issues(data_issues: list[dict], cap: int | None) -> tuple[list[dict], list[str]]:
    """At most ``cap`` data issues per dataset, field and problem in the JSON (None: all).

    A column of a million unreadable dates would otherwise make a million-entry JSON;
    the full list stays in ``AuditResult.data_issues``.
    """
    if cap is None:
        return [_jsonable(i) for i in data_issues], []
    kept, seen, dropped = [], {}, {}
    for issue in data_issues:  # issues, not rows: one per bad cell or unknown label
        group = (issue.get("dataset"), issue.get("field"), issue.get("problem"))
        seen[group] = seen.get(group, 0) + 1
        if seen[group] <= cap:
            kept.append(_jsonable(issue))
        else:
            dropped[group] = dropped.get(group, 0) + 1
    warnings = [f"{n} more data issues in {d}.{f} ({p}) are not listed in the JSON"
                for (d, f, p), n in dropped.items()]
    return kept, warnings


def json_bytes(data) -> bytes:
    """``data`` as UTF-8 JSON as ``json.dumps(data, ensure_ascii=False, indent=2)`` writes it,
    by orjson: the result of a large audit is encoded some 30 times faster. The text is the
    same but for some small floats (``1e-7`` for ``1e-07``, ``0.00001`` for ``1e-05``: the
    same numbers); a number that is not finite is written null (the result holds none: DESIGN
    §11); what orjson cannot write (an integer beyond 64 bits) is written by json."""
    import json

    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def _records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as records of plain Python values (dates ISO, NaN and NA as None)."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        columns[name] = _iso(column) if column.dtype.kind == "M" else [_plain(v) for v in column.tolist()]
    return [dict(zip(columns, values)) for values in zip(*columns.values())] if len(frame) else []


def _iso(values) -> list[str | None]:
    series = pd.Series(values)
    if series.dtype.kind != "M":
        series = pd.to_datetime(series, errors="coerce")
    text = series.dt.strftime("%Y-%m-%d")
    return [t if type(t) is str else None for t in text.tolist()]  # a blank date is NaN or None


def _plain(value):
    if value is None:
        return None
    if type(value) is str:  # the usual case, and never blank
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value if isinstance(value, (str, int, float, bool)) else str(value)


ISSUE_KEYS = ("dataset", "field", "row", "sheet", "value", "problem")


def _jsonable(issue: dict) -> dict:
    """A data issue as DESIGN §8 lists it: every key present (``sheet`` null for CSV and DataFrames)."""
    out = {k: _plain(issue.get(k)) for k in ISSUE_KEYS}
    out.update((k, _plain(v)) for k, v in issue.items() if k not in out)
    return out


def _round(value, digits):
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):  # the JSON holds no NaN or infinity (DESIGN §11)
        return None
    return round(value, digits)
