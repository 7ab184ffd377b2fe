"""The leads page and its API: the queue by score with reasons and names, the stored
evaluation, the qualification plan; marketing and sales see it, within their rows."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.conftest import AS_OF, REP, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import ARGS, CHROMIUM, served
from leads.conftest import QUICK_RULES, write_rules
from revops import Workspace
from revops.app.access import LEADS_ROLES, ROLES

from support import csrf


@pytest.fixture(scope="module")
def cockpit(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company scored and evaluated as of the cockpit's day, then served."""
    root = tmp_path_factory.mktemp("leads") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    write_rules(root, QUICK_RULES)
    ws = Workspace.open(root)
    try:
        ws.leads.score(AS_OF)
        ws.leads.evaluate(AS_OF, snapshots=4, save=True)
    finally:
        ws.close()
    with serving(root) as served_app:
        yield served_app


@pytest.mark.parametrize("role", ROLES)
def test_marketing_and_sales_roles_see_the_leads(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    expected = 200 if role in LEADS_ROLES else 403
    assert client.get("/api/v1/leads").status_code == expected
    assert client.get("/leads").status_code == expected
    assert client.get("/api/v1/leads/evaluation").status_code == expected


def test_the_queue_is_by_learned_score_with_names_reasons_and_person_links(
    cockpit: Cockpit,
) -> None:
    body = cockpit.client(role_email("marketing")).get("/api/v1/leads").json()
    queue = body["queue"]
    assert queue, body.get("problem")
    scores = [q["model_score"] for q in queue]
    assert scores == sorted(scores, reverse=True)
    first = queue[0]
    assert first["lead"]["name"] != first["lead"]["id"]
    assert first["lead"]["url"] == "/people/lead:" + first["lead"]["id"]
    assert first["reasons"]
    assert re.search(r" [+-]\d+\.\d\d$", first["reasons"][0])
    assert first["owner"]["name"]
    assert body["model_version"].startswith("lr-")
    evaluation = cockpit.client(role_email("marketing")).get("/api/v1/leads/evaluation").json()
    assert set(evaluation["auc"]) >= {"model_score", "rule_score", "fit", "engagement"}
    assert len(evaluation["lift"]) == 10


def test_a_rep_sees_only_their_own_leads(cockpit: Cockpit) -> None:
    everyone = cockpit.client(role_email("marketing")).get("/api/v1/leads").json()["queue"]
    mine = cockpit.client(REP).get("/api/v1/leads").json()["queue"]
    ws = cockpit.app.state.revops.workspace
    scope = ws.metrics.scope_for(REP, team=False)
    assert {q["owner"]["id"] for q in mine} <= set(scope.owners)
    assert len(mine) < len(everyone)


def test_the_qualify_plan_names_rules_and_needs_the_csrf_token(cockpit: Cockpit) -> None:
    client = cockpit.client(role_email("marketing"))
    assert client.post("/api/v1/leads/qualify/plan").status_code == 403
    response = client.post("/api/v1/leads/qualify/plan", headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["considered"] > 0
    for change in body["changes"]:
        assert change["rule"].startswith(change["to_stage"] + ".")
        assert change["lead"]["url"].startswith("/people/lead:")


pytestmark_browser = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


@pytestmark_browser
def test_the_page_lists_the_queue_and_links_to_the_person(cockpit: Cockpit) -> None:
    from playwright.sync_api import sync_playwright

    from app.conftest import PASSWORD

    email = role_email("marketing")
    with served(cockpit) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = chromium.new_context().new_page()
        page.set_default_timeout(90_000)
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base_url}/signin?next=/leads")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/leads")
        rows = page.locator("#lead-queue tbody tr")
        assert rows.count() > 1
        assert page.locator("#lead-auc tbody tr").count() >= 4
        assert "Learned score (as a new lead)" in page.locator("#lead-auc").inner_text()
        assert page.locator("#lead-calibration tbody tr").count() == 10
        assert page.locator("nav a[href='/leads']").get_attribute("aria-current") == "page"
        first = page.locator("#lead-queue tbody a[href^='/people/lead:']").first
        name = first.inner_text()
        first.click()
        page.wait_for_url("**/people/**")
        assert name in page.locator("h1").inner_text()
        assert errors == []  # nothing the strict policy blocked
        chromium.close()
