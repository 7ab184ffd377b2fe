"""Capacity arithmetic checked by hand, and the what-if flags."""

from __future__ import annotations

from datetime import date

import pytest

from revops.cli.quotas import parse_change
from revops.core.period import add_months
from revops.quotas.capacity import CapacityInputs, plan_capacity

START = date(2027, 2, 1)


def inputs(target: float, **changes: object) -> CapacityInputs:
    base = {
        "target": target, "months": tuple(f"M{m + 1:02d}" for m in range(12)),
        "starts": tuple(add_months(START, m) for m in range(12)), "season": (1 / 12,) * 12,
        "productivity": 1_200_000.0, "low": 600_000.0, "high": 1_800_000.0, "attrition": 0.0,
        "reps": (-100, -100), "earliest_start": 0, "lead_months": 2, "max_hires_per_month": 1,
        "coverage": 3.0, "steps": (0.25, 0.5, 0.75), "months_per_step": 3,
    }  # fmt: skip
    base.update(changes)
    return CapacityInputs(**base)  # type: ignore[arg-type]


def test_two_ramped_reps_book_their_productivity_without_hires() -> None:
    plan = plan_capacity(inputs(2_400_000))
    totals = plan.totals()
    assert plan.hires == ()
    assert totals["expected_bookings"] == pytest.approx(2_400_000)
    assert (totals["low"], totals["high"]) == (pytest.approx(1_200_000), pytest.approx(3_600_000))
    assert plan.rows[0]["pipeline_needed"] == pytest.approx(600_000)  # 200k x 3


def test_a_hire_ramps_25_50_75_100_and_starts_after_the_lead_time() -> None:
    plan = plan_capacity(inputs(3_000_000))
    # One hire from month 1: 100k a month x (3 x .25 + 3 x .5 + 3 x .75 + 3 x 1) = 750k.
    assert plan.hires == (0,)
    assert plan.totals()["expected_bookings"] == pytest.approx(3_150_000)
    assert plan.hire_rows()[0]["open_requisition_by"] == date(2026, 12, 1)
    assert [plan.rows[m]["ramped_fte"] for m in (0, 3, 6, 9)] == [2.25, 2.5, 2.75, 3.0]
    # One start a month: the second starts in month 2: 3 x .25 + 3 x .5 + 3 x .75 + 2 x 1
    # = 6.5 ramped months: 650k.
    two = plan_capacity(inputs(3_200_000))
    assert two.hires == (0, 1)
    assert two.totals()["expected_bookings"] == pytest.approx(3_150_000 + 650_000)


def test_attrition_shrinks_heads_and_an_unreachable_target_says_so() -> None:
    plan = plan_capacity(inputs(1_000_000, attrition=0.5))
    assert plan.hires == ()
    keep = 0.5 ** (1 / 12)
    assert plan.rows[11]["heads"] == pytest.approx(2 * keep**11, abs=0.01)
    late = plan_capacity(inputs(10_000_000, earliest_start=12))
    assert late.hires == ()
    assert not late.reachable
    assert late.totals()["gap"] == pytest.approx(7_600_000)


def test_what_if_changes_are_parsed() -> None:
    assert parse_change("-10%", "%") == pytest.approx(-0.10)
    assert parse_change("+5pts", "pts") == pytest.approx(0.05)
    assert parse_change(None, "%") == 0


def test_capacity_from_the_workspace_applies_what_ifs(company: object) -> None:
    ws = company.ws  # type: ignore[attr-defined]
    base = ws.quotas.capacity(600_000, "FY2027", date(2026, 1, 31))
    assert base.inputs.productivity == pytest.approx(200_000)
    assert base.inputs.reps[:2] == (-73, -73)  # hired January 2020: 73 months before
    slower = ws.quotas.capacity(600_000, "FY2027", date(2026, 1, 31), productivity_change=-0.1)
    assert slower.inputs.productivity == pytest.approx(180_000)
    assert len(slower.hires) >= len(base.hires)
    churn = ws.quotas.capacity(600_000, "FY2027", date(2026, 1, 31), attrition_change=0.05)
    assert churn.inputs.attrition == pytest.approx(base.inputs.attrition + 0.05)
