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

from . import tree as t
from ._lazy import Lazy
from .numpy import Context, as_mask, lower_numpy

np = Lazy("np", "numpy", globals())  # imported on first use: validate needs neither numpy nor pandas
pd = Lazy("pd", "pandas", globals())

_NEEDS_MORE = ("workdays", "add_workdays")  # evaluable only with the working-day calendar
#: comparison operators by the word key of their phrase
_OPS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}


def _evaluable(node: t.Expr, constants: dict, calendar) -> bool:
    for n in t.walk(node):
        if isinstance(n, t.Call) and n.name in _NEEDS_MORE and calendar is None:
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
    ``constants``: the plan period (``period_start``, ``period_end``) and, as ``calendar``,
    the rulebook's calendar section (for ``workdays`` and ``add_workdays``). None when the
    tree cannot be evaluated on the findings' own values."""
    from ..words import word

    constants = {"period_start": None, "period_end": None, **(constants or {}),
                 "as_of": pd.Timestamp(found.as_of)}
    calendar = _calendar(constants.pop("calendar", None))
    if not _evaluable(root, constants, calendar):
        return None
    values = found.values.iloc[idx].reset_index(drop=True)
    if any(f.name not in values.columns for f in _fields(root)):
        return None
    ctx = Context(values, constants, calendar)
    n = len(values)
    parts = _conjuncts(root)
    sep = word("fail_join", lang)
    out = pd.Series([""] * n, dtype=object)
    any_part = np.zeros(n, dtype=bool)
    phrase = _Phrase(found, idx, lang, describe, ctx)
    said: list[np.ndarray] = []  # what each earlier part said per row: a part says a thing once
    for part in parts:
        true, unknown = as_mask(lower_numpy(part)(ctx), n)
        failing = ~true | unknown
        if not failing.any():
            continue
        text = phrase.of(part, unknown).to_numpy(dtype=object)
        new = failing & ~np.logical_or.reduce([np.asarray(text == before, dtype=bool) for before in said]) \
            if said else failing
        said.append(np.where(failing, text, None))
        out = out + np.where(new, np.where(any_part, sep, "") + text, "")
        any_part |= new
    if not any_part.all():  # a row where every part holds cannot be a violation: let the caller say it
        return None
    return out.tolist()


def _calendar(spec):
    """The working-day calendar of the rulebook's ``calendar:`` section (its extra holidays and
    workdays, its fallback), growing to whatever years the findings' dates are in."""
    if spec is None:
        return None
    from ..calendar import WorkCalendar

    try:
        return WorkCalendar(extra_holidays=spec.extra_holidays, extra_workdays=spec.extra_workdays,
                            fallback=spec.fallback)
    except Exception:  # noqa: BLE001 - a message falls back to its plain form; the audit reports the calendar
        return None


