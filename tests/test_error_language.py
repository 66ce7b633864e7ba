"""Errors speak the user's language: a ledger that cannot be read or a rulebook that is wrong is
told in Chinese (the default) with no English sentence behind 错误：, and in English with
--lang en with no Chinese of the tool's own (ledger values, file names, dataset titles,
headers and other words the rulebook gives are quoted as they are).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path

import pytest

from disclosure_rules import load_rulebook
from disclosure_rules.cli import main

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: three English words in a row: a sentence of the tool left in English
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")


@pytest.fixture(autouse=True)
def plain_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def run(args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, err.getvalue() + out.getvalue()


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


#: bad ledgers: (file name, how to make it in a folder, extra text after the name, e.g. a #sheet)
LEDGERS = {
    "missing column": ("docs.csv", lambda p: p.write_text("foo,bar\n1,2\n", encoding="utf-8"), ""),
    "pdf": ("docs.csv", lambda p: p.write_bytes(b"%PDF-1.4 not a ledger"), ""),
    "word document": ("docs.xlsx", _docx, ""),
    "empty": ("docs.csv", lambda p: p.write_bytes(b""), ""),
    "binary": ("docs.csv", lambda p: p.write_bytes(b"ab\x00cd\x01efg\x02" * 40), ""),
    "damaged workbook": ("docs.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 64), ""),
    "folder": ("docs.csv", lambda p: p.mkdir(), ""),
    "html without table": ("docs.xls", lambda p: p.write_text("<html><body>hi</body></html>", encoding="utf-8"), ""),
    "text with a sheet": ("docs.csv", lambda p: p.write_text("文号,公开属性\nA,主动公开\n", encoding="utf-8"), "#Sheet1"),
    "no such sheet": ("docs.xlsx", lambda p: _xlsx(p, {"台账": [["文号", "公开属性"], ["A", "主动公开"]]}), "#公文"),
    "no sheet with the header": ("docs.xlsx", lambda p: _xlsx(p, {"甲": [["x", "y"], ["1", "2"]],
                                                                  "乙": [["z"], ["3"]]}), ""),
    "a sheet lacks a column": ("docs.xlsx", lambda p: _xlsx(p, {
        "一月": [["文号", "公开属性", "起草处室"], ["A", "主动公开", "办公室"]],
        "二月": [["公开属性", "起草处室", "成文日期"], ["主动公开", "办公室", "2021-01-02"]]}), ""),
}

#: bad rulebooks: the YAML after "extends: builtin:shanxi-commerce-2021\nrules:\n"
RULES = {
    "unknown name": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "公开属性 == 主动公开"}',
    "unknown dataset, section, severity, points": (
        '  - {id: N-1, title: 新规则, dataset: documnts, kind: condition, expect: "present(doc_id)",'
        ' section: S99, severity: 很重, points: ten}'),
    "rate as percent, unknown key": ('  - {id: N-1, title: 新规则, dataset: documents, kind: ratio,'
                                     ' expect: "present(doc_id)", min: 95, colour: red}'),
    "not a boolean": '  - {id: N-1, title: 新规则, dataset: documents, kind: required, fields: [doc_id], enabled: maybe}',
    "unknown field": '  - {id: N-1, title: 新规则, dataset: documents, kind: required, fields: [doc_idd]}',
    "unknown kind": '  - {id: N-1, title: 新规则, dataset: documents, kind: requird, fields: [doc_id]}',
    "types do not mix": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "doc_id + 1 > 2"}',
    "unknown function": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "lenght(doc_id) > 1"}',
    "date against number": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "issued_on > 3"}',
    "not a condition": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "doc_id"}',
    "syntax error": '  - {id: N-1, title: 新规则, dataset: documents, kind: condition, expect: "present(doc_id) and ("}',
    "warn beyond min": ('  - {id: N-1, title: 新规则, dataset: documents, kind: ratio, expect: "present(doc_id)",'
                        ' min: 0.9, warn: 0.8}'),
    "ratio without bounds": '  - {id: N-1, title: 新规则, dataset: documents, kind: ratio, expect: "present(doc_id)"}',
    "missing key": '  - {id: N-1, dataset: documents, kind: required, fields: [doc_id]}',
    "duplicate id": ('  - {id: N-1, title: 甲, dataset: documents, kind: required, fields: [doc_id]}\n'
                     '  - {id: N-1, title: 乙, dataset: documents, kind: required, fields: [doc_id]}'),
    "dates that are not dates": (
        '  - {id: N-1, title: 新规则, dataset: requests, kind: deadline, start: request_id, end: replied_on,'
        ' limit: {working_days: 20}}\n'
        '  - {id: N-2, title: 新规则, dataset: requests, kind: sequence, fields: [request_id, replied_on]}'),
    "limit in two units": ('  - {id: N-1, title: 新规则, dataset: requests, kind: deadline, start: received_on,'
                           ' end: replied_on, limit: {working_days: 20, calendar_days: 3}}'),
    "groups without per": '  - {id: N-1, title: 新规则, dataset: requests, kind: count, min: 1, groups: [a]}',
    "a word not among the choices": '  []\ncalendar: {fallback: sometimes}',
    "a pattern RE2 cannot run": ('  - {id: N-1, title: 新规则, dataset: documents, kind: condition,'
                                 ' expect: "matches(doc_id, \'[\\\\W]\')"}'),
    "a bad escape in a string": ('  - {id: N-1, title: 新规则, dataset: documents, kind: condition,'
                                 ' expect: "matches(doc_id, \'\\\\x4\')"}'),
    "yaml syntax": '  - {id: N-1, title: 新规则, dataset: documents',
    "yaml indentation": '  - id: N-1\n     title: 新规则\n   kind: required',
}


def _ledger_case(tmp_path: Path, case: str) -> list[str]:
    name, make, tail = LEDGERS[case]
    make(tmp_path / name)
    return ["audit", "--data", f"documents={tmp_path / name}{tail}", "--html", tmp_path / "r.html"]


def _rules_case(tmp_path: Path, case: str) -> list[str]:
    path = tmp_path / "book.yaml"
    path.write_text("extends: builtin:shanxi-commerce-2021\nrules:\n" + RULES[case] + "\n", encoding="utf-8")
    return ["validate", path]


def _book_words() -> list[str]:
    """Every text the built-in rulebook gives (titles, aliases, labels): quoted as they are."""
    book = load_rulebook("builtin:shanxi-commerce-2021")
    words = []
    for ds in book.datasets.values():
        words.append(ds.title or "")
        for spec in ds.fields.values():
            words += spec.aliases
            for labels in (spec.values or {}).values():
                words += list(labels)
    return sorted({w for w in words if w}, key=len, reverse=True)


def _without_given_text(text: str, tmp_path: Path, extra: list[str]) -> str:
    """``text`` without what the user or the rulebook wrote: the file names, the expression
    echoed under the message (and its ^^^ pointer), quoted names and values."""
    text = text.replace(str(tmp_path), "")
    lines = [line for line in text.splitlines() if not line.startswith("    ")]
    text = "\n".join(lines)
    for given in extra:
        text = text.replace(given, "")
    return re.sub(r"'[^']*'|「[^」]*」|“[^”]*”|\"[^\"]*\"", "", text)


CASES = [("ledger", c) for c in LEDGERS] + [("rules", c) for c in RULES]


@pytest.mark.parametrize("what, case", CASES)
def test_an_error_in_chinese_has_no_english_sentence(tmp_path, what, case):
    """Every bad ledger and bad rulebook ends with exit 2 and 错误： followed by Chinese only:
    no English sentence of the tool behind the Chinese prefix (keys, codes and format names such
    as CSV or .xlsx may stay)."""
    args = (_ledger_case if what == "ledger" else _rules_case)(tmp_path, case)
    code, text = run(args)
    assert code == 2, text
    assert text.startswith("错误："), text
    assert "Traceback" not in text
    rest = _without_given_text(text, tmp_path, [])
    leak = ENGLISH_RUN.search(rest)
    assert leak is None, f"English in the Chinese error: {leak.group(0)!r} in\n{text}"


@pytest.mark.parametrize("what, case", CASES)
def test_an_error_in_english_has_no_chinese_of_the_tool(tmp_path, what, case):
    """The same errors with --lang en are English: the only Chinese left is what the user or the
    rulebook wrote (file and sheet names, headers, dataset titles, aliases and labels)."""
    args = (_ledger_case if what == "ledger" else _rules_case)(tmp_path, case) + ["--lang", "en"]
    code, text = run(args)
    assert code == 2, text
    assert text.startswith("Error"), text
    given = _book_words() + ["新规则", "一月", "二月", "台账", "公文", "甲", "乙", "很重", "办公室", "主动公开"]
    rest = _without_given_text(text, tmp_path, given)
    leak = CJK.search(rest)
    assert leak is None, f"Chinese in the English error: {rest!r}"


def test_the_locale_chooses_english_when_no_lang_is_given(tmp_path, monkeypatch):
    """With LANG=en_US.UTF-8 and no --lang, a bad rulebook is told in English, in every command
    that reads one (validate, diff)."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    args = _rules_case(tmp_path, "unknown kind")
    for command in (args, ["diff", args[1], args[1]]):
        code, text = run(command)
        assert code == 2
        assert text.startswith("Error: Invalid rulebook"), text
        assert "unknown rule kind 'requird'" in text


