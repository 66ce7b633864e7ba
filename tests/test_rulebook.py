"""Loading a rulebook (DESIGN §3, §10, §11): positions of errors, hostile YAML, extends/merge.

Every fixture is YAML text written in the test; the expected line and column of an
error are computed from that text (:func:`at`), so the tests say exactly which YAML
node a message points at: the key of a wrong value, the item of a list, the ``id``
key of a rule that lacks something.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from disclosure_rules.errors import RulebookError
from disclosure_rules.book import Rulebook
from disclosure_rules.resources import builtin_rulebook, examples_dir
from disclosure_rules.rulebook import load_rulebook, load_waivers, rulebook_from_dict

BASE = textwrap.dedent("""\
    rulebook:
      id: test-book
      title: 测试规则
      issuer: 测试厅
      period: {start: 2021-01-01, end: 2021-12-31}
    sections:
      - {id: S3, title: 公开属性}
      - {id: S6, title: 依申请公开}
    datasets:
      documents:
        title: 公文台账
        key: doc_id
        department: department
        fields:
          doc_id: {type: string, required: true, aliases: [文号]}
          department: {type: string, aliases: [起草处室]}
          issued_on: {type: date, aliases: [成文日期]}
          disclosure:
            type: category
            aliases: [公开属性]
            values: {active: [主动公开], on_request: [依申请公开], not_public: [不予公开]}
    rules:
      - id: DOC-ATTR-01
        section: S3
        title: 拟发公文须明确公开属性
        dataset: documents
        kind: required
        fields: [disclosure]
        points: 10
      - id: DOC-BASIS-01
        section: S3
        title: 不予公开须注明成文日期
        dataset: documents
        where: disclosure == 'not_public'
        kind: condition
        expect: present(issued_on)
        severity: minor
        points: 5
    """)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def problems_of(path: Path) -> list:
    """The problems of a rulebook that must not load."""
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    return info.value.problems


def only_problem(path: Path):
    problems = problems_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# ---------------------------------------------------------------- a valid book

def test_base_book_loads(tmp_path):
    """The fixture book is valid: models filled, defaults applied, expressions compiled, source recorded."""
    path = write(tmp_path / "book.yaml", BASE)
    book = load_rulebook(path)
    assert isinstance(book, Rulebook)
    assert [r.id for r in book.rules] == ["DOC-ATTR-01", "DOC-BASIS-01"]
    assert book.rule("DOC-BASIS-01").severity == "minor"
    assert book.rule("DOC-ATTR-01").severity == "major"  # default
    assert [g.label for g in book.rulebook.grades] == ["优秀", "良好", "合格", "不合格"]
    assert set(book.rule("DOC-BASIS-01").expressions) == {"where", "expect"}
    assert book.source == str(path) and len(book.sha256) == 64


def test_bare_on_yes_no_keys_stay_text(tmp_path):
    """YAML 1.1 reads a bare on / yes / no as booleans; as keys (join.on, category codes) they stay text."""
    text = edit("values: {active: [主动公开], on_request: [依申请公开], not_public: [不予公开]}",
                "values: {active: [主动公开], on_request: [依申请公开], not_public: [不予公开], no: [否]}")
    book = load_rulebook(write(tmp_path / "book.yaml", text))
    assert list(book.datasets["documents"].fields["disclosure"].values)[-1] == "no"


# ---------------------------------------------------------------- errors with positions

def test_unknown_key_with_did_you_mean(tmp_path):
    """A misspelt key is an error at that key, suggesting the right one."""
    text = edit("    severity: minor\n", "    severty: minor\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "unknown key 'severty' (did you mean 'severity'?)" in problem.message
    assert problem.file == str(tmp_path / "book.yaml")
    assert (problem.line, problem.column) == at(text, "severty")


def test_unknown_key_at_top_level(tmp_path):
    """A misspelt top-level key (sectons) is reported at its line, column 1."""
    text = edit("sections:\n", "sectons:\n")
    problems = problems_of(write(tmp_path / "book.yaml", text))
    unknown = [p for p in problems if "unknown key 'sectons'" in p.message]
    assert unknown and "did you mean 'sections'?" in unknown[0].message
    assert (unknown[0].line, unknown[0].column) == at(text, "sectons")


def test_wrong_type_points_at_the_key(tmp_path):
    """A value of the wrong type (points: lots) is reported at its key, naming the path."""
    text = edit("    points: 5\n", "    points: lots\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "valid number" in problem.message and "rules[DOC-BASIS-01]" in problem.message
    assert (problem.line, problem.column) == at(text, "points: lots")


def test_wrong_type_in_a_list_item(tmp_path):
    """A bad item of a list (a grade above 100) is reported at that item."""
    text = edit("  issuer: 测试厅\n", "  issuer: 测试厅\n  grades:\n    - {min: 190, label: 优秀}\n    - {min: 0, label: 不合格}\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "less than or equal to 100" in problem.message
    assert problem.line == at(text, "min: 190")[0]


def test_missing_key_points_at_the_rule(tmp_path):
    """A rule without a required key is reported at the rule (its first key), naming the key."""
    text = edit("    title: 不予公开须注明成文日期\n", "")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "missing required key 'title'" in problem.message
    assert (problem.line, problem.column) == at(text, "id: DOC-BASIS-01")


def test_missing_top_level_key(tmp_path):
    """A book without datasets says which top-level key is missing."""
    text = BASE[: BASE.index("datasets:")]
    problems = problems_of(write(tmp_path / "book.yaml", text))
    assert any("missing required key 'datasets'" in p.message for p in problems)


def test_unknown_rule_kind(tmp_path):
    """An unknown kind is reported at the kind key, listing the kinds and suggesting the closest."""
    text = edit("    kind: required\n", "    kind: requird\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "unknown rule kind 'requird'" in problem.message
    assert "did you mean 'required'?" in problem.message
    assert "condition" in problem.message and "deadline" in problem.message
    assert (problem.line, problem.column) == at(text, "kind: requird")


def test_missing_rule_kind(tmp_path):
    """A rule without a kind says that 'kind' is missing (not a pydantic discriminator message)."""
    text = edit("    kind: condition\n", "")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "missing required key 'kind'" in problem.message
    assert "discriminator" not in problem.message
    assert (problem.line, problem.column) == at(text, "id: DOC-BASIS-01")


def test_key_of_another_kind_is_unknown(tmp_path):
    """Each kind accepts only its own keys: 'expect' on a required rule is an unknown key."""
    text = edit("    fields: [disclosure]\n", "    fields: [disclosure]\n    expect: present(doc_id)\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "unknown key 'expect'" in problem.message
    assert (problem.line, problem.column) == at(text, "expect: present(doc_id)")


def test_duplicate_rule_id(tmp_path):
    """Two rules with one id: the error is at the second id and names the first rule."""
    text = edit("  - id: DOC-BASIS-01\n", "  - id: DOC-ATTR-01\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "rule id 'DOC-ATTR-01' is used twice (first by rule #1)" in problem.message
    assert (problem.line, problem.column) == at(text, "id: DOC-ATTR-01", 2)


def test_duplicate_yaml_key(tmp_path):
    """A key given twice in one mapping is an error at the second one (YAML would keep the last silently)."""
    text = edit("    points: 10\n", "    points: 10\n    title: 又一个标题\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "duplicate key 'title'" in problem.message
    assert (problem.line, problem.column) == at(text, "title: 又一个标题")


def test_bad_rule_id_pattern(tmp_path):
    """A rule id must be upper case ([A-Z][A-Z0-9-]*); the error is at the id."""
    text = edit("  - id: DOC-BASIS-01\n", "  - id: doc-basis-01\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "pattern" in problem.message
    assert (problem.line, problem.column) == at(text, "id: doc-basis-01")


@pytest.mark.parametrize("old, new, fragment, needle", [
    ("    dataset: documents\n    where:", "    dataset: document\n    where:",
     "rule DOC-BASIS-01: dataset 'document' is not defined in 'datasets' (did you mean 'documents'?)",
     "dataset: document\n"),
    ("  - id: DOC-BASIS-01\n    section: S3\n", "  - id: DOC-BASIS-01\n    section: S7\n",
     "rule DOC-BASIS-01: section 'S7' is not defined in 'sections'", "section: S7"),
    ("    fields: [disclosure]\n", "    fields: [disclosur]\n",
     "rule DOC-ATTR-01: fields names 'disclosur', which is not a field of dataset 'documents' "
     "(did you mean 'disclosure'?)", "fields: [disclosur]"),
    ("    fields: [disclosure]\n", "    fields: [公开属姓]\n",
     "(did you mean 'disclosure'?)", "fields: [公开属姓]"),
    ("    key: doc_id\n", "    key: doc_no\n",
     "dataset 'documents': key 'doc_no' is not one of its fields (did you mean 'doc_id'?)", "key: doc_no"),
    ("    expect: present(issued_on)\n", "    expect: present(issued_o)\n",
     "rule DOC-BASIS-01: expect: unknown name 'issued_o'; did you mean 'issued_on'?", "expect: present(issued_o)"),
    ("    where: disclosure == 'not_public'\n", "    where: disclosure == 'secret'\n",
     "rule DOC-BASIS-01: where: 'secret' is not a code or label", "where: disclosure == 'secret'"),
])
def test_cross_check_errors_name_the_rule_and_point_at_the_key(tmp_path, old, new, fragment, needle):
    """References to unknown datasets/sections/fields and bad expressions name the rule, suggest, and point at the key."""
    text = edit(old, new)
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert fragment in problem.message
    assert (problem.line, problem.column) == at(text, needle)


def test_expression_error_keeps_the_caret(tmp_path):
    """An expression error in a rulebook still shows the expression with a caret under the offending name."""
    text = edit("    expect: present(issued_on)\n", "    expect: present(issued_on) and disclosur == 'x'\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    lines = problem.message.split("\n")
    assert lines[1] == "    present(issued_on) and disclosur == 'x'"
    assert lines[2] == "    " + " " * len("present(issued_on) and ") + "^" * len("disclosur")


def test_all_problems_reported_at_once(tmp_path):
    """Independent mistakes are collected: one load reports each with its own line."""
    text = edit("    fields: [disclosure]\n", "    fields: [disclosur]\n")
    text = edit("    expect: present(issued_on)\n", "    expect: present(issued_o)\n", text)
    problems = problems_of(write(tmp_path / "book.yaml", text))
    assert [p.line for p in problems] == [at(text, "fields: [disclosur]")[0], at(text, "expect: present(issued_o)")[0]]
    assert "(2 problems)" in str(RulebookError(problems))


def test_yaml_syntax_error_has_a_position(tmp_path):
    """Broken YAML (an unclosed flow mapping) is a RulebookError with the line of the problem."""
    text = edit("  - {id: S6, title: 依申请公开}\n", "  - {id: S6, title: 依申请公开\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert problem.message.startswith("YAML syntax error")
    assert problem.line == at(text, "datasets:")[0]  # where the parser found the mapping unclosed


@pytest.mark.parametrize("content, fragment", [
    ("", "missing required key 'rulebook'"),
    ("- just\n- a list\n", "a rulebook is a YAML mapping"),
    ("just text\n", "a rulebook is a YAML mapping"),
])
def test_not_a_rulebook(tmp_path, content, fragment):
    """An empty file, a list or a bare string is refused with a message saying what a rulebook is."""
    problems = problems_of(write(tmp_path / "book.yaml", content))
    assert any(fragment in p.message for p in problems)


def test_not_utf8_and_missing_file(tmp_path):
    """A file that is not UTF-8 and a path that does not exist are RulebookErrors naming the file."""
    path = tmp_path / "gbk.yaml"
    path.write_bytes(BASE.encode("gb18030"))
    assert "not UTF-8" in only_problem(path).message
    missing = tmp_path / "nope.yaml"
    problem = only_problem(missing)
    assert "not found" in problem.message and problem.file == str(missing)


def test_rulebook_from_dict():
    """A book given as plain data validates the same way; problems carry the given name instead of a file."""
    import yaml

    data = yaml.safe_load(BASE)
    book = rulebook_from_dict(data)
    assert [r.id for r in book.rules] == ["DOC-ATTR-01", "DOC-BASIS-01"]
    data["rules"][1]["expect"] = "present(issued_o)"
    with pytest.raises(RulebookError) as info:
        rulebook_from_dict(data, name="inline")
    assert "did you mean 'issued_on'?" in str(info.value)


# ---------------------------------------------------------------- hostile YAML

@pytest.mark.parametrize("snippet", [
    "  description: !!python/object/apply:os.system ['touch {target}']\n",
    "  description: !!python/object/apply:os.system\n    args: ['touch {target}']\n",
    "  description: !!python/object/new:os.system ['touch {target}']\n",
    "  description: !!python/name:os.system\n",
    "  description: !!python/object:pathlib.Path {{}}\n",
    "  description: !!python/module:os\n",
    "  description: !!python/tuple [1, 2]\n",
])
def test_python_tags_are_refused(tmp_path, snippet):
    """Tags that would build Python objects are refused with a message, and nothing runs."""
    target = tmp_path / "pwned"
    text = edit("  issuer: 测试厅\n", "  issuer: 测试厅\n" + snippet.format(target=target))
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "is not allowed in a rulebook" in problem.message
    assert problem.line == at(text, "description:")[0]
    assert not target.exists()


def test_billion_laughs_refused_quickly(tmp_path):
    """An alias bomb (9 levels of 9 aliases = 387 million values) is refused in seconds with a message."""
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    text = BASE + "\n".join(lines) + "\n"
    started = time.perf_counter()
    problem = only_problem(write(tmp_path / "bomb.yaml", text))
    assert time.perf_counter() - started < 5
    assert "alias bomb" in problem.message and problem.line is not None


@pytest.mark.parametrize("text", [
    "rulebook: &a [*a]\n",
    "rulebook: &a {id: *a}\n",
    "rulebook: " + "[" * 5000 + "]" * 5000 + "\n",
    "rulebook: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
])
def test_recursive_and_deeply_nested_yaml_is_an_error_not_a_crash(tmp_path, text):
    """A self-referencing alias or absurd nesting gives a RulebookError, not a RecursionError."""
    problem = only_problem(write(tmp_path / "deep.yaml", text))
    assert "nested" in problem.message


def test_merge_keys_may_be_overridden(tmp_path):
    """YAML merge keys (<<) work in a rule, and a key given next to the merge overrides the merged one."""
    text = edit("  - id: DOC-ATTR-01\n", "  - &attr\n    id: DOC-ATTR-01\n")
    text += "  - <<: *attr\n    id: DOC-ATTR-02\n    points: 3\n"
    book = load_rulebook(write(tmp_path / "book.yaml", text))
    copy = book.rule("DOC-ATTR-02")
    assert copy.points == 3 and copy.kind == "required" and copy.fields == ["disclosure"]
    assert book.rule("DOC-ATTR-01").points == 10


def test_merge_of_a_scalar_is_an_error(tmp_path):
    """'<<: 1' (a merge of something that is not a mapping) is a RulebookError at that mapping."""
    text = edit("  issuer: 测试厅\n", "  issuer: 测试厅\n  <<: 1\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "'<<' expected a mapping" in problem.message
    assert (problem.line, problem.column) == at(text, "id: test-book")  # the mapping holding '<<'


def test_duplicate_key_after_a_merge_is_still_an_error(tmp_path):
    """Overriding a merged key is fine, but giving the same own key twice is still a duplicate."""
    text = edit("  - id: DOC-ATTR-01\n", "  - &attr\n    id: DOC-ATTR-01\n")
    text += "  - <<: *attr\n    id: DOC-ATTR-02\n    points: 3\n    points: 4\n"
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "duplicate key 'points'" in problem.message
    assert (problem.line, problem.column) == at(text, "points: 4")


# ---------------------------------------------------------------- bounds (DESIGN §11)

DEADLINE = ("    kind: required\n    fields: [disclosure]\n",
            "    kind: deadline\n    start: issued_on\n    end: issued_on\n    limit: {calendar_days: 20}\n")

# (old, new, message fragment, needle): each edit of BASE must be refused at load with that
# message at the needle's line and column: a number that is not finite or is absurd, a date
# outside 1900-2999, a limit so long the deadline would overflow.
BOUNDS = [
    ("    points: 10\n", "    points: .inf\n", "Input should be a finite number (at rules[DOC-ATTR-01].points)",
     "points: .inf"),
    ("    points: 10\n", "    points: .nan\n", "Input should be a finite number", "points: .nan"),
    ("    points: 10\n", "    points: 1e300\n", "Input should be less than or equal to 10000", "points: 1e300"),
    ("    points: 10\n", "    points: 10\n    min: .nan\n", "Input should be a finite number (at rules[DOC-ATTR-01].min)",
     "min: .nan"),
    ("    points: 10\n", "    points: 10\n    scoring: {deduct: .inf}\n", "Input should be a finite number",
     "deduct: .inf"),
    ("    points: 10\n", "    points: 10\n    scoring: {deduct: 1, max: 1e9}\n", "less than or equal to 10000",
     "max: 1e9"),
    ("  issuer: 测试厅\n", "  issuer: 测试厅\n  grades: [{min: .inf, label: A}, {min: 0, label: B}]\n",
     "Input should be a finite number (at rulebook.grades.0.min)", "min: .inf"),
    ("  issuer: 测试厅\n", "  issuer: 测试厅\n  year: 20211\n", "Input should be less than or equal to 2999",
     "year: 20211"),
    ("period: {start: 2021-01-01,", "period: {start: 0021-01-01,",
     "period.start must lie between 1900-01-01 and 2999-12-31, got 0021-01-01", "start: 0021"),
    ("end: 2021-12-31}", "end: 9999-12-31}", "period.end must lie between 1900-01-01 and 2999-12-31", "end: 9999"),
    ("sections:\n", "calendar: {extra_holidays: [2021-10-01, 1600-01-01]}\nsections:\n",
     "calendar.extra_holidays[1] must lie between 1900-01-01 and 2999-12-31, got 1600-01-01", "extra_holidays"),
    ("sections:\n", "calendar: {extra_workdays: [3000-01-01]}\nsections:\n",
     "calendar.extra_workdays[0] must lie between", "extra_workdays"),
    (DEADLINE[0], DEADLINE[1].replace("calendar_days: 20", "calendar_days: 99999999"),
     "Input should be less than or equal to 3650 (at rules[DOC-ATTR-01].limit.calendar_days)", "calendar_days"),
    (DEADLINE[0], DEADLINE[1].replace("calendar_days: 20", "working_days: 3651"),
     "Input should be less than or equal to 3650", "working_days"),
    (DEADLINE[0], DEADLINE[1] + "    extension: {when: present(doc_id), calendar_days: 100000}\n",
     "Input should be less than or equal to 3650 (at rules[DOC-ATTR-01].extension.calendar_days)",
     "calendar_days: 100000"),
    (DEADLINE[0], DEADLINE[1].replace("calendar_days: 20", "working_days: 1e400"),
     "Input should be a valid integer", "working_days"),
    ("    kind: required\n    fields: [disclosure]\n", "    kind: count\n    min: .inf\n",
     "Input should be a finite number", "min: .inf"),
    ("    kind: required\n    fields: [disclosure]\n", "    kind: count\n    max: 1e12\n",
     "'max' of a count rule is a number of rows, 0 to 1000000000, got 1000000000000.0", "max: 1e12"),
    ("    expect: present(issued_on)\n", "    expect: issued_on > date('0021-07-01')\n",
     "rule DOC-BASIS-01: expect: '0021-07-01' is outside the dates a rulebook may name", "expect:"),
    ("    expect: present(issued_on)\n", "    expect: present(issued_on) or 1 > 99999999999999999999\n",
     "rule DOC-BASIS-01: expect: this number is too large", "expect:"),
    ("    expect: present(issued_on)\n", r"    expect: matches(doc_id, '(a+)+\\1')" + "\n",
     "rule DOC-BASIS-01: expect: this regular expression cannot be used: backreferences", "expect:"),
    ("    expect: present(issued_on)\n", "    expect: " + "not " * 200 + "present(issued_on)\n",
     "rule DOC-BASIS-01: expect: the expression is nested more than 50 levels deep", "expect:"),
    ("  - id: DOC-BASIS-01\n", "  - id: 17\n", "Input should be a valid string (at rules.1.id)", "id: 17"),
    ("  - id: DOC-BASIS-01\n", "  - id: [DOC, BASIS]\n", "Input should be a valid string", "id: [DOC"),
    ("  - id: DOC-BASIS-01\n", "  - id: ~\n", "Input should be a valid string", "id: ~"),
    ("    title: 拟发公文须明确公开属性\n", "    title: [拟发, 公文]\n", "Input should be a valid string (at rules[DOC-ATTR-01].title)",
     "title: [拟发"),
]


@pytest.mark.parametrize("old, new, fragment, needle", BOUNDS, ids=[row[1].strip()[:40] for row in BOUNDS])
def test_bounds_are_checked_at_load(tmp_path, old, new, fragment, needle):
    """A value that would overflow, stop being finite or wrap into another century is refused
    at load with a RulebookError naming the file, the line and the rule, never evaluated."""
    text = edit(old, new)
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert fragment in problem.message
    assert problem.file == str(tmp_path / "book.yaml")
    assert (problem.line, problem.column) == at(text, needle)


def test_limits_and_points_at_the_bounds_still_load(tmp_path):
    """The bounds are generous: 3650-day limits, 10000 points and 1900/2999 dates load."""
    text = edit(DEADLINE[0], DEADLINE[1].replace("calendar_days: 20", "working_days: 3650")
                + "    extension: {when: present(doc_id), working_days: 3650}\n")
    text = edit("    points: 10\n", "    points: 10000\n", text)
    text = edit("period: {start: 2021-01-01, end: 2021-12-31}", "period: {start: 1900-01-01, end: 2999-12-31}", text)
    book = load_rulebook(write(tmp_path / "book.yaml", text))
    assert book.rule("DOC-ATTR-01").limit.days == 3650 and book.rule("DOC-ATTR-01").points == 10000


@pytest.mark.parametrize("value, fragment", [
    ("!!timestamp ''", "'' is not a valid date (write YYYY-MM-DD)"),
    ("!!timestamp soon", "'soon' is not a valid date (write YYYY-MM-DD)"),
    ("0000-00-00", "'0000-00-00' is not a valid date"),
    ("!!float abc", "invalid value 'abc': could not convert string to float"),
    ("!!int 0x", "invalid value '0x'"),
])
def test_scalars_yaml_cannot_build_are_an_error_at_the_value(tmp_path, value, fragment):
    """A tagged or date-like scalar the YAML constructors cannot build ('!!timestamp' of
    nothing was an AttributeError) is a RulebookError at that value."""
    text = edit("  issuer: 测试厅\n", f"  issuer: 测试厅\n  description: {value}\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert fragment in problem.message
    assert (problem.line, problem.column) == at(text, value)


def test_control_characters_are_an_error_with_a_position(tmp_path):
    """A NUL or other control character (a binary or damaged file) is a RulebookError at its line."""
    text = BASE.replace("  issuer: 测试厅\n", "  issuer: 测试\x00厅\n")
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "control character #x0000" in problem.message
    assert problem.line == at(text, "issuer")[0]


def test_a_huge_file_is_refused_before_parsing(tmp_path):
    """A rulebook over 16 MB is refused with its size, without reading it as YAML."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    problem = only_problem(path)
    assert "a rulebook is at most 16 MB" in problem.message


