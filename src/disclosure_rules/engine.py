"""audit(): read and type the ledgers, then for each rule: its view, its kind's verdict, the score.

The engine names no kind. Per rule it builds a :class:`~.kinds.RuleView` (the typed rows,
the rows ``where`` selects, the compiled expressions), asks the rule's kind for a
:class:`~.kinds.Verdict`, and applies the same steps to every verdict (``verdict.py``):
waivers, counts, score, findings and divisions.

Conventions
-----------
* A rule is ``not_assessed`` when its dataset (or a joined dataset) was not supplied, a
  field it needs is missing from the file, or its kind lacks another input (the previous
  result); ``not_applicable`` when its population is empty. Neither counts towards the
  score's ``possible``.
* Waivers match a rule id and an item's key (the record's key, or a group's value). A
  waived item leaves the population and is listed in the findings as waived. A waiver
  whose ``expires`` is before ``as_of`` is ignored with a warning.
* Divisions: every rule is judged on each division's rows: its verdict grouped by
  division, or the kind's ``by_division`` verdict where judging a division on its own
  rows differs (repeats within the division, counts of the division's rows). A division
  with no rows in a rule's population gets ``not_applicable`` for that rule. Rows with a
  blank division are grouped as ``(未填写)``.
* ``as_of`` defaults to the earlier of today and the rulebook's period end.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .book import Rulebook
from .errors import DatasetError, DisclosureRulesError
from .compiled import compiled_for
from .expressions import Context
from .kinds import REGISTRY, RuleView, Verdict
from .messages import gap_warnings, rule_message
from .models import Waiver
from .results import AuditResult, FindingPart, RowDetails, RuleResult
from .rulebook import joined_fields
from .scoring import (COVERED, SCORED, bonus_of, coverage_of, final_grade, grading, percent_of, rollup, score,
                      total_of, vetoed_by, warn_line)
from .verdict import Keys, division_counts, identities, identity_of, judge
from .words import BLANK_DIVISION, Status, word



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
        from .sanity import parse_as_of

        day = parse_as_of(value)  # every form a ledger's date cell may take (2021/12/31, 2021年12月31日 ...)
        if day is None:
            error = DisclosureRulesError(f"{what} {value!r} is not a date; write YYYY-MM-DD")
            error.zh = f"{value!r} 不是日期（{what}）；请写成 2021-12-31、2021/12/31 或 2021年12月31日"
            raise error
    if not 1900 <= day.year <= 2999:  # the dates a ledger may hold (DESIGN §11)
        raise DisclosureRulesError(f"{what} {day.isoformat()} is outside 1900-2999; give the date the audit "
                                   "is as of, such as the plan period's last day")
    return day


def audit(book: Rulebook | str | os.PathLike, data: Mapping[str, Any], *, as_of=None,
          waivers: str | os.PathLike | list | None = None,
          progress: Callable[[str], None] | None = None, previous=None, unit=None, engine=None,
          engine_options: Mapping[str, Any] | None = None) -> AuditResult:
    """Evaluate ``book`` on ``data`` (dataset name -> file path, DataFrame or LoadedDataset).

    ``previous`` is an earlier result (its JSON file, its ``to_dict()``, or an AuditResult)
    for the rules that compare with it (kind ``trend``). ``unit`` names the audited unit
    (a name, or ``{"name", "code"}``), shown on every output (DESIGN §8). ``engine``:
    "pandas" (in memory), "duckdb" (embedded DuckDB), "spark" (a local Spark session), a
    SparkSession, a DuckDB connection, or "auto" (the default: chooses); the results are
    identical. ``engine_options`` are DuckDB's: ``memory_limit`` ("4GB"), ``temp_directory``
    (where it spills past the limit) and ``threads``; with them "auto" is DuckDB."""
    state = _prepare(book, data, as_of=as_of, waivers=waivers, progress=progress, previous=previous, unit=unit,
                     engine=engine, engine_options=engine_options)
    return state.conclude(_evaluations(state.rules, state.evaluate, state.runner.name == "pandas", state.release))


def _prepare(book, data: Mapping[str, Any], *, as_of=None, waivers=None, progress=None, previous=None, unit=None,
             engine=None, engine_options=None) -> "_Audit":
    """Everything an audit does before its rules (see :func:`audit`)."""
    from .calendar import WorkCalendar
    from .datasets import LoadedDataset
    from .rulebook import load_rulebook, load_waivers

    if not isinstance(book, Rulebook):
        book = load_rulebook(book)
    audited_unit = unit_of(unit)
    as_of_date = default_as_of(book) if as_of is None else _as_date(as_of, "as_of")
    as_of_ts = pd.Timestamp(as_of_date)
    say = progress or (lambda message: None)
    warnings: list[str] = []

    from .rulebook import dataset_suggestion, resolve_dataset

    # a dataset may be named by its title too (公文台账), or with a variant character (公文台帐)
    named = {resolve_dataset(book, name) or name: source for name, source in data.items()}
    if len(named) < len(data):
        raise DatasetError("a dataset is given twice (by its name and by its title); give one file per dataset",
                           file=None, zh="同一份台账给了两次（名称和标题各一次）；每份台账只给一个文件")
    data = named
    unknown = [name for name in data if name not in book.datasets]
    if unknown:
        hint = dataset_suggestion(book, unknown[0])
        raise DatasetError(
            f"dataset {unknown[0]!r} is not defined in rulebook {book.rulebook.id!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
            + f"; its datasets are: {', '.join(book.datasets)}", file=None,
            zh=f"考核方案 {book.rulebook.id} 中没有台账「{unknown[0]}」"
            + (f"，是否应为 {hint}（{book.datasets[hint].title or hint}）？" if hint else "。")
            + "可用的台账：" + "、".join(f"{n}（{s.title}）" if s.title else n for n, s in book.datasets.items()))

    loaded: dict[str, Any] = {}
    reading: dict[str, Any] = {}
    for name, source in data.items():
        if source is None:
            continue
        say(f"reading {name}")
        if isinstance(source, LoadedDataset):
            _check_loaded(name, source, book.datasets[name])
            loaded[name] = source
        else:
            reading[name] = source
    loaded.update(_load_all(book, reading))
    if reading:
        _give_back_free_memory()  # reading's raw text and parser buffers are gone: the peak is what is kept
    loaded = {name: loaded[name] for name in data if name in loaded}  # in the order given
    data_issues = [issue for ds in loaded.values() for issue in ds.issues]
    from .sanity import as_of_warnings, ledger_period_warnings

    warnings += as_of_warnings(book, as_of_date) + ledger_period_warnings(book, loaded)  # dates that look wrong

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
    divisions = {name: _divisions(ds, book.datasets[name]) for name, ds in loaded.items()}
    keys = {name: _keys(ds, book.datasets[name]) for name, ds in loaded.items()}

    earlier = previous_figures(previous)
    runner = _engine(engine, engine_options, list(data.values()))
    return _Audit(book, as_of_date, say, warnings, loaded, data_issues, active, calendar, contexts, divisions, keys,
                  earlier, runner, audited_unit)


@dataclass
class _Audit:
    """One audit made ready for its rules: the ledgers read and typed, the waivers, the
    calendar, the contexts, divisions and keys of each ledger, and the engine."""

    book: Rulebook
    as_of: dt.date
    say: Callable[[str], None]
    warnings: list
    loaded: dict
    data_issues: list
    waivers: dict
    calendar: Any
    contexts: dict
    divisions: dict
    keys: dict
    previous: dict | None
    runner: Any
    unit: dict | None

    @property
    def rules(self) -> list:
        return [r for r in self.book.rules if r.enabled]

    def evaluate(self, rule, rule_warnings: list, shared=None) -> "_Evaluation":
        """One rule's evaluation; ``shared``: its verdict and ``where`` worked out already
        (:func:`audit_units`), else None."""
        return _evaluate_rule(self.book, rule, self.loaded, self.contexts, self.divisions, self.keys, self.waivers,
                              self.calendar, pd.Timestamp(self.as_of), rule_warnings, self.previous, self.runner,
                              shared)

    def release(self, dataset: str, later: list) -> None:
        """Let go of the columns the context of ``dataset`` converted for its rules
        (``Context.cache``: a category's codes, a number's floats, each column's blank mask)
        that none of its ``later`` rules reads. The cache only remembers what the ledger's
        frame gives again: a column a later rule reads after all is converted again, so what
        is let go changes no result, only how long the conversions are held (0.1 GB at
        1M + 1M rows, to the end of the rules)."""
        ctx = self.contexts.get(dataset)
        if ctx is None:
            return
        try:
            wanted = {name for rule in later for name in _rule_inputs(self.book, rule)[2]}
        except Exception:  # noqa: BLE001 - a rule that cannot be read says so when it is evaluated
            return
        for key in [k for k in ctx.cache if isinstance(k, tuple) and k[:1] == ("col",) and k[1] not in wanted]:
            del ctx.cache[key]

    def conclude(self, evaluations) -> AuditResult:
        """The result of the rules' ``(number, rule, evaluation, warnings)``, in the rulebook's order."""
        warnings = list(self.warnings)
        rule_results: list[RuleResult] = []
        parts: list[FindingPart] = []
        row_details: dict[str, RowDetails] = {}
        dept_records: list[dict] = []
        total = len(self.rules)
        for number, rule, evaluation, rule_warnings in evaluations:
            self.say(f"rule {number}/{total} {rule.id}")
            warnings.extend(rule_warnings)
            rule_results.append(evaluation.result)
            if evaluation.part is not None:
                parts.append(evaluation.part)
            if evaluation.row_details is not None:
                row_details[rule.id] = evaluation.row_details
            dept_records.extend(evaluation.departments)
        self.close()
        if self.calendar.built:
            warnings.extend(w for w in self.calendar.warnings if w not in warnings)
        result = _assemble(self.book, self.as_of, self.loaded, rule_results, parts, row_details, dept_records,
                           self.data_issues, warnings)
        result.unit = self.unit
        result.engine = self.runner.name
        return result

    def close(self) -> None:
        if self.runner.close is not None:
            self.runner.close()


@dataclass
class UnitRows:
    """One unit of ledgers that hold several (DESIGN §15's single-ledger form): ``unit``
    (``{"name", "code"}``), ``data`` (dataset -> the LoadedDataset of its rows),
    ``positions`` (dataset -> where those rows are in the whole ledger) and ``previous``
    (its earlier result, for ``trend`` rules)."""

    unit: dict
    data: dict
    positions: dict
    previous: Any = None


def audit_units(book: Rulebook, whole: Mapping[str, Any], units: list[UnitRows], *, as_of=None, waivers=None,
                progress: Callable[[int, int, str], None] | None = None) -> list[AuditResult]:
    """Each unit of ``whole`` (dataset -> the LoadedDataset of every unit's rows) audited on
    its own rows: the result :func:`audit` gives of ``unit.data``, for every unit.

    A rule of a row-wise kind (:attr:`~.kinds.Kind.rowwise`) without a join is judged once,
    over the whole ledger, and its verdict taken at each unit's rows; the other rules (which
    compare rows, count groups, join a ledger or read an earlier result), and a rule whose
    verdict over the whole could not be worked out, are judged on each unit's rows. Should
    the working-day calendar of the whole have fallen back to weekends for some year (its
    warning names the years of every unit's dates), each unit is audited on its own instead,
    so that its warnings are its own. ``progress(done, total, unit name)`` is called before
    each unit."""
    overall = _prepare(book, whole, as_of=as_of, waivers=waivers)
    verdicts: dict[str, Any] = {}

    def shared(rule, rows: np.ndarray):
        if rule.id not in verdicts:
            verdicts[rule.id] = _whole_verdict(overall, rule)
        found = verdicts[rule.id]
        if found is None:
            return None
        verdict, selected = found
        return Verdict(verdict.in_population[rows], verdict.violation[rows],
                       None if verdict.pending is None else verdict.pending[rows],
                       details={name: column[rows] for name, column in verdict.details.items()}), selected[rows]

    results = []
    for number, part in enumerate(units):
        if progress is not None:
            progress(number, len(units), part.unit["name"])
        state = _prepare(book, part.data, as_of=as_of, waivers=waivers, previous=part.previous, unit=part.unit)

        def evaluate(rule, rule_warnings, state=state, part=part):
            rows = part.positions.get(rule.dataset)  # None: the unit has no rows in the rule's ledger
            taken = shared(rule, rows) if rows is not None else None
            return state.evaluate(rule, rule_warnings, taken)
        results.append(state.conclude(_evaluations(state.rules, evaluate, state.runner.name == "pandas",
                                                   state.release)))
    overall.close()
    if overall.calendar.built and overall.calendar.warnings:
        results = each_alone(book, units, as_of=as_of, waivers=waivers)
    if progress is not None:
        progress(len(units), len(units), "")
    return results


def each_alone(book: Rulebook, units: list[UnitRows], *, as_of=None, waivers=None) -> list[AuditResult]:
    """Each unit's rows audited on their own, one :func:`audit` after the other: what
    :func:`audit_units` gives, the long way (its yardstick, and its way out)."""
    return [audit(book, part.data, as_of=as_of, waivers=waivers, previous=part.previous, unit=part.unit)
            for part in units]


def _whole_verdict(state: _Audit, rule):
    """A row-wise rule's (verdict, where mask) over all the audit's rows; None when the rule is
    not row-wise, joins a ledger, cannot be assessed here or could not be worked out (then
    each unit's rows are judged on their own, and each unit's result says why in its words)."""
    kind = REGISTRY[rule.kind]
    if not kind.rowwise or rule.join is not None:
        return None
    try:
        ready = _ready(state.book, rule, state.loaded, state.contexts, state.divisions, state.calendar,
                       pd.Timestamp(state.as_of), state.previous)
        if isinstance(ready, _Evaluation):
            return None
        verdict = state.runner.verdict(kind, ready.view)
    except Exception:  # noqa: BLE001 - each unit's own evaluation meets it again, and says so
        return None
    if verdict.grouped or verdict.by_division is not None or verdict.bounds is not None or verdict.facts:
        return None  # not a verdict of rows one by one
    return verdict, ready.view.selected


def _evaluations(rules: list, evaluate: Callable, side_by_side: bool, release: Callable | None = None):
    """``(number, rule, evaluation, warnings)`` of each rule, in the rulebook's order.

    With ``side_by_side`` (the in-memory engine), the rules of each dataset are evaluated in
    a thread of their own, one dataset's rules after the other in the rulebook's order: a
    rule reads only its own dataset's context and the frames (and a joined one's), and the
    working-day calendar, the one thing they share that changes, answers one caller at a
    time (:class:`_LazyCalendar`). Each rule's warnings are kept apart and given back in the
    rulebook's order; a refusal (DisclosureRulesError) is raised for the first rule, in that
    order, that raised one, as when the rules run one after the other. After each rule,
    ``release(dataset, later rules of that dataset)`` is called (:meth:`_Audit.release`), in
    the thread that evaluates that dataset's rules."""
    datasets = list(dict.fromkeys(rule.dataset for rule in rules))

    def done(number: int, rule) -> None:
        if release is not None:
            release(rule.dataset, [r for r in rules[number:] if r.dataset == rule.dataset])

    if not side_by_side or len(datasets) < 2:
        for number, rule in enumerate(rules, 1):
            rule_warnings: list[str] = []
            evaluation = evaluate(rule, rule_warnings)
            done(number, rule)
            yield number, rule, evaluation, rule_warnings
        return
    from concurrent.futures import ThreadPoolExecutor

    outcomes: dict[int, tuple] = {}

    def run(dataset: str) -> None:
        for number, rule in enumerate(rules, 1):
            if rule.dataset != dataset:
                continue
            rule_warnings = []
            try:
                outcomes[number] = (evaluate(rule, rule_warnings), rule_warnings, None)
                done(number, rule)
            except Exception as exc:  # noqa: BLE001 - raised below, in the rulebook's order
                outcomes[number] = (None, rule_warnings, exc)
                return  # the rules after it would not have run

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1),
                            thread_name_prefix="disclosure-rules-rules") as pool:
        for future in [pool.submit(run, dataset) for dataset in datasets]:
            future.result()
    for number, rule in enumerate(rules, 1):
        evaluation, rule_warnings, error = outcomes[number]
        if error is not None:
            raise error
        yield number, rule, evaluation, rule_warnings


