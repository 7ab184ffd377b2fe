"""What the history says (pure, on a few numbers per rep and month): seasonality by
fiscal quarter, each rep's bookings, productivity per ramped rep and its spread, and
attrition.

- Seasonality and each rep's history: the last `history_years` complete fiscal years
  before the cut-off (the plan year's start, or the day after the as-of day if earlier).
- Productivity: the twelve months before the cut-off; bookings of the quota roles'
  reps over their ramped FTE, month by month (employed, times the ramp of `ramp:`).
  Low and high: percentiles of the per-rep productivity of the reps with at least half
  an FTE then.
- Attrition: reps of the quota roles who left in those twelve months over the average
  number employed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from revops.core import FiscalCalendar, Period
from revops.core.period import add_months
from revops.quotas.allocate import ramp_factor
from revops.quotas.config import QuotasFile
from revops.quotas.inputs import Person

DEFAULT_ATTRITION = 0.0


@dataclass(frozen=True)
class History:
    """The inputs a plan learns from the past."""

    people: list[Person]
    quarter_bookings: list[float]
    rep_bookings: dict[str, float]
    productivity: float
    low: float
    high: float
    attrition: float
    warnings: list[str] = field(default_factory=list)


def learn(
    calendar: FiscalCalendar,
    years: Sequence[Period],
    cutoff: date,
    config: QuotasFile,
    people: list[Person],
    bookings: dict[tuple[str | None, int, int], float],
    warnings: list[str],
) -> History:
    """The history of `years` (fiscal years, oldest first) and the twelve months before
    `cutoff`."""
    spans = list(years)
    first, end = spans[0].start, spans[-1].end
    quarters = [0.0] * 4
    per_rep: dict[str, float] = {}
    for (owner, y, m), amount in bookings.items():
        day = date(y, m, 1)
        if first <= day < end:
            quarters[calendar.fiscal_quarter_of(day) - 1] += amount
            if owner is not None:
                per_rep[owner] = per_rep.get(owner, 0.0) + amount
    notes = list(dict.fromkeys(warnings))
    if sum(quarters) <= 0:
        notes.append(f"no bookings in {spans[0].label}..{spans[-1].label}: even seasonality")
    months = [add_months(cutoff, -12 + i) for i in range(12)]
    months = [date(d.year, d.month, 1) for d in months]
    productivity, low, high = _productivity(people, bookings, months, config)
    if productivity <= 0:
        notes.append("no bookings per ramped rep in the last twelve months: productivity 0 "
                     "(set capacity.productivity in plans/quotas.yaml)")  # fmt: skip
    return History(people, quarters, per_rep, productivity, low, high,
                   _attrition(people, months[0], cutoff), notes)  # fmt: skip


def _fte(person: Person, months: list[date], config: QuotasFile) -> float:
    """Ramped FTE of the person over the months (a year: 1 for a ramped rep all year)."""
    total = 0.0
    hire = person.hire_date
    for i, month in enumerate(months):
        if not person.employed_on(add_months(month, 1)) and not person.employed_on(month):
            continue
        start = -1000 if hire is None else (
            (hire.year - months[0].year) * 12 + hire.month - months[0].month
            + (1 if hire.day > 15 else 0))  # fmt: skip
        total += ramp_factor(i, start, config.ramp.steps, config.ramp.months_per_step)
    return total / 12


def _productivity(
    people: list[Person],
    bookings: dict[tuple[str | None, int, int], float],
    months: list[date],
    config: QuotasFile,
) -> tuple[float, float, float]:
    keys = {(m.year, m.month) for m in months}
    booked: dict[str, float] = {}
    for (owner, y, m), amount in bookings.items():
        if owner is not None and (y, m) in keys:
            booked[owner] = booked.get(owner, 0.0) + amount
    ftes = {p.user_id: _fte(p, months, config) for p in people}
    total_fte = sum(ftes.values())
    total = sum(booked.get(u, 0.0) for u in ftes)
    mean = total / total_fte if total_fte > 0 else 0.0
    each = sorted(booked.get(u, 0.0) / f for u, f in ftes.items() if f >= 0.5)
    if not each:
        return mean, mean, mean
    lo, hi = config.capacity.range_percentiles
    return mean, _percentile(each, lo), _percentile(each, hi)


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    position = (len(values) - 1) * q
    below = int(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def _attrition(people: list[Person], first: date, cutoff: date) -> float:
    gone = [p.termination_date for p in people if p.termination_date is not None]
    left = sum(1 for day in gone if first <= day < cutoff)
    at_start = sum(1 for p in people if p.employed_on(first))
    at_end = sum(1 for p in people if p.employed_on(cutoff))
    average = (at_start + at_end) / 2
    return min(1.0, left / average) if average > 0 else DEFAULT_ATTRITION
