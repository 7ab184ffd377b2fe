"""What the deal-level methods share: open deals as of the fit, features, the Monte Carlo."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from revops.errors import ForecastError
from revops.forecast.protocol import Forecast
from revops.forecast.ranges import seed_for, shifted, simulate

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.core import Period
    from revops.forecast.data import ForecastData

DEAL_COLUMNS = ("opportunity_id", "name", "stage", "amount", "close_date", "probability",
                "expected")  # fmt: skip


def with_period_features(frame: pd.DataFrame, period_end: pd.Series | date) -> pd.DataFrame:
    """`frame` with the features that depend on the period forecast.

    `days_left` (from the as-of day to the period's end), `in_period` (close date before
    the period's end), `days_to_close` (close date minus the as-of day; negative when
    overdue) and `share_left` (the share of the period still to run, for a quarter).
    """
    import pandas as pd

    out = frame.copy()
    ends = pd.to_datetime(pd.Series(period_end, index=out.index))
    days = pd.to_datetime(out["as_of_date"])
    close = pd.to_datetime(out["close_date"])
    out["days_left"] = (ends - days).dt.days.astype(float)
    out["in_period"] = (close < ends).astype(int)
    out["days_to_close"] = (close - days).dt.days.astype(float)
    return out


class DealMethod:
    """A method that gives each open deal a chance of closing in the period.

    Subclasses set :attr:`name`, whether they add the not-yet-created component, and
    implement :meth:`learn` (from labelled training snapshots) and :meth:`chances`.
    """

    name: ClassVar[str] = "deal"
    run_rate: ClassVar[bool] = False
    """Whether bookings from deals not created yet are added (sampled from history)."""
    learns: ClassVar[bool] = False
    seasonal: ClassVar[bool] = False
    """Whether its chances are pooled over the fiscal seasons, so they take the season's
    shift (:meth:`ForecastData.season_shift`)."""

    def __init__(self) -> None:
        self._data: ForecastData | None = None
        self._as_of: date | None = None
        self._fits: dict[object, object] = {}

    def fit(self, data: ForecastData, as_of: date) -> None:
        """Keep `data` and learn from what was known at the end of `as_of`.

        Fits at days that saw the same closed periods see the same labels: they share one
        learned model (identical to fitting again).
        """
        self._data, self._as_of = data, as_of
        key = (id(data), data._known_end(as_of))
        if key not in self._fits:
            self._fits[key] = self.learn(data.training(as_of))
        self._model = self._fits[key]

    def learn(self, training: pd.DataFrame) -> object:
        """Learn from labelled snapshots; the result is handed to :meth:`chances`."""
        return None

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """Each deal's probability of being won before its period ends."""
        raise NotImplementedError

    def period_chances(self, deals: pd.DataFrame, period: Period) -> np.ndarray:
        """Each deal's chance of being won in `period`, moved by its season if pooled."""
        import numpy as np

        found: np.ndarray = np.asarray(self.chances(deals, self._model), dtype=float)
        data, as_of = self._fitted()
        # Pooled over every period: moved by the season and by a change in win rates.
        season = (
            data.season_shift(period, as_of) + data.regime(as_of).win_rate_shift
            if self.seasonal
            else 0.0
        )
        if season == 0.0:
            return found
        moved: np.ndarray = shifted(found, np.array([season]))[0]
        return moved

    def counted(self, deals: pd.DataFrame, period: Period) -> pd.DataFrame:
        """The open deals the method counts for `period` (all by default)."""
        return deals

    def predict(self, period: Period) -> Forecast:
        """Booked so far + each open deal's chance × amount (+ new business), simulated."""
        import numpy as np
        import pandas as pd

        data, as_of = self._fitted()
        booked = data.booked(period, as_of)
        deals = pd.DataFrame(columns=list(DEAL_COLUMNS))
        new_samples = np.array([])
        if period.end > as_of + timedelta(days=1):
            open_deals = with_period_features(data.open_at(as_of), period.end)
            chosen = self.counted(open_deals, period)
            if len(chosen):
                chosen = chosen.assign(probability=self.period_chances(chosen, period))
                chosen["expected"] = chosen["probability"] * chosen["amount"].fillna(0.0)
                deals = chosen[list(DEAL_COLUMNS)].sort_values("expected", ascending=False)
            if self.run_rate:
                # Sampled from periods of every season and regime: scaled to this one's.
                season = data.season_shift(period, as_of) + data.regime(as_of).win_rate_shift
                new_samples = data.new_business_samples(period, as_of) * np.exp(season)
        amounts = deals["amount"].fillna(0.0).to_numpy(float)
        chances = deals["probability"].to_numpy(float)
        # The shared shock exists only while something is left to happen in the period.
        shock = data.period_shock(as_of) if period.end > as_of + timedelta(days=1) else 0.0
        spread = simulate(
            booked,
            amounts,
            chances,
            new_samples,
            seed=seed_for(self.name, period.label, as_of),
            shock=shock,
        )
        return Forecast(
            method=self.name,
            period=period.label,
            as_of=as_of,
            p10=spread.p10,
            p50=spread.p50,
            p90=spread.p90,
            booked=booked,
            open_expected=float(deals["expected"].sum()) if len(deals) else 0.0,
            new_expected=float(new_samples.mean()) if len(new_samples) else 0.0,
            deals=deals.reset_index(drop=True),
        )

    def _fitted(self) -> tuple[ForecastData, date]:
        if self._data is None or self._as_of is None:
            raise ForecastError(f"the {self.name} forecaster must be fitted before predicting")
        return self._data, self._as_of


def in_period(deals: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Deals whose close date falls in `period`: what a CRM-driven forecast counts."""
    import pandas as pd

    close = pd.to_datetime(deals["close_date"])
    mask = (close >= pd.Timestamp(period.start)) & (close < pd.Timestamp(period.end))
    return deals[mask]
