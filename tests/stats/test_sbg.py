"""The shifted-beta-geometric model reproduces the published fits of Fader & Hardie (2007),
"How to project customer retention", Journal of Interactive Marketing 21(1), 76-90: the
"regular" and "high end" cohorts of 1,000 customers observed for 7 years (survivors from
the paper's Table 1, originally Berry & Linoff 2004), fitted by maximum likelihood to
α = 0.704, β = 1.182 (regular) and α = 0.668, β = 3.806 (high end). JD Maturen's
implementation (github.com/jdmaturen/shifted_beta_geometric_py, sbg.py `test()`) checks
the same high-end numbers and gives DERL = 7.530 at d = 10 % after 7 renewals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln

from revops.errors import SuccessError
from revops.stats.sbg import MAX_CONCENTRATION, SBG, fit_sbg, log_likelihood

HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
# Years 8-12 of the paper's Table 1, held out of the fit: the model's forecast.
HIGH_END_LATER = [468, 445, 427, 409, 394]
REGULAR_LATER = [223, 207, 194, 183, 173]


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"), [(HIGH_END, 0.668, 3.806), (REGULAR, 0.704, 1.182)]
)
def test_the_papers_cohorts_give_the_published_parameters(
    survivors: list[int], alpha: float, beta: float
) -> None:
    model = fit_sbg([survivors])

    assert model.alpha == pytest.approx(alpha, abs=5e-4)
    assert model.beta == pytest.approx(beta, abs=5e-4)
    assert model.customers == 1000


@pytest.mark.parametrize(("survivors", "later"), [(HIGH_END, HIGH_END_LATER),
                                                  (REGULAR, REGULAR_LATER)])  # fmt: skip
def test_the_fit_on_seven_years_forecasts_the_next_five_within_five_percent(
    survivors: list[int], later: list[int]
) -> None:
    model = fit_sbg([survivors])

    forecast = [1000 * model.survival(t) for t in range(8, 13)]

    assert forecast == pytest.approx(later, rel=0.05)


def test_the_likelihood_is_the_papers_sum_by_hand() -> None:
    # Two customers lost at period 1, one at period 2, seven still there after 2.
    model = fit_sbg([[10, 8, 7]])
    a, b = model.alpha, model.beta
    by_hand = (
        2 * (betaln(a + 1, b) - betaln(a, b))
        + 1 * (betaln(a + 1, b + 1) - betaln(a, b))
        + 7 * (betaln(a, b + 2) - betaln(a, b))
    )

    assert model.log_likelihood == pytest.approx(by_hand)
    # With one period of each kind the MLE matches the observed retention exactly.
    assert model.survival(1) == pytest.approx(0.8, abs=1e-4)
    assert model.survival(2) == pytest.approx(0.7, abs=1e-4)


def test_cohorts_of_different_ages_are_fitted_together() -> None:
    rng = np.random.default_rng(3)
    truth = SBG(alpha=1.5, beta=4.0)
    cohorts = []
    for age in range(12, 0, -1):
        theta = rng.beta(truth.alpha, truth.beta, size=400)
        lifetimes = rng.geometric(theta)
        cohorts.append([int((lifetimes > t).sum()) for t in range(age + 1)])

    model = fit_sbg(cohorts)

    assert model.cohorts == 12
    assert model.alpha == pytest.approx(1.5, rel=0.25)
    assert model.beta == pytest.approx(4.0, rel=0.25)


def test_retention_rises_with_tenure_and_lifetimes_follow_the_closed_forms() -> None:
    model = SBG(alpha=0.668, beta=3.806)

    rates = [model.retention(t) for t in range(1, 10)]
    assert rates == sorted(rates)
    assert model.retention(3) == pytest.approx(model.survival(3) / model.survival(2))
    assert model.churn_probability(3) == pytest.approx(model.survival(2) - model.survival(3))
    # DEL and DERL against their sums, term by term.
    d = 0.1
    by_sum = sum(model.survival(t) / (1 + d) ** t for t in range(3000))
    assert model.discounted_lifetime(d) == pytest.approx(by_sum, rel=1e-4)
    # After 7 renewals, just before the 8th decision: the next payment is not discounted.
    residual = sum(
        model.survival(7 + t) / model.survival(7) / (1 + d) ** (t - 1) for t in range(1, 3000)
    )
    assert float(model.residual_lifetime(d, 7)) == pytest.approx(residual, rel=1e-4)
    assert float(fit_sbg([HIGH_END]).residual_lifetime(d, 7)) == pytest.approx(7.530, abs=1e-3)
    assert model.expected_lifetime == float("inf")  # alpha ≤ 1
    assert SBG(2.0, 3.0).expected_lifetime == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("survivors", "message"),
    [
        ([[1000, 900, 950]], "survivors rise"),
        ([[5, 4]], "too few"),
        ([[100]], "whole period"),
        ([[100, 100, 100]], "no customer of any cohort has left"),
        ([[100, 90.5]], "not whole"),
    ],
)
def test_counts_that_cannot_be_survivors_are_refused(
    survivors: list[list[float]], message: str
) -> None:
    with pytest.raises(SuccessError, match=message):
        fit_sbg(survivors)


def test_lifetimes_need_a_positive_discount_rate() -> None:
    with pytest.raises(SuccessError, match="positive discount rate"):
        SBG(1.0, 2.0).discounted_lifetime(0.0)


def test_cohorts_without_heterogeneity_give_the_geometric_model() -> None:
    # Every customer leaves with probability 0.2 a period: the likelihood climbs towards
    # infinite alpha and beta at the ratio 1 : 4 (the fit stops by alpha + beta = 1e6).
    cohorts = [[1000, 800, 640, 512, 410], [1000, 800, 640], [500, 400, 320, 256]]

    model = fit_sbg(cohorts)

    assert 100 < model.alpha + model.beta <= MAX_CONCENTRATION
    assert model.alpha / (model.alpha + model.beta) == pytest.approx(0.2, abs=1e-3)
    assert model.log_likelihood < 0
    geometric = sum(0.8**t / 1.01**t for t in range(5000))
    assert model.discounted_lifetime(0.01) == pytest.approx(geometric, rel=1e-2)
    assert float(model.residual_lifetime(0.01, 3)) == pytest.approx(0.8 * geometric, rel=1e-2)


def test_the_likelihood_stays_exact_where_alpha_and_beta_are_huge() -> None:
    # 6 of 30 lost over the periods: a difference of beta functions at 1e17 loses every
    # digit (it once gave a positive log-likelihood); the product form does not.
    cohorts = [[10, 9, 8, 8, 7], [10, 10, 9, 9], [10, 9, 8]]
    huge = np.array([5e15, 2e17])

    value = log_likelihood(huge, [np.asarray(c, dtype=float) for c in cohorts])

    p = 5e15 / (5e15 + 2e17)
    lost, exposed = 6, sum(sum(c[:-1]) for c in cohorts)
    assert value == pytest.approx(lost * np.log(p) + (exposed - lost) * np.log1p(-p), rel=1e-6)
    model = fit_sbg(cohorts)
    assert model.alpha + model.beta <= MAX_CONCENTRATION
    assert np.isfinite(model.discounted_lifetime(0.01))
