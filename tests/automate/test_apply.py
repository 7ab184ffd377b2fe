"""Apply and undo: every revops-side change restored exactly; messages listed as not
reversible; a failing SMTP server retried and reported without losing the rest of the run."""

from __future__ import annotations

from typing import Any

import pytest

from automate.conftest import NOW, Company, Mailbox, free_port, smtp_settings
from revops.errors import AutomateError, ConfigError

ROUTING = """
pools:
  - {name: gb, reps: [u-ann, u-bob]}
rules:
  - {name: everyone, kind: pool, pool: gb}
"""
LEAD_WORKED = """
name: lead-worked
trigger: {kind: record, entity: lead, event: changed, field: status}
actions:
  - {kind: assign_owner}
  - {kind: set_field, field: status_note, value: "now {status}"}
  - {kind: create_task, user: u-bob, title: "Follow up {name} ({status})"}
  - {kind: email, to: [bob@acme.test], subject: "{name} is {status}", body: "Lead {record_id}."}
"""


def snapshot(company: Company) -> dict[str, Any]:
    """Everything a workflow can change on the revops side."""
    ws = company.ws
    wh = ws.warehouse
    assignments = []
    if wh.has_table("assignment", "routing"):
        log = wh.table("assignment", "routing")
        assignments = sorted(
            (r["run_id"], r["lead_id"], r["owner_id"])
            for r in log.select("run_id", "lead_id", "owner_id").to_pyarrow().to_pylist()
        )
    return {
        "fields": ws.automate.fields("lead", "status_note"),
        "tasks": sorted((t["task_id"], t["title"]) for t in ws.automate.tasks()),
        "assignments": assignments,
        "counters": ws.routing.counters(),
    }


def test_undo_restores_every_changed_record_exactly(company: Company, smtp: Mailbox) -> None:
    ws = company.reopen(smtp_settings(smtp.port))
    (company.root / "rules" / "routing.yaml").write_text(ROUTING)
    company.workflow("lead-worked", LEAD_WORKED)
    ws.automate.apply(at=NOW)
    company.change("lead", "l-2", status="working")
    [first] = ws.automate.apply(at=NOW)
    assert first.run["status"] == "ok"
    assert ws.automate.fields("lead", "status_note") == {"l-2": "now working"}
    before = snapshot(company)
    assert len(before["assignments"]) == 1
    assert before["counters"]

    company.change("lead", "l-2", status="qualified")
    [second] = ws.automate.apply(at=NOW)
    assert ws.automate.fields("lead", "status_note") == {"l-2": "now qualified"}
    assert snapshot(company) != before
    images = {
        (c["table_name"], c["before"], c["after"])
        for c in ws.automate.changes(second.run["run_id"])
    }
    assert ("automate.field_value", "now working", "now qualified") in images

    undone = ws.automate.undo(second.run["run_id"])
    assert snapshot(company) == before
    assert [(a["action"], a["target"]) for a in undone.not_reversible] == [
        ("email", "bob@acme.test")
    ]
    assert {c["table_name"] for c in undone.restored} == {
        "automate.field_value", "automate.task", "routing.assignment"}  # fmt: skip
    assert len(smtp.messages) == 2  # sent mail stays sent
    with pytest.raises(AutomateError, match="undone already"):
        ws.automate.undo(second.run["run_id"])
    [row] = [r for r in ws.automate.runs() if r["run_id"] == second.run["run_id"]]
    assert row["undone_at"] is not None


def test_smtp_down_is_retried_reported_and_the_rest_done(duck: Company) -> None:
    waits: list[float] = []
    ws = duck.reopen(smtp_settings(free_port()))  # nothing listens there
    ws.automate.sleep = waits.append
    (duck.root / "rules" / "routing.yaml").write_text(ROUTING)
    duck.workflow("lead-worked", LEAD_WORKED)
    ws.automate.apply(at=NOW)
    duck.change("lead", "l-1", status="working")
    duck.change("lead", "l-2", status="working")
    [run] = ws.automate.apply(at=NOW)
    assert run.run["status"] == "partial"
    assert (run.run["records"], run.run["actions"], run.run["failed"]) == (2, 8, 2)
    failed = [a for a in run.actions if a["status"] == "failed"]
    assert {a["action"] for a in failed} == {"email"}
    assert all(a["attempts"] == 3 and "ConnectionRefused" in a["error"] for a in failed)
    assert waits == [0.01, 0.02, 0.01, 0.02]  # doubling backoff, per message
    assert len(ws.automate.tasks()) == 2
    assert ws.automate.fields("lead", "status_note") == {"l-1": "now working", "l-2": "now working"}
    stored = ws.automate.run(run.run["run_id"])
    assert sum(a["status"] == "failed" for a in stored.actions) == 2


def test_a_bad_workflow_names_file_and_key(duck: Company) -> None:
    duck.workflow(
        "broken",
        """
name: broken
trigger: {kind: record, entity: opportunity, event: changed, field: stage}
actions: [{kind: email, to: [owner], subject: "x"}]
""",
    )
    with pytest.raises(ConfigError, match=r"broken.yaml: actions\[0\].body: required key"):
        duck.ws.automate.workflows()
    duck.workflow(
        "broken",
        """
name: broken
trigger: {kind: schedule, cron: "every monday"}
actions: [{kind: slack, text: hi}]
""",
    )
    with pytest.raises(ConfigError, match=r"broken.yaml: trigger.cron: .*not a 5-field cron"):
        duck.ws.automate.workflows()
    duck.workflow(
        "broken",
        """
name: broken
trigger: {kind: record, entity: opportunity, event: created}
when: "amount >>= 3"
actions: [{kind: slack, text: hi}]
""",
    )
    with pytest.raises(ConfigError, match=r"broken.yaml: when: .*not valid syntax"):
        duck.ws.automate.workflows()


def test_an_unknown_column_is_named_when_the_file_is_read(duck: Company) -> None:
    duck.workflow(
        "broken",
        """
name: broken
trigger: {kind: record, entity: opportunity, event: changed, field: stag}
actions: [{kind: slack, text: hi}]
""",
    )
    with pytest.raises(ConfigError, match=r"broken.yaml: trigger.field: opportunity has no column"):
        duck.ws.automate.workflows()
    duck.workflow(
        "broken",
        """
name: broken
trigger: {kind: record, entity: lead, event: created}
when: "amount > 3"
actions: [{kind: slack, text: hi}]
""",
    )
    with pytest.raises(ConfigError, match=r"broken.yaml: when: lead has no column 'amount'"):
        duck.ws.automate.workflows()


def test_a_workflow_that_cannot_run_is_logged_and_the_others_run(duck: Company) -> None:
    ws = duck.ws
    duck.workflow(
        "a-metric",
        """
name: a-metric
trigger: {kind: metric, metric: bookings, below: 1, scope: {user: nobody@acme.test}}
actions: [{kind: slack, text: hi}]
""",
    )
    duck.workflow(
        "b-created",
        """
name: b-created
trigger: {kind: record, entity: opportunity, event: created}
actions: [{kind: create_task, user: owner, title: "New {name}"}]
""",
    )
    runs = ws.automate.apply(at=NOW)
    assert [(r.run["workflow"], r.run["status"]) for r in runs] == [
        ("a-metric", "failed"), ("b-created", "baseline")]  # fmt: skip
    assert runs[0].run["error"] == "workflow a-metric: no CRM user nobody@acme.test"
