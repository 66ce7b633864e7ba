r"""The expression language of ``where:`` / ``expect:`` (DESIGN §4).

An expression goes through three steps, one module each:

* :mod:`.check` parses it with :mod:`ast` (a whitelist of nodes, names resolved to fields
  or constants, only the functions of :data:`FUNCTIONS`), checks every type and bound,
  and builds the typed tree of :mod:`.tree`, once, at rulebook load time;
* :mod:`.numpy` lowers the tree to one closure over whole columns (nothing is evaluated
  row by row, nothing reaches ``eval``, ``DataFrame.eval`` or ``query``); the tree is
  engine-neutral, so that other engines can lower it too;
* :mod:`.describe` reads the tree aloud in Chinese or English (explain and messages).

Conventions
-----------
* Types are static and checked before anything runs: ``bool``, ``number``, ``date``,
  ``string``, ``category``, ``set``.
* Three-valued logic: a comparison, arithmetic or function with a blank operand is
  unknown (null); ``and``/``or``/``not`` follow Kleene logic (``False and unknown`` is
  False, ``True or unknown`` is True). ``blank(x)`` and ``present(x)`` are never unknown.
  The caller decides what unknown means: in ``where`` it excludes the row, in
  ``expect`` it is a violation.
* A string compared with a category field (``== != in not in``) may be a code or one
  of its labels; a string naming neither is an error. The tree holds the code. An
  unknown label kept in the data matches no code (the comparison is False, not unknown).
* Sets are bit masks over the field's codes: ``has_any``, ``has_all``, ``size`` and
  ``'code' in setfield`` work on bits; unknown labels are not members.
* ``date - date`` and ``days(a, b)`` are calendar days (b - a); ``date + n`` adds
  calendar days; ``workdays(a, b)`` counts working days d with a < d <= b;
  ``add_workdays(d, n)`` is the n-th working day after d.
* ``contains(text, 'sub')`` is a plain substring test; ``matches(text, 'regex')``
  searches for the pattern anywhere (write ``^...$`` to match the whole cell). Patterns
  run on RE2 (:mod:`.regex`), which matches in linear time: a pattern RE2 cannot compile
  (backreferences, lookaround, possessive or atomic groups) is refused at load, never run
  by Python's ``re``. ``\d``, ``\w`` and ``\s`` keep their Python meaning on Chinese text
  (Unicode digits, letters, spaces); ``\b`` and ``\B`` are refused (RE2 knows only ASCII
  words, Chinese has no spaces between words).

Bounds (DESIGN §11): a rulebook that would make evaluation overflow, recurse without end
or run for ever is refused at load with a message, never evaluated wrongly.

* an expression has at most :data:`MAX_EXPRESSION_CHARS` characters and is nested at most
  :data:`MAX_EXPRESSION_DEPTH` levels (parentheses, ``not``, signs, calls, lists);
* a number literal is finite and at most :data:`MAX_NUMBER` in size (so it is exact in
  a float64 and no date arithmetic can overflow); a date literal lies in 1900-2999;
* ``add_workdays(d, n)`` with a literal ``n`` needs a whole ``0 <= n <=``
  :data:`MAX_WORKDAYS_ARGUMENT`; a column ``n`` outside that range gives unknown;
* a computed date (``d + n``, ``d - n``) outside 1900-2999, or with ``n`` not a whole
  number, is unknown, as is an arithmetic result that is not a finite number.
* Dates are calendar days: a date column holding times of day, or an ``as_of`` given as a
  datetime (time-zone aware too), counts as its (local) date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import tree
from .check import (CONSTANTS, FIRST_YEAR, FUNCTIONS, LAST_YEAR, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH,
                    MAX_NUMBER, MAX_WORKDAYS_ARGUMENT, TYPE_WORDS, ExpressionError, check, normalize_name)
from .describe import describe
from .numpy import DATE_DTYPE, Context, Value, as_mask, column_value, lower_numpy
from .regex import RegexError, re2_pattern
from .sql import SqlEnv, lower_sql

__all__ = ["compile_expression", "compile_rule_expressions", "CompiledExpression", "check", "describe",
           "lower_numpy", "lower_sql", "SqlEnv", "tree", "fields_of", "uses_calendar", "Context", "Value", "column_value", "as_mask",
           "normalize_name", "ExpressionError", "RegexError", "re2_pattern", "DATE_DTYPE", "CONSTANTS",
           "FUNCTIONS", "TYPE_WORDS", "MAX_EXPRESSION_CHARS", "MAX_EXPRESSION_DEPTH", "MAX_NUMBER",
           "MAX_WORKDAYS_ARGUMENT", "FIRST_YEAR", "LAST_YEAR"]


def fields_of(node: tree.Expr) -> list[str]:
    """The canonical names of the fields ``node`` reads, in the order written, each once."""
    return list(dict.fromkeys(n.name for n in tree.walk(node) if isinstance(n, tree.Field)))


def uses_calendar(node: tree.Expr) -> bool:
    """Whether evaluating ``node`` needs the working-day calendar."""
    return any(isinstance(n, tree.Call) and n.name in ("workdays", "add_workdays") for n in tree.walk(node))


@dataclass
class CompiledExpression:
    """A checked expression: its one-line ``source``, the ``key`` it was written under,
    its typed ``tree`` and result ``type``, the ``fields`` it reads (canonical names, in
    order) and whether it ``uses_calendar``. :meth:`mask` evaluates it with numpy."""

    source: str
    key: str
    tree: tree.Expr
    fields: list[str] = field(init=False)
    uses_calendar: bool = field(init=False)
    type: str = field(init=False)
    _run: Callable[[Context], Value] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.fields = fields_of(self.tree)
        self.uses_calendar = uses_calendar(self.tree)
        self.type = self.tree.type

    @property
    def run(self) -> Callable[[Context], Value]:
        """The tree lowered to numpy (on first use)."""
        if self._run is None:
            self._run = lower_numpy(self.tree)
        return self._run

    def mask(self, ctx: Context):
        """(true, unknown) arrays over the context's rows."""
        return as_mask(self.run(ctx), ctx.n)


def compile_expression(source: str, fields: dict, *, key: str = "expect", want: str | None = "bool") -> CompiledExpression:
    """Check one expression against a dataset's fields (name -> FieldSpec)."""
    line, root = check(source, fields, key=key, want=want)
    return CompiledExpression(line, key, root)


def compile_rule_expressions(rule, fields: dict, book=None) -> dict[str, CompiledExpression]:
    """Check every expression of a rule; ExpressionError carries which key failed.
    (``book`` is accepted for the callers that pass it; nothing here needs it.)"""
    return {key: compile_expression(source, fields, key=key) for key, source in rule.expressions.items()}
