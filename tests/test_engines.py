"""Every engine gives the result the pandas engine gives (DESIGN §16): the same JSON but ``tool``.

Differential: every YAML rule-kind case of ``tests/cases`` and the bundled demo are audited
with each SQL engine and compared whole with the pandas engine's result, so that a user
choosing ``--engine duckdb`` for a big ledger gets the numbers, findings, divisions and
messages a small one gets.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from disclosure_rules import audit, load_rulebook
from disclosure_rules.demo import DEMO_AS_OF, example_data
from disclosure_rules.resources import DEFAULT_RULEBOOK, examples_dir

from test_kinds import _collect, case_inputs

#: Spark needs Java: .ci/run installs it; a developer's machine without it skips those tests
_NO_JAVA = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (java is not on PATH)")
SQL_ENGINES = ["duckdb", pytest.param("spark", marks=_NO_JAVA)]


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


@pytest.mark.parametrize("engine", SQL_ENGINES)
@pytest.mark.parametrize("kind,base,case", _collect())
def test_case_on_every_engine(engine, kind, base, case, tmp_path):
    """A rule-kind case gives the pandas engine's whole result on the SQL engine."""
    book, data, kwargs = case_inputs(kind, base, case, tmp_path)
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
    assert (expected["tool"]["engine"], got["tool"]["engine"]) == ("pandas", engine)  # the JSON says which
    assert not _same(expected, got), _same(expected, got)


# ---------------------------------------------------------------- generated ledgers


BUILTIN = load_rulebook(DEFAULT_RULEBOOK)
_DAYS = ["2020-12-30", "2021-01-04", "2021-02-10", "2021-02-18", "2021-02-20", "2021-04-30", "2021-05-06",
         "2021-06-11", "2021-07-01", "2021-07-28", "2021-09-18", "2021-09-26", "2021-09-30", "2021-10-01",
         "2021-10-08", "2021-10-09", "2021-11-15", "2021-12-01", "2021-12-20", "2021-12-30", "2022-01-05"]
_DATE_CELLS = _DAYS + ["2021/10/8", "2021年7月28日", "2021-13-05", "", ""]


def _pool(name: str, spec, department: str | None, key: str | None) -> list[str]:
    """Cells a person may type in a field: valid values, blanks, typos."""
    if name == department:
        return ["办公室", "外贸处", "外资处", ""]
    if name == key:
        return [f"K{i}" for i in range(8)] + [""]
    if spec.type == "date":
        return _DATE_CELLS
    if spec.type in ("category", "set"):
        labels = [labels[0] for labels in spec.values.values() if labels][:8] or list(spec.values)
        codes = list(spec.values)
        pool = labels + codes[:2] + ["部份公开", ""]
        if spec.type == "set":
            pool += ["、".join(labels[:2]), "、".join(labels[1:4]), "；".join(labels[:3])]
        return pool
    if spec.type == "boolean":
        return ["是", "否", ""]
    if spec.type in ("integer", "number"):
        return ["0", "1", "2", "3", "x", ""]
    return ["甲", "乙", "依据《条例》第十四条", ""]


@st.composite
def _ledgers(draw):
    data = {}
    for name, spec in BUILTIN.datasets.items():
        if not draw(st.booleans()) and name != "requests":
            continue
        n = draw(st.integers(0, 30))
        columns = {}
        for field_name, field in spec.fields.items():
            if not field.required and draw(st.integers(0, 9)) == 0:
                continue  # an optional column the file lacks
            pool = _pool(field_name, field, spec.department, spec.key)
            columns[field.aliases[0] if field.aliases else field_name] = \
                draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
        data[name] = pd.DataFrame(columns, dtype=object)
    as_of = draw(st.sampled_from(["2021-06-30", "2021-10-09", "2021-12-31", "2022-02-01"]))
    keys = [f"K{i}" for i in range(8)]
    waivers = [{"rule": rule.id, "key": key, "reason": "生成的豁免"}
               for rule, key in draw(st.lists(st.tuples(st.sampled_from(BUILTIN.rules), st.sampled_from(keys)),
                                              max_size=3))]
    return data, as_of, waivers


