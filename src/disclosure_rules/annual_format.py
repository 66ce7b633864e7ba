"""The national format of the annual report's tables (国办公开办函〔2021〕30号), as data.

Tables 二, 三 and 四 of 《中华人民共和国政府信息公开工作年度报告格式》 (DESIGN §14,
``reference/disclosure-law-facts.md`` §3). The labels are the format's own Chinese words,
verbatim: they are what an office pastes into its report and what a checker matches a
published table against, so they are the same in every output language.

Conventions:

- table 三's rows have the format's ids (``一``, ``二``, ``三(一)`` ... ``三(六)3``, ``三(七)``,
  ``四``); :data:`LEAF_ROWS` are the outcome rows a request can land in, in the format's
  order; the group headings (``三``, ``三(三)`` ...) hold no numbers;
- table 三's columns are the six applicant columns and 总计 (:data:`COLUMNS`), the last
  five of the six under the spanning heading 法人或其他组织;
- table 四's groups and columns are :data:`REVIEW_GROUPS` x :data:`REVIEW_COLUMNS`;
- :func:`label_key` is the key under which labels match, tolerant of the small typos real
  reports carry (三类内容事务信息, 只计这一情况): see :func:`best_label`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

__all__ = ["COLUMNS", "APPLICANT_COLUMNS", "ORG_COLUMNS", "ORG_HEADING", "TOTAL", "ROWS", "ROW_LABELS",
           "LEAF_ROWS", "GROUPS", "ROW_ORDER", "REVIEW_GROUPS", "REVIEW_COLUMNS", "REVIEW_RESULTS",
           "REVIEW_SUPER", "DOCUMENT_ROWS", "DOCUMENT_COLUMNS", "DECISION_ROWS", "DECISION_COLUMN",
           "FEE_ROW", "FEE_COLUMN", "IDENTITY_NOTE", "label_key", "best_label"]

TOTAL = "总计"
#: table 三's applicant columns (申请人情况), then 总计
APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
COLUMNS = APPLICANT_COLUMNS + (TOTAL,)
ORG_HEADING = "法人或其他组织"
ORG_COLUMNS = APPLICANT_COLUMNS[1:]
#: the header note of table 三's row identity, verbatim
IDENTITY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

#: (row id, label) of every row of table 三, headings included, in the format's order
ROWS: tuple[tuple[str, str], ...] = (
    ("一", "本年新收政府信息公开申请数量"),
    ("二", "上年结转政府信息公开申请数量"),
    ("三", "本年度办理结果"),
    ("三(一)", "予以公开"),
    ("三(二)", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("三(三)", "不予公开"),
    ("三(三)1", "属于国家秘密"),
    ("三(三)2", "其他法律行政法规禁止公开"),
    ("三(三)3", "危及“三安全一稳定”"),
    ("三(三)4", "保护第三方合法权益"),
    ("三(三)5", "属于三类内部事务信息"),
    ("三(三)6", "属于四类过程性信息"),
    ("三(三)7", "属于行政执法案卷"),
    ("三(三)8", "属于行政查询事项"),
    ("三(四)", "无法提供"),
    ("三(四)1", "本机关不掌握相关政府信息"),
    ("三(四)2", "没有现成信息需要另行制作"),
    ("三(四)3", "补正后申请内容仍不明确"),
    ("三(五)", "不予处理"),
    ("三(五)1", "信访举报投诉类申请"),
    ("三(五)2", "重复申请"),
    ("三(五)3", "要求提供公开出版物"),
    ("三(五)4", "无正当理由大量反复申请"),
    ("三(五)5", "要求行政机关确认或重新出具已获取信息"),
    ("三(六)", "其他处理"),
    ("三(六)1", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("三(六)2", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("三(六)3", "其他"),
    ("三(七)", "总计"),
    ("四", "结转下年度继续办理"),
)
ROW_LABELS = dict(ROWS)
#: headings with no numbers of their own (三(三)...三(六) are the sum of their sub-rows)
GROUPS = {"三": "本年度办理结果", "三(三)": "不予公开", "三(四)": "无法提供", "三(五)": "不予处理", "三(六)": "其他处理"}
#: the rows a closed request lands in, one per outcome, in the format's order
LEAF_ROWS = tuple(rid for rid, _ in ROWS if rid.startswith("三(") and rid not in GROUPS and rid != "三(七)")
#: the rows that carry numbers, in the format's order (what the JSON's ``rows`` holds)
ROW_ORDER = ("一", "二") + LEAF_ROWS + ("三(七)", "四")

#: table 四: 行政复议, then the two groups of 行政诉讼
REVIEW_SUPER = "行政诉讼"
REVIEW_GROUPS = ("行政复议", "未经复议直接起诉", "复议后起诉")
REVIEW_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
REVIEW_COLUMNS = REVIEW_RESULTS + (TOTAL,)

#: table 二: 第二十条第（一）项 (documents), (五)(六) (decisions) and (八) (fees)
DOCUMENT_ROWS = ("规章", "行政规范性文件")
DOCUMENT_COLUMNS = ("本年制发件数", "本年废止件数", "现行有效件数")
DECISION_ROWS = ("行政许可", "行政处罚", "行政强制")
DECISION_COLUMN = "本年处理决定数量"
FEE_ROW = "行政事业性收费"
FEE_COLUMN = "本年收费金额（单位：万元）"

#: the tables' own titles in the report
TABLE_TITLES = {"二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
                "四": "四、政府信息公开行政复议、行政诉讼情况"}
#: table 二's block headings, the label column's and table 三's applicant heading
TABLE2_BLOCKS = ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项")
CONTENT_HEADING = "信息内容"
APPLICANT_HEADING = "申请人情况"


def row_heading(row_id: str) -> str:
    """A row's label with the format's numbering: ``一、…``, ``（二）部分公开（…）``, ``5.属于…``."""
    if row_id in ("一", "二", "三", "四"):
        prefix = f"{row_id}、"
    elif row_id[-1].isdigit():
        prefix = f"{row_id[len('三(三)'):]}."
    else:
        prefix = f"（{row_id[2:-1]}）"
    return prefix + ROW_LABELS[row_id]


def quoted_texts() -> list[str]:
    """Every text of the format the outputs quote (titles, headings, labels, the header note):
    the format's own Chinese, shown as it is in every output language."""
    return [*TABLE_TITLES.values(), *TABLE2_BLOCKS, CONTENT_HEADING, APPLICANT_HEADING, IDENTITY_NOTE,
            ORG_HEADING, *COLUMNS, *(row_heading(rid) for rid, _ in ROWS), *ROW_LABELS.values(),
            *GROUPS.values(), REVIEW_SUPER, *REVIEW_GROUPS, *REVIEW_COLUMNS, *DOCUMENT_ROWS, *DOCUMENT_COLUMNS,
            *DECISION_ROWS, DECISION_COLUMN, FEE_ROW, FEE_COLUMN]


