"""`revops tokens add|list|revoke`: tokens made on the command line work against the app,
are stored hashed, are revocable, and every change is in the audit log."""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path

import pytest

from revops.app import create_app
from revops.app.audit import recent
from revops.app.db import AppDatabase
from revops.workspace import Workspace

from support import run_cli as run

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for the httpx2 fork; httpx works the same
    from fastapi.testclient import TestClient

EMAIL = "cfo@example.com"


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ws"
    assert run(capsys, "init", str(root))[0] == 0
    code, _, err = run(capsys, "-w", str(root), "users", "add", EMAIL, "--role", "finance")
    assert code == 0, err
    return root


def add_token(root: Path, capsys: pytest.CaptureFixture[str], *scopes: str) -> str:
    flags = [part for scope in scopes for part in ("--scope", scope)]
    code, out, err = run(capsys, "-w", str(root), "tokens", "add", EMAIL, "--name", "bi", *flags)
    assert code == 0, err
    assert "shown once" in err
    return out.strip()


def listed(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    code, out, err = run(capsys, "-w", str(root), "tokens", "list", "--format", "json")
    assert code == 0, err
    rows: list[dict[str, str]] = json.loads(out)
    return rows


def test_a_token_added_on_the_command_line_signs_in_to_the_api_until_revoked(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = add_token(workspace, capsys, "read", "export")
    app = create_app(Workspace.open(workspace, read_only=True), warm=False)
    client = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == EMAIL

    [row] = listed(workspace, capsys)
    assert (row["user"], row["name"], row["scopes"]) == (EMAIL, "bi", "export,read")
    assert secret.startswith(row["prefix"])
    assert row["revoked_at"] is None

    code, _, err = run(capsys, "-w", str(workspace), "tokens", "revoke", str(row["id"]))
    assert code == 0, err
    assert client.get("/api/v1/me").status_code == 401
    assert listed(workspace, capsys)[0]["revoked_at"] is not None


def test_the_secret_is_stored_only_as_a_hash(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = add_token(workspace, capsys)
    app_db = workspace / "app.db"  # the default app database (sqlite:///app.db)
    dump = "\n".join(sqlite3.connect(app_db).iterdump())
    assert secret not in dump
    code, out, _ = run(capsys, "-w", str(workspace), "tokens", "list", "--format", "json")
    assert code == 0
    assert secret not in out


def test_adding_and_revoking_tokens_is_audited(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_token(workspace, capsys)
    token_id = listed(workspace, capsys)[0]["id"]
    run(capsys, "-w", str(workspace), "tokens", "revoke", str(token_id))
    ws = Workspace.open(workspace)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    actions = [(e.actor, e.action, e.target) for e in recent(db)]
    db.close()
    assert actions[:2] == [("cli", "token.revoke", f"token {token_id}"),
                           ("cli", "token.create", f"token {token_id}")]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", EMAIL, "--name", "x", "--scope", "write"], "token scopes must be some of"),
        (["add", "nobody@example.com", "--name", "x"], "no active user nobody@example.com"),
        (["add", EMAIL, "--name", " "], "a token needs a name"),
        (["revoke", "999"], "no token 999"),
    ],
)
def test_bad_token_commands_are_one_red_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "-w", str(workspace), "tokens", *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
