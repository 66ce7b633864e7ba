"""diff(old_book, new_book): what next year's plan changed (DESIGN §15).

Both books are loaded with ``extends`` resolved (so a child that inherits a rule and
changes one key shows that one key), then compared as validated models, defaults filled in:

* rules by id: added, removed, and for each rule in both the keys whose value differs,
  each with its old and new value and its class: ``thresholds`` (min, max, warn, limit,
  extension, due_soon, groups, per), ``points`` (points), ``scoring`` (scoring, veto,
  bonus), ``expressions`` (where, expect and every key the kind reads as an expression),
  ``fields`` (fields, join and every key that names a dataset field) or ``other`` (title,
  basis, severity, section, ...);
* sections by id (added, removed, title or description changed);
* datasets by name (added, removed, their own keys), and their fields by name (added,
  removed, and which of type, required, aliases, values changed);
* the rulebook's own keys (``rulebook:``: grades, min_coverage, bonus, period, ...) and
  ``calendar``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .atomic import write_atomic

__all__ = ["diff", "PlanDiff", "key_class"]

THRESHOLD_KEYS = {"min", "max", "warn", "limit", "extension", "due_soon", "groups", "per"}
SCORING_KEYS = {"scoring", "veto", "bonus"}


def key_class(rule, key: str) -> str:
    """The class of a rule's key for the diff (see the module docstring)."""
    if key in THRESHOLD_KEYS:
        return "thresholds"
    if key == "points":
        return "points"
    if key in SCORING_KEYS:
        return "scoring"
    if key in rule.expressions:
        return "expressions"
    if key in ("fields", "join") or key in {path.split(".")[0] for path, _ in rule.named_fields()}:
        return "fields"
    return "other"


def _dump(model) -> dict:
    return model.model_dump(mode="json", by_alias=True)


def _changes(old: dict, new: dict) -> list[dict]:
    """{key, old, new} for every key whose value differs (keys of either side)."""
    return [{"key": k, "old": old.get(k), "new": new.get(k)}
            for k in list(new) + [k for k in old if k not in new] if old.get(k) != new.get(k)]


@dataclass
class PlanDiff:
    """What :func:`diff` returns; ``rules`` (a DataFrame: one row per changed key, plus one per
    rule added or removed) and plain lists for the rest; ``to_dict()`` is the JSON."""

    old: dict                      # {"id", "title", "source"}
    new: dict
    rules_added: list[dict] = field(default_factory=list)       # {"id", "title"}
    rules_removed: list[dict] = field(default_factory=list)
    rules_changed: list[dict] = field(default_factory=list)     # {"id", "title", "changes": [{key, class, old, new}]}
    sections: dict = field(default_factory=dict)                # {"added": [...], "removed": [...], "changed": [...]}
    datasets: dict = field(default_factory=dict)                # {"added", "removed", "changed": [{name, changes, fields}]}
    rulebook: list[dict] = field(default_factory=list)          # [{key, old, new}] of rulebook: and calendar:

    @property
    def rules(self) -> pd.DataFrame:
        rows = [{"rule": r["id"], "change": "added", "key": None, "class": None, "old": None, "new": None}
                for r in self.rules_added]
        rows += [{"rule": r["id"], "change": "removed", "key": None, "class": None, "old": None, "new": None}
                 for r in self.rules_removed]
        rows += [{"rule": r["id"], "change": "changed", "key": c["key"], "class": c["class"],
                  "old": c["old"], "new": c["new"]} for r in self.rules_changed for c in r["changes"]]
        return pd.DataFrame(rows, columns=["rule", "change", "key", "class", "old", "new"])

    @property
    def empty(self) -> bool:
        return not (self.rules_added or self.rules_removed or self.rules_changed or self.rulebook
                    or any(self.sections.values()) or any(self.datasets.values()))

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new,
                "rules": {"added": self.rules_added, "removed": self.rules_removed, "changed": self.rules_changed},
                "sections": self.sections, "datasets": self.datasets, "rulebook": self.rulebook}

    def write_json(self, path) -> None:
        write_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8"))

    def lines(self, lang: str = "zh") -> list[str]:
        """The diff for the terminal."""
        from .words import vocabulary

        ui = vocabulary(lang)

        def value(v: Any) -> str:
            text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
            return text if len(text) <= 80 else text[:77] + "..."

        out = [f"{ui['diff_title']}: {self.old['id']} → {self.new['id']}"]
        if self.empty:
            out.append("  " + ui["diff_none"])
            return out
        for c in self.rulebook:
            out.append(f"  {ui['diff_rulebook']} {c['key']}: {value(c['old'])} → {value(c['new'])}")
        for r in self.rules_added:
            out.append(f"  + {ui['diff_rule']} {r['id']} {r['title']}")
        for r in self.rules_removed:
            out.append(f"  - {ui['diff_rule']} {r['id']} {r['title']}")
        for r in self.rules_changed:
            out.append(f"  ~ {ui['diff_rule']} {r['id']} {r['title']}")
            for c in r["changes"]:
                out.append(f"      {c['key']} [{ui['diff_class_' + c['class']]}]: {value(c['old'])} → {value(c['new'])}")
        for s in self.sections.get("added", []):
            out.append(f"  + {ui['diff_section']} {s['id']} {s['title']}")
        for s in self.sections.get("removed", []):
            out.append(f"  - {ui['diff_section']} {s['id']} {s['title']}")
        for s in self.sections.get("changed", []):
            out.append(f"  ~ {ui['diff_section']} {s['id']}: " + ", ".join(c["key"] for c in s["changes"]))
        for d in self.datasets.get("added", []):
            out.append(f"  + {ui['diff_dataset']} {d}")
        for d in self.datasets.get("removed", []):
            out.append(f"  - {ui['diff_dataset']} {d}")
        for d in self.datasets.get("changed", []):
            out.append(f"  ~ {ui['diff_dataset']} {d['name']}" + (
                ": " + ", ".join(c["key"] for c in d["changes"]) if d["changes"] else ""))
            for f in d["fields"]["added"]:
                out.append(f"      + {ui['diff_field']} {f}")
            for f in d["fields"]["removed"]:
                out.append(f"      - {ui['diff_field']} {f}")
            for f in d["fields"]["changed"]:
                out.append(f"      ~ {ui['diff_field']} {f['name']}: " + ", ".join(c["key"] for c in f["changes"]))
        return out


