"""The one vocabulary: every fixed word a person reads in an output, in Chinese and English.

Conventions:

- ``Status`` and ``Severity`` are the codes the JSON carries (DESIGN §8); their words are
  here, one per code and language, and nowhere else;
- ``WORDS[lang]`` holds every other fixed word of the HTML report, the rectification list
  (XLSX/CSV), the terminal summary and ``explain``: headers, labels, sentences with
  ``{placeholders}``. Both languages have exactly the same keys (a test checks it);
- what is not fixed stays as written: ledger values, division names, rule titles, basis
  text, dataset titles and grade labels come from the ledgers and the rulebook, and the
  ledger's own headers are quoted as the file has them;
- the JSON's words do not come from here: its messages are English sentences and its
  codes are the enum values, so that programs reading it see one stable text;
- numbers, percents, points and dates are turned into text by the helpers at the end
  (``number_text``, ``percent_text``, ``points_text``, ``date_text``), the only places
  that format them for people. A blank becomes ``""`` (or ``"—"`` where a cell must show
  something, as the helpers say).

An unknown language is a ``ValueError`` naming the languages there are.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from enum import StrEnum
from typing import Any, Mapping

__all__ = [
    "LANGS", "Status", "Severity", "WORDS", "BLANK_DIVISION", "ISO_DATE", "NONE_MARK", "check_lang", "vocabulary", "word",
    "status_word", "severity_word", "kind_word", "scoring_word", "yes_no", "division_name",
    "is_blank", "number_text", "percent_text", "points_text", "score_text", "date_text", "list_text",
    "light_word", "problem_text", "warning_text", "both", "file_kind", "error_text",
]

LANGS = ("zh", "en")


class Status(StrEnum):
    """A rule's outcome (DESIGN §8)."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSED = "not_assessed"
    ERROR = "error"


