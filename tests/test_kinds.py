"""Rule kinds as data: every case in ``tests/cases/<kind>.yaml`` is audited and compared.

A case file holds ``base`` (a rulebook fragment shared by its cases: ``rulebook``,
``datasets``, ``sections``, ``calendar``) and ``cases``. A case gives:

* ``name`` and ``description`` (the behaviour it proves);
* ``rules`` (the rules under test) and optionally ``book`` (keys merged over ``base``;
  ``datasets`` merge by dataset name);
* ``data``: dataset name -> list of rows, each a mapping header -> cell text as a person
  types it (blank cells are ``""`` or null; a dataset absent from ``data`` is not
  supplied), or ``{columns: [...], rows: [...]}`` to fix the header;
* ``as_of``; optional ``waivers`` (a list of waiver mappings) and ``waivers_via``
  (``list`` passes the list to ``audit``, ``file`` writes it as a waivers YAML file);
* optional ``previous``: an earlier result (``{rules: [{id, rate}, ...]}``), for the kinds that
  compare with one;
* ``via: csv`` to write the ledgers as UTF-8 CSV files instead of passing DataFrames;
* ``expect``: ``rules`` (rule id -> any of status, population, passed, violations,
  pending, waived, rate, awarded, possible), ``findings`` (the complete list; each entry
  gives rule and row and/or key, plus any of department, waived, deadline, end,
  late_workdays, message_contains), ``score`` (awarded, possible, percent, grade,
  coverage), ``data_issues`` (the complete list; dataset, field, row, value),
  ``warnings_contain`` (substrings, each found in some warning), ``no_warnings``,
  ``departments`` (department -> awarded, possible, percent, violations).

Every expected number was worked out by hand from DESIGN.md and the official calendar
(``chinese_calendar.is_workday``), not copied from the engine's output.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from disclosure_rules import audit
from disclosure_rules.rulebook import rulebook_from_dict

CASES_DIR = Path(__file__).parent / "cases"


class _CaseLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false are booleans (``on:`` of a join stays a key,
    是/否 and Y/N stay cell text), as the product's own rulebook loader reads them."""


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))

DEFAULT_INFO = {"id": "kind-cases", "title": "rule kind cases", "year": 2021,
                "period": {"start": "2021-01-01", "end": "2021-12-31"}}

RULE_FIELDS = ("status", "population", "passed", "violations", "pending", "waived", "rate",
               "awarded", "possible")
FINDING_FIELDS = ("rule", "row", "key", "department", "waived", "deadline", "end", "late_workdays",
                  "message_contains", "dataset", "severity")


def _collect():
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_CaseLoader)
        base = doc.get("base", {})
        names = set()
        for case in doc["cases"]:
            assert case["name"] not in names, f"{path.name}: duplicate case name {case['name']}"
            names.add(case["name"])
            assert case.get("description"), f"{path.name}::{case['name']} needs a description"
            params.append(pytest.param(path.stem, base, case, id=f"{path.stem}::{case['name']}"))
    return params


def _book(base: dict, case: dict) -> dict:
    book = copy.deepcopy(base)
    for key, value in copy.deepcopy(case.get("book", {})).items():
        if key == "datasets":
            book.setdefault("datasets", {}).update(value)
        else:
            book[key] = value
    book.setdefault("rulebook", dict(DEFAULT_INFO))
    book["rules"] = copy.deepcopy(case["rules"])
    return book


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _frame(spec) -> pd.DataFrame:
    if isinstance(spec, dict):
        columns, rows = spec["columns"], spec.get("rows", [])
    else:
        rows = spec
        columns = list(dict.fromkeys(h for row in rows for h in row))
    return pd.DataFrame([[_cell(row.get(c)) for c in columns] for row in rows],
                        columns=columns, dtype=object)


