"""The HTML report: view data built from an audit result, rendered by Jinja2.

This module computes nothing about the audit: it reads a finished result (scores,
rule results, findings, deadline rows) and arranges it for the templates in
``reports/templates/`` (DESIGN §12). Conventions:

- every value from the data reaches the page through Jinja2 autoescaping; the
  templates never use ``|safe`` on data, and chart geometry is plain numbers;
- the page size does not grow with the number of ledger rows: violating rows are
  capped per rule (``MAX_ROWS_PER_RULE``), lists are capped, charts aggregate;
- every fixed word comes from ``words.py`` (the templates read it as ``ui``); numbers,
  percents, points and dates are formatted by its helpers; rule titles, basis text and
  division names are shown as the rulebook and the ledgers have them;
- the page is one file with inline CSS, JS and SVG and requests nothing.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any, Mapping

import jinja2
import numpy as np
import pandas as pd

from .atomic import write_atomic
from .explain import describe_rule, scoring_text
from .kinds import REGISTRY
from .messages import score_notes
from .resources import templates_dir
from .verdict import word_codes
from .words import (NONE_MARK, Severity, Status, date_text, division_name, is_blank, kind_word,
                    number_text, percent_text, points_text, score_text, vocabulary)
from .words import problem_text

__all__ = ["build_view", "render_html", "write_html", "MAX_ROWS_PER_RULE"]

MAX_ROWS_PER_RULE = 50
MAX_DIVISIONS = 100
MAX_OVERDUE = 50
MAX_ISSUE_ROWS = 20
MAX_ISSUE_GROUPS = 200
MAX_WARNINGS = 200
STATUSES = tuple(Status)
SEVERITIES = tuple(Severity)

BUCKETS = ("on_time", "late_1", "late_2_5", "late_6_10", "late_11", "overdue",
           "pending_7", "pending_later", "invalid")


# ---------------------------------------------------------------- formatting


def _fmt_grid(rate: Any) -> str:
    """A rate in the division x rule grid: whole percent, no sign (the legend says %)."""
    if is_blank(rate):
        return ""
    return f"{math.floor(100 * float(rate))}" if float(rate) < 1 else "100"


def _rate_class(rate: Any) -> str:
    """Colour band of a compliance rate (also shown as text, so print in grey works)."""
    if is_blank(rate):
        return "rna"
    rate = float(rate)
    if rate >= 1:
        return "r100"
    if rate >= 0.9:
        return "r90"
    if rate >= 0.75:
        return "r75"
    if rate >= 0.5:
        return "r50"
    return "r0"


# ---------------------------------------------------------------- view parts


MAX_SKIPPED_ROWS = 50


def _reading(reading: dict, spec, lang: str) -> dict:
    """The reading report of one ledger for the page: its line, columns and skipped rows."""
    from .messages import reading_line, skip_reason

    skipped = reading.get("skipped") or []
    return {
        "line": reading_line(None, reading, lang),
        "columns": [(header, field) for field, header in (reading.get("columns") or {}).items()],
        "skipped": [{"row": r.get("row"), "sheet": r.get("sheet") or "", "reason": skip_reason(r.get("reason"), lang),
                     "text": r.get("text") or ""} for r in skipped[:MAX_SKIPPED_ROWS]],
        "skipped_total": int(reading.get("skipped_total") or len(skipped)),
        "more_skipped": max(0, int(reading.get("skipped_total") or len(skipped)) - min(len(skipped), MAX_SKIPPED_ROWS)),
        "has_sheets": any(r.get("sheet") for r in skipped),
    }


def _meta(result, ui: Mapping[str, str], lang: str = "zh") -> dict:
    book = result.book
    info = book.rulebook
    period = info.period
    datasets = []
    for name, spec in book.datasets.items():
        entry = result.data.get(name)
        datasets.append({
            "name": name,
            "title": spec.title or name,
            "reading": _reading(entry.reading, spec, lang) if entry is not None and entry.reading else None,
            "file": Path(entry.source).name if entry is not None and entry.source else ui["not_supplied"],
            "rows": len(entry.frame) if entry is not None else None,
            "sha256": (entry.sha256 if entry is not None else None) or "",
        })
    return {
        "title": info.title,
        "unit": result.unit,
        "id": info.id,
        "issuer": info.issuer or "",
        "period": f"{date_text(period.start)} – {date_text(period.end)}" if period else "",
        "as_of": date_text(result.as_of),
        "tool_version": result.tool_version,
        "sha256": book.sha256 or "",
        "datasets": datasets,
        "sections": result.sections,
        "data_issues": result.data_issues,
        "warnings": result.warnings_in(lang),
    }


def _headline(result, ui: Mapping[str, str], lang: str) -> dict:
    counts = {status: 0 for status in STATUSES}
    for rr in result.rules:
        counts[rr.status] = counts.get(rr.status, 0) + 1
    percent = result.percent
    strict = result.strict_percent
    shown = strict if result.graded_on == "strict_percent" else percent

    words = {"coverage": percent_text(result.coverage), "min_coverage": percent_text(result.min_coverage),
             "percent": score_text(percent), "strict": score_text(strict)}
    if result.graded_on == "strict_percent":
        grading_note = ui["graded_strict"].format(**words)
    elif result.coverage < 1 and not is_blank(strict):
        grading_note = ui["strict_line"].format(**words)
    else:
        grading_note = ""
    return {
        "percent": score_text(shown),
        "graded_on": result.graded_on,
        "grading_note": grading_note,
        "gaps": result.coverage_warnings(lang)[:len(result.coverage_gaps)],
        "grade": result.grade or NONE_MARK,
        "coverage": percent_text(result.coverage),
        "coverage_value": 0.0 if is_blank(result.coverage) else float(result.coverage),
        "awarded": points_text(result.awarded),
        # the points line adds up to the figure shown: strict_percent's possible when graded on it
        "possible": points_text(result.strict_possible if result.graded_on == "strict_percent" else result.possible),
        "counts": counts,
        "total": len(result.rules),
        "notes": score_notes(result, lang),
    }


def _targets(result) -> list[dict]:
    """Bars for every rule with a threshold and a rate: actual vs threshold line."""
    out = []
    for rr in result.rules:
        lo, hi = rr.threshold_min, rr.threshold_max
        # bounds that are row counts (a count rule's), not rates, have no bar here
        if not REGISTRY[rr.kind].thresholds_are_rates or (lo is None and hi is None):
            continue
        rate = None if is_blank(rr.rate) else float(rr.rate)
        out.append({
            "id": rr.id,
            "title": rr.title,
            "status": rr.status,
            "rate": rate,
            "rate_text": percent_text(rate, fixed=True),
            "width": 0.0 if rate is None else round(100 * min(max(rate, 0.0), 1.0), 2),
            "min": None if lo is None else round(100 * float(lo), 2),
            "max": None if hi is None else round(100 * float(hi), 2),
            "min_text": None if lo is None else percent_text(lo),
            "max_text": None if hi is None else percent_text(hi),
        })
    return out


def _sections(result, meta: dict) -> list[dict]:
    by_section: dict[str, list] = {}
    for rr in result.rules:
        by_section.setdefault(rr.section, []).append(rr)
    out = []
    for sec in meta["sections"]:
        rules = by_section.get(sec.get("id"), [])
        out.append({
            "id": sec.get("id"),
            "title": sec.get("title"),
            "awarded": points_text(sec.get("awarded")),
            "possible": points_text(sec.get("possible")),
            "percent": NONE_MARK if not sec.get("possible") else percent_text(_rate(sec.get("percent")), fixed=True),
            "rate": None if not sec.get("possible") else float(sec.get("percent") or 0) / 100,
            "rules": [rr.id for rr in rules],
            "failing": [rr.id for rr in rules if rr.status == "fail"],
        })
    return out


def _rate(percent: Any) -> float | None:
    """A figure in percent (78.66) as a rate (0.7866), for percent_text; None for a blank."""
    return None if is_blank(percent) else float(percent) / 100


def _divisions(result, ui: Mapping[str, str], lang: str) -> dict:
    deps = result.departments
    grid_frame = result.department_rules
    if len(deps) == 0:
        return {"ranking": [], "more": 0, "grid_rules": [], "grid": []}
    deps = deps.head(MAX_DIVISIONS)
    worst: dict[str, list[str]] = {}
    rates: dict[tuple[str, str], dict] = {}
    grid_rules: list[str] = []
    if len(grid_frame):
        frame = grid_frame[grid_frame["violations"].fillna(0) > 0]
        frame = frame.sort_values(["department", "violations"], ascending=[True, False], kind="stable")
        for department, group in frame.groupby("department", sort=False, observed=True):
            worst[division_name(department, lang)] = [{"rule": str(r), "violations": int(v)}
                                      for r, v in zip(group["rule"].head(3), group["violations"].head(3))]
        present = set(grid_frame["rule"].astype(str))
        grid_rules = [rr.id for rr in result.rules if rr.id in present]
        for department, rule, population, violations, rate in zip(
            grid_frame["department"].map(lambda d: division_name(d, lang)), grid_frame["rule"].astype(str),
            grid_frame["population"],
            grid_frame["violations"], grid_frame["rate"],
        ):
            rates[(department, rule)] = {
                "text": _fmt_grid(rate),
                "cls": _rate_class(rate),
                "title": f"{department} · {rule}: {number_text(violations) or 0} / {number_text(population) or 0}",
            }
    ranking, grid = [], []
    for rank, row in enumerate(deps.itertuples(index=False), start=1):
        name = division_name(row.department, lang)
        ranking.append({
            "rank": rank,
            "name": name,
            "percent": NONE_MARK if not row.possible else percent_text(_rate(row.percent), fixed=True),
            "cls": _rate_class(None if not row.possible or is_blank(row.percent) else float(row.percent) / 100),
            "awarded": points_text(row.awarded),
            "possible": points_text(row.possible),
            "violations": number_text(row.violations) or "0",
            "worst": worst.get(name, []),
        })
        grid.append({"name": name,
                     "cells": [rates.get((name, rule), {"text": "", "cls": "rna", "title": ""}) for rule in grid_rules]})
    return {
        "ranking": ranking,
        "more": max(0, len(result.departments) - MAX_DIVISIONS),
        "grid_rules": grid_rules,
        "grid": grid,
    }


def _bucket_counts(rows, as_of) -> dict[str, int]:
    """The bars of one deadline rule (``rows``: its results.RowDetails): its rows by status,
    the late ones by working days late and the pending ones by days to their deadline (a
    blank number or date is in no bar of late days and counts as due later)."""
    codes, words, count = word_codes(np.asarray(rows.column("status"), dtype=object))

    def of(word: str) -> np.ndarray:
        return codes == words.index(word) if word in words else np.zeros(len(codes), dtype=bool)

    late = pd.Series(rows.column("late_workdays"))
    late = late.to_numpy(dtype=float, na_value=np.nan) if late.dtype.kind in "iuf" \
        else pd.to_numeric(late, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    late = late[of("late")]  # the late rows only
    deadline = pd.Series(rows.column("deadline"))
    if deadline.dtype.kind != "M":
        deadline = pd.to_datetime(deadline, errors="coerce")
    deadline = deadline.to_numpy(dtype="datetime64[s]")[of("pending")]  # the pending rows only
    soon = (deadline - np.datetime64(pd.Timestamp(as_of), "s")) < np.timedelta64(8, "D")
    soon &= ~np.isnat(deadline)

    def status(word: str) -> int:
        return int(count[words.index(word)]) if word in words else 0

    return {
        "on_time": status("on_time"),
        "late_1": int((late <= 1).sum()),
        "late_2_5": int(((late >= 2) & (late <= 5)).sum()),
        "late_6_10": int(((late >= 6) & (late <= 10)).sum()),
        "late_11": int((late > 10).sum()),
        "overdue": status("overdue"),
        "pending_7": int(soon.sum()),
        "pending_later": int((~soon).sum()),
        "invalid": status("invalid"),
    }


def _deadlines(result, ui: Mapping[str, str], lang: str) -> list[dict]:
    out = []
    rule_titles = {rr.id: rr.title for rr in result.rules}
    for rule_id, rows in result.row_details.items():
        if len(rows) == 0:
            continue
        counts = _bucket_counts(rows, result.as_of)
        largest = max(counts.values()) or 1
        bars = [{
            "bucket": name,
            "label": ui[f"bucket_{name}"],
            "count": counts[name],
            "width": round(100 * counts[name] / largest, 2),
        } for name in BUCKETS if counts[name] or name in ("on_time", "overdue")]
        overdue = np.flatnonzero(np.asarray(rows.column("status"), dtype=object) == "overdue")
        # by deadline (NaT last), in the rows' order where equal; only those listed made a frame
        order = pd.Series(rows.column("deadline")[overdue]).sort_values(kind="stable").index.to_numpy()
        listed = rows.frame(overdue[order[:MAX_OVERDUE]])
        out.append({
            "rule": rule_id,
            "title": rule_titles.get(rule_id, rule_id),
            "total": len(rows),
            "bars": bars,
            "overdue": [{
                "row": number_text(r.row),
                "key": "" if is_blank(r.key) else str(r.key),
                "department": division_name(r.department, lang),
                "clock_start": date_text(r.clock_start),
                "deadline": date_text(r.deadline),
                "late_workdays": number_text(r.late_workdays),
            } for r in listed.itertuples(index=False)],
            "more_overdue": len(overdue) - len(listed),
            "lights": next((rr.lights for rr in result.rules if rr.id == rule_id), None),
        })
    return out


MAX_DUE_SOON = 100


def _due_soon(result, ui: Mapping[str, str], lang: str) -> dict:
    """The 即将到期 section: the yellow rows of the deadline rules, fewest working days left
    first (at most MAX_DUE_SOON), and whether any deadline rule sets a warning time."""
    frame = result.due_soon_frame()
    titles = {rr.id: rr.title for rr in result.rules}
    listed = frame.head(MAX_DUE_SOON)
    dataset_titles = {name: (spec.title or name) if lang == "zh" else name
                      for name, spec in result.book.datasets.items()}
    watched = any(getattr(r, "due_soon", None) is not None for r in result.book.rules if r.enabled)
    return {
        "watched": watched,
        "total": len(frame),
        "more": len(frame) - len(listed),
        "rows": [{
            "rule": r.rule, "title": titles.get(r.rule, r.rule),
            "dataset": dataset_titles.get(r.dataset, r.dataset),
            "row": number_text(r.row), "key": "" if is_blank(r.key) else str(r.key),
            "department": division_name(r.department, lang),
            "deadline": date_text(r.deadline), "workdays_left": number_text(r.workdays_left),
        } for r in listed.itertuples(index=False)],
    }


def _finding_status(frame: pd.DataFrame) -> pd.Series:
    status = pd.Series("open", index=frame.index, dtype=object)
    if "end" in frame and "deadline" in frame:
        has_deadline = frame["deadline"].notna()
        status[has_deadline & frame["end"].isna()] = "overdue"
        late = pd.to_numeric(frame.get("late_workdays"), errors="coerce") if "late_workdays" in frame else None
        if late is not None:
            status[has_deadline & frame["end"].notna() & (late > 0)] = "late"
    status[frame["waived"].fillna(False).astype(bool)] = "waived"
    return status


def _listed_findings(result, lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """The findings each rule lists (open ones first, by row; at most MAX_ROWS_PER_RULE) and its total.

    Only these findings get messages built, in the page's language. One sort over them,
    then a group head: the cost does not multiply by the number of rules, and what
    reaches the template is bounded.
    """
    findings = result.findings_head(MAX_ROWS_PER_RULE, lang)
    totals = result.findings_total()
    if len(findings) == 0:
        return {}, totals
    rule = findings["rule"].astype(str)
    keyed = pd.DataFrame({
        "rule": rule,
        "waived": findings["waived"].fillna(False).astype(bool),
        "row": pd.to_numeric(findings["row"], errors="coerce"),
    })
    order = keyed.sort_values(["rule", "waived", "row"], kind="stable").groupby("rule", sort=False).head(MAX_ROWS_PER_RULE)
    listed = findings.loc[order.index]
    listed = listed.assign(_status=_finding_status(listed).to_numpy())
    return {str(r): part for r, part in listed.groupby(rule.loc[order.index], sort=False)}, totals


def _rule_rows(result, rr, listed: dict[str, pd.DataFrame], totals: dict[str, int], ui: Mapping[str, str],
               lang: str) -> tuple[list[dict], list[dict], int]:
    """Up to MAX_ROWS_PER_RULE violating rows of one rule, with the rule's fields."""
    mine = listed.get(rr.id)
    total = totals.get(rr.id, 0)
    if mine is None or total == 0:
        return [], [], 0
    status = mine["_status"]
    columns, values = result.finding_values(rr.id, mine["position"].to_numpy(), lang)
    rows = []
    for i, r in enumerate(mine.itertuples(index=False)):
        fs = status.iloc[i]
        rows.append({
            "row": number_text(r.row),
            "key": "" if is_blank(r.key) else str(r.key),
            "department": division_name(r.department, lang, has_row=not is_blank(r.row)),
            "severity": str(r.severity),
            "status": fs,
            "status_label": ui[f"fs_{fs}"],
            "message": "" if is_blank(r.message) else str(r.message),
            "values": values[i],
        })
    return columns, rows, total - len(rows)