class Severity(StrEnum):
    """How serious a rule's violations are (DESIGN §3)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


#: the ISO date format (DESIGN §8: dates are ISO strings), for vectorized ``strftime``
ISO_DATE = "%Y-%m-%d"

#: what a cell that must show something shows for a blank figure (both languages)
NONE_MARK = "—"

#: the name of the division of rows whose division cell is blank. The JSON's departments
#: list carries the Chinese name (README: "grouped as (未填写)"), whatever the language.
BLANK_DIVISION = "(未填写)"

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        # ---- statuses, severities, kinds, scoring modes (one word each)
        "status_pass": "达标",
        "status_warn": "预警",
        "status_fail": "未达标",
        "status_not_applicable": "不适用",
        "status_not_assessed": "未考核",
        "status_error": "出错",
        "sev_critical": "严重",
        "sev_major": "较重",
        "sev_minor": "一般",
        "kind_required": "必填",
        "kind_condition": "条件",
        "kind_ratio": "比率",
        "kind_deadline": "时限",
        "kind_unique": "唯一",
        "kind_sequence": "顺序",
        "kind_count": "数量",
        "kind_trend": "趋势",
        "scoring_proportional": "按比例计分",
        "scoring_all_or_nothing": "达标得分",
        "scoring_deduct": "扣分制",
        # ---- small words
        "yes": "是",
        "no": "否",
        "none": NONE_MARK,
        "blank_value": "（空）",
        "blank_division": BLANK_DIVISION,
        "whole_unit": "(全单位)",
        "colon": "：",
        "sep": "、",
        "and": "，",
        "html_lang": "zh-CN",
        # ---- the audit trail and the headline
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
        "graded_on": "评定依据",
        "graded_on_strict": "严格得分（覆盖率低于方案要求，未能考核的规则计 0 分）",
        "graded_on_percent": "可考核规则得分",
        "percent_assessed": "可考核规则得分",
        "strict_percent": "严格得分",
        "gaps": "缺少的数据",
        "points": "分值",
        "awarded_of": "得分 / 可得分",
        "rules_count": "规则数",
        "score_line": "得分 {awarded} / {possible}",
        # ---- targets, sections, divisions
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
        "divisions_note": "问题数按各处室自己的记录重新考核每条规则得出：数量规则按处室的记录计数，唯一性只在处室内比较，因此可能与整改清单中该处室的条数不同。",
        "grid": "处室 × 规则 达标率",
        "grid_note": "单元格为该处室在该规则上的达标率（%，向下取整）；空白表示该处室无适用记录。",
        # ---- deadlines
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
        # ---- rules and findings
        "key": "记录编号",
        "row": "表格行号",
        "rules": "规则与问题明细",
        "rule": "规则",
        "rule_id": "规则编号",
        "rule_title": "规则名称",
        "status": "状态",
        "severity": "严重程度",
        "basis": "依据",
        "clause": "依据条款",
        "checks": "检查内容",
        "scoring": "计分方式",
        "population": "适用记录",
        "passed": "合格",
        "pending": "未到期",
        "waived": "已豁免",
        "rate": "达标率",
        "message": "说明",
        "finding_message": "问题说明",
        "kind": "类型",
        "violating_rows": "问题记录",
        "findings_total": "共 {total} 条问题记录（待整改 {open} 条，已豁免 {waived} 条）；每条规则最多列出 {cap} 条，本页列出 {listed} 条，完整清单见整改清单导出文件（--findings）。",
        "more_rows": "另有 {n} 条问题记录未列出，完整清单见整改清单导出文件（--findings）。",
        "no_violations": "没有问题记录。",
        "filter": "筛选",
        "filter_all": "全部",
        "filter_search": "搜索编号、处室、说明……",
        "filter_shown": "显示 {shown} / {total} 条问题记录",
        "filter_reset": "清除筛选",
        "finding_status": "问题状态",
        "fs_open": "待整改",
        "fs_waived": "已豁免",
        "fs_late": "超期办结",
        "fs_overdue": "逾期未办结",
        "min": "不低于",
        "max": "不高于",
        "n_rows": "{n} 条记录",
        # ---- data issues, warnings, page
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
        "contents": "目录",
        "generated_by": "由 disclosure-rules {version} 生成",
        "js_off": "（未启用脚本：显示全部问题记录）",
        # ---- the rectification list (XLSX/CSV)
        "summary": "汇总",
        "findings_count": "问题总数",
        "open": "待整改",
        "list_rows": "整改清单条数",
        "ranking_violations": "排名问题数",
        "list_note": "整改清单条数为该处室工作表的行数（按记录所属处室归类）；排名问题数同报告的处室排名（按处室自己的记录重新考核）。数量规则的分组问题不属于某一处室，列在“{whole_unit}”工作表。",
        # ---- the terminal summary
        "cli_rules": "规则",
        "cli_failing": "未达标规则:",
        "cli_findings": "问题记录: {total} 条（待整改 {open} 条，已豁免 {waived} 条）",
        "cli_issues": "数据质量问题: {n} 条（见报告）",
        "cli_warning": "提示",
        "cli_reading": "读取说明:",
        "cli_wrote": "已写入",
        "cli_graded_strict": "{strict} / 100（严格得分：覆盖率低于 {min_coverage}，未考核的规则计 0 分；仅按可考核规则为 {percent}）",
        "cli_strict": "{percent} / 100（严格得分 {strict}）",
        "not_available": "无",
        # ---- explain: what a rule checks
        "explain_section": "章节",
        "explain_source": "出处",
        "explain_checks": "检查内容",
        "explain_scoring": "计分方式",
        "explain_disabled": "（此规则已停用）",
        "describe_dataset": "数据:{title}({name})。",
        "describe_scope_all": "范围:全部记录。",
        "describe_scope_where": "范围:{where}的记录。",
        "describe_join": "关联:取「{title}」中{pairs}的记录,计算{aggs}。",
        "describe_required": "检查:以下各项均须填写:{fields}。",
        "describe_condition": "检查:每条记录须满足:{expect}。",
        "describe_ratio": "检查:满足“{expect}”的记录占比{bounds}。",
        "describe_unique": "检查:{fields}的取值组合不得与前面的记录重复(全部为空的不算重复)。",
        "describe_sequence": "检查:已填写的日期须按先后顺序:{fields}(同日可以)。",
        "describe_count": "检查:{per}记录数{bounds}。",
        "describe_count_per": "按{per}分组,每组",
        "describe_count_groups": "以下各组都须出现:{groups}。",
        "describe_trend": "检查:满足“{expect}”的记录占比,不低于上期考核结果(--previous)中{of}的比率{change}。",
        "describe_trend_drop": ",允许下降至多{v}个百分点",
        "describe_trend_rise": ",且须高出至少{v}个百分点",
        "describe_trend_cap": ",高出不超过{v}个百分点",
        "trend_previous": "上期比率",
        "gap_previous": "未提供上期考核结果（--previous）：规则 {rules}（{points} 分）无法考核",
        "gap_previous_rate": "上期考核结果中没有规则 {of} 的比率：规则 {rules}（{points} 分）无法考核",
        "trend_minus": "{base}减{v}个百分点",
        "trend_plus": "{base}加{v}个百分点",
        "describe_deadline": "检查:从{start}起算,{end}须在{limit}内",
        "describe_extension": ";{when}时可再延长{limit}",
        "describe_restart": ";{restart}已填写的,从该日起重新计算",
        "describe_exclude": ";{frm}至{to}期间不计入期限",
        "describe_deadline_tail": "。{end}为空且已超过期限的为逾期,{end}早于{start}的为错误;{end}为空而尚未到期的为办理中,不计入比率。",
        "describe_min": "不低于{v}",
        "describe_max": "不高于{v}",
        "describe_and": "且",
        "describe_rate_min": "达标率不低于{v}即为通过。",
        "describe_wd": "{n}个工作日",
        "describe_cd": "{n}个自然日",
        "describe_arrow": " → ",
        "describe_agg_count": "{name} = 关联记录数",
        "describe_agg_count_distinct": "{name} = {src}的不同取值个数",
        "describe_agg_min": "{name} = 最小的{src}",
        "describe_agg_max": "{name} = 最大的{src}",
        "describe_join_pair": "{right}等于本表{left}",
        "describe_joined_count": "「{title}」关联记录数",
        "describe_joined_count_distinct": "「{title}」中{src}的不同取值个数",
        "describe_joined_min": "「{title}」中最小的{src}",
        "describe_joined_max": "「{title}」中最大的{src}",
        # ---- explain: how a rule scores (formulas: × ÷ − and min(1, …) read the same in both languages)
        "score_rate": "达标率",
        "score_group_rate": "达标组比例",
        "score_unscored": "不计分,仅报告结果",
        "score_all_or_nothing": "{mode}:通过得{points}分,否则得0分",
        "score_formula": "{mode}:{formula}",
        "score_piece_upto": "{formula}(达标率不高于{max}时)",
        "score_piece_above": "{formula}(达标率高于{max}时)",
        "score_else": ",",
        "score_undecided": "尚无已到期的记录时得满分",
        "score_deduct": "{mode}:满分{points}分,每条违规扣{deduct}分,最多扣{cap}分",
        "pass_rate_bounds": "达标率{bounds}为通过",
        "pass_count_bounds": "记录数{bounds}为通过",
        "pass_group_bounds": "每组记录数{bounds}为通过",
        "pass_rate_min": "达标率不低于{min}为通过",
        "pass_no_violation": "没有违规记录为通过",
        "scoring_line": "{how};{passes};严重程度:{severity}。",
    },
    "en": {
        "status_pass": "pass",
        "status_warn": "warning",
        "status_fail": "fail",
        "status_not_applicable": "not applicable",
        "status_not_assessed": "not assessed",
        "status_error": "error",
        "sev_critical": "critical",
        "sev_major": "major",
        "sev_minor": "minor",
        "kind_required": "required",
        "kind_condition": "condition",
        "kind_ratio": "ratio",
        "kind_deadline": "deadline",
        "kind_unique": "unique",
        "kind_sequence": "sequence",
        "kind_count": "count",
        "kind_trend": "trend",
        "scoring_proportional": "proportional",
        "scoring_all_or_nothing": "all or nothing",
        "scoring_deduct": "deductions",
        "yes": "yes",
        "no": "no",
        "none": NONE_MARK,
        "blank_value": "(blank)",
        "blank_division": "(blank division)",
        "whole_unit": "(whole unit)",
        "colon": ": ",
        "sep": ", ",
        "and": ", ",
        "html_lang": "en",
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
        "graded_on": "Graded on",
        "graded_on_strict": "strict percent (coverage is below the rulebook's minimum; rules not assessed count as 0)",
        "graded_on_percent": "percent over assessed rules",
        "percent_assessed": "Percent over assessed rules",
        "strict_percent": "Strict percent",
        "gaps": "Missing data",
        "points": "Points",
        "awarded_of": "Awarded / possible",
        "rules_count": "Rules",
        "score_line": "{awarded} of {possible} points",
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
        "divisions_note": "Violations come from re-assessing every rule on the division's own records: count rules count the division's records and uniqueness is checked within the division, so the figure can differ from the division's rows in the rectification list.",
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
        "key": "Record key",
        "row": "Sheet row",
        "rules": "Rules and findings",
        "rule": "Rule",
        "rule_id": "Rule",
        "rule_title": "Rule title",
        "status": "Status",
        "severity": "Severity",
        "basis": "Basis",
        "clause": "Clause",
        "checks": "What it checks",
        "scoring": "Scoring",
        "population": "Population",
        "passed": "Passed",
        "pending": "Pending",
        "waived": "Waived",
        "rate": "Rate",
        "message": "Message",
        "finding_message": "Finding",
        "kind": "Kind",
        "violating_rows": "Violating rows",
        "findings_total": "{total} findings ({open} open, {waived} waived); at most {cap} per rule are listed, {listed} on this page; the findings export (--findings) has all of them.",
        "more_rows": "{n} more violating rows are not listed; the findings export (--findings) has all of them.",
        "no_violations": "No violating rows.",
        "filter": "Filter",
        "filter_all": "All",
        "filter_search": "Search key, division, message…",
        "filter_shown": "Showing {shown} of {total} violating rows",
        "filter_reset": "Clear filters",
        "finding_status": "Finding status",
        "fs_open": "open",
        "fs_waived": "waived",
        "fs_late": "done late",
        "fs_overdue": "overdue",
        "min": "at least",
        "max": "at most",
        "n_rows": "{n} rows",
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
        "contents": "Contents",
        "generated_by": "Generated by disclosure-rules {version}",
        "js_off": "(scripts are off: all violating rows are shown)",
        "summary": "Summary",
        "findings_count": "Findings",
        "open": "Open",
        "list_rows": "Rows in the list",
        "ranking_violations": "Ranking violations",
        "list_note": "Rows in the list are the rows of the division's sheet (by the division of each record); ranking violations are the report's division ranking (every rule re-assessed on the division's own records). Group findings of count rules belong to no division and are on the sheet {whole_unit}.",
        "cli_rules": "Rules",
        "cli_failing": "Failing rules:",
        "cli_findings": "Findings: {total} ({open} open, {waived} waived)",
        "cli_issues": "Data issues: {n} (see the report)",
        "cli_warning": "Warning",
        "cli_reading": "Read:",
        "cli_wrote": "Wrote",
        "cli_graded_strict": "{strict} / 100 (strict: graded so because coverage is below {min_coverage}; {percent} over the rules that could be assessed)",
        "cli_strict": "{percent} / 100 (strict {strict})",
        "not_available": "n/a",
        "explain_section": "Section",
        "explain_source": "Source",
        "explain_checks": "What it checks",
        "explain_scoring": "How it scores",
        "explain_disabled": "(this rule is disabled)",
        "describe_dataset": "Data: {title} ({name}).",
        "describe_scope_all": "Scope: every record.",
        "describe_scope_where": "Scope: records where {where}.",
        "describe_join": "Join: the records of {title} whose {pairs}, giving {aggs}.",
        "describe_required": "Check: each of these must be filled in: {fields}.",
        "describe_condition": "Check: every record must satisfy: {expect}.",
        "describe_ratio": "Check: the share of records where {expect} must be {bounds}.",
        "describe_unique": "Check: no record may repeat the values of {fields} of an earlier record (all blank is no repeat).",
        "describe_sequence": "Check: the dates filled in must be in this order: {fields} (the same day is fine).",
        "describe_count": "Check: {per}the number of records must be {bounds}.",
        "describe_count_per": "per value of {per}, ",
        "describe_count_groups": "Each of these groups must appear: {groups}.",
        "describe_trend": "Check: the share of records where {expect} must not be below the rate of {of} in the previous result (--previous){change}.",
        "describe_trend_drop": ", less at most {v} points",
        "describe_trend_rise": ", plus at least {v} points",
        "describe_trend_cap": ", and not more than {v} points above it",
        "trend_previous": "the previous rate",
        "gap_previous": "no previous result was given (--previous): rules {rules} ({points} points) could not be assessed",
        "gap_previous_rate": "the previous result has no rate for rule {of}: rules {rules} ({points} points) could not be assessed",
        "trend_minus": "{base} less {v} points",
        "trend_plus": "{base} plus {v} points",
        "describe_deadline": "Check: counting from {start}, {end} must fall within {limit}",
        "describe_extension": "; when {when}, {limit} more are allowed",
        "describe_restart": "; if {restart} is filled in, the clock restarts on that date",
        "describe_exclude": "; the time from {frm} to {to} is not counted",
        "describe_deadline_tail": ". A blank {end} past the deadline is overdue, {end} before {start} is an error; a blank {end} before the deadline is pending and left out of the rate.",
        "describe_min": "at least {v}",
        "describe_max": "at most {v}",
        "describe_and": " and ",
        "describe_rate_min": "The rule passes when the pass rate is at least {v}.",
        "describe_wd": "{n} working days",
        "describe_cd": "{n} calendar days",
        "describe_arrow": " → ",
        "describe_agg_count": "{name} = the number of matching records",
        "describe_agg_count_distinct": "{name} = the number of distinct {src}",
        "describe_agg_min": "{name} = the earliest/smallest {src}",
        "describe_agg_max": "{name} = the latest/largest {src}",
        "describe_join_pair": "{right} equals this record's {left}",
        "describe_joined_count": "the number of matching {title} records",
        "describe_joined_count_distinct": "the number of distinct {src} in {title}",
        "describe_joined_min": "the smallest {src} in {title}",
        "describe_joined_max": "the largest {src} in {title}",
        "score_rate": "pass rate",
        "score_group_rate": "share of groups in bounds",
        "score_unscored": "reported, not scored",
        "score_all_or_nothing": "{mode}: {points} points if it passes, otherwise 0",
        "score_formula": "{mode}: {formula}",
        "score_piece_upto": "{formula} while the pass rate is at most {max}",
        "score_piece_above": "{formula} when the pass rate is above {max}",
        "score_else": ", ",
        "score_undecided": "full points while no record is decided yet",
        "score_deduct": "{mode}: {points} points, minus {deduct} per violation, at most {cap} deducted",
        "pass_rate_bounds": "passes when the rate is {bounds}",
        "pass_count_bounds": "passes when the record count is {bounds}",
        "pass_group_bounds": "passes when every group is {bounds}",
        "pass_rate_min": "passes when the rate is at least {min}",
        "pass_no_violation": "passes when no record violates it",
        "scoring_line": "{how}; {passes}; severity: {severity}.",
    },
}

# ---- the office's words (issue 13): due soon and lights, the due command, the warn tier.
# Kept in one block so that the languages stay side by side.
_OFFICE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "light": "灯",
        "light_red": "红灯",
        "light_yellow": "黄灯",
        "light_green": "绿灯",
        "lights": "亮灯",
        "lights_line": "红灯 {red} · 黄灯 {yellow} · 绿灯 {green}",
        "due_soon": "即将到期",
        "due_soon_note": "尚未办结、期限在预警时点以内的记录（黄灯），按剩余工作日从少到多排列；请在期限前办结。预警时点是考核方案的参数（due_soon），法规未作规定。",
        "no_due_soon": "没有即将到期的记录。",
        "more_due_soon": "另有 {n} 条即将到期的记录未列出，见 disclosure-rules due 或整改清单。",
        "workdays_left": "剩余工作日",
        "due_title": "未办结事项（按剩余工作日排序）",
        "due_none": "没有未办结的事项。",
        "due_none_within": "没有剩余 {n} 个工作日以内的未办结事项。",
        "due_count": "共 {n} 条未办结事项：红灯 {red} 条（已逾期），黄灯 {yellow} 条（即将到期），绿灯 {green} 条。",
        "due_overdue_days": "已逾期 {n} 个工作日",
        "due_today": "今天到期",
        "warn_line": "预警线",
        "status_due_soon": "即将到期",
        "seq": "序号",
        "list_problem": "问题",
        "raw_value": "原始填写内容",
        "list_status": "状态",
        "rs_open": "待整改",
        "rs_explain": "需说明情况",
        "rs_waived": "已豁免",
        "rs_due_soon": "即将到期",
        "rectify_by": "整改时限",
        "owner": "责任人",
        "measures": "整改措施",
        "progress": "完成情况",
        "progress_options": "未开始,整改中,已完成,已说明情况",
        "status_legend": "状态说明：待整改 = 更正台账记录或尽快办结；需说明情况 = 已超期办结，无法补救，请说明原因并提出防范措施；即将到期 = 尚未办结且临近期限，请在期限前办结；已豁免 = 经批准不计入。",
        "due_soon_message": "尚未办结，期限{deadline}，剩余{n}个工作日",
        "data_issue_sheet": "数据问题",
        "rectify_within": "整改时限（统计截止日后）",
        "rectify_days": "{n} 个工作日（{date}前）",
        "ratio_gaps": "比率规则距达标",
        "ratio_rate": "达标率",
        "ratio_target": "要求",
        "ratio_more": "还需符合的条数",
        "ratio_gap_note": "比率规则不必逐条整改：再有“还需符合的条数”条记录符合要求即可达标。",
        "issue_value": "填写内容",
        # why a row fails its expectation (expressions/failure.py)
        "fail_join": "；",
        "fail_missing": "缺少{field}",
        "fail_blank_expected": "{field}应为空（实际：{value}）",
        "fail_yes": "{field}应为“是”（实际：{value}）",
        "fail_lacks": "{field}缺少{items}",
        "fail_lacks_one": "{field}缺少{items}（实际：{value}）",
        "fail_none_of": "{field}没有{items}中的任何一项（实际：{value}）",
        "fail_should_be": "{field}应为{expected}（实际：{value}）",
        "fail_should_not_be": "{field}不应为{expected}（实际：{value}）",
        "fail_one_of": "{field}应为{items}之一（实际：{value}）",
        "fail_unknown": "{field}未填写",
        "fail_filled": "{field}已填写（{value}）",
        "fail_so": "，故",
        "fail_actual": "{sentence}（实际：{values}）",
        "fail_matches": "{field}不符合规定格式“{pattern}”（实际：{value}）",
        "fail_op_date_lt": "{left}应早于{right}", "fail_op_date_le": "{left}不应晚于{right}",
        "fail_op_date_gt": "{left}应晚于{right}", "fail_op_date_ge": "{left}不应早于{right}",
        "fail_op_date_eq": "{left}应与{right}为同一天", "fail_op_date_ne": "{left}不应与{right}为同一天",
        "fail_op_number_lt": "{left}应小于{right}", "fail_op_number_le": "{left}不应大于{right}",
        "fail_op_number_gt": "{left}应大于{right}", "fail_op_number_ge": "{left}不应小于{right}",
        "fail_op_number_eq": "{left}应等于{right}", "fail_op_number_ne": "{left}不应等于{right}",
        "fail_op_other_lt": "{left}应小于{right}", "fail_op_other_le": "{left}不应大于{right}",
        "fail_op_other_gt": "{left}应大于{right}", "fail_op_other_ge": "{left}不应小于{right}",
        "fail_op_other_eq": "{left}应与{right}相同", "fail_op_other_ne": "{left}不应与{right}相同",
        "fail_generic": "不满足“{condition}”（实际：{values}）",
        "fail_generic_plain": "不满足“{condition}”",
    },
    "en": {
        "light": "Light",
        "light_red": "red",
        "light_yellow": "yellow",
        "light_green": "green",
        "lights": "Lights",
        "lights_line": "red {red} · yellow {yellow} · green {green}",
        "due_soon": "Due soon",
        "due_soon_note": "Open records whose deadline is within the warning time (yellow), fewest working days left first: finish them before the deadline. The warning time is a rulebook parameter (due_soon); the law gives none.",
        "no_due_soon": "No record is due soon.",
        "more_due_soon": "{n} more records due soon are not listed; see disclosure-rules due or the rectification list.",
        "workdays_left": "Working days left",
        "due_title": "Open items (by working days left)",
        "due_none": "No open item.",
        "due_none_within": "No open item with {n} working days left or fewer.",
        "due_count": "{n} open items: {red} red (overdue), {yellow} yellow (due soon), {green} green.",
        "due_overdue_days": "overdue by {n} working days",
        "due_today": "due today",
        "warn_line": "Warning line",
        "status_due_soon": "Due soon",
        "seq": "No.",
        "list_problem": "Problem",
        "raw_value": "As typed",
        "list_status": "Status",
        "rs_open": "To fix",
        "rs_explain": "Explain and prevent",
        "rs_waived": "Waived",
        "rs_due_soon": "Due soon",
        "rectify_by": "Fix by",
        "owner": "Responsible",
        "measures": "Measures taken",
        "progress": "Progress",
        "progress_options": "not started,in progress,done,explained",
        "status_legend": "Status: To fix = correct the ledger entry or finish the item now; Explain and prevent = finished late, cannot be undone: explain why and say how it will be prevented; Due soon = still open and close to its deadline: finish it before then; Waived = approved, not counted.",
        "due_soon_message": "still open, deadline {deadline}, {n} working days left",
        "data_issue_sheet": "Data issues",
        "rectify_within": "Fix within (after the as-of date)",
        "rectify_days": "{n} working days (by {date})",
        "ratio_gaps": "Rate rules below target",
        "ratio_rate": "Rate",
        "ratio_target": "Required",
        "ratio_more": "More passing rows needed",
        "ratio_gap_note": "A rate rule need not be fixed row by row: this many more passing rows reach its target.",
        "issue_value": "Value",
        "fail_join": "; ",
        "fail_missing": "{field} is missing",
        "fail_blank_expected": "{field} should be blank (it is {value})",
        "fail_yes": "{field} should be yes (it is {value})",
        "fail_lacks": "{field} lacks {items}",
        "fail_lacks_one": "{field} lacks {items} (it is {value})",
        "fail_none_of": "{field} has none of {items} (it is {value})",
        "fail_should_be": "{field} should be {expected} (it is {value})",
        "fail_should_not_be": "{field} should not be {expected} (it is {value})",
        "fail_one_of": "{field} should be one of {items} (it is {value})",
        "fail_unknown": "{field} is blank",
        "fail_filled": "{field} is filled in ({value})",
        "fail_so": ", so ",
        "fail_actual": "{sentence} (got {values})",
        "fail_matches": "{field} does not have the required form '{pattern}' (it is {value})",
        "fail_op_date_lt": "{left} should be before {right}", "fail_op_date_le": "{left} should not be after {right}",
        "fail_op_date_gt": "{left} should be after {right}", "fail_op_date_ge": "{left} should not be before {right}",
        "fail_op_date_eq": "{left} should be the same day as {right}",
        "fail_op_date_ne": "{left} should not be the same day as {right}",
        "fail_op_number_lt": "{left} should be less than {right}", "fail_op_number_le": "{left} should be at most {right}",
        "fail_op_number_gt": "{left} should be more than {right}", "fail_op_number_ge": "{left} should be at least {right}",
        "fail_op_number_eq": "{left} should be {right}", "fail_op_number_ne": "{left} should not be {right}",
        "fail_op_other_lt": "{left} should be less than {right}", "fail_op_other_le": "{left} should be at most {right}",
        "fail_op_other_gt": "{left} should be more than {right}", "fail_op_other_ge": "{left} should be at least {right}",
        "fail_op_other_eq": "{left} should be the same as {right}", "fail_op_other_ne": "{left} should differ from {right}",
        "fail_generic": "does not hold: {condition} (got {values})",
        "fail_generic_plain": "does not hold: {condition}",
    },
}
for _lang, _words in _OFFICE_WORDS.items():
    WORDS[_lang].update(_words)


# ---- errors a user sees when a ledger cannot be read (reading.py): DatasetError(**both(key, ...)).
# {label} is the file as given; {what} and the other values are words themselves (see both()).
_READ_ERROR_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "read_not_found": "{label}：找不到该文件。",
        "read_folder": "{label}：是一个文件夹，不是台账文件。",
        "read_parquet_no_sheets": "{label}：「{path}」是 Parquet 文件，没有工作表；请去掉“#{sheet}”再给出文件。",
        "read_parquet_damaged": "{label}：是损坏或无法读取的 Parquet 文件（{reason}）。",
        "read_not_regular": "{label}：不是普通文件（是设备或管道）；请给出台账文件本身。",
        "read_cannot_read": "{label}：无法读取（{reason}）。",
        "read_text_no_sheets": "{label}：「{path}」是文本（CSV）文件，没有工作表；请去掉“#{sheet}”再给出文件。",
        "read_not_ledger": "{label}：是{what}，不是台账；请提供 Excel 或 WPS 工作簿（.xlsx、.xls、.ods）或 CSV 文件。",
        "read_not_readable_ledger": "{label}：是{what}，不是可以读取的台账；请提供 Excel 或 WPS 工作簿（.xlsx、.xls、.ods）或 CSV 文件。",
        "read_xml_not_sheet": "{label}：是 XML 文件，不是电子表格；请提供 Excel 或 WPS 工作簿（.xlsx、.xls、.ods）或 CSV 文件。",
        "read_password": "{label}：是设有密码的工作簿；请在 Excel 或 WPS 中打开，去掉密码后重新保存，或另存为 CSV（UTF-8）。",
        "read_damaged": "{label}：不是有效的{kind}，文件已损坏或不完整（{detail}）。请在 Excel 或 WPS 中打开后重新保存，或另存为 CSV（UTF-8）。",
        "read_too_wide": "{label}：工作簿中有一个工作表的范围为 {area}（{rows} 行 × {columns} 列），远超台账的大小，通常是表格远处有一个误填的单元格。请在 Excel 中删除表格以外的行和列后重新保存。",
        "read_empty": "{label}：文件是空的。",
        "read_grid_too_large": "{label}：工作表「{sheet}」有 {rows} 行 × {columns} 列，超过台账的大小（最多 {cells} 个单元格）；请在 Excel 中删除表格以外的空行空列，另存为 .xlsx。",
        "read_html_broken": "{label}：是无法读取的 HTML 网页（{detail}）；请在 Excel 中打开，另存为 .xlsx 或 CSV（UTF-8）。",
        "read_html_no_table": "{label}：是 HTML 网页（办公系统常把网页存成 .xls），其中没有表格；请在 Excel 中打开，另存为 .xlsx 或 CSV（UTF-8）。",
        "read_html_too_large": "{label}：网页中的第 {n} 个表格超过 {cells} 个单元格（合并单元格的跨度远超台账）；请在 Excel 中打开，另存为 .xlsx。",
        "read_xml_entities": "{label}：是声明了实体的 XML 文件，出于安全不予读取；请在 Excel 中打开，另存为 .xlsx。",
        "read_xml_damaged": "{label}：是已损坏或不完整的 Excel 2003 XML 表格（{detail}）；请在 Excel 中打开，另存为 .xlsx 或 CSV（UTF-8）。",
        "read_xml_no_sheet": "{label}：是没有工作表的 Excel 2003 XML 文件。",
        "read_binary": "{label}：不是文本文件（含有二进制数据）；请提供 CSV 文件（UTF-8 或 GB18030）或 Excel 工作簿。",
        "read_control_chars": "{label}：不是文本文件（含有控制字符）；请提供 CSV 文件（UTF-8 或 GB18030）或 Excel 工作簿。",
        "read_undecodable": "{label}：无法按文本解码（已尝试 {tried}）；请在 Excel 中另存为“CSV UTF-8”或 .xlsx。",
        "read_no_such_sheet": "{label}：工作簿中没有名为「{wanted}」的工作表；现有工作表：{names}。",
        "read_sheet_chart": "{label}：工作表「{sheet}」是图表；请指定存放台账的工作表。",
        "read_sheet_empty": "{label}：工作表「{sheet}」是空的；请指定存放台账的工作表。",
        "read_all_hidden": "{label}：存放表格的工作表都被隐藏了（{hidden}）；请在 Excel 或 WPS 中取消隐藏台账所在的工作表，或写成“{label}#{first}”指定它。",
        "read_sheet_is_empty": "{label}：工作表「{sheet}」是空的。",
        "read_file_is_empty": "{label}：文件是空的。",
        "read_all_sheets_empty": "{label}：工作簿中的工作表都是空表或图表。",
        "read_no_sheet_header": "{label}：工作簿中没有哪个工作表的表头含有{dataset}的字段（如 {accepted}）。各工作表及其表头：{listing}。请写成“{label}#工作表名”指定要读取的工作表，或修改列名，或在考核方案中把这些表头加入字段的 aliases。",
        "read_sheet_lacks_required": "{label}：工作表「{sheet}」缺少{dataset}的必填字段「{field}」一列（可用的表头：{accepted}），而工作表「{having}」有这一列。工作表「{sheet}」第 {row} 行的表头：{found}。请在该工作表中补上这一列，或写成“{label}#工作表名”逐个指定要读取的工作表。",
        "read_missing_required": "{label}：{sheet_words}{dataset}缺少必填字段的列：{wanted}。{where}找到的表头：{found}。{hint}请在台账中修改列名，或在考核方案中把该表头加入字段的 aliases。",
        "read_missing_one": "「{field}」（可用的表头：{accepted}）",
        "read_missing_sheet_words": "工作表「{sheet}」中，",
        "read_missing_where_sheet": "工作表「{sheet}」",
        "read_missing_where_row": "第 {row} 行",
        "read_missing_where_rows": "第 {first}–{last} 行",
        "read_missing_hint": "表头「{header}」像是字段 {field} 的「{accepted}」写错了。",
        "read_none": "（无）",
        "read_and_more": "{shown} 等（另有 {more} 个）",
        "read_dataset": "台账「{title}」（{name}）",
        "read_dataset_untitled": "台账 {name}",
        "read_a_chart": "（图表）",
        "read_empty_sheet": "（空表）",
        "read_no_headers": "（没有表头）",
    },
    "en": {
        "read_not_found": "{label}: file not found.",
        "read_folder": "{label}: is a folder, not a ledger file.",
        "read_parquet_no_sheets": "{label}: '{path}' is a Parquet file, which has no sheets; give the file without '#{sheet}'.",
        "read_parquet_damaged": "{label}: is a damaged or unreadable Parquet file ({reason}).",
        "read_not_regular": "{label}: is not a regular file (a device or a pipe); give the ledger file itself.",
        "read_cannot_read": "{label}: cannot be read ({reason}).",
        "read_text_no_sheets": "{label}: '{path}' is a text (CSV) file, which has no sheets; give the file without '#{sheet}'.",
        "read_not_ledger": "{label}: is {what}, not a ledger; give the ledger as an Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file.",
        "read_not_readable_ledger": "{label}: is {what}, not a ledger that can be read; give the ledger as an Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file.",
        "read_xml_not_sheet": "{label}: is an XML file, not a spreadsheet; give the ledger as an Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file.",
        "read_password": "{label}: is a password-protected workbook; open it in Excel or WPS, remove the password and save it again, or save it as CSV (UTF-8).",
        "read_damaged": "{label}: is not a valid {kind}: it is damaged or truncated ({detail}). Open it in Excel or WPS and save it again, or save it as CSV (UTF-8).",
        "read_too_wide": "{label}: a sheet of this workbook spans {area} ({rows} rows x {columns} columns), more than a ledger holds; a stray cell far from the table usually does this. Open it in Excel, delete the rows and columns beyond the table, and save it again.",
        "read_empty": "{label}: the file is empty.",
        "read_grid_too_large": "{label}: sheet '{sheet}' spans {rows} rows x {columns} columns, more than a ledger holds ({cells} cells at most); open it in Excel, delete the empty rows and columns far from the table, and save it as .xlsx.",
        "read_html_broken": "{label}: is an HTML page that cannot be read ({detail}); open it in Excel and save it as .xlsx or CSV (UTF-8).",
        "read_html_no_table": "{label}: is an HTML page (a web page, often saved as .xls by office systems) with no table in it; open it in Excel and save it as .xlsx or CSV (UTF-8).",
        "read_html_too_large": "{label}: table {n} of this HTML page spans more than {cells} cells (its colspan/rowspan are far larger than a ledger); open it in Excel and save it as .xlsx.",
        "read_xml_entities": "{label}: is an XML file declaring entities, which is not read; open it in Excel and save it as .xlsx.",
        "read_xml_damaged": "{label}: is an Excel 2003 XML spreadsheet that is damaged or truncated ({detail}); open it in Excel and save it as .xlsx or CSV (UTF-8).",
        "read_xml_no_sheet": "{label}: is an Excel 2003 XML file with no worksheet.",
        "read_binary": "{label}: is not a text file (it contains binary data); give a CSV file (UTF-8 or GB18030) or an Excel workbook.",
        "read_control_chars": "{label}: is not a text file (it contains control characters); give a CSV file (UTF-8 or GB18030) or an Excel workbook.",
        "read_undecodable": "{label}: cannot be decoded as text (tried {tried}); save it from Excel as 'CSV UTF-8' or as .xlsx.",
        "read_no_such_sheet": "{label}: the workbook has no sheet named '{wanted}'; its sheets are: {names}.",
        "read_sheet_chart": "{label}: sheet '{sheet}' is a chart; name the sheet that holds the ledger.",
        "read_sheet_empty": "{label}: sheet '{sheet}' is empty; name the sheet that holds the ledger.",
        "read_all_hidden": "{label}: every sheet that holds a table is hidden ({hidden}); unhide the ledger's sheet in Excel or WPS, or name it as '{label}#{first}'.",
        "read_sheet_is_empty": "{label}: sheet '{sheet}' is empty.",
        "read_file_is_empty": "{label}: the file is empty.",
        "read_all_sheets_empty": "{label}: every sheet of the workbook is empty or a chart.",
        "read_no_sheet_header": "{label}: no sheet of the workbook has a header naming the fields of {dataset} (such as {accepted}). Sheets and the headers found on them: {listing}. Name the sheet to read as '{label}#sheet', or rename the columns, or add their headers to the fields' aliases in the rulebook.",
        "read_sheet_lacks_required": "{label}: sheet '{sheet}' has no column for required field '{field}' of {dataset} (accepted headers: {accepted}), which sheet '{having}' has. Headers found on sheet '{sheet}', row {row}: {found}. Add the column to that sheet, or name the sheets to read one by one as '{label}#sheet'.",
        "read_missing_required": "{label}:{sheet_words} {dataset} has no column for required field{plural} {wanted}. Headers found{where}: {found}.{hint} Rename the column in the ledger, or add its header to the field's aliases in the rulebook.",
        "read_missing_one": "'{field}' (accepted headers: {accepted})",
        "read_missing_sheet_words": " sheet '{sheet}' of",
        "read_missing_where_sheet": "sheet '{sheet}'",
        "read_missing_where_row": "row {row}",
        "read_missing_where_rows": "rows {first}-{last}",
        "read_missing_hint": " The header '{header}' looks like a misspelling of {field}'s '{accepted}'.",
        "read_none": "(none)",
        "read_and_more": "{shown} and {more} more",
        "read_dataset": "dataset '{name}' ({title})",
        "read_dataset_untitled": "dataset '{name}'",
        "read_a_chart": "(a chart)",
        "read_empty_sheet": "(empty)",
        "read_no_headers": "(no headers)",
    },
}
for _lang, _words in _READ_ERROR_WORDS.items():
    WORDS[_lang].update(_words)


# ---- why a row fails, for counts, spans, months and patterns (expressions/failure.py): what a
# workdays()/days()/size()/length()/month()/year() comparison and a matches() pattern say in words
_FAILURE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "fail_span_le": "{end}应在{start}后{n}{unit}内",
        "fail_span_lt": "{end}应在{start}后不到{n}{unit}",
        "fail_span_ge": "{end}应在{start}后至少{n}{unit}",
        "fail_span_gt": "{end}应在{start}后超过{n}{unit}",
        "fail_span_eq": "{end}应在{start}后第{n}{unit}",
        "fail_span_ne": "{end}不应在{start}后第{n}{unit}",
        "fail_span_actual": "（实际：相隔{n}{unit}，{start}为{a}，{end}为{b}）",
        "fail_unit_wd": "个工作日",
        "fail_unit_cd": "天",
        "fail_unit_items": "项",
        "fail_unit_chars": "个字",
        "fail_count_le": "{field}应至多有{n}{unit}",
        "fail_count_lt": "{field}应少于{n}{unit}",
        "fail_count_ge": "{field}应至少有{n}{unit}",
        "fail_count_gt": "{field}应多于{n}{unit}",
        "fail_count_eq": "{field}应为{n}{unit}",
        "fail_count_ne": "{field}不应为{n}{unit}",
        "fail_count_actual": "（实际：{n}{unit}，{value}）",
        "fail_month_eq": "{field}应在{n}月",
        "fail_month_ne": "{field}不应在{n}月",
        "fail_year_eq": "{field}应在{n}年",
        "fail_year_ne": "{field}不应在{n}年",
        "fail_plain_actual": "（实际：{value}）",
        "fail_matches_like": "{field}应写成“{pattern}”的形式（实际：{value}）",
        "due_left_days": "剩余 {n} 个工作日",
        "fail_no": "{field}应为“否”（实际：{value}）",
        "fail_that_is": "{what}（{date}）",
    },
    "en": {
        "fail_span_le": "{end} should be within {n} {unit} after {start}",
        "fail_span_lt": "{end} should be less than {n} {unit} after {start}",
        "fail_span_ge": "{end} should be at least {n} {unit} after {start}",
        "fail_span_gt": "{end} should be more than {n} {unit} after {start}",
        "fail_span_eq": "{end} should be exactly {n} {unit} after {start}",
        "fail_span_ne": "{end} should not be exactly {n} {unit} after {start}",
        "fail_span_actual": " (it is {n}: {start} {a}, {end} {b})",
        "fail_unit_wd": "working days",
        "fail_unit_cd": "days",
        "fail_unit_items": "items",
        "fail_unit_chars": "characters",
        "fail_count_le": "{field} should have at most {n} {unit}",
        "fail_count_lt": "{field} should have fewer than {n} {unit}",
        "fail_count_ge": "{field} should have at least {n} {unit}",
        "fail_count_gt": "{field} should have more than {n} {unit}",
        "fail_count_eq": "{field} should have {n} {unit}",
        "fail_count_ne": "{field} should not have {n} {unit}",
        "fail_count_actual": " (it has {n}: {value})",
        "fail_month_eq": "{field} should be in month {n}",
        "fail_month_ne": "{field} should not be in month {n}",
        "fail_year_eq": "{field} should be in {n}",
        "fail_year_ne": "{field} should not be in {n}",
        "fail_plain_actual": " (it is {value})",
        "fail_matches_like": "{field} should read like '{pattern}' (it is {value})",
        "due_left_days": "{n} working days left",
        "fail_no": "{field} should be no (it is {value})",
        "fail_that_is": "{what} ({date})",
    },
}
for _lang, _words in _FAILURE_WORDS.items():
    WORDS[_lang].update(_words)

#: what a file that is not a ledger is (reading.py's words for it), in Chinese; the English is the key
_FILE_KINDS_ZH = [
    (r"a damaged or truncated zip file \(an \.xlsx workbook is a zip\)", "已损坏或不完整的 zip 文件（.xlsx 工作簿就是 zip 文件）"),
    (r"an OpenDocument text document \(\.odt\)", "OpenDocument 文字文档（.odt）"),
    (r"an OpenDocument presentation \(\.odp\)", "OpenDocument 演示文稿（.odp）"),
    (r"an OpenDocument file of type '(.*)', not a spreadsheet", "类型为“\\1”的 OpenDocument 文件，不是电子表格"),
    (r"a Word document \(\.docx\)", "Word 文档（.docx）"),
    (r"a PowerPoint presentation \(\.pptx\)", "PowerPoint 演示文稿（.pptx）"),
    (r"a zip archive holding (.*); unpack it and give the ledger inside", "内含 \\1 的 zip 压缩包；请解压后给出其中的台账"),
    (r"a zip archive of other files \((.*)\)", "装有其他文件的 zip 压缩包（\\1）"),
    (r"a password-protected \(encrypted\) workbook; open it in Excel or WPS, remove the password "
     r"\(File > Info > Protect Workbook\) and save it again",
     "设有密码（已加密）的工作簿；请在 Excel 或 WPS 中打开，去掉密码（文件 > 信息 > 保护工作簿）后重新保存"),
    (r"a Word 97-2003 document \(\.doc\)", "Word 97-2003 文档（.doc）"),
    (r"a PowerPoint 97-2003 presentation \(\.ppt\)", "PowerPoint 97-2003 演示文稿（.ppt）"),
    (r"a PDF document", "PDF 文档"), (r"an RTF \(Word\) document", "RTF（Word）文档"),
    (r"a PNG image", "PNG 图片"), (r"a JPEG image", "JPEG 图片"), (r"a GIF image", "GIF 图片"),
    (r"a 7-Zip archive", "7-Zip 压缩包"), (r"a RAR archive", "RAR 压缩包"), (r"a gzip archive", "gzip 压缩包"),
    (r"\.xlsx workbook", ".xlsx 工作簿"), (r"\.xlsm workbook", ".xlsm 工作簿"), (r"\.xlsb workbook", ".xlsb 工作簿"),
    (r"\.ods spreadsheet", ".ods 电子表格"), (r"\.xls workbook", ".xls 工作簿"),
]


def file_kind(what: str) -> dict[str, str]:
    """reading.py's English words for what a file is, as {"en", "zh"} for :func:`both`."""
    import re

    for pattern, zh in _FILE_KINDS_ZH:
        found = re.fullmatch(pattern, what, re.S)
        if found:
            return {"en": what, "zh": found.expand(zh)}
    return {"en": what, "zh": what}


