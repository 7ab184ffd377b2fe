"""The desk in the cockpit: a requester reads and rates only their own requests, the
revops role the whole queue by value; intake by API and form; the stack audit page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import AS_OF, OTHER_REP, PASSWORD, REP, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import ARGS, CHROMIUM, served
from revops import Workspace
from revops.app.access import PERMISSIONS, ROLES

REVOPS = role_email("revops")
MARKETING = role_email("marketing")
JIRA = f"""Summary,Issue key,Reporter,Priority,Created,Due date,Status,Description
Pipeline by region,OPS-1,{REP},High,02/Nov/26 9:15 AM,,Open,For the QBR
Territory split,OPS-2,{OTHER_REP},Low,03/Nov/26 2:40 PM,,In Progress,
Campaign report,OPS-3,{MARKETING},Medium,04/Nov/26 11:00 AM,,Open,
"""


@pytest.fixture(scope="module")
def cockpit(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company with three requests imported, served."""
    root = tmp_path_factory.mktemp("desk") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    path = root / "jira.csv"
    path.write_text(JIRA, encoding="utf-8")
    ws = Workspace.open(root)
    try:
        ws.desk.import_csv(path, by="test")
    finally:
        ws.close()
    with serving(root) as served_app:
        yield served_app


def _csrf(client: Any) -> dict[str, str]:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/desk").text)
    assert found is not None
    return {"X-CSRF-Token": found.group(1)}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_asks_the_desk_and_the_revops_role_audits_the_stack(
    cockpit: Cockpit, role: str
) -> None:
    client = cockpit.client(role_email(role))
    assert client.get("/api/v1/desk").status_code == 200
    assert client.get("/desk").status_code == 200
    expected = 200 if "manage_desk" in PERMISSIONS[role] else 403  # type: ignore[index]
    assert client.get("/api/v1/audit/stack").status_code == expected
    assert client.get("/desk/stack").status_code == expected
    assert client.get("/api/v1/audit/journey").status_code == expected
    assert client.get("/desk/journey").status_code == expected
    assert client.get("/api/v1/desk/changes").status_code == 200
    assert client.get("/desk/changes").status_code == 200


def test_a_requester_reads_only_their_own_requests(cockpit: Cockpit) -> None:
    mine = cockpit.client(REP).get("/api/v1/desk/requests").json()
    assert [r["request_id"] for r in mine] == ["OPS-1"]
    assert mine[0]["requester"]["name"] == "John Hernandez"
    theirs = cockpit.client(MARKETING).get("/api/v1/desk/requests").json()
    assert [r["request_id"] for r in theirs] == ["OPS-3"]
    queue = cockpit.client(REVOPS).get("/api/v1/desk").json()
    assert {r["request_id"] for r in queue["queue"]} >= {"OPS-1", "OPS-2", "OPS-3"}
    ranks = [r["rank"] for r in queue["queue"]]
    assert ranks == sorted(ranks)
    scores = [r["value_score"] for r in queue["queue"]]
    assert scores == sorted(scores, reverse=True)
    first = queue["queue"][0]
    assert first["requester"]["url"].startswith("/reps/")
    assert queue["summary"]["open"] >= 3


def test_intake_by_api_then_triage_move_and_rate(cockpit: Cockpit) -> None:
    rep, revops, other = cockpit.client(REP), cockpit.client(REVOPS), cockpit.client(OTHER_REP)
    body = {"title": "Churn by cohort", "type": "report", "stated_urgency": "high",
            "linked_kpi": "bookings", "reach": 12}  # fmt: skip
    assert rep.post("/api/v1/desk/requests", json=body).status_code == 403  # no CSRF token
    made = rep.post("/api/v1/desk/requests", json=body, headers=_csrf(rep))
    assert made.status_code == 201, made.text[:300]
    request_id = made.json()["request_id"]
    assert made.json()["requester"]["name"] == "John Hernandez"
    assert request_id not in {r["request_id"] for r in other.get("/api/v1/desk").json()["queue"]}
    unknown = rep.post("/api/v1/desk/requests", json={**body, "linked_kpi": "nope"},
                       headers=_csrf(rep))  # fmt: skip
    assert unknown.status_code == 400
    assert "no metric 'nope'" in unknown.json()["detail"]
    url = f"/api/v1/desk/requests/{request_id}"
    assert rep.post(f"{url}/move", json={"status": "done"}, headers=_csrf(rep)).status_code == 403
    refused = revops.post(f"{url}/move", json={"status": "done"}, headers=_csrf(revops))
    assert refused.status_code == 400
    assert "may move to" in refused.json()["detail"]
    triage = {"priority": "critical", "owner_id": REP, "effort": 1}
    assert revops.post(f"{url}/triage", json=triage, headers=_csrf(revops)).status_code == 200
    for status in ("in_progress", "done"):
        moved = revops.post(f"{url}/move", json={"status": status}, headers=_csrf(revops))
        assert moved.status_code == 200, moved.text[:300]
    assert other.post(f"{url}/rate", json={"rating": 1}, headers=_csrf(other)).status_code == 400
    assert rep.post(f"{url}/rate", json={"rating": 5}, headers=_csrf(rep)).status_code == 200
    mine = {r["request_id"]: r for r in rep.get("/api/v1/desk/requests").json()}
    assert (mine[request_id]["status"], mine[request_id]["rating"]) == ("done", 5)
    audit = cockpit.client(role_email("admin")).get("/api/v1/audit").json()
    actions = {(e["action"], e["target"]) for e in audit}
    assert ("desk.request.rate", request_id) in actions


def test_the_journey_audit_and_the_change_log(cockpit: Cockpit) -> None:
    client = cockpit.client(REVOPS)
    journey = client.get("/api/v1/audit/journey").json()
    assert [s["stage"] for s in journey["stages"]][:3] == ["subscriber", "lead", "mql"]
    assert journey["content"]
    changes = client.get("/api/v1/desk/changes").json()
    assert changes["problem"] is None or "snapshot" in changes["problem"]


def test_the_stack_audit_resolves_every_usage_row(cockpit: Cockpit) -> None:
    body = cockpit.client(REVOPS).get("/api/v1/audit/stack").json()
    summary = body["summary"]
    assert summary["usage_rows"] > 1000
    assert summary["usage_rows_resolved"] == summary["usage_rows"]
    assert body["overlaps"]
    assert any(r["rep"] and r["rep"]["url"] for r in body["reps"])


pytestmark_browser = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


@pytestmark_browser
def test_a_requester_asks_through_the_form_and_sees_it(cockpit: Cockpit) -> None:
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
        page.goto(f"{base_url}/signin?next=/desk")
        page.fill("input[name=email]", MARKETING)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/desk")
        assert page.locator("nav a[href='/desk']").get_attribute("aria-current") == "page"
        page.fill("#desk-form input[name=title]", "Webinar funnel report")
        page.select_option("#desk-form select[name=stated_urgency]", "critical")
        page.click("#desk-form button")
        page.wait_for_url("**/desk#*")
        rows = page.locator("#desk-queue tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert any("Webinar funnel report" in t for t in texts)
        assert all("Pipeline by region" not in t for t in texts)  # the rep's, not theirs
        assert errors == []
        chromium.close()
    assert AS_OF is not None