def _rules(result, ui: Mapping[str, str], lang: str) -> list[dict]:
    listed, totals = _listed_findings(result, lang)
    book = result.book
    sections = {s.id: s.title for s in book.sections}
    out = []
    for rr in result.rules:
        model = book.rule(rr.id)
        columns, rows, more = _rule_rows(result, rr, listed, totals, ui, lang)
        basis = rr.basis or {}
        threshold = []
        bound = percent_text if REGISTRY[rr.kind].thresholds_are_rates else \
            (lambda v: ui["n_rows"].format(n=number_text(v)))
        if rr.threshold_min is not None:
            threshold.append(f"{ui['min']} {bound(rr.threshold_min)}")
        if rr.threshold_max is not None:
            threshold.append(f"{ui['max']} {bound(rr.threshold_max)}")
        out.append({
            "id": rr.id,
            "title": rr.title,
            "kind": rr.kind,
            "kind_label": kind_word(rr.kind, lang),
            "section": rr.section,
            "section_title": sections.get(rr.section, ""),
            "dataset": rr.dataset,
            "dataset_title": (book.datasets[rr.dataset].title if lang == "zh" else None) or rr.dataset,
            "severity": rr.severity,
            "status": rr.status,
            "basis": ({k: basis.get(k) or "" for k in ("clause", "text", "source")}
                      if basis.get("clause") or basis.get("text") else None),
            "checks": describe_rule(model, book, lang),
            "scoring": scoring_text(model, lang),
            "counts": {
                "population": number_text(rr.population) or "0",
                "passed": number_text(rr.passed) or "0",
                "violations": number_text(rr.violations) or "0",
                "pending": number_text(rr.pending) or "0",
                "waived": number_text(rr.waived) or "0",
            },
            "rate": percent_text(rr.rate, fixed=True),
            "threshold": ui["and"].join(threshold),
            "awarded": points_text(rr.awarded),
            "possible": points_text(rr.possible),
            "message": (rr.message_zh if lang == "zh" else "") or rr.message,
            "columns": columns,
            "rows": rows,
            "more": more,
        })
    return out


