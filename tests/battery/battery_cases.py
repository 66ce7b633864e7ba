"""The battery's cases, and a runner that writes and audits each case once per session.

The checks are functions of a :class:`Run` (the test module calls them; the generator's
tests feed them a perfect and a spoiled answer, to show they accept the one and catch
the other). A check fails through :func:`pytest.fail` with the first differences.

A case is (layout, format, size): the clean example records of ``size`` laid out as
``layout`` (see :mod:`messy`) and saved in ``format``, both ledgers the same way. The
expected answer is the audit of the clean records, as a DataFrame of text cells, in the
order the file holds them. Files go to one session temp folder; every audit (messy or
clean) runs once and is shared by the tests that look at it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import messy
from disclosure_rules import audit, load_rulebook
from disclosure_rules.errors import DisclosureRulesError

BOOK = load_rulebook("builtin:shanxi-commerce-2021")

WORKBOOKS = ["xlsx", "xls", "ods"]


@dataclass(frozen=True)
class Case:
    layout: str
    fmt: str
    size: str = "small"

    @property
    def id(self) -> str:
        return f"{self.layout}-{self.fmt}" + ("" if self.size == "small" else f"-{self.size}")


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(layout, fmt, size="small"):
        case = Case(layout, fmt, size)
        if messy.LAYOUTS[layout].workbook_only and not messy.FORMATS[fmt].workbook:
            return
        if case not in cases:
            cases.append(case)

    for layout in messy.LAYOUTS:                       # every habit, in every kind of file
        for fmt in WORKBOOKS + ["csv_utf8"]:
            add(layout, fmt)
    for fmt in messy.FORMATS:                          # every format, tidy and as offices keep it
        for layout in ("plain", "title_rows", "office", "office_quarters"):
            add(layout, fmt)
    for layout in ("dates_numerals", "dates_weekday", "dates_fullwidth", "header_notes",
                   "sets_joined", "two_row_header", "footers"):
        for fmt in ("csv_gb18030", "tsv_utf16", "csv_cr"):   # the odd characters in other encodings
            add(layout, fmt)
    for layout, fmt in [("office", "xlsx"), ("office", "csv_gb18030"), ("office_quarters", "xls"),
                        ("office_quarters", "ods"), ("division_sheets", "xlsx"), ("plain", "csv_utf8_bom")]:
        add(layout, fmt, "full")                       # the whole year, 300 documents and 120 requests
    return cases


CASES = _cases()


@dataclass
class Run:
    """One case written and audited, with what the generator says should come out."""

    case: Case
    fmt: messy.Format
    rendered: dict[str, messy.Rendered]
    paths: dict[str, Path]
    result: Any
    got: dict           # result.to_dict(json_findings=None)
    want: dict          # the clean audit's to_dict(json_findings=None)

    def place(self, dataset: str, row: int | None) -> tuple[str | None, int | None]:
        """(sheet, row) where the generator put the record the clean audit has on ``row``."""
        if row is None:
            return None, None
        sheet, at = self.rendered[dataset].places[row - 2]
        return (sheet if self.fmt.workbook else None), at


class Battery:
    def __init__(self, folder: Path):
        self.folder = folder
        self._positions: dict = {}
        self._rendered: dict = {}
        self._references: dict = {}
        self._runs: dict = {}

    def positions(self, dataset: str, size: str) -> list[int]:
        if (dataset, size) not in self._positions:
            self._positions[(dataset, size)] = messy.subset_positions(dataset, size)
        return self._positions[(dataset, size)]

    def rendered(self, layout: str, size: str) -> dict[str, messy.Rendered]:
        if (layout, size) not in self._rendered:
            self._rendered[(layout, size)] = {
                ds: messy.render(BOOK, ds, self.positions(ds, size), messy.LAYOUTS[layout]) for ds in messy.DATASETS}
        return self._rendered[(layout, size)]

    def reference(self, size: str, rendered: dict[str, messy.Rendered]) -> dict:
        """The clean audit of the same records in the same order."""
        key = (size, *(tuple(r.order) for r in rendered.values()))
        if key not in self._references:
            frames = {}
            for ds, r in rendered.items():
                clean = messy.clean_frame(ds).iloc[self.positions(ds, size)].reset_index(drop=True)
                frames[ds] = clean.iloc[r.order].reset_index(drop=True)
            self._references[key] = audit(BOOK, frames, as_of=messy.AS_OF).to_dict(json_findings=None)
        return self._references[key]

    def run(self, case: Case) -> Run:
        """The case's files and audit; an exception while reading is raised to every test of it."""
        if case not in self._runs:
            try:
                self._runs[case] = self._run(case)
            except Exception as exc:  # noqa: BLE001 - replayed to each test of the case
                self._runs[case] = exc
        outcome = self._runs[case]
        if isinstance(outcome, DisclosureRulesError):  # a refusal explains itself; no traceback needed
            pytest.fail(f"audit of {case.id} refused: {type(outcome).__name__}: {outcome}", pytrace=False)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _run(self, case: Case) -> Run:
        fmt = messy.FORMATS[case.fmt]
        rendered = self.rendered(case.layout, case.size)
        folder = self.folder / case.id
        folder.mkdir(parents=True, exist_ok=True)
        paths = {ds: messy.write(r, fmt, folder / ds) for ds, r in rendered.items()}
        result = audit(BOOK, paths, as_of=messy.AS_OF)
        got = json.loads(json.dumps(result.to_dict(json_findings=None), ensure_ascii=False, allow_nan=False))
        return Run(case, fmt, rendered, paths, result, got, self.reference(case.size, rendered))


