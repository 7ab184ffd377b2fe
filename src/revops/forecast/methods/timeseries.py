"""A top-down check: a time-series model of monthly bookings (statsforecast's AutoETS).

It knows nothing of deals: it extends the series of completed months through the period
and adds what is already booked. Its range is the model's own 80 % prediction interval,
summed over the months still to come as independent normal errors.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from revops.errors import ForecastError
from revops.forecast.protocol import Forecast

if TYPE_CHECKING:
    import numpy as np

    from revops.core import Period
    from revops.forecast.data import ForecastData

Z80 = 1.2815515655446004
"""The standard normal quantile of 90 %: an 80 % interval is ± this many sigmas."""
SEASON = 12
MIN_MONTHS = 8
"""Below this many completed months the series is too short for ETS: its mean is used."""


def _extend(history: np.ndarray, months: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean forecast and sigma per month ahead."""
    import numpy as np

    if len(history) >= MIN_MONTHS:
        try:
            from statsforecast.models import AutoETS

            season = SEASON if len(history) >= 2 * SEASON + 2 else 1
            result = AutoETS(season_length=season).forecast(y=history, h=months, level=[80])
            mean = np.maximum(np.asarray(result["mean"], dtype=float), 0.0)
            sigma = (np.asarray(result["hi-80"]) - np.asarray(result["lo-80"])) / (2 * Z80)
            if np.all(np.isfinite(mean)) and np.all(np.isfinite(sigma)):
                return mean, np.abs(sigma)
        except (NotImplementedError, ValueError, ZeroDivisionError, FloatingPointError):
            pass  # a degenerate series: the plain mean below is the honest answer
    recent = history[-6:] if len(history) else np.array([0.0])
    mean = np.full(months, float(recent.mean()))
    sigma = np.full(months, float(recent.std(ddof=1)) if len(recent) > 1 else 0.0)
    return mean, sigma


class TimeSeries:
    """Booked so far + the monthly bookings series extended over the rest of the period."""

    name: ClassVar[str] = "timeseries"
    learns: ClassVar[bool] = True

    def __init__(self) -> None:
        self._data: ForecastData | None = None
        self._as_of: date | None = None

    def fit(self, data: ForecastData, as_of: date) -> None:
        """Keep the series of months completed by `as_of`."""
        self._data, self._as_of = data, as_of

    def predict(self, period: Period) -> Forecast:
        """The extended series over the period's months, in proportion to what is left."""
        import numpy as np
        import pandas as pd

        if self._data is None or self._as_of is None:
            raise ForecastError("the timeseries forecaster must be fitted before predicting")
        data, as_of = self._data, self._as_of
        booked = data.booked(period, as_of)
        history = data.monthly_bookings(as_of)
        day_after = as_of + timedelta(days=1)
        # The months after the last complete one, through the period's last month.
        if len(history):
            resume = data.calendar.period_of(history.index[-1], "month").end
        else:
            resume = data.calendar.period_of(data.first_day, "month").start
        ahead = data.calendar.periods_between(resume, period.end, "month")
        expected, variance = 0.0, 0.0
        if ahead:
            mean, sigma = _extend(history.to_numpy(float), len(ahead))
            for month, m_mean, m_sigma in zip(ahead, mean, sigma, strict=True):
                if month.start < period.start:
                    continue
                still = (month.end - max(month.start, day_after)).days / month.days
                share = min(max(still, 0.0), 1.0)
                expected += share * float(m_mean)
                variance += (share * float(m_sigma)) ** 2
        spread = float(np.sqrt(variance))
        p50 = booked + expected
        return Forecast(
            method=self.name,
            period=period.label,
            as_of=as_of,
            p10=max(booked, p50 - Z80 * spread),
            p50=p50,
            p90=p50 + Z80 * spread,
            booked=booked,
            open_expected=0.0,
            new_expected=expected,
            deals=pd.DataFrame(),
        )
