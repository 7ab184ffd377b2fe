"""Customer lifetime value of buyers without a contract: BG/NBD for how many purchases,
Gamma-Gamma for their value, combined per customer for the next N periods.

Examples:
    >>> import numpy as np
    >>> summary = Summary(["c1"], np.array([2.0]), np.array([30.43]), np.array([38.86]),
    ...                   np.array([22.35]))
    >>> model = NonContractual(BGNBD(0.243, 4.414, 0.793, 2.426),
    ...                        GammaGamma(6.25, 3.74, 15.44))
    >>> row = model.predict(summary, periods=39)[0]
    >>> round(row.expected_purchases, 2), round(row.p_alive, 2)
    (1.23, 0.73)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError
from revops.stats.bgnbd import BGNBD, fit_bgnbd
from revops.stats.gamma_gamma import GammaGamma, fit_gamma_gamma

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Summary:
    """Customer purchase summaries as arrays, in the order of `customer_ids`: repeat
    purchases, recency and age in periods, mean value of the repeat purchases (0 without)."""

    customer_ids: list[str]
    frequency: Array
    recency: Array
    age: Array
    monetary: Array

    def __len__(self) -> int:
        return len(self.customer_ids)


@dataclass(frozen=True)
class CustomerValue:
    """One customer's expected purchases and value over the next periods."""

    customer_id: str
    frequency: int
    recency: float
    age: float
    monetary: float | None
    p_alive: float
    expected_purchases: float
    expected_spend: float
    expected_value: float

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "customer_id": self.customer_id,
            "frequency": self.frequency,
            "recency": round(self.recency, 4),
            "age": round(self.age, 4),
            "monetary": None if self.monetary is None else round(self.monetary, 2),
            "p_alive": round(self.p_alive, 4),
            "expected_purchases": round(self.expected_purchases, 4),
            "expected_spend": round(self.expected_spend, 2),
            "expected_value": round(self.expected_value, 2),
        }


@dataclass(frozen=True)
class NonContractual:
    """A fitted BG/NBD + Gamma-Gamma pair."""

    purchases: BGNBD
    spend: GammaGamma

    @classmethod
    def fit(cls, summary: Summary) -> NonContractual:
        """Fit both models on `summary` (Gamma-Gamma on the customers who bought again).

        Raises:
            SuccessError: too few customers or repeat buyers, or no convergence.
        """
        purchases = fit_bgnbd(summary.frequency, summary.recency, summary.age)
        spend = fit_gamma_gamma(summary.frequency, summary.monetary)
        return cls(purchases, spend)

    def predict(
        self,
        summary: Summary,
        periods: float,
        *,
        margin: float = 1.0,
        discount_rate: float = 0.0,
    ) -> list[CustomerValue]:
        """Expected purchases and value of each customer over the next `periods`.

        Args:
            summary: the customers, as of the end of the calibration window.
            periods: how many periods ahead (in the summary's period unit).
            margin: the share of spend that is margin (1: value is revenue).
            discount_rate: per-period rate the value of later purchases is discounted at
                (0: undiscounted); purchases are discounted period by period.

        Raises:
            SuccessError: a horizon that is not positive, a margin outside 0..1, a
                negative discount rate.
        """
        if not periods > 0:
            raise SuccessError(f"the horizon must be positive, not {periods}")
        if not 0 <= margin <= 1:
            raise SuccessError(f"the margin must be between 0 and 1, not {margin}")
        if discount_rate < 0:
            raise SuccessError(f"the discount rate must not be negative, not {discount_rate}")
        x, t_x, big_t = summary.frequency, summary.recency, summary.age
        expected = self.purchases.expected_purchases(periods, x, t_x, big_t)
        discounted = expected
        if discount_rate > 0:
            discounted = self._discounted(periods, discount_rate, x, t_x, big_t)
        spend = self.spend.expected_spend(x, summary.monetary)
        alive = self.purchases.p_alive(x, t_x, big_t)
        value = discounted * spend * margin
        return [
            CustomerValue(
                customer_id=customer,
                frequency=int(x[i]),
                recency=float(t_x[i]),
                age=float(big_t[i]),
                monetary=float(summary.monetary[i]) if x[i] > 0 else None,
                p_alive=float(alive[i]),
                expected_purchases=float(expected[i]),
                expected_spend=float(spend[i]),
                expected_value=float(value[i]),
            )
            for i, customer in enumerate(summary.customer_ids)
        ]

    def _discounted(
        self, periods: float, rate: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
    ) -> np.ndarray:
        """Expected purchases with those of period k discounted by (1 + rate)^-k."""
        total = np.zeros_like(x)
        before = np.zeros_like(x)
        whole = int(np.ceil(periods))
        for k in range(1, whole + 1):
            upto = self.purchases.expected_purchases(min(float(k), periods), x, t_x, big_t)
            total += (upto - before) / (1.0 + rate) ** k
            before = upto
        return total


def total_value(values: list[CustomerValue]) -> float:
    """The summed expected value of `values`.

    Raises:
        SuccessError: no customers.
    """
    if not values:
        raise SuccessError("no customers to value")
    return float(sum(v.expected_value for v in values))
