"""Rule and finding messages, in English (the JSON's stable text) and Chinese.

Messages quote the ledger's own headers (the header found in the file) and values.
Finding messages are built only for the findings being written, with vectorized
string operations over those findings.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .display import display_values

LANGS = ("en", "zh")
BLANK = {"en": "(blank)", "zh": "（空）"}


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _percent(rate) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def rule_message(rule, result, lang: str = "en") -> str:
    """One sentence on a rule's outcome."""
    zh = lang == "zh"
    p, v, pending = result.population, result.violations, result.pending
    decided = p - pending
    noun = {"documents": "documents", "requests": "requests"}.get(rule.dataset, "records")
    if result.status == "not_applicable":
        return "没有需要检查的记录" if zh else f"no {noun} to check"
    if rule.kind == "count":
        return f"{p}个分组中{v}个不符合数量要求" if zh else f"{v} of {p} group(s) outside the expected count"
    if rule.kind == "ratio":
        parts = []
        if rule.min is not None:
            parts.append(f"≥ {_percent(rule.min)}" if zh else f">= {_percent(rule.min)}")
        if rule.max is not None:
            parts.append(f"≤ {_percent(rule.max)}" if zh else f"<= {_percent(rule.max)}")
        if zh:
            return f"比率{_percent(result.rate)}（{decided}条中{result.passed}条符合），要求{'且'.join(parts)}"
        return f"rate {_percent(result.rate)} ({result.passed} of {decided} {noun}), required {' and '.join(parts)}"
    if rule.kind == "deadline":
        if zh:
            text = f"已到期的{decided}条中{v}条超期、逾期未办或日期有误"
            return text + (f"；另有{pending}条尚未办结且未到期" if pending else "")
        text = f"{v} of {decided} decided {noun} were late, overdue or have invalid dates"
        return text + (f"; {pending} still open and not yet due" if pending else "")
    if rule.kind == "unique":
        return f"{p}条中{v}条与前面的记录重复" if zh else f"{v} of {p} {noun} repeat an earlier record"
    if rule.kind == "sequence":
        return f"{p}条中{v}条办理环节日期顺序颠倒" if zh else f"{v} of {p} {noun} have steps dated out of order"
    if zh:
        text = f"{p}条中{v}条不符合要求"
        if rule.min is not None:
            text += f"（达标率{_percent(result.rate)}，要求≥ {_percent(rule.min)}）"
        return text
    text = f"{v} of {p} {noun} fail the check"
    if rule.min is not None:
        text += f" (rate {_percent(result.rate)}, required >= {_percent(rule.min)})"
    return text


def count_message_builder(rule, label: Callable[[str], str], names: np.ndarray, counts: np.ndarray):
    """Messages of a count rule's failing groups (one per group, not per row)."""
    def build(idx: np.ndarray, lang: str = "en") -> list[str]:
        zh = lang == "zh"
        out = []
        for name, count in zip(names[idx], counts[idx]):
            low = rule.min is not None and count < rule.min
            if zh:
                bound = f"应不少于{_num(rule.min)}条" if low else f"应不多于{_num(rule.max)}条"
                where = f"{label(rule.per)}“{name}”：" if rule.per else ""
                out.append(f"{where}{count}条，{bound}")
            else:
                bound = f"at least {_num(rule.min)}" if low else f"at most {_num(rule.max)}"
                where = f"{label(rule.per)} {name}: " if rule.per else ""
                out.append(f"{where}{count} record(s), expected {bound}")
        return out
    return build


def finding_message_builder(rule, inp, outcome, listed: np.ndarray, as_of, book=None):
    """A function building the messages of findings ``idx`` (indexes into ``listed``)."""
    frame = inp.frame
    label = inp.label
    zh_condition: list[str] = []

    def values_of(name: str, positions: np.ndarray, lang: str) -> pd.Series:
        text = display_values(frame[name].iloc[positions], inp.fields[name], lang).reset_index(drop=True)
        return text.fillna(BLANK[lang]).astype(object)

    def condition_zh() -> str:
        if not zh_condition:
            text = inp.compiled["expect"].source
            if book is not None:
                try:
                    from .explain import render_expression

                    text = render_expression(text, rule, book, "zh")
                except Exception:  # noqa: BLE001 - words are a nicety; the expression itself still reads
                    pass
            zh_condition.append(text)
        return zh_condition[0]

    def build(idx: np.ndarray, lang: str = "en") -> list[str]:
        zh = lang == "zh"
        positions = listed[idx]
        if len(positions) == 0:
            return []
        if rule.kind == "required":
            out = pd.Series([""] * len(positions), dtype=object)
            sep = "、" if zh else ", "
            for name in rule.fields:
                blank = frame[name].iloc[positions].isna().to_numpy()
                out = out + np.where(blank, label(name) + sep, "")
            return (("未填写：" if zh else "blank: ") + out.str.removesuffix(sep)).tolist()
        if rule.kind in ("condition", "ratio"):
            names = inp.compiled["expect"].fields[:4]
            head = f"不符合：{condition_zh()}" if zh else f"expected {inp.compiled['expect'].source}"
            out = pd.Series([head] * len(positions), dtype=object)
            if names:
                out = out + ("；实际 " if zh else "; got ")
                for j, name in enumerate(names):
                    out = out + (("，" if zh else ", ") if j else "") + label(name) + "=" + values_of(name, positions, lang)
            return out.tolist()
        if rule.kind == "deadline":
            return _deadline_messages(rule, inp, outcome, positions, as_of, lang)
        if rule.kind == "unique":
            return _unique_messages(rule, inp, positions, lang)
        if rule.kind == "sequence":
            later = outcome.details["later"][positions]
            earlier = outcome.details["earlier"][positions]
            fields = rule.fields
            texts = {f: values_of(f, positions, lang).to_numpy() for f in fields}
            later_label = np.array([label(f) for f in fields], dtype=object)[later]
            earlier_label = np.array([label(f) for f in fields], dtype=object)[earlier]
            later_value = np.choose(later, [texts[f] for f in fields]) if len(fields) <= 32 else None
            earlier_value = np.choose(earlier, [texts[f] for f in fields]) if len(fields) <= 32 else None
            joiner = "早于" if zh else " is before "
            space = "" if zh else " "
            return list(later_label + space + later_value + joiner + earlier_label + space + earlier_value)
        return [""] * len(positions)
    return build


