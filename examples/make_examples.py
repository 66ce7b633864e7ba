"""Write the example ledgers of 山西省商务厅 for 2021 (deterministic: seeded random).

Run from anywhere: ``python examples/make_examples.py``. It rewrites, next to itself:

- ``documents.csv``  公文台账, GB18030, one title row above the header;
- ``requests.csv``   依申请公开登记台账, UTF-8 with BOM, two title rows;
- ``messages.xlsx``, ``opinions.xlsx``, ``meetings.xlsx``  the optional ledgers (title row,
  some real Excel date cells, some typed dates);
- ``reviews.csv``  行政复议、行政诉讼台账 (table 四 of the annual report), some cases across the
  year boundary; ``normative-documents.csv`` 规范性文件目录 with repeal dates (table 二);
- ``expected_findings.csv``  every deliberate violation planted here: rule, dataset, key,
  what was done. The tests and ``README.md`` rely on it.

The data start clean (every rule of ``rules/shanxi-commerce-2021.yaml`` holds) and then a
handful of rows per rule are spoiled on purpose, spread over the divisions. Dates are typed
the way people type them (2021-03-05, 2021/3/5, 2021.03.05, 2021年3月5日); a few cells are
blank, one date is impossible (2021-02-30), one label is unknown (待定), one request number
is used twice and one reply is dated before its receipt.

Working days come from ``chinesecalendar`` (the package the engine uses), so the clean rows
are on time by the same calendar the audit applies.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import chinese_calendar
from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
SEED = 2021
YEAR_START = dt.date(2021, 1, 1)
AS_OF = dt.date(2021, 12, 31)

# The plan's divisions (处室) with the abbreviation used in document numbers and a weight
# (how many documents a division drafts in a year, roughly).
DIVISIONS = {
    "办公室": ("办", 6), "条法处": ("法", 3), "审批处": ("审", 3), "建设处": ("建", 3),
    "流通处": ("流", 4), "运行处": ("运", 3), "外贸处": ("贸", 4), "外资处": ("资", 3),
    "服贸处": ("服", 2), "开发区处": ("开", 3), "电商处": ("电", 2), "投促局": ("促", 3),
    "综合处": ("综", 2), "人事处": ("人", 2), "执法处": ("执", 1), "财务处": ("财", 2),
    "合作处": ("合", 1), "发展处": ("发展", 1), "口岸办": ("口", 1), "秩序处": ("秩", 1),
    "机关党委": ("党", 1),
}

SUBJECTS = {
    "办公室": ["2021年政务公开工作要点", "政务信息报送工作", "厅机关公文处理办法", "政务新媒体管理办法"],
    "条法处": ["行政规范性文件合法性审核", "商务领域行政执法“三项制度”", "“八五”普法规划"],
    "审批处": ["对外贸易经营者备案登记", "商务领域行政审批中介服务事项清单", "证明事项告知承诺制"],
    "建设处": ["县域商业体系建设", "城市一刻钟便民生活圈建设", "农产品供应链体系建设"],
    "流通处": ["促进商贸流通高质量发展", "再生资源回收体系建设", "老字号保护与发展"],
    "运行处": ["消费市场运行监测", "“晋享消费”消费券发放", "生活必需品市场保供"],
    "外贸处": ["推进外贸高质量高速度发展行动方案(2021-2023)", "外贸企业纾困", "加工贸易梯度转移"],
    "外资处": ["进一步做好重点领域利用外资工作", "外商投资企业投诉工作办法", "外资项目服务专班"],
    "服贸处": ["服务贸易创新发展试点", "服务外包产业发展", "技术进出口管理"],
    "开发区处": ["开发区“三化三制”改革", "开发区设立扩区", "开发区年度考核评价"],
    "电商处": ["电子商务进农村综合示范", "直播电商发展", "“十四五”电子商务发展规划"],
    "投促局": ["招商引资重点产业目录", "重点签约项目履约", "投资促进服务"],
    "综合处": ["“十四五”商务发展规划", "商务统计工作", "商务领域重点工作督办"],
    "人事处": ["厅机关干部教育培训", "事业单位公开招聘", "干部挂职锻炼"],
    "执法处": ["商务综合行政执法", "“双随机一公开”抽查工作", "单用途商业预付卡管理"],
    "财务处": ["2021年部门预算公开", "2020年部门决算公开", "省级商务发展专项资金管理"],
    "合作处": ["对外投资合作", "境外企业安全风险防范", "对外劳务合作"],
    "发展处": ["山西—东盟经贸合作", "“一带一路”经贸合作", "国际友城经贸交流"],
    "口岸办": ["口岸通关便利化", "国际贸易“单一窗口”建设", "口岸收费目录清单"],
    "秩序处": ["商务诚信体系建设", "政务新媒体整合注销", "中药材流通追溯体系"],
    "机关党委": ["厅机关党建工作要点", "党史学习教育", "精神文明建设"],
}

EXEMPT_BASES = [
    ("《政府信息公开条例》第十六条第一款", "属于人事管理、内部工作流程等内部事务信息"),
    ("《政府信息公开条例》第十六条第二款", "属于请示报告、过程稿等过程性信息"),
    ("《政府信息公开条例》第十五条", "涉及企业商业秘密,公开会损害第三方合法权益"),
    ("《政府信息公开条例》第十四条", "公开后可能危及经济安全"),
    ("《政府信息公开条例》第十六条第二款", "属于行政执法案卷信息"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红梅晓东海鹏飞宇航雪婷晨阳"
CITIES = ["太原", "大同", "朔州", "忻州", "阳泉", "晋中", "长治", "晋城", "临汾", "运城", "吕梁"]


# ------------------------------------------------------------------ working days
def is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (the start day is not counted; n=0 gives day)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def sub_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day before ``day`` (a weekend day moves to a working day first)."""
    while not is_workday(day):
        day -= dt.timedelta(days=1)
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b."""
    return sum(is_workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))


def random_workday(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    while True:
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        if is_workday(day):
            return day


# ------------------------------------------------------------------ how people type things
def typed_date(rng: random.Random, day: dt.date | None) -> str:
    if day is None:
        return ""
    style = rng.random()
    if style < 0.5:
        return day.isoformat()
    if style < 0.7:
        return f"{day.year}/{day.month}/{day.day}"
    if style < 0.85:
        return day.strftime("%Y.%m.%d")
    return f"{day.year}年{day.month}月{day.day}日"


def label(rng: random.Random, labels: list[str], weights: list[float] | None = None) -> str:
    return rng.choices(labels, weights=weights or [6] + [1] * (len(labels) - 1))[0]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


class Planted:
    """The deliberate violations, in the order they were planted."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, rule: str, dataset: str, key: str, what: str) -> None:
        self.rows.append({"rule": rule, "dataset": dataset, "key": key, "what": what})


