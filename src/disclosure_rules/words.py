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
import math
from enum import StrEnum
from typing import Any, Mapping

__all__ = [
    "LANGS", "Status", "Severity", "WORDS", "BLANK_DIVISION", "ISO_DATE", "NONE_MARK", "check_lang", "vocabulary", "word",
    "status_word", "severity_word", "kind_word", "scoring_word", "yes_no", "division_name",
    "is_blank", "number_text", "percent_text", "points_text", "score_text", "date_text", "list_text",
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
