"""Plain-language descriptions of rules, generated from the rule's model.

Nothing here is written per rule: :func:`describe_rule` reads the rule's kind, fields,
expressions, thresholds, deadline parameters and join, and names every field by its
preferred ledger header (the first alias), so the text stays true when the YAML changes.
:func:`scoring_text` says how the rule scores. Both speak Chinese (``lang="zh"``, the
default) or English (``lang="en"``); English keeps the Chinese headers and labels, since
those are what the user sees in the ledger.

Expressions are checked as the engine checks them and read aloud from their typed tree
(:func:`disclosure_rules.expressions.describe`): a field, however the author spelt it,
reads as its preferred header, a category or set code as its first label, a function call
as a phrase (``present(x)`` -> "「x」已填写"). Text that does not check (a rule changed by
hand after loading) is shown as written.
"""

from __future__ import annotations

from .book import Rulebook
from .expressions import ExpressionError, check, describe
from .expressions.tree import Expr
from .kinds import REGISTRY
from .kinds.text import bounds_text
from .models import Deduct, FieldSpec
from .rulebook import joined_fields
from .words import check_lang, number_text, percent_text, scoring_word, severity_word, word

__all__ = ["describe_rule", "scoring_text", "render_expression", "render_tree"]


def _check_lang(lang: str) -> str:
    return check_lang(lang)


class _Context:
    """What a rule's text needs to know about its dataset: headers, labels, join fields."""

    def __init__(self, rule, book: Rulebook, lang: str):
        self.lang = lang
        self.book = book
        self.dataset = book.datasets.get(rule.dataset)
        self.fields = dict(self.dataset.fields) if self.dataset else {}
        self.aliases = {}
        for name, spec in self.fields.items():
            for alias in spec.aliases:
                self.aliases.setdefault(alias, name)
        self.joined: dict[str, str] = {}
        #: what an expression of the rule may name: the dataset's fields and the joined ones,
        #: typed as the rulebook's cross-check types them
        self.expression_fields: dict[str, FieldSpec] = {**joined_fields(book, rule), **self.fields}
        if rule.join is not None:
            other = book.datasets.get(rule.join.dataset)
            title = (other.title if other and other.title else rule.join.dataset)
            for name, agg in rule.join.fields.items():
                if agg == "count":
                    self.joined[name] = word("describe_joined_count", lang, title=title)
                else:
                    self.joined[name] = word(f"describe_joined_{agg.function}", lang, title=title,
                                             src=self.header_in(other, agg.source))

    def header_in(self, dataset, name: str) -> str:
        spec = dataset.fields.get(name) if dataset else None
        header = spec.header_of(name) if spec is not None else name
        if self.lang == "zh":
            return f"「{header}」"
        return f"{header} [{name}]" if header != name else name

    def field(self, name: str) -> str:
        """A field as the ledger shows it: 「header」 in Chinese, header [name] in English."""
        if name in self.joined:
            return self.joined[name]
        canonical = self.aliases.get(name, name)
        return self.header_in(self.dataset, canonical)

    def spec(self, name: str):
        return self.fields.get(self.aliases.get(name, name))

    def label_of(self, field_name: str, code: str) -> str:
        """The first label of a code of a category/set field an expression names (else the code)."""
        spec = self.expression_fields.get(field_name)
        return spec.label_of(code) if spec is not None else code

    def label(self, field_name: str | None, code) -> str:
        """The first label of a category/set code (a label or an unknown string stays as it is)."""
        spec = self.spec(field_name) if field_name else None
        if spec is not None and isinstance(code, str):
            code = spec.label_of(code)
        return f"“{code}”" if self.lang == "zh" else f"'{code}'"


def render_expression(text: str, rule, book: Rulebook, lang: str = "zh") -> str:
    """Render one where/expect expression of ``rule`` in words; the source text if it does not check."""
    lang = _check_lang(lang)
    return _render_text(text, _Context(rule, book, lang))


def render_tree(tree: Expr, rule, book: Rulebook, lang: str = "zh") -> str:
    """Render a checked expression of ``rule`` (``CompiledExpression.tree``) in words."""
    lang = _check_lang(lang)
    return _render(tree, _Context(rule, book, lang))


def _render_text(text: str, ctx: _Context) -> str:
    try:
        _, tree = check(text, ctx.expression_fields, want=None)
    except ExpressionError:
        return text.strip()
    return _render(tree, ctx)


def _render(tree: Expr, ctx: _Context) -> str:
    return describe(tree, ctx.lang, header_of=ctx.field, label_of=ctx.label_of)


def _limit(limit, lang: str) -> str:
    if limit.working_days is not None:
        return word("describe_wd", lang, n=limit.working_days)
    return word("describe_cd", lang, n=limit.calendar_days)


