"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by maximum
likelihood with scipy.

A customer buys at a Poisson rate λ (gamma-distributed across customers, shape `r`, rate
`alpha`) and after each purchase drops out for good with probability p (beta-distributed,
`a`, `b`). From each customer's repeat purchases `frequency` (x), the time of the last one
since the first `recency` (t_x) and the age `T` (all in periods), the model gives the
expected number of purchases in the next t periods and the probability the customer is
still alive.

Examples:
    >>> import numpy as np
    >>> model = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(float(model.p_alive(np.array([0.0]), np.array([0.0]), np.array([38.86]))[0]), 3)
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError
from revops.stats.fitting import check_summary, maximise

Array = NDArray[np.float64]

NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters (`alpha` in periods) and the fit's log-likelihood."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    customers: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """For JSON."""
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
            "customers": self.customers,
        }

    def expected_purchases(self, t: float, frequency: Array, recency: Array, age: Array) -> Array:
        """Expected purchases in the next `t` periods of customers with `frequency` repeat
        purchases, the last `recency` periods after the first, first bought `age` periods ago
        (FHL 2005, eq. 10)."""
        from scipy.special import hyp2f1

        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x, t_x, big_t = frequency, recency, age
        if t <= 0:
            return np.zeros_like(x)
        z = t / (alpha + big_t + t)
        hyper = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        head = (a + b + x - 1.0) / (a - 1.0)
        tail = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper
        return np.asarray(head * tail / self._denominator(x, t_x, big_t), dtype=np.float64)

    def p_alive(self, frequency: Array, recency: Array, age: Array) -> Array:
        """Probability each customer has not dropped out (FHL 2005, eq. 13 of the note)."""
        return np.asarray(1.0 / self._denominator(frequency, recency, age), dtype=np.float64)

    def _denominator(self, x: Array, t_x: Array, big_t: Array) -> Array:
        repeat = x > 0
        safe_b = np.where(repeat, self.b + x - 1.0, 1.0)
        ratio = (self.a / safe_b) * np.exp(
            (self.r + x) * (np.log(self.alpha + big_t) - np.log(self.alpha + t_x))
        )
        return np.asarray(1.0 + np.where(repeat, ratio, 0.0), dtype=np.float64)


def log_likelihood(
    params: Array, frequency: Array, recency: Array, age: Array, weights: Array
) -> float:
    """The summed log-likelihood of `params` (r, alpha, a, b) over the customers."""
    from scipy.special import betaln, gammaln

    r, alpha, a, b = (float(v) for v in params)
    x, t_x, big_t = frequency, recency, age
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    beta_part = betaln(a, b + x) - betaln(a, b)
    dropped_never = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    safe = np.where(repeat, b + x - 1.0, 1.0)
    dropped_after = np.log(a) - np.log(safe) - (r + x) * np.log(alpha + t_x)
    # ln(B(a+1, b+x-1)/B(a, b+x)) = ln a - ln(b+x-1): the second term shares beta_part.
    both = np.where(repeat, np.logaddexp(dropped_never, dropped_after), dropped_never)
    return float(np.sum(weights * (head + beta_part + both)))


def fit_bgnbd(frequency: Array, recency: Array, age: Array, weights: Array | None = None) -> BGNBD:
    """Maximum-likelihood BG/NBD parameters of the customers' summaries.

    Args:
        frequency: repeat purchases per customer (x ≥ 0, whole numbers).
        recency: periods from the first to the last purchase (0 ≤ t_x ≤ T).
        age: periods from the first purchase to the end of the calibration window (T > 0).
        weights: how many customers each row stands for (rows of equal summaries merged).

    Raises:
        SuccessError: too few customers, impossible summaries, or no convergence.
    """
    x, t_x, big_t, w = check_summary(frequency, recency, age, weights)
    if not np.any(x > 0):
        raise SuccessError("BG/NBD needs customers with repeat purchases; none has one")
    scale = float(np.max(big_t))
    # Fitted in scaled time, where the optimiser's steps are of one size; alpha scales back.
    found, value = maximise(
        lambda p: log_likelihood(p, x, t_x / scale, big_t / scale, w) / float(w.sum()),
        start=np.array([1.0, 1.0, 1.0, 1.0]),
        model="BG/NBD",
    )
    r, alpha, a, b = found
    # In time scaled by s the density of x purchases gains s**x: taken out again.
    total = value * float(w.sum()) - float(np.sum(w * x)) * float(np.log(scale))
    return BGNBD(r, alpha * scale, a, b, total, int(w.sum()))
