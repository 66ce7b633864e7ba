"""Why a row fails ``expect``, in the words of the ledger: ``「解读内容要点」缺少“新旧政策差异”``.

:func:`failure_messages` reads the checked tree of an ``expect`` and, for the violating rows
only, says which part of it does not hold and what the row has instead. The top-level
``and`` is split into its parts; each part is evaluated on those rows (the numpy lowering,
on columns) so that a message names only the parts that fail. Each part is phrased by its
node: a missing field (``present``), a set lacking members (``has_all``: the members it
lacks, row by row), a category that should be another (``==``, ``in``), a yes/no that should
be yes; any other part reads as the condition that does not hold, with the values read. A
part that cannot be decided because a field is blank says that field is blank.

Every fixed word comes from ``words.py`` (keys ``fail_*``). The caller falls back to its own
message when :func:`failure_messages` returns None (an expression that needs the working-day
calendar or the plan period, which the findings do not carry).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import tree as t
from .numpy import Context, as_mask, lower_numpy

_NEEDS_MORE = ("workdays", "add_workdays")
#: comparison operators by the word key of their phrase
_OPS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}


def _evaluable(node: t.Expr, constants: dict) -> bool:
    for n in t.walk(node):
        if isinstance(n, t.Call) and n.name in _NEEDS_MORE:
            return False
        if isinstance(n, t.Constant) and constants.get(n.name) is None:
            return False
    return True


def _conjuncts(node: t.Expr) -> list[t.Expr]:
    if isinstance(node, t.Logical) and node.op == "and":
        out = []
        for operand in node.operands:
            out += _conjuncts(operand)
        return out
    return [node]


def _fields(node: t.Expr) -> list[t.Field]:
    seen, out = set(), []
    for n in t.walk(node):
        if isinstance(n, t.Field) and n.name not in seen:
            seen.add(n.name)
            out.append(n)
    return out


def failure_messages(found, idx: np.ndarray, lang: str, root: t.Expr, describe,
                     constants: dict | None = None) -> list[str] | None:
    """One message per finding ``idx`` of ``found`` (a results.FindingPart) saying why ``root``
    (the expect tree) does not hold there; ``describe(node)`` reads a node aloud in ``lang``;
    ``constants``: the plan period (``period_start``, ``period_end``). None when the tree
    cannot be evaluated on the findings' own values."""
    from ..words import word

    constants = {"period_start": None, "period_end": None, **(constants or {}),
                 "as_of": pd.Timestamp(found.as_of)}
    if not _evaluable(root, constants):
        return None
    values = found.values.iloc[idx].reset_index(drop=True)
    if any(f.name not in values.columns for f in _fields(root)):
        return None
    ctx = Context(values, constants)
    n = len(values)
    parts = _conjuncts(root)
    sep = word("fail_join", lang)
    out = pd.Series([""] * n, dtype=object)
    any_part = np.zeros(n, dtype=bool)
    phrase = _Phrase(found, idx, lang, describe, ctx)
    for part in parts:
        true, unknown = as_mask(lower_numpy(part)(ctx), n)
        failing = ~true | unknown
        if not failing.any():
            continue
        text = phrase.of(part, unknown)
        add = np.where(failing, np.where(any_part, sep, "") + text.to_numpy(dtype=object), "")
        out = out + add
        any_part |= failing
    if not any_part.all():  # a row where every part holds cannot be a violation: let the caller say it
        return None
    return out.tolist()


