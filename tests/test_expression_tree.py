"""The typed expression tree (``disclosure_rules.expressions.tree``): what the checker makes
of an expression, the one form every engine lowers and ``describe`` reads aloud.

* names are resolved once: an alias, a header spelt in full-width or another case, and the
  canonical name give one tree; a category label or set member becomes its code;
* the tree is plain data (no numpy, pandas or callables), frozen and hashable;
* ``lower_numpy`` agrees with a scalar evaluator written here over the tree, row by row,
  on random well-typed expressions over random small ledgers (the oracle of the property
  test: obviously correct, slow, and independent of the numpy code);
* ``describe`` renders every kind of node in Chinese and English.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_rules.calendar import WorkCalendar
from disclosure_rules.datasets import load_dataset
from disclosure_rules.expressions import Context, as_mask, check, compile_expression, describe, lower_numpy
from disclosure_rules.expressions import tree as t
from disclosure_rules.models import DatasetSpec, FieldSpec
from disclosure_rules.rulebook import load_rulebook

FIELDS = {
    "doc_id": FieldSpec(type="string", aliases=["文号"]),
    "title": FieldSpec(type="string", aliases=["文件标题"]),
    "issued_on": FieldSpec(type="date", aliases=["成文日期"]),
    "published_on": FieldSpec(type="date", aliases=["公开日期"]),
    "disclosure": FieldSpec(type="category", aliases=["公开属性"],
                            values={"active": ["主动公开"], "on_request": ["依申请公开"], "not_public": ["不予公开"]}),
    "forms": FieldSpec(type="set", aliases=["解读形式"],
                       values={"text": ["文字"], "graphic": ["图解", "图表"], "video": ["视频", "动漫"]}),
    "request_count": FieldSpec(type="integer", aliases=["申请次数"]),
    "budget": FieldSpec(type="number", aliases=["经费"]),
    "needs": FieldSpec(type="boolean", aliases=["是否需解读"]),
}
CALENDAR = WorkCalendar.build(dt.date(2021, 1, 1), dt.date(2021, 12, 31))
ALL_NODE_TYPES = {cls for cls in vars(t).values()
                  if isinstance(cls, type) and issubclass(cls, t.Expr) and cls is not t.Expr}


def tree_of(source: str, want: str | None = "bool") -> t.Expr:
    return check(source, FIELDS, want=want)[1]


# --------------------------------------------------------------------------- names and codes

@pytest.mark.parametrize("spellings", [
    ["disclosure == 'active'", "公开属性 == '主动公开'", "DISCLOSURE == 'ACTIVE'", "ｄｉｓｃｌｏｓｕｒｅ == 'ａｃｔｉｖｅ'",
     "公开属性 == ' 主动公开'", "'active' == disclosure"],
    ["'video' in forms", "'视频' in 解读形式", "'动漫' in forms", "'VIDEO' in Forms"],
    ["has_all(forms, ['text', 'graphic'])", "has_all(解读形式, ['文字', '图表'])"],
    ["issued_on >= date('2021-10-09')", "成文日期 >= '2021-10-09'", "ISSUED_ON >= date('2021-10-9')"],
    ["needs and request_count + 1 > budget", "是否需解读 and 申请次数 + 1 > 经费"],
])
def test_spellings_of_one_condition_give_one_tree(spellings):
    """However a field or code is written (canonical name, alias, another case or width,
    a label, the literal first), the checker resolves it to one tree."""
    trees = {tree_of(source) for source in spellings}
    assert len(trees) == 1, trees


def test_fields_hold_canonical_names_and_codes():
    """A field node holds the canonical name, its declared type and its codes; category
    and set literals are codes, date literals are datetime.date."""
    node = tree_of("公开属性 in ['主动公开', 'not_public'] and has_any(解读形式, '图表') and 成文日期 < '2021-10-01'")
    category, members, dated = node.operands
    assert category == t.CategoryIn(field=t.Field(type="category", name="disclosure", field_type="category",
                                                  codes=("active", "on_request", "not_public")),
                                    codes=("active", "not_public"))
    assert members.codes == ("graphic",) and members.mode == "any"
    assert dated.right == t.Literal(type="date", value=dt.date(2021, 10, 1))
    assert tree_of("period_end > as_of").left == t.Constant(name="period_end")
    matches = tree_of("matches(title, '^\\d+$')")
    assert matches.pattern == "^\\d+$" and matches.re2 == "^\\p{Nd}+$"


def test_compiled_expression_carries_its_tree():
    """CompiledExpression.tree is the checked tree; fields and calendar use are read off it."""
    compiled = compile_expression("成文日期 <= add_workdays(published_on, 3) and present(文号)", FIELDS)
    assert compiled.tree == tree_of("issued_on <= add_workdays(published_on, 3) and present(doc_id)")
    assert compiled.fields == ["issued_on", "published_on", "doc_id"] and compiled.uses_calendar
    assert compiled.type == "bool"


_PLAIN = (str, float, bool, dt.date)


def _plain_data(value) -> bool:
    if isinstance(value, t.Expr):
        params = type(value).__dataclass_params__
        return params.frozen and all(_plain_data(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return all(_plain_data(item) for item in value)
    return type(value) in _PLAIN  # exact types: no numpy float64, no pandas Timestamp, no callables


def test_trees_are_plain_frozen_data():
    """Every tree of the expression table and of the built-in rulebook holds only strings,
    floats, booleans, dates and tuples in frozen nodes: nothing an engine would have to undo."""
    from test_expressions import ACCEPTED, FRAMES

    trees = [check(source, FRAMES[frame][0])[1] for source, frame, _ in ACCEPTED]
    book = load_rulebook("builtin:shanxi-commerce-2021")
    from disclosure_rules.expressions import compile_rule_expressions
    from disclosure_rules.rulebook import joined_fields

    for rule in book.rules:
        fields = {**book.datasets[rule.dataset].fields, **joined_fields(book, rule)}
        trees += [c.tree for c in compile_rule_expressions(rule, fields).values()]
    assert len(trees) > 150
    for node in trees:
        assert _plain_data(node), node
        hash(node)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trees[0].type = "number"


# --------------------------------------------------------------------------- describe

EVERY_NODE = [
    "needs", "not needs or False", "(needs and True) or present(title)", "1 < request_count <= budget",
    "disclosure != 'active'", "disclosure not in ['主动公开', 'on_request']", "'video' not in forms",
    "has_any(forms, ['text', '图表']) and has_all(forms, '视频')", "doc_id in ['A-1', 'A-2']",
    "issued_on not in ['2021-10-01', date('2021-10-08')]", "-budget / 2 + request_count * 3 > size(forms)",
    "published_on - issued_on <= 7", "issued_on + 7 >= published_on and 7 + issued_on >= as_of - 1",
    "contains(title, '通知') or matches(doc_id, '^A-\\d+$')", "length(title) >= year(period_start) - 2000",
    "days(issued_on, published_on) < workdays(issued_on, date('2021-12-31'))",
    "add_workdays(issued_on, 3) <= period_end and month(published_on) == 10", "blank(budget) or title >= doc_id",
]


def test_the_describe_table_covers_every_node_type():
    """The expressions of EVERY_NODE hold every kind of node of the tree (a new kind of node
    must be added to the table, so that it is described too)."""
    seen = {type(node) for source in EVERY_NODE for node in t.walk(tree_of(source))}
    seen.add(type(tree_of("[1, 'a', date('2021-10-01')]", want=None)))
    assert seen == ALL_NODE_TYPES


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("source", EVERY_NODE + ["[1, 'a', date('2021-10-01')]"])
def test_describe_renders_every_node(source, lang):
    """Every node reads in words: fields by the header given, codes by their label, no
    canonical field name or code left bare."""
    node = tree_of(source, want=None)
    headers = {name: spec.aliases[0] for name, spec in FIELDS.items()}
    labels = {(name, code): ls[0] for name, spec in FIELDS.items() if spec.values for code, ls in spec.values.items()}
    text = describe(node, lang, header_of=lambda name: f"<{headers[name]}>",
                    label_of=lambda name, code: labels[(name, code)])
    assert text.strip()
    for name in dict.fromkeys(n.name for n in t.walk(node) if isinstance(n, t.Field)):
        assert f"<{headers[name]}>" in text
    bare = set(FIELDS) | {code for spec in FIELDS.values() if spec.values for code in spec.values}
    assert not bare & set(re.findall(r"[a-z_]+", text))


def test_describe_defaults_and_words():
    """Without header_of/label_of a field reads as 「name」 (zh) or its name (en) and a code
    as itself; a yes/no field in a condition's place reads as 为“是” / is yes (为“否” / is no
    under not); a comparison reads in words of its values' type (a date 不早于 / is on or after,
    a code 为 / is), a chain keeps its operators."""
    assert describe(tree_of("needs and disclosure == '主动公开'")) == "「needs」为“是”，且「disclosure」为“active”"
    assert describe(tree_of("not needs"), "en") == "needs is no"
    assert describe(tree_of("not (needs or present(title))"), "en") == "not (needs is yes or title is filled in)"
    assert describe(tree_of("1 < request_count <= 5"), "en") == "1 < request_count ≤ 5"
    # links that share no side as written are joined by 'and'
    assert describe(tree_of("'active' == disclosure != 'on_request'")) == \
        "「disclosure」 = “active” 且 「disclosure」 ≠ “on_request”"
    assert describe(tree_of("'video' in forms"), "en") == "forms includes 'video'"
    assert describe(tree_of("issued_on >= '2021-10-9'")) == "「issued_on」不早于2021-10-09"
    assert describe(tree_of("request_count < 3"), "en") == "request_count is less than 3"
    assert describe(tree_of("disclosure in ['active', 'on_request']")) == "「disclosure」为“active”、“on_request”之一"
    with pytest.raises(ValueError, match="lang"):
        describe(tree_of("needs"), "fr")


# --------------------------------------------------------------------------- the oracle

def _cell(frame: pd.DataFrame, name: str, i: int, spec: FieldSpec):
    """A typed cell as a plain Python value (None when blank)."""
    value = frame[name].iloc[i]
    if pd.isna(value):
        return None
    if spec.type == "date":
        return pd.Timestamp(value).date()
    if spec.type in ("integer", "number"):
        return float(value)
    if spec.type == "boolean":
        return bool(value)
    if spec.type == "set":
        return frozenset(code for bit, code in enumerate(spec.values) if int(value) >> bit & 1)
    return str(value)  # string, or a category's code (an unknown label stays as written)


_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
_ORDER = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
          "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _finite(x):
    return x if x is not None and math.isfinite(x) else None


def _shift(day, n):
    """day + n calendar days: None unless n is whole and the result lies in 1900-2999."""
    if day is None or n is None or n != math.floor(n):
        return None
    try:
        result = day + dt.timedelta(days=n)
    except OverflowError:
        return None
    return result if _FIRST <= result <= _LAST else None


def _workdays(a, b):
    count, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        count += CALENDAR.is_workday(day)
    return float(count)


def _add_workdays(day, n):
    if day is None or n is None or n != math.floor(n) or not 0 <= n <= 3650:
        return None
    while n > 0:
        day += dt.timedelta(days=1)
        n -= CALENDAR.is_workday(day)
    return day


def oracle(node: t.Expr, row: dict, constants: dict):
    """The value of ``node`` on one row: True/False/None (unknown) for a condition, a float,
    a date or a string (None when blank). Written from DESIGN §4, node by node."""
    def ev(n):
        return oracle(n, row, constants)

    if isinstance(node, t.Literal):
        return node.value
    if isinstance(node, t.Field):
        return row[node.name]
    if isinstance(node, t.Constant):
        return constants.get(node.name)
    if isinstance(node, t.Not):
        v = ev(node.operand)
        return None if v is None else not v
    if isinstance(node, (t.Logical, t.Chain)):
        values = [ev(o) for o in (node.operands if isinstance(node, t.Logical) else node.links)]
        decisive = node.op == "or" if isinstance(node, t.Logical) else False
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if isinstance(node, t.Compare):
        a, b = ev(node.left), ev(node.right)
        return None if a is None or b is None else _ORDER[node.op](a, b)
    if isinstance(node, (t.CategoryEquals, t.CategoryIn, t.SetMember, t.InList)):
        v = ev(node.field if hasattr(node, "field") else node.operand)
        if v is None:
            return None
        if isinstance(node, t.CategoryEquals):
            hit = v == node.code
        elif isinstance(node, t.CategoryIn):
            hit = v in node.codes
        elif isinstance(node, t.SetMember):
            hit = node.code in v
        else:
            hit = v in node.values
        return hit != node.negate
    if isinstance(node, t.SetTest):
        v = ev(node.field)
        if v is None:
            return None
        return bool(v & set(node.codes)) if node.mode == "any" else set(node.codes) <= v
    if isinstance(node, t.Negate):
        v = ev(node.operand)
        return None if v is None else -v
    if isinstance(node, t.Arith):
        a, b = ev(node.left), ev(node.right)
        if a is None or b is None:
            return None
        lt, rt = node.left.type, node.right.type
        if lt == rt == "number":
            if node.op == "/":
                return None if b == 0 else _finite(a / b)
            return _finite({"+": a + b, "-": a - b, "*": a * b}[node.op])
        if lt == rt == "date":
            return float((a - b).days)
        if lt == "date":
            return _shift(a, b if node.op == "+" else -b)
        return _shift(b, a)
    if isinstance(node, t.Contains):
        v = ev(node.text)
        return None if v is None else node.needle in v
    if isinstance(node, t.Matches):
        v = ev(node.text)
        return None if v is None else re.search(node.pattern, v) is not None  # Python's re as the reference
    if isinstance(node, t.Call):
        args = [ev(a) for a in node.args]
        if node.name in ("blank", "present"):
            return (args[0] is None) == (node.name == "blank")
        if node.name == "add_workdays":
            return _add_workdays(*args)
        if None in args:
            return None
        a = args[0]
        return {"size": lambda: float(len(a)), "length": lambda: float(len(a)),
                "days": lambda: float((args[1] - a).days), "workdays": lambda: _workdays(a, args[1]),
                "year": lambda: float(a.year), "month": lambda: float(a.month)}[node.name]()
    raise AssertionError(f"no oracle for {type(node).__name__}")


# --------------------------------------------------------------------------- the property

# Random well-typed expressions are drawn from a seed by the small grammar below (plain
# ``random``, so that every example holds a fresh mix of node kinds; hypothesis draws the
# seeds and the ledgers). Dates lie around the 2021 National Day holiday (Oct 1-7 off,
# Sep 26 and Oct 9 worked), so that working days differ from calendar days and equal
# dates are common.
_FIRST_DAY = dt.date(2021, 9, 20)
_NUMBERS = ["0", "1", "2", "3", "5", "-3", "2.5", "0.5", "10"]
_TEXTS = ["'A-1'", "'A-3'", "'通知'", "''", "'外资政策问答'", "'abc'", "'报告'"]
# patterns on which RE2 (after translation) and Python's re must agree
_PATTERNS = ["'^[A-Z]+-\\d+$'", "'通知|问答'", "'\\d'", "'^\\w+$'", "'^.{,2}$'", "'(?i)abc'", "'\\s'",
             "'^\\D+$'", "'[^A-Z]'", "'\\u62a5'", "'^[\\w-]+$'"]
_COMPARE = ["==", "!=", "<", "<=", ">", ">="]
_CATEGORY_VALUES = ["active", "on_request", "not_public", "主动公开", "依申请公开", "不予公开", "ACTIVE"]
_SET_VALUES = ["text", "graphic", "video", "文字", "图表", "动漫", "视频"]


class Grammar:
    """Expression text of each type, drawn with ``rng``; ``depth`` bounds the nesting."""

    def __init__(self, rng):
        self.rng = rng
        self.pick = rng.choice

    def day(self) -> str:
        return str(_FIRST_DAY + dt.timedelta(days=self.rng.randrange(31)))

    def simple_date(self) -> str:
        return self.pick(["issued_on", "published_on", "成文日期", "as_of", "period_start", f"date('{self.day()}')"])

    def listed(self, item) -> str:
        return "[" + ", ".join(item() for _ in range(self.rng.randint(1, 3))) + "]"

    def number(self, depth: int) -> str:
        if depth == 0 or self.rng.random() < 0.3:
            return self.pick(["request_count", "budget", "经费", "size(forms)", "length(title)", self.pick(_NUMBERS)])
        d = depth - 1
        return self.pick([
            lambda: f"({self.number(d)} {self.pick('+-*/')} {self.number(d)})",
            lambda: f"-{self.number(d)}",
            lambda: f"{self.pick(['days', 'workdays'])}({self.simple_date()}, {self.simple_date()})",
            lambda: f"({self.date(d)} - {self.date(d)})",
            lambda: f"{self.pick(['year', 'month'])}({self.date(d)})",
        ])()

    def date(self, depth: int) -> str:
        if depth == 0 or self.rng.random() < 0.4:
            return self.simple_date()
        d = depth - 1
        return self.pick([
            lambda: f"add_workdays({self.simple_date()}, {self.pick(['0', '1', '3', 'request_count', 'budget'])})",
            lambda: f"({self.date(d)} {self.pick('+-')} {self.number(d)})",
            lambda: f"({self.number(d)} + {self.date(d)})",
        ])()

    def text(self) -> str:
        return self.pick(["doc_id", "title", "文号", self.pick(_TEXTS)])

    def atom(self) -> str:
        """A condition without and / or / not: one branch per kind of node."""
        p = self.pick
        return p([
            lambda: f"{self.number(2)} {p(_COMPARE)} {self.number(2)}",
            lambda: f"{self.date(1)} {p(_COMPARE)} {self.date(1)}",
            lambda: f"{self.text()} {p(_COMPARE)} {self.text()}",
            lambda: f"{self.number(1)} {p(['<', '<='])} {self.number(1)} {p(['<', '<=', '=='])} {self.number(1)}",
            lambda: f"{self.date(0)} {p(['<', '<='])} {self.date(0)} {p(['<', '<=', '!='])} {self.date(0)}",
            lambda: f"{p(['disclosure', '公开属性'])} {p(['==', '!='])} {p(_CATEGORY_VALUES)!r}",
            lambda: f"{p(_CATEGORY_VALUES)!r} {p(['==', '!='])} {p(['disclosure', '公开属性'])}",
            lambda: f"{p(['disclosure', '公开属性'])} {p(['in', 'not in'])} {self.listed(lambda: repr(p(_CATEGORY_VALUES)))}",
            lambda: f"{p(_SET_VALUES)!r} {p(['in', 'not in'])} {p(['forms', '解读形式'])}",
            lambda: f"{p(['has_any', 'has_all'])}({p(['forms', '解读形式'])}, "
                    f"{p([self.listed(lambda: repr(p(_SET_VALUES))), repr(p(_SET_VALUES))])})",
            lambda: f"{p(['blank', 'present'])}({p([self.number(1), self.date(1), self.text(), 'disclosure', 'forms'])})",
            lambda: f"matches({p(['doc_id', 'title', '文号'])}, {p(_PATTERNS)})",
            lambda: f"contains({p(['doc_id', 'title', '文号'])}, {p(_TEXTS)})",
            lambda: f"{self.number(1)} {p(['in', 'not in'])} {self.listed(lambda: p(_NUMBERS))}",
            lambda: f"{self.date(1)} {p(['in', 'not in'])} {self.listed(lambda: repr(self.day()))}",
            lambda: f"{self.text()} {p(['in', 'not in'])} {self.listed(lambda: p(_TEXTS))}",
            lambda: p(["needs", "是否需解读", "True", "False", "needs == True", "needs != False"]),
        ])()

    def condition(self, depth: int) -> str:
        if depth == 0 or self.rng.random() < 0.4:
            return self.atom()
        d = depth - 1
        return self.pick([
            lambda: f"({self.condition(d)} {self.pick(['and', 'or'])} {self.condition(d)})",
            lambda: f"({self.condition(d)} or {self.condition(d)} and {self.condition(d)})",
            lambda: f"not ({self.condition(d)})",
        ])()


_CELLS = {
    "string": st.sampled_from(["", "A-1", "A-3", "关于通知", "外资政策问答", "ABC-123", "abc def", "报告", "  "]),
    "date": st.one_of(st.integers(0, 30).map(lambda i: str(_FIRST_DAY + dt.timedelta(days=i))),
                      st.sampled_from(["", "2021/10/1", "不详"])),
    "integer": st.sampled_from(["", "0", "1", "3", "-2", "12", "1.5"]),
    "number": st.sampled_from(["", "0", "1.5", "-2.25", "10", "abc"]),
    "boolean": st.sampled_from(["", "是", "否"]),
    "category": st.sampled_from(["", "主动公开", "不予公开", "on_request", "待定"]),
    "set": st.sampled_from(["", "文字", "视频", "文字、图表", "朗读", "文字;朗读;动漫"]),
}


@st.composite
def ledgers(draw):
    """A small ledger over FIELDS, typed as an audit types it."""
    rows = draw(st.integers(2, 8))
    raw = pd.DataFrame({name: [draw(_CELLS[spec.type]) for _ in range(rows)] for name, spec in FIELDS.items()},
                       dtype=object)
    return load_dataset("t", DatasetSpec(fields=FIELDS), raw).frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), frame=ledgers(), as_of=st.sampled_from([None, dt.date(2021, 10, 8)]))
def test_numpy_agrees_with_the_row_by_row_oracle(seed, frame, as_of):
    """On any small ledger, the vectorized evaluation of well-typed expressions gives, row
    by row, the value the scalar oracle computes from the same tree (unknown included);
    and every such tree can be described."""
    constants = {"as_of": as_of, "period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 12, 31)}
    ctx = Context(frame, {k: (pd.Timestamp(v) if v else None) for k, v in constants.items()}, CALENDAR)
    rows = [{name: _cell(frame, name, i, spec) for name, spec in FIELDS.items()} for i in range(len(frame))]
    grammar = Grammar(random.Random(seed))
    for _ in range(10):
        source = grammar.condition(2)
        node = tree_of(source)
        true, unknown = as_mask(lower_numpy(node)(ctx), len(frame))
        for i, row in enumerate(rows):
            got = None if unknown[i] else bool(true[i])
            assert got == oracle(node, row, constants), (source, i, row)
        assert describe(node, "zh") and describe(node, "en")


def test_the_oracle_agrees_with_the_expression_table():
    """The oracle itself gives the masks the expression table spells by hand (so that the
    property above compares numpy with something known to be right)."""
    from test_expressions import ACCEPTED, CONSTANTS, FRAMES

    constants = {name: value.date() for name, value in CONSTANTS.items()}
    for source, frame_name, expected in ACCEPTED:
        fields, frame = FRAMES[frame_name]
        node = check(source, fields)[1]
        for i, spelled in enumerate(expected):
            row = {name: _cell(frame, name, i, spec) for name, spec in fields.items()}
            assert {"T": True, "F": False, "?": None}[spelled] == oracle(node, row, constants), (source, i)
