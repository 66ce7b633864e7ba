"""The peer to beat: the built-in rulebook's rules written by hand in DuckDB SQL.

    python benchmarks/duckdb_baseline.py DATA_DIR OUT_DIR [--as-of 2021-12-31] [--threads N]

What a skilled analyst would write to check ``generate.py``'s ledgers against
builtin:shanxi-commerce-2021 without the product: one SQL script over the two CSV files, every
rule of the book that these two ledgers can answer (24 rules: 13 on 公文台账, 11 on
依申请公开登记台账; the meetings, messages and opinions ledgers are not supplied, so their
rules are not assessed, as in the audit), and a findings table (rule, row, key) written to
``OUT_DIR/findings.csv`` by ``COPY``. It prints one JSON line: per rule the population,
violations and pending rows, and the seconds of each step.

How it is done, and what it leaves out on purpose (a hand-written script knows its files):

- **Reading.** ``documents.csv`` is GB18030, which DuckDB cannot read (its ``encodings``
  extension is not installable offline here). It is transcoded to a UTF-8 file in 16 MiB
  pieces with Python's incremental decoder (``transcode``), the way an analyst would run
  ``iconv`` first. ``requests.csv`` is UTF-8 with a BOM, which DuckDB reads as it is. Both
  are read by ``read_csv(all_varchar=true)`` on every core, skipping the title rows; the
  spreadsheet row of a record is ``rowid`` + the title and header rows (a table created from
  one scan keeps the file's order).
- **Typing**, by the formats these files use and no others: dates in ``2021-03-05``,
  ``2021/3/5``, ``2021.03.05`` and ``2021年3月5日`` (``try_strptime``; an impossible date is
  blank), text trimmed with blank = NULL, booleans 是/否, the categories' labels by ``CASE``
  (a label no code has becomes ``'?'``: present, matching no code), set cells split on the
  rulebook's separators into lists of distinct codes. No Excel serial numbers, Chinese
  numerals, full-width digits, placeholder words, merged cells or repeated header rows: the
  product handles those, this script does not need to.
- **Working days**: a calendar table built in Python from ``chinesecalendar`` (Monday to
  Friday outside the years it covers, as the rulebook's ``fallback: weekends``) with the
  running count of working days; the N-th working day after a date is a join on
  ``count + N``. The reply deadline (REQ-DEADLINE-01) restarts at 收到补正日期, is extended by
  20 working days when approved, and skips the working days of the third-party consultation
  (征求意见日期 < d <= 意见反馈日期, open until the reply or the as-of date).
- **Rules**: three-valued logic as the product's (a comparison with a blank is unknown;
  unknown leaves a row out of ``where`` and is a violation in ``expect``), i.e. SQL's own
  with ``coalesce(..., false)``. One verdict table per ledger holds a population and a
  violation flag per rule; the counts are one aggregate over it, the findings a
  ``UNION ALL`` of its flagged rows.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import duckdb

CHUNK = 16 * 2**20


def transcode(source: Path, target: Path, encoding: str = "gb18030") -> None:
    """``source`` re-encoded to UTF-8 in pieces (never the whole file as one string)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(source, "rb") as src, open(target, "wb") as out:
        while piece := src.read(CHUNK):
            out.write(decoder.decode(piece).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))


def calendar_rows(first: dt.date, last: dt.date):
    """(day, working) for every day from ``first`` to ``last``: the official calendar where
    chinesecalendar covers the year, Monday to Friday elsewhere. A loop over days, not rows."""
    import chinese_calendar

    day, out = first, []
    while day <= last:
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
        out.append((day, working))
        day += dt.timedelta(days=1)
    return out


