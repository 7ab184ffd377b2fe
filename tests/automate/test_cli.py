"""`revops automate` and `revops scheduler` from the command line."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from automate.conftest import NOW, Company, smtp_settings

from support import hold_job_lock, run_cli

WORKFLOW = """
name: negotiation-task
trigger: {kind: record, entity: opportunity, event: changed, field: stage, to: [Negotiation]}
actions:
  - {kind: create_task, user: owner, title: "Prepare the contract of {name}"}
  - {kind: set_field, field: next_step, value: "contract for {name}"}
"""
JOBS = """  jobs:
    - {name: workflows, kind: automations, cron: "*/5 * * * *"}
    - {name: exports, kind: ingest, cron: "0 * * * *", folder: missing, source: crm}
"""


def test_plan_apply_show_and_undo(
    duck: Company, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # the tables' cells on one line each
    root = str(duck.root)
    duck.workflow("negotiation-task", WORKFLOW)
    code, out, err = run_cli(capsys, "-w", root, "automate", "apply", "--at", "2026-03-02")
    assert code == 0, err
    duck.change("opportunity", "o-3", stage="Negotiation")
    duck.ws.close()
    code, out, err = run_cli(capsys, "-w", root, "automate", "plan", "-f", "json")
    assert code == 0, err
    steps = json.loads(out)
    assert [(s["record"], s["action"], s["target"]) for s in steps] == [
        ("Gamma expansion", "create_task", "Ann Archer (u-ann)"),
        ("Gamma expansion", "set_field", "next_step"),
    ]
    code, out, err = run_cli(capsys, "-w", root, "automate", "apply", "-f", "json")
    [run] = json.loads(out)
    assert (run["records"], run["actions"], run["status"]) == (1, 2, "ok")
    code, out, _ = run_cli(capsys, "-w", root, "automate", "tasks", "-f", "csv")
    assert "Ann Archer,u-ann,Prepare the contract of Gamma expansion,Gamma expansion,o-3" in out
    code, out, _ = run_cli(capsys, "-w", root, "automate", "show", run["run_id"])
    assert "contract for Gamma expansion" in out
    code, out, err = run_cli(capsys, "-w", root, "automate", "undo", run["run_id"])
    assert code == 0, err
    assert "2 change(s) restored" in out
    code, out, _ = run_cli(capsys, "-w", root, "automate", "tasks", "-f", "json")
    assert json.loads(out) == []
    code, out, err = run_cli(capsys, "-w", root, "automate", "undo", run["run_id"])
    assert code == 1
    assert "undone already" in err


def test_a_bad_file_is_one_line_naming_file_and_key(
    duck: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    duck.workflow("bad", "name: bad\ntrigger: {kind: record, entity: deal, event: created}\n"
                  "actions: [{kind: slack, text: hi}]\n")  # fmt: skip
    duck.ws.close()
    code, _, err = run_cli(capsys, "-w", str(duck.root), "automate", "validate")
    assert code == 1
    assert "bad.yaml: trigger.entity: Input should be 'opportunity'" in err
    assert "Traceback" not in err


def test_scheduler_runs_due_jobs_once_under_a_lock_and_keeps_history(
    duck: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(duck.root)
    duck.workflow("negotiation-task", WORKFLOW)
    duck.reopen(smtp_settings(2525) + JOBS)
    duck.ws.close()
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    other = context.Process(target=hold_job_lock, args=(root, "workflows", ready, release))
    other.start()  # another scheduler, in another process, runs `workflows` now
    try:
        assert ready.wait(180)
        code, out, err = run_cli(capsys, "-w", root, "scheduler", "run", "--once", "-f", "json")
    finally:
        release.set()
        other.join(30)
    assert code == 0, err
    outcomes = {o["job"]: o for o in json.loads(out)}
    assert outcomes["workflows"]["status"] == "locked"
    assert outcomes["exports"]["status"] == "failed"
    assert outcomes["exports"]["error"]
    code, out, err = run_cli(capsys, "-w", root, "scheduler", "run", "--once", "-f", "json")
    outcomes = {o["job"]: o for o in json.loads(out)}
    assert outcomes["workflows"]["status"] == "ok"
    assert outcomes["exports"]["status"] == "not_due"  # ran this hour already
    code, out, _ = run_cli(capsys, "-w", root, "scheduler", "history", "-f", "json")
    history = json.loads(out)
    assert [(h["job"], h["status"]) for h in history] == [
        ("workflows", "ok"),
        ("exports", "failed"),
    ]
    assert all(h["seconds"] >= 0 for h in history)
    code, out, _ = run_cli(capsys, "-w", root, "automate", "runs", "-f", "json")
    assert [r["status"] for r in json.loads(out)] == ["baseline"]
    assert NOW.year == 2026


@pytest.mark.postgres
def test_two_schedulers_sharing_a_postgres_warehouse_never_hold_one_job(tmp_path: Path) -> None:
    from revops.automate.scheduler import warehouse_lock
    from revops.warehouse import connect

    from conftest import POSTGRES_URL

    first, second = connect(POSTGRES_URL, tmp_path), connect(POSTGRES_URL, tmp_path)
    try:
        with warehouse_lock(first, "workflows") as held:
            assert held
            with warehouse_lock(second, "workflows") as other:
                assert not other
            with warehouse_lock(second, "deliveries") as another_job:
                assert another_job
        with warehouse_lock(second, "workflows") as after:
            assert after  # released
    finally:
        first.close()
        second.close()
