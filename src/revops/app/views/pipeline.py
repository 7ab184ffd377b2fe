"""The pipeline page: open pipeline by stage, coverage and velocity, stalled deals, and
the waterfall of how the window's pipeline moved between two days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, formatted, number, page
from revops.app.views.records import record_url
from revops.errors import PipelineError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

PIPELINE_KPIS = {
    "open_pipeline": ("Open pipeline", "money"),
    "open_pipeline_count": ("Open deals", "count"),
    "pipeline_coverage": ("Coverage of the remaining target", "multiple"),
    "pipeline_coverage_of_quota": ("Coverage of quota", "multiple"),
    "pipeline_velocity": ("Velocity (per day)", "money"),
    "deal_slippage": ("Slippage", "ratio"),
    "pipeline_created": ("Pipeline created", "money"),
    "bookings_to_date": ("Booked so far", "money"),
}
"""The KPIs of `ws.pipeline.show` the page shows, with a label and unit each."""
STALLED_SHOWN = 50
"""Most stalled deals listed (largest first)."""
SLICE_COLUMN = {"segment": "segment", "owner": "owner_id", "source": "source"}


class StageRow(BaseModel):
    """Open pipeline of one stage (and slice) closing in the window."""

    stage: str
    slice: str | None = Field(description="The slice's value when sliced `by`.")
    slice_label: str | None = Field(
        default=None, description="The owner's name, when sliced by owner."
    )
    slice_url: str | None = Field(default=None, description="The owner's page.")
    deals: int
    amount: float | None
    weighted_amount: float | None
    mean_days_in_stage: float | None


class PipelineKpi(BaseModel):
    """One catalog KPI of the window."""

    metric: str
    label: str
    unit: str
    value: float | None
    display: str


class StalledDeal(BaseModel):
    """An open deal idle in its stage longer than the stage's typical time."""

    opportunity_id: str
    name: str | None = Field(default=None, description="The deal's name.")
    url: str | None = Field(default=None, description="The deal's page.")
    owner_id: str | None
    owner_name: str | None = Field(
        description="The owner's name from the CRM users, or the owner id when no user has it."
    )
    owner_url: str | None = Field(default=None, description="The owner's page.")
    segment: str | None
    stage: str
    days_in_stage: float | None
    days_since_activity: float | None
    threshold_days: float | None
    amount: float | None
    close_date: str | None


class WaterfallStep(BaseModel):
    """One step of the waterfall: open at the start, what added, what took, open at the end."""

    step: str
    sign: str = Field(description="+ adds to the pipeline, - takes from it, = a balance.")
    amount: float
    deals: int


class PipelineView(Page):
    """The pipeline page."""

    window: str
    pipeline_day: str = Field(description="The day the stage table is read at.")
    by: str | None
    stages: list[StageRow]
    kpis: list[PipelineKpi]
    stalled: list[StalledDeal]
    stalled_total: int
    waterfall_from: str
    waterfall_to: str
    waterfall: list[WaterfallStep]