# ---------------------------------------------------------------- extends and merge

CHILD = textwrap.dedent("""\
    extends: ../parent/book.yaml
    remove_rules: [DOC-ATTR-01]
    rulebook:
      id: test-book-2022
      period: {start: 2022-01-01, end: 2022-12-31}
    sections:
      - {id: S4, title: 公开质效}
      - {id: S3, title: 公开属性(新)}
    datasets:
      documents:
        fields:
          disclosure:
            type: category
            aliases: [信息公开属性]
            values: {active: [主动公开], on_request: [依申请公开], not_public: [不予公开]}
          published_on: {type: date, aliases: [公开日期]}
    rules:
      - id: DOC-BASIS-01
        points: 7
      - id: DOC-PUB-01
        section: S4
        title: 主动公开文件须有公开日期
        dataset: documents
        where: disclosure == 'active'
        kind: condition
        expect: present(published_on)
        points: 2
    """)


@pytest.fixture
def family(tmp_path):
    """A parent book and a child in a sibling folder that extends it by a relative path."""
    parent = write(tmp_path / "parent" / "book.yaml", BASE)
    child = write(tmp_path / "child" / "next.yaml", CHILD)
    return parent, child


def test_extends_merges_mappings_key_by_key(family):
    """The child's rulebook keys win; keys it does not give (title, issuer) are inherited."""
    book = load_rulebook(family[1])
    assert book.rulebook.id == "test-book-2022"
    assert str(book.rulebook.period.start) == "2022-01-01"
    assert book.rulebook.title == "测试规则" and book.rulebook.issuer == "测试厅"
    fields = book.datasets["documents"].fields
    assert list(fields) == ["doc_id", "department", "issued_on", "disclosure", "published_on"]
    assert book.datasets["documents"].key == "doc_id"


