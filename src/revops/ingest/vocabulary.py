"""The workspace's words for coded columns, and the source values that mean them.

A shipped mapping passes a CRM's stage and type values through as the CRM writes them;
the workspace's `revops.yaml` decides what they are: `opportunity_stages` (each with
`source_values` where the CRM names it otherwise) and `opportunity_types`. Ingest turns
each source value into the workspace's value here, case-insensitively, refuses a stage
the workspace does not know, and keeps an unknown type as written (bookings of unknown
type, which the metrics show). A stage's category then gives `is_closed`, `is_won`,
`closed_at` and `probability` where the source lacks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.config import RevOpsConfig
    from revops.ingest.mapping import Mapping

FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
STAGE_ENTITIES = frozenset({"opportunity", "opportunity_history"})


@dataclass(frozen=True)
class Vocabulary:
    """What one column's source values mean in the workspace."""

    canonical: dict[str, str]
    """Source value, case-folded → the workspace's value."""
    strict: bool = True
    """Whether a value not listed refuses the row (else it is kept as written)."""
    categories: dict[str, str] = field(default_factory=dict)
    """Workspace value → open, won or lost (stages only)."""
    probabilities: dict[str, float] = field(default_factory=dict)
    """Workspace value → default probability in percent (stages only)."""

    @classmethod
    def of(cls, values: tuple[str, ...], *, strict: bool = True) -> Vocabulary:
        """The vocabulary of `values`, each standing for itself."""
        return cls({v.casefold(): v for v in values}, strict)

    @property
    def values(self) -> tuple[str, ...]:
        """The workspace's values, in order."""
        return tuple(dict.fromkeys(self.canonical.values()))

    def with_category(self, *categories: str) -> tuple[str, ...]:
        """The workspace values of these categories."""
        return tuple(v for v in self.values if self.categories.get(v) in categories)


def stage_vocabulary(config: RevOpsConfig) -> Vocabulary:
    """The workspace's opportunity stages, by name and by each of their source values."""
    canonical: dict[str, str] = {}
    for stage in config.opportunity_stages:
        canonical.update({value.casefold(): stage.name for value in stage.values()})
    return Vocabulary(
        canonical,
        strict=True,
        categories={s.name: s.category for s in config.opportunity_stages},
        probabilities={s.name: s.probability for s in config.opportunity_stages},
    )


def type_vocabulary(config: RevOpsConfig) -> Vocabulary:
    """The workspace's opportunity types; an unknown type is kept as the source wrote it."""
    canonical: dict[str, str] = {}
    for kind in config.opportunity_types:
        canonical.update({v.casefold(): kind.name for v in (kind.name, *kind.source_values)})
    return Vocabulary(canonical, strict=False)


def vocabularies(mapping: Mapping, config: RevOpsConfig) -> dict[str, Vocabulary]:
    """Column → its vocabulary, for the columns of `mapping`'s entity that have one."""
    lifecycle = Vocabulary.of(tuple(s.name for s in config.lifecycle_stages))
    found = {
        "forecast_category": Vocabulary.of(FORECAST_CATEGORIES),
        "lifecycle_stage": lifecycle,
    }
    if mapping.entity == "lifecycle_event":
        found["stage"] = lifecycle
    elif mapping.entity in STAGE_ENTITIES:
        found["stage"] = stage_vocabulary(config)
    if mapping.entity == "opportunity":
        found["type"] = type_vocabulary(config)
    return found
