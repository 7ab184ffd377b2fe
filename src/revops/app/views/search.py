"""Search accounts, people (contacts and leads) and deals by name (people by e-mail too),
within the viewer's rows: one row per golden record, paged with totals.

Accounts and people are grouped by their identity cluster (`identity.crosswalk`): the same
company in the CRM, billing and support is one row naming the systems it appears in and
its records' ids; a record identity resolution never clustered is its own row. Every table
is read through the scoped reader (:meth:`revops.metrics.SourceContext.raw`), so a row
only shows when the viewer may see one of its records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.records import record_url

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import SourceContext

SearchKind = Literal["account", "person", "deal"]
PER_PAGE = 25
MAX_PER_PAGE = 100


class SearchRecord(BaseModel):
    """One system's record behind a search row."""

    system: str
    entity: str
    id: str


class SearchHit(BaseModel):
    """One account, person or deal whose name (or e-mail) matches."""

    kind: SearchKind
    id: str = Field(description="The golden record's id (an unclustered record's own id).")
    name: str
    owner_id: str | None
    owner_name: str | None = Field(description="The owner's name (the CRM user's).")
    amount: float | None = None
    systems: list[str] = Field(description="The systems the record appears in.")
    records: list[SearchRecord]
    url: str | None = Field(default=None, description="The record's page.")
    owner_url: str | None = Field(default=None, description="The owner's page.")


class SearchView(Page):
    """A page of search results."""

    query: str
    kind: SearchKind | None
    page: int
    per_page: int
    total: int = Field(description="Rows matching, over every page.")
    pages: int
    previous_url: str | None = Field(description="The page before, if any.")
    next_url: str | None = Field(description="The page after, if any.")
    hits: list[SearchHit]


