"""Many units against one plan (DESIGN §15): find each unit's ledgers, audit them, rank the units.

Conventions
-----------
* A units folder holds one folder per unit, named by the folder or by its ``unit.yaml``
  (``{name, code}``). A file belongs to a dataset when its stem is the dataset's name or
  ``title`` (matched as headers are: full-/half-width, case and spaces ignored), else when
  its name matches one of the dataset's ``files:`` globs. Two files for one dataset, or a
  file two datasets' globs claim, are refused in a sentence; a file no dataset claims is
  named in the warnings. A unit without a ledger gets the rules on it ``not_assessed``.
* The single-ledger form: a folder with ledger files and no unit folders, whose datasets
  name their unit field (``unit: unit_name``). Each ledger is read and typed once, then
  split per unit by one vectorized group-by (``split_by_unit``), and its units are judged
  in one pass over the rules (``engine.audit_units``): a row-wise rule's verdict is worked
  out once over the whole ledger and taken at each unit's rows; the rules that compare
  rows, count groups or join a ledger are judged on each unit's rows. Each unit's result is
  the one auditing its rows alone gives. (A dataset without ``unit:`` cannot be split and is
  left out, with a warning.)
* One process: the rulebook is loaded once and every unit's audit reuses it.
* Ranking: units rank by the figure their grade comes from (DESIGN §7): ``total`` (the
  grading percent, i.e. ``percent`` or ``strict_percent`` below ``min_coverage``, plus the
  bonus), so withholding a ledger never helps. A unit whose veto rule failed ranks after
  every unit without one. Ties are broken by strict percent (higher first), then by
  violations (fewer first), then by unit code and name (in code point order); ``RANK_RULE``
  is what the page says.
* ``--previous`` is an earlier ``assessment.json``: units are matched by code, else by name;
  the change is the figure's difference and the rank's. Each unit's earlier result is also
  its audit's ``previous`` (for ``trend`` rules).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .errors import DatasetError, DisclosureRulesError
from .models import match_key
from .words import Severity

__all__ = ["assess", "Assessment", "UnitEntry", "discover_units", "match_files", "split_by_unit",
           "LEDGER_SUFFIXES", "RANK_KEYS"]

#: the files a unit's folder may hold as ledgers (DESIGN §11's formats)
LEDGER_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
#: the ranking's order, after veto: (column, higher first?)
RANK_KEYS = (("total", True), ("strict_percent", True), ("violations", False), ("code", False), ("unit", False))
UNIT_FILE = "unit.yaml"


@dataclass
class UnitSource:
    """One unit's name, code, folder and ledgers (dataset -> path, DataFrame or LoadedDataset)."""

    name: str
    code: str | None = None
    folder: str | None = None
    data: dict = field(default_factory=dict)
    #: the single-ledger form: dataset -> where the unit's rows are in the whole ledger, and
    #: the whole ledgers (dataset -> LoadedDataset), the same object for every unit
    positions: dict | None = None
    whole: dict | None = None


# ------------------------------------------------------------------ finding the ledgers

def match_files(book, files: list[Path]) -> tuple[dict[str, Path], list[Path]]:
    """(dataset -> its file, files no dataset claims) for one unit's files (DESIGN §15)."""
    by_stem = {}
    for name, spec in book.datasets.items():
        for label in (name, spec.title):
            if label:
                by_stem.setdefault(match_key(label), name)
    matched: dict[str, Path] = {}
    unclaimed: list[Path] = []
    for path in sorted(files, key=lambda p: p.name):
        dataset = by_stem.get(match_key(path.stem))
        if dataset is None:
            claims = [name for name, spec in book.datasets.items()
                      if any(fnmatch.fnmatchcase(match_key(path.name), match_key(glob)) for glob in spec.files)]
            if len(claims) > 1:
                raise DatasetError(f"{path}: the file matches the files: patterns of several datasets "
                                   f"({', '.join(claims)}); rename it after one dataset's name or title", file=str(path))
            dataset = claims[0] if claims else None
        if dataset is None:
            unclaimed.append(path)
            continue
        if dataset in matched:
            raise DatasetError(f"{path.parent}: two files for dataset {dataset!r} ({matched[dataset].name} and "
                               f"{path.name}); give one file per dataset (combine the ledgers first)", file=str(path))
        matched[dataset] = path
    return matched, unclaimed


def _ledger_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
            and p.suffix.lower() in LEDGER_SUFFIXES]


