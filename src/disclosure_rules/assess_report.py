"""The assessment's outputs for people: index.html (ranking, unit x rule grid, links) and ranking.xlsx.

Like ``report.py`` this computes nothing about the audits: it arranges a finished
:class:`~.assessment.Assessment` for the template ``assess.html.j2``. Every value reaches the
page through autoescaping; every fixed word comes from ``words.py``; the page is one file
with inline CSS and requests nothing. The grid's size is units x rules (no ledger rows).
"""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .atomic import write_atomic, write_via_temp
from .exports import neutralize
from .report import _environment, _fmt_grid, _rate_class
from .words import NONE_MARK, Severity, Status, is_blank, percent_text, points_text, score_text, vocabulary

__all__ = ["build_index_view", "write_index", "write_ranking_xlsx"]


def _change(row) -> tuple[str, str]:
    """(text, class) of a unit's change against the previous assessment."""
    if is_blank(row["previous_rank"]) and is_blank(row["previous_total"]):
        return "", ""
    parts, cls = [], ""
    if not is_blank(row["change"]):
        delta = float(row["change"])
        parts.append(f"{delta:+.1f}")
        cls = "up" if delta > 0.05 else ("down" if delta < -0.05 else "")
    if not is_blank(row["rank_change"]) and int(row["rank_change"]):
        moved = int(row["rank_change"])
        parts.append(("↑" if moved > 0 else "↓") + str(abs(moved)))
    return " ".join(parts) or "±0", cls


def build_index_view(assessment, lang: str = "zh") -> dict:
    ui = vocabulary(lang)
    ranking = assessment.ranking
    info = assessment.book.rulebook
    rules = [r for r in assessment.book.rules if r.enabled]
    rows, grid = [], []
    for u, row in zip(assessment.units, ranking.to_dict("records")):
        change, change_cls = _change(row)
        if u.previous is None and assessment.previous_source is not None:
            change, change_cls = ui["new_unit"], "new"
        rows.append({
            "rank": u.rank, "unit": u.name, "code": u.code or "", "grade": row["grade"] or NONE_MARK,
            "graded_on": row["graded_on"], "vetoed": bool(row["vetoed_by"]), "vetoed_by": row["vetoed_by"],
            "grading_percent": score_text(row["grading_percent"]), "bonus": points_text(row["bonus"]) if row["bonus"] else "",
            "total": score_text(row["total"]), "strict_percent": score_text(row["strict_percent"]),
            "coverage": percent_text(row["coverage"]),
            "cls": _rate_class(None if is_blank(row["total"]) else min(1.0, float(row["total"]) / 100)),
            "violations": [row[f"violations_{s.value}"] for s in Severity],
            "change": change, "change_cls": change_cls,
            "report": f"units/{u.slug}/report.html", "result": f"units/{u.slug}/result.json",
            "findings": f"units/{u.slug}/整改清单.xlsx",
        })
        by_rule = {rr.id: rr for rr in u.result.rules}
        cells = []
        for rule in rules:
            rr = by_rule.get(rule.id)
            assessed = rr is not None and rr.status in (Status.PASS, Status.WARN, Status.FAIL)
            cells.append({
                "text": _fmt_grid(rr.rate) if assessed else "",
                "cls": _rate_class(rr.rate) if assessed else "rna",
                "title": f"{u.name} · {rule.id}: " + (f"{points_text(rr.awarded)} / {points_text(rr.possible)}"
                                                       if assessed else ui[f"status_{rr.status if rr else 'not_assessed'}"]),
            })
        grid.append({"name": u.name, "cells": cells})
    return {
        "lang": lang, "ui": ui,
        "meta": {"title": info.title, "id": info.id, "issuer": info.issuer or "",
                 "as_of": assessment.as_of.isoformat(), "n": len(assessment.units), "tool_version": __version__,
                 "previous": Path(assessment.previous_source).name if assessment.previous_source else ""},
        "rows": rows, "rules": [r.id for r in rules], "grid": grid,
        "severities": [ui[f"sev_{s.value}"] for s in Severity],
        "warnings": assessment.warnings_in(lang),
    }


def write_index(assessment, path, lang: str = "zh") -> None:
    html = _environment().get_template("assess.html.j2").render(**build_index_view(assessment, lang))
    write_atomic(path, html.encode("utf-8"))


def write_ranking_xlsx(assessment, path, lang: str = "zh") -> None:
    """ranking.xlsx: the ranking sheet (the page's columns) and the unit x rule sheet (status,
    rate, awarded and possible of every rule of every unit)."""
    ui = vocabulary(lang)

    def write(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = ui["ranking_sheet"][:31]
        head = [ui["rank"], ui["unit"], ui["unit_code"], ui["grade"], ui["grading_percent"], ui["bonus"], ui["total"],
                ui["strict_percent"], ui["percent_assessed"], ui["coverage"],
                *[f"{ui['violations']}（{ui['sev_' + s.value]}）" if lang == "zh" else f"{ui['violations']} ({s.value})"
                  for s in Severity], ui["vetoed_by"], ui["previous_rank"], ui["change"]]
        sheet.append(head)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in assessment.ranking.to_dict("records"):
            sheet.append([row["rank"], neutralize(row["unit"]), neutralize(row["code"] or ""), neutralize(row["grade"] or ""),
                          _num(row["grading_percent"]), _num(row["bonus"]), _num(row["total"]), _num(row["strict_percent"]),
                          _num(row["percent"]), _num(row["coverage"], 4),
                          *[int(row[f"violations_{s.value}"]) for s in Severity], row["vetoed_by"] or None,
                          None if is_blank(row["previous_rank"]) else int(row["previous_rank"]), _num(row["change"])])
        sheet.freeze_panes = "C2"
        matrix = workbook.create_sheet(ui["matrix_sheet"][:31])
        matrix.append([ui["unit"], ui["rule_id"], ui["status"], ui["rate"], ui["awarded"], ui["possible"],
                       ui["violations"]])
        for cell in matrix[1]:
            cell.font = Font(bold=True)
        for rec in assessment.matrix.to_dict("records"):
            matrix.append([neutralize(rec["unit"]), rec["rule"], ui[f"status_{rec['status']}"], _num(rec["rate"], 4),
                           _num(rec["awarded"]), _num(rec["possible"]), int(rec["violations"])])
        matrix.freeze_panes = "C2"
        matrix.auto_filter.ref = f"A1:G{matrix.max_row}"
        workbook.save(tmp)

    write_via_temp(path, write)


def _num(value, digits: int = 2):
    return None if is_blank(value) else round(float(value), digits)