def spread(rng: random.Random, rows: list[dict], n: int, taken: set[int], dept: str = "department") -> list[dict]:
    """n rows not used by another planted violation, each from a different division if possible."""
    free = [r for r in rows if id(r) not in taken]
    rng.shuffle(free)
    picked, seen = [], set()
    for r in free:
        if r[dept] not in seen:
            picked.append(r)
            seen.add(r[dept])
        if len(picked) == n:
            break
    for r in free:
        if len(picked) == n:
            break
        if r not in picked:
            picked.append(r)
    taken.update(id(r) for r in picked)
    return picked


# ------------------------------------------------------------------ 公文台账
def make_documents(rng: random.Random, planted: Planted) -> list[dict]:
    names = list(DIVISIONS)
    weights = [DIVISIONS[d][1] for d in names]
    docs = []
    for _ in range(300):
        dept = rng.choices(names, weights)[0]
        doc_type = rng.choices(["normative", "policy", "other"], [8, 27, 65])[0]
        if doc_type == "normative":
            disclosure = "active"
        elif doc_type == "policy":
            disclosure = rng.choices(["active", "on_request"], [9, 1])[0]
        else:
            disclosure = rng.choices(["active", "on_request", "not_public"], [60, 25, 15])[0]
        # documents that need an interpretation are formed before December so that the
        # interpretation is out by the year-end audit
        last = dt.date(2021, 11, 30) if doc_type != "other" else dt.date(2021, 12, 24)
        docs.append({"department": dept, "doc_type": doc_type, "disclosure": disclosure,
                     "issued_on": random_workday(rng, dt.date(2021, 1, 4), last)})
    docs.sort(key=lambda d: d["issued_on"])

    counters: dict[str, int] = {}
    for doc in docs:
        dept = doc["department"]
        abbr = DIVISIONS[dept][0]
        genre = "函" if doc["doc_type"] == "other" and rng.random() < 0.5 else "发"
        prefix = f"晋商{abbr}{genre}"
        counters[prefix] = counters.get(prefix, 0) + 1
        doc["doc_id"] = f"{prefix}〔2021〕{counters[prefix]}号"
        subject = rng.choice(SUBJECTS[dept])
        if doc["doc_type"] == "normative":
            doc["title"] = f"山西省商务厅关于印发《{subject}管理办法》的通知"
        elif doc["doc_type"] == "policy":
            doc["title"] = f"山西省商务厅关于{rng.choice(['推进', '加快', '做好', '进一步加强'])}{subject}的实施意见"
        else:
            doc["title"] = f"关于{rng.choice(['报送', '开展', '做好', '印发'])}{subject}{rng.choice(['有关工作', '情况', '工作方案'])}的通知"
        issued = doc["issued_on"]
        doc["attr_reviewed_on"] = issued - dt.timedelta(days=rng.choice([0, 1, 1, 2, 3]))
        if doc["disclosure"] == "active":
            published = issued + dt.timedelta(days=rng.randint(1, 12))
            if published <= AS_OF:
                doc["published_on"] = published
                doc["pub_reviewed_on"] = published - dt.timedelta(days=rng.choice([0, 0, 1]))
                doc["secrecy_checked_on"] = doc["pub_reviewed_on"] - dt.timedelta(days=rng.choice([0, 1]))
        else:
            basis, reason = rng.choice(EXEMPT_BASES)
            doc["disclosure_basis"], doc["disclosure_reason"] = basis, reason
            if issued.month <= 10:
                doc["rereviewed_on"] = random_workday(rng, dt.date(2021, 11, 11), dt.date(2021, 11, 19))
                doc["review_result"] = "keep"
        if doc["doc_type"] != "other" and doc["disclosure"] == "active":
            doc["interpreted_on"] = doc["published_on"] + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2]))
            doc["interpreted_by"] = dept
            doc["interpretation_forms"] = ["text", rng.choice(["graphic", "graphic", "video", "flow", "qa", "interview"])]
            doc["interpretation_channels"] = rng.sample(["website", "wechat", "province_wechat", "weibo", "newspaper", "broadcast", "service_center"], 2)
            if rng.random() < 0.3:
                doc["supersedes"] = f"晋商{DIVISIONS[dept][0]}发〔{rng.choice([2017, 2018, 2019])}〕{rng.randint(1, 40)}号"
            doc["interpretation_topics"] = ["background", "meaning", "role", "keywords"] + (["differences"] if doc.get("supersedes") else [])
    _spoil_documents(rng, docs, planted)
    return docs


