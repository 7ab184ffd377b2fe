"""Follow-up sequences: e-mails with merge fields, waits in business days, tasks; stopped
by a reply, a meeting or a status change; unsubscribe honoured; KPIs per sequence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from automate.conftest import NOW, Company, Mailbox, smtp_settings
from revops.errors import AutomateError, ConfigError

INBOUND = """
name: inbound
steps:
  - {kind: email, subject: "Hello {first_name}", body: "Thanks for your interest, {company}."}
  - {kind: wait, business_days: 2}
  - {kind: task, user: owner, title: "Call {name}"}
  - {kind: email, subject: "Still interested, {first_name}?", body: "Just checking in."}
"""
MQL_WORKFLOW = """
name: mql-sequence
trigger: {kind: lifecycle, stage: mql}
actions: [{kind: start_sequence, sequence: inbound}]
"""


def write(company: Company) -> None:
    (company.root / "sequences").mkdir(exist_ok=True)
    (company.root / "sequences" / "inbound.yaml").write_text(INBOUND)


def test_steps_run_in_order_with_business_day_waits(duck: Company, smtp: Mailbox) -> None:
    ws = duck.reopen(smtp_settings(smtp.port))
    write(duck)
    seq = ws.automate.sequences
    [made] = seq.enrol("inbound", ["l-1"], at=NOW)
    assert made["lead_name"] == "Ada Byron (Analytical)"
    assert seq.enrol("inbound", ["l-1"], at=NOW) == []  # enrolled already
    events = seq.advance(at=NOW)  # Monday: the first e-mail, then the wait starts
    assert [(e["kind"], e["status"]) for e in events] == [("email", "done"), ("wait", "done")]
    assert events[1]["due_at"] == NOW + timedelta(days=2)
    [(rcpts, message)] = smtp.messages
    assert rcpts == ["ada@analytical.test"]
    assert message["Subject"] == "Hello Ada"
    assert "Thanks for your interest, Analytical." in message.get_payload()
    assert seq.advance(at=NOW + timedelta(days=1)) == []  # still waiting
    events = seq.advance(at=NOW + timedelta(days=2))
    assert [e["kind"] for e in events] == ["task", "email", "completed"]
    assert [t["title"] for t in ws.automate.tasks()] == ["Call Ada Byron (Analytical)"]
    assert [m["Subject"] for _, m in smtp.messages] == ["Hello Ada", "Still interested, Ada?"]
    assert seq.advance(at=NOW + timedelta(days=3)) == []
    [kpis] = seq.kpis()
    assert kpis == {"sequence": "inbound", "enrolled": 1, "active": 0, "completed": 1,
                    "replied": 0, "meetings": 0, "status_changes": 0, "opted_out": 0,
                    "emails_sent": 2}  # fmt: skip


def test_a_reply_a_meeting_a_status_change_or_unsubscribe_stops_it(
    duck: Company, smtp: Mailbox
) -> None:
    ws = duck.reopen(smtp_settings(smtp.port))
    write(duck)
    duck.add("lead", {"lead_id": "l-3", "first_name": "Grace", "last_name": "Hopper",
                      "company": "Navy", "email": "grace@navy.test", "status": "open"},
             {"lead_id": "l-4", "first_name": "Edsger", "last_name": "Dijkstra",
              "company": "TH", "email": "edsger@th.test", "status": "open"})  # fmt: skip
    seq = ws.automate.sequences
    seq.enrol("inbound", ["l-1", "l-2", "l-3", "l-4"], at=NOW)
    seq.advance(at=NOW)
    assert len(smtp.messages) == 4
    later = "2026-03-03T10:00:00"
    duck.add("activity", {"activity_id": "a-1", "type": "Email", "direction": "inbound",
                          "lead_id": "l-1", "occurred_at": later},
             {"activity_id": "a-2", "type": "meeting", "lead_id": "l-2",
              "occurred_at": later})  # fmt: skip
    duck.add("lead", {"lead_id": "l-3", "first_name": "Grace", "last_name": "Hopper",
                      "company": "Navy", "email": "grace@navy.test",
                      "status": "disqualified"})  # fmt: skip
    seq.unsubscribe("Edsger@TH.test")
    events = seq.advance(at=NOW + timedelta(days=2))
    stops = sorted((e["lead_id"], e["status"]) for e in events if e["kind"] == "stopped")
    assert stops == [("l-1", "reply"), ("l-2", "meeting"), ("l-3", "status_change"),
                     ("l-4", "unsubscribed")]  # fmt: skip
    assert len(smtp.messages) == 4  # nothing more sent
    assert ws.automate.tasks() == []
    assert seq.enrol("inbound", ["l-4"], at=NOW) == []  # an unsubscribed address stays out
    [kpis] = seq.kpis()
    counted = ("enrolled", "replied", "meetings", "status_changes", "opted_out", "active",
               "emails_sent")  # fmt: skip
    assert tuple(kpis[k] for k in counted) == (4, 1, 1, 1, 1, 0, 4)
    with pytest.raises(AutomateError, match="no sequence 'nope'"):
        seq.enrol("nope", ["l-1"])


def test_a_workflow_starts_a_sequence_and_undo_takes_the_enrolment_back(duck: Company) -> None:
    ws = duck.ws
    write(duck)
    duck.workflow("mql-sequence", MQL_WORKFLOW)
    ws.automate.apply(at=NOW)
    duck.add("lifecycle_event", {"lifecycle_event_id": "e-1", "person_id": "l-2",
                                 "person_type": "lead", "stage": "mql",
                                 "entered_at": "2026-03-01T10:00:00"})  # fmt: skip
    [run] = ws.automate.apply(at=NOW)
    assert [(a["action"], a["target"], a["detail"]) for a in run.actions] == [
        ("start_sequence", "inbound", "enrolled")
    ]
    assert [e["lead_id"] for e in ws.automate.sequences.enrolments()] == ["l-2"]
    ws.automate.undo(run.run["run_id"])
    assert ws.automate.sequences.enrolments() == []


def test_a_workflow_naming_an_unknown_sequence_is_refused_when_read(duck: Company) -> None:
    write(duck)
    duck.workflow("mql-sequence", MQL_WORKFLOW.replace("sequence: inbound", "sequence: outbound"))
    with pytest.raises(
        ConfigError, match=r"actions\[0\].sequence: no sequence .outbound. \(inbound\)"
    ):
        duck.ws.automate.workflows()


def test_contacts_are_enrolled_and_stopped_by_their_own_activities_and_stage(
    duck: Company, smtp: Mailbox
) -> None:
    ws = duck.reopen(smtp_settings(smtp.port))
    write(duck)
    duck.add(
        "contact",
        {"contact_id": "c-1", "first_name": "Katherine", "last_name": "Johnson",
         "email": "kj@nasa.test", "lifecycle_stage": "opportunity", "owner_id": "u-ann"},
        {"contact_id": "c-2", "first_name": "Dorothy", "last_name": "Vaughan",
         "email": "dv@nasa.test", "lifecycle_stage": "opportunity", "owner_id": "u-bob"},
        {"contact_id": "c-3", "first_name": "Mary", "last_name": "Jackson",
         "email": "mj@nasa.test", "lifecycle_stage": "opportunity", "owner_id": "u-bob"},
    )  # fmt: skip
    seq = ws.automate.sequences
    made = seq.enrol("inbound", ["c-1", "c-2", "c-3", "l-1"], at=NOW)
    assert {(m["lead_id"], m["entity"], m["lead_name"]) for m in made} == {
        ("c-1", "contact", "Katherine Johnson"), ("c-2", "contact", "Dorothy Vaughan"),
        ("c-3", "contact", "Mary Jackson"), ("l-1", "lead", "Ada Byron (Analytical)"),
    }  # fmt: skip
    with pytest.raises(AutomateError, match="no lead or contact c-9"):
        seq.enrol("inbound", ["c-9"], at=NOW)
    seq.advance(at=NOW)
    assert sorted(r[0] for r, _ in smtp.messages) == [
        "ada@analytical.test", "dv@nasa.test", "kj@nasa.test", "mj@nasa.test"
    ]  # fmt: skip
    later = "2026-03-03T10:00:00"
    # Katherine met sales (logged on the contact); Dorothy became a customer; a meeting
    # logged on a lead with Mary's id stops nothing.
    duck.add("activity", {"activity_id": "a-9", "type": "meeting", "contact_id": "c-1",
                          "occurred_at": later},
             {"activity_id": "a-10", "type": "meeting", "lead_id": "c-3",
              "occurred_at": later})  # fmt: skip
    duck.add("contact", {"contact_id": "c-2", "first_name": "Dorothy", "last_name": "Vaughan",
                         "email": "dv@nasa.test", "lifecycle_stage": "customer",
                         "owner_id": "u-bob"})  # fmt: skip
    events = seq.advance(at=NOW + timedelta(days=2))
    stopped = {e["lead_id"]: e["status"] for e in events if e["kind"] == "stopped"}
    assert stopped == {"c-1": "meeting", "c-2": "status_change"}
    tasks = {(t["entity"], t["record_id"]) for t in ws.automate.tasks()}
    assert tasks == {("contact", "c-3"), ("lead", "l-1")}  # the owner's call, for those left