def both(key: str, **values: Any) -> dict[str, str]:
    """An error's text in both languages, as ``DatasetError(**both(key, ...))`` takes them:
    ``{"message": English, "zh": Chinese}``. A value that is itself a word is given as
    ``{"en": ..., "zh": ...}`` (:func:`file_kind`, or a nested ``both``'s result)."""
    def pick(lang: str) -> dict[str, Any]:
        out = {}
        for name, value in values.items():
            if isinstance(value, dict) and "zh" in value:
                value = value.get(lang, value.get("message"))
            out[name] = value
        return out

    return {"message": word(key, "en", **pick("en")), "zh": word(key, "zh", **pick("zh"))}

# ---- how an expression reads (expressions/describe.py): operators, yes/no, quotes, functions
# and constants, per language. Kept apart from WORDS because some keys are not text (True/False).
EXPRESSION_WORDS: dict = {
    "zh": {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "in": "属于", "not in": "不属于",
           "and": "并且", "or": "或者", "not": "并非", "+": "+", "-": "-", "*": "×", "/": "÷",
           True: "是", False: "否", "sep": "、", "is yes": "{0}为“是”", "quote": "“{0}”", "pattern": "/{0}/",
           "date_plus": "{0}后{1}天", "date_minus": "{0}前{1}天", "date_diff": "从{1}到{0}的天数",
           "matches_like": "{0}写成{1}的形式",
           # comparisons as said (describe.sentence), by the values' type
           "cmp_date_<": "{0}早于{1}", "cmp_date_<=": "{0}不晚于{1}", "cmp_date_>": "{0}晚于{1}",
           "cmp_date_>=": "{0}不早于{1}", "cmp_date_==": "{0}与{1}为同一天", "cmp_date_!=": "{0}与{1}不是同一天",
           "cmp_number_<": "{0}小于{1}", "cmp_number_<=": "{0}不大于{1}", "cmp_number_>": "{0}大于{1}",
           "cmp_number_>=": "{0}不小于{1}", "cmp_number_==": "{0}等于{1}", "cmp_number_!=": "{0}不等于{1}",
           "cmp_other_<": "{0}小于{1}", "cmp_other_<=": "{0}不大于{1}", "cmp_other_>": "{0}大于{1}",
           "cmp_other_>=": "{0}不小于{1}", "cmp_other_==": "{0}为{1}", "cmp_other_!=": "{0}不为{1}",
           "is_one_of": "{0}为{1}之一", "is_none_of": "{0}不为{1}中的任何一项",
           "has_member": "{0}含有{1}", "lacks_member": "{0}不含{1}", "is no": "{0}为“否”",
           "join_and": "，且", "join_or": "，或", "group": "（{0}）", "not_of": "并非（{0}）"},
    "en": {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "in": "is one of",
           "not in": "is not one of", "and": "and", "or": "or", "not": "not", "+": "+", "-": "-", "*": "×",
           "/": "÷", True: "yes", False: "no", "sep": ", ", "is yes": "{0} is yes", "quote": "'{0}'",
           "pattern": "/{0}/", "date_plus": "{1} days after {0}", "date_minus": "{1} days before {0}",
           "date_diff": "the days from {1} to {0}", "matches_like": "{0} reads like {1}",
           "cmp_date_<": "{0} is before {1}", "cmp_date_<=": "{0} is on or before {1}", "cmp_date_>": "{0} is after {1}",
           "cmp_date_>=": "{0} is on or after {1}", "cmp_date_==": "{0} is the same day as {1}",
           "cmp_date_!=": "{0} is not the same day as {1}",
           "cmp_number_<": "{0} is less than {1}", "cmp_number_<=": "{0} is at most {1}",
           "cmp_number_>": "{0} is more than {1}", "cmp_number_>=": "{0} is at least {1}",
           "cmp_number_==": "{0} equals {1}", "cmp_number_!=": "{0} does not equal {1}",
           "cmp_other_<": "{0} is less than {1}", "cmp_other_<=": "{0} is at most {1}", "cmp_other_>": "{0} is more than {1}",
           "cmp_other_>=": "{0} is at least {1}", "cmp_other_==": "{0} is {1}", "cmp_other_!=": "{0} is not {1}",
           "is_one_of": "{0} is one of {1}", "is_none_of": "{0} is none of {1}",
           "has_member": "{0} includes {1}", "lacks_member": "{0} does not include {1}", "is no": "{0} is no",
           "join_and": " and ", "join_or": " or ", "group": "({0})", "not_of": "not ({0})"},
}

