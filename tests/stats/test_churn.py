"""The churn model: learns which way a feature pushes, explains each company by the
features that raise its risk, refuses what it cannot learn from."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops.errors import SuccessError
from revops.stats.churn import fit_churn_model

AS_OF = date(2026, 11, 22)
FEATURES = ["usage_per_seat", "tickets_per_seat", "csat"]


def frame(rows: int = 400, seed: int = 3) -> pd.DataFrame:
    """Companies whose churn odds fall with usage per seat and rise with tickets; CSAT is
    never measured."""
    rng = np.random.default_rng(seed)
    usage = rng.uniform(0, 1, rows)
    tickets = rng.uniform(0, 1, rows)
    odds = np.exp(-1 - 4 * usage + 3 * tickets)
    churned = rng.uniform(size=rows) < odds / (1 + odds)
    return pd.DataFrame(
        {
            "usage_per_seat": usage,
            "tickets_per_seat": tickets,
            "csat": np.nan,
            "churned": churned,
            "contracted": churned,
            "day": date(2026, 6, 30),
            "label_known": date(2026, 9, 28),
        }
    )


def test_the_model_learns_the_direction_of_each_signal() -> None:
    model = fit_churn_model(frame(), features=FEATURES, trained_as_of=AS_OF)

    assert model.coefficients["usage_per_seat"] < 0
    assert model.coefficients["tickets_per_seat"] > 0


def test_a_feature_no_company_measured_is_left_out() -> None:
    model = fit_churn_model(frame(), features=FEATURES, trained_as_of=AS_OF)

    assert "csat" not in model.features
    assert model.predict(frame(5, seed=9)).shape == (5,)


def test_reasons_are_the_features_that_raise_the_risk() -> None:
    model = fit_churn_model(frame(), features=FEATURES, trained_as_of=AS_OF)
    companies = pd.DataFrame({"usage_per_seat": [0.05, 0.95], "tickets_per_seat": [0.5, 0.05]})

    risky, safe = model.reasons(companies)

    assert risky[0].feature == "usage_per_seat"
    assert risky[0].text.startswith("low usage_per_seat")
    assert all(r.contribution > 0 for r in risky)
    assert [r.feature for r in safe] == []  # nothing pushes a healthy company's risk up
    low, high = model.predict(companies)[::-1]
    assert low < high


def test_too_few_churns_are_refused_with_one_message() -> None:
    few = frame().assign(churned=False)
    few.loc[:2, "churned"] = True

    with pytest.raises(SuccessError, match="3 churned of 400 company snapshots"):
        fit_churn_model(few, features=FEATURES, trained_as_of=AS_OF)


def test_a_snapshot_whose_outcome_came_after_the_training_day_is_refused() -> None:
    with pytest.raises(SuccessError, match="not time-correct"):
        fit_churn_model(frame(), features=FEATURES, trained_as_of=date(2026, 9, 1))
