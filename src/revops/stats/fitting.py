"""What the CLV models share: checking customer summaries and maximising a likelihood."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError

Array = NDArray[np.float64]

MIN_CUSTOMERS = 10
"""Fewer customers than this give parameters that mean nothing: refused."""


def check_summary(
    frequency: Array, recency: Array, age: Array, weights: Array | None
) -> tuple[Array, Array, Array, Array]:
    """The summaries as float arrays, after checking they can be fitted.

    Raises:
        SuccessError: arrays of different lengths, too few customers, or a summary that
            cannot be (a negative or fractional frequency, recency outside [0, T], T < 0).
    """
    x, t_x, big_t = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, age))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if not (len(x) == len(t_x) == len(big_t) == len(w)):
        raise SuccessError("frequency, recency, age and weights must have the same length")
    if float(w.sum()) < MIN_CUSTOMERS:
        raise SuccessError(
            f"{int(w.sum())} customers are too few to fit a model (at least {MIN_CUSTOMERS})"
        )
    problems = {
        "a frequency that is negative or not a whole number": (x < 0) | (x != np.floor(x)),
        "an age (T) that is negative": ~(big_t >= 0),
        "a recency outside 0..T": (t_x < 0) | (t_x > big_t + 1e-9),
        "a recency with no repeat purchase": (x == 0) & (t_x != 0),
        "a weight that is not positive": ~(w > 0),
    }
    for what, bad in problems.items():
        if np.any(bad):
            raise SuccessError(f"{int(bad.sum())} customer summaries have {what}")
    return x, t_x, big_t, w


def maximise(objective: Callable[[Array], float], start: Array, model: str) -> tuple[Array, float]:
    """The positive parameters that maximise `objective` and its value there.

    The search runs over the parameters' logarithms (so they stay positive) with L-BFGS-B,
    then polishes with Nelder-Mead, which does not need the gradient the first estimated.

    Raises:
        SuccessError: the likelihood is not finite at the optimum (no convergence).
    """
    from scipy.optimize import minimize

    def negative(log_params: Array) -> float:
        value = objective(np.exp(log_params))
        return -value if np.isfinite(value) else np.inf

    first = minimize(negative, np.log(start), method="L-BFGS-B")
    best = minimize(
        negative,
        first.x,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20_000, "maxfev": 20_000},
    )
    if not np.isfinite(best.fun):
        raise SuccessError(f"the {model} model did not converge on these customers")
    return np.exp(best.x), -float(best.fun)
