"""The RevOps home shows each connected source's last sync, as `revops sync status` does,
and GET /api/v1/sync/status returns it to admin and RevOps users only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import QUARTER, Cockpit, role_email, serving
from revops.errors import ConnectorError
from revops.ingest.connect import status
from revops.ingest.connect.sync import SyncResult, sync
from revops.workspace import Workspace

from connectors import STRIPE, ZENDESK


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cockpit, SyncResult]]:
    """A workspace with one Stripe sync that worked and one Zendesk sync refused its key,
    both over real HTTP against the fakes, served read-only."""
    root = tmp_path_factory.mktemp("syncs") / "ws"
    with pytest.MonkeyPatch.context() as env:
        env.setenv(STRIPE.key_env, STRIPE.good_key)
        env.setenv(ZENDESK.key_env, ZENDESK.bad_key)
        ws = STRIPE.workspace(root)
        try:
            with STRIPE.serving() as (_, url):
                result = sync(ws, STRIPE.connector(url))
            with ZENDESK.serving() as (_, url), pytest.raises(ConnectorError):
                sync(ws, ZENDESK.connector(url))
        finally:
            ws.close()
    with serving(root) as served:
        yield served, result


def _get(cockpit: Cockpit, role: str, url: str) -> Any:
    response = cockpit.client(role_email(role)).get(url)
    assert response.status_code == 200, response.text[:300]
    return response.json()


@pytest.mark.parametrize("role", ["admin", "revops"])
def test_the_revops_home_shows_each_sources_last_sync(
    synced: tuple[Cockpit, SyncResult], role: str
) -> None:
    cockpit, result = synced
    home = _get(cockpit, role, f"/api/v1/home?window={QUARTER}")
    rows = {r["source"]: r for r in home["connector_syncs"]}
    assert sorted(rows) == ["stripe", "zendesk"]
    stripe = rows["stripe"]
    assert (stripe["status"], stripe["error"]) == ("ok", "")
    assert stripe["rows"] == result.records > 0
    assert stripe["seconds"] == pytest.approx(result.seconds, abs=0.01)
    assert stripe["last_sync_at"] is not None
    zendesk = rows["zendesk"]
    assert zendesk["status"] == "failed"
    assert zendesk["rows"] == 0
    assert "(401)" in zendesk["error"]
    # The same rows as `revops sync status` reads, and as the JSON endpoint returns.
    ws = Workspace.open(cockpit.root, read_only=True)
    try:
        cli = {s.source: s for s in status(ws)}
    finally:
        ws.close()
    assert stripe["cursor"] == cli["stripe"].cursor is not None
    assert zendesk["error"] == cli["zendesk"].error
    assert _get(cockpit, role, "/api/v1/sync/status")["sources"] == home["connector_syncs"]
    page = cockpit.client(role_email(role)).get(f"/?window={QUARTER}")
    assert 'id="connector-syncs"' in page.text
    assert zendesk["error"].split("(401)")[0] in page.text


@pytest.mark.parametrize("role", ["rep", "manager", "finance"])
def test_other_roles_see_no_sync_status(synced: tuple[Cockpit, SyncResult], role: str) -> None:
    cockpit, _ = synced
    client = cockpit.client(role_email(role))
    assert client.get("/api/v1/sync/status").status_code == 403
    home = client.get(f"/api/v1/home?window={QUARTER}").json()
    assert "connector_syncs" not in home
    assert client.get(f"/api/v1/home?window={QUARTER}&as=revops").status_code in (400, 403)
    assert 'id="connector-syncs"' not in client.get(f"/?window={QUARTER}").text


def test_a_workspace_never_synced_shows_an_empty_list(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    ws.init_warehouse()
    ws.close()
    with serving(tmp_path / "ws") as cockpit:
        assert _get(cockpit, "revops", "/api/v1/sync/status") == {"sources": []}
        page = cockpit.client(role_email("revops")).get(f"/?window={QUARTER}")
        assert "No source synced yet" in page.text