def test_extends_replaces_other_lists_whole(family):
    """Lists other than rules (sections, aliases) are replaced, not appended to."""
    book = load_rulebook(family[1])
    assert [(s.id, s.title) for s in book.sections] == [("S4", "公开质效"), ("S3", "公开属性(新)")]
    assert book.datasets["documents"].fields["disclosure"].aliases == ["信息公开属性"]


def test_extends_merges_rules_by_id(family):
    """A child rule with an inherited id overrides only its keys; a new id is appended; remove_rules drops."""
    book = load_rulebook(family[1])
    assert [r.id for r in book.rules] == ["DOC-BASIS-01", "DOC-PUB-01"]
    basis = book.rule("DOC-BASIS-01")
    assert basis.points == 7
    assert (basis.kind, basis.where, basis.expect, basis.severity) == (
        "condition", "disclosure == 'not_public'", "present(issued_on)", "minor")
    assert book.rule("DOC-PUB-01").section == "S4"


def test_extends_records_every_file(family):
    """The loaded book lists the parent then the child, and its hash covers both files."""
    parent, child = family
    book = load_rulebook(child)
    assert [Path(f).resolve() for f in book._files] == [parent.resolve(), child.resolve()]
    assert book.sha256 != load_rulebook(parent).sha256


def test_error_in_child_override_points_into_the_child(family):
    """A bad key in a child's override of an inherited rule is reported in the child file at that key."""
    parent, child = family
    text = edit("    points: 7\n", "    points: -7\n", CHILD)
    write(child, text)
    problem = only_problem(child)
    assert problem.file == str(child)
    assert (problem.line, problem.column) == at(text, "points: -7")


