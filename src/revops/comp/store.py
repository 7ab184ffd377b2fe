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

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from revops.comp.calculate import ZERO, Line

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir

    from revops.comp.statement import Statement
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


def read_disputes(
    warehouse: Warehouse, owners: Collection[str] | None, *, history: bool = False
) -> list[dict[str, Any]]:
    """Each dispute of `owners`' statements (everyone's for None) in its latest state
    (every row with `history`), newest first."""
    table = stored(warehouse, DISPUTE)
    if table is None:
        return []
    rows: list[dict[str, Any]] = table.order_by(table.recorded_at.desc()).to_pyarrow().to_pylist()
    if owners is not None:
        rows = [r for r in rows if r["participant_id"] in owners]
    if history:
        return rows
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest.setdefault(row["dispute_id"], row)
    return list(latest.values())


def statement_rows(statement: Statement, now: datetime) -> list[dict[str, Any]]:
    """The rows of `statement.lines` in `statement_line` (one `none` row for a statement
    without lines, so it is locked too)."""
    rows = []
    lines = statement.lines or [Line("commission", "no lines", ZERO)]
    for number, line in enumerate(lines, start=1):
        rows.append(
            {
                "plan": statement.plan,
                "period": statement.period,
                "participant_id": statement.participant_id,
                "participant_name": statement.participant_name,
                "line_no": number,
                "kind": line.kind if statement.lines else "none",
                "deal_id": line.deal_id,
                "deal_name": line.deal_name,
                "rule": line.rule,
                "rate": None if line.rate is None else f"{line.rate:f}",
                "base": f"{line.base:f}",
                "amount": line.amount,
                "earned_period": line.earned_period,
                "adjusts_period": line.adjusts_period,
                "note": line.note,
                "closed_at": now,
            }
        )
    return rows


def line_of(row: dict[str, Any]) -> Line:
    """A stored row of `statement_line` as a statement line."""
    rate = row["rate"]
    return Line(
        row["kind"],
        row["rule"],
        Decimal(row["amount"]),
        Decimal(row["base"]),
        None if rate is None else Decimal(rate),
        row["deal_id"],
        row["deal_name"],
        row["earned_period"],
        row["adjusts_period"],
        row["note"] or "",
    )
