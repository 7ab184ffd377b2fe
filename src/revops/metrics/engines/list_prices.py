"""Engine source of list-price metrics: each line item of a deal, its value at the price
book's list price against the value it was sold for.

A line's *list amount* is quantity x list price; its *sold amount* is its total (Salesforce
TotalPrice, HubSpot amount), else quantity x sales price less the line's percent discount.
Lines are read as they stood at the end of the as-of day (:mod:`revops.metrics.versions`:
a line re-priced later counts at its price then; one first recorded later has no values
then), with their deal as it stood then, so a line counts as won once its deal was won by
that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.sales import deals
from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_DEAL = ("account_id", "owner_id", "type", "closed_at", "is_won", "is_closed")
_COLUMNS = (
    "deal_line_id",
    "opportunity_id",
    "product_id",
    *_DEAL,
    "quantity",
    "list_price",
    "unit_price",
    "list_amount",
    "sold_amount",
    "discount_amount",
    "discount_share",
    "currency",
)


@engine(
    "deal_line_price",
    "One row per line item of an opportunity known at the end of the as-of day, as both "
    "stood then: the line's product, quantity, list_price and unit_price, list_amount "
    "(quantity x list_price), sold_amount (its total, else quantity x unit_price less its "
    "percent discount), discount_amount (list_amount - sold_amount) and discount_share (that "
    "share of list_amount; null without a list price), with its deal's account, owner, type, "
    "closed_at, is_won and is_closed.",
    _COLUMNS,
    windowed=False,
)
def deal_line_prices(ctx: SourceContext, period: Period) -> ir.Table:
    """Line items at list price and at the price sold, with their deal."""
    import ibis

    lines = ctx.table("deal_line")
    table = deals(ctx, period).select("opportunity_id", *_DEAL)
    table = table.rename(_deal="opportunity_id")
    joined = lines.join(table, lines.opportunity_id == table._deal)
    quantity = joined.quantity.cast("float64")
    listed = quantity * joined.list_price.cast("float64")
    discount = 1 - joined.discount_percent.cast("float64").fill_null(0) / 100
    sold = ibis.coalesce(
        joined.amount.cast("float64"), quantity * joined.unit_price.cast("float64") * discount
    )
    share = ibis.ifelse(listed > 0, 1 - sold / listed, ibis.null("float64"))
    return joined.select(
        "deal_line_id",
        "opportunity_id",
        "product_id",
        *_DEAL,
        quantity=quantity,
        list_price=joined.list_price.cast("float64"),
        unit_price=joined.unit_price.cast("float64"),
        list_amount=listed,
        sold_amount=sold,
        discount_amount=listed - sold,
        discount_share=share,
        currency="currency",
    )
