"""Accounts: sign-in throttling and lockout, server-side sessions, tokens within the role,
the session key outside the app database, a private app database."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

import revops.app.db as app_db
from app.conftest import AS_OF, PASSWORD, REP
from revops import Workspace
from revops.app import audit, create_app, throttle, users
from revops.app.db import AppDatabase
from revops.app.keys import KEY_FILE, SECRET_ENV, session_key
from revops.errors import AppError

from support import csrf, run_cli

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ADMIN = "boss@example.com"


@dataclass
class Fresh:
    """The app on the demo company with an app database of its own (so locks and
    revoked sessions here touch no other test)."""

    app: FastAPI
    db: AppDatabase
    root: Path

    def client(self, address: str = "10.0.0.1") -> TestClient:
        return TestClient(self.app, client=(address, 50000))


@pytest.fixture
def fresh(demo_root: Path, tmp_path: Path) -> Iterator[Fresh]:
    ws = Workspace.open(demo_root, read_only=True)
    db = AppDatabase(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    app = create_app(ws, db=db, as_of=AS_OF, warm=False)
    users.add_user(db, ADMIN, "admin", PASSWORD)
    users.add_user(db, REP, "rep", PASSWORD)
    try:
        yield Fresh(app, db, demo_root)
    finally:
        ws.close()
        db.close()


def _post_signin(client: TestClient, email: str, password: str) -> object:
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    fresh: Fresh, capsys: pytest.CaptureFixture[str], cockpit_root_config: None
) -> None:
    client = fresh.client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _post_signin(client, REP, "wrong password").status_code == 401  # type: ignore[attr-defined]
    refused = _post_signin(client, REP, PASSWORD)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert 1 <= int(refused.headers["retry-after"]) <= 60  # type: ignore[attr-defined]
    assert "Too many failed sign-ins; try again in 1 minute" in refused.text  # type: ignore[attr-defined]
    # Another address does not get in either: the lock is on the account.
    assert _post_signin(fresh.client("10.0.0.2"), REP, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    actions = [(e.action, e.target) for e in audit.recent(fresh.db, 20)]
    assert ("signin.locked", f"account:{REP}") in actions  # the lock, when earned
    assert ("signin.locked", REP) in actions  # and each refusal

    code, out, _ = run_cli(capsys, "-w", str(fresh.root), "users", "list", "-f", "json")
    assert code == 0
    [rep] = [u for u in json.loads(out) if u["email"] == REP]
    assert rep["locked_until"] is not None
    code, _, err = run_cli(capsys, "-w", str(fresh.root), "users", "unlock", REP)
    assert code == 0
    assert f"Unlocked {REP}" in err
    assert _post_signin(client, REP, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert ("user.unlock", REP) in [(e.action, e.target) for e in audit.recent(fresh.db, 5)]


def test_an_admin_sees_and_lifts_a_lock_on_the_admin_page_and_api(fresh: Fresh) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT):
        users.authenticate(fresh.db, REP, "nope", client="10.0.0.3")
    admin = fresh.client("10.0.0.4")
    assert _post_signin(admin, ADMIN, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    [row] = [u for u in admin.get("/api/v1/users").json() if u["email"] == REP]
    assert row["locked_until"] is not None
    page = admin.get("/admin").text
    assert f"/admin/users/{row['id']}/unlock" in page
    response = admin.post(
        f"/api/v1/users/{row['id']}/unlock", headers={"X-CSRF-Token": csrf(admin)}
    )
    assert response.status_code == 200
    [row] = [u for u in admin.get("/api/v1/users").json() if u["email"] == REP]
    assert row["locked_until"] is None


def test_locks_double_up_to_an_hour_and_failures_are_forgotten(fresh: Fresh) -> None:
    key, start = "account:x@example.com", datetime(2026, 1, 1, tzinfo=UTC)
    earned = [throttle.fail(fresh.db, key, start) for _ in range(throttle.ACCOUNT_LIMIT - 1)]
    assert earned == [None] * (throttle.ACCOUNT_LIMIT - 1)
    lengths, now = [], start
    for _ in range(9):
        lock = throttle.fail(fresh.db, key, now)
        assert lock is not None
        lengths.append(int((lock.until - now).total_seconds()))
        assert throttle.retry_after(fresh.db, [key], now) == lengths[-1]
        now = lock.until + timedelta(seconds=1)
    assert lengths == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert throttle.retry_after(fresh.db, [key], now) == 0
    # Long after the last failure, with no lock in force, the count starts again.
    later = now + throttle.FORGET_AFTER + timedelta(seconds=1)
    assert throttle.fail(fresh.db, key, later) is None


def test_one_address_guessing_many_accounts_is_locked(fresh: Fresh) -> None:
    for k in range(throttle.CLIENT_LIMIT):
        assert users.authenticate(fresh.db, f"guess{k}@example.com", "x", client="10.9.9.9") is None
    with pytest.raises(throttle.SignInLockedError):
        users.authenticate(fresh.db, REP, PASSWORD, client="10.9.9.9")
    assert users.authenticate(fresh.db, REP, PASSWORD, client="10.0.0.5") is not None


def test_a_copied_cookie_stops_working_after_sign_out(fresh: Fresh) -> None:
    browser = fresh.client()
    assert _post_signin(browser, REP, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    thief = fresh.client("10.6.6.6")
    thief.cookies.update(dict(browser.cookies))
    assert thief.get("/api/v1/me").status_code == 200
    token = csrf(browser)
    assert (
        browser.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/", follow_redirects=False).headers["location"] == "/signin"


@pytest.mark.parametrize("change", ["password", "role", "disable"])
def test_a_password_or_role_change_or_disabling_ends_every_session(
    fresh: Fresh, change: str
) -> None:
    first, second = fresh.client("10.0.1.1"), fresh.client("10.0.1.2")
    for client in (first, second):
        assert _post_signin(client, REP, PASSWORD).status_code == 303  # type: ignore[attr-defined]
        assert client.get("/api/v1/me").status_code == 200
    if change == "password":
        users.set_password(fresh.db, REP, "another long one", actor="test")
    elif change == "role":
        users.set_role(fresh.db, REP, "manager", actor="test")
    else:
        users.set_active(fresh.db, REP, False, actor="test")
    assert first.get("/api/v1/me").status_code == 401
    assert second.get("/api/v1/me").status_code == 401
    if change != "disable":
        new = "another long one" if change == "password" else PASSWORD
        assert _post_signin(first, REP, new).status_code == 303  # type: ignore[attr-defined]
        assert first.get("/api/v1/me").json()["role"] == ("manager" if change == "role" else "rep")


def test_a_token_above_the_role_is_refused_at_issue_everywhere(
    fresh: Fresh, capsys: pytest.CaptureFixture[str], cockpit_root_config: None
) -> None:
    rep = next(u for u in users.list_users(fresh.db) if u.email == REP)
    with pytest.raises(AppError, match="a rep may not hold a token with the scope admin"):
        users.create_token(fresh.db, rep.id, "script", ("admin",), actor="test")
    client = fresh.client()
    assert _post_signin(client, REP, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    token = csrf(client)
    response = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["admin"]}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 400
    assert "a rep may not hold a token with the scope admin" in response.json()["detail"]
    page = client.post("/admin/tokens", data={"name": "x", "scope": "admin", "csrf_token": token})
    assert page.status_code == 400
    assert "may not hold a token with the scope admin" in page.text
    # The form offers only what the role may hold (a rep may file desk requests).
    assert re.findall(r"<option>(\w+)</option>", client.get("/admin").text) == [
        "read",
        "export",
        "forecast",
        "desk",
    ]
    code, _, err = run_cli(
        capsys, "-w", str(fresh.root), "tokens", "add", REP, "--name", "x", "--scope", "admin"
    )
    assert code == 1
    assert "a rep may not hold a token with the scope admin" in err
    assert users.list_tokens(fresh.db, rep.id) == []


@pytest.fixture
def cockpit_root_config(fresh: Fresh) -> Iterator[None]:
    """Point the demo workspace's config at the fresh app database (for CLI calls)."""
    config = fresh.root / "revops.yaml"
    original = config.read_text()
    changed = re.sub(r"url: sqlite:///app\.db", f"url: {fresh.db.url}", original)
    assert changed != original
    config.write_text(changed)
    try:
        yield
    finally:
        config.write_text(original)


