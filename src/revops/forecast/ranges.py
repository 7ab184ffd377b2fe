"""Ranges from deal probabilities: a seeded Monte Carlo of Bernoulli deals plus new business.

Each simulated period wins every open deal with its own probability (a sum of Bernoullis,
not a fixed ± percentage) and adds one draw of the not-yet-created component, resampled
from what past periods got from deals created after the same point of the period.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SIMULATIONS = 4_000
_CHUNK = 500  # simulations at a time: bounds memory to deals × chunk booleans


@dataclass(frozen=True)
class Range:
    """The P10, P50 and P90 of simulated bookings, and their mean."""

    p10: float
    p50: float
    p90: float
    mean: float


def seed_for(*parts: object) -> int:
    """A stable seed from the parts that identify a forecast (method, period, day).

    Examples:
        >>> seed_for("ml", "FY2025-Q4", "2024-11-01") == seed_for("ml", "FY2025-Q4", "2024-11-01")
        True
    """
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def simulate(
    booked: float,
    amounts: np.ndarray,
    probabilities: np.ndarray,
    new_business: np.ndarray | None = None,
    *,
    seed: int,
    simulations: int = SIMULATIONS,
) -> Range:
    """The distribution of a period's bookings.

    Args:
        booked: bookings already won; every simulation starts from them.
        amounts: amount of each open deal.
        probabilities: each deal's chance of being won in the period (0..1).
        new_business: samples of bookings from deals not created yet; each simulation
            draws one (none when empty or None).
        seed: the random seed, so the same inputs give the same range.
        simulations: how many periods to simulate.

    Examples:
        >>> import numpy as np
        >>> r = simulate(10.0, np.array([100.0]), np.array([1.0]), seed=1)
        >>> (r.p10, r.p50, r.p90)
        (110.0, 110.0, 110.0)
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    amounts = np.asarray(amounts, dtype=float)
    chances = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    totals = np.full(simulations, booked, dtype=float)
    for start in range(0, simulations, _CHUNK):
        size = min(_CHUNK, simulations - start)
        if len(amounts):
            wins = rng.random((size, len(amounts))) < chances
            totals[start : start + size] += wins @ amounts
    if new_business is not None and len(new_business):
        totals += rng.choice(np.asarray(new_business, dtype=float), size=simulations)
    p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9])
    return Range(float(p10), float(p50), float(p90), float(totals.mean()))