# ------------------------------------------------------------------ the SQL, by hand
MACROS = r"""
CREATE MACRO txt(x) AS nullif(trim(x), '');
CREATE MACRO day(x) AS coalesce(
    try_strptime(trim(x), '%Y-%m-%d'), try_strptime(trim(x), '%Y/%m/%d'),
    try_strptime(trim(x), '%Y.%m.%d'), try_strptime(trim(x), '%Y年%m月%d日'))::DATE;
CREATE MACRO yes_no(x) AS CASE WHEN trim(x) IN ('是', '有', 'Y', 'y', '1') THEN true
                               WHEN trim(x) IN ('否', '无', 'N', 'n', '0') THEN false END;
CREATE MACRO unknown(x) AS CASE WHEN txt(x) IS NOT NULL THEN '?' END;
CREATE MACRO labels(x) AS list_filter(string_split_regex(x, '[;；,，、/|｜+＋\r\n ]+'), lambda l: l <> '');

CREATE MACRO doc_type(x) AS CASE
    WHEN trim(x) IN ('规章', '政府规章', '部门规章') THEN 'regulation'
    WHEN trim(x) IN ('行政规范性文件', '规范性文件', '规范性') THEN 'normative'
    WHEN trim(x) IN ('政策性文件', '政策文件', '政策性') THEN 'policy'
    WHEN trim(x) IN ('其他文件', '其他', '一般性文件', '事务性文件', '一般公文') THEN 'other'
    ELSE unknown(x) END;
CREATE MACRO disclosure(x) AS CASE
    WHEN trim(x) IN ('主动公开', '主动', '公开') THEN 'active'
    WHEN trim(x) IN ('依申请公开', '依申请', '申请公开') THEN 'on_request'
    WHEN trim(x) IN ('不予公开', '不公开', '非公开', '不予主动公开') THEN 'not_public'
    ELSE unknown(x) END;
CREATE MACRO review_result(x) AS CASE
    WHEN trim(x) IN ('维持原属性', '维持', '保持不变', '不变') THEN 'keep'
    WHEN trim(x) IN ('转为主动公开', '转主动公开', '转主动', '调整为主动公开') THEN 'to_active'
    WHEN trim(x) IN ('转为涉密文件', '转涉密', '按涉密文件处理') THEN 'to_classified'
    ELSE unknown(x) END;
CREATE MACRO form(l) AS CASE
    WHEN l IN ('文字', '文字解读', '文本') THEN 'text'
    WHEN l IN ('图解', '图表', '图表图解', '一图读懂', '图片') THEN 'graphic'
    WHEN l IN ('视频', '动漫', '视频动漫', '音频', '动画') THEN 'video'
    WHEN l IN ('流程演示', '流程图') THEN 'flow'
    WHEN l IN ('问答', '简明问答', '政策问答') THEN 'qa'
    WHEN l IN ('访谈', '媒体访谈', '在线访谈', '新闻发布会') THEN 'interview' END;
CREATE MACRO channel(l) AS CASE
    WHEN l IN ('厅网站', '门户网站', '网站', '政府网站') THEN 'website'
    WHEN l IN ('微信公众号', '微信', '厅微信公众号') THEN 'wechat'
    WHEN l IN ('“山西省人民政府”微信公众号', '省政府微信公众号', '山西省人民政府微信公众号') THEN 'province_wechat'
    WHEN l IN ('微博', '政务微博') THEN 'weibo'
    WHEN l IN ('客户端', '移动客户端', 'APP') THEN 'app'
    WHEN l IN ('报纸', '报刊') THEN 'newspaper'
    WHEN l IN ('广播电视', '电视', '广播') THEN 'broadcast'
    WHEN l IN ('政务服务中心', '服务大厅') THEN 'service_center'
    WHEN l IN ('新闻发布会', '发布会') THEN 'press_conference' END;
CREATE MACRO topic(l) AS CASE
    WHEN l IN ('背景', '政策背景') THEN 'background'
    WHEN l IN ('意义', '政策意义') THEN 'meaning'
    WHEN l IN ('作用', '政策作用') THEN 'role'
    WHEN l IN ('关键词', '关键词解释') THEN 'keywords'
    WHEN l IN ('新旧政策差异', '新旧对比', '新旧差异', '主要变化') THEN 'differences' END;
-- a set cell: the distinct codes of its labels (blank cell: NULL)
CREATE MACRO forms(x) AS CASE WHEN txt(x) IS NOT NULL THEN
    list_distinct(list_filter(list_transform(labels(x), lambda l: form(l)), lambda c: c IS NOT NULL)) END;
CREATE MACRO channels(x) AS CASE WHEN txt(x) IS NOT NULL THEN
    list_distinct(list_filter(list_transform(labels(x), lambda l: channel(l)), lambda c: c IS NOT NULL)) END;
CREATE MACRO topics(x) AS CASE WHEN txt(x) IS NOT NULL THEN
    list_distinct(list_filter(list_transform(labels(x), lambda l: topic(l)), lambda c: c IS NOT NULL)) END;

CREATE MACRO applicant_type(x) AS CASE
    WHEN trim(x) IN ('自然人', '公民', '个人') THEN 'natural_person'
    WHEN trim(x) IN ('商业企业', '企业', '公司') THEN 'business'
    WHEN trim(x) IN ('科研机构') THEN 'research'
    WHEN trim(x) IN ('社会公益组织', '公益组织') THEN 'nonprofit'
    WHEN trim(x) IN ('法律服务机构', '律师事务所', '律所') THEN 'legal_service'
    WHEN trim(x) IN ('其他', '其他组织', '法人或其他组织-其他') THEN 'other_org'
    ELSE unknown(x) END;
CREATE MACRO req_channel(x) AS CASE
    WHEN trim(x) IN ('当面', '当面提交', '现场', '现场提交') THEN 'in_person'
    WHEN trim(x) IN ('邮寄', '信函', '挂号信', '平信', '快递') THEN 'mail'
    WHEN trim(x) IN ('网络', '互联网', '网上申请', '在线申请', '电子邮件', '政府网站') THEN 'online'
    WHEN trim(x) IN ('传真') THEN 'fax'
    ELSE unknown(x) END;
CREATE MACRO reply_form(x) AS CASE
    WHEN trim(x) IN ('书面', '书面答复', '告知书', '答复书', '书面告知') THEN 'written'
    WHEN trim(x) IN ('口头', '电话', '口头答复', '电话告知', '口头告知') THEN 'oral'
    ELSE unknown(x) END;
CREATE MACRO outcome(x) AS CASE
    WHEN trim(x) IN ('予以公开', '公开', '同意公开') THEN 'disclosed'
    WHEN trim(x) IN ('部分公开', '部分公开（区分处理的，只计这一情形，不计其他情形）') THEN 'partial'
    WHEN trim(x) IN ('属于国家秘密', '不予公开-属于国家秘密') THEN 'withheld_state_secret'
    WHEN trim(x) IN ('其他法律行政法规禁止公开', '不予公开-其他法律行政法规禁止公开') THEN 'withheld_law'
    WHEN trim(x) IN ('危及“三安全一稳定”', '危及三安全一稳定', '不予公开-危及“三安全一稳定”') THEN 'withheld_security'
    WHEN trim(x) IN ('保护第三方合法权益', '不予公开-保护第三方合法权益') THEN 'withheld_third_party'
    WHEN trim(x) IN ('属于三类内部事务信息', '属于三类内容事务信息', '不予公开-属于三类内部事务信息') THEN 'withheld_internal'
    WHEN trim(x) IN ('属于四类过程性信息', '不予公开-属于四类过程性信息') THEN 'withheld_process'
    WHEN trim(x) IN ('属于行政执法案卷', '不予公开-属于行政执法案卷') THEN 'withheld_enforcement'
    WHEN trim(x) IN ('属于行政查询事项', '不予公开-属于行政查询事项') THEN 'withheld_inquiry'
    WHEN trim(x) IN ('本机关不掌握相关政府信息', '政府信息不存在', '信息不存在', '不掌握相关政府信息',
                     '无法提供-本机关不掌握相关政府信息') THEN 'unavailable_not_held'
    WHEN trim(x) IN ('没有现成信息需要另行制作', '需要另行制作', '无法提供-没有现成信息需要另行制作') THEN 'unavailable_needs_creation'
    WHEN trim(x) IN ('补正后申请内容仍不明确', '无法提供-补正后申请内容仍不明确') THEN 'unavailable_unclear'
    WHEN trim(x) IN ('信访举报投诉类申请', '不予处理-信访举报投诉类申请') THEN 'rejected_petition'
    WHEN trim(x) IN ('重复申请', '不予处理-重复申请') THEN 'rejected_repeat'
    WHEN trim(x) IN ('要求提供公开出版物', '不予处理-要求提供公开出版物') THEN 'rejected_publication'
    WHEN trim(x) IN ('无正当理由大量反复申请', '不予处理-无正当理由大量反复申请') THEN 'rejected_excessive'
    WHEN trim(x) IN ('要求行政机关确认或重新出具已获取信息', '不予处理-要求行政机关确认或重新出具已获取信息') THEN 'rejected_confirmation'
    WHEN trim(x) IN ('申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', '逾期不补正', '视为放弃申请') THEN 'other_no_correction'
    WHEN trim(x) IN ('申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '逾期未缴费') THEN 'other_no_fee'
    WHEN trim(x) IN ('其他处理', '其他处理-其他') THEN 'other'
    ELSE unknown(x) END;
"""

