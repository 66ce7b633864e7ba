"""The five outputs of one audit tell the same story: HTML, XLSX, CSV, terminal and JSON.

The demo ledgers are audited through the command line; each output is read back the
way a person or a program would (the HTML parsed, the XLSX with openpyxl, the CSV, the
terminal text, the JSON) and every count is compared across them: findings (open and
waived), per rule, per severity, per division of the rectification list, the division
ranking, rule statuses and the score. With ``--lang en`` every word is English except
what the ledgers and the rulebook say (their values, headers, titles).
"""

from __future__ import annotations

import contextlib
import csv
import html as htmllib
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from disclosure_rules.annual_format import quoted_texts
from disclosure_rules.cli import main
from disclosure_rules.resources import DEFAULT_RULEBOOK, builtin_rulebook, examples_dir
from disclosure_rules.words import BLANK_DIVISION, Severity, Status, percent_text, severity_word, status_word, word

LEDGERS = {"documents": "documents.csv", "requests": "requests.csv", "messages": "messages.xlsx",
           "opinions": "opinions.xlsx", "meetings": "meetings.xlsx"}


def _audit(folder: Path, lang: str, findings: str) -> str:
    data = [a for name, file in LEDGERS.items() for a in ("--data", f"{name}={examples_dir() / file}")]
    args = ["audit", *data, "--as-of", "2021-12-31", "--waivers", str(examples_dir() / "waivers.yaml"),
            "--html", str(folder / "report.html"), "--json", str(folder / "result.json"),
            "--findings", str(folder / findings), "--lang", lang, "--json-findings", "all"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return out.getvalue()


class Outputs:
    """One audit of the demo ledgers in ``lang``, every output read back."""

    def __init__(self, folder: Path, lang: str):
        self.lang = lang
        self.stdout = _audit(folder, lang, "findings.xlsx")
        (folder / "first").mkdir()
        for name in ("report.html", "result.json"):
            shutil.move(folder / name, folder / "first" / name)
        _audit(folder, lang, "findings.csv")  # the same audit, the list as CSV
        self.html = (folder / "first" / "report.html").read_text(encoding="utf-8")
        self.json = json.loads((folder / "first" / "result.json").read_text(encoding="utf-8"))
        self.xlsx = load_workbook(folder / "findings.xlsx")
        raw = (folder / "findings.csv").read_bytes()
        self.csv_all = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        self.csv = [r for r in self.csv_all if not self.due_soon_row(r)]  # the findings

    def due_soon_row(self, row: dict) -> bool:
        """A row of the list that is no finding: open and due soon (yellow), listed to act on."""
        return row[self.w("list_status")] == self.w("rs_due_soon")

    def w(self, key: str) -> str:
        return word(key, self.lang)

    # ---- the XLSX
    def summary(self) -> tuple[dict, list[dict]]:
        rows = [[c.value for c in row] for row in self.xlsx.worksheets[0].iter_rows()]
        blank = next(i for i, row in enumerate(rows) if not any(v is not None for v in row))
        lines = {row[0]: row[1] for row in rows[:blank]}
        header = rows[blank + 1]
        table = []
        for row in rows[blank + 2:]:
            if row[0] is None:
                break
            table.append(dict(zip(header, row)))
        return lines, table

    def sheet_rows(self) -> list[dict]:
        """The findings of the division sheets (the rows due soon aside)."""
        return [r for r in self.all_sheet_rows() if not self.due_soon_row(r)]

    def all_sheet_rows(self) -> list[dict]:
        out = []
        for sheet in self.xlsx.worksheets[1:]:
            if sheet.title == self.w("data_issue_sheet"):  # the data issues, not the list's rows
                continue
            rows = list(sheet.iter_rows(values_only=True))
            out += [dict(zip(rows[0], row), _sheet=sheet.title) for row in rows[1:]]
        return out

    # ---- the HTML
    def html_rule_counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for rule, body in re.findall(r'<article class="rule[^"]*" id="rule-([^"]+)".*?<table class="stats">.*?<tbody><tr>(.*?)</tr>',
                                     self.html, re.S):
            cells = [int(c) for c in re.findall(r"<td[^>]*>(\d+)</td>", body)[:5]]
            out[rule] = dict(zip(("population", "passed", "violations", "pending", "waived"), cells))
        return out

    def html_ranking(self) -> dict[str, dict[str, str]]:
        table = re.search(r'<table class="ranking">.*?<tbody>(.*?)</tbody>', self.html, re.S)[1]
        out = {}
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            cells = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            out[cells[1]] = {"percent": cells[2], "violations": int(cells[4])}
        return out

    def html_status_counts(self) -> dict[str, int]:
        return {status: int(n) for status, n in
                re.findall(r'<li class="st-([a-z_]+)"><span class="n">(\d+)</span>', self.html)}


@pytest.fixture(scope="module", params=["zh", "en"])
def outputs(request, tmp_path_factory) -> Outputs:
    return Outputs(tmp_path_factory.mktemp(f"outputs-{request.param}"), request.param)


def _division(finding: dict, lang: str) -> str:
    """The division a JSON finding is listed under in the rectification list."""
    if finding["department"] not in (None, "", BLANK_DIVISION):
        return finding["department"]
    return word("blank_division" if finding["row"] is not None else "whole_unit", lang)


def test_findings_total_open_and_waived_agree(outputs):
    """Every output counts the same findings, the same open and the same waived."""
    findings = outputs.json["findings"]
    assert outputs.json["findings_truncated"] is False
    total, waived = len(findings), sum(f["waived"] for f in findings)
    assert sum(r["violations"] for r in outputs.json["rules"]) == total - waived
    note = re.search(r'data-testid="findings-total" data-total="(\d+)" data-open="(\d+)" data-waived="(\d+)"', outputs.html)
    assert tuple(map(int, note.groups())) == (total, total - waived, waived)
    lines, _ = outputs.summary()
    assert (lines[outputs.w("findings_count")], lines[outputs.w("open")], lines[outputs.w("waived")]) == \
        (total, total - waived, waived)
    # the list holds every finding, then the rows due soon (yellow: not findings, listed to act on)
    sheets, due = outputs.sheet_rows(), len(outputs.json["due_soon"])
    assert len(sheets) == len(outputs.csv) == total
    assert len(outputs.all_sheet_rows()) == len(outputs.csv_all) == total + due > total
    yes = outputs.w("yes")
    assert sum(r[outputs.w("waived")] == yes for r in sheets) == sum(r[outputs.w("waived")] == yes for r in outputs.csv) == waived
    assert outputs.w("cli_findings").format(total=total, open=total - waived, waived=waived) in outputs.stdout
    assert (total, waived) == (164, 2)  # the demo: 9 of DOC-INTERP-05's 59 are in the lists only, not on the page


def test_counts_per_rule_agree(outputs):
    """Per rule, the report's violations and waived rows are the JSON's and the lists' rows."""
    html = outputs.html_rule_counts()
    listed = Counter((r[outputs.w("rule_id")], r[outputs.w("waived")]) for r in outputs.sheet_rows())
    in_csv = Counter((r[outputs.w("rule_id")], r[outputs.w("waived")]) for r in outputs.csv)
    yes, no = outputs.w("yes"), outputs.w("no")
    for rule in outputs.json["rules"]:
        counts = {k: rule[k] for k in ("population", "passed", "violations", "pending", "waived")}
        assert html[rule["id"]] == counts, rule["id"]
        assert listed[(rule["id"], no)] == in_csv[(rule["id"], no)] == rule["violations"], rule["id"]
        assert listed[(rule["id"], yes)] == in_csv[(rule["id"], yes)] == rule["waived"], rule["id"]
        if rule["status"] == "fail":
            line = next(l for l in outputs.stdout.splitlines() if l.strip().startswith(rule["id"] + " "))
            figure = rule["passed"] if rule["kind"] == "ratio" else rule["violations"]  # a ratio says what passed
            assert re.search(rf"(?<!\d){figure}(?!\d)", line), line


def test_counts_per_severity_agree(outputs):
    """The XLSX summary's severity columns, the lists' severity column and the JSON agree."""
    expected = Counter(f["severity"] for f in outputs.json["findings"])
    _, table = outputs.summary()
    for severity in Severity:
        label = severity_word(severity, outputs.lang)
        assert sum(row[label] for row in table) == expected[severity.value]
        assert sum(r[outputs.w("severity")] == label for r in outputs.sheet_rows()) == expected[severity.value]
        assert sum(r[outputs.w("severity")] == label for r in outputs.csv) == expected[severity.value]


def test_rows_per_division_agree(outputs):
    """Each division's rows in the rectification list: the summary, its sheet, the CSV and the JSON
    (findings, and the rows due soon)."""
    expected = Counter(_division(f, outputs.lang) for f in outputs.json["findings"])
    _, table = outputs.summary()
    division, rows = outputs.w("division"), outputs.w("list_rows")
    assert Counter(r["_sheet"] for r in outputs.sheet_rows()) == expected
    assert Counter(r[division] for r in outputs.csv) == expected
    # a sheet's rows, as the summary counts them, are its findings and its rows due soon
    listed = expected + Counter(_division(d, outputs.lang) for d in outputs.json["due_soon"])
    assert {r[division]: r[rows] for r in table if r[rows]} == listed
    assert Counter(r["_sheet"] for r in outputs.all_sheet_rows()) == listed
    # the meetings' count groups are no division's rows: they are the whole unit's, not the blank division's
    assert expected[outputs.w("whole_unit")] == 5 and outputs.w("blank_division") not in expected


def test_division_ranking_agrees(outputs):
    """The ranking's percent and violations: the report, the JSON and the XLSX summary."""
    ranking = outputs.html_ranking()
    _, table = outputs.summary()
    in_xlsx = {r[outputs.w("division")]: r for r in table}
    assert len(ranking) == len(outputs.json["departments"])
    for dept in outputs.json["departments"]:
        name = word("blank_division", outputs.lang) if dept["department"] == BLANK_DIVISION else dept["department"]
        percent = None if dept["percent"] is None else dept["percent"] / 100
        assert ranking[name] == {"percent": percent_text(percent, fixed=True), "violations": dept["violations"]}, name
        assert in_xlsx[name][outputs.w("ranking_violations")] == dept["violations"], name
        assert in_xlsx[name][outputs.w("percent")] == (None if percent is None else round(dept["percent"], 1)), name


def test_score_and_statuses_agree(outputs):
    """The score, the grade and the rules per status read the same in every output."""
    score = outputs.json["score"]
    shown = f"{score['percent']:.1f}"
    assert re.search(r'data-testid="score">([\d.]+)<', outputs.html)[1] == shown
    assert f"{outputs.w('score')}: {shown} / 100" in outputs.stdout
    lines, _ = outputs.summary()
    assert lines[outputs.w("score")] == round(score["percent"], 1) and lines[outputs.w("grade")] == score["grade"]
    statuses = Counter(r["status"] for r in outputs.json["rules"])
    html = outputs.html_status_counts()
    cli = outputs.w("cli_rules") + ": " + ", ".join(f"{statuses[s]} {status_word(s, outputs.lang)}" for s in Status
                                                    if statuses[s])
    assert cli in outputs.stdout.splitlines()
    assert {s: n for s, n in html.items() if n} == dict(statuses)


# ---------------------------------------------------------------- --lang en

CJK = re.compile(r"[\u3001-\u303f\u3400-\u9fff\uff00-\uffef]+")


def _allowed() -> list[str]:
    """What may stay Chinese in English outputs: every text of the rulebook (titles, basis,
    labels, aliases: the ledger's own headers and values) and of the ledgers themselves."""
    texts: list[str] = []

    def walk(node):
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(builtin_rulebook(DEFAULT_RULEBOOK.split(":", 1)[1]).read_text(encoding="utf-8")))
    walk(yaml.safe_load((examples_dir() / "waivers.yaml").read_text(encoding="utf-8")))
    texts += quoted_texts()  # the national format of the annual report's tables, quoted as it is
    for file in LEDGERS.values():
        path = examples_dir() / file
        if path.suffix == ".csv":
            raw = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    texts.append(raw.decode(encoding))
                    break
                except UnicodeDecodeError:
                    continue
        else:
            book = load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                texts.append(sheet.title)
                texts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    return texts


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Outputs:
    return Outputs(tmp_path_factory.mktemp("english"), "en")