def _book(book):
    from .book import Rulebook
    from .rulebook import load_rulebook

    return book if isinstance(book, Rulebook) else load_rulebook(book)


def diff(old_book, new_book) -> PlanDiff:
    """Compare two rulebooks (paths, ``builtin:<id>`` or loaded), ``extends`` resolved on both."""
    old, new = _book(old_book), _book(new_book)
    out = PlanDiff(old={"id": old.rulebook.id, "title": old.rulebook.title, "source": old.source},
                   new={"id": new.rulebook.id, "title": new.rulebook.title, "source": new.source})
    out.rulebook = _changes(_dump(old.rulebook), _dump(new.rulebook))
    out.rulebook += [{**c, "key": f"calendar.{c['key']}"} for c in _changes(_dump(old.calendar), _dump(new.calendar))]

    before = {r.id: r for r in old.rules}
    after = {r.id: r for r in new.rules}
    out.rules_added = [{"id": i, "title": r.title} for i, r in after.items() if i not in before]
    out.rules_removed = [{"id": i, "title": r.title} for i, r in before.items() if i not in after]
    for rule_id, rule in after.items():
        if rule_id not in before:
            continue
        changes = _changes(_dump(before[rule_id]), _dump(rule))
        if changes:
            out.rules_changed.append({"id": rule_id, "title": rule.title, "changes": [
                {**c, "class": key_class(rule if c["key"] in _dump(rule) else before[rule_id], c["key"])}
                for c in changes]})

    s_old = {s.id: s for s in old.sections}
    s_new = {s.id: s for s in new.sections}
    out.sections = {
        "added": [{"id": i, "title": s.title} for i, s in s_new.items() if i not in s_old],
        "removed": [{"id": i, "title": s.title} for i, s in s_old.items() if i not in s_new],
        "changed": [{"id": i, "changes": ch} for i, s in s_new.items() if i in s_old
                    for ch in [_changes(_dump(s_old[i]), _dump(s))] if ch],
    }

    d_old, d_new = old.datasets, new.datasets
    changed = []
    for name, spec in d_new.items():
        if name not in d_old:
            continue
        mine, theirs = _dump(d_old[name]), _dump(spec)
        f_old, f_new = mine.pop("fields"), theirs.pop("fields")
        fields = {"added": [f for f in f_new if f not in f_old], "removed": [f for f in f_old if f not in f_new],
                  "changed": [{"name": f, "changes": ch} for f in f_new if f in f_old
                              for ch in [_changes(f_old[f], f_new[f])] if ch]}
        own = _changes(mine, theirs)
        if own or any(fields.values()):
            changed.append({"name": name, "changes": own, "fields": fields})
    out.datasets = {"added": [d for d in d_new if d not in d_old], "removed": [d for d in d_old if d not in d_new],
                    "changed": changed}
    return out