TYPED = r"""
CREATE TABLE docs AS SELECT
    raw_docs.rowid + 3 AS "row", txt("文号") AS doc_id, txt("起草处室") AS department,
    doc_type("文件类型") AS doc_type, dd0.d AS issued_on, disclosure("公开属性") AS disclosure,
    txt("不公开依据") AS disclosure_basis, txt("不公开理由") AS disclosure_reason,
    dd1.d AS attr_reviewed_on, dd2.d AS rereviewed_on,
    review_result("复核结论") AS review_result, dd3.d AS pub_reviewed_on,
    dd4.d AS secrecy_checked_on, dd5.d AS published_on,
    dd6.d AS interpreted_on, txt("解读处室") AS interpreted_by,
    sf.codes AS forms, sc.codes AS channels, st.codes AS topics,
    txt("替代原文件") AS supersedes
FROM raw_docs
{DOC_DATE_JOINS}
LEFT JOIN set_forms sf ON sf.v = raw_docs."解读形式"
LEFT JOIN set_channels sc ON sc.v = raw_docs."解读渠道"
LEFT JOIN set_topics st ON st.v = raw_docs."解读内容要点";

CREATE TABLE reqs AS SELECT
    raw_reqs.rowid + 4 AS "row", txt("申请编号") AS request_id, txt("申请人") AS applicant_name,
    applicant_type("申请人类型") AS applicant_type, req_channel("申请方式") AS channel,
    rd0.d AS received_on, rd1.d AS registered_on, rd2.d AS accepted_on,
    txt("申请内容") AS requested_info, txt("涉及文号") AS doc_ref, txt("承办处室") AS department,
    yes_no("是否需补正") AS needs_correction, rd3.d AS correction_notice_on,
    TRY_CAST(txt("补正告知次数") AS BIGINT) AS correction_count, rd4.d AS correction_received_on,
    rd5.d AS consult_sent_on, rd6.d AS consult_replied_on,
    rd7.d AS opinion_on, rd8.d AS decided_on, rd9.d AS approved_on,
    yes_no("是否延期") AS extension_approved, txt("延期批准人") AS extension_approver,
    rd10.d AS extension_notice_on, rd11.d AS replied_on,
    reply_form("答复形式") AS reply_form, outcome("办理结果") AS outcome,
    txt("不予公开理由") AS reply_reason, txt("便民答复") AS convenience_reply
FROM raw_reqs
{REQ_DATE_JOINS};
"""

