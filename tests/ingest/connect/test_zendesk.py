"""The Zendesk connector's own cases, beyond the conformance suite: a deleted ticket is
recorded and its row kept; answers that are not export pages stop the sync with one line,
the cursor where it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff
from revops.ingest.connect.state import read_states
from revops.ingest.connect.sync import sync
from revops.workspace import Workspace

from connectors import ZENDESK
from fake_zendesk import FakeZendesk

TICKETS = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(ZENDESK.key_env, ZENDESK.good_key)
    workspace = Workspace.create(tmp_path / "ws")
    yield workspace
    workspace.close()


def answering(fake: FakeZendesk, path: str, change: Any) -> None:
    original = fake.answer

    def answer(requested: str, query: dict[str, str], auth: str) -> Any:
        status, body, headers = original(requested, query, auth)
        return change(status, body, headers) if requested == path else (status, body, headers)

    fake.answer = answer  # type: ignore[method-assign]


def test_a_ticket_deleted_in_a_first_sync_is_recorded_and_not_loaded(ws: Workspace) -> None:
    fake = FakeZendesk(customers=2)
    fake.delete_ticket(5011)
    with fake.serving() as url:
        result = sync(ws, ZENDESK.connector(url))
    assert result.deletions == 1
    tickets = {
        t["source_id"] for t in ws.warehouse.table("support_ticket").to_pyarrow().to_pylist()
    }
    assert tickets == {"5000", "5001", "5010"}
    [deleted] = ws.warehouse.table("source_deletion", "raw").to_pyarrow().to_pylist()
    assert (deleted["object"], deleted["entity"], deleted["record_id"]) == (
        "ticket",
        "support_ticket",
        "zendesk:5011",
    )
    skipped = sum(load.skipped for load in result.loads if load.object == "tickets")
    assert skipped == 1  # counted, as a file ingest counts it


def test_an_answer_that_is_not_an_export_page_stops_the_sync_with_one_line(
    ws: Workspace,
) -> None:
    fake = FakeZendesk(customers=2)
    answering(fake, TICKETS, lambda status, body, headers: (200, "<html>", headers))
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, ZENDESK.connector(url))
    assert str(caught.value) == "zendesk tickets: the API answered something other than a page"
    states = read_states(ws.warehouse, "zendesk")
    assert states["users"].cursor is not None
    assert states["tickets"].cursor is None


def test_a_page_without_its_cursor_stops_the_sync_with_one_line(ws: Workspace) -> None:
    fake = FakeZendesk(customers=2)

    def without_cursor(status: int, body: Any, headers: Any) -> Any:
        body.pop("after_cursor")
        return status, body, headers

    answering(fake, TICKETS, without_cursor)
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, ZENDESK.connector(url))
    assert str(caught.value) == "zendesk tickets: page tickets-after-start: no after_cursor"


def test_a_sync_waits_for_the_reset_when_a_rate_limit_is_nearly_used_up(ws: Workspace) -> None:
    fake = FakeZendesk(customers=5)
    # 3 export requests a minute: after the second, one is left (RESERVE) and the sync
    # waits for the reset the header names; the account's 100 are never near.
    fake.limit(exports=3, account=100)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake.next_minute()

    with fake.serving() as url:
        connector = ZENDESK.connector(url)
        connector.backoff = Backoff(attempts=2, sleep=sleep)  # type: ignore[attr-defined]
        sync(ws, connector)
    exports = [p for p in fake.requests if "/incremental/" in p]
    assert fake.limited == 0  # never refused
    assert len(exports) >= 4
    assert waits == [38.0] * (len(exports) // 2)


def test_the_account_wide_limit_slows_the_sync_too(ws: Workspace) -> None:
    fake = FakeZendesk(customers=5)
    fake.limit(exports=100, account=4)
    fake.resets = 7
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake.next_minute()

    with fake.serving() as url:
        connector = ZENDESK.connector(url)
        connector.backoff = Backoff(attempts=2, sleep=sleep)  # type: ignore[attr-defined]
        sync(ws, connector)
    assert fake.limited == 0
    # 4 a minute: 3 remaining, 2, 1 (wait), so a wait every third request.
    assert waits == [7.0] * (len(fake.requests) // 3)
