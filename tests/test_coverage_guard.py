"""The coverage guard (DESIGN §7): leaving data out never improves the grade, and says so.

The built-in 2021 rulebook is audited on the bundled examples, whole and with ledgers or
columns withheld. Withheld data makes rules ``not_assessed``; below the rulebook's
``min_coverage`` the grade is the band of ``strict_percent``, which counts those rules as
possible and 0, and a warning names each missing ledger and column.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_rules import audit, load_rulebook
from disclosure_rules.demo import DEMO_AS_OF, example_data
from disclosure_rules.reading import read_table

from test_cli import invoke  # tests/ is on sys.path (pytest rootdir insertion)

BOOK = load_rulebook("builtin:shanxi-commerce-2021")
DATA = example_data(BOOK)


@functools.lru_cache(maxsize=None)
def _frames() -> dict[str, pd.DataFrame]:
    """The example ledgers as raw text frames (header matched), to withhold columns from."""
    frames = {}
    for name, path in DATA.items():
        raw = read_table(name, BOOK.datasets[name], path)
        by_field = {field: raw.body[position] for field, position in raw.columns.items()}
        frames[name] = pd.DataFrame({raw.headers[f]: by_field[f] for f in by_field})
    return frames


@functools.lru_cache(maxsize=None)
def _full():
    return audit(BOOK, dict(_frames()), as_of=DEMO_AS_OF)


def _band(grade: str | None) -> int:
    labels = [g.label for g in BOOK.rulebook.grades]
    return labels.index(grade) if grade is not None else len(labels)


def _optional_headers(name: str) -> list[str]:
    """Headers of the example ledger whose field is not required (so leaving it out is allowed)."""
    raw = read_table(name, BOOK.datasets[name], DATA[name])
    return [raw.headers[f] for f in raw.columns if not BOOK.datasets[name].fields[f].required]


OPTIONAL_COLUMNS = {name: _optional_headers(name) for name in ("documents", "requests")}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(withheld=st.sets(st.sampled_from(sorted(DATA))),
       doc_columns=st.sets(st.sampled_from(OPTIONAL_COLUMNS["documents"]), max_size=4),
       req_columns=st.sets(st.sampled_from(OPTIONAL_COLUMNS["requests"]), max_size=4))
def test_withholding_ledgers_or_columns_never_improves_the_grade(withheld, doc_columns, req_columns):
    """Whatever ledgers and columns a unit leaves out, its grade is never better than with all
    of them, and the figure it is graded on is never above the full audit's percent."""
    full = _full()
    frames = {name: frame for name, frame in _frames().items() if name not in withheld}
    if "documents" in frames:
        frames["documents"] = frames["documents"].drop(columns=sorted(doc_columns))
    if "requests" in frames:
        frames["requests"] = frames["requests"].drop(columns=sorted(req_columns))
    partial = audit(BOOK, frames, as_of=DEMO_AS_OF)
    assert _band(partial.grade) >= _band(full.grade)
    if partial.grading_percent is not None:
        assert partial.grading_percent <= full.percent + 1e-9
    if any(r.status == "not_assessed" for r in partial.rules):
        assert partial.coverage < 1 and partial.graded_on == "strict_percent"
        assert partial.strict_percent is not None and partial.strict_percent <= (partial.percent or 0) + 1e-9


def test_the_built_in_book_grades_on_percent_only_with_every_ledger():
    """The built-in plan keeps min_coverage at 1.0: with all five ledgers the grade is the band of
    the percent; without the request ledger it comes from the strict percent."""
    assert BOOK.rulebook.min_coverage == 1.0
    full = _full()
    assert full.coverage == 1.0 and full.graded_on == "percent" and full.strict_percent == pytest.approx(full.percent)
    partial = audit(BOOK, {"documents": DATA["documents"]}, as_of=DEMO_AS_OF)
    assert partial.graded_on == "strict_percent"
    assert partial.percent > full.percent, "the documents alone score higher: the guard is what stops that"
    assert partial.grade == next(g.label for g in BOOK.rulebook.grades if partial.strict_percent >= g.min)
    score = partial.to_dict()["score"]
    assert score["graded_on"] == "strict_percent" and score["min_coverage"] == 1.0
    assert score["strict_percent"] == round(partial.strict_percent, 2)


def test_a_missing_ledger_is_named_with_the_rules_and_points_it_costs():
    """Each ledger not supplied gets one warning naming it, its rules and their points."""
    result = audit(BOOK, {"documents": DATA["documents"], "requests": DATA["requests"]}, as_of=DEMO_AS_OF)
    for name in ("messages", "opinions", "meetings"):
        rules = [r.id for r in BOOK.rules if r.enabled and r.dataset == name]
        points = sum(float(r.points) for r in BOOK.rules if r.enabled and r.dataset == name)
        lines = [w for w in result.warnings if w.startswith(f"dataset {name} ")]
        assert len(lines) == 1 and all(rule in lines[0] for rule in rules) and f"({points:g} points)" in lines[0]
        zh = [w for w in result.warnings_in("zh") if BOOK.datasets[name].title in w]
        assert zh and "无法考核" in zh[0]


def test_a_header_typo_is_named_with_the_header_the_rules_need():
    """A one-character typo in a header (答复日其 for 答复日期) makes the deadline rules not
    assessed; the grade does not rise, and a warning names the field and the header it needs."""
    frames = dict(_frames())
    frames["requests"] = frames["requests"].rename(columns={"答复日期": "答复日其"})
    full, typo = _full(), audit(BOOK, frames, as_of=DEMO_AS_OF)
    needing = [r.id for r in typo.rules if r.status == "not_assessed"]
    assert needing and typo.graded_on == "strict_percent"
    assert _band(typo.grade) >= _band(full.grade)
    [line] = [w for w in typo.warnings if "(field replied_on)" in w]
    assert "has no column '答复日期'" in line and all(rule in line for rule in needing)
    assert "the file has a column '答复日其': is it a typo of '答复日期'?" in line
    assert any("「答复日其」，是否应为「答复日期」" in w for w in typo.warnings_in("zh"))


def test_the_terminal_shows_the_figure_the_grade_comes_from(tmp_path):
    """`audit` without the request ledger prints the strict percent first, the grade from it, and
    names the missing ledger; the JSON says graded_on."""
    out = tmp_path / "r.json"
    code, stdout, stderr = invoke(["audit", "--data", f"documents={DATA['documents']}", "--as-of", DEMO_AS_OF,
                                   "--json", out, "--html", tmp_path / "r.html"])
    assert code == 0, stderr
    result = audit(BOOK, {"documents": DATA["documents"]}, as_of=DEMO_AS_OF)
    score_line = next(line for line in stdout.splitlines() if line.startswith("得分"))
    assert score_line.startswith(f"得分: {result.strict_percent:.1f} / 100（严格得分")
    assert f"等次: {result.grade}" in score_line
    assert "未提供依申请公开登记台账（requests）" in stdout
    assert '"graded_on": "strict_percent"' in out.read_text(encoding="utf-8")


def test_fail_under_judges_the_grading_figure(tmp_path):
    """--fail-under compares the figure the grade comes from: the strict percent when coverage is
    below min_coverage, not the percent over what happened to be supplied."""
    result = audit(BOOK, {"documents": DATA["documents"]}, as_of=DEMO_AS_OF)
    threshold = (result.strict_percent + result.percent) / 2
    code, _, stderr = invoke(["audit", "--data", f"documents={DATA['documents']}", "--as-of", DEMO_AS_OF,
                              "--html", tmp_path / "r.html", "--fail-under", f"{threshold:.2f}"])
    assert code == 1, stderr