def _field_label(book, dataset: str | None, field: str | None, lang: str) -> str:
    spec = book.datasets.get(dataset) if dataset else None
    fspec = spec.fields.get(field) if spec is not None and field else None
    if lang == "zh" and fspec is not None:
        return fspec.header_of(field)
    return field or ""


def _issues(meta: dict, book, lang: str) -> dict:
    groups: dict[tuple, dict] = {}
    for issue in meta["data_issues"]:
        key = (issue.get("dataset"), issue.get("field"), issue.get("problem"))
        spec = book.datasets.get(key[0]) if key[0] else None
        dataset = (spec.title if lang == "zh" and spec is not None and spec.title else key[0]) or ""
        group = groups.setdefault(key, {"dataset": dataset, "field": _field_label(book, key[0], key[1], lang),
                                        "problem": problem_text(key[2], lang), "count": 0, "rows": [],
                                        "values": []})
        group["count"] += 1
        row = issue.get("row")
        if row is not None and len(group["rows"]) < MAX_ISSUE_ROWS:
            group["rows"].append(str(row))
        value = issue.get("value")
        if value not in (None, "") and len(group["values"]) < 5 and str(value) not in group["values"]:
            group["values"].append(str(value))
    listed = sorted(groups.values(), key=lambda g: (g["dataset"], g["field"], -g["count"]))
    warnings = [str(w) for w in meta["warnings"]]
    return {
        "groups": listed[:MAX_ISSUE_GROUPS],
        "more_groups": max(0, len(listed) - MAX_ISSUE_GROUPS),
        "warnings": warnings[:MAX_WARNINGS],
        "more_warnings": max(0, len(warnings) - MAX_WARNINGS),
    }


