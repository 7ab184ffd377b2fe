"""The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013), fitted with scipy.

Each purchase's value is gamma-distributed with shape `p` around a customer's own mean,
whose scale is itself gamma-distributed across customers (`q`, `gamma`). From a customer's
repeat purchases (x) and their mean value (m_x) the model gives the expected value of the
customer's next purchases, shrunk from m_x towards the population mean the fewer purchases
there are.

Examples:
    >>> import numpy as np
    >>> model = GammaGamma(p=6.25, q=3.74, gamma=15.44)
    >>> round(float(model.expected_spend(np.array([0.0]), np.array([0.0]))[0]), 2)
    35.22
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError
from revops.stats.fitting import MIN_CUSTOMERS, maximise

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters and the fit's log-likelihood."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    customers: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """For JSON."""
        return {
            "p": self.p,
            "q": self.q,
            "gamma": self.gamma,
            "log_likelihood": self.log_likelihood,
            "customers": self.customers,
        }

    @property
    def mean_spend(self) -> float | None:
        """The population's mean spend per purchase, p·γ/(q − 1); none when q ≤ 1."""
        return None if self.q <= 1 else self.p * self.gamma / (self.q - 1.0)

    def expected_spend(self, frequency: Array, monetary: Array) -> Array:
        """Expected value of a purchase of customers with `frequency` repeat purchases of
        mean value `monetary` (Fader & Hardie 2013, eq. 5); customers without a repeat
        purchase get the population mean.

        Raises:
            SuccessError: q ≤ 1, where the mean spend is infinite.
        """
        if self.q <= 1:
            raise SuccessError(f"the Gamma-Gamma q is {self.q:.3f} ≤ 1: mean spend is infinite")
        x = np.asarray(frequency, dtype=np.float64)
        m = np.nan_to_num(np.asarray(monetary, dtype=np.float64))
        return np.asarray(
            (self.gamma + m * x) * self.p / (self.p * x + self.q - 1.0), dtype=np.float64
        )


def log_likelihood(params: Array, frequency: Array, monetary: Array, weights: Array) -> float:
    """The summed log-likelihood of `params` (p, q, gamma) over customers with x > 0."""
    from scipy.special import gammaln

    p, q, gamma = (float(v) for v in params)
    x, m = frequency, monetary
    px = p * x
    terms = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
    return float(np.sum(weights * terms))


def fit_gamma_gamma(frequency: Array, monetary: Array, weights: Array | None = None) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters from the customers with repeat purchases.

    Args:
        frequency: repeat purchases per customer; rows with none are left out.
        monetary: mean value of each customer's repeat purchases (> 0 where x > 0).
        weights: how many customers each row stands for.

    Raises:
        SuccessError: too few customers with repeat purchases, a non-positive mean value,
            or no convergence.
    """
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if not (len(x) == len(m) == len(w)):
        raise SuccessError("frequency, monetary and weights must have the same length")
    keep = x > 0
    x, m, w = x[keep], m[keep], w[keep]
    if float(w.sum()) < MIN_CUSTOMERS:
        raise SuccessError(
            f"{int(w.sum())} customers with repeat purchases are too few for the Gamma-Gamma "
            f"model (at least {MIN_CUSTOMERS})"
        )
    bad = ~(m > 0)
    if np.any(bad):
        raise SuccessError(
            f"{int(bad.sum())} customers with repeat purchases have a mean value that is not "
            "positive (credit notes? refunds should be netted before the summary)"
        )
    scale = float(np.average(m, weights=w))
    # Fitted in money scaled to a mean of 1; gamma (a scale of money) scales back.
    found, value = maximise(
        lambda params: log_likelihood(params, x, m / scale, w) / float(w.sum()),
        start=np.array([1.0, 1.0, 1.0]),
        model="Gamma-Gamma",
    )
    p, q, gamma = found
    # The density of a mean value in money units is the scaled one over the scale.
    total = value * float(w.sum()) - float(w.sum()) * float(np.log(scale))
    return GammaGamma(p, q, gamma * scale, total, int(w.sum()))