def _unit_meta(folder: Path) -> tuple[str, str | None]:
    path = folder / UNIT_FILE
    if not path.is_file():
        return folder.name, None
    import yaml

    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not a readable YAML file ({exc}); write name: and code:", file=str(path)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict) or set(meta) - {"name", "code"}:
        raise DatasetError(f"{path}: a unit.yaml holds only name: and code: (the unit's name and code)", file=str(path))
    name = str(meta.get("name") or folder.name).strip() or folder.name
    code = meta.get("code")
    return name, None if code is None or str(code).strip() == "" else str(code).strip()


def discover_units(book, folder: str | os.PathLike) -> tuple[list[UnitSource], list[dict]]:
    """The units of a units folder and the warnings of finding them (files no dataset claims),
    each ``{"key": <words key>, ...its values}`` (``Assessment.warnings_in`` says them).

    One folder per unit; or, with no unit folders, the single-ledger form (ledgers whose
    datasets name a ``unit:`` field, split per unit)."""
    root = Path(folder)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder; give the folder that holds one folder per unit", file=str(root))
    subfolders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    warnings: list[dict] = []
    if not subfolders:
        return _single_ledger_units(book, root, warnings), warnings
    units = []
    for sub in subfolders:
        name, code = _unit_meta(sub)
        matched, unclaimed = match_files(book, _ledger_files(sub))
        unclaimed += [p for p in sub.iterdir() if p.is_file() and p.suffix.lower() not in LEDGER_SUFFIXES
                      and p.name != UNIT_FILE and not p.name.startswith((".", "~$"))]
        if unclaimed:
            warnings.append({"key": "assess_warn_unclaimed", "unit": name,
                             "files": ", ".join(sorted(p.name for p in unclaimed))})
        units.append(UnitSource(name=name, code=code, folder=sub.name, data=dict(matched)))
    _check_unique(units)
    return units, warnings


def _check_unique(units: list[UnitSource]) -> None:
    seen: dict[tuple, str] = {}
    for unit in units:
        key = (unit.code, unit.name) if unit.code else (None, unit.name)
        if key in seen:
            raise DatasetError(f"two units are named {unit.name!r} (folders {seen[key]} and {unit.folder}); "
                               "give each a unit.yaml with its own name or code", file=unit.folder)
        seen[key] = unit.folder or unit.name


def _single_ledger_units(book, root: Path, warnings: list[dict]) -> list[UnitSource]:
    from .datasets import load_dataset

    matched, unclaimed = match_files(book, _ledger_files(root))
    if not matched:
        raise DatasetError(f"{root}: no unit folders and no ledger of the rulebook's datasets "
                           f"({', '.join(book.datasets)}); give one folder per unit", file=str(root))
    if unclaimed:
        warnings.append({"key": "assess_warn_unclaimed_single", "files": ", ".join(sorted(p.name for p in unclaimed))})
    parts: dict[str, dict] = {}
    places: dict[str, dict] = {}
    whole: dict[str, Any] = {}
    for dataset, path in matched.items():
        spec = book.datasets[dataset]
        if spec.unit is None:
            warnings.append({"key": "assess_warn_no_unit_field", "file": path.name, "dataset": dataset})
            continue
        loaded = load_dataset(dataset, spec, path)
        if spec.unit not in loaded.frame.columns:
            raise DatasetError(f"{path}: dataset {dataset} has no column for its unit field {spec.unit!r} "
                               f"({spec.fields[spec.unit].header_of(spec.unit)})", file=str(path))
        split, positions, blank = _split(loaded, spec.unit)
        if blank:
            warnings.append({"key": "assess_warn_blank_unit", "file": path.name, "n": blank})
        parts[dataset], places[dataset], whole[dataset] = split, positions, loaded
    names = list(dict.fromkeys(name for split in parts.values() for name in split))
    return [UnitSource(name=name, data={d: split[name] for d, split in parts.items() if name in split},
                       positions={d: at[name] for d, at in places.items() if name in at}, whole=whole)
            for name in sorted(names)]


def split_by_unit(loaded, field_name: str) -> tuple[dict[str, Any], int]:
    """One loaded, typed ledger split per unit by one group-by over the unit column (no
    re-reading, no loop over rows): ({unit: LoadedDataset of its rows}, rows with no unit).

    The one place the single-ledger form splits."""
    split, _, blank = _split(loaded, field_name)
    return split, blank