def _give_back_free_memory() -> None:
    """Hand the memory freed by reading back to the system (glibc keeps freed blocks in its
    heaps: 0.2-0.3 GB at 1M + 1M rows, which the rules' arrays would otherwise be stacked on)."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc
        pass


def _load_all(book: Rulebook, sources: dict[str, Any]) -> dict[str, Any]:
    """Each source read and typed (:func:`datasets.load_dataset`). Two or more files are read
    side by side in threads, since much of reading (the CSV parser, hashing, Arrow kernels)
    runs outside the GIL; tables (DataFrames, a DuckDB relation, which refuses a second
    caller) are read here, one after the other. A refusal is the first one in the order the
    datasets were given, as when every source is read in turn."""
    from .datasets import load_dataset

    files = [name for name, source in sources.items() if isinstance(source, (str, os.PathLike))]
    if len(files) < 2:
        return {name: load_dataset(name, book.datasets[name], source) for name, source in sources.items()}
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1, 4),
                            thread_name_prefix="disclosure-rules-read") as pool:
        futures = {name: pool.submit(load_dataset, name, book.datasets[name], sources[name]) for name in files}
        for name, source in sources.items():
            if name not in futures:
                futures[name] = done = Future()
                try:
                    done.set_result(load_dataset(name, book.datasets[name], source))
                except Exception as exc:  # noqa: BLE001 - raised below, in the order given
                    done.set_exception(exc)
        return {name: futures[name].result() for name in sources}


def unit_of(unit) -> dict | None:
    """The audited unit as the JSON carries it: ``{"name", "code"}`` (None: not named)."""
    if unit is None:
        return None
    if isinstance(unit, str):
        name, code = unit, None
    elif isinstance(unit, Mapping):
        name, code = unit.get("name"), unit.get("code")
    else:
        raise DisclosureRulesError(f"unit must be a name or a mapping {{name, code}}, not {type(unit).__name__}")
    name = None if name is None else str(name).strip()
    if not name:
        raise DisclosureRulesError("unit needs a name (the audited unit, e.g. 晋中市商务局)")
    return {"name": name, "code": None if code is None or str(code).strip() == "" else str(code).strip()}


ENGINES = ("auto", "pandas", "duckdb", "spark")


@dataclass
class _Runner:
    """How verdicts are computed: by the kinds in numpy, or by a SQL engine."""

    verdict: Callable
    close: Callable | None = None
    name: str = "pandas"


ENGINE_OPTIONS = ("memory_limit", "temp_directory", "threads")


def _spark_session_of(sources) -> Any:
    """The SparkSession of the first Spark DataFrame among the inputs (None: there is none)."""
    for source in sources:
        if type(source).__module__.startswith("pyspark.") and hasattr(source, "sparkSession"):
            return source.sparkSession
    return None


def _engine(engine, options: Mapping[str, Any] | None = None, sources=()) -> _Runner:
    options = {k: v for k, v in (options or {}).items() if v is not None}
    if not options and (engine is None or engine == "auto"):
        engine = _spark_session_of(sources) or engine  # auto: ledgers in Spark are audited where they are
    unknown = [k for k in options if k not in ENGINE_OPTIONS]
    if unknown:
        raise DisclosureRulesError(f"unknown engine option {unknown[0]!r}; the options are: {', '.join(ENGINE_OPTIONS)}")
    if options and (engine is None or engine == "auto"):
        engine = "duckdb"  # memory and spill settings are DuckDB's
    if options and engine != "duckdb" and type(engine).__name__ != "DuckDBPyConnection":
        flags = {"memory_limit": "--memory-limit", "temp_directory": "--temp-dir", "threads": "--threads"}
        named = [f"{name} ({flags[name]})" for name in options]
        error = DisclosureRulesError(f"{', '.join(named)}: only the duckdb engine takes these settings, "
                                     f"not the {engine!r} engine; leave them out or use --engine duckdb")
        error.zh = f"{'、'.join(named)} 只用于 duckdb 引擎，不用于 {engine} 引擎；请去掉这些设置或改用 --engine duckdb"
        raise error
    # auto: otherwise pandas for now; the DuckDB engine still reads and types the ledgers in
    # Python, so it earns its place only once it reads them itself (issue 10)
    if engine is None or engine in ("auto", "pandas"):
        return _Runner(lambda kind, view: kind.evaluate(view))
    if engine == "duckdb" or type(engine).__name__ == "DuckDBPyConnection":
        from .engines.duckdb import DuckDBEngine

        duck = DuckDBEngine(connection=None if engine == "duckdb" else engine, **options)
        return _Runner(duck.verdict, duck.close, "duckdb")
    if engine == "spark" or type(engine).__name__ == "SparkSession":
        from .engines.spark import SparkEngine

        spark = SparkEngine(None if engine == "spark" else engine)
        return _Runner(spark.verdict, spark.close, "spark")
    raise DisclosureRulesError(f"unknown engine {engine!r}; the engines are: {', '.join(ENGINES)}")


def _check_loaded(name: str, ds, spec) -> None:
    """A dataset loaded before (a LoadedDataset) must have been typed by this rulebook's fields:
    a category column holds its codes in the rulebook's order, which expressions compare by
    position, so one typed by another version of the book would give wrong counts silently."""
    for field_name, field_spec in spec.fields.items():
        if field_spec.type not in ("category", "set") or field_name not in ds.frame.columns:
            continue
        column = ds.frame[field_name]
        codes = list(field_spec.values or {})
        typed = isinstance(column.dtype, pd.CategoricalDtype) and \
            [str(c) for c in column.cat.categories[:len(codes)]] == codes if field_spec.type == "category" \
            else str(column.dtype) == "Int64"
        if not typed:
            raise DatasetError(
                f"dataset {name!r} was loaded with another rulebook: its field {field_name!r} does not hold "
                f"this rulebook's codes ({', '.join(codes)}); load the ledger again with this rulebook",
                file=ds.source,
                zh=f"台账「{spec.title or name}」是按另一版本的考核方案读入的：字段「{field_spec.header_of(field_name)}」"
                   f"的代码与本方案不同；请用本方案重新读入该台账")


class _LazyCalendar:
    """The working-day calendar, built when a rule first asks a working-day question.

    So an audit that needs no working days (or whose deadline rules cannot be assessed)
    is not stopped by ``calendar.fallback: error`` for a year it never looks at.
    """

    def __init__(self, build: Callable[[], Any]):
        import threading

        self._build = build
        self._calendar = None
        # rules evaluated side by side share the calendar, which grows its table as they ask:
        # one question (a method call, a look at an attribute) at a time
        self._lock = threading.RLock()

    @property
    def built(self) -> bool:
        return self._calendar is not None

    def __getattr__(self, name: str):
        with self._lock:
            if self._calendar is None:
                self._calendar = self._build()
            value = getattr(self._calendar, name)
        if not callable(value):
            return value
        lock = self._lock

        def asked(*args, **kwargs):
            with lock:
                return value(*args, **kwargs)
        return asked


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

@dataclass
class _Divisions:
    """The division of each row of a dataset: codes 0..k-1 (blank is one of them)."""

    codes: np.ndarray
    values: np.ndarray        # the identity of each division (None: blank)
    names: list[str]          # as shown (the blank division: BLANK_DIVISION)

    def names_at(self, codes: np.ndarray) -> np.ndarray:
        """The names of divisions ``codes`` as findings carry them (None for the blank one)."""
        shown = np.asarray([None if v is None else n for v, n in zip(self.values, self.names)] + [None],
                           dtype=object)
        return shown[np.where(codes >= 0, codes, len(self.values))]


def _divisions(ds, spec) -> _Divisions | None:
    field = spec.department
    if field is None or field not in ds.frame.columns:
        return None
    # the distinct values first (in order of appearance), then their identities: a million rows
    # name a few dozen divisions, and two values with one identity (1 and 1.0) are one division
    raw_codes, raw_uniques = pd.factorize(ds.frame[field], use_na_sentinel=False)
    values = identities(pd.Series(raw_uniques), spec.fields[field])
    unique_codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    codes = unique_codes[raw_codes]
    uniques = [None if u is None or (isinstance(u, float) and np.isnan(u)) else u for u in uniques]
    labels = _shown(uniques, spec.fields[field])
    names = [BLANK_DIVISION if u is None else label for u, label in zip(uniques, labels)]
    return _Divisions(np.asarray(codes), np.asarray(uniques, dtype=object), names)


def _shown(values: list, spec) -> list[str]:
    """Identities (a category's code, otherwise the value's text) as a person reads them."""
    if spec.type != "category":
        return [str(v) for v in values]
    return [spec.label_of(v) if v is not None else None for v in values]


def _keys(ds, spec) -> Keys:
    """Each row's key (no key field, or none in the file: every key blank)."""
    field = spec.key
    if field is None or field not in ds.frame.columns:
        return Keys(None, None, len(ds.frame))
    return Keys(ds.frame[field], spec.fields[field], len(ds.frame))