def _annual(result, lang: str) -> dict | None:
    """The 年度报告表格 section (DESIGN §14): the annual report's tables from the ledgers the
    audit read, when the rulebook maps them and the request ledger is among them; else None."""
    mapping = result.book.annual_report
    if mapping is None or mapping.requests is None or mapping.requests.dataset not in result.data:
        return None
    from .annual import annual_report
    from .annual_outputs import build_view as annual_view
    from .errors import DisclosureRulesError

    try:
        tables = annual_report(result.book, dict(result.data))
    except DisclosureRulesError:
        return None  # a ledger lacks a column the tables need: the audit's reading already names it
    return annual_view(tables, lang)


def build_view(result, lang: str = "zh") -> dict:
    """Everything the template shows, as plain strings, numbers and lists."""
    ui = vocabulary(lang)
    meta = _meta(result, ui, lang)
    rules = _rules(result, ui, lang)
    shown = [row for rule in rules for row in rule["rows"]]
    divisions = sorted({row["department"] for row in shown if row["department"]})
    return {
        "lang": lang,
        "ui": ui,
        "meta": meta,
        "headline": _headline(result, ui, lang),
        "targets": _targets(result),
        "sections": _sections(result, meta),
        "divisions": _divisions(result, ui, lang),
        "deadlines": _deadlines(result, ui, lang),
        "due_soon": _due_soon(result, ui, lang),
        "rules": rules,
        "filters": {
            "rules": [(r["id"], r["title"]) for r in rules if r["rows"]],
            "divisions": divisions,
            "severities": [(s, ui[f"sev_{s}"]) for s in SEVERITIES],
            "statuses": [(s, ui[f"fs_{s}"]) for s in ("open", "late", "overdue", "waived")],
            "total": len(shown),
        },
        "findings": {**result.finding_counts(), "listed": len(shown), "cap": MAX_ROWS_PER_RULE},
        "issues": _issues(meta, result.book, lang),
        "statuses": STATUSES,
        "annual": _annual(result, lang),
    }


