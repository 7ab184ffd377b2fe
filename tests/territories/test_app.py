"""Territory design in the cockpit on the demo company: who sees the page and its JSON
twin, who may run a design, and the version in effect with names beside ids."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import AS_OF, PASSWORD, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import ARGS, CHROMIUM, served
from revops import Workspace
from revops.app.access import ROLES, TERRITORY_PLANNERS, TERRITORY_ROLES

from support import csrf

DESIGN = """
potential: {arr: 1.0, open_pipeline: 0.5}
workload: {accounts: 1.0, open_deals: 2.0}
solver: {time_limit_seconds: 3}
"""


@pytest.fixture(scope="module")
def cockpit(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company with one territory version applied, served."""
    root = tmp_path_factory.mktemp("territories") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    (root / "plans" / "territories.yaml").write_text(DESIGN)
    ws = Workspace.open(root)
    try:
        ws.territories.apply(ws.territories.plan(AS_OF), effective=AS_OF, note="first")
    finally:
        ws.close()
    with serving(root) as served_app:
        yield served_app


@pytest.mark.parametrize("role", ROLES)
def test_company_wide_roles_see_territories(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    expected = 200 if role in TERRITORY_ROLES else 403
    assert client.get("/api/v1/territories").status_code == expected
    assert client.get("/territories").status_code == expected


@pytest.mark.parametrize("role", ["revops", "executive", "rep"])
def test_only_revops_and_admins_run_a_design(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    response = client.post("/api/v1/territories/plan", headers={"x-csrf-token": csrf(client)})
    assert response.status_code == (200 if role in TERRITORY_PLANNERS else 403), response.text
    if response.status_code == 200:
        body = response.json()
        assert [c["assignment"] for c in body["comparison"]] == ["current", "greedy", "optimiser"]
        assert body["solver"]["status"] in ("OPTIMAL", "FEASIBLE")


def test_the_version_in_effect_shows_each_reps_book_by_name(cockpit: Cockpit) -> None:
    view = cockpit.client(role_email("revops")).get("/api/v1/territories").json()
    assert view["version"] == 1
    ws = cockpit.app.state.revops.workspace
    names = {u.user_id: u.name for u in _users(ws)}
    assert view["reps"]
    assert all(r["rep"] == names[r["rep_id"]] for r in view["reps"])
    accounts = sum(r["accounts"] for r in view["reps"])
    assert accounts == view["versions"][0]["accounts"]
    assert [c["assignment"] for c in view["comparison"]] == ["current", "greedy", "optimiser"]
    page = cockpit.client(role_email("revops")).get("/territories").text
    assert view["reps"][0]["rep"] in page


def _users(ws: Workspace) -> list[Any]:
    from revops.routing import read_directory

    return list(read_directory(ws.warehouse).users.values())


@pytest.mark.parametrize("role", ["executive", "rep", "manager"])
def test_only_revops_and_admins_apply_or_revert(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    headers = {"x-csrf-token": csrf(client)}
    applied = client.post("/api/v1/territories/apply", json={"plan_sha256": "0" * 64},
                          headers=headers)  # fmt: skip
    assert applied.status_code == 403
    assert client.post("/api/v1/territories/revert", json={"version": 1},
                       headers=headers).status_code == 403  # fmt: skip
    form = client.post("/territories/apply", data={"plan_sha256": "0" * 64,
                                                   "csrf_token": csrf(client)})  # fmt: skip
    assert form.status_code == 403


def test_a_form_post_without_the_csrf_token_is_refused(cockpit: Cockpit) -> None:
    client = cockpit.client(role_email("revops"))
    response = client.post("/territories/apply", data={"plan_sha256": "0" * 64})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_the_pending_plan_is_applied_exactly_then_reverted_from_the_cockpit(
    cockpit: Cockpit,
) -> None:
    from revops.app.audit import recent

    client = cockpit.client(role_email("revops"))
    headers = {"x-csrf-token": csrf(client)}
    planned = client.post("/api/v1/territories/plan", headers=headers)
    assert planned.status_code == 200, planned.text
    digest = planned.json()["plan_sha256"]
    view = client.get("/api/v1/territories").json()
    pending = view["pending"]
    assert pending["plan_sha256"] == digest
    assert [c["assignment"] for c in pending["comparison"]] == ["current", "greedy", "optimiser"]
    now = pending["comparison"][0]["expected_bookings"]
    for c in pending["comparison"]:
        assert c["bookings_change"] == pytest.approx(c["expected_bookings"] - now, abs=0.02)
    # The chart: each rep over its fair share; the proposed potential sums to the reps'
    # fair shares (each bar × its fair share).
    bars = {b["rep_id"]: b for b in view["balance"]}
    reps = {r["rep_id"]: r for r in pending["reps"]}
    assert set(bars) == set(reps)
    for rep_id, bar in bars.items():
        fair = reps[rep_id]["fair_potential"]
        if fair:
            assert bar["potential_proposed"] * fair == pytest.approx(
                reps[rep_id]["potential"], rel=1e-3, abs=0.01
            )
    page = client.get("/territories").text
    assert 'id="territories-apply"' in page
    assert digest in page
    assert 'id="territories-apply"' not in cockpit.client(role_email("executive")).get(
        "/territories").text  # fmt: skip

    wrong = client.post("/api/v1/territories/apply", json={"plan_sha256": "f" * 64},
                        headers=headers)  # fmt: skip
    assert wrong.status_code == 409
    assert "reviewed" in wrong.json()["detail"]
    before_version = view["versions"][0]["version"]
    ws = cockpit.app.state.revops.workspace
    _, before = ws.territories.assignment_at(AS_OF)
    proposed = _pending_assignment(cockpit.root)
    applied = client.post("/territories/apply", data={
        "plan_sha256": digest, "effective": AS_OF.isoformat(), "note": "from the cockpit",
        "csrf_token": csrf(client)}, follow_redirects=False)  # fmt: skip
    assert applied.status_code == 303, applied.text
    version, stored = ws.territories.assignment_at(AS_OF)
    assert version is not None
    assert version.version == before_version + 1
    assert stored == proposed
    log = [e for e in recent(cockpit.db) if e.action.startswith("territories.")]
    assert log[0].action == "territories.apply"
    assert log[0].actor == role_email("revops")
    assert digest[:12] in log[0].detail
    # Nothing pending any more; the applied plan is filed with the version.
    again = client.post("/api/v1/territories/apply", json={"plan_sha256": digest},
                        headers=headers)  # fmt: skip
    assert again.status_code == 409
    assert (cockpit.root / "plans" / "territory_versions" / f"v{version.version}.json").exists()

    stale = client.post("/api/v1/territories/revert", json={"version": before_version},
                        headers=headers)  # fmt: skip
    assert stale.status_code == 409
    reverted = client.post("/api/v1/territories/revert", json={"version": version.version},
                           headers=headers)  # fmt: skip
    assert reverted.status_code == 200, reverted.text
    assert reverted.json()["restored"] == before_version
    assert ws.territories.assignment_at(AS_OF)[1] == before
    assert recent(cockpit.db)[0].action == "territories.revert"


def _pending_assignment(root: Path) -> dict[str, str]:
    import json

    found = json.loads((root / "plans" / "pending" / "territories.json").read_text())
    return {a["account_id"]: a["rep_id"] for a in found["assignment"]}


def test_the_pending_plan_downloads_as_xlsx_with_names_beside_ids(cockpit: Cockpit) -> None:
    import io

    from openpyxl import load_workbook

    client = cockpit.client(role_email("admin"))
    planned = client.post("/api/v1/territories/plan", headers={"x-csrf-token": csrf(client)})
    assert planned.status_code == 200
    response = client.get("/api/v1/territories/export?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["assignment", "reps", "comparison"]
    rows = list(book["assignment"].values)
    assert rows[0][:7] == ("account", "account_id", "current_owner", "current_owner_id",
                           "proposed_owner", "proposed_owner_id", "territory")  # fmt: skip
    proposed = _pending_assignment(cockpit.root)
    assert len(rows) - 1 == len(proposed)
    names = {u.user_id: u.name for u in _users(cockpit.app.state.revops.workspace)}
    for row in rows[1:]:
        assert proposed[row[1]] == row[5]
        assert row[4] == names[row[5]]
    csv_text = client.get("/api/v1/territories/export?format=csv").text
    assert csv_text.splitlines()[0].startswith("account,account_id,current_owner")
    assert cockpit.client(role_email("rep")).get(
        "/api/v1/territories/export?format=xlsx").status_code == 403  # fmt: skip


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_apply_this_plan_then_revert_in_chromium(cockpit: Cockpit) -> None:
    from playwright.sync_api import sync_playwright

    client = cockpit.client(role_email("revops"))
    planned = client.post("/api/v1/territories/plan", headers={"x-csrf-token": csrf(client)})
    assert planned.status_code == 200
    proposed = _pending_assignment(cockpit.root)
    ws = cockpit.app.state.revops.workspace
    before_version, before = ws.territories.assignment_at(AS_OF)
    assert before_version is not None
    with served(cockpit) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page: Any = chromium.new_context().new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{base_url}/signin?next=/territories")
        page.fill("input[name=email]", role_email("revops"))
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/territories")
        page.wait_for_selector("body[data-charts=ready]")
        assert page.locator("#balance-chart canvas").count() == 1
        page.fill("#territories-apply input[name=note]", "clicked")
        page.click("#territories-apply button[type=submit]")
        page.wait_for_url(f"{base_url}/territories#territories-versions")
        first = page.locator("#territories-versions tbody tr").first.inner_text()
        assert str(before_version.version + 1) in first
        assert "clicked" in first
        assert page.locator("#territories-apply").count() == 0  # nothing pending now
        assert ws.territories.assignment_at(AS_OF)[1] == proposed
        page.click("#territories-revert button[type=submit]")
        page.wait_for_url(f"{base_url}/territories#territories-versions")
        assert "(reverted)" in page.locator("#territories-versions tbody tr").first.inner_text()
        chromium.close()
    assert ws.territories.assignment_at(AS_OF)[1] == before
