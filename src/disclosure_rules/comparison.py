"""compare(old, new): what changed between two results or two assessments (DESIGN §15).

Inputs are two ``result.json`` (or their dicts, or AuditResults) or two ``assessment.json``
(or their dicts, or Assessments); a result and an assessment are not compared. Rules and
sections are matched by id, divisions by name, units by code, else by name. For every
matched (or added, or removed) item the comparison gives the old and new status, rate,
points awarded and violations, and the differences (new - old). ``change`` is ``added``,
``removed``, ``changed`` (any of the figures differs) or ``same``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .atomic import write_atomic
from .errors import DisclosureRulesError

__all__ = ["compare", "Comparison", "read_side"]

RULE_FIGURES = ("status", "rate", "awarded", "possible", "violations")
SECTION_FIGURES = ("awarded", "possible", "percent")
DIVISION_FIGURES = ("percent", "awarded", "possible", "violations")
UNIT_FIGURES = ("rank", "grade", "total", "grading_percent", "percent", "strict_percent", "coverage", "violations")


def read_side(side, what: str) -> tuple[str, dict, str | None]:
    """("result" or "assessment", its dict, the file it came from) of one side of a comparison."""
    source = None
    if hasattr(side, "to_dict") and not isinstance(side, Mapping):
        data = side.to_dict(json_findings=0) if hasattr(side, "parts") else side.to_dict()
    elif isinstance(side, Mapping):
        data = side
    elif isinstance(side, (str, os.PathLike)):
        source = str(side)
        try:
            data = json.loads(Path(side).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DisclosureRulesError(f"{what} {side}: not a readable JSON file ({exc})") from None
    else:
        raise DisclosureRulesError(f"{what}: give a result.json or an assessment.json (a path, its dict or the "
                                   f"result), not {type(side).__name__}")
    if not isinstance(data, Mapping):
        raise DisclosureRulesError(f"{what} {source or ''}: not a result or an assessment JSON".replace("  ", " "))
    if isinstance(data.get("units"), list) and isinstance(data.get("ranking"), list):
        return "assessment", data, source
    if isinstance(data.get("rules"), list) and isinstance(data.get("score"), Mapping):
        return "result", data, source
    raise DisclosureRulesError(f"{what} {source or '(given)'}: neither a result.json (score and rules) nor an "
                               "assessment.json (ranking and units)")


def _delta(old, new):
    if isinstance(old, bool) or isinstance(new, bool):
        return None
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return round(new - old, 4)
    return None


def _table(old: list[dict], new: list[dict], key: str, figures: tuple, label: str | None = None) -> list[dict]:
    """One record per item of either side: key, label, old_*, new_*, delta_* and change."""
    before = {str(r.get(key)): r for r in old}
    after = {str(r.get(key)): r for r in new}
    ids = list(after) + [k for k in before if k not in after]
    out = []
    for item in ids:
        o, n = before.get(item), after.get(item)
        record = {key: item}
        if label:
            record[label] = (n or o).get(label)
        for name in figures:
            ov = None if o is None else o.get(name)
            nv = None if n is None else n.get(name)
            record[f"old_{name}"], record[f"new_{name}"] = ov, nv
            record[f"delta_{name}"] = _delta(ov, nv)
        if o is None:
            record["change"] = "added"
        elif n is None:
            record["change"] = "removed"
        else:
            record["change"] = "changed" if any(record[f"old_{f}"] != record[f"new_{f}"] for f in figures) else "same"
        out.append(record)
    return out


def _score(data: dict) -> dict:
    score = data.get("score") or {}
    grading = score.get("strict_percent") if score.get("graded_on") == "strict_percent" else score.get("percent")
    violations = sum(int(r.get("violations") or 0) for r in data.get("rules") or [])
    return {"grade": score.get("grade"), "total": score.get("total", grading), "grading_percent": grading,
            "percent": score.get("percent"), "strict_percent": score.get("strict_percent"),
            "coverage": score.get("coverage"), "violations": violations}


def _result_tables(old: dict, new: dict, unit: str | None) -> dict[str, list[dict]]:
    tag = {} if unit is None else {"unit": unit}
    return {
        "rules": [{**tag, **r} for r in _table(old.get("rules") or [], new.get("rules") or [], "id", RULE_FIGURES, "title")],
        "sections": [{**tag, **r} for r in _table(old.get("sections") or [], new.get("sections") or [], "id",
                                                  SECTION_FIGURES, "title")],
        "divisions": [{**tag, **r} for r in _table(old.get("departments") or [], new.get("departments") or [],
                                                   "department", DIVISION_FIGURES)],
    }


def _unit_key(unit: dict) -> str:
    return f"code:{unit['code']}" if unit.get("code") else f"name:{unit.get('name')}"


@dataclass
class Comparison:
    """What :func:`compare` returns: DataFrames ``units``, ``rules``, ``sections``, ``divisions``
    (a ``unit`` column when assessments were compared), the old and new sources."""

    kind: str                     # "result" or "assessment"
    units: pd.DataFrame
    rules: pd.DataFrame
    sections: pd.DataFrame
    divisions: pd.DataFrame
    old_source: str | None = None
    new_source: str | None = None
    old_as_of: str | None = None
    new_as_of: str | None = None
    rulebook: dict | None = None

    def to_dict(self) -> dict:
        from .results import _records

        return {"kind": self.kind, "old": {"source": self.old_source, "as_of": self.old_as_of},
                "new": {"source": self.new_source, "as_of": self.new_as_of}, "rulebook": self.rulebook,
                "units": _records(self.units), "rules": _records(self.rules), "sections": _records(self.sections),
                "divisions": _records(self.divisions)}

    def write_json(self, path) -> None:
        write_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8"))

    def write_html(self, path, lang: str = "zh") -> None:
        from .report import _environment

        html = _environment().get_template("compare.html.j2").render(**self.view(lang))
        write_atomic(path, html.encode("utf-8"))

    def changed(self, table: str) -> pd.DataFrame:
        frame = getattr(self, table)
        return frame[frame["change"] != "same"] if len(frame) else frame

    def view(self, lang: str = "zh") -> dict:
        """The comparison as text for the terminal and the HTML page."""
        from . import __version__
        from .words import NONE_MARK, is_blank, number_text, percent_text, score_text, status_word, vocabulary

        ui = vocabulary(lang)

        def shown(name: str, value) -> str:
            if is_blank(value):
                return NONE_MARK
            if name == "status":
                return status_word(value, lang)
            if name in ("rate", "coverage"):
                return percent_text(value, fixed=True)
            if name in ("total", "grading_percent", "percent", "strict_percent"):
                return score_text(value)
            return number_text(value) if isinstance(value, (int, float)) else str(value)

        def rows(frame: pd.DataFrame, key: str, figures: tuple, label: str | None = None) -> list[dict]:
            out = []
            for rec in frame.to_dict("records"):
                if rec["change"] == "same":
                    continue
                cells = []
                for name in figures:
                    old, new = rec[f"old_{name}"], rec[f"new_{name}"]
                    delta = rec.get(f"delta_{name}")
                    cells.append({"old": shown(name, old), "new": shown(name, new),
                                  "delta": "" if is_blank(delta) or delta == 0 else
                                  (f"{100 * delta:+.1f}pp" if name in ("rate", "coverage") else f"{delta:+g}"),
                                  "moved": old != new})
                out.append({"unit": rec.get("unit") or "", "key": str(rec[key]),
                            "label": "" if label is None or is_blank(rec.get(label)) else str(rec[label]),
                            "change": rec["change"], "change_word": ui[f"change_{rec['change']}"], "cells": cells})
            return out

        return {
            "lang": lang, "ui": ui, "tool_version": __version__, "kind": self.kind,
            "meta": {"old": self.old_source or "", "new": self.new_source or "",
                     "old_as_of": self.old_as_of or "", "new_as_of": self.new_as_of or "",
                     "title": (self.rulebook or {}).get("title") or ""},
            "has_unit": self.kind == "assessment",
            "units": {"head": [ui[f"cmp_{f}"] for f in UNIT_FIGURES], "rows": rows(self.units, "unit", UNIT_FIGURES)},
            "rules": {"head": [ui[f"cmp_{f}"] for f in RULE_FIGURES], "rows": rows(self.rules, "id", RULE_FIGURES, "title")},
            "sections": {"head": [ui[f"cmp_{f}"] for f in SECTION_FIGURES],
                         "rows": rows(self.sections, "id", SECTION_FIGURES, "title")},
            "divisions": {"head": [ui[f"cmp_{f}"] for f in DIVISION_FIGURES],
                          "rows": rows(self.divisions, "department", DIVISION_FIGURES)},
        }

    def lines(self, lang: str = "zh") -> list[str]:
        """The comparison for the terminal: every changed item, one line each."""
        view = self.view(lang)
        ui = view["ui"]
        out = [f"{ui['compare_title']}: {view['meta']['old']} ({view['meta']['old_as_of']}) → "
               f"{view['meta']['new']} ({view['meta']['new_as_of']})"]
        for table in ("units", "rules", "sections", "divisions"):
            part = view[table]
            out.append(f"{ui['cmp_table_' + table]}: " + (ui["cmp_none_changed"] if not part["rows"] else
                                                          ui["cmp_n_changed"].format(n=len(part["rows"]))))
            for row in part["rows"]:
                figures = [f"{head} {c['old']}→{c['new']}" + (f" ({c['delta']})" if c["delta"] else "")
                           for head, c in zip(part["head"], row["cells"]) if c["moved"]]
                name = " ".join(x for x in (row["unit"] if table != "units" else "", row["key"], row["label"]) if x)
                out.append(f"  [{row['change_word']}] {name}: " + ui["sep"].join(figures))
        return out


def compare(old, new) -> Comparison:
    """Compare two results or two assessments (paths, dicts or the objects)."""
    old_kind, old_data, old_source = read_side(old, "OLD")
    new_kind, new_data, new_source = read_side(new, "NEW")
    if old_kind != new_kind:
        raise DisclosureRulesError(f"OLD is {'an' if old_kind == 'assessment' else 'a'} {old_kind} and NEW is "
                                   f"{'an' if new_kind == 'assessment' else 'a'} {new_kind}; compare two result.json "
                                   "or two assessment.json")
    tables: dict[str, list[dict]] = {"rules": [], "sections": [], "divisions": []}
    if new_kind == "result":
        unit = (new_data.get("unit") or old_data.get("unit") or {}).get("name") or ""
        units = _table([{"unit": unit, **_score(old_data)}], [{"unit": unit, **_score(new_data)}], "unit",
                       tuple(f for f in UNIT_FIGURES if f != "rank"))
        for rec in units:
            rec["old_rank"] = rec["new_rank"] = rec["delta_rank"] = None
        tables = _result_tables(old_data, new_data, None)
    else:
        before = {_unit_key(u): u for u in old_data["units"]}
        after = {_unit_key(u): u for u in new_data["units"]}
        # a unit with a code in one and not the other is matched by name
        by_name = {f"name:{u.get('name')}": k for k, u in before.items()}
        old_units, new_units = [], []
        matched_old = set()
        for key, unit in after.items():
            o = before.get(key) or before.get(by_name.get(f"name:{unit.get('name')}", ""))
            new_units.append({"unit": unit["name"], "rank": unit.get("rank"), **_score(unit.get("result") or {})})
            if o is not None:
                matched_old.add(_unit_key(o))
                old_units.append({"unit": unit["name"], "rank": o.get("rank"), **_score(o.get("result") or {})})
                for name, part in _result_tables(o.get("result") or {}, unit.get("result") or {}, unit["name"]).items():
                    tables[name].extend(part)
            else:
                for name, part in _result_tables({}, unit.get("result") or {}, unit["name"]).items():
                    tables[name].extend(part)
        for key, o in before.items():
            if key not in matched_old:
                old_units.append({"unit": o["name"], "rank": o.get("rank"), **_score(o.get("result") or {})})
                for name, part in _result_tables(o.get("result") or {}, {}, o["name"]).items():
                    tables[name].extend(part)
        units = _table(old_units, new_units, "unit", UNIT_FIGURES)
    columns = {
        "rules": (["unit"] if new_kind == "assessment" else []) + ["id", "title"],
        "sections": (["unit"] if new_kind == "assessment" else []) + ["id", "title"],
        "divisions": (["unit"] if new_kind == "assessment" else []) + ["department"],
    }
    figures = {"rules": RULE_FIGURES, "sections": SECTION_FIGURES, "divisions": DIVISION_FIGURES}

    def frame(name: str) -> pd.DataFrame:
        cols = columns[name] + [f"{p}_{f}" for f in figures[name] for p in ("old", "new", "delta")] + ["change"]
        return pd.DataFrame(tables[name], columns=cols)

    unit_cols = ["unit"] + [f"{p}_{f}" for f in UNIT_FIGURES for p in ("old", "new", "delta")] + ["change"]
    return Comparison(kind=new_kind, units=pd.DataFrame(units, columns=unit_cols), rules=frame("rules"),
                      sections=frame("sections"), divisions=frame("divisions"),
                      old_source=old_source, new_source=new_source,
                      old_as_of=old_data.get("as_of"), new_as_of=new_data.get("as_of"),
                      rulebook=new_data.get("rulebook"))
