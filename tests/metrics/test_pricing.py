"""Pricing KPIs: concessions from the peak quoted amount, win rate and cycle by discount
band, and the spread of deal sizes, against hand-built deals on every backend."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"  # calendar fiscal year: January to March 2025
WON = {"stage": "Closed Won", "is_closed": True, "is_won": True}
LOST = {"stage": "Closed Lost", "is_closed": True, "is_won": False}


def _version(deal: str, at: str, stage: str, amount: float) -> dict[str, object]:
    return {"opportunity_id": deal, "valid_from": at, "stage": stage, "amount": amount,
            "currency": "USD"}  # fmt: skip


def _deal(deal: str, account: str, outcome: dict[str, object], amount: float, created: str,
          closed: str) -> dict[str, object]:  # fmt: skip
    return {"opportunity_id": deal, "account_id": account, **outcome, "amount": amount,
            "currency": "USD", "created_at": created, "closed_at": closed}  # fmt: skip


def _deals(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    world.add("account", {"account_id": "a2", "name": "B", "segment": "enterprise"})
    world.add(
        "opportunity",
        _deal("W1", "a1", WON, 1020, "2025-01-01", "2025-01-21"),  # 20 days
        _deal("W2", "a2", WON, 2000, "2025-02-01", "2025-02-11"),  # 10 days
        _deal("W3", "a2", WON, 3000, "2025-01-05", "2025-03-06"),  # 60 days
        _deal("L1", "a1", LOST, 475, "2025-01-01", "2025-02-01"),
        _deal("L2", "a2", LOST, 800, "2025-01-10", "2025-03-01"),
        # Without history: no quote, no band.
        _deal("W4", "a1", WON, 700, "2025-03-01", "2025-03-10"),
        _deal("W5", "a2", WON, 5000, "2025-02-01", "2025-03-20"),
        # Won in Q2: outside the window.
        _deal("W6", "a1", WON, 9000, "2025-03-01", "2025-04-10"),
    )
    world.add(
        "opportunity_history",
        # W1: quoted 1000, raised to 1200, won at 1020 - 15% off the peak.
        _version("W1", "2025-01-01", "Prospecting", 1000),
        _version("W1", "2025-01-10", "Proposal", 1200),
        _version("W1", "2025-01-21", "Closed Won", 1020),
        # W2: won at the price quoted.
        _version("W2", "2025-02-01", "Prospecting", 2000),
        _version("W2", "2025-02-11", "Closed Won", 2000),
        # W3: quoted 4000, won at 3000 - 25% off.
        _version("W3", "2025-01-05", "Proposal", 4000),
        _version("W3", "2025-03-06", "Closed Won", 3000),
        # L1: 5% off 500 before it was lost; L2 lost at its quote.
        _version("L1", "2025-01-01", "Proposal", 500),
        _version("L1", "2025-02-01", "Closed Lost", 475),
        _version("L2", "2025-01-10", "Proposal", 800),
        _version("L2", "2025-03-01", "Closed Lost", 800),
        _version("W6", "2025-03-01", "Proposal", 9000),
        _version("W6", "2025-04-10", "Closed Won", 9000),
    )


def test_price_realisation_and_discount_depth_of_deals_won_with_a_quote(
    world: MetricWorld,
) -> None:
    _deals(world)
    result = world.compute(["pricing", "won_peak_amount", "won_concession_amount"], Q1)
    # Won with history: W1 1020 of 1200, W2 2000 of 2000, W3 3000 of 4000.
    assert result.value("won_peak_amount") == 7200
    assert result.value("won_concession_amount") == 1180  # 180 + 0 + 1000
    assert result.value("price_realisation") == pytest.approx(6020 / 7200)
    assert result.value("discount_depth") == pytest.approx(1180 / 7200)
    assert result.value("discount_depth_mean") == pytest.approx((0.15 + 0 + 0.25) / 3)
    assert result.value("discounted_deal_share") == pytest.approx(2 / 3)
    # First quotes 1000 + 2000 + 4000.
    assert result.value("amount_change_ratio") == pytest.approx(6020 / 7000)


def test_win_rate_and_cycle_by_discount_band(world: MetricWorld) -> None:
    _deals(world)
    result = world.compute(
        ["discount_win_rate", "discount_sales_cycle_days"], Q1, by=["discount_band"]
    )

    def rate(band: str | None) -> float | None:
        return result.value("discount_win_rate", discount_band=band)

    assert rate("0%") == pytest.approx(1 / 2)  # W2 won, L2 lost
    assert rate("0-10%") == 0  # L1 lost
    assert rate("10-20%") == 1  # W1
    assert rate("20%+") == 1  # W3
    assert rate(None) == 1  # W4, W5 have no history
    cycle = result.value("discount_sales_cycle_days", discount_band="20%+")
    assert cycle == pytest.approx(60)
    assert result.value("discount_sales_cycle_days", discount_band="10-20%") == pytest.approx(20)


def test_deal_size_quartiles_overall_and_by_segment(world: MetricWorld) -> None:
    _deals(world)
    result = world.compute(["deal_size_distribution"], Q1)
    # Won in Q1: 700, 1020, 2000, 3000, 5000 - quartiles fall on rows 1 and 3.
    assert result.value("deal_size_p25") == pytest.approx(1020)
    assert result.value("deal_size_median") == pytest.approx(2000)
    assert result.value("deal_size_p75") == pytest.approx(3000)
    assert result.value("deal_size_p90") == pytest.approx(3000 + 0.6 * 2000)
    by_segment = world.compute(["deal_size_median", "deal_size_p75"], Q1, by=["segment"])
    assert by_segment.value("deal_size_median", segment="smb") == pytest.approx(860)
    # Enterprise: 2000, 3000, 5000 - the 75th percentile halfway from 3000 to 5000.
    assert by_segment.value("deal_size_p75", segment="enterprise") == pytest.approx(4000)
