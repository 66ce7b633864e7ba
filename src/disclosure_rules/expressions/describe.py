"""An expression in words: :func:`describe` reads a checked tree aloud in Chinese or English.

The text is made from the tree, so it names what the checker resolved: a field by the
text ``header_of`` gives for its canonical name (whatever alias or spelling the author
wrote), a category or set code by its label (``label_of``), a constant by its name in
words, a function call by a phrase (``present(x)`` -> "「x」已填写"). A bare yes/no field
in a condition's place reads "「x」为“是”". Any tree the checker accepts can be described:
:func:`describe` does not fail on one.
"""

from __future__ import annotations

import re
from typing import Callable

from . import tree as t

__all__ = ["describe", "LANGS", "pattern_text"]

LANGS = ("zh", "en")

# the words an expression is read with live in words.py, with every other word a person reads
from ..words import EXPRESSION_CONSTANTS as _CONSTANTS  # noqa: E402
from ..words import EXPRESSION_FUNCTIONS as _FUNCS  # noqa: E402
from ..words import EXPRESSION_WORDS as _WORDS  # noqa: E402


def describe(tree: t.Expr, lang: str = "zh", header_of: Callable[[str], str] | None = None,
             label_of: Callable[[str, str], str] | None = None) -> str:
    """``tree`` in words (``lang`` "zh" or "en").

    ``header_of(name)``: the text naming the field of that canonical name, used as is
    (default: 「name」 in Chinese, the name in English). ``label_of(name, code)``: the
    label a code of that category or set field reads as, unquoted (default: the code).
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if header_of is None:
        header_of = (lambda name: f"「{name}」") if lang == "zh" else (lambda name: name)
    if label_of is None:
        label_of = lambda name, code: code  # noqa: E731 - the default is the code itself
    return _Describer(lang, header_of, label_of).condition(tree)


def _number(value: float) -> str:
    return f"{value:g}"


#: the placeholders of a pattern that is otherwise literal text: a class, \d \w \s, a dot,
#: each with an optional repeat
_PLACEHOLDERS = re.compile(r"\[(?:\\.|[^\]\\])*\](?:[+*?]|\{\d+(?:,\d*)?\})?"
                           r"|\\[dDwWsS](?:[+*?]|\{\d+(?:,\d*)?\})?|\.(?:[+*?]|\{\d+(?:,\d*)?\})?")


def pattern_text(pattern: str) -> str | None:
    """A regular expression as the text it asks for, when it is literal text with placeholders:
    ``第[一二三…0-9]+条`` -> ``第…条``, ``^\\d{4}年`` -> ``…年``. None when it is more than that
    (alternatives, groups, optional parts): it is then shown as written."""
    text = pattern[1:] if pattern.startswith("^") else pattern
    text = text[:-1] if text.endswith("$") and not text.endswith("\\$") else text
    text = re.sub("…+", "…", _PLACEHOLDERS.sub("…", text))
    if re.search(r"[\\()|?*+{}\[\]^$.]", text) or not text.strip("…"):
        return None
    return text


class _Describer:
    def __init__(self, lang: str, header_of: Callable[[str], str], label_of: Callable[[str, str], str]):
        self.words = _WORDS[lang]
        self.funcs = _FUNCS[lang]
        self.constants = _CONSTANTS[lang]
        self.header_of = header_of
        self.label_of = label_of

    def condition(self, node: t.Expr) -> str:
        """A node in a true/false place: a bare yes/no field reads '「x」为“是”'."""
        if isinstance(node, t.Field) and node.type == "bool":
            return self.words["is yes"].format(self.header_of(node.name))
        return self.value(node)

    def value(self, node: t.Expr) -> str:
        said = self.sentence(node)
        if said is not None:
            return said
        return self._VALUE[type(node)](self, node)

    def sentence(self, node: t.Expr) -> str | None:
        """A comparison as a person says it, by the type of its values: '「答复日期」不晚于「期限」',
        '「公开属性」为“依申请公开”、“不予公开”之一', '「解读形式」含有“视频”'; None for another node.
        (A chain ``a < b <= c`` keeps its operators: :meth:`v_chain`.)"""
        w = self.words
        if isinstance(node, t.Compare):
            kind = "date" if node.left.type == "date" else "number" if node.left.type == "number" else "other"
            return w[f"cmp_{kind}_{node.op}"].format(self.value(node.left), self.value(node.right))
        if isinstance(node, t.CategoryEquals):
            return w[f"cmp_other_{'!=' if node.negate else '=='}"].format(self.value(node.field),
                                                                         self.label(node.field, node.code))
        if isinstance(node, t.CategoryIn):
            listed = w["sep"].join(self.label(node.field, c) for c in node.codes)
            return w["is_none_of" if node.negate else "is_one_of"].format(self.value(node.field), listed)
        if isinstance(node, t.SetMember):
            return w["lacks_member" if node.negate else "has_member"].format(self.value(node.field),
                                                                             self.label(node.field, node.code))
        if isinstance(node, t.InList):
            listed = w["sep"].join(self.literal(v) for v in node.values)
            return w["is_none_of" if node.negate else "is_one_of"].format(self.value(node.operand), listed)
        return None

    # -- leaves
    def quoted(self, text: str) -> str:
        return self.words["quote"].format(text)

    def label(self, field: t.Field, code: str) -> str:
        return self.quoted(self.label_of(field.name, code))

    def labels(self, field: t.Field, codes) -> str:
        return "[" + self.words["sep"].join(self.label(field, c) for c in codes) + "]"

    def literal(self, value) -> str:
        if isinstance(value, bool):
            return self.words[value]
        if isinstance(value, float):
            return _number(value)
        if isinstance(value, str):
            return self.quoted(value)
        if isinstance(value, list):
            return "[" + self.words["sep"].join(self.literal(v) for v in value) + "]"
        return value.isoformat()  # a date

    def v_literal(self, node: t.Literal) -> str:
        return self.literal(node.value)

    def v_list(self, node: t.ListLiteral) -> str:
        return "[" + self.words["sep"].join(self.value(item) for item in node.items) + "]"

    def v_field(self, node: t.Field) -> str:
        return self.header_of(node.name)

    def v_constant(self, node: t.Constant) -> str:
        return self.constants[node.name]

    # -- logic
    def v_not(self, node: t.Not) -> str:
        if isinstance(node.operand, t.Field) and node.operand.type == "bool":
            return self.words["is no"].format(self.header_of(node.operand.name))
        return self.words["not_of"].format(self.condition(node.operand))

    def v_logical(self, node: t.Logical) -> str:
        parts = []
        for operand in node.operands:
            text = self.condition(operand)
            parts.append(self.words["group"].format(text) if isinstance(operand, t.Logical) else text)
        return self.words[f"join_{node.op}"].join(parts)

    def v_chain(self, node: t.Chain) -> str:
        """``a < b <= c`` as written; links that do not share a side are joined by 'and'."""
        parts = list(self.comparison(node.links[0]))
        for link in node.links[1:]:
            left, op, right = self.comparison(link)
            if left == parts[-1]:
                parts += [op, right]
            else:
                parts += [self.words["join_and"].strip(" ，,"), left, op, right]
        return " ".join(parts)

    def comparison(self, node: t.Expr) -> tuple[str, str, str] | None:
        """(left, operator, right) of a comparison node, None for any other node."""
        w = self.words
        if isinstance(node, t.Compare):
            return self.value(node.left), w[node.op], self.value(node.right)
        if isinstance(node, t.CategoryEquals):
            return self.value(node.field), w["!=" if node.negate else "=="], self.label(node.field, node.code)
        if isinstance(node, t.CategoryIn):
            return self.value(node.field), w["not in" if node.negate else "in"], self.labels(node.field, node.codes)
        if isinstance(node, t.SetMember):
            return self.label(node.field, node.code), w["not in" if node.negate else "in"], self.value(node.field)
        if isinstance(node, t.InList):
            return self.value(node.operand), w["not in" if node.negate else "in"], self.literal(list(node.values))
        return None

    # -- arithmetic and functions
    def v_negate(self, node: t.Negate) -> str:
        return f"-{self.value(node.operand)}"

    def v_arith(self, node: t.Arith) -> str:
        """Arithmetic as written, except days around a date: '评估基准日前400天'."""
        if node.left.type == "date" and node.right.type == "number" and node.op in "+-":
            key = "date_plus" if node.op == "+" else "date_minus"
            return self.words[key].format(self.value(node.left), self.value(node.right))
        if node.left.type == "date" and node.right.type == "date" and node.op == "-":
            return self.words["date_diff"].format(self.value(node.left), self.value(node.right))
        return f"({self.value(node.left)} {self.words[node.op]} {self.value(node.right)})"

    def v_set_test(self, node: t.SetTest) -> str:
        listed = self.words["sep"].join(self.label(node.field, c) for c in node.codes)
        mode = node.mode if len(node.codes) > 1 else "one"  # one member: 含有“视频”
        return self.funcs["has_" + mode].format(self.value(node.field), listed)

    def v_contains(self, node: t.Contains) -> str:
        return self.funcs["contains"].format(self.value(node.text), self.quoted(node.needle))

    def v_matches(self, node: t.Matches) -> str:
        like = pattern_text(node.pattern)
        if like is not None:
            return self.words["matches_like"].format(self.value(node.text), self.quoted(like))
        return self.funcs["matches"].format(self.value(node.text), self.words["pattern"].format(node.pattern))

    def v_call(self, node: t.Call) -> str:
        return self.funcs[node.name].format(*(self.value(a) for a in node.args))

    _VALUE = {t.Literal: v_literal, t.ListLiteral: v_list, t.Field: v_field, t.Constant: v_constant,
              t.Not: v_not, t.Logical: v_logical, t.Chain: v_chain, t.Negate: v_negate, t.Arith: v_arith,
              t.SetTest: v_set_test, t.Contains: v_contains, t.Matches: v_matches, t.Call: v_call}
