"""Missing data never raises a grade, and a file that is no ledger is refused in one paragraph.

DESIGN §7: when coverage is below ``rulebook.min_coverage`` the grade is the band of
``strict_percent``, and a warning names every missing dataset and every missing field
with the header it needs. §11: a file that is none of the formats is a DatasetError
naming the file; the CLI exits 2 with one paragraph and no traceback.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json

import pandas as pd
import pytest

import messy
from battery_cases import BOOK
from disclosure_rules import audit
from disclosure_rules.cli import main
from disclosure_rules.errors import DatasetError

EXAMPLE_FILES = {ds: messy.EXAMPLES / messy.CLEAN_FILES[ds][0] for ds in messy.DATASETS}
BANDS = sorted(BOOK.rulebook.grades, key=lambda g: -g.min)
LABELS = [g.label for g in BANDS]


def band(percent: float) -> str:
    return next(g.label for g in BANDS if percent >= g.min)


def invoke(args) -> tuple[int, str, str]:
    """The CLI in-process, as tests/test_cli.py runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def score(data) -> dict:
    return audit(BOOK, data, as_of=messy.AS_OF).to_dict()


def _small(dataset: str) -> pd.DataFrame:
    return messy.clean_frame(dataset).iloc[messy.subset_positions(dataset, "small")].reset_index(drop=True)


@pytest.fixture(scope="module")
def complete() -> dict:
    """The audit of both example ledgers (the grade a unit earns by handing in everything)."""
    return score(EXAMPLE_FILES)


def assert_graded_as_the_contract_says(result: dict) -> None:
    s = result["score"]
    for key in ("strict_percent", "min_coverage", "graded_on"):
        assert key in s, f"score has no {key!r}: {s}"
    assert s["min_coverage"] == getattr(BOOK.rulebook, "min_coverage", 1.0)
    assert s["graded_on"] == ("percent" if s["coverage"] >= s["min_coverage"] else "strict_percent")
    if s["percent"] is not None:
        assert s["strict_percent"] <= s["percent"] + 1e-9
    if not s.get("vetoed_by") and not s.get("bonus"):
        assert s["grade"] == band(s[s["graded_on"]])


@pytest.mark.parametrize("left_out", messy.DATASETS)
def test_leaving_a_ledger_out_never_raises_the_grade(complete, left_out):
    """Handing in one ledger fewer can only keep or lower the grade, and the grading figure never rises."""
    kept = {ds: path for ds, path in EXAMPLE_FILES.items() if ds != left_out}
    partial = score(kept)
    assert_graded_as_the_contract_says(partial)
    assert partial["score"]["coverage"] < partial["score"]["min_coverage"]
    assert partial["score"]["graded_on"] == "strict_percent"
    assert LABELS.index(partial["score"]["grade"]) >= LABELS.index(complete["score"]["grade"])
    assert partial["score"]["strict_percent"] <= complete["score"]["percent"] + 1e-9


@pytest.mark.parametrize("left_out", messy.DATASETS)
def test_leaving_a_ledger_out_is_named_in_a_warning(left_out):
    """A warning names the dataset left out, so the reader knows why the grade is strict."""
    kept = {ds: path for ds, path in EXAMPLE_FILES.items() if ds != left_out}
    warnings = score(kept)["warnings"]
    title = BOOK.datasets[left_out].title
    assert any(left_out in w or title in w for w in warnings), warnings


def test_leaving_requests_out_on_the_command_line_says_so(tmp_path):
    """`audit` without --data requests finishes (exit 0), names the missing ledger and grades strictly."""
    out = tmp_path / "result.json"
    code, stdout, stderr = invoke(["audit", "--data", f"documents={EXAMPLE_FILES['documents']}",
                                   "--as-of", messy.AS_OF, "--json", out, "--html", tmp_path / "r.html"])
    assert code == 0, stderr
    assert "requests" in stdout + stderr or BOOK.datasets["requests"].title in stdout + stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert_graded_as_the_contract_says(result)
    assert result["score"]["graded_on"] == "strict_percent"


TYPOS = [  # (dataset, header, typed instead, field)
    ("requests", "答复日期", "答复日其", "replied_on"),
    ("requests", "收到补正日期", "收到补正曰期", "correction_received_on"),
    ("documents", "公开日期", "公开日朗", "published_on"),
    ("documents", "解读日期", "解读曰期", "interpreted_on"),
]


@functools.cache
def _tidy(size: str) -> tuple[dict, dict]:
    frames = {ds: messy.clean_frame(ds) if size == "full" else _small(ds) for ds in messy.DATASETS}
    return frames, score(frames)


