"""The role matrix: every endpoint for every role, and no row of another owner leaking
through values, slices, drill-downs, exports or search."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.conftest import MANAGER, OTHER_REP, QUARTER, REP, YEAR, Cockpit, role_email
from revops.app.access import (
    COACHING_ROLES,
    PERMISSIONS,
    ROLES,
    TERRITORY_PLANNERS,
    TERRITORY_ROLES,
    Permission,
)

ENDPOINTS: list[tuple[str, Permission]] = [
    ("/api/v1/home", "view_cockpit"),
    ("/api/v1/me", "view_cockpit"),
    ("/api/v1/metrics", "view_cockpit"),
    (f"/api/v1/metrics/explore?metric=bookings&window={YEAR}&by=owner", "view_cockpit"),
    (f"/api/v1/funnel?window={YEAR}", "view_cockpit"),
    (f"/api/v1/pipeline?window={QUARTER}&by=segment", "view_cockpit"),
    (f"/api/v1/forecast?period={QUARTER}", "view_cockpit"),
    ("/api/v1/quality", "view_cockpit"),
    (f"/api/v1/metrics/rows?metric=bookings&window={YEAR}", "view_rows"),
    ("/api/v1/search?q=a", "view_rows"),
    ("/api/v1/quality/failures?entity=contact&rule=contact_email_valid", "view_rows"),
    (f"/api/v1/metrics/export?metric=bookings&window={YEAR}&format=csv", "export"),
    (f"/api/v1/metrics/rows/export?metric=bookings&window={YEAR}&format=xlsx", "export"),
    ("/api/v1/admin", "own_tokens"),
    ("/api/v1/tokens", "own_tokens"),
    ("/api/v1/users", "manage_users"),
    ("/api/v1/audit", "view_audit"),
    ("/api/v1/identity/review", "review_identity"),
    ("/api/v1/jobs", "view_jobs"),
    ("/api/v1/sync/status", "view_jobs"),
    (f"/api/v1/coaching/reps?window={QUARTER}", "view_cockpit"),
    ("/", "view_cockpit"),
    (f"/metrics?metric=win_rate&window={YEAR}&grain=quarter", "view_cockpit"),
    (f"/metrics/rows?metric=won_deals&window={YEAR}", "view_rows"),
    (f"/funnel?window={YEAR}", "view_cockpit"),
    (f"/pipeline?window={QUARTER}&by=owner", "view_cockpit"),
    (f"/forecast?period={QUARTER}", "view_cockpit"),
    ("/quality", "view_cockpit"),
    ("/search?q=a", "view_rows"),
    ("/quality/failures?entity=contact&rule=contact_email_valid", "view_rows"),
    ("/admin", "own_tokens"),
    ("/identity/review?kind=company", "review_identity"),
    ("/jobs", "view_jobs"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "permission"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_each_role_reaches_exactly_the_endpoints_its_permissions_allow(
    cockpit: Cockpit, role: str, path: str, permission: Permission
) -> None:
    response = cockpit.client(role_email(role)).get(path)
    expected = 200 if permission in PERMISSIONS[role] else 403  # type: ignore[index]
    assert response.status_code == expected, response.text[:300]


# Pages of some roles only, on top of view_cockpit: path → the roles that reach it.
PLAN = "year=FY2028&target=5000000"
ROLE_PAGES: list[tuple[str, frozenset[str]]] = [
    (f"/coaching?window={QUARTER}", COACHING_ROLES),
    (f"/api/v1/coaching?window={QUARTER}", COACHING_ROLES),
    ("/territories", TERRITORY_ROLES),
    ("/api/v1/territories", TERRITORY_ROLES),
    (f"/quotas?{PLAN}", TERRITORY_ROLES),
    (f"/api/v1/quotas?{PLAN}", TERRITORY_ROLES),
    (f"/api/v1/quotas/export?{PLAN}", TERRITORY_ROLES),
    (f"/capacity?{PLAN}", TERRITORY_ROLES),
    (f"/api/v1/capacity?{PLAN}", TERRITORY_ROLES),
    (f"/api/v1/capacity/export?{PLAN}", TERRITORY_ROLES),
]
# Plans applied and reverted (POST, CSRF): path → form or JSON body. Nothing is pending
# and no hash matches on the shared company, so a planner gets past the role check to a
# 409 and nothing changes.
PLAN_ACTIONS: list[tuple[str, dict[str, object]]] = [
    ("/territories/apply", {"plan_sha256": "0" * 64}),
    ("/territories/revert", {"version": 99}),
    ("/api/v1/territories/apply", {"plan_sha256": "0" * 64}),
    ("/api/v1/territories/revert", {"version": 99}),
    ("/quotas/apply", {"year": "FY2028", "target": 5000000, "plan_sha256": "0" * 64}),
    ("/quotas/revert", {"year": "FY2028", "version": 99}),
    ("/api/v1/quotas/apply", {"year": "FY2028", "target": 5000000, "plan_sha256": "0" * 64}),
    ("/api/v1/quotas/revert", {"year": "FY2028", "version": 99}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "roles"), ROLE_PAGES, ids=[p[0] for p in ROLE_PAGES])
def test_each_role_reaches_exactly_the_pages_of_its_role(
    cockpit: Cockpit, role: str, path: str, roles: frozenset[str]
) -> None:
    response = cockpit.client(role_email(role)).get(path, follow_redirects=False)
    assert response.status_code == (200 if role in roles else 403), response.text[:300]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body"), PLAN_ACTIONS, ids=[p[0] for p in PLAN_ACTIONS])
def test_only_planners_apply_or_revert_plans(
    cockpit: Cockpit, role: str, path: str, body: dict[str, object]
) -> None:
    client = cockpit.client(role_email(role))
    token = _csrf_token(cockpit, client)
    if path.startswith("/api/"):
        response = client.post(path, json=body, headers={"x-csrf-token": token})
    else:
        response = client.post(path, data={**body, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == (409 if role in TERRITORY_PLANNERS else 403), response.text
    assert cockpit.client().post(path, json=body).status_code in (401, 403)


def _csrf_token(cockpit: Cockpit, client: TestClient) -> str:
    """The CSRF token of the client's session, as its pages' forms carry it (read from
    the session rather than a page, which costs a whole home under a loaded machine)."""
    from revops.app.auth import SESSION_COOKIE

    state = cockpit.app.state.revops
    session = state.sessions.read(client.cookies.get(SESSION_COOKIE))
    assert session is not None
    return str(state.sessions.csrf_token(session))


@pytest.mark.parametrize(("path", "roles"), ROLE_PAGES, ids=[p[0] for p in ROLE_PAGES])
def test_nobody_signed_in_gets_the_pages_of_a_role(
    cockpit: Cockpit, path: str, roles: frozenset[str]
) -> None:
    response = cockpit.client().get(path, follow_redirects=False)
    assert response.status_code == (401 if path.startswith("/api/") else 303)


@pytest.mark.parametrize(("path", "permission"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_nobody_signed_in_gets_nothing(cockpit: Cockpit, path: str, permission: str) -> None:
    response = cockpit.client().get(path, follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303
        # To the sign-in, which then opens the page first asked for.
        expected = "/signin" if path == "/" else "/signin?" + urlencode({"next": path})
        assert response.headers["location"] == expected


def _owners(cockpit: Cockpit, email: str, team: bool) -> frozenset[str]:
    ws = cockpit.app.state.revops.workspace
    scope = ws.metrics.scope_for(email, team=team)
    assert scope is not None
    assert scope.owners
    return scope.owners


def _deal_rows(cockpit: Cockpit, email: str | None, metric: str = "won_deals") -> list[dict]:
    client = cockpit.client(email or "admin@example.com")
    body = client.get(f"/api/v1/metrics/rows?metric={metric}&window={YEAR}").json()
    table = body["tables"][0]
    assert table["total"] == len(table["rows"]), "the test needs every row on the page"
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


@pytest.mark.parametrize(("email", "team"), [(REP, False), (MANAGER, True)])
def test_drill_down_rows_are_the_users_own_or_teams(
    cockpit: Cockpit, email: str, team: bool
) -> None:
    owners = _owners(cockpit, email, team)
    everyone = _deal_rows(cockpit, None)
    mine = _deal_rows(cockpit, email)
    assert mine, "the user owns won deals in the window"
    assert {r["owner_id"] for r in mine} <= owners
    expected = sorted(r["opportunity_id"] for r in everyone if r["owner_id"] in owners)
    assert sorted(r["opportunity_id"] for r in mine) == expected
    assert len(mine) < len(everyone)


def test_a_managers_team_includes_the_rep_but_not_another_team(cockpit: Cockpit) -> None:
    team = _owners(cockpit, MANAGER, True)
    assert _owners(cockpit, REP, False) <= team
    assert not _owners(cockpit, OTHER_REP, False) & team


def test_a_rep_sees_none_of_another_reps_deals_by_drill_slice_export_or_search(
    cockpit: Cockpit,
) -> None:
    others = _owners(cockpit, OTHER_REP, False)
    theirs = [r for r in _deal_rows(cockpit, None) if r["owner_id"] in others]
    assert theirs, "the other rep won deals in the window"
    rep = cockpit.client(REP)
    # Drill-down with a slice naming the other rep's owner id: no rows.
    where = f"owner={theirs[0]['owner_id']}"
    body = rep.get(f"/api/v1/metrics/rows?metric=won_deals&window={YEAR}&where={where}").json()
    assert body["tables"][0]["total"] == 0
    # Slices: only the rep's own owner ids appear.
    sliced = rep.get(f"/api/v1/metrics/explore?metric=bookings&window={YEAR}&by=owner").json()
    assert {r["slice"] for r in sliced["rows"]} <= set(_owners(cockpit, REP, False)) | {"(none)"}
    # Exports of the rows.
    export = rep.get(f"/api/v1/metrics/rows/export?metric=won_deals&window={YEAR}&format=csv")
    exported = list(csv.DictReader(io.StringIO(export.text)))
    assert exported
    assert not {r["opportunity_id"] for r in exported} & {r["opportunity_id"] for r in theirs}
    # Search by the name of the other rep's deal.
    name = theirs[0]["name"]
    hits = rep.get("/api/v1/search", params={"q": name}).json()["hits"]
    assert all(h["id"] != theirs[0]["opportunity_id"] for h in hits)
    admin_hits = cockpit.client("admin@example.com").get("/api/v1/search", params={"q": name})
    assert any(h["id"] == theirs[0]["opportunity_id"] for h in admin_hits.json()["hits"])


def test_a_rep_home_shows_smaller_numbers_than_the_company(cockpit: Cockpit) -> None:
    def bookings(email: str) -> float:
        cards = cockpit.client(email).get(f"/api/v1/home?window={YEAR}").json()["cards"]
        return next(c["value"] for c in cards if c["metric"] == "bookings")

    company, team, own = bookings("executive@example.com"), bookings(MANAGER), bookings(REP)
    assert 0 < own <= team < company


def test_a_user_who_is_no_crm_user_sees_no_rows_when_scoped(cockpit: Cockpit) -> None:
    from revops.app import users

    users.add_user(cockpit.db, "stranger@example.com", "rep", "correct horse battery")
    client = cockpit.client("stranger@example.com")
    assert client.get("/api/v1/me").json()["scope"].startswith("no CRM user")
    body = client.get(f"/api/v1/metrics/rows?metric=won_deals&window={YEAR}").json()
    assert body["tables"][0]["total"] == 0