EXPRESSION_FUNCTIONS: dict = {
    "zh": {
        "present": "{0}已填写", "blank": "{0}为空", "has_any": "{0}含有{1}中的任一项",
        "has_all": "{0}含有{1}各项", "has_one": "{0}含有{1}", "size": "{0}的项数", "contains": "{0}包含{1}",
        "matches": "{0}符合格式{1}", "length": "{0}的字数", "days": "从{0}到{1}的自然日数",
        "workdays": "从{0}到{1}的工作日数", "add_workdays": "{0}后第{1}个工作日",
        "year": "{0}的年份", "month": "{0}的月份",
    },
    "en": {
        "present": "{0} is filled in", "blank": "{0} is blank", "has_any": "{0} includes any of {1}",
        "has_all": "{0} includes all of {1}", "has_one": "{0} includes {1}", "size": "the number of items in {0}", "contains": "{0} contains {1}",
        "matches": "{0} matches the pattern {1}", "length": "the length of {0}",
        "days": "calendar days from {0} to {1}", "workdays": "working days from {0} to {1}",
        "add_workdays": "the day {1} working days after {0}", "year": "the year of {0}", "month": "the month of {0}",
    },
}

EXPRESSION_CONSTANTS: dict = {
    "zh": {"as_of": "评估基准日", "period_start": "考核期开始日", "period_end": "考核期结束日"},
    "en": {"as_of": "the as-of date", "period_start": "the period start", "period_end": "the period end"},
}




