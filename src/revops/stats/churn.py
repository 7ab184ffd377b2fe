"""The learned churn model: a logistic regression on the features of
:mod:`revops.metrics.engines.churn_signals`, trained as of a date on companies' churn in the 90 days
after earlier snapshot days, with each company's reasons (the features that raise its
risk most).

A logistic regression rather than boosted trees: its reasons are exact (each feature's
coefficient times the company's standardised value adds up to the log-odds), it fits in
a second on a few thousand rows, and on the demo it ranks as well as the trees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from revops.errors import SuccessError

if TYPE_CHECKING:
    import pandas as pd

Label = Literal["churned", "contracted"]

FLAGS = {"is_annual": ("billed monthly", "billed yearly")}
"""Yes/no features, said in words."""

MIN_EVENTS = 5
"""Fewer churns (or contractions) than this in the training rows: no model."""


@dataclass(frozen=True)
class Reason:
    """One feature's push on a company's risk."""

    feature: str
    value: float | None
    contribution: float

    @property
    def text(self) -> str:
        """`low usage_per_seat (0.12)`, `high tickets_per_seat (0.8)`, `csat unknown`."""
        if self.value is None or np.isnan(self.value):
            return f"{self.feature} unknown"
        if self.feature in FLAGS:
            return FLAGS[self.feature][int(self.value > 0.5)]
        return f"{'high' if self._above else 'low'} {self.feature} ({self.value:.3g})"

    _above: bool = True

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "feature": self.feature,
            "value": None if self.value is None or np.isnan(self.value) else self.value,
            "contribution": round(self.contribution, 4),
            "text": self.text,
        }


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn model and what it was fitted on."""

    trained_as_of: date
    label: Label
    features: tuple[str, ...]
    pipeline: Any
    rows: int
    events: int
    snapshots: tuple[date, ...]
    horizon_days: int = 90

    @property
    def coefficients(self) -> dict[str, float]:
        """Each feature's coefficient on its standardised value (positive: more risk)."""
        regression = self.pipeline[-1]
        return dict(zip(self.features, (float(c) for c in regression.coef_[0]), strict=True))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's probability of churn (or contraction) within the horizon."""
        matrix = _matrix(frame, self.features)
        return np.asarray(self.pipeline.predict_proba(matrix)[:, 1], dtype=np.float64)

    def reasons(self, frame: pd.DataFrame, top: int = 3) -> list[list[Reason]]:
        """The `top` features that raise each row's risk most, strongest first."""
        matrix = _matrix(frame, self.features)
        transformed = self.pipeline[:-1].transform(matrix)
        coefficients = self.pipeline[-1].coef_[0]
        pushes = transformed * coefficients
        found = []
        for i in range(len(frame)):
            order = np.argsort(-pushes[i])[:top]
            found.append(
                [
                    Reason(
                        self.features[j],
                        float(matrix[i, j]),
                        float(pushes[i, j]),
                        _above=bool(transformed[i, j] > 0),
                    )
                    for j in order
                    if pushes[i, j] > 0
                ]
            )
        return found

    def as_dict(self) -> dict[str, object]:
        """For JSON: what it was trained on and its coefficients."""
        return {
            "trained_as_of": self.trained_as_of.isoformat(),
            "label": self.label,
            "horizon_days": self.horizon_days,
            "rows": self.rows,
            "events": self.events,
            "snapshots": [d.isoformat() for d in self.snapshots],
            "coefficients": {k: round(v, 4) for k, v in self.coefficients.items()},
        }


def _matrix(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise SuccessError(f"the rows lack the model's features: {', '.join(missing)}")
    return np.asarray(frame[list(features)].to_numpy(dtype=np.float64), dtype=np.float64)


def fit_churn_model(
    frame: pd.DataFrame,
    *,
    trained_as_of: date,
    features: Sequence[str],
    label: Label = "churned",
    horizon_days: int = 90,
) -> ChurnModel:
    """Fit the churn model on `frame`: one row per company and snapshot day (`day`), its
    features and its `label` column.

    Features no row measured are left out (scikit-learn refuses an all-missing column);
    missing values are filled with the median and the data standardised before a
    logistic regression.

    Raises:
        SuccessError: fewer than :data:`MIN_EVENTS` events or no company that stayed, or a
            snapshot whose label was not known by `trained_as_of`.
    """
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if label not in ("churned", "contracted"):
        raise SuccessError(f"unknown label {label!r}; use churned or contracted")
    if "label_known" in frame.columns and not frame["label_known"].le(trained_as_of).all():
        raise SuccessError(
            f"training rows whose outcome was not known by {trained_as_of}: not time-correct"
        )
    chosen = [f for f in features if f in frame.columns]
    measured = [f for f in chosen if frame[f].notna().any()]
    if not measured:
        raise SuccessError("no feature was measured for any company: nothing to learn from")
    target = frame[label].astype(bool).to_numpy()
    events = int(target.sum())
    if events < MIN_EVENTS or events == len(target):
        raise SuccessError(
            f"{events} {label} of {len(target)} company snapshots: at least {MIN_EVENTS} "
            "events and one company that stayed are needed to learn from; add earlier "
            "snapshot days or wait for more history"
        )
    pipeline = make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        # Not class-balanced: the probabilities stay calibrated to the churn rate, as the
        # renewal forecast's expected ARR needs.
        LogisticRegression(C=0.5, max_iter=2000),
    )
    pipeline.fit(_matrix(frame, measured), target)
    snapshots = tuple(sorted(set(frame["day"]))) if "day" in frame.columns else ()
    return ChurnModel(
        trained_as_of, label, tuple(measured), pipeline, len(target), events, snapshots,
        horizon_days,
    )  # fmt: skip
