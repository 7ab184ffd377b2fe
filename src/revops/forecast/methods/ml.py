"""A deal-level machine-learning model: gradient-boosted trees on deal features.

Features are what a deal looked like at the as-of day (stage, age, days in stage, amount,
pushes, activity recency, CRM probability and category, close date against the period)
plus the owner's and the segment's win record on deals closed by then. The label is
whether the deal was won before its period ended. Bookings from deals not created yet
come from the run-rate component.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def features(
    frame: pd.DataFrame, categories: dict[str, list[str]], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The model's feature frame; categories are fixed by the training frame.

    A column the snapshots lack (no activities ingested, no CRM probability) is all
    missing; `columns` (the training frame's usable features, see :func:`usable`) keeps
    the ones the model was fitted on.
    """
    import numpy as np
    import pandas as pd

    out = pd.DataFrame(index=frame.index)

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name]
        return pd.Series(np.nan, index=frame.index, dtype=float)

    for name in CATEGORICAL:
        out[name] = pd.Categorical(labels(frame, name), categories=categories[name])
    # Smoothed toward an even record, so a new owner is neither perfect nor hopeless.
    out["owner_rate"] = (column("owner_won").fillna(0.0) + 1.0) / (
        column("owner_closed").fillna(0.0) + 2.0
    )
    out["segment_rate"] = (column("segment_won").fillna(0.0) + 1.0) / (
        column("segment_closed").fillna(0.0) + 2.0
    )
    for name in NUMERIC:
        if name in ("owner_rate", "segment_rate"):
            continue
        if name == "amount":
            out[name] = np.log1p(column("amount").astype(float).fillna(0.0).clip(lower=0.0))
        else:
            out[name] = column(name).astype(float)
    return out[list(columns) if columns is not None else [*CATEGORICAL, *NUMERIC]]


def labels(frame: pd.DataFrame, name: str) -> pd.Series:
    """A categorical column as text, ``unknown`` where missing (or absent altogether)."""
    import pandas as pd

    if name not in frame.columns:
        return pd.Series("unknown", index=frame.index, dtype=object)
    values = frame[name]
    return values.astype(object).where(values.notna(), "unknown").astype(str)


def usable(frame: pd.DataFrame) -> list[str]:
    """The features of a feature frame that carry information: a column with no value
    (no activities ingested, no CRM probability) is dropped, not fatal (scikit-learn 1.9
    cannot bin a column with no value), and so is one with the same value in every row."""
    return [
        name
        for name in frame.columns
        if frame[name].notna().any() and frame[name].nunique(dropna=False) > 1
    ]


@dataclass(frozen=True)
class FittedModel:
    """A fitted classifier with the categories it saw, or a constant rate without one."""

    classifier: Any = None
    categories: dict[str, list[str]] = field(default_factory=dict)
    constant: float = 0.0
    columns: tuple[str, ...] = ()
    """The features it was fitted on (those with information in the training frame)."""


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
        categories = {name: sorted(labels(frame, name).unique()) for name in CATEGORICAL}
        table = features(frame, categories)
        columns = usable(table)
        if not columns:
            return FittedModel(constant=float(training["won"].mean()))
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
            model.fit(table[columns], frame["won"].astype(int))
        return FittedModel(model, categories, columns=tuple(columns))

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
                features(frame, model.categories, model.columns)
            )
        return probabilities[:, 1]

    def _with_index(self, frame: pd.DataFrame) -> pd.DataFrame:
        data, _ = self._fitted()
        indices = {d: data.period_of(d).index or 0 for d in frame["as_of_date"].unique()}
        return frame.assign(fiscal_index=frame["as_of_date"].map(indices))
