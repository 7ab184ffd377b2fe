"""What routing reads from the warehouse: leads with their matched account, open loads.

A lead's account comes from lead-to-account matching (`identity.lead_account`) through
the account's golden record (crosswalk cluster → `identity.golden_account`), so its
owner, region and segment are the golden record's, never an id joined across systems.
A lead's own country, industry and size win over the account's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from revops.routing.engine import Lead
from revops.routing.store import NAMESPACE as ROUTING
from revops.routing.store import current_owners

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

CLOSED_STATUSES = ("converted", "disqualified", "closed", "unqualified")
BATCH_ROWS = 200_000


def literal_time(table: ir.Table, column: str, moment: datetime) -> Any:
    """`moment` as a literal of `table.column`'s timestamp type (Spark's are naive UTC)."""
    import ibis

    kind = table.schema()[column]
    value = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return ibis.literal(value if kind.timezone else value.replace(tzinfo=None), type=kind)


def closed_at(lead: ir.Table) -> ir.Value:
    """When a lead stopped being open: converted, else its last update once closed."""
    import ibis

    is_closed = lead.status.lower().isin(CLOSED_STATUSES)
    return lead.converted_at.coalesce(ibis.ifelse(is_closed, lead.updated_at, ibis.null()))


def lead_frame(warehouse: Warehouse, at: datetime | None = None) -> ir.Table:
    """Every lead with its golden account's fields and its owner (revops's last
    assignment decided by `at`, else the CRM's)."""
    lead = warehouse.table("lead")
    base = lead.select(
        "lead_id", "created_at", "country", "industry", "employees", "source", "status",
        "first_name", "last_name", "email", "company",
        closed_at=closed_at(lead), crm_owner_id=lead.owner_id,
    )  # fmt: skip
    accounts = _lead_accounts(warehouse)
    if accounts is not None:
        joined = base.left_join(accounts, base.lead_id == accounts.m_lead_id)
        base = joined.drop("m_lead_id")
    else:
        import ibis

        base = base.mutate(
            **{name: ibis.null("string") for name in
               ("account_id", "account_name", "account_domain", "account_owner_id",
                "account_country", "account_region", "account_segment", "account_industry")},
            account_employees=ibis.null("int64"),
        )  # fmt: skip
    owners = current_owners(warehouse, at)
    if owners is not None:
        joined = base.left_join(owners, base.lead_id == owners.o_lead_id)
        return joined.mutate(owner_id=joined.o_owner_id.coalesce(joined.crm_owner_id)).drop(
            "o_lead_id", "o_owner_id"
        )
    return base.mutate(owner_id=base.crm_owner_id)


def _lead_accounts(warehouse: Warehouse) -> ir.Table | None:
    from revops.identity.golden import golden_table

    golden = golden_table(warehouse, "account")
    if golden is None or not warehouse.has_table("lead_account", "identity"):
        return None
    matches = warehouse.table("lead_account", "identity")
    crosswalk = warehouse.table("crosswalk", "identity")
    links = crosswalk.filter(crosswalk.entity == "account").select(
        c_record=crosswalk.record_id, c_cluster=crosswalk.cluster_id
    )
    linked = matches.join(links, matches.account_id == links.c_record)
    linked = linked.join(golden, linked.c_cluster == golden.golden_account_id)
    return linked.select(
        m_lead_id=linked.lead_id,
        account_id=linked.golden_account_id,
        account_name=linked["name"],
        account_domain=linked.domain,
        account_owner_id=linked.owner_id,
        account_country=linked.country,
        account_region=linked.region,
        account_segment=linked.segment,
        account_industry=linked.industry,
        account_employees=linked.employees.cast("int64"),
    )


def read_leads(
    warehouse: Warehouse,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    open_only: bool = False,
    unrouted_only: bool = False,
    lead_ids: list[str] | None = None,
) -> Iterator[Lead]:
    """Leads created in `[start, end]`, oldest first (ties by id), in bounded batches;
    `open_only`: still open at `end`."""
    frame = lead_frame(warehouse)
    if start is not None:
        frame = frame.filter(frame.created_at >= literal_time(frame, "created_at", start))
    if end is not None:
        frame = frame.filter(frame.created_at <= literal_time(frame, "created_at", end))
    if open_only:
        still_open = frame.closed_at.isnull()
        if end is not None:
            still_open |= frame.closed_at > literal_time(frame, "closed_at", end)
        frame = frame.filter(still_open)
    if lead_ids is not None:
        frame = frame.filter(frame.lead_id.isin(lead_ids))
    if unrouted_only and warehouse.has_table("assignment", ROUTING):
        routed = warehouse.table("assignment", ROUTING).select(r_lead_id="lead_id").distinct()
        frame = frame.anti_join(routed, frame.lead_id == routed.r_lead_id)
    frame = frame.order_by(["created_at", "lead_id"])
    for batch in frame.to_pyarrow_batches(chunk_size=BATCH_ROWS):
        for row in batch.to_pylist():
            yield _lead(row)


def _lead(row: dict[str, Any]) -> Lead:
    person = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    name = person or row["email"] or row["lead_id"]
    if row["company"]:
        name = f"{name} ({row['company']})"
    return Lead(
        lead_id=row["lead_id"],
        name=name,
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        previous_owner_id=row["owner_id"],
        country=row["country"] or row["account_country"],
        region=row["account_region"],
        segment=row["account_segment"],
        industry=row["industry"] or row["account_industry"],
        source=row["source"],
        employees=row["employees"] if row["employees"] is not None else row["account_employees"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        account_domain=row["account_domain"],
        account_owner_id=row["account_owner_id"],
    )


def open_loads(warehouse: Warehouse, at: datetime) -> list[tuple[str, int, list[datetime]]]:
    """Per owner, the leads open at `at` (created by then, not closed by then), and when
    those that close later close, so a replay frees them in time. Counted in the warehouse."""
    frame = lead_frame(warehouse, at)
    moment = literal_time(frame, "created_at", at)
    open_then = frame.filter(
        (frame.created_at <= moment)
        & frame.owner_id.notnull()
        & (frame.closed_at.isnull() | (frame.closed_at > moment))
    )
    counts = open_then.group_by("owner_id").aggregate(
        leads=open_then.count(), closing=open_then.closed_at.collect()
    )
    rows = counts.order_by("owner_id").to_pyarrow().to_pylist()
    return [(r["owner_id"], int(r["leads"]), list(r["closing"] or [])) for r in rows]
