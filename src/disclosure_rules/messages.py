"""Rule and finding messages, in English (the JSON's stable text) and Chinese.

Messages quote the ledger's own headers (the header found in the file) and values.
Finding messages are built only for the findings being written, with vectorized
string operations over those findings.
"""

from __future__ import annotations

from .words import word



def rule_message(kind, rule, result, lang: str = "en") -> str:
    """One sentence on a rule's outcome: the kind's own, or that nothing was there to check."""
    if result.status == "not_applicable":
        from .kinds.text import noun

        return "没有需要检查的记录" if lang == "zh" else f"no {noun(rule)} to check"
    return kind.summary(rule, result, lang)


#: the name a rule's ``missing`` gives the previous result (audit(previous=...), --previous)
PREVIOUS = "--previous"  # never a dataset name a rulebook gives


def gap_warnings(gaps: list[dict], lang: str, *, graded_on: str, coverage: float, min_coverage: float,
                 percent: float | None, strict_percent: float | None) -> list[str]:
    """The coverage guard's warnings, in ``lang`` ("en" for the JSON, "zh" for people)."""
    def figure(value):
        return "n/a" if value is None else f"{value:.1f}"

    out = []
    for gap in gaps:
        rules = ", ".join(gap["rules"]) if lang == "en" else "、".join(gap["rules"])
        if gap["dataset"] == PREVIOUS:  # not a ledger: the earlier result trend rules compare with
            out.append(word("gap_previous_rate" if gap["field"] else "gap_previous", lang, rules=rules,
                            points=f"{gap['points']:g}", of=gap["field"]))
            continue
        if gap["field"] is None:
            out.append(f"dataset {gap['dataset']} ({gap['title']}) was not supplied: rules {rules} "
                       f"({gap['points']:g} points) could not be assessed" if lang == "en" else
                       f"未提供{gap['title']}（{gap['dataset']}）：规则 {rules}（{gap['points']:g} 分）无法考核")
            continue
        hint = ""
        if gap["close_match"]:
            hint = (f"; the file has a column '{gap['close_match']}': is it a typo of '{gap['header']}'?"
                    if lang == "en" else f"；台账中有一列「{gap['close_match']}」，是否应为「{gap['header']}」？")
        out.append(f"the {gap['dataset']} file has no column '{gap['header']}' (field {gap['field']}): rules "
                   f"{rules} ({gap['points']:g} points) could not be assessed{hint}" if lang == "en" else
                   f"{gap['title']}缺少「{gap['header']}」列（字段 {gap['field']}）：规则 {rules}"
                   f"（{gap['points']:g} 分）无法考核{hint}")
    if graded_on == "strict_percent":
        out.append(
            f"coverage {100 * coverage:.0f}% is below the rulebook's min_coverage {100 * min_coverage:.0f}%: "
            f"the grade comes from the strict percent {figure(strict_percent)}, which counts every rule that "
            f"could not be assessed as 0 (the percent over what could be assessed is {figure(percent)})"
            if lang == "en" else
            f"可考核覆盖率 {100 * coverage:.0f}% 低于考核方案要求的 {100 * min_coverage:.0f}%：等次按严格得分 "
            f"{figure(strict_percent)} 评定（未能考核的规则计 0 分；仅按可考核规则计算的得分为 {figure(percent)}）")
    return out


#: why reading skipped a row (DESIGN §11), by the reason code of the reading report
SKIP_REASONS = {
    "repeated_header": {"zh": "重复的表头", "en": "repeated header"},
    "total": {"zh": "合计行", "en": "total row"},
    "footer": {"zh": "表尾（签名、备注、说明）", "en": "footer (signatures, notes)"},
    "block_heading": {"zh": "分组标题行", "en": "block heading"},
    "serial_only": {"zh": "只有序号的空行", "en": "serial number only"},
    "no_field_values": {"zh": "没有任何字段值的行", "en": "no field values"},
    "header_note": {"zh": "表头下的填写说明行", "en": "note under the header"},
}

