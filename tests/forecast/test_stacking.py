"""The ensemble's stacking: per-bucket logistic combinations learned out of time."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from revops import Workspace
from revops.forecast.data import ForecastData
from revops.forecast.methods import make_methods
from revops.forecast.methods.ensemble import Ensemble
from revops.forecast.methods.stacking import MIN_ROWS, Stack, apply_stack, buckets, fit_stack


def _rows(n: int, days_left: float, won: int) -> tuple[np.ndarray, ...]:
    """`n` snapshots `days_left` before their period's end, the first `won` of them won,
    every one at the same member chances (0.2, 0.6) and dated in the period."""
    chances = np.tile([0.2, 0.6], (n, 1))
    return chances, np.ones(n), np.full(n, days_left), (np.arange(n) < won).astype(float)


def _stack(*parts: tuple[np.ndarray, ...]) -> Stack:
    return fit_stack(*(np.concatenate([p[k] for p in parts]) for k in range(4)))


def test_a_bucket_of_identical_snapshots_gets_its_own_win_share() -> None:
    # Members say 0.2 and 0.6 everywhere; the last week won 30 of 120, the first half 150
    # of 200. With nothing to tell its snapshots apart a bucket's regression is its share.
    stack = _stack(_rows(120, 7.0, 30), _rows(200, 84.0, 150))
    chances = np.array([[0.2, 0.6], [0.2, 0.6]])
    got = apply_stack(stack, chances, np.ones(2), np.array([5.0, 70.0]))
    np.testing.assert_allclose(got, [30 / 120, 150 / 200], atol=1e-4)


def test_a_bucket_with_too_few_snapshots_or_one_outcome_keeps_the_members_mean() -> None:
    stack = _stack(
        _rows(MIN_ROWS - 1, 14.0, 10),  # weeks 11-12: too few
        _rows(150, 35.0, 0),  # second half: none won
        _rows(150, 7.0, 75),
    )
    assert stack.models[1] is None
    assert stack.models[2] is None
    assert stack.models[0] is not None
    chances = np.array([[0.2, 0.6], [0.1, 0.3], [0.2, 0.6]])
    got = apply_stack(stack, chances, np.ones(3), np.array([14.0, 35.0, 7.0]))
    np.testing.assert_allclose(got, [0.4, 0.2, 0.5], atol=1e-4)


def test_the_informative_member_gets_the_weight() -> None:
    rng = np.random.default_rng(3)
    n = 4_000
    good = rng.uniform(0.02, 0.98, n)
    noise = rng.uniform(0.02, 0.98, n)
    won = (rng.random(n) < good).astype(float)
    chances = np.column_stack([good, noise])
    stack = fit_stack(chances, np.ones(n), np.full(n, 70.0), won)
    weights = stack.models[3].coef_[0]
    assert weights[0] > 0.8
    assert abs(weights[1]) < 0.15
    stacked = apply_stack(stack, chances, np.ones(n), np.full(n, 70.0))
    brier_stacked = float(((stacked - won) ** 2).mean())
    brier_mean = float(((chances.mean(axis=1) - won) ** 2).mean())
    assert brier_stacked < brier_mean - 0.02


def test_no_deals_gives_no_chances() -> None:
    stack = _stack(_rows(120, 7.0, 30))
    assert apply_stack(stack, np.zeros((0, 2)), np.zeros(0), np.zeros(0)).shape == (0,)


def test_buckets_split_the_quarter_at_its_last_weeks() -> None:
    assert buckets(np.array([5.0, 9.0, 12.0, 22.0, 49.0, 84.0])).tolist() == [0, 0, 1, 1, 2, 3]


def test_the_ensemble_stacks_once_it_has_scored_periods(demo: Workspace) -> None:
    """At the first week of the demo's last quarter the ensemble learns from periods it
    could score, and its chances are the stack's, not the members' mean."""
    metrics = demo.metrics
    as_of = date(2026, 11, 22)
    period = metrics.calendar.period_of(as_of, "quarter").shift(-1)
    day = period.start
    data = ForecastData.load(metrics, [day], kind="quarter", last_day=as_of)
    stage, model, ensemble = make_methods(["stage_conversion", "ml", "ensemble"])
    assert isinstance(ensemble, Ensemble)
    ensemble.fit(data, day)
    assert isinstance(ensemble._model, Stack)
    deals = ensemble.predict(period).deals
    members = np.column_stack(
        [
            stage.predict(period)
            .deals.set_index("opportunity_id")
            .loc[deals["opportunity_id"], "probability"],
            model.predict(period)
            .deals.set_index("opportunity_id")
            .loc[deals["opportunity_id"], "probability"],
        ]
    )
    assert not np.allclose(deals["probability"], members.mean(axis=1))
    assert ((deals["probability"] > 0) & (deals["probability"] < 1)).all()


def test_the_ensemble_is_the_mean_without_scored_periods(demo: Workspace) -> None:
    """At the first weeks of history no period was completed: nothing to stack on."""
    metrics = demo.metrics
    data = ForecastData.load(metrics, [date(2026, 11, 1)], kind="quarter",
                             last_day=date(2026, 11, 22))  # fmt: skip
    ensemble = make_methods(["ensemble"])[0]
    assert isinstance(ensemble, Ensemble)
    ensemble.fit(data, data.first_day + timedelta(days=7))
    assert ensemble._model is None
