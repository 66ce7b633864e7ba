"""The HTML report (DESIGN §12): content, languages, escaping, size, atomic writing.

Every report here is rendered from a real audit: the ledgers of ``ledgers.py`` (CSV files
in the built-in rulebook's format) or the bundled examples, run through
``disclosure_rules.audit``. Expected values are read from the result, not restated.
"""

from __future__ import annotations

import re

import pytest

from disclosure_rules.report import MAX_ROWS_PER_RULE, build_view, render_html, write_html
from disclosure_rules.words import WORDS as UI
from ledgers import BAD_DATES, BOOK, HOSTILE, audited, example_audit


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("ledgers")


@pytest.fixture(scope="module")
def result(folder):
    return audited(folder)


def test_report_shows_audit_trail_score_and_every_rule(result, folder):
    """The header carries what is needed to verify the audit later; every rule is shown."""
    html = render_html(result)
    assert html.startswith("<!DOCTYPE html>")
    assert result.book.rulebook.title in html
    assert result.book.sha256 in html
    assert set(result.data) == {"documents", "requests"}
    for loaded in result.data.values():
        assert len(loaded.sha256) == 64 and loaded.sha256 in html
    assert "公文台账.csv" in html and "依申请公开登记台账.csv" in html
    assert str(folder) not in html  # file names, not local paths
    assert result.as_of.isoformat() in html and result.tool_version in html
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
    with pytest.raises(ValueError, match="unknown language .fr.; use one of: zh, en"):
        render_html(result, lang="fr")


def test_ui_dicts_have_the_same_keys():
    """A label missing in one language would break rendering in that language only."""
    assert set(UI["zh"]) == set(UI["en"])


def test_violating_rows_show_the_rule_fields_as_labels(result):
    """Columns are the rule's fields under the file's headers (zh) or field names (en);
    category codes show as their first label, set masks as labels joined with 、."""
    view = build_view(result)
    attr = next(r for r in view["rules"] if r["id"] == "DOC-ATTR-02")
    assert [c["label"] for c in attr["columns"]] == ["不公开依据", "不公开理由", "公开属性"]
    en = next(r for r in build_view(result, "en")["rules"] if r["id"] == "DOC-ATTR-02")
    assert [c["label"] for c in en["columns"]] == ["disclosure_basis", "disclosure_reason", "disclosure"]
    convert = next(r for r in view["rules"] if r["id"] == "DOC-CONVERT-01")
    assert "n_applicants" in result.rule("DOC-CONVERT-01").fields
    assert [c["field"] for c in convert["columns"]] == ["disclosure", "review_result"]  # joined: not in the file
    disclosure = result.book.datasets["documents"].fields["disclosure"]
    assert {row["values"][2] for row in attr["rows"]} == {disclosure.values[code][0] for code in ("on_request", "not_public")}
    interp = next(r for r in view["rules"] if r["id"] == "DOC-INTERP-01")
    assert interp["rows"], "the rule lists its violating rows"
    forms_spec = result.book.datasets["documents"].fields["interpretation_forms"]
    first_labels = [labels[0] for labels in forms_spec.values.values()]
    html = render_html(result)
    assert f">{first_labels[0]}、{first_labels[1]}</td>" in html  # mask 3 = first two codes
    assert f">{first_labels[0]}、{first_labels[2]}</td>" in html  # mask 5 = first and third


def test_rows_are_capped_with_a_note(result):
    """At most MAX_ROWS_PER_RULE rows per rule; the rest are counted in a note."""
    view = build_view(result)
    totals = result.findings["rule"].value_counts()
    rule_id, total = totals.index[0], int(totals.iloc[0])
    assert total > MAX_ROWS_PER_RULE
    capped = next(r for r in view["rules"] if r["id"] == rule_id)
    assert len(capped["rows"]) == MAX_ROWS_PER_RULE
    assert capped["more"] == total - MAX_ROWS_PER_RULE
    assert f"另有 {total - MAX_ROWS_PER_RULE} 条问题记录" in render_html(result)
    for rule in view["rules"]:
        assert len(rule["rows"]) + rule["more"] == int(totals.get(rule["id"], 0))


