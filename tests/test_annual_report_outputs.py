"""The annual report's files (XLSX, HTML, JSON), the command, and --check on filled tables (DESIGN §14).

The published-style pages are written here the way government sites publish them (one
<table>, rowspan/colspan, numbering such as （一） and 1., cells wrapped in <p><span>,
the typos real reports carry), not with the product's own template.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest

from disclosure_rules import annual_report, load_rulebook
from disclosure_rules.annual_check import check_filled, read_filled
from disclosure_rules.annual_format import APPLICANT_COLUMNS, COLUMNS, LEAF_ROWS, ROW_ORDER
from disclosure_rules.cli import main
from test_annual_report import D, ledger

BOOK = load_rulebook()


def sample_rows() -> list[tuple]:
    """Requests across 2020/2021 in every applicant column and several outcome rows, one breach."""
    rows = []
    for i, row in enumerate(LEAF_ROWS * 2):
        received = D(2021, 1, 4) + dt.timedelta(days=7 * i)
        rows.append((received, received + dt.timedelta(days=12), APPLICANT_COLUMNS[(i * 5) % 6], row))
    rows += [(D(2020, 12, 21), D(2021, 1, 12), "自然人", "三(一)"), (D(2020, 12, 28), None, "商业企业", None),
             (D(2021, 12, 27), None, "法律服务机构", None)]
    return rows


@pytest.fixture(scope="module")
def report():
    return annual_report(BOOK, {"requests": ledger(sample_rows())}, year=2021,
                         figures={"二": {"行政许可": 12, "行政处罚": 3, "行政强制": 0, "行政事业性收费": 0}})


# ------------------------------------------------------------------ XLSX


def test_xlsx_has_the_national_layout(tmp_path, report):
    """The XLSX opens in openpyxl with one sheet per table; table 三's header spans as the format
    does (申请人情况 over seven columns, 法人或其他组织 over five, 自然人 and 总计 down two rows),
    its figures are the report's, and the cells no ledger gives are blank and marked."""
    path = tmp_path / "年度报告表格.xlsx"
    report.write_xlsx(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["表二", "表三", "表四"]
    ws = wb["表三"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"D2:J2", "E3:I3", "D3:D4", "J3:J4", "A2:C4"} <= merged
    assert ws["E3"].value == "法人或其他组织" and ws["D2"].value == "申请人情况"
    assert [ws.cell(4, c).value for c in range(5, 10)] == list(APPLICANT_COLUMNS[1:])
    labels = [ws.cell(r, 1).value for r in range(5, 5 + len(ROW_ORDER))]
    assert labels[0].startswith("一、") and labels[-1].startswith("四、")
    for offset, rid in enumerate(ROW_ORDER):
        assert [ws.cell(5 + offset, 4 + i).value for i in range(7)] == list(report.table3.loc[rid]), rid
    # table 三's group headings are merged down their sub-rows
    assert any(r.startswith("B9:B16") for r in merged)  # （三）不予公开 over its eight sub-rows
    t4 = wb["表四"]
    assert {"A2:E3", "F2:O2", "F3:J3", "K3:O3"} <= {str(r) for r in t4.merged_cells.ranges}
    assert all(t4.cell(5, c).value is None and t4.cell(5, c).fill.fgColor.rgb.endswith("FFF2A8") for c in range(1, 16))
    t2 = wb["表二"]
    values = {t2.cell(r, 1).value: t2.cell(r, 2).value for r in range(1, t2.max_row + 1)}
    assert values["行政许可"] == 12 and values["行政处罚"] == 3
    assert values["规章"] is None  # no document ledger: to fill
    problems = wb[wb.sheetnames[4]]
    assert problems.max_row == 1 + len(report.problems)


def test_xlsx_reads_back_the_same_tables(tmp_path, report):
    """--check on the product's own XLSX reads every cell back and finds the same identity verdicts."""
    path = tmp_path / "tables.xlsx"
    report.write_xlsx(path)
    result = check_filled(path, report)
    assert result.filled.missing == []
    assert (result.filled.table3.astype(float).to_numpy() == report.table3.astype(float).to_numpy()).all()
    assert result.differences == []
    assert list(result.identities["ok"]) == list(report.identities["ok"])


def test_a_hand_filled_xlsx_is_checked_against_the_ledgers(tmp_path, report):
    """An office's own workbook (title rows, its own merges, a typo, a wrong cell) is matched by its
    labels; the wrong cell fails its identities and differs from the ledger's figure."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["三、收到和处理政府信息公开申请情况"])
    ws.append(["", "", "", "申请人情况"])
    ws.append(["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"])
    ws.append(["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其它", ""])
    typos = {"三(三)5": "属于三类内容事务信息", "三(二)": "部分公开（区分处理的，只计这一情况，不计其他情形）"}
    from disclosure_rules.annual_format import ROW_LABELS

    for rid in ROW_ORDER:
        values = [int(v) for v in report.table3.loc[rid]]
        if rid == "三(一)":
            values[0] += 1  # one request too many among the natural persons
        ws.append(["", "", typos.get(rid, ROW_LABELS[rid])] + values)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    result = check_filled(path, report)
    assert result.filled.missing == []
    assert result.differences == [{"table": "三", "row": "三(一)", "column": "自然人",
                                   "filled": report.table3.at["三(一)", "自然人"] + 1.0,
                                   "ledger": float(report.table3.at["三(一)", "自然人"])}]
    failing = result.failing
    assert ("三(七)=三(一)+…+三(六)3", "自然人") in set(zip(failing["check"], failing["column"]))
    assert ("总计=自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他", "三(一)") in set(zip(failing["check"], failing["row"]))
    assert not result.ok


# ------------------------------------------------------------------ a published report's HTML

#: (label as a real page writes it, row id or None for a heading, rowspan of a first-column heading)
PUBLISHED_ROWS = [
    ("一、本年新收政府信息公开申请数量", "一"), ("二、上年结转政府信息公开申请数量", "二"),
    ("（一）予以公开", "三(一)"), ("（二）部分公开（区分处理的，只计这一情况，不计其他情形）", "三(二)"),
    ("1.属于国家秘密", "三(三)1"), ("2.其他法律行政法规禁止公开", "三(三)2"), ("3.危及“三安全一稳定”", "三(三)3"),
    ("4.保护第三方合法权益", "三(三)4"), ("5.属于三类内容事务信息", "三(三)5"), ("6.属于四类过程性信息", "三(三)6"),
    ("7.属于行政执法案卷", "三(三)7"), ("8.属于行政查询事项", "三(三)8"),
    ("1.本机关不掌握相关政府信息", "三(四)1"), ("2.没有现成信息需要另行制作", "三(四)2"), ("3.补正后申请内容仍不明确", "三(四)3"),
    ("1.信访举报投诉类申请", "三(五)1"), ("2.重复申请", "三(五)2"), ("3.要求提供公开出版物", "三(五)3"),
    ("4.无正当理由大量反复申请", "三(五)4"), ("5.要求行政机关确认或重新出具已获取信息", "三(五)5"),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "三(六)1"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "三(六)2"), ("3.其他", "三(六)3"),
    ("（七）总计", "三(七)"), ("四、结转下年度继续办理", "四"),
]
GROUP_STARTS = {"三(三)1": ("（三）不予公开", 8), "三(四)1": ("（四）无法提供", 3), "三(五)1": ("（五）不予处理", 5),
                "三(六)1": ("（六）其他处理", 3)}


def published_page(table3: dict[str, list], table4: list) -> str:
    """A 年报 page as a government site publishes it: the table in one <table>, text in <p><span>."""
    def td(text, **span):
        attrs = "".join(f' {k}="{v}"' for k, v in span.items())
        return f'<td{attrs} style="border:1px solid #000"><p style="text-align:center"><span>{text}</span></p></td>'

    rows = ["<tr>" + td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3)
            + td("申请人情况", colspan=7) + "</tr>",
            "<tr>" + td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2) + "</tr>",
            "<tr>" + "".join(td(c) for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>"]
    for label, rid in PUBLISHED_ROWS:
        cells = ""
        if rid in ("一", "二", "四"):
            cells = td(label, colspan=3)
        else:
            if rid == "三(一)":
                cells += td("三、本年度办理结果", rowspan=22)
            if rid in GROUP_STARTS:
                heading, span = GROUP_STARTS[rid]
                cells += td(heading, rowspan=span)
            cells += td(label) if rid[-1].isdigit() else td(label, colspan=2)
        cells += "".join(td("" if v is None else f"{v}") for v in table3[rid])
        rows.append(f"<tr>{cells}</tr>")
    four = ["<tr>" + td("行政复议", colspan=5, rowspan=2) + td("行政诉讼", colspan=10) + "</tr>",
            "<tr>" + td("未经复议直接起诉", colspan=5) + td("复议后起诉", colspan=5) + "</tr>",
            "<tr>" + "".join(td(c) for c in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3) + "</tr>",
            "<tr>" + "".join(td(v) for v in table4) + "</tr>"]
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>2021年政府信息公开工作年度报告</title></head><body>"
            "<div class=\"TRS_Editor\"><p>一、总体情况</p><p>……</p><p><strong>三、收到和处理政府信息公开申请情况</strong></p>"
            f"<table cellspacing=\"0\"><tbody>{''.join(rows)}</tbody></table>"
            "<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>"
            f"<table><tbody>{''.join(four)}</tbody></table></div></body></html>")


def figures_of(report) -> dict[str, list]:
    return {rid: [int(v) for v in report.table3.loc[rid]] for rid in ROW_ORDER}


@pytest.fixture(scope="module")
def clean_report():
    rows = [r for r in sample_rows() if r[3] is not None or r[2] is None or r[1] is None]
    return annual_report(BOOK, {"requests": ledger(rows)}, year=2021)


def test_a_correct_published_table_passes(tmp_path, clean_report):
    """A published page whose figures are right (typos in its labels, spans, <p><span> cells)
    is read cell by cell and passes: exit 0."""
    assert clean_report.ok
    page = tmp_path / "report.html"
    page.write_text(published_page(figures_of(clean_report), [1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]), encoding="utf-8")
    filled = read_filled(page)
    assert filled.missing == []
    assert (filled.table3.astype(float).to_numpy() == clean_report.table3.astype(float).to_numpy()).all()
    assert list(filled.table4.loc["行政复议"]) == [1, 0, 0, 0, 1]
    assert list(filled.table4.loc["未经复议直接起诉"]) == [0, 0, 1, 0, 1]
    assert check_filled(page).ok
    assert main(["annual-report", "--check", str(page)]) == 0


def test_a_broken_published_table_fails_with_every_identity(tmp_path, clean_report, capsys):
    """A published page with a wrong 总计, a 结转 that does not add up and a wrong 表四 total lists
    each failing identity, and with the ledger each cell that differs: exit 1."""
    table3 = figures_of(clean_report)
    table3["四"] = list(table3["四"])
    table3["四"][0] += 2          # 自然人: 一+二 no longer equals 三(七)+四
    table3["四"][6] += 2          # ... and 总计 with it
    table3["三(七)"][6] += 1      # 总计 of 三(七) is not the sum of its leaf rows, nor of its row
    page = tmp_path / "broken.html"
    page.write_text(published_page(table3, [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), encoding="utf-8")
    result = check_filled(page, clean_report)
    failing = set(zip(result.failing["table"], result.failing["check"], result.failing["column"], result.failing["row"]))
    assert ("三", "一+二=三(七)+四", "自然人", None) in failing
    assert ("三", "三(七)=三(一)+…+三(六)3", "总计", None) in failing
    assert ("三", "总计=自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他", "总计", "三(七)") in failing
    assert ("四", "总计=结果维持+结果纠正+其他结果+尚未审结", "行政复议", None) in failing
    assert {(d["row"], d["column"]) for d in result.differences if d["table"] == "三"} == {
        ("四", "自然人"), ("四", "总计"), ("三(七)", "总计")}
    requests = tmp_path / "requests.csv"
    rows = [r for r in sample_rows() if r[3] is not None or r[2] is None or r[1] is None]
    ledger(rows).to_csv(requests, index=False)
    assert main(["annual-report", "--check", str(page), "--data", f"requests={requests}", "--year", "2021",
                 "-o", str(tmp_path / "check.json")]) == 1
    out = capsys.readouterr().out
    assert "一+二=三(七)+四" in out and "台账" in out
    saved = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    assert saved["ok"] is False and len(saved["differences"]) >= 3


def test_a_page_without_the_table_is_refused_in_a_sentence(tmp_path):
    """A page with no table 三 is an error naming the file, not a traceback: exit 2."""
    page = tmp_path / "news.html"
    page.write_text("<html><body><table><tr><td>新闻</td></tr></table></body></html>", encoding="utf-8")
    assert main(["annual-report", "--check", str(page)]) == 2


# ------------------------------------------------------------------ the command and the JSON


def test_command_writes_each_format(tmp_path, capsys):
    """annual-report writes the XLSX (default name), HTML and JSON; the JSON is DESIGN §14's and the
    summary names the requests to correct."""
    requests = tmp_path / "requests.csv"
    ledger(sample_rows()).to_csv(requests, index=False)
    for name in ("t.xlsx", "t.html", "t.json"):
        assert main(["annual-report", "--data", f"requests={requests}", "--year", "2021", "-o", str(tmp_path / name)]) == 0
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    report = annual_report(BOOK, {"requests": requests}, year=2021)
    assert data["tables"]["三"]["rows"] == {rid: [int(v) for v in report.table3.loc[rid]] for rid in ROW_ORDER}
    assert [p["row"] for p in data["problems"]] == list(report.problems["row"])
    assert "<table class=\"annual t3\">" in (tmp_path / "t.html").read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert "本年新收政府信息公开申请数量" in out
    assert main(["annual-report", "--data", f"requests={requests}", "-o", str(tmp_path / "t.pdf")]) == 2
    assert main(["annual-report"]) == 2


def test_hostile_ledger_text_stays_text(tmp_path):
    """A key holding markup or a formula is escaped in the HTML and made inert in the XLSX."""
    frame = ledger([(D(2021, 3, 1), D(2021, 3, 5), "自然人", None)])
    frame["request_id"] = ["=HYPERLINK(\"http://x\")<script>alert(1)</script>"]
    report = annual_report(BOOK, {"requests": frame}, year=2021)
    report.write_html(tmp_path / "t.html")
    report.write_xlsx(tmp_path / "t.xlsx")
    assert "<script>alert" not in (tmp_path / "t.html").read_text(encoding="utf-8")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[4]
    assert ws.cell(2, 4).value.startswith("'=")


# ------------------------------------------------------------------ the audit report's section


def test_audit_report_shows_the_annual_tables_when_requests_are_given(tmp_path):
    """The self-check report carries a 年度报告表格 section (table 三 and its identity status) when
    the request ledger is audited, and none without it."""
    from disclosure_rules import audit
    from disclosure_rules.report import build_view, render_html
    from ledgers import audited, write_ledgers

    result = audited(tmp_path / "with")
    tables = annual_report(BOOK, dict(result.data))
    html = render_html(result)
    assert 'id="annual"' in html and "年度报告表格" in html and "法人或其他组织" in html
    view = build_view(result)["annual"]
    assert [c["text"] for c in view["table3"]["body"][0]["cells"]] == [str(int(v)) for v in tables.table3.loc["一"]]
    assert len(view["problems"]) == len(tables.problems)
    files = write_ledgers(tmp_path / "without")
    alone = audit(BOOK, {"documents": files["documents"]}, as_of="2021-12-31")
    assert build_view(alone)["annual"] is None and 'id="annual"' not in render_html(alone)
