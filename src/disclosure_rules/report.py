"""The HTML report: view data built from an audit result, rendered by Jinja2.

This module computes nothing about the audit: it reads a finished result (scores,
rule results, findings, deadline rows) and arranges it for the templates in
``reports/templates/`` (DESIGN §12). Conventions:

- every value from the data reaches the page through Jinja2 autoescaping; the
  templates never use ``|safe`` on data, and chart geometry is plain numbers;
- the page size does not grow with the number of ledger rows: violating rows are
  capped per rule (``MAX_ROWS_PER_RULE``), lists are capped, charts aggregate;
- UI strings live in one dict per language (``UI``); rule titles, basis text and
  division names are shown as the rulebook and the ledgers have them;
- the page is one file with inline CSS, JS and SVG and requests nothing.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from .atomic import write_atomic
from .display import display_values
from .explain import describe_rule, scoring_text
from .resources import templates_dir

__all__ = ["UI", "build_view", "render_html", "write_html", "MAX_ROWS_PER_RULE"]

MAX_ROWS_PER_RULE = 50
MAX_DIVISIONS = 100
MAX_OVERDUE = 50
MAX_ISSUE_ROWS = 20
MAX_ISSUE_GROUPS = 200
MAX_WARNINGS = 200
STATUSES = ("pass", "fail", "not_applicable", "not_assessed", "error")
SEVERITIES = ("critical", "major", "minor")

UI: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "colon": "：",
        "doc_title": "政务公开考核自查报告",
        "audit_trail": "审计信息",
        "rulebook": "考核方案",
        "rulebook_id": "方案编号",
        "issuer": "发布单位",
        "period": "考核期间",
        "as_of": "统计截止日",
        "tool": "工具版本",
        "sha256": "SHA-256",
        "datasets": "数据台账",
        "dataset": "台账",
        "file": "文件",
        "rows": "行数",
        "not_supplied": "未提供",
        "reading": "读取说明",
        "reading_note": "每份台账读到了什么：格式、工作表、表头所在行、哪一列对应哪个字段；跳过的非记录行逐一列出，未识别的列也列出，不作任何静默取舍。",
        "columns_matched": "列与字段的对应",
        "skipped_rows": "跳过的行",
        "sheet": "工作表",
        "reason": "原因",
        "text": "内容",
        "more_skipped": "另有 {n} 行未列出（见 JSON 的 reading）。",
        "score": "得分",
        "grade": "等次",
        "coverage": "可考核覆盖率",
        "coverage_note": "可考核规则分值占全部规则分值的比例；未提供的数据不计入得分。",
        "graded_strict": "严格得分：覆盖率 {coverage} 低于考核方案要求的 {min_coverage}，未能考核的规则计 0 分，等次按此评定；仅按可考核规则计算为 {percent}%。",
        "strict_line": "严格得分（未能考核的规则计 0 分）：{strict}%；等次按可考核规则得分评定（覆盖率达到方案要求的 {min_coverage}）。",
        "gaps": "缺少的数据",
        "points": "分值",
        "awarded_of": "得分 / 可得分",
        "rules_count": "规则数",
        "section_rules": "规则（✗ 未达标）",
        "section_no_rules": "本章没有可由台账核查的规则",
        "targets": "主要量化指标",
        "targets_note": "柱条为实际值，竖线为方案要求的阈值。",
        "target": "指标",
        "actual": "实际",
        "threshold": "要求",
        "no_targets": "本方案没有带阈值的量化指标。",
        "sections": "分项得分",
        "section": "章节",
        "percent": "得分率",
        "divisions": "处室排名",
        "division": "处室",
        "rank": "名次",
        "violations": "问题数",
        "worst_rules": "主要问题",
        "no_divisions": "没有可按处室统计的数据。",
        "more_divisions": "另有 {n} 个处室未列出，见整改清单导出文件。",
        "grid": "处室 × 规则 达标率",
        "grid_note": "单元格为该处室在该规则上的达标率（%，向下取整）；空白表示该处室无适用记录。",
        "requests": "办理时限",
        "reply_chart": "办理时间与期限对比",
        "overdue_list": "逾期未办结清单",
        "no_overdue": "没有逾期未办结的记录。",
        "more_overdue": "另有 {n} 条逾期记录，见整改清单导出文件。",
        "bucket_on_time": "按期办结",
        "bucket_late_1": "超期 1 个工作日",
        "bucket_late_2_5": "超期 2–5 个工作日",
        "bucket_late_6_10": "超期 6–10 个工作日",
        "bucket_late_11": "超期 10 个工作日以上",
        "bucket_overdue": "逾期未办结",
        "bucket_pending_7": "未办结，7 日内到期",
        "bucket_pending_later": "未办结，7 日后到期",
        "bucket_invalid": "日期无效",
        "clock_start": "起算日",
        "deadline": "期限",
        "end": "办结日期",
        "late_workdays": "超期工作日",
        "key": "编号",
        "row": "表格行号",
        "rules": "规则与问题明细",
        "rule": "规则",
        "status": "状态",
        "severity": "严重程度",
        "basis": "依据",
        "checks": "检查内容",
        "scoring": "计分方式",
        "population": "适用记录",
        "passed": "合格",
        "pending": "未到期",
        "waived": "已豁免",
        "rate": "达标率",
        "message": "说明",
        "kind": "类型",
        "violating_rows": "问题记录",
        "more_rows": "另有 {n} 条问题记录未列出，完整清单见整改清单导出文件（--findings）。",
        "no_violations": "没有问题记录。",
        "filter": "筛选",
        "filter_all": "全部",
        "filter_search": "搜索编号、处室、说明……",
        "filter_shown": "显示 {shown} / {total} 条问题记录",
        "filter_reset": "清除筛选",
        "finding_status": "问题状态",
        "data_issues": "数据质量问题",
        "no_data_issues": "没有数据质量问题。",
        "problem": "问题",
        "field": "字段",
        "count": "数量",
        "sample_values": "示例值",
        "row_numbers": "行号",
        "more_issue_groups": "另有 {n} 类数据问题未列出，见 JSON 结果。",
        "warnings": "提示",
        "no_warnings": "没有提示。",
        "more_warnings": "另有 {n} 条提示未列出。",
        "yes": "是",
        "no": "否",
        "none": "—",
        "contents": "目录",
        "generated_by": "由 disclosure-rules {version} 生成",
        "js_off": "（未启用脚本：显示全部问题记录）",
        "status_pass": "达标",
        "status_fail": "未达标",
        "status_not_applicable": "不适用",
        "status_not_assessed": "未考核",
        "status_error": "出错",
        "sev_critical": "严重",
        "sev_major": "较重",
        "sev_minor": "一般",
        "fs_open": "待整改",
        "fs_waived": "已豁免",
        "fs_late": "超期办结",
        "fs_overdue": "逾期未办结",
        "kind_required": "必填",
        "kind_condition": "条件",
        "kind_ratio": "比率",
        "kind_deadline": "时限",
        "kind_unique": "唯一",
        "kind_sequence": "顺序",
        "kind_count": "数量",
        "score_line": "得分 {awarded} / {possible}",
        "min": "不低于",
        "n_rows": "{n} 条记录",
        "max": "不高于",
    },
    "en": {
        "html_lang": "en",
        "colon": ": ",
        "doc_title": "Government information disclosure audit",
        "audit_trail": "Audit trail",
        "rulebook": "Rulebook",
        "rulebook_id": "Rulebook id",
        "issuer": "Issuer",
        "period": "Period",
        "as_of": "As of",
        "tool": "Tool version",
        "sha256": "SHA-256",
        "datasets": "Ledgers",
        "dataset": "Ledger",
        "file": "File",
        "rows": "Rows",
        "not_supplied": "not supplied",
        "reading": "What was read",
        "reading_note": "What each ledger was read as: format, sheets, header rows, which column became which field; every row skipped as not a record is listed, and so is every unrecognised header: nothing is dropped silently.",
        "columns_matched": "Columns and fields",
        "skipped_rows": "Rows skipped",
        "sheet": "Sheet",
        "reason": "Reason",
        "text": "Content",
        "more_skipped": "{n} more rows are not listed (see reading in the JSON).",
        "score": "Score",
        "grade": "Grade",
        "coverage": "Coverage",
        "coverage_note": "Share of the rulebook's points that could be assessed; data left out is not scored.",
        "graded_strict": "Strict percent: coverage {coverage} is below the rulebook's minimum {min_coverage}, so rules that could not be assessed count as 0 and the grade comes from this figure; over the rules that could be assessed it is {percent}%.",
        "strict_line": "Strict percent (rules not assessed count as 0): {strict}%; the grade comes from the percent over assessed rules (coverage reaches the rulebook's minimum {min_coverage}).",
        "gaps": "Missing data",
        "points": "Points",
        "awarded_of": "Awarded / possible",
        "rules_count": "Rules",
        "section_rules": "Rules (✗ failed)",
        "section_no_rules": "no rule in this chapter (nothing a ledger can check)",
        "targets": "Headline targets",
        "targets_note": "The bar is the actual value; the vertical line is the plan's threshold.",
        "target": "Target",
        "actual": "Actual",
        "threshold": "Threshold",
        "no_targets": "This rulebook has no rule with a numeric threshold.",
        "sections": "Sections",
        "section": "Section",
        "percent": "Percent",
        "divisions": "Divisions ranking",
        "division": "Division",
        "rank": "Rank",
        "violations": "Violations",
        "worst_rules": "Main problems",
        "no_divisions": "No data to break down by division.",
        "more_divisions": "{n} more divisions are not listed; see the findings export.",
        "grid": "Division × rule compliance",
        "grid_note": "Each cell is the division's compliance rate on the rule (%, rounded down); blank means no applicable record.",
        "requests": "Deadlines",
        "reply_chart": "Reply time against the deadline",
        "overdue_list": "Overdue, still open",
        "no_overdue": "Nothing is overdue.",
        "more_overdue": "{n} more overdue records are in the findings export.",
        "bucket_on_time": "Done on time",
        "bucket_late_1": "Late by 1 working day",
        "bucket_late_2_5": "Late by 2–5 working days",
        "bucket_late_6_10": "Late by 6–10 working days",
        "bucket_late_11": "Late by more than 10 working days",
        "bucket_overdue": "Overdue, still open",
        "bucket_pending_7": "Open, due within 7 days",
        "bucket_pending_later": "Open, due later",
        "bucket_invalid": "Invalid dates",
        "clock_start": "Clock start",
        "deadline": "Deadline",
        "end": "Answered",
        "late_workdays": "Working days late",
        "key": "Key",
        "row": "Sheet row",
        "rules": "Rules and findings",
        "rule": "Rule",
        "status": "Status",
        "severity": "Severity",
        "basis": "Basis",
        "checks": "What it checks",
        "scoring": "Scoring",
        "population": "Population",
        "passed": "Passed",
        "pending": "Pending",
        "waived": "Waived",
        "rate": "Rate",
        "message": "Message",
        "kind": "Kind",
        "violating_rows": "Violating rows",
        "more_rows": "{n} more violating rows are not listed; the findings export (--findings) has all of them.",
        "no_violations": "No violating rows.",
        "filter": "Filter",
        "filter_all": "All",
        "filter_search": "Search key, division, message…",
        "filter_shown": "Showing {shown} of {total} violating rows",
        "filter_reset": "Clear filters",
        "finding_status": "Finding status",
        "data_issues": "Data issues",
        "no_data_issues": "No data issues.",
        "problem": "Problem",
        "field": "Field",
        "count": "Count",
        "sample_values": "Sample values",
        "row_numbers": "Rows",
        "more_issue_groups": "{n} more kinds of data issue are in the JSON result.",
        "warnings": "Warnings",
        "no_warnings": "No warnings.",
        "more_warnings": "{n} more warnings are not listed.",
        "yes": "yes",
        "no": "no",
        "none": "—",
        "contents": "Contents",
        "generated_by": "Generated by disclosure-rules {version}",
        "js_off": "(scripts are off: all violating rows are shown)",
        "status_pass": "pass",
        "status_fail": "fail",
        "status_not_applicable": "not applicable",
        "status_not_assessed": "not assessed",
        "status_error": "error",
        "sev_critical": "critical",
        "sev_major": "major",
        "sev_minor": "minor",
        "fs_open": "open",
        "fs_waived": "waived",
        "fs_late": "done late",
        "fs_overdue": "overdue",
        "kind_required": "required",
        "kind_condition": "condition",
        "kind_ratio": "ratio",
        "kind_deadline": "deadline",
        "kind_unique": "unique",
        "kind_sequence": "sequence",
        "kind_count": "count",
        "score_line": "{awarded} of {possible} points",
        "min": "at least",
        "n_rows": "{n} rows",
        "max": "at most",
    },
}

BUCKETS = ("on_time", "late_1", "late_2_5", "late_6_10", "late_11", "overdue",
           "pending_7", "pending_later", "invalid")


# ---------------------------------------------------------------- formatting


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fmt_date(value: Any) -> str:
    if _blank(value):
        return ""
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _fmt_number(value: Any) -> str:
    if _blank(value):
        return ""
    number = float(value)
    if number.is_integer():
        return f"{int(number)}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _fmt_percent(rate: Any) -> str:
    if _blank(rate):
        return "—"
    return f"{100 * float(rate):.1f}%"


def _fmt_points(value: Any) -> str:
    if _blank(value):
        return "—"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _fmt_grid(rate: Any) -> str:
    """A rate in the division x rule grid: whole percent, no sign (the legend says %)."""
    if _blank(rate):
        return ""
    return f"{math.floor(100 * float(rate))}" if float(rate) < 1 else "100"


def _rate_class(rate: Any) -> str:
    """Colour band of a compliance rate (also shown as text, so print in grey works)."""
    if _blank(rate):
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


def _meta(result, ui: dict[str, str], lang: str = "zh") -> dict:
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
        "id": info.id,
        "issuer": info.issuer or "",
        "period": f"{period.start.isoformat()} – {period.end.isoformat()}" if period else "",
        "as_of": _fmt_date(result.as_of),
        "tool_version": result.tool_version,
        "sha256": book.sha256 or "",
        "datasets": datasets,
        "sections": result.sections,
        "data_issues": result.data_issues,
        "warnings": result.warnings_in(lang),
    }


def _headline(result, ui: dict, lang: str) -> dict:
    counts = {status: 0 for status in STATUSES}
    for rr in result.rules:
        counts[rr.status] = counts.get(rr.status, 0) + 1
    percent = result.percent
    strict = result.strict_percent
    shown = strict if result.graded_on == "strict_percent" else percent

    def figure(value):
        return "—" if _blank(value) else f"{float(value):.1f}"

    words = {"coverage": _fmt_percent(result.coverage), "min_coverage": _fmt_percent(result.min_coverage),
             "percent": figure(percent), "strict": figure(strict)}
    if result.graded_on == "strict_percent":
        grading_note = ui["graded_strict"].format(**words)
    elif result.coverage < 1 and not _blank(strict):
        grading_note = ui["strict_line"].format(**words)
    else:
        grading_note = ""
    return {
        "percent": figure(shown),
        "graded_on": result.graded_on,
        "grading_note": grading_note,
        "gaps": result.coverage_warnings(lang)[:len(result.coverage_gaps)],
        "grade": result.grade or "—",
        "coverage": _fmt_percent(result.coverage),
        "coverage_value": 0.0 if _blank(result.coverage) else float(result.coverage),
        "awarded": _fmt_points(result.awarded),
        # the points line adds up to the figure shown: strict_percent's possible when graded on it
        "possible": _fmt_points(result.strict_possible if result.graded_on == "strict_percent" else result.possible),
        "counts": counts,
        "total": len(result.rules),
    }


def _targets(result) -> list[dict]:
    """Bars for every rule with a threshold and a rate: actual vs threshold line."""
    out = []
    for rr in result.rules:
        lo, hi = rr.threshold_min, rr.threshold_max
        # a count rule's bounds are row counts, not rates: it has no bar here
        if rr.kind == "count" or (lo is None and hi is None and rr.kind != "ratio"):
            continue
        rate = None if _blank(rr.rate) else float(rr.rate)
        out.append({
            "id": rr.id,
            "title": rr.title,
            "status": rr.status,
            "rate": rate,
            "rate_text": _fmt_percent(rate),
            "width": 0.0 if rate is None else round(100 * min(max(rate, 0.0), 1.0), 2),
            "min": None if lo is None else round(100 * float(lo), 2),
            "max": None if hi is None else round(100 * float(hi), 2),
            "min_text": None if lo is None else _fmt_percent(lo),
            "max_text": None if hi is None else _fmt_percent(hi),
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
            "awarded": _fmt_points(sec.get("awarded")),
            "possible": _fmt_points(sec.get("possible")),
            "percent": "—" if _blank(sec.get("percent")) or not sec.get("possible") else f"{float(sec['percent']):.1f}%",
            "rate": None if not sec.get("possible") else float(sec.get("percent") or 0) / 100,
            "rules": [rr.id for rr in rules],
            "failing": [rr.id for rr in rules if rr.status == "fail"],
        })
    return out


def _divisions(result, ui: dict[str, str]) -> dict:
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
            worst[str(department)] = [{"rule": str(r), "violations": int(v)}
                                      for r, v in zip(group["rule"].head(3), group["violations"].head(3))]
        present = set(grid_frame["rule"].astype(str))
        grid_rules = [rr.id for rr in result.rules if rr.id in present]
        for department, rule, population, violations, rate in zip(
            grid_frame["department"].astype(str), grid_frame["rule"].astype(str), grid_frame["population"],
            grid_frame["violations"], grid_frame["rate"],
        ):
            rates[(department, rule)] = {
                "text": _fmt_grid(rate),
                "cls": _rate_class(rate),
                "title": f"{department} · {rule}: {_fmt_number(violations) or 0} / {_fmt_number(population) or 0}",
            }
    ranking, grid = [], []
    for rank, row in enumerate(deps.itertuples(index=False), start=1):
        name = str(row.department)
        ranking.append({
            "rank": rank,
            "name": name,
            "percent": "—" if _blank(row.percent) or not row.possible else f"{float(row.percent):.1f}%",
            "cls": _rate_class(None if not row.possible or _blank(row.percent) else float(row.percent) / 100),
            "awarded": _fmt_points(row.awarded),
            "possible": _fmt_points(row.possible),
            "violations": _fmt_number(row.violations) or "0",
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


def _bucket_counts(rows: pd.DataFrame, as_of) -> dict[str, int]:
    status = rows["status"].astype(str)
    late = pd.to_numeric(rows["late_workdays"], errors="coerce")
    deadline = pd.to_datetime(rows["deadline"], errors="coerce")
    until_due = (deadline - pd.Timestamp(as_of)).dt.days
    is_late = status == "late"
    pending = status == "pending"
    return {
        "on_time": int((status == "on_time").sum()),
        "late_1": int((is_late & (late <= 1)).sum()),
        "late_2_5": int((is_late & (late >= 2) & (late <= 5)).sum()),
        "late_6_10": int((is_late & (late >= 6) & (late <= 10)).sum()),
        "late_11": int((is_late & (late > 10)).sum()),
        "overdue": int((status == "overdue").sum()),
        "pending_7": int((pending & (until_due <= 7)).sum()),
        "pending_later": int((pending & ~(until_due <= 7)).sum()),
        "invalid": int((status == "invalid").sum()),
    }


def _deadlines(result, ui: dict[str, str]) -> list[dict]:
    out = []
    rule_titles = {rr.id: rr.title for rr in result.rules}
    for rule_id, rows in result.deadline_rows.items():
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
        overdue = rows[rows["status"].astype(str) == "overdue"]
        overdue = overdue.sort_values("deadline", kind="stable")
        listed = overdue.head(MAX_OVERDUE)
        out.append({
            "rule": rule_id,
            "title": rule_titles.get(rule_id, rule_id),
            "total": len(rows),
            "bars": bars,
            "overdue": [{
                "row": _fmt_number(r.row),
                "key": "" if _blank(r.key) else str(r.key),
                "department": "" if _blank(r.department) else str(r.department),
                "clock_start": _fmt_date(r.clock_start),
                "deadline": _fmt_date(r.deadline),
                "late_workdays": _fmt_number(r.late_workdays),
            } for r in listed.itertuples(index=False)],
            "more_overdue": len(overdue) - len(listed),
        })
    return out


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


def _rule_rows(result, rr, listed: dict[str, pd.DataFrame], totals: dict[str, int], ui: dict[str, str],
               lang: str) -> tuple[list[dict], list[dict], int]:
    """Up to MAX_ROWS_PER_RULE violating rows of one rule, with the rule's fields."""
    mine = listed.get(rr.id)
    total = totals.get(rr.id, 0)
    if mine is None or total == 0:
        return [], [], 0
    status = mine["_status"]
    loaded = result.data[rr.dataset]
    spec = result.book.datasets[rr.dataset]
    fields = [f for f in rr.fields if f in loaded.frame.columns]  # joined fields are not in the frame
    values: dict[str, list[str]] = {}
    if fields:
        # group findings (a count per group) have position -1: no row to show
        positions = mine["position"].to_numpy()
        valid = positions >= 0
        picked = loaded.frame.iloc[positions[valid]]
        for field in fields:
            shown = display_values(picked[field], spec.fields[field], lang).fillna("").to_numpy(dtype=object)
            column = np.full(len(mine), "", dtype=object)
            column[valid] = shown
            values[field] = column.tolist()
    columns = [{"field": field,
                "label": (loaded.headers.get(field) or spec.fields[field].header or field) if lang == "zh" else field}
               for field in fields]
    rows = []
    for i, r in enumerate(mine.itertuples(index=False)):
        fs = status.iloc[i]
        rows.append({
            "row": _fmt_number(r.row),
            "key": "" if _blank(r.key) else str(r.key),
            "department": "" if _blank(r.department) else str(r.department),
            "severity": str(r.severity),
            "status": fs,
            "status_label": ui[f"fs_{fs}"],
            "message": "" if _blank(r.message) else str(r.message),
            "values": [values[f][i] for f in fields],
        })
    return columns, rows, total - len(rows)


