"""The account 360 page: one company across the systems it appears in — its golden record,
owner, ARR and its movements, deals, tickets, health, people and what changed, newest
first — within the viewer's rows.

Every table is read through the scoped reader, so a company is only found when the viewer
may see one of its records, and then shows only the rows the viewer may see.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.figures import AccountFigures, account_figures
from revops.app.views.records import (
    Moved,
    RecordLink,
    RecordNotFoundError,
    cluster_members,
    cluster_of,
    day,
    has_identity,
    link,
    record_url,
    records,
    text,
    user_link,
    user_names,
)
from revops.app.views.timeline import TimelineEvent, deal_events, newest_first

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import SourceContext

TICKETS_SHOWN = 100


class SourceRecord(BaseModel):
    """One system's record of the company."""

    system: str
    source_id: str | None
    account_id: str = Field(description="The canonical id of the record.")
    name: str | None


class AccountDeal(BaseModel):
    """A deal of the company, as it stood at the end of the as-of day."""

    deal: RecordLink
    owner: RecordLink | None
    type: str | None
    stage: str | None
    amount: float | None
    close_date: str | None
    is_closed: bool
    is_won: bool


class ArrMovement(BaseModel):
    """The company's ARR movement of one month (12 × its MRR movement)."""

    month: str = Field(description="The month's first day (ISO).")
    movement: str = Field(description="new, expansion, contraction, churn or reactivation.")
    amount: float = Field(description="Signed change of ARR.")


class Ticket(BaseModel):
    """A support ticket of the company."""

    id: str
    subject: str | None
    priority: str | None
    status: str | None
    opened_at: str | None
    closed_at: str | None
    csat: float | None


class Health(BaseModel):
    """The company's health score at the as-of day (0-100) and its parts."""

    health_score: float | None
    usage_score: float | None
    support_score: float | None
    csat_score: float | None
    payment_score: float | None


class AccountView(Page):
    """The account 360 page."""

    id: str = Field(description="The golden account id.")
    name: str
    domain: str | None
    industry: str | None
    segment: str | None
    country: str | None
    systems: list[str]
    records: list[SourceRecord]
    owner: RecordLink | None
    csm: RecordLink | None
    arr: float | None = Field(description="ARR at the as-of day.")
    movements: list[ArrMovement] = Field(description="Newest month first.")
    deals: list[AccountDeal]
    tickets: list[Ticket]
    tickets_total: int
    csat: float | None = Field(description="Mean CSAT (1-5) of the tickets rated.")
    health: Health | None
    people: list[RecordLink]
    timeline: list[TimelineEvent] = Field(description="What changed, newest first.")


def build_account(state: AppState, principal: Principal, requested: str) -> AccountView:
    """The account 360 of golden account `requested`.

    Raises:
        Moved: `requested` is another id of a company (a source record's): its golden id.
        RecordNotFoundError: no company with that id among the viewer's rows.
    """
    key = ("account", requested, principal.scope)
    parts = state.memo(key, lambda: _parts(state, principal, requested))
    return AccountView(**page(state, principal), **parts)


def resolve_account(ctx: SourceContext, requested: str) -> tuple[str, list[str]]:
    """The golden id of `requested` and the ids of the account records the viewer may
    see in it.

    Raises:
        Moved: `requested` is not the golden id.
        RecordNotFoundError: no such company among the viewer's rows.
    """
    own = requested.removeprefix("account:")
    golden, members = own, [own]
    if has_identity(ctx):
        clustered = cluster_members(ctx, ("account",), requested)
        if clustered:
            golden, members = requested, clustered
        else:
            cluster = cluster_of(ctx, ("account",), own)
            if cluster is not None:
                golden, members = cluster, cluster_members(ctx, ("account",), cluster)
    accounts = ctx.raw("account")
    visible = accounts.filter(accounts.account_id.isin(members)).account_id.execute().tolist()
    if not visible:
        raise RecordNotFoundError("account", requested)
    if golden != requested:
        raise Moved("account", golden)
    return golden, sorted(str(v) for v in visible)


