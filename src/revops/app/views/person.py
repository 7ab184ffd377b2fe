"""The person page: one person across systems — the golden person, the contact and lead
records behind it, their company, the activities logged with them and their campaign
touches — within the viewer's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.deal import Activity, activities_of, activity
from revops.app.views.records import (
    PERSON_ENTITIES,
    Moved,
    RecordLink,
    RecordNotFoundError,
    account_links,
    cluster_of,
    has_identity,
    records,
    text,
    user_link,
    user_names,
)

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import SourceContext

TOUCHES_SHOWN = 100


class PersonRecord(BaseModel):
    """One system's record of the person."""

    entity: str = Field(description="contact or lead.")
    id: str
    system: str
    source_id: str | None
    name: str
    email: str | None
    title: str | None
    status: str | None = Field(description="A contact's lifecycle stage, a lead's status.")
    owner: RecordLink | None


class Touch(BaseModel):
    """A campaign touch of the person."""

    occurred_at: str | None
    campaign_id: str | None
    campaign_name: str | None = Field(description="The campaign's name.")
    status: str | None
    has_responded: bool


class PersonView(Page):
    """The person page."""

    id: str = Field(description="The golden person id.")
    name: str
    email: str | None
    title: str | None
    owner: RecordLink | None
    account: RecordLink | None
    company: str | None = Field(description="The company a lead names, when no account.")
    systems: list[str]
    records: list[PersonRecord]
    activities: list[Activity]
    touches: list[Touch]


def build_person(state: AppState, principal: Principal, requested: str) -> PersonView:
    """The page of person `requested` (golden id, ``contact:<id>``, ``lead:<id>`` or a
    record's id).

    Raises:
        Moved: `requested` is not the golden id.
        RecordNotFoundError: no such person among the viewer's rows.
    """
    key = ("person", requested, principal.scope)
    parts = state.memo(key, lambda: _parts(state, principal, requested))
    return PersonView(**page(state, principal), **parts)


def resolve_person(ctx: SourceContext, requested: str) -> tuple[str, list[dict[str, Any]]]:
    """The golden id of `requested` and its records the viewer may see (with `_entity`).

    Raises:
        Moved: `requested` is not the golden id.
        RecordNotFoundError: no such person among the viewer's rows.
    """
    members = _cluster(ctx, requested)
    golden = requested
    if not members:
        entity, _, own = requested.partition(":")
        if entity in PERSON_ENTITIES and own:
            candidates = [(entity, own)]
        else:
            candidates = [(e, requested) for e in PERSON_ENTITIES]
        for entity, record in candidates:
            table = ctx.raw(entity, scoped=False)
            if int(table.filter(table[f"{entity}_id"] == record).count().execute()):
                golden = cluster_of(ctx, (entity,), record) or f"{entity}:{record}"
                members = _cluster(ctx, golden) or [(entity, record)]
                break
    visible: list[dict[str, Any]] = []
    for entity in PERSON_ENTITIES:
        ids = [r for e, r in members if e == entity]
        if ids:
            table = ctx.raw(entity)
            found = records(table.filter(table[f"{entity}_id"].isin(ids)).execute())
            visible.extend({**r, "_entity": entity, "_id": r[f"{entity}_id"]} for r in found)
    if not visible:
        raise RecordNotFoundError("person", requested)
    if golden != requested:
        raise Moved("person", golden)
    return golden, sorted(visible, key=lambda r: (r["_entity"], str(r["_id"])))


def _cluster(ctx: SourceContext, cluster: str) -> list[tuple[str, str]]:
    if not has_identity(ctx):
        return []
    crosswalk = ctx.reader.whole("crosswalk", "identity")
    found = crosswalk.filter(
        crosswalk.entity.isin(list(PERSON_ENTITIES)) & (crosswalk.cluster_id == cluster)
    )
    return [(str(r["entity"]), str(r["record_id"])) for r in records(found.execute())]


def _name(row: dict[str, Any]) -> str:
    parts = (text(row.get("first_name")), text(row.get("last_name")))
    return " ".join(p for p in parts if p) or text(row.get("email")) or str(row["_id"])


def _parts(state: AppState, principal: Principal, requested: str) -> dict[str, Any]:
    with state.reading():
        ctx = state.workspace.metrics.context(state.today, principal.scope)
        golden, members = resolve_person(ctx, requested)
        head = _golden_row(ctx, golden) or members[0]
        contacts = [str(r["_id"]) for r in members if r["_entity"] == "contact"]
        leads = [str(r["_id"]) for r in members if r["_entity"] == "lead"]
        found = [*activities_of(ctx, "contact_id", contacts), *activities_of(ctx, "lead_id", leads)]
        unique = {str(a["activity_id"]): a for a in found}
        done = sorted(unique.values(), key=lambda a: text(a.get("occurred_at")) or "", reverse=True)
        names = user_names(
            ctx, [head.get("owner_id"), *(r.get("owner_id") for r in members),
                  *(a.get("owner_id") for a in done)]
        )  # fmt: skip
        account_ids = [r.get("account_id") or r.get("converted_account_id") for r in members]
        accounts = account_links(ctx, account_ids)
        touches = _touches(ctx, [str(r["_id"]) for r in members])
    account = next((accounts[i] for i in map(text, account_ids) if i and i in accounts), None)
    return {
        "id": golden,
        "name": _name({**head, "_id": golden}),
        "email": text(head.get("email")),
        "title": text(head.get("title")),
        "owner": user_link(names, head.get("owner_id")),
        "account": account,
        "company": next((text(r.get("company")) for r in members if text(r.get("company"))), None),
        "systems": sorted({str(r["source_system"]) for r in members}),
        "records": [
            PersonRecord(
                entity=r["_entity"],
                id=str(r["_id"]),
                system=str(r["source_system"]),
                source_id=text(r.get("source_id")),
                name=_name(r),
                email=text(r.get("email")),
                title=text(r.get("title")),
                status=text(
                    r.get("lifecycle_stage") if r["_entity"] == "contact" else r.get("status")
                ),
                owner=user_link(names, r.get("owner_id")),
            )
            for r in members
        ],
        "activities": [activity(a, names) for a in done[:TOUCHES_SHOWN]],
        "touches": touches,
    }


def _golden_row(ctx: SourceContext, golden: str) -> dict[str, Any] | None:
    if not ctx.warehouse.has_table("golden_person", "identity"):
        return None
    # Scoped: the golden record is its owner's (a visible duplicate shows its own fields).
    table = ctx.stored("golden_person", "identity")
    found = records(table.filter(table.golden_person_id == golden).limit(1).execute())
    return found[0] if found else None


def _touches(ctx: SourceContext, ids: list[str]) -> list[Touch]:
    from revops.metrics.labels import lookup

    table = ctx.raw("campaign_touch")
    mine = table.filter(table.person_id.isin(ids))
    rows = records(mine.order_by(mine.occurred_at.desc()).limit(TOUCHES_SHOWN).execute())
    campaigns = lookup(ctx, "campaign", [r.get("campaign_id") for r in rows])
    return [
        Touch(
            occurred_at=text(r.get("occurred_at")),
            campaign_id=text(r.get("campaign_id")),
            campaign_name=text(campaigns.get(r.get("campaign_id"))),
            status=text(r.get("status")),
            has_responded=bool(r.get("has_responded")),
        )
        for r in rows
    ]  # fmt: skip