# ------------------------------------------------------------------ one rule

@dataclass
class _Evaluation:
    result: RuleResult
    part: FindingPart | None = None
    row_details: RowDetails | None = None
    departments: list = field(default_factory=list)


def _base_result(rule, status: str, message: str, message_zh: str = "") -> RuleResult:
    basis = None
    if rule.basis is not None:
        basis = {"clause": rule.basis.clause, "text": rule.basis.text}
        if rule.basis.source:
            basis["source"] = rule.basis.source
    return RuleResult(
        id=rule.id, title=rule.title, section=rule.section, dataset=rule.dataset, kind=rule.kind,
        severity=rule.severity, status=status, threshold_min=rule.min, threshold_max=rule.max,
        threshold_warn=getattr(rule, "warn", None),
        basis=basis, message=message, message_zh=message_zh or message, description=rule.description,
        fields=list(rule.fields_used))


def _not_assessed(rule, message: str, message_zh: str, missing: list, fields: list | None = None) -> _Evaluation:
    result = _base_result(rule, Status.NOT_ASSESSED, message, message_zh)
    if fields is not None:
        result.fields = fields
    result.missing = missing
    return _Evaluation(result)


@dataclass
class _Ready:
    """A rule whose view is built, with what its verdict is finished with."""

    kind: Any
    view: RuleView
    ds: Any
    div: _Divisions | None
    expressions: dict
    needed: list


