"""Historical stage conversion: how often deals like this one closed won within the period.

"Like this one" is the same stage, whether its close date falls in the period, how much of
the period is left, the segment and the deal's age. Rates are learned from past snapshots
and shrunk toward the coarser group's rate, so a rare combination borrows from its parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from revops.forecast.methods.base import DealMethod

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PRIOR_WEIGHT = 10.0
"""Snapshots' worth of weight the parent group's rate carries in a group's rate."""
AGE_DAYS = (30.0, 90.0, 180.0)
LEFT_DAYS = (21.0, 49.0)
LEVELS = (
    ("stage", "in_period", "left"),
    ("stage", "in_period", "left", "segment"),
    ("stage", "in_period", "left", "segment", "age"),
)


@dataclass(frozen=True)
class StageRates:
    """Win-in-period counts per group: the overall rate and one table per level."""

    overall: float
    tables: list[pd.DataFrame] = field(default_factory=list)


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    import numpy as np

    out = frame.copy()
    out["segment"] = out["segment"].fillna("unknown").astype(str)
    out["age"] = np.searchsorted(AGE_DAYS, out["days_open"].to_numpy(float))
    out["left"] = np.searchsorted(LEFT_DAYS, out["days_left"].to_numpy(float))
    return out


class StageConversion(DealMethod):
    """Booked + each open deal at its group's historical win-in-period rate + new business."""

    name: ClassVar[str] = "stage_conversion"
    run_rate: ClassVar[bool] = True
    learns: ClassVar[bool] = True
    seasonal: ClassVar[bool] = True

    def learn(self, training: pd.DataFrame) -> object:
        """Win-in-period rates per group, one table per level of :data:`LEVELS`.

        The training frame is the pulled modelling frame (one row per past snapshot), so
        the counts are taken on it rather than in a second warehouse query.
        """
        from revops.forecast.methods.base import with_period_features

        if training.empty:
            return StageRates(0.0)
        keyed = _keys(with_period_features(training, training["period_end"]))
        overall = float(keyed["won"].mean())
        tables = []
        for level in LEVELS:
            counts = keyed.groupby(list(level))["won"].agg(["sum", "count"]).reset_index()
            tables.append(counts)
        return StageRates(overall, tables)

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The shrunk rate of each deal's finest group."""
        import numpy as np

        if not isinstance(model, StageRates):
            raise TypeError("stage conversion chances need the rates it learned")
        rate: np.ndarray = np.full(len(deals), model.overall, dtype=float)
        if not model.tables:  # nothing was learned: every deal at the overall rate
            return rate
        keyed = _keys(deals)
        for level, counts in zip(LEVELS, model.tables, strict=True):
            merged = keyed[list(level)].merge(counts, on=list(level), how="left")
            won = merged["sum"].fillna(0.0).to_numpy(float)
            seen = merged["count"].fillna(0.0).to_numpy(float)
            rate = (won + PRIOR_WEIGHT * rate) / (seen + PRIOR_WEIGHT)
        return rate