def test_expression_override_error_points_into_the_child(family):
    """An inherited rule whose 'expect' the child replaces with a bad expression: error at the child's key."""
    parent, child = family
    text = edit("    points: 7\n", "    points: 7\n    expect: present(published_o)\n", CHILD)
    write(child, text)
    problem = only_problem(child)
    assert problem.file == str(child) and "rule DOC-BASIS-01" in problem.message
    assert (problem.line, problem.column) == at(text, "expect: present(published_o)")


def test_error_in_the_parent_points_into_the_parent(family):
    """A problem that comes from the parent's own text is reported in the parent file."""
    parent, child = family
    parent_text = edit("    severity: minor\n", "    severity: minr\n")
    write(parent, parent_text)
    problem = only_problem(child)
    assert Path(problem.file).resolve() == parent.resolve()
    assert (problem.line, problem.column) == at(parent_text, "severity: minr")


def test_remove_rules_unknown_id(family):
    """remove_rules naming an id no parent defines is an error at that item, with a suggestion."""
    parent, child = family
    text = edit("remove_rules: [DOC-ATTR-01]", "remove_rules: [DOC-BASIS-01, DOC-ATR-01]", CHILD)
    write(child, text)
    problem = only_problem(child)
    assert "'remove_rules' names 'DOC-ATR-01'" in problem.message
    assert "did you mean 'DOC-ATTR-01'?" in problem.message
    assert (problem.line, problem.column) == at(text, "DOC-ATR-01")