def _evaluate_rule(book, rule, loaded, contexts, divisions, keys, waivers, calendar, as_of, warnings,
                   previous, runner, shared=None) -> _Evaluation:
    """One rule on the audit's ledgers. ``shared``: the rule's (verdict, where mask) on these
    rows, worked out already (:func:`audit_units`); None: worked out here."""
    ready = _ready(book, rule, loaded, contexts, divisions, calendar, as_of, previous,
                   None if shared is None else shared[1])
    if isinstance(ready, _Evaluation):
        return ready
    kind, view = ready.kind, ready.view
    try:
        verdict = runner.verdict(kind, view) if shared is None else shared[0]
    except DisclosureRulesError:
        raise
    except Exception as exc:  # a bug or an unforeseen value must not hide the other rules' results
        warnings.append(f"rule {rule.id} could not be evaluated ({type(exc).__name__}: {exc}); "
                        "please report this with the rulebook and the ledger's headers")
        return _Evaluation(_base_result(rule, Status.ERROR, f"could not be evaluated: {type(exc).__name__}: {exc}",
                                        f"无法计算：{type(exc).__name__}: {exc}"))
    result = _base_result(rule, Status.PASS, "")
    result.fields = ready.needed
    return _finish(book, rule, kind, view, verdict, ready.ds, ready.div, keys[rule.dataset],
                   waivers.get(rule.id, set()), ready.expressions, result)


