"""Quotas and capacity in the cockpit on the demo company: who sees the pages and their
JSON twins, names beside ids, the plan summing to the target, and the page in Chromium."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import PASSWORD, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import ARGS, CHROMIUM, served
from revops.app.access import ROLES, TERRITORY_PLANNERS, TERRITORY_ROLES

from support import csrf

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


@pytest.fixture(scope="module")
def writable(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """A copy of the demo company, served, for plans applied from the cockpit."""
    root = tmp_path_factory.mktemp("quotas") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    with serving(root) as served_app:
        yield served_app


@pytest.mark.parametrize("role", ROLES)
def test_only_revops_and_admins_apply_or_revert_quotas(writable: Cockpit, role: str) -> None:
    client = writable.client(role_email(role))
    headers = {"x-csrf-token": csrf(client)}
    body = {"year": "FY2028", "target": 5_000_000, "plan_sha256": "0" * 64}
    applied = client.post("/api/v1/quotas/apply", json=body, headers=headers)
    # A planner gets past the role check to the hash check (409: not the plan reviewed).
    assert applied.status_code == (409 if role in TERRITORY_PLANNERS else 403), applied.text
    reverted = client.post("/api/v1/quotas/revert", json={"year": "FY2028", "version": 99},
                           headers=headers)  # fmt: skip
    assert reverted.status_code == (409 if role in TERRITORY_PLANNERS else 403)


def test_the_plan_shown_is_applied_then_reverted_from_the_page(writable: Cockpit) -> None:
    from revops.app.audit import recent

    client = writable.client(role_email("revops"))
    view = client.get(f"/api/v1/quotas?{QUERY}").json()
    digest = view["plan_sha256"]
    page = client.get(f"/quotas?{QUERY}").text
    assert 'id="quotas-apply"' in page
    assert digest in page
    applied = client.post("/quotas/apply", data={
        "year": "FY2028", "target": "5000000", "plan_sha256": digest, "note": "board",
        "csrf_token": csrf(client)}, follow_redirects=False)  # fmt: skip
    assert applied.status_code == 303, applied.text
    ws = writable.app.state.revops.workspace
    version = ws.quotas.versions()[-1]
    assert version.note == "board"
    records = ws.quotas.records(version.version)
    assert {(r["user_id"], float(r["amount"])) for r in records} == {
        (r["rep_id"], q) for r in view["reps"] for q in (r["q1"], r["q2"], r["q3"], r["q4"])
    }
    assert recent(writable.db)[0].action == "quotas.apply"
    # The same request again is another plan now (it replaces the version just applied).
    again = client.post("/quotas/apply", data={
        "year": "FY2028", "target": "5000000", "plan_sha256": digest,
        "csrf_token": csrf(client)}, follow_redirects=False)  # fmt: skip
    assert again.status_code == 409
    after = client.get(f"/api/v1/quotas?{QUERY}").json()
    assert after["latest_version"] == version.version
    reverted = client.post("/quotas/revert", data={
        "year": "FY2028", "version": str(version.version), "csrf_token": csrf(client)},
        follow_redirects=False)  # fmt: skip
    assert reverted.status_code == 303, reverted.text
    assert ws.quotas.versions()[-1].reverted_at is not None
    assert recent(writable.db)[0].action == "quotas.revert"
    assert client.get(f"/api/v1/quotas?{QUERY}").json()["plan_sha256"] == digest


def test_quota_and_capacity_plans_download_as_xlsx(cockpit: Cockpit) -> None:
    from openpyxl import load_workbook

    client = cockpit.client(role_email("executive"))
    view = client.get(f"/api/v1/quotas?{QUERY}").json()
    found = client.get(view["export_xlsx"])
    assert found.status_code == 200
    book = load_workbook(io.BytesIO(found.content))
    rows = list(book["quotas"].values)
    assert rows[0][:5] == ("rep", "rep_id", "team", "manager", "quarter")
    assert len(rows) - 1 == 4 * len(view["reps"])
    assert sum(r[7] for r in rows[1:]) == pytest.approx(5_000_000)
    names = {r["rep_id"]: r["rep"] for r in view["reps"]}
    assert all(names[r[1]] == r[0] for r in rows[1:])
    capacity = client.get(f"/api/v1/capacity?{QUERY}").json()
    months = list(load_workbook(io.BytesIO(client.get(capacity["export_xlsx"]).content))
                  ["months"].values)  # fmt: skip
    assert len(months) == 13
    assert [m[4] for m in months[1:]] == pytest.approx(
        [m["expected_bookings"] for m in capacity["months"]]
    )
    assert cockpit.client(role_email("rep")).get(view["export_xlsx"]).status_code == 403
