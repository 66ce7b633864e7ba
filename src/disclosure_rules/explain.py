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

from .expressions import ExpressionError, check, describe
from .expressions.tree import Expr
from .models import FieldSpec, Rulebook

__all__ = ["describe_rule", "scoring_text", "render_expression", "render_tree"]

_LANGS = ("zh", "en")

_T = {
    "zh": {
        "dataset": "数据:{title}({name})。",
        "scope_all": "范围:全部记录。",
        "scope_where": "范围:{where}的记录。",
        "join": "关联:取「{title}」中{pairs}的记录,计算{aggs}。",
        "required": "检查:以下各项均须填写:{fields}。",
        "condition": "检查:每条记录须满足:{expect}。",
        "ratio": "检查:满足“{expect}”的记录占比{bounds}。",
        "unique": "检查:{fields}的取值组合不得与前面的记录重复(全部为空的不算重复)。",
        "sequence": "检查:已填写的日期须按先后顺序:{fields}(同日可以)。",
        "count": "检查:{per}记录数{bounds}。",
        "count_per": "按{per}分组,每组",
        "count_groups": "以下各组都须出现:{groups}。",
        "deadline": "检查:从{start}起算,{end}须在{limit}内",
        "extension": ";{when}时可再延长{limit}",
        "restart": ";{restart}已填写的,从该日起重新计算",
        "exclude": ";{frm}至{to}期间不计入期限",
        "deadline_tail": "。{end}为空且已超过期限的为逾期,{end}早于{start}的为错误;{end}为空而尚未到期的为办理中,不计入比率。",
        "min": "不低于{v}", "max": "不高于{v}", "and": "且",
        "rate_min": "达标率不低于{v}即为通过。",
        "wd": "{n}个工作日", "cd": "{n}个自然日",
        "sep": "、", "arrow": " → ",
        "agg_count": "{name} = 关联记录数",
        "agg_count_distinct": "{name} = {src}的不同取值个数",
        "agg_min": "{name} = 最小的{src}", "agg_max": "{name} = 最大的{src}",
        "join_pair": "{right}等于本表{left}",
    },
    "en": {
        "dataset": "Data: {title} ({name}).",
        "scope_all": "Scope: every record.",
        "scope_where": "Scope: records where {where}.",
        "join": "Join: the records of {title} whose {pairs}, giving {aggs}.",
        "required": "Check: each of these must be filled in: {fields}.",
        "condition": "Check: every record must satisfy: {expect}.",
        "ratio": "Check: the share of records where {expect} must be {bounds}.",
        "unique": "Check: no record may repeat the values of {fields} of an earlier record (all blank is no repeat).",
        "sequence": "Check: the dates filled in must be in this order: {fields} (the same day is fine).",
        "count": "Check: {per}the number of records must be {bounds}.",
        "count_per": "per value of {per}, ",
        "count_groups": "Each of these groups must appear: {groups}.",
        "deadline": "Check: counting from {start}, {end} must fall within {limit}",
        "extension": "; when {when}, {limit} more are allowed",
        "restart": "; if {restart} is filled in, the clock restarts on that date",
        "exclude": "; the time from {frm} to {to} is not counted",
        "deadline_tail": ". A blank {end} past the deadline is overdue, {end} before {start} is an error; a blank {end} before the deadline is pending and left out of the rate.",
        "min": "at least {v}", "max": "at most {v}", "and": " and ",
        "rate_min": "The rule passes when the pass rate is at least {v}.",
        "wd": "{n} working days", "cd": "{n} calendar days",
        "sep": ", ", "arrow": " → ",
        "agg_count": "{name} = the number of matching records",
        "agg_count_distinct": "{name} = the number of distinct {src}",
        "agg_min": "{name} = the earliest/smallest {src}", "agg_max": "{name} = the latest/largest {src}",
        "join_pair": "{right} equals this record's {left}",
    },
}

_SEVERITY = {
    "zh": {"critical": "严重", "major": "重要", "minor": "一般"},
    "en": {"critical": "critical", "major": "major", "minor": "minor"},
}


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {', '.join(_LANGS)}, not {lang!r}")
    return lang


