"""The cockpit home: headline KPIs for the window, compared, with a trend sparkline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app.views.common import Page, formatted, number, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

HEADLINE = ("bookings", "arr", "open_pipeline", "pipeline_created", "win_rate", "nrr")
"""The KPIs on the home page, in order."""


class TrendPoint(BaseModel):
    """One period of a sparkline."""

    period: str
    value: float | None


class KpiCard(BaseModel):
    """One headline KPI."""

    metric: str
    label: str
    unit: str
    direction: str
    value: float | None
    display: str
    compare_value: float | None
    compare_display: str
    change_ratio: float | None
    target: float | None = None
    attainment: float | None = None
    trend: list[TrendPoint]
    definition_url: str = Field(description="The metric's page in the explorer.")
    rows_url: str = Field(description="The drill-down rows behind the value.")


class HomeView(Page):
    """The cockpit home page."""

    window: str
    compare: Literal["previous", "last_year"]
    compare_window: str
    cards: list[KpiCard]


def build_home(
    state: AppState,
    principal: Principal,
    window: str | None,
    compare: Literal["previous", "last_year"] = "previous",
) -> HomeView:
    """The headline KPIs of `window` (default the current fiscal quarter) for this user."""
    period = state.workspace.metrics.window(window, state.today)
    key = ("home", period.label, compare, principal.scope)
    cards, compare_window = state.memo(key, lambda: _cards(state, principal, period, compare))
    return HomeView(
        **page(state, principal),
        window=period.label,
        compare=compare,
        compare_window=compare_window,
        cards=cards,
    )


def _cards(
    state: AppState, principal: Principal, period: Period, compare: Literal["previous", "last_year"]
) -> tuple[list[KpiCard], str]:
    metrics = state.workspace.metrics
    as_of = state.today
    result = state.compute(HEADLINE, period.label, compare=compare, scope=principal.scope)
    year = metrics.window(None, as_of).shift(-4)
    trend_window = f"{year.start.isoformat()}..{as_of.isoformat()}"
    trend = state.compute(HEADLINE, trend_window, grain="quarter", scope=principal.scope)
    cards = []
    compare_window = ""
    trend_records = trend.records()
    for record in result.records():
        definition = metrics.catalog.metric(record["metric"])
        compare_window = str(record.get("compare_period") or "")
        points = [
            TrendPoint(period=str(r["period"]), value=number(r["value"]))
            for r in trend_records
            if r["metric"] == definition.name
        ]
        value = number(record["value"])
        previous = number(record.get("compare_value"))
        cards.append(
            KpiCard(
                metric=definition.name,
                label=definition.label,
                unit=definition.unit,
                direction=definition.direction,
                value=value,
                display=formatted(value, definition.unit),
                compare_value=previous,
                compare_display=formatted(previous, definition.unit),
                change_ratio=number(record.get("change_ratio")),
                target=number(record.get("target")),
                attainment=number(record.get("attainment")),
                trend=points,
                definition_url="/metrics?" + urlencode({"metric": definition.name,
                                                        "window": period.label}),
                rows_url="/metrics/rows?" + urlencode({"metric": definition.name,
                                                       "window": period.label}),
            )
        )  # fmt: skip
    return cards, compare_window
