"""Sales KPIs against hand-built deals, on every backend."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld


def _deals(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    world.add("account", {"account_id": "a2", "name": "B", "segment": "enterprise"})
    won = {"stage": "Closed Won", "is_closed": True, "is_won": True}
    lost = {"stage": "Closed Lost", "is_closed": True, "is_won": False}
    world.add(
        "opportunity",
        # Won in FY2025-Q1 (calendar fiscal year): 10 days and 30 days of cycle.
        {
            **won,
            "account_id": "a1",
            "type": "new",
            "amount": 1000,
            "created_at": "2025-01-01",
            "closed_at": "2025-01-11",
        },
        {
            **won,
            "account_id": "a2",
            "type": "expansion",
            "amount": 3000,
            "created_at": "2025-01-01",
            "closed_at": "2025-01-31",
        },
        {
            **lost,
            "account_id": "a2",
            "type": "new",
            "amount": 4000,
            "created_at": "2025-02-01",
            "closed_at": "2025-03-01",
        },
        # Won in Q2: outside the window.
        {
            **won,
            "account_id": "a1",
            "type": "renewal",
            "amount": 500,
            "created_at": "2025-03-01",
            "closed_at": "2025-04-02",
        },
        # Open.
        {
            "stage": "Proposal",
            "is_closed": False,
            "is_won": False,
            "account_id": "a1",
            "amount": 700,
            "created_at": "2025-02-15",
        },
    )


def test_bookings_win_rate_deal_size_and_cycle_in_a_quarter(world: MetricWorld) -> None:
    _deals(world)
    result = world.compute(
        [
            "bookings",
            "win_rate",
            "win_rate_value",
            "average_deal_size",
            "sales_cycle_days",
            "sales_cycle_days_median",
            "pipeline_created",
            "pipeline_created_count",
        ],
        "FY2025-Q1",
    )
    assert result.value("bookings") == 4000  # 1000 + 3000
    assert result.value("win_rate") == pytest.approx(2 / 3)
    assert result.value("win_rate_value") == pytest.approx(4000 / 8000)
    assert result.value("average_deal_size") == 2000
    assert result.value("sales_cycle_days") == pytest.approx(20)  # (10 + 30) / 2
    assert result.value("sales_cycle_days_median") == pytest.approx(20)
    assert result.value("pipeline_created") == 9200  # 1000 + 3000 + 4000 + 500 + 700
    assert result.value("pipeline_created_count") == 5


def test_bookings_by_type_and_by_segment(world: MetricWorld) -> None:
    _deals(world)
    result = world.compute(["bookings"], "FY2025", by=["segment"])
    assert result.value("bookings", segment="smb") == 1500
    assert result.value("bookings", segment="enterprise") == 3000
    types = world.compute(
        ["bookings_new", "bookings_expansion", "bookings_renewal", "bookings_untyped"], "FY2025"
    )
    assert [
        types.value(m)
        for m in ("bookings_new", "bookings_expansion", "bookings_renewal", "bookings_untyped")
    ] == [1000, 3000, 500, 0]


def test_win_rate_is_undefined_without_closed_deals(world: MetricWorld) -> None:
    _deals(world)
    assert world.value("win_rate", "FY2024") is None
    assert world.value("bookings", "FY2024") == 0
