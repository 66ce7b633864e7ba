"""The battery's cases, and a runner that writes and audits each case once per session.

A case is (layout, format, size): the clean example records of ``size`` laid out as
``layout`` (see :mod:`messy`) and saved in ``format``, both ledgers the same way. The
expected answer is the audit of the clean records, as a DataFrame of text cells, in the
order the file holds them. Files go to one session temp folder; every audit (messy or
clean) runs once and is shared by the tests that look at it.
"""

from __future__ import annotations

import json
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
