"""Funnel, attribution and web KPIs against hand-built people, touches and sessions."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"
MODELS = ("first_touch", "last_touch", "linear", "w_shaped")


def _funnel(world: MetricWorld) -> None:
    stages = {
        "p1": [("lead", "2025-01-05"), ("mql", "2025-01-10"), ("sql", "2025-01-20"),
               ("customer", "2025-03-01")],
        "p2": [("lead", "2025-01-07"), ("mql", "2025-02-01")],
        "p3": [("lead", "2025-02-10")],
        "p4": [("lead", "2024-12-01"), ("mql", "2025-01-15"), ("sql", "2025-01-16")],
    }  # fmt: skip
    world.add(
        "lifecycle_event",
        *[
            {"person_id": person, "person_type": "contact", "stage": stage, "entered_at": at}
            for person, entries in stages.items()
            for stage, at in entries
        ],
    )


def test_funnel_counts_and_cohort_conversion(world: MetricWorld) -> None:
    _funnel(world)
    result = world.compute(
        ["leads_created", "mqls_created", "sqls_created", "lead_conversion_rate",
         "lead_acceptance_rate"],
        Q1,
    )  # fmt: skip
    assert [result.value(m) for m in ("leads_created", "mqls_created", "sqls_created")] == [
        3, 3, 2,
    ]  # fmt: skip
    assert result.value("lead_conversion_rate") == pytest.approx(1 / 3)  # p1 of p1..p3
    assert result.value("lead_acceptance_rate") == pytest.approx(2 / 3)  # p1, p4 of p1, p2, p4
    by_stage = world.compute(["lifecycle_conversion", "lifecycle_days_to_next"], Q1,
                             by=["stage"])  # fmt: skip
    assert by_stage.value("lifecycle_conversion", stage="lead") == pytest.approx(2 / 3)
    assert by_stage.value("lifecycle_days_to_next", stage="lead") == pytest.approx(15)  # 5, 25


def test_speed_to_lead_matches_people_by_email(world: MetricWorld) -> None:
    world = world
    _funnel(world)
    world.add(
        "contact",
        {"contact_id": "p1", "email": "a@x.com"},
        {"contact_id": "sf1", "email": "A@x.com"},
        {"contact_id": "p4", "email": "d@x.com"},
    )
    world.add("lead", {"lead_id": "l4", "email": "d@x.com"})
    world.add(
        "activity",
        {"type": "call", "contact_id": "sf1", "occurred_at": "2025-01-10T06:00"},
        {"type": "email", "lead_id": "l4", "occurred_at": "2025-01-14T00:00"},  # before MQL
        {"type": "email", "lead_id": "l4", "occurred_at": "2025-01-15T12:00"},
        {"type": "task", "contact_id": "sf1", "occurred_at": "2025-01-10T01:00"},  # no touch
    )
    assert world.value("speed_to_lead_hours", Q1) == pytest.approx((6 + 12) / 2)


def _touches(world: MetricWorld) -> None:
    world.add("contact", {"contact_id": "c1", "account_id": "acc1", "email": "c1@x.com"})
    world.add(
        "campaign",
        *[{"campaign_id": k, "name": k, "channel": channel} for k, channel in
          (("k1", "events"), ("k2", "paid_search"), ("k3", "organic"), ("k4", "referral"))],
    )  # fmt: skip
    person = "email:c1@x.com"
    world.add(
        "campaign_touch",
        {"campaign_id": "k1", "person_id": person, "occurred_at": "2025-01-01"},
        {"campaign_id": "k2", "person_id": person, "occurred_at": "2025-01-10",
         "has_responded": True},
        {"campaign_id": "k3", "account_id": "acc1", "occurred_at": "2025-01-20"},
        {"campaign_id": "k4", "person_id": "c1", "occurred_at": "2025-01-25"},
        {"campaign_id": "k1", "person_id": person, "occurred_at": "2025-02-05"},  # after
    )  # fmt: skip
    world.add(
        "opportunity",
        {"opportunity_id": "o1", "stage": "Proposal", "account_id": "acc1", "amount": 1000,
         "created_at": "2025-02-01"},
        {"opportunity_id": "o2", "stage": "Proposal", "account_id": "acc2", "amount": 500,
         "created_at": "2025-02-01"},
        {"opportunity_id": "o3", "stage": "Proposal", "account_id": "acc1", "amount": 200,
         "created_at": "2025-01-15"},
    )  # fmt: skip


def test_every_model_credits_the_influenced_pipeline(world: MetricWorld) -> None:
    _touches(world)
    names = ["influenced_pipeline", "influenced_opportunities",
             *[f"attributed_pipeline_{m}" for m in MODELS]]  # fmt: skip
    result = world.compute(names, Q1)
    assert result.value("influenced_pipeline") == 1200  # o1 and o3; o2 has no touch
    assert result.value("influenced_opportunities") == 2
    for model in MODELS:
        assert result.value(f"attributed_pipeline_{model}") == pytest.approx(1200), model


def test_each_model_splits_credit_by_its_rule(world: MetricWorld) -> None:
    _touches(world)
    names = [f"attributed_pipeline_{m}" for m in MODELS]
    result = world.compute(names, Q1, by=["channel"])
    expected = {
        # o1 (1,000) has touches events, paid_search (responded), organic, referral;
        # o3 (200) has events, paid_search.
        "first_touch": {"events": 1200, "paid_search": 0, "organic": 0, "referral": 0},
        "last_touch": {"events": 0, "paid_search": 200, "organic": 0, "referral": 1000},
        "linear": {"events": 350, "paid_search": 350, "organic": 250, "referral": 250},
        # o1: 30 % first, 30 % lead creation (the responded touch), 30 % last, 10 % the
        # rest; o3: half each.
        "w_shaped": {"events": 400, "paid_search": 400, "organic": 100, "referral": 300},
    }
    for model, channels in expected.items():
        for channel, amount in channels.items():
            value = result.value(f"attributed_pipeline_{model}", channel=channel)
            assert value == pytest.approx(amount), (model, channel)


def test_website_conversion_by_landing_page(world: MetricWorld) -> None:
    session = {"started_at": "2025-02-01", "channel": "organic"}
    world.add(
        "web_session",
        {**session, "landing_page": "/pricing", "is_converted": True},
        {**session, "landing_page": "/pricing", "is_converted": False},
        {**session, "landing_page": "/pricing"},
        {**session, "landing_page": "/blog", "is_converted": False},
        {**session, "landing_page": "/blog", "is_converted": False},
    )
    result = world.compute(["website_conversion_rate"], Q1, by=["landing_page"])
    assert result.value("website_conversion_rate", landing_page="/pricing") == pytest.approx(1 / 3)
    assert result.value("website_conversion_rate", landing_page="/blog") == 0
    assert world.value("website_conversion_rate", Q1) == pytest.approx(1 / 5)


def test_marketing_sourced_pipeline_and_bookings(world: MetricWorld) -> None:
    world.add(
        "opportunity",
        {"stage": "Closed Won", "is_won": True, "is_closed": True, "amount": 100,
         "lead_source": "paid_search", "created_at": "2025-01-02", "closed_at": "2025-02-02"},
        {"stage": "Proposal", "amount": 50, "sourced_by": "Marketing",
         "lead_source": "outbound", "created_at": "2025-01-03"},
        {"stage": "Proposal", "amount": 20, "sourced_by": "sales",
         "lead_source": "paid_search", "created_at": "2025-01-04"},
    )  # fmt: skip
    result = world.compute(["marketing_sourced_pipeline", "marketing_sourced_bookings"], Q1)
    assert result.value("marketing_sourced_pipeline") == 150  # sourced_by wins over source
    assert result.value("marketing_sourced_bookings") == 100
