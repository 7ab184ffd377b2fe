"""Pure arithmetic of a quota plan: exact money splits, seasonality, ramp.

Money is split in cents by the largest remainder: each part gets the floor of its exact
share, and the cents left go one each to the parts with the largest remainders (ties to
the earlier part), so the parts always sum to the whole, to the cent.

Examples:
    >>> from decimal import Decimal
    >>> split(Decimal("100.00"), [1, 1, 1])
    [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    >>> ramp_factor(month=4, hire_month=0, steps=(0.25, 0.5, 0.75), months_per_step=3)
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")


def split(total: Decimal, weights: Sequence[float]) -> list[Decimal]:
    """`total` split in proportion to `weights`, in cents, summing to `total` exactly.

    All-zero weights split evenly (a quota must still add up to its target).

    Raises:
        ValueError: a negative weight, or no weight at all.
    """
    if not weights:
        raise ValueError("nothing to split into")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    cents = int((total / CENT).to_integral_value())
    chosen = [Decimal(repr(float(w))) for w in weights]
    whole = sum(chosen)
    if whole == 0:
        chosen, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [Decimal(cents) * w / whole for w in chosen]
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    left = cents - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def shares(amounts: Sequence[float]) -> list[float]:
    """Each amount's share of their sum; even shares when the sum is not positive."""
    total = sum(amounts)
    if total <= 0:
        return [1.0 / len(amounts)] * len(amounts)
    return [a / total for a in amounts]


def ramp_factor(month: int, hire_month: int, steps: Sequence[float], months_per_step: int) -> float:
    """Productivity of a rep in plan month `month` (0-based) hired in month `hire_month`
    (negative: before the plan starts): 0 before the hire, then `steps[k]` in the k-th run
    of `months_per_step` months, then 1."""
    if month < hire_month:
        return 0.0
    step = (month - hire_month) // months_per_step
    return float(steps[step]) if step < len(steps) else 1.0


def blend(parts: dict[str, list[float]], weights: dict[str, float]) -> list[float]:
    """Per rep, the weighted sum of each part's shares (each part a list of shares)."""
    size = len(next(iter(parts.values())))
    total = [0.0] * size
    for name, weight in weights.items():
        for i, share in enumerate(parts[name]):
            total[i] += weight * share
    return total