def test_remove_rules_without_extends(tmp_path):
    """remove_rules in a book that extends nothing is an error at that key."""
    text = "remove_rules: [DOC-ATTR-01]\n" + BASE
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "'remove_rules' needs 'extends'" in problem.message
    assert (problem.line, problem.column) == (1, 1)


def test_extends_missing_parent(tmp_path):
    """A parent that does not exist is an error at the 'extends' key of the child."""
    text = "rules: []\nextends: ../nowhere.yaml\n"
    problem = only_problem(write(tmp_path / "child.yaml", text))
    assert "'extends' names a rulebook that does not exist" in problem.message
    assert (problem.file, problem.line, problem.column) == (str(tmp_path / "child.yaml"), 2, 1)


def test_extends_unknown_builtin(tmp_path):
    """extends: builtin:<unknown id> lists the bundled books and points at the 'extends' key."""
    text = "extends: builtin:shanxi-commerce-2099\n"
    problem = only_problem(write(tmp_path / "child.yaml", text))
    assert "no built-in rulebook 'shanxi-commerce-2099'" in problem.message
    assert "shanxi-commerce-2021" in problem.message
    assert (problem.file, problem.line, problem.column) == (str(tmp_path / "child.yaml"), 1, 1)


@pytest.mark.parametrize("value", ["[a.yaml]", "{path: a.yaml}", "7"])
def test_extends_must_be_a_path(tmp_path, value):
    """extends given as a list, mapping or number is an error at the key."""
    problem = only_problem(write(tmp_path / "child.yaml", f"extends: {value}\n"))
    assert "'extends' is a path or builtin:<id>" in problem.message and problem.line == 1


