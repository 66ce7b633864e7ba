"""A small plan and a folder of units built in code, for the assessor's tests (DESIGN §7, §15).

``BOOK`` has two ledgers and four rules: a veto rule (all or nothing), a deduct rule with a
cap, a proportional rule and a bonus rule (capped by ``rulebook.bonus``). ``unit_frames``
gives each unit's ledgers as DataFrames with the Chinese headers an office would use;
``write_units`` writes them as a units folder the way assessors receive them:

- 甲局: CSV files named by the dataset (``requests.csv``, ``documents.csv``);
- 乙局: XLSX files named by the ledgers' titles, in folder ``b`` with a ``unit.yaml``
  (name and code); one request never answered, so the veto rule fails;
- 丙局: only its request ledger, named ``2021年依申请公开台账.csv`` (found by the ``files:``
  glob); its document ledger is missing;
- 丁局 and 戊局: twins, the same ledgers but for one request that 戊局 answered not in writing;
- 己局: exactly 丁局's ledgers (a tie).

``expected`` computes each unit's figures from its frames by the formulas of DESIGN §7,
independently of the engine.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from disclosure_rules.rulebook import rulebook_from_dict

AS_OF = "2021-12-31"
GRADES = [{"min": 90, "label": "优秀"}, {"min": 75, "label": "良好"}, {"min": 60, "label": "合格"},
          {"min": 0, "label": "不合格"}]
BONUS = {"max": 3, "min_percent": 60}
BOOK_DICT = {
    "rulebook": {"id": "assess-test", "title": "测试考核方案", "year": 2021,
                 "period": {"start": "2021-01-01", "end": "2021-12-31"}, "grades": GRADES, "bonus": BONUS},
    "sections": [{"id": "S1", "title": "依申请公开"}, {"id": "S2", "title": "主动公开"}],
    "datasets": {
        "requests": {"title": "依申请公开登记台账", "key": "req_id", "department": "department",
                     "files": ["*依申请*"], "unit": "unit",
                     "fields": {"req_id": {"type": "string", "required": True, "aliases": ["申请编号"]},
                                "department": {"type": "string", "aliases": ["承办处室"]},
                                "unit": {"type": "string", "aliases": ["单位"]},
                                "replied": {"type": "boolean", "aliases": ["是否答复"]},
                                "in_writing": {"type": "boolean", "aliases": ["书面答复"]}}},
        "documents": {"title": "公文台账", "key": "doc_id", "department": "department",
                      "files": ["*公文*"], "unit": "unit",
                      "fields": {"doc_id": {"type": "string", "required": True, "aliases": ["文号"]},
                                 "department": {"type": "string", "aliases": ["起草处室"]},
                                 "unit": {"type": "string", "aliases": ["单位"]},
                                 "disclosure": {"type": "category", "aliases": ["公开属性"],
                                                "values": {"active": ["主动公开"], "on_request": ["依申请公开"],
                                                           "not_public": ["不予公开"]}},
                                 "interpreted": {"type": "boolean", "aliases": ["已解读"]}}},
    },
    "rules": [
        {"id": "REQ-REPLIED", "title": "申请均已答复", "dataset": "requests", "section": "S1", "kind": "condition",
         "expect": "replied", "points": 10, "scoring": "all_or_nothing", "veto": True, "severity": "critical"},
        {"id": "REQ-WRITING", "title": "书面答复", "dataset": "requests", "section": "S1", "kind": "condition",
         "where": "replied", "expect": "in_writing", "points": 40, "scoring": {"deduct": 10},
         "severity": "minor"},
        {"id": "DOC-ATTR", "title": "明确公开属性", "dataset": "documents", "section": "S2", "kind": "required",
         "fields": ["disclosure"], "points": 50, "severity": "major"},
        {"id": "DOC-INTERP", "title": "主动公开文件均有解读", "dataset": "documents", "section": "S2",
         "kind": "condition", "where": "disclosure == '主动公开'", "expect": "interpreted", "points": 4,
         "bonus": True, "severity": "minor"},
    ],
}
BOOK = rulebook_from_dict(BOOK_DICT)

REQ_HEADERS = {"req_id": "申请编号", "department": "承办处室", "replied": "是否答复", "in_writing": "书面答复"}
DOC_HEADERS = {"doc_id": "文号", "department": "起草处室", "disclosure": "公开属性", "interpreted": "已解读"}
DIVISIONS = ["办公室", "外贸处", "外资处"]


def _requests(n: int, not_replied: int = 0, not_in_writing: int = 0, prefix: str = "YSQ") -> pd.DataFrame:
    replied = ["否"] * not_replied + ["是"] * (n - not_replied)
    writing = ["是"] * n
    for i in range(not_replied, not_replied + not_in_writing):
        writing[i] = "否"
    return pd.DataFrame({"申请编号": [f"{prefix}-{i + 1:03d}" for i in range(n)],
                         "承办处室": [DIVISIONS[i % 3] for i in range(n)],
                         "是否答复": replied, "书面答复": writing})


def _documents(n: int, blank_attr: int, active: int, interpreted: int, prefix: str = "DOC") -> pd.DataFrame:
    """``blank_attr`` documents without an attribute, then ``active`` 主动公开 ones (the first
    ``interpreted`` of them interpreted), the rest 依申请公开."""
    attrs = [""] * blank_attr + ["主动公开"] * active + ["依申请公开"] * (n - blank_attr - active)
    interp = ["否"] * n
    for i in range(blank_attr, blank_attr + interpreted):
        interp[i] = "是"
    return pd.DataFrame({"文号": [f"{prefix}-{i + 1:03d}" for i in range(n)],
                         "起草处室": [DIVISIONS[i % 3] for i in range(n)],
                         "公开属性": attrs, "已解读": interp})


def unit_frames() -> dict[str, dict[str, pd.DataFrame]]:
    """Each unit's ledgers (Chinese headers); a unit without a ledger has no entry for it."""
    twin_docs = _documents(12, blank_attr=0, active=10, interpreted=10)
    return {
        "甲局": {"requests": _requests(8, not_in_writing=1), "documents": _documents(10, 1, 8, 6)},
        "乙局": {"requests": _requests(6, not_replied=1), "documents": _documents(10, 0, 5, 5)},
        "丙局": {"requests": _requests(5)},
        "丁局": {"requests": _requests(9, not_in_writing=2), "documents": twin_docs},
        "戊局": {"requests": _requests(9, not_in_writing=3), "documents": twin_docs.copy()},
        "己局": {"requests": _requests(9, not_in_writing=2), "documents": twin_docs.copy()},
    }


