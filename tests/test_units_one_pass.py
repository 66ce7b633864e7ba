"""The units of one ledger judged in one pass (DESIGN §15's single-ledger form, issue 10).

``engine.audit_units`` works out a row-wise rule's verdict once over the whole ledger and
takes it at each unit's rows. These tests hold it to what auditing each unit's rows on
their own gives, whole result for whole result: on every rule-kind case with its rows dealt
to units at random, on the built-in rulebook over generated ledgers of several units, and
when a unit's dates fall in a year the official calendar does not cover (its warning is that
unit's alone). And they check that the pass is one pass: a row-wise rule is judged once,
however many units there are.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from disclosure_rules import audit, load_rulebook
from disclosure_rules.assessment import _split, assess
from disclosure_rules.datasets import load_dataset
from disclosure_rules.engine import UnitRows, audit_units
from disclosure_rules.kinds import REGISTRY
from disclosure_rules.resources import DEFAULT_RULEBOOK
from disclosure_rules.rulebook import rulebook_from_dict

from test_engines import _same
from test_kinds import _collect, case_inputs

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _loaded(book, data: dict) -> dict:
    return {name: load_dataset(name, book.datasets[name], source) for name, source in data.items()}


def _units(whole: dict, labels: dict, previous=None) -> list[UnitRows]:
    """Each unit's rows of ``whole`` (dataset -> LoadedDataset), ``labels`` naming the unit
    of every row of each dataset, split as the single-ledger form splits them."""
    parts: dict[str, tuple[dict, dict]] = {}
    for name, ds in whole.items():
        tagged = dataclasses.replace(ds, frame=ds.frame.assign(__unit=labels[name]))
        split, where, _ = _split(tagged, "__unit")
        for unit, piece in split.items():
            piece.frame = piece.frame.drop(columns="__unit")
            data, positions = parts.setdefault(unit, ({}, {}))
            data[name], positions[name] = piece, where[unit]
    return [UnitRows({"name": unit, "code": None}, data, positions, previous)
            for unit, (data, positions) in sorted(parts.items())]


def _alone(book, units: list[UnitRows], **kwargs) -> list:
    return [audit(book, u.data, unit=u.unit, previous=u.previous, **kwargs) for u in units]


def _assert_same(book, whole, units, **kwargs) -> None:
    one_pass = audit_units(book, whole, units, **kwargs)
    alone = _alone(book, units, **kwargs)
    assert len(one_pass) == len(alone) == len(units)
    for unit, got, want in zip(units, one_pass, alone):
        problems = _same(want.to_dict(json_findings=None), got.to_dict(json_findings=None))
        assert not problems, (unit.unit["name"], problems)
        pd.testing.assert_frame_equal(got.due_frame(), want.due_frame())
        assert got.warnings == want.warnings


@pytest.mark.parametrize("kind,base,case", _collect())
def test_every_case_with_its_rows_dealt_to_units(kind, base, case, tmp_path):
    """A rule-kind case, its rows dealt at random to two or three units: each unit's result
    from the one pass is the result of auditing that unit's rows alone."""
    book, data, kwargs = case_inputs(kind, base, case, tmp_path)
    whole = _loaded(book, data)
    previous = kwargs.pop("previous")
    rng = np.random.default_rng(zlib.crc32(case["name"].encode()))
    k = int(rng.integers(2, 4))
    # dealt round the units, then shuffled: every unit of a ledger of k rows or more has rows
    labels = {name: np.array([f"单位{i}" for i in range(k)])[rng.permutation(np.arange(len(ds.frame)) % k)]
              for name, ds in whole.items()}
    units = _units(whole, labels, previous)
    assert len(units) >= min(k, max(len(ds.frame) for ds in whole.values()))
    try:
        alone = _alone(book, units, **kwargs)
    except Exception as exc:  # refused alone: refused the same way in one pass
        with pytest.raises(type(exc)):
            audit_units(book, whole, units, **kwargs)
        return
    one_pass = audit_units(book, whole, units, **kwargs)
    for unit, got, want in zip(units, one_pass, alone):
        problems = _same(want.to_dict(json_findings=None), got.to_dict(json_findings=None))
        assert not problems, (unit.unit["name"], problems)
        pd.testing.assert_frame_equal(got.due_frame(), want.due_frame())


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builtin_ledgers(tmp_path_factory) -> tuple:
    """The built-in rulebook and generated ledgers (its two ledgers, planted problems and all)."""
    folder = tmp_path_factory.mktemp("ledgers")
    _generator().generate(3000, folder)
    book = load_rulebook(DEFAULT_RULEBOOK)
    whole = _loaded(book, {"documents": folder / "documents.csv", "requests": folder / "requests.csv"})
    return book, whole


