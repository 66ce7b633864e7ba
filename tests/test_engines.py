"""Every engine gives the result the pandas engine gives (DESIGN §16): the same JSON but ``tool``.

Differential: every YAML rule-kind case of ``tests/cases`` and the bundled demo are audited
with each SQL engine and compared whole with the pandas engine's result, so that a user
choosing ``--engine duckdb`` for a big ledger gets the numbers, findings, divisions and
messages a small one gets.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import yaml

from disclosure_rules import audit, load_rulebook
from disclosure_rules.demo import DEMO_AS_OF, example_data
from disclosure_rules.resources import DEFAULT_RULEBOOK, examples_dir
from disclosure_rules.rulebook import rulebook_from_dict

from test_kinds import _book, _collect, _frame

SQL_ENGINES = ["duckdb"]


def _same(a, b) -> list[str]:
    """The top-level keys (and rule ids) where two result dicts differ."""
    a, b = json.loads(json.dumps(a, default=str)), json.loads(json.dumps(b, default=str))
    a.pop("tool", None), b.pop("tool", None)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        if key == "rules":
            out += [f"rule {x['id']}: " + ", ".join(f"{k}: {x.get(k)!r} != {y.get(k)!r}" for k in x if x.get(k) != y.get(k))
                    for x, y in zip(a[key], b[key]) if x != y]
        else:
            out.append(f"{key}: {str(a.get(key))[:300]} != {str(b.get(key))[:300]}")
    return out


def _case_inputs(base, case, tmp_path):
    book = rulebook_from_dict(_book(base, case), name=case["name"])
    data = {}
    for name, rows in (case.get("data") or {}).items():
        frame = _frame(rows)
        if case.get("via") == "csv":
            path = tmp_path / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8")
            data[name] = str(path)
        else:
            data[name] = frame
    waivers = copy.deepcopy(case.get("waivers"))
    for w in waivers or []:
        if isinstance(w.get("expires"), dt.date):
            w["expires"] = w["expires"].isoformat()
    return book, data, waivers


@pytest.mark.parametrize("engine", SQL_ENGINES)
@pytest.mark.parametrize("kind,base,case", _collect())
def test_case_on_every_engine(engine, kind, base, case, tmp_path):
    """A rule-kind case gives the pandas engine's whole result on the SQL engine."""
    book, data, waivers = _case_inputs(base, case, tmp_path)
    kwargs = dict(as_of=str(case.get("as_of", "2021-12-31")), waivers=waivers, previous=case.get("previous"))
    try:
        expected = audit(book, data, **kwargs).to_dict(json_findings=None)
    except Exception as exc:  # a case whose audit refuses its input must be refused the same way
        with pytest.raises(type(exc)):
            audit(book, data, engine=engine, **kwargs)
        return
    got = audit(book, data, engine=engine, **kwargs).to_dict(json_findings=None)
    assert not _same(expected, got), _same(expected, got)


@pytest.mark.parametrize("engine", SQL_ENGINES)
def test_demo_on_every_engine(engine):
    """The bundled demo (every built-in rule on the example ledgers, with waivers) gives the
    same result on the SQL engine."""
    book = load_rulebook(DEFAULT_RULEBOOK)
    data = example_data(book)
    waivers = examples_dir() / "waivers.yaml"
    expected = audit(book, data, as_of=DEMO_AS_OF, waivers=waivers).to_dict(json_findings=None)
    got = audit(book, data, as_of=DEMO_AS_OF, waivers=waivers, engine=engine).to_dict(json_findings=None)
    assert not _same(expected, got), _same(expected, got)
