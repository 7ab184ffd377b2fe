"""The ensemble: stage-conversion and model probabilities stacked per weeks left in the period.

Each deal's chance is a logistic combination of its members' chances, learned on the last
completed periods as the members would have scored them at those periods' starts (see
:mod:`revops.forecast.methods.stacking`); until enough such periods exist it is the mean.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from revops.forecast.methods.base import DealMethod, with_period_features
from revops.forecast.methods.ml import DealModel
from revops.forecast.methods.stacking import Stack, apply_stack, fit_stack
from revops.forecast.methods.stage_conversion import StageConversion

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.forecast.data import ForecastData

STACK_PERIODS = 4
"""How many recent completed periods the combination is learned from."""
MIN_STACK_PERIODS = 2
"""With fewer scored periods than this the ensemble is the members' mean."""


class Ensemble(DealMethod):
    """Booked + each open deal at a combination of two learned chances + new business.

    Combining deal probabilities (not the two methods' totals) keeps the range a sum of
    Bernoullis, so it stays as honest as the combined probabilities.
    """

    name: ClassVar[str] = "ensemble"
    run_rate: ClassVar[bool] = True

    def __init__(self, members: tuple[DealMethod, ...] | None = None) -> None:
        super().__init__()
        # Members already fitted elsewhere in a run are shared, so their fits are reused.
        self.members: tuple[DealMethod, ...] = members or (StageConversion(), DealModel())

    def fit(self, data: ForecastData, as_of: date) -> None:
        """Fit both members, then learn (or reuse) the combination known at `as_of`."""
        for member in self.members:
            member.fit(data, as_of)
        self._data, self._as_of = data, as_of
        self._model = self.model_at(data, as_of)

    def model_at(self, data: ForecastData, as_of: date) -> object:
        """The stack learned from the periods completed by `as_of` (None: use the mean)."""
        key = (id(data), data._known_end(as_of))
        if key not in self._fits:
            self._fits[key] = self._learn_stack(data, as_of)
        return self._fits[key]

    def _learn_stack(self, data: ForecastData, as_of: date) -> Stack | None:
        """Score each recent completed period with the members fitted at its start."""
        import numpy as np

        known = data.training(as_of)
        if known.empty:
            return None
        scored = []
        for end in sorted(known["period_end"].unique())[-STACK_PERIODS:]:
            rows = known[known["period_end"] == end]
            start = data.period_of(min(rows["as_of_date"])).start
            if data.training(start).empty:
                continue  # the members knew nothing yet: their chances are no evidence
            rows = with_period_features(rows, rows["period_end"])
            chances = [m.chances(rows, m.model_at(data, start)) for m in self.members]
            scored.append((np.column_stack(chances), rows))
        if len(scored) < MIN_STACK_PERIODS:
            return None
        return fit_stack(
            np.vstack([c for c, _ in scored]),
            np.concatenate([r["in_period"].to_numpy(float) for _, r in scored]),
            np.concatenate([r["days_left"].to_numpy(float) for _, r in scored]),
            np.concatenate([r["won"].to_numpy(float) for _, r in scored]),
        )

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The stacked combination of the members' chances (their mean without a stack)."""
        import numpy as np

        found = np.column_stack([m.chances(deals, m._model) for m in self.members])
        if isinstance(model, Stack):
            return apply_stack(
                model, found, deals["in_period"].to_numpy(float), deals["days_left"].to_numpy(float)
            )
        mean: np.ndarray = found.mean(axis=1)
        return mean