# ---------------------------------------------------------------- rendering


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = lambda template, **kw: template.format(**kw)
    return env


#: the report's templates and every one it includes (a test checks the list against the templates)
REPORT_TEMPLATES = ("report.html.j2", "report.css", "annual.css", "report.js", "_due.html.j2", "_trail.html.j2",
                    "_summary.html.j2", "_divisions.html.j2", "_requests.html.j2", "_annual.html.j2",
                    "_annual_tables.html.j2", "_rules.html.j2", "_issues.html.j2")


def compile_templates() -> None:
    """Compile the report's templates now (0.07-0.1 s of Python), as the command line does in a
    thread while the ledgers are read, the GIL mostly free then. A template that fails to
    compile is left to the report's rendering, which says so."""
    try:
        env = _environment()
        for name in REPORT_TEMPLATES:
            env.get_template(name)
    except Exception:  # noqa: BLE001 - rendering meets it again (a template, or the folder missing) and says so
        return


def render_html(result, lang: str = "zh") -> str:
    """The self-contained HTML report of an audit result (DESIGN §12)."""
    view = build_view(result, lang)
    return _environment().get_template("report.html.j2").render(**view)


def write_html(result, path, lang: str = "zh") -> None:
    """Write the report to ``path`` atomically (temporary file in the same folder, then rename)."""
    html = render_html(result, lang)
    write_atomic(path, html.encode("utf-8"))


