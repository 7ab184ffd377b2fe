"""Engine source of methodology metrics: each deal beside the kinds of enablement content
used in it, to compare how deals worked with a kind of content end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.sales import deals
from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)
NO_CONTENT = "(none)"
"""The content type of a deal no enablement content was used in."""


@engine(
    "deal_content_type",
    "An opportunity as of the day (as `deal`, with cycle_days) once per type of "
    "enablement content (content.type: deck, case_study, battlecard, ...) used in it by "
    "the as-of day, in content_type; once with content_type (none) when none was used. A "
    "deal using two types counts in both: slice by content_type.",
    (*_OPPORTUNITY, "cycle_days", "content_type"),
    windowed=False,
)
def deal_contents(ctx: SourceContext, period: Period) -> ir.Table:
    """Deals, one row per kind of content used in them."""
    import ibis

    usage = ctx.table("content_usage")
    content = ctx.table("content").select(used_content="content_id", used_type="type")
    used = usage.filter(usage.opportunity_id.notnull()).join(
        content, usage.content_id == content.used_content
    )
    kinds = used.select(
        used_deal=used.opportunity_id, used_type=used.used_type.fill_null("other")
    ).distinct()
    table = deals(ctx, period)
    joined = table.left_join(kinds, table.opportunity_id == kinds.used_deal)
    return joined.select(
        *_OPPORTUNITY,
        "cycle_days",
        content_type=ibis.coalesce(joined.used_type, ibis.literal(NO_CONTENT)),
    )