def build_pipeline(
    state: AppState,
    principal: Principal,
    window: str | None,
    *,
    as_of: date | None = None,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> PipelineView:
    """The pipeline of `window` (default the fiscal quarter of the as-of day) for this user's
    rows, and its waterfall from `start` (default the day before the quarter) to `end`
    (default the as-of day).

    Raises:
        PipelineError: an as-of day after today, or a waterfall that ends before it starts.
    """
    today = state.today
    day = as_of or today
    if day > today:
        raise PipelineError(f"the pipeline as of {day} is not known yet (today is {today})")
    period = state.workspace.metrics.window(window, day)
    to_day = min(end or day, day)
    from_day = start or (period.start - timedelta(days=1))
    if from_day >= to_day:
        raise PipelineError(
            f"the waterfall runs from a day to a later one, not {from_day} → {to_day}"
        )
    key = ("pipeline", period.label, day, by, from_day, to_day, principal.scope)
    parts = state.memo(
        key, lambda: _parts(state, principal, period.label, day, by, from_day, to_day)
    )
    common = {**page(state, principal), "as_of": day.isoformat()}
    return PipelineView(**common, window=period.label, by=by, **parts)


def _parts(
    state: AppState,
    principal: Principal,
    window: str,
    day: date,
    by: str | None,
    from_day: date,
    to_day: date,
) -> dict[str, Any]:
    pipeline = state.workspace.pipeline
    scope = principal.scope
    with state.reading():
        shown = pipeline.show(window, as_of=day, by=by, scope=scope)
        stalled = pipeline.stalled(day, scope=scope)
        moved = pipeline.waterfall(from_day, to_day, window, as_of=day, scope=scope)
        stalled_rows = stalled.rows
        shown_rows = stalled_rows[:STALLED_SHOWN]
        slice_owners = [r.get("owner_id") for r in shown.stages.rows] if by == "owner" else []
        names = _owner_names(
            state, day, principal, [*shown_rows, *({"owner_id": o} for o in slice_owners)]
        )
        deal_names = _deal_names(state, day, principal, shown_rows)
    column = SLICE_COLUMN.get(by or "")
    owned = column if by == "owner" else None
    stages = [
        StageRow(
            stage=str(r["stage"]),
            slice=None if column is None else _text(r.get(column)) or "(none)",
            slice_label=names.get(str(r.get(owned))) if owned else None,
            slice_url=record_url("rep", _text(r.get(owned))) if owned else None,
            deals=int(r.get("deals") or 0),
            amount=number(r.get("amount")),
            weighted_amount=number(r.get("weighted_amount")),
            mean_days_in_stage=number(r.get("mean_days_in_stage")),
        )
        for r in shown.stages.rows
    ]
    values = {str(r["metric"]): number(r["value"]) for r in shown.kpis.rows}
    kpis = [
        PipelineKpi(metric=name, label=label, unit=unit, value=values.get(name),
                    display=formatted(values.get(name), unit))
        for name, (label, unit) in PIPELINE_KPIS.items()
    ]  # fmt: skip
    deals = [
        StalledDeal(
            opportunity_id=str(r["opportunity_id"]),
            name=deal_names.get(str(r["opportunity_id"])),
            url=record_url("deal", r["opportunity_id"]),
            owner_id=_text(r.get("owner_id")),
            owner_name=names.get(str(r.get("owner_id")), _text(r.get("owner_id"))),
            owner_url=record_url("rep", _text(r.get("owner_id"))),
            segment=_text(r.get("segment")),
            stage=str(r["stage"]),
            days_in_stage=number(r.get("days_in_stage")),
            days_since_activity=number(r.get("days_since_activity")),
            threshold_days=number(r.get("threshold_days")),
            amount=number(r.get("amount")),
            close_date=_text(r.get("close_date")),
        )
        for r in stalled_rows[:STALLED_SHOWN]
    ]
    steps = [WaterfallStep(**row) for row in moved.rows]
    return {
        "pipeline_day": shown.as_of.isoformat(),
        "stages": stages,
        "kpis": kpis,
        "stalled": deals,
        "stalled_total": len(stalled_rows),
        "waterfall_from": from_day.isoformat(),
        "waterfall_to": to_day.isoformat(),
        "waterfall": steps,
    }


def _owner_names(
    state: AppState, day: date, principal: Principal, rows: list[dict[str, Any]]
) -> dict[str, str]:
    """The CRM users' names of these deals' owners (users are company reference data: not
    cut by scope, so a name shows even for an owner outside it)."""
    owners = sorted({str(r["owner_id"]) for r in rows if _text(r.get("owner_id"))})
    if not owners:
        return {}
    users = state.workspace.metrics.context(day, principal.scope).raw("user")
    found = users.filter(users.user_id.isin(owners)).select("user_id", "name").execute()
    return {
        str(u["user_id"]): str(u["name"])
        for u in found.to_dict(orient="records")
        if _text(u["name"])
    }


def _deal_names(
    state: AppState, day: date, principal: Principal, rows: list[dict[str, Any]]
) -> dict[str, str]:
    """The names of these deals (the labels' lookup: a deal's own name only)."""
    from revops.metrics.labels import lookup

    ctx = state.workspace.metrics.context(day, principal.scope)
    found = lookup(ctx, "opportunity", [str(r["opportunity_id"]) for r in rows])
    return {str(k): str(v) for k, v in found.items()}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    text = str(value)
    return None if text in ("nan", "NaT", "None", "<NA>") else text
