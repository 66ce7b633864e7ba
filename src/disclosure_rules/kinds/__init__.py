"""Rule kinds (DESIGN §6): the one list of kinds.

Each kind is one file here: its parameters model, ``evaluate(view) -> Verdict``, its
messages and checks, and a docstring example. Adding a kind is one file, one line in
:data:`REGISTRY`, its words and its YAML cases (``tests/cases/<kind>.yaml``).
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from .base import Kind, RuleView, Verdict
from .condition import Condition
from .count import Count
from .deadline import Deadline
from .ratio import Ratio
from .required import Required
from .sequence import Sequence
from .trend import Trend
from .unique import Unique

REGISTRY: dict[str, Kind] = {kind.name: kind for kind in (
    Required(), Condition(), Ratio(), Deadline(), Unique(), Sequence(), Count(), Trend(),
)}

#: a rule of any kind, as the rulebook's ``rules:`` holds it (discriminated by ``kind``)
Rule = Annotated[Union[tuple(kind.Rule for kind in REGISTRY.values())], Field(discriminator="kind")]

__all__ = ["REGISTRY", "Rule", "Kind", "RuleView", "Verdict"]