#: the annual report's tables (annual.py, annual_outputs.py, annual_check.py). The
#: format's own labels (rows, columns) are the format's Chinese words in every language and
#: live in annual_format.py; these are the words around them.
ANNUAL_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "annual_title": "政府信息公开工作年度报告表格",
        "annual_subtitle": "{year}年度 · 按《中华人民共和国政府信息公开工作年度报告格式》(国办公开办函〔2021〕30号)",
        "annual_period": "统计期间",
        "annual_sources": "数据来源",
        "annual_table2": "二、主动公开政府信息情况",
        "annual_table3": "三、收到和处理政府信息公开申请情况",
        "annual_table4": "四、政府信息公开行政复议、行政诉讼情况",
        "annual_content": "信息内容",
        "annual_applicants": "申请人情况",
        "annual_to_fill": "待填写",
        "annual_to_fill_note": "标为“待填写”的单元格台账无法给出(如行政许可、行政处罚、行政强制决定数量,收费金额),请据实填写,或用 --figures 文件提供。",
        "annual_identities": "勾稽关系",
        "annual_table_col": "表",
        "annual_problems_sheet": "需更正的记录",
        "annual_check": "关系",
        "annual_column": "列/组",
        "annual_row": "行",
        "annual_left": "左边",
        "annual_right": "右边",
        "annual_holds": "成立",
        "annual_fails": "不成立",
        "annual_all_hold": "全部 {n} 项勾稽关系成立。",
        "annual_some_fail": "{n} 项勾稽关系不成立(共 {total} 项)。",
        "annual_problems": "需先更正台账的申请和案件",
        "annual_problems_note": "下列记录会破坏勾稽关系,发布年度报告前请在台账中更正;它们仍按日期计入能计入的行和列。",
        "annual_no_problems": "台账中没有破坏勾稽关系的记录。",
        "annual_more_problems": "另有 {n} 条未列出(全部见 XLSX 或 JSON)。",
        "annual_warnings": "提示",
        "annual_reason_blank_outcome": "本年已办结,但办理结果为空:计入第一项或第二项,不计入第三项任何一行",
        "annual_reason_unmapped_outcome": "本年已办结,办理结果“{value}”不对应表三任何一行:不计入第三项",
        "annual_reason_blank_applicant": "本年已办结,但申请人类型为空:不计入任何一列,也不计入总计",
        "annual_reason_unmapped_applicant": "申请人类型“{value}”不对应表三任何一列:不计入任何一列,也不计入总计",
        "annual_reason_closed_before_received": "答复日期早于收到申请日期:按已办结计",
        "annual_reason_blank_kind": "案件类型为空:不计入表四任何一组",
        "annual_reason_unmapped_kind": "案件类型“{value}”不对应表四任何一组",
        "annual_reason_blank_result": "已审结,但审理结果为空:不计入表四任何一列",
        "annual_reason_unmapped_result": "审理结果“{value}”不对应表四任何一列",
        "annual_note_undated": "{n} 件申请没有收到申请日期,无法确定所属年度,未计入表三(行 {rows})。",
        "annual_note_outcome_open": "{n} 件申请登记了办理结果但“{header}”为空,按年末未办结计入第四项(行 {rows});已办结的请补填日期。",
        "annual_note_open_no_column": "{n} 件年末未办结的申请申请人类型为空或无法对应,未计入任何一列(行 {rows})。",
        "annual_note_no_repeal": "公文台账没有“{header}”一列:表二的本年废止件数、现行有效件数待填写。",
        "annual_note_doc_undated": "{n} 件规章或规范性文件没有成文日期,未计入表二(行 {rows})。",
        "annual_note_only_this_year": "公文台账中的规章和规范性文件都是{year}年制发的:现行有效件数只计台账中的文件,往年制发仍有效的文件请一并列入台账。",
        "annual_note_figure_ignored": "--figures 给出的表{table}“{row} / {column}”台账已能统计({ledger}),以台账为准。",
        "annual_note_figures_four_ignored": "已提供行政复议、行政诉讼台账,--figures 中表四的数字未采用。",
        "annual_note_case_undated": "{n} 件复议诉讼案件没有收到日期,未计入表四(行 {rows})。",
        "annual_bad_output": "无法写出 {path}:输出文件须以 .xlsx、.html 或 .json 结尾。",
        "annual_no_mapping": "考核方案 {id} 没有 annual_report: 映射,无法生成年度报告表格(见 README“年度报告表格”)。",
        "annual_no_requests": "生成年度报告表格需要依申请公开登记台账:请用 --data {dataset}=文件 提供。",
        "annual_ok": "年度报告表格:勾稽关系全部成立,台账没有需更正的记录。",
        "annual_not_ok": "年度报告表格:{identities} 项勾稽关系不成立,{problems} 条台账记录需更正。",
        "annual_wrote": "已写出",
        "annual_check_title": "核对已填报的年度报告表格",
        "annual_check_read": "读取 {path}:表三 {cells3} 个单元格,表四 {cells4} 个单元格。",
        "annual_check_identity": "表{table} {check}({where}):左边 {left},右边 {right}",
        "annual_check_blank": "空",
        "annual_check_cell": "表{table} {row} / {column}:填报 {filled},台账 {ledger}",
        "annual_check_missing_row": "表{table} 找不到“{label}”一行",
        "annual_check_passed": "核对通过:勾稽关系全部成立{ledger}。",
        "annual_check_passed_ledger": ",每个单元格与台账一致",
        "annual_check_failed": "核对未通过:{n} 处问题。",
        "annual_check_no_table": "{path}:找不到年度报告表三(收到和处理政府信息公开申请情况);请提供按国家格式填写的 XLSX 或已发布年报的 HTML 页面。",
        "annual_check_unreadable": "{path}:无法读取({error});请提供 .xlsx 或 .html 文件。",
        "annual_section": "年度报告表格",
        "annual_section_note": "按依申请公开登记台账生成的{year}年度报告表三(及表二、表四中台账能给出的部分),含勾稽关系核对结果;用 disclosure-rules annual-report 可导出可直接粘贴的 XLSX。",
    },
    "en": {
        "annual_title": "Annual report tables on government information disclosure",
        "annual_subtitle": "Year {year} · national format of 国办公开办函〔2021〕30号",
        "annual_period": "Period",
        "annual_sources": "Ledgers",
        "annual_table2": "2. Proactive disclosure (二、主动公开政府信息情况)",
        "annual_table3": "3. Disclosure requests received and handled (三、收到和处理政府信息公开申请情况)",
        "annual_table4": "4. Administrative reconsideration and litigation (四、政府信息公开行政复议、行政诉讼情况)",
        "annual_content": "Item",
        "annual_applicants": "Applicants",
        "annual_to_fill": "to fill",
        "annual_to_fill_note": "Cells marked 'to fill' are not in any ledger (licensing, penalty and enforcement decisions, fees): fill them in, or give them with --figures.",
        "annual_identities": "Identities",
        "annual_table_col": "Table",
        "annual_problems_sheet": "Records to correct",
        "annual_check": "Identity",
        "annual_column": "Column/group",
        "annual_row": "Row",
        "annual_left": "Left",
        "annual_right": "Right",
        "annual_holds": "holds",
        "annual_fails": "fails",
        "annual_all_hold": "All {n} identities hold.",
        "annual_some_fail": "{n} of {total} identities fail.",
        "annual_problems": "Requests and cases to correct in the ledger",
        "annual_problems_note": "These records break an identity: correct them in the ledger before the report is published. They are still counted by their dates wherever their values allow.",
        "annual_no_problems": "No record of the ledgers breaks an identity.",
        "annual_more_problems": "{n} more are not listed here (all of them are in the XLSX and the JSON).",
        "annual_warnings": "Notes",
        "annual_reason_blank_outcome": "closed within the year with a blank outcome: counted in 一 or 二 but in no row of 三",
        "annual_reason_unmapped_outcome": "closed within the year with the outcome '{value}', which maps to no row of table 三: in no row of 三",
        "annual_reason_blank_applicant": "closed within the year with a blank applicant type: in no column and not in 总计",
        "annual_reason_unmapped_applicant": "the applicant type '{value}' maps to no column of table 三: in no column and not in 总计",
        "annual_reason_closed_before_received": "closed before it was received: counted as closed",
        "annual_reason_blank_kind": "the case kind is blank: in no group of table 四",
        "annual_reason_unmapped_kind": "the case kind '{value}' maps to no group of table 四",
        "annual_reason_blank_result": "concluded with a blank result: in no column of table 四",
        "annual_reason_unmapped_result": "the result '{value}' maps to no column of table 四",
        "annual_note_undated": "{n} requests have no receipt date, so no year: not counted in table 三 (rows {rows}).",
        "annual_note_outcome_open": "{n} requests have an outcome but a blank '{header}': counted as open at the year's end (四) (rows {rows}); give the date of those that were closed.",
        "annual_note_open_no_column": "{n} requests open at the year's end have a blank or unmapped applicant type: in no column (rows {rows}).",
        "annual_note_no_repeal": "The document ledger has no '{header}' column: 本年废止件数 and 现行有效件数 of table 二 are left to fill.",
        "annual_note_doc_undated": "{n} regulations or normative documents have no issue date: not counted in table 二 (rows {rows}).",
        "annual_note_only_this_year": "Every regulation and normative document in the ledger was issued in {year}: 现行有效件数 counts only the ledger's documents, so list earlier ones still in force too.",
        "annual_note_figure_ignored": "--figures gives table {table} '{row} / {column}', which the ledger counts ({ledger}): the ledger's figure is used.",
        "annual_note_figures_four_ignored": "A review and lawsuit ledger was given: the table 四 figures of --figures are not used.",
        "annual_note_case_undated": "{n} review or lawsuit cases have no filing date: not counted in table 四 (rows {rows}).",
        "annual_bad_output": "Cannot write {path}: the output must end in .xlsx, .html or .json.",
        "annual_no_mapping": "Rulebook {id} has no annual_report: mapping, so it cannot build the annual report's tables (see README, 'Annual report tables').",
        "annual_no_requests": "The annual report's tables need the request ledger: give it as --data {dataset}=FILE.",
        "annual_ok": "Annual report tables: every identity holds and no ledger record needs correcting.",
        "annual_not_ok": "Annual report tables: {identities} identities fail, {problems} ledger records need correcting.",
        "annual_wrote": "Wrote",
        "annual_check_title": "Check of a filled-in annual report table",
        "annual_check_read": "Read {path}: {cells3} cells of table 三, {cells4} cells of table 四.",
        "annual_check_identity": "table {table} {check} ({where}): left {left}, right {right}",
        "annual_check_blank": "blank",
        "annual_check_cell": "table {table} {row} / {column}: filled {filled}, ledger {ledger}",
        "annual_check_missing_row": "table {table}: no row '{label}' found",
        "annual_check_passed": "Check passed: every identity holds{ledger}.",
        "annual_check_passed_ledger": " and every cell agrees with the ledgers",
        "annual_check_failed": "Check failed: {n} problems.",
        "annual_check_no_table": "{path}: no table 三 (收到和处理政府信息公开申请情况) found; give an XLSX in the national layout or the HTML page of a published report.",
        "annual_check_unreadable": "{path}: cannot be read ({error}); give an .xlsx or .html file.",
        "annual_section": "Annual report tables",
        "annual_section_note": "Table 三 of the {year} annual report (and the parts of tables 二 and 四 the ledgers give), built from the request ledger, with its identities checked; disclosure-rules annual-report exports an XLSX ready to paste.",
    },
}
for _lang, _words in ANNUAL_WORDS.items():
    WORDS[_lang].update(_words)