# --------------------------------------------------------------------------- checks

RULE_FIELDS = ("status", "population", "passed", "violations", "pending", "waived", "rate", "awarded", "possible")


def _expect(condition: bool, message) -> None:
    if not condition:
        pytest.fail(message() if callable(message) else str(message), pytrace=False)


def _same(what: str, got: Counter, want: Counter, limit: int = 6) -> None:
    """Fail with the first few missing and unexpected entries (pytest's own diff of big Counters is slow)."""
    if got == want:
        return
    missing, extra = list((want - got).elements()), list((got - want).elements())
    pytest.fail(f"{what}: {len(missing)} missing, e.g. {missing[:limit]}; "
                f"{len(extra)} unexpected, e.g. {extra[:limit]}", pytrace=False)


def _rules(result: dict) -> dict[str, dict]:
    return {r["id"]: {k: r[k] for k in RULE_FIELDS} for r in result["rules"]}


def check_rule_counts(run: Run) -> None:
    """Each rule's status, population, passed, violations, pending, rate and points are the clean audit's."""
    got, want = _rules(run.got), _rules(run.want)
    wrong = {rule: {"got": got.get(rule), "want": counts} for rule, counts in want.items() if got.get(rule) != counts}
    _expect(not wrong, lambda: f"{len(wrong)} rules differ: " + json.dumps(wrong, ensure_ascii=False))


def check_score(run: Run) -> None:
    """The whole score (percent, grade, coverage, and whatever else it holds), sections and divisions."""
    def by_division(result):
        return sorted(result["departments"], key=lambda d: str(d["department"]))

    for what, got, want in [("score", run.got["score"], run.want["score"]),
                            ("sections", run.got["sections"], run.want["sections"]),
                            ("divisions", by_division(run.got), by_division(run.want))]:
        _expect(got == want, lambda: f"{what}: got {got}, want {want}")


def check_rows(run: Run) -> None:
    """(rule, key, division, row) of every finding and (dataset, field, value, row) of every data issue."""
    def findings(result, place):
        return Counter((f["rule"], f["key"], f["department"], place(f["dataset"], f["row"]))
                       for f in result["findings"])

    def issues(result, place):
        return Counter((i["dataset"], i["field"], str(i["value"]), place(i["dataset"], i["row"]))
                       for i in result["data_issues"])

    def same(dataset, row):
        return row

    def placed(dataset, row):
        return run.place(dataset, row)[1]

    _same("findings", findings(run.got, same), findings(run.want, placed))
    _same("data issues", issues(run.got, same), issues(run.want, placed))


