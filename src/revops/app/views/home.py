"""The cockpit home's KPI cards: headline KPIs for the window, compared, with a trend
sparkline; every role's home (:mod:`revops.app.views.homes`) is built on them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app.views.common import Page, formatted, number

if TYPE_CHECKING:
    from datetime import date

    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period
    from revops.metrics.query import Grain

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
    change: float | None = Field(description="value - compare_value, in the metric's unit.")
    change_ratio: float | None
    change_display: str = Field(
        description="The change as read: in points (pp) for a rate, relative (%) otherwise."
    )
    change_tone: Literal["good", "bad", "neutral"]
    target: float | None = None
    attainment: float | None = None
    attainment_tone: Literal["good", "bad", "neutral"] = Field(
        "neutral", description="good when the attainment is at or above the window's pace."
    )
    trend: list[TrendPoint] = Field(
        description="The window's grain, five periods ending with the window."
    )
    definition_url: str = Field(description="The metric's page in the explorer.")
    rows_url: str = Field(description="The drill-down rows behind the value.")


class HomeView(Page):
    """The fields every home page has: the window, its comparison and the KPI cards."""

    window: str
    compare: Literal["previous", "last_year"]
    compare_window: str = Field(
        description="What the window is compared with: to date while the window runs."
    )
    pace: float = Field(description="Share of the window elapsed on the as-of day (0..1).")
    trend_grain: str
    warning: str | None = Field(
        None, description="Why this user sees no rows (a rep or manager no CRM user matches)."
    )
    cards: list[KpiCard]


def home_cards(
    state: AppState,
    principal: Principal,
    period: Period,
    compare: Literal["previous", "last_year"],
    metrics: tuple[str, ...],
) -> tuple[list[KpiCard], str]:
    """The KPI cards of `metrics` for `period` within this user's rows, and the window they
    are compared with; reused until the data changes."""
    key = ("home", period.label, compare, metrics, principal.scope)
    return state.memo(key, lambda: _cards(state, principal, period, compare, metrics))


def pace(period: Period, today: date) -> float:
    """The share of `period` elapsed at the end of `today`."""
    elapsed = (min(today, period.last_day) - period.start).days + 1
    return max(0.0, min(1.0, elapsed / period.days))


def trend_grain(period: Period) -> Grain:
    """The grain of a window's sparklines (a custom window: by month)."""
    return period.kind if period.kind in ("month", "quarter", "year") else "month"


def _trend_window(period: Period, today: date) -> str:
    """Five periods of the window's kind ending with it (a custom window: by month)."""
    start = period.shift(-4).start if period.kind != "custom" else period.start
    end = min(period.last_day, max(today, start))
    return f"{start.isoformat()}..{end.isoformat()}"


def _change(unit: str, change: float | None, ratio: float | None) -> str:
    """A change as a person reads it: points for a rate, relative otherwise.

    Examples:
        >>> _change("ratio", 0.032, 0.1), _change("money", 10.0, -0.84), _change("count", 1, None)
        ('+3.2 pp', '-84.0%', '-')
    """
    if unit == "ratio":
        return "-" if change is None else f"{change * 100:+.1f} pp"
    return "-" if ratio is None else f"{ratio * 100:+.1f}%"


def _tone(change: float | None, direction: str) -> Literal["good", "bad", "neutral"]:
    if change is None or change == 0 or direction == "neutral":
        return "neutral"
    return "good" if (change > 0) == (direction == "up") else "bad"


def _attainment_tone(attainment: float | None, pace: float) -> Literal["good", "bad", "neutral"]:
    if attainment is None:
        return "neutral"
    return "good" if attainment >= pace else "bad"


def _cards(
    state: AppState,
    principal: Principal,
    period: Period,
    compare: Literal["previous", "last_year"],
    shown: tuple[str, ...],
) -> tuple[list[KpiCard], str]:
    metrics = state.workspace.metrics
    as_of = state.today
    result = state.compute(shown, period.label, compare=compare, scope=principal.scope)
    trend_window = _trend_window(period, as_of)
    trend = state.compute(shown, trend_window, grain=trend_grain(period), scope=principal.scope)
    elapsed = pace(period, as_of)
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
        change = number(record.get("change"))
        ratio = number(record.get("change_ratio"))
        attainment = number(record.get("attainment"))
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
                change=change,
                change_ratio=ratio,
                change_display=_change(definition.unit, change, ratio),
                change_tone=_tone(change, definition.direction),
                target=number(record.get("target")),
                attainment=attainment,
                attainment_tone=_attainment_tone(attainment, elapsed),
                trend=points,
                definition_url="/metrics?" + urlencode({"metric": definition.name,
                                                        "window": period.label}),
                rows_url="/metrics/rows?" + urlencode({"metric": definition.name,
                                                       "window": period.label}),
            )
        )  # fmt: skip
    return cards, compare_window
