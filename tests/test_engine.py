"""Engine behaviour around the working-day calendar's fallback policy (DESIGN §5)."""

from __future__ import annotations

import pandas as pd
import pytest

from disclosure_rules import audit
from disclosure_rules.calendar import CalendarError
from disclosure_rules.rulebook import rulebook_from_dict


def _book(rules: list[dict]) -> object:
    return rulebook_from_dict({
        "rulebook": {"id": "future", "title": "A plan for a year the calendar does not cover",
                     "period": {"start": "2030-01-01", "end": "2030-12-31"}},
        "calendar": {"fallback": "error"},
        "datasets": {"requests": {"key": "req_id", "fields": {
            "req_id": {"type": "string", "aliases": ["编号"]},
            "received_on": {"type": "date", "aliases": ["收到日期"]},
            "replied_on": {"type": "date", "aliases": ["答复日期"]}}}},
        "rules": rules,
    })


LEDGER = pd.DataFrame({"编号": ["R1", "R2"], "收到日期": ["2030-03-01", "2030-03-04"],
                       "答复日期": ["2030-03-20", None]})
REQUIRED = {"id": "REQ-1", "title": "登记", "dataset": "requests", "kind": "required",
            "fields": ["replied_on"], "points": 5}
DEADLINE = {"id": "REQ-2", "title": "20个工作日", "dataset": "requests", "kind": "deadline",
            "start": "received_on", "end": "replied_on", "limit": {"working_days": 20}, "points": 5}


def test_fallback_error_does_not_stop_an_audit_that_asks_no_working_day_question():
    """With fallback 'error', a year the calendar does not cover only stops the audit when a
    rule needs working days in it; other rules are judged as usual."""
    result = audit(_book([REQUIRED]), {"requests": LEDGER}, as_of="2030-06-30")
    assert result.rule("REQ-1").violations == 1
    assert not any("2030" in w and "calendar" in w for w in result.warnings)  # no calendar warning
    # (the as-of date itself, after today and after the period, is warned about: sanity.py)


def test_fallback_error_stops_a_deadline_rule_in_an_uncovered_year():
    """A deadline in 2030 with fallback 'error' stops with a message naming the year."""
    with pytest.raises(CalendarError, match="2030"):
        audit(_book([REQUIRED, DEADLINE]), {"requests": LEDGER}, as_of="2030-06-30")


def test_invalid_waiver_given_to_audit_is_a_rulebook_error():
    """A waiver passed to audit() as a mapping is validated; a broken one is a RulebookError
    naming which entry and which keys, not a pydantic traceback."""
    from disclosure_rules import RulebookError

    with pytest.raises(RulebookError, match=r"waiver #2 is invalid: .*reason"):
        audit(_book([REQUIRED]), {"requests": LEDGER}, as_of="2030-06-30",
              waivers=[{"rule": "REQ-1", "key": "R1", "reason": "批准"}, {"rule": "REQ-1", "key": "R2"}])


@pytest.mark.parametrize("as_of", ["1899-12-31", "3000-01-01", "0001-01-01"])
def test_an_as_of_outside_the_dates_a_ledger_may_hold_is_refused(as_of):
    """as_of outside 1900-2999 is refused with a message naming it, not passed on as a blank
    that would make every open request's deadline unknown."""
    from disclosure_rules import DisclosureRulesError

    with pytest.raises(DisclosureRulesError, match=f"as_of {as_of} is outside 1900-2999"):
        audit(_book([REQUIRED]), {"requests": LEDGER}, as_of=as_of)


@pytest.mark.parametrize("waivers", [3, b"waivers.yaml", {"rule": "REQ-1"}])
def test_waivers_of_the_wrong_type_are_a_clear_error(waivers):
    """audit(waivers=...) takes a path or a list; anything else is a DisclosureRulesError naming it."""
    from disclosure_rules import DisclosureRulesError

    with pytest.raises(DisclosureRulesError, match="waivers must be a path"):
        audit(_book([REQUIRED]), {"requests": LEDGER}, as_of="2030-06-30", waivers=waivers)


def _demo_result():
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    return audit("builtin:shanxi-commerce-2021", {"documents": examples / "documents.csv",
                                                  "requests": examples / "requests.csv"}, as_of="2021-12-31")


def test_flatten_gives_plain_records_that_agree_with_the_result():
    """flatten() is the result as plain records: JSON-serialisable, every finding (not the JSON's
    capped list), and the same counts the typed result holds."""
    import json

    result = _demo_result()
    flat = result.flatten()
    json.dumps(flat, allow_nan=False)  # plain Python values only: no numpy, NaN or Timestamp
    assert len(flat["findings"]) == len(result.findings)
    assert [r["id"] for r in flat["rules"]] == [r.id for r in result.rules]
    assert {r["id"]: r["violations"] for r in flat["rules"]} == {r.id: r.violations for r in result.rules}
    assert flat["score"][0]["percent"] == result.percent
    deadline = [f for f in flat["findings"] if f["deadline"] is not None]
    assert deadline and all(isinstance(f["deadline"], str) and len(f["deadline"]) == 10 for f in deadline)
    assert all(f["late_workdays"] is None or isinstance(f["late_workdays"], int) for f in flat["findings"])