def _deadline_messages(rule, inp, outcome, positions, as_of, lang) -> list[str]:
    zh = lang == "zh"
    d = outcome.details
    reason = outcome.reason[positions]
    deadline = pd.Series(d["deadline"][positions]).dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    end = pd.Series(d["end"][positions]).dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    start = pd.Series(inp.frame[rule.start].iloc[positions].to_numpy(dtype="datetime64[s]")) \
        .dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    working = rule.limit.working_days is not None
    if working:
        late_count = pd.Series(d["late_workdays"][positions]).fillna(0).astype(int)
    else:
        # a calendar-day limit is late by calendar days (late_workdays in the details stays working days)
        stop = np.where(np.isnat(d["end"][positions]), np.datetime64(as_of.date(), "D").astype("datetime64[s]"), d["end"][positions])
        late_count = pd.Series((stop - d["deadline"][positions]).astype("timedelta64[D]").astype("float64")) \
            .fillna(0).astype(int)
    late = late_count.astype(str).to_numpy(dtype=object)
    end_label, start_label = inp.label(rule.end), inp.label(rule.start)
    as_of_text = as_of.date().isoformat()
    if zh:
        unit = "个工作日" if working else "天"
        texts = [f"{start_label}未填写或不是有效日期",
                 end_label + end + "早于" + start_label + start,
                 end_label + end + "，期限" + deadline + "（超期" + late + unit + "）",
                 "尚未办结，期限" + deadline + f"已过（截至{as_of_text}已逾期" + late + unit + "）"]
    else:
        noun = ("working day", "working days") if working else ("day", "days")
        days_word = np.where(late == "1", " " + noun[0], " " + noun[1])
        texts = [f"{start_label} is blank or not a date",
                 end_label + " " + end + " is before " + start_label + " " + start,
                 end_label + " " + end + ", deadline " + deadline + " (" + late + days_word + " late)",
                 "still open, deadline " + deadline + " passed (" + late + days_word + f" overdue as of {as_of_text})"]
    out = np.where(reason == 1, texts[0], np.where(reason == 2, texts[1], np.where(reason == 3, texts[2], texts[3])))
    return list(out)


def _unique_messages(rule, inp, positions, lang) -> list[str]:
    zh = lang == "zh"
    fields = rule.fields
    sub = inp.frame.loc[inp.selected, fields]
    group = sub.groupby(fields, dropna=False, sort=False).ngroup().to_numpy()
    selected_positions = np.flatnonzero(inp.selected)
    _, first_index = np.unique(group, return_index=True)
    first_of_group = selected_positions[first_index]
    lookup = pd.Series(group, index=selected_positions)
    first_rows = pd.Series(inp.rows[first_of_group[lookup.loc[positions].to_numpy()]]).astype(str)
    values = None
    for name in fields:
        text = display_values(inp.frame[name].iloc[positions], inp.fields[name], lang).fillna(BLANK[lang]) \
            .astype(object).reset_index(drop=True)
        part = inp.label(name) + "=" + text
        values = part if values is None else values + ("，" if zh else ", ") + part
    if zh:
        return ("与第" + first_rows + "行重复（" + values + "）").tolist()
    return ("repeats " + values + " of row " + first_rows).tolist()


def gap_warnings(gaps: list[dict], lang: str, *, graded_on: str, coverage: float, min_coverage: float,
                 percent: float | None, strict_percent: float | None) -> list[str]:
    """The coverage guard's warnings, in ``lang`` ("en" for the JSON, "zh" for people)."""
    def figure(value):
        return "n/a" if value is None else f"{value:.1f}"

    out = []
    for gap in gaps:
        rules = ", ".join(gap["rules"]) if lang == "en" else "、".join(gap["rules"])
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
           "ods": "ODS", "dataframe": "DataFrame", "html": "HTML"}


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