def test_extends_cycle(tmp_path):
    """a.yaml -> b.yaml -> a.yaml is reported as a cycle naming the files, not a recursion crash."""
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    problem = only_problem(tmp_path / "a.yaml")
    assert "'extends' forms a cycle" in problem.message
    assert "a.yaml" in problem.message and "b.yaml" in problem.message


def test_extends_itself(tmp_path):
    """A book that extends itself is a cycle too."""
    problem = only_problem(write(tmp_path / "self.yaml", "extends: ./self.yaml\n"))
    assert "'extends' forms a cycle" in problem.message


@pytest.mark.parametrize("value, fragment", [
    ("x" * 5000 + ".yaml", "the rulebook name is 5005 characters long; a path or builtin:<id> has at most 1024"),
    ("builtin:" + "x" * 3000, "the rulebook name is 3008 characters long"),
    ("x" * 300 + ".yaml", "'extends' names a rulebook that does not exist"),  # ENAMETOOLONG
    ('"a\\0b.yaml"', "the rulebook name contains a NUL character"),
    ("builtin:../../etc/passwd", "no built-in rulebook '../../etc/passwd' (ids are [a-z0-9-]+)"),
    ("builtin:Shanxi", "no built-in rulebook 'Shanxi'"),
    ("'builtin:'", "no built-in rulebook ''"),
])
def test_extends_names_that_cannot_be_files(tmp_path, value, fragment):
    """An 'extends' too long for the file system, with a NUL, or naming no builtin id is a
    RulebookError at the 'extends' key (never an OSError such as 'File name too long')."""
    problem = only_problem(write(tmp_path / "child.yaml", f"extends: {value}\n"))
    assert fragment in problem.message
    assert (problem.file, problem.line, problem.column) == (str(tmp_path / "child.yaml"), 1, 1)