# ---- many units, veto and bonus (DESIGN §7, §15): one block, merged into WORDS below
_UNIT_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "unit": "被考核单位",
        "unit_code": "单位代码",
        "bonus": "加分",
        "total": "总分",
        "vetoed_by": "单项否决",
        "vetoed_line": "单项否决：{rules} 未达标，等次为最低档",
        "bonus_line": "加分 {bonus}，总分 {total}",
        "rule_veto": "单项否决项",
        "rule_bonus": "加分项",
        "explain_veto": "单项否决：本规则未达标时，等次为最低档，不论得分。",
        "explain_bonus": "加分项：分值不计入满分，所得分数计入加分（以方案的加分上限和起评分为准）。",
        # the assessment (assess: index.html, ranking.xlsx)
        "assess_title": "政务公开考核汇总",
        "assess_units": "共 {n} 个被考核单位",
        "ranking": "排名",
        "grading_percent": "评定得分",
        "violations_by_severity": "问题数（严重 / 较重 / 一般）",
        "change": "较上次",
        "previous_rank": "上次名次",
        "report": "报告",
        "open_report": "查看报告",
        "findings_list": "整改清单",
        "rank_rule": ("排名规则：按总分（评定得分 + 加分）从高到低；评定得分在覆盖率达到方案要求时为可考核规则得分，"
                      "否则为严格得分（未提供台账的规则计 0 分），所以少报台账不会提高名次。"
                      "被单项否决的单位排在其他单位之后。总分相同时依次按严格得分（高者在前）、问题数（少者在前）、"
                      "单位代码和名称排序。"),
        "unit_grid": "单位 × 规则",
        "unit_grid_note": "单元格为各规则的达标率（%）；空白为未考核或不适用，悬停可见得分。",
        "not_assessed_short": "未",
        "vetoed_mark": "否决",
        "new_unit": "新",
        "ranking_sheet": "排名",
        "matrix_sheet": "单位×规则",
        "awarded": "得分",
        "possible": "分值",
        "assess_previous": "对比上次考核：{source}",
        "assess_warnings": "提示",
        "assess_auditing": "考核各单位",
        "assess_warn_unclaimed": "{unit}：文件 {files} 不属于任何台账（请按台账名称或标题命名文件，或在方案中加 files: 规则）",
        "assess_warn_unclaimed_single": "文件 {files} 不属于任何台账",
        "assess_warn_no_unit_field": "{file}：台账 {dataset} 未指定单位字段（unit:），无法分到各单位，相关规则未考核",
        "assess_warn_blank_unit": "{file}：{n} 行未填写单位，未计入任何单位",
        "assess_writing": "写入结果",
        # compare OLD NEW
        "compare_title": "前后对比",
        "compare_old": "原",
        "compare_new": "新",
        "change_added": "新增",
        "change_removed": "删除",
        "change_changed": "变化",
        "change_same": "不变",
        "cmp_status": "状态",
        "cmp_rate": "达标率",
        "cmp_awarded": "得分",
        "cmp_possible": "分值",
        "cmp_violations": "问题数",
        "cmp_percent": "得分率",
        "cmp_rank": "名次",
        "cmp_grade": "等次",
        "cmp_total": "总分",
        "cmp_grading_percent": "评定得分",
        "cmp_strict_percent": "严格得分",
        "cmp_coverage": "覆盖率",
        "cmp_table_units": "单位",
        "cmp_table_rules": "规则",
        "cmp_table_sections": "章节",
        "cmp_table_divisions": "处室",
        "cmp_none_changed": "无变化",
        "cmp_n_changed": "{n} 项有变化",
        "cmp_item": "项目",
        "cmp_change": "变化",
        # diff OLD.yaml NEW.yaml
        "diff_title": "方案变化",
        "diff_none": "两个方案没有差别",
        "diff_rulebook": "方案",
        "diff_rule": "规则",
        "diff_section": "章节",
        "diff_dataset": "台账",
        "diff_field": "字段",
        "diff_class_thresholds": "阈值",
        "diff_class_points": "分值",
        "diff_class_scoring": "计分",
        "diff_class_expressions": "表达式",
        "diff_class_fields": "字段",
        "diff_class_other": "其他",
        # the self-assessment form (自评表)
        "sa_sheet": "自评表",
        "sa_indicator": "指标",
        "sa_item": "具体项目",
        "sa_points": "分值",
        "sa_scoring": "评分说明",
        "sa_reported": "考核填报",
        "sa_evidence": "佐证材料",
        "sa_self_score": "自评分",
        "sa_bonus_mark": "（加分项）",
        "sa_veto_mark": "（单项否决项）",
        "sa_reported_line": "{status}：检查 {population} 条，问题 {violations} 条，达标率 {rate}",
        "sa_not_supplied": "未提供{dataset}",
        "sa_findings_file": "整改清单：{file}",
        "sa_total": "合计",
        "sa_total_line": "总分 {score}，等次 {grade}",
    },
    "en": {
        "unit": "Unit",
        "unit_code": "Unit code",
        "bonus": "Bonus",
        "total": "Total",
        "vetoed_by": "Vetoed by",
        "vetoed_line": "Veto: {rules} failed, so the grade is the lowest band",
        "bonus_line": "bonus {bonus}, total {total}",
        "rule_veto": "veto rule",
        "rule_bonus": "bonus rule",
        "explain_veto": "Veto: when this rule fails, the grade is the lowest band whatever the score.",
        "explain_bonus": "Bonus: its points are outside the full score; what it earns is added as bonus (up to the plan's cap, from its threshold).",
        # the assessment (assess: index.html, ranking.xlsx)
        "assess_title": "Disclosure assessment: all units",
        "assess_units": "{n} units assessed",
        "ranking": "Ranking",
        "grading_percent": "Grading percent",
        "violations_by_severity": "Violations (critical / major / minor)",
        "change": "Change",
        "previous_rank": "Previous rank",
        "report": "Report",
        "open_report": "report",
        "findings_list": "rectification list",
        "rank_rule": ("How units rank: by total (grading percent + bonus), highest first. The grading percent is the "
                      "percent over the rules assessed when coverage meets the plan's minimum, otherwise the strict "
                      "percent (rules whose ledger is missing count as 0), so withholding a ledger never raises a "
                      "rank. Units with a failed veto rule rank after all others. Ties are broken by strict percent "
                      "(higher first), then violations (fewer first), then unit code and name."),
        "unit_grid": "Unit x rule",
        "unit_grid_note": "Each cell is the rule's pass rate (%); blank: not assessed or not applicable; hover for points.",
        "not_assessed_short": "n/a",
        "vetoed_mark": "vetoed",
        "new_unit": "new",
        "ranking_sheet": "Ranking",
        "matrix_sheet": "Unit x rule",
        "awarded": "Awarded",
        "possible": "Possible",
        "assess_previous": "Compared with the previous assessment: {source}",
        "assess_warnings": "Warnings",
        "assess_auditing": "Auditing units",
        "assess_warn_unclaimed": "unit {unit}: file(s) {files} match no dataset (name a file after a dataset's name or title, or add a files: pattern)",
        "assess_warn_unclaimed_single": "file(s) {files} match no dataset",
        "assess_warn_no_unit_field": "{file}: dataset {dataset} names no unit field (unit:), so its rows cannot be given to units; its rules are not assessed",
        "assess_warn_blank_unit": "{file}: {n} row(s) name no unit and are in no unit's audit",
        "assess_writing": "Writing outputs",
        # compare OLD NEW
        "compare_title": "Comparison",
        "compare_old": "old",
        "compare_new": "new",
        "change_added": "added",
        "change_removed": "removed",
        "change_changed": "changed",
        "change_same": "same",
        "cmp_status": "status",
        "cmp_rate": "rate",
        "cmp_awarded": "awarded",
        "cmp_possible": "possible",
        "cmp_violations": "violations",
        "cmp_percent": "percent",
        "cmp_rank": "rank",
        "cmp_grade": "grade",
        "cmp_total": "total",
        "cmp_grading_percent": "grading percent",
        "cmp_strict_percent": "strict percent",
        "cmp_coverage": "coverage",
        "cmp_table_units": "Units",
        "cmp_table_rules": "Rules",
        "cmp_table_sections": "Sections",
        "cmp_table_divisions": "Divisions",
        "cmp_none_changed": "no change",
        "cmp_n_changed": "{n} changed",
        "cmp_item": "Item",
        "cmp_change": "Change",
        # diff OLD.yaml NEW.yaml
        "diff_title": "Plan changes",
        "diff_none": "the two plans do not differ",
        "diff_rulebook": "rulebook",
        "diff_rule": "rule",
        "diff_section": "section",
        "diff_dataset": "dataset",
        "diff_field": "field",
        "diff_class_thresholds": "thresholds",
        "diff_class_points": "points",
        "diff_class_scoring": "scoring",
        "diff_class_expressions": "expressions",
        "diff_class_fields": "fields",
        "diff_class_other": "other",
        # the self-assessment form (自评表)
        "sa_sheet": "Self-assessment",
        "sa_indicator": "Indicator",
        "sa_item": "Item",
        "sa_points": "Points",
        "sa_scoring": "How it scores",
        "sa_reported": "What the ledgers show",
        "sa_evidence": "Evidence",
        "sa_self_score": "Self score",
        "sa_bonus_mark": " (bonus)",
        "sa_veto_mark": " (veto)",
        "sa_reported_line": "{status}: {population} checked, {violations} violations, rate {rate}",
        "sa_not_supplied": "{dataset} not supplied",
        "sa_findings_file": "rectification list: {file}",
        "sa_total": "Total",
        "sa_total_line": "total {score}, grade {grade}",
    },
}
for _lang, _words in _UNIT_WORDS.items():
    WORDS[_lang].update(_words)


def check_lang(lang: str) -> str:
    """``lang`` if it is one of LANGS, else a ValueError naming them."""
    if lang not in WORDS:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    return lang


def vocabulary(lang: str) -> Mapping[str, str]:
    """Every word of ``lang`` (what the report's templates read as ``ui``)."""
    return WORDS[check_lang(lang)]


def word(key: str, lang: str, **values: Any) -> str:
    """The word ``key`` in ``lang``, its ``{placeholders}`` filled from ``values``."""
    text = vocabulary(lang)[key]
    return text.format(**values) if values else text


def status_word(status: str, lang: str) -> str:
    return word(f"status_{Status(status).value}", lang)


def severity_word(severity: str, lang: str) -> str:
    return word(f"sev_{Severity(severity).value}", lang)


def kind_word(kind: str, lang: str) -> str:
    """The kind's word; a kind with no word yet (added since) shows its code."""
    return vocabulary(lang).get(f"kind_{kind}", kind)


def scoring_word(mode: str, lang: str) -> str:
    """``proportional``, ``all_or_nothing`` or ``deduct``."""
    return word(f"scoring_{mode}", lang)


#: data-issue problems (the JSON's English text, DESIGN §8) as a person reads them in Chinese:
#: (pattern of the English text, its Chinese with the pattern's groups)
_PROBLEMS_ZH = [
    (r"not a date", "不是有效日期"),
    (r"date outside (\d+)-(\d+)", "日期不在\\1—\\2年之间"),
    (r"weekday does not match the date", "星期与日期不符"),
    (r"number out of range", "数值超出范围"),
    (r"not a number", "不是数字"),
    (r"not an integer", "不是整数"),
    (r"not a whole number", "不是整数（有小数）"),
    (r"integer out of range \(more than ([\d,]+) in size\)", "整数超出范围（绝对值大于\\1）"),
    (r"not a yes/no value \(是/否\)", "不是“是/否”"),
    (r"unknown label for (.*?); expected one of: (.*); did you mean (.*)\?",
     "「\\1」的填写内容不在规定选项中，是否应为“\\3”？可填：\\2"),
    (r"unknown label for (.*?); expected one of: (.*)", "「\\1」的填写内容不在规定选项中，应为：\\2"),
    (r"column (\d+) \('(.*?)'\) also matches field (\S+); column (\d+) \('(.*?)'\) is used",
     "第\\1列「\\2」也对应字段 \\3，已采用第\\4列「\\5」"),
]


#: warnings (the JSON's English text) as a person reads them in Chinese, as _PROBLEMS_ZH
_WARNINGS_ZH = [
    (r"waiver for rule (\S+) \(key (.*)\) ignored: no such rule in the rulebook",
     "规则 \\1（记录编号 \\2）的豁免未生效：考核方案中没有这条规则"),
    (r"waiver for rule (\S+), key (.*) expired on (\S+) and was ignored",
     "规则 \\1、记录编号 \\2 的豁免已于 \\3 到期，未生效"),
    (r"rule (\S+) could not be evaluated \((.*)\); please report this with the rulebook and the ledger's headers",
     "规则 \\1 无法计算（\\2）；请连同考核方案和台账表头反馈此问题"),
    (r"Years? (.*?) (?:is|are) not covered by the official calendar \(chinesecalendar (\S+) covers (\S+)\); "
     r"Monday-Friday was assumed\. Add calendar\.extra_holidays/extra_workdays for (?:it|them)\.",
     "\\1年不在官方节假日数据范围内（chinesecalendar \\2 覆盖 \\3 年），已按周一至周五为工作日计算；"
     "请在考核方案的 calendar.extra_holidays / extra_workdays 中补充该年的节假日和调休上班日。"),
    (r"(\d+) more data issues in (\S+)\.(\S+) \((.*)\) are not listed in the JSON",
     "另有 \\1 条数据问题（\\2.\\3：\\4）未列入 JSON"),
    (r"as_of (\S+) is after the plan period \((\S+) to (\S+)\)(.*)",
     "统计截止日 \\1 晚于考核期间（\\2 至 \\3），未办结事项将按该日判为逾期；请确认 --as-of"),
    (r"as_of (\S+) is before the plan period \((\S+) to (\S+)\)(.*)",
     "统计截止日 \\1 早于考核期间（\\2 至 \\3）；请确认 --as-of"),
    (r"as_of (\S+) is after today \((\S+)\)(.*)",
     "统计截止日 \\1 晚于今天（\\2）：尚未发生的日子不能判定逾期；请确认 --as-of"),
    (r"(\d+)% of the dates in (\S+) \((.*?)\) fall outside the plan period \((\S+) to (\S+)\)(.*)",
     "\\2（\\3）中 \\1% 的日期不在考核期间（\\4 至 \\5）内：台账与考核方案的年度是否一致？"),
]


def warning_text(warning: Any, lang: str) -> str:
    """A warning of the result in ``lang``: the JSON's English text as is, or its Chinese (a
    warning not listed here stays as written)."""
    import re

    text = "" if warning is None else str(warning)
    if check_lang(lang) == "en":
        return text
    for pattern, zh in _WARNINGS_ZH:
        found = re.fullmatch(pattern, text, re.S)
        if found:
            return found.expand(zh)
    return text


def problem_text(problem: Any, lang: str) -> str:
    """A data issue's problem in ``lang``: the JSON's English text as is, or its Chinese (a
    problem not listed here stays as written)."""
    text = "" if problem is None else str(problem)
    if check_lang(lang) == "en":
        return text
    return _problem_zh(text)


@functools.lru_cache(maxsize=4096)  # a ledger's thousands of issues share a few problems
def _problem_zh(text: str) -> str:
    import re

    for pattern, zh in _PROBLEMS_ZH:
        found = re.fullmatch(pattern, text, re.S)
        if found:
            if "expected one of" in pattern:  # the labels listed with the Chinese list mark
                return re.sub(pattern, lambda m: zh.replace("\\1", m.group(1)).replace(
                    "\\2", m.group(2).replace(", ", "、")).replace("\\3", m.group(3) if m.re.groups > 2 else ""),
                              text, count=1, flags=re.S)
            return found.expand(zh)
    return text


# ---- rulebook errors (rulebook.py, models.py, kinds/, expressions/check.py, pydantic) as a Chinese
# reader sees them. The raisers write English (RulebookError's problems, the library's str());
# error_text() reads each problem piece by piece: "rule X: " and "key: " prefixes, the "(at path)"
# and did-you-mean suffixes, then the message itself by this table. A message not listed stays
# as written (a test runs every error the suite can make and finds none left in English).
_TYPE_ZH = {"a condition": "条件", "a number": "数字", "a date": "日期", "text": "文本", "a category": "分类",
            "a set": "多选集合", "a list": "列表"}