class Describer:
    """What a kind's ``describe`` writes with: the words, fields, labels and expressions of
    one rule in one language."""

    def __init__(self, ctx: "_Context", lang: str):
        self._ctx = ctx
        self.lang = lang
        self.sep = word("sep", lang)

    def say(self, key: str, **values) -> str:
        """The words ``describe_<key>`` with ``values`` filled in."""
        return word(f"describe_{key}", self.lang, **values)

    def field(self, name: str) -> str:
        return self._ctx.field(name)

    def fields(self, names, joiner: str | None = None) -> str:
        return (self.sep if joiner is None else joiner).join(self._ctx.field(f) for f in names)

    def label(self, field_name: str | None, code) -> str:
        return self._ctx.label(field_name, code)

    def expression(self, text: str) -> str:
        return _render_text(text, self._ctx)

    def bounds(self, rule, as_rate: bool) -> str:
        return bounds_text(rule, self.lang, as_rate)

    def limit(self, limit) -> str:
        return _limit(limit, self.lang)

    def percent(self, value) -> str:
        return percent_text(value)


def describe_rule(rule, book: Rulebook, lang: str = "zh") -> str:
    """What ``rule`` checks, in plain words, generated from its model (see the module docstring)."""
    lang = _check_lang(lang)

    def t(key: str, **values) -> str:
        return word(f"describe_{key}", lang, **values)

    ctx = _Context(rule, book, lang)
    sep = word("sep", lang)
    lines = []
    dataset = book.datasets.get(rule.dataset)
    lines.append(t("dataset", title=(dataset.title if dataset and dataset.title else rule.dataset), name=rule.dataset))
    if rule.join is not None:
        other = book.datasets.get(rule.join.dataset)
        title = other.title if other and other.title else rule.join.dataset
        pairs = sep.join(t("join_pair", left=ctx.field(left), right=ctx.header_in(other, right))
                         for left, right in rule.join.on.items())
        aggs = []
        for name, agg in rule.join.fields.items():
            if agg == "count":
                aggs.append(t("agg_count", name=name))
            else:
                aggs.append(t(f"agg_{agg.function}", name=name, src=ctx.header_in(other, agg.source)))
        lines.append(t("join", pairs=pairs, title=title, aggs=sep.join(aggs)))
    lines.append(t("scope_where", where=_render_text(rule.where, ctx)) if rule.where else t("scope_all"))

    lines += REGISTRY[rule.kind].describe(rule, Describer(ctx, lang))
    return "\n".join(lines)


def _proportional_formula(rule, lang: str) -> str:
    """The proportional formula in words, from the bounds ``scoring.awarded_points`` divides by
    (the kind's ``bound_texts``).

    Below ``min``: points x min(1, rate / min); above ``max``: points x (1 - rate) / (1 - max);
    within the bounds: points; with no bound: points x rate (DESIGN §7).
    """
    kind = REGISTRY[rule.kind]
    points = number_text(rule.points)
    rate = word(kind.rate_word, lang)
    has_min, tmin, tmax = kind.bound_texts(rule, lang)
    if tmin is not None:
        below = f"{points} × min(1, {rate} ÷ {tmin})"
    elif not has_min and tmax is None:
        below = f"{points} × {rate}"
    else:
        below = points
    if tmax is not None:
        above = f"{points} × (1 − {rate}) ÷ (1 − {tmax})"
        formula = word("score_else", lang).join([
            word("score_piece_upto", lang, formula=below, max=tmax),
            word("score_piece_above", lang, formula=above, max=tmax)])
    else:
        formula = below
    if kind.has_pending:  # records still open: a rate that is not known yet
        formula += word("score_else", lang) + word("score_undecided", lang)
    return formula


def scoring_text(rule, lang: str = "zh") -> str:
    """How ``rule`` scores: method, points, threshold and severity (the formula is
    generated from the bounds that score it, the kind's ``bounds(rule)``)."""
    lang = _check_lang(lang)
    points = number_text(rule.points)
    scoring = rule.scoring
    passes = REGISTRY[rule.kind].pass_text(rule, lang)
    if rule.points == 0:
        how = word("score_unscored", lang)
    elif isinstance(scoring, Deduct):
        # never more than the rule's points: the score does not go below 0
        cap = min(rule.points, scoring.max if scoring.max is not None else rule.points)
        how = word("score_deduct", lang, mode=scoring_word("deduct", lang), points=points,
                   deduct=number_text(scoring.deduct), cap=number_text(cap))
    elif scoring == "all_or_nothing":
        how = word("score_all_or_nothing", lang, mode=scoring_word("all_or_nothing", lang), points=points)
    else:
        how = word("score_formula", lang, mode=scoring_word("proportional", lang),
                   formula=_proportional_formula(rule, lang))
    return word("scoring_line", lang, how=how, passes=passes, severity=severity_word(rule.severity, lang))
