"""The typed expression tree: what :mod:`.check` makes of an expression, engine-neutral.

Every node is a frozen dataclass and carries its result ``type``, one of :data:`TYPES`.
The tree is plain data: strings, floats, booleans, :class:`datetime.date` and tuples of
them. It holds no numpy array, no pandas object and no callable, so that any engine can
lower it (:func:`.numpy.lower_numpy` today, SQL later) and :func:`.describe.describe`
can read it aloud.

Conventions the checker guarantees (a lowering may rely on them):

* names are resolved: :class:`Field` holds the canonical field name (never the alias or
  header the author wrote) with the field's declared type and, for a category or set
  field, its codes in declaration order (a category column's codes and a set's bits
  count in that order); ``as_of`` / ``period_start`` / ``period_end`` are a
  :class:`Constant`;
* a string compared with a category field, or named as a set member, is a CODE: the
  label the author may have written is resolved once, in the checker
  (:class:`CategoryEquals`, :class:`CategoryIn`, :class:`SetMember`, :class:`SetTest`);
* a string literal used as a date is a ``date`` :class:`Literal` holding a
  :class:`datetime.date` in 1900-2999; a number literal is a finite float of size at
  most 10^15; a sign on a number literal is folded into it;
* both sides of a :class:`Compare` have one type: number, date, string or bool (a bool
  only with ``==``/``!=``); :class:`InList` values have the operand's type;
* a regular expression is kept as written (:attr:`Matches.pattern`) and in the RE2
  syntax with the same meaning (:attr:`Matches.re2`), which RE2 has compiled once;
* children are in the order they were written, so a walk meets fields in source order.

Semantics are three-valued (Kleene): a comparison, arithmetic or function with a blank
operand is unknown; ``and``/``or``/``not`` follow Kleene logic; ``blank``/``present`` are
never unknown; an unknown label kept in the data equals no code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Iterator, Union

__all__ = ["TYPES", "Expr", "Literal", "ListLiteral", "Field", "Constant", "Not", "Logical", "Chain",
           "Compare", "CategoryEquals", "CategoryIn", "SetMember", "SetTest", "InList", "Negate", "Arith",
           "Contains", "Matches", "Call", "children", "walk"]

#: result types of nodes: a condition, a number, a date, text, a category or set field,
#: a list literal (only ever the whole expression, when the caller asks for no type)
TYPES = ("bool", "number", "date", "string", "category", "set", "list")

LiteralValue = Union[bool, float, str, dt.date]

_NODE = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**_NODE)
class Expr:
    """A node of the tree; ``type`` is its result type (one of :data:`TYPES`)."""

    type: str


@dataclass(**_NODE)
class Literal(Expr):
    """A constant: ``bool`` (True/False), ``number`` (float), ``string`` (str) or ``date``
    (datetime.date, from ``date('...')`` or from a string compared with a date)."""

    value: LiteralValue


@dataclass(**_NODE)
class ListLiteral(Expr):
    """A list of literals that no comparison consumed (an expression checked with no wanted type)."""

    items: tuple[Literal, ...]
    type: str = "list"


@dataclass(**_NODE)
class Field(Expr):
    """A column of the dataset, by canonical name. ``field_type`` is the declared type
    (string integer number boolean date category set); ``type`` the expression type
    (integer/number -> number, boolean -> bool). ``codes``: a category's or set's codes
    in declaration order (a category's stored code and a set's bit count in this order)."""

    name: str
    field_type: str
    codes: tuple[str, ...] = ()


@dataclass(**_NODE)
class Constant(Expr):
    """``as_of``, ``period_start`` or ``period_end``: a date given with the audit (may be blank)."""

    name: str
    type: str = "date"


@dataclass(**_NODE)
class Not(Expr):
    """``not x`` (Kleene: not unknown is unknown)."""

    operand: Expr
    type: str = "bool"


@dataclass(**_NODE)
class Logical(Expr):
    """``a and b ...`` / ``a or b ...`` in Kleene logic (``op`` is "and" or "or"); nested
    groups stay nested as written."""

    op: str
    operands: tuple[Expr, ...]
    type: str = "bool"


@dataclass(**_NODE)
class Chain(Expr):
    """A chained comparison ``a < b <= c``: the conjunction (Kleene and) of its links,
    each a comparison whose right side is the next link's left side."""

    links: tuple[Expr, ...]
    type: str = "bool"


