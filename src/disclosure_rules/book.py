"""The validated rulebook (DESIGN §3): the model that unites the shared models and every kind's.

The rules are a union discriminated by ``kind``, built from the kinds registry, so each kind
accepts exactly its own keys and a new kind needs no change here.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr

from .annual_models import AnnualReportSpec
from .kinds import Rule
from .models import RULE_ID_PATTERN, BookInfo, CalendarSpec, DatasetSpec, Section, Strict, Waiver


class WaiverFile(Strict):
    waivers: list[Waiver] = Field(default_factory=list)


class Rulebook(Strict):
    """A validated rulebook (after ``extends`` has been merged)."""

    rulebook: BookInfo
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    sections: list[Section] = Field(default_factory=list)
    datasets: dict[str, DatasetSpec]
    rules: list[Rule] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)
    #: how the ledgers map onto the annual report's tables (DESIGN §14)
    annual_report: AnnualReportSpec | None = None

    # set by the loader, not by YAML
    _source: str | None = PrivateAttr(default=None)
    _sha256: str | None = PrivateAttr(default=None)
    _files: list[str] = PrivateAttr(default_factory=list)
    #: compiled expressions by rule (compiled.py), reused by every audit with this book
    _compiled: dict = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str | None:
        """The file the rulebook was loaded from (None when built in memory)."""
        return self._source

    @property
    def sha256(self) -> str | None:
        """sha256 of the rulebook file's bytes, and of its parents' when it extends one."""
        return self._sha256

    @property
    def compiled_cache(self) -> dict:
        """The book's compiled expressions (see ``compiled.py``)."""
        return self._compiled

    def rule(self, rule_id: str):
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def section(self, section_id: str | None) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None


def rulebook_json_schema() -> dict:
    """JSON Schema of the rulebook YAML (what an editor validates against).

    ``extends`` and ``remove_rules`` are consumed by the loader before validation,
    so they are added here by hand.
    """
    schema = Rulebook.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "disclosure-rules rulebook"
    props = schema.setdefault("properties", {})
    props["extends"] = {"type": "string", "description": "Parent rulebook: a path relative to this file, or builtin:<id>."}
    props["remove_rules"] = {"type": "array", "items": {"type": "string", "pattern": RULE_ID_PATTERN},
                             "description": "Inherited rule ids to drop."}
    if "required" in schema and "extends" not in schema["required"]:
        # a child rulebook may inherit datasets and rulebook info from its parent
        schema["_required_full"] = schema["required"]
        schema["required"] = []
    from .rulebook import _describe_schema, _severity_words, extends_schema

    _severity_words(schema)
    _describe_schema(schema)
    return extends_schema(schema)  # a child (extends) gives only what changes