def _split(loaded, field_name: str) -> tuple[dict[str, Any], dict[str, np.ndarray], int]:
    """:func:`split_by_unit`, with each unit's row positions in the whole ledger."""
    from .datasets import LoadedDataset

    column = loaded.frame[field_name].astype("string").str.strip()
    codes, names = pd.factorize(column.where(column != "", pd.NA), use_na_sentinel=True)
    blank = int((codes < 0).sum())
    # the rows in unit order (in file order within each unit), taken once: a unit's rows are
    # then a slice of it, not a take of its own (one take per unit of a frame of many Arrow
    # chunks: 1.5 s for 100 units of 2,000 rows, against 0.08 s)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(-1, len(names) + 1))
    grouped = loaded.frame.take(order)
    # a data issue goes to the unit of its row ((sheet, row): row numbers repeat across sheets)
    sheets = loaded.sheets if loaded.sheets is not None else np.full(len(codes), None, dtype=object)
    row_unit = pd.Series(codes, index=pd.MultiIndex.from_arrays([pd.Series(sheets, dtype=object).fillna(""),
                                                                 loaded.rows]))
    row_unit = row_unit[~row_unit.index.duplicated()]
    wanted = pd.MultiIndex.from_arrays([pd.Series([i.get("sheet") for i in loaded.issues], dtype=object).fillna(""),
                                        pd.Series([i.get("row") for i in loaded.issues], dtype="float64")
                                        .fillna(-1).astype(np.int64)])
    issue_units = row_unit.reindex(wanted).to_numpy() if len(wanted) else np.array([])
    issues_of: dict[int, list[dict]] = {}
    for issue, unit in zip(loaded.issues, issue_units):  # issues, not rows: one per bad cell or label
        if unit == unit:  # not NaN: the issue's row is a record of some unit
            issues_of.setdefault(int(unit), []).append(issue)
    out, where = {}, {}
    for code, name in enumerate(names):
        start, stop = bounds[code + 1], bounds[code + 2]
        if start == stop:
            continue
        at = where[str(name)] = order[start:stop]
        out[str(name)] = LoadedDataset(
            name=loaded.name, frame=grouped.iloc[start:stop].reset_index(drop=True), rows=loaded.rows[at],
            source=loaded.source, sha256=loaded.sha256, missing=list(loaded.missing),
            issues=issues_of.get(code, []), headers=dict(loaded.headers),
            sheets=None if loaded.sheets is None else loaded.sheets[at],
            reading=None if loaded.reading is None else {**loaded.reading, "records": int(len(at))})
    return out, where, blank


def _as_units(book, units) -> tuple[list[UnitSource], list[str]]:
    if isinstance(units, (str, os.PathLike)):
        return discover_units(book, units)
    if not isinstance(units, Mapping) or not units:
        raise DisclosureRulesError("assess() takes a units folder, or a mapping of unit name -> its ledgers "
                                   "({dataset: file or DataFrame})")
    out = []
    for name, data in units.items():
        if isinstance(data, UnitSource):
            out.append(data)
        elif isinstance(data, Mapping):
            out.append(UnitSource(name=str(name), data=dict(data)))
        else:
            raise DisclosureRulesError(f"unit {name!r}: its ledgers are a mapping {{dataset: file or DataFrame}}, "
                                       f"not {type(data).__name__}")
    _check_unique(out)
    return out, []


# ------------------------------------------------------------------ the assessment

@dataclass
class UnitEntry:
    """One unit's audit, its place in the ranking and its change against the previous assessment."""

    name: str
    code: str | None
    folder: str | None
    result: Any                 # AuditResult
    rank: int = 0
    previous: dict | None = None   # {"rank", "total", "grade"} of the previous assessment

    @property
    def slug(self) -> str:
        """The unit's output folder name (safe on every file system)."""
        text = self.folder or (f"{self.code}-{self.name}" if self.code else self.name)
        return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text).strip(". ") or "unit"

    def violations(self) -> dict[str, int]:
        """Open violations by severity over the graded rules (bonus rules aside)."""
        out = {s.value: 0 for s in Severity}
        for rr in self.result.rules:
            if not self.result.book.rule(rr.id).bonus:
                out[rr.severity] += int(rr.violations)
        return out


