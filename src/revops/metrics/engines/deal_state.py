"""Each opportunity as it stood at an instant: its row, with what history versions read then.

An opportunity row holds the deal as it is now. Read *as of* a day, a deal is its row
with the fields opportunity history keeps replaced by those of its latest version at or
before the end of that day (:func:`revops.warehouse.asof.as_of`):

- `stage`, `amount`, `close_date` are the version's; `currency`, `forecast_category` and
  `probability` too, where the version has them (else the row's);
- `owner_id` is the one of the latest version naming an owner (Salesforce's own history
  names none; versions derived from snapshots do), else the row's;
- `is_won` and `is_closed` follow the version's stage category (won, lost, open) when its
  stage is not the row's stage; with the same stage they are the row's, as the source says;
- `closed_at` is null unless the deal was closed then. Closed then as it is closed now
  (won both times, or lost both times), it is the row's; otherwise (won then, lost or
  reopened since) it is when history saw it enter that outcome.

A deal created after the day is not there. A deal with no version by then (no history
at all, or history that starts later, as versions derived from snapshots do) is its
row as it is now, if it was created by then: nothing else says what it was. Fields
history does not keep (name, account, type, lead source, sourced_by...) are the row's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.config import OpportunityStage
    from revops.metrics.sources import SourceContext

CLOSED = ("won", "lost")
"""Stage categories of a closed deal."""
_FILLED = ("currency", "forecast_category", "probability")
"""Versioned fields a version may leave empty: the row's value stands in."""


def stage_category(stage: ir.StringValue, stages: Sequence[OpportunityStage]) -> ir.StringValue:
    """open, won or lost: the category of `stage` among the workspace's stages (null for a
    stage it does not define)."""
    import ibis

    return ibis.cases(
        *[(stage == s.name, s.category) for s in stages], else_=ibis.null("string")
    ).name("stage_category")


def deals_as_of(
    deals: ir.Table, history: ir.Table, stages: Sequence[OpportunityStage], day: date
) -> ir.Table:
    """`deals` (opportunity rows) as they stood at the end of `day`, read from `history`
    (opportunity history versions), as the module says; same columns as `deals`.

    Both tables are as stored: amounts in their own currencies.
    """
    import ibis

    from revops.metrics.compile import moment
    from revops.metrics.engines.history import end_of
    from revops.warehouse.asof import as_of

    after = day + timedelta(days=1)
    deals = deals.filter(
        deals.created_at.isnull() | (deals.created_at < moment(deals, "created_at", after))
    )
    versions = history.filter(history.valid_from < moment(history, "valid_from", after))
    at = end_of(day)
    current = as_of(versions, at, "opportunity_id")
    current = current.select(
        _deal=current.opportunity_id,
        _stage=current.stage,
        _amount=current.amount,
        _close_date=current.close_date,
        **{f"_{name}": current[name] for name in _FILLED},
    )
    named = as_of(versions.filter(versions.owner_id.notnull()), at, "opportunity_id")
    named = named.select(_owned_deal=named.opportunity_id, _owner=named.owner_id)
    entered = _outcome_entered(versions, stages)
    joined = (
        deals.left_join(current, deals.opportunity_id == current._deal)
        .left_join(named, deals.opportunity_id == named._owned_deal)
        .left_join(entered, deals.opportunity_id == entered._entered_deal)
    )
    versioned = joined._deal.notnull()
    category = stage_category(joined._stage, stages)
    same_stage = (joined._stage == joined.stage).fill_null(False)
    is_won = ibis.ifelse(same_stage, joined.is_won, (category == "won").fill_null(False))
    is_closed = ibis.ifelse(same_stage, joined.is_closed, category.isin(CLOSED).fill_null(False))
    closed_as_now = (
        joined.is_closed.fill_null(False)
        & (joined.is_won.fill_null(False) == is_won.fill_null(False))
        & joined.closed_at.notnull()
    )
    closed_at = ibis.cases(
        (~is_closed.fill_null(False), ibis.null(joined.closed_at.type())),
        (closed_as_now, joined.closed_at),
        else_=joined._entered_at,
    )
    read = {
        "stage": joined._stage,
        "amount": joined._amount,
        "close_date": joined._close_date,
        **{name: joined[f"_{name}"].fill_null(joined[name]) for name in _FILLED},
        "owner_id": joined._owner.fill_null(joined.owner_id),
        "is_won": is_won,
        "is_closed": is_closed,
        "closed_at": closed_at,
    }
    return joined.select(
        *[
            ibis.ifelse(versioned, read[c], joined[c]).name(c) if c in read else joined[c]
            for c in deals.columns
        ]
    )


def _outcome_entered(versions: ir.Table, stages: Sequence[OpportunityStage]) -> ir.Table:
    """Per deal, `_entered_at`: when its latest closed outcome (won, or lost) began among
    `versions` - the `valid_from` of the last version that moved it into a closed category
    from any other (or that began its history closed)."""
    import ibis

    category = stage_category(versions.stage, stages)
    # Versions sharing a valid_from are ordered by load, as in as_of.
    tie_break = [versions.load_id] if "load_id" in versions.columns else []
    by_deal = ibis.window(
        group_by=versions.opportunity_id, order_by=[versions.valid_from, *tie_break]
    )
    marked = versions.select(
        "opportunity_id",
        "valid_from",
        _category=category,
        _previous=category.lag().over(by_deal),
    )
    entries = marked.filter(
        marked._category.isin(CLOSED)
        & (marked._previous.isnull() | (marked._previous != marked._category))
    )
    return entries.group_by(_entered_deal=entries.opportunity_id).aggregate(
        _entered_at=entries.valid_from.max()
    )


def opportunities_at(ctx: SourceContext, day: date) -> ir.Table:
    """Every opportunity known at the end of `day` (at most the as-of day) as it stood
    then (:func:`deals_as_of`), in the reporting currency at the rate of its close date
    then, cut to the rows of the context's scope. The same expression for one context."""
    day = min(day, ctx.as_of)

    def build() -> ir.Table:
        stood = deals_as_of(
            ctx.raw("opportunity"),
            ctx.raw("opportunity_history"),
            ctx.config.opportunity_stages,
            day,
        )
        # A view: converting joins rates to it, which ibis would fold into its own joins.
        return ctx.in_reporting_currency("opportunity", stood.view(), key=f"opportunity@{day}")

    return ctx.memo(f"opportunities_at:{day}", build)