def test_page_size_does_not_grow_with_ledger_rows(tmp_path):
    """Ten times the rows gives (almost) the same page: tables are capped, charts aggregate.

    2,000 documents already fill every capped list, so what remains is the page's fixed size.
    """
    small_result = audited(tmp_path / "small", n_docs=2000)
    large_result = audited(tmp_path / "large", n_docs=20000)
    assert len(large_result.findings) > 5 * len(small_result.findings)  # the findings grew too
    small = len(render_html(small_result))
    large = len(render_html(large_result))
    assert large < small * 1.05


def test_targets_divisions_and_deadlines_are_drawn(result):
    """Ratio rules get a bar with a threshold line; divisions a ranking and a grid; replies a chart."""
    view = build_view(result)
    assert {t["id"] for t in view["targets"]} == {"DOC-INTERP-04", "DOC-INTERP-05"}
    target = next(t for t in view["targets"] if t["id"] == "DOC-INTERP-04")
    assert target["min"] == 90
    assert target["rate_text"] == f"{100 * result.rule('DOC-INTERP-04').rate:.1f}%"
    html = render_html(result)
    assert 'class="thr"' in html
    assert [d["name"] for d in view["divisions"]["ranking"]] == list(result.departments["department"])
    assert view["divisions"]["grid_rules"] == [r.id for r in result.rules
                                               if r.id in set(result.department_rules["rule"])]

    chart = next(d for d in view["deadlines"] if d["rule"] == "REQ-DEADLINE-01")
    rows = result.deadline_rows["REQ-DEADLINE-01"]
    status, late = rows["status"], rows["late_workdays"]
    expected = {
        "on_time": (status == "on_time").sum(),
        "late_1": ((status == "late") & (late == 1)).sum(),
        "late_6_10": ((status == "late") & late.between(6, 10)).sum(),
        "late_11": ((status == "late") & (late > 10)).sum(),
        "overdue": (status == "overdue").sum(),
    }
    bars = {b["bucket"]: b["count"] for b in chart["bars"]}
    assert all(expected.values()), "the ledger has replies in each of these buckets"
    assert {name: bars[name] for name in expected} == expected
    assert sum(bars.values()) == len(rows)
    assert len(chart["overdue"]) == expected["overdue"]


def test_data_issues_are_grouped_with_row_numbers(result):
    """One group per ledger, field and problem, with the rows a spreadsheet shows (header on row 1)."""
    view = build_view(result)
    group = next(g for g in view["issues"]["groups"] if g["field"] == "成文日期")
    assert group["count"] == len(BAD_DATES)
    assert group["rows"][:2] == [str(BAD_DATES[0] + 2), str(BAD_DATES[1] + 2)]
    assert group["values"] == ["2021-13-01"]
    unknown = next(g for g in view["issues"]["groups"] if g["field"] == "公开属性")
    assert unknown["values"] == ["待定"]


def test_hostile_values_are_escaped(tmp_path):
    """Markup in keys, cells, division names, labels and warnings reaches the page as text."""
    hostile = audited(tmp_path, hostile=True)
    assert HOSTILE["division"] in set(hostile.findings["department"])
    assert HOSTILE["onerror"] in set(hostile.findings["key"])
    assert any(HOSTILE["onerror"] in w for w in hostile.warnings)
    assert HOSTILE["script"] in {i["value"] for i in hostile.data_issues}
    html = render_html(hostile)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE["division"] not in html and "&lt;b&gt;处&lt;/b&gt;" in html
    # exactly one script element: the report's own
    assert html.count("<script") == 1


def test_write_html_is_atomic_and_leaves_no_temp_file(tmp_path, result):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_html(result, target, lang="en")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_html_failure_keeps_the_old_file(tmp_path, result, monkeypatch):
    """If the disk fills up halfway through writing the report, the previous report is
    untouched and the half-written temporary file is removed."""
    import errno
    from pathlib import Path

    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    written = []

    def half_then_full(self, data):  # the new report reaches the disk only in part
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
        written.append((self, len(data)))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        write_html(result, target)
    (partial, size), = written
    assert partial.parent == tmp_path and partial != target and size > 10_000  # a real report was being written
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_html_keeps_the_old_file_when_the_rename_fails(tmp_path, result, monkeypatch):
    """If the complete new report cannot be moved over the old one, the old one stays whole
    and the temporary file is removed."""
    import disclosure_rules.atomic as atomic

    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    seen = []

    def refuse(src, dst):
        seen.append(open(src, encoding="utf-8").read())
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_html(result, target)
    assert seen and seen[0].rstrip().endswith("</html>")  # the new report was complete
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_example_report_renders_every_rule_and_deadline_chart():
    """On the examples: every rule appears, each deadline rule has its chart, violations are listed."""
    result = example_audit()
    view = build_view(result)
    html = render_html(result)
    for rule in result.rules:
        assert f'id="rule-{rule.id}"' in html
    assert {d["rule"] for d in view["deadlines"]} == set(result.deadline_rows)
    listed = sum(len(r["rows"]) + r["more"] for r in view["rules"])
    assert listed == len(result.findings)
    assert set(result.data) == set(BOOK.datasets)
    assert all(d["rows"] for d in view["meta"]["datasets"] if d["name"] in result.data)