def _rules(result, ui: dict[str, str], lang: str) -> list[dict]:
    listed, totals = _listed_findings(result, lang)
    book = result.book
    sections = {s.id: s.title for s in book.sections}
    out = []
    for rr in result.rules:
        model = book.rule(rr.id)
        columns, rows, more = _rule_rows(result, rr, listed, totals, ui, lang)
        basis = rr.basis or {}
        threshold = []
        bound = (lambda v: ui["n_rows"].format(n=_fmt_number(v))) if rr.kind == "count" else _fmt_percent
        if rr.threshold_min is not None:
            threshold.append(f"{ui['min']} {bound(rr.threshold_min)}")
        if rr.threshold_max is not None:
            threshold.append(f"{ui['max']} {bound(rr.threshold_max)}")
        out.append({
            "id": rr.id,
            "title": rr.title,
            "kind": rr.kind,
            "kind_label": ui.get(f"kind_{rr.kind}", rr.kind),
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
                "population": _fmt_number(rr.population) or "0",
                "passed": _fmt_number(rr.passed) or "0",
                "violations": _fmt_number(rr.violations) or "0",
                "pending": _fmt_number(rr.pending) or "0",
                "waived": _fmt_number(rr.waived) or "0",
            },
            "rate": _fmt_percent(rr.rate),
            "threshold": "，".join(threshold) if lang == "zh" else ", ".join(threshold),
            "awarded": _fmt_points(rr.awarded),
            "possible": _fmt_points(rr.possible),
            "message": (rr.message_zh if lang == "zh" else "") or rr.message,
            "columns": columns,
            "rows": rows,
            "more": more,
        })
    return out


