"""The deal page: a deal as it stood at the end of the as-of day, its account and owner by
name, its stage, amount and close-date history, its activities, and — while it is open —
the forecast's win probability with the method's reasons."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.records import (
    RecordLink,
    RecordNotFoundError,
    account_links,
    day,
    records,
    text,
    user_link,
    user_names,
)
from revops.app.views.timeline import DealVersion, TimelineEvent, deal_versions, version_events

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import SourceContext

ACTIVITIES_SHOWN = 100


class Activity(BaseModel):
    """A call, e-mail, meeting, demo or task logged against a record."""

    id: str
    type: str | None
    subject: str | None
    occurred_at: str | None
    outcome: str | None
    owner: RecordLink | None


class Reason(BaseModel):
    """One feature's contribution to the win probability."""

    feature: str
    value: str = Field(description="The deal's own value of the feature.")
    effect: float = Field(description="Probability points against a typical deal's value.")


class WinChance(BaseModel):
    """The forecast's chance this open deal is won in its period."""

    period: str
    method: str
    probability: float
    expected: float | None = Field(description="probability × amount.")
    reasons: list[Reason]


class DealView(Page):
    """The deal page."""

    id: str
    name: str
    account: RecordLink | None
    owner: RecordLink | None
    type: str | None
    stage: str | None
    amount: float | None = Field(description="In the reporting currency.")
    close_date: str | None
    forecast_category: str | None
    is_closed: bool
    is_won: bool
    lost_reason: str | None
    history: list[DealVersion] = Field(description="Its versions, oldest first.")
    changes: list[TimelineEvent] = Field(description="What changed, newest first.")
    activities: list[Activity]
    activities_total: int
    forecast: WinChance | None = Field(description="While open; None when it cannot say.")


def build_deal(state: AppState, principal: Principal, deal_id: str) -> DealView:
    """The page of deal `deal_id`.

    Raises:
        RecordNotFoundError: no such deal among the viewer's rows.
    """
    key = ("deal", deal_id, principal.scope)
    parts = state.memo(key, lambda: _parts(state, principal, deal_id))
    return DealView(**page(state, principal), **parts)


def _parts(state: AppState, principal: Principal, deal_id: str) -> dict[str, Any]:
    from revops.metrics import opportunities_at

    with state.reading():
        ctx = state.workspace.metrics.context(state.today, principal.scope)
        deals = opportunities_at(ctx, ctx.as_of)
        found = records(deals.filter(deals.opportunity_id == deal_id).limit(1).execute())
        if not found:
            raise RecordNotFoundError("deal", deal_id)
        row = found[0]
        versions = deal_versions(ctx, [deal_id]).get(deal_id, [])
        activities = activities_of(ctx, "opportunity_id", [deal_id])
        names = user_names(
            ctx, [row.get("owner_id"), *(v.owner_id for v in versions),
                  *(a.get("owner_id") for a in activities)]
        )  # fmt: skip
        accounts = account_links(ctx, [row.get("account_id")])
        chance = None
        if not row.get("is_closed"):
            close = day(row.get("close_date"))
            chance = state.workspace.forecast.deal(
                deal_id,
                date.fromisoformat(close) if close else None,
                as_of=state.today,
                scope=principal.scope,
            )
    name = text(row.get("name")) or deal_id
    return {
        "id": deal_id,
        "name": name,
        "account": accounts.get(text(row.get("account_id")) or ""),
        "owner": user_link(names, row.get("owner_id")),
        "type": text(row.get("type")),
        "stage": text(row.get("stage")),
        "amount": number(row.get("amount")),
        "close_date": day(row.get("close_date")),
        "forecast_category": text(row.get("forecast_category")),
        "is_closed": bool(row.get("is_closed")),
        "is_won": bool(row.get("is_won")),
        "lost_reason": text(row.get("lost_reason")),
        "history": versions,
        "changes": version_events(versions, None),
        "activities": [activity(a, names) for a in activities[:ACTIVITIES_SHOWN]],
        "activities_total": len(activities),
        "forecast": None
        if chance is None
        else WinChance(
            period=chance.period,
            method=chance.method,
            probability=chance.probability,
            expected=number(chance.expected),
            reasons=[
                Reason(
                    feature=str(r["feature"]), value=str(r["value"]), effect=float(str(r["effect"]))
                )
                for r in chance.reasons
            ],
        ),
    }


def activities_of(ctx: SourceContext, column: str, ids: list[str]) -> list[dict[str, Any]]:
    """The activities logged against records `ids` (by `column`: `opportunity_id`,
    `contact_id`, ...) the viewer may see, newest first."""
    table = ctx.raw("activity")
    mine = table.filter(table[column].isin(ids))
    return records(mine.order_by([mine.occurred_at.desc(), mine.activity_id]).execute())


def activity(row: dict[str, Any], names: dict[str, str]) -> Activity:
    """An activity row as the pages show it."""
    return Activity(
        id=str(row["activity_id"]),
        type=text(row.get("type")),
        subject=text(row.get("subject")),
        occurred_at=text(row.get("occurred_at")),
        outcome=text(row.get("outcome")),
        owner=user_link(names, row.get("owner_id")),
    )
