"""An expression in words: :func:`describe` reads a checked tree aloud in Chinese or English.

The text is made from the tree, so it names what the checker resolved: a field by the
text ``header_of`` gives for its canonical name (whatever alias or spelling the author
wrote), a category or set code by its label (``label_of``), a constant by its name in
words, a function call by a phrase (``present(x)`` -> "「x」已填写"). A bare yes/no field
in a condition's place reads "「x」为“是”". Any tree the checker accepts can be described:
:func:`describe` does not fail on one.
"""

from __future__ import annotations

from typing import Callable

from . import tree as t

__all__ = ["describe", "LANGS"]

LANGS = ("zh", "en")

_WORDS = {
    "zh": {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "in": "属于", "not in": "不属于",
           "and": "并且", "or": "或者", "not": "并非", "+": "+", "-": "-", "*": "×", "/": "÷",
           True: "是", False: "否", "sep": "、", "is yes": "{0}为“是”", "quote": "“{0}”", "pattern": "/{0}/"},
    "en": {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "in": "is one of",
           "not in": "is not one of", "and": "and", "or": "or", "not": "not", "+": "+", "-": "-", "*": "×",
           "/": "÷", True: "yes", False: "no", "sep": ", ", "is yes": "{0} is yes", "quote": "'{0}'",
           "pattern": "/{0}/"},
}

_FUNCS = {
    "zh": {
        "present": "{0}已填写", "blank": "{0}为空", "has_any": "{0}含有{1}中的任一项",
        "has_all": "{0}含有{1}的全部各项", "size": "{0}的项数", "contains": "{0}包含{1}",
        "matches": "{0}符合格式{1}", "length": "{0}的字数", "days": "从{0}到{1}的自然日数",
        "workdays": "从{0}到{1}的工作日数", "add_workdays": "{0}后第{1}个工作日",
        "year": "{0}的年份", "month": "{0}的月份",
    },
    "en": {
        "present": "{0} is filled in", "blank": "{0} is blank", "has_any": "{0} includes any of {1}",
        "has_all": "{0} includes all of {1}", "size": "the number of items in {0}", "contains": "{0} contains {1}",
        "matches": "{0} matches the pattern {1}", "length": "the length of {0}",
        "days": "calendar days from {0} to {1}", "workdays": "working days from {0} to {1}",
        "add_workdays": "working day no. {1} after {0}", "year": "the year of {0}", "month": "the month of {0}",
    },
}

_CONSTANTS = {
    "zh": {"as_of": "评估基准日", "period_start": "考核期开始日", "period_end": "考核期结束日"},
    "en": {"as_of": "the as-of date", "period_start": "the period start", "period_end": "the period end"},
}


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
        parts = self.comparison(node)
        if parts is not None:
            return " ".join(parts)
        return self._VALUE[type(node)](self, node)

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
        return f"{self.words['not']}({self.condition(node.operand)})"

    def v_logical(self, node: t.Logical) -> str:
        parts = []
        for operand in node.operands:
            text = self.condition(operand)
            parts.append(f"({text})" if isinstance(operand, t.Logical) else text)
        return f" {self.words[node.op]} ".join(parts)

    def v_chain(self, node: t.Chain) -> str:
        """``a < b <= c`` as written; links that do not share a side are joined by 'and'."""
        parts = list(self.comparison(node.links[0]))
        for link in node.links[1:]:
            left, op, right = self.comparison(link)
            if left == parts[-1]:
                parts += [op, right]
            else:
                parts += [self.words["and"], left, op, right]
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
        return f"({self.value(node.left)} {self.words[node.op]} {self.value(node.right)})"

    def v_set_test(self, node: t.SetTest) -> str:
        return self.funcs["has_" + node.mode].format(self.value(node.field), self.labels(node.field, node.codes))

    def v_contains(self, node: t.Contains) -> str:
        return self.funcs["contains"].format(self.value(node.text), self.quoted(node.needle))

    def v_matches(self, node: t.Matches) -> str:
        return self.funcs["matches"].format(self.value(node.text), self.words["pattern"].format(node.pattern))

    def v_call(self, node: t.Call) -> str:
        return self.funcs[node.name].format(*(self.value(a) for a in node.args))

    _VALUE = {t.Literal: v_literal, t.ListLiteral: v_list, t.Field: v_field, t.Constant: v_constant,
              t.Not: v_not, t.Logical: v_logical, t.Chain: v_chain, t.Negate: v_negate, t.Arith: v_arith,
              t.SetTest: v_set_test, t.Contains: v_contains, t.Matches: v_matches, t.Call: v_call}