def _rule_inputs(book, rule) -> tuple[dict, dict, list[str]]:
    """A rule's fields (its dataset's, and a joined one's), its compiled expressions, and the
    fields it reads: those its keys name, then those its expressions name."""
    fields = dict(book.datasets[rule.dataset].fields)
    if rule.join is not None:
        fields.update(joined_fields(book, rule))
    expressions = compiled_for(book, rule, fields)
    expression_fields = [f for c in expressions.values() for f in c.fields]
    return fields, expressions, list(dict.fromkeys(rule.fields_used + expression_fields))


def _ready(book, rule, loaded, contexts, divisions, calendar, as_of, previous, selected=None) -> _Ready | _Evaluation:
    """The rule's view of its rows, or its evaluation when it cannot be assessed (a ledger, a
    column or an earlier result missing). ``selected``: its ``where`` mask, worked out already."""
    spec = book.datasets[rule.dataset]
    fields, expressions, needed = _rule_inputs(book, rule)
    ds = loaded.get(rule.dataset)
    if ds is None:
        return _not_assessed(rule, f"dataset {rule.dataset!r} was not supplied",
                             f"未提供{_title(book, rule.dataset)}，无法考核", [(rule.dataset, None)], needed)
    frame = ds.frame
    if rule.join is not None:
        other = loaded.get(rule.join.dataset)
        if other is None:
            return _not_assessed(rule, f"joined dataset {rule.join.dataset!r} was not supplied",
                                 f"未提供{_title(book, rule.join.dataset)}，无法考核", [(rule.join.dataset, None)])
        mine = [(rule.dataset, f) for f in list(rule.join.on) if f not in frame.columns]
        theirs = [(rule.join.dataset, f) for f in rule.join.on.values() if f not in other.frame.columns] + \
                 [(rule.join.dataset, a.source) for a in rule.join.fields.values()
                  if a != "count" and a.source not in other.frame.columns]
        if mine or theirs:
            missing = [f for _, f in mine + theirs]
            return _not_assessed(rule, f"the file lacks field(s) {', '.join(missing)} needed by the join",
                                 f"台账缺少关联所需的列：{'、'.join(missing)}", list(dict.fromkeys(mine + theirs)))
        added, _ = _join(rule, frame, other.frame, book.datasets[rule.join.dataset])
        frame = frame.assign(**added)
    missing = [f for f in needed if f not in frame.columns]
    if missing:
        headers = ", ".join(f"{f} ({fields[f].header_of(f)})" if fields.get(f) and fields[f].aliases else f
                            for f in missing)
        return _not_assessed(rule, f"the {rule.dataset} file has no column for {headers}",
                             f"{_title(book, rule.dataset)}缺少列：{headers}，无法考核",
                             [(rule.dataset, f) for f in missing], needed)

    ctx = contexts[rule.dataset] if frame is ds.frame else Context(frame, contexts[rule.dataset].constants, calendar)
    if selected is None:
        selected = expressions["where"].mask(ctx)[0] if "where" in expressions else np.ones(len(frame), dtype=bool)
    div = divisions.get(rule.dataset)
    view = RuleView(rule, frame, fields, expressions, ctx, selected, as_of, calendar, rows=ds.rows,
                    division=None if div is None else div.codes,
                    division_values=None if div is None else div.values, department_field=spec.department,
                    previous=previous)
    kind = REGISTRY[rule.kind]
    lacking = kind.missing(rule, view)
    if lacking:
        words = {lang: "; ".join(word("gap_previous_rate" if of else "gap_previous", lang, rules=rule.id,
                                      points=f"{rule.points:g}", of=of) for _, of in lacking)
                 for lang in ("en", "zh")}
        return _not_assessed(rule, words["en"], words["zh"], lacking, needed)
    return _Ready(kind, view, ds, div, expressions, needed)