_ERRORS_ZH = [
    # pydantic's own words
    (r"Input should be 'critical', 'major' or 'minor'", "应为 critical、major、minor 之一（或 严重、较重、一般）"),
    (r"Input should be a valid integer, unable to parse string as an integer", "应为整数"),
    (r"Input should be a valid integer(?:, got a number with a fractional part)?", "应为整数"),
    (r"Input should be a valid number, unable to parse string as a number", "应为数字"),
    (r"Input should be a valid number", "应为数字"),
    (r"Input should be a finite number", "应为有限的数字"),
    (r"Input should be a valid boolean, unable to interpret input", "应为 true 或 false"),
    (r"Input should be a valid boolean", "应为 true 或 false"),
    (r"Input should be a valid string", "应为文本"),
    (r"Input should be a valid list", "应为列表（[...]）"),
    (r"Input should be a valid dictionary(?: or instance of \w+)?", "应为键值映射（key: value）"),
    (r"Input should be a valid date(?: or datetime)?(?:, .*)?", "应为日期（YYYY-MM-DD）"),
    (r"Input should be (?:greater than or equal to|>=) (\S+)", "应不小于 \\1"),
    (r"Input should be (?:greater than|>) (\S+)", "应大于 \\1"),
    (r"Input should be (?:less than or equal to|<=) (\S+)", "应不大于 \\1"),
    (r"Input should be (?:less than|<) (\S+)", "应小于 \\1"),
    (r"Input should be ('[^']*'(?:, '[^']*')*) or ('[^']*')", "应为 \\1、\\2 之一"),
    (r"Input should be (.*)", "应为 \\1"),
    (r"String should match pattern '(.*)'", "格式不对，应符合 \\1"),
    (r"String should have at least (\d+) characters?", "至少要有 \\1 个字符"),
    (r"List should have at least (\d+) items? after validation, not (\d+)", "至少要有 \\1 项（现有 \\2 项）"),
    (r"Field required", "缺少此项"),
    (r"Extra inputs are not permitted", "不允许此键"),
    # rulebook.py
    (r"unknown key '(.*?)'", "未知的键「\\1」"),
    (r"missing required key '(.*?)'", "缺少必需的键「\\1」"),
    (r"unknown rule kind '(.*?)' \(did you mean '(.*?)'\?\); expected one of: (.*)",
     "未知的规则类型「\\1」，是否应为「\\2」？可用的类型：\\3"),
    (r"unknown rule kind '(.*?)'; expected one of: (.*)", "未知的规则类型「\\1」；可用的类型：\\2"),
    (r"YAML syntax error: mapping values are not allowed here", "YAML 语法错误：此处不能有“键: 值”（冒号后的文字含冒号时请加引号，或检查缩进）"),
    (r"YAML syntax error: could not find expected ':'", "YAML 语法错误：缺少冒号“:”"),
    (r"YAML syntax error: found character '\\t' that cannot start any token", "YAML 语法错误：含有制表符（Tab）；缩进请用空格"),
    (r"YAML syntax error: found character '(.*?)' that cannot start any token", "YAML 语法错误：字符“\\1”不能出现在这里（请给这段文字加引号）"),
    (r"YAML syntax error: expected <block end>, but found '(.*?)'", "YAML 语法错误：缩进不一致（此处出现了“\\1”）"),
    (r"YAML syntax error: expected the node content, but found '<stream end>'", "YAML 语法错误：文件在此意外结束（括号或引号未闭合？）"),
    (r"YAML syntax error: expected the node content, but found '(.*?)'", "YAML 语法错误：此处缺少内容（出现了“\\1”）"),
    (r"YAML syntax error: found unexpected end of stream", "YAML 语法错误：文件意外结束（引号未闭合？）"),
    (r"YAML syntax error: found undefined alias '(.*?)'", "YAML 语法错误：未定义的别名“\\1”"),
    (r"YAML syntax error: expected ',' or '([\]}])', but got '<stream end>'", "YAML 语法错误：缺少逗号或“\\1”（文件在此意外结束，括号未闭合？）"),
    (r"YAML syntax error: expected ',' or '([\]}])', but got '(.*?)'", "YAML 语法错误：缺少逗号或“\\1”（出现了“\\2”）"),
    (r"YAML syntax error: (.*)", "YAML 语法错误：\\1"),
    (r"the rulebook contains the control character #x(\w+), which YAML does not allow; is this the right file\?",
     "考核方案含有 YAML 不允许的控制字符 #x\\1；文件是否选错了？"),
    (r"YAML error: (.*)", "YAML 错误：\\1"),
    (r"the YAML is nested too deeply to be a rulebook", "YAML 嵌套过深，不像考核方案"),
    (r"duplicate key '(.*?)'", "重复的键「\\1」"),
    (r"a mapping key must be a plain value", "键必须是普通的值"),
    (r"tag '(.*?)' is not allowed in a rulebook \(only plain YAML values\)", "考核方案中不允许标签「\\1」（只能用普通的 YAML 值）"),
    (r"cannot read the rulebook: (.*)", "无法读取考核方案：\\1"),
    (r"cannot open the rulebook: (.*)", "无法打开考核方案：\\1"),
    (r"the rulebook is not UTF-8 text", "考核方案不是 UTF-8 文本；请另存为 UTF-8 编码"),
    (r"'extends' forms a cycle: (.*)", "extends 形成了循环：\\1"),
    (r"rulebook file not found", "找不到考核方案文件"),
    (r"waivers file not found", "找不到豁免清单文件"),
    (r"a rulebook is a YAML mapping with 'rulebook:', 'datasets:' and 'rules:'",
     "考核方案应是含有 rulebook:、datasets:、rules: 的 YAML 映射"),
    (r"a waivers file is a mapping with a 'waivers:' list", "豁免清单应是含有 waivers: 列表的 YAML 映射"),
    (r"'remove_rules' needs 'extends' \(there are no inherited rules\)", "remove_rules 需要 extends（否则没有继承的规则可删）"),
    (r"'extends' is a path or builtin:<id>", "extends 应为文件路径或 builtin:<编号>"),
    (r"'extends' names a rulebook that does not exist: (.*)", "extends 指向的考核方案不存在：\\1"),
    (r"'remove_rules' is a list of rule ids", "remove_rules 应为规则编号的列表"),
    (r"'remove_rules' names '(.*?)', which no parent rulebook defines", "remove_rules 中的「\\1」在上级考核方案中没有定义"),
    (r"rule id '(.*?)' is used twice \(first by rule #(\d+)\); ids must be unique", "规则编号「\\1」用了两次（第一次在第 \\2 条规则）；规则编号不能重复"),
    (r"dataset '(.*?)': (key|department) '(.*?)' is not one of its fields", "台账「\\1」：\\2 指定的「\\3」不是该台账的字段"),
    (r"section '(.*?)' is not defined in 'sections'", "章节「\\1」没有在 sections 中定义"),
    (r"dataset '(.*?)' is not defined in 'datasets'", "台账「\\1」没有在 datasets 中定义"),
    (r"(\S+) names '(.*?)', which is not a field of dataset '(.*?)'", "\\1 中的「\\2」不是台账「\\3」的字段"),
    (r"join dataset '(.*?)' is not defined", "join 的台账「\\1」没有定义"),
    (r"join\.on names '(.*?)', not a field of '(.*?)'", "join.on 中的「\\1」不是台账「\\2」的字段"),
    (r"joined field '(.*?)' would hide the field of the same name", "关联字段「\\1」与本表同名字段冲突"),
    (r"join aggregate names '(.*?)', not a field of '(.*?)'", "join 汇总的「\\1」不是台账「\\2」的字段"),
    (r"waiver #(\d+) names rule '(.*?)', which is not in the rulebook", "第 \\1 条豁免中的规则「\\2」不在考核方案中"),
    # models.py and kinds/
    (r"'(\w+)' is a rate between 0 and 1 \(write 0\.9 for 90%\), got (.*)", "\\1 是 0 到 1 之间的比率（90% 写作 0.9），而不是 \\2"),
    (r"a ratio rule needs 'min' and/or 'max'", "比率规则需要 min 和/或 max"),
    (r"a count rule needs 'min' and/or 'max' \(row counts\)", "数量规则需要 min 和/或 max（记录数）"),
    (r"'groups' needs 'per' \(the field whose values are the groups\)", "groups 需要 per（按哪个字段的取值分组）"),
    (r"a limit gives exactly one of working_days or calendar_days", "期限须给出 working_days 或 calendar_days 中的一个"),
    (r"grades must be listed from the highest 'min' to the lowest", "等次须按 min 从高到低排列"),
    (r"the last grade must have min: 0 so that every percent gets a grade", "最后一个等次须为 min: 0，使每个得分都有等次"),
    (r"period\.end is before period\.start", "考核期间的结束日早于开始日"),
    (r"a (\w+) field needs 'values' \(code: \[labels\]\)", "\\1 字段需要 values（代码: [填写内容]）"),
    (r"'values' is only for category and set fields, not (\w+)", "values 只用于 category 和 set 字段，不用于 \\1"),
    (r"'warn' \((.*?)\) must not be below 'min' \((.*?)\): it warns before the rule fails",
     "warn（\\1）不能低于 min（\\2）：预警线应在不达标之前"),
    (r"'warn' \((.*?)\) must not be above 'max' \((.*?)\): it warns before the rule fails",
     "warn（\\1）不能高于 max（\\2）：预警线应在不达标之前"),
    (r"'warn' tightens 'min' or 'max': give one of them too", "warn 收紧的是 min 或 max：请同时给出其中之一"),
    (r"(\S+) '(.*?)' must be a date field \(it is (\w+)\)", "\\1 的「\\2」须为日期字段（它是 \\3 字段）"),
    (r"sequence field '(.*?)' must be a date field", "顺序规则的字段「\\1」须为日期字段"),
    (r"(\w+) of a (\w+) field is not defined", "\\2 字段不能取 \\1"),
    (r"a set field may have at most 62 codes", "多选字段最多 62 个代码"),
    (r"an aggregate names exactly one of count, count_distinct, min, max", "汇总须指定 count、count_distinct、min、max 中的一个"),
    (r"the extension must use the same unit as the limit \(working_days or calendar_days\)",
     "延长期限须与期限用同一单位（working_days 或 calendar_days）"),
    (r"unit: '(.*?)' is not one of the dataset's fields", "unit 指定的「\\1」不是该台账的字段"),
    (r"a ratio rule with 'max' cannot use deduct scoring; use proportional or all_or_nothing",
     "带 max 的比率规则不能用扣分制；请用 proportional 或 all_or_nothing"),
    # expressions/check.py (after "where: " / "expect: ")
    (r"unknown name '(.*?)'; did you mean '(.*?)' \(field '(.*?)'\)\?", "未知的名称「\\1」；是否应为「\\2」（字段 \\3）？"),
    (r"unknown name '(.*?)'; did you mean '(.*?)'\?", "未知的名称「\\1」；是否应为「\\2」？"),
    (r"unknown name '(.*?)'; fields: (.*)", "未知的名称「\\1」；可用的字段：\\2"),
    (r"unknown function (\w+)\(\); did you mean (\w+)\(\)\?", "未知的函数 \\1()；是否应为 \\2()？"),
    (r"the expression is empty", "表达式是空的"),
    (r"syntax error: '(.)' was never closed(.*)", "表达式语法错误：「\\1」没有闭合"),
    (r"syntax error: unmatched '(.)'(.*)", "表达式语法错误：多余的「\\1」"),
    (r"syntax error: closing parenthesis '(.)' does not match opening parenthesis '(.)'(.*)",
     "表达式语法错误：「\\1」与「\\2」不配对"),
    (r"syntax error: unterminated string literal(.*)", "表达式语法错误：字符串缺少结尾的引号"),
    (r"syntax error: invalid syntax\. Perhaps you forgot a comma\?(.*)", "表达式语法错误：是否少了逗号？"),
    (r"syntax error: invalid syntax\. Maybe you meant '==' or ':=' instead of '='\?(.*)",
     "表达式语法错误：比较相等请写 ==，不是 ="),
    (r"syntax error: invalid (?:syntax|character|decimal literal)(.*)", "表达式语法错误：写法无效（请检查括号、引号和运算符）"),
    (r"syntax error: \(unicode error\) .*", "表达式语法错误：字符串中的反斜杠转义写法有误（正则表达式中的反斜杠请写两个，如 \\\\\\\\d）"),
    (r"syntax error: (.*)", "表达式语法错误：\\1"),
    (r"'(.*?)' is not a code or label of this field; expected one of: (.*)", "「\\1」不是该字段的代码或选项；可用：\\2"),
    (r"the expression must be a condition \(true/false\), but it gives (.*)", "表达式须为条件（真/假），而它给出的是a \\1"),
    (r"(.*); this is (a condition|a number|a date|text|a category|a set|a list)", "\\1；此处是a \\2"),
    (r"unknown function (\w+)\(\); functions: (.*)", "未知的函数 \\1()；可用的函数：\\2"),
    (r"'(.*?)' is not defined for (.*?) and (.*)", "「\\1」不能用于\\2和\\3"),
    (r"cannot compare (.*?) with (.*)", "\\1不能与\\2比较"),
    (r"keyword arguments are not allowed", "不允许关键字参数"),
    (r"(\w+)\(\) takes (\d+) arguments?, got (\d+)", "\\1() 需要 \\2 个参数，给了 \\3 个"),
    (r"'(.*?)' is not a date; write date\('YYYY-MM-DD'\)", "「\\1」不是日期；请写成 date('YYYY-MM-DD')"),
    (r"'(.*?)' is not a valid date", "「\\1」不是有效日期"),
    (r"names starting with '_' are not allowed", "不允许以 _ 开头的名称"),
    (r"only the listed functions can be called: (.*)", "只能调用以下函数：\\1"),
    (r"this regular expression cannot be used: \\(\w) \(a word boundary\) is not supported: .*",
     "该正则表达式不能使用：不支持 \\\\\\1（单词边界）：RE2 只认 ASCII 单词，中文词间没有空格；请用 ^、$ 或字符类"),
    (r"this regular expression cannot be used: \\(\w) inside \[\.\.\.\] is not supported; .*",
     "该正则表达式不能使用：[...] 中不支持 \\\\\\1；请改用取反字符类 [^...]"),
    (r"this regular expression cannot be used: \\(\w) needs (\d+) hex digits", "该正则表达式不能使用：\\\\\\1 需要 \\2 位十六进制数字"),
    (r"this regular expression cannot be used: (.*); patterns run on RE2, .*",
     "该正则表达式不能使用（\\1）：规则中的正则表达式由 RE2 执行（每个单元格线性时间），不支持反向引用和前后断言；请改写"),
    (r"this regular expression cannot be used: (.*)", "该正则表达式不能使用：\\1"),
    # the rest of the checker's and loader's refusals
    (r"this text holds a lone surrogate .*", "此处文字含有孤立的代理字符（如 \\\\uD800 这样半个字符的转义），任何文件都无法保存；请删除它或写出完整的字符"),
    (r"the document expands to more than ([\d,]+) values \(an alias bomb\?\); rulebooks do not need that many",
     "文档展开后超过 \\1 个值（别名炸弹？）；考核方案用不到这么多"),
    (r"the document is nested more than (\d+) levels deep \(a self-referencing alias\?\)", "文档嵌套超过 \\1 层（别名引用了自身？）"),
    (r"the file is (\d+) MB; a rulebook is at most (\d+) MB \(is this the right file\?\)", "文件有 \\1 MB，考核方案最多 \\2 MB（文件是否选错了？）"),
    (r"'extends' chains more than (\d+) rulebooks \(from (.*)\); a chain is at most that long: merge some of them into one file",
     "extends 串联了超过 \\1 个考核方案（从 \\2 开始）；请把其中一些合并成一个文件"),
    (r"(.*) must lie between (\d+)-01-01 and (\d+)-12-31, got (.*)", "\\1 须在 \\2-01-01 至 \\3-12-31 之间，而不是 \\4"),
    (r"'warn' is for a rule with only 'min' or only 'max' \(with both, which bound it tightens is ambiguous\)",
     "warn 只用于只有 min 或只有 max 的规则（两者都有时，不知道它收紧哪一个）"),
    (r"'(.*?)' is not (.*?) of the national format; use one of: (.*)", "「\\1」不是国家格式中的\\2；可用：\\3"),
    (r"the expression is nested too deeply \(at most (\d+) levels\)", "表达式嵌套过深（最多 \\1 层）"),
    (r"the expression is nested more than (\d+) levels deep; split it into simpler conditions", "表达式嵌套超过 \\1 层；请拆成几个简单的条件"),
    (r"'(\w+)' is not allowed here", "此处不允许「\\1」"),
    (r"this number is too large to be a number \(it reads as infinite\); numbers in an expression are at most 10\^(\d+) in size",
     "这个数太大（读作无穷大）；表达式中的数最多为 10^\\1"),
    (r"this number is too large: numbers in an expression are at most 10\^(\d+) in size", "这个数太大：表达式中的数最多为 10^\\1"),
    (r"the literal (.*) is not allowed \(strings, numbers, True, False only\)", "不允许字面量 \\1（只能用文字、数字、True、False）"),
    (r"a list may hold only literals \(strings, numbers, dates\)", "列表中只能有字面量（文字、数字、日期）"),
    (r"cannot compare two (\w+) values this way; compare a field with a literal", "两个\\1值不能这样比较；请把字段与字面量比较"),
    (r"conditions cannot be ordered with < or >", "条件不能用 < 或 > 比较大小"),
    (r"categories can only be compared with == != in / not in", "分类字段只能用 == != in / not in 比较"),
    (r"'in' with a set field needs a code or label on the left: 'video' in forms", "对多选字段用 in 时，左边须为代码或选项：'video' in forms"),
    (r"'in' needs a list \[\.\.\] or a set field on the right", "in 的右边须为列表 [..] 或多选字段"),
    (r"a list compared with a date must hold dates \('YYYY-MM-DD'\)", "与日期比较的列表中须为日期（'YYYY-MM-DD'）"),
    (r"a list compared with a number must hold numbers", "与数字比较的列表中须为数字"),
    (r"a list compared with text must hold strings", "与文本比较的列表中须为文字"),
    (r"'in' is not defined for (.*)", "in 不能用于\\1"),
    (r"set members are written as strings", "多选字段的成员须写成文字"),
    (r"'(.*?)' is outside the dates a rulebook may name \((.*) to (.*)\)", "「\\1」不在考核方案可用的日期范围内（\\2 至 \\3）"),
    (r"'(.*?)' is beyond the last date this version can hold \((.*)\)", "「\\1」超出本版本能表示的最后日期（\\2）"),
    (r"'and'/'or' combine conditions; this is (.*)", "and/or 连接的须为条件；此处是\\1"),
    (r"'not' applies to a condition; this is (.*)", "not 只能用于条件；此处是\\1"),
    (r"date\(\) takes a literal 'YYYY-MM-DD'", "date() 的参数须为 'YYYY-MM-DD' 形式的字面量"),
    (r"blank\(\) takes a field", "blank() 的参数须为字段"),
    (r"the first argument must be a set field, this is (.*)", "第一个参数须为多选字段，此处是\\1"),
    (r"the second argument is a list of codes or labels", "第二个参数须为代码或选项的列表"),
    (r"size\(\) takes a set field", "size() 的参数须为多选字段"),
    (r"(\w+)\(\) works on text; this is (.*)", "\\1() 用于文本，此处是\\2"),
    (r"the second argument of contains\(\) is a literal string", "contains() 的第二个参数须为文字字面量"),
    (r"the second argument of matches\(\) is a literal regular expression", "matches() 的第二个参数须为正则表达式字面量"),
    (r"(\w+)\(\) takes dates; this is (.*)", "\\1() 的参数须为日期，此处是\\2"),
    (r"add_workdays\(\) takes a date first", "add_workdays() 的第一个参数须为日期"),
    (r"add_workdays\(\) takes a number of working days second", "add_workdays() 的第二个参数须为工作日数"),
    (r"the number of working days is a whole number from 0 to (\d+)", "工作日数须为 0 到 \\1 的整数"),
    (r"'max_change' must not be below 'min_change'", "max_change 不能小于 min_change"),
    (r"a trend rule with 'max_change' cannot use deduct scoring; use proportional or all_or_nothing",
     "带 max_change 的趋势规则不能用扣分制；请用 proportional 或 all_or_nothing"),
    (r"'(\w+)' of a count rule is a number of rows, 0 to (\d+), got (.*)", "数量规则的 \\1 是记录数，须在 0 到 \\2 之间，而不是 \\3"),
    (r"a (\w+) cannot be this: (.*)", "\\1不能是：\\2"),
    # the working-day calendar (calendar.py)
    (r"Cannot count working days in year (\d+): dates must lie between (\d+) and (\d+)\. Check the data for a mistyped year\.",
     "无法计算 \\1 年的工作日：日期须在 \\2 至 \\3 年之间。请检查台账中是否有写错的年份。"),
    (r"The working-day calendar has no data for years? (.*?): chinesecalendar (\S+) covers (\S+) and the rulebook lists no .*",
     "工作日历没有 \\1 年的数据（chinesecalendar \\2 覆盖 \\3 年），考核方案的 calendar.extra_holidays / "
     "extra_workdays 也没有给出该年的日期。请在考核方案中补充该年的节假日和调休上班日，或升级 chinesecalendar"
     "（pip install -U chinesecalendar），或设 calendar.fallback: weekends 按周一至周五计算（结果中会有提示）。"),
    (r"calendar\.fallback must be one of (.*), not '(.*?)'\.", "calendar.fallback 应为 \\1 之一，而不是「\\2」。"),
    (r"These dates are in both calendar\.extra_holidays and calendar\.extra_workdays: (.*)\. Keep each date in one list only\.",
     "这些日期同时出现在 calendar.extra_holidays 和 calendar.extra_workdays 中：\\1。每个日期只能列在一处。"),
    # the library's other refusals (engine.py, sanity)
    (r"as_of (\S+) is outside 1900-2999; give the date the audit is as of, such as the plan period's last day",
     "统计截止日 \\1 不在 1900—2999 年之间；请给出统计截止的日期，如考核期间的最后一天"),
    (r"as_of '(.*?)' is not a date; write YYYY-MM-DD", "'\\1' 不是日期（as_of）；请写成 2021-12-31、2021/12/31 或 2021年12月31日"),
]

