"""The call: one recommended number and why, deals with owners and reasons, the week's
changes (a won deal moves up), a warning past the data's end, a rep's own range."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops import Workspace
from revops.forecast.call import ForecastCall, forecast_call
from revops.forecast.choice import recommend
from revops.forecast.data import ForecastData
from revops.forecast.protocol import Forecast
from revops.forecast.reasons import GROUPS, typical

AS_OF = date(2026, 11, 15)
PERIOD = "FY2027-Q4"
REP = "john.hernandez@revops-demo.com"


@pytest.fixture(scope="module")
def call(demo: Workspace) -> ForecastCall:
    """The call with no stored backtest to choose by (another module stores one)."""
    return forecast_call(demo.metrics, demo.metrics.window(PERIOD), AS_OF)


def _forecast(method: str, p50: float) -> Forecast:
    return Forecast(method, PERIOD, AS_OF, p50 - 1, p50, p50 + 1, 0.0, 0.0, 0.0, pd.DataFrame())


def test_without_a_backtest_the_call_leads_with_the_ensemble(call: ForecastCall) -> None:
    chosen = call.recommended
    assert chosen is not None
    ensemble = next(f for f in call.forecasts if f.method == "ensemble")
    assert (chosen.method, chosen.p10, chosen.p50, chosen.p90) == (
        "ensemble", ensemble.p10, ensemble.p50, ensemble.p90)  # fmt: skip
    assert "no backtest is stored" in chosen.reason
    assert chosen.week == 3  # 1 November + 14 days


def test_the_call_leads_with_the_most_accurate_method_at_its_week() -> None:
    forecasts = [_forecast("rollup", 10.0), _forecast("ensemble", 20.0), _forecast("ml", 30.0)]
    summary = pd.DataFrame(
        {
            "method": ["rollup", "ensemble", "ml", "rollup", "ensemble", "ml"],
            "week": [2, 2, 2, 3, 3, 3],
            "periods": [8] * 6,
            "median_accuracy": [0.7, 0.9, 0.8, 0.95, 0.85, None],
        }
    )
    at_three = recommend(forecasts, 3, summary, "")
    assert at_three is not None
    assert (at_three.method, at_three.p50, at_three.accuracy) == ("rollup", 10.0, 0.95)
    assert "week 3" in at_three.reason
    assert "ensemble 85.0%" in at_three.reason
    # Week 5 was never measured: the latest measured week before it decides.
    at_five = recommend(forecasts, 5, summary, "")
    assert at_five is not None
    assert (at_five.method, at_five.week, at_five.reason) == ("rollup", 5, at_three.reason)
    at_two = recommend(forecasts, 2, summary, "")
    assert at_two is not None
    assert at_two.method == "ensemble"


def test_deals_that_move_the_call_name_their_owner_and_give_reasons(
    demo: Workspace, call: ForecastCall
) -> None:
    deals = call.top_deals
    assert len(deals)
    from revops.model import ENTITIES

    users = (
        demo.warehouse.table("user", ENTITIES["user"].namespace)
        .to_pandas()
        .set_index("user_id")["name"]
    )
    assert (deals["owner_name"] == deals["owner_id"].map(users)).all()
    assert deals["reasons"].map(len).gt(0).all()
    # A reason is the method's own: its probability with that feature set to the typical
    # deal's, compared with its probability as it is.
    from revops.forecast.methods import make_methods
    from revops.forecast.methods.base import with_period_features

    ensemble = make_methods(["ensemble"])[0]
    data = ForecastData.load(demo.metrics, [AS_OF], last_day=AS_OF)
    ensemble.fit(data, AS_OF)
    period = demo.metrics.window(PERIOD)
    first = deals.iloc[0]
    reason = first["reasons"][0]
    deal = data.open_at(AS_OF)
    deal = deal[deal["opportunity_id"] == first["opportunity_id"]]
    typical_deal = deal.copy()
    for column in GROUPS[str(reason["feature"])]:
        typical_deal[column] = typical(data.training(AS_OF), AS_OF)[column]
    now = ensemble.period_chances(with_period_features(deal, period.end), period)[0]  # type: ignore[attr-defined]
    then = ensemble.period_chances(with_period_features(typical_deal, period.end), period)[0]  # type: ignore[attr-defined]
    assert now == pytest.approx(first["probability"])
    assert reason["effect"] == pytest.approx(now - then, abs=1e-3)


def test_a_deal_won_since_last_week_is_a_positive_change(demo: Workspace) -> None:
    data = ForecastData.load(demo.metrics, [AS_OF], last_day=AS_OF)
    won = data.won_by(AS_OF)
    week = won[(won["closed_at"] >= pd.Timestamp("2026-11-09", tz="UTC"))
               & (won["closed_at"] < pd.Timestamp("2026-11-16", tz="UTC"))]  # fmt: skip
    assert len(week), "a deal was won in the week before the call"
    call = demo.forecast.call(PERIOD, as_of=AS_OF, methods=["weighted"])
    changes = call.changes[call.changes["change"] == "won"]
    assert len(changes)
    amounts = week.set_index("opportunity_id")["amount"]
    for _, row in changes.iterrows():
        assert row["owner_name"], "changes name the deal's owner"
        assert row["delta"] > 0
        assert row["expected_now"] == pytest.approx(amounts[row["opportunity_id"]])


def test_a_call_past_the_datas_last_change_warns(demo: Workspace, call: ForecastCall) -> None:
    from revops.model import ENTITIES

    namespace = ENTITIES["opportunity_history"].namespace
    history = demo.warehouse.table("opportunity_history", namespace).to_pandas()
    last = pd.Timestamp(history["valid_from"].max()).date()
    assert call.warning is None
    later = demo.forecast.call(PERIOD, as_of=date(2026, 11, 30), methods=["weighted"])
    assert later.warning is not None
    assert f"last change ({last})" in later.warning


def test_a_reps_range_is_the_reps_deals_with_the_companys_luck(demo: Workspace) -> None:
    scope = demo.metrics.scope_for(REP, team=False)
    assert scope is not None
    day = date(2026, 11, 22)
    rep = demo.forecast.call(PERIOD, as_of=day, scope=scope)
    from revops.model import ENTITIES

    quota = demo.warehouse.table("quota", ENTITIES["quota"].namespace).to_pandas()
    starts = pd.to_datetime(quota["period_start_date"])
    mine = quota[quota["user_id"].isin(scope.owners or ()) & (starts == pd.Timestamp("2026-11-01"))]
    target = float(mine["amount"].astype(float).sum())
    assert target > 0
    for forecast in rep.forecasts:
        # The rep's P90 was 1.7 quotas: a shared shock estimated on a handful of deals.
        assert forecast.p90 < target, forecast.method
    scoped = ForecastData.load(demo.metrics, [day], last_day=day, scope=scope)
    company = ForecastData.load(demo.metrics, [day], last_day=day)
    assert scoped.period_shock(day) == pytest.approx(company.period_shock(day))
    assert np.isfinite(scoped.period_shock(day))