def build_search(
    state: AppState,
    principal: Principal,
    query: str,
    *,
    kind: SearchKind | None = None,
    page_number: int = 1,
    per_page: int = PER_PAGE,
) -> SearchView:
    """Page `page_number` of the golden records whose name contains `query`."""
    needle = query.strip().lower()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page_number = max(1, page_number)
    hits: list[SearchHit] = []
    total = 0
    if needle:
        key = ("search", needle, kind, page_number, per_page, principal.scope)
        hits, total = state.memo(
            key, lambda: _search(state, principal, needle, kind, page_number, per_page)
        )
    return SearchView(
        **page(state, principal),
        query=query,
        kind=kind,
        page=page_number,
        per_page=per_page,
        total=total,
        pages=(pages := max(1, -(-total // per_page))),
        previous_url=_link(query, kind, page_number - 1, per_page) if page_number > 1 else None,
        next_url=_link(query, kind, page_number + 1, per_page) if page_number < pages else None,
        hits=hits,
    )


def _link(query: str, kind: SearchKind | None, number: int, per_page: int) -> str:
    from urllib.parse import urlencode

    params = {"q": query, **({"kind": kind} if kind else {}), "page": number, "per_page": per_page}
    return "/search?" + urlencode(params)


def _search(
    state: AppState,
    principal: Principal,
    needle: str,
    kind: SearchKind | None,
    page_number: int,
    per_page: int,
) -> tuple[list[SearchHit], int]:
    with state.reading():
        ctx = state.workspace.metrics.context(state.today, principal.scope)
        parts = [
            _matches(ctx, k, needle) for k in ("account", "person", "deal") if kind in (None, k)
        ]
        found = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
        grouped = found.group_by(["kind", "key"]).aggregate(
            name=found.name.min(), owner_id=found.owner_id.min(), amount=found.amount.max()
        )
        total = int(grouped.count().execute())
        chosen = (
            grouped.order_by([grouped.name.strip().lower(), grouped.kind, grouped.key])
            .limit(per_page, offset=(page_number - 1) * per_page)
            .execute()
        )
        keys = chosen["key"].tolist()
        behind = found.filter(found.key.isin(keys)).select("key", "system", "entity", "record_id")
        members = behind.distinct().order_by(["key", "system", "record_id"]).execute()
        owners = [str(o) for o in chosen["owner_id"].dropna().unique().tolist()]
        names = _user_names(ctx, owners)
    records: dict[str, list[SearchRecord]] = {}
    for row in members.to_dict(orient="records"):
        records.setdefault(str(row["key"]), []).append(
            SearchRecord(
                system=str(row["system"]), entity=str(row["entity"]), id=str(row["record_id"])
            )
        )
    hits = []
    for row in chosen.to_dict(orient="records"):
        mine = records.get(str(row["key"]), [])
        owner = None if row["owner_id"] is None else str(row["owner_id"])
        hits.append(
            SearchHit(
                kind=row["kind"],
                id=str(row["key"]),
                name=str(row["name"]),
                owner_id=owner,
                owner_name=names.get(owner) if owner else None,
                amount=number(row["amount"]),
                systems=sorted({r.system for r in mine}),
                records=mine,
                url=hit_url(row["kind"], str(row["key"])),
                owner_url=record_url("rep", owner),
            )
        )
    return hits, total


def hit_url(kind: SearchKind, key: str) -> str | None:
    """The page of a search row: a company's golden record (an account identity never
    clustered is its own), a person's (``contact:<id>`` for an unclustered one), a deal.

    Examples:
        >>> hit_url("account", "account:salesforce:001"), hit_url("person", "lead:hs:1")
        ('/accounts/salesforce:001', '/people/lead:hs:1')
    """
    if kind == "account":
        return record_url("account", key.removeprefix("account:"))
    return record_url("deal" if kind == "deal" else "person", key)


def _matches(ctx: SourceContext, kind: SearchKind, needle: str) -> ir.Table:
    """The scope's records of `kind` matching `needle`, one row each: `kind`, `key` (the
    golden id, else the record's own), `name`, `owner_id`, `amount`, `system`, `entity`,
    `record_id`."""
    import ibis

    if kind == "deal":
        deals = ctx.raw("opportunity")
        deals = deals.filter(deals.name.lower().contains(needle))
        return deals.select(
            kind=ibis.literal("deal"),
            key=deals.opportunity_id.cast("string"),
            name=deals.name.cast("string"),
            owner_id=deals.owner_id.cast("string"),
            amount=deals.amount.cast("float64"),
            system=deals.source_system.cast("string"),
            entity=ibis.literal("opportunity"),
            record_id=deals.opportunity_id.cast("string"),
        )
    tables = [("account", ctx.raw("account"))] if kind == "account" else [
        ("contact", ctx.raw("contact")), ("lead", ctx.raw("lead"))
    ]  # fmt: skip
    parts = []
    for entity, table in tables:
        if entity == "account":
            name = table.name.cast("string")
            hit = name.lower().contains(needle)
        else:
            first = table.first_name.cast("string").fill_null("")
            last = table.last_name.cast("string").fill_null("")
            name = (first + " " + last).strip()
            email = table.email.cast("string").fill_null("").lower()
            hit = name.lower().contains(needle) | email.contains(needle)
            name = ibis.ifelse(name == "", table.email.cast("string"), name)
        parts.append(
            table.filter(hit).select(
                kind=ibis.literal(kind),
                name=name,
                owner_id=table.owner_id.cast("string"),
                amount=ibis.null("float64"),
                system=table.source_system.cast("string"),
                entity=ibis.literal(entity),
                record_id=table[f"{entity}_id"].cast("string"),
            )
        )
    records = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    if not ctx.warehouse.has_table("crosswalk", "identity"):
        return records.mutate(key=records.entity + ":" + records.record_id).select(*_COLUMNS)
    crosswalk = ctx.stored("crosswalk", "identity")
    links = crosswalk.select(
        _entity=crosswalk.entity.cast("string"),
        _record=crosswalk.record_id.cast("string"),
        _cluster=crosswalk.cluster_id.cast("string"),
    )
    joined = records.left_join(
        links, (records.entity == links._entity) & (records.record_id == links._record)
    )
    keyed = joined.mutate(key=joined._cluster.fill_null(joined.entity + ":" + joined.record_id))
    return keyed.select(*_COLUMNS)


_COLUMNS = ("kind", "key", "name", "owner_id", "amount", "system", "entity", "record_id")


def _user_names(ctx: SourceContext, ids: list[str]) -> dict[str, str]:
    """The CRM users' names of `ids` (company-wide reference data)."""
    if not ids:
        return {}
    from revops.metrics.labels import lookup

    found = lookup(ctx, "user", ids)
    return {str(k): str(v) for k, v in found.items() if v is not None}
