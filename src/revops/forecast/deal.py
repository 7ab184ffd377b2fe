"""One open deal's win probability in its forecast period, and the reasons for it.

The probability is the one the forecast call ranks deals by (the first method of
:data:`revops.forecast.call.PREFERRED` that counts deals: the ensemble of the stage
conversion rates and the deal model), fitted as of the day on the rows of the viewer's
scope, and the reasons are that method's own (:mod:`revops.forecast.reasons`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from revops.errors import ForecastError

if TYPE_CHECKING:
    from revops.metrics import Metrics, Scope

DEAL_METHOD = "ensemble"
"""The method a deal page shows the probability of (the forecast call's first choice)."""


@dataclass(frozen=True)
class DealChance:
    """An open deal's chance of being won in a period.

    Attributes:
        period: the forecast period (the fiscal quarter of the deal's close date, or of
            the as-of day when that has passed).
        method: the forecast method the probability is from.
        probability: the chance (0-1) the deal is won in the period.
        expected: probability × amount.
        reasons: the method's top feature contributions: `feature`, `value`, `effect`.
    """

    period: str
    method: str
    probability: float
    expected: float | None
    reasons: list[dict[str, object]] = field(default_factory=list)


def deal_chance(
    metrics: Metrics,
    opportunity_id: str,
    close_date: date | None,
    as_of: date,
    *,
    scope: Scope | None = None,
) -> DealChance | None:
    """The win probability of the open deal `opportunity_id` in its forecast period, or
    None when the forecast cannot say (no history yet, a deal the method does not count).
    """
    from revops.forecast.call import check_period
    from revops.forecast.data import ForecastData
    from revops.forecast.methods import make_methods
    from revops.forecast.methods.base import DealMethod
    from revops.forecast.reasons import deal_reasons

    day = close_date if close_date is not None and close_date > as_of else as_of
    period = metrics.window(None, day)
    try:
        check_period(period, as_of)
        data = ForecastData.load(metrics, [as_of], kind=period.kind, last_day=as_of, scope=scope)
        if data.training(as_of).empty:
            return None
        forecaster = make_methods(["stage_conversion", "ml", DEAL_METHOD])[-1]
        forecaster.fit(data, as_of)
        forecast = forecaster.predict(period)
    except ForecastError:
        return None
    deals = forecast.deals
    if deals.empty or "opportunity_id" not in deals.columns:
        return None
    mine = deals[deals["opportunity_id"] == opportunity_id].reset_index(drop=True)
    if mine.empty:
        return None
    row = mine.iloc[0]
    reasons = (
        deal_reasons(forecaster, data, as_of, period, mine)
        if isinstance(forecaster, DealMethod)
        else []
    )
    expected = row.get("expected")
    return DealChance(
        period=period.label,
        method=forecaster.name,
        probability=float(row["probability"]),
        expected=None if expected is None else float(expected),
        reasons=reasons[0] if reasons else [],
    )