def _field_label(book, dataset: str | None, field: str | None, lang: str) -> str:
    spec = book.datasets.get(dataset) if dataset else None
    fspec = spec.fields.get(field) if spec is not None and field else None
    if lang == "zh" and fspec is not None and fspec.header:
        return fspec.header
    return field or ""


def _issues(meta: dict, book, lang: str) -> dict:
    groups: dict[tuple, dict] = {}
    for issue in meta["data_issues"]:
        key = (issue.get("dataset"), issue.get("field"), issue.get("problem"))
        spec = book.datasets.get(key[0]) if key[0] else None
        dataset = (spec.title if lang == "zh" and spec is not None and spec.title else key[0]) or ""
        group = groups.setdefault(key, {"dataset": dataset, "field": _field_label(book, key[0], key[1], lang),
                                        "problem": key[2] or "", "count": 0, "rows": [], "values": []})
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


def build_view(result, lang: str = "zh") -> dict:
    """Everything the template shows, as plain strings, numbers and lists."""
    if lang not in UI:
        raise ValueError(f"unknown report language {lang!r}; use one of: {', '.join(UI)}")
    ui = UI[lang]
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
        "divisions": _divisions(result, ui),
        "deadlines": _deadlines(result, ui),
        "rules": rules,
        "filters": {
            "rules": [(r["id"], r["title"]) for r in rules if r["rows"]],
            "divisions": divisions,
            "severities": [(s, ui[f"sev_{s}"]) for s in SEVERITIES],
            "statuses": [(s, ui[f"fs_{s}"]) for s in ("open", "late", "overdue", "waived")],
            "total": len(shown),
        },
        "issues": _issues(meta, result.book, lang),
        "statuses": STATUSES,
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


def render_html(result, lang: str = "zh") -> str:
    """The self-contained HTML report of an audit result (DESIGN §12)."""
    view = build_view(result, lang)
    return _environment().get_template("report.html.j2").render(**view)


def write_html(result, path, lang: str = "zh") -> None:
    """Write the report to ``path`` atomically (temporary file in the same folder, then rename)."""
    html = render_html(result, lang)
    write_atomic(path, html.encode("utf-8"))


