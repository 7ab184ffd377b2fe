"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007,
"How to project customer retention"), fitted by maximum likelihood with scipy, and the
lifetime values built on it (Fader & Hardie 2010, "Customer-base valuation in a
contractual setting").

Each customer renews at the end of every period with its own probability 1 − θ and leaves
for good otherwise; θ is beta-distributed across customers (`alpha`, `beta`). The data are
the survivors of cohorts: how many of the customers who started in a period were still
customers t periods later. Because the customers most likely to leave leave first, the
retention rate of a cohort rises with time, r(t) = (β + t − 1) / (α + β + t − 1): a curve
fitted to the first periods and extrapolated gets the tail wrong, this model does not.

Examples:
    >>> model = SBG(alpha=0.668, beta=3.806)
    >>> [round(model.survival(t), 3) for t in (1, 2, 7)]
    [0.851, 0.747, 0.489]
    >>> round(model.retention(1), 3), round(model.retention(10), 3)
    (0.851, 0.95)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError
from revops.stats.fitting import maximise

Array = NDArray[np.float64]

MIN_COHORT_CUSTOMERS = 10
"""Fewer customers in all cohorts together give parameters that mean nothing: refused."""

MAX_CONCENTRATION = 1e6
"""Where α + β passes this, every customer has the same churn probability α / (α + β) to
within a millionth (the geometric model): when the data show no heterogeneity the
likelihood rises towards infinite α and β, and the fit stops here."""


def _log_survival(a: float, b: float, periods: int) -> Array:
    """ln S(t) for t = 0..periods, as Σⱼ ln(1 − a / (a + b + j − 1)): exact, and stable
    where α and β are large (a difference of beta functions loses every digit there)."""
    j = np.arange(1, periods + 1, dtype=np.float64)
    return np.concatenate([[0.0], np.cumsum(np.log1p(-a / (a + b + j - 1.0)))])


@dataclass(frozen=True)
class SBG:
    """Fitted sBG parameters, the fit's log-likelihood and what it was fitted on."""

    alpha: float
    beta: float
    log_likelihood: float = float("nan")
    customers: int = 0
    cohorts: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """For JSON."""
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "mean_churn": self.alpha / (self.alpha + self.beta),
            "log_likelihood": self.log_likelihood,
            "customers": self.customers,
            "cohorts": self.cohorts,
        }

    def churn_probability(self, t: int) -> float:
        """P(T = t): the share of a new cohort that leaves at the end of period t (t ≥ 1)."""
        from scipy.special import betaln

        if t < 1:
            raise SuccessError(f"a customer leaves at period 1 or later, not {t}")
        return float(
            np.exp(betaln(self.alpha + 1, self.beta + t - 1) - betaln(self.alpha, self.beta))
        )

    def survival(self, t: float) -> float:
        """S(t) = B(α, β + t) / B(α, β): the share of a new cohort still customers after t
        periods."""
        from scipy.special import betaln

        return float(np.exp(betaln(self.alpha, self.beta + t) - betaln(self.alpha, self.beta)))

    def retention(self, t: int) -> float:
        """r(t) = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1): the share of the customers
        of period t − 1 who renew at t (t ≥ 1)."""
        if t < 1:
            raise SuccessError(f"retention is defined from period 1, not {t}")
        return (self.beta + t - 1) / (self.alpha + self.beta + t - 1)

    @property
    def expected_lifetime(self) -> float:
        """E(T) = (α + β − 1) / (α − 1) periods of a new customer (the first included);
        infinite when α ≤ 1, where the most loyal customers practically never leave: use
        the discounted lifetimes then."""
        if self.alpha <= 1:
            return float("inf")
        return (self.alpha + self.beta - 1) / (self.alpha - 1)

    def discounted_lifetime(self, discount_rate: float) -> float:
        """DEL: Σₜ S(t) / (1 + d)ᵗ over t ≥ 0, the discounted periods a new customer pays
        for, its first payment undiscounted (FH 2010, eq. 6: ₂F₁(1, β; α + β; 1/(1 + d))).

        Raises:
            SuccessError: a discount rate that is not positive (the sum may not converge).
        """
        from scipy.special import hyp2f1

        _check_rate(discount_rate)
        return float(hyp2f1(1.0, self.beta, self.alpha + self.beta, 1.0 / (1.0 + discount_rate)))

    def residual_lifetime(self, discount_rate: float, renewals: int | Array) -> Array:
        """DERL: the discounted periods still to be paid by a customer who has made
        `renewals` renewals (is in its period renewals + 1), just before its next renewal
        decision (FH 2010, eq. 11):
        (β + n) / (α + β + n) · ₂F₁(1, β + n + 1; α + β + n + 1; 1/(1 + d)), n = renewals.

        Raises:
            SuccessError: a discount rate that is not positive, negative renewals.
        """
        from scipy.special import hyp2f1

        _check_rate(discount_rate)
        n = np.asarray(renewals, dtype=np.float64)
        if np.any(n < 0):
            raise SuccessError("a customer's renewals cannot be negative")
        a, b = self.alpha, self.beta
        ratio = (b + n) / (a + b + n)
        return np.asarray(
            ratio * hyp2f1(1.0, b + n + 1.0, a + b + n + 1.0, 1.0 / (1.0 + discount_rate)),
            dtype=np.float64,
        )