def _spoil_documents(rng: random.Random, docs: list[dict], planted: Planted) -> None:
    taken: set[int] = set()
    non_public = [d for d in docs if d["disclosure"] != "active" and d["issued_on"].month <= 10]
    needs_interp = [d for d in docs if d["doc_type"] != "other" and d["disclosure"] == "active"]
    active_other = [d for d in docs if d["doc_type"] == "other" and d["disclosure"] == "active" and d.get("published_on")]

    # documents that three or more applicants ask for (see make_requests): one converted, two not
    for i, doc in enumerate(spread(rng, [d for d in non_public if d["disclosure"] == "on_request"], 3, taken)):
        doc["wanted_by_many"] = True
        if i == 0:
            doc["review_result"] = "to_active"
        else:
            planted.add("DOC-CONVERT-01", "documents", doc["doc_id"], "requested by 3+ applicants, re-review kept 依申请公开")

    for i, doc in enumerate(spread(rng, active_other, 4, taken)):
        doc["disclosure_label"] = "待定" if i == 0 else ""
        planted.add("DOC-ATTR-01", "documents", doc["doc_id"], "公开属性 " + ("is the unknown label 待定" if i == 0 else "left blank"))

    for i, doc in enumerate(spread(rng, non_public, 4, taken)):
        doc.pop("disclosure_basis" if i % 2 == 0 else "disclosure_reason")
        planted.add("DOC-ATTR-02", "documents", doc["doc_id"], ("不公开依据" if i % 2 == 0 else "不公开理由") + " left blank")

    for doc, vague in zip(spread(rng, non_public, 3, taken), ["内部文件", "涉及内部工作安排,不宜公开", "按惯例不公开"]):
        doc["disclosure_basis"] = vague
        planted.add("DOC-ATTR-03", "documents", doc["doc_id"], f"依据 '{vague}' cites no article")

    for i, doc in enumerate(spread(rng, docs, 4, taken)):
        if i < 2:
            doc.pop("attr_reviewed_on")
            planted.add("DOC-ATTR-04", "documents", doc["doc_id"], "属性审核日期 left blank")
        else:
            doc["attr_reviewed_on"] = doc["issued_on"] + dt.timedelta(days=rng.randint(3, 9))
            planted.add("DOC-ATTR-04", "documents", doc["doc_id"], "属性审核日期 after 成文日期")

    for i, doc in enumerate(spread(rng, non_public, 4, taken)):
        if i < 2:
            doc.pop("rereviewed_on"), doc.pop("review_result")
            planted.add("DOC-REVIEW-01", "documents", doc["doc_id"], "no re-review recorded")
        elif i == 2:
            doc["rereviewed_on"] = dt.date(2021, 12, 14)
            planted.add("DOC-REVIEW-01", "documents", doc["doc_id"], "re-reviewed in December")
        else:
            doc.pop("review_result")
            planted.add("DOC-REVIEW-01", "documents", doc["doc_id"], "re-review date without a 复核结论")

    late_pool = [d for d in active_other if d["issued_on"] <= dt.date(2021, 10, 31)]
    for i, doc in enumerate(spread(rng, late_pool, 5, taken)):
        if i == 0:
            doc["published_on_text"] = "2021-02-30"
            for f in ("published_on", "pub_reviewed_on", "secrecy_checked_on"):
                doc.pop(f, None)
            planted.add("DOC-TIMELY-01", "documents", doc["doc_id"], "公开日期 is the impossible date 2021-02-30 (read as blank: overdue)")
            continue
        published = add_workdays(doc["issued_on"], rng.randint(24, 35))
        doc["published_on"] = published
        doc["pub_reviewed_on"] = doc["secrecy_checked_on"] = published - dt.timedelta(days=1)
        planted.add("DOC-TIMELY-01", "documents", doc["doc_id"], f"published {workdays_between(doc['issued_on'], published)} working days after 成文日期")

    for i, doc in enumerate(spread(rng, active_other, 4, taken)):
        p = doc["published_on"]
        if i < 2:
            doc["pub_reviewed_on"] = p + dt.timedelta(days=rng.randint(1, 4))
            planted.add("DOC-PUB-01", "documents", doc["doc_id"], "发布审核日期 after 公开日期")
        elif i == 2:
            doc.pop("secrecy_checked_on")
            planted.add("DOC-PUB-01", "documents", doc["doc_id"], "保密审查日期 left blank")
        else:
            doc["secrecy_checked_on"] = p + dt.timedelta(days=2)
            planted.add("DOC-PUB-01", "documents", doc["doc_id"], "保密审查日期 after 公开日期")

    for doc in spread(rng, needs_interp, 4, taken):
        for f in ("interpreted_on", "interpreted_by", "interpretation_forms", "interpretation_channels", "interpretation_topics"):
            doc.pop(f, None)
        planted.add("DOC-INTERP-01", "documents", doc["doc_id"], "no interpretation recorded")
        planted.add("DOC-INTERP-04", "documents", doc["doc_id"], "no interpretation recorded")
        planted.add("DOC-INTERP-05", "documents", doc["doc_id"], "no interpretation recorded")

    for doc in spread(rng, needs_interp, 3, taken):
        doc["interpreted_by"] = rng.choice(["办公室", "条法处"] if doc["department"] not in ("办公室", "条法处") else ["综合处"])
        planted.add("DOC-INTERP-02", "documents", doc["doc_id"], f"interpreted by {doc['interpreted_by']}, drafted by {doc['department']}")

    for i, doc in enumerate(spread(rng, needs_interp, 4, taken)):
        if i < 2:
            doc["interpretation_topics"] = ["background", "meaning"]
            planted.add("DOC-INTERP-03", "documents", doc["doc_id"], "解读内容要点 lacks 作用 and 关键词")
        else:
            doc["supersedes"] = doc.get("supersedes") or f"晋商{DIVISIONS[doc['department']][0]}发〔2018〕{rng.randint(1, 40)}号"
            doc["interpretation_topics"] = ["background", "meaning", "role", "keywords"]
            planted.add("DOC-INTERP-03", "documents", doc["doc_id"], "replaces an earlier document, no 新旧政策差异")

    interpreted = [d for d in needs_interp if d.get("interpretation_forms")]
    for doc in spread(rng, interpreted, 14, set(taken)):
        doc["interpretation_forms"] = ["text"]
        planted.add("DOC-INTERP-04", "documents", doc["doc_id"], "文字 only")
    for doc in spread(rng, interpreted, int(len(interpreted) * 0.58), set()):
        doc["interpretation_channels"] = doc["interpretation_channels"][:1]
        planted.add("DOC-INTERP-05", "documents", doc["doc_id"], "one channel only")


DOC_LABELS = {
    "disclosure": {"active": ["主动公开", "主动", "公开"], "on_request": ["依申请公开", "依申请"], "not_public": ["不予公开", "不公开"]},
    "doc_type": {"normative": ["行政规范性文件", "规范性文件"], "policy": ["政策性文件", "政策文件"], "other": ["其他文件", "其他", "一般性文件"]},
    "review_result": {"keep": ["维持原属性", "维持"], "to_active": ["转为主动公开"], "to_classified": ["转为涉密文件"]},
    "interpretation_forms": {"text": ["文字解读", "文字"], "graphic": ["图解", "图表图解", "一图读懂"], "video": ["视频", "动漫"], "flow": ["流程演示"], "qa": ["简明问答"], "interview": ["媒体访谈", "在线访谈"]},
    "interpretation_channels": {"website": ["厅网站", "门户网站"], "wechat": ["微信公众号"], "province_wechat": ["“山西省人民政府”微信公众号"], "weibo": ["政务微博"], "newspaper": ["报纸"], "broadcast": ["广播电视"], "service_center": ["政务服务中心"]},
    "interpretation_topics": {"background": ["背景"], "meaning": ["意义"], "role": ["作用"], "keywords": ["关键词"], "differences": ["新旧政策差异", "新旧对比"]},
}
SEPARATORS = ["、", ";", ",", "/", "；"]

DOC_COLUMNS = [
    ("序号", None), ("发文字号", "doc_id"), ("文件标题", "title"), ("起草处室", "department"),
    ("文件类型", "doc_type"), ("成文日期", "issued_on"), ("公开属性", "disclosure"),
    ("不公开依据", "disclosure_basis"), ("不公开理由", "disclosure_reason"),
    ("属性审核日期", "attr_reviewed_on"), ("发布审核日期", "pub_reviewed_on"),
    ("保密审查日期", "secrecy_checked_on"), ("公开日期", "published_on"), ("解读日期", "interpreted_on"),
    ("解读处室", "interpreted_by"), ("解读形式", "interpretation_forms"), ("解读渠道", "interpretation_channels"),
    ("解读内容要点", "interpretation_topics"), ("替代原文件", "supersedes"), ("复核日期", "rereviewed_on"),
    ("复核结论", "review_result"),
]


