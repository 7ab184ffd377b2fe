"""Engine sources of partner operations: deal registrations, and the deals partners bring.

A registration is *accepted* when its status is approved, won or lost and it was decided
by the end of the as-of day (a decision dated later was not known then; an accepted one
without a decision date counts, its time to accept unknown).

A deal's partner is its own `partner_id`, else the partner of the earliest registration
accepted for it. A deal is *partner-sourced* when its `sourced_by` says partner, or, with
no `sourced_by`, when its lead source is partner or a registration for it was accepted
that the partner made before the deal was created (the partner brought it). A deal with a
partner that the partner did not source is *partner-influenced*: a reseller or technology
partner joined a deal the company found itself. The two never overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.sales import SECONDS_PER_DAY, deals
from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

ACCEPTED = ("approved", "won", "lost")
"""Statuses of a registration the company accepted (a won or lost one was approved first)."""
PARTNER = "partner"
"""The `sourced_by` and `lead_source` value of a deal a partner brought."""

_REGISTRATION = tuple(c.name for c in ENTITIES["partner_deal"].all_columns)
_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)


@engine(
    "partner_registration",
    "A deal registration (partner_deal) with is_accepted (approved, won or lost, decided by "
    "the end of the as-of day), is_rejected (rejected by then) and days_to_accept (days "
    "from registration to acceptance, where both are known).",
    (*_REGISTRATION, "is_accepted", "is_rejected", "days_to_accept"),
    windowed=False,
)
def partner_registrations(ctx: SourceContext, period: Period) -> ir.Table:
    """Registrations with what was decided about them by the as-of day."""
    import ibis

    regs = ctx.table("partner_deal")
    decided = regs.decided_at.notnull() & (regs.decided_at < _day_after(ctx, regs, "decided_at"))
    status = regs.status.lower()
    accepted = status.isin(list(ACCEPTED)) & (regs.decided_at.isnull() | decided)
    seconds = regs.decided_at.epoch_seconds() - regs.registered_at.epoch_seconds()
    return regs.mutate(
        is_accepted=accepted.fill_null(False),
        is_rejected=((status == "rejected") & decided).fill_null(False),
        days_to_accept=ibis.ifelse(
            accepted & decided, (seconds / SECONDS_PER_DAY).cast("float64"), ibis.null("float64")
        ),
    )


def _day_after(ctx: SourceContext, table: ir.Table, column: str) -> ir.Value:
    from datetime import timedelta

    from revops.metrics.compile import moment

    return moment(table, column, ctx.as_of + timedelta(days=1))


def registered_partners(ctx: SourceContext, period: Period) -> ir.Table:
    """For each deal with an accepted registration: `_reg_deal`, the partner of the
    earliest one (`_reg_partner`) and when it was made (`_reg_at`)."""
    import ibis

    regs = partner_registrations(ctx, period)
    regs = regs.filter(regs.is_accepted & regs.opportunity_id.notnull())
    first = ibis.window(
        group_by=regs.opportunity_id, order_by=[regs.registered_at, regs.partner_id]
    )
    ranked = regs.mutate(_rank=ibis.row_number().over(first))
    ranked = ranked.filter(ranked._rank == 0)
    return ranked.select(
        _reg_deal=ranked.opportunity_id,
        _reg_partner=ranked.partner_id,
        _reg_at=ranked.registered_at,
    )


@engine(
    "partner_opportunity",
    "An opportunity as the `deal` source has it (as of the day, in reporting currency) with "
    "partner_id (its own, else the partner of its earliest accepted registration), "
    "is_partner_sourced, is_partner_influenced (a partner it did not source) and "
    "has_partner (either).",
    (*_OPPORTUNITY, "is_partner_sourced", "is_partner_influenced", "has_partner"),
    windowed=False,
)
def partner_opportunities(ctx: SourceContext, period: Period) -> ir.Table:
    """Deals with their partner and how the partner took part."""
    import ibis

    table = deals(ctx, period).select(*_OPPORTUNITY)
    registered = registered_partners(ctx, period)
    joined = table.left_join(registered, table.opportunity_id == registered._reg_deal)
    partner = ibis.coalesce(joined.partner_id, joined._reg_partner)
    sourced_by = joined.sourced_by.lower()
    brought = joined._reg_at.notnull() & (joined._reg_at <= joined.created_at)
    sourced = ibis.ifelse(
        sourced_by.notnull(),
        sourced_by == PARTNER,
        (joined.lead_source.lower() == PARTNER).fill_null(False) | brought.fill_null(False),
    ).fill_null(False)
    return joined.mutate(
        partner_id=partner,
        is_partner_sourced=sourced,
        is_partner_influenced=partner.notnull() & ~sourced,
        has_partner=partner.notnull() | sourced,
    ).select(*_OPPORTUNITY, "is_partner_sourced", "is_partner_influenced", "has_partner")
