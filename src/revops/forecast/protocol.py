"""The seam every forecast method fits: a `Forecaster` fitted as of a day, and its `Forecast`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period
    from revops.forecast.data import ForecastData


@dataclass(frozen=True)
class Forecast:
    """One method's forecast of bookings for a period, made as of a day.

    Attributes:
        method: the method's name.
        period: the period label (``FY2025-Q4``).
        as_of: the last day of data the forecast used.
        p10: the bookings the period reaches with 90 % chance.
        p50: the median forecast, the method's number.
        p90: the bookings the period stays under with 90 % chance.
        booked: bookings already won in the period by the as-of day.
        open_expected: expected bookings from deals open on the as-of day.
        new_expected: expected bookings from deals not created yet (run-rate).
        deals: one row per open deal the forecast counts: `opportunity_id`, `name`,
            `stage`, `amount`, `close_date`, `probability`, `expected` (probability ×
            amount); empty for a top-down method.
    """

    method: str
    period: str
    as_of: date
    p10: float
    p50: float
    p90: float
    booked: float
    open_expected: float
    new_expected: float
    deals: pd.DataFrame = field(repr=False, compare=False)

    def as_dict(self) -> dict[str, object]:
        """The figures without the deals, JSON-ready."""
        return {
            "method": self.method,
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "booked": self.booked,
            "open_expected": self.open_expected,
            "new_expected": self.new_expected,
        }


class Forecaster(Protocol):
    """A forecast method: fitted with what was known on a day, then asked for a period."""

    name: ClassVar[str]
    """Short name used on the command line and in stored results."""
    learns: ClassVar[bool]
    """Whether it learns from completed periods, so it needs one to have ended."""

    def fit(self, data: ForecastData, as_of: date) -> None:
        """Learn from `data` using only what was known at the end of `as_of`."""

    def predict(self, period: Period) -> Forecast:
        """The forecast of bookings for `period` from the fit's as-of day."""
