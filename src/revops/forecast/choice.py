"""The one call: which method's number to lead with, and why.

The recommended method is the one with the best median accuracy in the stored backtest at
the same week of the period as the call (:func:`revops.forecast.data.week_of`), among the
methods of the call; without a stored backtest for the period kind (or for a scoped call,
since the backtest measures the whole company) it is the ensemble, the most accurate
method on the demo companies (docs/forecast.md).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    """

    method: str
    p10: float
    p50: float
    p90: float
    week: int
    accuracy: float | None
    periods: int | None
    reason: str

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
