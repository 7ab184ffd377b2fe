"""Selling time: the share of reps' logged activities that face a buyer, on every backend."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"


def test_selling_share_counts_buyer_touches_against_all_logged_work(world: MetricWorld) -> None:
    world.add("user", {"user_id": "u1", "name": "U1"}, {"user_id": "u2", "name": "U2"})
    at = "2025-02-01"
    world.add(
        "activity",
        # u1: a call with a contact, an email to a lead, a demo on a deal - selling - and
        # a task and an internal meeting with no buyer named.
        {"type": "call", "owner_id": "u1", "contact_id": "c1", "occurred_at": at},
        {"type": "email", "owner_id": "u1", "lead_id": "l1", "occurred_at": at},
        {"type": "demo", "owner_id": "u1", "opportunity_id": "o1", "occurred_at": at},
        {"type": "task", "owner_id": "u1", "opportunity_id": "o1", "occurred_at": at},
        {"type": "meeting", "owner_id": "u1", "occurred_at": at},
        # u2: a meeting at an account; one call in Q2, outside the window.
        {"type": "meeting", "owner_id": "u2", "account_id": "a1", "occurred_at": at},
        {"type": "call", "owner_id": "u2", "contact_id": "c1", "occurred_at": "2025-04-02"},
    )
    result = world.compute(["selling_activity_share", "selling_activities"], Q1)
    assert result.value("selling_activities") == 4
    assert result.value("selling_activity_share") == pytest.approx(4 / 6)
    by_owner = world.compute(["selling_activity_share"], Q1, by=["owner"])
    assert by_owner.value("selling_activity_share", owner="u1") == pytest.approx(3 / 5)
    assert by_owner.value("selling_activity_share", owner="u2") == 1
