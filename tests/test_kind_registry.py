"""Each rule kind is one unit: a file in kinds/, a registry line, a docstring example, a YAML case file."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from disclosure_rules import load_rulebook
from disclosure_rules.kinds import REGISTRY

CASES = Path(__file__).parent / "cases"
BUILTIN = load_rulebook("builtin:shanxi-commerce-2021")


def _example(kind) -> dict:
    doc = importlib.import_module(type(kind).__module__).__doc__ or ""
    match = re.search(r"Example[^\n]*::\n\n((?:    .*\n|\n)+)", doc)
    assert match, f"kind {kind.name}: its module docstring has no 'Example::' block"
    rules = yaml.safe_load("\n".join(line[4:] for line in match.group(1).splitlines()))
    assert isinstance(rules, list) and len(rules) == 1, f"kind {kind.name}: the example is one rule"
    return rules[0]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_kind_has_its_cases_and_an_example_that_is_a_rule(name):
    """A kind's docstring example is a valid rule of that kind, naming fields its dataset has;
    and the kind has its YAML cases, which the case runner audits."""
    kind = REGISTRY[name]
    assert (CASES / f"{name}.yaml").is_file(), f"kind {name} has no tests/cases/{name}.yaml"
    example = _example(kind)
    rule = kind.Rule.model_validate(example)
    assert rule.kind == name
    dataset = BUILTIN.datasets[rule.dataset]
    assert all(field in dataset.fields for field in rule.fields_used), rule.fields_used
    if any(r.id == rule.id for r in BUILTIN.rules):  # an example taken from the built-in plan says what it says
        builtin = BUILTIN.rule(rule.id)
        assert (builtin.kind, builtin.title, builtin.points) == (rule.kind, rule.title, rule.points)


def test_the_registry_is_the_rulebook_s_list_of_kinds():
    """The rulebook accepts exactly the registered kinds, and names them when a kind is unknown."""
    from disclosure_rules.errors import RulebookError
    from disclosure_rules.rulebook import rulebook_from_dict

    book = {"rulebook": {"id": "k", "title": "k", "year": 2021},
            "datasets": {"d": {"fields": {"x": {"type": "string"}}}},
            "rules": [{"id": "R-1", "title": "t", "dataset": "d", "kind": "requierd", "fields": ["x"]}]}
    with pytest.raises(RulebookError) as caught:
        rulebook_from_dict(book)
    assert "did you mean 'required'" in str(caught.value)
    assert all(name in str(caught.value) for name in REGISTRY)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_kind_describes_its_example_in_words(name, lang):
    """explain shows each kind's rule in plain words: the fields by their headers, no code names
    or unfilled placeholders, in Chinese and English."""
    from disclosure_rules.explain import describe_rule

    kind = REGISTRY[name]
    rule = kind.Rule.model_validate(_example(kind))
    text = describe_rule(rule, BUILTIN, lang)
    assert text and "{" not in text and "}" not in text
    dataset = BUILTIN.datasets[rule.dataset]
    for field in rule.fields_used:  # a field by its header (in English with its name beside it)
        header = dataset.fields[field].header_of(field)
        assert (f"「{header}」" in text) if lang == "zh" else (f"{header} [{field}]" in text), (field, text)
