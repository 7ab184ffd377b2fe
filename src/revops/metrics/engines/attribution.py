"""Engine sources of marketing attribution: credit for pipeline, split among campaigns.

Each opportunity created in the window is credited to the campaign touches of its
account's people before it was created (a touch names its account, or a person who is a
contact or lead of it - matched by id or e-mail address). The touches are ordered by time
(then campaign id, then touch id, so the order never depends on the backend) and each
model gives every touch a share of the opportunity; the shares of an opportunity sum to 1
under every model:

- ``first_touch``: all to the first touch; ``last_touch``: all to the last one;
- ``linear``: 1/n to each of the n touches;
- ``w_shaped``: 30 % each to the first touch, the lead-creation touch and the last touch
  (the opportunity-creation touch), 10 % spread over the others. The lead-creation touch is
  the first touch the person responded to between the first and the last, else the middle
  one. With one touch it gets all; with two, half each; with three, a third each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

MODELS = ("first_touch", "last_touch", "linear", "w_shaped")
_CREDIT = (
    "opportunity_id",
    "account_id",
    "campaign_id",
    "channel",
    "model",
    "occurred_at",
    "credit",
    "credited_amount",
)


def account_touches(ctx: SourceContext) -> ir.Table:
    """Campaign touches with the account they belong to, and the campaign's channel."""
    import ibis

    touches = ctx.table("campaign_touch")
    contacts = ctx.keyed("contact").select(contact_key="lookup_key", contact_account="account_id")
    leads = ctx.keyed("lead").select(lead_key="lookup_key", lead_account="converted_account_id")
    joined = touches.left_join(contacts, touches.person_id == contacts.contact_key)
    joined = joined.left_join(leads, joined.person_id == leads.lead_key)
    campaigns = ctx.raw("campaign").select(touched_campaign="campaign_id", channel="channel")
    joined = joined.left_join(campaigns, joined.campaign_id == campaigns.touched_campaign)
    account = ibis.coalesce(joined.account_id, joined.contact_account, joined.lead_account)
    # A person known under several ids matches more than once: keep each touch once.
    resolved = joined.select(
        "campaign_touch_id",
        "campaign_id",
        "channel",
        "occurred_at",
        touch_account=account,
        has_responded=joined.has_responded.fill_null(False),
    )
    return resolved.filter(resolved.touch_account.notnull()).distinct()


def created_deals(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities created in the window."""
    from revops.metrics.compile import in_window

    deals = ctx.table("opportunity")
    return deals.filter(in_window(deals, "created_at", period)).select(
        "opportunity_id", "account_id", "created_at", "amount"
    )


def deal_touches(ctx: SourceContext, period: Period) -> ir.Table:
    """Each touch of an opportunity created in the window, numbered in time order."""
    import ibis

    deals = created_deals(ctx, period)
    touches = account_touches(ctx)
    pairs = deals.join(
        touches,
        [deals.account_id == touches.touch_account, touches.occurred_at < deals.created_at],
    )
    ordered = ibis.window(
        group_by=pairs.opportunity_id,
        order_by=[pairs.occurred_at, pairs.campaign_id, pairs.campaign_touch_id],
    )
    whole = ibis.window(group_by=pairs.opportunity_id)
    return pairs.mutate(
        position=ibis.row_number().over(ordered) + 1,
        touches=pairs.campaign_touch_id.count().over(whole),
    )


@engine(
    "attribution_credit",
    "One row per attribution model and campaign touch of an opportunity created in the "
    "window: the touch's credit (share of the opportunity, summing to 1 per opportunity and "
    "model) and credited_amount (credit x the opportunity's amount). Models: first_touch, "
    "last_touch, linear, w_shaped.",
    _CREDIT,
    windowed=True,
)
def attribution_credit(ctx: SourceContext, period: Period) -> ir.Table:
    """Credit of every touch under every model."""
    import ibis

    touches = deal_touches(ctx, period)
    n = touches.touches
    inner = touches.has_responded & (touches.position > 1) & (touches.position < n)
    whole = ibis.window(group_by=touches.opportunity_id)
    responded = ibis.ifelse(inner, touches.position, ibis.null("int64")).min().over(whole)
    touches = touches.mutate(lead_position=responded.fill_null(((n + 1) / 2).floor().cast("int64")))
    position, n = touches.position, touches.touches
    one = ibis.literal(1.0)
    zero = ibis.literal(0.0)
    anchor = (position == 1) | (position == n) | (position == touches.lead_position)
    credits = {
        "first_touch": ibis.ifelse(position == 1, one, zero),
        "last_touch": ibis.ifelse(position == n, one, zero),
        "linear": one / n.cast("float64"),
        "w_shaped": ibis.cases(
            (n <= 3, one / n.cast("float64")),
            (anchor, ibis.literal(0.3)),
            else_=ibis.literal(0.1) / (n - 3).cast("float64"),
        ),
    }
    rows = [
        touches.select(
            "opportunity_id",
            account_id=touches.account_id,
            campaign_id=touches.campaign_id,
            channel=touches.channel,
            model=ibis.literal(model),
            occurred_at=touches.occurred_at,
            credit=credit,
            credited_amount=touches.amount.cast("float64") * credit,
        )
        for model, credit in credits.items()
    ]
    union = rows[0]
    for more in rows[1:]:
        union = union.union(more)
    return union.filter(union.credit > 0)


@engine(
    "touched_deal",
    "One row per opportunity created in the window: its amount and touches, the campaign "
    "touches of its account's people before it was created.",
    ("opportunity_id", "account_id", "created_at", "amount", "touches"),
    windowed=True,
)
def touched_deals(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities created in the window and how many touches preceded them."""
    deals = created_deals(ctx, period)
    touches = account_touches(ctx)
    pairs = deals.left_join(
        touches,
        [deals.account_id == touches.touch_account, touches.occurred_at < deals.created_at],
    )
    return pairs.group_by(["opportunity_id", "account_id", "created_at", "amount"]).aggregate(
        touches=pairs.campaign_touch_id.count()
    )
