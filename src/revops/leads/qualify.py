"""Qualification as code: which leads enter which lifecycle stage by its entry criteria.

A lead's current stage is its latest lifecycle event at or before the as-of instant (the
ones `qualify --apply` recorded in `leads.lifecycle_event` and those the sources record in
`core.lifecycle_event`); a lead with none is at `lead`. It moves to the furthest stage
whose criteria it meets, when that is beyond its current one; the first criterion that
holds is the rule that fired. Leads sales rejected are left where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from revops.config import EntryCriterion, LifecycleStage
from revops.leads.store import ACCEPTANCE, LIFECYCLE, NAMESPACE

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from revops.warehouse import Warehouse

START_STAGE = "lead"
PLAN_COLUMNS = (
    "lead_id", "name", "company", "owner_id", "from_stage", "to_stage", "rule", "fit",
    "engagement", "model_score",
)  # fmt: skip


@dataclass(frozen=True)
class QualifyPlan:
    """Who would change stage as of an instant, and by which rule."""

    as_of: datetime
    rows: list[dict[str, Any]]
    considered: int

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of each row, in order."""
        return PLAN_COLUMNS

    def counts(self) -> dict[str, int]:
        """Leads moving into each stage."""
        found: dict[str, int] = {}
        for row in self.rows:
            found[row["to_stage"]] = found.get(row["to_stage"], 0) + 1
        return found


def current_stages(warehouse: Warehouse, as_of: datetime) -> ir.Table:
    """lead_id → `stage`: each lead's latest lifecycle event at or before `as_of`."""
    import ibis

    at = ibis.literal(as_of, type="timestamp('UTC')")
    core = warehouse.table("lifecycle_event")
    parts = [
        core.filter(core.person_type == "lead", core.entered_at <= at).select(
            lead_id=core.person_id, stage=core.stage, entered_at=core.entered_at,
            recorded_at=core.entered_at,
        )
    ]  # fmt: skip
    if warehouse.has_table(LIFECYCLE, NAMESPACE):
        own = warehouse.table(LIFECYCLE, NAMESPACE)
        parts.append(
            own.filter(own.entered_at <= at).select("lead_id", "stage", "entered_at", "recorded_at")
        )
    events = ibis.union(*parts) if len(parts) > 1 else parts[0]
    rank = ibis.row_number().over(
        group_by=events.lead_id, order_by=[events.entered_at.desc(), events.recorded_at.desc()]
    )
    latest = events.mutate(rank=rank)
    return latest.filter(latest.rank == 0).select("lead_id", "stage")


def rejected(warehouse: Warehouse, as_of: datetime) -> ir.Table | None:
    """lead_id of leads whose latest acceptance decision at `as_of` is a rejection."""
    import ibis

    if not warehouse.has_table(ACCEPTANCE, NAMESPACE):
        return None
    table = warehouse.table(ACCEPTANCE, NAMESPACE)
    table = table.filter(table.decided_at <= ibis.literal(as_of, type="timestamp('UTC')"))
    rank = ibis.row_number().over(group_by=table.lead_id, order_by=table.decided_at.desc())
    latest = table.mutate(rank=rank)
    return latest.filter(latest.rank == 0, latest.decision == "rejected").select("lead_id")


def conversions(warehouse: Warehouse, as_of: datetime, kinds: set[str]) -> ir.Table:
    """lead_id and conversion_type of each lead's web conversions of `kinds` by `as_of`."""
    import ibis

    web = warehouse.table("web_session")
    at = ibis.literal(as_of, type="timestamp('UTC')")
    found = web.filter(
        web.person_type == "lead",
        web.person_id.notnull(),
        web.started_at <= at,
        web.conversion_type.isin(sorted(kinds)),
    )
    return found.select(lead_id=found.person_id, conversion_type=found.conversion_type).distinct()


def meets(criterion: EntryCriterion, row: Any, converted: set[str]) -> bool:
    """Whether a lead (a row with fit, engagement, model_score) meets `criterion`; every
    condition set must hold (`converted`: the lead's web conversion types)."""
    checks = [
        (criterion.fit_min, row["fit"]),
        (criterion.engagement_min, row["engagement"]),
        (criterion.model_min, row.get("model_score")),
    ]
    for floor, value in checks:
        if floor is None:
            continue
        if value is None or value != value or float(value) < floor:
            return False
    return not criterion.conversions or bool(converted & set(criterion.conversions))


def plan_rows(
    leads: pd.DataFrame,
    stages: tuple[LifecycleStage, ...],
    converted: dict[str, set[str]],
) -> list[dict[str, Any]]:
    """The stage changes of `leads` (one row each, with `stage` its current one or None)."""
    order = {s.name: i for i, s in enumerate(stages)}
    start = order.get(START_STAGE, 0)
    ruled = [(order[s.name], s) for s in stages if s.entry]
    rows = []
    for row in leads.to_dict("records"):
        stage = row.get("stage")
        now = order.get(stage, start) if isinstance(stage, str) else start
        mine = converted.get(row["lead_id"], set())
        for rank, target in sorted(ruled, key=lambda item: -item[0]):
            if rank <= now:
                break
            fired = next((c for c in target.entry if meets(c, row, mine)), None)
            if fired is not None:
                rows.append(
                    {
                        **{c: row.get(c) for c in PLAN_COLUMNS},
                        "from_stage": stage if isinstance(stage, str) else START_STAGE,
                        "to_stage": target.name,
                        "rule": f"{target.name}.{fired.name}",
                    }
                )
                break
    return rows
