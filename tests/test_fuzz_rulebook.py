"""Generated input for the rulebook loader and the expression language (DESIGN §11).

Whatever a rulebook file holds, ``load_rulebook`` either returns a Rulebook or raises a
RulebookError: never another exception, never a hang. Whatever an expression says, it
compiles or raises an ExpressionError (a DisclosureRulesError); a compiled one evaluates
on any small typed ledger without raising and gives a boolean mask per row.

The books are mutations of the built-in rulebook and of a small book that uses every rule
kind (random values for any key: numbers huge or not finite, dates of any century, text
of any kind, lists and mappings, deep nesting), raw YAML text, and ``extends`` names. The
expressions are drawn from the grammar (names, literals, operators, functions, nesting)
and from random text. The budget is small (a few seconds); nothing here is timed.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_rules import load_rulebook
from disclosure_rules.calendar import WorkCalendar
from disclosure_rules.datasets import load_dataset
from disclosure_rules.errors import DisclosureRulesError, RulebookError
from disclosure_rules.expressions import FUNCTIONS, Context, ExpressionError, compile_expression
from disclosure_rules.book import Rulebook
from disclosure_rules.models import DatasetSpec, FieldSpec
from disclosure_rules.resources import builtin_rulebook
from disclosure_rules.rulebook import _Builder, _compose

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])

# --------------------------------------------------------------------------- the books

def _plain(text: str):
    """YAML text as the loader reads it (keys stay text: YAML 1.1 would make `on:` True)."""
    return _Builder("<fuzz>").build(_compose(text, "<fuzz>"))


BUILTIN = _plain(builtin_rulebook("shanxi-commerce-2021").read_text(encoding="utf-8"))

SMALL = _plain(textwrap.dedent("""\
    rulebook:
      id: small-book
      title: 小规则
      year: 2021
      period: {start: 2021-01-01, end: 2021-12-31}
      grades: [{min: 90, label: 优秀}, {min: 0, label: 不合格}]
    calendar: {extra_holidays: [2027-01-01], extra_workdays: [], fallback: weekends}
    sections: [{id: S1, title: 一}]
    datasets:
      requests:
        key: req_id
        department: department
        fields:
          req_id: {type: string, required: true, aliases: [编号]}
          department: {type: string, aliases: [处室]}
          received_on: {type: date, aliases: [收到日期]}
          replied_on: {type: date, aliases: [答复日期]}
          paused_on: {type: date}
          resumed_on: {type: date}
          extended: {type: boolean}
          channel: {type: category, values: {mail: [信函], web: [网上]}}
          forms: {type: set, values: {text: [文字], video: [视频]}}
          count: {type: integer}
          amount: {type: number}
    rules:
      - {id: R-REQ, title: 必填, dataset: requests, kind: required, fields: [department], points: 5, min: 0.5}
      - {id: R-COND, title: 条件, dataset: requests, kind: condition, where: "channel == 'web'",
         expect: "present(replied_on) and matches(req_id, '^[A-Z]+-\\\\d+$')", points: 3,
         scoring: {deduct: 1, max: 2}}
      - {id: R-RATIO, title: 比例, dataset: requests, kind: ratio, expect: "'video' in forms", min: 0.2,
         max: 0.9, points: 2, scoring: all_or_nothing}
      - id: R-DL
        title: 时限
        dataset: requests
        kind: deadline
        start: received_on
        end: replied_on
        limit: {working_days: 20}
        extension: {when: extended, working_days: 20}
        exclude: [{from: paused_on, to: resumed_on}]
        points: 8
      - {id: R-UNI, title: 唯一, dataset: requests, kind: unique, fields: [req_id]}
      - {id: R-SEQ, title: 顺序, dataset: requests, kind: sequence, fields: [received_on, replied_on]}
      - {id: R-CNT, title: 数量, dataset: requests, kind: count, per: department, groups: [办公室], min: 1, max: 100}
    waivers:
      - {rule: R-DL, key: A-1, reason: 特殊, approved_by: 主任, expires: 2022-01-01}
    """))


def _load_text(tmp_path, text: str | bytes, name: str = "book.yaml"):
    """Write a rulebook and load it: a Rulebook, or the RulebookError it raised."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return load_rulebook(path)
    except RulebookError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        assert "Traceback" not in str(exc)
        return exc


# --------------------------------------------------------------------------- hostile values

_TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
_SPECIAL_TEXTS = st.sampled_from([
    "", " ", "x" * 5000, "builtin:nope", "builtin:" + "y" * 2000, "../" * 300, "a\x00b", "a\x1bb", "\ufeff",
    "1e400", ".inf", "-.nan", "0000-00-00", "2021-02-30", "9999-12-31", "present(", "present(req_id)",
    "matches(req_id, '(a*)*b')", "matches(req_id, '(a)\\\\1')", "not " * 300 + "True", "-" * 2000 + "1 > 0",
    "(" * 300 + ")" * 300, "[" * 100 + "]" * 100, "1 < " + "9" * 400, "as_of - date('0001-01-01') > 0",
    "add_workdays(received_on, 99999999999) > received_on", "workdays(replied_on, received_on) < 0",
    "received_on + 1e15 > received_on", "__import__('os')", "R-DL", "DOC-ATTR-01", "documents", "requests",
    "working_days", "calendar_days", "deduct", "proportional", "critical", "deadline", "count",
    "received_on", "replied_on", "shanxi-commerce-2021",
])
_NUMBERS = st.one_of(
    st.integers(), st.integers(-10**30, 10**30), st.sampled_from([2**63, -(2**63) - 1, 10**400, 0, -1, 3650, 3651]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e300, -1e300, 1e-300, 0.5, 1.0000001]),
)
_DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
_SCALARS = st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXTS, _SPECIAL_TEXTS, _DATES)
HOSTILE = st.recursive(
    _SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(_TEXTS, st.integers(), st.sampled_from(
                                   ["id", "kind", "min", "max", "points", "limit", "working_days", "extends",
                                    "rules", "fields", "type", "values", "deduct", "when", "from", "to"])),
                                   children, max_size=4)),
    max_leaves=12,
)

DEEP_TOKEN = "@@deep{}@@"


def _deep_yaml(kind: str, depth: int) -> str:
    """Flow YAML nested ``depth`` levels deep (written as text: the dumper would recurse)."""
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "map":
        return "{a: " * depth + "1" + "}" * depth
    return "&a [*a]"