def test_flatten_picks_tables_and_columns_and_names_an_unknown_table():
    """A spec picks tables and columns; a table that does not exist is named with the ones that do."""
    result = _demo_result()
    picked = result.flatten({"rules": ["id", "status"], "findings": None})
    assert set(picked) == {"rules", "findings"}
    assert all(set(r) == {"id", "status"} for r in picked["rules"])
    with pytest.raises(KeyError, match="the tables are: score, rules"):
        result.flatten({"verdicts": None})


def test_previous_may_be_an_earlier_result_its_dict_or_its_json_file(tmp_path):
    """A trend rule reads last period's rate from an AuditResult, its to_dict() or its JSON
    file alike; anything else is refused in a sentence that says what is expected."""
    from disclosure_rules.errors import DisclosureRulesError

    def book(rule_id):
        return rulebook_from_dict({
            "rulebook": {"id": "t", "title": "t", "year": 2021},
            "datasets": {"d": {"key": "k", "fields": {"k": {"type": "string", "aliases": ["编号"]},
                                                      "ok": {"type": "boolean", "aliases": ["合格"]}}}},
            "rules": [{"id": rule_id, "title": "t", "dataset": "d", "kind": "trend", "of": "R-1",
                       "expect": "ok", "points": 2},
                      {"id": "R-1", "title": "t", "dataset": "d", "kind": "ratio", "expect": "ok", "min": 0.1}]})

    last = audit(book("T-0"), {"d": pd.DataFrame({"编号": ["a", "b", "c", "d"], "合格": ["是", "是", "是", "否"]})})
    last.write_json(tmp_path / "last.json")
    now = pd.DataFrame({"编号": ["a", "b"], "合格": ["是", "否"]})
    for previous in (last, last.to_dict(), tmp_path / "last.json", str(tmp_path / "last.json")):
        rule = audit(book("T-1"), {"d": now}, previous=previous).rule("T-1")
        assert (rule.status, rule.threshold_min, rule.rate) == ("fail", 0.75, 0.5)
    for bad in ([1, 2], {"rules": "x"}, tmp_path / "none.json"):
        with pytest.raises(DisclosureRulesError, match="previous result"):
            audit(book("T-1"), {"d": now}, previous=bad)


def test_a_dataset_loaded_with_another_rulebook_is_refused():
    """A LoadedDataset typed by another version of the rulebook (a category's codes differ) is
    refused with a message naming the dataset and field, instead of giving wrong counts."""
    import copy

    from disclosure_rules.datasets import load_dataset
    from disclosure_rules.errors import DatasetError
    from disclosure_rules.rulebook import rulebook_from_dict

    def book(codes):
        return rulebook_from_dict({
            "rulebook": {"id": "t", "title": "t", "year": 2021, "period": {"start": "2021-01-01", "end": "2021-12-31"}},
            "datasets": {"docs": {"key": "doc_id", "fields": {
                "doc_id": {"type": "string", "required": True, "aliases": ["文号"]},
                "disclosure": {"type": "category", "aliases": ["公开属性"], "values": codes}}}},
            "rules": [{"id": "R-1", "title": "主动公开", "dataset": "docs", "kind": "condition",
                       "expect": "disclosure == 'active'", "points": 1}]}, name="t")

    old = book({"active": ["主动公开"], "withheld": ["不予公开"]})
    new = book({"regulation": ["规章"], "active": ["主动公开"], "withheld": ["不予公开"]})
    frame = pd.DataFrame({"文号": ["A", "B"], "公开属性": ["主动公开", "不予公开"]})
    loaded = load_dataset("docs", old.datasets["docs"], frame)
    assert audit(old, {"docs": loaded}).rules[0].passed == 1
    with pytest.raises(DatasetError, match="disclosure"):
        audit(new, {"docs": copy.copy(loaded)})
    assert audit(new, {"docs": frame}).rules[0].passed == 1  # read again with the new book: right


@pytest.mark.parametrize("first", ["documents", "requests"])
def test_ledgers_read_side_by_side_report_the_first_given_refusal(tmp_path, first):
    """The ledgers are read in threads, but when two files are refused the user is told about
    the first one given, as if they had been read one after the other; beside a good file, the
    refused one is named whichever comes first."""
    from disclosure_rules.errors import DatasetError
    from ledgers import write_ledgers

    bad = {"documents": tmp_path / "公文台账.csv", "requests": tmp_path / "依申请公开台账.csv"}
    bad["documents"].write_bytes(b"")  # empty
    bad["requests"].write_bytes(b"\x00\x01\x02" * 4000)  # binary
    order = [first] + [name for name in bad if name != first]
    with pytest.raises(DatasetError) as refused:
        audit("builtin:shanxi-commerce-2021", {name: str(bad[name]) for name in order})
    assert refused.value.file == str(bad[first])
    good = write_ledgers(tmp_path / "good")
    other = "requests" if first == "documents" else "documents"
    for data in ({first: str(bad[first]), other: str(good[other])}, {other: str(good[other]), first: str(bad[first])}):
        with pytest.raises(DatasetError) as refused:
            audit("builtin:shanxi-commerce-2021", data)
        assert refused.value.file == str(bad[first])