@dataclass
class Assessment:
    """What :func:`assess` returns: every unit's audit, ranked."""

    book: Any
    as_of: dt.date
    units: list[UnitEntry]       # in rank order
    #: what finding the units noticed: ``{"key": <words key>, ...}`` (see ``warnings_in``)
    warnings: list[dict] = field(default_factory=list)
    previous_source: str | None = None

    @property
    def ranking(self) -> pd.DataFrame:
        """One row per unit in rank order: rank, unit, code, grade, graded_on, grading_percent,
        bonus, total, vetoed_by, percent, strict_percent, coverage, violations by severity,
        and the previous rank and total (None without --previous) and the change."""
        rows = []
        for u in self.units:
            r = u.result
            v = u.violations()
            prev = u.previous or {}
            rows.append({
                "rank": u.rank, "unit": u.name, "code": u.code, "grade": r.grade, "graded_on": r.graded_on,
                "grading_percent": r.grading_percent, "bonus": r.bonus, "total": r.total,
                "vetoed_by": ", ".join(r.vetoed_by), "percent": r.percent, "strict_percent": r.strict_percent,
                "coverage": r.coverage, **{f"violations_{s}": n for s, n in v.items()},
                "violations": sum(v.values()),
                "previous_rank": prev.get("rank"), "previous_total": prev.get("total"),
                "change": None if prev.get("total") is None or r.total is None else r.total - prev["total"],
                "rank_change": None if prev.get("rank") is None else prev["rank"] - u.rank,
            })
        return pd.DataFrame(rows)

    @property
    def matrix(self) -> pd.DataFrame:
        """Unit x rule, long form: unit, rule, status, rate, awarded, possible, violations."""
        rows = [{"unit": u.name, "rule": rr.id, "status": str(rr.status), "rate": rr.rate, "awarded": rr.awarded,
                 "possible": rr.possible, "violations": int(rr.violations)}
                for u in self.units for rr in u.result.rules]
        return pd.DataFrame(rows, columns=["unit", "rule", "status", "rate", "awarded", "possible", "violations"])

    def warnings_in(self, lang: str = "en") -> list[str]:
        """The warnings as sentences in ``lang``."""
        from .words import word

        return [word(w["key"], lang, **{k: v for k, v in w.items() if k != "key"}) for w in self.warnings]

    def unit(self, name: str) -> UnitEntry:
        for u in self.units:
            if u.name == name or u.code == name:
                return u
        raise KeyError(name)

    def to_dict(self) -> dict:
        """assessment.json: the ranking and every unit's result (without its findings, which are
        in each unit's own result.json)."""
        from . import __version__

        info = self.book.rulebook
        ranking = _records(self.ranking)
        return {
            "tool": {"name": "disclosure-rules", "version": __version__},
            "rulebook": {"id": info.id, "title": info.title, "year": info.year, "sha256": self.book.sha256},
            "as_of": self.as_of.isoformat(),
            "rank_rule": {"order": ["vetoed_by"] + [k for k, _ in RANK_KEYS],
                          "descending": ["total", "strict_percent"]},
            "previous": self.previous_source,
            "ranking": ranking,
            "units": [{"name": u.name, "code": u.code, "folder": u.folder, "rank": u.rank,
                       "files": {"report": f"units/{u.slug}/report.html", "result": f"units/{u.slug}/result.json",
                                 "findings": f"units/{u.slug}/整改清单.xlsx"},
                       "result": u.result.to_dict(json_findings=0)} for u in self.units],
            "warnings": self.warnings_in("en"),
        }

    def write(self, out_dir: str | os.PathLike, lang: str = "zh", progress: Callable | None = None) -> dict:
        """Write OUT_DIR (DESIGN §15): index.html, ranking.xlsx, assessment.json and per unit its
        report.html, result.json and 整改清单.xlsx. Returns the paths written."""
        from .assess_report import write_index, write_ranking_xlsx
        from .atomic import write_atomic

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for number, u in enumerate(self.units):
            if progress is not None:
                progress(number, len(self.units), u.name)
            folder = out / "units" / u.slug
            folder.mkdir(parents=True, exist_ok=True)
            u.result.write_html(folder / "report.html", lang=lang)
            u.result.write_json(folder / "result.json")
            u.result.write_findings(folder / "整改清单.xlsx", lang=lang)
        if progress is not None:
            progress(len(self.units), len(self.units), "")
        paths = {"index": out / "index.html", "ranking": out / "ranking.xlsx", "json": out / "assessment.json"}
        write_atomic(paths["json"], json.dumps(self.to_dict(), ensure_ascii=False, indent=2,
                                               allow_nan=False).encode("utf-8"))
        write_ranking_xlsx(self, paths["ranking"], lang=lang)
        write_index(self, paths["index"], lang=lang)
        return paths


