"""Generate realistic ledgers of any size for the built-in rulebook (shanxi-commerce-2021).

    python benchmarks/generate.py 1000000 -o /tmp/bench        # documents.csv + requests.csv
    python benchmarks/generate.py 10000 -o /tmp/bench --xlsx   # also documents.xlsx, requests.xlsx

What the files look like (the shape of ``examples/documents.csv`` and ``requests.csv``):

- ``documents.csv`` 公文台账, GB18030, one title row above the header;
  ``requests.csv`` 依申请公开登记台账, UTF-8 with BOM, two title rows;
- headers are the preferred header of each field (its first alias in the rulebook);
- dates typed the ways people type them (2021-03-05, 2021/3/5, 2021.03.05, 2021年3月5日),
  a few impossible dates (2021-02-30) in columns no rule reads (data issues only);
- categories in their label variants (主动公开 / 主动 / 公开), sets such as
  ``文字、图解`` or ``背景；意义；作用；关键词``, blank cells where a step did not happen;
- the data are clean by the rulebook (working days from ``chinesecalendar``, the
  calendar the engine uses), then ``--violations`` (default 1%) of the rows per rule
  are spoiled on purpose; ``planted.csv`` lists every spoiled key per rule.

Everything is vectorized with numpy (per column, never per row) so a million rows of
each ledger are generated in seconds. XLSX (``--xlsx``) is written row by row by
openpyxl, so keep it to small sizes (it refuses above 200,000 rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
RULEBOOK = ROOT / "rules" / "shanxi-commerce-2021.yaml"
XLSX_MAX_ROWS = 200_000

# ------------------------------------------------------------------ vocabulary
DIVISIONS = [  # name, abbreviation in document numbers, weight
    ("办公室", "办", 6), ("条法处", "法", 3), ("审批处", "审", 3), ("建设处", "建", 3),
    ("流通处", "流", 4), ("运行处", "运", 3), ("外贸处", "贸", 4), ("外资处", "资", 3),
    ("服贸处", "服", 2), ("开发区处", "开", 3), ("电商处", "电", 2), ("投促局", "促", 3),
    ("综合处", "综", 2), ("人事处", "人", 2), ("执法处", "执", 1), ("财务处", "财", 2),
    ("合作处", "合", 1), ("发展处", "发展", 1), ("口岸办", "口", 1), ("秩序处", "秩", 1),
    ("机关党委", "党", 1),
]
SUBJECTS = [
    "2021年政务公开工作要点", "政务信息报送工作", "行政规范性文件合法性审核", "“八五”普法规划",
    "对外贸易经营者备案登记", "证明事项告知承诺制", "县域商业体系建设", "城市一刻钟便民生活圈建设",
    "促进商贸流通高质量发展", "再生资源回收体系建设", "老字号保护与发展", "消费市场运行监测",
    "“晋享消费”消费券发放", "外贸企业纾困", "加工贸易梯度转移", "外商投资企业投诉工作办法",
    "服务贸易创新发展试点", "开发区“三化三制”改革", "电子商务进农村综合示范", "直播电商发展",
    "招商引资重点产业目录", "“十四五”商务发展规划", "商务综合行政执法", "单用途商业预付卡管理",
    "省级商务发展专项资金管理", "对外投资合作", "口岸通关便利化", "国际贸易“单一窗口”建设",
    "商务诚信体系建设", "中药材流通追溯体系",
]
EXEMPT_BASES = [
    ("《政府信息公开条例》第十六条第一款", "属于人事管理、内部工作流程等内部事务信息"),
    ("《政府信息公开条例》第十六条第二款", "属于请示报告、过程稿等过程性信息"),
    ("《政府信息公开条例》第十五条", "涉及企业商业秘密,公开会损害第三方合法权益"),
    ("《政府信息公开条例》第十四条", "公开后可能危及经济安全"),
]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红梅晓东海鹏飞宇航雪婷晨阳")
CITIES = ["太原", "大同", "朔州", "忻州", "阳泉", "晋中", "长治", "晋城", "临汾", "运城", "吕梁"]
FIRMS = ["恒达商贸有限公司", "汇通物流有限公司", "晋丰农业发展有限公司", "博远律师事务所", "华信科技有限公司"]

# label variants as people type them (the first is the common one)
DOC_TYPE = {"normative": ["行政规范性文件", "规范性文件"], "policy": ["政策性文件", "政策文件"],
            "other": ["其他文件", "一般性文件", "事务性文件"]}
DISCLOSURE = {"active": ["主动公开", "主动", "公开"], "on_request": ["依申请公开", "依申请"],
              "not_public": ["不予公开", "不公开"]}
FORMS_MULTI = ["文字、图解", "文字、一图读懂", "文字;视频", "文字、流程图", "图解、问答", "文字，政策问答", "文字、视频、图解"]
CHANNELS_MULTI = ["厅网站、微信公众号", "门户网站、微博", "厅网站、“山西省人民政府”微信公众号", "网站、报纸、广播电视",
                  "厅网站、政务服务中心"]
CHANNELS_SINGLE = ["厅网站", "门户网站"]
TOPICS = "背景；意义；作用；关键词"
TOPICS_DIFF = "背景；意义；作用；关键词；新旧政策差异"
APPLICANT_TYPE = {"natural_person": ["自然人", "公民"], "business": ["商业企业", "企业"], "research": ["科研机构"],
                  "legal_service": ["法律服务机构", "律师事务所"]}
CHANNEL = ["网络", "在线申请", "当面", "现场提交", "邮寄", "信函", "传真"]
OUTCOMES = [  # label, weight, needs reply_reason, needs convenience_reply
    ("予以公开", 55, False, False), ("部分公开", 10, True, False), ("属于三类内部事务信息", 4, True, False),
    ("属于四类过程性信息", 4, True, False), ("保护第三方合法权益", 2, True, False),
    ("信息不存在", 12, False, True), ("没有现成信息需要另行制作", 3, False, True),
    ("信访举报投诉类申请", 5, False, False), ("重复申请", 3, False, False), ("其他处理", 2, False, False),
]

# ------------------------------------------------------------------ calendar and dates
DAY0 = dt.date(2020, 12, 1)
DAYS = (dt.date(2022, 6, 30) - DAY0).days + 1
YEAR_START, AS_OF = dt.date(2021, 1, 1), dt.date(2021, 12, 31)


def day_index(day: dt.date) -> int:
    return (day - DAY0).days


def _workday_table() -> np.ndarray:
    import chinese_calendar

    return np.array([chinese_calendar.is_workday(DAY0 + dt.timedelta(days=i)) for i in range(DAYS)])


WORKDAY = _workday_table()
CUM = np.cumsum(WORKDAY)                      # working days d with DAY0 <= d <= i
WORKDAY_INDEX = np.flatnonzero(WORKDAY)


def add_workdays(day: np.ndarray, n) -> np.ndarray:
    """The n-th working day after ``day`` (n >= 1; day indexes, -1 stays -1)."""
    target = CUM[np.clip(day, 0, DAYS - 1)] + np.asarray(n)
    out = WORKDAY_INDEX[np.clip(target - 1, 0, len(WORKDAY_INDEX) - 1)]
    return np.where(day < 0, -1, out)


def random_workdays(rng, n: int, first: dt.date, last: dt.date) -> np.ndarray:
    pool = WORKDAY_INDEX[(WORKDAY_INDEX >= day_index(first)) & (WORKDAY_INDEX <= day_index(last))]
    return np.sort(pool[rng.integers(0, len(pool), n)])


def _date_table() -> np.ndarray:
    """[format, day] -> text; the extra last column (index -1) is the blank cell."""
    days = [DAY0 + dt.timedelta(days=i) for i in range(DAYS)]
    table = np.empty((4, DAYS + 1), dtype=object)
    table[0, :-1] = [d.isoformat() for d in days]
    table[1, :-1] = [f"{d.year}/{d.month}/{d.day}" for d in days]
    table[2, :-1] = [d.strftime("%Y.%m.%d") for d in days]
    table[3, :-1] = [f"{d.year}年{d.month}月{d.day}日" for d in days]
    table[:, -1] = ""
    return table


DATE_TEXT = _date_table()


# ------------------------------------------------------------------ text as codes
# Every text cell is an int32 code into one vocabulary (the ledgers repeat a few thousand
# distinct texts); unique texts (document and request numbers, names) are joined from
# coded parts and numbers by pyarrow at the end. No Python object per cell anywhere.
VOCAB: list[str] = []
_VOCAB_INDEX: dict[str, int] = {}


def c(text: str) -> int:
    """The code of ``text`` in the vocabulary."""
    code = _VOCAB_INDEX.get(text)
    if code is None:
        code = _VOCAB_INDEX[text] = len(VOCAB)
        VOCAB.append(text)
    return code


def cs(texts) -> np.ndarray:
    return np.array([c(t) for t in texts], dtype=np.int32)


BLANK = c("")
DATE_CODES = np.array([[c(t) for t in row] for row in DATE_TEXT], dtype=np.int32)


def typed_dates(rng, day: np.ndarray) -> np.ndarray:
    """Day indexes (-1 = blank) as codes of texts in mixed formats."""
    style = rng.choice(4, size=len(day), p=[0.5, 0.2, 0.15, 0.15])
    return DATE_CODES[style, np.where(day < 0, DAYS, day)]


def pick(rng, choices, n: int, p=None) -> np.ndarray:
    return cs(choices)[rng.choice(len(choices), size=n, p=p)]


def variants(rng, codes: np.ndarray, table: dict[str, list[str]]) -> np.ndarray:
    """Category codes -> label codes: the first label 80% of the time, another variant otherwise."""
    out = np.full(len(codes), BLANK, dtype=np.int32)
    for code, labels in table.items():  # per category value, not per row
        where = np.flatnonzero(codes == code)
        first = rng.random(len(where)) < 0.8
        out[where] = np.where(first, c(labels[0]), pick(rng, labels[1:] or labels, len(where)))
    return out


def numbers(values: np.ndarray, width: int = 0) -> pa.Array:
    text = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def arrow_text(value, vocab: pa.Array) -> pa.Array:
    """A column (codes, an arrow string array, or a list of parts to join) as an arrow string array."""
    if isinstance(value, list):
        return pc.binary_join_element_wise(*[arrow_text(part, vocab) for part in value], "")
    if isinstance(value, np.ndarray):
        return vocab.take(pa.array(value))
    return value


def csv_cells(value, quoted_vocab: pa.Array) -> pa.Array:
    """Cells as CSV text: quoted only where needed (a comma, quote or line break inside)."""
    if isinstance(value, np.ndarray):
        return quoted_vocab.take(pa.array(value))
    text = arrow_text(value, pa.array(VOCAB, pa.string()))
    needs = pc.match_substring_regex(text, '[,"\\r\\n]')
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text)


class Planted:
    def __init__(self):
        self.parts: list[tuple[str, str, np.ndarray, str]] = []
        self.taken: dict[str, np.ndarray] = {}

    def choose(self, rng, dataset: str, eligible: np.ndarray, count: int) -> np.ndarray:
        """``count`` rows of ``dataset`` among ``eligible`` not used by another planted violation."""
        taken = self.taken.setdefault(dataset, np.zeros(len(eligible), dtype=bool))
        pool = np.flatnonzero(eligible & ~taken)
        rows = np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))
        taken[rows] = True
        return rows

    def add(self, rule: str, dataset: str, rows: np.ndarray, what: str) -> None:
        self.parts.append((rule, dataset, np.asarray(rows), what))

    def frame(self, keys: dict[str, pa.Array]) -> pd.DataFrame:
        frames = [pd.DataFrame({"rule": rule, "dataset": dataset, "key": keys[dataset].take(pa.array(rows)).to_pylist(),
                                "what": what}) for rule, dataset, rows, what in self.parts]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["rule", "dataset", "key", "what"])


def _headers(dataset: str) -> dict[str, str]:
    """field -> preferred header (first alias) from the built-in rulebook."""
    import yaml

    book = yaml.safe_load(RULEBOOK.read_text(encoding="utf-8"))
    fields = book["datasets"][dataset]["fields"]
    return {name: (spec.get("aliases") or [name])[0] for name, spec in fields.items()}


# ------------------------------------------------------------------ 公文台账
def make_documents(n: int, rng, planted: Planted, rate: float) -> tuple[dict, dict]:
    names = cs([d[0] for d in DIVISIONS])
    weights = np.array([d[2] for d in DIVISIONS], dtype=float)
    dept = rng.choice(len(DIVISIONS), size=n, p=weights / weights.sum())
    doc_type = np.array(["normative", "policy", "other"])[rng.choice(3, size=n, p=[0.08, 0.27, 0.65])]
    r = rng.random(n)
    disclosure = np.where(doc_type == "normative", "active",
                 np.where(doc_type == "policy", np.where(r < 0.9, "active", "on_request"),
                          np.where(r < 0.6, "active", np.where(r < 0.85, "on_request", "not_public"))))
    needs_interp = (doc_type != "other") & (disclosure == "active")
    issued = random_workdays(rng, n, dt.date(2021, 1, 4), dt.date(2021, 12, 24))
    last = np.where(doc_type != "other", day_index(dt.date(2021, 11, 30)), day_index(dt.date(2021, 12, 24)))
    issued = np.minimum(issued, add_workdays(last - 1, 1))  # policy documents formed before December
    order = np.argsort(issued, kind="stable")  # a ledger is in date order
    dept, doc_type, disclosure, needs_interp, issued = (a[order] for a in (dept, doc_type, disclosure, needs_interp, issued))

    # 文号: 晋商{处室简称}{发|函}〔2021〕{n}号, numbered per prefix in date order
    prefix = dept * 2 + ((doc_type == "other") & (rng.random(n) < 0.5))
    prefix_codes = cs([f"晋商{abbr}{genre}〔2021〕" for _, abbr, _ in DIVISIONS for genre in "发函"])
    number = pd.Series(prefix).groupby(prefix).cumcount().to_numpy() + 1
    doc_id = arrow_text([prefix_codes[prefix], numbers(number), np.full(n, c("号"), np.int32)], pa.array(VOCAB))
    opening = np.where(doc_type == "normative", c("山西省商务厅关于印发《"),
              np.where(doc_type == "policy", c("山西省商务厅关于推进"), pick(rng, ["关于报送", "关于开展", "关于做好", "关于印发"], n)))
    closing = np.where(doc_type == "normative", c("管理办法》的通知"),
              np.where(doc_type == "policy", c("的实施意见"), c("有关工作的通知")))
    title = [opening, pick(rng, SUBJECTS, n), closing]

    attr_reviewed = issued - rng.choice([0, 1, 1, 2, 3], size=n)
    active = disclosure == "active"
    published = np.where(active, add_workdays(issued, rng.integers(1, 12, n)), -1)
    published = np.where(published > day_index(AS_OF), -1, published)
    has_pub = published >= 0
    pub_reviewed = np.where(has_pub, published - rng.choice([0, 0, 1], size=n), -1)
    secrecy = np.where(has_pub, pub_reviewed - rng.choice([0, 1], size=n), -1)
    basis_i = rng.integers(0, len(EXEMPT_BASES), n)
    basis = np.where(active, BLANK, cs([b for b, _ in EXEMPT_BASES])[basis_i])
    reason = np.where(active, BLANK, cs([r for _, r in EXEMPT_BASES])[basis_i])
    month = (np.datetime64(DAY0) + issued.astype("timedelta64[D]")).astype("datetime64[M]").astype(int) % 12 + 1
    rereview_due = ~active & (month <= 10)
    rereviewed = np.where(rereview_due, random_workdays(rng, n, dt.date(2021, 11, 11), dt.date(2021, 11, 19))[rng.permutation(n)], -1)
    review_result = np.where(rereview_due, pick(rng, ["维持原属性", "维持", "保持不变"], n, p=[0.8, 0.1, 0.1]), BLANK)

    interp = needs_interp & has_pub
    interpreted_on = np.where(interp, published + rng.choice([0, 0, 0, 1, 2], size=n), -1)
    interpreted_by = np.where(interp, names[dept], BLANK)
    forms = np.where(interp, pick(rng, FORMS_MULTI, n), BLANK)
    channels = np.where(interp, np.where(rng.random(n) < 0.7, pick(rng, CHANNELS_MULTI, n), pick(rng, CHANNELS_SINGLE, n)), BLANK)
    supersedes_on = interp & (rng.random(n) < 0.3)
    old_prefix = cs([f"晋商{abbr}发〔2019〕" for _, abbr, _ in DIVISIONS])
    supersedes = [np.where(supersedes_on, old_prefix[dept], BLANK),
                  pc.if_else(pa.array(supersedes_on), numbers(rng.integers(1, 40, n)), ""),
                  np.where(supersedes_on, c("号"), BLANK)]
    topics = np.where(interp, np.where(supersedes_on, c(TOPICS_DIFF), c(TOPICS)), BLANK)
    doc_type_text = variants(rng, doc_type, DOC_TYPE)
    disclosure_text = variants(rng, disclosure, DISCLOSURE)

    # ------------------------------------------------------------ violations
    k = max(1, int(round(n * rate)))
    P = planted

    rows = P.choose(rng, "documents", active & (doc_type == "other"), k)
    half = len(rows) // 2
    disclosure_text[rows[:half]] = c("待定")          # unknown label: a data issue too
    disclosure_text[rows[half:]] = BLANK
    P.add("DOC-ATTR-01", "documents", rows, "公开属性 blank or 待定")

    rows = P.choose(rng, "documents", ~active & ~rereview_due, k)
    basis[rows] = BLANK
    P.add("DOC-ATTR-02", "documents", rows, "不公开依据 blank")

    rows = P.choose(rng, "documents", ~active & ~rereview_due, k)
    basis[rows] = pick(rng, ["内部文件", "涉及内部工作安排,不宜公开", "按惯例不公开"], len(rows))
    P.add("DOC-ATTR-03", "documents", rows, "依据 cites no article")

    rows = P.choose(rng, "documents", np.ones(n, bool), k)
    attr_reviewed[rows] = issued[rows] + rng.integers(3, 9, len(rows))
    P.add("DOC-ATTR-04", "documents", rows, "属性审核日期 after 成文日期")

    rows = P.choose(rng, "documents", rereview_due, k)
    rereviewed[rows] = day_index(dt.date(2021, 12, 14))
    P.add("DOC-REVIEW-01", "documents", rows, "re-reviewed in December")

    rows = P.choose(rng, "documents", has_pub & ~needs_interp & (issued < day_index(dt.date(2021, 10, 1))), k)
    published[rows] = add_workdays(issued[rows], 30)
    pub_reviewed[rows] = published[rows]
    secrecy[rows] = published[rows]
    P.add("DOC-TIMELY-01", "documents", rows, "published 30 working days after 成文日期")

    rows = P.choose(rng, "documents", has_pub & ~needs_interp, k)
    secrecy[rows] = published[rows] + 2
    P.add("DOC-PUB-01", "documents", rows, "保密审查日期 after 公开日期")

    rows = P.choose(rng, "documents", interp, k)
    interpreted_on[rows] = -1
    P.add("DOC-INTERP-01", "documents", rows, "解读日期 blank")

    rows = P.choose(rng, "documents", interp, k)
    interpreted_by[rows] = np.where(names[dept[rows]] == c("办公室"), c("综合处"), c("办公室"))
    P.add("DOC-INTERP-02", "documents", rows, "解读处室 is not the drafting division")

    rows = P.choose(rng, "documents", interp & ~supersedes_on, k)
    topics[rows] = c("背景；意义")
    P.add("DOC-INTERP-03", "documents", rows, "解读内容要点 lacks 作用、关键词")

    # data issue only: an impossible date where no rule looks (re-review of an active document)
    rows = P.choose(rng, "documents", active & ~rereview_due, k)
    rereviewed_text = typed_dates(rng, rereviewed)
    rereviewed_text[rows] = c("2021-02-30")

    columns = {
        "doc_id": doc_id, "title": title, "department": names[dept], "doc_type": doc_type_text,
        "issued_on": typed_dates(rng, issued), "disclosure": disclosure_text,
        "disclosure_basis": basis, "disclosure_reason": reason,
        "attr_reviewed_on": typed_dates(rng, attr_reviewed),
        "pub_reviewed_on": typed_dates(rng, pub_reviewed), "secrecy_checked_on": typed_dates(rng, secrecy),
        "published_on": typed_dates(rng, published), "interpreted_on": typed_dates(rng, interpreted_on),
        "interpreted_by": interpreted_by, "interpretation_forms": forms, "interpretation_channels": channels,
        "interpretation_topics": topics, "supersedes": supersedes,
        "rereviewed_on": rereviewed_text, "review_result": review_result,
    }
    # for the requests: documents a request may name, and non-public ones to over-request
    info = {"doc_id": doc_id, "public": np.flatnonzero(active),
            "convert_candidates": np.flatnonzero(rereview_due & ~P.taken["documents"])}
    return columns, info


# ------------------------------------------------------------------ 依申请公开登记台账
def make_requests(n: int, rng, planted: Planted, rate: float, docs_info: dict | None) -> dict:
    names = cs([d[0] for d in DIVISIONS])
    weights = np.array([d[2] for d in DIVISIONS], dtype=float)
    received = random_workdays(rng, n, dt.date(2021, 1, 4), dt.date(2021, 12, 30))
    request_no = np.arange(1, n + 1)
    dept = names[rng.choice(len(DIVISIONS), size=n, p=weights / weights.sum())]
    applicant_code = np.array(list(APPLICANT_TYPE))[rng.choice(4, size=n, p=[0.6, 0.25, 0.05, 0.1])]
    natural = applicant_code == "natural_person"
    # 申请人: a person (surname + one or two given characters) or a firm (city + firm name)
    applicant = [np.where(natural, pick(rng, SURNAMES, n), pick(rng, CITIES, n)),
                 np.where(natural, pick(rng, GIVEN, n), pick(rng, FIRMS, n)),
                 np.where(natural & (rng.random(n) < 0.6), pick(rng, GIVEN, n), BLANK),
                 np.full(n, BLANK, dtype=np.int32)]
    channel = pick(rng, CHANNEL, n, p=[0.45, 0.15, 0.1, 0.05, 0.15, 0.05, 0.05])
    info = [np.full(n, c("申请公开"), np.int32), pick(rng, SUBJECTS, n),
            pick(rng, ["相关文件", "实施情况", "资金分配情况", "审批信息"], n)]
    doc_ref = np.full(n, -1, dtype=np.int64)     # index of the document named, -1 = blank
    if docs_info is not None and len(docs_info["public"]):
        names_doc = rng.random(n) < 0.3
        doc_ref[names_doc] = docs_info["public"][rng.integers(0, len(docs_info["public"]), int(names_doc.sum()))]

    registered = np.where(rng.random(n) < 0.8, received, add_workdays(received, 1))
    accepted = registered.copy()
    kind = rng.random(n)
    correction = kind < 0.08
    consult = (kind >= 0.08) & (kind < 0.13)
    notice = np.where(correction, add_workdays(accepted, rng.integers(1, 5, n)), -1)
    corr_received = np.where(correction, notice + rng.integers(1, 10, n), -1)
    consult_sent = np.where(consult, add_workdays(accepted, rng.integers(1, 3, n)), -1)
    consult_replied = np.where(consult, add_workdays(consult_sent, rng.integers(3, 15, n)), -1)
    base = np.maximum.reduce([accepted, corr_received, consult_replied])
    opinion = add_workdays(base, rng.integers(1, 4, n))
    decided = add_workdays(opinion, rng.integers(1, 3, n))
    approved = decided.copy()
    replied = add_workdays(approved, rng.integers(1, 4, n))
    extension = rng.random(n) < 0.03
    approver = np.where(extension, pick(rng, ["张建国", "李志红", "王海鹏"], n), BLANK)
    ext_notice = np.where(extension, add_workdays(accepted, 5), -1)
    # still open at the year end and not yet due (pending): received in the last working days
    still_open = (received >= day_index(dt.date(2021, 12, 17))) & (rng.random(n) < 0.6)
    for arr in (opinion, decided, approved, replied):
        arr[still_open] = -1
    replied_ok = replied >= 0
    outcome_i = rng.choice(len(OUTCOMES), size=n, p=np.array([o[1] for o in OUTCOMES]) / sum(o[1] for o in OUTCOMES))
    outcome = np.where(replied_ok, cs([o[0] for o in OUTCOMES])[outcome_i], BLANK)
    needs_reason = replied_ok & np.array([o[2] for o in OUTCOMES])[outcome_i]
    needs_conv = replied_ok & np.array([o[3] for o in OUTCOMES])[outcome_i]
    reply_reason = np.where(needs_reason, pick(rng, ["依据《政府信息公开条例》第十六条,属于内部事务信息",
                                                     "涉及第三方商业秘密,依据条例第十五条不予公开"], n), BLANK)
    conv = np.where(needs_conv, pick(rng, ["已告知该信息由省市场监管局掌握并提供其联系方式",
                                           "已告知申请人可向所在市商务局咨询"], n), BLANK)
    reply_form = np.where(replied_ok, pick(rng, ["书面", "书面答复", "告知书"], n, p=[0.8, 0.1, 0.1]), BLANK)
    needs_corr_text = np.where(correction, c("是"), c("否"))
    corr_count = np.where(correction, c("1"), BLANK)
    ext_text = np.where(extension, c("是"), np.where(rng.random(n) < 0.5, c("否"), BLANK))

    k = max(1, int(round(n * rate)))
    P = planted
    plain = ~correction & ~consult & ~extension & ~still_open

    rows = P.choose(rng, "requests", plain, k)
    applicant_code[rows] = ""
    P.add("REQ-REG-01", "requests", rows, "申请人类型 blank")

    rows = P.choose(rng, "requests", np.r_[False, plain[1:] & plain[:-1]], k)
    rows = rows[~np.isin(rows - 1, rows)]  # the row copied from keeps its own number
    request_no[rows] = request_no[rows - 1]
    P.taken["requests"][rows - 1] = True
    P.add("REQ-REG-02", "requests", rows, "申请编号 repeats the previous row's")

    rows = P.choose(rng, "requests", plain, k)
    reply_form[rows] = c("电话告知")
    P.add("REQ-REPLY-01", "requests", rows, "oral reply")

    rows = P.choose(rng, "requests", correction & ~still_open & (received < day_index(dt.date(2021, 11, 1))), k)
    notice[rows] = add_workdays(accepted[rows], 10)
    corr_received[rows] = notice[rows] + 1
    opinion[rows] = add_workdays(corr_received[rows], 1)
    decided[rows] = approved[rows] = add_workdays(opinion[rows], 1)
    replied[rows] = add_workdays(approved[rows], 1)
    P.add("REQ-CORR-01", "requests", rows, "补正告知 10 working days after receipt")

    rows = P.choose(rng, "requests", correction & ~still_open, k)
    corr_count[rows] = c("2")
    P.add("REQ-CORR-02", "requests", rows, "补正告知 twice")

    rows = P.choose(rng, "requests", plain & (registered > received), k)
    registered[rows] = received[rows] - 1
    P.add("REQ-SEQ-01", "requests", rows, "登记日期 before 收到申请日期")

    rows = P.choose(rng, "requests", plain & (received < day_index(dt.date(2021, 10, 1))), k)
    opinion[rows] = add_workdays(received[rows], 25)
    decided[rows] = approved[rows] = add_workdays(opinion[rows], 1)
    replied[rows] = add_workdays(approved[rows], 1)
    P.add("REQ-DEADLINE-01", "requests", rows, "answered after 27 working days")

    rows = P.choose(rng, "requests", extension & ~still_open, k)
    approver[rows] = BLANK
    P.add("REQ-EXT-01", "requests", rows, "延期批准人 blank")

    rows = P.choose(rng, "requests", plain, k)
    outcome[rows] = BLANK
    P.add("REQ-OUTCOME-01", "requests", rows, "办理结果 blank")

    rows = P.choose(rng, "requests", needs_reason & plain, k)
    reply_reason[rows] = BLANK
    P.add("REQ-REASON-01", "requests", rows, "不予公开理由 blank")

    rows = P.choose(rng, "requests", needs_conv & plain, k)
    conv[rows] = BLANK
    P.add("REQ-CONV-01", "requests", rows, "便民答复 blank")

    if docs_info is not None and len(docs_info["convert_candidates"]):
        # non-public documents asked for by 3 different applicants, re-review kept the attribute
        m = min(k, len(docs_info["convert_candidates"]), int(plain.sum()) // 3)
        docs = rng.choice(docs_info["convert_candidates"], size=m, replace=False)
        rows = P.choose(rng, "requests", plain, 3 * m)
        doc_ref[rows] = np.repeat(docs, 3)
        applicant[3][rows] = np.tile(cs(["(甲)", "(乙)", "(丙)"]), m)
        P.add("DOC-CONVERT-01", "documents", docs, "requested by 3 applicants, attribute kept")

    rows = P.choose(rng, "requests", ~extension, k)  # data issue only: no rule reads this date here
    ext_notice_text = typed_dates(rng, ext_notice)
    ext_notice_text[rows] = c("2021-02-30")

    doc_ids = docs_info["doc_id"] if docs_info is not None else pa.array([], pa.string())
    columns = {
        "request_id": [np.full(n, c("YSQ-2021-"), np.int32), numbers(request_no, len(str(n)))],
        "received_on": typed_dates(rng, received), "channel": channel,
        "applicant_name": applicant, "applicant_type": variants(rng, applicant_code, APPLICANT_TYPE),
        "requested_info": info,
        "doc_ref": pa.concat_arrays([doc_ids, pa.array([""])]).take(pa.array(np.where(doc_ref < 0, len(doc_ids), doc_ref))),
        "department": dept,
        "registered_on": typed_dates(rng, registered), "accepted_on": typed_dates(rng, accepted),
        "needs_correction": needs_corr_text, "correction_notice_on": typed_dates(rng, notice),
        "correction_count": corr_count, "correction_received_on": typed_dates(rng, corr_received),
        "consult_sent_on": typed_dates(rng, consult_sent), "consult_replied_on": typed_dates(rng, consult_replied),
        "opinion_on": typed_dates(rng, opinion), "decided_on": typed_dates(rng, decided),
        "approved_on": typed_dates(rng, approved), "extension_approved": ext_text,
        "extension_approver": approver, "extension_notice_on": ext_notice_text,
        "replied_on": typed_dates(rng, replied), "reply_form": reply_form, "outcome": outcome,
        "reply_reason": reply_reason, "convenience_reply": conv,
    }
    return columns


# ------------------------------------------------------------------ writing
CHUNK_ROWS = 500_000


def write_csv(dataset: str, columns: dict, path: Path, title_rows: list[list[str]], encoding: str) -> None:
    """Title rows, the header, then the records; built and encoded by pyarrow in chunks."""
    headers = _headers(dataset)
    width = len(columns)
    head = "".join(",".join(cells + [""] * (width - len(cells))) + "\n" for cells in title_rows)
    head += ",".join(headers[name] for name in columns) + "\n"
    quoted = pa.array([f'"{t.replace(chr(34), chr(34) * 2)}"' if any(ch in t for ch in ',"\r\n') else t for t in VOCAB],
                      pa.string())
    cells = [csv_cells(value, quoted) for value in columns.values()]
    n = len(cells[0])
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(head.encode(encoding))  # utf-8-sig writes the BOM here, once
        for lo in range(0, n, CHUNK_ROWS):  # chunks of rows: bounded memory at 10M rows
            part = [col.slice(lo, CHUNK_ROWS) for col in cells]
            lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*part, ","), "", "\n")
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
            data = lines.buffers()[2][int(offsets[0]):int(offsets[-1])]
            if encoding in ("utf-8", "utf-8-sig"):
                handle.write(data)
            else:
                handle.write(data.to_pybytes().decode("utf-8").encode(encoding))
    tmp.replace(path)


def write_xlsx(dataset: str, columns: dict, path: Path, title: str) -> None:
    n = len(arrow_text(next(iter(columns.values())), pa.array(VOCAB)))
    if n > XLSX_MAX_ROWS:
        raise SystemExit(f"XLSX is written cell by cell by openpyxl; keep it to {XLSX_MAX_ROWS:,} rows or fewer")
    from openpyxl import Workbook

    headers = _headers(dataset)
    vocab = pa.array(VOCAB, pa.string())
    values = [arrow_text(v, vocab).to_pylist() for v in columns.values()]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([title])
    sheet.append([headers[name] for name in columns])
    for record in zip(*values):  # openpyxl takes one row at a time
        sheet.append([v if v != "" else None for v in record])
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.replace(path)


def generate(rows: int, out: Path, *, requests: int | None = None, seed: int = 2021, rate: float = 0.01,
             xlsx: bool = False, csv: bool = True) -> dict[str, Path]:
    """Write the ledgers of ``rows`` documents (and ``requests`` requests, default the same) to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    planted = Planted()
    docs, info = make_documents(rows, rng, planted, rate)
    reqs = make_requests(rows if requests is None else requests, rng, planted, rate, info)
    paths: dict[str, Path] = {}
    if csv:
        paths["documents"] = out / "documents.csv"
        write_csv("documents", docs, paths["documents"], [["山西省商务厅2021年公文台账"]], "gb18030")
        paths["requests"] = out / "requests.csv"
        write_csv("requests", reqs, paths["requests"], [["山西省商务厅2021年政府信息公开申请登记台账"],
                                                        ["填报单位:办公室", "", "", "统计截止:2021年12月31日"]], "utf-8-sig")
    if xlsx:
        paths["documents_xlsx"] = out / "documents.xlsx"
        write_xlsx("documents", docs, paths["documents_xlsx"], "公文台账")
        paths["requests_xlsx"] = out / "requests.xlsx"
        write_xlsx("requests", reqs, paths["requests_xlsx"], "依申请公开登记台账")
    paths["planted"] = out / "planted.csv"
    vocab = pa.array(VOCAB, pa.string())
    keys = {"documents": arrow_text(docs["doc_id"], vocab), "requests": arrow_text(reqs["request_id"], vocab)}
    planted.frame(keys).to_csv(paths["planted"], index=False, encoding="utf-8-sig")
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=lambda s: int(float(s.replace("_", ""))), help="documents (and requests) rows, e.g. 1000000 or 1e6")
    parser.add_argument("-o", "--out", type=Path, default=Path("bench-data"))
    parser.add_argument("--requests", type=int, help="request rows (default: as many as documents)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--violations", type=float, default=0.01, help="share of rows spoiled per rule (default 0.01)")
    parser.add_argument("--xlsx", action="store_true", help=f"also write .xlsx (at most {XLSX_MAX_ROWS:,} rows)")
    parser.add_argument("--no-csv", action="store_true", help="write only the .xlsx files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.rows, args.out, requests=args.requests, seed=args.seed, rate=args.violations,
                     xlsx=args.xlsx, csv=not args.no_csv)
    took = time.perf_counter() - started
    for name, path in paths.items():
        print(f"{name:15} {path}  {path.stat().st_size / 1e6:,.1f} MB")
    print(f"generated in {took:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
