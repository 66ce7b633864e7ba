"""Rule descriptions are generated from the rule's model, in Chinese and English."""

import ast

import pytest

from disclosure_rules.explain import describe_rule, render_expression, render_tree, scoring_text
from disclosure_rules.rulebook import load_rulebook

BOOK = load_rulebook("builtin:shanxi-commerce-2021")
RULE_IDS = [rule.id for rule in BOOK.rules]


def _named_fields(rule):
    """Fields a rule names by its keys (join aggregates excluded: they are described by source)."""
    joined = set(rule.join.fields) if rule.join else set()
    return [name for name in rule.fields_used if name not in joined]


def _header(rule, name):
    spec = BOOK.datasets[rule.dataset].fields[name]
    return spec.header_of(name)


@pytest.mark.parametrize("rule_id", RULE_IDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rule_is_described_with_its_headers(rule_id, lang):
    """Each built-in rule gets a non-empty text naming the preferred header of every field it uses."""
    rule = BOOK.rule(rule_id)
    text = describe_rule(rule, BOOK, lang)
    assert text.strip()
    for name in _named_fields(rule):
        assert _header(rule, name) in text, (rule_id, name)
    if rule.kind == "count" and rule.per:
        assert _header(rule, rule.per) in text
    assert scoring_text(rule, lang).strip()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_expressions_are_rendered_not_copied(rule_id):
    """Field names in where/expect are replaced by their headers (no canonical name left bare in zh)."""
    rule = BOOK.rule(rule_id)
    fields = BOOK.datasets[rule.dataset].fields
    for text in rule.expressions.values():
        rendered = render_expression(text, rule, BOOK, "zh")
        names = {node.id for node in ast.walk(ast.parse(text.strip(), mode="eval")) if isinstance(node, ast.Name)}
        for name in names & set(fields):
            assert f"「{fields[name].header_of(name)}」" in rendered, (rule_id, name)


def test_the_two_languages_differ():
    rule = BOOK.rule("REQ-DEADLINE-01")
    zh, en = describe_rule(rule, BOOK, "zh"), describe_rule(rule, BOOK, "en")
    assert zh != en
    assert "20个工作日" in zh and "20 working days" in en
    assert "「收到补正日期」" in zh and "收到补正日期 [correction_received_on]" in en
    assert "「征求意见日期」至「意见反馈日期」" in zh


def test_description_follows_a_changed_threshold():
    """Raising the threshold in YAML changes the text without touching Python."""
    rule = BOOK.rule("DOC-INTERP-04")
    before = describe_rule(rule, BOOK, "zh")
    changed = rule.model_copy(update={"min": 0.95})
    after = describe_rule(changed, BOOK, "zh")
    assert "90%" in before and "95%" in after and before != after
    assert "95%" in scoring_text(changed, "zh")


def test_description_follows_a_changed_expression_and_limit():
    rule = BOOK.rule("REQ-CORR-01")
    changed = rule.model_copy(update={"limit": rule.limit.model_copy(update={"working_days": 5}),
                                      "where": "present(correction_notice_on)"})
    text = describe_rule(changed, BOOK, "en")
    assert "5 working days" in text and "7 working days" not in text
    assert "is yes" not in text  # the old where named 是否需补正 as a yes/no field
    assert describe_rule(rule, BOOK, "en") != text


def test_category_codes_read_as_labels():
    rule = BOOK.rule("DOC-CONVERT-01")
    zh = describe_rule(rule, BOOK, "zh")
    assert "“转为主动公开”" in zh and "to_active" not in zh
    assert "「依申请公开登记台账」中「申请人」的不同取值个数不小于3" in zh


def test_scoring_methods():
    assert "扣2分" in scoring_text(BOOK.rule("REQ-DEADLINE-01"), "zh")
    assert "otherwise 0" in scoring_text(BOOK.rule("DOC-CONVERT-01"), "en")
    assert "min(1, pass rate ÷ 50%)" in scoring_text(BOOK.rule("DOC-INTERP-05"), "en")
    unscored = BOOK.rule("MTG-01").model_copy(update={"points": 0})
    assert "not scored" in scoring_text(unscored, "en")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        describe_rule(BOOK.rules[0], BOOK, "fr")


def test_unparseable_expression_falls_back_to_its_text():
    rule = BOOK.rule("DOC-ATTR-01")
    assert render_expression("disclosure ==", rule, BOOK) == "disclosure =="


@pytest.mark.parametrize("spelling", ["disclosure == 'active'", "DISCLOSURE == 'ACTIVE'", "公开属性 == '主动'",
                                      "'active' == disclosure", "ｄｉｓｃｌｏｓｕｒｅ == '公开'"])
def test_expressions_resolve_names_as_the_engine_does(spelling):
    """However an expression spells a field or code (case, full-width, a label, the literal
    first), its text names the field and code the engine evaluates: the checked tree is read."""
    rule = BOOK.rule("DOC-INTERP-05")
    assert render_expression(spelling, rule, BOOK, "zh") == "「公开属性」为“主动公开”"
    assert render_expression(spelling, rule, BOOK, "en") == "公开属性 [disclosure] is '主动公开'"


def test_set_members_read_as_their_labels():
    """A set member written as a code reads as its first label, as in has_any(...)."""
    rule = BOOK.rule("DOC-INTERP-05")
    assert render_expression("'video' not in interpretation_forms", rule, BOOK) == "「解读形式」不含“视频”"
    assert render_expression("has_any(解读方式, '动画')", rule, BOOK) == "「解读形式」含有“视频”"
    assert render_expression("has_any(解读方式, ['动画', '图解'])", rule, BOOK) == "「解读形式」含有“视频”、“图解”中的任一项"


def test_render_tree_reads_a_compiled_expression():
    """The compiled expression's tree reads as its source text does."""
    rule = BOOK.rule("DOC-ATTR-01")
    from disclosure_rules.expressions import compile_rule_expressions

    compiled = compile_rule_expressions(rule, BOOK.datasets[rule.dataset].fields)["expect"]
    assert render_tree(compiled.tree, rule, BOOK) == render_expression(rule.expect, rule, BOOK)
