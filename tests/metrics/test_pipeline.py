"""Pipeline KPIs from opportunity history, and sales capacity, against hand-built deals."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"  # calendar fiscal year: January to March 2025


def _version(deal: str, at: str, stage: str, amount: float, close: str) -> dict[str, object]:
    return {"opportunity_id": deal, "valid_from": at, "stage": stage, "amount": amount,
            "close_date": close, "currency": "USD"}  # fmt: skip


def _history(world: MetricWorld) -> None:
    world.add(
        "opportunity_history",
        _version("A", "2025-01-05", "Prospecting", 1000, "2025-02-28"),
        _version("A", "2025-01-15", "Qualification", 1000, "2025-02-28"),
        _version("A", "2025-02-14", "Closed Won", 1000, "2025-02-14"),
        _version("B", "2025-01-10", "Prospecting", 700, "2025-03-31"),
        _version("B", "2025-02-09", "Closed Lost", 700, "2025-02-09"),
        _version("C", "2025-02-01", "Prospecting", 500, "2025-03-20"),
        _version("C", "2025-03-10", "Qualification", 800, "2025-05-15"),
        _version("D", "2024-12-01", "Discovery", 2000, "2025-02-28"),
        _version("D", "2025-02-20", "Proposal", 2000, "2025-02-28"),
        _version("E", "2024-12-15", "Negotiation", 300, "2025-03-15"),
        _version("E", "2025-03-25", "Negotiation", 300, "2025-04-30"),
    )
    for deal in "ABCDE":
        world.add("opportunity", {"opportunity_id": deal, "stage": "x", "account_id": "a1"})


def test_stage_conversion_and_time_in_stage(world: MetricWorld) -> None:
    _history(world)
    result = world.compute(
        ["stage_entries", "stage_conversion", "time_in_stage_days", "time_in_stage_days_median"],
        Q1,
    )
    # Entries of open stages in Q1: A Prospecting and Qualification, B, C Prospecting and
    # Qualification, D Proposal; of which A (twice) and C Prospecting went further.
    assert result.value("stage_entries") == 6
    assert result.value("stage_conversion") == pytest.approx(3 / 6)
    # Stays ended in Q1: 10 (A), 30 (A), 30 (B), 37 (C) and 81 days (D in Discovery).
    assert result.value("time_in_stage_days") == pytest.approx((10 + 30 + 30 + 37 + 81) / 5)
    assert result.value("time_in_stage_days_median") == pytest.approx(30)
    by_stage = world.compute(["stage_conversion", "time_in_stage_days_median"], Q1, by=["stage"])
    assert by_stage.value("stage_conversion", stage="Prospecting") == pytest.approx(2 / 3)
    # Prospecting stays ended in Q1: 10 (A), 30 (B) and 37 days (C).
    assert by_stage.value("time_in_stage_days_median", stage="Prospecting") == pytest.approx(30)


def test_coverage_and_velocity_of_the_open_pipeline(world: MetricWorld) -> None:
    _history(world)
    closed = {"is_closed": True, "currency": "USD", "created_at": "2025-01-01"}
    world.add(
        "opportunity",
        {**closed, "opportunity_id": "W", "stage": "Closed Won", "is_won": True, "amount": 1000,
         "closed_at": "2025-01-31"},
        {**closed, "opportunity_id": "L", "stage": "Closed Lost", "is_won": False, "amount": 400,
         "closed_at": "2025-02-10"},
    )  # fmt: skip
    world.add("quota", {"user_id": "u1", "period_start_date": "2025-01-01",
                        "period_end_date": "2025-03-31", "amount": 3000})  # fmt: skip
    result = world.compute(
        ["pipeline_coverage", "pipeline_coverage_of_quota", "pipeline_velocity"], Q1
    )
    # Open pipeline 2,000 (D); quota 3,000 of which 1,000 booked (W).
    assert result.value("pipeline_coverage") == pytest.approx(2000 / (3000 - 1000))
    assert result.value("pipeline_coverage_of_quota") == pytest.approx(2000 / 3000)
    # One open deal x win rate 1/2 x deal size 1,000 / a 30-day cycle.
    assert result.value("pipeline_velocity") == pytest.approx(1 * 0.5 * 1000 / 30)
    # On 20 January nothing is booked yet (W closes on the 31st) and A (1,000), B (700),
    # D (2,000) and E (300) are open and due in Q1: 4,000 to cover the whole quota.
    early = world.compute(["bookings_to_date", "pipeline_coverage"], Q1, as_of=date(2025, 1, 20))
    assert early.value("bookings_to_date") == 0
    assert early.value("pipeline_coverage") == pytest.approx(4000 / 3000)


def test_open_pipeline_and_slippage_as_of_the_window_end(world: MetricWorld) -> None:
    _history(world)
    result = world.compute(["open_pipeline", "open_pipeline_count", "deal_slippage",
                            "slipped_amount"], Q1)  # fmt: skip
    # At the end of March only D is open with a close date in Q1 (C was pushed to May).
    assert (result.value("open_pipeline"), result.value("open_pipeline_count")) == (2000, 1)
    # Open with a Q1 close date at its start: D and E; E was pushed to April.
    assert result.value("deal_slippage") == pytest.approx(1 / 2)
    assert result.value("slipped_amount") == 300


def test_snapshots_use_nothing_after_their_moment(world: MetricWorld) -> None:
    _history(world)
    # On 10 February, A (1,000), C (500), D (2,000) and E (300) were open and due in Q1.
    early = world.compute(["open_pipeline", "stage_conversion"], Q1, as_of=date(2025, 2, 10))
    assert early.value("open_pipeline") == 3800
    # Entries by then: A Prospecting (on to Qualification), A Qualification, B and C
    # Prospecting; A's win (14 February) and C's advance (10 March) are still to come.
    assert early.value("stage_conversion") == pytest.approx(1 / 4)
    # A window after the as-of day starts from what was known on it: nothing due in Q2.
    later = world.compute(["committed_deals"], "FY2025-Q2", as_of=date(2025, 2, 10))
    assert later.value("committed_deals") == 0
    world.add("opportunity_history", _version("D", "2025-04-10", "Proposal", 9999,
                                                     "2025-03-01"))  # fmt: skip
    assert world.value("open_pipeline", Q1) == 2000
    assert (
        world.compute(["open_pipeline"], Q1, as_of=date(2025, 2, 10)).value("open_pipeline") == 3800
    )


def _team(world: MetricWorld) -> None:
    world.add(
        "user",
        {"user_id": "u1", "name": "U1", "role": "AE", "hire_date": "2024-01-01",
         "ramp_months": 3},
        {"user_id": "u2", "name": "U2", "role": "AE", "hire_date": "2025-02-15",
         "ramp_months": 3, "email": "U2@x.com"},
    )  # fmt: skip
    world.add(
        "quota",
        {"user_id": "u1", "period_start_date": "2025-01-01", "period_end_date": "2025-03-31",
         "amount": 3000},
        # Known by e-mail in the planning tool.
        {"user_id": "email:u2@x.com", "period_start_date": "2025-01-01",
         "period_end_date": "2025-03-31", "amount": 900},
    )  # fmt: skip
    won = {"stage": "Closed Won", "is_closed": True, "is_won": True, "currency": "USD"}
    world.add(
        "opportunity",
        {**won, "opportunity_id": "A", "owner_id": "u1", "amount": 1000,
         "closed_at": "2025-02-14"},
        {**won, "opportunity_id": "F", "owner_id": "u2", "amount": 1000,
         "closed_at": "2025-03-01"},
    )  # fmt: skip
    world.add(
        "activity",
        *[{"type": "call", "opportunity_id": "A", "created_at": "2025-01-10"}] * 3,
        {"type": "task", "opportunity_id": "A", "created_at": "2025-01-11"},
        {"type": "meeting", "opportunity_id": "F", "created_at": "2025-01-20"},
    )


def test_quota_attainment_and_reps_at_quota(world: MetricWorld) -> None:
    _team(world)
    result = world.compute(["quota_amount", "quota_attainment", "reps_at_quota_share"], Q1)
    assert result.value("quota_amount") == pytest.approx(3900)
    assert result.value("quota_attainment") == pytest.approx(2000 / 3900)
    assert result.value("reps_at_quota_share") == pytest.approx(1 / 2)  # u2: 1,000 of 900
    by_owner = world.compute(["quota_attainment"], Q1, by=["owner"])
    assert by_owner.value("quota_attainment", owner="u2") == pytest.approx(1000 / 900)
    january = world.compute(["quota_amount"], "FY2025-M01")
    assert january.value("quota_amount") == pytest.approx(3900 * 31 / 90)


def test_productivity_per_ramped_rep_and_activity_per_deal(world: MetricWorld) -> None:
    _team(world)
    result = world.compute(
        ["ramped_reps", "sales_productivity", "activities_per_won_deal", "meetings_booked"], Q1
    )
    # u1 is ramped all quarter; u2 is employed 45 of 90 days, 44 days into a 3-month ramp.
    fte = 1 + 45 / 90 * (44 / 30.4375 / 3)
    assert result.value("ramped_reps") == pytest.approx(fte)
    assert result.value("sales_productivity") == pytest.approx(2000 / fte)
    assert result.value("activities_per_won_deal") == pytest.approx((3 + 1) / 2)  # no tasks
    assert result.value("meetings_booked") == 1


def test_a_missing_quota_is_undefined_not_zero(world: MetricWorld) -> None:
    _history(world)
    won = {"stage": "Closed Won", "is_closed": True, "is_won": True, "currency": "USD"}
    world.add(
        "opportunity",
        {**won, "opportunity_id": "W", "owner_id": "u1", "amount": 1000, "closed_at": "2025-01-31"},
        {**won, "opportunity_id": "V", "owner_id": "u2", "amount": 500, "closed_at": "2025-02-02"},
    )
    # No quota at all: quota, coverage and attainment are unknown, never 0 or negative.
    names = ["quota_amount", "pipeline_coverage", "pipeline_coverage_of_quota", "quota_attainment"]
    result = world.compute(names, Q1)
    for name in names:
        assert result.value(name) is None, name
    # u1 has a quota, u2 none: u2's quota is unknown, not 0, and so its attainment.
    world.add("user", {"user_id": "u1", "name": "U1", "role": "AE"},
              {"user_id": "u2", "name": "U2", "role": "AE"})  # fmt: skip
    world.add("quota", {"user_id": "u1", "period_start_date": "2025-01-01",
                        "period_end_date": "2025-03-31", "amount": 3000})  # fmt: skip
    by_owner = world.compute(["quota_amount", "quota_attainment"], Q1, by=["owner"])
    assert by_owner.value("quota_amount", owner="u1") == pytest.approx(3000)
    assert by_owner.value("quota_attainment", owner="u1") == pytest.approx(1000 / 3000)
    assert by_owner.value("quota_amount", owner="u2") is None
    assert by_owner.value("quota_attainment", owner="u2") is None