class _Phrase:
    def __init__(self, found, idx, lang, describe, ctx):
        from ..words import word

        self.found, self.idx, self.lang, self.describe, self.ctx = found, np.asarray(idx), lang, describe, ctx
        self.word = lambda key, **kw: word(key, lang, **kw)
        self.n = len(self.idx)

    def field(self, node: t.Field) -> str:
        header = self.found.header(node.name)
        return f"「{header}」" if self.lang == "zh" else header

    def value(self, node: t.Field) -> pd.Series:
        return self.found.shown(node.name, self.idx, self.lang).reset_index(drop=True).astype(str)

    def label(self, node: t.Field, code: str) -> str:
        spec = self.found.specs.get(node.name)
        text = spec.label_of(code) if spec is not None else code
        return f"“{text}”" if self.lang == "zh" else f"'{text}'"

    def labels(self, node: t.Field, codes) -> str:
        return self.word("sep").join(self.label(node, c) for c in codes)

    def fill(self, key: str, node: t.Field, **kw) -> pd.Series:
        """The phrase ``key`` per row, with the field and its value filled in (vectorized)."""
        template = self.word(key, field="\x00F", value="\x00V", **kw)
        head, _, tail = template.partition("\x00V")
        head = head.replace("\x00F", self.field(node))
        tail = tail.replace("\x00F", self.field(node))
        if "\x00V" not in template:
            return pd.Series([head] * self.n, dtype=object)
        return head + self.value(node) + tail

    def of(self, node: t.Expr, unknown: np.ndarray) -> pd.Series:
        text = self._of(node)
        blank = [f for f in _fields(node)
                 if f.name in self.ctx.frame.columns and self.ctx.frame[f.name].isna().to_numpy().any()]
        if unknown.any() and blank:
            first = blank[0]
            is_blank = self.ctx.frame[first.name].isna().to_numpy()
            said = pd.Series([self.word("fail_unknown", field=self.field(first))] * self.n, dtype=object)
            text = pd.Series(np.where(unknown & is_blank, said, text), dtype=object)
        return text

    def _of(self, node: t.Expr) -> pd.Series:
        if isinstance(node, t.Call) and node.name == "present" and isinstance(node.args[0], t.Field):
            return self.fill("fail_missing", node.args[0])
        if isinstance(node, t.Call) and node.name == "blank" and isinstance(node.args[0], t.Field):
            return self.fill("fail_blank_expected", node.args[0])
        if isinstance(node, t.Field) and node.type == "bool":
            return self.fill("fail_yes", node)
        if isinstance(node, t.SetTest) and node.mode == "all":
            return self._lacks(node)
        if isinstance(node, t.SetTest) and len(node.codes) == 1:
            return self.fill("fail_lacks_one", node.field, items=self.label(node.field, node.codes[0]))
        if isinstance(node, t.SetTest):
            return self.fill("fail_none_of", node.field, items=self.labels(node.field, node.codes))
        if isinstance(node, t.SetMember) and not node.negate:
            return self.fill("fail_lacks_one", node.field, items=self.label(node.field, node.code))
        if isinstance(node, t.CategoryEquals):
            key = "fail_should_not_be" if node.negate else "fail_should_be"
            return self.fill(key, node.field, expected=self.label(node.field, node.code))
        if isinstance(node, t.CategoryIn):
            if node.negate:
                return self.fill("fail_should_not_be", node.field, expected=self.labels(node.field, node.codes))
            return self.fill("fail_one_of", node.field, items=self.labels(node.field, node.codes))
        if isinstance(node, t.Matches) and isinstance(node.text, t.Field):
            return self.fill("fail_matches", node.text, pattern=node.pattern)
        if isinstance(node, t.Compare) and node.op in _OPS:
            return self._compare(node)
        if isinstance(node, t.Logical) and node.op == "or":
            return self._unless(node)
        return self._generic(node)

    def _compare(self, node: t.Compare) -> pd.Series:
        """``a <= b`` as '「a」应不晚于「b」（实际：…）': the operator in words of the values' type."""
        kind = "date" if node.left.type == "date" else "number" if node.left.type == "number" else "other"
        sentence = self.word(f"fail_op_{kind}_{_OPS[node.op]}", left=self.describe(node.left),
                             right=self.describe(node.right))
        return self._with_values(sentence, node)

    def _unless(self, node: t.Logical) -> pd.Series:
        """``blank(x) or P``: x is filled in, so P must hold: '「x」已填写（v），故：<why P fails>'."""
        head = [o for o in node.operands if isinstance(o, t.Call) and o.name == "blank" and isinstance(o.args[0], t.Field)]
        rest = [o for o in node.operands if o not in head]
        if not head or not rest:
            return self._generic(node)
        guarded = {o.args[0].name for o in head}
        if guarded <= {f.name for o in rest for f in _fields(o)}:
            # blank(x) or x <= 1: the rest names x itself, and its value says enough
            other = rest[0] if len(rest) == 1 else t.Logical(op="or", operands=tuple(rest))
            return self._of(other)
        said = pd.Series([""] * self.n, dtype=object)
        for j, o in enumerate(head):
            said = said + (self.word("and") if j else "") + self.fill("fail_filled", o.args[0])
        other = rest[0] if len(rest) == 1 else t.Logical(op="or", operands=tuple(rest))
        return said + self.word("fail_so") + self._of(other)

    def _with_values(self, sentence: str, node: t.Expr) -> pd.Series:
        fields = _fields(node)[:4]
        if not fields:
            return pd.Series([sentence] * self.n, dtype=object)
        got = pd.Series([""] * self.n, dtype=object)
        for j, f in enumerate(fields):
            got = got + (self.word("and") if j else "") + self.field(f) + "=" + self.value(f)
        template = self.word("fail_actual", sentence=sentence, values="\x00G")
        head, _, tail = template.partition("\x00G")
        return head + got + tail

    def _lacks(self, node: t.SetTest) -> pd.Series:
        """``has_all``: the members each row lacks, by name (one membership test per code)."""
        missing = pd.Series([""] * self.n, dtype=object)
        sep = self.word("sep")
        for code in node.codes:
            member, _ = as_mask(lower_numpy(t.SetMember(field=node.field, code=code))(self.ctx), self.n)
            label = self.label(node.field, code)
            missing = missing + np.where(~member, np.where(missing == "", "", sep) + label, "")
        template = self.word("fail_lacks", field=self.field(node.field), items="\x00I")
        head, _, tail = template.partition("\x00I")
        return head + missing + tail

    def _generic(self, node: t.Expr) -> pd.Series:
        condition = self.describe(node)
        fields = _fields(node)[:4]
        if not fields:
            return pd.Series([self.word("fail_generic_plain", condition=condition)] * self.n, dtype=object)
        got = pd.Series([""] * self.n, dtype=object)
        for j, f in enumerate(fields):
            got = got + (self.word("and") if j else "") + self.field(f) + "=" + self.value(f)
        template = self.word("fail_generic", condition=condition, values="\x00G")
        head, _, tail = template.partition("\x00G")
        return head + got + tail