def render_document(rng: random.Random, number: int, doc: dict) -> list[str]:
    row = []
    for header, name in DOC_COLUMNS:
        if name is None:
            row.append(str(number))
            continue
        value = doc.get(name)
        if name == "disclosure" and "disclosure_label" in doc:
            row.append(doc["disclosure_label"])
        elif name == "published_on" and "published_on_text" in doc:
            row.append(doc["published_on_text"])
        elif value is None:
            row.append("")
        elif isinstance(value, dt.date):
            row.append(typed_date(rng, value))
        elif name in ("interpretation_forms", "interpretation_channels", "interpretation_topics"):
            sep = rng.choice(SEPARATORS)
            row.append(sep.join(rng.choice(DOC_LABELS[name][code]) for code in value))
        elif name in DOC_LABELS:
            row.append(label(rng, DOC_LABELS[name][value]))
        else:
            row.append(str(value))
    return row


# ------------------------------------------------------------------ 依申请公开登记台账
OUTCOME_WEIGHTS = {
    "disclosed": 45, "partial": 8, "withheld_process": 3, "withheld_internal": 2, "withheld_third_party": 3,
    "withheld_enforcement": 1, "withheld_inquiry": 1, "unavailable_not_held": 10, "unavailable_needs_creation": 4,
    "unavailable_unclear": 2, "rejected_petition": 3, "rejected_repeat": 2, "rejected_publication": 1,
}
OUTCOME_LABELS = {
    "disclosed": ["予以公开", "公开"], "partial": ["部分公开"], "withheld_process": ["属于四类过程性信息", "不予公开-属于四类过程性信息"],
    "withheld_internal": ["属于三类内部事务信息"], "withheld_third_party": ["保护第三方合法权益"],
    "withheld_enforcement": ["属于行政执法案卷"], "withheld_inquiry": ["属于行政查询事项"],
    "unavailable_not_held": ["本机关不掌握相关政府信息", "信息不存在", "政府信息不存在"],
    "unavailable_needs_creation": ["没有现成信息需要另行制作"], "unavailable_unclear": ["补正后申请内容仍不明确"],
    "rejected_petition": ["信访举报投诉类申请"], "rejected_repeat": ["重复申请"], "rejected_publication": ["要求提供公开出版物"],
    "other_no_correction": ["逾期不补正"],
}
WITHHELD = {"partial", "withheld_process", "withheld_internal", "withheld_third_party", "withheld_enforcement", "withheld_inquiry"}
UNAVAILABLE = {"unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"}
REQUEST_TOPICS = [
    "{city}市{year}年度消费券发放金额及核销情况", "{city}某开发区扩区审批材料", "2020年省级商务发展专项资金分配明细",
    "某商贸有限公司单用途预付卡备案信息", "{city}市农贸市场改造项目补助名单", "外商投资企业投诉处理结果",
    "对外贸易经营者备案登记信息", "{city}市县域商业体系建设项目资金使用情况", "成品油零售经营许可审批信息",
    "“晋享消费”活动参与商户名单", "拍卖企业设立审批材料", "二手车交易市场经营者备案信息",
]
STEP_FIELDS = ["registered_on", "accepted_on", "correction_notice_on", "correction_received_on", "consult_sent_on",
               "consult_replied_on", "opinion_on", "decided_on", "approved_on", "extension_notice_on", "replied_on"]


def make_requests(rng: random.Random, docs: list[dict], planted: Planted) -> list[dict]:
    names = list(DIVISIONS)
    requests = []
    for _ in range(120):
        received = random_workday(rng, dt.date(2021, 1, 5), dt.date(2021, 12, 20))
        requests.append({"received_on": received})
    requests.sort(key=lambda r: r["received_on"])
    on_request_docs = [d for d in docs if d["disclosure"] == "on_request" and not d.get("wanted_by_many")]
    for i, req in enumerate(requests, start=1):
        req["request_id"] = f"YSQ-2021-{i:03d}"
        kind = rng.choices(["natural_person", "business", "legal_service", "research", "nonprofit", "other_org"], [60, 25, 5, 3, 2, 5])[0]
        req["applicant_type"] = kind
        city = rng.choice(CITIES)
        req["applicant_name"] = {
            "natural_person": person(rng), "business": f"{city}{rng.choice(['恒','晋','华','鑫','泰','盛'])}{rng.choice(['通','源','达','隆','丰'])}商贸有限公司",
            "legal_service": f"山西{rng.choice(['晋阳','汾河','龙城','并州'])}律师事务所", "research": f"{city}经济研究院",
            "nonprofit": f"{city}市消费者协会", "other_org": f"{city}市商业联合会"}[kind]
        req["channel"] = rng.choices(["online", "mail", "in_person", "fax"], [55, 25, 15, 5])[0]
        req["department"] = rng.choices(names, [DIVISIONS[d][1] for d in names])[0]
        req["requested_info"] = "申请公开" + rng.choice(REQUEST_TOPICS).format(city=city, year=rng.choice([2019, 2020]))
        if rng.random() < 0.2 and on_request_docs:
            # each of these documents is asked for once, so only the planted ones reach 3 applicants
            doc = on_request_docs.pop(rng.randrange(len(on_request_docs)))
            req["doc_ref"], req["department"] = doc["doc_id"], doc["department"]
            req["requested_info"] = f"申请公开《{doc['title']}》({doc['doc_id']})"
        req["outcome"] = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
        req["needs_correction"] = rng.random() < 0.12
        req["consult"] = req["outcome"] in ("partial", "withheld_third_party") or rng.random() < 0.05
        req["extension"] = rng.random() < 0.08
    # the documents that many applicants ask for (三(二), 条例第四十四条)
    wanted = [d for d in docs if d.get("wanted_by_many")]
    pool = [r for r in requests if "doc_ref" not in r and r["received_on"].month <= 10]
    rng.shuffle(pool)
    for doc in wanted:
        for _ in range(rng.choice([3, 4])):
            req = pool.pop()
            req["doc_ref"], req["department"] = doc["doc_id"], doc["department"]
            req["requested_info"] = f"申请公开《{doc['title']}》"
            req["outcome"] = rng.choice(["disclosed", "partial"])
    for req in requests:
        _schedule(rng, req)
    _spoil_requests(rng, requests, planted)
    _bring_due_soon(requests)
    return requests


def _bring_due_soon(requests: list[dict]) -> None:
    """Move the open requests that are not yet due (green on the audit date) earlier, every date
    by the same number of working days, so that their deadline falls 3 working days after the
    audit date: yellow lights (due soon, DESIGN §6) in the demo's 即将到期 section, the ``due``
    list and the rectification list. Nothing else changes: the steps keep their working-day
    intervals and no random number is drawn, so every other row is as before."""
    for req in requests:
        if "replied_on" in req or req["consult"] or "correction_notice_on" in req:
            continue
        limit = 40 if req["extension"] and req.get("extension_approver") else 20
        deadline = add_workdays(req["received_on"], limit)
        if deadline <= AS_OF:
            continue  # overdue: red, as planted
        shift = workdays_between(add_workdays(AS_OF, 3), deadline)
        for f in ["received_on", *STEP_FIELDS]:
            if f in req:
                req[f] = sub_workdays(req[f], shift)