def test_extends_chain_is_bounded(tmp_path):
    """A chain of 40 rulebooks is refused at the 'extends' that goes past 32, not a RecursionError;
    a chain of 32 loads."""
    for i in range(40):
        write(tmp_path / f"c{i}.yaml", f"extends: c{i + 1}.yaml\n")
    write(tmp_path / "c40.yaml", BASE)
    problem = only_problem(tmp_path / "c0.yaml")
    assert "'extends' chains more than 32 rulebooks" in problem.message
    assert problem.file == str(tmp_path / "c31.yaml") and problem.line == 1  # the 32nd book
    write(tmp_path / "c31.yaml", BASE)  # c0 .. c31: 32 books
    assert len(load_rulebook(tmp_path / "c0.yaml")._files) == 32


@pytest.mark.parametrize("length, fragment", [(20, "'extends' forms a cycle"),
                                              (32, "'extends' forms a cycle"),
                                              (40, "'extends' chains more than 32 rulebooks")])
def test_a_cycle_of_any_length_is_an_error(tmp_path, length, fragment):
    """A cycle within the chain bound is named as a cycle; a longer one is a chain too long."""
    for i in range(length):
        write(tmp_path / f"c{i}.yaml", f"extends: c{(i + 1) % length}.yaml\n")
    problem = only_problem(tmp_path / "c0.yaml")
    assert fragment in problem.message


@pytest.mark.parametrize("rule", ["{id: [DOC-ATTR-01]}", "{id: {a: 1}}", "{id: 7, points: 1}", "[DOC-ATTR-01]",
                                  "DOC-ATTR-01"])
def test_child_rules_with_odd_ids_are_refused_not_crashed(tmp_path, rule):
    """A child rule whose id is a list, a mapping or a number (or a rule that is not a mapping)
    cannot merge by id: it is refused by validation, never a TypeError in the merge."""
    write(tmp_path / "parent.yaml", BASE)
    text = f"extends: parent.yaml\nremove_rules: [DOC-BASIS-01]\nrules:\n  - {rule}\n"
    problems = problems_of(write(tmp_path / "child.yaml", text))
    assert problems and all(p.file == str(tmp_path / "child.yaml") for p in problems)


def test_remove_rules_when_rules_is_not_a_list(tmp_path):
    """'rules: 5' in a child with remove_rules is a RulebookError, not a TypeError."""
    write(tmp_path / "parent.yaml", BASE)
    problems = problems_of(write(tmp_path / "child.yaml", "extends: parent.yaml\nrules: 5\nremove_rules: []\n"))
    assert any("valid list" in p.message for p in problems)


def test_a_rulebook_path_too_long_for_the_file_system(tmp_path):
    """load_rulebook of a path the OS cannot open is a RulebookError naming it."""
    with pytest.raises(RulebookError, match="at most 1024"):
        load_rulebook("y" * 5000)
    with pytest.raises(RulebookError, match="rulebook file not found"):
        load_rulebook(tmp_path / ("y" * 300))
    with pytest.raises(RulebookError, match="waivers file not found"):
        load_waivers(tmp_path / ("y" * 300))


def test_extends_builtin_by_id(tmp_path):
    """extends: builtin:shanxi-commerce-2021 inherits the bundled book; the child changes one threshold."""
    text = textwrap.dedent("""\
        extends: builtin:shanxi-commerce-2021
        rulebook: {id: my-unit-2021}
        rules:
          - id: DOC-INTERP-04
            min: 0.95
        """)
    book = load_rulebook(write(tmp_path / "mine.yaml", text))
    builtin = load_rulebook("builtin:shanxi-commerce-2021")
    assert book.rulebook.id == "my-unit-2021" and book.rulebook.title == builtin.rulebook.title
    assert [r.id for r in book.rules] == [r.id for r in builtin.rules]
    changed = book.rule("DOC-INTERP-04")
    assert changed.min == 0.95
    original = builtin.rule("DOC-INTERP-04")
    assert changed.model_dump(exclude={"min"}) == original.model_dump(exclude={"min"})


# ---------------------------------------------------------------- the shipped books

