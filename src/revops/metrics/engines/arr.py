"""Engine source of ARR: twelve times the MRR before it was rounded to the cent.

A subscription line keeps its MRR in cents (4 × $500 a year → 166.67), so twelve times the
sum of lines' MRR drifts from what customers pay a year (2,000.04, not 2,000). A line's ARR
is therefore its amount per year — unit price × quantity × bills a year — when that amount
spread over twelve months rounds to the MRR the line counts with (the line's MRR is that
amount, unrounded), and twelve times its MRR otherwise (a discount, a proration the price
does not show). The lines, the days they count and their MRR are those of the MRR engine
(:func:`~revops.metrics.engines.mrr.subscription_lines`, summed as
:func:`~revops.metrics.engines.mrr.mrr_at` sums them), so ARR is always twelve times MRR,
up to the rounding of MRR to the cent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.mrr import mrr_at, subscription_lines, with_owner
from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

PERIODS_A_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
"""Billing intervals in a year, per billing_interval."""
ARR_COLUMNS = ("account_id", "arr", "owner_id")
_HALF_CENT = 0.005 + 1e-9


def line_arr(ctx: SourceContext) -> ir.Table:
    """The MRR engine's lines with `mrr` replaced by each line's ARR."""
    import ibis

    lines = subscription_lines(ctx)
    raw = ctx.table("subscription_line")
    # interval_count: bills cover several intervals (3 months for a quarterly plan).
    count = raw.interval_count if "interval_count" in raw.columns else ibis.literal(1)
    prices = raw.select(
        _price_line_id=raw.subscription_line_id,
        _unit_price=raw.unit_price.cast("float64"),
        _quantity=raw.quantity.fill_null(1),
        _interval=raw.billing_interval.lower().strip(),
        _count=count.fill_null(1),
    )
    joined = lines.left_join(prices, lines.subscription_line_id == prices._price_line_id)
    periods = ibis.cases(
        *((joined._interval == name, count) for name, count in PERIODS_A_YEAR.items()),
        else_=ibis.null("int64"),
    )
    yearly = joined._unit_price * joined._quantity * periods / joined._count
    monthly = joined.mrr.cast("float64")
    exact = ((yearly / 12 - monthly).abs() <= _HALF_CENT).fill_null(False)
    arr = ibis.ifelse(exact, yearly, monthly * 12)
    return joined.mutate(mrr=arr).select(*lines.columns)


@engine(
    "arr_snapshot",
    "One row per account paying on the window's last day (or the as-of day, if earlier): "
    "its ARR, twelve times its MRR before rounding (a line's price x quantity x bills a "
    "year, where that is what its MRR says), and the account's owner_id.",
    ARR_COLUMNS,
    windowed=True,
)
def arr_snapshot(ctx: SourceContext, period: Period) -> ir.Table:
    """ARR per account at the end of the window."""
    day = min(period.last_day, ctx.as_of)
    totals = mrr_at(line_arr(ctx), day)
    return with_owner(ctx, totals.select("account_id", arr=totals.mrr))
