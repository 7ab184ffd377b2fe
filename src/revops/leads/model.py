"""The learned score: a logistic regression on the leads' firmographics and decayed
engagement, trained on snapshots of what was known at past instants, with the outcome of
the window after each; per-lead reasons are the features' contributions to the log-odds.

The lead's age is an input, so that what each attribute is worth is learned apart from how
long the lead had been open (an old open lead is one that has not converted yet). The
score is the probability of the outcome within the window for the lead *as a new lead*:
leads of every age are ranked by what they are, not by when they arrived. The chance
from the lead's present age is :meth:`LeadModel.window_probability`.

A snapshot at instant C holds the leads open at C with their features as of C, labelled
by what became of them in (C, C + window]. Training as of T uses only snapshots whose
window closed by T, so nothing after T is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from revops.errors import LeadsError
from revops.leads.outcomes import outcomes
from revops.leads.rules import LeadRules
from revops.leads.scoring import engagement_column, rule_scores

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import numpy as np
    import pandas as pd

    from revops.warehouse import Warehouse

CATEGORICAL = ("segment", "industry", "country", "title", "seniority", "email_type", "source")
MISSING = "(unknown)"
AGE = "age_days"


def numeric_features(rules: LeadRules) -> tuple[str, ...]:
    """The numeric inputs: company size, the lead's age and each engagement rule's points."""
    return (
        "fit",
        "engagement",
        "employees",
        AGE,
        *(engagement_column(r) for r in rules.engagement),
    )


def snapshot_query(warehouse: Warehouse, at: datetime, rules: LeadRules) -> ir.Table:
    """The leads open at `at` and younger than `lead_age_days`, their rule scores and
    features as of `at`, `label` from the window after it, and `snapshot_at`."""
    import ibis

    stamp = ibis.literal(at, type="timestamp('UTC')")
    scores = rule_scores(warehouse, at, rules)
    oldest = ibis.literal(at - timedelta(days=rules.model.lead_age_days), type="timestamp('UTC')")
    scores = scores.filter(scores.created_at > oldest)
    labels = outcomes(warehouse, at, rules.model.window_days, rules.model.outcome)
    labels = labels.select(label_id="lead_id", label="label")
    joined = scores.left_join(labels, scores.lead_id == labels.label_id)
    return joined.drop("label_id").mutate(snapshot_at=stamp)


def snapshot(warehouse: Warehouse, at: datetime, rules: LeadRules) -> pd.DataFrame:
    """:func:`snapshot_query` run, one row per lead, with `age_days`."""
    frame: pd.DataFrame = snapshot_query(warehouse, at, rules).to_pandas()
    return with_age(frame, at)


def with_age(frame: pd.DataFrame, at: datetime | None = None) -> pd.DataFrame:
    """`frame` with `age_days`: days from each lead's creation to `at` (None: to each
    row's `snapshot_at`)."""
    import pandas as pd

    created = pd.to_datetime(frame["created_at"], utc=True)
    moment = pd.Timestamp(at) if at is not None else pd.to_datetime(frame["snapshot_at"], utc=True)
    age = (moment - created).dt.total_seconds() / 86_400
    return frame.assign(age_days=age.astype(float))


def training_cutoffs(as_of: datetime, rules: LeadRules) -> list[datetime]:
    """Snapshot instants whose outcome window closed by `as_of`, newest first."""
    settings = rules.model
    last = as_of - timedelta(days=settings.window_days)
    return [last - timedelta(days=settings.snapshot_days * i) for i in range(settings.snapshots)]