def _schedule(rng: random.Random, req: dict) -> None:
    """Fill the process dates of a request handled on time, in the plan's order."""
    received = req["received_on"]
    req["registered_on"] = add_workdays(received, rng.choice([0, 0, 1]))
    req["accepted_on"] = add_workdays(req["registered_on"], rng.choice([0, 1]))
    step = req["accepted_on"]
    if req["needs_correction"]:
        req["correction_notice_on"] = add_workdays(received, rng.randint(2, 5))
        req["correction_count"] = 1
        req["correction_received_on"] = add_workdays(req["correction_notice_on"], rng.randint(2, 6))
        step = req["correction_received_on"]
    if req["consult"]:
        req["consult_sent_on"] = add_workdays(step, rng.randint(1, 2))
        req["consult_replied_on"] = add_workdays(req["consult_sent_on"], rng.randint(5, 14))
        step = req["consult_replied_on"]
    if req["extension"]:
        req["extension_notice_on"] = add_workdays(received if not req["needs_correction"] else req["correction_received_on"], 17)
        req["extension_approver"] = "办公室主任" + person(rng)
        step = max(step, req["extension_notice_on"])
    req["opinion_on"] = add_workdays(step, rng.randint(1, 3) + (8 if req["extension"] else 0))
    req["decided_on"] = add_workdays(req["opinion_on"], rng.randint(0, 2))
    req["approved_on"] = add_workdays(req["decided_on"], rng.randint(0, 1))
    req["replied_on"] = add_workdays(req["approved_on"], rng.randint(0, 2))
    req["reply_form"] = "written"
    if req["outcome"] in WITHHELD:
        basis, reason = rng.choice(EXEMPT_BASES)
        req["reply_reason"] = f"依据{basis},{reason}"
    if req["outcome"] in UNAVAILABLE:
        req["convenience_reply"] = rng.choice([
            "经检索未发现该信息,建议向所在市商务局咨询(附联系电话)", "已告知可在厅网站“政策文件”栏目查询相关公开信息",
            "已告知该信息由省市场监管局掌握并提供其联系方式", "已电话联系申请人,指导其重新描述所需信息"])
    # anything that would happen after the audit date is not in a year-end ledger
    for f in STEP_FIELDS:
        if f in req and req[f] > AS_OF:
            del req[f]
    if "replied_on" not in req:
        for f in ("reply_form", "outcome", "reply_reason", "convenience_reply"):
            req.pop(f, None)


def _shift(req: dict, fields: list[str], workdays: int) -> None:
    for f in fields:
        if f in req:
            req[f] = add_workdays(req[f], workdays)


def _spoil_requests(rng: random.Random, requests: list[dict], planted: Planted) -> None:
    taken: set[int] = set()
    done = [r for r in requests if "replied_on" in r and r["replied_on"] <= dt.date(2021, 11, 30)]
    plain = [r for r in done if not (r["needs_correction"] or r["consult"] or r["extension"])]

    # an applicant who never sends the correction: the request lapses (not counted by the clock)
    lapsed = spread(rng, [r for r in plain if r["received_on"].month <= 9], 1, taken)[0]
    lapsed.update(needs_correction=True, correction_notice_on=add_workdays(lapsed["received_on"], 3), correction_count=1, outcome="other_no_correction")
    for f in ("correction_received_on", "opinion_on", "decided_on", "approved_on", "replied_on", "reply_form", "reply_reason", "convenience_reply"):
        lapsed.pop(f, None)

    for i, req in enumerate(spread(rng, done, 3, taken)):
        field = ["registered_on", "registered_on", "applicant_type"][i]
        req.pop(field)
        planted.add("REQ-REG-01", "requests", req["request_id"], ("登记日期" if i < 2 else "申请人类型") + " left blank")

    twin = spread(rng, done, 2, taken)
    twin[1]["request_id"] = twin[0]["request_id"]
    planted.add("REQ-REG-02", "requests", twin[0]["request_id"], "the same number given to two different requests")

    for req, form in zip(spread(rng, done, 3, taken), ["oral", "oral", "oral"]):
        req["reply_form"] = form
        req["reply_form_label"] = rng.choice(["电话告知", "口头答复", "电话"])
        planted.add("REQ-REPLY-01", "requests", req["request_id"], f"answered by {req['reply_form_label']}, not in writing")

    corrected = [r for r in done if r["needs_correction"] and not r["consult"] and id(r) not in taken]
    for req in spread(rng, corrected, 3, taken):
        req["correction_notice_on"] = add_workdays(req["received_on"], rng.randint(9, 12))
        req["accepted_on"] = min(req["accepted_on"], req["correction_notice_on"])
        req["correction_received_on"] = add_workdays(req["correction_notice_on"], 2)
        _reschedule_after(req, add_workdays(req["correction_received_on"], 5))
        planted.add("REQ-CORR-01", "requests", req["request_id"], f"补正告知 {workdays_between(req['received_on'], req['correction_notice_on'])} working days after receipt")
    never_told = spread(rng, [r for r in plain if r["received_on"].month <= 9], 1, taken)[0]
    never_told["needs_correction"] = True
    planted.add("REQ-CORR-01", "requests", never_told["request_id"], "marked 需补正 but no 补正告知 was ever sent")

    for req in spread(rng, [r for r in corrected if id(r) not in taken] or corrected, 2, taken):
        req["correction_count"] = 2
        planted.add("REQ-CORR-02", "requests", req["request_id"], "补正告知 twice")

    for i, req in enumerate(spread(rng, plain, 3, taken)):
        if i == 0:
            req["approved_on"], req["decided_on"] = req["decided_on"] - dt.timedelta(days=3), req["approved_on"]
            planted.add("REQ-SEQ-01", "requests", req["request_id"], "报批 before 作出决定")
        elif i == 1:
            req["opinion_on"] = req["accepted_on"] - dt.timedelta(days=2)
            planted.add("REQ-SEQ-01", "requests", req["request_id"], "办理意见 before 受理")
        else:
            req["registered_on"] = req["accepted_on"] + dt.timedelta(days=5)
            planted.add("REQ-SEQ-01", "requests", req["request_id"], "登记 after 受理")
    backwards = spread(rng, [r for r in plain if r["received_on"].month >= 3], 1, taken)[0]
    backwards["replied_on"] = backwards["received_on"] - dt.timedelta(days=26)
    planted.add("REQ-SEQ-01", "requests", backwards["request_id"], "答复日期 before 收到申请日期 (typing error)")
    planted.add("REQ-DEADLINE-01", "requests", backwards["request_id"], "答复日期 before 收到申请日期")

    for req in spread(rng, plain, 4, taken):
        _reschedule_after(req, add_workdays(req["received_on"], rng.randint(21, 27)))
        planted.add("REQ-DEADLINE-01", "requests", req["request_id"], f"answered {workdays_between(req['received_on'], req['replied_on'])} working days after receipt, no extension")
    overdue = spread(rng, [r for r in plain if 9 <= r["received_on"].month <= 10], 1, taken)[0]
    for f in ("opinion_on", "decided_on", "approved_on", "replied_on", "reply_form", "outcome", "reply_reason", "convenience_reply"):
        overdue.pop(f, None)
    planted.add("REQ-DEADLINE-01", "requests", overdue["request_id"], "received in autumn, still unanswered on 2021-12-31")
    ext = spread(rng, [r for r in plain if r["received_on"].month <= 9], 1, taken)[0]
    ext.update(extension=True, extension_approver="办公室主任" + person(rng), extension_notice_on=add_workdays(ext["received_on"], 18))
    _reschedule_after(ext, add_workdays(ext["received_on"], 44))
    planted.add("REQ-DEADLINE-01", "requests", ext["request_id"], "extended, but answered 44 working days after receipt (limit 40)")

    for i, req in enumerate(spread(rng, [r for r in done if r["extension"] and id(r) not in taken], 2, taken)):
        req.pop("extension_approver" if i == 0 else "extension_notice_on")
        planted.add("REQ-EXT-01", "requests", req["request_id"], "延期批准人 left blank" if i == 0 else "延期告知日期 left blank")

    unknown, blank = spread(rng, [r for r in done if r.get("outcome") == "disclosed"], 2, taken)
    unknown["outcome_label"] = "已办结"
    planted.add("REQ-OUTCOME-01", "requests", unknown["request_id"], "办理结果 is the unknown label 已办结")
    blank.pop("outcome")
    planted.add("REQ-OUTCOME-01", "requests", blank["request_id"], "办理结果 left blank")

    for req in spread(rng, [r for r in done if r.get("outcome") in WITHHELD], 3, taken):
        req.pop("reply_reason", None)
        planted.add("REQ-REASON-01", "requests", req["request_id"], "不予公开理由 left blank")

    for req in spread(rng, [r for r in done if r.get("outcome") in UNAVAILABLE], 3, taken):
        req.pop("convenience_reply", None)
        planted.add("REQ-CONV-01", "requests", req["request_id"], "no 便民答复")