@pytest.mark.parametrize("year, fallback", [(2031, "error"), (3100, "weekends")])
def test_calendar_refusals_are_chinese(year, fallback, monkeypatch):
    """A year the working-day calendar cannot count (no data with fallback: error, or beyond the
    years it supports) is told in Chinese as the terminal shows it, naming the year."""
    import datetime as dt

    from disclosure_rules.calendar import CalendarError, WorkCalendar
    from disclosure_rules import cli
    from disclosure_rules.cli import _describe

    monkeypatch.setitem(cli._LANG, "value", None)  # the locale's language (Chinese), whatever ran before
    with pytest.raises(CalendarError) as info:
        WorkCalendar.build(dt.date(year, 1, 1), dt.date(year, 12, 31), fallback=fallback)
    text = _describe(info.value)
    assert text.startswith("错误：") and str(year) in text, text
    assert ENGLISH_RUN.search(_without_given_text(text, Path("/nowhere"), [])) is None, text


def test_the_library_error_carries_its_chinese(tmp_path):
    """In a script or notebook, str(error) is English and error.zh the Chinese the terminal shows,
    for a rulebook (each problem with its place) and for a ledger."""
    from disclosure_rules import audit
    from disclosure_rules.errors import DatasetError, RulebookError

    _rules_case(tmp_path, "unknown kind")
    with pytest.raises(RulebookError) as info:
        load_rulebook(tmp_path / "book.yaml")
    assert "unknown rule kind 'requird'" in str(info.value)
    assert info.value.zh.startswith("考核方案有误：") and "未知的规则类型「requird」" in info.value.zh
    assert f"{tmp_path / 'book.yaml'}:" in info.value.zh
    (tmp_path / "docs.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        audit(load_rulebook(), {"documents": tmp_path / "docs.csv"}, as_of="2021-12-31")
    assert "has no column for required field" in str(info.value) and "缺少必填字段的列" in info.value.zh
