"""audit(): load the ledgers, evaluate every rule, apply waivers, score, attribute to divisions.

Conventions
-----------
* A rule is ``not_assessed`` when its dataset (or a joined dataset) was not supplied
  or a field it needs is missing from the file; ``not_applicable`` when its
  population is empty. Neither counts towards the score's ``possible``.
* Waivers match a rule id and the record's key (for ``count`` rules: the group). A
  waived row leaves the population and is listed in the findings as waived. A
  waiver whose ``expires`` is before ``as_of`` is ignored with a warning.
* Divisions: every rule is re-evaluated on each division's rows (for row-level kinds
  this is the per-row outcome grouped by division; ``unique`` looks for repeats
  within the division; ``count`` counts the division's rows per group). A division
  with no rows in a rule's population gets ``not_applicable`` for that rule. Rows
  with a blank division are grouped as ``(未填写)``.
* ``as_of`` defaults to the earlier of today and the rulebook's period end.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .errors import DatasetError, DisclosureRulesError
from .expressions import Context
from .kinds import KINDS, RuleInput, evaluate_unique, listed_groups
from .display import display_values
from .messages import count_message_builder, finding_message_builder, gap_warnings, rule_message
from .models import Rulebook, Waiver
from .results import AuditResult, FindingPart, RuleResult
from .words import BLANK_DIVISION
from .scoring import (COVERED, SCORED, awarded_points, coverage_of, grade_of, grading, percent_of, rate_of,
                      status_of)

BLANK_DEPARTMENT = BLANK_DIVISION
NAT = np.datetime64("NaT", "s")


def default_as_of(book: Rulebook, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    period = book.rulebook.period
    return min(today, period.end) if period is not None else today


def _as_date(value, what: str) -> dt.date:
    if value is None:
        raise ValueError(what)
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise DisclosureRulesError(f"{what} {value!r} is not a date; write YYYY-MM-DD") from None
    if not 1900 <= day.year <= 2999:  # the dates a ledger may hold (DESIGN §11)
        raise DisclosureRulesError(f"{what} {day.isoformat()} is outside 1900-2999; give the date the audit "
                                   "is as of, such as the plan period's last day")
    return day


def audit(book: Rulebook | str | os.PathLike, data: Mapping[str, Any], *, as_of=None,
          waivers: str | os.PathLike | list | None = None,
          progress: Callable[[str], None] | None = None) -> AuditResult:
    """Evaluate ``book`` on ``data`` (dataset name -> file path, DataFrame or LoadedDataset)."""
    from .calendar import WorkCalendar
    from .datasets import LoadedDataset, load_dataset
    from .rulebook import load_rulebook, load_waivers

    if not isinstance(book, Rulebook):
        book = load_rulebook(book)
    as_of_date = default_as_of(book) if as_of is None else _as_date(as_of, "as_of")
    as_of_ts = pd.Timestamp(as_of_date)
    say = progress or (lambda message: None)
    warnings: list[str] = []

    unknown = [name for name in data if name not in book.datasets]
    if unknown:
        raise DatasetError(
            f"dataset {unknown[0]!r} is not defined in rulebook {book.rulebook.id!r}; "
            f"its datasets are: {', '.join(book.datasets)}", file=None)

    loaded: dict[str, Any] = {}
    for name, source in data.items():
        if source is None:
            continue
        say(f"reading {name}")
        loaded[name] = source if isinstance(source, LoadedDataset) else load_dataset(name, book.datasets[name], source)
    data_issues = [issue for ds in loaded.values() for issue in ds.issues]

    all_waivers = list(book.waivers)
    if waivers is not None and not isinstance(waivers, (str, os.PathLike, list)):
        raise DisclosureRulesError(f"waivers must be a path to a waivers YAML file or a list of waivers, "
                                   f"not {type(waivers).__name__}")
    if waivers is not None:
        # a list may hold Waiver models or plain mappings ({rule, key, reason, ...}), validated here
        all_waivers += _waiver_list(waivers) if isinstance(waivers, list) else load_waivers(waivers)
    active = _active_waivers(all_waivers, as_of_date, book, warnings)

    calendar = _LazyCalendar(lambda: WorkCalendar.build(
        _period_start(book, as_of_date), as_of_date,
        extra_holidays=book.calendar.extra_holidays, extra_workdays=book.calendar.extra_workdays,
        fallback=book.calendar.fallback))

    period = book.rulebook.period
    constants = {"as_of": as_of_ts,
                 "period_start": pd.Timestamp(period.start) if period else None,
                 "period_end": pd.Timestamp(period.end) if period else None}
    contexts = {name: Context(ds.frame, constants, calendar) for name, ds in loaded.items()}
    departments = {name: _department_codes(ds, book.datasets[name]) for name, ds in loaded.items()}
    keys = {name: _keys(ds, book.datasets[name]) for name, ds in loaded.items()}

    rule_results: list[RuleResult] = []
    parts: list[FindingPart] = []
    deadline_rows: dict[str, pd.DataFrame] = {}
    dept_records: list[dict] = []
    enabled = [r for r in book.rules if r.enabled]
    for number, rule in enumerate(enabled, 1):
        say(f"rule {number}/{len(enabled)} {rule.id}")
        evaluation = _evaluate_rule(book, rule, loaded, contexts, departments, keys, active, calendar,
                                    as_of_ts, warnings)
        rule_results.append(evaluation.result)
        if evaluation.part is not None:
            parts.append(evaluation.part)
        if evaluation.deadline_rows is not None:
            deadline_rows[rule.id] = evaluation.deadline_rows
        dept_records.extend(evaluation.departments)

    if calendar.built:
        warnings.extend(w for w in calendar.warnings if w not in warnings)
    return _assemble(book, as_of_date, loaded, rule_results, parts, deadline_rows, dept_records,
                     data_issues, warnings)


class _LazyCalendar:
    """The working-day calendar, built when a rule first asks a working-day question.

    So an audit that needs no working days (or whose deadline rules cannot be assessed)
    is not stopped by ``calendar.fallback: error`` for a year it never looks at.
    """

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._calendar = None

    @property
    def built(self) -> bool:
        return self._calendar is not None

    def __getattr__(self, name: str):
        if self._calendar is None:
            self._calendar = self._build()
        return getattr(self._calendar, name)


def _waiver_list(waivers: list) -> list[Waiver]:
    """Waivers given to audit() as a list of Waiver models or plain mappings."""
    from pydantic import ValidationError

    from .errors import Problem, RulebookError

    out = []
    for number, waiver in enumerate(waivers, 1):
        try:
            out.append(waiver if isinstance(waiver, Waiver) else Waiver.model_validate(waiver))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
            raise RulebookError(Problem(f"waiver #{number} is invalid: {problems}", "audit(waivers=...)"),
                                what="waivers list") from None
    return out


def _period_start(book: Rulebook, as_of: dt.date) -> dt.date:
    period = book.rulebook.period
    if period is not None:
        return min(period.start, as_of)
    return dt.date(as_of.year, 1, 1)


def _active_waivers(waivers: list[Waiver], as_of: dt.date, book: Rulebook, warnings: list[str]) -> dict:
    ids = {r.id for r in book.rules}
    out: dict[str, set[str]] = {}
    for waiver in waivers:
        if waiver.rule not in ids:
            warnings.append(f"waiver for rule {waiver.rule} (key {waiver.key}) ignored: no such rule in the rulebook")
            continue
        if waiver.expires is not None and waiver.expires < as_of:
            warnings.append(f"waiver for rule {waiver.rule}, key {waiver.key} expired on "
                            f"{waiver.expires.isoformat()} and was ignored")
            continue
        out.setdefault(waiver.rule, set()).add(str(waiver.key).strip())
    return out


# ------------------------------------------------------------------ per dataset helpers

def _department_codes(ds, spec) -> tuple[np.ndarray, pd.Index] | None:
    """Division of each row as (codes, names); None when the dataset has no division field."""
    field = spec.department
    if field is None or field not in ds.frame.columns:
        return None
    text = display_values(ds.frame[field], spec.fields[field])
    text = text.where(text.notna(), BLANK_DEPARTMENT)
    codes, names = pd.factorize(text, sort=False)
    return np.asarray(codes), pd.Index(names)


def _keys(ds, spec) -> np.ndarray:
    field = spec.key
    if field is None or field not in ds.frame.columns:
        return np.full(len(ds.frame), None, dtype=object)
    text = display_values(ds.frame[field], spec.fields[field])
    return text.astype(object).where(text.notna(), None).to_numpy(dtype=object)


# ------------------------------------------------------------------ one rule

class _Evaluation:
    def __init__(self, result: RuleResult, part=None, deadline_rows=None, departments=None):
        self.result = result
        self.part = part
        self.deadline_rows = deadline_rows
        self.departments = departments or []


def _base_result(rule, status: str, message: str, message_zh: str = "") -> RuleResult:
    basis = None
    if rule.basis is not None:
        basis = {"clause": rule.basis.clause, "text": rule.basis.text}
        if rule.basis.source:
            basis["source"] = rule.basis.source
    return RuleResult(
        id=rule.id, title=rule.title, section=rule.section, dataset=rule.dataset, kind=rule.kind,
        severity=rule.severity, status=status, threshold_min=rule.min, threshold_max=rule.max,
        basis=basis, message=message, message_zh=message_zh or message, description=rule.description,
        fields=list(rule.fields_used))


def _evaluate_rule(book, rule, loaded, contexts, departments, keys, waivers, calendar, as_of, warnings) -> _Evaluation:
    compiled = book._compiled.get(rule.id, {})
    expression_fields = [f for c in compiled.values() for f in c.fields]
    ds = loaded.get(rule.dataset)
    if ds is None:
        result = _base_result(rule, "not_assessed", f"dataset {rule.dataset!r} was not supplied",
                              f"未提供{_title(book, rule.dataset)}，无法考核")
        result.fields = list(dict.fromkeys(rule.fields_used + expression_fields))
        result.missing = [(rule.dataset, None)]
        return _Evaluation(result)
    spec = book.datasets[rule.dataset]
    fields = dict(spec.fields)
    frame = ds.frame
    if rule.join is not None:
        other = loaded.get(rule.join.dataset)
        if other is None:
            result = _base_result(rule, "not_assessed", f"joined dataset {rule.join.dataset!r} was not supplied",
                                    f"未提供{_title(book, rule.join.dataset)}，无法考核")
            result.missing = [(rule.join.dataset, None)]
            return _Evaluation(result)
        mine = [(rule.dataset, f) for f in list(rule.join.on) if f not in frame.columns]
        theirs = [(rule.join.dataset, f) for f in rule.join.on.values() if f not in other.frame.columns] + \
                 [(rule.join.dataset, a.source) for a in rule.join.fields.values()
                  if a != "count" and a.source not in other.frame.columns]
        if mine or theirs:
            missing = [f for _, f in mine + theirs]
            result = _base_result(rule, "not_assessed", f"the file lacks field(s) {', '.join(missing)} needed by the join",
                                    f"台账缺少关联所需的列：{'、'.join(missing)}")
            result.missing = list(dict.fromkeys(mine + theirs))
            return _Evaluation(result)
        added, added_specs = _join(rule, frame, other.frame, book.datasets[rule.join.dataset])
        frame = frame.assign(**added)
        fields.update(added_specs)
    needed = list(dict.fromkeys(rule.fields_used + expression_fields))
    missing = [f for f in needed if f not in frame.columns]
    if missing:
        headers = ", ".join(f"{f} ({fields[f].aliases[0]})" if fields.get(f) and fields[f].aliases else f
                            for f in missing)
        result = _base_result(rule, "not_assessed", f"the {rule.dataset} file has no column for {headers}",
                              f"{_title(book, rule.dataset)}缺少列：{headers}，无法考核")
        result.fields = needed
        result.missing = [(rule.dataset, f) for f in missing]
        return _Evaluation(result)

    ctx = contexts[rule.dataset] if frame is ds.frame else Context(frame, contexts[rule.dataset].constants, calendar)
    n = len(frame)
    if "where" in compiled:
        selected, _ = compiled["where"].mask(ctx)
    else:
        selected = np.ones(n, dtype=bool)

    label = _labeler(ds, spec.fields)
    inp = RuleInput(rule, frame, fields, compiled, ctx, selected, as_of, calendar, label, ds.rows)
    try:
        outcome = KINDS[rule.kind](inp)
    except DisclosureRulesError:
        raise
    except Exception as exc:  # a bug or an unforeseen value must not hide the other rules' results
        result = _base_result(rule, "error", f"could not be evaluated: {type(exc).__name__}: {exc}",
                              f"无法计算：{type(exc).__name__}: {exc}")
        warnings.append(f"rule {rule.id} could not be evaluated ({type(exc).__name__}: {exc}); "
                        "please report this with the rulebook and the ledger's headers")
        return _Evaluation(result)

    if rule.kind == "count":
        return _finish_count(book, rule, inp, outcome, ds, departments.get(rule.dataset), waivers.get(rule.id, set()))
    return _finish_rows(book, rule, inp, outcome, ds, departments.get(rule.dataset), keys[rule.dataset],
                        waivers.get(rule.id, set()), as_of)


def _title(book, dataset: str) -> str:
    return book.datasets[dataset].title or dataset


def _labeler(ds, fields) -> Callable[[str], str]:
    """Header text of a field for messages: as found in the file, else its first alias.
    A joined field (not one of the dataset's own) is shown by its own name."""
    def label(name: str) -> str:
        if name in ds.headers:
            return ds.headers[name]
        spec = fields.get(name)
        return spec.aliases[0] if spec is not None and spec.aliases else name
    return label


def _join(rule, frame: pd.DataFrame, other: pd.DataFrame, other_spec) -> tuple[dict, dict]:
    """Aggregates of the joined dataset per key, mapped onto this dataset's rows."""
    from .models import FieldSpec

    mine = list(rule.join.on.keys())
    theirs = list(rule.join.on.values())
    left = pd.DataFrame({f"k{i}": _join_key(frame[m]) for i, m in enumerate(mine)})
    right = pd.DataFrame({f"k{i}": _join_key(other[t]) for i, t in enumerate(theirs)})
    key_cols = list(left.columns)
    added: dict[str, pd.Series] = {}
    specs: dict[str, FieldSpec] = {}
    codes = _join_codes(left, right)
    for name, agg in rule.join.fields.items():
        kind = agg if agg == "count" else agg.function
        if codes is not None and kind in ("count", "count_distinct"):
            # counts per key by bincount over factorized keys (no frame join)
            left_codes, right_codes, n_keys = codes
            matched = right_codes >= 0
            if agg == "count":
                per_key = np.bincount(right_codes[matched], minlength=n_keys)
            else:
                value_codes, _ = pd.factorize(other[agg.source], use_na_sentinel=True)
                keep = matched & (value_codes >= 0)
                if kind == "count":
                    per_key = np.bincount(right_codes[keep], minlength=n_keys)
                else:
                    pairs = np.unique(right_codes[keep].astype(np.int64) * (int(value_codes.max(initial=0)) + 1)
                                      + value_codes[keep])
                    per_key = np.bincount(pairs // (int(value_codes.max(initial=0)) + 1), minlength=n_keys)
            values = np.where(left_codes >= 0, np.append(per_key, 0)[left_codes], 0)
            added[name] = pd.Series(pd.array(values, dtype="Int64"), index=frame.index)
            specs[name] = FieldSpec(type="integer")
            continue
        if agg == "count":
            grouped = right.assign(__v=1).groupby(key_cols, dropna=True)["__v"].count()
            kind, source = "count", None
        else:
            kind, source = agg.function, agg.source
            values = other[source]
            if other_spec.fields[source].type == "category":
                values = values.astype("string")
            grouped_frame = right.assign(__v=values.to_numpy() if not isinstance(values.dtype, pd.CategoricalDtype) else values)
            grouped_frame = grouped_frame[grouped_frame["__v"].notna()]
            groupby = grouped_frame.groupby(key_cols, dropna=True)["__v"]
            grouped = {"count": groupby.count, "count_distinct": groupby.nunique,
                       "min": groupby.min, "max": groupby.max}[kind]()
        mapped = left.join(grouped.rename("__agg"), on=key_cols)["__agg"]
        if kind in ("count", "count_distinct"):
            added[name] = mapped.fillna(0).astype("Int64")
            specs[name] = FieldSpec(type="integer")
        else:
            src_spec = other_spec.fields[source]
            if src_spec.type == "date":
                added[name] = pd.to_datetime(mapped).astype("datetime64[s]")
            elif src_spec.type in ("integer", "number"):
                added[name] = mapped.astype("Float64")
            elif src_spec.type == "category":
                added[name] = pd.Categorical(mapped, categories=list(other[source].cat.categories))
            else:
                added[name] = mapped.astype("string")
            specs[name] = src_spec
        added[name].index = frame.index
    return added, specs


def _join_codes(left: pd.DataFrame, right: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Key combinations of both sides numbered together (-1 where any key is blank)."""
    n_left = len(left)
    combined = None
    for column in left.columns:
        codes, uniques = pd.factorize(pd.concat([left[column], right[column]], ignore_index=True),
                                      use_na_sentinel=True)
        codes = codes.astype(np.int64)
        if combined is None:
            combined = codes
        else:
            if len(uniques) and combined.max(initial=0) >= np.iinfo(np.int64).max // (len(uniques) + 1):
                return None
            combined = np.where((combined < 0) | (codes < 0), -1, combined * (len(uniques) + 1) + codes)
    if combined is None:
        return None
    blank = combined < 0
    compact, uniques = pd.factorize(np.where(blank, 0, combined))
    compact = np.where(blank, -1, compact)
    return compact[:n_left], compact[n_left:], len(uniques)


def _join_key(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype("string")
    if series.dtype.kind == "M":
        return series.dt.strftime("%Y-%m-%d").astype("string")
    text = series.astype("string").str.strip()
    return text.where(text != "", pd.NA)


def _finish_rows(book, rule, inp: RuleInput, outcome, ds, dept, keys, waived_keys, as_of) -> _Evaluation:
    n = inp.n
    population = outcome.population
    violation = outcome.violation & population
    pending = outcome.pending & population if outcome.pending is not None else np.zeros(n, dtype=bool)
    waived = population & np.isin(keys, list(waived_keys)) if waived_keys else np.zeros(n, dtype=bool)
    population = population & ~waived
    violation_all = violation.copy()
    violation = violation & ~waived
    pending = pending & ~waived & ~violation
    counts = _counts(population, violation, pending)
    result = _base_result(rule, "pass", "")
    result.fields = list(dict.fromkeys(rule.fields_used + [f for c in inp.compiled.values() for f in c.fields]))
    _score(rule, result, *counts, waived=int(waived.sum()))
    result.message = rule_message(rule, result, "en")
    result.message_zh = rule_message(rule, result, "zh")

    listed = np.flatnonzero(violation_all)
    part = None
    if len(listed):
        dept_names = _dept_names(dept, listed)
        part = FindingPart(
            rule=rule.id, dataset=rule.dataset, severity=rule.severity, position=listed,
            row=ds.rows[listed].astype(object), key=keys[listed], department=dept_names,
            sheet=ds.sheets[listed] if ds.sheets is not None else None,
            waived=waived[listed],
            message=finding_message_builder(rule, inp, outcome, listed, as_of, book),
            deadline=outcome.details.get("deadline")[listed] if rule.kind == "deadline" else None,
            end=outcome.details.get("end")[listed] if rule.kind == "deadline" else None,
            late_workdays=outcome.details.get("late_workdays")[listed] if rule.kind == "deadline" else None)

    deadline_rows = None
    if rule.kind == "deadline":
        rows = np.flatnonzero(population)
        d = outcome.details
        deadline_rows = pd.DataFrame({
            "row": ds.rows[rows], "key": keys[rows], "department": _dept_names(dept, rows),
            "clock_start": d["clock_start"][rows], "deadline": d["deadline"][rows], "end": d["end"][rows],
            "status": d["status"][rows], "late_workdays": pd.array(d["late_workdays"][rows], dtype="Float64")})

    departments = []
    if dept is not None:
        codes, names = dept
        if rule.kind == "unique":
            dept_outcome = evaluate_unique(inp, extra_key=codes)
            dept_violation = dept_outcome.violation & population
        else:
            dept_violation = violation
        departments = _department_scores(rule, codes, names, population, dept_violation, pending)
    return _Evaluation(result, part, deadline_rows, departments)


def _dept_names(dept, positions: np.ndarray) -> np.ndarray:
    if dept is None:
        return np.full(len(positions), None, dtype=object)
    codes, names = dept
    values = np.asarray(list(names), dtype=object)[codes[positions]]
    values[values == BLANK_DEPARTMENT] = None
    return values


def _counts(population, violation, pending) -> tuple[int, int, int, int]:
    pop = int(population.sum())
    vio = int(violation.sum())
    pen = int(pending.sum())
    passed = pop - vio - pen
    return pop, passed, vio, pen


def _score(rule, result: RuleResult, population: int, passed: int, violations: int, pending: int, *, waived: int = 0):
    result.population, result.passed, result.violations, result.pending, result.waived = \
        population, passed, violations, pending, waived
    decided = population - pending
    result.rate = rate_of(passed, decided)
    if population == 0:
        result.status = "not_applicable"
        result.awarded = result.possible = 0.0
        return
    result.status = status_of(rule.kind, violations, result.rate, rule.min, rule.max)
    result.possible = float(rule.points)
    result.awarded = awarded_points(rule, result.status, violations, result.rate)


def _department_scores(rule, codes, names, population, violation, pending) -> list[dict]:
    k = len(names)
    pop = np.bincount(codes, weights=population, minlength=k).astype(int)
    vio = np.bincount(codes, weights=violation & population, minlength=k).astype(int)
    pen = np.bincount(codes, weights=pending & population, minlength=k).astype(int)
    out = []
    for i, name in enumerate(names):
        probe = RuleResult(id=rule.id, title="", section=None, dataset=rule.dataset, kind=rule.kind,
                           severity=rule.severity, status="pass")
        _score(rule, probe, int(pop[i]), int(pop[i] - vio[i] - pen[i]), int(vio[i]), int(pen[i]))
        out.append({"department": name, "rule": rule.id, "population": probe.population,
                    "violations": probe.violations, "rate": probe.rate, "status": probe.status,
                    "awarded": probe.awarded, "possible": probe.possible})
    return out


def _finish_count(book, rule, inp: RuleInput, outcome, ds, dept, waived_keys) -> _Evaluation:
    groups = outcome.groups
    counts = outcome.group_counts
    waived = np.isin(np.asarray(groups, dtype=object), list(waived_keys)) if waived_keys else np.zeros(len(groups), bool)
    population = ~waived
    violation = outcome.violation & population
    result = _base_result(rule, "pass", "")
    result.fields = list(rule.fields_used)
    _score(rule, result, int(population.sum()), int((population & ~violation).sum()), int(violation.sum()), 0,
           waived=int(waived.sum()))
    result.message = rule_message(rule, result, "en")
    result.message_zh = rule_message(rule, result, "zh")
    listed = np.flatnonzero(outcome.violation)
    part = None
    spec = book.datasets[rule.dataset]
    per_is_department = rule.per is not None and rule.per == spec.department
    if len(listed):
        group_names = np.asarray(groups, dtype=object)[listed]
        messages = count_message_builder(rule, inp.label, group_names, counts[listed])
        part = FindingPart(
            rule=rule.id, dataset=rule.dataset, severity=rule.severity,
            position=np.full(len(listed), -1), row=np.full(len(listed), None, dtype=object),
            key=group_names, department=group_names if per_is_department else np.full(len(listed), None, dtype=object),
            waived=waived[listed], message=messages)
    departments = []
    if dept is not None:
        departments = _count_departments(rule, inp, dept, waived_keys, per_is_department)
    return _Evaluation(result, part, None, departments)


def _count_departments(rule, inp: RuleInput, dept, waived_keys, per_is_department: bool) -> list[dict]:
    codes, names = dept
    out = []
    selected_codes = codes[inp.selected]
    present = np.unique(selected_codes)
    if rule.per is not None:
        values = display_values(inp.frame[rule.per], inp.fields[rule.per])[inp.selected]
        table = pd.crosstab(pd.Series(selected_codes, name="d"), pd.Series(values.to_numpy(dtype=object), name="g"))
        listed = listed_groups(rule, inp.fields)
    for i, name in enumerate(names):
        if i not in present:
            out.append({"department": name, "rule": rule.id, "population": 0, "violations": 0, "rate": None,
                        "status": "not_applicable", "awarded": 0.0, "possible": 0.0})
            continue
        if rule.per is None:
            counts = pd.Series([int((selected_codes == i).sum())], index=["(all)"])
        else:
            counts = table.loc[i] if i in table.index else pd.Series(dtype=int)
            counts = counts[counts > 0]
            # when `per` is the division field its groups are divisions: a division answers
            # only for its own group, not for the other divisions listed in `groups`
            for group in ([g for g in listed if g == name] if per_is_department else listed):
                if group not in counts.index:
                    counts.loc[group] = 0
        keep = [g for g in counts.index if str(g) not in waived_keys]
        counts = counts.loc[keep]
        low = rule.min if rule.min is not None else -np.inf
        high = rule.max if rule.max is not None else np.inf
        bad = int(((counts < low) | (counts > high)).sum())
        probe = RuleResult(id=rule.id, title="", section=None, dataset=rule.dataset, kind=rule.kind,
                           severity=rule.severity, status="pass")
        _score(rule, probe, len(counts), len(counts) - bad, bad, 0)
        out.append({"department": name, "rule": rule.id, "population": probe.population,
                    "violations": probe.violations, "rate": probe.rate, "status": probe.status,
                    "awarded": probe.awarded, "possible": probe.possible})
    return out


# ------------------------------------------------------------------ assembly

def _assemble(book, as_of, loaded, rule_results, parts, deadline_rows, dept_records, data_issues, warnings) -> AuditResult:
    scored = [r for r in rule_results if r.status in SCORED]
    awarded = sum(r.awarded for r in scored)
    possible = sum(r.possible for r in scored)
    points = {r.id: float(r.points) for r in book.rules if r.enabled}
    total_points = sum(points.values())
    covered = sum(points[r.id] for r in rule_results if r.status in COVERED)
    unassessed = sum(points[r.id] for r in rule_results if r.status not in COVERED)
    percent = percent_of(awarded, possible)
    strict_percent = percent_of(awarded, possible + unassessed)
    coverage = coverage_of(covered, total_points)
    min_coverage = book.rulebook.min_coverage
    graded_on, grading_percent = grading(percent, strict_percent, coverage, min_coverage)
    gaps = coverage_gaps(book, loaded, rule_results)
    warnings = warnings + gap_warnings(gaps, "en", graded_on=graded_on, coverage=coverage,
                                       min_coverage=min_coverage, percent=percent,
                                       strict_percent=strict_percent)
    sections = []
    for section in book.sections:
        members = [r for r in scored if r.section == section.id]
        s_awarded = sum(r.awarded for r in members)
        s_possible = sum(r.possible for r in members)
        pct = percent_of(s_awarded, s_possible)
        sections.append({"id": section.id, "title": section.title, "awarded": round(s_awarded, 2),
                         "possible": round(s_possible, 2), "percent": None if pct is None else round(pct, 2)})
    dept_rules = pd.DataFrame(dept_records, columns=["department", "rule", "population", "violations", "rate",
                                                     "status", "awarded", "possible"])
    if len(dept_rules):
        scored_rows = dept_rules[dept_rules["status"].isin(SCORED)]
        totals = scored_rows.groupby("department", sort=False)[["awarded", "possible"]].sum()
        violations = dept_rules.groupby("department", sort=False)["violations"].sum()
        departments = pd.DataFrame({"department": violations.index})
        departments["awarded"] = departments["department"].map(totals["awarded"]).fillna(0.0).to_numpy()
        departments["possible"] = departments["department"].map(totals["possible"]).fillna(0.0).to_numpy()
        departments["percent"] = np.where(departments["possible"] > 0,
                                          100 * departments["awarded"] / departments["possible"].where(departments["possible"] > 0, 1),
                                          np.nan)
        departments["violations"] = violations.to_numpy().astype(int)
        # ranked by percent; rows without a division are listed, but after every real division
        departments["_blank"] = departments["department"] == BLANK_DEPARTMENT
        departments = departments.sort_values(["_blank", "percent", "violations", "department"],
                                              ascending=[True, False, True, True], na_position="last")
        departments = departments.drop(columns="_blank").reset_index(drop=True)
    else:
        departments = pd.DataFrame(columns=["department", "awarded", "possible", "percent", "violations"])
    return AuditResult(
        book=book, as_of=as_of, data=loaded, rules=rule_results, sections=sections,
        departments=departments, department_rules=dept_rules[["department", "rule", "population", "violations", "rate"]],
        parts=parts, deadline_rows=deadline_rows, data_issues=data_issues, warnings=warnings,
        awarded=awarded, possible=possible, percent=percent,
        grade=grade_of(grading_percent, book.rulebook.grades), coverage=coverage,
        strict_percent=strict_percent, strict_possible=possible + unassessed, min_coverage=min_coverage,
        graded_on=graded_on, coverage_gaps=gaps)


# ------------------------------------------------------------------ coverage guard

def coverage_gaps(book, loaded, rule_results) -> list[dict]:
    """What made rules not_assessed: each missing dataset and each missing field, once.

    ``{"dataset", "title", "field", "header", "close_match", "rules", "points"}``; ``field``
    (and ``header``, the header the file needs) is None for a dataset not supplied;
    ``close_match`` is a header of the file that looks like a typo of the one needed.
    """
    gaps: dict[tuple[str, str | None], dict] = {}
    points = {r.id: float(r.points) for r in book.rules}
    for rr in rule_results:
        for dataset, field in rr.missing:
            spec = book.datasets[dataset]
            gap = gaps.get((dataset, field))
            if gap is None:
                reading = getattr(loaded.get(dataset), "reading", None) or {}
                field_spec = spec.fields.get(field) if field else None
                gap = gaps[(dataset, field)] = {
                    "dataset": dataset, "title": spec.title or dataset, "field": field,
                    "header": (field_spec.aliases[0] if field_spec is not None and field_spec.aliases else field),
                    "close_match": (reading.get("close_matches") or {}).get(field) if field else None,
                    "rules": [], "points": 0.0}
            if rr.id not in gap["rules"]:
                gap["rules"].append(rr.id)
                gap["points"] += points.get(rr.id, 0.0)
    return list(gaps.values())
