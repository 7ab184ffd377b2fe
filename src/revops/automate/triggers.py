"""Which records a workflow's trigger fires for now, computed in the warehouse.

Each trigger kind gives every watched record a *state* (its stage, `below`/`above` a
value, `seen`, a schedule tick). `automate.trigger_state` keeps the last state each
workflow recorded of each record: a record fires when its state changes in the way the
trigger asks, once (the key is workflow, record, state). A workflow's first apply records
the states as they are — its baseline — and fires nothing, except a metric trigger, which
fires when the metric is on the alert side at first sight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from revops.automate import store
from revops.automate.workflow import (
    LifecycleTrigger,
    MetricTrigger,
    RecordTrigger,
    ScheduleTrigger,
    Workflow,
)
from revops.errors import AutomateError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import Metrics
    from revops.warehouse import Warehouse

TICK = "__tick__"
BASELINE = "__baseline__"


@dataclass
class Fired:
    """What a trigger fires for now.

    Attributes:
        records: the records acted on, each a dict of its columns plus `record_id`,
            `name`, `owner_id`.
        states: the trigger-state rows an apply records (`record_id`, `state`).
        baseline: the workflow was never applied: this apply records the baseline only.
        detail: words on what fired (a tick, a metric value).
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    baseline: bool = False
    detail: str = ""


def record_name(entity: str, row: dict[str, Any]) -> str:
    """The name a person reads for a record.

    Examples:
        >>> record_name("lead", {"first_name": "Ada", "last_name": "Byron", "company": "AE"})
        'Ada Byron (AE)'
        >>> record_name("opportunity", {"name": "Big deal"})
        'Big deal'
    """
    if entity in ("lead", "contact"):
        person = " ".join(str(row[k]) for k in ("first_name", "last_name") if row.get(k))
        company = row.get("company")
        if person and company:
            return f"{person} ({company})"
        return person or str(company or row.get("email") or "")
    return str(row.get("name") or "")


def fire(
    workflow: Workflow,
    warehouse: Warehouse,
    metrics: Callable[[], Metrics],
    at: datetime,
) -> Fired:
    """What `workflow`'s trigger fires for at `at`.

    Raises:
        AutomateError: the condition names a column the entity does not have, or the
            metric cannot be computed.
    """
    trigger = workflow.trigger
    if isinstance(trigger, MetricTrigger):
        return _metric(workflow, trigger, warehouse, metrics(), at)
    baseline = not store.has_state(warehouse, workflow.name)
    if isinstance(trigger, ScheduleTrigger):
        return _schedule(workflow, trigger, warehouse, at, baseline)
    entity = workflow.entity
    assert entity is not None
    table = _entity_table(warehouse, entity, workflow.when)
    if isinstance(trigger, LifecycleTrigger):
        table = _entered(warehouse, table, trigger.stage)
        state: Any = _literal("seen")
    elif trigger.event == "created":
        state = _literal("seen")
    elif trigger.event == "changed":
        assert trigger.field is not None
        state = _column(table, trigger.field, workflow).cast("string").fill_null("")
    else:
        assert trigger.field is not None
        assert trigger.value is not None
        value = _column(table, trigger.field, workflow)
        state = (value < trigger.value).ifelse("below", "above").fill_null("unknown")
    current = table.mutate(_state=state)
    return _diff(workflow, trigger, warehouse, current, baseline)


def _literal(text: str) -> Any:
    import ibis

    return ibis.literal(text)


def _column(table: ir.Table, name: str, workflow: Workflow) -> Any:
    if name not in table.columns:
        raise AutomateError(f"workflow {workflow.name}: {workflow.entity} has no column {name!r}")
    return table[name]


def _entity_table(warehouse: Warehouse, entity: str, when: str | None) -> ir.Table:
    """The entity's rows with `record_id` and `_ok` (the condition holds)."""
    import ibis

    from revops.metrics.expression import ExpressionError, compile_filter
    from revops.model import ENTITIES

    spec = ENTITIES[entity]
    table = warehouse.table(entity, spec.namespace)
    ok: Any = ibis.literal(True)
    if when is not None:
        try:
            ok = compile_filter(when, table).fill_null(False)
        except ExpressionError as exc:
            raise AutomateError(f"condition on {entity}: {exc}") from None
    return table.mutate(record_id=table[spec.id_column].cast("string"), _ok=ok)


def _entered(warehouse: Warehouse, leads: ir.Table, stage: str) -> ir.Table:
    """The leads with a lifecycle event of `stage` (from the CRM or `leads qualify`)."""
    events = warehouse.table("lifecycle_event", "core")
    events = events.filter((events.stage == stage) & (events.person_type == "lead"))
    ids = events.select(p_id=events.person_id.cast("string"))
    if warehouse.has_table("lifecycle_event", "leads"):
        qualified = warehouse.table("lifecycle_event", "leads")
        qualified = qualified.filter(qualified.stage == stage)
        ids = ids.union(qualified.select(p_id=qualified.lead_id.cast("string")))
    ids = ids.distinct()
    return leads.semi_join(ids, leads.record_id == ids.p_id)