def _percent(value: float) -> str:
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _number(value: float) -> str:
    return f"{value:g}"


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
        self.expression_fields: dict[str, FieldSpec] = dict(self.fields)
        if rule.join is not None:
            other = book.datasets.get(rule.join.dataset)
            title = (other.title if other and other.title else rule.join.dataset)
            for name, agg in rule.join.fields.items():
                if agg == "count" or agg.function in ("count", "count_distinct"):
                    self.expression_fields.setdefault(name, FieldSpec(type="integer"))
                elif other is not None and agg.source in other.fields:
                    self.expression_fields.setdefault(name, other.fields[agg.source])
                if agg == "count":
                    self.joined[name] = (f"「{title}」关联记录数" if lang == "zh" else f"the number of matching {title} records")
                else:
                    src = self.header_in(other, agg.source)
                    self.joined[name] = {
                        ("zh", "count_distinct"): f"「{title}」中{src}的不同取值个数",
                        ("zh", "min"): f"「{title}」中最小的{src}",
                        ("zh", "max"): f"「{title}」中最大的{src}",
                        ("en", "count_distinct"): f"the number of distinct {src} in {title}",
                        ("en", "min"): f"the smallest {src} in {title}",
                        ("en", "max"): f"the largest {src} in {title}",
                    }[(lang, agg.function)]

    def header_in(self, dataset, name: str) -> str:
        spec = dataset.fields.get(name) if dataset else None
        header = spec.header if spec and spec.header else name
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
        labels = spec.values.get(code) if spec is not None and spec.values else None
        return labels[0] if labels else code

    def label(self, field_name: str | None, code) -> str:
        """The first label of a category/set code (a label or an unknown string stays as it is)."""
        spec = self.spec(field_name) if field_name else None
        if spec is not None and spec.values and isinstance(code, str) and code in spec.values and spec.values[code]:
            code = spec.values[code][0]
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


def _bounds(rule, t: dict, as_rate: bool) -> str:
    fmt = _percent if as_rate else _number
    parts = []
    if rule.min is not None:
        parts.append(t["min"].format(v=fmt(rule.min)))
    if rule.max is not None:
        parts.append(t["max"].format(v=fmt(rule.max)))
    return t["and"].join(parts)


def _limit(limit, t: dict) -> str:
    if limit.working_days is not None:
        return t["wd"].format(n=limit.working_days)
    return t["cd"].format(n=limit.calendar_days)


