"""Each trigger kind fires for the records it should, once per change."""

from __future__ import annotations

from datetime import timedelta

from automate.conftest import NOW, Company, Mailbox, Receiver, smtp_settings
from revops.automate.triggers import TICK

STAGE_CHANGED = """
name: negotiation-task
trigger: {kind: record, entity: opportunity, event: changed, field: stage, to: [Negotiation]}
when: "amount >= 1000"
actions:
  - {kind: create_task, user: owner, title: "Prepare the contract of {name}", due_days: 2}
  - kind: email
    to: [owner]
    subject: "{name} reached {stage}"
    body: "{name} ({amount}) moved from {previous} to {stage}."
"""


def test_stage_change_fires_once_with_a_task_and_an_email(company: Company, smtp: Mailbox) -> None:
    ws = company.reopen(smtp_settings(smtp.port))
    company.workflow("negotiation-task", STAGE_CHANGED)
    first = ws.automate.apply(at=NOW)
    assert first[0].run["status"] == "baseline"
    assert first[0].actions == []
    company.change("opportunity", "o-3", stage="Negotiation")
    company.change("opportunity", "o-4", stage="Negotiation")  # amount 800: the condition fails
    plan = ws.automate.plan(at=NOW)
    assert [(s["record_id"], s["action"]) for s in plan[0].steps] == [
        ("o-3", "create_task"),
        ("o-3", "email"),
    ]
    assert plan[0].steps[0]["record"] == "Gamma expansion"
    assert plan[0].steps[0]["target"] == "Ann Archer (u-ann)"
    assert smtp.messages == []  # a plan sends nothing

    run = ws.automate.apply(at=NOW)[0]
    assert run.run["status"] == "ok"
    assert (run.run["records"], run.run["actions"], run.run["failed"]) == (1, 2, 0)
    tasks = ws.automate.tasks()
    assert [(t["user_id"], t["title"], str(t["due_date"])) for t in tasks] == [
        ("u-ann", "Prepare the contract of Gamma expansion", "2026-03-04")
    ]
    [(rcpts, message)] = smtp.messages
    assert rcpts == ["ann@acme.test"]
    assert message["Subject"] == "Gamma expansion reached Negotiation"
    assert "moved from Discovery to Negotiation" in message.get_payload()

    again = ws.automate.apply(at=NOW)[0]  # nothing changed since: nothing fires
    assert again.run["status"] == "nothing"
    assert len(smtp.messages) == 1
    assert len(ws.automate.tasks()) == 1


def test_created_record_fires_after_the_baseline(duck: Company, receiver: Receiver,
                                                 monkeypatch: object) -> None:  # fmt: skip
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("NEW_DEAL_HOOK", f"{receiver.url}/deals")
    ws = duck.ws
    duck.workflow(
        "new-deal",
        """
name: new-deal
trigger: {kind: record, entity: opportunity, event: created}
actions: [{kind: webhook, url_env: NEW_DEAL_HOOK}]
""",
    )
    ws.automate.apply(at=NOW)
    duck.add("opportunity", {"opportunity_id": "o-9", "name": "Epsilon", "owner_id": "u-bob",
                             "stage": "Prospecting", "amount": "700", "is_closed": False,
                             "is_won": False})  # fmt: skip
    [run] = ws.automate.apply(at=NOW)
    assert run.run["records"] == 1
    [(path, body)] = receiver.posts
    assert path == "/deals"
    assert body["workflow"] == "new-deal"
    assert body["record"]["record_id"] == "o-9"
    assert body["record"]["name"] == "Epsilon"
    assert body["record"]["amount"] == "700.00" or body["record"]["amount"].startswith("700")
    assert ws.automate.apply(at=NOW)[0].run["records"] == 0


def test_field_below_fires_on_falling_under_only(duck: Company) -> None:
    ws = duck.ws
    duck.workflow(
        "low-probability",
        """
name: low-probability
trigger: {kind: record, entity: opportunity, event: below, field: probability, value: 30}
actions: [{kind: set_field, field: risk, value: "low probability ({probability})"}]
""",
    )
    ws.automate.apply(at=NOW)
    duck.change("opportunity", "o-3", probability=20)
    [run] = ws.automate.apply(at=NOW)
    assert run.run["records"] == 1
    assert ws.automate.fields("opportunity", "risk") == {"o-3": "low probability (20.0)"}
    duck.change("opportunity", "o-3", probability=10)  # still below: no new firing
    assert ws.automate.apply(at=NOW)[0].run["records"] == 0


def test_lead_becoming_mql_fires(duck: Company) -> None:
    ws = duck.ws
    duck.workflow(
        "mql-task",
        """
name: mql-task
trigger: {kind: lifecycle, stage: mql}
actions: [{kind: create_task, user: ann@acme.test, title: "Call {name} today"}]
""",
    )
    ws.automate.apply(at=NOW)
    duck.add("lifecycle_event", {"lifecycle_event_id": "e-1", "person_id": "l-2",
                                 "person_type": "lead", "stage": "mql",
                                 "entered_at": "2026-03-01T10:00:00"})  # fmt: skip
    [run] = ws.automate.apply(at=NOW)
    assert run.run["records"] == 1
    assert [t["title"] for t in ws.automate.tasks()] == ["Call Alan Turing (Bletchley) today"]


def test_schedule_fires_once_per_tick(duck: Company) -> None:
    ws = duck.ws
    duck.workflow(
        "monday-review",
        """
name: monday-review
trigger: {kind: schedule, cron: "0 8 * * 1", entity: opportunity}
when: "is_closed == False"
actions: [{kind: create_task, user: owner, title: "Review {name}"}]
""",
    )
    ws.automate.apply(at=NOW)  # Monday 9:00: records the 8:00 tick as the baseline
    assert ws.automate.apply(at=NOW + timedelta(days=2))[0].run["records"] == 0
    [run] = ws.automate.apply(at=NOW + timedelta(days=7))  # the next Monday
    assert run.run["records"] == 2
    assert sorted(t["title"] for t in ws.automate.tasks()) == [
        "Review Delta pilot", "Review Gamma expansion"]  # fmt: skip
    assert ws.automate.apply(at=NOW + timedelta(days=7, hours=1))[0].run["records"] == 0
    assert TICK == "__tick__"


def test_metric_crossing_a_threshold_alerts_once(duck: Company, receiver: Receiver,
                                                 monkeypatch: object) -> None:  # fmt: skip
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("SLACK_URL", f"{receiver.url}/slack")
    ws = duck.ws
    duck.workflow(
        "bookings-low",
        """
name: bookings-low
trigger:
  {kind: metric, metric: bookings, window: FY2026-Q1, below: 5000, scope: {user: ann@acme.test}}
actions: [{kind: slack, url_env: SLACK_URL, text: "Bookings of Ann: {value} (under {threshold})"}]
""",
    )
    [run] = ws.automate.apply(at=NOW)  # Ann's bookings: 1000, under 5000 at first sight
    assert run.run["records"] == 1
    assert receiver.posts == [("/slack", {"text": "Bookings of Ann: 1000.0 (under 5000.0)"})]
    assert ws.automate.apply(at=NOW)[0].run["records"] == 0
    duck.change("opportunity", "o-1", amount="6000")  # above: re-armed, no message
    assert ws.automate.apply(at=NOW)[0].run["records"] == 0
    duck.change("opportunity", "o-1", amount="1000")
    assert ws.automate.apply(at=NOW)[0].run["records"] == 1
    assert len(receiver.posts) == 2
