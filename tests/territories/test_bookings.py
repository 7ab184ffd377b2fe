"""The expected bookings model by hand: attention beyond the headroom, each rep's rate
shrunk towards the company's, and the change a design makes."""

from __future__ import annotations

import pytest

from revops.territories.bookings import attention, expected_bookings, learn_rates


def test_attention_is_full_up_to_the_headroom_then_proportional() -> None:
    assert attention(60.0, 50.0, 0.2) == 1.0  # 60 ≤ 50 × 1.2
    assert attention(80.0, 50.0, 0.2) == pytest.approx(60 / 80)
    assert attention(0.0, 0.0, 0.2) == 1.0


def test_rates_are_bookings_over_covered_potential_shrunk_towards_the_company() -> None:
    # Ann: potential 100, workload 20 (fair 10, room 12: covers 12/20 = 60 %: 60 covered);
    # Bob: potential 40, workload 5 (covers all: 40). Bookings 30 and 20.
    books = {"ann": (100.0, 20.0), "bob": (40.0, 5.0), "new": (0.0, 0.0)}
    fair = {"ann": 10.0, "bob": 10.0, "new": 10.0}
    found = learn_rates(books, fair, {"ann": 30.0, "bob": 20.0, "gone": 99.0}, 0.2)
    company = 50 / 100  # (30 + 20) / (60 + 40 + 0); the one who left is not a rep
    prior = 100 / 3  # the average covered book
    assert found.company == pytest.approx(company)
    assert found.rates["ann"] == pytest.approx((30 + company * prior) / (60 + prior))
    assert found.rates["bob"] == pytest.approx((20 + company * prior) / (40 + prior))
    assert found.rates["new"] == pytest.approx(company)  # no history: the company's rate
    # Expected bookings of a balanced design: each 70 potential, workload 12.5 (Ann covers
    # 12/12.5 of it, Bob all); the new rep nothing.
    after = expected_bookings({"ann": (70.0, 12.5), "bob": (70.0, 12.5), "new": (0.0, 0.0)},
                              fair, found, 0.2)  # fmt: skip
    assert after["ann"] == pytest.approx(found.rates["ann"] * 70 * 12 / 12.5)
    assert after["bob"] == pytest.approx(found.rates["bob"] * 70 * 12 / 12.5)
    assert after["new"] == 0
    # Today's books give back each rep's history, but for the shrinkage.
    today = expected_bookings(books, fair, found, 0.2)
    assert today["ann"] == pytest.approx(found.rates["ann"] * 60)
