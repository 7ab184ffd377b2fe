"""Engine sources of marketing attribution: credit for pipeline, split among campaigns.

Each opportunity created in the window is credited to the campaign touches of its
account's people before it was created (a touch names its account, or a person who is a
contact or lead of it - matched by id or e-mail address). The touches are ordered by time
(then campaign id, then touch id, so the order never depends on the backend) and numbered
1..n; each model gives every touch a share of the opportunity, and the shares of an
opportunity sum to 1 under every model:

- ``first_touch``: all to touch 1; ``last_touch``: all to touch n (the last touch before
  the opportunity was created);
- ``linear``: 1/n to each touch;
- ``w_shaped``: three roles get 30 % each - the first touch (1), the lead-creation touch
  (m) and the opportunity-creation touch (n) - and 10 % is spread evenly over the touches
  holding no role. The lead-creation touch is the last touch at or before the MQL moment:
  the first MQL entry of the opportunity's primary contact (by id or e-mail address), else
  the latest MQL entry of a person of the account at or before the opportunity's creation.
  So m = max(1, number of touches at or before that moment); with no MQL moment, m = n.
  A touch holding several roles adds their 30 %s, and when no touch is left for the 10 %
  the weights are scaled up to sum to 1. Hence: 1 touch - 100 %; 2 touches - 2/3 to the
  one holding two roles, 1/3 to the other; 3 touches with m = 2 - a third each; 3 touches
  with m = 1 - 60 %, 10 %, 30 %; 4 touches with m = 2 - 30, 30, 10, 30 %.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import EMAIL_PREFIX, SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

MODELS = ("first_touch", "last_touch", "linear", "w_shaped")
ROLE_SHARE = 0.3
"""W-shaped: the share of each role (first, lead-creation, opportunity-creation touch)."""
ROLE_REST = 0.1
"""W-shaped: the share spread over the touches holding no role."""
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
    """Opportunities created in the window, as they stood at the end of the as-of day."""
    from revops.metrics.compile import in_window
    from revops.metrics.engines.deal_state import opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    return deals.filter(in_window(deals, "created_at", period)).select(
        "opportunity_id", "account_id", "primary_contact_id", "created_at", "amount"
    )


def mql_moments(ctx: SourceContext, deals: ir.Table) -> ir.Table:
    """For each of `deals`, mql_at: when its person became an MQL (see the module doc).

    The primary contact's first MQL entry, matched by id or e-mail address; else the latest
    MQL entry at or before the deal's creation of a person of its account (the event's
    account, or the account of the contact or converted lead the person is).
    """
    import ibis

    from revops.metrics.engines.funnel import first_entries, person_emails

    entries = first_entries(ctx)
    mqls = entries.filter(entries.stage == "mql").select(
        mql_person="person_id", mql_account="account_id", mql_at="entered_at"
    )
    # Every id a person is known by: its own, and `email:<address>` when it has one.
    emails = person_emails(ctx)
    mailed = mqls.join(emails, mqls.mql_person == emails.person_key)
    aliases = mqls.select("mql_person", "mql_at", mql_alias=mqls.mql_person).union(
        mailed.select(
            "mql_person",
            "mql_at",
            mql_alias=ibis.literal(EMAIL_PREFIX) + mailed.person_email,
        ),
        distinct=True,
    )
    contacts = ctx.keyed("contact").select(alias_of="contact_id", contact_alias="lookup_key")
    primaries = deals.select(
        primary_deal="opportunity_id", primary_key=deals.primary_contact_id
    ).filter(lambda t: t.primary_key.notnull())
    known = primaries.join(contacts, primaries.primary_key == contacts.alias_of)
    deal_aliases = primaries.select("primary_deal", deal_alias=primaries.primary_key).union(
        known.select("primary_deal", deal_alias=known.contact_alias), distinct=True
    )
    matched = deal_aliases.join(aliases, deal_aliases.deal_alias == aliases.mql_alias)
    primary = matched.group_by(primary_of="primary_deal").aggregate(
        primary_mql=matched.mql_at.min()
    )

    keyed_contacts = ctx.keyed("contact").select(
        contact_key="lookup_key", contact_account="account_id"
    )
    keyed_leads = ctx.keyed("lead").select(
        lead_key="lookup_key", lead_account="converted_account_id"
    )
    placed = mqls.left_join(keyed_contacts, mqls.mql_person == keyed_contacts.contact_key)
    placed = placed.left_join(keyed_leads, placed.mql_person == keyed_leads.lead_key)
    placed = placed.select(
        "mql_at",
        person_account=ibis.coalesce(
            placed.mql_account, placed.contact_account, placed.lead_account
        ),
    ).distinct()
    near = deals.select(near_deal="opportunity_id", near_account="account_id",
                        near_created="created_at")  # fmt: skip
    near = near.join(
        placed,
        [near.near_account == placed.person_account, placed.mql_at <= near.near_created],
    )
    account = near.group_by(account_of="near_deal").aggregate(account_mql=near.mql_at.max())

    joined = deals.left_join(primary, deals.opportunity_id == primary.primary_of)
    joined = joined.left_join(account, joined.opportunity_id == account.account_of)
    return joined.select(
        mql_deal="opportunity_id", mql_at=ibis.coalesce(joined.primary_mql, joined.account_mql)
    )


def deal_touches(ctx: SourceContext, period: Period) -> ir.Table:
    """Each touch of an opportunity created in the window, numbered in time order.

    `position` is 1..`touches`; `lead_position` the lead-creation touch (module doc).
    """
    return touches_of(ctx, created_deals(ctx, period))


def touches_of(ctx: SourceContext, deals: ir.Table) -> ir.Table:
    """Each touch of `deals` (rows with `opportunity_id`, `account_id`,
    `primary_contact_id`, `created_at`, `amount`) before the deal was created, numbered in
    time order as :func:`deal_touches` numbers them; the deals' other columns are kept."""
    import ibis

    moments = mql_moments(ctx, deals)
    deals = deals.join(moments, deals.opportunity_id == moments.mql_deal).drop("mql_deal")
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
    before_mql = ibis.ifelse(pairs.mql_at.isnull() | (pairs.occurred_at <= pairs.mql_at), 1, 0)
    return pairs.mutate(
        position=ibis.row_number().over(ordered) + 1,
        touches=pairs.campaign_touch_id.count().over(whole),
        lead_position=ibis.greatest(before_mql.sum().over(whole), 1),
    )


