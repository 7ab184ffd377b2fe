"""The ensemble: each deal at the mean of the stage-conversion and model probabilities."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from revops.forecast.methods.base import DealMethod
from revops.forecast.methods.ml import DealModel
from revops.forecast.methods.stage_conversion import StageConversion

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.core import Period
    from revops.forecast.data import ForecastData


class Ensemble(DealMethod):
    """Booked + each open deal at the average of two learned chances + new business.

    Averaging deal probabilities (not the two methods' totals) keeps the range a sum of
    Bernoullis, so it stays as honest as its members' probabilities.
    """

    name: ClassVar[str] = "ensemble"
    run_rate: ClassVar[bool] = True
    learns: ClassVar[bool] = True

    def __init__(self, members: tuple[DealMethod, ...] | None = None) -> None:
        super().__init__()
        # Members already fitted elsewhere in a run are shared, so their fits are reused.
        self.members: tuple[DealMethod, ...] = members or (StageConversion(), DealModel())

    def fit(self, data: ForecastData, as_of: date) -> None:
        """Fit both members, then keep the data as they do."""
        for member in self.members:
            member.fit(data, as_of)
        self._data, self._as_of = data, as_of
        self._model = None

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The mean of the members' chances."""
        import numpy as np

        found = [member.chances(deals, member._model) for member in self.members]
        mean: np.ndarray = np.mean(np.vstack(found), axis=0)
        return mean

    def period_chances(self, deals: pd.DataFrame, period: Period) -> np.ndarray:
        """The mean of the members' chances for `period`, each moved by its season if pooled."""
        import numpy as np

        found = [member.period_chances(deals, period) for member in self.members]
        mean: np.ndarray = np.mean(np.vstack(found), axis=0)
        return mean
