"""The learned score: trained on what was known then, with readable reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from leads.conftest import Company, at, lead, write_rules
from revops.errors import LeadsError
from revops.leads.evaluate import evaluate_frame
from revops.leads.model import training_cutoffs

START = at("2025-06-02")
AS_OF = at("2026-06-01")


QUICK = """
engagement:
  - {name: response, source: campaign_touch, points: 20}
model: {snapshots: 8, snapshot_days: 14, window_days: 30, lead_age_days: 30}
"""


def history(company: Company, days: int = 360) -> None:
    """A lead a day for a year: VPs convert ten days after they arrive, others never
    (but every seventh analyst, after 20 days); nobody knows the company's size."""
    write_rules(company.ws.root, QUICK)
    rows = []
    for i in range(days):
        created = START + timedelta(days=i)
        vp = i % 3 == 0
        converts = vp or i % 7 == 0
        converted = created + timedelta(days=10 if vp else 20)
        rows.append(
            lead(
                f"l-{i:03d}",
                created.isoformat(),
                first_name="Ana" if vp else "Bo",
                last_name=f"N{i}",
                title="VP Sales" if vp else "Analyst",
                email=f"p{i}@acme{i % 5}.com",
                source="referral" if i % 2 else "paid_search",
                converted_at=converted.isoformat() if converts and converted <= AS_OF else None,
            )
        )
    company.add("lead", *rows)


def test_snapshots_end_one_outcome_window_before_the_as_of(company: Company) -> None:
    rules = company.ws.leads.rules
    cutoffs = training_cutoffs(AS_OF, rules)
    assert max(cutoffs) == AS_OF - timedelta(days=rules.model.window_days)
    assert len(cutoffs) == rules.model.snapshots


def test_reasons_name_the_input_its_value_and_its_pull(company: Company) -> None:
    history(company)
    frame, model = company.ws.leads.compute(AS_OF)
    assert model.version.startswith("lr-20260601-")
    vp = frame[frame["title"] == "VP Sales"]
    analyst = frame[frame["title"] == "Analyst"]
    assert vp["model_score"].mean() > 2 * analyst["model_score"].mean()
    reasons = pd.Series(frame["reasons"]).str.cat(sep=" ")
    assert "seniority = vp +" in reasons or "title = vp sales +" in reasons
    assert "employees" not in model.numeric  # no value at all: left out, not refused


def test_a_leads_score_is_what_it_is_not_how_long_it_waited(company: Company) -> None:
    """Two leads alike but for their age score the same, and age is no reason; the
    probability from each lead's age, which the calibration reads, tells them apart."""
    history(company)
    alike = {"first_name": "Ana", "last_name": "Twin", "title": "VP Sales", "source": "referral"}
    company.add(
        "lead",
        lead("twin-1", "2026-05-30", email="twin1@acme1.com", **alike),
        lead("twin-2", "2026-05-10", email="twin2@acme1.com", **alike),
    )
    frame, model = company.ws.leads.compute(AS_OF)
    twins = frame.set_index("lead_id").loc[["twin-1", "twin-2"]]
    assert twins["age_days"].iloc[1] - twins["age_days"].iloc[0] == pytest.approx(20)
    assert twins["model_score"].iloc[0] == twins["model_score"].iloc[1]
    assert twins["reasons"].iloc[0] == twins["reasons"].iloc[1]
    assert "lead age" not in pd.Series(frame["reasons"]).str.cat(sep=" ")
    assert "age_days" in model.numeric
    window = model.window_probability(twins.reset_index())
    # a VP converts ten days after arriving: the 22-day-old twin has had its chance
    assert window[0] > window[1] + 0.05


def test_lift_ranks_by_the_score_and_calibration_by_the_probability_from_age() -> None:
    frame = pd.DataFrame(
        {
            "model_score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
            "window_probability": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
            "label": [1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        }
    )
    result = evaluate_frame(frame, datetime(2026, 1, 1, tzinfo=UTC), AS_OF, "v")
    assert [row["outcomes"] for row in result.lift] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    top = result.calibration[0]
    assert (top["predicted"], top["observed"]) == (0.95, 1.0)
    assert [row["predicted"] for row in result.calibration][-1] == 0.1
    assert result.auc["model_score"] == 0.5
    assert result.auc["window_probability"] == 0.5


def test_outcomes_after_the_as_of_never_change_the_learned_score(company: Company) -> None:
    history(company)
    before, model = company.ws.leads.compute(at("2026-03-01"))
    # every lead open on 2026-03-01 converts the day after, and new leads arrive
    warehouse = company.ws.warehouse
    warehouse.execute(
        f"UPDATE {warehouse.qualified('lead', 'core')} "
        "SET converted_at = TIMESTAMPTZ '2026-03-02 00:00:00+00' "
        "WHERE converted_at IS NULL AND created_at <= TIMESTAMPTZ '2026-03-01 23:59:59+00'"
    )
    company.add("lead", lead("l-new", "2026-03-05", title="VP Sales"))
    after, again = company.ws.leads.compute(at("2026-03-01"))
    assert again.rows == model.rows
    assert again.positives == model.positives
    merged = before.merge(after, on="lead_id", suffixes=("", "_after"))
    assert len(merged) == len(before) == len(after)
    assert (merged["model_score"] == merged["model_score_after"]).all()
    assert (merged["reasons"] == merged["reasons_after"]).all()


def test_no_outcome_in_the_history_is_a_clear_error(company: Company) -> None:
    write_rules(company.ws.root, QUICK)
    company.add("lead", lead("l-1", "2026-01-01", title="VP"))
    with pytest.raises(LeadsError, match="no history to learn from"):
        company.ws.leads.compute(AS_OF)


def test_scores_are_stored_with_their_model_version(company: Company) -> None:
    history(company)
    run = company.ws.leads.score(AS_OF)
    queue = company.ws.leads.queue(limit=5)
    assert run.leads > 0
    assert len(queue) == 5
    assert {r["model_version"] for r in queue} == {run.model_version}
    assert queue[0]["model_score"] >= queue[-1]["model_score"]
    assert queue[0]["name"].startswith(("Ana", "Bo"))
    assert all(isinstance(r["reasons"], list) and r["reasons"] for r in queue)
    stored = company.ws.warehouse.table("score", "leads").count().execute()
    assert stored == run.leads