def _parts(state: AppState, principal: Principal, requested: str) -> dict[str, Any]:
    with state.reading():
        ctx = state.workspace.metrics.context(state.today, principal.scope)
        golden, members = resolve_account(ctx, requested)
    figures = account_figures(state, principal.scope)
    with state.reading():
        return _read(state, ctx, golden, members, figures)


def _read(
    state: AppState, ctx: SourceContext, golden: str, members: list[str], figures: AccountFigures
) -> dict[str, Any]:
    from revops.metrics.sources import build_source

    accounts = ctx.raw("account")
    own = records(accounts.filter(accounts.account_id.isin(members)).execute())
    head = _golden_row(ctx, golden) or _crm_first(own)
    metrics = state.workspace.metrics
    quarter = metrics.window(None, state.today)
    deals = _deals(ctx, members)
    tickets = build_source(ctx, "ticket", quarter)
    tickets = tickets.filter(tickets.account_id.isin(members))
    ticket_rows = records(tickets.order_by(tickets.opened_at.desc()).execute())
    rated = [number(r.get("csat")) for r in ticket_rows]
    rated_values = [v for v in rated if v is not None]
    movements = _movements(figures, members)
    names = user_names(
        ctx, [head.get("owner_id"), head.get("csm_id"), *(d["owner_id"] for d in deals)]
    )
    timeline = [
        *(
            e
            for e in deal_events(ctx, {str(d["opportunity_id"]): text(d["name"]) for d in deals})
            if e.kind == "stage"
        ),
        *(_movement_event(m) for m in movements),
        *(e for r in ticket_rows for e in _ticket_events(r)),
    ]
    return {
        "id": golden,
        "name": text(head.get("name")) or golden,
        "domain": text(head.get("domain")),
        "industry": text(head.get("industry")),
        "segment": text(head.get("segment")),
        "country": text(head.get("country")),
        "systems": sorted({str(r["source_system"]) for r in own}),
        "records": [
            SourceRecord(
                system=str(r["source_system"]),
                source_id=text(r.get("source_id")),
                account_id=str(r["account_id"]),
                name=text(r.get("name")),
            )
            for r in sorted(own, key=lambda r: (str(r["source_system"]), str(r["account_id"])))
        ],
        "owner": user_link(names, head.get("owner_id")),
        "csm": user_link(names, head.get("csm_id")),
        "arr": _arr(figures, members),
        "movements": movements,
        "deals": [_deal(d, names) for d in deals],
        "tickets": [_ticket(r) for r in ticket_rows[:TICKETS_SHOWN]],
        "tickets_total": len(ticket_rows),
        "csat": sum(rated_values) / len(rated_values) if rated_values else None,
        "health": _health(figures, members),
        "people": _people(ctx, members),
        "timeline": newest_first(timeline),
    }


def _golden_row(ctx: SourceContext, golden: str) -> dict[str, Any] | None:
    if not ctx.warehouse.has_table("golden_account", "identity"):
        return None
    # Scoped: the golden record is its owner's (a visible duplicate shows its own fields).
    table = ctx.stored("golden_account", "identity")
    found = records(table.filter(table.golden_account_id == golden).limit(1).execute())
    return found[0] if found else None