@pytest.mark.parametrize("size", ["full", "small"])
@pytest.mark.parametrize("dataset, header, typo, field", TYPOS, ids=[t[3] for t in TYPOS])
def test_a_header_typo_never_raises_the_grade(tmp_path, size, dataset, header, typo, field):
    """One wrong character in a header makes rules not_assessed; the grade and grading figure cannot rise,
    a warning names the field and the header it needs, and the reading report lists the typed header."""
    frames, tidy = _tidy(size)
    paths = {}
    for ds, frame in frames.items():
        paths[ds] = tmp_path / f"{ds}.csv"
        frame.rename(columns={header: typo} if ds == dataset else {}).to_csv(paths[ds], index=False)
    typoed = score(paths)
    assert_graded_as_the_contract_says(typoed)
    rules = {r["id"]: r["status"] for r in typoed["rules"]}
    assert "not_assessed" in {rules[r["id"]] for r in tidy["rules"] if r["status"] != "not_assessed"}
    assert LABELS.index(typoed["score"]["grade"]) >= LABELS.index(tidy["score"]["grade"])
    graded = typoed["score"][typoed["score"]["graded_on"]]
    assert graded <= tidy["score"][tidy["score"]["graded_on"]] + 1e-9
    assert any(field in w and header in w for w in typoed["warnings"]), typoed["warnings"]
    assert typo in json.dumps(typoed["reading"][dataset]["unrecognised_headers"], ensure_ascii=False)


# --------------------------------------------------------------------------- not ledgers

@pytest.fixture(scope="module")
def not_ledgers(tmp_path_factory) -> dict[str, bytes]:
    """The files that are no ledger, by kind (a real .xlsx is the base of the broken ones)."""
    folder = tmp_path_factory.mktemp("sample")
    rendered = messy.render(BOOK, "documents", messy.subset_positions("documents", "small"), messy.LAYOUTS["plain"])
    sample = messy.write(rendered, messy.FORMATS["xlsx"], folder / "sample")
    return messy.not_ledgers(sample.read_bytes())


KINDS = ["word_document", "pdf", "random_bytes", "empty", "truncated_xlsx", "broken_sheet_part", "prose"]
#: what the message must say the file really is, where its content shows it
WHAT_IT_IS = {"word_document": ("word", "docx"), "pdf": ("pdf",), "empty": ("empty", "空")}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls", ".ods"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_no_ledger_is_a_dataset_error_naming_it(tmp_path, not_ledgers, kind, suffix):
    """Whatever its suffix, a Word file, a PDF, random bytes, an empty file or a broken workbook is refused
    with a DatasetError in one paragraph that names the file (and says what it is, where that shows)."""
    path = tmp_path / f"公文台账{suffix}"
    path.write_bytes(not_ledgers[kind])
    with pytest.raises(DatasetError) as caught:
        audit(BOOK, {"documents": path}, as_of=messy.AS_OF)
    message = str(caught.value)
    assert path.name in message
    assert "\n\n" not in message.strip() and "Traceback" not in message
    if kind in WHAT_IT_IS:
        assert any(word in message.lower() for word in WHAT_IT_IS[kind]), message


@pytest.mark.parametrize("kind", KINDS)
def test_the_cli_refuses_a_file_that_is_no_ledger_in_one_paragraph(tmp_path, not_ledgers, kind):
    """`audit` on a file that is no ledger exits 2 with one paragraph naming the file and no traceback."""
    path = tmp_path / "依申请公开登记台账.xlsx"
    path.write_bytes(not_ledgers[kind])
    code, stdout, stderr = invoke(["audit", "--data", f"requests={path}", "--as-of", messy.AS_OF,
                                   "--html", tmp_path / "r.html"])
    assert code == 2
    text = stderr.strip()
    assert text.startswith(("Error", "错误：")) and path.name in text, stderr  # in the terminal's language
    assert "Traceback" not in stdout + stderr and "\n\n" not in text


def test_a_workbook_with_no_matching_sheet_lists_its_sheets_and_headers(tmp_path):
    """A workbook whose sheets are only a 填表说明 and a 统计 table is refused, naming each sheet and its headers."""
    rendered = messy.render(BOOK, "documents", messy.subset_positions("documents", "small"), messy.LAYOUTS["quarters"])
    others = [s for s in rendered.sheets if s.name in rendered.other_sheets]
    path = tmp_path / "公文台账.xlsx"
    messy.write_xlsx(others, path)
    with pytest.raises(DatasetError) as caught:
        audit(BOOK, {"documents": path}, as_of=messy.AS_OF)
    message = str(caught.value)
    assert path.name in message
    for sheet in others:
        assert sheet.name in message, message
    assert "件数" in message, message  # the 统计 sheet's header, as found


def test_a_ledger_without_a_required_column_is_refused_naming_file_and_header(tmp_path):
    """A 公文台账 with no 公开属性 column (and blank rows between records, as printed ledgers have)
    is refused naming the file and the header it needs, not a '<DataFrame>'."""
    frame = _small("documents").drop(columns=["公开属性"])
    blank = pd.DataFrame([[""] * frame.shape[1]], columns=frame.columns)
    path = tmp_path / "公文台账.csv"
    pd.concat([frame.iloc[:5], blank, frame.iloc[5:]]).to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(DatasetError) as caught:
        audit(BOOK, {"documents": path}, as_of=messy.AS_OF)
    message = str(caught.value)
    assert path.name in message and "公开属性" in message, message
