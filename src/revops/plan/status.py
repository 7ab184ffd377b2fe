"""On track, at risk or missed: how a target is classified from its measured months.

The rule (docs/plan.md):

- A month is *complete* when its last day is on or before the as-of day. A complete month
  with a target is **met** when its measured value is at most (``at_most``) or at least
  (``at_least``) the target, **missed** when not, **no_data** when the metric has no value.
  The running month (holding the as-of day) is **running**; later months are **upcoming**;
  the months before the initiative starts are its **baseline**; a complete month of the
  initiative without a target is **measured**.
- The *trend* is the least-squares slope, per month, of the last three complete months
  with a value (baseline months included); with one such month the trend is flat.
- The *projection* for the next target month (the first one not complete) is the last
  complete value plus the slope times the months between them.

A target is then:

1. **missed** when the latest complete month with a target was missed;
2. **at_risk** when that month had no value, or the projection does not meet the next
   target, or there is no value to project from;
3. **met** when every target month is complete and the last one was met;
4. **on_track** otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from revops.plan.config import Direction

MonthResult = Literal["baseline", "measured", "met", "missed", "no_data", "running", "upcoming"]
Status = Literal["on_track", "at_risk", "missed", "met", "no_data"]
Trend = Literal["improving", "worsening", "flat"]
BASELINE_MONTHS = 3
"""Months before an initiative starts that are measured too (the trend's first points)."""
TREND_MONTHS = 3
"""Complete months the trend is fitted on."""


@dataclass(frozen=True)
class MonthPoint:
    """One month of a target: its target (None in the baseline or a month without one),
    the measured value (to date for the running month) and whether it is complete."""

    month: str
    target: float | None
    value: float | None
    complete: bool
    started: bool


@dataclass(frozen=True)
class Verdict:
    """A target's classification as of a day, with what it was decided from."""

    status: Status
    results: tuple[MonthResult, ...]
    slope: float | None
    trend: Trend | None
    next_month: str | None
    next_target: float | None
    projected: float | None


def meets(direction: Direction, value: float, target: float) -> bool:
    """Whether `value` meets `target` in `direction`.

    Examples:
        >>> meets("at_most", 0.9, 1.0), meets("at_least", 0.9, 0.95)
        (True, False)
    """
    return value <= target if direction == "at_most" else value >= target


def slope_of(values: Sequence[tuple[int, float]]) -> float | None:
    """The least-squares slope of (month index, value) points; None below two points.

    Examples:
        >>> slope_of([(0, 4.0), (1, 3.0), (2, 1.0)])
        -1.5
        >>> slope_of([(0, 4.0)]) is None
        True
    """
    if len(values) < 2:
        return None
    n = len(values)
    mean_x = sum(x for x, _ in values) / n
    mean_y = sum(y for _, y in values) / n
    spread = sum((x - mean_x) ** 2 for x, _ in values)
    return sum((x - mean_x) * (y - mean_y) for x, y in values) / spread


def classify(direction: Direction, points: Sequence[MonthPoint], first_target: int) -> Verdict:
    """The verdict on one target from its months (in order; `first_target` is the index of
    the initiative's first month, the ones before are baseline)."""
    results = tuple(_result(direction, p, i < first_target) for i, p in enumerate(points))
    measured = [(i, p.value) for i, p in enumerate(points) if p.complete and p.value is not None]
    recent = measured[-TREND_MONTHS:]
    slope = slope_of(recent)
    if slope is None and recent:
        slope = 0.0
    trend = None if slope is None else _trend(direction, slope)
    ahead = [i for i, p in enumerate(points) if p.target is not None and not p.complete]
    done = [i for i, p in enumerate(points) if p.target is not None and p.complete]
    next_index = ahead[0] if ahead else None
    projected = None
    if next_index is not None and recent:
        last_index, last_value = recent[-1]
        projected = last_value + (slope or 0.0) * (next_index - last_index)
    next_target = points[next_index].target if next_index is not None else None
    latest = results[done[-1]] if done else None
    status: Status
    if latest == "missed":
        status = "missed"
    elif next_index is None:
        status = "met" if latest == "met" else "at_risk"
    elif not measured:
        status = "no_data"
    elif latest == "no_data" or projected is None:
        status = "at_risk"
    else:
        assert next_target is not None
        status = "on_track" if meets(direction, projected, next_target) else "at_risk"
    return Verdict(
        status=status,
        results=results,
        slope=slope,
        trend=trend,
        next_month=points[next_index].month if next_index is not None else None,
        next_target=next_target,
        projected=projected,
    )


def _result(direction: Direction, point: MonthPoint, baseline: bool) -> MonthResult:
    if baseline:
        return "baseline"
    if not point.started:
        return "upcoming"
    if not point.complete:
        return "running"
    if point.target is None:
        return "measured"
    if point.value is None:
        return "no_data"
    return "met" if meets(direction, point.value, point.target) else "missed"


def _trend(direction: Direction, slope: float) -> Trend:
    if abs(slope) < 1e-12:
        return "flat"
    better = slope < 0 if direction == "at_most" else slope > 0
    return "improving" if better else "worsening"


def month_end(start: date) -> date:
    """The last day of the month starting on `start`.

    Examples:
        >>> month_end(date(2026, 2, 1))
        datetime.date(2026, 2, 28)
    """
    from datetime import timedelta

    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)
