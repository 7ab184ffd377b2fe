"""Speed to lead: business-hours arithmetic by hand, golden people across systems, and
time-correctness (nothing after the as-of instant changes a result)."""

from __future__ import annotations

import ibis
import pytest

from revops.routing.hours import working_minutes
from revops.routing.rules import BusinessHours
from routing.conftest import Company

from support import at

NINE_TO_FIVE = BusinessHours(start=9, end=17)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2026-03-03T10:00:00", "2026-03-03T12:30:00", 150),  # Tuesday, within the day
        ("2026-03-03T08:00:00", "2026-03-03T18:00:00", 480),  # before and after hours
        ("2026-03-04T16:30:00", "2026-03-05T09:15:00", 45),  # Wed evening to Thu morning
        ("2026-03-06T16:00:00", "2026-03-09T10:00:00", 120),  # Friday to Monday
        ("2026-03-07T12:00:00", "2026-03-09T09:30:00", 30),  # Saturday to Monday
        ("2026-03-07T12:00:00", "2026-03-08T23:00:00", 0),  # the weekend alone
        ("2026-03-02T09:00:00", "2026-03-16T09:00:00", 2 * 5 * 480),  # two full weeks
        ("2026-02-27T16:00:00", "2026-03-02T09:30:00", 90),  # across a month end
    ],
)
def test_working_minutes_count_weekday_hours_only(start: str, end: str, minutes: int) -> None:
    table = ibis.memtable({"a": [at(start)], "b": [at(end)]})
    expr = working_minutes(table.a, table.b, NINE_TO_FIVE).name("m")
    assert ibis.duckdb.connect().execute(table.select(expr))["m"][0] == pytest.approx(minutes)


def test_round_the_clock_weekdays() -> None:
    table = ibis.memtable({"a": [at("2026-03-06T22:00:00")], "b": [at("2026-03-09T02:00:00")]})
    expr = working_minutes(table.a, table.b, BusinessHours(start=0, end=24)).name("m")
    assert ibis.duckdb.connect().execute(table.select(expr))["m"][0] == pytest.approx(240)


def sla_company(company: Company) -> None:
    """Three MQLs, SLA 4 business hours (9-17 UTC):

    - p-1 (HubSpot contact) MQL Fri 15:00, touched on its Salesforce lead Mon 10:30:
      2 h Friday + 1.5 h Monday = 210 min, met; owner Ann (golden person, CRM owner);
    - p-2 MQL Tue 09:00, touched Tue 14:00 = 300 min, breached; owner Bob;
    - p-3 MQL Wed 16:00, touched Fri 12:00 = 1 h + 8 h + 3 h = 720 min, breached; owner Bob.
    """
    company.rules("sla_hours: 4\n")
    company.add(
        "lead",
        {
            "lead_id": "sf-1",
            "email": "a@x.io",
            "first_name": "Ada",
            "last_name": "Ames",
            "owner_id": "u-ann",
            "created_at": "2026-03-01T00:00:00",
        },
        {
            "lead_id": "sf-2",
            "email": "b@y.io",
            "owner_id": "u-bob",
            "created_at": "2026-03-01T00:00:00",
        },
        {
            "lead_id": "sf-3",
            "email": "c@z.io",
            "owner_id": "u-bob",
            "created_at": "2026-03-01T00:00:00",
        },
    )
    company.add(
        "contact",
        {"contact_id": "hs-1", "email": "a@x.io", "source_system": "hubspot", "owner_id": None},
    )
    company.add(
        "lifecycle_event",
        {
            "lifecycle_event_id": "e1",
            "person_id": "hs-1",
            "person_type": "contact",
            "stage": "mql",
            "entered_at": "2026-03-06T15:00:00",
            "source_system": "hubspot",
        },
        {
            "lifecycle_event_id": "e2",
            "person_id": "sf-2",
            "person_type": "lead",
            "stage": "mql",
            "entered_at": "2026-03-10T09:00:00",
        },
        {
            "lifecycle_event_id": "e3",
            "person_id": "sf-3",
            "person_type": "lead",
            "stage": "mql",
            "entered_at": "2026-03-11T16:00:00",
        },
    )
    company.add(
        "activity",
        {
            "activity_id": "t0",
            "type": "email",
            "lead_id": "sf-1",
            "occurred_at": "2026-03-05T10:00:00",
        },
        {
            "activity_id": "t1",
            "type": "call",
            "lead_id": "sf-1",
            "occurred_at": "2026-03-09T10:30:00",
        },
        {
            "activity_id": "t2",
            "type": "email",
            "lead_id": "sf-2",
            "occurred_at": "2026-03-10T14:00:00",
        },
        {
            "activity_id": "t3",
            "type": "meeting",
            "lead_id": "sf-3",
            "occurred_at": "2026-03-13T12:00:00",
        },
        {
            "activity_id": "t4",
            "type": "task",
            "lead_id": "sf-3",
            "occurred_at": "2026-03-11T16:10:00",
        },
    )
    company.resolve(people={"hs-1": "person-a", "sf-1": "person-a"})


def test_sla_per_person_through_golden_records(company: Company) -> None:
    sla_company(company)
    report = company.ws.routing.sla(as_of=at("2026-03-20T00:00:00"), by="owner")
    assert report.sla_hours == 4
    summary = {r["owner"]: r for r in report.summary}
    assert (summary["Ann Archer"]["met"], summary["Ann Archer"]["median_minutes"]) == (1, 210)
    assert (summary["Bob Baker"]["breached"], summary["Bob Baker"]["median_minutes"]) == (2, 510)
    # People by their golden id (g-<record> when a person has one record).
    assert [(r["person_id"], r["minutes"]) for r in report.rows] == [
        ("g-sf-3", 720),
        ("g-sf-2", 300),
    ]
    teams = company.ws.routing.sla(as_of=at("2026-03-20T00:00:00"), by="team").summary
    assert [(r["team"], r["mqls"], r["met_share"]) for r in teams] == [
        ("SMB Development", 3, 0.333)
    ]


def test_a_touch_after_the_as_of_instant_never_changes_a_result(company: Company) -> None:
    sla_company(company)
    # As of Wed 12:00, p-3 is no MQL yet; p-1 and p-2 were touched before.
    early = company.ws.routing.sla(as_of=at("2026-03-11T12:00:00")).summary[0]
    assert (early["mqls"], early["met"], early["breached"], early["pending"]) == (2, 1, 1, 0)
    # As of Thu 10:00, p-3 waits 1 h 60 min + 1 h = 120 min: pending, though touched later.
    pending = company.ws.routing.sla(as_of=at("2026-03-12T10:00:00")).summary[0]
    assert (pending["mqls"], pending["pending"]) == (3, 1)
    # As of Thu 15:00 (1 h + 6 h = 420 min > 240), it is a breach already.
    late = company.ws.routing.sla(as_of=at("2026-03-12T15:00:00"))
    assert late.summary[0]["breached"] == 2
    assert next((r["person_id"], r["touched_at"]) for r in late.rows) == ("g-sf-3", None)


def test_a_window_keeps_the_mqls_that_entered_in_it(company: Company) -> None:
    sla_company(company)
    report = company.ws.routing.sla(
        as_of=at("2026-03-20T00:00:00"), window="2026-03-10..2026-03-10"
    )
    assert report.summary[0]["mqls"] == 1