def describe_rule(rule, book: Rulebook, lang: str = "zh") -> str:
    """What ``rule`` checks, in plain words, generated from its model (see the module docstring)."""
    lang = _check_lang(lang)
    t = _T[lang]
    ctx = _Context(rule, book, lang)
    sep = t["sep"]
    lines = []
    dataset = book.datasets.get(rule.dataset)
    lines.append(t["dataset"].format(title=(dataset.title if dataset and dataset.title else rule.dataset), name=rule.dataset))
    if rule.join is not None:
        other = book.datasets.get(rule.join.dataset)
        title = other.title if other and other.title else rule.join.dataset
        pairs = sep.join(t["join_pair"].format(left=ctx.field(left), right=ctx.header_in(other, right), title=title)
                         for left, right in rule.join.on.items())
        aggs = []
        for name, agg in rule.join.fields.items():
            if agg == "count":
                aggs.append(t["agg_count"].format(name=name))
            else:
                aggs.append(t[f"agg_{agg.function}"].format(name=name, src=ctx.header_in(other, agg.source)))
        lines.append(t["join"].format(pairs=pairs, title=title, aggs=sep.join(aggs)))
    lines.append(t["scope_where"].format(where=_render_text(rule.where, ctx)) if rule.where else t["scope_all"])

    kind = rule.kind
    if kind == "required":
        lines.append(t["required"].format(fields=sep.join(ctx.field(f) for f in rule.fields)))
    elif kind == "condition":
        lines.append(t["condition"].format(expect=_render_text(rule.expect, ctx)))
    elif kind == "ratio":
        lines.append(t["ratio"].format(expect=_render_text(rule.expect, ctx), bounds=_bounds(rule, t, as_rate=True)))
    elif kind == "unique":
        lines.append(t["unique"].format(fields=sep.join(ctx.field(f) for f in rule.fields)))
    elif kind == "sequence":
        lines.append(t["sequence"].format(fields=t["arrow"].join(ctx.field(f) for f in rule.fields)))
    elif kind == "count":
        per = t["count_per"].format(per=ctx.field(rule.per)) if rule.per else ""
        lines.append(t["count"].format(per=per, bounds=_bounds(rule, t, as_rate=False)))
        if rule.groups:
            lines.append(t["count_groups"].format(groups=sep.join(ctx.label(rule.per, g) for g in rule.groups)))
    elif kind == "deadline":
        start, end = ctx.field(rule.start), ctx.field(rule.end)
        text = t["deadline"].format(start=start, end=end, limit=_limit(rule.limit, t))
        if rule.extension is not None:
            text += t["extension"].format(when=_render_text(rule.extension.when, ctx), limit=_limit(rule.extension, t))
        if rule.restart:
            text += t["restart"].format(restart=ctx.field(rule.restart))
        for pause in rule.exclude:
            text += t["exclude"].format(frm=ctx.field(pause.from_), to=ctx.field(pause.to))
        text += t["deadline_tail"].format(start=start, end=end)
        lines.append(text)
    if kind in ("required", "condition", "deadline") and rule.min is not None:
        lines.append(t["rate_min"].format(v=_percent(rule.min)))
    return "\n".join(lines)


def scoring_text(rule, lang: str = "zh") -> str:
    """How ``rule`` scores: method, points, threshold and severity."""
    lang = _check_lang(lang)
    severity = _SEVERITY[lang][rule.severity]
    points = _number(rule.points)
    scoring = rule.scoring
    zh = lang == "zh"
    if rule.kind in ("ratio",):
        bounds = _bounds(rule, _T[lang], as_rate=True)
        passes = f"达标率{bounds}为通过" if zh else f"passes when the rate is {bounds}"
    elif rule.kind == "count":
        bounds = _bounds(rule, _T[lang], as_rate=False)
        passes = (f"{'每组' if rule.per else ''}记录数{bounds}为通过" if zh
                  else f"passes when {'every group' if rule.per else 'the record count'} is {bounds}")
    elif rule.min is not None:
        passes = f"达标率不低于{_percent(rule.min)}为通过" if zh else f"passes when the rate is at least {_percent(rule.min)}"
    else:
        passes = "没有违规记录为通过" if zh else "passes when no record violates it"
    if rule.points == 0:
        how = "不计分,仅报告结果" if zh else "reported, not scored"
    elif scoring == "all_or_nothing":
        how = f"通过得{points}分,否则得0分" if zh else f"{points} points if it passes, otherwise 0"
    elif scoring == "proportional":
        rate_word = "达标率" if zh else "pass rate"
        if rule.kind == "count":
            rate_word = "达标组比例" if zh else "share of groups in bounds"
        if rule.min is not None and rule.kind != "count":
            how = (f"按比例计分:{points} × min(1, {rate_word} ÷ {_percent(rule.min)})" if zh
                   else f"proportional: {points} × min(1, {rate_word} ÷ {_percent(rule.min)})")
        else:
            how = f"按比例计分:{points} × {rate_word}" if zh else f"proportional: {points} × {rate_word}"
    else:
        cap = _number(scoring.max if scoring.max is not None else rule.points)
        how = (f"扣分制:满分{points}分,每条违规扣{_number(scoring.deduct)}分,最多扣{cap}分" if zh
               else f"deductions: {points} points, minus {_number(scoring.deduct)} per violation, at most {cap} deducted")
    if zh:
        return f"{how};{passes};严重程度:{severity}。"
    return f"{how}; {passes}; severity: {severity}."