@dataclass(**_NODE)
class Compare(Expr):
    """``left op right`` (op: == != < <= > >=) of two values of one type: number, date,
    string (code point order) or bool (== and != only)."""

    op: str
    left: Expr
    right: Expr
    type: str = "bool"


@dataclass(**_NODE)
class CategoryEquals(Expr):
    """``field == 'code'`` (``negate``: ``!=``); the author may have written a label or
    put the literal first. Unknown labels in the data equal no code."""

    field: Field
    code: str
    negate: bool = False
    type: str = "bool"


@dataclass(**_NODE)
class CategoryIn(Expr):
    """``field in ['code', ...]`` (``negate``: ``not in``), codes in the order written."""

    field: Field
    codes: tuple[str, ...]
    negate: bool = False
    type: str = "bool"


@dataclass(**_NODE)
class SetMember(Expr):
    """``'code' in setfield`` (``negate``: ``not in``); unknown labels are not members."""

    field: Field
    code: str
    negate: bool = False
    type: str = "bool"


@dataclass(**_NODE)
class SetTest(Expr):
    """``has_any(setfield, [...])`` (``mode`` "any") or ``has_all`` ("all"), codes as written."""

    field: Field
    codes: tuple[str, ...]
    mode: str
    type: str = "bool"


@dataclass(**_NODE)
class InList(Expr):
    """``x in [v, ...]`` (``negate``: ``not in``) for a number, date or text ``x``; the
    values are literals of x's type (floats, dates or strings)."""

    operand: Expr
    values: tuple[LiteralValue, ...]
    negate: bool = False
    type: str = "bool"


@dataclass(**_NODE)
class Negate(Expr):
    """``-x`` of a number that is not a literal."""

    operand: Expr
    type: str = "number"


@dataclass(**_NODE)
class Arith(Expr):
    """``left op right`` (op: + - * /). By operand types: number op number -> number
    (a result that is not finite, as x / 0, is unknown); date - date -> number of calendar
    days; date + number, number + date, date - number -> date (a day count that is not
    whole, or a result outside 1900-2999, is unknown)."""

    op: str
    left: Expr
    right: Expr


@dataclass(**_NODE)
class Contains(Expr):
    """``contains(text, 'needle')``: a plain substring test."""

    text: Expr
    needle: str
    type: str = "bool"


@dataclass(**_NODE)
class Matches(Expr):
    """``matches(text, 'pattern')``: the pattern occurs anywhere in the text. ``pattern``
    as written (Python syntax), ``re2`` the same meaning in RE2 syntax (linear time)."""

    text: Expr
    pattern: str
    re2: str
    type: str = "bool"


@dataclass(**_NODE)
class Call(Expr):
    """One of the functions whose arguments are plain values, by ``name``:

    * ``blank(x)`` / ``present(x)`` -> bool, never unknown;
    * ``size(setfield)`` -> number of members; ``length(text)`` -> number of characters;
    * ``days(a, b)`` -> calendar days from a to b (b - a);
    * ``workdays(a, b)`` -> working days d with a < d <= b (the audit's calendar);
    * ``add_workdays(d, n)`` -> the n-th working day after d (n whole, 0..3650, else unknown);
    * ``year(d)`` / ``month(d)`` -> number.
    """

    name: str
    args: tuple[Expr, ...]


def children(node: Expr) -> Iterator[Expr]:
    """The direct sub-expressions of ``node``, in the order written."""
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Expr):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Expr):
                    yield item


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children, children in the order written."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))
