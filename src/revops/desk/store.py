"""The `desk` namespace: the request queue as versions.

`desk.request` holds one row per version of a request, appended and never rewritten: a
new request is version 1; every triage, status move, re-assignment or closing rating
appends the request as it stands afterwards, with who changed it, when and a note. The
current queue is each request's last version; its history is all of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

NAMESPACE = "desk"
REQUEST = "request"

FIELDS: dict[str, str] = {
    "request_id": "string",
    "version": "int64",
    "title": "string",
    "details": "string",
    "type": "string",
    "requester_id": "string",
    "requester_email": "string",
    "linked_kpi": "string",
    "linked_process": "string",
    "reach": "float64",
    "impact": "float64",
    "confidence": "float64",
    "effort": "float64",
    "stated_urgency": "string",
    "priority": "string",
    "status": "string",
    "owner_id": "string",
    "due_date": "date",
    "requested_at": "timestamp('UTC')",
    "resolved_at": "timestamp('UTC')",
    "rating": "int64",
    "rating_comment": "string",
    "source": "string",
    "source_key": "string",
    "changed_at": "timestamp('UTC')",
    "changed_by": "string",
    "note": "string",
}
"""Columns of `desk.request`; `source` is how it came in (cli, api, form, csv, warehouse),
`source_key` its key there (a Jira issue key)."""


def schema() -> sch.Schema:
    """The schema of `desk.request`."""
    import ibis

    return ibis.schema(FIELDS)


def ensure_table(warehouse: Warehouse) -> None:
    """Create `desk.request` when it is missing."""
    if not warehouse.has_table(REQUEST, NAMESPACE):
        warehouse.init(())  # the namespace, in a warehouse made before the desk existed
        warehouse.create_table(REQUEST, schema(), NAMESPACE)


def append(warehouse: Warehouse, rows: list[dict[str, Any]]) -> None:
    """Append request versions in one load."""
    import pyarrow as pa

    from revops.warehouse import LoadSpec

    if not rows:
        return
    ensure_table(warehouse)
    arrow = schema().to_pyarrow()
    table = pa.Table.from_pylist([{name: row.get(name) for name in FIELDS} for row in rows], arrow)
    warehouse.load_many([LoadSpec(REQUEST, table, NAMESPACE, mode="append")])


def versions(warehouse: Warehouse) -> ir.Table | None:
    """Every version of every request, or None before the first request."""
    if not warehouse.has_table(REQUEST, NAMESPACE):
        return None
    return warehouse.table(REQUEST, NAMESPACE)


def current(warehouse: Warehouse) -> ir.Table | None:
    """Each request's last version, or None before the first request."""
    import ibis

    log = versions(warehouse)
    if log is None:
        return None
    window = ibis.window(group_by=log.request_id, order_by=[log.version.desc()])
    ranked = log.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def now() -> datetime:
    """The time of a change, UTC."""
    return datetime.now(UTC)