#: the date columns of each ledger: parsed once per distinct text (``date_texts``), joined back
DOC_DATES = ['成文日期', '属性审核日期', '复核日期', '发布审核日期', '保密审查日期', '公开日期', '解读日期']
REQ_DATES = ['收到申请日期', '登记日期', '受理日期', '补正告知日期', '收到补正日期', '征求意见日期', '意见反馈日期', '提出办理意见日期', '作出决定日期', '报批日期', '延期告知日期', '答复日期']


def date_joins(table: str, headers: list[str], prefix: str) -> str:
    return "\n".join(f'LEFT JOIN date_texts {prefix}{i} ON {prefix}{i}.v = {table}."{h}"' for i, h in enumerate(headers))


DATE_TEXTS = """CREATE TABLE date_texts AS SELECT v, day(v) AS d FROM (
    SELECT DISTINCT unnest([{docs}]) AS v FROM raw_docs UNION SELECT DISTINCT unnest([{reqs}]) AS v FROM raw_reqs
) WHERE v IS NOT NULL;
-- the set cells, likewise: each distinct cell split into its codes once
CREATE TABLE set_forms AS SELECT v, forms(v) AS codes FROM (SELECT DISTINCT "解读形式" AS v FROM raw_docs) WHERE v IS NOT NULL;
CREATE TABLE set_channels AS SELECT v, channels(v) AS codes FROM (SELECT DISTINCT "解读渠道" AS v FROM raw_docs) WHERE v IS NOT NULL;
CREATE TABLE set_topics AS SELECT v, topics(v) AS codes FROM (SELECT DISTINCT "解读内容要点" AS v FROM raw_docs) WHERE v IS NOT NULL"""


