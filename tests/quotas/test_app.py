"""Quotas and capacity in the cockpit on the demo company: who sees the pages and their
JSON twins, names beside ids, the plan summing to the target, and the page in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import PASSWORD, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import ARGS, CHROMIUM, served
from revops.app.access import ROLES, TERRITORY_ROLES

QUERY = "year=FY2028&target=5000000"


@pytest.fixture(scope="module")
def cockpit(demo_root: Path) -> Iterator[Cockpit]:
    """The demo company, served read-only."""
    with serving(demo_root) as served_app:
        yield served_app


@pytest.mark.parametrize("role", ROLES)
def test_company_wide_roles_see_quotas_and_capacity(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    expected = 200 if role in TERRITORY_ROLES else 403
    for path in ("/api/v1/quotas", "/quotas", "/api/v1/capacity", "/capacity"):
        assert client.get(path).status_code == expected, path


def test_the_plan_sums_to_the_target_with_names_beside_ids(cockpit: Cockpit) -> None:
    client = cockpit.client(role_email("revops"))
    view = client.get(f"/api/v1/quotas?{QUERY}").json()
    assert view["total"] == 5_000_000
    assert sum(r["top_down"] for r in view["reps"]) == pytest.approx(5_000_000)
    assert all(r["rep"] and r["rep"] != r["rep_id"] for r in view["reps"])
    assert sum(q["season_share"] for q in view["quarters"]) == pytest.approx(1, abs=1e-5)
    capacity = client.get(f"/api/v1/capacity?{QUERY}&productivity=-0.1").json()
    assert len(capacity["months"]) == 12
    assert capacity["totals"]["hires"] == len(capacity["hires"])
    bad = client.get("/api/v1/quotas?year=FY2028-Q1&target=5")
    assert bad.status_code == 422
    assert "fiscal year" in bad.json()["detail"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_quota_page_in_chromium(cockpit: Cockpit) -> None:
    from playwright.sync_api import sync_playwright

    with served(cockpit) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page: Any = chromium.new_context().new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{base_url}/signin?next=/quotas")
        page.fill("input[name=email]", role_email("revops"))
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/quotas")
        assert page.locator("nav a[aria-current=page]").inner_text() == "Quotas"
        page.fill("#quotas-form input[name=year]", "FY2028")
        page.fill("#quotas-form input[name=target]", "5000000")
        page.click("#quotas-form button[type=submit]")
        page.wait_for_selector("#quotas-teams")
        assert page.locator("#quotas-teams tbody tr").last.inner_text().startswith("company")
        assert page.locator("#quotas-reps tbody tr").count() >= 2
        page.goto(f"{base_url}/capacity?{QUERY}")
        assert page.locator("#capacity-months tbody tr").count() == 12
        chromium.close()
