"""The identity review queue in the API and the cockpit: revops and admin list unsure
pairs with both records side by side and decide them (stored, audited); every other role
is refused; the next `revops identity run` stores and respects the decisions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.conftest import Cockpit, role_email, serving
from app.test_browser import ARGS, CHROMIUM, served
from revops import Workspace
from revops.app import audit, review
from revops.app.access import ROLES
from revops.app.db import AppDatabase
from revops.ingest.runner import ingest

from support import CSRF_PAGE, csrf, run_cli

FEBRL1 = Path(__file__).parents[1] / "fixtures" / "febrl" / "febrl1"
REVIEWERS = ("admin", "revops")


@pytest.fixture(scope="module")
def resolved_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FEBRL 1 as Salesforce contacts, resolved once (its warehouse closed again)."""
    root = tmp_path_factory.mktemp("review") / "ws"
    ws = Workspace.create(root)
    try:
        assert ingest(ws, [str(FEBRL1 / "salesforce")]).failed == []
        ws.identity.run(["person"])
    finally:
        ws.close()
    return root


@pytest.fixture
def cockpit(resolved_root: Path) -> Iterator[Cockpit]:
    with serving(resolved_root) as served_app:
        yield served_app
    (resolved_root / "app.db").unlink(missing_ok=True)


