"""The automation page and its API: workflows with their last run, runs for roles that
see every row, the viewer's tasks and own subscriptions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.conftest import PASSWORD, Cockpit
from app.test_browser import ARGS, CHROMIUM, served
from automate.conftest import NOW, Company
from revops import Workspace
from revops.app import users
from revops.app.db import AppDatabase
from revops.app.factory import create_app

WORKFLOW = """
name: stage-tasks
description: A task for the owner of every deal that changes stage.
trigger: {kind: record, entity: opportunity, event: changed, field: stage}
actions: [{kind: create_task, user: owner, title: "Check {name} ({stage})"}]
"""
SUBSCRIPTIONS = """
subscriptions:
  - {name: ann-weekly, user: ann@acme.test, metrics: [bookings], cron: "0 8 * * 1"}
  - {name: exec-alert, user: exec@acme.test, metrics: [bookings], below: 100}
  - {name: exec-pack, user: exec@acme.test, pack: weekly, cron: "0 7 * * 1"}
"""


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The tiny company after two workflow runs (a task each for Ann and Bob), served."""
    company = Company(tmp_path_factory.mktemp("automate") / "acme")
    company.workflow("stage-tasks", WORKFLOW)
    company.deliveries(SUBSCRIPTIONS)
    (company.root / "sequences").mkdir()
    (company.root / "sequences" / "nurture.yaml").write_text(
        "name: nurture\nsteps: [{kind: task, title: 'Call {name}'}]\n"
    )
    company.ws.automate.sequences.enrol("nurture", ["l-1"], at=NOW)
    company.ws.automate.apply(at=NOW)
    company.change("opportunity", "o-3", stage="Proposal")
    company.change("opportunity", "o-4", stage="Negotiation")
    company.ws.automate.apply(at=NOW)
    company.ws.close()
    ws = Workspace.open(company.root, read_only=True)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    app = create_app(ws, db=db, as_of=NOW.date(), warm=False)
    users.add_user(db, "ann@acme.test", "rep", PASSWORD)
    users.add_user(db, "exec@acme.test", "executive", PASSWORD)
    yield Cockpit(Path(company.root), app, db)
    ws.close()
    db.close()


def test_an_executive_sees_workflows_runs_tasks_and_own_subscriptions(cockpit: Cockpit) -> None:
    body = cockpit.client("exec@acme.test").get("/api/v1/automate").json()
    assert body["problem"] is None
    [workflow] = body["workflows"]
    assert (workflow["name"], workflow["trigger"]) == ("stage-tasks", "opportunity stage changed")
    assert workflow["last_status"] == "ok"
    assert [r["status"] for r in body["runs"]] == ["ok", "baseline"]
    assert sorted((t["user"], t["title"]) for t in body["tasks"]) == [
        ("Ann Archer", "Check Gamma expansion (Proposal)"),
        ("Bob Baker", "Check Delta pilot (Negotiation)"),
    ]
    assert body["tasks"][0]["record_url"].startswith("/deals/o-")
    assert [(s["name"], s["pack"]) for s in body["subscriptions"]] == [
        ("exec-alert", None), ("exec-pack", "weekly"),
    ]  # fmt: skip
    [nurture] = body["sequences"]
    assert (nurture["sequence"], nurture["enrolled"], nurture["active"]) == ("nurture", 1, 1)
    assert body["subscriptions"][0]["threshold"] == "below 100.0"
    client = cockpit.client("exec@acme.test")
    assert client.get("/api/v1/automate/runs").json() == body["runs"]
    assert client.get("/api/v1/automate/workflows").json() == body["workflows"]


def test_a_rep_sees_own_tasks_and_subscriptions_and_no_runs(cockpit: Cockpit) -> None:
    body = cockpit.client("ann@acme.test").get("/api/v1/automate").json()
    assert body["runs"] == []
    assert body["runs_note"]
    assert body["sequences"] == []
    assert [t["title"] for t in body["tasks"]] == ["Check Gamma expansion (Proposal)"]
    assert [s["name"] for s in body["subscriptions"]] == ["ann-weekly"]
    assert (
        cockpit.client("ann@acme.test").get("/api/v1/automate/subscriptions").json()[0]["cron"]
        == "0 8 * * 1"
    )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_page_shows_workflows_runs_and_subscriptions(cockpit: Cockpit) -> None:
    from playwright.sync_api import sync_playwright

    with served(cockpit) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = chromium.new_context().new_page()
        page.set_default_timeout(90_000)
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base_url}/signin?next=/automate")
        page.fill("input[name=email]", "exec@acme.test")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/automate")
        assert page.locator("nav a[href='/automate']").get_attribute("aria-current") == "page"
        assert "stage-tasks" in page.locator("#workflow-table tbody").inner_text()
        assert page.locator("#run-table tbody tr").count() == 2
        subscriptions = page.locator("#subscription-table tbody").inner_text()
        assert "exec-alert" in subscriptions
        assert "meeting pack weekly" in subscriptions
        assert "nurture" in page.locator("#sequence-table tbody").inner_text()
        link = page.locator("#task-table tbody a[href^='/deals/']").first
        name = link.inner_text()
        link.click()
        page.wait_for_url("**/deals/**")
        assert name in page.locator("h1").inner_text()
        assert errors == []
        chromium.close()
