"""The columns a ledger's context converts for its rules (``Context.cache``) are let go once
no later rule of that ledger reads them (``engine._Audit.release``). The cache only remembers
what the frame gives again, so letting go changes no result: not when it follows each rule's
own inputs, not when everything is let go after every rule (a later rule converts again), on
the in-memory engine's side-by-side threads and on the one-by-one path alike.
"""

from __future__ import annotations

import pytest

import disclosure_rules.engine as engine
from disclosure_rules import audit
from disclosure_rules.demo import DEMO_AS_OF, example_data
from disclosure_rules.resources import examples_dir
from ledgers import BOOK, write_ledgers


def _result(data, **kwargs) -> dict:
    result = audit(BOOK, data, as_of=DEMO_AS_OF, waivers=examples_dir() / "waivers.yaml", **kwargs)
    return result.to_dict(json_findings=None)


@pytest.fixture
def left(monkeypatch):
    """What each context's cache holds when the audit concludes, and how many columns were let go."""
    seen = {"at_end": {}, "let_go": 0}
    conclude, release = engine._Audit.conclude, engine._Audit.release

    def counted(self, dataset, later):
        before = len(self.contexts[dataset].cache) if dataset in self.contexts else 0
        release(self, dataset, later)
        seen["let_go"] += before - (len(self.contexts[dataset].cache) if dataset in self.contexts else 0)

    def concluding(self, evaluations):
        evaluations = list(evaluations)
        seen["at_end"] = {name: list(ctx.cache) for name, ctx in self.contexts.items()}
        return conclude(self, evaluations)

    monkeypatch.setattr(engine._Audit, "release", counted)
    monkeypatch.setattr(engine._Audit, "conclude", concluding)
    return seen


@pytest.mark.parametrize("source", ["examples", "generated"])
@pytest.mark.parametrize("engine_name", ["pandas", "duckdb"])
def test_letting_go_changes_no_result(source, engine_name, tmp_path, monkeypatch, left):
    data = example_data(BOOK) if source == "examples" else {k: str(v) for k, v in write_ledgers(tmp_path).items()}
    kept = []
    released = _result(data, engine=engine_name)
    assert left["let_go"] > 0
    assert all(not keys for keys in left["at_end"].values()), left["at_end"]  # the last rule let go of all

    monkeypatch.setattr(engine._Audit, "release", lambda self, dataset, later: kept.append(dataset))
    assert _result(data, engine=engine_name) == released
    assert kept  # called, and let nothing go

    def everything(self, dataset, later):
        if dataset in self.contexts:
            self.contexts[dataset].cache.clear()
    monkeypatch.setattr(engine._Audit, "release", everything)
    assert _result(data, engine=engine_name) == released