def _generated(engine, case):
    data, as_of, waivers = case
    expected = audit(BUILTIN, data, as_of=as_of, waivers=waivers).to_dict(json_findings=None)
    got = audit(BUILTIN, data, as_of=as_of, waivers=waivers, engine=engine).to_dict(json_findings=None)
    assert not _same(expected, got), _same(expected, got)


_GENERATED = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=25, **_GENERATED)
@given(case=_ledgers())
def test_generated_ledgers_on_duckdb(case):
    """Generated ledgers for the built-in plan (blanks, typos, unknown labels, duplicate keys,
    dates around holidays and across years, missing optional columns, waivers) give the pandas
    engine's whole result on DuckDB."""
    _generated("duckdb", case)


@_NO_JAVA
@settings(max_examples=5, **_GENERATED)
@given(case=_ledgers())
def test_generated_ledgers_on_spark(case):
    """The same on Spark (fewer examples: a Spark query costs a second on a local session)."""
    _generated("spark", case)


@_NO_JAVA
def test_spark_dataframes_and_a_caller_session():
    """A Spark user hands the session and Spark DataFrames of the ledgers (engine-native
    tables): the result is the pandas engine's on the same records; with engine auto, Spark
    DataFrames are audited on their own session."""
    from disclosure_rules.engines.spark import local_session

    from ledgers import AS_OF, documents, requests

    session = local_session()
    frames = {"documents": documents(), "requests": requests()}
    spark_frames = {name: session.createDataFrame(pa.Table.from_pandas(frame.astype("string"), preserve_index=False))
                    for name, frame in frames.items()}
    expected = audit(BUILTIN, frames, as_of=AS_OF).to_dict(json_findings=None)
    got = audit(BUILTIN, spark_frames, as_of=AS_OF, engine=session).to_dict(json_findings=None)
    differing = [key for key in _same(expected, got) if not key.startswith("reading")]
    assert not differing, differing
    assert got["reading"]["documents"]["format"] == "table"
    assert got["tool"]["engine"] == "spark"
    auto = audit(BUILTIN, spark_frames, as_of=AS_OF).to_dict(json_findings=None)  # auto: where the ledgers are
    assert auto["tool"]["engine"] == "spark" and not _same(got, auto)


def test_duckdb_memory_settings_and_a_caller_connection(tmp_path):
    """The DuckDB settings (a small memory limit, a spill folder, one thread) and a caller's own
    DuckDB connection give the pandas result; the caller's connection stays open and keeps its
    own tables, the audit's relations are gone after it; a bad size is refused in words."""
    import duckdb

    from disclosure_rules.errors import DisclosureRulesError

    book = load_rulebook(DEFAULT_RULEBOOK)
    data = example_data(book)
    expected = audit(book, data, as_of=DEMO_AS_OF).to_dict(json_findings=None)
    options = {"memory_limit": "300MB", "temp_directory": str(tmp_path / "spill"), "threads": 1}
    got = audit(book, data, as_of=DEMO_AS_OF, engine_options=options).to_dict(json_findings=None)
    assert not _same(expected, got), _same(expected, got)
    con = duckdb.connect()
    con.execute("CREATE TABLE calendar AS SELECT 1 AS mine")
    got = audit(book, data, as_of=DEMO_AS_OF, engine=con).to_dict(json_findings=None)
    assert not _same(expected, got), _same(expected, got)
    assert con.execute("SELECT mine FROM calendar").fetchall() == [(1,)]
    left = [name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    assert not [name for name in left if "disclosure_rules" in name], left
    with pytest.raises(DisclosureRulesError, match="12XB"):
        audit(book, data, as_of=DEMO_AS_OF, engine_options={"memory_limit": "12XB"})
    with pytest.raises(DisclosureRulesError, match="duckdb"):
        audit(book, data, as_of=DEMO_AS_OF, engine="pandas", engine_options={"threads": 2})
