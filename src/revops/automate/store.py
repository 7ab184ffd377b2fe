"""The `automate` namespace: what workflows and deliveries did, and what they changed.

- `automate.run`: one row per workflow per apply (and per delivery run): trigger, records,
  actions, failures, status;
- `automate.action`: every action of a run on a record: target, status, attempts, error,
  whether `revops automate undo` can reverse it;
- `automate.change`: the before-image and after-image of every revops-side change;
- `automate.trigger_state`: the fired keys: the last state each workflow saw of each record
  (a stage, below/above, a schedule tick), so a trigger fires once per change;
- `automate.task`: tasks workflows created for users;
- `automate.field_value`: fields workflows set on records (revops's own, never the source);
- `automate.undo`: runs undone, when and by whom;
- `automate.job_run`: the scheduler's runs of its jobs, with durations and errors;
- `automate.enrollment`: leads enrolled in a follow-up sequence (by hand or by a run);
- `automate.sequence_event`: each step run, wait started, stop (reply, meeting, status
  change, unsubscribed) and completion of an enrolment;
- `automate.unsubscribe`: addresses that want no more sequence e-mails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

NAMESPACE = "automate"
RUN = "run"
ACTION = "action"
CHANGE = "change"
TRIGGER_STATE = "trigger_state"
TASK = "task"
FIELD_VALUE = "field_value"
UNDO = "undo"
JOB_RUN = "job_run"
ENROLLMENT = "enrollment"
SEQUENCE_EVENT = "sequence_event"
UNSUBSCRIBE = "unsubscribe"
_TS = "timestamp('UTC')"


def schemas() -> dict[str, sch.Schema]:
    """The tables of the namespace and their columns."""
    import ibis

    return {
        RUN: ibis.schema(
            {"run_id": "string", "workflow": "string", "trigger": "string", "kind": "string",
             "started_at": _TS, "finished_at": _TS, "records": "int64", "actions": "int64",
             "failed": "int64", "status": "string", "error": "string"}
        ),
        ACTION: ibis.schema(
            {"run_id": "string", "workflow": "string", "entity": "string", "record_id": "string",
             "record_name": "string", "action": "string", "target": "string", "detail": "string",
             "status": "string", "attempts": "int64", "error": "string", "reversible": "boolean",
             "at": _TS}
        ),
        CHANGE: ibis.schema(
            {"run_id": "string", "table_name": "string", "entity": "string",
             "record_id": "string", "field": "string", "before": "string", "after": "string"}
        ),
        TRIGGER_STATE: ibis.schema(
            {"workflow": "string", "record_id": "string", "state": "string", "run_id": "string",
             "observed_at": _TS}
        ),
        TASK: ibis.schema(
            {"task_id": "string", "run_id": "string", "workflow": "string", "user_id": "string",
             "user_name": "string", "title": "string", "entity": "string", "record_id": "string",
             "record_name": "string", "due_date": "date", "created_at": _TS}
        ),
        FIELD_VALUE: ibis.schema(
            {"entity": "string", "record_id": "string", "field": "string", "value": "string",
             "run_id": "string", "set_at": _TS}
        ),
        UNDO: ibis.schema(
            {"run_id": "string", "undone_at": _TS, "undone_by": "string", "restored": "int64"}
        ),
        ENROLLMENT: ibis.schema(
            {"enrollment_id": "string", "sequence": "string", "lead_id": "string",
             "entity": "string", "lead_name": "string", "email": "string",
             "status_at_start": "string", "run_id": "string", "enrolled_at": _TS}
        ),
        SEQUENCE_EVENT: ibis.schema(
            {"enrollment_id": "string", "sequence": "string", "lead_id": "string",
             "step": "int64", "kind": "string", "status": "string", "detail": "string",
             "at": _TS, "due_at": _TS}
        ),
        UNSUBSCRIBE: ibis.schema({"email": "string", "at": _TS, "source": "string"}),
        JOB_RUN: ibis.schema(
            {"job": "string", "kind": "string", "started_at": _TS, "finished_at": _TS,
             "seconds": "float64", "status": "string", "error": "string", "host": "string"}
        ),
    }  # fmt: skip


def ensure(warehouse: Warehouse, name: str) -> None:
    """Create the namespace and the table `name` when missing."""
    if not warehouse.has_table(name, NAMESPACE):
        warehouse.init(())
        warehouse.create_table(name, schemas()[name], NAMESPACE)


def arrow(name: str, rows: list[dict[str, Any]]) -> Any:
    """`rows` as an Arrow table of table `name`'s columns."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=schemas()[name].to_pyarrow())


def append(warehouse: Warehouse, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Add the rows of each table, in one load."""
    from revops.warehouse import LoadSpec

    specs = []
    for name, batch in rows.items():
        ensure(warehouse, name)
        if batch:
            specs.append(LoadSpec(name, arrow(name, batch), NAMESPACE, mode="append"))
    if specs:
        warehouse.load_many(specs)


def stored(warehouse: Warehouse, name: str) -> ir.Table | None:
    """Table `name`, or None when nothing was stored yet."""
    if not warehouse.has_table(name, NAMESPACE):
        return None
    return warehouse.table(name, NAMESPACE)


def rows(warehouse: Warehouse, name: str, limit: int = 500, **equal: Any) -> list[dict[str, Any]]:
    """Rows of table `name` whose columns equal `equal`, at most `limit`."""
    table = stored(warehouse, name)
    if table is None:
        return []
    for column, value in equal.items():
        table = table.filter(table[column] == value)
    found: list[dict[str, Any]] = table.limit(limit).to_pyarrow().to_pylist()
    return found


def latest_state(warehouse: Warehouse, workflow: str) -> ir.Table | None:
    """`s_record_id`, `s_state`: the last state `workflow` recorded of each record."""
    import ibis

    table = stored(warehouse, TRIGGER_STATE)
    if table is None:
        return None
    table = table.filter(table.workflow == workflow)
    window = ibis.window(group_by=table.record_id, order_by=table.run_id.desc())
    ranked = table.mutate(_rank=ibis.row_number().over(window))
    last = ranked.filter(ranked._rank == 0)
    return last.select(s_record_id=last.record_id, s_state=last.state)


def has_state(warehouse: Warehouse, workflow: str) -> bool:
    """Whether `workflow` was applied before (its baseline is recorded)."""
    table = stored(warehouse, TRIGGER_STATE)
    if table is None:
        return False
    return bool(table.filter(table.workflow == workflow).count().execute() > 0)


def latest_fields(warehouse: Warehouse, entity: str, field: str) -> ir.Table | None:
    """`f_record_id`, `f_value`: the value revops last set of `field` on each record."""
    import ibis

    table = stored(warehouse, FIELD_VALUE)
    if table is None:
        return None
    table = table.filter((table.entity == entity) & (table.field == field))
    window = ibis.window(group_by=table.record_id, order_by=table.run_id.desc())
    ranked = table.mutate(_rank=ibis.row_number().over(window))
    last = ranked.filter(ranked._rank == 0)
    return last.select(f_record_id=last.record_id, f_value=last.value)


def delete_run(warehouse: Warehouse, name: str, namespace: str, run_id: str) -> None:
    """Remove the rows of run `run_id` from `namespace.name`."""
    from revops.warehouse import LoadSpec

    if not warehouse.has_table(name, namespace):
        return
    empty = warehouse.table(name, namespace).limit(0).to_pyarrow()
    warehouse.load_many([LoadSpec(name, empty, namespace, mode="replace",
                                  scope={"run_id": [run_id]})])  # fmt: skip
