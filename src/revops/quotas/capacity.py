"""Capacity planning (pure): how many reps to hire, and when, to reach a bookings target.

Month by month over the fiscal year, every rep (those employed now and the hires) is an
expected head: it survives each month with probability `(1 - attrition) ** (1/12)`, and
books `productivity × season share of the month × its ramp`. Hires are added one at a
time, each in the earliest month that still has room (`max_hires_per_month`, not before
the as-of day plus the hiring lead time), until the expected bookings reach the target or
a hire would start too late to book anything. The low and high ends use the low and high
productivity (percentiles of per-rep productivity) with the same heads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from revops.core.period import add_months
from revops.quotas.allocate import ramp_factor

MAX_HIRES = 10_000


@dataclass(frozen=True)
class CapacityInputs:
    """What a capacity plan assumes; money in the reporting currency."""

    target: float
    months: tuple[str, ...]
    starts: tuple[date, ...]
    """First day of each month."""
    season: tuple[float, ...]
    """Share of a year's bookings in each month; sums to 1."""
    productivity: float
    low: float
    high: float
    attrition: float
    reps: tuple[int, ...]
    """Plan month each current rep started (negative: before the year)."""
    earliest_start: int
    lead_months: int
    max_hires_per_month: int
    coverage: float
    steps: tuple[float, ...]
    months_per_step: int
    open_pipeline: float = 0.0


@dataclass(frozen=True)
class CapacityPlan:
    """The months of the plan and the hires it needs."""

    inputs: CapacityInputs
    hires: tuple[int, ...]
    """Plan month each hire starts."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    reachable: bool = True

    def hire_rows(self) -> list[dict[str, Any]]:
        """Each hire: the month it starts and the day its requisition must open by."""
        i = self.inputs
        return [{"hire": n + 1, "start_month": i.months[m], "start_date": i.starts[m],
                 "open_requisition_by": add_months(i.starts[m], -i.lead_months)}
                for n, m in enumerate(self.hires)]  # fmt: skip

    def totals(self) -> dict[str, Any]:
        """The year's sums and the plan's headline figures."""
        i = self.inputs
        expected = sum(r["expected_bookings"] for r in self.rows)
        return {
            "target": round(i.target, 2), "hires": len(self.hires),
            "expected_bookings": round(expected, 2),
            "low": round(sum(r["low"] for r in self.rows), 2),
            "high": round(sum(r["high"] for r in self.rows), 2),
            "gap": round(i.target - expected, 2), "reachable": self.reachable,
            "productivity": round(i.productivity, 2), "attrition": round(i.attrition, 4),
            "heads_start": round(self.rows[0]["heads"], 2) if self.rows else 0,
            "heads_end": round(self.rows[-1]["heads"], 2) if self.rows else 0,
            "pipeline_needed": round(expected * i.coverage, 2),
            "open_pipeline": round(i.open_pipeline, 2),
            "pipeline_coverage": round(i.open_pipeline / i.target, 3) if i.target else None,
        }  # fmt: skip


def _survival(attrition: float) -> float:
    return float((1.0 - attrition) ** (1.0 / 12.0))


def _ramped(inputs: CapacityInputs, start: int, month: int) -> float:
    """Expected ramped FTE in `month` of one rep who started in `start`."""
    if month < start:
        return 0.0
    alive = _survival(inputs.attrition) ** (month - max(start, 0))
    return alive * ramp_factor(month, start, inputs.steps, inputs.months_per_step)


def _bookings(inputs: CapacityInputs, starts: Sequence[int], productivity: float) -> float:
    return sum(
        productivity * inputs.season[m] * sum(_ramped(inputs, s, m) for s in starts)
        for m in range(len(inputs.months))
    )


def plan_capacity(inputs: CapacityInputs) -> CapacityPlan:
    """The hires needed and the monthly plan."""
    size = len(inputs.months)
    base = _bookings(inputs, inputs.reps, inputs.productivity)
    hires: list[int] = []
    total = base
    month = inputs.earliest_start
    reachable = True
    while total < inputs.target - 0.005 and len(hires) < MAX_HIRES:
        while month < size and (inputs.max_hires_per_month == 0
                                or hires.count(month) >= inputs.max_hires_per_month):  # fmt: skip
            month += 1 if inputs.max_hires_per_month else size
        added = _bookings(inputs, [month], inputs.productivity) if month < size else 0.0
        if added <= 0:
            reachable = False
            break
        hires.append(month)
        total += added
    return CapacityPlan(inputs, tuple(hires), _rows(inputs, hires), reachable)


def _rows(inputs: CapacityInputs, hires: list[int]) -> list[dict[str, Any]]:
    everyone = [*inputs.reps, *hires]
    keep = _survival(inputs.attrition)
    rows = []
    cumulative = 0.0
    for m, label in enumerate(inputs.months):
        heads = sum(keep ** (m - max(s, 0)) for s in everyone if s <= m)
        ramped = sum(_ramped(inputs, s, m) for s in everyone)
        expected = inputs.productivity * inputs.season[m] * ramped
        cumulative += expected
        rows.append({
            "month": label, "hires_starting": hires.count(m),
            "heads": round(heads, 2), "ramped_fte": round(ramped, 2),
            "expected_bookings": round(expected, 2),
            "low": round(inputs.low * inputs.season[m] * ramped, 2),
            "high": round(inputs.high * inputs.season[m] * ramped, 2),
            "cumulative": round(cumulative, 2),
            "pipeline_needed": round(expected * inputs.coverage, 2),
        })  # fmt: skip
    return rows
