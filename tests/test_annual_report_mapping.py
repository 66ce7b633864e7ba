"""The ``annual_report:`` mapping of a rulebook (DESIGN §14): validated at load, with locations."""

from __future__ import annotations

import pytest
import yaml

from disclosure_rules import RulebookError, load_rulebook
from disclosure_rules.annual_format import APPLICANT_COLUMNS, LEAF_ROWS, ROW_LABELS
from disclosure_rules.resources import builtin_rulebook


def _load(tmp_path, data: dict):
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_rulebook(path)


def _mapping() -> dict:
    """The built-in book's annual_report block (read alone: the rest of the book has YAML 1.1 keys)."""
    text = builtin_rulebook("shanxi-commerce-2021").read_text(encoding="utf-8")
    block = text[text.index("\nannual_report:"):text.index("\nrules:")]
    return yaml.safe_load(block)["annual_report"]


def test_builtin_book_maps_every_code_onto_table_three():
    """Every applicant type and every outcome of the built-in request ledger lands in the table 三
    column or row whose label it carries, and every leaf row of table 三 is reachable."""
    book = load_rulebook()
    mapping = book.annual_report.requests
    fields = book.datasets["requests"].fields
    assert set(mapping.applicant.columns) == set(fields["applicant_type"].values)
    assert set(mapping.outcome.rows) == set(fields["outcome"].values)
    assert set(mapping.applicant.columns.values()) == set(APPLICANT_COLUMNS)
    assert sorted(mapping.outcome.rows.values(), key=LEAF_ROWS.index) == list(LEAF_ROWS)
    for code, column in mapping.applicant.columns.items():
        assert column in fields["applicant_type"].values[code]
    for code, row in mapping.outcome.rows.items():
        if row != "三(六)3":  # 其他 is labelled 其他处理 in the ledger, the format's heading of (六)
            labels = fields["outcome"].values[code]
            assert any(ROW_LABELS[row] in label or label in ROW_LABELS[row] for label in labels), (code, row)


def test_builtin_book_has_reviews_and_repeal_dates():
    """The built-in book carries a review/lawsuit ledger and the repeal date of documents."""
    book = load_rulebook()
    assert book.datasets["documents"].fields["repealed_on"].type == "date"
    reviews = book.datasets["reviews"]
    assert reviews.key == "case_id"
    assert set(book.annual_report.reviews.groups.values()) == {"行政复议", "未经复议直接起诉", "复议后起诉"}
    assert set(book.annual_report.reviews.results.values()) == {"结果维持", "结果纠正", "其他结果", "尚未审结"}


@pytest.mark.parametrize("change, message", [
    (lambda m: m["requests"]["applicant"]["columns"].update(business="企业"), "is not an applicant column"),
    (lambda m: m["requests"]["outcome"]["rows"].update(partial="三(九)"), "is not an outcome row id"),
    (lambda m: m["requests"].update(received="received_date"), "is not a field of dataset 'requests'"),
    (lambda m: m["requests"].update(closed="applicant_name"), "must be a date field"),
    (lambda m: m["requests"]["outcome"]["rows"].update(disclosd="三(一)"), "'disclosd' is not a code of field 'outcome'"),
    (lambda m: m["documents"].update(dataset="docs"), "dataset 'docs' is not defined"),
    (lambda m: m["documents"]["rows"].update(规范性文件=["normative"]), "is not a row of table 二"),
    (lambda m: m["reviews"]["results"].update(upheld="维持原判"), "is not a result column of table 四"),
    (lambda m: m["requests"].update(colour="red"), "colour"),
])
def test_a_wrong_mapping_is_refused_with_its_location(tmp_path, change, message):
    """A typo in the mapping (a label the format does not have, a field or code the book lacks)
    stops the load with a message naming it and the line it is on."""
    mapping = _mapping()
    change(mapping)
    with pytest.raises(RulebookError) as caught:
        _load(tmp_path, {"extends": "builtin:shanxi-commerce-2021", "annual_report": mapping})
    text = str(caught.value)
    assert message in text
    assert "book.yaml:" in text


def test_a_book_without_the_mapping_still_loads(tmp_path):
    """The mapping is optional: a book without it loads and has none."""
    text = builtin_rulebook("shanxi-commerce-2021").read_text(encoding="utf-8")
    path = tmp_path / "book.yaml"
    path.write_text(text[:text.index("\nannual_report:")] + text[text.index("\nrules:"):], encoding="utf-8")
    assert load_rulebook(path).annual_report is None


@pytest.mark.parametrize("text, label", [
    ("5.属于三类内容事务信息", "属于三类内部事务信息"),                     # a real report's typo
    ("（二）部分公开（区分处理的，只计这一情况，不计其他情形）", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("3、危及\u201c三安全一稳定\u201d", "危及“三安全一稳定”"),
    ("四、结转下年度继续办理", "结转下年度继续办理"),
    ("３．其它", "其他"),                                                  # full-width digits, 其它
    ("（七）总计", "总计"),
    ("予以公开 ", "予以公开"),
    ("不予公开", None),                                                    # a heading, not a numbered row
    ("本年度办理结果", None),
    ("新闻发布会", None),
])
def test_labels_match_despite_real_typos(text, label):
    """A published table's row label finds its row of the format through numbering, brackets,
    full-width characters and one mistyped character, and a heading or other text finds none."""
    from disclosure_rules.annual_format import ROW_LABELS, ROW_ORDER, best_label

    assert best_label(text, [ROW_LABELS[r] for r in ROW_ORDER]) == label


def test_two_equally_close_labels_are_not_guessed():
    """A text as close to two labels as to each other names neither."""
    from disclosure_rules.annual_format import best_label

    assert best_label("甲乙丙丁", ["甲乙丙戊", "甲乙丙己"]) is None
    assert best_label("甲乙丙丁", ["甲乙丙丁", "甲乙丙己"]) == "甲乙丙丁"
