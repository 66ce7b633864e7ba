"""The findings export against a plain rendering of the findings (issue 10: fast outputs).

The export builds its list on coded columns and phrases each distinct message once; these
properties check that what a division reads is still exactly what the findings say. On
ledgers of the built-in rulebook with random edits (text with commas, quotes and line
breaks, formula-like text, blank and ``(未填写)`` divisions, unreadable dates, repeated keys):

* the CSV equals the list written row by row from ``findings_frame`` (every finding with its
  message), the due-soon rows and the data issues, with Python's ``csv`` module;
* each finding's message is the one its kind phrases when asked about the findings row by
  row, whether the export asks for every finding or the JSON for the first few.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_rules import audit
from disclosure_rules.exports import COLUMNS, SHEET_COLUMN, UNIT_COLUMN, neutralize, rectify_date, write_findings
from disclosure_rules.kinds import REGISTRY
from disclosure_rules.words import BLANK_DIVISION, Severity, date_text, severity_word, vocabulary, word
from ledgers import AS_OF, BOOK, documents, requests, waivers

#: what people type into ledger cells that a CSV or a spreadsheet must keep apart
ODD_TEXT = ["", "外贸处", "办公室", BLANK_DIVISION, "a,b", '他说"不予公开"', "第一行\r\n第二行", "甲\n乙", "=1+1",
            "+86 351", "-", "@x", " 前后空格 ", "2021-13-05", "2021年2月30日", "主动", "依申请公开", "文字、图解", "否"]
DOCUMENT_COLUMNS = ["文号", "起草处室", "文件类型", "成文日期", "公开属性", "不公开依据", "不公开理由", "复核日期", "复核结论",
                    "公开日期", "解读日期", "解读形式", "解读渠道"]
REQUEST_COLUMNS = ["申请编号", "收到申请日期", "承办处室", "登记日期", "答复日期", "答复形式", "办理结果", "不予公开理由",
                   "是否延期"]


@st.composite
def edited_ledgers(draw):
    """The test ledgers (``ledgers.py``) with some cells replaced by odd text or copied from
    another row (so that keys repeat and messages differ by a value or two)."""
    docs, reqs = documents(n_docs=48), requests()
    for frame, columns in ((docs, DOCUMENT_COLUMNS), (reqs, REQUEST_COLUMNS)):
        edits = draw(st.lists(st.tuples(st.integers(0, len(frame) - 1), st.sampled_from(columns),
                                        st.one_of(st.sampled_from(ODD_TEXT), st.integers(0, len(frame) - 1))),
                              max_size=25))
        for row, column, value in edits:
            frame.loc[row, column] = frame.loc[value, column] if isinstance(value, int) else value
    return docs, reqs


def _audit(ledgers, unit):
    docs, reqs = ledgers
    return audit(BOOK, {"documents": docs, "requests": reqs}, as_of=AS_OF, waivers=waivers(),
                 unit={"name": unit, "code": "U-1"} if unit else None)


def _blank(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value):
    return None if _blank(value) else str(value)


def _reference_csv(result, lang: str) -> bytes:
    """The rectification list written row by row: the findings as ``findings_frame`` gives
    them, then the due-soon rows; division, rule and row order; words from ``words.py``."""
    ui = vocabulary(lang)
    rules = {r.id: r for r in result.rules}
    rows = []
    for f in result.findings_frame(lang).to_dict("records"):
        late = None if _blank(f["late_workdays"]) else int(f["late_workdays"])
        status = "waived" if f["waived"] else \
            "explain" if not _blank(f["deadline"]) and not _blank(f["end"]) and late is not None and late > 0 else "open"
        rows.append({**f, "late_workdays": late, "status": status})
    for d in result.due_soon_frame().to_dict("records"):
        rows.append({**d, "severity": rules[d["rule"]].severity, "waived": False, "end": None, "late_workdays": None,
                     "message": word("due_soon_message", lang, deadline=date_text(d["deadline"]), n=int(d["workdays_left"])),
                     "status": "due_soon"})
    for r in rows:
        r["row"] = None if _blank(r["row"]) else int(r["row"])
        division = _text(r["department"])
        if division in (None, "", BLANK_DIVISION):
            division = word("blank_division" if r["row"] is not None else "whole_unit", lang)
        r["division"] = neutralize(division)
    rows.sort(key=lambda r: (r["division"], neutralize(r["rule"]), r["row"] is None, r["row"] or 0))
    issues = [i for i in result.data_issues if not _blank(i.get("value")) and not _blank(i.get("row"))]
    rectify = rectify_date(result)
    sheets = any(_text(r["sheet"]) is not None for r in rows)
    columns = ([UNIT_COLUMN] if result.unit else []) + COLUMNS
    if sheets:
        at = [name for name, _, _ in columns].index("row") + 1
        columns = columns[:at] + [SHEET_COLUMN] + columns[at:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([word(key, lang) for _, key, _ in columns])
    seq: dict[str, int] = {}
    for r in rows:
        seq[r["division"]] = seq.get(r["division"], 0) + 1
        rule = rules[r["rule"]]
        raw = []
        for name in dict.fromkeys(rule.fields):
            for i in issues:
                if (i["dataset"], int(i["row"]), _text(i.get("sheet")) or "", i.get("field")) == \
                        (r["dataset"], r["row"], _text(r["sheet"]) or "", name):
                    header = (result.data[i["dataset"]].headers.get(name) or name) if lang == "zh" else name
                    raw.append(header + ("：" if lang == "zh" else ": ") + str(i["value"]))
        spec = result.book.datasets[r["dataset"]]
        deadline = None if _blank(r["deadline"]) else pd.Timestamp(r["deadline"]).date()
        rectify_by = deadline if r["status"] == "due_soon" else None if r["status"] == "waived" \
            else (rectify.date() if rectify is not None else None)
        cells = {
            "unit": neutralize(result.unit["name"]) if result.unit else None,
            "seq": seq[r["division"]], "rule": neutralize(r["rule"]), "title": neutralize(rule.title),
            "department": r["division"], "dataset": neutralize(spec.title if spec.title and lang == "zh" else r["dataset"]),
            "row": r["row"], "sheet": neutralize(_text(r["sheet"])), "key": neutralize(_text(r["key"])),
            "message": neutralize(r["message"]),
            "raw": neutralize(("；" if lang == "zh" else "; ").join(dict.fromkeys(raw))) if raw else None,
            "severity": neutralize(severity_word(Severity(r["severity"]), lang)), "status": ui[f"rs_{r['status']}"],
            "waived": neutralize(ui["yes"] if r["waived"] else ui["no"]), "rectify_by": rectify_by,
            "clause": (rule.basis or {}).get("clause") or "", "deadline": deadline,
            "end": None if _blank(r["end"]) else pd.Timestamp(r["end"]).date(), "late_workdays": r["late_workdays"]}
        writer.writerow(["" if cells.get(name) is None else cells[name].isoformat() if hasattr(cells[name], "isoformat")
                         else str(cells[name]) for name, _, _ in columns])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers=edited_ledgers(), lang=st.sampled_from(["zh", "en"]), unit=st.sampled_from([None, "晋商务厅", "=单位,甲"]))
def test_csv_export_is_the_findings_written_row_by_row(tmp_path_factory, ledgers, lang, unit):
    """Every finding is listed once, with its division, rule title, ledger, row, key, message,
    the cells that could not be read, its status and dates, in the list's order: the CSV is
    byte for byte the list a plain writer makes from the findings."""
    result = _audit(ledgers, unit)
    path = tmp_path_factory.mktemp("list") / "findings.csv"
    write_findings(result, path, lang=lang)
    assert path.read_bytes() == _reference_csv(result, lang)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers=edited_ledgers(), lang=st.sampled_from(["zh", "en"]), first=st.integers(1, 30))
def test_each_message_is_the_one_its_kind_phrases(ledgers, lang, first):
    """A message built once for findings alike in what it reads is the message of each of
    them: the kind asked about every finding gives the same words, and so it does for the
    first few findings (what the JSON lists)."""
    result = _audit(ledgers, None)
    for part in result.parts:
        if not len(part):
            continue
        kind = REGISTRY[part.rule.kind]
        every = np.arange(len(part))
        assert part.messages(every, lang) == list(kind.messages(part, every, lang))
        head = every[:first]
        assert part.messages(head, lang) == list(kind.messages(part, head, lang))
        frame = part.frame(limit=first, lang=lang)
        assert frame["message"].tolist() == list(kind.messages(part, head, lang))
