"""Every plan feature against amounts computed by hand, to the cent."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revops.comp.calculate import CreditedDeal, Line, earn, settle_draw, total
from revops.comp.plan import CompPlan

D = Decimal


def plan(**extra: Any) -> CompPlan:
    """A plan on a fixed quota of 100,000: 5 % to 50 %, 10 % to 100 %, 15 % above."""
    base: dict[str, Any] = {
        "name": "ae",
        "participants": [{"role": "ae"}],
        "quota": {"source": "fixed", "amount": 100000},
        "rates": [
            {"from": 0, "to": 50, "rate": "0.05", "name": "decelerator"},
            {"from": 50, "to": 100, "rate": "0.10", "name": "base"},
            {"from": 100, "rate": "0.15", "name": "accelerator"},
        ],
    }
    return CompPlan.model_validate({**base, **extra})


def deal(deal_id: str, value: str, day: str = "2027-01-10", **extra: Any) -> CreditedDeal:
    return CreditedDeal(deal_id, f"Deal {deal_id}", date.fromisoformat(day), D(value), **extra)


def amounts(lines: list[Line]) -> list[tuple[str, str | None, str, str]]:
    return [(ln.kind, ln.deal_id, f"{ln.base.normalize():f}", f"{ln.amount:f}") for ln in lines]


def test_exactly_at_quota_pays_both_lower_tiers_and_no_accelerator() -> None:
    paid = earn(plan(), [deal("a", "100000.00")], D(100000), "FY2027-Q1")
    assert amounts(paid.lines) == [
        ("commission", "a", "50000", "2500.00"),
        ("commission", "a", "50000", "5000.00"),
    ]
    assert paid.attainment == D(100)
    assert total(paid.lines) == D("7500.00")


def test_just_below_quota_rounds_the_base_tier_half_up() -> None:
    paid = earn(plan(), [deal("a", "99999.99")], D(100000), "FY2027-Q1")
    # 49,999.99 × 0.10 = 4,999.999 → 5,000.00
    assert amounts(paid.lines)[1] == ("commission", "a", "49999.99", "5000.00")
    assert total(paid.lines) == D("7500.00")


def test_just_above_quota_pays_the_accelerator_on_the_part_above() -> None:
    paid = earn(plan(), [deal("a", "100010.00")], D(100000), "FY2027-Q1")
    assert amounts(paid.lines)[2] == ("commission", "a", "10", "1.50")
    assert paid.lines[2].rule == "accelerator 100–∞ %"
    assert paid.lines[2].rate == D("0.15")
    assert total(paid.lines) == D("7501.50")


def test_a_deal_crossing_tiers_is_paid_in_order_of_close() -> None:
    deals = [deal("b", "80000", "2027-02-01"), deal("a", "40000", "2027-01-10")]
    paid = earn(plan(), deals, D(100000), "FY2027-Q1")
    assert amounts(paid.lines) == [
        ("commission", "a", "40000", "2000.00"),
        ("commission", "b", "10000", "500.00"),
        ("commission", "b", "50000", "5000.00"),
        ("commission", "b", "20000", "3000.00"),
    ]
    assert total(paid.lines) == D("10500.00")
    assert paid.attainment == D(120)


def test_a_decelerator_pays_less_per_unit_than_the_base() -> None:
    small = earn(plan(), [deal("a", "20000")], D(100000), "p")
    assert total(small.lines) == D("1000.00")


def test_below_the_threshold_nothing_is_paid_at_it_everything() -> None:
    below = earn(plan(threshold=50), [deal("a", "49999.99")], D(100000), "p")
    assert total(below.lines) == 0
    assert "below threshold 50 %" in below.lines[0].rule
    assert "attainment 50.00 %" in below.lines[0].rule  # 49.99999 shown to cents
    at = earn(plan(threshold=50), [deal("a", "50000")], D(100000), "p")
    assert total(at.lines) == D("2500.00")


def test_the_cap_takes_back_the_commission_above_it() -> None:
    paid = earn(plan(cap=6000), [deal("a", "100000")], D(100000), "p")
    assert amounts(paid.lines)[-1] == ("cap", None, "7500", "-1500.00")
    assert total(paid.lines) == D("6000.00")
    under = earn(plan(cap=6000), [deal("a", "60000")], D(100000), "p")
    assert [ln.kind for ln in under.lines] == ["commission", "commission"]


def test_spifs_pay_per_deal_or_by_rate_for_product_and_type_within_dates() -> None:
    spifs = [
        {"name": "new logos", "from": "2027-02-01", "to": "2027-02-28", "deal_type": "new",
         "amount": 250},
        {"name": "analytics", "from": "2027-01-01", "to": "2027-03-31", "product": "analytics",
         "rate": "0.01"},
    ]  # fmt: skip
    deals = [
        deal("a", "10000", "2027-02-01", deal_type="new", products=frozenset({"analytics"})),
        deal("b", "10000", "2027-02-02", deal_type="expansion"),
        deal("c", "10000", "2027-03-01", deal_type="new"),  # after the SPIF's dates
    ]
    paid = earn(plan(spifs=spifs), deals, D(100000), "p")
    spif = [(ln.deal_id, ln.amount) for ln in paid.lines if ln.kind == "spif"]
    assert spif == [("a", D("250.00")), ("a", D("100.00"))]
    assert total(paid.lines) == D("1500.00") + D("350.00")


def test_rounding_rule_is_the_plans() -> None:
    # 10.10 × 0.05 = 0.505
    up = earn(plan(), [deal("a", "10.10")], D(100000), "p")
    even = earn(plan(rounding="half_even"), [deal("a", "10.10")], D(100000), "p")
    assert (total(up.lines), total(even.lines)) == (D("0.51"), D("0.50"))


def test_without_a_quota_the_whole_measure_is_paid_at_the_first_tier() -> None:
    paid = earn(plan(), [deal("a", "1000")], None, "p")
    assert amounts(paid.lines) == [("commission", "a", "1000", "50.00")]
    assert paid.lines[0].rule.endswith("no quota")


def test_a_recoverable_draw_is_topped_up_then_recovered_never_below_the_draw() -> None:
    p = plan(draw={"amount": 1000, "recoverable": True})
    q1, owed = settle_draw(p, [Line("commission", "t", D("300.00"))], D(0))
    assert (q1[0].kind, q1[0].amount, owed) == ("draw", D("700.00"), D("700.00"))
    q2, owed = settle_draw(p, [Line("commission", "t", D("1500.00"))], owed)
    assert (q2[0].kind, q2[0].amount, owed) == ("draw_recovery", D("-500.00"), D("200.00"))
    q3, owed = settle_draw(p, [Line("commission", "t", D("1250.00"))], owed)
    assert (q3[0].amount, owed) == (D("-200.00"), D(0))
    q4, owed = settle_draw(p, [Line("commission", "t", D("5000.00"))], owed)
    assert (q4, owed) == ([], D(0))


def test_a_non_recoverable_draw_is_never_taken_back() -> None:
    p = plan(draw={"amount": 1000, "recoverable": False})
    q1, owed = settle_draw(p, [Line("commission", "t", D("300.00"))], D(0))
    assert (q1[0].amount, owed) == (D("700.00"), D(0))
    q2, owed = settle_draw(p, [Line("commission", "t", D("1500.00"))], owed)
    assert q2 == []


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("rates", [{"from": 10, "rate": 0.1}], "the first tier must start at 0"),
        ("rates", [{"from": 0, "to": 50, "rate": 0.1}, {"from": 60, "rate": 0.2}],
         "must start where rates[0] ends"),
        ("credit", {"splits": [{"deal": "d", "shares": {"a": 60, "b": 30}}]}, "sum to 90"),
        ("spifs", [{"name": "s", "from": "2027-01-01", "to": "2027-02-01"}], "exactly one"),
    ],
)  # fmt: skip
def test_a_plan_that_cannot_pay_is_refused(key: str, value: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        plan(**{key: value})


@settings(max_examples=200, deadline=None)
@given(
    low=st.decimals(min_value=0, max_value=300000, places=2),
    more=st.decimals(min_value=0, max_value=300000, places=2),
)
def test_payout_is_monotonic_in_attainment_for_rising_rates(low: Decimal, more: Decimal) -> None:
    p = plan()
    smaller = total(earn(p, [deal("a", str(low))], D(100000), "p").lines)
    larger = total(earn(p, [deal("a", str(low + more))], D(100000), "p").lines)
    assert smaller <= larger


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.decimals(min_value="0.01", max_value=90000, places=2), min_size=1,
                      max_size=6))  # fmt: skip
def test_tier_bases_of_a_period_sum_to_what_was_credited(parts: list[Decimal]) -> None:
    deals = [deal(f"d{i}", str(v)) for i, v in enumerate(parts)]
    paid = earn(plan(), deals, D(100000), "p")
    assert sum(ln.base for ln in paid.lines) == sum(parts)