def typed_sql() -> str:
    return (DATE_TEXTS.format(docs=", ".join(f'"{h}"' for h in DOC_DATES), reqs=", ".join(f'"{h}"' for h in REQ_DATES))
            + ";\n" + TYPED.replace("{DOC_DATE_JOINS}", date_joins("raw_docs", DOC_DATES, "dd"))
            .replace("{REQ_DATE_JOINS}", date_joins("raw_reqs", REQ_DATES, "rd")))


# the verdict of every rule on every row: p_<rule> = in the population, v_<rule> = a violation,
# w_<rule> = pending (deadline rules); ``AS_OF`` is the as-of date literal
VERDICTS = r"""
CREATE TABLE doc_verdicts AS
WITH applicants AS (   -- DOC-CONVERT-01's join: distinct applicants per document number
    SELECT doc_ref, count(DISTINCT applicant_name) AS n_applicants FROM reqs WHERE doc_ref IS NOT NULL GROUP BY doc_ref
), d AS (
    SELECT docs.*, coalesce(a.n_applicants, 0) AS n_applicants,
           coalesce(disclosure IN ('on_request', 'not_public'), false) AS withheld,
           coalesce(doc_type IN ('normative', 'policy') AND disclosure = 'active', false) AS to_interpret,
           w.day AS timely_deadline
    FROM docs LEFT JOIN applicants a ON a.doc_ref = docs.doc_id
    LEFT JOIN cal c ON c.day = docs.issued_on
    LEFT JOIN wd w ON w.n = c.cum + 20
)
SELECT "row", doc_id AS key,
    true AS p_attr01, NOT coalesce(disclosure IN ('active', 'on_request', 'not_public'), false) AS v_attr01,
    withheld AS p_attr02, disclosure_basis IS NULL OR disclosure_reason IS NULL AS v_attr02,
    withheld AND disclosure_basis IS NOT NULL AS p_attr03,
    NOT coalesce(regexp_matches(disclosure_basis, '第[一二三四五六七八九十百零〇0-9]+条'), false) AS v_attr03,
    true AS p_attr04, NOT coalesce(attr_reviewed_on <= issued_on, false) AS v_attr04,
    withheld AND coalesce(month(issued_on) <= 10, false) AS p_review01,
    NOT coalesce(month(rereviewed_on) = 11 AND year(rereviewed_on) = 2021 AND review_result IS NOT NULL, false) AS v_review01,
    withheld AND n_applicants >= 3 AS p_convert01, NOT coalesce(review_result = 'to_active', false) AS v_convert01,
    coalesce(disclosure = 'active', false) AS p_timely01,
    issued_on IS NULL OR published_on < issued_on OR published_on > timely_deadline
        OR (published_on IS NULL AND AS_OF > timely_deadline) AS v_timely01,
    issued_on IS NOT NULL AND published_on IS NULL AND NOT coalesce(AS_OF > timely_deadline, false) AS w_timely01,
    published_on IS NOT NULL AS p_pub01,
    NOT coalesce(pub_reviewed_on <= published_on AND secrecy_checked_on <= published_on, false) AS v_pub01,
    to_interpret AS p_interp01, interpreted_on IS NULL OR forms IS NULL AS v_interp01,
    to_interpret AND interpreted_on IS NOT NULL AS p_interp02, NOT coalesce(interpreted_by = department, false) AS v_interp02,
    to_interpret AND interpreted_on IS NOT NULL AS p_interp03,
    NOT coalesce(list_has_all(topics, ['background', 'meaning', 'role', 'keywords'])
                 AND (supersedes IS NULL OR list_contains(topics, 'differences')), false) AS v_interp03,
    to_interpret AS p_interp04,
    NOT coalesce(list_has_any(forms, ['graphic', 'video', 'flow', 'qa', 'interview']), false) AS v_interp04,
    to_interpret AS p_interp05, NOT coalesce(len(channels) >= 2, false) AS v_interp05
FROM d;

CREATE TABLE req_verdicts AS
WITH r AS (
    SELECT reqs.*,
           -- REQ-REG-02: a later row with the same 申请编号
           request_id IS NOT NULL AND row_number() OVER (PARTITION BY request_id ORDER BY "row") > 1 AS repeated,
           coalesce(restart.day, reqs.received_on) AS clock,
           20 + CASE WHEN coalesce(extension_approved, false) THEN 20 ELSE 0 END AS reply_limit,
           greatest(consult_sent_on, coalesce(correction_received_on, received_on)) AS pause_from,
           coalesce(consult_replied_on, replied_on, AS_OF) AS pause_to,
           cw.day AS correction_deadline
    FROM reqs
    LEFT JOIN cal restart ON restart.day = reqs.correction_received_on
    LEFT JOIN cal cc ON cc.day = reqs.received_on
    LEFT JOIN wd cw ON cw.n = cc.cum + 7
), r2 AS (   -- the reply deadline before and after the consultation's working days
    SELECT r.*, c.cum AS clock_count, pf.cum AS from_count, pt.cum AS to_count, w0.day AS plain_deadline
    FROM r LEFT JOIN cal c ON c.day = r.clock
    LEFT JOIN cal pf ON pf.day = r.pause_from
    LEFT JOIN cal pt ON pt.day = r.pause_to
    LEFT JOIN wd w0 ON w0.n = c.cum + r.reply_limit
), r3 AS (
    SELECT r2.*, w.day AS reply_deadline
    FROM r2 LEFT JOIN wd w ON w.n = clock_count + reply_limit + CASE
        WHEN consult_sent_on IS NOT NULL AND pause_to > pause_from AND plain_deadline > pause_from
        THEN to_count - from_count ELSE 0 END
)
SELECT "row", request_id AS key,
    true AS p_reg01,
    registered_on IS NULL OR applicant_name IS NULL OR applicant_type IS NULL OR channel IS NULL
        OR requested_info IS NULL AS v_reg01,
    true AS p_reg02, repeated AS v_reg02,
    replied_on IS NOT NULL AS p_reply01, NOT coalesce(reply_form = 'written', false) AS v_reply01,
    coalesce(needs_correction OR correction_notice_on IS NOT NULL, false) AS p_corr01,
    received_on IS NULL OR correction_notice_on < received_on OR correction_notice_on > correction_deadline
        OR (correction_notice_on IS NULL AND AS_OF > correction_deadline) AS v_corr01,
    received_on IS NOT NULL AND correction_notice_on IS NULL
        AND NOT coalesce(AS_OF > correction_deadline, false) AS w_corr01,
    correction_notice_on IS NOT NULL AS p_corr02,
    NOT coalesce(correction_count IS NULL OR correction_count <= 1, false) AS v_corr02,
    true AS p_seq01,
    coalesce(registered_on < received_on
        OR accepted_on < greatest(received_on, registered_on)
        OR correction_notice_on < greatest(received_on, registered_on, accepted_on)
        OR consult_sent_on < greatest(received_on, registered_on, accepted_on, correction_notice_on)
        OR opinion_on < greatest(received_on, registered_on, accepted_on, correction_notice_on, consult_sent_on)
        OR decided_on < greatest(received_on, registered_on, accepted_on, correction_notice_on, consult_sent_on,
                                 opinion_on)
        OR approved_on < greatest(received_on, registered_on, accepted_on, correction_notice_on, consult_sent_on,
                                  opinion_on, decided_on)
        OR replied_on < greatest(received_on, registered_on, accepted_on, correction_notice_on, consult_sent_on,
                                 opinion_on, decided_on, approved_on), false) AS v_seq01,
    coalesce(outcome IS NULL OR outcome <> 'other_no_correction', false) AS p_deadline01,
    received_on IS NULL OR replied_on < received_on OR replied_on > reply_deadline
        OR (replied_on IS NULL AND AS_OF > reply_deadline) AS v_deadline01,
    received_on IS NOT NULL AND replied_on IS NULL AND NOT coalesce(AS_OF > reply_deadline, false) AS w_deadline01,
    coalesce(extension_approved, false) AS p_ext01, extension_approver IS NULL OR extension_notice_on IS NULL AS v_ext01,
    replied_on IS NOT NULL AS p_outcome01,
    NOT coalesce(outcome IN ('disclosed', 'partial', 'withheld_state_secret', 'withheld_law', 'withheld_security',
        'withheld_third_party', 'withheld_internal', 'withheld_process', 'withheld_enforcement', 'withheld_inquiry',
        'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear', 'rejected_petition',
        'rejected_repeat', 'rejected_publication', 'rejected_excessive', 'rejected_confirmation',
        'other_no_correction', 'other_no_fee', 'other'), false) AS v_outcome01,
    coalesce(outcome IN ('partial', 'withheld_state_secret', 'withheld_law', 'withheld_security', 'withheld_third_party',
        'withheld_internal', 'withheld_process', 'withheld_enforcement', 'withheld_inquiry'), false) AS p_reason01,
    reply_reason IS NULL AS v_reason01,
    coalesce(outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear'), false) AS p_conv01,
    convenience_reply IS NULL AS v_conv01
FROM r3;
"""