#: how each unit's files are named and written: (folder, {dataset: file name}, unit.yaml or None)
LAYOUT = {
    "甲局": ("甲局", {"requests": "requests.csv", "documents": "documents.csv"}, None),
    "乙局": ("b", {"requests": "依申请公开登记台账.xlsx", "documents": "公文台账.xlsx"}, {"name": "乙局", "code": "B02"}),
    "丙局": ("丙局", {"requests": "2021年依申请公开台账.csv"}, None),
    "丁局": ("丁局", {"requests": "丁局依申请公开.xlsx", "documents": "丁局公文台账.csv"}, None),
    "戊局": ("戊局", {"requests": "戊局依申请公开.csv", "documents": "戊局公文台账.xlsx"}, None),
    "己局": ("己局", {"requests": "requests.csv", "documents": "documents.csv"}, None),
}


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")


def write_units(folder: Path, frames: dict | None = None) -> Path:
    """The units folder: one subfolder per unit, as LAYOUT says (plus a notes file no dataset claims)."""
    frames = unit_frames() if frames is None else frames
    folder.mkdir(parents=True, exist_ok=True)
    for unit, ledgers in frames.items():
        sub, names, meta = LAYOUT[unit]
        (folder / sub).mkdir(exist_ok=True)
        for dataset, frame in ledgers.items():
            write_frame(frame, folder / sub / names[dataset])
        if meta is not None:
            (folder / sub / "unit.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    (folder / "甲局" / "说明.txt").write_text("自查说明", encoding="utf-8")
    return folder


def write_single_ledger(folder: Path, frames: dict | None = None) -> Path:
    """Every unit's rows in one ledger per dataset (a platform export), with a 单位 column."""
    frames = unit_frames() if frames is None else frames
    folder.mkdir(parents=True, exist_ok=True)
    for dataset, name in (("requests", "全省依申请公开登记台账.xlsx"), ("documents", "全省公文台账.csv")):
        parts = [ledgers[dataset].assign(单位=unit) for unit, ledgers in frames.items() if dataset in ledgers]
        write_frame(pd.concat(parts, ignore_index=True), folder / name)
    return folder


# ------------------------------------------------------------------ the figures, computed apart

def _yes(column: pd.Series) -> pd.Series:
    return column.astype(str) == "是"


def expected(ledgers: dict[str, pd.DataFrame]) -> dict:
    """A unit's rule figures and score by DESIGN §7, from its frames (not from the engine)."""
    rules = {}
    reqs = ledgers.get("requests")
    if reqs is not None:
        bad = int((~_yes(reqs["是否答复"])).sum())
        rules["REQ-REPLIED"] = {"status": "fail" if bad else "pass", "violations": bad,
                                "awarded": 0.0 if bad else 10.0, "possible": 10.0}
        replied = reqs[_yes(reqs["是否答复"])]
        bad = int((~_yes(replied["书面答复"])).sum())
        rules["REQ-WRITING"] = {"status": "fail" if bad else "pass", "violations": bad,
                                "awarded": max(0.0, 40.0 - min(40.0, 10.0 * bad)), "possible": 40.0}
    else:
        rules["REQ-REPLIED"] = {"status": "not_assessed", "violations": 0, "awarded": 0.0, "possible": 0.0}
        rules["REQ-WRITING"] = {"status": "not_assessed", "violations": 0, "awarded": 0.0, "possible": 0.0}
    docs = ledgers.get("documents")
    if docs is not None:
        attr = docs["公开属性"].fillna("").astype(str).str.strip()
        bad = int((attr == "").sum())
        rules["DOC-ATTR"] = {"status": "fail" if bad else "pass", "violations": bad,
                             "awarded": 50.0 * (len(docs) - bad) / len(docs), "possible": 50.0}
        active = docs[attr == "主动公开"]
        bad = int((~_yes(active["已解读"])).sum())
        rules["DOC-INTERP"] = {"status": "fail" if bad else "pass", "violations": bad,
                               "awarded": 4.0 * (len(active) - bad) / len(active), "possible": 4.0}
    else:
        rules["DOC-ATTR"] = {"status": "not_assessed", "violations": 0, "awarded": 0.0, "possible": 0.0}
        rules["DOC-INTERP"] = {"status": "not_assessed", "violations": 0, "awarded": 0.0, "possible": 0.0}
    points = {"REQ-REPLIED": 10.0, "REQ-WRITING": 40.0, "DOC-ATTR": 50.0}
    scored = [r for r in points if rules[r]["status"] in ("pass", "fail")]
    awarded = sum(rules[r]["awarded"] for r in scored)
    possible = sum(points[r] for r in scored)
    missing = sum(points[r] for r in points if r not in scored)
    percent = 100 * awarded / possible
    strict = 100 * awarded / (possible + missing)
    coverage = possible / sum(points.values())
    grading = percent if coverage >= 1 else strict
    earned = rules["DOC-INTERP"]["awarded"] if rules["DOC-INTERP"]["status"] in ("pass", "fail") else 0.0
    bonus = min(BONUS["max"], earned) if grading >= BONUS["min_percent"] else 0.0
    total = grading + bonus
    vetoed = ["REQ-REPLIED"] if rules["REQ-REPLIED"]["status"] == "fail" else []
    grade = GRADES[-1]["label"] if vetoed else next(g["label"] for g in GRADES if total >= g["min"])
    severity = {"REQ-REPLIED": "critical", "REQ-WRITING": "minor", "DOC-ATTR": "major"}
    violations = {s: sum(rules[r]["violations"] for r in severity if severity[r] == s)
                  for s in ("critical", "major", "minor")}
    return {"rules": rules, "percent": percent, "strict_percent": strict, "coverage": coverage,
            "graded_on": "percent" if coverage >= 1 else "strict_percent", "grading_percent": grading,
            "bonus": bonus, "total": total, "vetoed_by": vetoed, "grade": grade, "violations": violations}


def expected_ranking(frames: dict | None = None) -> list[str]:
    """Units in rank order by the page's rule: not vetoed first, then total (grading percent +
    bonus) down, strict percent down, violations up, then name."""
    frames = unit_frames() if frames is None else frames
    figures = {unit: expected(ledgers) for unit, ledgers in frames.items()}
    return sorted(figures, key=lambda u: (bool(figures[u]["vetoed_by"]), -figures[u]["total"],
                                          -figures[u]["strict_percent"], sum(figures[u]["violations"].values()), u))
