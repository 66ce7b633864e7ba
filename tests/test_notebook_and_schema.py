"""The library in a notebook (short repr, DataFrames, docstrings) and the JSON Schema for editors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

import disclosure_rules
from disclosure_rules.book import rulebook_json_schema
from disclosure_rules.rulebook import _load_tree
from ledgers import example_audit

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result():
    return example_audit()


def test_repr_is_short_and_says_the_score(result):
    """``result`` in a notebook prints one line: book, as-of, score, grade, coverage, counts."""
    text = repr(result)
    assert len(text) < 400 and "\n" not in text
    assert f"{result.grading_percent:.1f}/100" in text and result.grade in text
    assert f"{result.finding_counts()['total']} findings" in text


def test_repr_html_is_a_score_card_with_the_failing_rules(result):
    """_repr_html_ shows the score card and every failing rule (id, status, violations), escaped."""
    html = result._repr_html_()
    assert len(html) < 20_000
    failing = [r for r in result.rules if r.status in ("fail", "warn", "error")]
    for rule in failing[:30]:
        assert f"<td>{rule.id}</td>" in html
    assert "<script" not in html


def test_tables_are_dataframes_and_agree_with_the_lists(result):
    """rules_frame, sections_frame, data_issues_frame and divisions_frame hold what the lists hold;
    findings carry the rule's title, section and status."""
    rules = result.rules_frame()
    assert list(rules["id"]) == [r.id for r in result.rules]
    assert list(rules["violations"]) == [r.violations for r in result.rules]
    assert list(result.sections_frame()["id"]) == [s["id"] for s in result.sections]
    issues = result.data_issues_frame()
    assert len(issues) == len(result.data_issues) and list(issues["row"]) == [i["row"] for i in result.data_issues]
    assert list(result.divisions_frame()["department"]) == list(result.departments["department"])
    findings = result.findings
    by_id = {r.id: r for r in result.rules}
    assert (findings["title"] == findings["rule"].map(lambda i: by_id[i].title)).all()
    assert (findings["status"] == findings["rule"].map(lambda i: str(by_id[i].status))).all()
    assert (findings["section"] == findings["rule"].map(lambda i: by_id[i].section)).all()
    assert isinstance(result.rules, list) and isinstance(result.data_issues, list)


@pytest.mark.parametrize("function", [disclosure_rules.audit, disclosure_rules.load_rulebook])
def test_public_functions_have_full_docstrings_without_internal_references(function):
    """help(audit) says what goes in, what comes out and what is raised, citing the README."""
    doc = function.__doc__
    assert len(doc.splitlines()) > 10
    for part in ("Parameters", "Returns", "Raises", "README"):
        assert part in doc
    assert "DESIGN" not in doc


# ------------------------------------------------------------------ the JSON Schema

class _Yaml12(yaml.SafeLoader):
    """YAML 1.2 booleans (``on:`` stays a key), as the product reads rulebooks."""


_Yaml12.yaml_implicit_resolvers = {k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:bool"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _plain(doc):
    return json.loads(json.dumps(doc, default=str, ensure_ascii=False))


@pytest.fixture(scope="module")
def validator():
    schema = rulebook_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _properties(node, path="$"):
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{path}.{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{path}[{i}]")


def test_every_property_has_a_description():
    """An editor shows a description for every key of the rulebook format."""
    props = list(_properties(rulebook_json_schema()))
    assert len(props) > 150
    missing = [path for path, prop in props if not prop.get("description")]
    assert missing == []


def test_the_example_child_and_the_builtin_book_validate(validator):
    """examples/next-year.yaml (a partial extends child, as the README says to copy) and the
    built-in book both validate; a typo in a child rule's key does not."""
    child = yaml.load((REPO / "examples" / "next-year.yaml").read_text(encoding="utf-8"), Loader=_Yaml12)
    assert list(validator.iter_errors(_plain(child))) == []
    builtin = _load_tree(REPO / "rules" / "shanxi-commerce-2021.yaml").data
    assert list(validator.iter_errors(_plain(builtin))) == []
    typo = {"extends": "builtin:shanxi-commerce-2021", "rules": [{"id": "DOC-INTERP-05", "mni": 0.6}]}
    assert [e.message for e in validator.iter_errors(typo)] and \
        any("mni" in e.message for e in validator.iter_errors(typo))
    whole = {"rulebook": {"id": "x", "title": "t"}, "datasets": {"d": {"fields": {"a": {"type": "string"}}}},
             "rules": [{"id": "R", "title": "t", "dataset": "d", "kind": "required", "fields": ["a"]}]}
    assert list(validator.iter_errors(whole)) == []
    no_title = {"rulebook": {"id": "x"}, "datasets": {}}
    assert any("title" in e.message for e in validator.iter_errors(no_title))  # a book without extends is whole


def test_schema_accepts_chinese_severity_words(validator):
    """severity: 一般 validates in an editor, as the loader accepts it."""
    book = {"rulebook": {"id": "x", "title": "t"}, "datasets": {"d": {"fields": {"a": {"type": "string"}}}},
            "rules": [{"id": "R", "title": "t", "dataset": "d", "kind": "required", "fields": ["a"], "severity": "一般"}]}
    assert list(validator.iter_errors(book)) == []