def test_builtin_book_validates():
    """The bundled 2021 book loads by id, by default and by path, with 29 enabled rules worth 100
    points (and the stage limit REQ-STAGE-01 and the delivery rules REQ-DELIVERY-*, off until a unit
    turns them on)."""
    book = load_rulebook("builtin:shanxi-commerce-2021")
    assert book.rulebook.id == "shanxi-commerce-2021"
    enabled = [r for r in book.rules if r.enabled]
    assert len(enabled) == 29 and sum(r.points for r in enabled) == 100
    assert [r.id for r in book.rules if not r.enabled] == ["REQ-STAGE-01", "REQ-DELIVERY-01", "REQ-DELIVERY-02"]
    assert load_rulebook().rulebook.id == book.rulebook.id
    assert load_rulebook(builtin_rulebook("shanxi-commerce-2021")).sha256 == book.sha256
    sections = {s.id for s in book.sections}
    assert all(r.section in sections for r in book.rules)


def test_next_year_example_validates():
    """examples/next-year.yaml adapts the 2021 book by extends only: a threshold, a removal, a new rule."""
    book = load_rulebook(examples_dir() / "next-year.yaml")
    builtin = load_rulebook("builtin:shanxi-commerce-2021")
    assert book.rulebook.id == "shanxi-commerce-2022" and book.rulebook.year == 2022
    assert book.rulebook.issuer == builtin.rulebook.issuer
    assert [g.model_dump() for g in book.rulebook.grades] == [g.model_dump() for g in builtin.rulebook.grades]
    ids = [r.id for r in book.rules]
    assert "MSG-QUALITY-01" not in ids and ids[-1] == "DOC-INTERP-06"
    interp = book.rule("DOC-INTERP-05")
    assert interp.min == 0.6 and builtin.rule("DOC-INTERP-05").min == 0.5
    assert interp.expect == builtin.rule("DOC-INTERP-05").expect
    assert sum(r.points for r in book.rules) == 100


# ---------------------------------------------------------------- waivers

def test_example_waivers_load():
    """The example waivers file loads: rule, key, reason, approver and expiry date."""
    waivers = load_waivers(examples_dir() / "waivers.yaml")
    assert [w.rule for w in waivers] == ["REQ-DEADLINE-01", "MSG-REPLY-01", "DOC-TIMELY-01"]
    assert str(waivers[2].expires) == "2021-10-31" and waivers[2].key == "晋商合函〔2021〕1号"


def test_waiver_numeric_key_is_text(tmp_path):
    """A record key written as a number (an Excel id) is kept as text."""
    path = write(tmp_path / "w.yaml", "waivers:\n  - {rule: DOC-ATTR-01, key: 1024, reason: 已整改}\n")
    assert load_waivers(path)[0].key == "1024"


@pytest.mark.parametrize("text, fragment, needle", [
    ("waivers:\n  - {rule: DOC-ATTR-01, key: A-1, reson: 已整改}\n", "unknown key 'reson' (did you mean 'reason'?)", "reson"),
    ("waivers:\n  - {rule: DOC-ATTR-01, key: A-1}\n", "missing required key 'reason'", "{rule"),
    ("waivers:\n  - rule: DOC-ATTR-01\n    key: A-1\n    reason: 已整改\n    expires: someday\n", "date", "expires"),
    ("waiver:\n  - {rule: DOC-ATTR-01, key: A-1, reason: 已整改}\n", "unknown key 'waiver'", "waiver:"),
])
def test_waiver_errors_have_positions(tmp_path, text, fragment, needle):
    """Mistakes in a waivers file are RulebookErrors at the right line and column."""
    path = write(tmp_path / "w.yaml", text)
    with pytest.raises(RulebookError) as info:
        load_waivers(path)
    problem = next(p for p in info.value.problems if fragment in p.message)
    assert problem.file == str(path)
    assert (problem.line, problem.column) == at(text, needle)


@pytest.mark.parametrize("text, fragment", [
    (None, "waivers file not found"),
    ("- a list\n", "a waivers file is a mapping"),
    ("waivers: !!python/object/apply:os.system ['true']\n", "is not allowed"),
])
def test_waivers_file_not_usable(tmp_path, text, fragment):
    """A missing waivers file, a list, or a hostile tag is refused with a message."""
    path = tmp_path / "w.yaml"
    if text is not None:
        write(path, text)
    with pytest.raises(RulebookError, match=fragment.replace("(", r"\(")):
        load_waivers(path)


def test_waiver_naming_an_unknown_rule_in_a_book(tmp_path):
    """Waivers inside a rulebook must name one of its rules; the error suggests the closest id."""
    text = BASE + "waivers:\n  - {rule: DOC-ATTR-1, key: A-1, reason: 已整改}\n"
    problem = only_problem(write(tmp_path / "book.yaml", text))
    assert "waiver #1 names rule 'DOC-ATTR-1'" in problem.message
    assert "did you mean 'DOC-ATTR-01'?" in problem.message
    assert (problem.line, problem.column) == at(text, "rule: DOC-ATTR-1")


def test_a_lone_surrogate_in_rulebook_text_is_refused_at_its_line(tmp_path):
    """A YAML escape such as "\\uD800" is half a character: no JSON, HTML or XLSX could hold it,
    so the rulebook is refused at load with the line and column, not at the first write."""
    from disclosure_rules import load_rulebook
    from disclosure_rules.errors import RulebookError

    path = tmp_path / "s.yaml"
    path.write_text('rulebook: {id: s, title: "方案\\uD800"}\ndatasets: {}\nrules: []\n', encoding="utf-8")
    with pytest.raises(RulebookError, match=r"s\.yaml:1:\d+: this text holds a lone surrogate"):
        load_rulebook(str(path))