_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")
_NOISE = re.compile(r"[\s\u3000:：,，。、;；“”\"'‘’·.．\-—_*★]+")
_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[)）]?[、.．]?|[0-9]+[、.．])+")


def label_key(text: str, *, keep_brackets: bool = False) -> str:
    """The key under which a label matches: NFKC, no spaces or punctuation, no numbering
    such as ``（一）`` or ``1.`` in front, and (unless ``keep_brackets``) no bracketed note."""
    key = unicodedata.normalize("NFKC", str(text)).strip()
    if not keep_brackets:
        key = _BRACKETS.sub("", key)
    key = _NOISE.sub("", key).replace("其它", "其他")  # both are written
    return _NUMBERING.sub("", key).casefold()


def best_label(text: str, labels, *, cutoff: float = 0.8) -> str | None:
    """The label of ``labels`` that ``text`` names: equal keys first, then the closest one
    whose similarity is at least ``cutoff`` (one or two characters mistyped), else None.

    Two labels equally close are ambiguous, and None is returned rather than a guess."""
    key = label_key(text)
    if not key:
        return None
    keyed = {label_key(label): label for label in labels}
    if key in keyed:
        return keyed[key]
    scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in keyed), reverse=True)
    if not scored or scored[0][0] < cutoff:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return keyed[scored[0][1]]