def _reschedule_after(req: dict, reply: dt.date) -> None:
    """Move the last steps so that the reply is on ``reply`` and the steps stay in order."""
    earlier = ("accepted_on", "correction_notice_on", "correction_received_on", "consult_sent_on", "consult_replied_on")
    earliest = max(req[f] for f in earlier if f in req)
    reply = max(reply, add_workdays(earliest, 2))
    req["replied_on"] = req["approved_on"] = req["decided_on"] = reply
    req["opinion_on"] = max(earliest, reply - dt.timedelta(days=3))


# ------------------------------------------------------------------ across the year boundary
# The request ledger is kept across years: the requests received at the end of 2020 are still
# in it, below the 2021 ones. Those answered in January 2021 are table 三's 二 (上年结转) of the
# 2021 annual report; the one answered in 2020 is in no 2021 table. A separate random stream,
# so that the 2021 rows (and every planted violation) stay as they are.
CARRIED_OVER = [  # (received, applicant type, outcome, division, needs a correction, consults a third party)
    (dt.date(2020, 11, 23), "natural_person", "disclosed", "运行处", False, False),
    (dt.date(2020, 12, 21), "natural_person", "disclosed", "外贸处", True, False),
    (dt.date(2020, 12, 24), "business", "partial", "外资处", False, True),
    (dt.date(2020, 12, 28), "legal_service", "unavailable_not_held", "流通处", False, False),
    (dt.date(2020, 12, 30), "natural_person", "rejected_repeat", "办公室", False, False),
]


def make_carried_over(rng: random.Random) -> list[dict]:
    requests = []
    for i, (received, kind, outcome, dept, correction, consult) in enumerate(CARRIED_OVER, start=1):
        city = rng.choice(CITIES)
        req = {"request_id": f"YSQ-2020-{120 + i:03d}", "received_on": received, "applicant_type": kind,
               "applicant_name": person(rng) if kind == "natural_person" else
               {"business": f"{city}鑫达商贸有限公司", "legal_service": "山西汾河律师事务所"}[kind],
               "channel": rng.choice(["online", "mail"]), "department": dept,
               "requested_info": "申请公开" + rng.choice(REQUEST_TOPICS).format(city=city, year=2020),
               "outcome": outcome, "needs_correction": correction, "consult": consult, "extension": False}
        _schedule(rng, req)
        requests.append(req)
    return requests


#: 政府信息公开行政复议、行政诉讼台账 (table 四): fixed cases, some across the year boundary
REVIEWS = [  # case, kind, request, claimant, authority, division, filed, closed, result
    ("晋政复〔2020〕88号", "行政复议", "YSQ-2020-121", "申请人", "山西省人民政府", "运行处", "2020-12-28", "2021-02-26", "维持"),
    ("晋政复〔2021〕31号", "行政复议", "YSQ-2021-018", "申请人", "山西省人民政府", "外资处", "2021-04-12", "2021-06-10", "维持"),
    ("晋政复〔2021〕97号", "行政复议", "YSQ-2021-045", "申请人", "山西省人民政府", "外贸处", "2021-11-22", "", "审理中"),
    ("(2021)晋0105行初52号", "未经复议直接起诉", "YSQ-2021-058", "原告", "太原市小店区人民法院", "流通处", "2021-06-03", "2021-09-17", "驳回诉讼请求"),
    ("(2021)晋0106行初77号", "复议后起诉", "YSQ-2021-018", "原告", "太原市迎泽区人民法院", "外资处", "2021-07-05", "2021-10-20", "撤诉"),
    ("晋政复〔2020〕41号", "行政复议", "YSQ-2020-121", "申请人", "山西省人民政府", "运行处", "2020-06-01", "2020-07-30", "纠正"),
]


def write_reviews(path: Path) -> None:
    headers = ["案件编号", "案件类型", "涉及申请编号", "复议申请人或原告", "复议机关或法院", "承办处室", "收到日期", "审结日期", "审理结果"]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["山西省商务厅政府信息公开行政复议、行政诉讼台账"] + [""] * (len(headers) - 1))
        w.writerow(headers)
        for case, kind, request, role, authority, dept, filed, closed, result in REVIEWS:
            w.writerow([case, kind, request, role, authority, dept, filed, closed, result])