def _crm_first(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The record a company without a golden record is named by: one with an owner (the
    CRM's) first."""
    return sorted(rows, key=lambda r: (text(r.get("owner_id")) is None, str(r["account_id"])))[0]


def _deals(ctx: SourceContext, members: list[str]) -> list[dict[str, Any]]:
    from revops.metrics import opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    mine = deals.filter(deals.account_id.isin(members))
    chosen = mine.select("opportunity_id", "name", "owner_id", "type", "stage", "amount",
                         "close_date", "is_closed", "is_won")  # fmt: skip
    rows = records(chosen.execute())
    # Open deals first, then the latest closing.
    return sorted(rows, key=lambda r: (bool(r["is_closed"]), -_ordinal(r.get("close_date"))))


def _ordinal(value: Any) -> int:
    found = day(value)
    return date.fromisoformat(found).toordinal() if found else 0


def _deal(row: dict[str, Any], names: dict[str, str]) -> AccountDeal:
    deal = link("deal", row["opportunity_id"], row.get("name"))
    assert deal is not None
    return AccountDeal(
        deal=deal,
        owner=user_link(names, row.get("owner_id")),
        type=text(row.get("type")),
        stage=text(row.get("stage")),
        amount=number(row.get("amount")),
        close_date=day(row.get("close_date")),
        is_closed=bool(row.get("is_closed")),
        is_won=bool(row.get("is_won")),
    )


def _arr(figures: AccountFigures, members: list[str]) -> float:
    return sum(figures.arr.get(m, 0.0) for m in members)


def _movements(figures: AccountFigures, members: list[str]) -> list[ArrMovement]:
    totals: dict[tuple[str, str], float] = {}
    for member in members:
        for month, movement, amount in figures.movements.get(member, []):
            totals[(month, movement)] = totals.get((month, movement), 0.0) + amount
    moved = [ArrMovement(month=m, movement=k, amount=v) for (m, k), v in totals.items()]
    return sorted(moved, key=lambda m: (m.month, m.movement), reverse=True)


def _movement_event(movement: ArrMovement) -> TimelineEvent:
    return TimelineEvent(
        at=movement.month,
        kind="arr",
        text=f"ARR {movement.movement}",
        amount=movement.amount,
        link=None,
    )


def _ticket(row: dict[str, Any]) -> Ticket:
    return Ticket(
        id=str(row["support_ticket_id"]),
        subject=text(row.get("subject")),
        priority=text(row.get("priority")),
        status=text(row.get("status")),
        opened_at=text(row.get("opened_at")),
        closed_at=text(row.get("closed_at")),
        csat=number(row.get("csat")),
    )


def _ticket_events(row: dict[str, Any]) -> list[TimelineEvent]:
    ticket = str(row["support_ticket_id"])
    subject = text(row.get("subject")) or ticket
    events = [
        TimelineEvent(at=text(row.get("opened_at")) or "", kind="ticket",
                      text=f"Ticket opened ({text(row.get('priority')) or 'no priority'}): "
                      f"{subject}", amount=None, link=None)
    ]  # fmt: skip
    if text(row.get("closed_at")):
        csat = number(row.get("csat"))
        rated = f", CSAT {csat:g}" if csat is not None else ""
        events.append(
            TimelineEvent(at=text(row.get("closed_at")) or "", kind="ticket",
                          text=f"Ticket closed{rated}: {subject}", amount=None, link=None)
        )  # fmt: skip
    return events


def _health(figures: AccountFigures, members: list[str]) -> Health | None:
    found = next((figures.health[m] for m in members if m in figures.health), None)
    return None if found is None else Health(**found)


def _people(ctx: SourceContext, members: list[str]) -> list[RecordLink]:
    """The company's contacts the viewer may see, one per person (identity cluster)."""
    contacts = ctx.raw("contact")
    mine = contacts.filter(contacts.account_id.isin(members))
    if has_identity(ctx):
        crosswalk = ctx.reader.whole("crosswalk", "identity")
        links = crosswalk.filter(crosswalk.entity == "contact").select(
            _record=crosswalk.record_id, _cluster=crosswalk.cluster_id
        )
        mine = mine.left_join(links, mine.contact_id == links._record)
    else:
        import ibis

        mine = mine.mutate(_cluster=ibis.null("string"))
    rows = records(
        mine.select("contact_id", "first_name", "last_name", "email", "_cluster").execute()
    )
    people: dict[str, RecordLink] = {}
    for row in rows:
        key = text(row.get("_cluster")) or f"contact:{row['contact_id']}"
        name = " ".join(p for p in (text(row.get("first_name")), text(row.get("last_name"))) if p)
        people.setdefault(
            key,
            RecordLink(kind="person", id=key, name=name or text(row.get("email")) or key,
                       url=record_url("person", key)),
        )  # fmt: skip
    return sorted(people.values(), key=lambda p: p.name.lower())