def _diff(
    workflow: Workflow,
    trigger: RecordTrigger | LifecycleTrigger,
    warehouse: Warehouse,
    current: ir.Table,
    baseline: bool,
) -> Fired:
    if baseline:
        states = current.select("record_id", state=current._state).to_pyarrow().to_pylist()
        # A marker row, so a baseline of no record still counts as one.
        marker = {"record_id": BASELINE, "state": "recorded"}
        return Fired([], [marker, *states], True, f"baseline of {len(states)} records")
    previous = store.latest_state(warehouse, workflow.name)
    assert previous is not None
    joined = current.left_join(previous, current.record_id == previous.s_record_id)
    changed = joined.filter(joined.s_record_id.isnull() | (joined._state != joined.s_state))
    if isinstance(trigger, LifecycleTrigger) or trigger.event == "created":
        firing = changed.s_record_id.isnull()
    elif trigger.event == "changed":
        firing = changed.s_record_id.notnull()
        if trigger.to:
            firing &= changed._state.isin(list(trigger.to))
    else:
        firing = (changed._state == "below") & (
            changed.s_record_id.isnull() | (changed.s_state != "below")
        )
    marked = changed.mutate(_fires=firing & changed._ok)
    rows = marked.order_by("record_id").to_pyarrow().to_pylist()
    states = [{"record_id": r["record_id"], "state": r["_state"]} for r in rows]
    fired = []
    for row in rows:
        if row.pop("_fires"):
            row["previous"] = row.pop("s_state")
            for extra in ("_ok", "s_record_id"):
                row.pop(extra, None)
            row["state"] = row.pop("_state")
            row["name"] = record_name(str(workflow.entity), row)
            fired.append(row)
    return Fired(fired, states, False, f"{len(fired)} of {len(rows)} changed records")


def _schedule(
    workflow: Workflow,
    trigger: ScheduleTrigger,
    warehouse: Warehouse,
    at: datetime,
    baseline: bool,
) -> Fired:
    from croniter import croniter

    tick: datetime = croniter(trigger.cron, at.astimezone(UTC)).get_prev(datetime)
    label = tick.astimezone(UTC).isoformat()
    states = [{"record_id": TICK, "state": label}]
    if baseline:
        return Fired([], states, True, f"baseline at tick {label}")
    previous = store.latest_state(warehouse, workflow.name)
    assert previous is not None
    last = previous.filter(previous.s_record_id == TICK).to_pyarrow().to_pylist()
    if last and last[0]["s_state"] >= label:
        return Fired([], [], False, f"tick {label} already fired")
    if workflow.entity is None:
        return Fired([{"record_id": label, "name": f"tick {label}"}], states, False, label)
    table = _entity_table(warehouse, workflow.entity, workflow.when)
    rows = table.filter(table._ok).drop("_ok").order_by("record_id").to_pyarrow().to_pylist()
    for row in rows:
        row["name"] = record_name(workflow.entity, row)
        row["state"] = label
    return Fired(rows, states, False, f"tick {label}")


def _metric(
    workflow: Workflow,
    trigger: MetricTrigger,
    warehouse: Warehouse,
    metrics: Metrics,
    at: datetime,
) -> Fired:
    from revops.errors import MetricError
    from revops.metrics.scope import Scope

    scope: Scope | None = None
    if trigger.scope is not None:
        scope = metrics.scope_for(trigger.scope.user, team=trigger.scope.team)
        if scope is None:
            raise AutomateError(f"workflow {workflow.name}: no CRM user {trigger.scope.user}")
    try:
        result = metrics.compute(trigger.metric, trigger.window, as_of=at.date(), scope=scope)
        value = result.value(trigger.metric)
    except MetricError as exc:
        raise AutomateError(f"workflow {workflow.name}: {exc}") from None
    record_id = f"{trigger.metric}:{result.window.label}"
    if value is None:
        state = "none"
    elif trigger.below is not None:
        state = "below" if value < trigger.below else "above"
    else:
        assert trigger.above is not None
        state = "above" if value > trigger.above else "below"
    alert = "below" if trigger.below is not None else "above"
    threshold = trigger.below if trigger.below is not None else trigger.above
    previous = store.latest_state(warehouse, workflow.name)
    before = None
    if previous is not None:
        last = previous.filter(previous.s_record_id == record_id).to_pyarrow().to_pylist()
        before = last[0]["s_state"] if last else None
    states = [] if before == state else [{"record_id": record_id, "state": state}]
    detail = f"{trigger.metric} = {value} in {result.window.label} ({alert} {threshold}?)"
    if state != alert or before == alert:
        return Fired([], states, False, detail)
    record = {"record_id": record_id, "name": f"{trigger.metric} {result.window.label}",
              "metric": trigger.metric, "window": result.window.label, "value": value,
              "threshold": threshold, "state": state, "previous": before}  # fmt: skip
    return Fired([record], states, False, detail)
