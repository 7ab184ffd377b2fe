"""The `comp` namespace: locked payouts of closed periods and disputes, kept as history
(rows are added, never changed).

- `comp.period_close`: one row per plan and period closed: as of which day, by whom, the
  total paid.
- `comp.statement_line`: every line of every statement of a closed period, exact (amounts
  to the cent, bases and rates as text).
- `comp.dispute`: a rep's flag on a line with a note, then each resolution as a new row of
  the same dispute (the latest row is its state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

NAMESPACE = "comp"
CLOSE = "period_close"
LINE = "statement_line"
DISPUTE = "dispute"
MONEY = "decimal(18, 2)"


def schemas() -> dict[str, sch.Schema]:
    """The tables of the namespace and their columns."""
    import ibis

    return {
        CLOSE: ibis.schema(
            {
                "plan": "string",
                "period": "string",
                "as_of": "date",
                "participants": "int64",
                "total": MONEY,
                "closed_by": "string",
                "closed_at": "timestamp('UTC')",
            }
        ),
        LINE: ibis.schema(
            {
                "plan": "string",
                "period": "string",
                "participant_id": "string",
                "participant_name": "string",
                "line_no": "int64",
                "kind": "string",
                "deal_id": "string",
                "deal_name": "string",
                "rule": "string",
                "rate": "string",
                "base": "string",
                "amount": MONEY,
                "earned_period": "string",
                "adjusts_period": "string",
                "note": "string",
                "closed_at": "timestamp('UTC')",
            }
        ),
        DISPUTE: ibis.schema(
            {
                "dispute_id": "string",
                "plan": "string",
                "period": "string",
                "participant_id": "string",
                "line_no": "int64",
                "line": "string",
                "note": "string",
                "status": "string",
                "resolution": "string",
                "recorded_by": "string",
                "recorded_at": "timestamp('UTC')",
            }
        ),
    }


def ensure(warehouse: Warehouse, name: str) -> None:
    """Create the namespace and the table `name` when missing."""
    if not warehouse.has_table(name, NAMESPACE):
        warehouse.init(())
        warehouse.create_table(name, schemas()[name], NAMESPACE)


def append_many(warehouse: Warehouse, batches: dict[str, list[dict[str, Any]]]) -> None:
    """Add each table's rows, all in one load (a close writes its lines and its close row
    together, or neither)."""
    from revops.warehouse import LoadSpec

    for name in batches:
        ensure(warehouse, name)
    specs = [
        LoadSpec(name, rows, NAMESPACE, mode="append") for name, rows in batches.items() if rows
    ]
    if specs:
        warehouse.load_many(specs)


def stored(warehouse: Warehouse, name: str) -> ir.Table | None:
    """Table `name`, or None when nothing was stored yet."""
    if not warehouse.has_table(name, NAMESPACE):
        return None
    return warehouse.table(name, NAMESPACE)
