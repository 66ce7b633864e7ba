"""``annual_report:`` in the rulebook (DESIGN §14): how a book's ledgers map onto the national tables.

```yaml
annual_report:
  requests:                      # table 三
    dataset: requests
    received: received_on        # the original receipt date
    closed: replied_on           # blank = still open
    applicant: {field: applicant_type, columns: {natural_person: 自然人, business: 商业企业}}
    outcome: {field: outcome, rows: {disclosed: "三(一)", partial: "三(二)"}}
  documents: {dataset: documents, type: doc_type, issued: issued_on, repealed: repealed_on,
              rows: {规章: [regulation], 行政规范性文件: [normative]}}          # table 二
  reviews: {dataset: reviews, kind: review_kind, result: review_result,        # table 四
            groups: {reconsideration: 行政复议}, results: {upheld: 结果维持}}
```

The models validate the shape and the format's own words (a column label, a row id, a
group or result of table 四) with no data; :func:`check_mapping` checks, once the book is
whole, that every dataset, field and code named exists and has the right type. Several
codes may map to one column or row; a code mapped nowhere is reported per request as a
problem when the year's tables are built.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from .annual_format import APPLICANT_COLUMNS, DOCUMENT_ROWS, LEAF_ROWS, REVIEW_GROUPS, REVIEW_RESULTS
from .models import Strict

__all__ = ["AnnualReportSpec", "RequestsMapping", "DocumentsMapping", "ReviewsMapping", "check_mapping"]


def _one_of(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not {what} of the national format; use one of: {', '.join(allowed)}")
    return value


class ApplicantMapping(Strict):
    field: str
    #: category code -> table 三 column (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他)
    columns: dict[str, str] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _columns(cls, columns: dict[str, str]) -> dict[str, str]:
        for value in columns.values():
            _one_of(value, APPLICANT_COLUMNS, "an applicant column")
        return columns


class OutcomeMapping(Strict):
    field: str
    #: category code -> table 三 row id (三(一), 三(二), 三(三)1 ... 三(六)3)
    rows: dict[str, str] = Field(min_length=1)

    @field_validator("rows")
    @classmethod
    def _rows(cls, rows: dict[str, str]) -> dict[str, str]:
        for value in rows.values():
            _one_of(value, LEAF_ROWS, "an outcome row id")
        return rows


class RequestsMapping(Strict):
    dataset: str = "requests"
    received: str
    closed: str
    applicant: ApplicantMapping
    outcome: OutcomeMapping


class DocumentsMapping(Strict):
    dataset: str = "documents"
    type: str
    issued: str
    repealed: str | None = None
    #: table 二 row (规章, 行政规范性文件) -> the codes of ``type`` that count in it
    rows: dict[str, list[str]] = Field(min_length=1)

    @field_validator("rows")
    @classmethod
    def _rows(cls, rows: dict[str, list[str]]) -> dict[str, list[str]]:
        for value in rows:
            _one_of(value, DOCUMENT_ROWS, "a row of table 二's first block")
        return rows


class ReviewsMapping(Strict):
    dataset: str = "reviews"
    kind: str
    result: str
    #: the date the case was filed and the date it was concluded (blank = not concluded)
    filed: str | None = None
    closed: str | None = None
    #: code of ``kind`` -> 行政复议 / 未经复议直接起诉 / 复议后起诉
    groups: dict[str, str] = Field(min_length=1)
    #: code of ``result`` -> 结果维持 / 结果纠正 / 其他结果 / 尚未审结
    results: dict[str, str] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _groups(cls, groups: dict[str, str]) -> dict[str, str]:
        for value in groups.values():
            _one_of(value, REVIEW_GROUPS, "a group of table 四")
        return groups

    @field_validator("results")
    @classmethod
    def _results(cls, results: dict[str, str]) -> dict[str, str]:
        for value in results.values():
            _one_of(value, REVIEW_RESULTS, "a result column of table 四")
        return results


class AnnualReportSpec(Strict):
    requests: RequestsMapping | None = None
    documents: DocumentsMapping | None = None
    reviews: ReviewsMapping | None = None


def _field_problems(book, part: str, dataset: str, fields: dict[str, tuple[str | None, str]]) -> list[tuple[str, tuple]]:
    """(message, location) for each named field that is missing or of the wrong type."""
    loc = ("annual_report", part)
    spec = book.datasets.get(dataset)
    if spec is None:
        return [(f"annual_report.{part}: dataset {dataset!r} is not defined in 'datasets'; "
                 f"datasets: {', '.join(book.datasets)}", loc + ("dataset",))]
    out = []
    for key, (name, wanted) in fields.items():
        if name is None:
            continue
        field = spec.fields.get(name)
        where = loc + tuple(key.split("."))
        if field is None:
            out.append((f"annual_report.{part}.{key} names {name!r}, which is not a field of dataset "
                        f"{dataset!r}; fields: {', '.join(spec.fields)}", where))
        elif field.type != wanted:
            out.append((f"annual_report.{part}.{key}: field {name!r} is a {field.type} field; "
                        f"it must be a {wanted} field", where))
    return out


def _code_problems(book, part: str, dataset: str, field: str, codes, key: str) -> list[tuple[str, tuple]]:
    spec = book.datasets.get(dataset)
    fspec = spec.fields.get(field) if spec is not None else None
    if fspec is None or fspec.type != "category":
        return []
    known = list(fspec.values or {})
    return [(f"annual_report.{part}.{key}: {code!r} is not a code of field {field!r}; "
             f"its codes: {', '.join(known)}", ("annual_report", part) + tuple(key.split(".")))
            for code in codes if code not in known]


def check_mapping(book) -> list[tuple[str, tuple]]:
    """Problems (message, YAML location) of the book's ``annual_report`` mapping, if it has one."""
    spec: AnnualReportSpec | None = getattr(book, "annual_report", None)
    if spec is None:
        return []
    out: list[tuple[str, tuple]] = []
    if spec.requests is not None:
        m = spec.requests
        out += _field_problems(book, "requests", m.dataset, {
            "received": (m.received, "date"), "closed": (m.closed, "date"),
            "applicant.field": (m.applicant.field, "category"), "outcome.field": (m.outcome.field, "category")})
        out += _code_problems(book, "requests", m.dataset, m.applicant.field, m.applicant.columns, "applicant.columns")
        out += _code_problems(book, "requests", m.dataset, m.outcome.field, m.outcome.rows, "outcome.rows")
    if spec.documents is not None:
        m = spec.documents
        out += _field_problems(book, "documents", m.dataset, {
            "type": (m.type, "category"), "issued": (m.issued, "date"), "repealed": (m.repealed, "date")})
        out += _code_problems(book, "documents", m.dataset, m.type,
                              [c for codes in m.rows.values() for c in codes], "rows")
    if spec.reviews is not None:
        m = spec.reviews
        out += _field_problems(book, "reviews", m.dataset, {
            "kind": (m.kind, "category"), "result": (m.result, "category"),
            "filed": (m.filed, "date"), "closed": (m.closed, "date")})
        out += _code_problems(book, "reviews", m.dataset, m.kind, m.groups, "groups")
        out += _code_problems(book, "reviews", m.dataset, m.result, m.results, "results")
    return out
