"""What became of a lead after an instant: converted (to an opportunity, won) within a
window, as one ibis query. Only the training set and the evaluation read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from revops.leads.rules import Outcome

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse


def outcomes(warehouse: Warehouse, start: datetime, days: int, outcome: Outcome) -> ir.Table:
    """lead_id and `label` (1 or 0): the lead reached `outcome` after `start` and at
    or before `start + days`."""
    import ibis

    lead = warehouse.table("lead")
    begin = ibis.literal(start, type="timestamp('UTC')")
    end = ibis.literal(start + timedelta(days=days), type="timestamp('UTC')")
    converted = (
        lead.converted_at.notnull() & (lead.converted_at > begin) & (lead.converted_at <= end)
    )
    if outcome == "converted":
        return lead.select("lead_id", label=_flag(converted))
    with_deal = converted & lead.converted_opportunity_id.notnull()
    if outcome == "opportunity":
        return lead.select("lead_id", label=_flag(with_deal))
    deal = warehouse.table("opportunity")
    won = deal.filter(deal.is_won.fill_null(False), deal.closed_at <= end).select(
        won_id="opportunity_id"
    )
    joined = lead.left_join(won, lead.converted_opportunity_id == won.won_id)
    hit = with_deal & joined.won_id.notnull()
    return joined.select("lead_id", label=_flag(hit))


def _flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where `condition` holds, else 0 (PostgreSQL casts no boolean to an integer)."""
    import ibis

    return ibis.ifelse(condition.fill_null(False), 1, 0).cast("int64")
