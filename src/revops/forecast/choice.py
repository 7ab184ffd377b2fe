"""The one call: which method's number to lead with, and why.

The recommended method is the one with the best median accuracy in the stored backtest at
the same week of the period as the call (:func:`revops.forecast.data.week_of`), among the
methods of the call; without a stored backtest for the period kind (or for a scoped call,
since the backtest measures the whole company) it is the ensemble, the most accurate
method on the demo companies (docs/forecast.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from revops.forecast.protocol import Forecast

DEFAULT_ORDER = ("ensemble", "ml", "stage_conversion", "weighted", "rollup", "timeseries")
"""The method chosen without a backtest: the first of these in the call."""


@dataclass(frozen=True)
class Recommendation:
    """The number to run the period on.

    Attributes:
        method: the method chosen.
        p10: its P10, P50 and P90.
        week: the week of the period the call is in.
        accuracy: the method's median accuracy at that week in the stored backtest (None
            without one).
        periods: how many periods that accuracy is over.
        reason: why it was chosen, in a sentence.
        p25: the calibrated P25 and P75 (None without a stored backtest to calibrate on).
        range_note: how the range was calibrated, or why it is the method's own.
    """

    method: str
    p10: float
    p50: float
    p90: float
    week: int
    accuracy: float | None
    periods: int | None
    reason: str
    p25: float | None = None
    p75: float | None = None
    range_note: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "method": self.method,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "week": self.week,
            "accuracy": self.accuracy,
            "periods": self.periods,
            "reason": self.reason,
            "p25": self.p25,
            "p75": self.p75,
            "range_note": self.range_note,
        }


def recommend(
    forecasts: list[Forecast], week: int, summary: pd.DataFrame | None, why_none: str
) -> Recommendation | None:
    """The recommended forecast among `forecasts` for a call in `week` of its period.

    Args:
        forecasts: the call's forecasts, one per method.
        week: the call's week of the period.
        summary: the stored backtest summary (`method`, `week`, `median_accuracy`,
            `periods`) for this period kind, or None.
        why_none: why there is no backtest to choose by (said in the reason).
    """
    by_method = {f.method: f for f in forecasts}
    if not by_method:
        return None
    if summary is not None and len(summary):
        rows = summary[summary["method"].isin(list(by_method))]
        rows = rows[rows["median_accuracy"].notna()]
        measured = sorted(int(w) for w in rows["week"].unique() if int(w) <= week)
        if measured:
            at = measured[-1]
            cell = rows[rows["week"] == at].sort_values("median_accuracy", ascending=False)
            best = cell.iloc[0]
            forecast = by_method[str(best["method"])]
            accuracy = float(best["median_accuracy"])
            periods = int(best["periods"]) if best["periods"] == best["periods"] else None
            others = ", ".join(
                f"{r['method']} {float(r['median_accuracy']):.1%}"
                for _, r in cell.iloc[1:3].iterrows()
            )
            reason = (
                f"the best median accuracy at week {at} of the period in the stored backtest: "
                f"{accuracy:.1%} over {periods} period(s)"
                + (f" (next: {others})" if others else "")
            )
            return _made(forecast, week, accuracy, periods, reason)
    name = next((m for m in DEFAULT_ORDER if m in by_method), next(iter(by_method)))
    reason = (
        f"{why_none}; the ensemble is the most accurate method on the demo companies "
        "(docs/forecast.md)"
        if name == "ensemble"
        else f"{why_none}; {name} is the first of {', '.join(DEFAULT_ORDER)} in the call"
    )
    return _made(by_method[name], week, None, None, reason)


def _made(
    forecast: Forecast, week: int, accuracy: float | None, periods: int | None, reason: str
) -> Recommendation:
    return Recommendation(
        forecast.method, forecast.p10, forecast.p50, forecast.p90, week, accuracy, periods, reason
    )


def calibrate(
    chosen: Recommendation, booked: float, runs: pd.DataFrame | None, since: date | None = None
) -> Recommendation:
    """`chosen` with its range calibrated on the stored backtest's misses of its method
    near its week (:mod:`revops.forecast.calibrate`; every stored period ended before the
    call, so none is the call's own; only periods from `since`), or with a note saying why
    it is the method's own.
    """
    from dataclasses import replace

    from revops.forecast.calibrate import (
        NEIGHBOURS,
        calibrated_range,
        calibration_set,
        margins_for,
    )

    if runs is None or runs.empty:
        return replace(chosen, range_note="the method's own range: no stored backtest")
    own = runs[runs["method"] == chosen.method]
    near = calibration_set(own, chosen.week, since=since)
    margins = margins_for(own, chosen.week, since=since)
    low, high, quarter_low, quarter_high = calibrated_range(
        chosen.p10, chosen.p50, chosen.p90, booked, margins
    )
    weeks = f"weeks {max(chosen.week - NEIGHBOURS, 1)}-{chosen.week + NEIGHBOURS}"
    if low is None or high is None:
        return replace(
            chosen,
            p25=quarter_low,
            p75=quarter_high,
            range_note=f"the method's own P10-P90: the stored backtest has {len(near)} "
            f"forecast(s) of {chosen.method} at {weeks}, too few to calibrate it on",
        )
    return replace(
        chosen,
        p10=low,
        p90=high,
        p25=quarter_low,
        p75=quarter_high,
        range_note=f"calibrated on the stored backtest's misses of {chosen.method} at {weeks} "
        f"({len(near)} forecasts): the method's own P10-P90 was {chosen.p10:,.0f}-"
        f"{chosen.p90:,.0f}",
    )