@pytest.mark.parametrize("k", [1, 2, 7])
def test_the_builtin_rulebook_on_generated_units(builtin_ledgers, k):
    """Every built-in rule (deadlines with pauses and extensions, a join, a unique key,
    divisions, waivers) on generated ledgers dealt to ``k`` units, some with rows in only
    one ledger: the one pass gives each unit its own audit's result."""
    book, whole = builtin_ledgers
    rng = np.random.default_rng(k)
    labels = {name: rng.choice([f"市{i}" for i in range(k)], size=len(ds.frame)) for name, ds in whole.items()}
    if k > 1:  # a unit with requests and no documents
        labels["documents"] = np.where(labels["documents"] == "市0", "市1", labels["documents"])
    units = _units(whole, labels)
    key = whole["requests"].frame["request_id"].dropna().iloc[5]
    waivers = [{"rule": "REQ-DEADLINE-01", "key": str(key), "reason": "经批准延期", "approved_by": "办公室"}]
    _assert_same(book, whole, units, as_of="2021-12-31", waivers=waivers)


def _deadline_book():
    doc = yaml.safe_load((Path(__file__).parent / "cases" / "deadline.yaml").read_text(encoding="utf-8"))
    book = dict(doc["base"], rulebook={"id": "units", "title": "units", "year": 2021,
                                      "period": {"start": "2021-01-01", "end": "2021-12-31"}})
    book["rules"] = [{"id": "DL-1", "title": "20个工作日内答复", "dataset": "requests", "kind": "deadline",
                      "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 10},
                     {"id": "REPLIED", "title": "有答复", "dataset": "requests", "kind": "required",
                      "fields": ["replied_on"], "points": 5}]
    return rulebook_from_dict(book)


def test_a_units_uncovered_year_is_its_own_warning():
    """One unit received a request in a year the official calendar does not cover: its result
    says the calendar fell back to weekends for that year, the other unit's does not, as when
    each is audited alone."""
    book = _deadline_book()
    frame = pd.DataFrame({"申请编号": ["A1", "A2", "B1", "B2"], "承办处室": ["外贸处"] * 4,
                          "收到日期": ["2021-03-01", "2021-04-01", "2021-05-06", "2099-01-05"],
                          "答复日期": ["2021-03-10", "", "2021-05-20", "2099-03-01"]})
    whole = _loaded(book, {"requests": frame})
    units = _units(whole, {"requests": np.array(["甲", "甲", "乙", "乙"])})
    one_pass = audit_units(book, whole, units, as_of="2021-12-31")
    alone = _alone(book, units, as_of="2021-12-31")
    assert [r.warnings for r in one_pass] == [r.warnings for r in alone]
    by_unit = {u.unit["name"]: r for u, r in zip(units, one_pass)}
    assert any("2099" in w for w in by_unit["乙"].warnings)
    assert not any("2099" in w for w in by_unit["甲"].warnings)
    for got, want in zip(one_pass, alone):
        assert not _same(want.to_dict(json_findings=None), got.to_dict(json_findings=None))


def test_a_rowwise_rule_is_judged_once_for_all_units(monkeypatch):
    """Eight units, two rules: the deadline and the required rule are each judged once, over
    the whole ledger, not once per unit; the results are still each unit's own."""
    book = _deadline_book()
    rng = np.random.default_rng(8)
    n = 400
    received = pd.Timestamp("2021-01-04") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    replied = received + pd.to_timedelta(rng.integers(0, 45, n), unit="D")
    frame = pd.DataFrame({"申请编号": [f"R{i}" for i in range(n)], "承办处室": rng.choice(["外贸处", "外资处"], n),
                          "收到日期": received.strftime("%Y-%m-%d"),
                          "答复日期": np.where(rng.random(n) < 0.1, "", replied.strftime("%Y-%m-%d"))})
    whole = _loaded(book, {"requests": frame})
    units = _units(whole, {"requests": rng.choice([f"县{i}" for i in range(8)], n)})
    calls = {"deadline": 0, "required": 0}
    for name in calls:
        kind = REGISTRY[name]
        original = type(kind).evaluate

        def counted(self, view, name=name, original=original):
            calls[name] += 1
            return original(self, view)
        monkeypatch.setattr(type(kind), "evaluate", counted)
    one_pass = audit_units(book, whole, units, as_of="2021-12-31")
    assert calls == {"deadline": 1, "required": 1}
    alone = _alone(book, units, as_of="2021-12-31")
    assert calls == {"deadline": 1 + len(units), "required": 1 + len(units)}
    for got, want in zip(one_pass, alone):
        assert not _same(want.to_dict(json_findings=None), got.to_dict(json_findings=None))
        assert json.dumps(got.to_dict(json_findings=None)["score"]) == json.dumps(want.to_dict(json_findings=None)["score"])


def test_assess_on_one_ledger_takes_the_one_pass(tmp_path, monkeypatch):
    """assess on the single-ledger form goes through audit_units (and the folder form does not)."""
    from assess_units import AS_OF, BOOK, write_single_ledger, write_units

    import disclosure_rules.engine as engine

    seen = []
    original = engine.audit_units
    monkeypatch.setattr(engine, "audit_units", lambda *a, **k: seen.append(len(a[2])) or original(*a, **k))
    single = assess(BOOK, write_single_ledger(tmp_path / "platform"), as_of=AS_OF)
    assert seen == [len(single.units)]
    assess(BOOK, write_units(tmp_path / "units"), as_of=AS_OF)
    assert seen == [len(single.units)]
