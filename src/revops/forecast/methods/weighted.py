"""Weighted pipeline: each deal closing in the period at the CRM's probability."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from revops.forecast.methods.base import DealMethod, in_period

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.core import Period


class Weighted(DealMethod):
    """Booked + Σ CRM probability × amount over deals with a close date in the period."""

    name: ClassVar[str] = "weighted"

    def counted(self, deals: pd.DataFrame, period: Period) -> pd.DataFrame:
        """Deals with a close date in the period."""
        return in_period(deals, period)

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The CRM probability (percent) as a share; a missing one counts nothing."""
        return (deals["probability"].fillna(0.0) / 100.0).clip(0.0, 1.0).to_numpy(float)
