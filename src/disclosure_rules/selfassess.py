"""The self-assessment form (自评表, DESIGN §15): the assessors' columns, one row per rule.

指标 (the rule's section), 具体项目 (its title; 加分项 / 单项否决项 marked), 分值 (its points),
评分说明 (how it scores, ``explain.scoring_text``), 考核填报 (what the ledgers show: status,
counts, rate and the rule's message), 佐证材料 (the ledger files with their sha256, and the
rectification list when one was written), 自评分 (the points awarded; 0 for a rule that
could not be assessed, blank for one with nothing to check). A last row gives the totals
and the figure the grade comes from. Text cells are neutralised against formula
injection; the file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_via_temp
from .exports import _ILLEGAL_XLSX, neutralize
from .words import Status, number_text, percent_text, score_text, status_word, vocabulary, word

__all__ = ["self_assessment_rows", "write_self_assessment", "COLUMNS"]

#: (words key, column width)
COLUMNS = (("sa_indicator", 18), ("sa_item", 36), ("sa_points", 8), ("sa_scoring", 48), ("sa_reported", 48),
           ("sa_evidence", 40), ("sa_self_score", 10))


def _evidence(result, rule_dataset: str, findings: str | None, lang: str) -> str:
    ds = result.data.get(rule_dataset)
    title = result.book.datasets[rule_dataset].title if lang == "zh" else None
    if ds is None:
        lines = [word("sa_not_supplied", lang, dataset=title or rule_dataset)]
    else:
        name = Path(ds.source).name if ds.source else rule_dataset
        lines = [f"{title or rule_dataset}: {name}" + (f" (sha256 {ds.sha256})" if ds.sha256 else "")]
    if findings:
        lines.append(word("sa_findings_file", lang, file=Path(findings).name))
    return "\n".join(lines)


def self_assessment_rows(result, lang: str = "zh", findings: str | None = None) -> list[list]:
    """The form's rows (after the header), as cell values."""
    from .explain import scoring_text

    book = result.book
    sections = {s.id: s.title for s in book.sections}
    by_id = {rr.id: rr for rr in result.rules}
    rows = []
    for rule in book.rules:
        rr = by_id.get(rule.id)
        if rr is None:  # disabled
            continue
        item = rule.title
        if rule.bonus:
            item += word("sa_bonus_mark", lang)
        if rule.veto:
            item += word("sa_veto_mark", lang)
        message = (rr.message_zh if lang == "zh" else "") or rr.message
        reported = word("sa_reported_line", lang, status=status_word(rr.status, lang),
                        population=number_text(rr.population) or "0", violations=number_text(rr.violations) or "0",
                        rate=percent_text(rr.rate, fixed=True))
        if message:
            reported += "\n" + message
        if rr.status in (Status.PASS, Status.WARN, Status.FAIL):
            awarded = round(float(rr.awarded), 2)
        elif rr.status == Status.NOT_APPLICABLE:
            awarded = None
        else:
            awarded = 0.0
        rows.append([sections.get(rule.section, rule.section or ""), item, float(rule.points),
                     scoring_text(rule, lang), reported, _evidence(result, rule.dataset, findings, lang), awarded])
    graded = result.grading_percent
    total_line = word("sa_total_line", lang, grade=result.grade or "", score=score_text(result.total if result.total
                                                                                        is not None else graded))
    possible = sum(float(r.points) for r in book.rules if r.enabled and not r.bonus)
    rows.append([word("sa_total", lang), total_line, possible, "", "", "",
                 None if result.total is None else round(float(result.total), 2)])
    return rows


def write_self_assessment(result, path, lang: str = "zh", findings: str | None = None) -> None:
    """Write the 自评表 (.xlsx) of ``result`` to ``path``."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the self-assessment form is .xlsx, not {path.suffix or 'a file without suffix'!r}: {path}")
    ui = vocabulary(lang)

    def write(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = ui["sa_sheet"][:31]
        unit = result.unit["name"] if result.unit else ""
        sheet.append([neutralize(_ILLEGAL_XLSX.sub("", f"{unit} {result.book.rulebook.title}".strip()))])
        sheet.append([ui[key] for key, _ in COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        for row in self_assessment_rows(result, lang, findings):
            sheet.append([neutralize(_ILLEGAL_XLSX.sub("", v)) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
        for index, (_, width) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        workbook.save(tmp)

    write_via_temp(path, write)