@dataclass(frozen=True)
class LeadModel:
    """A fitted model and what it was fitted on.

    Attributes:
        version: stored beside every score (`lr-<as_of date>-<rules hash>`).
        trained_as_of: the instant whose knowledge it was trained on.
        rows: training rows (lead snapshots); positives: those with the outcome.
    """

    pipeline: Any
    centre: Any
    categorical: tuple[str, ...]
    numeric: tuple[str, ...]
    version: str
    trained_as_of: datetime
    rows: int
    positives: int
    reasons: int

    def predict(self, frame: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
        """Each lead's score (its probability of the outcome within the window as a new
        lead, whatever its age) and its top reasons, largest first
        (``industry = software +0.80``); the age, the same for every lead, is no reason."""
        import numpy as np

        x = _inputs(frame, self.categorical, self.numeric)
        if AGE in self.numeric:
            x[AGE] = 0.0
        probability = self.pipeline.predict_proba(x)[:, 1]
        contributions, labels = self.contributions(x)
        if AGE in self.numeric:
            contributions[:, len(self.categorical) + self.numeric.index(AGE)] = 0.0
        order = np.argsort(-np.abs(contributions), axis=1)[:, : self.reasons]
        reasons = [
            [f"{labels[i][j]} {contributions[i, j]:+.2f}" for j in row if contributions[i, j] != 0]
            for i, row in enumerate(order)
        ]
        return probability, reasons

    def window_probability(self, frame: pd.DataFrame) -> np.ndarray:
        """Each lead's probability of the outcome within the window from its present
        age (what the evaluation's calibration compares with what happened)."""
        x = _inputs(frame, self.categorical, self.numeric)
        return self.pipeline.predict_proba(x)[:, 1]  # type: ignore[no-any-return]

    def contributions(self, x: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
        """Per lead and input, the input's share of the log-odds against the average
        training lead (they sum to the logit minus the average's), with its label."""
        import numpy as np

        transform = self.pipeline.named_steps["inputs"]
        coef = self.pipeline.named_steps["model"].coef_[0]
        matrix = transform.transform(x)
        matrix = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
        names = list(self.categorical) + list(self.numeric)
        out = np.zeros((len(x), len(names)))
        for k, name in enumerate(names):
            part = transform.output_indices_[name]
            if part.stop == part.start:
                continue
            out[:, k] = (matrix[:, part] - self.centre[part]) @ coef[part]
        labels = [[_label(name, x.iloc[i][name]) for name in names] for i in range(len(x))]
        return out, labels


def _label(name: str, value: Any) -> str:
    if name.startswith("engagement_"):
        return f"{name.removeprefix('engagement_')} = {float(value):.1f} points"
    if name == "employees":
        return "employees = unknown" if value != value else f"employees = {float(value):,.0f}"
    return f"{name} = {value}"


def _inputs(frame: pd.DataFrame, categorical: tuple[str, ...], numeric: tuple[str, ...]) -> Any:
    data = frame[list(categorical) + list(numeric)].copy()
    for column in categorical:
        text = data[column].astype("object").where(data[column].notna(), MISSING)
        data[column] = text.astype(str).str.strip().str.lower()
    for column in numeric:
        data[column] = data[column].astype(float)
    return data


def _encoder() -> Any:
    from sklearn.preprocessing import OneHotEncoder

    return OneHotEncoder(
        handle_unknown="infrequent_if_exist", min_frequency=0.05, sparse_output=False
    )


def _scaler() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])


def fit_model(frame: pd.DataFrame, rules: LeadRules, as_of: datetime) -> LeadModel:
    """Fit the model on labelled snapshots `frame`.

    Raises:
        LeadsError: no rows, or only one outcome among them.
    """
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if frame.empty or frame["label"].nunique() < 2:
        raise LeadsError(
            f"no history to learn from as of {as_of:%Y-%m-%d}: the training snapshots hold "
            f"{len(frame)} leads and {int(frame['label'].sum()) if len(frame) else 0} outcomes"
        )
    # scikit-learn refuses a column with no value at all; a constant one teaches nothing.
    numeric = tuple(c for c in numeric_features(rules) if frame[c].notna().any())
    categorical = tuple(c for c in CATEGORICAL if frame[c].nunique(dropna=False) > 1)
    x = _inputs(frame, categorical, numeric)
    y = frame["label"].astype(int).to_numpy()
    inputs = ColumnTransformer(
        [(c, _encoder(), [c]) for c in categorical] + [(c, _scaler(), [c]) for c in numeric],
        sparse_threshold=0,
    )
    pipeline = Pipeline(
        [
            ("inputs", inputs),
            ("model", LogisticRegression(C=rules.model.regularisation, max_iter=2000)),
        ]
    )
    pipeline.fit(x, y)
    centre = np.asarray(inputs.transform(x)).mean(axis=0)
    return LeadModel(
        pipeline=pipeline,
        centre=centre,
        categorical=categorical,
        numeric=numeric,
        version=f"lr-{as_of:%Y%m%d}-{rules.version}",
        trained_as_of=as_of,
        rows=len(frame),
        positives=int(np.sum(y)),
        reasons=rules.model.reasons,
    )


def train(warehouse: Warehouse, as_of: datetime, rules: LeadRules) -> LeadModel:
    """The model trained on the snapshots known at `as_of` (see :func:`training_cutoffs`)."""
    import ibis

    # One query for every snapshot: the warehouse plans them together.
    queries = [snapshot_query(warehouse, at, rules) for at in training_cutoffs(as_of, rules)]
    frame = ibis.union(*queries).to_pandas() if len(queries) > 1 else queries[0].to_pandas()
    return fit_model(with_age(frame.reset_index(drop=True)), rules, as_of)