def _check_rate(rate: float) -> None:
    if not rate > 0:
        raise SuccessError(
            f"the sBG's lifetimes need a positive discount rate per period, not {rate}"
        )


def log_likelihood(params: Array, survivors: Sequence[Array]) -> float:
    """The log-likelihood of (alpha, beta) over cohorts' survivor counts: each cohort's
    customers lost at period t contribute ln P(T = t), those still there at its last
    observed period ln S(last), with P(T = t) = a / (a + b + t − 1) · S(t − 1)."""
    a, b = (float(v) for v in params)
    total = 0.0
    for counts in survivors:
        last = len(counts) - 1
        log_s = _log_survival(a, b, last)
        t = np.arange(1, last + 1, dtype=np.float64)
        lost = counts[:-1] - counts[1:]
        log_p = np.log(a) - np.log(a + b + t - 1.0) + log_s[:-1]
        total += float(np.sum(lost * log_p)) + float(counts[-1] * log_s[-1])
    return total


def check_survivors(survivors: Sequence[Sequence[float]]) -> list[Array]:
    """The cohorts' survivor counts as arrays, after checking they can be fitted.

    Raises:
        SuccessError: a cohort whose counts rise, are negative or not whole, too few
            customers, or no period observed after any cohort's start.
    """
    found = []
    for i, counts in enumerate(survivors):
        row = np.asarray(counts, dtype=np.float64)
        if row.size == 0:
            raise SuccessError(f"cohort {i + 1} has no survivor counts")
        if np.any(row < 0) or np.any(row != np.floor(row)):
            raise SuccessError(f"cohort {i + 1} has a count that is negative or not whole")
        if np.any(np.diff(row) > 0):
            raise SuccessError(
                f"cohort {i + 1}'s survivors rise ({', '.join(f'{v:g}' for v in row)}): a "
                "customer who left cannot survive"
            )
        found.append(row)
    total = sum(float(r[0]) for r in found)
    if total < MIN_COHORT_CUSTOMERS:
        raise SuccessError(
            f"{int(total)} customers in the cohorts are too few to fit the sBG model "
            f"(at least {MIN_COHORT_CUSTOMERS})"
        )
    if not any(r.size > 1 and r[0] > 0 for r in found):
        raise SuccessError("no cohort has been observed for a whole period: nothing to fit")
    if not any(r[0] > r[-1] for r in found):
        raise SuccessError("no customer of any cohort has left yet: the sBG model cannot be fitted")
    return found


def fit_sbg(survivors: Sequence[Sequence[float]]) -> SBG:
    """Maximum-likelihood sBG parameters of cohorts' survivor counts.

    Args:
        survivors: per cohort, the customers at its start (period 0) and still customers
            after 1, 2, … periods, up to the last period observed for that cohort.

    Raises:
        SuccessError: counts that cannot be survivors, too few customers, no loss, or no
            convergence.

    Examples:
        >>> model = fit_sbg([[1000, 869, 743, 653, 593, 551, 517, 491]])
        >>> round(model.alpha, 3), round(model.beta, 3)
        (0.668, 3.806)
    """
    cohorts = check_survivors(survivors)
    customers = float(sum(r[0] for r in cohorts))
    found, value = maximise(
        lambda p: log_likelihood(p, cohorts) / customers, start=np.array([1.0, 1.0]), model="sBG"
    )
    if float(found.sum()) > MAX_CONCENTRATION:
        found = found * (MAX_CONCENTRATION / float(found.sum()))
        value = log_likelihood(found, cohorts) / customers
    return SBG(float(found[0]), float(found[1]), value * customers, int(customers), len(cohorts))
