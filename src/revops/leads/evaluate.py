"""How well scores ranked leads against what later became of them: AUC for the learned
score, the rule scores and the imported score; lift by decile of the learned score; and
calibration of the learned model's probability from each lead's age (the score itself is
the probability as a new lead, so older leads fall short of it by design).

The caller makes it time-correct: the model is trained on what was known at a cutoff,
the leads are scored as of that cutoff, and the outcomes are those of the window after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SCORES = (
    "model_score",
    "window_probability",
    "rule_score",
    "fit",
    "engagement",
    "imported_score",
)
LABELS = {
    "model_score": "Learned score (as a new lead)",
    "window_probability": "Learned probability from the lead's age",
    "rule_score": "Rule score ((fit + engagement) / 2)",
    "fit": "Fit",
    "engagement": "Engagement",
    "imported_score": "Imported score (lead.score)",
}
"""How a person reads each score's name."""
DECILES = 10


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of scores given as of `cutoff` against outcomes up to `as_of`.

    Attributes:
        auc: per score, the area under the ROC curve (None: no value or one outcome).
        lift: per decile of the learned score (1 = top tenth), leads, outcomes, the
            outcome rate and its lift over the base rate.
        calibration: per decile of the probability from each lead's age
            (`window_probability`, else the score), its mean and the observed rate.
    """

    cutoff: datetime
    as_of: datetime
    model_version: str
    leads: int
    outcomes: int
    auc: dict[str, float | None]
    lift: list[dict[str, Any]] = field(default_factory=list)
    calibration: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "as_of": self.as_of.isoformat(),
            "model_version": self.model_version,
            "leads": self.leads,
            "outcomes": self.outcomes,
            "auc": self.auc,
            "lift": self.lift,
            "calibration": self.calibration,
        }


def auc(labels: pd.Series, scores: pd.Series) -> float | None:
    """ROC AUC of `scores` for `labels`, over leads with a score; None when undefined.

    Examples:
        >>> import pandas as pd
        >>> auc(pd.Series([0, 0, 1, 1]), pd.Series([0.1, 0.4, 0.35, 0.8]))
        0.75
    """
    from sklearn.metrics import roc_auc_score

    known = scores.notna()
    if known.sum() == 0 or labels[known].nunique() < 2:
        return None
    return round(float(roc_auc_score(labels[known], scores[known])), 4)


def deciles(frame: pd.DataFrame, score: str = "model_score") -> pd.Series:
    """Decile of each lead by `score`, 1 for the top tenth (ties broken by position)."""
    import numpy as np
    import pandas as pd

    ranks = frame[score].rank(method="first", ascending=False)
    return pd.Series(np.ceil(ranks * DECILES / len(frame)).astype(int), index=frame.index)


def evaluate_frame(
    frame: pd.DataFrame, cutoff: datetime, as_of: datetime, model_version: str
) -> Evaluation:
    """Evaluate the scores of `frame` (one row per lead: the SCORES columns and `label`)."""
    labels = frame["label"].astype(int)
    base = float(labels.mean()) if len(frame) else 0.0
    results = {name: auc(labels, frame[name]) for name in SCORES if name in frame}
    lift: list[dict[str, Any]] = []
    calibration: list[dict[str, Any]] = []
    if len(frame):
        for decile, part in frame.assign(decile=deciles(frame)).groupby("decile"):
            rate = float(part["label"].mean())
            lift.append(
                {
                    "decile": int(str(decile)),
                    "leads": len(part),
                    "outcomes": int(part["label"].sum()),
                    "rate": round(rate, 4),
                    "lift": round(rate / base, 2) if base else None,
                }
            )
        predicted = "window_probability" if "window_probability" in frame else "model_score"
        by_probability = frame.assign(decile=deciles(frame, predicted)).groupby("decile")
        for decile, part in by_probability:
            calibration.append(
                {
                    "decile": int(str(decile)),
                    "predicted": round(float(part[predicted].mean()), 4),
                    "observed": round(float(part["label"].mean()), 4),
                }
            )
    return Evaluation(
        cutoff, as_of, model_version, len(frame), int(labels.sum()), results, lift, calibration
    )
