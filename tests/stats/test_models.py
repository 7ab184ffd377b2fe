"""The BG/NBD and Gamma-Gamma fits against customers simulated from the models themselves:
the parameters come back, and the conditional expectations match what the simulated
customers then do in a holdout. Bad input gets one clear message."""

from __future__ import annotations

import numpy as np
import pytest

from revops.errors import SuccessError
from revops.metrics.engines.customers import Summary
from revops.stats.bgnbd import BGNBD, fit_bgnbd
from revops.stats.clv import NonContractual
from revops.stats.gamma_gamma import GammaGamma, fit_gamma_gamma

TRUE = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
CALIBRATION, HOLDOUT = 40.0, 40.0


def simulate(customers: int, seed: int) -> tuple[Summary, np.ndarray, np.ndarray]:
    """BG/NBD buyers whose first purchase is at a random week of the first 10: their
    calibration summary, their holdout purchases and the mean value of those."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], customers)
    drop = rng.beta(TRUE["a"], TRUE["b"], customers)
    spend_scale = 1.0 / rng.gamma(3.0, 1.0 / 20.0, customers)  # q = 3, gamma = 20
    start = rng.uniform(0.0, 10.0, customers)
    now = start.copy()
    alive = np.ones(customers, dtype=bool)
    x = np.zeros(customers)
    last = start.copy()
    repeat_total = np.zeros(customers)
    later = np.zeros(customers)
    later_total = np.zeros(customers)
    while alive.any():
        now = np.where(alive, now + rng.exponential(1.0 / np.maximum(rate, 1e-12)), now)
        alive &= now <= CALIBRATION + HOLDOUT
        value = rng.gamma(4.0, spend_scale)  # p = 4
        in_calibration = alive & (now <= CALIBRATION)
        in_holdout = alive & (now > CALIBRATION)
        x += in_calibration
        last = np.where(in_calibration, now, last)
        repeat_total += np.where(in_calibration, value, 0.0)
        later += in_holdout
        later_total += np.where(in_holdout, value, 0.0)
        alive &= rng.uniform(size=customers) >= drop
    monetary = np.divide(repeat_total, x, out=np.zeros(customers), where=x > 0)
    summary = Summary(
        [f"c{i}" for i in range(customers)], x, last - start, CALIBRATION - start, monetary
    )
    later_mean = np.divide(later_total, later, out=np.full(customers, np.nan), where=later > 0)
    return summary, later, later_mean


@pytest.fixture(scope="module")
def simulated() -> tuple[Summary, np.ndarray, np.ndarray]:
    return simulate(20_000, seed=7)


def test_bgnbd_recovers_the_parameters_of_simulated_buyers(
    simulated: tuple[Summary, np.ndarray, np.ndarray],
) -> None:
    summary, _, _ = simulated

    model = fit_bgnbd(summary.frequency, summary.recency, summary.age)

    for name, value in TRUE.items():
        assert getattr(model, name) == pytest.approx(value, rel=0.15), name


def test_conditional_expectations_match_the_holdout_by_frequency(
    simulated: tuple[Summary, np.ndarray, np.ndarray],
) -> None:
    summary, later, _ = simulated
    model = fit_bgnbd(summary.frequency, summary.recency, summary.age)

    expected = model.expected_purchases(HOLDOUT, summary.frequency, summary.recency, summary.age)

    assert expected.sum() == pytest.approx(later.sum(), rel=0.05)
    for low, high in ((0, 0), (1, 2), (3, 6), (7, 1000)):
        group = (summary.frequency >= low) & (summary.frequency <= high)
        assert expected[group].mean() == pytest.approx(later[group].mean(), rel=0.12), low


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence() -> None:
    model = BGNBD(**TRUE)
    x = np.array([0.0, 3.0, 3.0])
    recency = np.array([0.0, 30.0, 5.0])
    age = np.array([40.0, 40.0, 40.0])

    alive = model.p_alive(x, recency, age)

    assert alive[0] == 1.0
    assert 0 < alive[2] < alive[1] < 1


def test_gamma_gamma_predicts_the_holdout_spend_of_repeat_buyers(
    simulated: tuple[Summary, np.ndarray, np.ndarray],
) -> None:
    summary, later, later_mean = simulated

    model = fit_gamma_gamma(summary.frequency, summary.monetary)

    assert (model.p, model.q, model.gamma) == pytest.approx((4.0, 3.0, 20.0), rel=0.2)
    both = (summary.frequency > 0) & (later > 0)
    expected = model.expected_spend(summary.frequency, summary.monetary)[both]
    realised = later_mean[both]
    weights = later[both]
    assert np.average(expected, weights=weights) == pytest.approx(
        np.average(realised, weights=weights), rel=0.05
    )


def test_expected_spend_shrinks_towards_the_population_mean() -> None:
    model = GammaGamma(p=6.25, q=3.74, gamma=15.44)

    one, many = model.expected_spend(np.array([1.0, 20.0]), np.array([100.0, 100.0]))

    # (γ + m·x)·p / (p·x + q − 1), by hand: (15.44 + 100)·6.25 / 8.99 and (2015.44)·6.25 / 127.74.
    assert one == pytest.approx(80.2558, abs=1e-3)
    assert many == pytest.approx(98.6101, abs=1e-3)
    assert model.mean_spend == pytest.approx(35.2190, abs=1e-3)


def test_discounting_lowers_the_value_by_when_purchases_come(
    simulated: tuple[Summary, np.ndarray, np.ndarray],
) -> None:
    summary, _, _ = simulated
    model = NonContractual(BGNBD(**TRUE), GammaGamma(4.0, 3.0, 20.0))
    head = Summary(summary.customer_ids[:50], summary.frequency[:50], summary.recency[:50],
                   summary.age[:50], summary.monetary[:50])  # fmt: skip

    plain = model.predict(head, periods=12)
    discounted = model.predict(head, periods=12, discount_rate=0.01, margin=0.5)

    for a, b in zip(plain, discounted, strict=True):
        assert b.expected_value <= 0.5 * a.expected_value
        assert b.expected_value >= 0.5 * a.expected_value / 1.01**12


@pytest.mark.parametrize(
    ("x", "t_x", "age", "message"),
    [
        ([1.5] * 10, [1.0] * 10, [2.0] * 10, "frequency that is negative or not a whole"),
        ([1.0] * 10, [3.0] * 10, [2.0] * 10, "recency outside 0..T"),
        ([0.0] * 10, [1.0] * 10, [2.0] * 10, "recency with no repeat purchase"),
        ([1.0] * 3, [1.0] * 3, [2.0] * 3, "3 customers are too few"),
        ([0.0] * 10, [0.0] * 10, [2.0] * 10, "none has one"),
    ],
)
def test_impossible_summaries_are_refused_with_one_message(
    x: list[float], t_x: list[float], age: list[float], message: str
) -> None:
    with pytest.raises(SuccessError, match=message):
        fit_bgnbd(np.array(x), np.array(t_x), np.array(age))


def test_a_non_positive_mean_spend_is_refused() -> None:
    with pytest.raises(SuccessError, match="1 customers with repeat purchases have a mean"):
        fit_gamma_gamma(np.array([1.0] * 12), np.array([5.0] * 11 + [-2.0]))


def test_a_horizon_that_is_not_positive_is_refused() -> None:
    model = NonContractual(BGNBD(**TRUE), GammaGamma(4.0, 3.0, 20.0))
    summary = Summary(["c"], np.array([1.0]), np.array([1.0]), np.array([2.0]), np.array([5.0]))
    with pytest.raises(SuccessError, match="horizon must be positive"):
        model.predict(summary, periods=0)