@pytest.mark.parametrize("role", ROLES)
def test_only_revops_and_admin_see_the_queue(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    api = client.get("/api/v1/identity/review")
    page = client.get("/identity/review")
    if role not in REVIEWERS:
        assert api.status_code == page.status_code == 403
        assert 'href="/identity/review"' not in client.get(CSRF_PAGE).text
        posted = client.post(
            "/api/v1/identity/review",
            json={"left": "a", "right": "b", "decision": "accept"},
            headers={"X-CSRF-Token": csrf(client)},
        )
        assert posted.status_code == 403
        return
    assert api.status_code == 200, api.text
    view = api.json()
    band = view["band"]
    assert view["kind"] == "person"
    assert view["problem"] is None
    assert view["pairs"], "FEBRL 1 has pairs the model is unsure of"
    for pair in view["pairs"]:
        assert band[0] <= pair["match_probability"] < band[1]
        for side in ("left", "right"):
            record = pair[f"{side}_record"]
            assert record["unique_id"] == pair[side]
            assert record["entity"] == "contact"
            assert record["source_system"] == "salesforce"
            assert record["name"]
            assert record["source_id"] in pair[side]
        assert {c["comparison"] for c in pair["comparisons"]} >= {"last_name", "postcode"}
        assert all(c["level"] for c in pair["comparisons"])
    assert page.status_code == 200
    first = view["pairs"][0]
    assert first["left_record"]["name"] in page.text
    assert first["left"] in page.text
    assert 'href="/identity/review"' in page.text


def test_a_decision_is_stored_audited_and_leaves_the_queue(cockpit: Cockpit) -> None:
    client = cockpit.client(role_email("revops"))
    pair = client.get("/api/v1/identity/review").json()["pairs"][0]
    refused = client.post(
        "/api/v1/identity/review", json={"left": pair["left"], "right": pair["right"],
                                         "decision": "accept"},
    )  # fmt: skip
    assert refused.status_code == 403  # no CSRF token
    posted = client.post(
        "/api/v1/identity/review",
        json={"left": pair["right"], "right": pair["left"], "decision": "reject"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert posted.status_code == 201, posted.text
    body = posted.json()
    assert (body["left"], body["right"], body["decision"]) == (pair["left"], pair["right"],
                                                                "reject")  # fmt: skip
    assert body["decided_by"] == role_email("revops")
    (stored,) = review.pending(cockpit.db, "person")
    assert (stored.left, stored.right, stored.decision) == (pair["left"], pair["right"], "reject")
    (event,) = [e for e in audit.recent(cockpit.db) if e.action.startswith("identity.")]
    assert (event.actor, event.action) == (role_email("revops"), "identity.reject")
    assert pair["left"] in event.target
    assert pair["right"] in event.target
    view = client.get("/api/v1/identity/review").json()
    assert (pair["left"], pair["right"]) not in {(p["left"], p["right"]) for p in view["pairs"]}
    assert [(d["left"], d["decision"]) for d in view["pending"]] == [(pair["left"], "reject")]
    assert view["pending"][0]["left_name"] == pair["left_record"]["name"]
    same = client.post(
        "/api/v1/identity/review",
        json={"left": pair["left"], "right": pair["left"], "decision": "accept"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert same.status_code == 400
    assert "same record" in same.json()["detail"]


def test_the_next_run_stores_and_respects_cockpit_decisions(
    resolved_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = resolved_root
    with serving(root) as cockpit:
        client = cockpit.client(role_email("admin"))
        pairs = client.get("/api/v1/identity/review").json()["pairs"]
        linked = next(p for p in pairs if p["is_match"])
        apart = next(p for p in pairs if not p["is_match"])
        token = csrf(client)
        for pair, decision in ((linked, "reject"), (apart, "accept")):
            posted = client.post(
                "/identity/review",
                data={"left": pair["left"], "right": pair["right"], "decision": decision,
                      "csrf_token": token},
                follow_redirects=False,
            )  # fmt: skip
            assert posted.status_code == 303, posted.text
    # The server stopped: the CLI may write the warehouse.
    code, _, err = run_cli(capsys, "-w", str(root), "identity", "run", "--kind", "person")
    assert code == 0, err
    assert "2 decision(s) made in the cockpit" in err
    db = AppDatabase(Workspace.open(root, read_only=True).config.app_database.url, root)
    try:
        assert review.pending(db) == []
    finally:
        db.close()
        (root / "app.db").unlink(missing_ok=True)
    ws = Workspace.open(root, read_only=True)
    try:
        cluster = {u: ws.identity.record(u)["cluster_id"] for p in (linked, apart)
                   for u in (p["left"], p["right"])}  # fmt: skip
        stored = ws.warehouse.table("review", "identity").to_pyarrow().to_pylist()
    finally:
        ws.close()
    assert cluster[linked["left"]] != cluster[linked["right"]]
    assert cluster[apart["left"]] == cluster[apart["right"]]
    assert {(r["unique_id_l"], r["decision"], r["decided_by"]) for r in stored} == {
        (linked["left"], "reject", role_email("admin")),
        (apart["left"], "accept", role_email("admin")),
    }


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_a_reviewer_accepts_a_pair_in_the_browser(cockpit: Cockpit) -> None:
    from playwright.sync_api import sync_playwright

    from app.conftest import PASSWORD

    with served(cockpit) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            errors: list[str] = []
            # Script errors and CSP refusals; failed loads are checked by their responses.
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            failed: list[str] = []
            page.on(
                "response",
                lambda r: (
                    failed.append(r.url)
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(f"{base}/signin")
            page.fill("input[name=email]", role_email("revops"))
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.click("nav a[href='/identity/review']")
            page.wait_for_url(f"{base}/identity/review")
            row = page.locator("#review-table tbody tr").first
            left, right = row.get_attribute("data-left"), row.get_attribute("data-right")
            assert left
            assert right
            row.get_by_role("button", name="Same person").click()
            page.wait_for_url(f"{base}/identity/review?kind=person")
            assert page.locator(f"#review-table tr[data-left='{left}'][data-right='{right}']"
                                ).count() == 0  # fmt: skip
            assert page.locator("#pending-table").inner_text().count("accept") == 1
            assert errors == []
            assert failed == []
        finally:
            browser.close()
    (stored,) = review.pending(cockpit.db, "person")
    assert (stored.left, stored.right, stored.decision) == (left, right, "accept")
    assert stored.decided_by == role_email("revops")
