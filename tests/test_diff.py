"""diff OLD.yaml NEW.yaml (DESIGN §15): next year's plan as an `extends` child of this year's;
every change the child makes is listed, classed by key, and nothing else."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from disclosure_rules import diff
from disclosure_rules.cli import cli

from assess_units import BOOK_DICT

CHILD = {
    "extends": "plan-2021.yaml",
    "rulebook": {"id": "assess-test-2022", "year": 2022, "min_coverage": 0.8},
    "remove_rules": ["DOC-INTERP"],
    "sections": [{"id": "S1", "title": "依申请公开"}, {"id": "S2", "title": "主动公开（2022）"},
                 {"id": "S3", "title": "政策解读"}],
    "datasets": {"requests": {"fields": {"applicant": {"type": "string", "aliases": ["申请人"]},
                                         "in_writing": {"type": "boolean", "aliases": ["书面答复", "是否书面"]}}}},
    "rules": [
        {"id": "REQ-WRITING", "points": 30, "scoring": {"deduct": 5, "max": 30}, "where": "replied and present(req_id)"},
        {"id": "DOC-ATTR", "kind": "required", "fields": ["disclosure", "department"], "min": 0.95},
        {"id": "REQ-APPLICANT", "title": "登记申请人", "dataset": "requests", "section": "S1", "kind": "required",
         "fields": ["applicant"], "points": 10, "veto": True},
    ],
}


def _write(tmp_path):
    old, new = tmp_path / "plan-2021.yaml", tmp_path / "plan-2022.yaml"
    old.write_text(yaml.safe_dump(BOOK_DICT, allow_unicode=True, sort_keys=False), encoding="utf-8")
    new.write_text(yaml.safe_dump(CHILD, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return old, new


def test_every_change_of_the_child_is_listed_by_key(tmp_path):
    """Rules added and removed, each changed rule's keys with their class and values, sections,
    dataset fields and the rulebook's own keys: exactly what the child changes."""
    old, new = _write(tmp_path)
    changes = diff(old, new)
    assert changes.rules_added == [{"id": "REQ-APPLICANT", "title": "登记申请人"}]
    assert changes.rules_removed == [{"id": "DOC-INTERP", "title": "主动公开文件均有解读"}]
    by_rule = {r["id"]: {c["key"]: (c["class"], c["old"], c["new"]) for c in r["changes"]} for r in changes.rules_changed}
    assert by_rule == {
        "REQ-WRITING": {"points": ("points", 40.0, 30.0),
                        "scoring": ("scoring", {"deduct": 10.0, "max": None}, {"deduct": 5.0, "max": 30.0}),
                        "where": ("expressions", "replied", "replied and present(req_id)")},
        "DOC-ATTR": {"fields": ("fields", ["disclosure"], ["disclosure", "department"]),
                     "min": ("thresholds", None, 0.95)},
    }
    assert changes.sections == {"added": [{"id": "S3", "title": "政策解读"}], "removed": [],
                                "changed": [{"id": "S2", "changes": [{"key": "title", "old": "主动公开",
                                                                      "new": "主动公开（2022）"}]}]}
    assert changes.datasets["added"] == [] and changes.datasets["removed"] == []
    (requests,) = changes.datasets["changed"]
    assert requests["name"] == "requests" and requests["changes"] == []
    assert requests["fields"]["added"] == ["applicant"] and requests["fields"]["removed"] == []
    assert requests["fields"]["changed"] == [{"name": "in_writing", "changes": [
        {"key": "aliases", "old": ["书面答复"], "new": ["书面答复", "是否书面"]}]}]
    assert {c["key"]: (c["old"], c["new"]) for c in changes.rulebook} == {
        "id": ("assess-test", "assess-test-2022"), "year": (2021, 2022), "min_coverage": (1.0, 0.8)}


def test_a_plan_against_itself_has_no_change(tmp_path):
    """A book compared with itself (or with a child that changes nothing) has no change."""
    old, _ = _write(tmp_path)
    same = tmp_path / "same.yaml"
    same.write_text(yaml.safe_dump({"extends": "plan-2021.yaml"}), encoding="utf-8")
    assert diff(old, old).empty and diff(old, same).empty
    assert diff(old, same).lines("en")[-1] == "  the two plans do not differ"


def test_diff_command_prints_and_writes_json(tmp_path):
    """diff OLD NEW prints the changes and --json writes the same as to_dict()."""
    old, new = _write(tmp_path)
    out = CliRunner().invoke(cli, ["diff", str(old), str(new), "--json", str(tmp_path / "d.json")])
    assert out.exit_code == 0, out.output
    assert "+ 规则 REQ-APPLICANT" in out.output and "- 规则 DOC-INTERP" in out.output
    assert "points [分值]: 40.0 → 30.0" in out.output
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(diff(old, new).to_dict()))
