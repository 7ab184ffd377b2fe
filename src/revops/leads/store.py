"""The `leads` namespace: stored scores, lifecycle events qualification recorded, and
sales's acceptance decisions, each kept as history (rows are added, never changed).

- `leads.score`: one row per lead and scoring run (as_of), with its model version.
- `leads.lifecycle_event`: a lead entering a stage by a rule (`qualify --apply`).
- `leads.acceptance`: accepted / rejected (with a reason) / recycled, by whom, when.
- `leads.evaluation`: each `revops leads evaluate` as a JSON document, for the cockpit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    import pandas as pd

    from revops.warehouse import Warehouse

NAMESPACE = "leads"
SCORE = "score"
LIFECYCLE = "lifecycle_event"
ACCEPTANCE = "acceptance"
EVALUATION = "evaluation"


def schemas() -> dict[str, sch.Schema]:
    """The tables of the namespace and their columns."""
    import ibis

    return {
        SCORE: ibis.schema(
            {
                "lead_id": "string",
                "as_of": "timestamp('UTC')",
                "fit": "float64",
                "engagement": "float64",
                "model_score": "float64",
                "reasons": "string",
                "model_version": "string",
                "scored_at": "timestamp('UTC')",
            }
        ),
        LIFECYCLE: ibis.schema(
            {
                "lead_id": "string",
                "from_stage": "string",
                "stage": "string",
                "rule": "string",
                "fit": "float64",
                "engagement": "float64",
                "entered_at": "timestamp('UTC')",
                "recorded_at": "timestamp('UTC')",
                "recorded_by": "string",
            }
        ),
        EVALUATION: ibis.schema(
            {
                "model_version": "string",
                "document": "string",
                "evaluated_at": "timestamp('UTC')",
            }
        ),
        ACCEPTANCE: ibis.schema(
            {
                "lead_id": "string",
                "decision": "string",
                "reason": "string",
                "decided_by": "string",
                "decided_at": "timestamp('UTC')",
            }
        ),
    }


def ensure(warehouse: Warehouse, name: str) -> None:
    """Create the namespace and the table `name` when missing."""
    if not warehouse.has_table(name, NAMESPACE):
        warehouse.init(())
        warehouse.create_table(name, schemas()[name], NAMESPACE)


def append(warehouse: Warehouse, name: str, rows: pd.DataFrame | list[dict[str, Any]]) -> int:
    """Add `rows` to table `name` in one load; returns how many."""
    from revops.warehouse import LoadSpec

    ensure(warehouse, name)
    count = len(rows)
    if count:
        warehouse.load_many([LoadSpec(name, rows, NAMESPACE, mode="append")])
    return count


def stored(warehouse: Warehouse, name: str) -> ir.Table | None:
    """Table `name`, or None when nothing was stored yet."""
    if not warehouse.has_table(name, NAMESPACE):
        return None
    return warehouse.table(name, NAMESPACE)


def latest_scores(warehouse: Warehouse) -> ir.Table | None:
    """The scores of the latest scoring run (greatest `scored_at`), or None."""
    table = stored(warehouse, SCORE)
    if table is None:
        return None
    last = table.scored_at.max().as_scalar()
    return table.filter(table.scored_at == last)


def latest_evaluation(warehouse: Warehouse) -> dict[str, Any] | None:
    """The document of the latest stored evaluation, or None."""
    import json

    table = stored(warehouse, EVALUATION)
    if table is None:
        return None
    rows = table.order_by(table.evaluated_at.desc()).limit(1).to_pyarrow().to_pylist()
    if not rows:
        return None
    found: dict[str, Any] = json.loads(rows[0]["document"])
    return found