def w_shaped(
    position: ir.IntegerValue, lead: ir.IntegerValue, n: ir.IntegerValue
) -> ir.FloatingValue:
    """The W-shaped credit of touch `position` of `n`, `lead` the lead-creation touch."""
    import ibis

    def flag(condition: ir.BooleanValue) -> ir.IntegerValue:
        return ibis.ifelse(condition, 1, 0)

    roles = flag(position == 1) + flag(position == lead) + flag(position == n)
    holders = 1 + flag(n > 1) + flag((lead > 1) & (lead < n))
    others = (n - holders).cast("float64")
    share = ibis.ifelse(others > 0, ibis.literal(ROLE_REST) / others, ibis.literal(0.0))
    raw = roles.cast("float64") * ROLE_SHARE + ibis.ifelse(roles == 0, share, 0.0)
    total = ibis.ifelse(others > 0, 3 * ROLE_SHARE + ROLE_REST, 3 * ROLE_SHARE)
    return raw / total


@engine(
    "attribution_credit",
    "One row per attribution model and campaign touch of an opportunity created in the "
    "window: the touch's credit (share of the opportunity, summing to 1 per opportunity and "
    "model) and credited_amount (credit x the opportunity's amount). Models: first_touch, "
    "last_touch, linear, w_shaped (30 % each to the first, lead-creation and last touch, 10 % "
    "over the rest).",
    _CREDIT,
    windowed=True,
)
def attribution_credit(ctx: SourceContext, period: Period) -> ir.Table:
    """Credit of every touch under every model."""
    return credits(deal_touches(ctx, period))


def credits(touches: ir.Table, *keep: str) -> ir.Table:
    """One row per model and touch of `touches` (:func:`touches_of`) with a credit: the
    columns of :data:`_CREDIT`, and the touches' columns `keep`."""
    import ibis

    position, n = touches.position, touches.touches
    one = ibis.literal(1.0)
    zero = ibis.literal(0.0)
    by_model = {
        "first_touch": ibis.ifelse(position == 1, one, zero),
        "last_touch": ibis.ifelse(position == n, one, zero),
        "linear": one / n.cast("float64"),
        "w_shaped": w_shaped(position, touches.lead_position, n),
    }
    rows = [
        touches.select(
            "opportunity_id",
            *keep,
            account_id=touches.account_id,
            campaign_id=touches.campaign_id,
            channel=touches.channel,
            model=ibis.literal(model),
            occurred_at=touches.occurred_at,
            credit=credit,
            credited_amount=touches.amount.cast("float64") * credit,
        )
        for model, credit in by_model.items()
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
