"""Engine source of pricing metrics: each deal's amount against the highest amount its
history quoted, and the discount band that concession falls in.

A deal's *peak amount* is the highest amount any of its history versions carried by the
as-of day (the price before negotiation); its *concession* is the share of that given
away by the amount it stands at: 1 - amount / peak_amount. A deal without history has
neither, and no band.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.history import versions_until
from revops.metrics.engines.sales import deals
from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)
DISCOUNT_BANDS = ((0.005, "0%"), (0.10, "0-10%"), (0.20, "10-20%"))
"""Upper bound (excluded) of each discount band's concession; above the last: `20%+`."""
TOP_BAND = "20%+"


@engine(
    "deal_price",
    "An opportunity as of the day (as `deal`, with cycle_days) with its history's "
    "first_amount and peak_amount (the highest amount a version carried), "
    "concession_amount (peak_amount - amount), concession (that share of peak_amount) and "
    "discount_band (0%, 0-10%, 10-20%, 20%+; null without history).",
    (
        *_OPPORTUNITY,
        "cycle_days",
        "first_amount",
        "peak_amount",
        "concession_amount",
        "concession",
        "discount_band",
    ),
    windowed=False,
)
def deal_prices(ctx: SourceContext, period: Period) -> ir.Table:
    """Deals with the amounts their history quoted and the concession made from the peak."""
    import ibis

    quoted = _quoted_amounts(ctx)
    table = deals(ctx, period)
    joined = table.left_join(quoted, table.opportunity_id == quoted.quoted_id)
    peak = joined.peak_amount.cast("float64")
    amount = joined.amount.cast("float64")
    concession = ibis.ifelse(peak > 0, 1 - amount / peak, ibis.null("float64"))
    band = ibis.cases(
        *[(concession < bound, ibis.literal(label)) for bound, label in DISCOUNT_BANDS],
        (concession.notnull(), ibis.literal(TOP_BAND)),
        else_=ibis.null("string"),
    )
    return joined.select(
        *_OPPORTUNITY,
        "cycle_days",
        first_amount=joined.first_amount.cast("float64"),
        peak_amount=peak,
        concession_amount=peak - amount,
        concession=concession,
        discount_band=band,
    )


def _quoted_amounts(ctx: SourceContext) -> ir.Table:
    """Per deal with history: `quoted_id`, `first_amount` (its first version's) and
    `peak_amount` (the highest), from versions known at the end of the as-of day."""
    import ibis

    versions = versions_until(ctx, ctx.as_of)
    versions = versions.filter(versions.amount.notnull())
    order = ibis.window(group_by=versions.opportunity_id, order_by=versions.valid_from)
    ranked = versions.mutate(_rank=ibis.row_number().over(order))
    first = ranked.filter(ranked._rank == 0).select(
        first_id=ranked.opportunity_id, first_amount=ranked.amount
    )
    peaks = versions.group_by(quoted_id=versions.opportunity_id).aggregate(
        peak_amount=versions.amount.max()
    )
    joined = peaks.left_join(first, peaks.quoted_id == first.first_id)
    return joined.select("quoted_id", "first_amount", "peak_amount")