def _paths(node, prefix=()):
    """Every path into a plain YAML structure (mapping keys and list indexes)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def mutated_books(draw, base):
    """YAML text of ``base`` with 1-4 random edits: a value replaced by a hostile one, a key
    deleted or added, a list item duplicated, or a value replaced by deep nesting."""
    data = _copy(base)
    deep = {}
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "duplicate", "deep"]))
        if action == "replace":
            parent[last] = draw(HOSTILE)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(_TEXTS, st.integers()))] = draw(HOSTILE)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(_copy(parent[last]))
        elif action == "deep":
            token = DEEP_TOKEN.format(len(deep))
            deep[token] = _deep_yaml(draw(st.sampled_from(["list", "map", "alias"])), draw(st.integers(1, 3000)))
            parent[last] = token
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
    for token, replacement in deep.items():
        text = text.replace(token, replacement)
    return text


@st.composite
def retyped_books(draw, base):
    """``base`` with 1-4 leaves replaced by a hostile value of the same kind (numbers huge,
    negative or not finite, dates of any century, texts odd): the structure stays valid, so
    many of these books load and reach the audit."""
    data = _copy(base)
    leaves = [p for p in _paths(data) if p and not isinstance(_at(data, p), (dict, list))]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(leaves))
        value = _at(data, path)
        if isinstance(value, bool):
            new = draw(st.booleans())
        elif isinstance(value, (int, float)):
            new = draw(st.one_of(_NUMBERS, st.integers(0, 4000), st.floats(0, 1)))
        elif isinstance(value, dt.date):
            new = draw(st.one_of(_DATES, st.dates(min_value=dt.date(1899, 1, 1), max_value=dt.date(3001, 1, 1))))
        else:
            new = draw(st.one_of(st.just(value), _SPECIAL_TEXTS, TYPED))
        _at(data, path[:-1])[path[-1]] = new
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def _at(data, path):
    for part in path:
        data = data[part]
    return data


# --------------------------------------------------------------------------- rulebook properties


@FUZZ
@given(text=mutated_books(BUILTIN))
def test_mutated_builtin_book_loads_or_is_a_rulebook_error(tmp_path, text):
    """Any edit of the built-in rulebook either loads or is a RulebookError with a message."""
    result = _load_text(tmp_path, text)
    assert isinstance(result, (Rulebook, RulebookError))


@FUZZ
@given(text=mutated_books(SMALL))
def test_mutated_small_book_loads_or_is_a_rulebook_error(tmp_path, text):
    """Any edit of a small book using every rule kind either loads or is a RulebookError."""
    result = _load_text(tmp_path, text)
    if isinstance(result, Rulebook):
        for rule in result.rules:  # what loaded is within the bounds
            assert np.isfinite(rule.points) and 0 <= rule.points <= 10_000
            if rule.kind == "deadline":
                assert 0 <= rule.limit.days <= 3650


@FUZZ
@given(key=st.sampled_from(["points", "min", "max", "expect", "where", "id", "title", "dataset", "kind",
                            "limit", "scoring", "fields", "severity", "section", "join", "extension"]),
       rule=st.integers(0, len(SMALL["rules"]) - 1), value=HOSTILE)
def test_any_value_for_any_rule_key(tmp_path, key, rule, value):
    """Every rule key given any value: the book loads or is a RulebookError naming the file."""
    data = _copy(SMALL)
    data["rules"][rule][key] = value
    result = _load_text(tmp_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    if isinstance(result, RulebookError):
        assert any(p.file and p.file.endswith("book.yaml") for p in result.problems)


_YAML_PIECES = st.sampled_from([
    "rulebook:", "datasets:", "rules:", "extends:", " ", "  ", "\n", "- ", ": ", "{", "}", "[", "]", ",", "&a ", "*a",
    "<<: *a", "!!python/object:os.system ", "!!binary ", "!!timestamp ", "? ", "|", ">", "'", '"', "#", "%YAML 1.1\n",
    "---\n", "...\n", "\t", "\x00", "\x1b", "\ufeff", "id: R-1", "kind: deadline", "limit: {calendar_days: 9e99}",
    "points: .inf", "2021-01-01", "0000-00-00", "1e400", "中文", "\ud800",
])


@FUZZ
@given(pieces=st.lists(_YAML_PIECES, max_size=40))
def test_raw_yaml_text_loads_or_is_a_rulebook_error(tmp_path, pieces):
    """Random YAML-ish text (tags, anchors, control characters, broken syntax) is a RulebookError."""
    _load_text(tmp_path, "".join(pieces))


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_are_a_rulebook_error(tmp_path, data):
    """A file of random bytes (not UTF-8, or not a mapping) is a RulebookError."""
    _load_text(tmp_path, data)


@FUZZ
@given(extends=st.one_of(_TEXTS, _SPECIAL_TEXTS, st.sampled_from([
    "parent.yaml", "./parent.yaml", "../parent.yaml", "builtin:shanxi-commerce-2021", "book.yaml", "x" * 300,
    "parent.yaml/", "/", ".", "~", "con", "builtin:", "builtin:Shanxi", "builtin:../rules/x"])),
       remove=st.one_of(st.none(), st.lists(st.one_of(_TEXTS, st.sampled_from(["R-DL", "DOC-ATTR-01"])), max_size=3)))
def test_any_extends_loads_or_is_a_rulebook_error(tmp_path, extends, remove):
    """Any 'extends' name (long, with NUL, a folder, itself, an unknown builtin id) and any
    'remove_rules' list load or give a RulebookError."""
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    child = {"extends": extends, "rulebook": {"id": "child-book"}}
    if remove is not None:
        child["remove_rules"] = remove
    _load_text(tmp_path, yaml.safe_dump(child, allow_unicode=True))


# --------------------------------------------------------------------------- expressions

FIELDS = {
    "doc_id": FieldSpec(type="string", aliases=["文号"]),
    "title": FieldSpec(type="string", aliases=["标题"]),
    "issued_on": FieldSpec(type="date", aliases=["成文日期"]),
    "published_on": FieldSpec(type="date"),
    "disclosure": FieldSpec(type="category", aliases=["公开属性"],
                            values={"active": ["主动公开"], "not_public": ["不予公开"]}),
    "forms": FieldSpec(type="set", values={"text": ["文字"], "video": ["视频"]}),
    "request_count": FieldSpec(type="integer"),
    "budget": FieldSpec(type="number"),
    "needs": FieldSpec(type="boolean"),
}
NAMES = list(FIELDS) + ["文号", "标题", "成文日期", "公开属性", "as_of", "period_start", "period_end"]
CALENDAR = WorkCalendar.build(dt.date(2021, 1, 1), dt.date(2021, 12, 31))

_number_literals = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "1", "3650", "3651", "1e15", "1e16", "1e400", "-1e400", "1j", "0x10", "1_000", "0.5",
                     "9" * 30, "2 ** 64"]),
)
_string_literals = st.one_of(
    _TEXTS.map(repr),
    st.sampled_from(["'active'", "'主动公开'", "'video'", "'视频'", "'secret'", "''", "'A-1'", "'2021-10-01'"]),
)
_date_literals = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(lambda d: f"date('{d.isoformat()}')"),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2024, 12, 31)).map(lambda d: f"'{d.isoformat()}'"),
    st.sampled_from(["date('2021-02-30')", "date('tomorrow')", "date(as_of)", "date()"]),
)
_patterns = st.text(alphabet="ab中()[]{}*+?|\\^$.,-019dwsbBDWSpPxuUZzN=!<>:#", max_size=14).map(repr)
_atoms = st.one_of(st.sampled_from(NAMES + ["unknown_name", "_private", "True", "False", "None"]),
                   _number_literals, _string_literals, _date_literals)


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "and", "or", "==", "!=", "<", "<=", ">",
                                                  ">=", "in", "not in", "%", "**", "&", "|", "is"]), children)
    calls = st.tuples(st.sampled_from(list(FUNCTIONS) + ["eval", "open", "len"]), st.lists(children, max_size=3))
    return st.one_of(
        binary.map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["not ", "-", "+", "~"]), children).map("".join),
        calls.map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(children, _patterns).map(lambda t: f"matches({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["title", "doc_id", "标题"]), _patterns).map(lambda t: f"matches({t[0]}, {t[1]})"),
        st.tuples(children, st.sampled_from(["<", "<=", "=="]), children, st.sampled_from(["<", "<="]), children)
        .map(lambda t: " ".join(t)),
    )


GRAMMAR = st.recursive(_atoms, _combine, max_leaves=16)


def typed(kind: str, depth: int = 3):
    """Well-typed expressions of ``kind`` (bool, number, date, text), so that most compile and
    the evaluator (not only the checker) is exercised; literals still range widely."""
    numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(
        ["0", "1", "2.5", "-3", "3650", "1e15", "-1e15", "1000000000000000", "0.1"]))
    days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2261, 12, 31)).map(lambda d: f"date('{d}')")
    texts = st.one_of(_TEXTS.map(repr), st.sampled_from(["'A-1'", "'关于通知'", "''"]))
    leaves = {
        "number": st.one_of(st.sampled_from(["request_count", "budget", "size(forms)", "length(title)"]), numbers),
        "date": st.one_of(st.sampled_from(["issued_on", "published_on", "成文日期", "as_of", "period_start",
                                           "period_end"]), days),
        "text": st.one_of(st.sampled_from(["doc_id", "title", "文号"]), texts),
        "bool": st.sampled_from(["needs", "True", "False", "present(title)", "blank(issued_on)",
                                 "disclosure == 'active'", "公开属性 != '不予公开'", "'video' in forms",
                                 "has_any(forms, ['text'])", "has_all(forms, ['文字', '视频'])",
                                 "disclosure in ['active', 'not_public']"]),
    }
    if depth == 0:
        return leaves[kind]
    sub = {k: typed(k, depth - 1) for k in ("number", "date", "text", "bool")}
    compare = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    if kind == "number":
        grown = st.one_of(
            st.tuples(sub["number"], st.sampled_from(["+", "-", "*", "/"]), sub["number"]).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            sub["number"].map(lambda x: f"-{x}"),
            st.tuples(st.sampled_from(["days", "workdays"]), sub["date"], sub["date"]).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(sub["date"], sub["date"]).map(lambda t: f"({t[0]} - {t[1]})"),
            st.tuples(st.sampled_from(["year", "month"]), sub["date"]).map(lambda t: f"{t[0]}({t[1]})"),
        )
    elif kind == "date":
        grown = st.one_of(
            st.tuples(sub["date"], sub["number"]).map(lambda t: f"add_workdays({t[0]}, {t[1]})"),
            st.tuples(sub["date"], st.sampled_from(["+", "-"]), sub["number"]).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(sub["number"], sub["date"]).map(lambda t: f"({t[0]} + {t[1]})"),
        )
    elif kind == "text":
        return leaves["text"]
    else:
        grown = st.one_of(
            st.tuples(sub["number"], compare, sub["number"]).map(" ".join),
            st.tuples(sub["date"], compare, sub["date"]).map(" ".join),
            st.tuples(sub["text"], compare, sub["text"]).map(" ".join),
            st.tuples(sub["number"], compare, sub["number"], compare, sub["number"]).map(" ".join),
            st.tuples(sub["bool"], st.sampled_from(["and", "or"]), sub["bool"]).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            sub["bool"].map(lambda x: f"not {x}"),
            st.tuples(st.sampled_from(["blank", "present"]), st.one_of(sub["number"], sub["date"], sub["text"])).map(
                lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["title", "doc_id"]), _patterns).map(lambda t: f"matches({t[0]}, {t[1]})"),
            st.tuples(st.sampled_from(["title", "doc_id"]), texts).map(lambda t: f"contains({t[0]}, {t[1]})"),
            st.tuples(sub["number"], st.lists(numbers, max_size=3)).map(lambda t: f"{t[0]} in [{', '.join(t[1])}]"),
            st.tuples(sub["date"], st.lists(days, max_size=3)).map(lambda t: f"{t[0]} not in [{', '.join(t[1])}]"),
        )
    return st.one_of(leaves[kind], grown)


TYPED = typed("bool")
DEEP = st.tuples(st.sampled_from(["not ", "-", "(", "[", "present(", "year(", "not (", "- ("]),
                 st.integers(0, 1500)).map(
    lambda t: t[0] * t[1] + ("budget > 0" if t[0] in ("not ", "(", "not (") else "budget")
    + {"(": ")", "[": "]", "present(": ")", "year(": ")", "not (": ")", "- (": ")"}.get(t[0], "") * t[1])
RANDOM_TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.text(alphabet="()[]'\",.+-*/<>=!&|~ andortinsu_01239eE\\\n\tabc中", max_size=80),
)
EXPRESSIONS = st.one_of(GRAMMAR, GRAMMAR, GRAMMAR, DEEP, RANDOM_TEXT)

_CELLS = {
    "string": st.one_of(_TEXTS, st.sampled_from(["A-1", "a" * 40, "ABC-123", "关于通知", "", "  "])),
    "date": st.one_of(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2055, 12, 31)).map(str),
                      st.sampled_from(["", "2021/10/01", "2021年10月1日", "not a date", "2021-02-30"])),
    "integer": st.sampled_from(["", "0", "3", "-2", "12", "1.5", "1e300", "99999999999999999999", "abc", "-0"]),
    "number": st.sampled_from(["", "0", "1.5", "-2.25", "1e300", "-1e300", "1e-300", "abc", "10"]),
    "boolean": st.sampled_from(["", "是", "否", "Y", "N", "true", "maybe"]),
    "category": st.sampled_from(["", "主动公开", "不予公开", "active", "待定"]),
    "set": st.sampled_from(["", "文字", "视频", "文字、视频", "朗读", "文字;朗读"]),
}


@st.composite
def ledgers(draw):
    """A small typed ledger over FIELDS, typed as an audit types it."""
    rows = draw(st.integers(0, 6))
    raw = pd.DataFrame({name: [draw(_CELLS[spec.type]) for _ in range(rows)] for name, spec in FIELDS.items()},
                       dtype=object)
    return load_dataset("t", DatasetSpec(fields=FIELDS), raw).frame


CONSTANTS = st.fixed_dictionaries({
    "as_of": st.one_of(st.none(), st.just(pd.Timestamp("2021-11-30")),
                       st.just(pd.Timestamp("2021-11-30 23:30", tz="Asia/Shanghai")),
                       st.just(dt.datetime(2021, 12, 31, 18, 0)), st.just(dt.date(2021, 7, 1))),
    "period_start": st.just(pd.Timestamp("2021-01-01")),
    "period_end": st.one_of(st.just(pd.Timestamp("2021-12-31")), st.none()),
})


def _compile(source: str):
    """A compiled expression, or None when it is refused with an ExpressionError."""
    try:
        return compile_expression(source, FIELDS)
    except ExpressionError as exc:
        assert isinstance(exc, DisclosureRulesError)
        assert str(exc).startswith("expect: ") and len(str(exc)) < 20_000
        return None


@settings(max_examples=200, deadline=None)
@given(source=EXPRESSIONS)
def test_expressions_compile_or_are_refused(source):
    """Any expression (from the grammar, deeply nested, or random text) compiles or raises an
    ExpressionError: never a RecursionError, OverflowError or MemoryError."""
    _compile(source)


@settings(max_examples=120, deadline=None)
@given(source=st.one_of(TYPED, TYPED, GRAMMAR), frame=ledgers(), constants=CONSTANTS)
def test_compiled_expressions_evaluate_to_masks(source, frame, constants):
    """An expression that compiles evaluates on any small ledger without raising, and gives
    one true/unknown pair per row (never both)."""
    compiled = _compile(source)
    if compiled is None:
        return
    true, unknown = compiled.mask(Context(frame, constants, CALENDAR))
    assert true.dtype == bool and unknown.dtype == bool
    assert true.shape == unknown.shape == (len(frame),)
    assert not (true & unknown).any()


@settings(max_examples=60, deadline=None)
@given(pattern=_patterns, frame=ledgers())
def test_any_pattern_is_refused_or_runs_on_any_cell(pattern, frame):
    """A matches() pattern either fails at compile time or runs on every cell (RE2)."""
    compiled = _compile(f"matches(title, {pattern}) or matches(doc_id, {pattern})")
    if compiled is not None:
        true, unknown = compiled.mask(Context(frame, {}, CALENDAR))
        assert true.shape == (len(frame),)


@FUZZ
@given(source=EXPRESSIONS)
def test_expressions_in_a_rulebook_load_or_are_a_rulebook_error(tmp_path, source):
    """An expression given as a rule's 'expect' makes the book load or a RulebookError that
    names the rule."""
    data = _copy(SMALL)
    data["rules"][1]["expect"] = source
    result = _load_text(tmp_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    if isinstance(result, RulebookError) and any("expect:" in p.message for p in result.problems):
        assert any("R-COND" in p.message for p in result.problems)


LEDGER = pd.DataFrame({
    "编号": ["A-1", "A-2", "B-3", "A-1", None],
    "处室": ["办公室", "外贸处", None, "办公室", "外贸处"],
    "收到日期": pd.to_datetime(["2021-03-01", "2021-09-28", "2021-12-20", None, "2021-06-01"]),
    "答复日期": pd.to_datetime(["2021-03-05 10:30", None, "2022-01-30 00:00", "2021-05-01 00:00", "2021-05-01 00:00"]),
    "paused_on": pd.to_datetime([None, "2021-09-30", None, None, None]),
    "resumed_on": pd.to_datetime([None, "2021-10-20", None, None, None]),
    "extended": [True, False, None, True, False],
    "channel": ["网上", "信函", "网上", "待定", None],
    "forms": ["文字", "视频、文字", None, "朗读", "视频"],
    "count": [1, 2, None, 4, 10**12],
    "amount": [1.5, None, -3, 1e300, 0],
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=retyped_books(SMALL), as_of=st.sampled_from(["2021-12-31", "2021-06-30", None]))
def test_audit_of_any_loaded_book_writes_finite_json(tmp_path, text, as_of):
    """A book that loads audits a small ledger without raising anything but a
    DisclosureRulesError, and its JSON has no NaN or infinity (json.dumps allow_nan=False)."""
    import json

    from disclosure_rules import audit

    book = _load_text(tmp_path, text)
    if not isinstance(book, Rulebook):
        return
    try:
        result = audit(book, {name: LEDGER for name in book.datasets}, as_of=as_of)
    except DisclosureRulesError:
        return
    json.dumps(result.to_dict(), allow_nan=False)
    assert result.percent is None or 0 <= result.percent <= 100
    assert 0 <= result.coverage <= 1


def test_builtin_book_round_trips_through_the_fuzzer_dump(tmp_path):
    """The fuzzers' YAML dump of an unmutated book loads (so mutations test the edit, not the dump)."""
    for base in (BUILTIN, SMALL):
        result = _load_text(tmp_path, yaml.safe_dump(base, allow_unicode=True, sort_keys=False, width=10**6))
        assert isinstance(result, Rulebook), result


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_deep_yaml_anywhere_is_a_rulebook_error(tmp_path, depth):
    """Flow collections nested up to 100,000 deep in a rule are a RulebookError."""
    text = yaml.safe_dump(SMALL, allow_unicode=True, sort_keys=False).replace(
        "expect: '''video'' in forms'", "expect: " + "[" * depth + "]" * depth)
    result = _load_text(tmp_path, text)
    assert isinstance(result, RulebookError)