def _chinese_words(text: str, allowed: str) -> set[str]:
    return {run for run in CJK.findall(text) if run not in allowed}


def test_english_outputs_have_english_words(english):
    """With --lang en, headers, severities, yes/no, the summary's labels and the division
    names the tool makes up are English; only the ledgers' and the rulebook's own text stays."""
    assert list(english.csv[0]) == [word(k, "en") for k in (
        "seq", "rule_id", "rule_title", "division", "dataset", "row", "sheet", "key", "list_problem", "raw_value",
        "severity", "list_status", "waived", "rectify_by", "owner", "measures", "progress", "clause", "deadline", "end",
        "late_workdays")]
    for rows in (english.csv, english.sheet_rows()):
        assert {r["Severity"] for r in rows} <= {"critical", "major", "minor"}
        assert {r["Waived"] for r in rows} == {"yes", "no"}
        assert {r["Ledger"] for r in rows} <= set(LEDGERS)
    lines, table = english.summary()
    assert english.xlsx.sheetnames[0] == "Summary" and "(whole unit)" in english.xlsx.sheetnames
    assert not CJK.search(" ".join(map(str, lines))) or set(_chinese_words(" ".join(map(str, lines)), "\n".join(_allowed()))) == set()
    assert not CJK.search(" ".join(str(k) for k in table[0]))


def test_english_outputs_have_no_chinese_of_their_own(english):
    """Every run of Chinese in the English report, lists and terminal text is quoted from
    the ledgers or the rulebook (values, headers, titles), never a word of the tool."""
    allowed = "\n".join(_allowed())
    page = htmllib.unescape(re.sub(r"<[^>]+>", " ", english.html))
    cells = " ".join(str(v) for sheet in english.xlsx.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)
    listed = " ".join(v for r in english.csv for v in r.values() if v)
    for name, text in (("html", page), ("xlsx", cells), ("csv", listed), ("terminal", english.stdout)):
        assert _chinese_words(text, allowed) == set(), name


def test_the_json_messages_have_no_chinese_of_their_own(english):
    """The JSON (English and stable, whatever --lang): every rule message, finding message,
    warning and data-issue problem is English; Chinese in them is quoted from the ledgers or the
    rulebook (values, headers, titles)."""
    allowed = "\n".join(_allowed())
    data = english.json
    texts = ([r["message"] for r in data["rules"]] + [f["message"] for f in data["findings"]]
             + list(data["warnings"]) + [i["problem"] for i in data["data_issues"]])
    assert len(texts) > 100
    assert _chinese_words("\n".join(texts), allowed) == set()
