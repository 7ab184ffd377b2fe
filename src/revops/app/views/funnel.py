"""The funnel: lifecycle stages with conversion and time between, and a cohort view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

FUNNEL_METRICS = (
    "lifecycle_entries",
    "lifecycle_advances",
    "lifecycle_conversion",
    "lifecycle_days_to_next",
)


class FunnelStage(BaseModel):
    """One lifecycle stage in the window."""

    stage: str
    label: str
    entries: float | None = Field(description="People who entered the stage in the window.")
    advances: float | None = Field(description="Of them, people who went on to a later stage.")
    conversion: float | None
    days_to_next: float | None = Field(description="Median days to the next stage.")


class CohortRow(BaseModel):
    """Conversion of each stage for the people who entered it in one period."""

    period: str
    conversion: dict[str, float | None]


class FunnelView(Page):
    """The funnel page."""

    window: str
    stages: list[FunnelStage]
    cohorts: list[CohortRow]


def build_funnel(state: AppState, principal: Principal, window: str | None) -> FunnelView:
    """The lifecycle funnel of `window` for this user's rows, with quarterly cohorts."""
    metrics = state.workspace.metrics
    stages = state.workspace.config.lifecycle_stages
    period = metrics.window(window, state.today)
    result = state.compute(FUNNEL_METRICS, period.label, by=["stage"], scope=principal.scope)
    short = period.kind in ("quarter", "month")
    cohort_grain: Literal["month", "quarter"] = "month" if short else "quarter"
    cohorts = state.compute(
        "lifecycle_conversion", period.label, by=["stage"], grain=cohort_grain,
        scope=principal.scope,
    )  # fmt: skip
    values: dict[tuple[str, str], float | None] = {}
    for record in result.records():
        values[(str(record["metric"]), str(record["stage"]))] = number(record["value"])
    rows = [
        FunnelStage(
            stage=s.name,
            label=s.label,
            entries=values.get(("lifecycle_entries", s.name)),
            advances=values.get(("lifecycle_advances", s.name)),
            conversion=values.get(("lifecycle_conversion", s.name)),
            days_to_next=values.get(("lifecycle_days_to_next", s.name)),
        )
        for s in stages
    ]
    by_period: dict[str, dict[str, float | None]] = {}
    for record in cohorts.records():
        by_period.setdefault(str(record["period"]), {})[str(record["stage"])] = number(
            record["value"]
        )
    return FunnelView(
        **page(state, principal),
        window=period.label,
        stages=rows,
        cohorts=[CohortRow(period=p, conversion=c) for p, c in by_period.items()],
    )