#: rule id -> (verdict table, column suffix)
RULES = {
    "DOC-ATTR-01": ("doc_verdicts", "attr01"), "DOC-ATTR-02": ("doc_verdicts", "attr02"),
    "DOC-ATTR-03": ("doc_verdicts", "attr03"), "DOC-ATTR-04": ("doc_verdicts", "attr04"),
    "DOC-REVIEW-01": ("doc_verdicts", "review01"), "DOC-CONVERT-01": ("doc_verdicts", "convert01"),
    "DOC-TIMELY-01": ("doc_verdicts", "timely01"), "DOC-PUB-01": ("doc_verdicts", "pub01"),
    "DOC-INTERP-01": ("doc_verdicts", "interp01"), "DOC-INTERP-02": ("doc_verdicts", "interp02"),
    "DOC-INTERP-03": ("doc_verdicts", "interp03"), "DOC-INTERP-04": ("doc_verdicts", "interp04"),
    "DOC-INTERP-05": ("doc_verdicts", "interp05"),
    "REQ-REG-01": ("req_verdicts", "reg01"), "REQ-REG-02": ("req_verdicts", "reg02"),
    "REQ-REPLY-01": ("req_verdicts", "reply01"), "REQ-CORR-01": ("req_verdicts", "corr01"),
    "REQ-CORR-02": ("req_verdicts", "corr02"), "REQ-SEQ-01": ("req_verdicts", "seq01"),
    "REQ-DEADLINE-01": ("req_verdicts", "deadline01"), "REQ-EXT-01": ("req_verdicts", "ext01"),
    "REQ-OUTCOME-01": ("req_verdicts", "outcome01"), "REQ-REASON-01": ("req_verdicts", "reason01"),
    "REQ-CONV-01": ("req_verdicts", "conv01"),
}
PENDING = {"DOC-TIMELY-01", "REQ-CORR-01", "REQ-DEADLINE-01"}


