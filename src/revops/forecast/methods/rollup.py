"""Rep roll-up: what the reps' forecast categories say (commit, best case, pipeline)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from revops.forecast.methods.base import DealMethod, in_period

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.core import Period

CATEGORY_CHANCE = {"commit": 0.9, "best_case": 0.5, "pipeline": 0.1}
"""The usual reading of the categories: commit is nearly sure, best case a coin flip."""


class Rollup(DealMethod):
    """Booked + deals closing in the period, each at the chance of its forecast category."""

    name: ClassVar[str] = "rollup"

    def counted(self, deals: pd.DataFrame, period: Period) -> pd.DataFrame:
        """Deals with a close date in the period."""
        return in_period(deals, period)

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The category's chance; omitted or unknown categories count nothing."""
        category = deals["forecast_category"].fillna("").str.lower()
        return category.map(CATEGORY_CHANCE).fillna(0.0).to_numpy(float)