def _records(frame: pd.DataFrame) -> list[dict]:
    from .results import _records as records

    out = records(frame)
    for row in out:
        for key in ("grading_percent", "bonus", "total", "percent", "strict_percent", "previous_total", "change"):
            if row.get(key) is not None:
                row[key] = round(float(row[key]), 2)
        row["coverage"] = round(float(row["coverage"]), 4)
    return out


def _rank(entries: list[UnitEntry]) -> list[UnitEntry]:
    """Entries in rank order (RANK_KEYS after veto), ranks 1..n."""
    def key(u: UnitEntry):
        r = u.result
        total = -np.inf if r.total is None else r.total
        strict = -np.inf if r.strict_percent is None else r.strict_percent
        return (bool(r.vetoed_by), -total, -strict, sum(u.violations().values()), u.code or "", u.name)

    ordered = sorted(entries, key=key)
    for number, u in enumerate(ordered, 1):
        u.rank = number
    return ordered


def _previous_units(previous) -> tuple[dict, str | None]:
    """(code or name -> {"rank", "total", "grade", "result"}) of an earlier assessment."""
    if previous is None:
        return {}, None
    source = None
    if isinstance(previous, Assessment):
        data = previous.to_dict()
    elif isinstance(previous, Mapping):
        data = previous
    else:
        source = str(previous)
        try:
            data = json.loads(Path(previous).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DisclosureRulesError(f"--previous {previous}: not a readable assessment.json ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("units"), list):
        raise DisclosureRulesError(f"--previous {source or '(given)'}: not an assessment.json (it has no units "
                                   "list); give the assessment.json an earlier assess wrote")
    out = {}
    for unit in data["units"]:
        result = unit.get("result") or {}
        entry = {"rank": unit.get("rank"), "total": (result.get("score") or {}).get("total"),
                 "grade": (result.get("score") or {}).get("grade"), "result": result}
        out[("code", unit.get("code"))] = entry
        out[("name", unit.get("name"))] = entry
    return out, source


def assess(book, units, *, as_of=None, waivers=None, previous=None,
           progress: Callable[[int, int, str], None] | None = None) -> Assessment:
    """Audit every unit against ``book`` and rank them (DESIGN §15).

    ``units``: a units folder (one folder per unit, or the single-ledger form), or a mapping
    unit name -> its ledgers ({dataset: file, DataFrame or LoadedDataset}). ``previous``: an
    earlier assessment (its assessment.json, its dict or an Assessment). ``progress(done,
    total, unit)`` is called before each unit's audit."""
    from .engine import UnitRows, audit, audit_units, default_as_of
    from .rulebook import load_rulebook

    if not hasattr(book, "rulebook"):
        book = load_rulebook(book)
    sources, warnings = _as_units(book, units)
    if not sources:
        raise DatasetError(f"{units}: no unit found (one folder per unit)", file=str(units))
    before, previous_source = _previous_units(previous)
    as_of = default_as_of(book) if as_of is None else as_of
    earliers = []
    for unit in sources:
        earlier = before.get(("code", unit.code)) if unit.code else None
        earliers.append(earlier or before.get(("name", unit.name)))
    whole = sources[0].whole
    if whole is not None and all(unit.whole is whole for unit in sources):
        # one ledger holding every unit: its units judged in one pass over the rules
        results = audit_units(book, whole, [UnitRows({"name": unit.name, "code": unit.code}, unit.data,
                                                     unit.positions, earlier["result"] if earlier else None)
                                            for unit, earlier in zip(sources, earliers)],
                              as_of=as_of, waivers=waivers, progress=progress)
    else:
        results = []
        for number, (unit, earlier) in enumerate(zip(sources, earliers), 1):
            if progress is not None:
                progress(number - 1, len(sources), unit.name)
            results.append(audit(book, unit.data, as_of=as_of, waivers=waivers,
                                 unit={"name": unit.name, "code": unit.code},
                                 previous=earlier["result"] if earlier else None))
        if progress is not None:
            progress(len(sources), len(sources), "")
    entries = [UnitEntry(name=unit.name, code=unit.code, folder=unit.folder, result=result,
                         previous=None if earlier is None else
                         {"rank": earlier["rank"], "total": earlier["total"], "grade": earlier["grade"]})
               for unit, earlier, result in zip(sources, earliers, results)]
    ordered = _rank(entries)
    as_of_date = ordered[0].result.as_of
    return Assessment(book=book, as_of=as_of_date, units=ordered, warnings=warnings,
                      previous_source=previous_source)
