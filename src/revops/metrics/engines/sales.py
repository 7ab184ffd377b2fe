"""Engine sources of sales metrics: opportunities with the facts their metrics need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)
SECONDS_PER_DAY = 86_400


@engine(
    "deal",
    "An opportunity (in reporting currency) with derived facts: cycle_days from creation "
    "to close, is_marketing_sourced, and stage_category (open, won or lost per the workspace "
    "stages).",
    (*_OPPORTUNITY, "cycle_days", "is_marketing_sourced", "stage_category"),
    windowed=False,
)
def deals(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities with cycle length, marketing-sourced flag and stage category."""
    import ibis

    table = ctx.table("opportunity")
    seconds = table.closed_at.epoch_seconds() - table.created_at.epoch_seconds()
    sourced_by = table.sourced_by.lower()
    marketing = ibis.ifelse(
        sourced_by.notnull(),
        sourced_by == "marketing",
        table.lead_source.isin(list(ctx.settings.marketing_lead_sources)),
    )
    category = ibis.cases(
        *[(table.stage == s.name, s.category) for s in ctx.config.opportunity_stages],
        else_=ibis.null("string"),
    )
    return table.mutate(
        cycle_days=(seconds / SECONDS_PER_DAY).cast("float64"),
        is_marketing_sourced=marketing.fill_null(False),
        stage_category=category,
    )
