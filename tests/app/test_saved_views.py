"""Saved views: a user keeps a page's query under a name, lists and deletes their own (never
another user's), from the API, the page's control and the CLI; the shared link is the URL,
opened within the opener's own rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.conftest import MANAGER, OTHER_REP, QUARTER, REP, Cockpit
from revops.app import audit, saved

from support import csrf, run_cli

URL = f"/pipeline?window={QUARTER}&by=owner"


def _clear(cockpit: Cockpit, email: str) -> None:
    client = cockpit.client(email)
    for view in client.get("/api/v1/views").json():
        headers = {"X-CSRF-Token": csrf(cockpit.client(email))}
        assert client.delete(f"/api/v1/views/{view['id']}", headers=headers).status_code == 200


def test_a_user_saves_lists_replaces_and_deletes_their_views(cockpit: Cockpit) -> None:
    _clear(cockpit, REP)
    client = cockpit.client(REP)
    headers = {"X-CSRF-Token": csrf(cockpit.client(REP))}
    made = client.post(
        "/api/v1/views", json={"name": "  My   pipeline ", "path": URL}, headers=headers
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["path"], body["url"]) == ("My pipeline", "/pipeline", URL)
    again = client.post(
        "/api/v1/views",
        json={"name": "My pipeline", "path": "/metrics", "query": "metric=arr&csrf_token=x"},
        headers=headers,
    )
    assert again.json()["id"] == body["id"]  # the same name replaces the view
    assert again.json()["url"] == "/metrics?metric=arr"  # a form's token is never kept
    listed = client.get("/api/v1/views").json()
    assert [(v["name"], v["url"]) for v in listed] == [("My pipeline", "/metrics?metric=arr")]
    home = client.get("/api/v1/home").json()
    assert [v["name"] for v in home["saved_views"]] == ["My pipeline"]
    assert 'href="/metrics?metric=arr">My pipeline</a>' in client.get("/").text
    gone = client.delete(f"/api/v1/views/{body['id']}", headers=headers)
    assert gone.status_code == 200
    assert client.get("/api/v1/views").json() == []
    actions = [e.action for e in audit.recent(cockpit.db, 20) if e.actor == REP]
    assert {"view.save", "view.delete"} <= set(actions)


def test_views_are_per_user_and_nobody_deletes_another_users_view(cockpit: Cockpit) -> None:
    _clear(cockpit, REP)
    _clear(cockpit, OTHER_REP)
    mine = cockpit.client(REP).post(
        "/api/v1/views", json={"name": "Mine", "path": URL},
        headers={"X-CSRF-Token": csrf(cockpit.client(REP))},
    ).json()  # fmt: skip
    other = cockpit.client(OTHER_REP)
    assert other.get("/api/v1/views").json() == []
    refused = other.delete(
        f"/api/v1/views/{mine['id']}", headers={"X-CSRF-Token": csrf(cockpit.client(OTHER_REP))}
    )
    assert refused.status_code == 404
    assert [v["name"] for v in cockpit.client(REP).get("/api/v1/views").json()] == ["Mine"]
    # The shared link opens for the other rep within their own rows.
    opened = other.get(f"/api/v1/pipeline?window={QUARTER}&by=owner").json()
    assert opened["viewer"]["email"] == OTHER_REP
    _clear(cockpit, REP)


def test_writes_need_the_csrf_token_and_a_page_of_the_cockpit(cockpit: Cockpit) -> None:
    client = cockpit.client(MANAGER)
    assert client.post("/api/v1/views", json={"name": "x", "path": URL}).status_code == 403
    headers = {"X-CSRF-Token": csrf(cockpit.client(MANAGER))}
    for path in ("https://evil.example/", "//evil.example/x", "/api/v1/home", "/signout", "x"):
        response = client.post("/api/v1/views", json={"name": "x", "path": path}, headers=headers)
        assert response.status_code == 400, path
        assert "page of the cockpit" in response.json()["detail"]
    blank = client.post("/api/v1/views", json={"name": "   ", "path": URL}, headers=headers)
    assert blank.status_code == 400
    assert "needs a name" in blank.json()["detail"]
    nul = client.post("/api/v1/views", json={"name": "a\x00b", "path": URL}, headers=headers)
    assert nul.status_code == 400
    assert "control characters" in nul.json()["detail"]
    anonymous = cockpit.client().get("/api/v1/views")
    assert anonymous.status_code == 401


def test_the_save_control_on_a_page_saves_it_and_returns_to_it(cockpit: Cockpit) -> None:
    _clear(cockpit, MANAGER)
    client = cockpit.client(MANAGER)
    page = client.get(URL).text
    form = page[page.index('id="save-view"') :].split("</form>")[0]
    assert 'name="path" value="/pipeline"' in form
    assert f'name="query" value="window={QUARTER}&amp;by=owner"' in form
    saved_ = client.post(
        "/views",
        data={"name": "Team pipeline", "path": "/pipeline", "query": f"window={QUARTER}&by=owner",
              "csrf_token": csrf(cockpit.client(MANAGER))},
        follow_redirects=False,
    )  # fmt: skip
    assert (saved_.status_code, saved_.headers["location"]) == (303, URL)
    [view] = client.get("/api/v1/views").json()
    deleted = client.post(
        f"/views/{view['id']}/delete", data={"csrf_token": csrf(cockpit.client(MANAGER))},
        follow_redirects=False,
    )  # fmt: skip
    assert deleted.status_code == 303
    assert client.get("/api/v1/views").json() == []


def test_the_cli_saves_lists_and_deletes_a_users_views(
    cockpit: Cockpit, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(Path(cockpit.root))
    code, _, err = run_cli(capsys, "-w", root, "views", "save", REP, "Deals", URL)
    assert code == 0, err
    code, out, err = run_cli(capsys, "-w", root, "views", "list", "--user", REP, "-f", "csv")
    assert code == 0, err
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["user"], row["name"], row["url"]) == (REP, "Deals", URL)
    assert [v.url for v in saved.views_of(cockpit.db, _user_id(cockpit, REP))] == [URL]
    code, _, err = run_cli(capsys, "-w", root, "views", "delete", OTHER_REP, "Deals")
    assert code == 1
    assert "has no saved view 'Deals'" in err
    code, _, err = run_cli(capsys, "-w", root, "views", "save", REP, "Bad", "/api/v1/home")
    assert (code, "page of the cockpit" in err) == (1, True)
    code, _, err = run_cli(capsys, "-w", root, "views", "delete", REP, "Deals")
    assert code == 0, err
    assert saved.views_of(cockpit.db, _user_id(cockpit, REP)) == []


def _user_id(cockpit: Cockpit, email: str) -> int:
    from revops.app.users import list_users

    return next(u.id for u in list_users(cockpit.db) if u.email == email)
