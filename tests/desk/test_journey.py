"""The customer-journey audit on a hand-built funnel: people as identity clusters, touches
inside a stage, conversion drop and no-content gaps, content win-rate uplift."""

from __future__ import annotations

from datetime import date

import pytest

from leads.conftest import Company
from revops.identity.crosswalk import ensure_tables

AS_OF = date(2026, 6, 30)  # window: 2025-05-01 .. 2026-05-01; before: 2024-05-01 .. 2025-05-01


def funnel(company: Company) -> None:
    """Ana is lead l1 and contact c1 (one person by the crosswalk): MQL in January, SQL (as
    the contact) in February. Bo (l2) is an MQL since February. Cy (l3) went MQL → SQL in
    the window before. Ana got an e-mail and the battlecard while an MQL; Bo a webinar."""
    ensure_tables(company.ws.warehouse)
    company.ws.warehouse.load("crosswalk", [
        {"kind": "person", "entity": e, "record_id": r, "unique_id": r, "source_system": "t",
         "source_id": r, "cluster_id": "ana", "cluster_size": 2, "run_id": "r1"}
        for e, r in (("lead", "l1"), ("contact", "c1"))
    ], namespace="identity", mode="append")  # fmt: skip
    company.add(
        "lifecycle_event",
        {"person_id": "l1", "person_type": "lead", "stage": "mql", "entered_at": "2026-01-10"},
        {"person_id": "c1", "person_type": "contact", "stage": "sql", "entered_at": "2026-02-01"},
        {"person_id": "l2", "person_type": "lead", "stage": "mql", "entered_at": "2026-02-01"},
        {"person_id": "l3", "person_type": "lead", "stage": "mql", "entered_at": "2025-03-01"},
        {"person_id": "l3", "person_type": "lead", "stage": "sql", "entered_at": "2025-03-20"},
    )  # fmt: skip
    company.add(
        "campaign",
        {"campaign_id": "k-mail", "name": "Nurture", "channel": "email"},
        {"campaign_id": "k-web", "name": "Webinar", "channel": "events"},
    )  # fmt: skip
    company.add(
        "campaign_touch",
        {"campaign_id": "k-mail", "person_id": "c1", "person_type": "contact",
         "occurred_at": "2026-01-20"},
        {"campaign_id": "k-web", "person_id": "l2", "person_type": "lead",
         "occurred_at": "2026-02-05"},
        {"campaign_id": "k-web", "person_id": "l1", "person_type": "lead",
         "occurred_at": "2025-12-01"},
    )  # fmt: skip
    company.add(
        "content",
        {"content_id": "a-card", "title": "Battlecard", "type": "battlecard"},
        {"content_id": "a-deck", "title": "Deck", "type": "deck"},
    )  # fmt: skip
    company.add(
        "opportunity",
        {"opportunity_id": "o1", "stage": "Won", "is_closed": True, "is_won": True,
         "closed_at": "2026-03-01"},
        {"opportunity_id": "o2", "stage": "Lost", "is_closed": True, "is_won": False,
         "closed_at": "2026-03-01"},
        {"opportunity_id": "o3", "stage": "Won", "is_closed": True, "is_won": True,
         "closed_at": "2026-03-02"},
        {"opportunity_id": "o4", "stage": "Open", "is_closed": False, "is_won": False},
    )  # fmt: skip
    company.add(
        "content_usage",
        {"content_id": "a-card", "contact_id": "c1", "used_at": "2026-01-25"},
        {"content_id": "a-card", "opportunity_id": "o1", "used_at": "2026-02-25"},
        {"content_id": "a-card", "opportunity_id": "o4", "used_at": "2026-02-26"},
    )  # fmt: skip


def test_stages_convert_and_touches_count_inside_the_stage(company: Company) -> None:
    funnel(company)
    report = company.ws.desk.journey.run(AS_OF)
    stages = {s["stage"]: s for s in report.stages}
    # MQLs in the window: Ana (one person across lead and contact) and Bo; Ana moved on.
    assert (stages["mql"]["entered"], stages["mql"]["converted"]) == (2, 1)
    assert stages["mql"]["conversion"] == pytest.approx(0.5)
    assert stages["mql"]["previous_conversion"] == pytest.approx(1.0)
    touches = {(t["stage"], t["kind"], t["touch"]): t for t in report.touches}
    # The e-mail reached Ana while an MQL (by her contact id); the webinar Bo. Ana's
    # December webinar was before she was an MQL: not counted.
    assert touches[("mql", "channel", "email")]["converted"] == 1
    assert touches[("mql", "channel", "events")]["touches"] == 1
    assert touches[("mql", "channel", "events")]["converted"] == 0
    assert touches[("mql", "content", "Battlecard")]["people"] == 1
    # Content used in deals counts in the opportunity stage, won deals as converted.
    deal = touches[("opportunity", "content", "Battlecard")]
    assert (deal["touches"], deal["people"], deal["converted"]) == (2, 2, 1)


def test_gaps_are_a_conversion_drop_and_a_stage_with_no_content(company: Company) -> None:
    funnel(company)
    gaps = {(g["stage"], g["gap"]) for g in company.ws.desk.journey.run(AS_OF).gaps}
    # MQL → SQL fell from 100 % to 50 %; the SQLs got nothing; stages nobody entered are
    # not judged.
    assert gaps == {("mql", "conversion drop"), ("sql", "no touch"), ("sql", "no content")}


def test_content_win_rate_uplift_against_deals_without_content(company: Company) -> None:
    funnel(company)
    content = {c["title"]: c for c in company.ws.desk.journey.run(AS_OF).content}
    card = content["Battlecard"]
    # Used 3 times, on 2 deals; 1 closed (won). Closed deals without content: o2 lost,
    # o3 won → 50 %. Uplift 100 % − 50 %.
    assert (card["uses"], card["deals"], card["closed_deals"], card["won_deals"]) == (3, 2, 1, 1)
    assert card["win_rate"] == pytest.approx(1.0)
    assert card["uplift"] == pytest.approx(0.5)
    assert content["Deck"]["uses"] == 0
    assert content["Deck"]["win_rate"] is None
