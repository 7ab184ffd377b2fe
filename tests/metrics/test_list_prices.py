"""Price realisation and discount depth against list price, from deals' line items, by
product and segment, as of a day, against hand-built lines on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"  # calendar fiscal year: January to March 2025
WON = {"stage": "Closed Won", "is_closed": True, "is_won": True}
LOST = {"stage": "Closed Lost", "is_closed": True, "is_won": False}
GROUP = ["list_price_realisation", "list_discount_depth", "list_discount_depth_mean",
         "won_line_list_amount", "won_line_sold_amount", "won_line_discount_amount",
         "priced_won_lines", "priced_won_deals"]  # fmt: skip


def _line(line: str, deal: str, product: str, quantity: float, list_price: float | None,
          unit_price: float, amount: float | None, discount: float | None = None,
          modified: str = "2025-01-01") -> dict[str, object]:  # fmt: skip
    return {"deal_line_id": line, "opportunity_id": deal, "product_id": product,
            "quantity": quantity, "list_price": list_price, "unit_price": unit_price,
            "discount_percent": discount, "amount": amount, "currency": "USD",
            "created_at": "2025-01-01", "updated_at": modified}  # fmt: skip


def _company(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"},
              {"account_id": "a2", "name": "B", "segment": "enterprise"})  # fmt: skip
    world.add("product", {"product_id": "p1", "name": "Platform", "list_price": 100},
              {"product_id": "p2", "name": "Analytics", "list_price": 50})  # fmt: skip
    world.add(
        "opportunity",
        {**WON, "opportunity_id": "d1", "account_id": "a1", "amount": 1_200,
         "created_at": "2025-01-02", "closed_at": "2025-01-20"},
        {**WON, "opportunity_id": "d2", "account_id": "a2", "amount": 2_700,
         "created_at": "2025-01-05", "closed_at": "2025-02-14"},
        {**LOST, "opportunity_id": "d3", "account_id": "a2", "amount": 500,
         "created_at": "2025-01-05", "closed_at": "2025-02-01"},
        # Won in Q2: outside the window.
        {**WON, "opportunity_id": "d4", "account_id": "a1", "amount": 100,
         "created_at": "2025-02-05", "closed_at": "2025-04-03"},
    )  # fmt: skip
    world.add(
        "deal_line",
        # d1 (smb): 10 Platform at 100 listed, sold at 90 = 900; 10 Analytics at 50, 40 %
        # off = 300. List 1,500, sold 1,200.
        _line("l1", "d1", "p1", 10, 100, 90, 900),
        _line("l2", "d1", "p2", 10, 50, 50, None, discount=40),
        # d2 (enterprise): 30 Platform at list 3,000 sold 2,400; 6 Analytics at list 300 sold
        # 300. A services line with no list price is left out.
        _line("l3", "d2", "p1", 30, 100, 80, 2_400),
        _line("l4", "d2", "p2", 6, 50, 50, 300),
        _line("l5", "d2", "p1", 1, None, 0, 0),
        # Lost and later deals: not counted.
        _line("l6", "d3", "p1", 5, 100, 100, 500),
        _line("l7", "d4", "p1", 1, 100, 100, 100),
    )


def test_price_realisation_against_list_of_the_quarters_won_lines(world: MetricWorld) -> None:
    _company(world)
    result = world.compute(GROUP, Q1)
    # List 1,500 + 3,300 = 4,800; sold 1,200 + 2,700 = 3,900.
    assert result.value("won_line_list_amount") == pytest.approx(4_800)
    assert result.value("won_line_sold_amount") == pytest.approx(3_900)
    assert result.value("won_line_discount_amount") == pytest.approx(900)
    assert result.value("list_price_realisation") == pytest.approx(3_900 / 4_800)
    assert result.value("list_discount_depth") == pytest.approx(900 / 4_800)
    # Per line: 0.1, 0.4, 0.2, 0.
    assert result.value("list_discount_depth_mean") == pytest.approx(0.7 / 4)
    assert result.value("priced_won_lines") == 4
    assert result.value("priced_won_deals") == 2


def test_by_product_and_by_segment(world: MetricWorld) -> None:
    _company(world)
    names = ["list_price_realisation", "list_discount_depth", "priced_won_lines"]
    by_product = world.compute(names, Q1, by=["product"])
    # Platform: 3,300 of 4,000; Analytics: 600 of 800.
    assert by_product.value("list_price_realisation", product="p1") == pytest.approx(3_300 / 4_000)
    assert by_product.value("list_discount_depth", product="p2") == pytest.approx(0.25)
    assert by_product.value("priced_won_lines", product="p2") == 2
    by_segment = world.compute(names, Q1, by=["segment"])
    assert by_segment.value("list_price_realisation", segment="smb") == pytest.approx(0.8)
    assert by_segment.value("list_price_realisation", segment="enterprise") == (
        pytest.approx(2_700 / 3_300)
    )


def test_a_line_repriced_after_the_as_of_day_counts_at_its_price_then(
    world: MetricWorld,
) -> None:
    _company(world)
    # l3 was first recorded on 2025-02-14 at 2,400; on 2025-03-20 it was re-priced to
    # 2,100 (the row holds the latest). l4 was first recorded only on 2025-03-25.
    world.add(
        "deal_line_history",
        {"deal_line_id": "l3", "opportunity_id": "d2", "valid_from": "2025-02-14T12:00:00",
         "product_id": "p1", "quantity": 30, "list_price": 100, "unit_price": 80,
         "amount": 2_400, "currency": "USD"},
        {"deal_line_id": "l3", "opportunity_id": "d2", "valid_from": "2025-03-20T12:00:00",
         "product_id": "p1", "quantity": 30, "list_price": 100, "unit_price": 70,
         "amount": 2_100, "currency": "USD"},
        {"deal_line_id": "l4", "opportunity_id": "d2", "valid_from": "2025-03-25T12:00:00",
         "product_id": "p2", "quantity": 6, "list_price": 50, "unit_price": 50,
         "amount": 300, "currency": "USD"},
    )  # fmt: skip
    names = ["won_line_sold_amount", "won_line_list_amount", "priced_won_lines"]
    before = world.compute(names, Q1, as_of=date(2025, 3, 19))
    # d1's lines (no history: as stored) and l3 at 2,400; l4 not recorded yet.
    assert before.value("won_line_sold_amount") == pytest.approx(1_200 + 2_400)
    assert before.value("won_line_list_amount") == pytest.approx(1_500 + 3_000)
    assert before.value("priced_won_lines") == 3
    after = world.compute(names, Q1, as_of=date(2025, 3, 31))
    assert after.value("won_line_sold_amount") == pytest.approx(1_200 + 2_100 + 300)
    assert after.value("priced_won_lines") == 4


def test_a_deal_won_after_the_as_of_day_brings_no_line(world: MetricWorld) -> None:
    _company(world)
    # As of 2025-02-13, d2 was not won yet: only d1's lines.
    result = world.compute(["list_price_realisation", "priced_won_deals"], Q1,
                           as_of=date(2025, 2, 13))  # fmt: skip
    assert result.value("list_price_realisation") == pytest.approx(0.8)
    assert result.value("priced_won_deals") == 1


def test_without_line_items_realisation_is_undefined(world: MetricWorld) -> None:
    world.add("opportunity", {**WON, "opportunity_id": "d1", "amount": 100,
                              "created_at": "2025-01-02", "closed_at": "2025-01-20"})  # fmt: skip
    result = world.compute(["list_price_realisation", "priced_won_lines"], Q1)
    assert result.value("list_price_realisation") is None
    assert result.value("priced_won_lines") == 0
