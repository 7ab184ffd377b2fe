"""The `routing` namespace: every assignment with its trail, and the pools' counters.

- `routing.assignment`: one row per lead per applied run (appended, never rewritten):
  the owner or queue, the rule, the inputs that decided, the trail of rules tried, the
  previous owner, when;
- `routing.pool_state`: each pool's round-robin counters after the last applied run, so
  the rotation continues where it stopped.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir

    from revops.routing.engine import Decision, RouterState
    from revops.warehouse import Warehouse

NAMESPACE = "routing"
ASSIGNMENT = "assignment"
POOL_STATE = "pool_state"
BATCH = 50_000


def _schemas() -> dict[str, sch.Schema]:
    import ibis

    return {
        ASSIGNMENT: ibis.schema(
            {
                "run_id": "string",
                "lead_id": "string",
                "lead_name": "string",
                "owner_id": "string",
                "queue": "string",
                "rule": "string",
                "kind": "string",
                "previous_owner_id": "string",
                "inputs": "string",
                "trail": "string",
                "rules_hash": "string",
                "decided_at": "timestamp('UTC')",
            }
        ),
        POOL_STATE: ibis.schema(
            {"pool": "string", "user_id": "string", "counter": "float64", "run_id": "string"}
        ),
    }


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the routing tables that are missing."""
    warehouse.ensure_tables(NAMESPACE, _schemas())


def assignment_row(decision: Decision, run_id: str, rules_hash: str) -> dict[str, Any]:
    """One decision as a row of `routing.assignment`."""
    return {
        "run_id": run_id,
        "lead_id": decision.lead.lead_id,
        "lead_name": decision.lead.name,
        "owner_id": decision.owner_id,
        "queue": decision.queue,
        "rule": decision.rule,
        "kind": decision.kind,
        "previous_owner_id": decision.lead.previous_owner_id,
        "inputs": json.dumps(decision.lead.inputs(), default=str, sort_keys=True),
        "trail": json.dumps([asdict(s) for s in decision.steps]),
        "rules_hash": rules_hash,
        "decided_at": decision.decided_at.astimezone(UTC),
    }


def save_run(
    warehouse: Warehouse,
    decisions: list[Decision],
    state: RouterState,
    run_id: str,
    rules_hash: str,
) -> None:
    """Append the run's assignments and replace the pool counters, in one load."""
    import pyarrow as pa

    from revops.warehouse import LoadSpec

    ensure_tables(warehouse)
    schemas = _schemas()
    schema = schemas[ASSIGNMENT].to_pyarrow()
    # Rows become Arrow batch by batch, so a million decisions never sit as dicts at once.
    batches = [
        pa.RecordBatch.from_pylist(
            [assignment_row(d, run_id, rules_hash) for d in decisions[i : i + BATCH]], schema
        )
        for i in range(0, len(decisions), BATCH)
    ]
    assignments = pa.Table.from_batches(batches, schema)
    counters = pa.Table.from_pylist(
        [
            {"pool": pool, "user_id": user, "counter": value, "run_id": run_id}
            for (pool, user), value in sorted(state.counters.items())
        ],
        schema=schemas[POOL_STATE].to_pyarrow(),
    )
    warehouse.load_many(
        [
            LoadSpec(ASSIGNMENT, assignments, NAMESPACE, mode="append"),
            LoadSpec(POOL_STATE, counters, NAMESPACE, mode="replace"),
        ]
    )


def read_counters(warehouse: Warehouse) -> dict[tuple[str, str], float]:
    """The pool counters the last applied run left (the pool table is a few rows)."""
    if not warehouse.has_table(POOL_STATE, NAMESPACE):
        return {}
    rows = warehouse.table(POOL_STATE, NAMESPACE).to_pyarrow().to_pylist()
    return {(r["pool"], r["user_id"]): float(r["counter"]) for r in rows}


def latest(warehouse: Warehouse, at: datetime | None = None) -> ir.Table | None:
    """The last assignment of each routed lead (decided by `at` when given)."""
    import ibis

    if not warehouse.has_table(ASSIGNMENT, NAMESPACE):
        return None
    log = warehouse.table(ASSIGNMENT, NAMESPACE)
    if at is not None:
        log = log.filter(log.decided_at <= ibis.literal(at.astimezone(UTC), log.decided_at.type()))
    window = ibis.window(group_by=log.lead_id, order_by=[log.decided_at.desc(), log.run_id.desc()])
    ranked = log.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def current_owners(warehouse: Warehouse, at: datetime | None = None) -> ir.Table | None:
    """`o_lead_id`, `o_owner_id`: the owner revops last assigned to each routed lead (by
    `at` when given)."""
    last = latest(warehouse, at)
    if last is None:
        return None
    return last.select(o_lead_id=last.lead_id, o_owner_id=last.owner_id)


def history(
    warehouse: Warehouse,
    lead_id: str | None = None,
    limit: int = 200,
    owners: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """Assignments, newest first; of one lead when `lead_id` is given; to or from one of
    `owners` when given (a row scope)."""
    if not warehouse.has_table(ASSIGNMENT, NAMESPACE):
        return []
    log = warehouse.table(ASSIGNMENT, NAMESPACE)
    if lead_id is not None:
        log = log.filter(log.lead_id == lead_id)
    if owners is not None:
        visible = sorted(owners)
        log = log.filter(log.owner_id.isin(visible) | log.previous_owner_id.isin(visible))
    ordered = log.order_by([log.decided_at.desc(), log.run_id.desc(), log.lead_id]).limit(limit)
    rows: list[dict[str, Any]] = ordered.to_pyarrow().to_pylist()
    return rows


def stamp() -> tuple[str, datetime]:
    """A new run id and its time."""
    from revops.warehouse.batch import new_load_id

    now = datetime.now(UTC)
    return new_load_id(), now
