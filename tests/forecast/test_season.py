"""The season's shift reaches the methods whose rates are pooled over seasons, and no other."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from revops import Workspace
from revops.core import Period
from revops.forecast.backtest import completed_periods
from revops.forecast.data import ForecastData
from revops.forecast.methods.base import with_period_features
from revops.forecast.methods.ensemble import Ensemble
from revops.forecast.methods.ml import DealModel
from revops.forecast.methods.stage_conversion import StageConversion
from revops.forecast.methods.weighted import Weighted
from revops.forecast.ranges import shifted

from .conftest import PARAMS

SEASON = 0.4


class _StrongSeason(ForecastData):
    """The demo's data with every season shifted by :data:`SEASON` (the wiring under test)."""

    def season_shift(self, period: Period, as_of: date) -> float:
        return SEASON


def test_pooled_methods_take_the_season_and_the_crms_own_does_not(demo: Workspace) -> None:
    period = completed_periods(demo.metrics, "quarter", PARAMS.as_of, 1)[0]
    day = period.start + timedelta(days=42)
    loaded = ForecastData.load(demo.metrics, [day], kind="quarter", last_day=PARAMS.as_of)
    data = _StrongSeason(
        loaded.calendar, loaded.kind, loaded.snapshots, loaded.won, loaded.first_day,
        loaded.last_day,
    )  # fmt: skip
    stage, model, weighted = StageConversion(), DealModel(), Weighted()
    ensemble = Ensemble((stage, model))
    ensemble.fit(data, day)
    weighted.fit(data, day)
    deals = with_period_features(data.open_at(day), period.end)
    moved = {
        name: shifted(np.asarray(method.chances(deals, method._model), float), np.array([SEASON]))[
            0
        ]
        for name, method in (("stage", stage), ("model", model))
    }
    np.testing.assert_allclose(stage.period_chances(deals, period), moved["stage"])
    np.testing.assert_allclose(model.period_chances(deals, period), moved["model"])
    both = (moved["stage"] + moved["model"]) / 2
    np.testing.assert_allclose(ensemble.period_chances(deals, period), both)
    np.testing.assert_allclose(
        weighted.period_chances(deals, period), weighted.chances(deals, None)
    )
    # The forecast's deals carry the moved chances, and new business is scaled by e^season.
    forecast = ensemble.predict(period)
    by_id = dict(zip(deals["opportunity_id"], both, strict=True))
    got = forecast.deals.set_index("opportunity_id")["probability"]
    np.testing.assert_allclose(got.to_numpy(), [by_id[i] for i in got.index])
    samples = loaded.new_business_samples(period, day)
    assert forecast.new_expected == pytest.approx(samples.mean() * np.exp(SEASON))
