"""Admin and sign-in workflows: a one-time password-reset link, enabling a disabled user,
no default role on the add-user form, a warning for a rep no CRM user matches, the page
first asked kept through sign-in, HTML errors for pages; every admin action audited."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.conftest import PASSWORD, REP, Cockpit, TestClient, role_email, sign_in
from revops.app import audit, users

from support import csrf

ADMIN = "admin@example.com"


def _signin_form(client: TestClient, path: str = "/signin") -> tuple[str, str]:
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    following = re.search(r'name="next" value="([^"]*)"', page.text)
    assert token is not None
    assert following is not None
    return token.group(1), html.unescape(following.group(1))


def _actions(cockpit: Cockpit, target: str) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in audit.recent(cockpit.db, 500) if e.target == target]


def _reset_form(client: TestClient, link: str) -> tuple[str, str]:
    page = client.get(link)
    assert page.status_code == 200, page.text[:300]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert csrf is not None
    assert token is not None
    return csrf.group(1), token.group(1)


def test_a_reset_link_sets_a_new_password_once(cockpit: Cockpit) -> None:
    user = users.add_user(cockpit.db, "forgetful@example.com", "executive", PASSWORD)
    admin = cockpit.client(ADMIN)
    made = admin.post(f"/api/v1/users/{user.id}/reset", headers={"X-CSRF-Token": csrf(admin)})
    assert made.status_code == 200, made.text
    link = made.json()["link"]
    assert link.startswith("/reset?token=")
    assert made.json()["expires_in"] == 24 * 3600
    browser = TestClient(cockpit.app)
    form_csrf, token = _reset_form(browser, link)
    new = "a brand new passphrase"
    done = browser.post(
        "/reset", data={"token": token, "password": new, "confirm": new, "csrf_token": form_csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, "/signin?reset=1")
    sign_in(browser, "forgetful@example.com", new)
    assert browser.get("/api/v1/me").json()["email"] == "forgetful@example.com"
    # The same link again: refused, the password unchanged.
    again = TestClient(cockpit.app).get(link)
    assert again.status_code == 400
    assert "already used" in again.text
    assert users.authenticate(cockpit.db, "forgetful@example.com", new) is not None
    actions = _actions(cockpit, "forgetful@example.com")
    assert (ADMIN, "user.reset_link") in actions
    assert ("forgetful@example.com", "user.password_reset") in actions


def test_a_forged_reset_link_is_refused(cockpit: Cockpit) -> None:
    page = TestClient(cockpit.app).get("/reset?token=forged.token.here")
    assert page.status_code == 400
    assert "not valid" in page.text


def test_an_expired_reset_link_is_refused(cockpit: Cockpit, monkeypatch: Any) -> None:
    from revops.app import resets

    user = users.add_user(cockpit.db, "late@example.com", "finance", PASSWORD)
    secret = cockpit.app.state.revops.sessions.secret
    token = resets.reset_token(cockpit.db, user.email, secret, actor="test")
    monkeypatch.setattr(resets, "RESET_MAX_AGE", -1)
    page = TestClient(cockpit.app).get(resets.reset_link(token))
    assert page.status_code == 400
    assert "expired" in page.text


def test_the_admin_page_makes_a_reset_link_and_enables_a_disabled_user(cockpit: Cockpit) -> None:
    user = users.add_user(cockpit.db, "away@example.com", "marketing", PASSWORD)
    admin = cockpit.client(ADMIN)
    token = csrf(admin)
    page = admin.post(f"/admin/users/{user.id}/reset", data={"csrf_token": token})
    assert page.status_code == 200
    shown = re.search(r'<code id="reset-link">([^<]+)</code>', page.text)
    assert shown is not None
    assert "/reset?token=" in shown.group(1)
    assert (
        admin.post(f"/admin/users/{user.id}/disable", data={"csrf_token": token}).status_code == 200
    )
    assert users.authenticate(cockpit.db, user.email, PASSWORD) is None
    assert f'action="/admin/users/{user.id}/enable"' in admin.get("/admin").text
    assert (
        admin.post(f"/admin/users/{user.id}/enable", data={"csrf_token": token}).status_code == 200
    )
    assert users.authenticate(cockpit.db, user.email, PASSWORD) is not None
    actions = _actions(cockpit, user.email)
    assert (ADMIN, "user.disable") in actions
    assert (ADMIN, "user.enable") in actions


@pytest.mark.parametrize("role", ["manager", "rep", "executive"])
def test_only_an_admin_enables_or_resets_through_the_api(cockpit: Cockpit, role: str) -> None:
    user = users.add_user(cockpit.db, f"target-{role}@example.com", "finance", PASSWORD)
    client = cockpit.client(role_email(role))
    headers = {"X-CSRF-Token": csrf(client)}
    assert client.post(f"/api/v1/users/{user.id}/enable", headers=headers).status_code == 403
    assert client.post(f"/api/v1/users/{user.id}/reset", headers=headers).status_code == 403


def test_the_add_user_form_does_not_default_to_admin(cockpit: Cockpit) -> None:
    page = cockpit.client(ADMIN).get("/admin").text
    form = page.split('action="/admin/users" class="inline"', 1)[1].split("</form>", 1)[0]
    select = form.split('<select name="role"', 1)[1].split("</select>", 1)[0]
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select)
    assert first is not None
    assert 'value=""' in first.group(1)
    assert "selected" in first.group(1)
    assert "required" in select.split(">", 1)[0]


def test_a_rep_no_crm_user_matches_is_warned_on_admin_and_home(cockpit: Cockpit) -> None:
    users.add_user(cockpit.db, "ghost.rep@example.com", "rep", PASSWORD)
    rows = {u["email"]: u for u in cockpit.client(ADMIN).get("/api/v1/users").json()}
    assert (
        "No CRM user has the e-mail ghost.rep@example.com"
        in rows["ghost.rep@example.com"]["warning"]
    )
    assert rows[REP]["warning"] is None
    assert rows[ADMIN]["warning"] is None
    assert (
        "No CRM user has the e-mail ghost.rep@example.com"
        in cockpit.client(ADMIN).get("/admin").text
    )
    ghost = cockpit.client("ghost.rep@example.com")
    assert "No CRM user" in ghost.get("/api/v1/home").json()["warning"]
    assert 'id="crm-warning"' in ghost.get("/").text
    assert cockpit.client(REP).get("/api/v1/home").json()["warning"] is None


def test_sign_in_returns_to_the_page_first_asked(cockpit: Cockpit) -> None:
    browser = TestClient(cockpit.app)
    asked = browser.get("/pipeline?window=FY2027-Q4&by=owner", follow_redirects=False)
    assert asked.status_code == 303
    location = asked.headers["location"]
    assert location.startswith("/signin?next=")
    form_token, following = _signin_form(browser, location)
    assert following == "/pipeline?window=FY2027-Q4&by=owner"
    done = browser.post(
        "/signin",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": form_token, "next": following},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, following)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_sends_to_another_site(cockpit: Cockpit, target: str) -> None:
    browser = TestClient(cockpit.app)
    form_token, _ = _signin_form(browser)
    done = browser.post(
        "/signin",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": form_token, "next": target},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/")


def test_an_unsupported_slice_is_an_html_page_for_pages_and_json_for_the_api(
    cockpit: Cockpit,
) -> None:
    admin = cockpit.client(ADMIN)
    page = admin.get("/pipeline?by=territory")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Cannot show this</h1>" in page.text
    assert "by" in page.text
    api = admin.get("/api/v1/pipeline?by=territory")
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/json")
