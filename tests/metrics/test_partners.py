"""Partner KPIs against hand-built partners, deals and registrations, on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"
WON = {"stage": "Closed Won", "is_closed": True, "is_won": True}
LOST = {"stage": "Closed Lost", "is_closed": True, "is_won": False}
OPEN = {"stage": "Proposal", "is_closed": False, "is_won": False}


def _program(world: MetricWorld) -> None:
    world.add(
        "partner",
        {"partner_id": "p1", "name": "Contoso Partners", "type": "reseller", "tier": "gold"},
        {"partner_id": "p2", "name": "Northwind Group", "type": "referral", "tier": "silver"},
    )
    world.add(
        "opportunity",
        # Sourced: lead source partner, registered by p1 before it was created.
        {**WON, "opportunity_id": "o1", "lead_source": "partner", "amount": 1000,
         "created_at": "2025-01-10", "closed_at": "2025-02-20"},
        # Influenced: p2 registered it after the company had opened it.
        {**LOST, "opportunity_id": "o2", "lead_source": "paid_search", "amount": 500,
         "created_at": "2025-01-15", "closed_at": "2025-03-01"},
        # Sourced: sourced_by says so, and the deal names its partner.
        {**OPEN, "opportunity_id": "o3", "sourced_by": "partner", "partner_id": "p2",
         "amount": 300, "created_at": "2025-02-01"},
        # Registered before creation by p1, but the registration was rejected: no partner.
        {**WON, "opportunity_id": "o4", "lead_source": "organic", "amount": 700,
         "created_at": "2025-02-10", "closed_at": "2025-03-10"},
        # Names p1, but sales sourced it: influenced.
        {**WON, "opportunity_id": "o5", "sourced_by": "sales", "partner_id": "p1",
         "amount": 200, "created_at": "2025-03-05", "closed_at": "2025-03-20"},
        # Partner-sourced, created the quarter before, won in Q1, no registration.
        {**WON, "opportunity_id": "o6", "lead_source": "partner", "amount": 400,
         "created_at": "2024-12-20", "closed_at": "2025-01-25"},
        # Its registration is approved only after the as-of day: no partner yet.
        {**WON, "opportunity_id": "o7", "lead_source": "outbound", "amount": 900,
         "created_at": "2025-01-10", "closed_at": "2025-02-15"},
    )  # fmt: skip
    world.add(
        "partner_deal",
        {"partner_id": "p1", "opportunity_id": "o1", "status": "approved",
         "registered_at": "2025-01-05", "decided_at": "2025-01-07"},
        {"partner_id": "p2", "opportunity_id": "o2", "status": "approved",
         "registered_at": "2025-01-20", "decided_at": "2025-01-21T12:00"},
        {"partner_id": "p1", "opportunity_id": "o4", "status": "rejected",
         "registered_at": "2025-01-01", "decided_at": "2025-01-03"},
        {"partner_id": "p1", "opportunity_id": "o7", "status": "approved",
         "registered_at": "2025-02-01", "decided_at": "2031-01-01"},
        # Won, with no decision date: accepted, time to accept unknown.
        {"partner_id": "p2", "status": "won", "registered_at": "2025-03-01"},
        {"partner_id": "p2", "status": "approved", "registered_at": "2024-12-30",
         "decided_at": "2025-01-02"},
        {"partner_id": "p1", "status": "expired", "registered_at": "2025-02-15"},
    )  # fmt: skip


DEALS = [
    "partner_sourced_pipeline",
    "partner_sourced_opportunities",
    "partner_sourced_bookings",
    "partner_influenced_pipeline",
    "partner_influenced_opportunities",
    "partner_influenced_bookings",
    "partner_deals_won",
    "partner_deals_closed",
    "partner_win_rate",
]
REGISTRATIONS = [
    "registrations_submitted",
    "registrations_accepted",
    "registrations_rejected",
    "registration_acceptance_rate",
    "registration_days_to_accept",
]


def test_partner_pipeline_bookings_and_win_rate(world: MetricWorld) -> None:
    _program(world)
    result = world.compute(DEALS, Q1)
    assert result.value("partner_sourced_pipeline") == 1300  # o1 1000 + o3 300
    assert result.value("partner_sourced_opportunities") == 2
    assert result.value("partner_sourced_bookings") == 1400  # o1 1000 + o6 400
    assert result.value("partner_influenced_pipeline") == 700  # o2 500 + o5 200
    assert result.value("partner_influenced_opportunities") == 2
    assert result.value("partner_influenced_bookings") == 200  # o5
    assert result.value("partner_deals_won") == 3  # o1, o5, o6
    assert result.value("partner_deals_closed") == 4  # and o2, lost
    assert result.value("partner_win_rate") == pytest.approx(0.75)


def test_partner_metrics_slice_by_partner_and_its_type(world: MetricWorld) -> None:
    _program(world)
    by_partner = world.compute(DEALS, Q1, by=["partner"])
    assert by_partner.value("partner_sourced_pipeline", partner="p1") == 1000
    assert by_partner.value("partner_sourced_pipeline", partner="p2") == 300
    assert by_partner.value("partner_influenced_pipeline", partner="p1") == 200
    assert by_partner.value("partner_influenced_pipeline", partner="p2") == 500
    assert by_partner.value("partner_win_rate", partner="p1") == 1  # o1, o5
    assert by_partner.value("partner_win_rate", partner="p2") == 0  # o2
    assert by_partner.value("partner_deals_closed", partner="p2") == 1
    labels = dict(zip(by_partner.frame["partner"], by_partner.frame["partner_label"], strict=True))
    assert labels["p1"] == "Contoso Partners"
    by_type = world.compute(["partner_sourced_bookings", "registrations_submitted"], Q1,
                            by=["partner_type"])  # fmt: skip
    assert by_type.value("partner_sourced_bookings", partner_type="reseller") == 1000
    assert by_type.value("registrations_submitted", partner_type="reseller") == 4
    assert by_type.value("registrations_submitted", partner_type="referral") == 2
    by_tier = world.compute(["partner_influenced_bookings"], Q1, by=["partner_tier"])
    assert by_tier.value("partner_influenced_bookings", partner_tier="gold") == 200


def test_registrations_submitted_accepted_and_time_to_accept(world: MetricWorld) -> None:
    _program(world)
    result = world.compute(REGISTRATIONS, Q1)
    # Six registered in Q1 (the one of 30 Dec is not); accepted: o1's, o2's, the won one;
    # o7's is decided after the as-of day.
    assert result.value("registrations_submitted") == 6
    assert result.value("registrations_accepted") == 3
    assert result.value("registrations_rejected") == 1
    assert result.value("registration_acceptance_rate") == pytest.approx(0.5)
    assert result.value("registration_days_to_accept") == pytest.approx(1.75)  # 2 and 1.5


def test_a_registration_decided_after_the_as_of_day_is_pending(world: MetricWorld) -> None:
    _program(world)
    result = world.compute([*REGISTRATIONS, *DEALS], Q1, as_of=date(2025, 1, 20))
    # Registered by then: o1's, o4's, o2's (on the day); only o1's accepted by then.
    assert result.value("registrations_submitted") == 3
    assert result.value("registrations_accepted") == 1
    assert result.value("registration_days_to_accept") == pytest.approx(2)
    # o2's registration was approved on the 21st: o2 has no partner on the 20th.
    assert result.value("partner_influenced_pipeline") == 0
    assert result.value("partner_sourced_pipeline") == 1000  # o1
