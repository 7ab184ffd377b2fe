"""A quota plan from its inputs (pure): seasonality, top-down split, bottom-up capacity.

- **Seasonality**: each fiscal quarter's share of the history years' bookings.
- **Top-down**: the target split into quarters by seasonality, then each quarter split
  over the reps by weight × ramp in that quarter, where the weight blends each rep's share
  of potential, of history bookings and an even share (`split:`). Both splits are exact
  to the cent, so the plan sums to the target.
- **Bottom-up**: productivity per ramped rep × the quarter's season share × the rep's
  ramp in that quarter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from revops.quotas.allocate import CENT, blend, ramp_factor, shares, split
from revops.quotas.config import QuotasFile


@dataclass(frozen=True)
class RepInput:
    """What the plan knows of one rep."""

    user_id: str
    name: str
    team: str | None
    manager: str | None
    hire_date: date | None
    hire_month: int
    """Plan month (0 = first month of the year) the rep starts; negative: before."""
    potential: float
    history: float


@dataclass(frozen=True)
class Quarter:
    """One fiscal quarter of the plan year."""

    label: str
    start: date
    last_day: date


@dataclass(frozen=True)
class RepQuota:
    """One rep's quota per quarter, top-down and bottom-up."""

    rep: RepInput
    weight: float
    ramp: tuple[float, ...]
    top_down: tuple[Decimal, ...]
    bottom_up: tuple[Decimal, ...]


def quarter_ramp(rep: RepInput, quarter: int, config: QuotasFile) -> float:
    """The rep's mean productivity over the quarter's three months."""
    steps, size = config.ramp.steps, config.ramp.months_per_step
    months = range(quarter * 3, quarter * 3 + 3)
    return sum(ramp_factor(m, rep.hire_month, steps, size) for m in months) / 3


def build(
    target: Decimal,
    reps: Sequence[RepInput],
    season: Sequence[float],
    productivity: float,
    config: QuotasFile,
) -> list[RepQuota]:
    """Each rep's top-down and bottom-up quota per quarter; top-down sums to `target`.

    Raises:
        ValueError: no reps.
    """
    if not reps:
        raise ValueError("no rep carries a quota")
    parts = {
        "potential": shares([r.potential for r in reps]),
        "history": shares([r.history for r in reps]),
        "even": [1.0 / len(reps)] * len(reps),
    }
    weights = blend(parts, {str(k): v for k, v in config.split.items()})
    ramps = [[quarter_ramp(r, q, config) for q in range(4)] for r in reps]
    per_quarter = split(target, list(season))
    columns = [
        split(per_quarter[q], [w * ramp[q] for w, ramp in zip(weights, ramps, strict=True)])
        for q in range(4)
    ]
    made = []
    for i, rep in enumerate(reps):
        bottom = tuple(
            (Decimal(repr(productivity * season[q] * ramps[i][q]))).quantize(CENT) for q in range(4)
        )
        made.append(RepQuota(rep, weights[i], tuple(ramps[i]),
                             tuple(columns[q][i] for q in range(4)), bottom))  # fmt: skip
    return made


def seasonality(quarter_bookings: Sequence[float]) -> list[float]:
    """Each fiscal quarter's share of the bookings (even without bookings); sums to 1."""
    found = shares(list(quarter_bookings))
    return [*found[:-1], 1.0 - sum(found[:-1])]