def _date_text(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(value).date().isoformat()


def _close(actual, expected, tol=1e-4) -> bool:
    if expected is None or actual is None:
        return expected is None and (actual is None or (isinstance(actual, float) and math.isnan(actual)))
    return math.isclose(float(actual), float(expected), abs_tol=tol)


def case_inputs(kind: str, base: dict, case: dict, tmp_path) -> tuple:
    """(book, data, audit keyword arguments) of a case, its files written under ``tmp_path``."""
    book = rulebook_from_dict(_book(base, case), name=f"{kind}.yaml::{case['name']}")

    data = {}
    for name, rows in (case.get("data") or {}).items():
        frame = _frame(rows)
        if case.get("via") == "csv":
            path = tmp_path / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8")
            data[name] = str(path)
        else:
            data[name] = frame

    waivers = case.get("waivers")
    if waivers is not None:
        waivers = copy.deepcopy(waivers)
        for w in waivers:
            if isinstance(w.get("expires"), dt.date):
                w["expires"] = w["expires"].isoformat()
        if case.get("waivers_via", "file") == "file":
            path = tmp_path / "waivers.yaml"
            path.write_text(yaml.safe_dump({"waivers": waivers}, allow_unicode=True), encoding="utf-8")
            waivers = str(path)
    return book, data, {"as_of": str(case.get("as_of", "2021-12-31")), "waivers": waivers,
                        "previous": case.get("previous")}


@pytest.mark.parametrize("kind,base,case", _collect())
def test_case(kind, base, case, tmp_path):
    where = f"{kind}.yaml::{case['name']} ({case['description'].strip()})"
    book, data, kwargs = case_inputs(kind, base, case, tmp_path)
    result = audit(book, data, **kwargs)
    expect = case.get("expect", {})
    problems: list[str] = []

    # ---- rules
    results = {r["id"]: r for r in result.flatten({"rules": ("id",) + RULE_FIELDS})["rules"]}
    for rule_id, fields in (expect.get("rules") or {}).items():
        if rule_id not in results:
            problems.append(f"rule {rule_id}: no result")
            continue
        r = results[rule_id]
        for field, want in fields.items():
            assert field in RULE_FIELDS, f"{where}: unknown expected rule field {field}"
            got = r[field]
            ok = _close(got, want, 1e-4 if field == "rate" else 0.005) if field in ("rate", "awarded", "possible") \
                else got == want
            if not ok:
                problems.append(f"rule {rule_id}.{field}: expected {want!r}, got {got!r}")

    # ---- findings (complete list)
    if "findings" in expect:
        actual = result.flatten({"findings": [f for f in FINDING_FIELDS if f != "message_contains"] + ["message"]})["findings"]
        wanted = expect["findings"] or []
        unmatched = list(actual)
        for want in wanted:
            for field in want:
                assert field in FINDING_FIELDS, f"{where}: unknown expected finding field {field}"
            ident = {k: want[k] for k in ("rule", "row", "key") if k in want}
            hits = [a for a in unmatched if all(a[k] == (str(v) if k == "key" and v is not None else v)
                                                for k, v in ident.items())]
            if len(hits) != 1:
                problems.append(f"finding {ident}: expected exactly one, found {len(hits)}")
                continue
            got = hits[0]
            unmatched.remove(got)
            for field, value in want.items():
                if field in ident:
                    continue
                if field == "message_contains":
                    if value not in got["message"]:
                        problems.append(f"finding {ident}: message {got['message']!r} lacks {value!r}")
                    continue
                if field in ("deadline", "end"):
                    value = _date_text(value) if value is not None else None
                if got[field] != value:
                    problems.append(f"finding {ident}.{field}: expected {value!r}, got {got[field]!r}")
        for extra in unmatched:
            problems.append(f"unexpected finding: rule {extra['rule']} row {extra['row']} key {extra['key']}"
                            f" ({extra['message']})")

    # ---- score
    for field, want in (expect.get("score") or {}).items():
        got = getattr(result, field)
        ok = got == want if field in ("grade", "graded_on") else _close(got, want, 0.005)
        if not ok:
            problems.append(f"score.{field}: expected {want!r}, got {got!r}")

    # ---- data issues (complete list)
    if "data_issues" in expect:
        got_issues = result.flatten({"data_issues": ("dataset", "field", "row", "value")})["data_issues"]
        for want in expect["data_issues"] or []:
            hits = [g for g in got_issues if all(g[k] == v for k, v in want.items())]
            if not hits:
                problems.append(f"data issue {want}: not reported (got {got_issues})")
            else:
                got_issues.remove(hits[0])
        for extra in got_issues:
            problems.append(f"unexpected data issue {extra}")

    # ---- warnings
    for text in expect.get("warnings_contain") or []:
        if not any(text in w for w in result.warnings):
            problems.append(f"no warning contains {text!r} (warnings: {result.warnings})")
    if expect.get("no_warnings") and result.warnings:
        problems.append(f"expected no warnings, got {result.warnings}")

    # ---- departments
    if "departments" in expect:
        table = {d["department"]: d for d in result.flatten({"departments": None})["departments"]}
        for name, fields in expect["departments"].items():
            if name not in table:
                problems.append(f"department {name}: missing (have {sorted(table)})")
                continue
            for field, want in fields.items():
                got = table[name][field]
                ok = got == want if field == "violations" else _close(got, want, 0.005)
                if not ok:
                    problems.append(f"department {name}.{field}: expected {want!r}, got {got!r}")

    assert not problems, f"{where}:\n  " + "\n  ".join(problems)
