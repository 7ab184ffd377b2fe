"""Regime changes: when the recent periods disagree with the long history.

Win rates and sales cycles drift (a slowdown, a recovery, a new market). A forecast
learned from every completed period then answers for a market that has gone. This module
finds, in a per-period series (a period's win-rate shift, its median sales cycle), the
most likely change point: the split into an earlier and a recent run of periods whose
means differ most, in units of the spread within the runs (a two-sample t statistic).
A change counts when that statistic reaches :data:`THRESHOLD` and the recent run holds
at least :data:`MIN_RUN` periods including the latest one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

THRESHOLD = 3.0
"""|t| at or above which a split is a change. The largest |t| over every split of a stable
series is larger than one t statistic: with 6-12 periods of pure noise it reaches 3.0
about one time in ten (tests/forecast/test_regime.py), 4.0 one in thirty. 4.0 missed a
0.5 slowdown on fitting seed 1 five quarters after it (t = -3.9); 3.0 finds it from the
second quarter after it (docs/forecast.md)."""
MIN_RUN = 2
"""Periods each side of a change, at least."""
MIN_CYCLE_CHANGE = 0.2
"""A change of the median sales cycle smaller than this share is not said (with a steady
cycle a few percent can pass the t test: fitting seed 1's cycles grew × 1.08, t = 4.6)."""


@dataclass(frozen=True)
class Change:
    """A change point in a per-period series.

    Attributes:
        at: index of the first period of the recent run.
        before: mean of the periods before it.
        after: mean of the recent run.
        t: the two-sample t statistic of the split.
    """

    at: int
    before: float
    after: float
    t: float


def change_point(values: Sequence[float]) -> Change | None:
    """The change point of `values` (oldest first), or None when the series is stable.

    Every split leaving :data:`MIN_RUN` values or more each side is scored by the t
    statistic of its two means (pooled within-run spread); the largest |t| is the change
    point if it reaches :data:`THRESHOLD`.

    Examples:
        >>> change_point([0.1, -0.1, 0.0, 0.1, -0.6, -0.5, -0.7]).at
        4
        >>> change_point([0.1, -0.1, 0.0, 0.1, -0.1, 0.05, -0.05]) is None
        True
    """
    xs = [float(v) for v in values if not math.isnan(float(v))]
    best: Change | None = None
    for at in range(MIN_RUN, len(xs) - MIN_RUN + 1):
        left, right = xs[:at], xs[at:]
        t = _t_statistic(left, right)
        if best is None or abs(t) > abs(best.t):
            best = Change(at, sum(left) / len(left), sum(right) / len(right), t)
    if best is None or abs(best.t) < THRESHOLD:
        return None
    return best


def _t_statistic(left: list[float], right: list[float]) -> float:
    def squares(run: list[float]) -> float:
        mean = sum(run) / len(run)
        return sum((x - mean) ** 2 for x in run)

    freedom = len(left) + len(right) - 2
    spread = math.sqrt((squares(left) + squares(right)) / freedom) if freedom > 0 else 0.0
    gap = sum(right) / len(right) - sum(left) / len(left)
    scale = spread * math.sqrt(1 / len(left) + 1 / len(right))
    if scale == 0.0:
        return 0.0 if gap == 0.0 else math.copysign(math.inf, gap)
    return gap / scale


@dataclass(frozen=True)
class RegimeCheck:
    """What the drift check found as of a day.

    Attributes:
        win_rate_shift: the log-odds shift the forecast applies to deal chances (the
            recent run's mean less all periods' mean; 0 without a change).
        notes: one sentence per change found (win rates, sales cycle), for the call's
            warning.
    """

    win_rate_shift: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        """The notes as one warning, or None."""
        return "; ".join(self.notes) if self.notes else None


def check_regime(
    shifts: dict[date, float], cycles: dict[date, float], label: Callable[[date], str]
) -> RegimeCheck:
    """The drift check of the settled periods (keyed by their first day, oldest first).

    Args:
        shifts: each period's win-rate shift (mean log-odds shift over its weeks, see
            :meth:`revops.forecast.data.ForecastData.period_shifts`).
        cycles: each period's median sales cycle of its won deals, in days.
        label: the period label of a period's first day.

    A change in win rates moves every deal's chance by the recent run's mean less the mean
    of all periods (the rates are learned from all of them); a change in the sales cycle
    is only said, since the methods learn close-date timing from the deals themselves.
    """
    starts = sorted(shifts)
    notes: list[str] = []
    moved = 0.0
    found = change_point([shifts[s] for s in starts])
    if found is not None:
        values = [shifts[s] for s in starts]
        moved = found.after - sum(values) / len(values)
        runs = len(starts) - found.at
        notes.append(
            f"win rates since {label(starts[found.at])} are {'below' if moved < 0 else 'above'} "
            f"the longer history ({found.after - found.before:+.2f} in log-odds over the last "
            f"{runs} {'periods' if runs > 1 else 'period'}, t = {found.t:+.1f}): the forecast "
            "leans on the recent periods"
        )
    cycle_starts = sorted(cycles)
    found = change_point([math.log(max(cycles[s], 1.0)) for s in cycle_starts])
    ratio = math.exp(found.after - found.before) if found is not None else 1.0
    if found is not None and abs(ratio - 1) >= MIN_CYCLE_CHANGE:
        notes.append(
            f"sales cycles since {label(cycle_starts[found.at])} are "
            f"{'longer' if ratio > 1 else 'shorter'} than before (median × {ratio:.2f}, "
            f"t = {found.t:+.1f})"
        )
    return RegimeCheck(moved, tuple(notes))
