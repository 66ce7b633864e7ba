"""Tables 二, 三 and 四 of the annual report built from hand-made ledgers (DESIGN §14).

The ledgers are DataFrames in the built-in book's fields; each test says which request
lands in which cell, so the expected figures are read off the fixture, and the property
test compares every cell of table 三 with a plain loop over generated ledgers.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_rules import annual_report, load_rulebook
from disclosure_rules.annual_format import APPLICANT_COLUMNS, COLUMNS, LEAF_ROWS, ROW_ORDER

BOOK = load_rulebook()
COLUMN_CODES = {v: k for k, v in BOOK.annual_report.requests.applicant.columns.items()}
ROW_CODES = {v: k for k, v in BOOK.annual_report.requests.outcome.rows.items()}
D = dt.date


def ledger(rows: list[tuple]) -> pd.DataFrame:
    """(received, closed, applicant column or code, outcome row id or code) per request."""
    out = []
    for i, (received, closed, applicant, outcome) in enumerate(rows):
        out.append({"request_id": f"R{i:03d}",
                    "received_on": received.isoformat() if received else None,
                    "replied_on": closed.isoformat() if closed else None,
                    "applicant_type": COLUMN_CODES.get(applicant, applicant),
                    "outcome": ROW_CODES.get(outcome, outcome)})
    return pd.DataFrame(out, columns=["request_id", "received_on", "replied_on", "applicant_type", "outcome"])


def every_cell_once() -> list[tuple]:
    """One request closed in 2021 for every outcome row, the applicant columns in turn."""
    return [(D(2021, 3, 1) + dt.timedelta(days=i), D(2021, 3, 20) + dt.timedelta(days=i),
             APPLICANT_COLUMNS[i % 6], row) for i, row in enumerate(LEAF_ROWS)]


def test_every_outcome_row_and_applicant_column():
    """A request closed within the year lands in its outcome's row and its applicant's column,
    counts in 一, and 三(七) and 总计 add up; every identity holds and nothing is a problem."""
    rows = every_cell_once()
    report = annual_report(BOOK, {"requests": ledger(rows)}, year=2021)
    t3 = report.table3
    for _, _, column, row in rows:
        assert t3.at[row, column] == 1
        assert t3.at[row, "总计"] == 1
    assert t3.loc[list(LEAF_ROWS), list(APPLICANT_COLUMNS)].to_numpy().sum() == len(LEAF_ROWS)
    assert t3.at["一", "总计"] == t3.at["三(七)", "总计"] == len(LEAF_ROWS)
    for column in APPLICANT_COLUMNS:
        assert t3.at["一", column] == sum(1 for r in rows if r[2] == column)
    assert t3.loc["二"].sum() == t3.loc["四"].sum() == 0
    assert report.ok and report.identities["ok"].all() and len(report.problems) == 0


def test_requests_across_the_year_boundary():
    """二 holds requests received in 2020 not closed before 2021; 四 those still open at 2021-12-31
    (blank, or closed only in 2022); requests closed in 2020 or received in 2022 count nowhere."""
    rows = [
        (D(2020, 12, 20), D(2021, 1, 8), "自然人", "三(一)"),      # 二, 三(一)
        (D(2020, 12, 28), None, "商业企业", None),                 # 二, 四
        (D(2020, 6, 1), D(2021, 12, 31), "科研机构", "三(二)"),     # 二, 三(二): closed on the last day
        (D(2020, 11, 2), D(2020, 12, 1), "自然人", "三(一)"),       # closed before the year: nowhere
        (D(2021, 12, 24), None, "社会公益组织", None),              # 一, 四
        (D(2021, 12, 20), D(2022, 1, 6), "法律服务机构", "三(一)"),  # 一, 四: open at the year's end
        (D(2021, 1, 1), D(2021, 1, 1), "其他", "三(四)1"),          # 一, 三(四)1: the first day
        (D(2022, 1, 4), D(2022, 1, 10), "自然人", "三(一)"),        # next year: nowhere
    ]
    t3 = annual_report(BOOK, {"requests": ledger(rows)}, year=2021).table3
    assert list(t3.loc["二", list(COLUMNS)]) == [1, 1, 1, 0, 0, 0, 3]
    assert list(t3.loc["一", list(COLUMNS)]) == [0, 0, 0, 1, 1, 1, 3]
    assert list(t3.loc["四", list(COLUMNS)]) == [0, 1, 0, 1, 1, 0, 3]
    assert t3.at["三(一)", "自然人"] == 1 and t3.at["三(二)", "科研机构"] == 1 and t3.at["三(四)1", "其他"] == 1
    assert t3.at["三(七)", "总计"] == 3

    earlier = annual_report(BOOK, {"requests": ledger(rows)}, year=2020).table3
    # what 2020 carried over is what 2021 received from it
    assert list(earlier.loc["四"]) == list(t3.loc["二"])
    assert earlier.at["一", "总计"] == 4 and earlier.at["三(一)", "自然人"] == 1


def test_planted_breaches_are_listed_and_counted_by_their_dates():
    """A blank or unknown outcome, a blank or unknown applicant type and a reply dated before
    the receipt are each listed with their spreadsheet row and key; each breaks exactly the
    identity its values break, and is still counted wherever its values allow."""
    good = every_cell_once()
    bad = [
        (D(2021, 5, 10), D(2021, 5, 20), "自然人", None),           # blank outcome
        (D(2021, 5, 11), D(2021, 5, 21), "商业企业", "已办结"),      # unknown outcome label
        (D(2021, 5, 12), D(2021, 5, 22), None, "三(一)"),            # blank applicant
        (D(2021, 5, 13), D(2021, 5, 23), "个体户", "三(一)"),         # unknown applicant label
        (D(2021, 5, 14), D(2021, 4, 14), "科研机构", "三(二)"),      # closed before received
        (D(2021, 12, 30), None, None, None),                       # open, blank applicant: no breach
    ]
    report = annual_report(BOOK, {"requests": ledger(good + bad)}, year=2021)
    problems = report.problems
    first = len(good) + 2  # spreadsheet row of the first bad request (header on row 1)
    assert list(zip(problems["row"], problems["reason"])) == [
        (first, "blank_outcome"), (first + 1, "unmapped_outcome"), (first + 2, "blank_applicant"),
        (first + 3, "unmapped_applicant"), (first + 4, "closed_before_received")]
    assert list(problems["key"]) == [f"R{i:03d}" for i in range(len(good), len(good) + 5)]
    assert problems["value"].iloc[1] == "已办结" and problems["value"].iloc[3] == "个体户"

    t3 = report.table3
    base = annual_report(BOOK, {"requests": ledger(good)}, year=2021).table3
    assert t3.at["一", "自然人"] == base.at["一", "自然人"] + 1          # blank outcome: in 一 ...
    assert t3.at["三(七)", "自然人"] == base.at["三(七)", "自然人"]      # ... in no 三 row
    assert t3.at["三(二)", "科研机构"] == base.at["三(二)", "科研机构"] + 1  # closed before received: closed
    assert t3.at["一", "总计"] == base.at["一", "总计"] + 3              # the two applicant breaches and the open one: no column
    failing = report.failing
    assert set(failing["column"]) == {"自然人", "商业企业", "总计"}
    assert set(failing["check"]) == {"一+二=三(七)+四"}
    by_column = failing.set_index("column")
    assert by_column.at["自然人", "left"] - by_column.at["自然人", "right"] == 1
    assert by_column.at["总计", "left"] - by_column.at["总计", "right"] == 2
    assert not report.ok
    assert any("行 " in w for w in report.warnings_in("zh"))  # the open request with no column is named


def test_json_has_the_shape_of_design_section_14():
    """to_dict gives year, the three tables (三 as 7 columns x its rows), identities and problems."""
    rows = every_cell_once() + [(D(2021, 6, 1), D(2021, 6, 2), "自然人", None)]
    data = annual_report(BOOK, {"requests": ledger(rows)}, year=2021).to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["year"] == 2021
    assert data["tables"]["三"]["columns"] == list(COLUMNS)
    assert list(data["tables"]["三"]["rows"]) == list(ROW_ORDER)
    assert all(len(v) == 7 for v in data["tables"]["三"]["rows"].values())
    assert set(data["tables"]["二"]) == {"规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"}
    assert list(data["tables"]["四"]["rows"]) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert {"table", "check", "column", "left", "right", "ok"} <= set(data["identities"][0])
    assert data["problems"] == [{"row": len(rows) + 1, "key": f"R{len(rows) - 1:03d}", "dataset": "requests",
                                 "sheet": None, "reason": data["problems"][0]["reason"]}]
    assert "blank outcome" in data["problems"][0]["reason"]
    # nothing from the documents or reviews ledgers: their cells are to fill
    assert {(c["table"], c["row"]) for c in data["to_fill"]} >= {("二", "行政许可"), ("四", "行政复议")}


def documents(rows: list[tuple]) -> pd.DataFrame:
    """(doc type label, issued, repealed) per document."""
    return pd.DataFrame([{"doc_id": f"D{i}", "disclosure": "主动公开", "doc_type": t,
                          "issued_on": issued.isoformat() if issued else None,
                          "repealed_on": repealed.isoformat() if repealed else None}
                         for i, (t, issued, repealed) in enumerate(rows)])


def test_table_two_from_the_document_ledger_and_figures(tmp_path):
    """本年制发 = issued within the year, 本年废止 = repealed within it, 现行有效 = issued by its end
    and not repealed by then, per 规章 / 行政规范性文件; other types count nowhere; decisions and fees
    come from --figures, and what neither gives stays to fill."""
    docs = documents([
        ("行政规范性文件", D(2019, 3, 1), None),             # in force
        ("行政规范性文件", D(2019, 3, 1), D(2021, 6, 30)),   # repealed this year
        ("行政规范性文件", D(2018, 3, 1), D(2020, 6, 30)),   # repealed last year
        ("规范性文件", D(2021, 4, 1), None),                 # issued this year, in force
        ("行政规范性文件", D(2021, 5, 1), D(2022, 1, 5)),     # repealed only next year: in force at the end
        ("规章", D(2021, 7, 1), None),
        ("政策性文件", D(2021, 7, 1), None),                  # not in table 二
        ("行政规范性文件", D(2022, 2, 1), None),              # next year
    ])
    figures = tmp_path / "figures.yaml"
    figures.write_text("二:\n  行政许可: 1250\n  行政处罚: 8\n  行政事业性收费: 0\n"
                       "  行政规范性文件: {本年制发件数: 99}\n", encoding="utf-8")
    requests = ledger(every_cell_once())
    report = annual_report(BOOK, {"requests": requests, "documents": docs}, year=2021, figures=figures)
    t2 = report.table2
    assert list(t2.loc["行政规范性文件", ["本年制发件数", "本年废止件数", "现行有效件数"]]) == [2, 1, 3]
    assert list(t2.loc["规章", ["本年制发件数", "本年废止件数", "现行有效件数"]]) == [1, 0, 1]
    assert t2.at["行政许可", "本年处理决定数量"] == 1250 and t2.at["行政处罚", "本年处理决定数量"] == 8
    assert t2.at["行政事业性收费", "本年收费金额（单位：万元）"] == 0
    assert [(r, c) for t, r, c in report.to_fill if t == "二"] == [("行政强制", "本年处理决定数量")]
    # a figure for a cell the ledger counts does not replace it, and says so
    assert any("行政规范性文件" in w and "99" not in w for w in report.warnings_in("en"))
    assert report.to_dict()["tables"]["二"]["行政强制"] == {"本年处理决定数量": None}


def test_table_four_from_the_review_ledger():
    """Each case counts in its group by its result; a case not concluded by the year's end is
    尚未审结 whatever its result says; cases concluded before the year count nowhere; 总计 adds up."""
    cases = pd.DataFrame([
        {"case_id": "F1", "review_kind": "行政复议", "filed_on": "2021-03-01", "closed_on": "2021-05-01", "review_result": "维持"},
        {"case_id": "F2", "review_kind": "复议", "filed_on": "2021-04-01", "closed_on": "2021-06-01", "review_result": "撤销"},
        {"case_id": "F3", "review_kind": "行政复议", "filed_on": "2021-11-20", "closed_on": None, "review_result": None},
        {"case_id": "S1", "review_kind": "未经复议直接起诉", "filed_on": "2020-10-01", "closed_on": "2021-03-01", "review_result": "驳回诉讼请求"},
        {"case_id": "S2", "review_kind": "直接起诉", "filed_on": "2021-09-01", "closed_on": "2022-02-01", "review_result": "维持"},
        {"case_id": "S3", "review_kind": "复议后起诉", "filed_on": "2021-02-01", "closed_on": "2021-08-01", "review_result": "撤诉"},
        {"case_id": "S4", "review_kind": "复议后起诉", "filed_on": "2020-02-01", "closed_on": "2020-08-01", "review_result": "维持"},
        {"case_id": "X1", "review_kind": "信访", "filed_on": "2021-02-01", "closed_on": "2021-03-01", "review_result": "维持"},
        {"case_id": "X2", "review_kind": "行政复议", "filed_on": "2021-02-01", "closed_on": "2021-03-01", "review_result": None},
    ])
    report = annual_report(BOOK, {"requests": ledger(every_cell_once()), "reviews": cases}, year=2021)
    t4 = report.table4
    assert list(t4.loc["行政复议"]) == [1, 1, 0, 1, 3]
    assert list(t4.loc["未经复议直接起诉"]) == [1, 0, 0, 1, 2]
    assert list(t4.loc["复议后起诉"]) == [0, 0, 1, 0, 1]
    assert not [f for f in report.to_fill if f[0] == "四"]
    reviews = report.problems[report.problems["dataset"] == "reviews"]
    assert list(zip(reviews["key"], reviews["reason"])) == [("X1", "unmapped_kind"), ("X2", "blank_result")]
    assert report.identities[report.identities["table"] == "四"]["ok"].all()


def test_table_four_from_figures_keeps_a_given_total_to_check():
    """Without a review ledger, table 四 comes from --figures: a missing 总计 is the sum, a given
    one is kept, so that a wrong one fails its identity."""
    figures = {"四": {"行政复议": {"结果维持": 2, "结果纠正": 1, "其他结果": 0, "尚未审结": 0},
                     "复议后起诉": {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 3}}}
    report = annual_report(BOOK, {"requests": ledger(every_cell_once())}, year=2021, figures=figures)
    assert report.table4.at["行政复议", "总计"] == 3
    failing = report.failing
    assert list(zip(failing["table"], failing["column"])) == [("四", "复议后起诉")]
    assert ("四", "未经复议直接起诉", "结果维持") in report.to_fill


@pytest.mark.parametrize("figures, message", [
    ({"三": {"一": 3}}, "unknown table"),
    ({"二": {"行政审批": 3}}, "has no row"),
    ({"二": {"规章": 3}}, "give them as a mapping"),
    ({"二": {"行政许可": -1}}, "at least 0"),
    ({"二": {"行政许可": "many"}}, "must be a number"),
])
def test_bad_figures_are_refused_in_a_sentence(figures, message):
    """A figures file naming a table, row or column the format lacks, or a figure that is not a
    count, is refused with a sentence naming it."""
    from disclosure_rules import DisclosureRulesError

    with pytest.raises(DisclosureRulesError, match=message):
        annual_report(BOOK, {"requests": ledger(every_cell_once())}, year=2021, figures=figures)


def test_a_missing_column_is_a_dataset_error():
    """A request ledger without the reply date column cannot give table 三: a DatasetError names the column."""
    from disclosure_rules import DatasetError

    frame = ledger(every_cell_once()).drop(columns=["replied_on"])
    with pytest.raises(DatasetError, match="答复日期"):
        annual_report(BOOK, {"requests": frame}, year=2021)


# ------------------------------------------------------------------ property: a plain loop

APPLICANTS = list(COLUMN_CODES.values()) + [None, "个体户"]
OUTCOMES = list(ROW_CODES.values()) + [None, "已办结"]
#: the days around each year's ends, where an off-by-one day would show
BOUNDARY_DAYS = [D(y, m, d) for y in (2019, 2020, 2021, 2022) for m, d in ((1, 1), (1, 2), (12, 30), (12, 31))]
days = st.one_of(st.none(), st.sampled_from(BOUNDARY_DAYS), st.sampled_from(BOUNDARY_DAYS),
                 st.dates(D(2019, 11, 1), D(2022, 2, 28)))
request_rows = st.lists(st.tuples(days, days, st.sampled_from(APPLICANTS), st.sampled_from(OUTCOMES)),
                        min_size=1, max_size=80)


def loop_tables(rows, year):
    """Table 三 and the problem rows of DESIGN §14, one request at a time."""
    start, end = D(year, 1, 1), D(year, 12, 31)
    columns = BOOK.annual_report.requests.applicant.columns
    outcomes = BOOK.annual_report.requests.outcome.rows
    cells = {(r, c): 0 for r in ROW_ORDER for c in APPLICANT_COLUMNS}
    problems = set()
    for number, (received, closed, applicant, outcome) in enumerate(rows, start=2):
        if received is None:
            continue
        if start <= received <= end:
            part = "一"
        elif received < start and (closed is None or closed >= start):
            part = "二"
        else:
            continue
        column = columns.get(applicant)
        done = closed is not None and closed <= end
        row = outcomes.get(outcome) if done else "四"
        if done and row is None:
            problems.add(number)
        if done and column is None:
            problems.add(number)
        if closed is not None and closed < received:
            problems.add(number)
        if column is None:
            continue
        cells[(part, column)] += 1
        if row is not None:
            cells[(row, column)] += 1
    for c in APPLICANT_COLUMNS:
        cells[("三(七)", c)] = sum(cells[(r, c)] for r in LEAF_ROWS)
    return cells, problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=request_rows, year=st.sampled_from([2020, 2021]))
def test_every_cell_matches_a_plain_loop(rows, year):
    """On generated ledgers over three years (blank, unknown and out-of-order values included),
    every cell of table 三, the 一+二=三(七)+四 verdict of each column and the problem rows are
    those a plain loop over the requests gives."""
    report = annual_report(BOOK, {"requests": ledger(rows)}, year=year)
    cells, problems = loop_tables(rows, year)
    t3 = report.table3
    for (row, column), n in cells.items():
        assert t3.at[row, column] == n, (row, column)
    for row in ROW_ORDER:
        assert t3.at[row, "总计"] == sum(cells[(row, c)] for c in APPLICANT_COLUMNS)
    verdicts = report.identities[report.identities["check"] == "一+二=三(七)+四"].set_index("column")["ok"]
    for column in APPLICANT_COLUMNS:
        holds = cells[("一", column)] + cells[("二", column)] == cells[("三(七)", column)] + cells[("四", column)]
        assert bool(verdicts[column]) == holds
    assert set(report.problems["row"]) == problems


def test_the_examples_cross_the_year_boundary():
    """The bundled ledgers: what 2020 carried over is 2021's 上年结转, the requests the examples
    README names are the ones to correct, and the review and normative-document ledgers fill
    tables 四 and 二."""
    from disclosure_rules.resources import examples_dir

    folder = examples_dir()
    data = {"requests": folder / "requests.csv", "documents": folder / "normative-documents.csv",
            "reviews": folder / "reviews.csv"}
    this, last = annual_report(BOOK, data, year=2021), annual_report(BOOK, data, year=2020)
    assert this.table3.at["二", "总计"] == last.table3.at["四", "总计"] > 0
    assert last.ok
    assert set(this.problems["key"]) == {"YSQ-2021-023", "YSQ-2021-105", "YSQ-2021-103", "YSQ-2021-091"}
    assert this.table4.at["行政复议", "尚未审结"] >= 1 and this.table4.at["行政复议", "总计"] >= 2
    assert this.table2.at["行政规范性文件", "本年废止件数"] > 0
    assert this.identities[this.identities["table"] == "四"]["ok"].all()
