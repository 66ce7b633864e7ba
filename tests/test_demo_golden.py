"""The demo audit (built-in 2021 rulebook on the bundled examples) against its committed golden JSON.

Any change in semantics, in the rulebook or in the examples shows up here as a diff
to review. After an intended change, regenerate the golden file with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_demo_golden.py`` and commit it
together with the change that explains it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from disclosure_rules.demo import run_demo

GOLDEN = Path(__file__).parent / "golden" / "demo-result.json"


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    _, paths = run_demo(out, lang="zh")
    result = json.loads(paths["json"].read_text(encoding="utf-8"))
    for dataset in result["datasets"].values():
        # the examples' folder depends on where the package lives; the file and its sha256 do not
        dataset["source"] = Path(dataset["source"]).name
    for reading in result["reading"].values():
        reading["source"] = Path(reading["source"]).name
    return result


def _diff(expected, actual, path="$") -> list[str]:
    if type(expected) is not type(actual) and not (isinstance(expected, (int, float)) and isinstance(actual, (int, float))):
        return [f"{path}: {expected!r} != {actual!r}"]
    if isinstance(expected, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {actual[key]!r}")
            else:
                out += _diff(expected[key], actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items != {len(actual)} items"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += _diff(e, a, f"{path}[{i}]")
        return out
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]


def test_demo_matches_the_golden_json(demo_json):
    """The demo's result JSON is exactly the committed golden file (scores, rules, findings, issues)."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(demo_json, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        pytest.skip("golden file rewritten")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    differences = _diff(expected, demo_json)
    assert not differences, "demo result differs from tests/golden/demo-result.json:\n" + "\n".join(differences[:40])


def test_demo_golden_is_a_real_audit(demo_json):
    """The golden audit exercises the whole book: every rule assessed and failing on the examples,
    findings with spreadsheet rows, division scores and the data issues the examples plant."""
    rules = demo_json["rules"]
    assert rules and all(r["status"] == "fail" for r in rules)
    assert demo_json["score"]["coverage"] == 1.0
    assert 0 < demo_json["score"]["percent"] < 100
    assert {f["rule"] for f in demo_json["findings"]} == {r["id"] for r in rules}
    assert all(f["row"] is None or f["row"] >= 2 for f in demo_json["findings"])
    assert len(demo_json["departments"]) > 10
    assert any(i["problem"] == "not a date" for i in demo_json["data_issues"])