def _title(book, dataset: str) -> str:
    return book.datasets[dataset].title or dataset


def previous_figures(previous) -> dict | None:
    """Each rule's entry of an earlier result, by rule id (None when no earlier result is given)."""
    if previous is None:
        return None
    if isinstance(previous, AuditResult):
        return {r.id: r.to_dict() for r in previous.rules}
    if isinstance(previous, (str, os.PathLike)):
        import json

        try:
            with open(previous, encoding="utf-8") as handle:
                previous = json.load(handle)
        except (OSError, ValueError, RecursionError) as exc:
            raise DisclosureRulesError(f"the previous result {os.fspath(previous)!r} could not be read as a result "
                                       f"JSON written by 'audit --json' ({exc})") from None
    rules = previous.get("rules") if isinstance(previous, dict) else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rules):
        raise DisclosureRulesError("the previous result is not a result JSON written by 'audit --json': it has "
                                   "no 'rules' list of entries with an 'id'")
    return {r["id"]: r for r in rules}


def _headers(ds, own, names) -> dict[str, str]:
    """Header text of each field for messages: as found in the file, else its first alias.
    A joined field (not one of the dataset's ``own`` fields) is shown by its own name."""
    return {name: ds.headers.get(name) or (own[name].header_of(name) if name in own else name)
            for name in names}