# 规范性文件目录: every normative document of the department still listed (not only this year's),
# with its repeal date, for table 二's 本年制发 / 本年废止 / 现行有效 (disclosure-rules annual-report
# --data documents=normative-documents.csv). Not a dataset file of the demo audit.
NORMATIVE = [  # doc id, title, issued, repealed, division
    ("晋商流规〔2018〕1号", "山西省单用途商业预付卡管理实施办法", "2018-03-12", "2021-06-30", "秩序处"),
    ("晋商建规〔2019〕1号", "山西省城市便民商业网点建设管理办法", "2019-05-20", "", "建设处"),
    ("晋商贸规〔2019〕2号", "山西省外贸发展专项资金管理办法", "2019-08-01", "2021-09-30", "外贸处"),
    ("晋商资规〔2020〕1号", "山西省外商投资企业投诉工作办法", "2020-04-15", "", "外资处"),
    ("晋商电规〔2020〕2号", "山西省电子商务进农村综合示范项目管理办法", "2020-09-10", "", "电商处"),
    ("晋商贸规〔2021〕1号", "山西省外贸发展专项资金管理办法(修订)", "2021-09-28", "", "外贸处"),
    ("晋商流规〔2021〕2号", "山西省单用途商业预付卡管理办法", "2021-06-25", "", "秩序处"),
    ("晋商服规〔2021〕3号", "山西省服务外包产业发展资金管理办法", "2021-11-16", "", "服贸处"),
]


def write_normative(path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["文号", "文件标题", "文件类型", "公开属性", "成文日期", "废止日期", "起草处室"])
        for doc_id, title, issued, repealed, dept in NORMATIVE:
            w.writerow([doc_id, title, "行政规范性文件", "主动公开", issued, repealed, dept])


REQ_LABELS = {
    "applicant_type": {"natural_person": ["自然人", "个人"], "business": ["商业企业", "企业"], "legal_service": ["法律服务机构", "律师事务所"],
                       "research": ["科研机构"], "nonprofit": ["社会公益组织"], "other_org": ["其他"]},
    "channel": {"online": ["网络", "网上申请", "电子邮件"], "mail": ["邮寄", "信函"], "in_person": ["当面", "当面提交"], "fax": ["传真"]},
    "reply_form": {"written": ["书面", "书面答复", "告知书"]},
    "needs_correction": {True: ["是"], False: ["否", ""]},
    "extension_approved": {True: ["是", "Y"], False: ["否", ""]},
}
REQ_COLUMNS = [
    ("申请编号", "request_id"), ("收到申请日期", "received_on"), ("申请方式", "channel"), ("申请人", "applicant_name"),
    ("申请人情况", "applicant_type"), ("申请内容", "requested_info"), ("涉及文号", "doc_ref"), ("承办处室", "department"),
    ("登记日期", "registered_on"), ("受理日期", "accepted_on"), ("是否需补正", "needs_correction"),
    ("补正告知日期", "correction_notice_on"), ("补正告知次数", "correction_count"), ("收到补正日期", "correction_received_on"),
    ("征求意见日期", "consult_sent_on"), ("意见反馈日期", "consult_replied_on"), ("提出办理意见日期", "opinion_on"),
    ("作出决定日期", "decided_on"), ("报批日期", "approved_on"), ("是否延期", "extension_approved"),
    ("延期批准人", "extension_approver"), ("延期告知日期", "extension_notice_on"), ("答复日期", "replied_on"),
    ("答复形式", "reply_form"), ("办理结果", "outcome"), ("不予公开理由", "reply_reason"), ("便民答复", "convenience_reply"),
]


def render_request(rng: random.Random, req: dict) -> list[str]:
    req = dict(req, extension_approved=req["extension"])
    row = []
    for _, name in REQ_COLUMNS:
        value = req.get(name)
        if name == "reply_form" and "reply_form_label" in req:
            row.append(req["reply_form_label"])
        elif name == "outcome" and "outcome_label" in req:
            row.append(req["outcome_label"])
        elif value is None:
            row.append("")
        elif isinstance(value, dt.date):
            row.append(typed_date(rng, value))
        elif name == "outcome":
            row.append(rng.choice(OUTCOME_LABELS[value]))
        elif name in REQ_LABELS:
            row.append(label(rng, REQ_LABELS[name][value]))
        else:
            row.append(str(value))
    return row


# ------------------------------------------------------------------ optional ledgers (XLSX)
def write_xlsx(path: Path, sheet: str, title: str, headers: list[str], rows: list[list], rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title] + [None] * (len(headers) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(headers)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.date):
                # about half real Excel date cells, the rest typed as text
                cells.append(value if rng.random() < 0.5 else typed_date(rng, value))
            else:
                cells.append(value)
        ws.append(cells)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for col, header in zip("ABCDEFGHIJ", headers):
        ws.column_dimensions[col].width = max(12, len(header) * 2 + 4)
    wb.properties.creator = "disclosure-rules examples"
    wb.properties.created = dt.datetime(2022, 1, 4, 9, 0, 0)
    wb.properties.modified = dt.datetime(2022, 1, 4, 9, 0, 0)
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Give every member of the .xlsx the same timestamp so that the file is byte-for-byte reproducible."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                import re

                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2022-01-04T09:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2022, 1, 4, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


def make_messages(rng: random.Random, planted: Planted) -> list[list]:
    subjects = ["咨询消费券使用范围", "反映预付卡商家跑路", "咨询外贸企业纾困政策申报条件", "咨询二手车交易登记流程",
                "建议增设农贸市场", "咨询电商进农村项目申报", "反映商场促销价格问题", "咨询外资企业设立备案",
                "咨询成品油零售许可", "咨询开发区招商政策", "咨询老字号认定条件", "反映网站链接失效",
                "咨询对外劳务合作资质", "咨询服务外包补贴"]
    depts = ["运行处", "秩序处", "外贸处", "流通处", "建设处", "电商处", "运行处", "外资处", "流通处", "开发区处", "流通处", "办公室", "合作处", "服贸处"]
    channels = ["网站留言板", "厅长信箱", "网站留言板", "微信公众号", "领导信箱", "网站留言板", "留言板"]
    rows, spoil = [], {2: "late", 7: "late", 12: "open", 4: "short", 9: "short"}
    for i, (subject, dept) in enumerate(zip(subjects, depts)):
        received = random_workday(rng, dt.date(2021, 1, 4) + dt.timedelta(days=25 * i), dt.date(2021, 1, 20) + dt.timedelta(days=25 * i))
        replied = add_workdays(received, rng.randint(2, 8))
        text = f"您好,关于您{subject[:2]}的问题,经{dept}核实答复如下:相关政策详见厅网站政策文件栏目,如有疑问请致电0351-4085xxx。"
        key = f"LY-2021-{i + 1:03d}"
        what = spoil.get(i)
        if what == "late":
            replied = add_workdays(received, rng.randint(14, 20))
            planted.add("MSG-REPLY-01", "messages", key, f"answered {workdays_between(received, replied)} working days after receipt (limit 10)")
        elif what == "open":
            received, replied, text = dt.date(2021, 11, 22), None, None
            planted.add("MSG-REPLY-01", "messages", key, "received 2021-11-22, no reply by 2021-12-31")
        elif what == "short":
            text = rng.choice(["已收悉。", "已转相关处室办理"])
            planted.add("MSG-QUALITY-01", "messages", key, f"reply is only '{text}'")
        rows.append([key, rng.choice(channels), subject, dept, received, replied, text])
    return rows


