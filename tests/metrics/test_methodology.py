"""Win rate and cycle by content type used, and the spread of cycle lengths, against
hand-built deals on every backend."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"


def _deals(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    won = {"stage": "Closed Won", "is_closed": True, "is_won": True}
    lost = {"stage": "Closed Lost", "is_closed": True, "is_won": False}
    world.add(
        "opportunity",
        {"opportunity_id": "W1", "account_id": "a1", **won, "amount": 100,
         "created_at": "2025-01-01", "closed_at": "2025-01-11"},  # 10 days
        {"opportunity_id": "W2", "account_id": "a1", **won, "amount": 100,
         "created_at": "2025-01-01", "closed_at": "2025-01-31"},  # 30 days
        {"opportunity_id": "W3", "account_id": "a1", **won, "amount": 100,
         "created_at": "2025-01-01", "closed_at": "2025-02-20"},  # 50 days
        {"opportunity_id": "L1", "account_id": "a1", **lost, "amount": 100,
         "created_at": "2025-01-01", "closed_at": "2025-02-01"},
        {"opportunity_id": "L2", "account_id": "a1", **lost, "amount": 100,
         "created_at": "2025-01-01", "closed_at": "2025-02-01"},
    )  # fmt: skip
    world.add(
        "content",
        {"content_id": "c1", "title": "Deck", "type": "deck"},
        {"content_id": "c2", "title": "Story", "type": "case_study"},
    )
    world.add(
        "content_usage",
        # W1 used the deck twice and the case study; W2 the deck; L1 the case study.
        {"content_id": "c1", "opportunity_id": "W1", "used_at": "2025-01-05"},
        {"content_id": "c1", "opportunity_id": "W1", "used_at": "2025-01-06"},
        {"content_id": "c2", "opportunity_id": "W1", "used_at": "2025-01-07"},
        {"content_id": "c1", "opportunity_id": "W2", "used_at": "2025-01-08"},
        {"content_id": "c2", "opportunity_id": "L1", "used_at": "2025-01-09"},
    )


def test_win_rate_and_cycle_by_content_type_count_each_deal_once_per_type(
    world: MetricWorld,
) -> None:
    _deals(world)
    result = world.compute(
        ["content_win_rate", "content_closed_deals", "content_cycle_days"],
        Q1,
        by=["content_type"],
    )
    assert result.value("content_closed_deals", content_type="deck") == 2  # W1, W2
    assert result.value("content_win_rate", content_type="deck") == 1
    assert result.value("content_win_rate", content_type="case_study") == pytest.approx(0.5)
    # W3 and L2 used nothing.
    assert result.value("content_win_rate", content_type="(none)") == pytest.approx(0.5)
    assert result.value("content_cycle_days", content_type="deck") == pytest.approx(20)
    assert result.value("content_cycle_days", content_type="(none)") == pytest.approx(50)


def test_cycle_standard_deviation_of_won_deals(world: MetricWorld) -> None:
    _deals(world)
    # 10, 30, 50 days: mean 30, sample deviation 20.
    assert world.value("sales_cycle_days_stddev", Q1) == pytest.approx(20)