def check_sheets(run: Run) -> None:
    """Every finding and data issue has a ``sheet``: the sheet of its row, null for a text file."""
    for name in ("findings", "data_issues"):
        lacking = [entry for entry in run.got[name] if "sheet" not in entry]
        _expect(not lacking, lambda: f"{len(lacking)} {name} have no 'sheet' key, e.g. {lacking[0]}")
    got = Counter((f["rule"], f["key"], f["row"], f["sheet"]) for f in run.got["findings"])
    want = Counter((f["rule"], f["key"], *reversed(run.place(f["dataset"], f["row"]))) for f in run.want["findings"])
    _same("findings", got, want)
    got = Counter((i["dataset"], i["field"], i["row"], i["sheet"]) for i in run.got["data_issues"])
    want = Counter((i["dataset"], i["field"], *reversed(run.place(i["dataset"], i["row"])))
                   for i in run.want["data_issues"])
    _same("data issues", got, want)


def check_reading(run: Run) -> None:
    """``reading``: exactly the non-record rows the generator wrote (blank rows and rows above the header
    may be listed or not), each with a reason and its text; header rows; records; the fields found; the
    format by content; the sheets read, in order; the other sheets named."""
    _expect("reading" in run.got, "the result has no 'reading' report")
    for dataset, rendered in run.rendered.items():
        report = run.got["reading"][dataset]
        sheet = (lambda name: name) if run.fmt.workbook else (lambda name: None)
        tolerated = {(sheet(s), row) for s, row in rendered.tolerated}
        listed = [entry for entry in report["skipped"] if (entry.get("sheet"), entry["row"]) not in tolerated]
        got = sorted(((entry.get("sheet"), entry["row"]) for entry in listed), key=str)
        want = sorted(((sheet(s), row) for s, row in rendered.skipped), key=str)
        _same(f"{dataset}: skipped rows", Counter(got), Counter(want))
        bare = [entry for entry in listed if not (entry.get("reason") and entry.get("text"))]
        _expect(not bare, lambda: f"{dataset}: skipped rows without a reason or text: {bare[:3]}")
        _expect(report["records"] == len(rendered.order),
                lambda: f"{dataset}: records {report['records']}, the file holds {len(rendered.order)}")
        _expect(report["header_rows"] == list(rendered.header_rows),
                lambda: f"{dataset}: header_rows {report['header_rows']}, the header is on {rendered.header_rows}")
        fields = {f for f, _ in messy.field_headers(BOOK, dataset, messy.clean_frame(dataset)).values()}
        _expect(set(report["columns"]) == fields,
                lambda: f"{dataset}: fields found {sorted(report['columns'])}, the file has {sorted(fields)}")
        kind = str(report["format"]).lower()
        if run.fmt.workbook:
            _expect(re.search(rf"\b{run.fmt.writer}\b", kind),
                    f"{dataset}: format {kind!r}, but the content is {run.fmt.writer}")
            read = json.dumps(report["sheets"], ensure_ascii=False)
            at = [read.find(json.dumps(name, ensure_ascii=False)) for name in rendered.data_sheets]
            _expect(-1 not in at and at == sorted(at),
                    lambda: f"{dataset}: sheets {report['sheets']}, the data is on {rendered.data_sheets}")
            everything = json.dumps(report, ensure_ascii=False)
            unnamed = [name for name in rendered.other_sheets if name not in everything]
            _expect(not unnamed, f"{dataset}: sheets passed over but not named: {unnamed}")
        else:
            _expect(not re.search(r"xls|ods", kind), f"{dataset}: format {kind!r} for a text file")


CHECKS = [check_rule_counts, check_score, check_rows, check_sheets, check_reading]
