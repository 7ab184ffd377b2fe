"""Success and operations KPIs: tickets, health, the stack, enablement, the request queue."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld


def test_csat_and_time_to_resolution(world: MetricWorld) -> None:
    world.add(
        "support_ticket",
        {"opened_at": "2025-01-01T00:00", "closed_at": "2025-01-01T10:00", "csat": 5,
         "first_response_at": "2025-01-01T01:00"},
        {"opened_at": "2025-01-02T00:00", "closed_at": "2025-01-03T06:00", "csat": 2,
         "first_response_at": "2025-01-02T03:00"},
        {"opened_at": "2025-01-05T00:00", "closed_at": "2025-01-05T04:00"},
        {"opened_at": "2025-03-30T00:00", "closed_at": "2025-04-02T00:00", "csat": 1},
    )  # fmt: skip
    result = world.compute(
        ["csat", "time_to_resolution_hours", "tickets_opened", "first_response_hours"],
        "FY2025-Q1",
    )
    assert result.value("csat") == pytest.approx(3.5)  # (5 + 2) / 2; unrated left out
    assert result.value("time_to_resolution_hours") == pytest.approx(10)  # 4, 10, 30
    assert result.value("tickets_opened") == 4
    assert result.value("first_response_hours") == pytest.approx(2)  # 1 and 3; others unanswered


def test_health_score_weighs_its_parts(world: MetricWorld) -> None:
    world.add(
        "subscription_line",
        {"account_id": "h", "mrr": 100, "start_date": "2024-01-01", "currency": "USD"},
    )
    # Usage: 60 active users in the last 30 days of March against 120 before: 50.
    world.add(
        "product_usage",
        {"account_id": "h", "usage_date": "2025-03-20", "active_users": 60},
        {"account_id": "h", "usage_date": "2025-02-15", "active_users": 120},
    )
    # Two tickets opened (support 80), CSAT 4 (75).
    world.add(
        "support_ticket",
        {"account_id": "h", "opened_at": "2025-02-01", "closed_at": "2025-02-02", "csat": 4},
        {"account_id": "h", "opened_at": "2025-03-01"},
    )
    # One invoice due in the window paid late, one on time: payment 50.
    world.add(
        "invoice",
        {"account_id": "h", "due_date": "2025-01-31", "paid_date": "2025-01-20", "amount": 1},
        {"account_id": "h", "due_date": "2025-02-28", "paid_date": "2025-03-10", "amount": 1},
    )
    expected = 0.4 * 50 + 0.2 * 80 + 0.2 * 75 + 0.2 * 50
    assert world.value("health_score", "FY2025-Q1") == pytest.approx(expected)
    world.settings["health_weights"] = {"usage": 0, "support": 1, "csat": 0, "payment": 1}

    assert world.value("health_score", "FY2025-Q1") == pytest.approx((80 + 50) / 2)


def test_adoption_and_cost_per_active_user(world: MetricWorld) -> None:
    world.add(
        "tool",
        {"tool_id": "crm", "name": "CRM", "seats": 4, "intended_users": 5,
         "annual_cost": 36_500},
        {"tool_id": "bi", "name": "BI", "seats": 6},
    )  # fmt: skip
    world.add("user", {"user_id": "u1", "name": "U1", "email": "u1@x.com"})
    world.add(
        "tool_usage",
        {"tool_id": "crm", "user_id": "email:u1@x.com", "used_at": "2025-01-05"},  # u1 too
        {"tool_id": "crm", "user_id": "u1", "used_at": "2025-01-06"},
        {"tool_id": "crm", "user_id": "u2", "used_at": "2025-01-07"},
        {"tool_id": "crm", "user_id": "u3", "used_at": "2025-02-07"},  # outside January
        {"tool_id": "bi", "user_id": "u1", "used_at": "2025-01-09"},
    )
    result = world.compute(
        ["tech_adoption_rate", "tech_adoption_rate_intended", "cost_per_active_user"],
        "FY2025-M01",
        by=["tool"],
    )
    assert result.value("tech_adoption_rate", tool="crm") == pytest.approx(2 / 4)
    assert result.value("tech_adoption_rate", tool="bi") == pytest.approx(1 / 6)
    assert result.value("tech_adoption_rate_intended", tool="crm") == pytest.approx(2 / 5)
    assert result.value("tech_adoption_rate_intended", tool="bi") is None
    # 36,500 a year is 3,100 for January's 31 days, over 2 active users.
    assert result.value("cost_per_active_user", tool="crm") == pytest.approx(3_100 / 2)


def test_enablement_counts_reps_by_user_id_or_email(world: MetricWorld) -> None:
    world.add(
        "user",
        {"user_id": "r1", "name": "R1", "role": "AE", "email": "R1@x.com"},
        {"user_id": "r2", "name": "R2", "role": "AE", "hire_date": "2024-01-01"},
        {"user_id": "r3", "name": "R3", "role": "AE", "termination_date": "2024-12-31"},
        {"user_id": "m", "name": "M", "role": "marketing"},
    )
    world.add("content_usage", {"user_id": "email:r1@x.com", "used_at": "2025-01-10",
                                "opportunity_id": "o1"})  # fmt: skip
    won = {"stage": "Closed Won", "is_closed": True, "is_won": True, "closed_at": "2025-01-20"}
    lost = {**won, "stage": "Closed Lost", "is_won": False}
    world.add(
        "opportunity",
        {**won, "opportunity_id": "o1"},
        {**won},
        {**lost},
        {**lost},
        {**lost},
    )
    result = world.compute(
        ["enablement_usage_share", "win_rate_with_content", "win_rate_without_content"],
        "FY2025-Q1",
    )
    assert result.value("enablement_usage_share") == pytest.approx(1 / 2)  # r1 of r1, r2
    assert result.value("win_rate_with_content") == 1
    assert result.value("win_rate_without_content") == pytest.approx(1 / 4)


def test_request_throughput_against_the_sla_of_each_priority(world: MetricWorld) -> None:
    world.add(
        "revops_request",
        {"priority": "critical", "requested_at": "2025-01-01", "resolved_at": "2025-01-02"},
        {"priority": "critical", "requested_at": "2025-01-01", "resolved_at": "2025-01-05"},
        {"stated_urgency": "low", "requested_at": "2025-01-01", "resolved_at": "2025-01-11"},
        {"requested_at": "2025-01-01", "resolved_at": "2025-01-21"},  # default SLA 10 days
        {"priority": "high", "requested_at": "2025-02-01"},  # open
    )
    result = world.compute(
        ["requests_received", "requests_resolved", "request_median_age_days",
         "requests_within_sla_share"],
        "FY2025-Q1",
    )  # fmt: skip
    assert result.value("requests_received") == 5
    assert result.value("requests_resolved") == 4
    assert result.value("request_median_age_days") == pytest.approx((4 + 10) / 2)  # 1,4,10,20
    assert result.value("requests_within_sla_share") == pytest.approx(2 / 4)


def test_requests_slice_by_priority_or_stated_urgency(duckdb_world: MetricWorld) -> None:
    duckdb_world.add(
        "revops_request",
        {"priority": "high", "requested_at": "2025-01-01", "resolved_at": "2025-01-04"},
        {"priority": "high", "requested_at": "2025-01-01", "resolved_at": "2025-01-11"},
        # Not yet prioritised: counted, and held to the SLA, under its stated urgency.
        {"stated_urgency": "high", "requested_at": "2025-01-01", "resolved_at": "2025-01-05"},
        {"priority": "low", "stated_urgency": "critical", "requested_at": "2025-01-01",
         "resolved_at": "2025-01-15"},
    )  # fmt: skip
    result = duckdb_world.compute(
        ["requests_resolved", "request_median_age_days", "requests_within_sla_share"],
        "FY2025-Q1",
        by=["priority"],
    )
    assert result.value("requests_resolved", priority="high") == 3
    assert result.value("request_median_age_days", priority="high") == pytest.approx(4)
    assert result.value("requests_within_sla_share", priority="high") == pytest.approx(2 / 3)
    assert result.value("requests_within_sla_share", priority="low") == 1  # 14 days of 20


def test_health_score_slices_by_segment(duckdb_world: MetricWorld) -> None:
    duckdb_world.add(
        "account",
        {"account_id": "big", "name": "Big", "segment": "enterprise"},
        {"account_id": "small", "name": "Small", "segment": "smb"},
    )
    duckdb_world.add(
        "subscription_line",
        {"account_id": "big", "mrr": 900, "start_date": "2024-01-01", "currency": "USD"},
        {"account_id": "small", "mrr": 90, "start_date": "2024-01-01", "currency": "USD"},
    )
    # Five tickets for the small account: support 50; nothing else known (50 each).
    duckdb_world.add(
        "support_ticket", *({"account_id": "small", "opened_at": "2025-02-01"} for _ in range(5))
    )
    # A void invoice is no payment behaviour: payment stays unknown (50), not late (0).
    duckdb_world.add(
        "invoice",
        {"account_id": "small", "due_date": "2025-02-28", "amount": 1, "status": "void"},
    )
    result = duckdb_world.compute(["health_score"], "FY2025-Q1", by=["segment"])
    assert result.value("health_score", segment="enterprise") == pytest.approx(60)  # 100 support
    assert result.value("health_score", segment="smb") == pytest.approx(50)