#: why reading passed over a sheet, by the code in the reading report's sheets_skipped
SHEET_REASONS = {
    "chart": {"zh": "图表", "en": "chart"},
    "empty": {"zh": "空表", "en": "empty"},
    "no_header": {"zh": "没有本台账的表头", "en": "no header of this ledger"},
    "few_fields": {"zh": "表头字段太少", "en": "too few of its fields"},
    "not_requested": {"zh": "未指定", "en": "another sheet was named"},
    "hidden": {"zh": "隐藏的工作表", "en": "hidden"},
}

FORMATS = {"csv": "CSV", "tsv": "TSV", "xlsx": "XLSX", "xlsm": "XLSM", "xls": "XLS", "xlsb": "XLSB",
           "ods": "ODS", "dataframe": "DataFrame", "html": "HTML", "parquet": "Parquet",
           "table": "Arrow"}


def _reason(table: dict, code: str | None, lang: str) -> str:
    """The word for a reading report's reason code (the code itself when it has none)."""
    words = table.get(code)
    return words[lang] if words else str(code)


def skip_reason(code: str, lang: str) -> str:
    return _reason(SKIP_REASONS, code, lang)


def format_name(reading: dict) -> str:
    """'CSV (GB18030)', 'XLSX', ... for the reading report."""
    name = FORMATS.get(str(reading.get("format")), str(reading.get("format") or "?"))
    encoding = reading.get("encoding")
    return f"{name} ({encoding.upper()})" if encoding else name


def reading_line(title: str | None, reading: dict, lang: str) -> str:
    """One line saying what was read of a ledger: format, sheets, header rows, records, skipped rows."""
    zh = lang == "zh"
    parts = [format_name(reading)]
    sheets = reading.get("sheets") or []
    if sheets:
        parts.append(("工作表 " if zh else "sheets ") + ("、" if zh else ", ").join(sheets))
    header = reading.get("header_rows")
    if header:
        rows = f"{header[0]}" if header[0] == header[1] else f"{header[0]}–{header[1]}"
        parts.append(f"表头第 {rows} 行" if zh else f"header on row {rows}")
    records = int(reading.get("records") or 0)
    parts.append(f"{records} 条记录" if zh else f"{records} records")
    skipped = reading.get("skipped") or []
    if skipped:
        counts: dict[str, int] = {}
        for row in skipped:
            counts[row.get("reason")] = counts.get(row.get("reason"), 0) + 1
        what = ("、" if zh else ", ").join(f"{skip_reason(code, lang)} {n}" for code, n in counts.items())
        parts.append(f"跳过 {len(skipped)} 行（{what}）" if zh else f"skipped {len(skipped)} rows ({what})")
    passed = reading.get("sheets_skipped") or []
    if passed:
        def why(sheet: dict) -> str:
            reason = _reason(SHEET_REASONS, sheet.get("reason"), lang)
            return f"{sheet.get('name')}（{reason}）" if zh else f"{sheet.get('name')} ({reason})"
        names = ("、" if zh else ", ").join(why(s) for s in passed)
        parts.append(f"未读取的工作表：{names}" if zh else f"sheets not read: {names}")
    unknown = reading.get("unrecognised_headers") or []
    if unknown:
        names = ("、" if zh else ", ").join(unknown[:8]) + ("……" if len(unknown) > 8 else "")
        parts.append(f"未识别的列：{names}" if zh else f"unrecognised headers: {names}")
    body = "；".join(parts) if zh else "; ".join(parts)
    if not title:
        return body
    return f"{title}：{body}" if zh else f"{title}: {body}"


def score_notes(result, lang: str) -> list[str]:
    """What veto and bonus did to the grade (DESIGN §7), one line each; none when neither applies."""
    from .words import list_text, points_text, score_text

    out = []
    if result.vetoed_by:
        out.append(word("vetoed_line", lang, rules=list_text(result.vetoed_by, lang)))
    if result.bonus:
        out.append(word("bonus_line", lang, bonus=points_text(result.bonus), total=score_text(result.total)))
    return out