_PREFIXES_ZH = [
    (r"rule ([A-Z][A-Z0-9-]*): (.*)", "规则 \\1：", 2),
    (r"(where|expect|start|end|restart|extension\.when|exclude\.\d+\.\w+): (.*)", "\\1：", 2),
]
_SUFFIXES_ZH = [
    (r"(.*) \(at (top level)\)", "（位置：顶层）"),
    (r"(.*) \(at (.*)\)", "（位置：{0}）"),
    (r"(.*) \(did you mean '(.*?)'\?\)", "（是否应为「{0}」？）"),
    (r"(.*); fields: (.*)", "；可用的字段：{0}"),
]


def error_text(message: Any, lang: str) -> str:
    """An error's English text (a rulebook problem, the library's refusal) in ``lang``: as is in
    English; in Chinese piece by piece (see _ERRORS_ZH). Lines after the first (an expression
    and its pointer) are kept as they are."""
    import re

    text = "" if message is None else str(message)
    if check_lang(lang) == "en":
        return text
    first, newline, rest = text.partition("\n")

    def one(piece: str) -> str:
        for pattern, zh, group in _PREFIXES_ZH:
            found = re.fullmatch(pattern, piece, re.S)
            if found:
                return found.expand(zh) + one(found.group(group))
        for pattern, zh in _SUFFIXES_ZH:
            found = re.fullmatch(pattern, piece, re.S)
            if found and found.group(1):
                inner = one(found.group(1))
                if inner != found.group(1) or not re.search(r"[A-Za-z]{3}", inner):
                    return inner + zh.format(found.group(2))
        for pattern, zh in _ERRORS_ZH:
            found = re.fullmatch(pattern, piece, re.S)
            if found:
                out = found.expand(zh)
                if "compare" in pattern or "defined for" in pattern or "this is" in pattern or "gives" in pattern:
                    for english, chinese in _TYPE_ZH.items():  # the checker's type words
                        out = out.replace(english, chinese).replace("a " + chinese, chinese)
                if "one of: " in pattern or " or ('" in pattern:  # a list of codes reads with the Chinese list mark
                    out = out.replace(", ", "、")
                return out
        return piece

    return one(first) + newline + rest


def light_word(light: str, lang: str) -> str:
    """``red``, ``yellow`` or ``green`` (a deadline row's light, DESIGN §6) in ``lang``."""
    return word(f"light_{light}", lang)


def yes_no(value: bool, lang: str) -> str:
    return word("yes" if value else "no", lang)


def division_name(name: Any, lang: str, *, has_row: bool = True) -> str:
    """A division as a person reads it: the blank division by its name in ``lang``; a
    finding with no row and no division (a count rule's group) belongs to the whole unit."""
    if is_blank(name) or name == "" or name == BLANK_DIVISION:
        return word("blank_division" if has_row else "whole_unit", lang)
    return str(name)


def list_text(items, lang: str) -> str:
    """Items joined with the language's list separator (、 or , )."""
    return word("sep", lang).join(str(i) for i in items)


# ---------------------------------------------------------------- numbers and dates


def is_blank(value: Any) -> bool:
    """None, NaN, NaT or pd.NA."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA are not equal to themselves
    except (TypeError, ValueError):  # pd.NA's comparison is NA, whose truth is ambiguous
        return True


def number_text(value: Any) -> str:
    """A count or figure as text: whole numbers without ``.0``, others with at most 2 decimals
    (``{:g}``-like, never in exponent form); ``""`` for a blank."""
    if is_blank(value):
        return ""
    number = float(value)
    if not math.isfinite(number):
        return ""
    if number.is_integer():
        return f"{int(number)}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


def points_text(value: Any) -> str:
    """Points (awarded, possible) as text, at most 2 decimals; ``—`` for a blank."""
    return number_text(value) or NONE_MARK


def score_text(percent: Any) -> str:
    """A score already in percent (78.66) as the headline shows it: ``78.7``; ``—`` for a blank."""
    return NONE_MARK if is_blank(percent) else f"{float(percent):.1f}"


def percent_text(rate: Any, digits: int = 1, *, fixed: bool = False) -> str:
    """A rate (a fraction, 0.905) as a percent: ``90.5%``, ``90%`` (no trailing ``.0``, as a
    threshold reads); ``fixed`` keeps the decimals (``90.0%``) so that a column lines up;
    ``—`` for a blank."""
    if is_blank(rate):
        return NONE_MARK
    text = f"{100 * float(rate):.{digits}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def date_text(value: Any) -> str:
    """A date (or datetime, Timestamp, numpy datetime64) as ISO ``YYYY-MM-DD``; ``""`` for a blank."""
    if is_blank(value):
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    import pandas as pd

    return pd.Timestamp(value).date().isoformat()