#: the comparison a count reads with, by operator: (the word key's end, the number shown)
_COUNT_OPS = {"<=": "le", "<": "lt", ">=": "ge", ">": "gt", "==": "eq", "!=": "ne"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


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
        if isinstance(node, t.Not):  # not x: x holds on this record, and should not
            inner = node.operand
            if isinstance(inner, t.Field) and inner.type == "bool":
                return self.fill("fail_no", inner)
            if isinstance(inner, t.Call) and inner.name in ("present", "blank") and isinstance(inner.args[0], t.Field):
                return self.fill("fail_blank_expected" if inner.name == "present" else "fail_missing", inner.args[0])
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
            from .describe import pattern_text

            like = pattern_text(node.pattern)  # 第[一二三…0-9]+条 reads 第…条
            if like is not None:
                return self.fill("fail_matches_like", node.text, pattern=like)
            return self.fill("fail_matches", node.text, pattern=node.pattern)
        if isinstance(node, t.Compare) and node.op in _OPS:
            return self._compare(node)
        if isinstance(node, t.Logical) and node.op == "or":
            return self._unless(node)
        return self._generic(node)

    def _compare(self, node: t.Compare) -> pd.Series:
        """``a <= b`` as '「a」应不晚于「b」（实际：…）': the operator in words of the values' type.
        A count compared with a number reads as what the count is of (``workdays(a, b) <= 7``:
        '「b」应在「a」后7个工作日内（实际：9个工作日…）', ``size``, ``length``, ``days``), a month or
        year as '应在11月'; a computed side (a deadline ``add_workdays(d, 20)``) shows its value."""
        left, op, right = node.left, node.op, node.right
        if isinstance(left, t.Literal) and not isinstance(right, t.Literal):
            left, op, right = right, _FLIP[op], left
        if isinstance(left, t.Call) and isinstance(right, t.Literal) and isinstance(right.value, float):
            said = self._counted(left, op, right.value)
            if said is not None:
                return said
        if isinstance(left, t.Field) and left.type == "date" and isinstance(right, (t.Call, t.Arith)) \
                and right.type == "date" and all(isinstance(f, (t.Field, t.Constant)) for f in t.children(right)
                                                 if f.type == "date"):
            return self._by_day(left, op, right)
        kind = "date" if node.left.type == "date" else "number" if node.left.type == "number" else "other"
        sentence = self.word(f"fail_op_{kind}_{_OPS[node.op]}", left=self.describe(node.left),
                             right=self.describe(node.right))
        return self._with_values(sentence, node)

    def _by_day(self, field: t.Field, op: str, day: t.Expr) -> pd.Series:
        """A date against a day computed from the record (``add_workdays(received_on, 20)``): the
        day by its words and its date, then what the record has: '「答复日期」不应晚于「收到申请日期」
        后第20个工作日（2021-02-08）（实际：2021-02-09）'."""
        template = self.word(f"fail_op_date_{_OPS[op]}", left=self.field(field),
                             right=self.word("fail_that_is", what=self.describe(day), date="\x00D"))
        actual = self.word("fail_plain_actual", value="\x00V")
        return self._filled(template + actual, {"\x00D": self._computed(day), "\x00V": self.value(field)})

    def _computed(self, node: t.Expr) -> pd.Series:
        """The value of ``node`` on each finding's row, as text (a date ISO, a number as counted)."""
        from ..words import ISO_DATE

        value = lower_numpy(node)(self.ctx)
        data = np.broadcast_to(np.asarray(value.data), (self.n,))
        null = np.broadcast_to(np.asarray(value.null, dtype=bool), (self.n,))
        if node.type == "date":
            text = pd.Series(pd.to_datetime(data)).dt.strftime(ISO_DATE)
        else:  # counts: whole numbers as such, others with at most 2 decimals (as number_text)
            numbers = np.asarray(data, dtype=float)
            safe = np.where(np.isfinite(numbers) & (np.abs(numbers) < 1e15), numbers, 0.0)
            rounded = np.round(safe, 2)
            whole = rounded == np.round(safe)
            text = pd.Series(np.where(whole, np.round(safe).astype(np.int64).astype(str), rounded.astype(str)))
        return pd.Series(np.where(null, self.word("blank_value"), text.to_numpy(dtype=object)), dtype=object)

    def _counted(self, call: t.Call, op: str, number: float) -> pd.Series | None:
        from ..words import number_text

        args = call.args
        if call.name in ("workdays", "days") and all(isinstance(a, t.Field) for a in args):
            unit = "wd" if call.name == "workdays" else "cd"
            start, end = args
            sentence = self.word(f"fail_span_{_COUNT_OPS[op]}", start=self.field(start), end=self.field(end),
                                 n=number_text(number), unit=self.word(f"fail_unit_{unit}"))
            got = self._computed(call)
            actual = self.word("fail_span_actual", n="\x00N", unit=self.word(f"fail_unit_{unit}"),
                               start=self.field(start), end=self.field(end), a="\x00A", b="\x00B")
            return sentence + self._filled(actual, {"\x00N": got, "\x00A": self.value(start), "\x00B": self.value(end)})
        if call.name in ("size", "length") and isinstance(args[0], t.Field):
            unit = "items" if call.name == "size" else "chars"
            sentence = self.word(f"fail_count_{_COUNT_OPS[op]}", field=self.field(args[0]), n=number_text(number),
                                 unit=self.word(f"fail_unit_{unit}"))
            actual = self.word("fail_count_actual", n="\x00N", unit=self.word(f"fail_unit_{unit}"), value="\x00V")
            return sentence + self._filled(actual, {"\x00N": self._computed(call), "\x00V": self.value(args[0])})
        if call.name in ("month", "year") and isinstance(args[0], t.Field) and op in ("==", "!="):
            key = f"fail_{call.name}_{'ne' if op == '!=' else 'eq'}"
            sentence = self.word(key, field=self.field(args[0]), n=number_text(number))
            actual = self.word("fail_plain_actual", value="\x00V")
            return sentence + self._filled(actual, {"\x00V": self.value(args[0])})
        return None

    def _filled(self, template: str, parts: dict[str, pd.Series]) -> pd.Series:
        """``template`` per row with each placeholder of ``parts`` replaced by that row's text."""
        out = pd.Series([""] * self.n, dtype=object)
        rest = template
        while rest:
            at = [(rest.find(k), k) for k in parts if k in rest]
            if not at:
                return out + rest
            pos, key = min(at)
            out = out + rest[:pos] + parts[key].reset_index(drop=True).astype(str)
            rest = rest[pos + len(key):]
        return out

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
        computed = [side for side in (getattr(node, "left", None), getattr(node, "right", None))
                    if isinstance(side, (t.Call, t.Arith)) and side.type == "date"]
        for side in computed:  # a deadline the row is compared with: say which day it is
            got = got + self.word("and") + self.describe(side) + "=" + self._computed(side)
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
