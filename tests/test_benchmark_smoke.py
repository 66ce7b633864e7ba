"""Smoke run of the benchmark: generate ~5k-row ledgers, audit them from the CLI, find every
planted violation. No timing assertions (timings live in benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from disclosure_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    return _generator().generate(5000, out, rate=0.005, xlsx=False)


def test_generated_ledgers_look_like_the_examples(ledgers):
    docs = ledgers["documents"].read_bytes()
    reqs = ledgers["requests"].read_bytes()
    assert reqs.startswith(b"\xef\xbb\xbf")                      # UTF-8 with BOM
    with pytest.raises(UnicodeDecodeError):
        docs.decode("utf-8")                                     # GB18030, not UTF-8
    text = docs.decode("gb18030")
    lines = text.splitlines()
    assert lines[0].startswith("山西省商务厅2021年公文台账")        # a title row above the header
    assert lines[1].startswith("文号,文件标题,起草处室")
    assert len(lines) == 5000 + 2
    for typed in ("2021年", "2021/", "2021."):                    # mixed date formats
        assert typed in text
    assert "、" in text and "待定" in text and "2021-02-30" in text


def test_audit_finds_every_planted_violation(ledgers, tmp_path):
    out_json, out_html, out_csv = tmp_path / "r.json", tmp_path / "r.html", tmp_path / "f.csv"
    code = main(["audit", "--data", f"documents={ledgers['documents']}", "--data", f"requests={ledgers['requests']}",
                 "--as-of", "2021-12-31", "--json", str(out_json), "--html", str(out_html),
                 "--findings", str(out_csv), "--json-findings", "all"])
    assert code == 0
    assert out_html.stat().st_size > 0 and out_csv.stat().st_size > 0
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert result["datasets"]["documents"]["rows"] == 5000
    assert result["datasets"]["requests"]["rows"] == 5000
    found = {(f["rule"], f["key"]) for f in result["findings"]}
    planted = pd.read_csv(ledgers["planted"], dtype=str, encoding="utf-8-sig")
    assert len(planted) > 0
    missing = [(r, k) for r, k in zip(planted["rule"], planted["key"]) if (r, k) not in found]
    assert not missing, missing[:10]
    # the data are otherwise clean: rules without planted violations have none
    planted_rules = set(planted["rule"])
    for rule in result["rules"]:
        if rule["status"] in ("pass", "fail") and rule["kind"] != "ratio" and rule["id"] not in planted_rules:
            assert rule["violations"] == 0, rule["id"]
    problems = {(i["field"], i["value"]) for i in result["data_issues"]}
    assert ("rereviewed_on", "2021-02-30") in problems
    assert ("disclosure", "待定") in problems


def _baseline():
    spec = importlib.util.spec_from_file_location("bench_duckdb_baseline", ROOT / "benchmarks" / "duckdb_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hand_written_duckdb_baseline_agrees_with_the_audit(ledgers, tmp_path):
    """The benchmark's peer (benchmarks/duckdb_baseline.py, the built-in rules written by hand in
    DuckDB SQL) is honest: on the same ledgers every rule has the audit's population, violations
    and pending rows, and its findings table lists the audit's findings (rule, row, key)."""
    out_json = tmp_path / "r.json"
    code = main(["audit", "--data", f"documents={ledgers['documents']}", "--data", f"requests={ledgers['requests']}",
                 "--as-of", "2021-12-31", "--json", str(out_json), "--html", str(tmp_path / "r.html"),
                 "--json-findings", "all"])
    assert code == 0
    result = json.loads(out_json.read_text(encoding="utf-8"))
    baseline = _baseline().run(ledgers["documents"].parent, tmp_path / "baseline", as_of="2021-12-31", threads=1)
    assessed = {r["id"]: r for r in result["rules"] if r["status"] != "not_assessed"}
    assert set(baseline["rules"]) == set(assessed)
    for rule_id, rule in assessed.items():
        assert baseline["rules"][rule_id] == {k: rule[k] for k in ("population", "violations", "pending")}, rule_id
    assert sum(r["violations"] for r in assessed.values()) > 0
    found = pd.read_csv(tmp_path / "baseline" / "baseline-findings.csv", dtype=str)
    assert baseline["findings"] == len(found) == len(result["findings"])
    assert set(zip(found["rule"], found["row"].astype(int), found["key"])) == \
        {(f["rule"], f["row"], f["key"]) for f in result["findings"]}
