"""Engine source of campaign return: what each campaign cost and what it brought, to date.

A campaign belongs to the window it started in (its start date, else the day it was
created). Its cost is its `actual_cost` as recorded by the as-of day (its latest version
in campaign_history then, :mod:`revops.metrics.versions`; none known counts none). What it
brought is counted over every deal created by the as-of day, as the deal stood then:

- *sourced*: deals whose primary campaign (`campaign_id`) it is;
- *influenced*, under each attribution model of :mod:`revops.metrics.engines.attribution`:
  the campaign's credit in each deal its touches preceded (the touches of the deal's
  account's people before the deal was created): credited pipeline (any deal), bookings
  (won deals) and new customers (won deals of type new; a deal shared by two campaigns
  is half a customer to each under linear credit).

So a campaign's return grows as its deals close: the ROI of a recent campaign is early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.attribution import MODELS, account_touches, credits, touches_of
from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_PER_MODEL = ("pipeline", "bookings", "new_customers")
_COLUMNS = (
    "campaign_id",
    "channel",
    "owner_id",
    "launch_date",
    "cost",
    "sourced_pipeline",
    "sourced_bookings",
    "sourced_new_customers",
    "deals_won",
    *(f"{what}_{model}" for model in MODELS for what in _PER_MODEL),
)


def launched(ctx: SourceContext, period: Period) -> ir.Table:
    """The campaigns that started in the window (up to the as-of day), with `launch_date`
    and `cost` (actual cost, in the reporting currency)."""
    import ibis

    from revops.metrics.compile import in_window, known_part

    campaigns = ctx.table("campaign")
    campaigns = campaigns.mutate(
        launch_date=ibis.coalesce(campaigns.start_date, campaigns.created_at.cast("date"))
    )
    campaigns = campaigns.filter(in_window(campaigns, "launch_date", known_part(ctx, period)))
    return campaigns.select(
        "campaign_id",
        "channel",
        "owner_id",
        "launch_date",
        cost=campaigns.actual_cost.cast("float64"),
    )


def _deals(ctx: SourceContext) -> ir.Table:
    """Every deal created by the as-of day, as it stood then, with what return counts: won
    by then (a deal with no history is its row as it is now, so its close is checked)."""
    from datetime import timedelta

    from revops.metrics.compile import moment
    from revops.metrics.engines.deal_state import opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    day_after = moment(deals, "closed_at", ctx.as_of + timedelta(days=1))
    won = deals.is_won & deals.closed_at.notnull() & (deals.closed_at < day_after)
    return deals.select(
        "opportunity_id",
        "account_id",
        "primary_contact_id",
        "created_at",
        "amount",
        primary_campaign=deals.campaign_id,
        is_won=won.fill_null(False),
        is_new=(deals.type == "new").fill_null(False),
    )


def sourced(ctx: SourceContext, cohort: ir.Table) -> ir.Table:
    """Per campaign of `cohort`: the pipeline, bookings and new customers of the deals it
    is the primary campaign of."""
    deals = _deals(ctx)
    deals = deals.filter(deals.primary_campaign.isin(cohort.campaign_id))
    won = deals.is_won
    return deals.group_by(_sourced_by="primary_campaign").aggregate(
        sourced_pipeline=deals.amount.cast("float64").sum(),
        sourced_bookings=deals.amount.cast("float64").sum(where=won),
        sourced_new_customers=deals.count(where=won & deals.is_new),
    )


def influenced(ctx: SourceContext, cohort: ir.Table) -> ir.Table:
    """Per campaign of `cohort`: its credit under each model (module doc), and deals_won,
    the won deals it touched."""
    touched = account_touches(ctx)
    touched = touched.filter(touched.campaign_id.isin(cohort.campaign_id))
    deals = _deals(ctx)
    # Only the deals of accounts a campaign of the cohort touched can credit one.
    deals = deals.filter(deals.account_id.isin(touched.touch_account))
    credited = credits(touches_of(ctx, deals), "is_won", "is_new")
    credited = credited.filter(credited.campaign_id.isin(cohort.campaign_id))
    measures = {}
    for model in MODELS:
        mine = credited.model == model
        won = mine & credited.is_won
        measures[f"pipeline_{model}"] = credited.credited_amount.sum(where=mine)
        measures[f"bookings_{model}"] = credited.credited_amount.sum(where=won)
        measures[f"new_customers_{model}"] = credited.credit.sum(where=won & credited.is_new)
    return credited.group_by(_influenced_by="campaign_id").aggregate(
        deals_won=credited.opportunity_id.nunique(where=credited.is_won),
        **measures,
    )


@engine(
    "campaign_return",
    "One row per campaign that started in the window: its channel, owner, cost (actual "
    "cost as recorded by the as-of day) and, over the deals created by the as-of day as "
    "they stood then, the pipeline, "
    "bookings and new customers (won deals of type new) it sourced as their primary "
    "campaign, and those credited to it under each attribution model (pipeline_<model>, "
    "bookings_<model>, new_customers_<model>; models first_touch, last_touch, linear, "
    "w_shaped), with deals_won, the won deals its touches preceded.",
    _COLUMNS,
    windowed=True,
)
def campaign_return(ctx: SourceContext, period: Period) -> ir.Table:
    """Cost and return of the campaigns launched in the window."""
    cohort = launched(ctx, period)
    own = sourced(ctx, cohort.view())
    joined = cohort.left_join(own, cohort.campaign_id == own._sourced_by)
    credited = influenced(ctx, cohort.view())
    joined = joined.left_join(credited, joined.campaign_id == credited._influenced_by)
    return joined.select(
        *_COLUMNS[:5], **{name: joined[name].fill_null(0) for name in _COLUMNS[5:]}
    )