def _finish(book, rule, kind, view: RuleView, verdict: Verdict, ds, div: _Divisions | None, keys,
            waived_keys: set, expressions, result: RuleResult) -> _Evaluation:
    """Waivers, counts, score, findings and divisions of one verdict: the same for every kind."""
    if verdict.grouped:
        group_spec = view.fields.get(verdict.group_field) if verdict.group_field else None
        item_ids = verdict.group
        item_text = np.asarray(_shown(list(item_ids), group_spec) if group_spec is not None else list(item_ids),
                               dtype=object)
        waived_ids = {identity_of(k, group_spec) for k in waived_keys}
    else:
        item_ids = item_text = keys
        waived_ids = {identity_of(k, view.fields.get(book.datasets[rule.dataset].key or "")) for k in waived_keys}
    judged = judge(verdict, item_ids, waived_ids)
    counts = judged.counts
    bounds = kind.bounds(rule) if verdict.bounds is None else verdict.bounds
    if verdict.bounds is not None:  # bounds that depend on the data are the thresholds the result shows
        result.threshold_min, result.threshold_max = verdict.bounds
    result.facts = dict(verdict.facts)
    scored = score(bounds, rule.scoring, rule.points, counts, warn_line(rule))
    result.population, result.passed, result.violations, result.pending, result.waived = \
        counts.population, counts.passed, counts.violations, counts.pending, counts.waived
    result.status, result.rate, result.awarded, result.possible = \
        scored.status, scored.rate, scored.awarded, scored.possible
    result.message = rule_message(kind, rule, result, "en")
    result.message_zh = rule_message(kind, rule, result, "zh")

    part = None
    listed = judged.listed
    if len(listed):
        if verdict.grouped:
            # groups that are divisions are their own division
            departments = item_text[listed] if verdict.group_field is not None and \
                verdict.group_field == view.department_field else np.full(len(listed), None, dtype=object)
            position = np.full(len(listed), -1)
            rows = np.full(len(listed), None, dtype=object)
            sheets = None
            values = pd.DataFrame(index=pd.RangeIndex(len(listed)))
        else:
            departments = div.names_at(div.codes[listed]) if div is not None else np.full(len(listed), None, dtype=object)
            position, rows = listed, ds.rows[listed].astype(object)
            sheets = ds.sheets[listed] if ds.sheets is not None else None
            shown = [f for f in dict.fromkeys(result.fields) if f in view.frame.columns]
            # rows and columns in one take (a column subset first builds a frame of its own)
            values = view.frame.iloc[listed, [view.frame.columns.get_loc(f) for f in shown]].reset_index(drop=True)
        headers = _headers(ds, book.datasets[rule.dataset].fields, values.columns.tolist() + rule.fields_used)
        part = FindingPart(
            rule=rule, dataset=rule.dataset, severity=rule.severity, position=position, row=rows,
            key=keys.text_at(listed) if item_text is keys else item_text[listed], department=departments,
            sheet=sheets, waived=judged.waived[listed],
            values=values, specs=view.fields, headers=headers,
            details={name: column[listed] for name, column in verdict.details.items()},
            as_of=view.as_of.date(), context=kind.message_context(rule, expressions, book),
            exported=kind.finding_details)

    row_details = None
    if kind.row_details and not verdict.grouped:
        at = np.flatnonzero(judged.population)
        # the ledger's keys (without the identities a waiver worked out) and divisions are
        # referred to, not copied: the few rows an output lists are taken from them
        row_details = RowDetails(at=at, details={name: verdict.details[name][at] for name in kind.row_details},
                                 rows=ds.rows[at], sheets=None if ds.sheets is None else ds.sheets[at],
                                 keys=Keys(keys.series, keys.spec, keys.n), divisions=div)
    result.lights = kind.lights(rule, row_details)  # the kind's hook: red/yellow/green counts (deadline)

    departments = []
    if div is not None:
        by = verdict if verdict.by_division is None else verdict.by_division
        if by is verdict:
            by_judged, codes = judged, (div.codes if not verdict.grouped else verdict.division)
        else:
            by_ids = by.group if by.grouped else keys
            by_judged, codes = judge(by, by_ids, waived_ids), (by.division if by.grouped else div.codes)
        for name, c in zip(div.names, division_counts(by_judged, codes, len(div.names))):
            s = score(bounds, rule.scoring, rule.points, c, warn_line(rule))
            departments.append({"department": name, "rule": rule.id, "population": c.population,
                                "violations": c.violations, "rate": s.rate, "status": s.status,
                                "awarded": s.awarded, "possible": s.possible})
    return _Evaluation(result, part, row_details, departments)


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
                at = np.flatnonzero(matched)  # only the rows that meet a key: their values are factorized
                value_codes, _ = pd.factorize(other[agg.source].iloc[at], use_na_sentinel=True)
                keep = value_codes >= 0
                key_codes, value_codes = right_codes[at][keep].astype(np.int64), value_codes[keep]
                if kind == "count":
                    per_key = np.bincount(key_codes, minlength=n_keys)
                else:
                    width = int(value_codes.max(initial=0)) + 1
                    pairs = pd.unique(key_codes * width + value_codes)  # distinct (key, value) pairs, by hashing
                    per_key = np.bincount(pairs // width, minlength=n_keys)
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
    if len(left.columns) == 1:  # one key: factorize's codes are already 0..n-1, -1 for blank
        return combined[:n_left], combined[n_left:], len(uniques)
    blank = combined < 0
    compact, uniques = pd.factorize(np.where(blank, 0, combined))
    compact = np.where(blank, -1, compact)
    return compact[:n_left], compact[n_left:], len(uniques)


def _join_key(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype("string")
    if series.dtype.kind == "M":
        return series.dt.strftime("%Y-%m-%d").astype("string")
    if isinstance(series.dtype, pd.StringDtype):  # a string field: typing stripped it, and "" is blank
        return series
    text = series.astype("string").str.strip()
    return text.where(text != "", pd.NA)



# ------------------------------------------------------------------ assembly

def _assemble(book, as_of, loaded, rule_results, parts, row_details, dept_records, data_issues, warnings) -> AuditResult:
    # bonus rules (加分项) are scored apart: their points are in no possible and no coverage (DESIGN §7)
    bonus_ids = {r.id for r in book.rules if r.enabled and r.bonus}
    points = {r.id: float(r.points) for r in book.rules if r.enabled and not r.bonus}
    graded = [r for r in rule_results if r.id not in bonus_ids]
    scores = pd.DataFrame({"rule": [r.id for r in graded], "section": [r.section for r in graded],
                           "status": [r.status for r in graded],
                           "awarded": [float(r.awarded) for r in graded],
                           "possible": [float(r.possible) for r in graded]})
    total = rollup(scores).iloc[0]
    awarded, possible = float(total["awarded"]), float(total["possible"])
    covered = sum(points[r.id] for r in graded if r.status in COVERED)
    unassessed = sum(points[r.id] for r in graded if r.status not in COVERED)
    percent = percent_of(awarded, possible)
    strict_percent = percent_of(awarded, possible + unassessed)
    coverage = coverage_of(covered, sum(points.values()))
    min_coverage = book.rulebook.min_coverage
    graded_on, grading_percent = grading(percent, strict_percent, coverage, min_coverage)
    gaps = coverage_gaps(book, loaded, rule_results)
    warnings = warnings + gap_warnings(gaps, "en", graded_on=graded_on, coverage=coverage,
                                       min_coverage=min_coverage, percent=percent,
                                       strict_percent=strict_percent)
    by_section = rollup(scores, "section", groups=[s.id for s in book.sections]).set_index("section")
    sections = []
    for section in book.sections:
        row = by_section.loc[section.id]
        pct = percent_of(float(row["awarded"]), float(row["possible"]))
        sections.append({"id": section.id, "title": section.title, "awarded": round(float(row["awarded"]), 2),
                         "possible": round(float(row["possible"]), 2),
                         "percent": None if pct is None else round(pct, 2)})
    dept_rules = pd.DataFrame(dept_records, columns=["department", "rule", "population", "violations", "rate",
                                                     "status", "awarded", "possible"])
    if len(dept_rules):
        departments = rollup(dept_rules[~dept_rules["rule"].isin(bonus_ids)], "department",
                             groups=pd.unique(dept_rules["department"]))
        violations = dept_rules.groupby("department", sort=False)["violations"].sum()
        departments["violations"] = departments["department"].map(violations).to_numpy().astype(int)
        # ranked by percent; rows without a division are listed, but after every real division
        departments["_blank"] = departments["department"] == BLANK_DIVISION
        departments = departments.sort_values(["_blank", "percent", "violations", "department"],
                                              ascending=[True, False, True, True], na_position="last")
        departments = departments.drop(columns="_blank").reset_index(drop=True)
    else:
        departments = pd.DataFrame(columns=["department", "awarded", "possible", "percent", "violations"])
    earned = sum(float(r.awarded) for r in rule_results if r.id in bonus_ids and r.status in SCORED)
    bonus = bonus_of(earned, grading_percent, book.rulebook.bonus)
    total_score = total_of(grading_percent, bonus)
    vetoes = vetoed_by((r.id, book.rule(r.id).veto, r.status) for r in rule_results)
    return AuditResult(
        book=book, as_of=as_of, data=loaded, rules=rule_results, sections=sections,
        departments=departments, department_rules=dept_rules[["department", "rule", "population", "violations", "rate"]],
        parts=parts, row_details=row_details, data_issues=data_issues, warnings=warnings,
        awarded=awarded, possible=possible, percent=percent,
        grade=final_grade(total_score, vetoes, book.rulebook.grades), coverage=coverage,
        bonus=bonus, total=total_score, vetoed_by=vetoes,
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
        for dataset, name in rr.missing:
            spec = book.datasets.get(dataset)
            gap = gaps.get((dataset, name))
            if gap is None and spec is None:  # an input other than a ledger (the previous result)
                gap = gaps[(dataset, name)] = {"dataset": dataset, "title": None, "field": name,
                                                "header": None, "close_match": None, "rules": [], "points": 0.0}
            if gap is None:
                reading = loaded[dataset].reading if dataset in loaded else {}
                field_spec = spec.fields.get(name) if name else None
                gap = gaps[(dataset, name)] = {
                    "dataset": dataset, "title": spec.title or dataset, "field": name,
                    "header": field_spec.header_of(name) if field_spec is not None else name,
                    "close_match": (reading.get("close_matches") or {}).get(name) if name else None,
                    "rules": [], "points": 0.0}
            if rr.id not in gap["rules"]:
                gap["rules"].append(rr.id)
                gap["points"] += points.get(rr.id, 0.0)
    return list(gaps.values())