def counts_sql(table: str) -> str:
    parts = []
    for rule, (where, s) in RULES.items():
        if where != table:
            continue
        parts.append(f"count_if(p_{s}) AS \"{rule}|population\"")
        parts.append(f"count_if(p_{s} AND v_{s}) AS \"{rule}|violations\"")
        if rule in PENDING:
            parts.append(f"count_if(p_{s} AND w_{s}) AS \"{rule}|pending\"")
    return f"SELECT {', '.join(parts)} FROM {table}"


def findings_sql() -> str:
    return "\nUNION ALL\n".join(f"SELECT '{rule}' AS rule, \"row\", key FROM {table} WHERE p_{s} AND v_{s}"
                                for rule, (table, s) in RULES.items())


def run(data: Path, out: Path, as_of: str = "2021-12-31", threads: int | None = None,
        memory_limit: str | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    started = time.perf_counter()
    docs_utf8 = out / "documents.utf8.csv"
    transcode(data / "documents.csv", docs_utf8)
    timings["transcode"] = time.perf_counter() - started

    con = duckdb.connect(config={"threads": threads or os.cpu_count() or 1,
                                 **({"memory_limit": memory_limit} if memory_limit else {})})
    step = time.perf_counter()
    con.execute(MACROS)
    csv = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"
    con.execute(f"CREATE TABLE raw_docs AS SELECT * FROM read_csv('{docs_utf8}', skip = 1, {csv})")
    con.execute(f"CREATE TABLE raw_reqs AS SELECT * FROM read_csv('{data / 'requests.csv'}', skip = 2, {csv})")
    timings["read"] = time.perf_counter() - step

    step = time.perf_counter()
    con.execute(typed_sql())
    con.execute("DROP TABLE raw_docs; DROP TABLE raw_reqs")
    first, last = con.execute("""
        SELECT least(min(issued_on), min(published_on)), greatest(max(issued_on), max(published_on)) FROM docs
        UNION ALL SELECT least(min(received_on), min(correction_received_on)), max(replied_on) FROM reqs""").fetchall()
    lo = min(d for d in (first[0], last[0], dt.date.fromisoformat(as_of)) if d is not None)
    hi = max(d for d in (first[1], last[1], dt.date.fromisoformat(as_of)) if d is not None)
    days = calendar_rows(lo - dt.timedelta(days=1), hi + dt.timedelta(days=400))  # deadlines run past the data
    con.execute("CREATE TABLE cal_days (day DATE, working BOOLEAN)")
    con.executemany("INSERT INTO cal_days VALUES (?, ?)", days)
    con.execute("""
        CREATE TABLE cal AS SELECT day, working, sum(working::INT) OVER (ORDER BY day) AS cum FROM cal_days;
        CREATE TABLE wd AS SELECT cum AS n, day FROM cal WHERE working""")
    timings["type"] = time.perf_counter() - step

    step = time.perf_counter()
    con.execute(VERDICTS.replace("AS_OF", f"DATE '{as_of}'"))
    rules: dict[str, dict] = {}
    for table in ("doc_verdicts", "req_verdicts"):
        row = con.execute(counts_sql(table))
        names = [d[0] for d in row.description]
        for name, value in zip(names, row.fetchone()):
            rule, what = name.split("|")
            rules.setdefault(rule, {"population": 0, "violations": 0, "pending": 0})[what] = int(value)
    timings["rules"] = time.perf_counter() - step

    step = time.perf_counter()
    findings = out / "baseline-findings.csv"
    n = con.execute(f"COPY ({findings_sql()}) TO '{findings}' (HEADER, DELIMITER ',')").fetchone()[0]
    timings["findings"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    docs_utf8.unlink()
    return {"rules": rules, "findings": int(n), "seconds": timings}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="folder with documents.csv and requests.csv (generate.py)")
    parser.add_argument("out", type=Path, help="folder for the findings table")
    parser.add_argument("--as-of", default="2021-12-31")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 4GB")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.data, args.out, args.as_of, args.threads, args.memory_limit), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