def test_demoting_a_user_revokes_tokens_above_the_new_role(
    fresh: Fresh, capsys: pytest.CaptureFixture[str], cockpit_root_config: None
) -> None:
    users.add_user(fresh.db, "ops@example.com", "admin", PASSWORD)
    ops = next(u for u in users.list_users(fresh.db) if u.email == "ops@example.com")
    admin_token, admin_info = users.create_token(fresh.db, ops.id, "all", ("admin",), actor="t")
    read_token, _ = users.create_token(fresh.db, ops.id, "bi", ("read",), actor="t")
    anyone = fresh.client()
    bearer = {"Authorization": f"Bearer {admin_token}"}
    assert anyone.get("/api/v1/users", headers=bearer).status_code == 200

    boss = fresh.client("10.0.2.2")
    assert _post_signin(boss, ADMIN, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    response = boss.post(
        f"/api/v1/users/{ops.id}/role", json={"role": "revops"},
        headers={"X-CSRF-Token": csrf(boss)},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["role"] == "revops"
    assert anyone.get("/api/v1/me", headers=bearer).status_code == 401  # revoked
    reader = {"Authorization": f"Bearer {read_token}"}
    assert anyone.get("/api/v1/me", headers=reader).status_code == 200  # within the role
    log = [(e.action, e.target, e.detail) for e in audit.recent(fresh.db, 10)]
    assert ("user.role", "ops@example.com", "role=admin->revops") in log
    assert any(
        a == "token.revoke" and t == f"token {admin_info.id}" and "above the role revops" in d
        for a, t, d in log
    )
    # The CLI does the same.
    code, _, err = run_cli(capsys, "-w", str(fresh.root), "users", "role", "ops@example.com", "rep")
    assert code == 0
    assert "ops@example.com is now rep" in err


def test_the_session_key_is_a_private_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    key = session_key(tmp_path)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert (path.parent / ".gitignore").read_text().splitlines()[-1] == "*"
    assert session_key(tmp_path) == key  # kept across starts
    path.chmod(0o644)
    assert session_key(tmp_path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # made private again
    monkeypatch.setenv(SECRET_ENV, "k" * 40)
    assert session_key(tmp_path) == "k" * 40
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(AppError, match="at least 32 characters"):
        session_key(tmp_path)


def test_the_key_leaves_an_old_app_database_which_is_made_private(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    path = tmp_path / "app.db"
    db = AppDatabase("sqlite:///app.db", tmp_path)
    config = Config()
    config.set_main_option("script_location", str(Path(app_db.__file__).parent / "migrations"))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO app_setting (key, value) VALUES ('session_secret', 'OLD-SECRET-KEY-123')"
        )
    db.close()
    path.chmod(0o644)  # as an old version left it
    assert b"OLD-SECRET-KEY-123" in path.read_bytes()
    db = AppDatabase("sqlite:///app.db", tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert db.migrate() == ScriptDirectory.from_config(config).get_current_head()
    db.close()
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert "app_setting" not in tables
    assert b"OLD-SECRET-KEY-123" not in path.read_bytes()  # overwritten, not just unlinked


def test_a_new_app_database_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = AppDatabase("sqlite:///app.db", tmp_path)
        db.migrate()
        db.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "app.db").stat().st_mode) == 0o600


def test_exports_escape_formula_text_and_keep_numbers() -> None:
    from revops.app.export import table_response

    row = ["=HYPERLINK(\"http://x\")", "+1 555 0100", "-2+3", "@SUM(A1)", "\tx", "\r=1", "-12.5",
           -12.5, 7, "Acme", None]  # fmt: skip
    expected = ["'=HYPERLINK(\"http://x\")", "'+1 555 0100", "'-2+3", "'@SUM(A1)", "'\tx",
                "'\r=1", "-12.5", "-12.5", "7", "Acme", ""]  # fmt: skip
    text = table_response("t", [f"c{i}" for i in range(len(row))], [row], "csv").body
    [_, cells] = list(csv.reader(io.StringIO(bytes(text).decode(), newline="")))
    assert cells == expected

    from openpyxl import load_workbook

    book = table_response("t", [f"c{i}" for i in range(len(row))], [row], "xlsx").body
    sheet = load_workbook(io.BytesIO(bytes(book))).active
    assert sheet is not None
    values = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    # XML keeps no lone carriage return: the sheet reads it back as a line feed.
    assert values[:7] == [e.replace("\r", "\n") for e in expected[:7]]
    assert values[7:10] == [-12.5, 7, "Acme"]  # numbers stay numbers


def test_the_cli_csv_and_the_quarantine_export_escape_formula_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    code, _, _ = run_cli(capsys, "-w", str(root), "users", "add", "f@example.com", "--role",
                         "rep", "--name", "=cmd|' /C calc'!A0", "--password", PASSWORD)  # fmt: skip
    assert code == 0
    code, out, _ = run_cli(capsys, "-w", str(root), "users", "list", "-f", "csv")
    assert code == 0
    [user] = list(csv.DictReader(io.StringIO(out)))
    assert user["name"] == "'=cmd|' /C calc'!A0"

    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Contact.csv").write_text(
        'Id,FirstName,LastName,Email\n003A,Ann,Lee,"=HYPERLINK(""http://x"")"\n003B,Bo,Ma,-1\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(capsys, "-w", str(root), "ingest", "run", str(folder))
    assert code == 0, err
    exported = tmp_path / "bad.csv"
    code, _, err = run_cli(
        capsys, "-w", str(root), "ingest", "quarantine", "--export", str(exported)
    )
    assert code == 0, err
    with exported.open(encoding="utf-8") as handle:
        values = {r["source_id"]: (r["row"], r["value"]) for r in csv.DictReader(handle)}
    assert values == {"003A": ("2", '\'=HYPERLINK("http://x")'), "003B": ("3", "-1")}