def test_the_headline_shows_the_figure_the_grade_comes_from(result):
    """Two of the five ledgers supplied: the big number is the strict percent the grade comes
    from, its points line adds up to it, a note says why, and the missing ledgers are listed."""
    assert result.graded_on == "strict_percent"
    html = render_html(result)
    big = re.search(r'data-testid="score">([^<]*)<', html).group(1)
    assert big == f"{result.strict_percent:.1f}"
    points = re.search(r'class="pts">([^<]*)<', html).group(1)
    assert points.endswith(f"/ {result.strict_possible:g}") and result.strict_possible > result.possible
    note = re.search(r'data-testid="graded-on">([^<]*)<', html).group(1)
    assert "严格得分" in note and f"{result.percent:.1f}%" in note
    gaps = re.search(r'data-testid="coverage-gaps">(.*?)</div>', html, re.S).group(1)
    for name in ("messages", "opinions", "meetings"):
        assert BOOK.datasets[name].title in gaps
    english = render_html(result, lang="en")
    assert "Strict percent" in re.search(r'data-testid="graded-on">([^<]*)<', english).group(1)


def test_the_reading_section_lists_the_rows_skipped_as_not_records(tmp_path):
    """A workbook with a title, a 合计 row and a 填表人 footer: the report's 读取说明 names the
    format, sheet and header row, and lists each skipped row with its number and reason."""
    from openpyxl import Workbook

    from disclosure_rules import audit

    path = tmp_path / "公文台账.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "全年"
    for row in (["2021年公文台账"], ["发文字号", "起草处室", "公开属性"], ["晋商函〔2021〕1号", "外贸处", "主动公开"],
                ["晋商函〔2021〕2号", "外资处", "不予公开"], ["合计", "2件", None], ["填表人：张三  审核人：李四"]):
        sheet.append(row)
    book.save(path)
    result = audit(BOOK, {"documents": path}, as_of="2021-12-31")
    html = render_html(result)
    section = re.search(r'data-testid="reading-documents">(.*?)</div>', html, re.S).group(1)
    assert "XLSX" in section and "全年" in section and "表头第 2 行" in section and "2 条记录" in section
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td class="cell">', section)
    assert [(int(r), sheet_name, reason) for r, sheet_name, reason in rows] == [
        (5, "全年", "合计行"), (6, "全年", "表尾（签名、备注、说明）")]
    english = render_html(result, lang="en")
    assert "total row" in re.search(r'data-testid="reading-documents">(.*?)</div>', english, re.S).group(1)


def test_the_templates_compiled_ahead_are_the_report_and_every_template_it_includes():
    """The command line compiles ``REPORT_TEMPLATES`` while the ledgers are read: the list
    is the report's template and everything it includes, found by Jinja itself."""
    import jinja2.meta

    from disclosure_rules.report import REPORT_TEMPLATES, _environment

    env = _environment()
    found, todo = set(), ["report.html.j2"]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        source = env.loader.get_source(env, name)[0]
        todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n is not None]
    assert set(REPORT_TEMPLATES) == found and len(REPORT_TEMPLATES) == len(found)


def test_compiling_ahead_with_the_templates_missing_raises_nothing(monkeypatch):
    """A broken install (no templates folder): the thread that compiles ahead ends quietly, so
    the one message is the report's own when it is written."""
    from disclosure_rules import report

    def missing():
        raise FileNotFoundError("bundled folder 'reports/templates' not found")

    report._environment.cache_clear()
    monkeypatch.setattr(report, "templates_dir", missing)
    try:
        assert report.compile_templates() is None
        with pytest.raises(FileNotFoundError):
            report._environment()
    finally:
        monkeypatch.undo()
        report._environment.cache_clear()
