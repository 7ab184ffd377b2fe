"""Data-quality fixes assigned to owners: a task per failing record, as an automation run
that skips what it assigned before and is undone like any run."""

from __future__ import annotations

from automate.conftest import NOW, Company
from revops.automate.fixes import assign_fixes

RULE = "lead_email_valid"


def _bad_emails(company: Company) -> None:
    company.add(
        "lead",
        {"lead_id": "l-3", "first_name": "Grace", "last_name": "Hopper", "company": "Navy",
         "email": "grace@navy", "status": "open", "owner_id": "u-bob"},
        {"lead_id": "l-4", "first_name": "Edsger", "last_name": "Dijkstra", "company": "TH",
         "email": "edsger at th", "status": "open", "owner_id": "u-ann"},
        {"lead_id": "l-5", "first_name": "Nobody", "company": "Orphan", "email": "x@y",
         "status": "open", "owner_id": None},
    )  # fmt: skip


def _tasks(company: Company) -> set[tuple[str, str, str]]:
    return {(t["user_id"], t["record_id"], t["record_name"]) for t in company.ws.automate.tasks()}


def test_each_owner_gets_a_task_per_failing_record_once_and_undo_takes_them_back(
    company: Company,
) -> None:
    _bad_emails(company)
    ws = company.ws
    first = assign_fixes(ws.quality, ws.automate, "lead", RULE, at=NOW)
    assert _tasks(company) == {("u-bob", "l-3", "Grace Hopper"),
                               ("u-ann", "l-4", "Edsger Dijkstra")}  # fmt: skip
    by_record = {a["record_id"]: a for a in first.actions}
    assert (by_record["l-5"]["status"], by_record["l-5"]["error"]) == (
        "skipped",
        "the record has no owner",
    )
    task = next(t for t in ws.automate.tasks() if t["record_id"] == "l-3")
    assert task["title"] == (
        f"Fix Grace Hopper: {RULE} (error) - {ws.quality.rules.rule(RULE).fix}"
    )
    assert str(task["due_date"]) == "2026-03-04"  # two business days after Monday
    assert (first.run["kind"], first.run["status"]) == ("assignment", "ok")
    # Asked again: nothing new; the run says why.
    again = assign_fixes(ws.quality, ws.automate, "lead", RULE, at=NOW)
    assert {a["error"] for a in again.actions if a["target"]} == {"assigned already"}
    assert again.run["status"] == "nothing"
    assert len(ws.automate.tasks()) == 2
    # The run is undone like a workflow's: its tasks go; assigning again makes them anew.
    undone = ws.automate.undo(first.run["run_id"])
    assert len(undone.restored) == 2
    assert ws.automate.tasks() == []
    third = assign_fixes(ws.quality, ws.automate, "lead", RULE, owner="Bob Baker", at=NOW)
    assert _tasks(company) == {("u-bob", "l-3", "Grace Hopper")}
    assert [a["record_id"] for a in third.actions] == ["l-3"]