def make_opinions(rng: random.Random, planted: Planted) -> list[list]:
    events = [("网传“晋享消费”消费券系统故障", "运行处", "一般"), ("某商场预付卡商户闭店引发投诉", "秩序处", "一般"),
              ("外贸企业反映出口退税政策落实慢", "外贸处", "一般"), ("疫情期间蔬菜价格上涨舆情", "运行处", "较大"),
              ("某开发区招商项目停工报道", "开发区处", "一般"), ("网传二手车交易新政", "流通处", "一般"),
              ("媒体报道农村电商站点闲置", "电商处", "一般"), ("大型商场火灾隐患网帖", "建设处", "重大")]
    rows = []
    for i, (subject, dept, level) in enumerate(events):
        found = dt.date(2021, 1, 10) + dt.timedelta(days=43 * i + rng.randint(0, 10))
        responded = found + dt.timedelta(days=rng.choice([0, 1, 1, 2]) if level != "重大" else 0)
        key = f"YQ-2021-{i + 1:02d}"
        if i in (2, 6):
            responded = found + dt.timedelta(days=4 + i // 2)
            planted.add("OPN-RESPOND-01", "opinions", key, f"responded {(responded - found).days} days after it was found (limit 48 hours)")
        rows.append([key, subject, level, dept, found, responded, rng.choice(["官方网站发布情况说明", "微信公众号回应", "接受媒体采访", "新闻发布会"])])
    return rows


def make_meetings(planted: Planted) -> list[list]:
    rows = [
        ["2021年第1次政务公开领导小组会议", dt.date(2021, 3, 16), "政务公开领导小组会议", "政务公开工作要点", "办公室"],
        ["厅党组会议(2021年第18次)", dt.date(2021, 7, 20), "厅党组会议", "行政执法公开", "执法处"],
        ["厅务会(2021年第9次)", dt.date(2021, 10, 26), "厅务会", "财政预决算公开", "财务处"],
    ]
    # a count finding's key is its group: "(all)" without `per`, else the group's label
    planted.add("MTG-01", "meetings", "(all)", "only 3 agenda items studied disclosure work in 2021 (at least 4)")
    for topic in ("政务服务公开", "市场监管公开", "征地信息公开", "“双公示”工作"):
        planted.add("MTG-02", "meetings", topic, f"no meeting studied {topic}")
    return rows


def write_waivers(path: Path, planted: Planted) -> None:
    """Waivers for three planted findings; the last one has expired by the demo's as-of date."""
    import re

    def late(row):
        found = re.search(r"(\d+) working days", row["what"])
        return int(found.group(1)) if found else 999

    request = min((r for r in planted.rows if r["rule"] == "REQ-DEADLINE-01"), key=late)
    message = next(r for r in planted.rows if r["rule"] == "MSG-REPLY-01")
    document = min((r for r in planted.rows if r["rule"] == "DOC-TIMELY-01"), key=late)
    path.write_text(f"""# Approved exceptions (豁免) for the 2021 self-check; see README.md.
# A waived record leaves the rule's population and is listed as waived. A waiver whose
# `expires` is before the audit's as-of date is ignored, with a warning: the last one here.
# Written by make_examples.py from the planted violations (expected_findings.csv).
waivers:
  - rule: REQ-DEADLINE-01
    key: "{request['key']}"
    reason: 申请人书面同意延后答复以便补充身份证明材料(附申请人说明)
    approved_by: 办公室主任
    expires: 2022-06-30
  - rule: MSG-REPLY-01
    key: "{message['key']}"
    reason: 留言涉及多个处室会商,经分管厅领导同意延期回复
    approved_by: 分管厅领导
    expires: 2022-03-31
  - rule: DOC-TIMELY-01
    key: "{document['key']}"
    reason: 文件须与省政府配套政策同日发布,经办公室同意暂缓公开
    approved_by: 办公室主任
    expires: 2021-10-31
""", encoding="utf-8")


# ------------------------------------------------------------------ main
def main() -> None:
    rng = random.Random(SEED)
    planted = Planted()
    docs = make_documents(rng, planted)
    requests = make_requests(rng, docs, planted)

    n_cols = len(DOC_COLUMNS)
    with open(HERE / "documents.csv", "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["山西省商务厅2021年公文台账"] + [""] * (n_cols - 1))
        w.writerow([h for h, _ in DOC_COLUMNS])
        for number, doc in enumerate(docs, start=1):
            w.writerow(render_document(rng, number, doc))

    n_cols = len(REQ_COLUMNS)
    with open(HERE / "requests.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["山西省商务厅2021年政府信息公开申请登记台账"] + [""] * (n_cols - 1))
        w.writerow(["填报单位:办公室", "", "", "统计截止:2021年12月31日"] + [""] * (n_cols - 4))
        w.writerow([h for h, _ in REQ_COLUMNS])
        for req in requests:
            w.writerow(render_request(rng, req))
        carry_rng = random.Random(SEED - 1)
        for req in make_carried_over(carry_rng):
            w.writerow(render_request(carry_rng, req))

    write_xlsx(HERE / "messages.xlsx", "留言办理台账", "山西省商务厅2021年网站留言及厅长信箱办理台账",
               ["留言编号", "留言渠道", "留言标题", "办理处室", "留言日期", "回复日期", "回复内容"], make_messages(rng, planted), rng)
    write_xlsx(HERE / "opinions.xlsx", "舆情回应台账", "山西省商务厅2021年政务舆情回应台账",
               ["舆情编号", "舆情事项", "舆情级别", "责任处室", "发现日期", "回应日期", "回应方式"], make_opinions(rng, planted), rng)
    write_xlsx(HERE / "meetings.xlsx", "会议研究台账", "2021年厅政务公开领导小组及厅领导班子研究政务公开工作台账",
               ["会议名称", "会议日期", "会议类型", "研究议题", "承办处室"], make_meetings(planted), rng)

    with open(HERE / "expected_findings.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["rule", "dataset", "key", "what"])
        w.writeheader()
        w.writerows(planted.rows)
    write_waivers(HERE / "waivers.yaml", planted)
    write_reviews(HERE / "reviews.csv")
    write_normative(HERE / "normative-documents.csv")
    print(f"wrote {len(docs)} documents, {len(requests)} requests, {len(planted.rows)} planted violations to {HERE}")


if __name__ == "__main__":
    main()
