"""A deal-level machine-learning model: gradient-boosted trees on deal features.

Features are what a deal looked like at the as-of day (stage, age, days in stage, amount,
pushes, activity recency, CRM probability and category, close date against the period)
plus the owner's and the segment's win record on deals closed by then. The label is
whether the deal was won before its period ended. Bookings from deals not created yet
come from the run-rate component.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from revops.forecast.methods.base import DealMethod

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CATEGORICAL = ("segment", "type", "lead_source", "forecast_category")
NUMERIC = ("stage_order", "amount", "probability", "days_open", "days_in_stage", "pushes",
           "days_since_activity", "recent_activities", "activities", "owner_rate",
           "owner_closed", "segment_rate", "days_left", "in_period", "days_to_close",
           "fiscal_index")  # fmt: skip
MIN_TRAINING = 50
"""Below this many labelled snapshots (or with one class only) the model is not fitted."""
RANDOM_STATE = 7


def features(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """The model's feature frame; categories are fixed by the training frame."""
    import numpy as np
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for name in CATEGORICAL:
        values = frame[name].fillna("unknown").astype(str)
        out[name] = pd.Categorical(values, categories=categories[name])
    # Smoothed toward an even record, so a new owner is neither perfect nor hopeless.
    out["owner_rate"] = (frame["owner_won"] + 1.0) / (frame["owner_closed"] + 2.0)
    out["segment_rate"] = (frame["segment_won"] + 1.0) / (frame["segment_closed"] + 2.0)
    for name in NUMERIC:
        if name in ("owner_rate", "segment_rate"):
            continue
        if name == "fiscal_index":
            out[name] = frame["fiscal_index"].astype(float)
        elif name == "amount":
            out[name] = np.log1p(frame["amount"].fillna(0.0).clip(lower=0.0))
        else:
            out[name] = frame[name].astype(float)
    return out[[*CATEGORICAL, *NUMERIC]]


@dataclass(frozen=True)
class FittedModel:
    """A fitted classifier with the categories it saw, or a constant rate without one."""

    classifier: Any = None
    categories: dict[str, list[str]] = field(default_factory=dict)
    constant: float = 0.0


def _one_thread() -> AbstractContextManager[object]:
    """OpenMP limited to one thread: on a small frame, and on a shared machine, spawning
    threads per tree costs far more than it saves."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="openmp")
    return limits


class DealModel(DealMethod):
    """Booked + each open deal at the model's probability + new business (run-rate)."""

    name: ClassVar[str] = "ml"
    run_rate: ClassVar[bool] = True
    learns: ClassVar[bool] = True
    seasonal: ClassVar[bool] = True

    def learn(self, training: pd.DataFrame) -> object:
        """Fit a histogram gradient-boosting classifier on the labelled snapshots.

        The training frame is the one pulled modelling frame, one row per past snapshot.
        """
        from sklearn.ensemble import HistGradientBoostingClassifier

        from revops.forecast.methods.base import with_period_features

        if len(training) < MIN_TRAINING or training["won"].nunique() < 2:
            rate = float(training["won"].mean()) if len(training) else 0.0
            return FittedModel(constant=rate)
        frame = self._with_index(with_period_features(training, training["period_end"]))
        categories = {
            name: sorted(frame[name].fillna("unknown").astype(str).unique()) for name in CATEGORICAL
        }
        model = HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.06,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            categorical_features="from_dtype",
            random_state=RANDOM_STATE,
        )
        with _one_thread():
            model.fit(features(frame, categories), frame["won"].astype(int))
        return FittedModel(model, categories)

    def chances(self, deals: pd.DataFrame, model: object) -> np.ndarray:
        """The classifier's probability of the won class."""
        import numpy as np

        if not isinstance(model, FittedModel):
            raise TypeError("model chances need the model it fitted")
        if model.classifier is None:
            return np.full(len(deals), model.constant)
        frame = self._with_index(deals)
        with _one_thread():
            probabilities: np.ndarray = model.classifier.predict_proba(
                features(frame, model.categories)
            )
        return probabilities[:, 1]

    def _with_index(self, frame: pd.DataFrame) -> pd.DataFrame:
        data, _ = self._fitted()
        indices = {d: data.period_of(d).index or 0 for d in frame["as_of_date"].unique()}
        return frame.assign(fiscal_index=frame["as_of_date"].map(indices))
